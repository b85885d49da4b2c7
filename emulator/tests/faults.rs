//! Each fault kind as a real HTTPS client observes it, over HTTP/1.1 and HTTP/2 where
//! the protocol changes what the client observes.

mod common;

use std::time::{Duration, Instant};

use common::{KEY, SECRET};
use reqwest::{Client, StatusCode};
use sethealth_emulator::{Emulator, Fault};

/// Sends a valid token request and returns the client's error. Panics on a response.
async fn expect_transport_error(client: &Client, emulator: &Emulator) -> reqwest::Error {
    let result = client
        .post(format!("{}/token", emulator.url()))
        .header("content-type", "application/json")
        .body(common::minimal_body())
        .send()
        .await;
    match result {
        Ok(response) => match response.bytes().await {
            Ok(body) => panic!("expected a transport error, got a complete body {body:?}"),
            Err(error) => error,
        },
        Err(error) => error,
    }
}

#[tokio::test]
async fn status_fault_applies_to_next_count_requests() {
    let emulator = common::start().await;
    let client = common::client(&emulator);
    emulator.inject(
        Fault::Status {
            status: 503,
            retry_after: Some("1".into()),
            body: None,
        },
        2,
    );

    for attempt in 1..=2 {
        let response = common::post_token(&client, &emulator, &common::minimal_body()).await;
        assert_eq!(
            response.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "attempt {attempt}"
        );
        assert_eq!(response.headers()["retry-after"], "1", "attempt {attempt}");
        let json = common::json_body(response).await;
        assert_eq!(json["error"], "injected_fault", "attempt {attempt}");
    }
    let response = common::post_token(&client, &emulator, &common::minimal_body()).await;
    assert_eq!(response.status(), StatusCode::OK);

    let stats = emulator.stats();
    assert_eq!(stats.requests, 3);
    assert_eq!(stats.faults_applied, 2);
    assert_eq!(stats.tokens_issued, 1);
    assert_eq!(stats.by_status.get(&503), Some(&2));
    assert_eq!(stats.by_status.get(&200), Some(&1));
    assert_eq!(emulator.requests().len(), 3);
}

