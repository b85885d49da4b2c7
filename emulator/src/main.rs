//! Command-line entry point: runs the emulator until SIGINT or SIGTERM.

use std::io::IsTerminal;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use sethealth_emulator::{Account, Config, Emulator, FaultRule};
use tracing::{error, info};
use tracing_subscriber::EnvFilter;

/// Environment variable with comma-separated KEY:SECRET accounts.
const ACCOUNTS_ENV: &str = "SETHEALTH_EMULATOR_ACCOUNTS";

/// Exit status for invalid flags or settings, the same as clap uses for usage errors.
const EXIT_USAGE: u8 = 2;

/// Exit status when the emulator fails after its settings were accepted.
const EXIT_FAILURE: u8 = 1;

#[derive(Parser, Debug)]
#[command(
    name = "sethealth-emulator",
    version,
    about = "Local stand-in for the Sethealth token endpoint (POST /token) for demos and tests.",
    after_help = "Accounts come from --account, --accounts-file and the environment variable \
SETHEALTH_EMULATOR_ACCOUNTS (comma-separated KEY:SECRET), all combined. At least one is required.

On start the emulator prints `sethealth-emulator listening on URL` and, with HTTPS, \
`ca certificate written to PATH` to stdout. Logs go to stderr. Admin endpoints on the same \
listener: GET /_emulator/health, GET /_emulator/stats, GET /_emulator/requests, \
GET|POST /_emulator/faults, POST /_emulator/reset.

