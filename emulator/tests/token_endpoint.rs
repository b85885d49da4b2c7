//! `POST /token` over real HTTPS: successful requests, their tokens and the checks that
//! reject bad requests, in the documented order.

mod common;

use std::time::Duration;

use common::{KEY, SECRET};
use reqwest::{StatusCode, Version};
use sethealth_emulator::{Account, Config, ISSUER, MAX_BODY_BYTES};

#[tokio::test]
async fn token_issued_for_full_body() {
    let emulator = common::start().await;
    let client = common::client(&emulator);
    let body = common::full_body(true, 300_000_000_000, "user-42");

    let response = common::post_token(&client, &emulator, &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let json = common::json_body(response).await;
    assert_eq!(json["type"], "bearer");

    let token = json["token"].as_str().expect("token is a string");
    let claims = emulator.verify_token(token).expect("token verifies");
    assert_eq!(claims.iss, ISSUER);
    assert_eq!(claims.sub, "user-42");
    assert_eq!(claims.sa, KEY);
    assert!(claims.test);
    assert_eq!(claims.exp - claims.iat, 300);

    let recorded = emulator.requests();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].method, "POST");
    assert_eq!(recorded[0].path, "/token");
    assert_eq!(recorded[0].body, body);
    assert_eq!(
        recorded[0].headers["content-type"],
        "application/json; charset=utf-8"
    );
    assert_eq!(
        recorded[0].headers["host"],
        emulator.url().trim_start_matches("https://")
    );
    assert!(recorded[0].secret_ok);
}

#[tokio::test]
async fn token_issued_for_id_and_secret_only() {
    let emulator = common::start().await;
    let client = common::client(&emulator);

    let token =
        common::token_from(common::post_token(&client, &emulator, &common::minimal_body()).await).await;
    let claims = emulator.verify_token(&token).expect("token verifies");
    assert_eq!(claims.sub, KEY);
    assert_eq!(claims.sa, KEY);
    assert!(!claims.test);
    assert_eq!(claims.exp - claims.iat, 3600);
}

#[tokio::test]
async fn empty_user_id_uses_key_as_subject() {
    let emulator = common::start().await;
    let client = common::client(&emulator);

    let token =
        common::token_from(common::post_token(&client, &emulator, &common::full_body(false, 0, "")).await)
            .await;
    let claims = emulator.verify_token(&token).expect("token verifies");
    assert_eq!(claims.sub, KEY);
    assert_eq!(claims.exp - claims.iat, 3600);
}

#[tokio::test]
async fn expires_in_rounds_to_whole_seconds() {
    let emulator = common::start().await;
    let client = common::client(&emulator);
    let cases = [
        (1, 1),
        (400_000_000, 1),
        (1_499_999_999, 1),
        (1_500_000_000, 2),
        (90_000_000_000, 90),
    ];
    for (nanos, seconds) in cases {
        let body = common::full_body(false, nanos, "");
        let token = common::token_from(common::post_token(&client, &emulator, &body).await).await;
        let claims = emulator.verify_token(&token).expect("token verifies");
        assert_eq!(claims.exp - claims.iat, seconds, "expires-in {nanos} ns");
    }
}

#[tokio::test]
async fn default_lifetime_applies_without_expires_in() {
    let emulator = common::start_with(Config {
        default_lifetime: Duration::from_secs(90),
        ..Config::with_account(KEY, SECRET)
    })
    .await;
    let client = common::client(&emulator);

    let token =
        common::token_from(common::post_token(&client, &emulator, &common::minimal_body()).await).await;
    let claims = emulator.verify_token(&token).expect("token verifies");
    assert_eq!(claims.exp - claims.iat, 90);
}

#[tokio::test]
async fn tokens_differ_between_requests() {
    let emulator = common::start().await;
    let client = common::client(&emulator);

    let first =
        common::token_from(common::post_token(&client, &emulator, &common::minimal_body()).await).await;
    let second =
        common::token_from(common::post_token(&client, &emulator, &common::minimal_body()).await).await;
    assert_ne!(first, second);
    assert_eq!(emulator.stats().tokens_issued, 2);
}

