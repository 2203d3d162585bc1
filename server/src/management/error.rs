//! `MgmtError`: every failure of a management request, answered as an `api::ErrorBody` with
//! its HTTP status. Bad input is always a 4xx; only a failing store is a 500 (its detail goes
//! to the log, not to the client). Codes follow IAM's where IAM has one.

use super::api::ErrorBody;
use axum::response::{IntoResponse, Response};
use extenddb_core::traits::{CatalogError, IamError};
use http::{header, HeaderValue, StatusCode};

/// A management request's failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MgmtError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The error code.
    pub code: &'static str,
    /// The message.
    pub message: String,
    /// Seconds to wait (429 answers).
    pub retry_after: Option<u64>,
}

impl MgmtError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> MgmtError {
        MgmtError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 400 ValidationError: a parameter is malformed.
    pub fn validation(message: impl Into<String>) -> MgmtError {
        MgmtError::new(StatusCode::BAD_REQUEST, "ValidationError", message)
    }

    /// 400 MalformedPolicyDocument.
    pub fn malformed_policy(message: impl Into<String>) -> MgmtError {
        MgmtError::new(StatusCode::BAD_REQUEST, "MalformedPolicyDocument", message)
    }

    /// 400 InvalidRequestBody: the body is not the JSON the route takes.
    pub fn bad_body(message: impl Into<String>) -> MgmtError {
        MgmtError::new(StatusCode::BAD_REQUEST, "InvalidRequestBody", message)
    }

    /// 401: no or wrong credentials.
    pub fn unauthenticated(message: impl Into<String>) -> MgmtError {
        MgmtError::new(StatusCode::UNAUTHORIZED, "Unauthenticated", message)
    }

    /// 403 AccessDenied.
    pub fn access_denied(message: impl Into<String>) -> MgmtError {
        MgmtError::new(StatusCode::FORBIDDEN, "AccessDenied", message)
    }

    /// 403 with another code (a refusal by a setting).
    pub fn forbidden(code: &'static str, message: impl Into<String>) -> MgmtError {
        MgmtError::new(StatusCode::FORBIDDEN, code, message)
    }

    /// 404 NoSuchEntity.
    pub fn not_found(message: impl Into<String>) -> MgmtError {
        MgmtError::new(StatusCode::NOT_FOUND, "NoSuchEntity", message)
    }

    /// 404 UnknownRoute: no route has this path.
    pub fn unknown_route(path: &str) -> MgmtError {
        MgmtError::new(
            StatusCode::NOT_FOUND,
            "UnknownRoute",
            format!("No management route {path}; see docs/management.md"),
        )
    }

    /// 405: the path exists, the method does not.
    pub fn method_not_allowed() -> MgmtError {
        MgmtError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "This route does not take this HTTP method; see docs/management.md",
        )
    }

    /// 409 with a code (`EntityAlreadyExists`, `DeleteConflict`).
    pub fn conflict(code: &'static str, message: impl Into<String>) -> MgmtError {
        MgmtError::new(StatusCode::CONFLICT, code, message)
    }

    /// 413: the body is larger than the management API takes.
    pub fn too_large(max: usize) -> MgmtError {
        MgmtError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestTooLarge",
            format!("A management request body may be at most {max} bytes"),
        )
    }

    /// 429: too many failed logins for this principal.
    pub fn too_many_failures(login: &str, retry_after: u64) -> MgmtError {
        let mut e = MgmtError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyFailedLogins",
            format!("Too many failed logins for '{login}'; try again in {retry_after} seconds"),
        );
        e.retry_after = Some(retry_after);
        e
    }

    /// 503: this server has no management API (its auth provider is not `builtin`).
    pub fn disabled() -> MgmtError {
        MgmtError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "ManagementDisabled",
            "The management API needs [auth] provider = \"builtin\"; this server runs without \
             IAM (provider \"none\", e.g. `extenddb dev` without --auth builtin)",
        )
    }

    /// 500: the store failed; `detail` is logged, never answered.
    pub fn internal(detail: impl std::fmt::Display) -> MgmtError {
        tracing::error!(error = %detail, "management request failed inside the server");
        MgmtError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "The server failed to complete the request; see its log",
        )
    }

    /// The JSON body.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code.to_string(),
            message: self.message.clone(),
            status: self.status.as_u16(),
        }
    }
}

/// "user 'x' does not exist" → "User 'x' does not exist".
fn sentence(s: String) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => s,
    }
}

impl From<IamError> for MgmtError {
    fn from(e: IamError) -> Self {
        match e {
            IamError::AlreadyExists(..) => {
                MgmtError::conflict("EntityAlreadyExists", sentence(e.to_string()))
            }
            IamError::NotFound(..) => MgmtError::not_found(sentence(e.to_string())),
            IamError::Invalid(i) => MgmtError::validation(i.0),
            IamError::Store(s) => MgmtError::internal(s),
        }
    }
}

impl From<CatalogError> for MgmtError {
    fn from(e: CatalogError) -> Self {
        MgmtError::internal(e)
    }
}

impl IntoResponse for MgmtError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.body()).unwrap_or_default();
        let mut resp = (self.status, body).into_response();
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            h.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"extenddb management\", charset=\"UTF-8\""),
            );
        }
        if let Some(secs) = self.retry_after {
            h.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use extenddb_core::traits::IamEntity;

    #[test]
    fn store_errors_map_to_statuses() {
        let e: MgmtError = IamError::NotFound(IamEntity::User, "bob".into()).into();
        assert_eq!(e.status, 404);
        assert_eq!(e.code, "NoSuchEntity");
        assert_eq!(e.message, "User 'bob' does not exist");
        let e: MgmtError = IamError::AlreadyExists(IamEntity::Group, "dev".into()).into();
        assert_eq!((e.status.as_u16(), e.code), (409, "EntityAlreadyExists"));
        let e: MgmtError =
            IamError::Invalid(extenddb_core::model::iam::InvalidEntity("bad name".into())).into();
        assert_eq!((e.status.as_u16(), e.code), (400, "ValidationError"));
    }

    #[test]
    fn answers_carry_json_and_the_auth_headers() {
        let r = MgmtError::unauthenticated("no").into_response();
        assert_eq!(r.status(), 401);
        assert_eq!(r.headers()["content-type"], "application/json");
        assert!(r.headers().contains_key("www-authenticate"));
        let r = MgmtError::too_many_failures("admin", 42).into_response();
        assert_eq!(r.status(), 429);
        assert_eq!(r.headers()["retry-after"], "42");
    }
}
