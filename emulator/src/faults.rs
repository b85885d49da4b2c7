//! Faults that replace or alter the emulator's response to upcoming token requests.

use std::collections::VecDeque;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use hyper::header::HeaderValue;
use serde::{Deserialize, Deserializer, Serialize};

/// Smallest body that [`Fault::Oversized`] can produce: `{"token":""}`.
pub const MIN_OVERSIZED_BYTES: usize = 12;

/// A misbehaviour to apply to one token request (`/token`, any method or body).
///
/// Every fault except [`Fault::Delay`] and [`Fault::Lifetime`] replaces the normal
/// response, so the request is not validated and no token is issued. Faults are also
/// written as JSON objects tagged by `"kind"`; see [`FaultRule`] for the JSON form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "FaultJson", into = "FaultJson")]
pub enum Fault {
    /// Responds with `status` (200 to 599), an optional `Retry-After` header and an optional
    /// body. The default body is a JSON error object. A given body is sent as JSON when it
    /// parses as JSON and as plain text otherwise.
    Status {
        /// HTTP status code.
        status: u16,
        /// Value of the `Retry-After` header, such as "1" or an HTTP date.
        retry_after: Option<String>,
        /// Response body in place of the default JSON error object.
        body: Option<String>,
    },
    /// Waits this long, then responds normally.
    Delay(Duration),
    /// Reads the request and never responds. The connection stays open until the client
    /// closes it or the emulator shuts down.
    Stall,
    /// Reads the request and closes the connection without sending a response.
    CloseBeforeResponse,
    /// Sends the status line and headers with a `Content-Length` larger than the body,
    /// then part of the body, then closes the connection.
    CloseMidResponse,
    /// Responds 200 with the truncated JSON body `{"token": `.
    MalformedJson,
    /// Responds 200 with the JSON body `{"access":"x"}`, which has no `token` member.
    NoToken,
    /// Responds 200 with a JSON body `{"token":"xx…x"}` of exactly this many bytes
    /// (at least [`MIN_OVERSIZED_BYTES`]).
    Oversized(usize),
    /// Responds with a redirect `status` (300 to 399) to `location`, with an empty body.
    Redirect {
        /// HTTP status code.
        status: u16,
        /// Value of the `Location` header.
        location: String,
    },
    /// Responds normally but issues the token with this lifetime (whole seconds, at least
    /// 1), whatever the request's `expires-in`.
    Lifetime(Duration),
}

impl Fault {
    /// Returns the `kind` tag of the fault's JSON form, such as "close_mid_response".
    pub fn kind(&self) -> &'static str {
        match self {
            Fault::Status { .. } => "status",
            Fault::Delay(_) => "delay",
            Fault::Stall => "stall",
            Fault::CloseBeforeResponse => "close_before_response",
            Fault::CloseMidResponse => "close_mid_response",
            Fault::MalformedJson => "malformed_json",
            Fault::NoToken => "no_token",
            Fault::Oversized(_) => "oversized",
            Fault::Redirect { .. } => "redirect",
            Fault::Lifetime(_) => "lifetime",
        }
    }

    /// Checks the ranges that the JSON form enforces: status codes, header values,
    /// the oversized body size and a lifetime of at least 1 second.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            Fault::Status {
                status, retry_after, ..
            } => {
                if !(200..=599).contains(status) {
                    return Err(format!(
                        "status fault: status {status} is out of range; use 200 to 599"
                    ));
                }
                if let Some(value) = retry_after {
                    validate_header_value("retry_after", value)?;
                }
            }
            Fault::Redirect { status, location } => {
                if !(300..=399).contains(status) {
                    return Err(format!(
                        "redirect fault: status {status} is out of range; use 300 to 399"
                    ));
                }
                validate_header_value("location", location)?;
            }
            Fault::Oversized(bytes) if *bytes < MIN_OVERSIZED_BYTES => {
                return Err(format!(
                    "oversized fault: bytes {bytes} is too small; use at least {MIN_OVERSIZED_BYTES}"
                ));
            }
            Fault::Lifetime(lifetime) if lifetime.as_secs() == 0 => {
                return Err("lifetime fault: seconds must be at least 1".to_string());
            }
            _ => {}
        }
        Ok(())
    }
}

