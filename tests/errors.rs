//! Each failure maps to its error kind, with a message that names the
//! value and the fix and never the secret.

mod common;

use std::time::{Duration, Instant};

use common::{KEY, SECRET, assert_no_secret, emulator, uncached_client};
use sethealth::{Client, ErrorKind, RetryPolicy, TokenOptions};
use sethealth_emulator::Fault;

fn single_attempt() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 1,
        ..RetryPolicy::default()
    }
}

#[tokio::test]
async fn wrong_secret_is_rejected_with_status() {
    let emulator = emulator().await;
    let client = common::builder(&emulator)
        .secret("r_wrong_secret=")
        .build()
        .unwrap();

    let error = client.get_token(&TokenOptions::default()).await.unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Rejected);
    assert_eq!(error.status(), Some(401));
    assert!(!error.is_retryable());
    assert!(error.message().contains(KEY), "{error}");
    assert!(error.message().contains("SETHEALTH_SECRET"), "{error}");
    assert!(!error.message().contains("r_wrong_secret"), "{error}");
    assert_eq!(emulator.stats().requests, 1, "a rejection is not retried");
}

#[tokio::test]
async fn unreachable_port_is_a_network_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let client = Client::builder()
        .key(KEY)
        .secret(SECRET)
        .api_url(format!("https://127.0.0.1:{port}"))
        .retry(single_attempt())
        .build()
        .unwrap();

    let started = Instant::now();
    let error = client.get_token(&TokenOptions::default()).await.unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Network, "{error:?}");
    assert!(error.message().contains("127.0.0.1"), "{error}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn stalled_server_times_out_at_the_attempt_timeout() {
    let emulator = emulator().await;
    emulator.inject(Fault::Stall, 1);
    let client = common::builder(&emulator)
        .attempt_timeout(Duration::from_millis(300))
        .retry(single_attempt())
        .build()
        .unwrap();

    let started = Instant::now();
    let error = client.get_token(&TokenOptions::default()).await.unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Timeout, "{error:?}");
    assert!(error.is_timeout());
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn untrusted_certificate_is_a_tls_error() {
    let emulator = emulator().await;
    let client = Client::builder()
        .key(KEY)
        .secret(SECRET)
        .api_url(emulator.url())
        .retry(single_attempt())
        .build()
        .unwrap();

    let error = client.get_token(&TokenOptions::default()).await.unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Tls, "{error:?}");
    assert!(error.message().contains("SETHEALTH_CA_FILE"), "{error}");
    assert_eq!(emulator.stats().requests, 0);
}

#[tokio::test]
async fn unusable_responses_are_bad_responses() {
    let cases = [
        (Fault::MalformedJson, "not a JSON object"),
        (Fault::NoToken, "no \"token\" member"),
        (Fault::Oversized(70_000), "larger than 65536 bytes"),
        (
            Fault::Redirect {
                status: 307,
                location: "https://127.0.0.1:9/token".into(),
            },
            "not followed",
        ),
    ];
    for (fault, expected) in cases {
        let emulator = emulator().await;
        emulator.inject(fault.clone(), 1);
        let client = uncached_client(&emulator);

        let error = client.get_token(&TokenOptions::default()).await.unwrap_err();

        assert_eq!(error.kind(), ErrorKind::BadResponse, "{fault:?}: {error:?}");
        assert!(error.message().contains(expected), "{fault:?}: {error}");
        assert_eq!(emulator.stats().requests, 1, "{fault:?} must not be retried");
    }
}

#[tokio::test]
async fn redirect_is_not_followed() {
    let target = emulator().await;
    let emulator = emulator().await;
    emulator.inject(
        Fault::Redirect {
            status: 302,
            location: format!("{}/token", target.url()),
        },
        1,
    );
    let client = uncached_client(&emulator);

    let error = client.get_token(&TokenOptions::default()).await.unwrap_err();

    assert_eq!(error.kind(), ErrorKind::BadResponse);
    assert_eq!(error.status(), Some(302));
    assert_eq!(
        target.stats().requests,
        0,
        "the redirect target must see no request"
    );
}

#[tokio::test]
async fn plain_http_remote_host_rejected() {
    // 192.0.2.0/24 is reserved for documentation: nothing is ever sent there,
    // because the builder rejects the URL before any client exists.
    let error = Client::builder()
        .key(KEY)
        .secret(SECRET)
        .api_url("http://192.0.2.1/")
        .build()
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::InvalidConfig);
    assert!(error.message().contains("192.0.2.1"), "{error}");
}

