//! `weft`: serve, run and validate workflows.

mod arazzo;
mod progress;
mod run;
mod serve;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

// Executions allocate many small JSON maps and strings; mimalloc takes about 40% off a
// state transition against the system allocator (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "weft",
    version,
    about = "Durable workflows that speak the Step Functions API"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the Step Functions API, keeping every execution in a store.
    Serve(serve::ServeArgs),
    /// Load-test a weft server with the benchmark workloads (W1 hello, W2 chain10).
    Bench(weft_bench::BenchArgs),
    /// Run a state machine or an Arazzo workflow to completion in this process.
    Run(run::RunArgs),
    /// Check a state machine definition or an Arazzo document and report every problem
    /// found.
    Validate {
        /// The definition (JSON or YAML): a state machine, or an Arazzo document.
        file: PathBuf,
        /// `json` prints the ValidateStateMachineDefinition reply shape (for Arazzo
        /// documents too).
        #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
        output: OutputFormat,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve::main(args),
        Command::Bench(args) => match std::env::current_exe() {
            Ok(exe) => weft_bench::main(args, &exe),
            Err(e) => {
                eprintln!("weft: cannot find the weft executable: {e}");
                ExitCode::from(2)
            }
        },
        Command::Run(args) => run::main(args),
        Command::Validate { file, output } => validate::main(&file, output),
    }
}
