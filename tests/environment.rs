//! Reading the environment. Every case lives in one test, because the
//! environment is process-wide and tests in one binary run in parallel.

use sethealth::{Client, ErrorKind};

/// Sets or removes variables for the rest of this single-threaded test.
fn set(name: &str, value: Option<&str>) {
    // SAFETY: this binary has exactly one test and spawns no thread before
    // these calls, so nothing reads the environment concurrently.
    unsafe {
        match value {
            Some(value) => std::env::set_var(name, value),
            None => std::env::remove_var(name),
        }
    }
}

#[test]
fn environment_is_read_when_the_client_is_built() {
    set("SETHEALTH_API_URL", None);
    set("SETHEALTH_CA_FILE", None);
    set("SETHEALTH_KEY", None);
    set("SETHEALTH_SECRET", Some("r_env_secret="));

    let error = Client::from_env().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::MissingCredentials);
    assert!(error.message().contains("SETHEALTH_KEY is not set"), "{error}");
    assert!(error.is_unset_credential());

    set("SETHEALTH_KEY", Some("sa_env_1"));
    set("SETHEALTH_SECRET", None);
    let error = Client::from_env().unwrap_err();
    assert!(error.message().contains("SETHEALTH_SECRET is not set"), "{error}");

    set("SETHEALTH_SECRET", Some(""));
    let error = Client::from_env().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::MissingCredentials);
    assert!(error.message().contains("SETHEALTH_SECRET"), "{error}");
    assert!(!error.is_unset_credential(), "set but empty is not unset");

    set("SETHEALTH_SECRET", Some("r_env_secret=\n"));
    let client = Client::from_env().unwrap();
    assert_eq!(client.key(), "sa_env_1");
    assert_eq!(client.config().api_url(), "https://api.set.health");

    set("SETHEALTH_API_URL", Some("http://127.0.0.1:9"));
    let client = Client::from_env().unwrap();
    assert_eq!(client.config().token_url(), "http://127.0.0.1:9/token");

    let explicit = Client::builder().api_url("https://127.0.0.2:9").build().unwrap();
    assert_eq!(
        explicit.config().api_url(),
        "https://127.0.0.2:9",
        "explicit settings win"
    );

    set("SETHEALTH_CA_FILE", Some("/nonexistent/env-ca.pem"));
    let error = Client::from_env().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidConfig);
    assert!(error.message().contains("/nonexistent/env-ca.pem"), "{error}");
    assert!(!format!("{error:?}").contains("r_env_secret"));
}
