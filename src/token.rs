//! The access token returned by the service, and where its expiry came from.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use zeroize::Zeroizing;

/// The origin of a [`Token`]'s expiry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExpirySource {
    /// The `exp` claim of the JWT-shaped token (decoded, not verified).
    Claim,
    /// The requested lifetime, counted from the moment the request was sent.
    Requested,
    /// Nothing stated it; the cache assumes the configured lifetime and
    /// [`Token::expires_at`] is `None`.
    Assumed,
}

/// A short-lived access token for the Sethealth browser SDK.
///
/// `Debug` never prints the token itself, and the token is wiped from memory
/// when the last copy is dropped.
#[derive(Clone)]
pub struct Token {
    value: Zeroizing<String>,
    issued_at: SystemTime,
    expires_at: Option<SystemTime>,
    source: ExpirySource,
}

impl Token {
    /// Wraps a token the server returned for a request sent at `issued_at`
    /// that asked for `requested` lifetime, and derives its expiry.
    pub(crate) fn new(value: String, issued_at: SystemTime, requested: Option<Duration>) -> Token {
        let (expires_at, source) = match jwt_expiry(&value) {
            Some(at) => (Some(at), ExpirySource::Claim),
            None => match requested {
                Some(lifetime) => (issued_at.checked_add(lifetime), ExpirySource::Requested),
                None => (None, ExpirySource::Assumed),
            },
        };
        Token {
            value: Zeroizing::new(value),
            issued_at,
            expires_at,
            source,
        }
    }

    /// Returns the token to hand to the browser SDK.
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// Returns when the request for this token was sent, by the client's clock.
    pub fn issued_at(&self) -> SystemTime {
        self.issued_at
    }

    /// Returns when the token expires, when the token or the request states it.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    /// Returns where [`expires_at`](Token::expires_at) comes from.
    pub fn expiry_source(&self) -> ExpirySource {
        self.source
    }

    /// Returns the expiry the cache works with: the known one, or
    /// `issued_at + assumed` when none is known.
    pub(crate) fn effective_expiry(&self, assumed: Duration) -> SystemTime {
        self.expires_at
            .unwrap_or_else(|| self.issued_at.checked_add(assumed).unwrap_or(self.issued_at))
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("value", &"<redacted>")
            .field("issued_at", &self.issued_at)
            .field("expires_at", &self.expires_at)
            .field("expiry_source", &self.source)
            .finish()
    }
}

/// Returns the `exp` claim of a JWT-shaped token, or `None` when the token is
/// not a JWT or has no usable `exp`. The signature is not checked: this
/// client is not the token's audience and only uses the claim for caching.
fn jwt_expiry(token: &str) -> Option<SystemTime> {
    let mut parts = token.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }

    let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&decoded).ok()?;
    let seconds = claims.get("exp")?.as_f64()?;
    if !seconds.is_finite() || seconds <= 0.0 || seconds > 1e12 {
        return None;
    }
    UNIX_EPOCH.checked_add(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.sig",
            engine.encode(r#"{"alg":"HS256"}"#),
            engine.encode(payload)
        )
    }

    #[test]
    fn expiry_from_exp_claim() {
        let token = Token::new(jwt(r#"{"exp":2000000000}"#), UNIX_EPOCH, None);
        assert_eq!(token.expiry_source(), ExpirySource::Claim);
        assert_eq!(
            token.expires_at(),
            Some(UNIX_EPOCH + Duration::from_secs(2_000_000_000))
        );
    }

    #[test]
    fn claim_wins_over_requested_lifetime() {
        let token = Token::new(jwt(r#"{"exp":100}"#), UNIX_EPOCH, Some(Duration::from_secs(5)));
        assert_eq!(token.expires_at(), Some(UNIX_EPOCH + Duration::from_secs(100)));
    }

    #[test]
    fn expiry_from_requested_lifetime() {
        let issued = UNIX_EPOCH + Duration::from_secs(1000);
        let token = Token::new("opaque".into(), issued, Some(Duration::from_secs(60)));
        assert_eq!(token.expiry_source(), ExpirySource::Requested);
        assert_eq!(token.expires_at(), Some(issued + Duration::from_secs(60)));
    }

    #[test]
    fn expiry_assumed_when_unknown() {
        let token = Token::new("a.b.c".into(), UNIX_EPOCH, None);
        assert_eq!(token.expiry_source(), ExpirySource::Assumed);
        assert_eq!(token.expires_at(), None);
        assert_eq!(
            token.effective_expiry(Duration::from_secs(600)),
            UNIX_EPOCH + Duration::from_secs(600)
        );
    }

    #[test]
    fn malformed_claims_are_ignored() {
        for payload in [r#"{"exp":"soon"}"#, r#"{"exp":-5}"#, "not json", r#"{"sub":"x"}"#] {
            let token = Token::new(jwt(payload), UNIX_EPOCH, None);
            assert_eq!(token.expiry_source(), ExpirySource::Assumed, "payload {payload}");
        }
    }

    #[test]
    fn debug_hides_the_token() {
        let token = Token::new("very-secret-token".into(), UNIX_EPOCH, None);
        let debug = format!("{token:?}");
        assert!(!debug.contains("very-secret-token"), "{debug}");
    }
}