#[tokio::test]
async fn verify_token_rejects_other_emulators_tokens() {
    let emulator = common::start().await;
    let other = common::start().await;
    let client = common::client(&other);

    let token = common::token_from(common::post_token(&client, &other, &common::minimal_body()).await).await;
    assert!(other.verify_token(&token).is_ok());
    assert!(emulator.verify_token(&token).is_err());
    assert!(emulator.verify_token("a.b.c").is_err());
}

#[tokio::test]
async fn any_configured_account_is_accepted() {
    let emulator = common::start_with(Config {
        accounts: vec![Account::new("sa_a", "one"), Account::new("sa_b", "two:three")],
        ..Config::default()
    })
    .await;
    let client = common::client(&emulator);

    for (key, secret) in [("sa_a", "one"), ("sa_b", "two:three")] {
        let body = serde_json::json!({ "id": key, "secret": secret }).to_string();
        let token = common::token_from(common::post_token(&client, &emulator, &body).await).await;
        assert_eq!(emulator.verify_token(&token).unwrap().sa, key);
    }
}

#[tokio::test]
async fn wrong_secret_and_unknown_id_rejected_with_401() {
    let emulator = common::start().await;
    let client = common::client(&emulator);
    let bodies = [
        serde_json::json!({ "id": KEY, "secret": "wrong=" }),
        serde_json::json!({ "id": KEY, "secret": format!("{SECRET}x") }),
        serde_json::json!({ "id": KEY, "secret": "" }),
        serde_json::json!({ "id": "sa_unknown", "secret": SECRET }),
    ];

    for body in &bodies {
        let response = common::post_token(&client, &emulator, &body.to_string()).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{body}");
        let json = common::json_body(response).await;
        assert_eq!(json["error"], "invalid_credentials", "{body}");
        assert!(!json.to_string().contains(SECRET), "{json}");
    }

    let stats = emulator.stats();
    assert_eq!(stats.rejections, 4);
    assert_eq!(stats.by_status.get(&401), Some(&4));
    assert_eq!(stats.tokens_issued, 0);
    assert!(emulator.requests().iter().all(|request| !request.secret_ok));
}

#[tokio::test]
async fn no_accounts_rejects_every_request() {
    let emulator = common::start_with(Config::default()).await;
    let client = common::client(&emulator);

    let response = common::post_token(&client, &emulator, &common::minimal_body()).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn invalid_members_rejected_with_400() {
    let emulator = common::start().await;
    let client = common::client(&emulator);
    let cases = [
        (serde_json::json!({ "secret": SECRET }), "id"),
        (serde_json::json!({ "key": KEY, "secret": SECRET }), "id"),
        (serde_json::json!({ "id": 42, "secret": SECRET }), "id"),
        (serde_json::json!({ "id": KEY }), "secret"),
        (serde_json::json!({ "id": KEY, "secret": 7 }), "secret"),
        (
            serde_json::json!({ "id": KEY, "secret": SECRET, "test-mode": "yes" }),
            "test-mode",
        ),
        (
            serde_json::json!({ "id": KEY, "secret": SECRET, "test-mode": null }),
            "test-mode",
        ),
        (
            serde_json::json!({ "id": KEY, "secret": SECRET, "expires-in": -5 }),
            "expires-in",
        ),
        (
            serde_json::json!({ "id": KEY, "secret": SECRET, "expires-in": 2.5 }),
            "expires-in",
        ),
        (
            serde_json::json!({ "id": KEY, "secret": SECRET, "expires-in": "1h" }),
            "expires-in",
        ),
        (
            serde_json::json!({ "id": KEY, "secret": SECRET, "user-id": 9 }),
            "user-id",
        ),
        (
            serde_json::json!({ "id": KEY, "secret": SECRET, "user-id": ["u"] }),
            "user-id",
        ),
    ];

    for (body, member) in &cases {
        let response = common::post_token(&client, &emulator, &body.to_string()).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        let json = common::json_body(response).await;
        assert_eq!(json["error"], "invalid_request", "{body}");
        assert_eq!(json["member"], *member, "{body}");
        let message = json["message"].as_str().expect("message is a string");
        assert!(message.contains(&format!("`{member}`")), "{body}: {message}");
    }
    assert_eq!(emulator.stats().by_status.get(&400), Some(&(cases.len() as u64)));
}

#[tokio::test]
async fn malformed_bodies_rejected_with_400() {
    let emulator = common::start().await;
    let client = common::client(&emulator);

    for body in ["", "{", "[1,2]", "\"text\"", "null", "{\"id\":\"a\",}"] {
        let response = common::post_token(&client, &emulator, body).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body:?}");
        let json = common::json_body(response).await;
        assert_eq!(json["error"], "invalid_request", "{body:?}");
        assert!(json.get("member").is_none(), "{body:?}: {json}");
    }
}

