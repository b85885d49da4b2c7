//! Request routing and the `POST /token` endpoint.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::{ALLOW, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, HOST, HeaderValue};
use hyper::http::request::Parts;
use hyper::{Method, Request, Response, StatusCode};
use tracing::{debug, info};

use crate::admin;
use crate::faults::Fault;
use crate::responses::{self, ConnectionKill, JSON, ResponseBody};
use crate::state::{RecordedRequest, Shared};
use crate::token::lifetime_from_nanos;
use crate::token_request;

/// Largest token request body accepted, in bytes. Larger bodies get 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Largest body read and discarded before responding with 413. Reading the rest lets the
/// client finish sending and see the response, because closing a socket with unread
/// data makes the kernel send a reset that can discard the response. Beyond this, hyper
/// closes the connection instead.
const MAX_DRAINED_BYTES: u64 = 1024 * 1024;

/// Routes one request. The error type is `Infallible`, so connections end with an
/// error only on I/O failures or when a fault closes them.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    kill: ConnectionKill,
    request: Request<Incoming>,
) -> Result<Response<ResponseBody>, Infallible> {
    let path = request.uri().path().to_string();
    let response = if path == "/token" {
        serve_token(&shared, &kill, request).await
    } else if let Some(route) = path.strip_prefix("/_emulator/") {
        admin::handle(&shared, route, request).await
    } else {
        debug!(%path, "no route");
        responses::error(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("no route for {path}; the token endpoint is POST /token"),
            None,
        )
    };
    Ok(response)
}

/// A request body read up to [`MAX_BODY_BYTES`].
pub(crate) struct ReceivedBody {
    pub(crate) bytes: Bytes,
    pub(crate) too_large: bool,
}

/// Reads a request body, keeping at most [`MAX_BODY_BYTES`] and discarding the rest up
/// to [`MAX_DRAINED_BYTES`].
pub(crate) async fn read_body(
    headers: &hyper::HeaderMap,
    mut body: Incoming,
) -> Result<ReceivedBody, hyper::Error> {
    let declared_len = headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared_len.is_some_and(|len| len > MAX_DRAINED_BYTES) {
        return Ok(ReceivedBody {
            bytes: Bytes::new(),
            too_large: true,
        });
    }

    let mut retained = BytesMut::new();
    let mut received: u64 = 0;
    let mut too_large = false;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame?.into_data() else {
            continue;
        };
        received += data.len() as u64;
        let room = MAX_BODY_BYTES - retained.len();
        if data.len() > room {
            too_large = true;
        }
        retained.extend_from_slice(&data[..data.len().min(room)]);
        if received > MAX_DRAINED_BYTES {
            break;
        }
    }
    Ok(ReceivedBody {
        bytes: retained.freeze(),
        too_large,
    })
}

async fn serve_token(
    shared: &Shared,
    kill: &ConnectionKill,
    request: Request<Incoming>,
) -> Response<ResponseBody> {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let body = match read_body(&parts.headers, body).await {
        Ok(body) => body,
        Err(error) => {
            info!(%error, "failed to read the token request body");
            return responses::error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "failed to read the request body",
                None,
            );
        }
    };

    let credentials = token_request::credentials(&body.bytes);
    let secret_ok = match (&credentials.id, &credentials.secret) {
        (Some(id), Some(secret)) => shared.check_credentials(id, secret),
        _ => false,
    };
    let key_id = credentials.id;
    let fault = shared.begin_token_request(record(&parts, &body.bytes, secret_ok));

    let mut lifetime = None;
    match fault {
        None => {}
        Some(Fault::Delay(delay)) => {
            info!(
                key_id = key_id.as_deref(),
                ?delay,
                "fault delay: waiting before responding"
            );
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = shared.wait_for_shutdown() => {}
            }
        }
        Some(Fault::Lifetime(forced)) => lifetime = Some(forced),
        Some(fault) => return serve_fault(shared, kill, fault, key_id.as_deref(), started).await,
    }

    let outcome = validate_and_issue(shared, &parts, &body, lifetime);
    shared.count_status(outcome.response.status().as_u16());
    info!(
        key_id = key_id.as_deref(),
        status = outcome.response.status().as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        outcome = outcome.summary,
        "token request"
    );
    outcome.response
}

