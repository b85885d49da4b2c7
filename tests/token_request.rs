//! The request on the wire and the token it returns, against the emulator.

mod common;

use std::time::{Duration, SystemTime};

use common::{KEY, SECRET, emulator, uncached_client};
use sethealth::{ExpirySource, TokenOptions};

#[tokio::test]
async fn default_options_send_all_five_members() {
    let emulator = emulator().await;
    let client = uncached_client(&emulator);

    let token = client.get_token(&TokenOptions::default()).await.unwrap();

    let requests = emulator.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/token");
    assert_eq!(request.headers["content-type"], "application/json; charset=utf-8");
    assert_eq!(
        request.body,
        format!(r#"{{"id":"{KEY}","secret":"{SECRET}","test-mode":false,"expires-in":0,"user-id":""}}"#)
    );
    let claims = emulator.verify_token(token.as_str()).unwrap();
    assert_eq!(claims.sa, KEY);
    assert!(!claims.test);
}

#[tokio::test]
async fn every_option_reaches_the_wire() {
    let emulator = emulator().await;
    let client = uncached_client(&emulator);
    let mut options = TokenOptions::default();
    options.user_id = Some("patient-42".into());
    options.expires_in = Some(Duration::from_secs(30 * 60));
    options.test_mode = true;

    let token = client.get_token(&options).await.unwrap();

    let body: serde_json::Value = serde_json::from_str(&emulator.requests()[0].body).unwrap();
    assert_eq!(body["user-id"], "patient-42");
    assert_eq!(body["expires-in"], 1_800_000_000_000_i64);
    assert_eq!(body["test-mode"], true);
    let claims = emulator.verify_token(token.as_str()).unwrap();
    assert_eq!(claims.sub, "patient-42");
    assert!(claims.test);
    assert_eq!(claims.exp - claims.iat, 1800);
}

#[tokio::test]
async fn each_option_alone_reaches_the_wire() {
    let emulator = emulator().await;
    let client = uncached_client(&emulator);

    let mut user = TokenOptions::default();
    user.user_id = Some("only-user".into());
    let mut lifetime = TokenOptions::default();
    lifetime.expires_in = Some(Duration::from_millis(90_500));
    let mut test_mode = TokenOptions::default();
    test_mode.test_mode = true;

    for options in [&user, &lifetime, &test_mode] {
        client.get_token(options).await.unwrap();
    }

    let bodies: Vec<serde_json::Value> = emulator
        .requests()
        .iter()
        .map(|request| serde_json::from_str(&request.body).unwrap())
        .collect();
    assert_eq!(bodies[0]["user-id"], "only-user");
    assert_eq!(bodies[0]["expires-in"], 0);
    assert_eq!(bodies[1]["expires-in"], 90_500_000_000_i64);
    assert_eq!(bodies[1]["user-id"], "");
    assert_eq!(bodies[2]["test-mode"], true);
    assert_eq!(bodies[2]["user-id"], "");
}

#[tokio::test]
async fn user_agent_names_the_core_and_binding() {
    let emulator = emulator().await;
    let client = common::builder(&emulator)
        .user_agent_suffix("go/1.26")
        .build()
        .unwrap();

    client.get_token(&TokenOptions::default()).await.unwrap();

    let agent = &emulator.requests()[0].headers["user-agent"];
    assert_eq!(agent, &format!("sethealth-core/{} go/1.26", sethealth::VERSION));
}

#[tokio::test]
async fn expiry_comes_from_the_token_claim() {
    let emulator = emulator().await;
    let client = uncached_client(&emulator);
    let mut options = TokenOptions::default();
    options.expires_in = Some(Duration::from_secs(600));

    let token = client.get_token(&options).await.unwrap();

    assert_eq!(token.expiry_source(), ExpirySource::Claim);
    let left = token
        .expires_at()
        .unwrap()
        .duration_since(SystemTime::now())
        .unwrap();
    assert!(
        left > Duration::from_secs(590) && left <= Duration::from_secs(601),
        "{left:?}"
    );
}

#[tokio::test]
async fn blocking_inside_runtime_rejected() {
    let emulator = emulator().await;
    let client = uncached_client(&emulator);

    let error = client
        .get_token_blocking(&TokenOptions::default(), None)
        .unwrap_err();

    assert_eq!(error.kind(), sethealth::ErrorKind::InvalidArgument);
    assert!(error.message().contains("get_token().await"), "{error}");
}

#[test]
fn blocking_call_mints_a_token() {
    let setup = tokio::runtime::Runtime::new().unwrap();
    let emulator = setup.block_on(emulator());
    let client = uncached_client(&emulator);

    let token = client.get_token_blocking(&TokenOptions::default(), None).unwrap();

    assert!(emulator.verify_token(token.as_str()).is_ok());
    drop(emulator);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_concurrent_calls_on_one_client_succeed() {
    let emulator = emulator().await;
    let client = uncached_client(&emulator);

    let mut calls = Vec::new();
    for index in 0..64 {
        let client = client.clone();
        calls.push(tokio::spawn(async move {
            let mut options = TokenOptions::default();
            options.user_id = Some(format!("user-{index}"));
            client.get_token(&options).await
        }));
    }

    for call in calls {
        let token = call.await.unwrap().unwrap();
        assert!(emulator.verify_token(token.as_str()).is_ok());
    }
    assert_eq!(emulator.stats().tokens_issued, 64);
}
