//! Access tokens: HS256 JSON Web Tokens signed with a key generated at start.

use std::io;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Value of the `iss` claim in every token the emulator issues.
pub const ISSUER: &str = "sethealth-emulator";

/// The JOSE header of every token, byte for byte.
const HEADER_JSON: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

type HmacSha256 = Hmac<Sha256>;

/// The claims of a token that the emulator issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer, always [`ISSUER`].
    pub iss: String,
    /// Subject: the request's `user-id`, or the key id when `user-id` is absent or empty.
    pub sub: String,
    /// Key id of the service account that requested the token.
    pub sa: String,
    /// The request's `test-mode`, false when absent.
    pub test: bool,
    /// Issue time, in seconds since the Unix epoch.
    pub iat: u64,
    /// Expiry time, in seconds since the Unix epoch. Always later than `iat`.
    pub exp: u64,
    /// Random token id (32 hex digits), so that two tokens issued in the same second differ.
    pub jti: String,
}

/// Signs and verifies tokens with one HMAC-SHA256 key.
pub(crate) struct TokenSigner {
    key: [u8; 32],
}

impl TokenSigner {
    /// Creates a signer with a key from the operating system's secure random source.
    pub(crate) fn generate() -> io::Result<TokenSigner> {
        let mut key = [0u8; 32];
        rustls::crypto::aws_lc_rs::default_provider()
            .secure_random
            .fill(&mut key)
            .map_err(|_| io::Error::other("failed to generate the token signing key"))?;
        Ok(TokenSigner { key })
    }

    /// Returns the claims of a new token for `key_id`, issued now and valid for
    /// `lifetime` rounded down to whole seconds, with a minimum of 1 second.
    pub(crate) fn claims_for(
        &self,
        key_id: &str,
        user_id: &str,
        test_mode: bool,
        lifetime: Duration,
    ) -> Claims {
        let iat = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|since_epoch| since_epoch.as_secs())
            .unwrap_or(0);
        let lifetime_secs = lifetime.as_secs().max(1);
        let sub = if user_id.is_empty() { key_id } else { user_id };
        Claims {
            iss: ISSUER.to_string(),
            sub: sub.to_string(),
            sa: key_id.to_string(),
            test: test_mode,
            iat,
            exp: iat.saturating_add(lifetime_secs),
            jti: format!("{:032x}", fastrand::u128(..)),
        }
    }

    /// Encodes and signs `claims` as a compact JWT.
    pub(crate) fn sign(&self, claims: &Claims) -> String {
        let header = URL_SAFE_NO_PAD.encode(HEADER_JSON);
        let payload = serde_json::to_vec(claims).expect("claims serialize to JSON");
        let signing_input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(payload));
        let signature = self.mac(signing_input.as_bytes()).finalize().into_bytes();
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    /// Checks that `token` is an HS256 JWT signed with this signer's key and issued by
    /// the emulator, and returns its claims. It does not check `exp`.
    pub(crate) fn verify(&self, token: &str) -> Result<Claims, String> {
        let parts: Vec<&str> = token.split('.').collect();
        let [header, payload, signature] = parts.as_slice() else {
            return Err(format!(
                "token is not a compact JWT: expected 3 parts separated by '.', found {}",
                parts.len()
            ));
        };

        let header_bytes = URL_SAFE_NO_PAD
            .decode(header)
            .map_err(|error| format!("token header is not base64url: {error}"))?;
        let header_json: serde_json::Value = serde_json::from_slice(&header_bytes)
            .map_err(|error| format!("token header is not JSON: {error}"))?;
        if header_json.get("alg").and_then(|alg| alg.as_str()) != Some("HS256") {
            return Err(format!("token header alg is not HS256: {header_json}"));
        }

        let signature_bytes = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|error| format!("token signature is not base64url: {error}"))?;
        let signing_input = format!("{header}.{payload}");
        self.mac(signing_input.as_bytes())
            .verify_slice(&signature_bytes)
            .map_err(|_| "token signature does not match this emulator's key".to_string())?;

        let payload_bytes = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|error| format!("token payload is not base64url: {error}"))?;
        let claims: Claims = serde_json::from_slice(&payload_bytes)
            .map_err(|error| format!("token claims are invalid: {error}"))?;
        if claims.iss != ISSUER {
            return Err(format!("token iss is '{}', expected '{ISSUER}'", claims.iss));
        }
        Ok(claims)
    }

    fn mac(&self, message: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC accepts any key length");
        mac.update(message);
        mac
    }
}

/// Converts a requested `expires-in` in nanoseconds to a lifetime in whole seconds,
/// rounded to the nearest second with a minimum of 1 second. Returns `None` for 0,
/// which means the server's default.
pub(crate) fn lifetime_from_nanos(nanos: u64) -> Option<Duration> {
    if nanos == 0 {
        return None;
    }
    const NANOS_PER_SEC: u64 = 1_000_000_000;
    let mut secs = nanos / NANOS_PER_SEC;
    if nanos % NANOS_PER_SEC >= NANOS_PER_SEC / 2 {
        secs += 1;
    }
    Some(Duration::from_secs(secs.max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_then_verify_returns_claims() {
        let signer = TokenSigner::generate().unwrap();
        let claims = signer.claims_for("sa_1", "", true, Duration::from_secs(90));
        let token = signer.sign(&claims);

        let verified = signer.verify(&token).unwrap();
        assert_eq!(verified, claims);
        assert_eq!(verified.sub, "sa_1");
        assert_eq!(verified.exp - verified.iat, 90);
    }

    #[test]
    fn verify_rejects_other_key_and_tampering() {
        let signer = TokenSigner::generate().unwrap();
        let other = TokenSigner::generate().unwrap();
        let token = signer.sign(&signer.claims_for("sa_1", "u", false, Duration::from_secs(5)));

        assert!(other.verify(&token).is_err());

        let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
        let forged = signer.claims_for("sa_2", "u", false, Duration::from_secs(5));
        parts[1] = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        assert!(signer.verify(&parts.join(".")).is_err());

        assert!(signer.verify("not-a-token").is_err());
    }

    #[test]
    fn header_is_hs256_jwt() {
        let signer = TokenSigner::generate().unwrap();
        let token = signer.sign(&signer.claims_for("sa_1", "", false, Duration::from_secs(5)));
        let header = token.split('.').next().unwrap();
        assert_eq!(URL_SAFE_NO_PAD.decode(header).unwrap(), HEADER_JSON.as_bytes());
    }

    #[test]
    fn lifetime_from_nanos_rounds_to_seconds() {
        assert_eq!(lifetime_from_nanos(0), None);
        assert_eq!(lifetime_from_nanos(1), Some(Duration::from_secs(1)));
        assert_eq!(lifetime_from_nanos(1_499_999_999), Some(Duration::from_secs(1)));
        assert_eq!(lifetime_from_nanos(1_500_000_000), Some(Duration::from_secs(2)));
        assert_eq!(
            lifetime_from_nanos(300_000_000_000),
            Some(Duration::from_secs(300))
        );
        assert!(lifetime_from_nanos(u64::MAX).is_some());
    }
}