struct Outcome {
    response: Response<ResponseBody>,
    /// Short description for the log, never containing request data.
    summary: &'static str,
}

/// Validates a token request and issues a token, in the documented order of checks:
/// method, Content-Type, body size, body members, credentials.
fn validate_and_issue(
    shared: &Shared,
    parts: &Parts,
    body: &ReceivedBody,
    lifetime_override: Option<Duration>,
) -> Outcome {
    if parts.method != Method::POST {
        let mut response = responses::error(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            &format!("method {} is not allowed on /token; use POST", parts.method),
            None,
        );
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("POST"));
        return Outcome {
            response,
            summary: "method not allowed",
        };
    }

    if let Err(message) = check_content_type(parts.headers.get(CONTENT_TYPE)) {
        return Outcome {
            response: responses::error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                &message,
                None,
            ),
            summary: "unsupported media type",
        };
    }

    if body.too_large {
        return Outcome {
            response: responses::error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                &format!("request body exceeds the limit of {MAX_BODY_BYTES} bytes"),
                None,
            ),
            summary: "body too large",
        };
    }

    let request = match token_request::parse(&body.bytes) {
        Ok(request) => request,
        Err(invalid) => {
            return Outcome {
                response: responses::error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    &invalid.message,
                    invalid.member,
                ),
                summary: "invalid request body",
            };
        }
    };

    if !shared.check_credentials(&request.id, &request.secret) {
        shared.count_rejection();
        return Outcome {
            response: responses::error(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "unknown service account id or wrong secret",
                None,
            ),
            summary: "invalid credentials",
        };
    }

    let lifetime = lifetime_override
        .or_else(|| lifetime_from_nanos(request.expires_in_nanos))
        .unwrap_or(shared.default_lifetime);
    let claims = shared
        .signer
        .claims_for(&request.id, &request.user_id, request.test_mode, lifetime);
    let token = shared.signer.sign(&claims);
    shared.count_token_issued();

    let mut response = responses::json(
        StatusCode::OK,
        &serde_json::json!({ "token": token, "type": "bearer" }),
    );
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Outcome {
        response,
        summary: "token issued",
    }
}

/// Accepts `application/json` with any parameters, such as `charset=utf-8`, in any case.
fn check_content_type(value: Option<&HeaderValue>) -> Result<(), String> {
    let Some(value) = value else {
        return Err("Content-Type header is missing; send application/json".to_string());
    };
    let text = value.to_str().unwrap_or("");
    let media_type = text.split(';').next().unwrap_or("").trim();
    if media_type.eq_ignore_ascii_case(JSON) {
        Ok(())
    } else {
        Err(format!(
            "Content-Type {text:?} is not supported; send application/json"
        ))
    }
}