fn validate_header_value(member: &str, value: &str) -> Result<(), String> {
    HeaderValue::from_str(value)
        .map(|_| ())
        .map_err(|_| format!("{member} {value:?} is not a valid HTTP header value"))
}

/// A fault with the number of consecutive token requests it applies to, parsed from JSON
/// such as `{"kind":"status","status":503,"retry_after":"1","count":2}`.
///
/// JSON forms, all with an optional `"count"` (default 1, at least 1):
/// `{"kind":"status","status":503,"retry_after":"1","body":"..."}`,
/// `{"kind":"delay","ms":500}`, `{"kind":"stall"}`, `{"kind":"close_before_response"}`,
/// `{"kind":"close_mid_response"}`, `{"kind":"malformed_json"}`, `{"kind":"no_token"}`,
/// `{"kind":"oversized","bytes":70000}`,
/// `{"kind":"redirect","location":"https://127.0.0.1:1/token","status":307}` (status
/// defaults to 307) and `{"kind":"lifetime","seconds":5}`.
/// Unknown members are rejected so that a misspelt option is not silently ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    /// The fault to apply.
    pub fault: Fault,
    /// Number of token requests it applies to, at least 1.
    pub count: u32,
}

impl FaultRule {
    /// Parses one rule from a JSON value. The error names the invalid member.
    pub fn from_json(value: serde_json::Value) -> Result<FaultRule, String> {
        let serde_json::Value::Object(mut members) = value else {
            return Err(format!("fault must be a JSON object, found {value}"));
        };
        let count = match members.remove("count") {
            None => 1,
            Some(count) => count
                .as_u64()
                .and_then(|count| u32::try_from(count).ok())
                .filter(|count| *count >= 1)
                .ok_or_else(|| {
                    format!(
                        "fault count must be an integer from 1 to {}, found {count}",
                        u32::MAX
                    )
                })?,
        };
        let fault: Fault = serde_json::from_value(serde_json::Value::Object(members))
            .map_err(|error| format!("invalid fault: {error}"))?;
        Ok(FaultRule { fault, count })
    }

    /// Parses one rule, or a JSON array of rules, from JSON text.
    pub fn parse_many(json: &str) -> Result<Vec<FaultRule>, String> {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|error| format!("fault is not valid JSON: {error}"))?;
        match value {
            serde_json::Value::Array(items) => items.into_iter().map(FaultRule::from_json).collect(),
            other => Ok(vec![FaultRule::from_json(other)?]),
        }
    }
}

impl FromStr for FaultRule {
    type Err = String;

    /// Parses one rule from JSON text.
    fn from_str(json: &str) -> Result<FaultRule, String> {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|error| format!("fault is not valid JSON: {error}"))?;
        FaultRule::from_json(value)
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let json = serde_json::to_string(self).map_err(|_| fmt::Error)?;
        f.write_str(&json)
    }
}

/// The JSON form of [`Fault`].
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum FaultJson {
    Status {
        status: u16,
        #[serde(
            default,
            deserialize_with = "string_or_integer",
            skip_serializing_if = "Option::is_none"
        )]
        retry_after: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<String>,
    },
    Delay {
        ms: u64,
    },
    Stall {},
    CloseBeforeResponse {},
    CloseMidResponse {},
    MalformedJson {},
    NoToken {},
    Oversized {
        bytes: usize,
    },
    Redirect {
        location: String,
        #[serde(default = "default_redirect_status")]
        status: u16,
    },
    Lifetime {
        seconds: u64,
    },
}

fn default_redirect_status() -> u16 {
    307
}

/// Accepts `"retry_after": "1"` as well as `"retry_after": 1`.
fn string_or_integer<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum StringOrInteger {
        String(String),
        Integer(u64),
    }
    let value = Option::<StringOrInteger>::deserialize(deserializer)?;
    Ok(value.map(|value| match value {
        StringOrInteger::String(text) => text,
        StringOrInteger::Integer(number) => number.to_string(),
    }))
}

