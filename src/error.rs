//! One error type for the whole service. Every failure a client can see has a stable
//! snake_case `code`, a human `message` and, when one input is at fault, the `field`:
//! `{"error": {"code", "message", "field"?}}`. Causes of internal failures are logged,
//! never sent. The codes are the `ErrorCode` enum (`code.rs`).

mod body;
mod code;

pub use body::{ErrorBody, ErrorDetail};
pub use code::ErrorCode;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde_json::{Map, Value};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Something the client can fix or needs to know about (4xx).
    #[error("{code}: {message}")]
    Client {
        status: StatusCode,
        code: ErrorCode,
        message: String,
        field: Option<String>,
        /// Extra top-level members of the error body (e.g. a negotiation's final state).
        extra: Option<Map<String, Value>>,
        retry_after_secs: Option<u64>,
    },
    /// A dependency we need is down (database): 503, the client may retry.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A bug or an unexpected failure: 500, cause logged.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// An error answered with its code's status.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError::Client {
            status: code.status(),
            code,
            message: message.into(),
            field: None,
            extra: None,
            retry_after_secs: None,
        }
    }

    /// Keeps a status actix chose for one of its own failures (`ErrorCode::BadRequest`).
    pub fn with_status(mut self, new: StatusCode) -> Self {
        if let AppError::Client { status, .. } = &mut self {
            *status = new;
        }
        self
    }

    pub fn with_field(mut self, name: impl Into<String>) -> Self {
        if let AppError::Client { field, .. } = &mut self {
            *field = Some(name.into());
        }
        self
    }

    pub fn with_extra(mut self, key: &str, value: Value) -> Self {
        debug_assert_ne!(key, "error", "`error` is the body's own member");
        if let AppError::Client { extra, .. } = &mut self {
            extra.get_or_insert_with(Map::new).insert(key.to_string(), value);
        }
        self
    }

    pub fn with_retry_after(mut self, secs: u64) -> Self {
        if let AppError::Client { retry_after_secs, .. } = &mut self {
            *retry_after_secs = Some(secs);
        }
        self
    }

    /// 422: a value is present but unusable, or a required one is missing.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidValue, message).with_field(field)
    }

    pub fn missing(field: &str) -> Self {
        Self::new(ErrorCode::MissingField, format!("The field `{field}` is required.")).with_field(field)
    }

    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        debug_assert_eq!(code.status(), StatusCode::BAD_REQUEST, "{code}");
        Self::new(code, message)
    }

    pub fn not_found(code: ErrorCode, message: impl Into<String>) -> Self {
        debug_assert_eq!(code.status(), StatusCode::NOT_FOUND, "{code}");
        Self::new(code, message)
    }

    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        debug_assert_eq!(code.status(), StatusCode::CONFLICT, "{code}");
        Self::new(code, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthorized, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::Client { code, .. } => *code,
            AppError::Unavailable(_) => ErrorCode::ServiceUnavailable,
            AppError::Internal(_) => ErrorCode::InternalError,
        }
    }

    /// The body the error is answered with.
    pub fn body(&self) -> ErrorBody {
        let (code, message, field, extra) = match self {
            AppError::Client { code, message, field, extra, .. } => {
                (*code, message.clone(), field.clone(), extra.clone().unwrap_or_default())
            }
            AppError::Unavailable(_) => (
                ErrorCode::ServiceUnavailable,
                "The service is temporarily unavailable. Please try again shortly.".into(),
                None,
                Map::new(),
            ),
            AppError::Internal(_) => (
                ErrorCode::InternalError,
                "Something went wrong on our side. The failure has been logged.".into(),
                None,
                Map::new(),
            ),
        };
        ErrorBody { error: ErrorDetail { code, field, message }, extra }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::Client { status, .. } => *status,
            AppError::Unavailable(_) => ErrorCode::ServiceUnavailable.status(),
            AppError::Internal(_) => ErrorCode::InternalError.status(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            AppError::Internal(e) => log::error!("internal error: {e:#}"),
            AppError::Unavailable(e) => log::warn!("unavailable: {e}"),
            AppError::Client { .. } => {}
        }
        let mut resp = HttpResponse::build(self.status_code());
        if let AppError::Client { retry_after_secs: Some(s), .. } = self {
            resp.insert_header((header::RETRY_AFTER, s.to_string()));
        }
        resp.json(self.body())
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match &e {
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand, _) => {
                AppError::Unavailable(e.to_string())
            }
            Error::DatabaseError(DatabaseErrorKind::Unknown, info)
                if info.message().contains("database is locked") || info.message().contains("disk I/O") =>
            {
                AppError::Unavailable(e.to_string())
            }
            _ => AppError::Internal(e.into()),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        AppError::Unavailable(format!("database pool: {e}"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Internal(anyhow::anyhow!("blocking task failed: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn wire(e: &AppError) -> String {
        serde_json::to_string(&e.body()).unwrap()
    }

    #[test]
    fn the_body_leaves_out_a_missing_field_and_puts_extra_members_beside_error() {
        assert_eq!(
            wire(&AppError::new(ErrorCode::NotFound, "No route /x.")),
            r#"{"error":{"code":"not_found","message":"No route /x."}}"#
        );
        let with_all = AppError::invalid("load_id", "Bad.").with_extra("negotiation", json!({"rounds": 3}));
        assert_eq!(
            wire(&with_all),
            r#"{"error":{"code":"invalid_value","field":"load_id","message":"Bad."},"negotiation":{"rounds":3}}"#
        );
    }

    #[test]
    fn an_internal_failure_never_sends_its_cause() {
        let body = wire(&AppError::Internal(anyhow::anyhow!("password=hunter2")));
        assert_eq!(
            body,
            r#"{"error":{"code":"internal_error","message":"Something went wrong on our side. The failure has been logged."}}"#
        );
    }
}
