//! Splitting the text of a SigV4 `Authorization` header, shared by the auth providers that
//! read one (`none` checks its shape, `builtin` verifies it): the parameters are cut at commas
//! and ASCII whitespace byte by byte — every separator is ASCII, so each cut is a character
//! boundary, and no character is decoded on a request's hot path.

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

/// The non-empty runs of `s` between separators, in order.
pub fn words(s: &str) -> impl Iterator<Item = &str> {
    let bytes = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && is_separator(bytes[i]) {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && !is_separator(bytes[i]) {
            i += 1;
        }
        (start < i).then(|| s.get(start..i)).flatten()
    })
}

/// The five `/`-separated elements of a credential (key id, date, region, service,
/// terminator; a trailing `/` ignored); `None` when there are more or fewer.
pub fn credential_scope(credential: &str) -> Option<[&str; 5]> {
    let mut it = credential.trim_end_matches('/').split('/');
    let parts = [it.next()?, it.next()?, it.next()?, it.next()?, it.next()?];
    it.next().is_none().then_some(parts)
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
