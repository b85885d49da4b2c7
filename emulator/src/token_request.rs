//! Validation of the token request body.

use serde_json::{Map, Value};

/// A token request body that passed validation. Absent options have their zero value.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct TokenRequest {
    pub(crate) id: String,
    pub(crate) secret: String,
    pub(crate) test_mode: bool,
    /// Requested lifetime in nanoseconds, 0 for the server's default.
    pub(crate) expires_in_nanos: u64,
    pub(crate) user_id: String,
}

/// Reason a body is not a valid token request, with the offending member when there is one.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct InvalidRequest {
    pub(crate) member: Option<&'static str>,
    pub(crate) message: String,
}

impl InvalidRequest {
    fn body(message: String) -> InvalidRequest {
        InvalidRequest {
            member: None,
            message,
        }
    }

    fn member(member: &'static str, message: String) -> InvalidRequest {
        InvalidRequest {
            member: Some(member),
            message,
        }
    }
}

/// Parses and checks a token request body. Messages name the JSON type of a wrong
/// value but never the value itself, because it may be the secret.
pub(crate) fn parse(body: &[u8]) -> Result<TokenRequest, InvalidRequest> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|error| InvalidRequest::body(format!("request body is not valid JSON: {error}")))?;
    let Value::Object(members) = value else {
        return Err(InvalidRequest::body(format!(
            "request body must be a JSON object, found {}",
            json_type(&value)
        )));
    };

    let id = match members.get("id") {
        None if members.contains_key("key") => {
            return Err(InvalidRequest::member(
                "id",
                "member `id` is missing; the body has `key`, the name older clients used, \
                 but the current protocol sends the key id as `id`"
                    .to_string(),
            ));
        }
        _ => required_string(&members, "id")?,
    };
    let secret = required_string(&members, "secret")?;

    let test_mode = match members.get("test-mode") {
        None => false,
        Some(Value::Bool(test_mode)) => *test_mode,
        Some(other) => {
            return Err(InvalidRequest::member(
                "test-mode",
                format!("member `test-mode` must be a boolean, found {}", json_type(other)),
            ));
        }
    };

    let expires_in_nanos = match members.get("expires-in") {
        None => 0,
        Some(value) => value.as_u64().ok_or_else(|| {
            InvalidRequest::member(
                "expires-in",
                format!(
                    "member `expires-in` must be a non-negative integer number of nanoseconds, found {}",
                    describe_number(value)
                ),
            )
        })?,
    };

    let user_id = match members.get("user-id") {
        None => String::new(),
        Some(Value::String(user_id)) => user_id.clone(),
        Some(other) => {
            return Err(InvalidRequest::member(
                "user-id",
                format!("member `user-id` must be a string, found {}", json_type(other)),
            ));
        }
    };

    Ok(TokenRequest {
        id,
        secret,
        test_mode,
        expires_in_nanos,
        user_id,
    })
}

/// Credentials found in a body, whatever else is wrong with it.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Credentials {
    /// The `id` member when the body is a JSON object and `id` is a string.
    pub(crate) id: Option<String>,
    /// The `secret` member when the body is a JSON object and `secret` is a string.
    pub(crate) secret: Option<String>,
}

/// Extracts `id` and `secret` from a body without validating anything else.
pub(crate) fn credentials(body: &[u8]) -> Credentials {
    let Ok(Value::Object(members)) = serde_json::from_slice::<Value>(body) else {
        return Credentials::default();
    };
    let string_member = |name: &str| match members.get(name) {
        Some(Value::String(text)) => Some(text.clone()),
        _ => None,
    };
    Credentials {
        id: string_member("id"),
        secret: string_member("secret"),
    }
}

fn required_string(members: &Map<String, Value>, name: &'static str) -> Result<String, InvalidRequest> {
    match members.get(name) {
        Some(Value::String(text)) => Ok(text.clone()),
        None => Err(InvalidRequest::member(
            name,
            format!("member `{name}` is missing"),
        )),
        Some(other) => Err(InvalidRequest::member(
            name,
            format!("member `{name}` must be a string, found {}", json_type(other)),
        )),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Describes a wrong `expires-in`: numbers are shown, because they are not secret, and
/// other values by their type.
fn describe_number(value: &Value) -> String {
    match value {
        Value::Number(number) => number.to_string(),
        other => json_type(other).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_minimal_body() {
        let request = parse(br#"{"id":"sa_1","secret":"s"}"#).unwrap();
        assert_eq!(
            request,
            TokenRequest {
                id: "sa_1".into(),
                secret: "s".into(),
                test_mode: false,
                expires_in_nanos: 0,
                user_id: String::new(),
            }
        );
    }

    #[test]
    fn parse_accepts_all_options() {
        let body = br#"{"id":"sa_1","secret":"s","test-mode":true,"expires-in":300000000000,"user-id":"u1"}"#;
        let request = parse(body).unwrap();
        assert!(request.test_mode);
        assert_eq!(request.expires_in_nanos, 300_000_000_000);
        assert_eq!(request.user_id, "u1");
    }

    #[test]
    fn parse_names_each_invalid_member() {
        let cases: [(&[u8], Option<&str>); 14] = [
            (b"not json", None),
            (b"[1]", None),
            (br#"{"secret":"s"}"#, Some("id")),
            (br#"{"key":"sa_1","secret":"s"}"#, Some("id")),
            (br#"{"id":1,"secret":"s"}"#, Some("id")),
            (br#"{"id":"a"}"#, Some("secret")),
            (br#"{"id":"a","secret":null}"#, Some("secret")),
            (
                br#"{"id":"a","secret":"s","test-mode":"true"}"#,
                Some("test-mode"),
            ),
            (br#"{"id":"a","secret":"s","test-mode":1}"#, Some("test-mode")),
            (br#"{"id":"a","secret":"s","expires-in":-1}"#, Some("expires-in")),
            (br#"{"id":"a","secret":"s","expires-in":1.5}"#, Some("expires-in")),
            (
                br#"{"id":"a","secret":"s","expires-in":"5s"}"#,
                Some("expires-in"),
            ),
            (br#"{"id":"a","secret":"s","user-id":7}"#, Some("user-id")),
            (br#"{"id":"a","secret":"s","user-id":null}"#, Some("user-id")),
        ];
        for (body, member) in cases {
            let error = parse(body).unwrap_err();
            let text = String::from_utf8_lossy(body);
            assert_eq!(error.member, member, "{text}: {}", error.message);
            if let Some(member) = member {
                assert!(error.message.contains(member), "{text}: {}", error.message);
            }
        }
    }

    #[test]
    fn parse_never_echoes_secret_value() {
        let error = parse(br#"{"id":"a","secret":["hunter2"]}"#).unwrap_err();
        assert!(!error.message.contains("hunter2"), "{}", error.message);
    }

    #[test]
    fn credentials_ignore_other_errors() {
        let body = br#"{"id":"a","secret":"s","test-mode":"bad"}"#;
        let found = credentials(body);
        assert_eq!(found.id.as_deref(), Some("a"));
        assert_eq!(found.secret.as_deref(), Some("s"));

        let only_id = credentials(br#"{"id":"a","secret":5}"#);
        assert_eq!(only_id.id.as_deref(), Some("a"));
        assert_eq!(only_id.secret, None);

        assert_eq!(credentials(b"[1]"), Credentials::default());
    }
}
