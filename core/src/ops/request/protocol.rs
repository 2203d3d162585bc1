//! Decoding request bodies into operation shapes and encoding answers, with serde failures
//! mapped to DynamoDB's SerializationException / ValidationException.

use crate::error::ApiError;
use crate::model::attribute_value::VALIDATION_MARK;
use crate::ops::request::shapes;
use crate::ops::Operation;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Parses the JSON request body of `op` into `T`, then checks the model's member constraints
/// (`shapes::check`) — what every operation does before its own validation.
pub fn request<T: DeserializeOwned>(op: Operation, body: &[u8]) -> Result<T, ApiError> {
    let req = decode(body)?;
    shapes::check(op, body)?;
    Ok(req)
}

/// `request` for a request type that checks the model's constraints on its decoded members
/// (`shapes::ModelChecked`): the body is walked again only when that cannot show they hold.
pub fn checked_request<T: DeserializeOwned + shapes::ModelChecked>(
    op: Operation,
    body: &[u8],
) -> Result<T, ApiError> {
    let req = decode(body)?;
    shapes::check_decoded(op, &req, body)?;
    Ok(req)
}

/// Parses a JSON request body into `T`.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        let msg = e.to_string();
        match msg.find(VALIDATION_MARK) {
            Some(pos) => {
                let rest = &msg[pos + VALIDATION_MARK.len()..];
                // serde_json appends " at line L column C"; DynamoDB's messages have no such tail.
                let rest = rest.rsplit_once(" at line ").map_or(rest, |(m, _)| m);
                ApiError::Validation(rest.to_string())
            }
            None => ApiError::Serialization(serialization_message(&e)),
        }
    })
}

fn serialization_message(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    let msg = msg
        .rsplit_once(" at line ")
        .map_or(msg.as_str(), |(m, _)| m);
    // Captures of 2013 and 2015 show DynamoDB answering a body that is not JSON with a bare
    // SerializationException; every error here carries a message (issue 24), so this one says
    // what was wrong. Best guess at the wording: DynamoDB's own for this case is not known.
    if e.is_syntax() || e.is_eof() {
        return format!("The request body is not valid JSON: {msg}");
    }
    msg.to_string()
}

/// Serializes an answer.
pub fn encode<T: Serialize>(resp: &T) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(resp).map_err(|e| ApiError::Internal(e.to_string()))
}
