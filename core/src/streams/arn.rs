//! Stream ARNs (`arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>`) and stream
//! labels (the creation time, ISO 8601 with milliseconds, as DynamoDB writes them).

use time::OffsetDateTime;

/// The parts of a well-formed stream ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamArn<'a> {
    /// The region.
    pub region: &'a str,
    /// The owning account.
    pub account_id: &'a str,
    /// The table's name.
    pub table: &'a str,
    /// The stream's label.
    pub label: &'a str,
}

/// Parses a stream ARN; `None` unless it has the shape above with a valid table name and a
/// label of DynamoDB's form.
pub fn parse(arn: &str) -> Option<StreamArn<'_>> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_partition), Some("dynamodb"), Some(region), Some(account_id)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let resource = parts.next()?.strip_prefix("table/")?;
    let (table, label) = resource.split_once("/stream/")?;
    let name_ok = (3..=255).contains(&table.len())
        && table
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    (name_ok && is_label(label) && !region.is_empty() && !account_id.is_empty()).then_some(
        StreamArn {
            region,
            account_id,
            table,
            label,
        },
    )
}

/// Whether `label` has the form `YYYY-MM-DDTHH:MM:SS.mmm`.
pub fn is_label(label: &str) -> bool {
    let b = label.as_bytes();
    b.len() == 23
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'.',
            _ => c.is_ascii_digit(),
        })
}

/// The label of a stream created at `epoch` seconds (UTC, milliseconds).
pub fn label(epoch: f64) -> String {
    let nanos = (epoch * 1e9) as i128;
    let t = OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str =
        "arn:aws:dynamodb:us-east-1:123456789012:table/StreamTable/stream/2026-04-08T07:00:00.123";

    #[test]
    fn parses_well_formed_arns() {
        assert_eq!(
            parse(ARN),
            Some(StreamArn {
                region: "us-east-1",
                account_id: "123456789012",
                table: "StreamTable",
                label: "2026-04-08T07:00:00.123",
            })
        );
    }

    #[test]
    fn refuses_malformed_arns() {
        for bad in [
            "sdfadfsdfnlfkajakfgjalksfgklasjklasdjfklasdfasdfgasf",
            "kossaapaaasdafsdaasdasdasdasasdasfadfadfasdasdas",
            "arn:aws:dynamodb:us-east-1:123456789012:table/StreamTable",
            "arn:aws:dynamodb:us-east-1:123456789012:table/StreamTable/stream/yesterday",
            "arn:aws:s3:us-east-1:123456789012:table/StreamTable/stream/2026-04-08T07:00:00.123",
            "arn:aws:dynamodb:us-east-1:123456789012:table/a!b/stream/2026-04-08T07:00:00.123",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn labels_are_iso_with_milliseconds() {
        assert_eq!(label(0.0), "1970-01-01T00:00:00.000");
        assert_eq!(label(1_775_631_600.123_4), "2026-04-08T07:00:00.123");
        assert!(is_label(&label(1_775_631_600.5)));
    }
}
