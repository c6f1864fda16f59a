//! `razz`: the command line. Parses arguments, sets up logging, and hands off to the library
//! crates; every failure ends as one line on stderr and a non-zero exit.

mod cli_analyze;
mod cli_eval;
mod cli_serve;
mod malloc;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "razz",
    version,
    about = "De-duplicated people counts per room from IP cameras"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Detect and track people in recorded video; write MOTChallenge tracks and room lines.
    Analyze(cli_analyze::AnalyzeArgs),
    /// Score tracker output against ground truth (MOTA, IDF1, HOTA, ...).
    Eval(cli_eval::EvalArgs),
    /// Run the live service: cameras, counts, REST and WebSocket API (port 8003).
    Serve(cli_serve::ServeArgs),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user; the password is read from standard input.
    Add(cli_serve::UserAddArgs),
}

fn main() {
    // First, before any thread or large allocation exists.
    malloc::return_large_blocks();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => e.exit(), // --help, --version
        Err(e) => {
            // clap's usage errors span several lines; keep the first, which says what is wrong,
            // with the list it introduces when it ends in a colon (missing arguments).
            let text = e.render().to_string();
            let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
            let first = lines.next().unwrap_or("invalid arguments");
            let mut msg = first.to_owned();
            if first.ends_with(':') {
                let items: Vec<&str> = lines.take_while(|l| !l.starts_with("Usage:")).collect();
                msg = format!("{first} {}", items.join(", "));
            }
            eprintln!("razz: {msg}");
            std::process::exit(2);
        }
    };
    // The service logs what it does; the one-shot commands stay quiet unless asked
    // (RAZZ_LOG), so their stderr is the one-line error or nothing.
    let default_filter = match cli.command {
        Command::Serve(_) => "warn,razz_web=info,razz_live=info,razz_store=info,razz_detect=info",
        _ => "warn",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RAZZ_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter)),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = match cli.command {
        Command::Analyze(a) => cli_analyze::run(a),
        Command::Eval(a) => cli_eval::run(a),
        Command::Serve(a) => cli_serve::run(a),
        Command::User(UserCommand::Add(a)) => cli_serve::user_add(a),
    };
    if let Err(e) = result {
        eprintln!("razz: error: {}", one_line(&e));
        std::process::exit(1);
    }
}

/// The error and its causes on one line. Library errors already print their source, so a
/// cause whose text is already there is not repeated.
fn one_line(e: &anyhow::Error) -> String {
    let mut msg = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if msg.contains(&text) {
            continue;
        }
        if !msg.is_empty() {
            msg.push_str(": ");
        }
        msg.push_str(&text);
    }
    msg.replace('\n', " ")
}
