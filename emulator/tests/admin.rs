//! The `/_emulator/` admin endpoints that tests in other languages use over HTTP.

mod common;

use common::{KEY, SECRET};
use reqwest::{Client, StatusCode};
use sethealth_emulator::{Emulator, REDACTED};

async fn get_json(client: &Client, emulator: &Emulator, route: &str) -> serde_json::Value {
    let response = client
        .get(format!("{}/_emulator/{route}", emulator.url()))
        .send()
        .await
        .expect("admin response");
    assert_eq!(response.status(), StatusCode::OK, "GET {route}");
    common::json_body(response).await
}

async fn post_admin(client: &Client, emulator: &Emulator, route: &str, body: &str) -> reqwest::Response {
    client
        .post(format!("{}/_emulator/{route}", emulator.url()))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("admin response")
}

#[tokio::test]
async fn health_returns_ok() {
    let emulator = common::start().await;
    let client = common::client(&emulator);

    let json = get_json(&client, &emulator, "health").await;
    assert_eq!(json["status"], "ok");
}

#[tokio::test]
async fn stats_match_library_counters() {
    let emulator = common::start().await;
    let client = common::client(&emulator);
    let wrong = serde_json::json!({ "id": KEY, "secret": "wrong" }).to_string();
    common::post_token(&client, &emulator, &common::minimal_body()).await;
    common::post_token(&client, &emulator, &wrong).await;
    common::post_token(&client, &emulator, "{").await;

    let json = get_json(&client, &emulator, "stats").await;
    assert_eq!(json["requests"], 3);
    assert_eq!(json["tokens_issued"], 1);
    assert_eq!(json["rejections"], 1);
    assert_eq!(json["faults_applied"], 0);
    assert_eq!(
        json["by_status"],
        serde_json::json!({ "200": 1, "400": 1, "401": 1 })
    );
    assert_eq!(json, serde_json::to_value(emulator.stats()).unwrap());
}

#[tokio::test]
async fn admin_requests_not_counted() {
    let emulator = common::start().await;
    let client = common::client(&emulator);

    get_json(&client, &emulator, "health").await;
    get_json(&client, &emulator, "stats").await;
    get_json(&client, &emulator, "requests").await;

    assert_eq!(emulator.stats().requests, 0);
    assert!(emulator.requests().is_empty());
}

#[tokio::test]
async fn requests_show_body_with_secret_redacted() {
    let emulator = common::start().await;
    let client = common::client(&emulator);
    let body = common::full_body(true, 5_000_000_000, "u1");
    let wrong = serde_json::json!({ "id": KEY, "secret": "wrong" }).to_string();
    common::post_token(&client, &emulator, &body).await;
    common::post_token(&client, &emulator, &wrong).await;
    common::post_token(&client, &emulator, "secret=not-json").await;

    let json = get_json(&client, &emulator, "requests").await;
    let shown = json.as_array().expect("requests are a JSON array");
    assert_eq!(shown.len(), 3);
    assert!(!json.to_string().contains(SECRET), "{json}");
    assert!(!json.to_string().contains("not-json"), "{json}");

    assert_eq!(shown[0]["method"], "POST");
    assert_eq!(shown[0]["path"], "/token");
    assert_eq!(
        shown[0]["headers"]["content-type"],
        "application/json; charset=utf-8"
    );
    assert_eq!(
        shown[0]["body"],
        body.replace(&format!("\"{SECRET}\""), &format!("\"{REDACTED}\""))
    );
    assert_eq!(shown[0]["secret_ok"], true);
    assert_eq!(shown[1]["secret_ok"], false);
    let hidden = shown[2]["body"].as_str().unwrap();
    assert!(hidden.contains("bytes hidden"), "{hidden}");

    assert_eq!(emulator.requests()[0].body, body);
}

