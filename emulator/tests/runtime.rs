//! Starting and stopping the emulator on current-thread and multi-thread runtimes.

mod common;

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use sethealth_emulator::{Account, Config, Emulator, Fault};
use tokio::net::TcpStream;

#[tokio::test(flavor = "current_thread")]
async fn current_thread_runtime_serves_requests() {
    let emulator = common::start().await;
    let client = common::client(&emulator);

    let response = common::post_token(&client, &emulator, &common::minimal_body()).await;
    assert_eq!(response.status(), StatusCode::OK);
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_thread_runtime_serves_concurrent_requests() {
    let emulator = common::start().await;
    let client = common::client(&emulator);
    let url = format!("{}/token", emulator.url());

    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let client = client.clone();
        let url = url.clone();
        requests.spawn(async move {
            client
                .post(url)
                .header("content-type", "application/json")
                .body(common::minimal_body())
                .send()
                .await
                .expect("response")
                .status()
        });
    }
    while let Some(status) = requests.join_next().await {
        assert_eq!(status.unwrap(), StatusCode::OK);
    }
    assert_eq!(emulator.stats().tokens_issued, 20);
    emulator.shutdown().await;
}

#[tokio::test]
async fn shutdown_refuses_new_connections() {
    let emulator = common::start().await;
    let addr = emulator.addr();
    TcpStream::connect(addr)
        .await
        .expect("listener accepts before shutdown");

    emulator.shutdown().await;
    let result = TcpStream::connect(addr).await;
    assert!(result.is_err(), "listener still accepts after shutdown");
}

#[tokio::test]
async fn drop_stops_listener() {
    let emulator = common::start().await;
    let addr = emulator.addr();
    drop(emulator);

    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if TcpStream::connect(addr).await.is_err() {
            break;
        }
        assert!(Instant::now() < deadline, "listener still accepts after drop");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "current_thread")]
async fn shutdown_with_stalled_request_on_current_thread() {
    let emulator = common::start().await;
    emulator.inject(Fault::Stall, 1);
    let client = common::http1_client(&emulator);
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
    assert!(request.await.unwrap().is_err());
}

#[tokio::test]
async fn conflicting_accounts_rejected_at_start() {
    let config = Config {
        accounts: vec![Account::new("sa_1", "one"), Account::new("sa_1", "two")],
        ..Config::default()
    };

    let error = Emulator::start(config).await.expect_err("start must fail");
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    assert!(error.to_string().contains("sa_1"), "{error}");
    assert!(!error.to_string().contains("two"), "{error}");
}

#[tokio::test]
async fn start_fails_on_port_in_use() {
    let emulator = common::start().await;
    let config = Config {
        port: emulator.addr().port(),
        ..Config::default()
    };

    let error = Emulator::start(config).await.expect_err("start must fail");
    assert_eq!(error.kind(), std::io::ErrorKind::AddrInUse);
}

#[tokio::test(flavor = "current_thread")]
async fn shutdown_leaves_no_tasks_running() {
    let metrics = tokio::runtime::Handle::current().metrics();
    let emulator = common::start().await;
    let faults = [
        Fault::Stall,
        Fault::CloseBeforeResponse,
        Fault::CloseMidResponse,
        Fault::Delay(Duration::from_secs(3600)),
    ];

    for fault in faults {
        for http1 in [false, true] {
            emulator.inject(fault.clone(), 1);
            let builder = common::client_builder(&emulator).timeout(Duration::from_millis(300));
            let client = if http1 {
                builder.http1_only().build().unwrap()
            } else {
                builder.build().unwrap()
            };
            let result = client
                .post(format!("{}/token", emulator.url()))
                .header("content-type", "application/json")
                .body(common::minimal_body())
                .send()
                .await;
            if let Ok(response) = result {
                assert!(
                    response.bytes().await.is_err(),
                    "{fault:?}, HTTP/1.1 only: {http1}"
                );
            }
        }
    }
    tokio::time::timeout(Duration::from_secs(30), emulator.shutdown())
        .await
        .expect("shutdown finishes");

    let deadline = Instant::now() + Duration::from_secs(30);
    while metrics.num_alive_tasks() > 0 {
        assert!(
            Instant::now() < deadline,
            "{} tasks still running after shutdown",
            metrics.num_alive_tasks()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