#[tokio::test]
async fn plain_http_to_loopback_is_allowed() {
    let emulator = sethealth_emulator::Emulator::start(sethealth_emulator::Config {
        tls: false,
        ..sethealth_emulator::Config::with_account(KEY, SECRET)
    })
    .await
    .unwrap();
    let client = Client::builder()
        .key(KEY)
        .secret(SECRET)
        .api_url(emulator.url())
        .build()
        .unwrap();

    let token = client.get_token(&TokenOptions::default()).await.unwrap();

    assert!(emulator.verify_token(token.as_str()).is_ok());
}

/// A change to a valid builder that makes it invalid.
type Misconfigure = fn(sethealth::ClientBuilder) -> sethealth::ClientBuilder;

#[test]
fn bad_configuration_is_reported_before_any_request() {
    let cases: [(&str, Misconfigure); 5] = [
        ("not a url", |b| b.api_url("::not a url::")),
        ("missing CA file", |b| b.ca_file("/nonexistent/ca.pem")),
        ("CA file without certificates", |b| {
            b.add_ca_pem(b"hello".to_vec())
        }),
        ("zero deadline", |b| b.deadline(Duration::ZERO)),
        ("zero attempts", |b| {
            b.retry(RetryPolicy {
                max_attempts: 0,
                ..RetryPolicy::default()
            })
        }),
    ];
    for (name, configure) in cases {
        let builder = Client::builder()
            .key(KEY)
            .secret(SECRET)
            .api_url("https://127.0.0.1:1");
        let error = configure(builder).build().unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidConfig, "{name}: {error}");
        assert_no_secret(&format!("{error} {error:?}"));
    }
}

#[test]
fn missing_ca_file_message_names_the_path() {
    let error = Client::builder()
        .key(KEY)
        .secret(SECRET)
        .ca_file("/nonexistent/ca.pem")
        .build()
        .unwrap_err();

    assert!(error.message().contains("/nonexistent/ca.pem"), "{error}");
    assert!(
        std::error::Error::source(&error).is_some(),
        "the io error is kept as the source"
    );
}

#[test]
fn bad_options_are_rejected_before_sending() {
    let client = Client::builder()
        .key(KEY)
        .secret(SECRET)
        .api_url("https://127.0.0.1:1")
        .build()
        .unwrap();
    let mut control = TokenOptions::default();
    control.user_id = Some("line\nbreak".into());
    let mut huge = TokenOptions::default();
    huge.expires_in = Some(Duration::from_secs(u64::MAX));
    let mut long = TokenOptions::default();
    long.user_id = Some("x".repeat(sethealth::MAX_USER_ID_BYTES + 1));

    for options in [control, huge, long] {
        let error = std::thread::spawn({
            let client = client.clone();
            move || client.get_token_blocking(&options, None)
        })
        .join()
        .unwrap()
        .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidArgument, "{error}");
        assert_eq!(error.attempts(), 0);
    }
}

#[test]
fn credentials_are_trimmed_and_checked() {
    let credentials = sethealth::Credentials::new("  sa_1 \n", "secret=\n").unwrap();
    assert_eq!(credentials.key(), "sa_1");
    assert_eq!(credentials.secret(), "secret=");

    let empty = sethealth::Credentials::new("sa_1", "  ").unwrap_err();
    assert_eq!(empty.kind(), ErrorKind::MissingCredentials);
    assert!(!empty.is_unset_credential());

    let control = sethealth::Credentials::new("sa\u{7}1", "s").unwrap_err();
    assert_eq!(control.kind(), ErrorKind::InvalidArgument);

    let unchecked = sethealth::Credentials::lookup(Some(" "), Some("s")).unwrap();
    assert_eq!(unchecked.key(), "");
    let empty_key = unchecked.validate().unwrap_err();
    assert_eq!(empty_key.kind(), ErrorKind::MissingCredentials);
    assert!(empty_key.message().contains("SETHEALTH_KEY"), "{empty_key}");
}

