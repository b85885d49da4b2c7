//! The token cache and single-flight: reuse until half-life, one upstream
//! request per key however many callers, and opt-outs.

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use common::emulator;
use sethealth::{CachePolicy, Client, ManualClock, TokenOptions};
use sethealth_emulator::Fault;

fn options_for(user: &str) -> TokenOptions {
    let mut options = TokenOptions::default();
    options.user_id = Some(user.into());
    options
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_cold_callers_make_one_request() {
    let emulator = emulator().await;
    emulator.inject(Fault::Delay(Duration::from_millis(200)), 1);
    let client = common::builder(&emulator).build().unwrap();

    let calls: Vec<_> = (0..100)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.get_token(&TokenOptions::default()).await })
        })
        .collect();
    let mut tokens = Vec::new();
    for call in calls {
        tokens.push(call.await.unwrap().unwrap().as_str().to_owned());
    }

    assert_eq!(emulator.stats().requests, 1);
    assert!(tokens.iter().all(|token| token == &tokens[0]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_callers_for_ten_users_make_ten_requests() {
    let emulator = emulator().await;
    emulator.inject(Fault::Delay(Duration::from_millis(100)), 10);
    let client = common::builder(&emulator).build().unwrap();

    let calls: Vec<_> = (0..100)
        .map(|index| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .get_token(&options_for(&format!("user-{}", index % 10)))
                    .await
            })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }

    assert_eq!(emulator.stats().requests, 10);
    assert_eq!(client.cached_tokens(), 10);
}

#[tokio::test]
async fn token_is_reused_until_half_life_then_refreshed() {
    let emulator = emulator().await;
    let clock = Arc::new(ManualClock::new(SystemTime::now()));
    let client = common::builder(&emulator)
        .clock(clock.clone())
        .cache(CachePolicy {
            min_remaining: Duration::ZERO,
            ..CachePolicy::default()
        })
        .build()
        .unwrap();
    let mut options = TokenOptions::default();
    options.expires_in = Some(Duration::from_secs(3600));

    let first = client.get_token(&options).await.unwrap();
    let lifetime = first
        .expires_at()
        .unwrap()
        .duration_since(first.issued_at())
        .unwrap();
    let half_life = first.issued_at() + lifetime / 2;

    clock.set(half_life - Duration::from_nanos(1));
    assert_eq!(client.get_token(&options).await.unwrap().as_str(), first.as_str());
    clock.set(half_life);
    assert_eq!(client.get_token(&options).await.unwrap().as_str(), first.as_str());
    assert_eq!(emulator.stats().requests, 1);

    clock.set(half_life + Duration::from_nanos(1));
    client.get_token(&options).await.unwrap();
    assert_eq!(emulator.stats().requests, 2);
}

#[tokio::test]
async fn expired_token_is_never_handed_out() {
    let emulator = emulator().await;
    let clock = Arc::new(ManualClock::new(SystemTime::now()));
    let client = common::builder(&emulator).clock(clock.clone()).build().unwrap();

    let first = client.get_token(&TokenOptions::default()).await.unwrap();
    clock.set(first.expires_at().unwrap() + Duration::from_secs(1));
    let second = client.get_token(&TokenOptions::default()).await.unwrap();

    assert_eq!(emulator.stats().requests, 2);
    assert_eq!(
        second.issued_at(),
        first.expires_at().unwrap() + Duration::from_secs(1)
    );
}

#[tokio::test]
async fn fresh_bypasses_and_replaces_the_entry() {
    let emulator = emulator().await;
    let client = common::builder(&emulator).build().unwrap();
    let mut fresh = TokenOptions::default();
    fresh.fresh = true;

    client.get_token(&TokenOptions::default()).await.unwrap();
    let replaced = client.get_token(&fresh).await.unwrap();
    let cached = client.get_token(&TokenOptions::default()).await.unwrap();

    assert_eq!(emulator.stats().requests, 2);
    assert_eq!(cached.as_str(), replaced.as_str());
}

#[tokio::test]
async fn invalidate_drops_one_entry() {
    let emulator = emulator().await;
    let client = common::builder(&emulator).build().unwrap();

    client.get_token(&options_for("a")).await.unwrap();
    client.get_token(&options_for("b")).await.unwrap();
    client.invalidate(&options_for("a"));
    client.get_token(&options_for("a")).await.unwrap();
    client.get_token(&options_for("b")).await.unwrap();

    assert_eq!(emulator.stats().requests, 3);
}

