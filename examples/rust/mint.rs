//! Mints a token with the environment's service account and prints its
//! metadata, then shows that a second call is served from the cache.
//!
//! Run with `SETHEALTH_KEY` and `SETHEALTH_SECRET` set (and, against the
//! emulator, `SETHEALTH_API_URL` and `SETHEALTH_CA_FILE`):
//! `cargo run --example mint`.

use std::time::{Duration, Instant, SystemTime};

use sethealth::{Client, TokenOptions};

#[tokio::main]
async fn main() -> Result<(), sethealth::Error> {
    let client = Client::from_env()?;
    let mut options = TokenOptions::default();
    options.user_id = Some("demo-user".into());
    options.expires_in = Some(Duration::from_secs(15 * 60));

    let started = Instant::now();
    let token = client.get_token(&options).await?;
    let first_call = started.elapsed();

    let started = Instant::now();
    let again = client.get_token(&options).await?;
    let second_call = started.elapsed();

    let left = token
        .expires_at()
        .and_then(|at| at.duration_since(SystemTime::now()).ok())
        .map_or("unknown".to_owned(), |left| format!("{} s", left.as_secs()));
    println!(
        "rust: minted a token of {} bytes for key {}",
        token.as_str().len(),
        client.key()
    );
    println!("rust: expires in {left} ({:?} expiry)", token.expiry_source());
    println!(
        "rust: first call {first_call:?}, second call {second_call:?} from the cache (same token: {})",
        again.as_str() == token.as_str()
    );
    Ok(())
}
