//! The headers a signed request is read from. `SigningHeaders` finds the eight that SigV4
//! reads by name in one pass over the map (a `HeaderMap` lookup hashes the name and probes, and
//! a signed request made some nine of them); any other signed header, and any of the eight
//! sent more than once, is looked up in the map as before.

use extenddb_core::traits::RequestHead;
use http::header::{self, HeaderName, HeaderValue};

/// The headers `SigningHeaders` finds in its one pass, by slot.
const KNOWN: [&str; 8] = [
    "host",
    "content-type",
    "authorization",
    "date",
    "x-amz-date",
    "x-amz-target",
    "x-amz-security-token",
    "x-amz-content-sha256",
];
/// Slot of `authorization` in `KNOWN`.
pub const AUTHORIZATION: usize = 2;
/// Slot of `date`.
pub const DATE: usize = 3;
/// Slot of `x-amz-date`.
pub const AMZ_DATE: usize = 4;
/// Slot of `x-amz-security-token`.
pub const AMZ_SECURITY_TOKEN: usize = 6;
/// Slot of `x-amz-content-sha256`.
pub const AMZ_CONTENT_SHA256: usize = 7;

/// The slot of a (lower-case) header name, if it is one of `KNOWN`.
fn slot(name: &str) -> Option<usize> {
    match name {
        "host" => Some(0),
        "content-type" => Some(1),
        "authorization" => Some(2),
        "date" => Some(3),
        "x-amz-date" => Some(4),
        "x-amz-target" => Some(5),
        "x-amz-security-token" => Some(6),
        "x-amz-content-sha256" => Some(7),
        _ => None,
    }
}

/// A request head with the headers SigV4 reads found once: the first value of each of `KNOWN`
/// and whether it was sent more than once.
#[derive(Debug, Clone, Copy)]
pub struct SigningHeaders<'h> {
    /// The request.
    pub head: &'h RequestHead,
    first: [Option<&'h HeaderValue>; KNOWN.len()],
    repeated: [bool; KNOWN.len()],
}

impl<'h> SigningHeaders<'h> {
    /// One pass over `head`'s headers.
    pub fn new(head: &'h RequestHead) -> SigningHeaders<'h> {
        let mut found = SigningHeaders {
            head,
            first: [None; KNOWN.len()],
            repeated: [false; KNOWN.len()],
        };
        for (name, value) in &head.headers {
            if let Some(i) = slot(name.as_str()) {
                if found.first[i].is_none() {
                    found.first[i] = Some(value);
                } else {
                    found.repeated[i] = true;
                }
            }
        }
        found
    }

    /// The first value of the header in `slot` if it is visible ASCII text (as
    /// `RequestHead::header` answers).
    pub fn value(&self, slot: usize) -> Option<&'h str> {
        self.first
            .get(slot)
            .copied()
            .flatten()
            .and_then(|v| v.to_str().ok())
    }

    /// Every value of the signed header `name` (lower-case), in order.
    pub fn all(&self, name: &str) -> Values<'h> {
        match slot(name) {
            Some(i) if !self.repeated[i] => Values::One(self.first[i]),
            _ => Values::Many(all(self.head, name)),
        }
    }
}

/// The values of one header, in order: found in the one pass, or looked up in the map.
pub enum Values<'h> {
    /// At most one value, found already.
    One(Option<&'h HeaderValue>),
    /// Every value, from the map.
    Many(header::ValueIter<'h, HeaderValue>),
}

impl<'h> Iterator for Values<'h> {
    type Item = &'h HeaderValue;

    fn next(&mut self) -> Option<&'h HeaderValue> {
        match self {
            Values::One(v) => v.take(),
            Values::Many(it) => it.next(),
        }
    }
}

/// `x-amz-date`.
pub const X_AMZ_DATE: HeaderName = HeaderName::from_static("x-amz-date");
/// `x-amz-security-token`.
pub const X_AMZ_SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-amz-security-token");
/// `x-amz-content-sha256`.
pub const X_AMZ_CONTENT_SHA256: HeaderName = HeaderName::from_static("x-amz-content-sha256");
/// `x-amz-target`.
pub const X_AMZ_TARGET: HeaderName = HeaderName::from_static("x-amz-target");

