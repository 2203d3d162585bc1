//! Splitting the text of a SigV4 `Authorization` header, shared by the auth providers that
//! read one (`none` checks its shape, `builtin` verifies it): the parameters are cut at commas
//! and ASCII whitespace byte by byte — every separator is ASCII, so each cut is a character
//! boundary, and no character is decoded on a request's hot path.
//!
//! Hand-written rather than `str::split`: a header's words and a credential's elements are a
//! few bytes to a few dozen long, where `split`'s searcher (set up for long haystacks) costs
//! several times the bytes it looks at. A word's end is found eight bytes at a time (no
//! separator is above `,`, so a chunk of bytes all above it holds none).

/// Whether `b` separates the header's words: a comma or ASCII whitespace.
pub fn is_separator(b: u8) -> bool {
    b == b',' || b.is_ascii_whitespace()
}

/// `auth` cut at its first separator: the algorithm and the parameters after it (empty when
/// there is no separator).
pub fn algorithm_and_params(auth: &str) -> (&str, &str) {
    match auth.bytes().position(is_separator) {
        Some(at) => (&auth[..at], &auth[at + 1..]),
        None => (auth, ""),
    }
}

/// Whether some byte of `chunk` is below `,` (0x2C + 1), i.e. could be a separator: the
/// "has a byte less than n" word trick, exact for n ≤ 128 (a byte ≥ 0x80 never counts).
fn may_hold_separator(chunk: [u8; 8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let x = u64::from_ne_bytes(chunk);
    x.wrapping_sub(ONES * u64::from(b',' + 1)) & !x & HIGHS != 0
}

/// The index of the first separator in `bytes` at or after `i`, or `bytes.len()`.
fn word_end(bytes: &[u8], mut i: usize) -> usize {
    loop {
        while let Some(chunk) = bytes
            .get(i..i + 8)
            .and_then(|c| <[u8; 8]>::try_from(c).ok())
        {
            if may_hold_separator(chunk) {
                break;
            }
            i += 8;
        }
        // Byte by byte through the chunk that may hold one (or the tail).
        let stop = bytes.len().min(i + 8);
        while i < stop {
            if is_separator(bytes[i]) {
                return i;
            }
            i += 1;
        }
        if i == bytes.len() {
            return i;
        }
    }
}

/// The non-empty runs of `s` between separators, in order.
pub fn words(s: &str) -> impl Iterator<Item = &str> {
    let bytes = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && is_separator(bytes[i]) {
            i += 1;
        }
        let start = i;
        i = word_end(bytes, i);
        (start < i).then(|| s.get(start..i)).flatten()
    })
}

/// `s` cut at every `sep` (an ASCII byte), as `s.split(char::from(sep))` cuts it.
pub fn split_ascii(s: &str, sep: u8) -> impl Iterator<Item = &str> {
    let bytes = s.as_bytes();
    let mut start = Some(0);
    std::iter::from_fn(move || {
        let from = start?;
        let rest = bytes.get(from..).unwrap_or_default();
        match rest.iter().position(|&b| b == sep) {
            Some(at) => {
                start = Some(from + at + 1);
                s.get(from..from + at)
            }
            None => {
                start = None;
                s.get(from..)
            }
        }
    })
}

/// The five `/`-separated elements of a credential (key id, date, region, service,
/// terminator; a trailing `/` ignored); `None` when there are more or fewer.
pub fn credential_scope(credential: &str) -> Option<[&str; 5]> {
    let bytes = credential.as_bytes();
    let end = bytes
        .iter()
        .rposition(|&b| b != b'/')
        .map_or(0, |at| at + 1);
    // Where the four inner slashes are; a fifth means too many elements.
    let mut cuts = [0; 4];
    let mut found = 0;
    for (at, &b) in bytes[..end].iter().enumerate() {
        if b == b'/' {
            *cuts.get_mut(found)? = at;
            found += 1;
        }
    }
    if found != 4 {
        return None;
    }
    let [a, b, c, d] = cuts;
    Some([
        credential.get(..a)?,
        credential.get(a + 1..b)?,
        credential.get(b + 1..c)?,
        credential.get(c + 1..d)?,
        credential.get(d + 1..end)?,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_like_a_char_splitter() {
        let by_char = |s: &str| -> Vec<String> {
            s.split(|c: char| c == ',' || c.is_ascii_whitespace())
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect()
        };
        for s in [
            "",
            ",",
            "  a=1,b=2 , c=3\t\nd",
            "Credential=AKID/20240102/eu-west-1/dynamodb/aws4_request, SignedHeaders=host, Signature=ab",
            "caf\u{e9}=1,\u{3000}x=\u{e9}",
            "a,,b  c,",
        ] {
            assert_eq!(words(s).collect::<Vec<_>>(), by_char(s), "{s:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn words_and_fields_split_like_str_split(
            s in "([a-zA-Z0-9=/;,!-+.~ \t\n\r\u{b}\u{c}]|\u{e9}|\u{3000}){0,80}",
        ) {
            let by_char: Vec<&str> = s
                .split(|c: char| c == ',' || c.is_ascii_whitespace())
                .filter(|p| !p.is_empty())
                .collect();
            proptest::prop_assert_eq!(words(&s).collect::<Vec<_>>(), by_char);
            for sep in [b'/', b';', b','] {
                proptest::prop_assert_eq!(
                    split_ascii(&s, sep).collect::<Vec<_>>(),
                    s.split(char::from(sep)).collect::<Vec<_>>()
                );
            }
            let mut it = s.trim_end_matches('/').split('/');
            let old = (|| {
                let parts = [it.next()?, it.next()?, it.next()?, it.next()?, it.next()?];
                it.next().is_none().then_some(parts)
            })();
            proptest::prop_assert_eq!(credential_scope(&s), old);
        }
    }

    #[test]
    fn chunks_with_low_bytes_are_searched_byte_by_byte() {
        // Every byte at or below `,` makes a chunk suspect; only the separators among them cut.
        for b in 0u8..=0x7f {
            let mut s = String::from("abcdefghijklmnop");
            s.insert(5, char::from(b));
            let want: Vec<&str> = s
                .split(|c: char| c == ',' || c.is_ascii_whitespace())
                .filter(|p| !p.is_empty())
                .collect();
            assert_eq!(words(&s).collect::<Vec<_>>(), want, "byte {b:#x}");
            assert_eq!(may_hold_separator([b; 8]), b <= b',', "byte {b:#x}");
        }
        assert!(!may_hold_separator([0xff; 8]));
        assert!(may_hold_separator([
            0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, b' '
        ]));
    }

    #[test]
    fn algorithm_is_cut_at_the_first_separator() {
        assert_eq!(
            algorithm_and_params("AWS4-HMAC-SHA256\tCredential=a, X=b"),
            ("AWS4-HMAC-SHA256", "Credential=a, X=b")
        );
        assert_eq!(algorithm_and_params("AWS4-X"), ("AWS4-X", ""));
    }

    #[test]
    fn a_credential_has_exactly_five_elements() {
        assert_eq!(
            credential_scope("K/20240102/us-east-1/dynamodb/aws4_request/"),
            Some(["K", "20240102", "us-east-1", "dynamodb", "aws4_request"])
        );
        assert_eq!(
            credential_scope("K/x/20240102/us-east-1/dynamodb/aws4_request"),
            None
        );
        assert_eq!(credential_scope("K/20240102/us-east-1/dynamodb"), None);
    }
}
