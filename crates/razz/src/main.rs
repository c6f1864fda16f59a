//! `razz`: the command line. Parses arguments, sets up logging, and hands off to the library
//! crates; every failure ends as one line on stderr and a non-zero exit.

mod cli_analyze;
mod cli_eval;

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
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RAZZ_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Analyze(a) => cli_analyze::run(a),
        Command::Eval(a) => cli_eval::run(a),
    };
    if let Err(e) = result {
        // One line: the chain of causes joined, no backtrace.
        let msg = e
            .chain()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(": ");
        eprintln!("razz: error: {}", msg.replace('\n', " "));
        std::process::exit(1);
    }
}