impl TryFrom<FaultJson> for Fault {
    type Error = String;

    fn try_from(json: FaultJson) -> Result<Fault, String> {
        let fault = match json {
            FaultJson::Status {
                status,
                retry_after,
                body,
            } => Fault::Status {
                status,
                retry_after,
                body,
            },
            FaultJson::Delay { ms } => Fault::Delay(Duration::from_millis(ms)),
            FaultJson::Stall {} => Fault::Stall,
            FaultJson::CloseBeforeResponse {} => Fault::CloseBeforeResponse,
            FaultJson::CloseMidResponse {} => Fault::CloseMidResponse,
            FaultJson::MalformedJson {} => Fault::MalformedJson,
            FaultJson::NoToken {} => Fault::NoToken,
            FaultJson::Oversized { bytes } => Fault::Oversized(bytes),
            FaultJson::Redirect { location, status } => Fault::Redirect { status, location },
            FaultJson::Lifetime { seconds } => Fault::Lifetime(Duration::from_secs(seconds)),
        };
        fault.validate()?;
        Ok(fault)
    }
}

impl From<Fault> for FaultJson {
    fn from(fault: Fault) -> FaultJson {
        match fault {
            Fault::Status {
                status,
                retry_after,
                body,
            } => FaultJson::Status {
                status,
                retry_after,
                body,
            },
            Fault::Delay(delay) => FaultJson::Delay {
                ms: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            },
            Fault::Stall => FaultJson::Stall {},
            Fault::CloseBeforeResponse => FaultJson::CloseBeforeResponse {},
            Fault::CloseMidResponse => FaultJson::CloseMidResponse {},
            Fault::MalformedJson => FaultJson::MalformedJson {},
            Fault::NoToken => FaultJson::NoToken {},
            Fault::Oversized(bytes) => FaultJson::Oversized { bytes },
            Fault::Redirect { status, location } => FaultJson::Redirect { location, status },
            Fault::Lifetime(lifetime) => FaultJson::Lifetime {
                seconds: lifetime.as_secs(),
            },
        }
    }
}

/// First-in, first-out queue of faults, each with the number of requests it still
/// applies to.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    entries: VecDeque<(Fault, u32)>,
}

impl FaultQueue {
    /// Appends a fault for the next `count` requests after those already queued.
    /// A count of 0 queues nothing.
    pub(crate) fn push(&mut self, fault: Fault, count: u32) {
        if count > 0 {
            self.entries.push_back((fault, count));
        }
    }

    /// Takes the fault for the current request, if any.
    pub(crate) fn pop(&mut self) -> Option<Fault> {
        let (fault, remaining) = self.entries.front_mut()?;
        let fault = fault.clone();
        *remaining -= 1;
        if *remaining == 0 {
            self.entries.pop_front();
        }
        Some(fault)
    }

    /// Returns the number of requests that queued faults still apply to.
    pub(crate) fn pending(&self) -> u64 {
        self.entries.iter().map(|(_, count)| u64::from(*count)).sum()
    }

    /// Lists the queued faults with the number of requests each still applies to.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (&Fault, u32)> {
        self.entries.iter().map(|(fault, count)| (fault, *count))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<FaultRule, String> {
        json.parse()
    }