#[tokio::test]
async fn status_fault_sends_given_body() {
    let emulator = common::start().await;
    let client = common::client(&emulator);
    emulator.inject(
        Fault::Status {
            status: 500,
            retry_after: None,
            body: Some(r#"{"oops":true}"#.into()),
        },
        1,
    );
    emulator.inject(
        Fault::Status {
            status: 429,
            retry_after: None,
            body: Some("slow down".into()),
        },
        1,
    );

    let response = common::post_token(&client, &emulator, &common::minimal_body()).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert!(response.headers().get("retry-after").is_none());
    assert_eq!(response.text().await.unwrap(), r#"{"oops":true}"#);

    let response = common::post_token(&client, &emulator, &common::minimal_body()).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(response.text().await.unwrap(), "slow down");
}

#[tokio::test]
async fn status_fault_replaces_validation() {
    let emulator = common::start().await;
    let client = common::client(&emulator);
    emulator.inject(
        Fault::Status {
            status: 502,
            retry_after: None,
            body: None,
        },
        1,
    );

    let response = client
        .get(format!("{}/token", emulator.url()))
        .send()
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
}

#[tokio::test]
async fn faults_apply_in_queue_order() {
    let emulator = common::start().await;
    let client = common::client(&emulator);
    emulator.inject(Fault::NoToken, 1);
    emulator.inject(Fault::MalformedJson, 1);
    emulator.inject(Fault::NoToken, 0);

    let first = common::post_token(&client, &emulator, &common::minimal_body()).await;
    assert_eq!(first.text().await.unwrap(), r#"{"access":"x"}"#);
    let second = common::post_token(&client, &emulator, &common::minimal_body()).await;
    assert_eq!(second.text().await.unwrap(), r#"{"token": "#);
    let third = common::post_token(&client, &emulator, &common::minimal_body()).await;
    assert_eq!(third.status(), StatusCode::OK);
    assert!(common::json_body(third).await["token"].is_string());
}

#[tokio::test]
async fn delay_fault_responds_after_delay() {
    let emulator = common::start().await;
    let client = common::client(&emulator);
    emulator.inject(Fault::Delay(Duration::from_millis(300)), 1);

    let started = Instant::now();
    let response = common::post_token(&client, &emulator, &common::minimal_body()).await;
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    let token = common::token_from(response).await;
    assert!(emulator.verify_token(&token).is_ok());

    let stats = emulator.stats();
    assert_eq!(stats.faults_applied, 1);
    assert_eq!(stats.tokens_issued, 1);
}

#[tokio::test]
async fn delay_fault_still_checks_credentials() {
    let emulator = common::start().await;
    let client = common::client(&emulator);
    emulator.inject(Fault::Delay(Duration::from_millis(10)), 1);
    let body = serde_json::json!({ "id": KEY, "secret": "wrong" }).to_string();

    let response = common::post_token(&client, &emulator, &body).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(emulator.stats().rejections, 1);
}

#[tokio::test]
async fn stall_fault_never_responds() {
    let emulator = common::start().await;
    emulator.inject(Fault::Stall, 2);

    for client in [common::client(&emulator), common::http1_client(&emulator)] {
        let result = client
            .post(format!("{}/token", emulator.url()))
            .header("content-type", "application/json")
            .timeout(Duration::from_millis(500))
            .body(common::minimal_body())
            .send()
            .await;
        let error = result.expect_err("a stalled request must time out");
        assert!(error.is_timeout(), "{error:?}");
    }

    let client = common::client(&emulator);
    let response = common::post_token(&client, &emulator, &common::minimal_body()).await;
    assert_eq!(response.status(), StatusCode::OK);

    let stats = emulator.stats();
    assert_eq!(stats.requests, 3);
    assert_eq!(stats.faults_applied, 2);
    assert_eq!(stats.by_status.values().sum::<u64>(), 1);
    assert_eq!(emulator.requests()[0].body, common::minimal_body());
}

#[tokio::test]
async fn stall_fault_does_not_block_shutdown() {
    let emulator = common::start().await;
    emulator.inject(Fault::Stall, 1);
    let client = common::client(&emulator);
    let url = format!("{}/token", emulator.url());
    let request = tokio::spawn(async move {
        client
            .post(url)
            .header("content-type", "application/json")
            .body(common::minimal_body())
            .send()
            .await
    });

    let deadline = Instant::now() + Duration::from_secs(30);
    while emulator.stats().requests == 0 {
        assert!(Instant::now() < deadline, "the stalled request never arrived");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::timeout(Duration::from_secs(30), emulator.shutdown())
        .await
        .expect("shutdown finishes while a request is stalled");

    let result = request.await.expect("request task finishes");
    let error = result.expect_err("the stalled request gets no response");
    assert!(!error.is_timeout(), "{error:?}");
}

#[tokio::test]
async fn close_before_response_fault_drops_connection() {
    let emulator = common::start().await;
    emulator.inject(Fault::CloseBeforeResponse, 2);

    for client in [common::client(&emulator), common::http1_client(&emulator)] {
        let error = expect_transport_error(&client, &emulator).await;
        assert!(!error.is_timeout(), "{error:?}");
        assert!(error.status().is_none(), "{error:?}");
    }

    let client = common::client(&emulator);
    let response = common::post_token(&client, &emulator, &common::minimal_body()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let stats = emulator.stats();
    assert_eq!(stats.requests, 3);
    assert_eq!(stats.by_status.values().sum::<u64>(), 1);
}

#[tokio::test]
async fn close_mid_response_fault_truncates_body() {
    let emulator = common::start().await;
    emulator.inject(Fault::CloseMidResponse, 2);

    for client in [common::client(&emulator), common::http1_client(&emulator)] {
        let response = client
            .post(format!("{}/token", emulator.url()))
            .header("content-type", "application/json")
            .body(common::minimal_body())
            .send()
            .await
            .expect("status line and headers arrive");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.content_length(), Some(1024));
        let error = response.bytes().await.expect_err("the body is cut short");
        assert!(error.is_body() || error.is_decode(), "{error:?}");
    }
    assert_eq!(emulator.stats().tokens_issued, 0);
}

#[tokio::test]
async fn malformed_json_fault_truncates_json() {
    let emulator = common::start().await;
    let client = common::client(&emulator);
    emulator.inject(Fault::MalformedJson, 1);

    let response = common::post_token(&client, &emulator, &common::minimal_body()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    let text = response.text().await.unwrap();
    assert_eq!(text, r#"{"token": "#);
    assert!(serde_json::from_str::<serde_json::Value>(&text).is_err());
}

#[tokio::test]
async fn no_token_fault_omits_token() {
    let emulator = common::start().await;
    let client = common::client(&emulator);
    emulator.inject(Fault::NoToken, 1);

    let response = common::post_token(&client, &emulator, &common::minimal_body()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let json = common::json_body(response).await;
    assert_eq!(json, serde_json::json!({ "access": "x" }));
    assert_eq!(emulator.stats().tokens_issued, 0);
}

#[tokio::test]
async fn oversized_fault_sends_exact_size() {
    let emulator = common::start().await;
    let client = common::client(&emulator);
    emulator.inject(Fault::Oversized(70_000), 1);

    let response = common::post_token(&client, &emulator, &common::minimal_body()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.content_length(), Some(70_000));
    let body = response.bytes().await.unwrap();
    assert_eq!(body.len(), 70_000);
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert!(json["token"].is_string());
}

#[tokio::test]
async fn redirect_fault_sends_location() {
    let emulator = common::start().await;
    let client = common::client_builder(&emulator)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let location = format!("{}/elsewhere", emulator.url());
    emulator.inject(
        Fault::Redirect {
            status: 307,
            location: location.clone(),
        },
        1,
    );

    let response = common::post_token(&client, &emulator, &common::minimal_body()).await;
    assert_eq!(response.status(), StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(response.headers()["location"], location.as_str());
    assert_eq!(emulator.stats().by_status.get(&307), Some(&1));
}

#[tokio::test]
async fn lifetime_fault_overrides_expires_in() {
    let emulator = common::start().await;
    let client = common::client(&emulator);
    emulator.inject(Fault::Lifetime(Duration::from_secs(5)), 1);

    let body = common::full_body(false, 300_000_000_000, "");
    let token = common::token_from(common::post_token(&client, &emulator, &body).await).await;
    let claims = emulator.verify_token(&token).unwrap();
    assert_eq!(claims.exp - claims.iat, 5);

    let token = common::token_from(common::post_token(&client, &emulator, &body).await).await;
    let claims = emulator.verify_token(&token).unwrap();
    assert_eq!(claims.exp - claims.iat, 300);
}

#[tokio::test]
async fn fault_requests_recorded_with_secret_check() {
    let emulator = common::start().await;
    let client = common::client(&emulator);
    emulator.inject(Fault::NoToken, 2);
    let wrong = serde_json::json!({ "id": KEY, "secret": "nope" }).to_string();

    common::post_token(&client, &emulator, &common::minimal_body()).await;
    common::post_token(&client, &emulator, &wrong).await;

    let recorded = emulator.requests();
    assert_eq!(recorded.len(), 2);
    assert!(recorded[0].secret_ok);
    assert!(recorded[0].body.contains(SECRET));
    assert!(!recorded[1].secret_ok);
    assert_eq!(recorded[1].body, wrong);
}

#[tokio::test]
async fn reset_clears_queued_faults() {
    let emulator = common::start().await;
    let client = common::client(&emulator);
    emulator.inject(Fault::Stall, 5);
    emulator.reset();

    let response = common::post_token(&client, &emulator, &common::minimal_body()).await;
    assert_eq!(response.status(), StatusCode::OK);
}
