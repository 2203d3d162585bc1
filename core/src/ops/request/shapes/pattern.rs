//! The regular expressions of DynamoDB's model, each matched by hand (whole-string, Java
//! regex semantics): eleven fixed patterns do not justify a regex engine, and Java's classes
//! (`\p{Print}`, `\uD800` escapes) would need translating for one anyway.

/// A pattern of the model. `devtools/gen-shapes` maps each pattern text to a variant and stops
/// on one it does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// `[a-zA-Z0-9_.-]+` (table and index names).
    TableName,
    /// `([0-9a-f]{16})+`.
    HexBlocks16,
    /// `[,;:|\t ]`.
    CsvDelimiter,
    /// `[0-9]{12}`.
    AccountId,
    /// `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`.
    Uuid,
    /// `[A-Za-z0-9][A-Za-z0-9\-\_\.]{0,126}[A-Za-z0-9]`.
    ReplicaName,
    /// `[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\r\n\t]*`.
    XmlText,
    /// `[\x20-\x21\x23-\x2B\x2D-\x7E]*`.
    CsvHeader,
    /// `\p{Print}+`.
    Printable,
    /// `^[^\$]+$`.
    NoDollar,
    /// `^[a-z0-9A-Z]+[\.\-\w]*[a-z0-9A-Z]+$`.
    S3Bucket,
}

impl Pattern {
    /// The pattern as DynamoDB prints it in "Member must satisfy regular expression pattern: …".
    pub fn text(self) -> &'static str {
        match self {
            Pattern::TableName => "[a-zA-Z0-9_.-]+",
            Pattern::HexBlocks16 => "([0-9a-f]{16})+",
            Pattern::CsvDelimiter => "[,;:|\\t ]",
            Pattern::AccountId => "[0-9]{12}",
            Pattern::Uuid => "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            Pattern::ReplicaName => "[A-Za-z0-9][A-Za-z0-9\\-\\_\\.]{0,126}[A-Za-z0-9]",
            Pattern::XmlText => {
                "[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\r\\n\\t]*"
            }
            Pattern::CsvHeader => "[\\x20-\\x21\\x23-\\x2B\\x2D-\\x7E]*",
            Pattern::Printable => "\\p{Print}+",
            Pattern::NoDollar => "^[^\\$]+$",
            Pattern::S3Bucket => "^[a-z0-9A-Z]+[\\.\\-\\w]*[a-z0-9A-Z]+$",
        }
    }

    /// Whether the whole of `s` matches.
    pub fn matches(self, s: &str) -> bool {
        let b = s.as_bytes();
        let lower_hex = |c: &u8| c.is_ascii_digit() || (b'a'..=b'f').contains(c);
        match self {
            Pattern::TableName => {
                !b.is_empty()
                    && b.iter()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
            }
            Pattern::HexBlocks16 => {
                !b.is_empty() && b.len().is_multiple_of(16) && b.iter().all(lower_hex)
            }
            Pattern::CsvDelimiter => matches!(b, [b',' | b';' | b':' | b'|' | b'\t' | b' ']),
            Pattern::AccountId => b.len() == 12 && b.iter().all(u8::is_ascii_digit),
            Pattern::Uuid => {
                b.len() == 36
                    && b.iter().enumerate().all(|(i, c)| match i {
                        8 | 13 | 18 | 23 => *c == b'-',
                        _ => lower_hex(c),
                    })
            }
            Pattern::ReplicaName => {
                let edge = |c: Option<&u8>| c.is_some_and(u8::is_ascii_alphanumeric);
                (2..=128).contains(&b.len())
                    && edge(b.first())
                    && edge(b.last())
                    && b.iter()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
            }
            // Every Unicode scalar value of the XML character range (surrogate pairs in Java's
            // UTF-16 are the supplementary characters here).
            Pattern::XmlText => s.chars().all(|c| {
                matches!(c, '\r' | '\n' | '\t' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
                    || u32::from(c) >= 0x10000
            }),
            Pattern::CsvHeader => b
                .iter()
                .all(|c| (0x20..=0x7E).contains(c) && !matches!(c, b'"' | b',')),
            // Java's POSIX `\p{Print}` is ASCII 0x20..=0x7E.
            Pattern::Printable => !b.is_empty() && b.iter().all(|c| (0x20..=0x7E).contains(c)),
            Pattern::NoDollar => !b.is_empty() && !b.contains(&b'$'),
            Pattern::S3Bucket => {
                let edge = |c: Option<&u8>| c.is_some_and(u8::is_ascii_alphanumeric);
                b.len() >= 2
                    && edge(b.first())
                    && edge(b.last())
                    && b.iter()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Pattern as P;

    #[test]
    fn each_pattern_accepts_and_refuses() {
        let cases: &[(P, &[&str], &[&str])] = &[
            (P::TableName, &["abc", "A-b.c_1"], &["", "a b", "a;", "é"]),
            (
                P::HexBlocks16,
                &["0123456789abcdef", &"a".repeat(32)],
                &["", "0123456789ABCDEF", "abc"],
            ),
            (P::CsvDelimiter, &[",", "\t", " "], &["", ",,", "x"]),
            (
                P::AccountId,
                &["123456789012"],
                &["12345678901", "12345678901a"],
            ),
            (
                P::Uuid,
                &["0123abcd-0123-4567-89ab-0123456789ab"],
                &["0123ABCD-0123-4567-89ab-0123456789ab", "x"],
            ),
            (
                P::ReplicaName,
                &["ab", "a-b.c_d"],
                &["a", "-ab", "ab-", &"a".repeat(129)],
            ),
            (P::XmlText, &["", "a\tb\n", "é😀"], &["\u{1}", "\u{FFFE}"]),
            (P::CsvHeader, &["", "a b"], &["a,b", "\"", "é"]),
            (P::Printable, &["a b~"], &["", "\t", "é"]),
            (P::NoDollar, &["abc"], &["", "a$"]),
            (
                P::S3Bucket,
                &["ab", "my.bucket-1_x"],
                &["a", ".ab", "ab-", "a b"],
            ),
        ];
        for (p, good, bad) in cases {
            for s in *good {
                assert!(p.matches(s), "{p:?} should match {s:?}");
            }
            for s in *bad {
                assert!(!p.matches(s), "{p:?} should not match {s:?}");
            }
        }
    }
}
