//! Admin endpoints under `/_emulator/` for tests in other processes: counters, recorded
//! requests with secrets redacted, fault injection, reset and health.

use std::fmt;

use hyper::body::Incoming;
use hyper::header::{ALLOW, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use tracing::{debug, info};

use crate::faults::{Fault, FaultRule};
use crate::responses::{self, ResponseBody};
use crate::routes::{MAX_BODY_BYTES, read_body};
use crate::state::{RecordedRequest, Shared};

/// Text that replaces the value of `secret` in bodies shown by `GET /_emulator/requests`.
pub const REDACTED: &str = "<redacted>";

/// Serves `/_emulator/{route}`.
pub(crate) async fn handle(
    shared: &Shared,
    route: &str,
    request: Request<Incoming>,
) -> Response<ResponseBody> {
    let method = request.method().clone();
    debug!(%method, route, "admin request");
    match (route, method) {
        ("health", Method::GET) => responses::json(StatusCode::OK, &serde_json::json!({ "status": "ok" })),
        ("stats", Method::GET) => responses::json(StatusCode::OK, &shared.lock().stats),
        ("requests", Method::GET) => {
            let mutable = shared.lock();
            let redacted: Vec<ShownRequest> = mutable.requests.iter().map(ShownRequest::from).collect();
            responses::json(StatusCode::OK, &redacted)
        }
        ("faults", Method::GET) => {
            let queued: Vec<QueuedFault> = shared
                .lock()
                .faults
                .entries()
                .map(|(fault, count)| QueuedFault {
                    fault: fault.clone(),
                    count,
                })
                .collect();
            responses::json(StatusCode::OK, &queued)
        }
        ("faults", Method::POST) => queue_faults(shared, request).await,
        ("reset", Method::POST) => {
            shared.reset();
            info!("counters, recorded requests and faults reset");
            responses::json(StatusCode::OK, &serde_json::json!({ "reset": true }))
        }
        ("health" | "stats" | "requests", method) => method_not_allowed(route, method, "GET"),
        ("faults", method) => method_not_allowed(route, method, "GET, POST"),
        ("reset", method) => method_not_allowed(route, method, "POST"),
        _ => responses::error(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!(
                "no admin route /_emulator/{route}; routes are health, stats, requests, faults and reset"
            ),
            None,
        ),
    }
}

async fn queue_faults(shared: &Shared, request: Request<Incoming>) -> Response<ResponseBody> {
    let (parts, body) = request.into_parts();
    let body = match read_body(&parts.headers, body).await {
        Ok(body) if body.too_large => {
            return responses::error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                &format!("request body exceeds the limit of {MAX_BODY_BYTES} bytes"),
                None,
            );
        }
        Ok(body) => body,
        Err(error) => {
            debug!(%error, "failed to read the fault request body");
            return responses::error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "failed to read the request body",
                None,
            );
        }
    };
    let text = String::from_utf8_lossy(&body.bytes);
    let rules = match FaultRule::parse_many(&text) {
        Ok(rules) => rules,
        Err(message) => {
            return responses::error(StatusCode::BAD_REQUEST, "invalid_fault", &message, None);
        }
    };

    let mut mutable = shared.lock();
    for rule in &rules {
        info!(fault = %rule.fault, count = rule.count, "fault queued");
        mutable.faults.push(rule.fault.clone(), rule.count);
    }
    let pending = mutable.faults.pending();
    drop(mutable);
    responses::json(
        StatusCode::OK,
        &serde_json::json!({ "queued": rules.len(), "pending_requests": pending }),
    )
}

fn method_not_allowed(route: &str, method: Method, allowed: &'static str) -> Response<ResponseBody> {
    let mut response = responses::error(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        &format!("method {method} is not allowed on /_emulator/{route}; use {allowed}"),
        None,
    );
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allowed));
    response
}

/// A queued fault as listed by `GET /_emulator/faults`.
#[derive(Serialize)]
struct QueuedFault {
    #[serde(flatten)]
    fault: Fault,
    count: u32,
}