#[tokio::test]
async fn invalid_member_reported_before_credentials() {
    let emulator = common::start().await;
    let client = common::client(&emulator);
    let body = serde_json::json!({ "id": KEY, "secret": "wrong", "test-mode": 1 });

    let response = common::post_token(&client, &emulator, &body.to_string()).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn content_type_other_than_json_rejected_with_415() {
    let emulator = common::start().await;
    let client = common::client(&emulator);
    let url = format!("{}/token", emulator.url());

    for content_type in [
        Some("text/plain"),
        Some("application/jsonx"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut request = client.post(&url).body(common::minimal_body());
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = request.send().await.expect("response");
        assert_eq!(
            response.status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}"
        );
        let json = common::json_body(response).await;
        assert_eq!(json["error"], "unsupported_media_type", "{content_type:?}");
    }
}

#[tokio::test]
async fn content_type_parameters_and_case_accepted() {
    let emulator = common::start().await;
    let client = common::client(&emulator);
    let url = format!("{}/token", emulator.url());

    for content_type in [
        "application/json",
        "Application/JSON; Charset=UTF-8",
        "application/json;charset=utf-8",
    ] {
        let response = client
            .post(&url)
            .header("content-type", content_type)
            .body(common::minimal_body())
            .send()
            .await
            .expect("response");
        assert_eq!(response.status(), StatusCode::OK, "{content_type}");
    }
}

#[tokio::test]
async fn unknown_paths_rejected_with_404() {
    let emulator = common::start().await;
    let client = common::client(&emulator);

    for path in ["/", "/token/", "/v1/token", "/tokens", "/_emulator/nope"] {
        let response = client
            .post(format!("{}{path}", emulator.url()))
            .header("content-type", "application/json")
            .body(common::minimal_body())
            .send()
            .await
            .expect("response");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let json = common::json_body(response).await;
        assert_eq!(json["error"], "not_found", "{path}");
    }
    assert_eq!(emulator.stats().requests, 0);
}

#[tokio::test]
async fn query_string_ignored_on_token_path() {
    let emulator = common::start().await;
    let client = common::client(&emulator);

    let response = client
        .post(format!("{}/token?x=1", emulator.url()))
        .header("content-type", "application/json")
        .body(common::minimal_body())
        .send()
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(emulator.requests()[0].path, "/token");
}

#[tokio::test]
async fn methods_other_than_post_rejected_with_405() {
    let emulator = common::start().await;
    let client = common::client(&emulator);
    let url = format!("{}/token", emulator.url());

    for method in [
        reqwest::Method::GET,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
    ] {
        let response = client
            .request(method.clone(), &url)
            .header("content-type", "application/json")
            .body(common::minimal_body())
            .send()
            .await
            .expect("response");
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{method}");
        assert_eq!(response.headers()["allow"], "POST", "{method}");
    }
    let stats = emulator.stats();
    assert_eq!(stats.requests, 3);
    assert_eq!(stats.by_status.get(&405), Some(&3));
}

#[tokio::test]
async fn method_checked_before_content_type() {
    let emulator = common::start().await;
    let client = common::client(&emulator);

    let response = client
        .get(format!("{}/token", emulator.url()))
        .header("content-type", "text/plain")
        .send()
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn content_type_checked_before_body() {
    let emulator = common::start().await;
    let client = common::client(&emulator);

    let response = client
        .post(format!("{}/token", emulator.url()))
        .header("content-type", "text/plain")
        .body("x".repeat(MAX_BODY_BYTES + 1))
        .send()
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn body_over_64_kib_rejected_with_413() {
    let emulator = common::start().await;

    for client in [common::client(&emulator), common::http1_client(&emulator)] {
        let padding = "p".repeat(70 * 1024);
        let body = serde_json::json!({ "id": KEY, "secret": SECRET, "padding": padding });
        let response = common::post_token(&client, &emulator, &body.to_string()).await;
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let json = common::json_body(response).await;
        assert_eq!(json["error"], "payload_too_large");
    }

    let recorded = emulator.requests();
    assert_eq!(recorded[0].body.len(), MAX_BODY_BYTES);
}

#[tokio::test]
async fn body_of_exactly_64_kib_accepted() {
    let emulator = common::start().await;
    let client = common::client(&emulator);
    let empty = serde_json::json!({ "id": KEY, "secret": SECRET, "padding": "" }).to_string();
    let padding = "p".repeat(MAX_BODY_BYTES - empty.len());
    let body = serde_json::json!({ "id": KEY, "secret": SECRET, "padding": padding }).to_string();
    assert_eq!(body.len(), MAX_BODY_BYTES);

    let response = common::post_token(&client, &emulator, &body).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn http1_and_http2_both_served() {
    let emulator = common::start().await;

    let response = common::post_token(&common::client(&emulator), &emulator, &common::minimal_body()).await;
    assert_eq!(response.version(), Version::HTTP_2);
    assert_eq!(response.status(), StatusCode::OK);

    let response = common::post_token(
        &common::http1_client(&emulator),
        &emulator,
        &common::minimal_body(),
    )
    .await;
    assert_eq!(response.version(), Version::HTTP_11);
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn plain_http_when_tls_disabled() {
    let emulator = common::start_with(Config {
        tls: false,
        ..Config::with_account(KEY, SECRET)
    })
    .await;
    assert!(emulator.ca_pem().is_none());
    assert!(
        emulator.url().starts_with("http://127.0.0.1:"),
        "{}",
        emulator.url()
    );

    let client = common::client(&emulator);
    let token =
        common::token_from(common::post_token(&client, &emulator, &common::minimal_body()).await).await;
    assert!(emulator.verify_token(&token).is_ok());
}

#[tokio::test]
async fn url_matches_bound_address() {
    let emulator = common::start().await;
    let addr = emulator.addr();
    assert!(addr.ip().is_loopback());
    assert_ne!(addr.port(), 0);
    assert_eq!(emulator.url(), format!("https://127.0.0.1:{}", addr.port()));
}

#[tokio::test]
async fn ipv6_loopback_served_when_available() {
    let config = Config {
        bind: "::1".parse().unwrap(),
        ..Config::with_account(KEY, SECRET)
    };
    let emulator = match sethealth_emulator::Emulator::start(config).await {
        Ok(emulator) => emulator,
        Err(error) => {
            eprintln!("skipping: cannot bind ::1 on this machine: {error}");
            return;
        }
    };
    assert!(emulator.url().starts_with("https://[::1]:"), "{}", emulator.url());

    let client = common::client(&emulator);
    let response = common::post_token(&client, &emulator, &common::minimal_body()).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn localhost_name_matches_certificate() {
    let emulator = common::start().await;
    let client = common::client(&emulator);
    let url = format!("https://localhost:{}/token", emulator.addr().port());

    let result = client
        .post(url)
        .header("content-type", "application/json")
        .body(common::minimal_body())
        .send()
        .await;
    match result {
        Ok(response) => assert_eq!(response.status(), StatusCode::OK),
        // localhost may resolve to ::1 first where the emulator does not listen.
        Err(error) => assert!(error.is_connect(), "{error:?}"),
    }
}

#[tokio::test]
async fn untrusted_client_fails_tls_handshake() {
    let emulator = common::start().await;
    let other = common::start().await;
    let client = common::client(&other);

    let result = client
        .post(format!("{}/token", emulator.url()))
        .header("content-type", "application/json")
        .body(common::minimal_body())
        .send()
        .await;
    let error = result.expect_err("a client trusting another CA must fail");
    assert!(error.is_connect(), "{error:?}");
    assert_eq!(emulator.stats().requests, 0);
}