/// Applies a fault that replaces the normal response.
async fn serve_fault(
    shared: &Shared,
    kill: &ConnectionKill,
    fault: Fault,
    key_id: Option<&str>,
    started: Instant,
) -> Response<ResponseBody> {
    info!(key_id, fault = fault.kind(), "applying fault");
    let response = match fault {
        Fault::Stall => {
            // Never respond. The connection ends when the client closes it, which makes
            // hyper drop this future, or when the emulator shuts down.
            shared.wait_for_shutdown().await;
            kill.close_connection();
            std::future::pending::<()>().await;
            unreachable!("the connection is dropped while the request is pending")
        }
        Fault::CloseBeforeResponse => {
            kill.close_connection();
            std::future::pending::<()>().await;
            unreachable!("the connection is dropped while the request is pending")
        }
        Fault::CloseMidResponse => {
            let chunk = Bytes::from_static(br#"{"token":"eyJhbGciOiJIUzI1NiIsInR5cCI6"#);
            let body = responses::TruncatedBody::new(chunk, 1024, kill.clone());
            let mut response = Response::new(BodyExt::boxed(body));
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
            response
        }
        Fault::Status {
            status,
            retry_after,
            body,
        } => status_fault_response(status, retry_after.as_deref(), body),
        Fault::MalformedJson => responses::with_body(StatusCode::OK, JSON, r#"{"token": "#),
        Fault::NoToken => responses::with_body(StatusCode::OK, JSON, r#"{"access":"x"}"#),
        Fault::Oversized(bytes) => responses::with_body(StatusCode::OK, JSON, oversized_body(bytes)),
        Fault::Redirect { status, location } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::TEMPORARY_REDIRECT);
            let mut response = Response::new(responses::full_body(Bytes::new()));
            *response.status_mut() = status;
            match HeaderValue::from_str(&location) {
                Ok(value) => {
                    response.headers_mut().insert(hyper::header::LOCATION, value);
                }
                Err(_) => debug!("redirect fault: location is not a valid header value"),
            }
            response
        }
        Fault::Delay(_) | Fault::Lifetime(_) => {
            unreachable!("serve_token applies delay and lifetime faults itself")
        }
    };
    shared.count_status(response.status().as_u16());
    info!(
        key_id,
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "token request served by fault"
    );
    response
}

fn status_fault_response(
    status: u16,
    retry_after: Option<&str>,
    body: Option<String>,
) -> Response<ResponseBody> {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = match body {
        Some(body) if serde_json::from_str::<serde_json::Value>(&body).is_ok() => {
            responses::with_body(status, JSON, body)
        }
        Some(body) => responses::with_body(status, "text/plain; charset=utf-8", body),
        None => responses::error(
            status,
            "injected_fault",
            &format!("injected fault: status {}", status.as_u16()),
            None,
        ),
    };
    if let Some(retry_after) = retry_after {
        match HeaderValue::from_str(retry_after) {
            Ok(value) => {
                response.headers_mut().insert(hyper::header::RETRY_AFTER, value);
            }
            Err(_) => debug!("status fault: retry_after is not a valid header value"),
        }
    }
    response
}

/// Builds `{"token":"xx…x"}` of exactly `bytes` bytes, or the shortest such body when
/// `bytes` is smaller.
fn oversized_body(bytes: usize) -> Vec<u8> {
    const PREFIX: &[u8] = br#"{"token":""#;
    const SUFFIX: &[u8] = br#""}"#;
    let filler = bytes.saturating_sub(PREFIX.len() + SUFFIX.len());
    let mut body = Vec::with_capacity(PREFIX.len() + filler + SUFFIX.len());
    body.extend_from_slice(PREFIX);
    body.resize(PREFIX.len() + filler, b'x');
    body.extend_from_slice(SUFFIX);
    body
}

fn record(parts: &Parts, body: &[u8], secret_ok: bool) -> RecordedRequest {
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        headers
            .entry(name.as_str().to_string())
            .and_modify(|joined| {
                joined.push_str(", ");
                joined.push_str(&value);
            })
            .or_insert(value);
    }
    if !headers.contains_key(HOST.as_str()) {
        if let Some(authority) = parts.uri.authority() {
            headers.insert(HOST.as_str().to_string(), authority.to_string());
        }
    }
    RecordedRequest {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        headers,
        body: String::from_utf8_lossy(body).into_owned(),
        secret_ok,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_accepts_parameters_and_case() {
        for accepted in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON;charset=UTF-8",
            " application/json ",
        ] {
            let value = HeaderValue::from_static(accepted);
            assert!(check_content_type(Some(&value)).is_ok(), "{accepted}");
        }
        for rejected in [
            "text/plain",
            "application/jsonx",
            "application/x-www-form-urlencoded",
            "",
        ] {
            let value = HeaderValue::from_static(rejected);
            assert!(check_content_type(Some(&value)).is_err(), "{rejected}");
        }
        assert!(check_content_type(None).is_err());
    }

    #[test]
    fn oversized_body_has_exact_length() {
        for bytes in [12, 13, 100, 70_000] {
            let body = oversized_body(bytes);
            assert_eq!(body.len(), bytes);
            let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert!(value["token"].is_string());
        }
    }
}