#[tokio::test]
async fn secret_is_absent_from_every_output() {
    let emulator = emulator().await;
    let client = common::builder(&emulator).build().unwrap();
    let mut outputs = vec![
        format!("{client:?}"),
        format!("{:?}", client.config()),
        format!("{:?}", common::builder(&emulator)),
        format!("{:?}", sethealth::Credentials::new(KEY, SECRET).unwrap()),
        format!("{:?}", client.get_token(&TokenOptions::default()).await.unwrap()),
    ];

    emulator.inject(
        Fault::Status {
            status: 400,
            retry_after: None,
            body: Some(format!("bad secret {SECRET}")),
        },
        1,
    );
    let mut options = TokenOptions::default();
    options.fresh = true;
    let error = client.get_token(&options).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Rejected);
    assert!(error.message().contains("<redacted>"), "{error}");
    outputs.push(format!("{error} {error:?}"));

    for kind in ErrorKind::ALL {
        outputs.push(format!("{kind} {kind:?}"));
    }
    for output in outputs {
        assert_no_secret(&output);
    }
}

#[test]
fn error_is_small_and_thread_safe() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<sethealth::Error>();
    assert_send_sync::<Client>();
    assert_eq!(
        std::mem::size_of::<sethealth::Error>(),
        std::mem::size_of::<usize>()
    );
}

#[test]
fn error_codes_are_stable() {
    let names: Vec<(u32, &str)> = ErrorKind::ALL
        .iter()
        .map(|kind| (kind.code(), kind.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            (1, "missing_credentials"),
            (2, "invalid_argument"),
            (3, "invalid_config"),
            (4, "rejected"),
            (5, "rate_limited"),
            (6, "server"),
            (7, "timeout"),
            (8, "network"),
            (9, "tls"),
            (10, "bad_response"),
            (11, "cancelled"),
            (12, "internal"),
        ]
    );
    for kind in ErrorKind::ALL {
        assert_eq!(ErrorKind::from_code(kind.code()), Some(kind));
    }
    assert_eq!(ErrorKind::from_code(0), None);
    assert_eq!(ErrorKind::from_code(13), None);
}

#[tokio::test]
async fn token_response_shape_checked() {
    let bodies = [
        (r#"["not-a-token-object"]"#, "found an array"),
        ("null", "found null"),
        (r#"{"token":"a\nb"}"#, "control characters"),
        (r#"{"token":""}"#, "empty"),
    ];
    for (body, expected) in bodies {
        let emulator = emulator().await;
        emulator.inject(
            Fault::Status {
                status: 200,
                retry_after: None,
                body: Some(body.into()),
            },
            1,
        );
        let client = common::builder(&emulator).build().unwrap();

        let error = client.get_token(&TokenOptions::default()).await.unwrap_err();

        assert_eq!(error.kind(), ErrorKind::BadResponse, "{body}: {error:?}");
        assert!(error.message().contains(expected), "{body}: {error}");
        assert_eq!(client.cached_tokens(), 0, "{body}: nothing is cached");
    }
}

#[test]
fn durations_over_one_day_are_rejected() {
    let cases: [(&str, Misconfigure); 4] = [
        ("deadline", |b| b.deadline(Duration::MAX)),
        ("attempt timeout", |b| {
            b.attempt_timeout(Duration::from_secs(86_401))
        }),
        ("connect timeout", |b| {
            b.connect_timeout(Duration::from_secs(u64::MAX))
        }),
        ("maximum retry delay", |b| {
            b.retry(RetryPolicy {
                max_delay: Duration::MAX,
                ..RetryPolicy::default()
            })
        }),
    ];
    for (name, configure) in cases {
        let builder = Client::builder()
            .key(KEY)
            .secret(SECRET)
            .api_url("https://127.0.0.1:1");
        let error = configure(builder).build().unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidConfig, "{name}: {error}");
        assert!(error.message().contains(name), "{name}: {error}");
    }
}

#[tokio::test]
async fn redirect_location_is_scrubbed() {
    let emulator = emulator().await;
    let location = format!("https://127.0.0.1:9/token?secret={SECRET}");
    emulator.inject(
        Fault::Redirect {
            status: 302,
            location,
        },
        1,
    );
    let client = uncached_client(&emulator);

    let error = client.get_token(&TokenOptions::default()).await.unwrap_err();

    assert!(error.message().contains("?secret=<redacted>"), "{error}");
    assert_no_secret(&format!("{error} {error:?}"));
}
