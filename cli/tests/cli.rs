//! The `sethealth` command against an in-process emulator over HTTPS.

use std::process::{Command, Output};

use sethealth_emulator::{Config, Emulator};

const KEY: &str = "sa_cli_0000000000001";
const SECRET: &str = "r_CLI_SECRET_never_printed=";

struct Fixture {
    emulator: Emulator,
    ca_file: std::path::PathBuf,
    _dir: TempDir,
}

/// A directory removed on drop.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn fixture() -> Fixture {
    let emulator = Emulator::start(Config::with_account(KEY, SECRET)).await.unwrap();
    let dir = std::env::temp_dir().join(format!(
        "sethealth-cli-{}-{}",
        std::process::id(),
        emulator.addr().port()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, emulator.ca_pem().unwrap()).unwrap();
    Fixture {
        emulator,
        ca_file,
        _dir: TempDir(dir),
    }
}

/// Returns the command with a clean environment: the fixture's URL and key,
/// the secret if given, and debug logging so that tests see every log line.
fn command(fixture: &Fixture, secret: Option<&str>, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sethealth"));
    command
        .args(args)
        .env_clear()
        .env("SETHEALTH_KEY", KEY)
        .env("SETHEALTH_API_URL", fixture.emulator.url())
        .env("SETHEALTH_LOG", "debug");
    if let Some(secret) = secret {
        command.env("SETHEALTH_SECRET", secret);
    }
    command
}

/// Runs the command with the fixture's CA file and asserts that the secret
/// appears in neither stdout nor stderr.
fn sethealth(fixture: &Fixture, secret: Option<&str>, args: &[&str]) -> Output {
    run(command(fixture, secret, args).env("SETHEALTH_CA_FILE", &fixture.ca_file))
}

fn run(command: &mut Command) -> Output {
    let output = command.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!text.contains(SECRET), "the secret leaked: {text}");
    output
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn token_prints_a_verifiable_token() {
    let fixture = fixture().await;

    let output = sethealth(&fixture, Some(SECRET), &["token"]);

    assert!(output.status.success(), "{}", stderr(&output));
    let token = String::from_utf8(output.stdout).unwrap();
    assert!(fixture.emulator.verify_token(token.trim()).is_ok(), "{token}");
}

#[tokio::test(flavor = "multi_thread")]
async fn json_output_carries_the_metadata() {
    let fixture = fixture().await;

    let output = sethealth(
        &fixture,
        Some(SECRET),
        &[
            "token",
            "--user-id",
            "u-7",
            "--expires-in",
            "30m",
            "--test-mode",
            "--json",
        ],
    );

    assert!(output.status.success(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let claims = fixture
        .emulator
        .verify_token(json["token"].as_str().unwrap())
        .unwrap();
    assert_eq!(claims.sub, "u-7");
    assert!(claims.test);
    assert_eq!(json["user_id"], "u-7");
    assert_eq!(json["test_mode"], true);
    assert_eq!(json["key"], KEY);
    assert_eq!(json["expiry_source"], "claim");
    let left = json["expires_in_seconds"].as_u64().unwrap();
    assert!((1790..=1800).contains(&left), "{left}");
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_secret_exits_11_naming_the_variable() {
    let fixture = fixture().await;

    let output = sethealth(&fixture, None, &["token"]);

    assert_eq!(output.status.code(), Some(11));
    assert!(
        stderr(&output).contains("SETHEALTH_SECRET is not set"),
        "{}",
        stderr(&output)
    );
    assert_eq!(fixture.emulator.stats().requests, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_secret_exits_14() {
    let fixture = fixture().await;

    let output = sethealth(&fixture, Some("r_wrong="), &["token"]);

    assert_eq!(output.status.code(), Some(14));
    assert!(stderr(&output).contains("HTTP 401"), "{}", stderr(&output));
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_duration_is_a_usage_error() {
    let fixture = fixture().await;

    let output = sethealth(&fixture, Some(SECRET), &["token", "--expires-in", "soon"]);

    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--expires-in"), "{}", stderr(&output));
}

#[tokio::test(flavor = "multi_thread")]
async fn ssl_cert_file_replaces_the_system_roots() {
    let fixture = fixture().await;

    let trusted = run(command(&fixture, Some(SECRET), &["token"]).env("SSL_CERT_FILE", &fixture.ca_file));
    let untrusted = run(&mut command(&fixture, Some(SECRET), &["token"]));

    assert!(trusted.status.success(), "{}", stderr(&trusted));
    assert_eq!(untrusted.status.code(), Some(19), "{}", stderr(&untrusted));
    assert!(
        stderr(&untrusted).contains("SETHEALTH_CA_FILE"),
        "{}",
        stderr(&untrusted)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn retries_are_logged_without_the_secret() {
    let fixture = fixture().await;
    fixture.emulator.inject(
        sethealth_emulator::Fault::Status {
            status: 503,
            retry_after: Some("0".into()),
            body: None,
        },
        1,
    );

    let output = sethealth(&fixture, Some(SECRET), &["token"]);

    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("retrying"), "{}", stderr(&output));
    assert!(stderr(&output).contains(KEY), "{}", stderr(&output));
    assert_eq!(fixture.emulator.stats().requests, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn full_stdout_is_an_error_not_a_panic() {
    let fixture = fixture().await;
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();

    let output = run(command(&fixture, Some(SECRET), &["token"])
        .env("SETHEALTH_CA_FILE", &fixture.ca_file)
        .stdout(full));

    assert_eq!(output.status.code(), Some(22), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("cannot write the token"),
        "{}",
        stderr(&output)
    );
    assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
}

#[tokio::test(flavor = "multi_thread")]
async fn debug_log_is_one_line_per_request() {
    let fixture = fixture().await;

    let output = sethealth(&fixture, Some(SECRET), &["token"]);

    let lines: Vec<&str> = std::str::from_utf8(&output.stderr).unwrap().lines().collect();
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(lines[0].contains("token request finished"), "{lines:#?}");
}
