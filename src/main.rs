//! The `gossip-lab` binary: a thin shell over the library. It parses the
//! command line, lets the library build and validate the config, and
//! dispatches. Exit codes (DESIGN §4): 0 success, 1 failed expectation,
//! incomplete session or lab error, 2 bad command line or profile, 129/130/143
//! stopped by SIGHUP/SIGINT/SIGTERM with the session log finished.

use std::process::ExitCode;

use gossip_lab::app::{self, Outcome};
use gossip_lab::cli::{self, Cli, Invocation};
use gossip_lab::config;

fn main() -> ExitCode {
    let invocation = match Cli::parse_args().invocation() {
        Ok(invocation) => invocation,
        Err(e) => return fail(&e, 2),
    };
    let outcome = match invocation {
        Invocation::Profiles => match config::profile_listing() {
            Ok(table) => {
                print!("{table}");
                Ok(Outcome::Success)
            }
            Err(e) => return fail(&e, 2),
        },
        Invocation::Run(config, options) => app::run_headless(config, options),
        Invocation::Tui(config, options) => app::run_tui(config, options),
        Invocation::Report { session, format } => app::report(&session, format),
        Invocation::Plot { session, out } => app::plot(&session, out.as_deref()),
        Invocation::Replay { session, fps } => app::replay::run(&session, fps),
        Invocation::Completions(shell) => {
            cli::shell::completions(shell, &mut std::io::stdout()).map(|()| Outcome::Success).map_err(Into::into)
        }
        Invocation::Man(None) => cli::shell::man(&mut std::io::stdout()).map(|()| Outcome::Success).map_err(Into::into),
        Invocation::Man(Some(dir)) => cli::shell::man_pages(&dir).map_err(Into::into).map(|files| {
            for f in files {
                println!("{}", f.display());
            }
            Outcome::Success
        }),
    };
    match outcome {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(e) => fail(&format!("{e:#}"), 1),
    }
}

/// Prints `gossip-lab: <message>` to stderr and returns the exit code.
fn fail(message: &dyn std::fmt::Display, code: u8) -> ExitCode {
    eprintln!("gossip-lab: {message}");
    ExitCode::from(code)
}