Fault JSON forms for --fault and POST /_emulator/faults. Each may add \"count\": N, the number \
of token requests it applies to (default 1):
  {\"kind\":\"status\",\"status\":503,\"retry_after\":\"1\",\"body\":\"...\"}
                                            respond with this status (200-599)
  {\"kind\":\"delay\",\"ms\":500}                 wait this many milliseconds, then respond normally
  {\"kind\":\"stall\"}                          never respond
  {\"kind\":\"close_before_response\"}          close the connection without a response
  {\"kind\":\"close_mid_response\"}             send headers and part of the body, then close
  {\"kind\":\"malformed_json\"}                 respond 200 with truncated JSON
  {\"kind\":\"no_token\"}                       respond 200 with JSON that has no token
  {\"kind\":\"oversized\",\"bytes\":70000}        respond 200 with a JSON body of this many bytes
  {\"kind\":\"redirect\",\"location\":\"URL\",\"status\":307}
                                            redirect (status 300-399, default 307)
  {\"kind\":\"lifetime\",\"seconds\":5}           issue the token with this lifetime in seconds"
)]
struct Args {
    /// IP address to listen on. Keep a loopback address (127.0.0.1 or ::1) unless other
    /// machines must reach the emulator.
    #[arg(long, value_name = "IP", default_value = "127.0.0.1")]
    bind: IpAddr,

    /// TCP port to listen on. 0 lets the OS pick a free port, shown in the printed URL.
    #[arg(long, value_name = "N", default_value_t = 0)]
    port: u16,

    /// Serve plain HTTP instead of HTTPS.
    #[arg(long)]
    http: bool,

    /// Service account to accept, as KEY:SECRET, split at the first ':'. Repeatable.
    #[arg(long = "account", value_name = "KEY:SECRET")]
    accounts: Vec<String>,

    /// File of accounts to accept, one KEY:SECRET per line. Blank lines and lines
    /// starting with '#' are skipped.
    #[arg(long, value_name = "PATH")]
    accounts_file: Option<PathBuf>,

    /// File to write the CA certificate (PEM) to, for clients to trust. Default: ca.pem in
    /// a new directory under the system temporary directory, removed on exit. Ignored
    /// with --http.
    #[arg(long, value_name = "PATH")]
    ca_out: Option<PathBuf>,

    /// File to write once the listener is bound, as JSON {"url": ..., "ca_file": ...,
    /// "pid": ...} (ca_file is null with --http). Written atomically (temporary file,
    /// then rename) and removed on exit, so scripts can wait for it to appear.
    #[arg(long, value_name = "PATH")]
    ready_file: Option<PathBuf>,

    /// Token lifetime in whole seconds (at least 1s) when a request has no positive
    /// expires-in, written as a duration such as 1h, 15m or 90s.
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = parse_lifetime)]
    default_lifetime: Duration,

    /// Fault to queue at start, as JSON such as {"kind":"status","status":503,"count":2}.
    /// Repeatable, and faults apply in the order given. Kinds: status, delay, stall,
    /// close_before_response, close_mid_response, malformed_json, no_token, oversized,
    /// redirect, lifetime.
    #[arg(long = "fault", value_name = "JSON", value_parser = parse_fault)]
    faults: Vec<FaultRule>,

    /// Log filter for stderr: a level (error, warn, info, debug, trace) or a tracing
    /// directive such as sethealth_emulator=debug.
    #[arg(long, value_name = "FILTER", default_value = "info")]
    log_level: String,
}

fn parse_lifetime(text: &str) -> Result<Duration, String> {
    let lifetime = humantime::parse_duration(text)
        .map_err(|error| format!("{error}; use a duration such as 1h, 15m or 90s"))?;
    if lifetime < Duration::from_secs(1) {
        return Err("the lifetime must be at least 1s".to_string());
    }
    Ok(lifetime)
}

fn parse_fault(json: &str) -> Result<FaultRule, String> {
    json.parse()
}

fn main() -> ExitCode {
    let args = Args::parse();

    let filter = match EnvFilter::try_new(&args.log_level) {
        Ok(filter) => filter,
        Err(error) => {
            return usage_error(&format!(
                "invalid --log-level {:?}: {error}; use error, warn, info, debug or trace",
                args.log_level
            ));
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();

    let accounts = match collect_accounts(&args) {
        Ok(accounts) => accounts,
        Err(message) => return usage_error(&message),
    };

    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("sethealth-emulator: error: failed to start the Tokio runtime: {error}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    runtime.block_on(run(args, accounts))
}

/// Combines the accounts from --account, the environment and --accounts-file.
/// Fails when there are none or when an entry is invalid. Messages never contain secrets.
fn collect_accounts(args: &Args) -> Result<Vec<Account>, String> {
    let mut accounts = Vec::new();
    for (index, entry) in args.accounts.iter().enumerate() {
        let account = Account::parse(entry)
            .map_err(|error| format!("invalid --account value number {}: {error}", index + 1))?;
        accounts.push(account);
    }

    if let Ok(list) = std::env::var(ACCOUNTS_ENV) {
        let listed =
            Account::parse_list(&list).map_err(|error| format!("invalid {ACCOUNTS_ENV}: {error}"))?;
        accounts.extend(listed);
    }

    if let Some(path) = &args.accounts_file {
        let text = std::fs::read_to_string(path)
            .map_err(|error| format!("failed to read --accounts-file {}: {error}", path.display()))?;
        let listed = Account::parse_file(&text)
            .map_err(|error| format!("invalid --accounts-file {}: {error}", path.display()))?;
        accounts.extend(listed);
    }

    if accounts.is_empty() {
        return Err(format!(
            "no service accounts configured; pass --account KEY:SECRET, --accounts-file PATH \
             or set {ACCOUNTS_ENV}=KEY:SECRET"
        ));
    }
    Ok(accounts)
}

async fn run(args: Args, accounts: Vec<Account>) -> ExitCode {
    let config = Config {
        bind: args.bind,
        port: args.port,
        tls: !args.http,
        accounts,
        default_lifetime: args.default_lifetime,
    };
    let key_ids: Vec<&str> = config
        .accounts
        .iter()
        .map(|account| account.key.as_str())
        .collect();
    info!(accounts = ?key_ids, "accepting service accounts");

    let mut signals = match Signals::register() {
        Ok(signals) => signals,
        Err(error) => {
            eprintln!("sethealth-emulator: error: failed to register signal handlers: {error}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };

    let emulator = match Emulator::start(config.clone()).await {
        Ok(emulator) => emulator,
        Err(error) if error.kind() == std::io::ErrorKind::InvalidInput => {
            return usage_error(&error.to_string());
        }
        Err(error) => {
            eprintln!(
                "sethealth-emulator: error: failed to listen on {}: {error}",
                std::net::SocketAddr::new(config.bind, config.port)
            );
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    for rule in &args.faults {
        emulator.inject(rule.fault.clone(), rule.count);
    }

    let mut cleanup = Cleanup::default();
    let ca_file = match emulator.ca_pem() {
        Some(ca_pem) => match write_ca(args.ca_out.as_deref(), ca_pem, &mut cleanup) {
            Ok(path) => Some(path),
            Err(message) => {
                eprintln!("sethealth-emulator: error: {message}");
                emulator.shutdown().await;
                cleanup.run();
                return ExitCode::from(EXIT_FAILURE);
            }
        },
        None => None,
    };

    println!("sethealth-emulator listening on {}", emulator.url());
    if let Some(path) = &ca_file {
        println!("ca certificate written to {}", path.display());
    }
    info!(url = %emulator.url(), "emulator listening");

    if let Some(path) = &args.ready_file {
        if let Err(error) = write_ready_file(path, &emulator.url(), ca_file.as_deref()) {
            eprintln!(
                "sethealth-emulator: error: failed to write --ready-file {}: {error}",
                path.display()
            );
            emulator.shutdown().await;
            cleanup.run();
            return ExitCode::from(EXIT_FAILURE);
        }
        cleanup.files.push(path.clone());
    }

    let signal = signals.recv().await;
    info!(signal, "shutting down");
    emulator.shutdown().await;
    cleanup.run();
    info!("emulator stopped");
    ExitCode::SUCCESS
}

/// Files and directories this process created, removed on exit.
#[derive(Default)]
struct Cleanup {
    files: Vec<PathBuf>,
    directories: Vec<PathBuf>,
}

impl Cleanup {
    fn run(&self) {
        for file in &self.files {
            if let Err(error) = std::fs::remove_file(file) {
                error!(path = %file.display(), %error, "failed to remove file");
            }
        }
        for directory in &self.directories {
            if let Err(error) = std::fs::remove_dir_all(directory) {
                error!(path = %directory.display(), %error, "failed to remove directory");
            }
        }
    }
}

/// Writes the CA certificate to `ca_out`, or to ca.pem in a new temporary directory
/// that `cleanup` removes, and returns the path written.
fn write_ca(ca_out: Option<&Path>, ca_pem: &str, cleanup: &mut Cleanup) -> Result<PathBuf, String> {
    let path = match ca_out {
        Some(path) => path.to_path_buf(),
        None => {
            let directory = create_temp_dir()
                .map_err(|error| format!("failed to create a temporary directory: {error}"))?;
            cleanup.directories.push(directory.clone());
            directory.join("ca.pem")
        }
    };
    std::fs::write(&path, ca_pem).map_err(|error| {
        format!(
            "failed to write the CA certificate to {}: {error}",
            path.display()
        )
    })?;
    Ok(path)
}

/// Creates a directory with an unpredictable name under the system temporary directory.
fn create_temp_dir() -> std::io::Result<PathBuf> {
    let base = std::env::temp_dir();
    let mut last_error = None;
    for _ in 0..16 {
        let name = format!(
            "sethealth-emulator-{}-{:016x}",
            std::process::id(),
            fastrand::u64(..)
        );
        let candidate = base.join(name);
        match std::fs::create_dir(&candidate) {
            Ok(()) => return Ok(candidate),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                last_error = Some(error);
            }
            Err(error) => return Err(error),
        }
    }
    Err(last_error.unwrap_or_else(|| std::io::Error::other("no free directory name")))
}

/// Writes the ready file through a temporary file in the same directory and a rename,
/// so that a reader never sees a partial file.
fn write_ready_file(path: &Path, url: &str, ca_file: Option<&Path>) -> std::io::Result<()> {
    let ready = serde_json::json!({
        "url": url,
        "ca_file": ca_file.map(|ca_file| ca_file.display().to_string()),
        "pid": std::process::id(),
    });
    let mut temporary_name = path.file_name().unwrap_or_default().to_os_string();
    temporary_name.push(format!(".tmp-{}", std::process::id()));
    let temporary = path.with_file_name(temporary_name);
    std::fs::write(&temporary, format!("{ready}\n"))?;
    if let Err(error) = std::fs::rename(&temporary, path) {
        let _ = std::fs::remove_file(&temporary);
        return Err(error);
    }
    Ok(())
}

/// SIGINT and SIGTERM handlers, registered before the emulator reports that it is ready
/// so that a signal sent right after never hits the default action.
#[cfg(unix)]
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn register() -> std::io::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    /// Waits for the first signal and returns its name.
    async fn recv(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }
}

/// Ctrl-C handling where Unix signals do not exist.
#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn register() -> std::io::Result<Signals> {
        Ok(Signals)
    }

    /// Waits for Ctrl-C and returns its name.
    async fn recv(&mut self) -> &'static str {
        if let Err(error) = tokio::signal::ctrl_c().await {
            error!(%error, "failed to listen for Ctrl-C; shutting down");
        }
        "Ctrl-C"
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("sethealth-emulator: error: {message}");
    eprintln!("Run 'sethealth-emulator --help' for usage.");
    ExitCode::from(EXIT_USAGE)
}
