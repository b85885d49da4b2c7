//! The `sethealth-emulator` binary as scripts use it: flags, the ready file, stdout,
//! signals and exit codes.

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use reqwest::{Certificate, Client, StatusCode};

const BINARY: &str = env!("CARGO_BIN_EXE_sethealth-emulator");
const KEY: &str = "sa_0000000000000";
const SECRET: &str = "r_binarysecretxxxxxxxxxxx=";

/// Upper bound for the binary to start or stop, generous so that a slow or busy machine
/// does not fail the tests.
const PROCESS_TIMEOUT: Duration = Duration::from_secs(60);

/// A directory under the system temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "sethealth-emulator-test-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(name);
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create test directory");
        TempDir(path)
    }

    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The binary's ready file.
#[derive(Debug)]
struct Ready {
    url: String,
    ca_file: Option<PathBuf>,
    pid: u32,
}

/// A running binary, killed on drop if the test did not stop it.
struct Running {
    child: Option<Child>,
    stderr_path: PathBuf,
}

impl Running {
    fn pid(&self) -> u32 {
        self.child.as_ref().expect("child is running").id()
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.pid()).expect("pid fits pid_t");
        // SAFETY: kill(2) only sends a signal to the child this test started.
        let result = unsafe { libc::kill(pid, signal) };
        assert_eq!(result, 0, "kill failed: {}", std::io::Error::last_os_error());
    }

    /// Waits for the process to exit and returns its output.
    fn wait(&mut self) -> Output {
        let mut child = self.child.take().expect("child is running");
        let deadline = Instant::now() + PROCESS_TIMEOUT;
        while child.try_wait().expect("try_wait").is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("binary did not exit; stderr:\n{}", self.stderr());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        child.wait_with_output().expect("collect output")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn command(args: &[&str]) -> Command {
    let mut command = Command::new(BINARY);
    command.args(args).env_remove("SETHEALTH_EMULATOR_ACCOUNTS");
    command
}

/// Starts the binary with `--ready-file` in `dir` and waits for the ready file.
fn start(dir: &TempDir, mut command: Command) -> (Running, Ready) {
    let ready_path = dir.join("ready.json");
    let stderr_path = dir.join("stderr.log");
    command
        .arg("--ready-file")
        .arg(&ready_path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr_path).expect("create stderr log"));
    let child = command.spawn().expect("spawn binary");
    let mut running = Running {
        child: Some(child),
        stderr_path,
    };

    let deadline = Instant::now() + PROCESS_TIMEOUT;
    while !ready_path.exists() {
        if let Some(status) = running.child.as_mut().unwrap().try_wait().unwrap() {
            panic!("binary exited with {status}; stderr:\n{}", running.stderr());
        }
        assert!(
            Instant::now() < deadline,
            "no ready file; stderr:\n{}",
            running.stderr()
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    let text = std::fs::read_to_string(&ready_path).expect("read ready file");
    let json: serde_json::Value = serde_json::from_str(&text).expect("ready file is JSON");
    let ready = Ready {
        url: json["url"].as_str().expect("url").to_string(),
        ca_file: json["ca_file"].as_str().map(PathBuf::from),
        pid: u32::try_from(json["pid"].as_u64().expect("pid")).unwrap(),
    };
    (running, ready)
}

fn client_for(ready: &Ready) -> Client {
    let mut builder = Client::builder().no_proxy().timeout(Duration::from_secs(30));
    if let Some(ca_file) = &ready.ca_file {
        let pem = std::fs::read(ca_file).expect("read CA file");
        builder = builder.tls_certs_only([Certificate::from_pem(&pem).expect("CA parses")]);
    }
    builder.build().expect("client builds")
}

async fn post_token(client: &Client, ready: &Ready, key: &str, secret: &str) -> reqwest::Response {
    client
        .post(format!("{}/token", ready.url))
        .header("content-type", "application/json; charset=utf-8")
        .body(serde_json::json!({ "id": key, "secret": secret }).to_string())
        .send()
        .await
        .expect("token response")
}

/// Runs the binary to completion and returns its exit code and stderr.
fn run_to_exit(mut command: Command) -> (Option<i32>, String) {
    let output = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("run binary");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn binary_serves_tokens_until_sigterm() {
    let dir = TempDir::new();
    let account = format!("{KEY}:{SECRET}");
    let (mut running, ready) = start(&dir, command(&["--account", &account]));
    assert_eq!(ready.pid, running.pid());
    assert!(ready.url.starts_with("https://127.0.0.1:"), "{}", ready.url);
    let ca_file = ready.ca_file.clone().expect("ca_file with HTTPS");
    assert!(ca_file.exists());

    let client = client_for(&ready);
    let response = post_token(&client, &ready, KEY, SECRET).await;
    assert_eq!(response.status(), StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert!(json["token"].is_string());
    let response = post_token(&client, &ready, KEY, "wrong").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    running.signal(libc::SIGTERM);
    let output = running.wait();
    assert_eq!(output.status.code(), Some(0), "stderr:\n{}", running.stderr());

    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        vec![
            format!("sethealth-emulator listening on {}", ready.url),
            format!("ca certificate written to {}", ca_file.display()),
        ]
    );
    assert!(!dir.join("ready.json").exists(), "ready file removed on exit");
    assert!(!ca_file.exists(), "default CA file removed on exit");

    let stderr = running.stderr();
    assert!(stderr.contains(KEY), "{stderr}");
    assert!(!stderr.contains(SECRET), "secret leaked to the log:\n{stderr}");
}

#[tokio::test]
async fn binary_exits_zero_on_sigint() {
    let dir = TempDir::new();
    let account = format!("{KEY}:{SECRET}");
    let (mut running, _ready) = start(&dir, command(&["--account", &account]));

    running.signal(libc::SIGINT);
    let output = running.wait();
    assert_eq!(output.status.code(), Some(0), "stderr:\n{}", running.stderr());
}

#[tokio::test]
async fn binary_http_mode_reads_env_and_accounts_file() {
    let dir = TempDir::new();
    let accounts_file = dir.join("accounts.txt");
    std::fs::write(&accounts_file, "# team accounts\n\nsa_file:file-secret\n").unwrap();
    let mut command = command(&["--http", "--accounts-file", accounts_file.to_str().unwrap()]);
    command.env("SETHEALTH_EMULATOR_ACCOUNTS", "sa_env1:one, sa_env2:two:2");
    let (mut running, ready) = start(&dir, command);
    assert!(ready.url.starts_with("http://127.0.0.1:"), "{}", ready.url);
    assert!(ready.ca_file.is_none());

    let client = client_for(&ready);
    for (key, secret) in [
        ("sa_file", "file-secret"),
        ("sa_env1", "one"),
        ("sa_env2", "two:2"),
    ] {
        let response = post_token(&client, &ready, key, secret).await;
        assert_eq!(response.status(), StatusCode::OK, "{key}");
    }

    running.signal(libc::SIGTERM);
    let output = running.wait();
    assert_eq!(output.status.code(), Some(0), "stderr:\n{}", running.stderr());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        vec![format!("sethealth-emulator listening on {}", ready.url)]
    );
}

#[tokio::test]
async fn binary_applies_fault_flags_and_writes_ca_out() {
    let dir = TempDir::new();
    let ca_out = dir.join("my-ca.pem");
    let account = format!("{KEY}:{SECRET}");
    let (mut running, ready) = start(
        &dir,
        command(&[
            "--account",
            &account,
            "--ca-out",
            ca_out.to_str().unwrap(),
            "--fault",
            r#"{"kind":"status","status":503,"retry_after":"1"}"#,
            "--fault",
            r#"{"kind":"no_token"}"#,
            "--default-lifetime",
            "90s",
        ]),
    );
    assert_eq!(ready.ca_file.as_deref(), Some(ca_out.as_path()));

    let client = client_for(&ready);
    let response = post_token(&client, &ready, KEY, SECRET).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "1");
    let response = post_token(&client, &ready, KEY, SECRET).await;
    assert_eq!(response.text().await.unwrap(), r#"{"access":"x"}"#);
    let response = post_token(&client, &ready, KEY, SECRET).await;
    assert_eq!(response.status(), StatusCode::OK);

    let stats = client
        .get(format!("{}/_emulator/stats", ready.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let stats: serde_json::Value = serde_json::from_str(&stats).unwrap();
    assert_eq!(stats["requests"], 3);
    assert_eq!(stats["faults_applied"], 2);

    running.signal(libc::SIGTERM);
    assert_eq!(running.wait().status.code(), Some(0));
    assert!(ca_out.exists(), "a CA file given with --ca-out is kept");
}

#[test]
fn binary_without_accounts_exits_2() {
    let (code, stderr) = run_to_exit(command(&[]));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("no service accounts"), "{stderr}");
    assert!(stderr.contains("--account KEY:SECRET"), "{stderr}");
}

#[test]
fn binary_invalid_account_exits_2_without_echoing() {
    let (code, stderr) = run_to_exit(command(&["--account", "hunter2-no-colon"]));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("--account"), "{stderr}");
    assert!(stderr.contains("KEY:SECRET"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");

    let mut with_env = command(&[]);
    with_env.env("SETHEALTH_EMULATOR_ACCOUNTS", "a:1,:hunter2");
    let (code, stderr) = run_to_exit(with_env);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("SETHEALTH_EMULATOR_ACCOUNTS: entry 2"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[test]
fn binary_invalid_accounts_file_exits_2() {
    let dir = TempDir::new();
    let missing = dir.join("missing.txt");
    let (code, stderr) = run_to_exit(command(&["--accounts-file", missing.to_str().unwrap()]));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("missing.txt"), "{stderr}");

    let broken = dir.join("broken.txt");
    std::fs::write(&broken, "a:1\nnot-an-entry\n").unwrap();
    let (code, stderr) = run_to_exit(command(&["--accounts-file", broken.to_str().unwrap()]));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("line 2"), "{stderr}");
}

#[test]
fn binary_invalid_flag_values_exit_2() {
    let account = format!("{KEY}:{SECRET}");
    let cases: [(&[&str], &str); 6] = [
        (&["--fault", r#"{"kind":"explode"}"#], "explode"),
        (&["--fault", "not json"], "not valid JSON"),
        (&["--default-lifetime", "soon"], "soon"),
        (&["--default-lifetime", "0s"], "at least 1s"),
        (&["--bind", "localhost"], "localhost"),
        (&["--log-level", "info,=[bad"], "--log-level"),
    ];
    for (args, expected) in cases {
        let mut all_args = vec!["--account", account.as_str()];
        all_args.extend_from_slice(args);
        let (code, stderr) = run_to_exit(command(&all_args));
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn binary_conflicting_accounts_exit_2() {
    let (code, stderr) = run_to_exit(command(&["--account", "sa_1:one", "--account", "sa_1:two"]));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("sa_1"), "{stderr}");
}

#[test]
fn binary_help_describes_every_flag() {
    let output = command(&["--help"]).output().expect("run --help");
    assert_eq!(output.status.code(), Some(0));
    let help = String::from_utf8(output.stdout).unwrap();
    for flag in [
        "--bind",
        "--port",
        "--http",
        "--account",
        "--accounts-file",
        "--ca-out",
        "--ready-file",
        "--default-lifetime",
        "--fault",
        "--log-level",
        "SETHEALTH_EMULATOR_ACCOUNTS",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}:\n{help}");
    }
}
