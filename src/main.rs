//! The `oasys` executable: parses the command line and runs it.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    match oasys::cli::run(oasys::cli::Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("oasys: {err:#}");
            ExitCode::FAILURE
        }
    }
}
