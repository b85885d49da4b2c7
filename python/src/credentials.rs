//! The service account in the form the legacy Python API exposes: readable
//! `.key` and `.secret` attributes, and an empty credential that fails at the
//! token call rather than in the constructor.

use sethealth::{Credentials, Error, ErrorKind};
use zeroize::Zeroizing;

/// A placeholder for the other credential while one is resolved on its own.
/// It is never sent anywhere.
const PLACEHOLDER: &str = "placeholder";

/// The key and the secret after the core's environment fallback and
/// trimming. Either may be empty; the secret is wiped when dropped.
pub(crate) struct ResolvedCredentials {
    pub(crate) key: String,
    pub(crate) secret: Zeroizing<String>,
}

/// Resolves each credential through [`Credentials::resolve`], so the core
/// reads `SETHEALTH_KEY` and `SETHEALTH_SECRET` for an argument that is `None`.
///
/// # Errors
///
/// [`ErrorKind::MissingCredentials`] when a credential is neither passed nor
/// set (`is_unset_credential()`), and [`ErrorKind::InvalidArgument`] for a
/// control character or a variable that is not UTF-8. A credential that is
/// set but empty is returned as `""`: the legacy constructor accepts it.
pub(crate) fn resolve(key: Option<&str>, secret: Option<&str>) -> Result<ResolvedCredentials, Error> {
    let key = resolve_one(
        |placeholder| Credentials::resolve(key, placeholder),
        Credentials::key,
    )?;
    let secret = resolve_one(
        |placeholder| Credentials::resolve(placeholder, secret),
        Credentials::secret,
    )?;
    Ok(ResolvedCredentials {
        key,
        secret: Zeroizing::new(secret),
    })
}

fn resolve_one(
    resolve: impl FnOnce(Option<&str>) -> Result<Credentials, Error>,
    select: impl FnOnce(&Credentials) -> &str,
) -> Result<String, Error> {
    match resolve(Some(PLACEHOLDER)) {
        Ok(credentials) => Ok(select(&credentials).to_owned()),
        Err(error) if error.kind() == ErrorKind::MissingCredentials && !error.is_unset_credential() => {
            Ok(String::new())
        }
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_credentials_are_trimmed() {
        let resolved = resolve(Some(" sa_1 "), Some("s3cret\n")).unwrap();
        assert_eq!(resolved.key, "sa_1");
        assert_eq!(resolved.secret.as_str(), "s3cret");
    }

    #[test]
    fn empty_credential_resolves_to_empty_string() {
        let resolved = resolve(Some("sa_1"), Some("  ")).unwrap();
        assert_eq!(resolved.key, "sa_1");
        assert_eq!(resolved.secret.as_str(), "");
    }

    #[test]
    fn control_character_is_invalid_argument() {
        let Err(error) = resolve(Some("sa\u{7}1"), Some("secret")) else {
            panic!("a key with a control character must be rejected");
        };
        assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    }
}
