//! One table of stable error codes, and how they reach the user: a JSON body
//! `{"error": {"code", "message", "details"}}` for the API, an error page in
//! the same layout for HTML routes. 5xx bodies are generic; the cause goes to
//! the log only.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde_json::Value;

use crate::db::DbError;

/// The table of error codes: each is one line — its variant, the key the
/// API answers with, its HTTP status — and its messages are the
/// `error-msg-<key>` entries of `locales/*/main.ftl` (in the spirit of
/// Meilisearch's `make_error_codes!`).
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident => $key:literal, $status:ident;)+) => {
        /// Every error the portal answers with. Serialised as its key
        /// (`not_found`, …), which is how the API document lists them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)+
        }

        impl ErrorCode {
            /// Every code, for the table test and the API document.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            /// The stable machine-readable code.
            pub fn key(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $key,)+
                }
            }

            /// The HTTP status.
            pub fn status(self) -> StatusCode {
                match self {
                    $(ErrorCode::$variant => StatusCode::$status,)+
                }
            }
        }
    };
}

error_codes! {
    /// The address or record does not exist.
    NotFound => "not_found", NOT_FOUND;
    /// A license number that cannot be one.
    InvalidLicenseNo => "invalid_license_no", BAD_REQUEST;
    /// Some other malformed input.
    BadRequest => "bad_request", BAD_REQUEST;
    /// No or a wrong token.
    Unauthorized => "unauthorized", UNAUTHORIZED;
    /// A token without the needed scope.
    Forbidden => "forbidden", FORBIDDEN;
    /// The address exists but not for this method (`GET` where only
    /// `POST` files).
    MethodNotAllowed => "method_not_allowed", METHOD_NOT_ALLOWED;
    /// The body is over the limit.
    PayloadTooLarge => "payload_too_large", PAYLOAD_TOO_LARGE;
    /// The content type is not accepted here.
    UnsupportedMediaType => "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE;
    /// The work asked for is already under way (a rebuild of the search
    /// index, say).
    Conflict => "conflict", CONFLICT;
    /// Too many requests from one address.
    RateLimited => "rate_limited", TOO_MANY_REQUESTS;
    /// An import batch with row problems: nothing was written.
    ImportRejected => "import_rejected", UNPROCESSABLE_ENTITY;
    /// Something failed on our side.
    Internal => "internal", INTERNAL_SERVER_ERROR;
    /// A dependency (database, search) is unavailable.
    Unavailable => "unavailable", SERVICE_UNAVAILABLE;
}

impl ErrorCode {
    /// The Fluent id of the default message (`locales/*/main.ftl`).
    pub fn message_id(self) -> String {
        format!("error-msg-{}", self.key().replace('_', "-"))
    }

    /// The default message in `lang`.
    pub fn message_in(self, lang: super::lang::Lang) -> String {
        super::lang::tr_in(lang, &self.message_id(), None)
    }

    /// The default message in the request's language (Chinese outside a
    /// request).
    pub fn message_here(self) -> String {
        self.message_in(super::lang::current())
    }

    /// The default message, in Chinese (the Fluent text; there is no
    /// other copy).
    pub fn message(self) -> String {
        self.message_in(super::lang::Lang::Zh)
    }
}

/// The body of every error answer of the JSON API.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody<'a> {
    /// What went wrong.
    pub error: ErrorDetail<'a>,
}

/// What went wrong, for a program and for a person.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail<'a> {
    /// The stable code; programs branch on this.
    pub code: ErrorCode,
    /// A sentence for the user, in the request's language (Chinese unless
    /// `?lang=en`, the `lang` cookie or `Accept-Language` asks for English).
    pub message: &'a str,
    /// Machine-readable details, e.g. the field at fault; `null` when none.
    pub details: &'a Value,
}

/// How an error is shown: as JSON or as a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `{"error": …}`.
    Json,
    /// An HTML page in the site layout.
    Html,
}

/// An error on its way to the user.
#[derive(Debug)]
pub struct AppError {
    /// The code.
    pub code: ErrorCode,
    /// The message shown (for 5xx always the generic one).
    pub message: String,
    /// Machine-readable details, e.g. the field at fault.
    pub details: Value,
    /// JSON or HTML.
    pub format: Format,
    /// The cause, for the log only.
    pub cause: Option<String>,
    /// The `WWW-Authenticate` challenge of a 401 (RFC 9110 §11.6.1): how
    /// to authenticate.
    pub challenge: Option<&'static str>,
}

