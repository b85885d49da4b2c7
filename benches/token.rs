//! Token benchmarks, side by side in one run against an in-process emulator
//! over HTTPS on loopback:
//!
//! - `cache_hit`: a cached token handed out again;
//! - `mint_reused_connection`: a new token from one client, whose pool keeps
//!   the TLS connection open between calls;
//! - `mint_new_connection` (the baseline): a new client per call, so every
//!   call pays a TCP and TLS handshake, as the legacy clients did.
//!
//! `make bench` runs this and writes the table to docs/benchmarks.md.

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use sethealth::{CachePolicy, Client, TokenOptions};
use sethealth_emulator::{Config, Emulator};

const KEY: &str = "sa_bench_0000000000001";
const SECRET: &str = "r_bench_secret=";

fn client(emulator: &Emulator, cache: bool) -> Client {
    Client::builder()
        .key(KEY)
        .secret(SECRET)
        .api_url(emulator.url())
        .add_ca_pem(emulator.ca_pem().unwrap().as_bytes().to_vec())
        .cache(CachePolicy {
            enabled: cache,
            ..CachePolicy::default()
        })
        .build()
        .unwrap()
}

fn token_benchmarks(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let emulator = runtime
        .block_on(Emulator::start(Config::with_account(KEY, SECRET)))
        .unwrap();
    let options = TokenOptions::default();
    let mut group = c.benchmark_group("token");
    group.measurement_time(Duration::from_secs(5));

    let cached = client(&emulator, true);
    runtime.block_on(cached.get_token(&options)).unwrap();
    group.bench_function("cache_hit", |b| {
        b.to_async(&runtime)
            .iter(|| async { cached.get_token(&options).await.unwrap() });
    });

    let uncached = client(&emulator, false);
    group.bench_function("mint_reused_connection", |b| {
        b.to_async(&runtime)
            .iter(|| async { uncached.get_token(&options).await.unwrap() });
    });

    group.bench_function("mint_new_connection", |b| {
        b.to_async(&runtime).iter(|| async {
            let fresh = client(&emulator, false);
            fresh.get_token(&options).await.unwrap()
        });
    });

    group.finish();
    drop(emulator);
}

criterion_group!(benches, token_benchmarks);
criterion_main!(benches);
