//! `sethealth`: mints a Sethealth access token from the terminal, like the
//! dashboard's "test access token" button, with the environment's service account.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Args, Parser, Subcommand};
use sethealth::{Client, ErrorKind, Token, TokenOptions};

/// Added to an error kind's code to form the exit status, so that kinds
/// stay apart from clap's usage error (2).
const EXIT_CODE_OFFSET: u8 = 10;

const AFTER_HELP: &str = "\
Environment:
  SETHEALTH_KEY        the service account's key (id); required
  SETHEALTH_SECRET     the service account's secret; required, never printed
  SETHEALTH_API_URL    the API base URL (default https://api.set.health)
  SETHEALTH_CA_FILE    a PEM file of extra trusted CA certificates
  SETHEALTH_LOG        log filter for stderr: warn shows retries, debug every request
                       (default error)

Exit status:
  0 success, 2 invalid command line, otherwise 10 + the error code
  (22 internal also covers a failure to write the token to stdout):
  11 missing_credentials  12 invalid_argument  13 invalid_config
  14 rejected             15 rate_limited      16 server
  17 timeout              18 network           19 tls
  20 bad_response         21 cancelled         22 internal";

/// Mints Sethealth access tokens from a service account.
#[derive(Debug, Parser)]
#[command(name = "sethealth", version, after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Mint an access token and print it.
    #[command(after_help = AFTER_HELP)]
    Token(TokenArgs),
}

#[derive(Debug, Args)]
struct TokenArgs {
    /// The end user the token is minted for.
    #[arg(long, value_name = "ID")]
    user_id: Option<String>,

    /// The requested lifetime, such as 90s, 30m or 2h (default: the server's).
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    expires_in: Option<Duration>,

    /// Ask for a test-mode token.
    #[arg(long)]
    test_mode: bool,

    /// Print the token with its metadata as one JSON object.
    #[arg(long)]
    json: bool,

    /// The API base URL; overrides SETHEALTH_API_URL.
    #[arg(long, value_name = "URL")]
    api_url: Option<String>,

    /// The overall deadline of the call, retries included, such as 10s (default 30s).
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    timeout: Option<Duration>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();

    let Command::Token(args) = cli.command;
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("sethealth: {error}");
            ExitCode::from(exit_code(error.kind()))
        }
    }
}

fn run(args: &TokenArgs) -> sethealth::Result<()> {
    let mut builder = Client::builder().user_agent_suffix("cli");
    if let Some(url) = &args.api_url {
        builder = builder.api_url(url);
    }
    if let Some(timeout) = args.timeout {
        builder = builder.deadline(timeout);
    }
    let client = builder.build()?;

    let mut options = TokenOptions::default();
    options.user_id = args.user_id.clone();
    options.expires_in = args.expires_in;
    options.test_mode = args.test_mode;
    let token = client.get_token_blocking(&options, None)?;

    let output = if args.json {
        token_json(&client, &options, &token).to_string()
    } else {
        token.as_str().to_owned()
    };
    write_stdout(&output)
}

/// Writes one line to stdout; a closed pipe or a full disk is an error, not a panic.
fn write_stdout(line: &str) -> sethealth::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .map_err(|err| {
            sethealth::Error::new(
                ErrorKind::Internal,
                format!("cannot write the token to standard output: {err}; check where the output goes"),
            )
        })
}

fn token_json(client: &Client, options: &TokenOptions, token: &Token) -> serde_json::Value {
    let expires_at = token.expires_at();
    let expires_in = expires_at.and_then(|at| at.duration_since(SystemTime::now()).ok());
    serde_json::json!({
        "token": token.as_str(),
        "key": client.key(),
        "user_id": options.user_id.as_deref().unwrap_or(""),
        "test_mode": options.test_mode,
        "issued_at": rfc3339(token.issued_at()),
        "expires_at": expires_at.map(rfc3339),
        "expires_in_seconds": expires_in.map(|left| left.as_secs()),
        "expiry_source": format!("{:?}", token.expiry_source()).to_lowercase(),
        "api_url": client.config().api_url(),
    })
}

fn rfc3339(time: SystemTime) -> String {
    // Whole seconds: JWT expiries have no finer resolution.
    let seconds = time.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(seconds)).to_string()
}

fn exit_code(kind: ErrorKind) -> u8 {
    let code = u8::try_from(kind.code()).unwrap_or(u8::MAX - EXIT_CODE_OFFSET);
    EXIT_CODE_OFFSET + code
}

/// Sends the core's log records to stderr; `SETHEALTH_LOG` sets the filter.
/// The default shows errors only, because the command prints its own error
/// and `SETHEALTH_LOG=warn` adds one line per retry.
fn init_logging() {
    let filter = match std::env::var("SETHEALTH_LOG") {
        Ok(value) if !value.trim().is_empty() => log_filter(value.trim()),
        _ => tracing_subscriber::EnvFilter::new("error"),
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
}

/// Parses `SETHEALTH_LOG`. A bare level such as `debug` applies to this
/// project's crates only, so one request logs one line, not every HTTP/2
/// frame. A full filter such as `debug,h2=trace` is used as it is.
fn log_filter(value: &str) -> tracing_subscriber::EnvFilter {
    let directives = match value.parse::<tracing::Level>() {
        Ok(level) => format!("sethealth={level},sethealth_cli={level}"),
        Err(_) => value.to_owned(),
    };
    tracing_subscriber::EnvFilter::try_new(&directives).unwrap_or_else(|err| {
        eprintln!("sethealth: SETHEALTH_LOG={value:?} is not a valid log filter ({err}); using \"error\"");
        tracing_subscriber::EnvFilter::new("error")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn exit_codes_follow_error_codes() {
        assert_eq!(exit_code(ErrorKind::MissingCredentials), 11);
        assert_eq!(exit_code(ErrorKind::Internal), 22);
        for kind in ErrorKind::ALL {
            assert!(
                AFTER_HELP.contains(&format!("{} {}", exit_code(kind), kind.as_str())),
                "{kind}"
            );
        }
    }
}