impl AppError {
    /// An error with the code's default message.
    pub fn new(code: ErrorCode) -> Self {
        Self {
            challenge: None,
            code,
            message: code.message(),
            details: Value::Null,
            format: Format::Json,
            cause: None,
        }
    }

    /// Replaces the message (ignored for 5xx).
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    /// Adds details.
    pub fn details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    /// Adds the `WWW-Authenticate` challenge of a 401.
    pub fn challenge(mut self, challenge: &'static str) -> Self {
        self.challenge = Some(challenge);
        self
    }

    /// Shows the error as an HTML page.
    pub fn html(mut self) -> Self {
        self.format = Format::Html;
        self
    }

    /// A 500 whose cause is logged and never shown.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let mut e = Self::new(ErrorCode::Internal);
        e.cause = Some(cause.to_string());
        e
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.key(), self.message)
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Pool(_) | DbError::Connection(_) => {
                let mut err = AppError::new(ErrorCode::Unavailable);
                err.cause = Some(e.to_string());
                err
            }
            // PostgreSQL refuses text holding U+0000 ("invalid byte
            // sequence for encoding \"UTF8\": 0x00"), where SQLite stores
            // it: the request is what is wrong, whichever field carried it.
            DbError::Query(diesel::result::Error::DatabaseError(_, ref info))
                if info.message().contains("0x00") =>
            {
                AppError::new(ErrorCode::BadRequest).message(super::lang::tr("error-nul-character"))
            }
            other => AppError::internal(other),
        }
    }
}

impl From<crate::search::SearchError> for AppError {
    /// A search that neither the engine nor its database fallback could
    /// answer: 503 with the sentence residents read, the cause logged.
    fn from(e: crate::search::SearchError) -> Self {
        tracing::error!(error = %e, "search failed");
        let mut err =
            AppError::new(ErrorCode::Unavailable).message(super::lang::tr("search-unavailable"));
        err.cause = Some(e.to_string());
        err
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::internal(e)
    }
}

/// An error and its sources, `outer: inner: …`.
pub(crate) fn cause_chain(e: &dyn std::error::Error) -> String {
    let mut cause = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        cause.push_str(": ");
        cause.push_str(&s.to_string());
        source = s.source();
    }
    cause
}

impl From<tera::Error> for AppError {
    fn from(e: tera::Error) -> Self {
        // Tera's own Display hides the cause chain, which is what the log needs.
        AppError::internal(cause_chain(&e)).html()
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.code.status();
        if let (true, Some(cause)) = (status.is_server_error(), &self.cause) {
            tracing::error!(code = self.code.key(), cause = %cause, "request failed");
        }
        // The default message follows the request's language (Chinese
        // unless asked otherwise); a handler's own message is already in it.
        let message = if status.is_server_error() || self.message == self.code.message() {
            self.code.message_here()
        } else {
            self.message.clone()
        };
        let message = message.as_str();
        let mut resp = match self.format {
            Format::Json => HttpResponse::build(status).json(ErrorBody {
                error: ErrorDetail {
                    code: self.code,
                    message,
                    details: &self.details,
                },
            }),
            Format::Html => HttpResponse::build(status)
                .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
                .body(super::templates::error_page(
                    status,
                    self.code.key(),
                    message,
                )),
        };
        resp.headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(challenge) = self.challenge {
            resp.headers_mut().insert(
                actix_web::http::header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_distinct_key_a_status_and_a_message() {
        let mut keys: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.key()).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), ErrorCode::ALL.len());
        for c in ErrorCode::ALL {
            assert!(c.status().is_client_error() || c.status().is_server_error());
            assert!(!c.message().is_empty());
        }
    }

    #[test]
    fn the_serialised_code_is_the_key() {
        for c in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.key());
        }
    }

    #[test]
    fn every_default_message_is_in_both_languages_and_chinese_is_unchanged() {
        use crate::web::lang::Lang;
        for c in ErrorCode::ALL {
            assert_eq!(c.message_in(Lang::Zh), c.message(), "{}", c.key());
            let en = c.message_in(Lang::En);
            assert!(en.is_ascii() && en != c.message_id(), "{}: {en}", c.key());
        }
    }

    #[test]
    fn a_server_error_hides_its_cause() {
        let resp = AppError::internal("password=hunter2 at db.rs:12").error_response();
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let bytes = actix_web::rt::System::new()
            .block_on(actix_web::body::to_bytes(resp.into_body()))
            .unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("\"code\":\"internal\""), "{text}");
    }
}
