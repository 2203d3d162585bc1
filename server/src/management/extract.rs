//! Extractors whose rejections are management errors (JSON, 400) instead of axum's plain-text
//! ones: the JSON body (`Body`), path parameters (`P`) and the query string (`Q`).

use super::error::MgmtError;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use http::request::Parts;
use serde::de::DeserializeOwned;

/// A JSON request body of type `T` (unknown fields refused by `T`).
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = MgmtError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| MgmtError::bad_body("The request body could not be read"))?;
        if bytes.is_empty() {
            return Err(MgmtError::bad_body(
                "This route needs a JSON request body; see docs/management.md",
            ));
        }
        serde_json::from_slice(&bytes)
            .map(Body)
            .map_err(|e| MgmtError::bad_body(format!("Invalid request body: {e}")))
    }
}

/// Path parameters.
pub struct P<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for P<T> {
    type Rejection = MgmtError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(t)| P(t))
            .map_err(|e| MgmtError::validation(format!("Invalid path: {e}")))
    }
}

/// The query string.
pub struct Q<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Q<T> {
    type Rejection = MgmtError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(t)| Q(t))
            .map_err(|e| MgmtError::validation(format!("Invalid query string: {e}")))
    }
}