#[tokio::test]
async fn options_are_part_of_the_key() {
    let emulator = emulator().await;
    let client = common::builder(&emulator).build().unwrap();
    let mut test_mode = TokenOptions::default();
    test_mode.test_mode = true;
    let mut lifetime = TokenOptions::default();
    lifetime.expires_in = Some(Duration::from_secs(900));

    for options in [TokenOptions::default(), test_mode, lifetime, options_for("u")] {
        client.get_token(&options).await.unwrap();
        client.get_token(&options).await.unwrap();
    }

    assert_eq!(emulator.stats().requests, 4);
}

#[tokio::test]
async fn disabled_cache_always_goes_upstream() {
    let emulator = emulator().await;
    let client = common::uncached_client(&emulator);

    for _ in 0..3 {
        client.get_token(&TokenOptions::default()).await.unwrap();
    }

    assert_eq!(emulator.stats().requests, 3);
    assert_eq!(client.cached_tokens(), 0);
}

#[tokio::test]
async fn failure_is_shared_but_not_cached() {
    let emulator = emulator().await;
    emulator.inject(
        Fault::Status {
            status: 401,
            retry_after: None,
            body: None,
        },
        1,
    );
    let client = common::builder(&emulator).build().unwrap();

    let error = client.get_token(&TokenOptions::default()).await.unwrap_err();
    assert_eq!(error.status(), Some(401));
    client.get_token(&TokenOptions::default()).await.unwrap();

    assert_eq!(emulator.stats().requests, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_waiter_leaves_the_shared_request_running() {
    let emulator = emulator().await;
    emulator.inject(Fault::Delay(Duration::from_millis(600)), 1);
    let client = common::builder(&emulator).build().unwrap();

    let patient: Vec<_> = (0..5)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.get_token(&TokenOptions::default()).await })
        })
        .collect();
    let defaults = TokenOptions::default();
    let impatient = tokio::time::timeout(Duration::from_millis(100), client.get_token(&defaults));
    let started = std::time::Instant::now();
    assert!(impatient.await.is_err(), "the impatient caller gives up first");
    assert!(started.elapsed() < Duration::from_millis(500));

    for call in patient {
        call.await.unwrap().unwrap();
    }
    assert_eq!(emulator.stats().requests, 1);
}

#[tokio::test]
async fn request_abandoned_by_every_caller_is_aborted() {
    let emulator = emulator().await;
    emulator.inject(Fault::Delay(Duration::from_millis(300)), 1);
    let client = common::builder(&emulator).build().unwrap();

    let defaults = TokenOptions::default();
    let abandoned = tokio::time::timeout(Duration::from_millis(50), client.get_token(&defaults));
    assert!(abandoned.await.is_err());
    tokio::time::sleep(Duration::from_millis(600)).await;

    assert_eq!(client.cached_tokens(), 0, "the aborted request stored nothing");
    client.get_token(&TokenOptions::default()).await.unwrap();
    assert_eq!(
        emulator.stats().requests,
        2,
        "the next caller starts a new request"
    );
}

#[test]
fn blocking_call_is_cancelled_from_another_thread() {
    let setup = tokio::runtime::Runtime::new().unwrap();
    let emulator = setup.block_on(emulator());
    emulator.inject(Fault::Stall, 1);
    let client: Client = common::uncached_client(&emulator);
    let cancel = sethealth::CancelToken::new();

    let canceller = {
        let cancel = cancel.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            cancel.cancel();
        })
    };
    let started = std::time::Instant::now();
    let error = client
        .get_token_blocking(&TokenOptions::default(), Some(&cancel))
        .unwrap_err();
    canceller.join().unwrap();

    assert_eq!(error.kind(), sethealth::ErrorKind::Cancelled);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let again = client
        .get_token_blocking(&TokenOptions::default(), Some(&cancel))
        .unwrap_err();
    assert_eq!(
        again.kind(),
        sethealth::ErrorKind::Cancelled,
        "cancellation is permanent"
    );
}

#[test]
fn blocking_calls_share_the_cache() {
    let setup = tokio::runtime::Runtime::new().unwrap();
    let emulator = setup.block_on(emulator());
    let client = common::builder(&emulator).build().unwrap();
    let cancel = sethealth::CancelToken::new();

    let first = client
        .get_token_blocking(&TokenOptions::default(), Some(&cancel))
        .unwrap();
    let second = client.get_token_blocking(&TokenOptions::default(), None).unwrap();
    cancel.cancel();
    let cancelled = client
        .get_token_blocking(&TokenOptions::default(), Some(&cancel))
        .unwrap_err();

    assert_eq!(first.as_str(), second.as_str());
    assert_eq!(emulator.stats().requests, 1);
    assert_eq!(
        cancelled.kind(),
        sethealth::ErrorKind::Cancelled,
        "a cancelled handle wins over a cache hit"
    );
}