#[tokio::test]
async fn faults_endpoint_queues_single_and_array() {
    let emulator = common::start().await;
    let client = common::client(&emulator);

    let response = post_admin(
        &client,
        &emulator,
        "faults",
        r#"{"kind":"status","status":503,"retry_after":"2","count":2}"#,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let json = common::json_body(response).await;
    assert_eq!(json["queued"], 1);
    assert_eq!(json["pending_requests"], 2);

    let response = post_admin(
        &client,
        &emulator,
        "faults",
        r#"[{"kind":"no_token"},{"kind":"lifetime","seconds":7}]"#,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(common::json_body(response).await["pending_requests"], 4);

    let queued = get_json(&client, &emulator, "faults").await;
    assert_eq!(
        queued,
        serde_json::json!([
            { "kind": "status", "status": 503, "retry_after": "2", "count": 2 },
            { "kind": "no_token", "count": 1 },
            { "kind": "lifetime", "seconds": 7, "count": 1 },
        ])
    );

    for _ in 0..2 {
        let response = common::post_token(&client, &emulator, &common::minimal_body()).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()["retry-after"], "2");
    }
    let response = common::post_token(&client, &emulator, &common::minimal_body()).await;
    assert_eq!(
        common::json_body(response).await,
        serde_json::json!({ "access": "x" })
    );
    let response = common::post_token(&client, &emulator, &common::minimal_body()).await;
    let token = common::token_from(response).await;
    let claims = emulator.verify_token(&token).unwrap();
    assert_eq!(claims.exp - claims.iat, 7);
}

#[tokio::test]
async fn faults_endpoint_rejects_invalid_fault() {
    let emulator = common::start().await;
    let client = common::client(&emulator);

    for body in [
        r#"{"kind":"explode"}"#,
        r#"{"kind":"status"}"#,
        r#"{"kind":"status","status":700}"#,
        r#"{"kind":"delay","millis":5}"#,
        r#"{"kind":"stall","count":0}"#,
        "not json",
    ] {
        let response = post_admin(&client, &emulator, "faults", body).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        let json = common::json_body(response).await;
        assert_eq!(json["error"], "invalid_fault", "{body}");
        assert!(
            json["message"]
                .as_str()
                .is_some_and(|message| !message.is_empty())
        );
    }
    assert_eq!(
        get_json(&client, &emulator, "faults").await,
        serde_json::json!([])
    );
}

#[tokio::test]
async fn reset_endpoint_clears_everything() {
    let emulator = common::start().await;
    let client = common::client(&emulator);
    common::post_token(&client, &emulator, &common::minimal_body()).await;
    post_admin(&client, &emulator, "faults", r#"{"kind":"stall","count":3}"#).await;

    let response = post_admin(&client, &emulator, "reset", "").await;
    assert_eq!(response.status(), StatusCode::OK);

    assert_eq!(emulator.stats(), Default::default());
    assert!(emulator.requests().is_empty());
    assert_eq!(
        get_json(&client, &emulator, "faults").await,
        serde_json::json!([])
    );
    let response = common::post_token(&client, &emulator, &common::minimal_body()).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn admin_wrong_method_rejected_with_405() {
    let emulator = common::start().await;
    let client = common::client(&emulator);
    let cases = [
        (reqwest::Method::POST, "health", "GET"),
        (reqwest::Method::POST, "stats", "GET"),
        (reqwest::Method::DELETE, "requests", "GET"),
        (reqwest::Method::PUT, "faults", "GET, POST"),
        (reqwest::Method::GET, "reset", "POST"),
    ];

    for (method, route, allowed) in cases {
        let response = client
            .request(method.clone(), format!("{}/_emulator/{route}", emulator.url()))
            .send()
            .await
            .expect("admin response");
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {route}"
        );
        assert_eq!(response.headers()["allow"], allowed, "{method} {route}");
    }
}

#[tokio::test]
async fn admin_unknown_route_rejected_with_404() {
    let emulator = common::start().await;
    let client = common::client(&emulator);

    let response = client
        .get(format!("{}/_emulator/metrics", emulator.url()))
        .send()
        .await
        .expect("admin response");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
