//! Retries, backoff, Retry-After and the overall deadline, driven by the
//! emulator's fault injection.

mod common;

use std::time::{Duration, Instant};

use common::{emulator, uncached_client};
use sethealth::{ErrorKind, RetryPolicy, TokenOptions};
use sethealth_emulator::Fault;

fn status(status: u16, retry_after: Option<&str>) -> Fault {
    Fault::Status {
        status,
        retry_after: retry_after.map(str::to_owned),
        body: None,
    }
}

#[tokio::test]
async fn two_503s_then_success_takes_three_requests() {
    let emulator = emulator().await;
    emulator.inject(status(503, None), 2);
    let client = uncached_client(&emulator);

    let token = client.get_token(&TokenOptions::default()).await.unwrap();

    assert!(emulator.verify_token(token.as_str()).is_ok());
    assert_eq!(emulator.stats().requests, 3);
}

#[tokio::test]
async fn retryable_statuses_are_retried() {
    for code in [408, 429, 500, 502, 503, 504] {
        let emulator = emulator().await;
        emulator.inject(status(code, None), 1);
        let client = uncached_client(&emulator);

        client.get_token(&TokenOptions::default()).await.unwrap();

        assert_eq!(emulator.stats().requests, 2, "HTTP {code}");
    }
}

#[tokio::test]
async fn rejections_are_never_retried() {
    for code in [400, 401, 403, 404, 415] {
        let emulator = emulator().await;
        emulator.inject(status(code, None), 3);
        let client = uncached_client(&emulator);

        let error = client.get_token(&TokenOptions::default()).await.unwrap_err();

        assert_eq!(error.kind(), ErrorKind::Rejected, "HTTP {code}");
        assert_eq!(error.status(), Some(code));
        assert_eq!(error.attempts(), 1);
        assert_eq!(emulator.stats().requests, 1, "HTTP {code}");
    }
}

#[tokio::test]
async fn persistent_503_gives_up_after_max_attempts() {
    let emulator = emulator().await;
    emulator.inject(status(503, None), 10);
    let client = uncached_client(&emulator);

    let error = client.get_token(&TokenOptions::default()).await.unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Server);
    assert_eq!(error.status(), Some(503));
    assert_eq!(error.attempts(), 3);
    assert!(error.message().contains("after 3 attempts"), "{error}");
    assert_eq!(emulator.stats().requests, 3);
}

#[tokio::test]
async fn dropped_connections_are_retried_as_network_errors() {
    let emulator = emulator().await;
    emulator.inject(Fault::CloseBeforeResponse, 1);
    emulator.inject(Fault::CloseMidResponse, 1);
    let client = uncached_client(&emulator);

    client.get_token(&TokenOptions::default()).await.unwrap();

    assert_eq!(emulator.stats().requests, 3);
}

#[tokio::test]
async fn retry_after_one_second_is_honoured() {
    let emulator = emulator().await;
    emulator.inject(status(429, Some("1")), 1);
    let client = uncached_client(&emulator);

    let started = Instant::now();
    client.get_token(&TokenOptions::default()).await.unwrap();

    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(1), "{waited:?}");
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    assert_eq!(emulator.stats().requests, 2);
}

#[tokio::test]
async fn retry_after_past_the_deadline_fails_at_once() {
    let emulator = emulator().await;
    emulator.inject(status(429, Some("3600")), 1);
    let client = uncached_client(&emulator);

    let started = Instant::now();
    let error = client.get_token(&TokenOptions::default()).await.unwrap_err();

    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(error.kind(), ErrorKind::RateLimited);
    assert_eq!(error.status(), Some(429));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(emulator.stats().requests, 1);
}

#[tokio::test]
async fn overall_deadline_cuts_a_long_attempt() {
    let emulator = emulator().await;
    emulator.inject(Fault::Stall, 10);
    let client = common::builder(&emulator)
        .attempt_timeout(Duration::from_secs(10))
        .deadline(Duration::from_millis(800))
        .cache(sethealth::CachePolicy {
            enabled: false,
            ..Default::default()
        })
        .build()
        .unwrap();

    let started = Instant::now();
    let error = client.get_token(&TokenOptions::default()).await.unwrap_err();

    let elapsed = started.elapsed();
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error:?}");
    assert!(elapsed >= Duration::from_millis(800), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(2500), "{elapsed:?}");
    assert!(error.message().contains("overall deadline"), "{error}");
    assert_eq!(emulator.stats().requests, 1);
}

#[tokio::test]
async fn stalled_server_bounded_by_deadline() {
    let emulator = emulator().await;
    emulator.inject(Fault::Stall, 10);
    let client = common::builder(&emulator)
        .attempt_timeout(Duration::from_millis(300))
        .deadline(Duration::from_millis(1000))
        .retry(RetryPolicy {
            max_attempts: 10,
            ..RetryPolicy::default()
        })
        .cache(sethealth::CachePolicy {
            enabled: false,
            ..Default::default()
        })
        .build()
        .unwrap();

    let started = Instant::now();
    let error = client.get_token(&TokenOptions::default()).await.unwrap_err();

    let elapsed = started.elapsed();
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error:?}");
    assert!(
        elapsed >= Duration::from_millis(600),
        "at least two attempts ran: {elapsed:?}"
    );
    assert!(elapsed < Duration::from_millis(2500), "{elapsed:?}");
    assert!(error.attempts() >= 2, "{error:?}");
}

#[tokio::test]
async fn slow_answer_within_the_timeout_succeeds() {
    let emulator = emulator().await;
    emulator.inject(Fault::Delay(Duration::from_millis(300)), 1);
    let client = uncached_client(&emulator);

    client.get_token(&TokenOptions::default()).await.unwrap();

    assert_eq!(emulator.stats().requests, 1);
}
