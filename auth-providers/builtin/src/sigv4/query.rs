//! The query string as SigV4 reads it: `&`-separated pairs, each split at its first `=` (a
//! pair without one has an empty value), percent-decoded (`+` stays `+`: SigV4 signers encode
//! spaces as `%20`).

/// The decoded `(name, value)` pairs of a raw query string, in order; empty pairs are skipped.
pub fn pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// Percent-decodes `s`; malformed escapes are kept as they are. Invalid UTF-8 after decoding
/// becomes U+FFFD, which can only make a signature fail, never pass.
pub fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// SigV4's URI encoding: every byte but `A-Z a-z 0-9 - _ . ~` as `%XX` (upper-case hex);
/// `/` too unless `keep_slash`.
pub fn encode(s: &str, keep_slash: bool, out: &mut String) {
    for &c in s.as_bytes() {
        if c.is_ascii_alphanumeric()
            || matches!(c, b'-' | b'_' | b'.' | b'~')
            || (keep_slash && c == b'/')
        {
            out.push(char::from(c));
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[usize::from(c >> 4)]));
            out.push(char::from(b"0123456789ABCDEF"[usize::from(c & 15)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_pairs() {
        assert_eq!(
            pairs("a=1&b&&%E1%88%B4=x%2Fy&c=%zz+"),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), String::new()),
                ("\u{1234}".into(), "x/y".into()),
                ("c".into(), "%zz+".into())
            ]
        );
        assert_eq!(decode("%4"), "%4");
        assert_eq!(decode("%41"), "A");
    }

    #[test]
    fn encodes_all_but_unreserved() {
        let mut s = String::new();
        encode("a-_.~ /+=\u{1234}", false, &mut s);
        assert_eq!(s, "a-_.~%20%2F%2B%3D%E1%88%B4");
        let mut p = String::new();
        encode("/a b/", true, &mut p);
        assert_eq!(p, "/a%20b/");
    }
}