/// A recorded request as shown by `GET /_emulator/requests`, with the secret redacted.
#[derive(Serialize)]
struct ShownRequest<'a> {
    method: &'a str,
    path: &'a str,
    headers: &'a std::collections::BTreeMap<String, String>,
    body: String,
    secret_ok: bool,
}

impl<'a> From<&'a RecordedRequest> for ShownRequest<'a> {
    fn from(request: &'a RecordedRequest) -> ShownRequest<'a> {
        ShownRequest {
            method: &request.method,
            path: &request.path,
            headers: &request.headers,
            body: redact_secret(&request.body),
            secret_ok: request.secret_ok,
        }
    }
}

/// Returns `body` with the value of every top-level `secret` member replaced by
/// `"<redacted>"`, leaving all other bytes as sent so that tests can check the exact JSON.
///
/// A body that is not a JSON object is replaced by a note giving its length, because a
/// secret in it cannot be found reliably. An empty body stays empty.
pub(crate) fn redact_secret(body: &str) -> String {
    if body.is_empty() {
        return String::new();
    }
    let hidden = || {
        format!(
            "<{} bytes hidden: the body is not a JSON object, so a secret in it cannot be redacted>",
            body.len()
        )
    };
    let Ok(members) = serde_json::from_str::<RawMembers<'_>>(body) else {
        return hidden();
    };

    let body_range = body.as_bytes().as_ptr_range();
    let mut secret_spans = Vec::new();
    for (name, value) in members.0 {
        if name != "secret" {
            continue;
        }
        // The raw value borrows from `body`, so its address gives its position.
        let text = value.get();
        let start = text.as_ptr() as usize;
        let end = start + text.len();
        if start < body_range.start as usize || end > body_range.end as usize {
            return hidden();
        }
        let offset = start - body_range.start as usize;
        secret_spans.push(offset..offset + text.len());
    }

    secret_spans.sort_by_key(|span| span.start);
    let mut redacted = String::with_capacity(body.len());
    let mut copied_to = 0;
    for span in secret_spans {
        redacted.push_str(&body[copied_to..span.start]);
        redacted.push('"');
        redacted.push_str(REDACTED);
        redacted.push('"');
        copied_to = span.end;
    }
    redacted.push_str(&body[copied_to..]);
    redacted
}

/// The top-level members of a JSON object in document order, duplicates included, with
/// each value as the raw text it was sent as.
struct RawMembers<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for RawMembers<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RawMembers<'de>, D::Error> {
        struct MembersVisitor;

        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = RawMembers<'de>;

            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawMembers<'de>, A::Error> {
                let mut members = Vec::new();
                while let Some((name, value)) = map.next_entry::<String, &'de RawValue>()? {
                    members.push((name, value));
                }
                Ok(RawMembers(members))
            }
        }

        deserializer.deserialize_map(MembersVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_secret_keeps_other_bytes() {
        let body = r#"{"id":"sa_1", "secret" : "hunter2=","test-mode":false}"#;
        assert_eq!(
            redact_secret(body),
            r#"{"id":"sa_1", "secret" : "<redacted>","test-mode":false}"#
        );
    }

    #[test]
    fn redact_secret_handles_duplicates_escapes_and_non_strings() {
        let body = r#"{"secret":"a","secr\u0065t":{"x":"b"},"secret":7}"#;
        let redacted = redact_secret(body);
        assert_eq!(
            redacted,
            r#"{"secret":"<redacted>","secr\u0065t":"<redacted>","secret":"<redacted>"}"#
        );
    }

    #[test]
    fn redact_secret_hides_non_objects() {
        for body in [r#"{"secret":"hunter2""#, r#"["hunter2"]"#, "secret=hunter2"] {
            let redacted = redact_secret(body);
            assert!(!redacted.contains("hunter2"), "{body}: {redacted}");
            assert!(redacted.contains("bytes hidden"), "{body}: {redacted}");
        }
        assert_eq!(redact_secret(""), "");
    }
}