/// The first value of `name` if it is visible ASCII text (as `RequestHead::header` answers).
pub fn value<'h>(head: &'h RequestHead, name: &HeaderName) -> Option<&'h str> {
    head.headers.get(name).and_then(|v| v.to_str().ok())
}

/// Every value of the signed header `name` (lower-case), in order.
pub fn all<'h>(head: &'h RequestHead, name: &str) -> header::ValueIter<'h, HeaderValue> {
    let known = match name {
        "host" => Some(&header::HOST),
        "content-type" => Some(&header::CONTENT_TYPE),
        "x-amz-date" => Some(&X_AMZ_DATE),
        "x-amz-target" => Some(&X_AMZ_TARGET),
        "x-amz-security-token" => Some(&X_AMZ_SECURITY_TOKEN),
        "x-amz-content-sha256" => Some(&X_AMZ_CONTENT_SHA256),
        _ => None,
    };
    match known {
        Some(n) => head.headers.get_all(n).iter(),
        None => head.headers.get_all(name).iter(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn slots_name_their_headers() {
        for (i, name) in KNOWN.iter().enumerate() {
            assert_eq!(slot(name), Some(i), "{name}");
        }
        assert_eq!(KNOWN[AUTHORIZATION], "authorization");
        assert_eq!(KNOWN[DATE], "date");
        assert_eq!(KNOWN[AMZ_DATE], "x-amz-date");
        assert_eq!(KNOWN[AMZ_SECURITY_TOKEN], "x-amz-security-token");
        assert_eq!(KNOWN[AMZ_CONTENT_SHA256], "x-amz-content-sha256");
        assert_eq!(slot("x-amz-dates"), None);
    }

    proptest! {
        /// The one pass answers what the map answers, for every known name and others, with
        /// headers repeated and names sent in any case.
        #[test]
        fn one_pass_agrees_with_the_map(
            pairs in proptest::collection::vec(
                (
                    prop_oneof![
                        proptest::sample::select(KNOWN.to_vec()).prop_map(str::to_string),
                        Just("X-Amz-Date".to_string()),
                        Just("HOST".to_string()),
                        "[a-z-]{1,12}",
                    ],
                    "[ -~\t]{0,12}",
                ),
                0..12,
            ),
        ) {
            let head = RequestHead::from_pairs(
                "POST",
                "/",
                "",
                pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            );
            let found = SigningHeaders::new(&head);
            for (i, name) in KNOWN.iter().enumerate() {
                prop_assert_eq!(found.value(i), head.header(name));
            }
            let mut names: Vec<&str> = KNOWN.to_vec();
            names.extend(pairs.iter().map(|(n, _)| n.as_str()));
            names.push("x-other");
            for name in names {
                let lower = name.to_ascii_lowercase();
                let want: Vec<&HeaderValue> = all(&head, &lower).collect();
                let got: Vec<&HeaderValue> = found.all(&lower).collect();
                prop_assert_eq!(got, want, "{}", lower);
            }
        }
    }

    #[test]
    fn known_and_other_names_find_every_value() {
        let head = RequestHead::from_pairs(
            "POST",
            "/",
            "",
            [
                ("host", "h"),
                ("x-amz-date", "d"),
                ("x-custom", "a"),
                ("x-custom", "b"),
            ],
        );
        assert_eq!(value(&head, &X_AMZ_DATE), Some("d"));
        assert_eq!(value(&head, &X_AMZ_TARGET), None);
        let got = |n: &str| {
            all(&head, n)
                .map(|v| v.to_str().unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(got("host"), ["h"]);
        assert_eq!(got("x-custom"), ["a", "b"]);
        assert!(got("x-amz-target").is_empty());
        assert!(got("not a header name").is_empty());
    }
}