    #[test]
    fn parse_every_kind() {
        let cases = [
            (
                r#"{"kind":"status","status":503,"retry_after":"1","body":"busy","count":2}"#,
                Fault::Status {
                    status: 503,
                    retry_after: Some("1".into()),
                    body: Some("busy".into()),
                },
                2,
            ),
            (
                r#"{"kind":"delay","ms":500}"#,
                Fault::Delay(Duration::from_millis(500)),
                1,
            ),
            (r#"{"kind":"stall"}"#, Fault::Stall, 1),
            (
                r#"{"kind":"close_before_response"}"#,
                Fault::CloseBeforeResponse,
                1,
            ),
            (r#"{"kind":"close_mid_response"}"#, Fault::CloseMidResponse, 1),
            (r#"{"kind":"malformed_json"}"#, Fault::MalformedJson, 1),
            (r#"{"kind":"no_token","count":3}"#, Fault::NoToken, 3),
            (
                r#"{"kind":"oversized","bytes":70000}"#,
                Fault::Oversized(70000),
                1,
            ),
            (
                r#"{"kind":"redirect","location":"https://127.0.0.1:1/token","status":308}"#,
                Fault::Redirect {
                    status: 308,
                    location: "https://127.0.0.1:1/token".into(),
                },
                1,
            ),
            (
                r#"{"kind":"lifetime","seconds":5}"#,
                Fault::Lifetime(Duration::from_secs(5)),
                1,
            ),
        ];
        for (json, fault, count) in cases {
            let rule = parse(json).unwrap_or_else(|error| panic!("{json}: {error}"));
            assert_eq!(rule.fault, fault, "{json}");
            assert_eq!(rule.count, count, "{json}");
        }
    }

    #[test]
    fn parse_defaults_and_numeric_retry_after() {
        let redirect = parse(r#"{"kind":"redirect","location":"/elsewhere"}"#).unwrap();
        assert_eq!(
            redirect.fault,
            Fault::Redirect {
                status: 307,
                location: "/elsewhere".into()
            }
        );

        let status = parse(r#"{"kind":"status","status":429,"retry_after":2}"#).unwrap();
        assert_eq!(
            status.fault,
            Fault::Status {
                status: 429,
                retry_after: Some("2".into()),
                body: None
            }
        );
    }

    #[test]
    fn parse_rejects_invalid_faults() {
        let cases = [
            (r#"{"kind":"nope"}"#, "unknown variant"),
            (r#"{"kind":"delay"}"#, "missing field `ms`"),
            (r#"{"kind":"delay","ms":5,"extra":1}"#, "unknown field `extra`"),
            (r#"{"kind":"stall","extra":1}"#, "unknown field `extra`"),
            (r#"{"kind":"status","status":99}"#, "out of range"),
            (
                r#"{"kind":"redirect","location":"/x","status":200}"#,
                "out of range",
            ),
            (
                r#"{"kind":"status","status":503,"retry_after":"a\nb"}"#,
                "header value",
            ),
            (r#"{"kind":"oversized","bytes":3}"#, "too small"),
            (r#"{"kind":"lifetime","seconds":0}"#, "at least 1"),
            (r#"{"kind":"stall","count":0}"#, "count"),
            (r#"{"kind":"stall","count":-1}"#, "count"),
            (r#"["stall"]"#, "JSON object"),
            ("not json", "not valid JSON"),
        ];
        for (json, expected) in cases {
            let error = parse(json).unwrap_err();
            assert!(error.contains(expected), "{json}: {error}");
        }
    }

    #[test]
    fn parse_many_accepts_array() {
        let rules = FaultRule::parse_many(r#"[{"kind":"stall"},{"kind":"no_token","count":2}]"#).unwrap();
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[1].count, 2);
    }

    #[test]
    fn serialize_round_trips() {
        let fault = Fault::Status {
            status: 503,
            retry_after: Some("1".into()),
            body: None,
        };
        let json = serde_json::to_string(&fault).unwrap();
        assert_eq!(json, r#"{"kind":"status","status":503,"retry_after":"1"}"#);
        assert_eq!(serde_json::from_str::<Fault>(&json).unwrap(), fault);
    }

    #[test]
    fn queue_applies_in_order_and_counts_down() {
        let mut queue = FaultQueue::default();
        queue.push(Fault::Stall, 2);
        queue.push(Fault::NoToken, 0);
        queue.push(Fault::MalformedJson, 1);
        assert_eq!(queue.pending(), 3);

        assert_eq!(queue.pop(), Some(Fault::Stall));
        assert_eq!(queue.pop(), Some(Fault::Stall));
        assert_eq!(queue.pop(), Some(Fault::MalformedJson));
        assert_eq!(queue.pop(), None);
    }
}
