//! `X-Amz-Target`: which API and operation a request names.

use extenddb_core::ApiError;

/// Target prefix of DynamoDB's API.
pub const DYNAMODB_PREFIX: &str = "DynamoDB_20120810";
/// Target prefix of the DynamoDB Streams API.
pub const STREAMS_PREFIX: &str = "DynamoDBStreams_20120810";

/// The API and operation named by a request's `X-Amz-Target`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    /// `DynamoDB_20120810.<Op>`.
    DynamoDb(&'a str),
    /// `DynamoDBStreams_20120810.<Op>`.
    Streams(&'a str),
}

impl<'a> Target<'a> {
    /// Parses the header's value; a missing or malformed target is UnknownOperationException,
    /// which DynamoDB answers without a message.
    pub fn parse(value: Option<&'a [u8]>) -> Result<Target<'a>, ApiError> {
        let unknown = ApiError::unknown_operation;
        let value = value
            .and_then(|v| std::str::from_utf8(v).ok())
            .ok_or_else(unknown)?;
        let (api, op) = value.split_once('.').ok_or_else(unknown)?;
        if op.is_empty() {
            return Err(unknown());
        }
        match api {
            DYNAMODB_PREFIX => Ok(Target::DynamoDb(op)),
            STREAMS_PREFIX => Ok(Target::Streams(op)),
            _ => Err(unknown()),
        }
    }

    /// The operation name.
    pub fn operation(&self) -> &'a str {
        match self {
            Target::DynamoDb(op) | Target::Streams(op) => op,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_apis() {
        assert_eq!(
            Target::parse(Some(b"DynamoDB_20120810.ListTables")).unwrap(),
            Target::DynamoDb("ListTables")
        );
        assert_eq!(
            Target::parse(Some(b"DynamoDBStreams_20120810.GetRecords")).unwrap(),
            Target::Streams("GetRecords")
        );
        assert_eq!(
            Target::parse(Some(b"DynamoDB_20120810.PutItem"))
                .unwrap()
                .operation(),
            "PutItem"
        );
    }

    #[test]
    fn anything_else_is_unknown_operation() {
        let bad: [Option<&[u8]>; 6] = [
            None,
            Some(b""),
            Some(b"whatever"),
            Some(b"DynamoDB_20120810."),
            Some(b"DynamoDB_20111205.ListTables"),
            Some(b"DynamoDB_20120810\xff.ListTables"),
        ];
        for v in bad {
            assert_eq!(Target::parse(v).unwrap_err(), ApiError::unknown_operation());
        }
    }
}
