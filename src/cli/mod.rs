//! The command line (DESIGN §4), as one clap table: flags, help text and
//! value checks live together.
//!
//! ```text
//! gossip-lab [--profile NAME|PATH] [--nodes N] [--seed S] [--fps F] [--export DIR] [--log FILE] [--base-port P]
//! gossip-lab run [PROFILE | --profile NAME|PATH] [--nodes N] [--seed S] [--duration 60s] [--export DIR] [--json] [--log FILE] [--base-port P] [--sim]
//! gossip-lab profiles
//! gossip-lab report SESSION.jsonl [--format text|json|markdown]
//! gossip-lab plot SESSION.jsonl [--out DIR]
//! gossip-lab replay SESSION.jsonl [--fps F]
//! gossip-lab compare A B [--profile NAME|PATH] [--headless [--sim] [--json]] [--nodes N] [--seed S] [--duration 60s] [--export DIR]
//! gossip-lab completions bash|zsh|fish|elvish|powershell
//! gossip-lab man [--out DIR]
//! ```
//!
//! [`shell`] turns the same table into completion scripts and man pages.
//!
//! Parsing stops at [`Cli`]; [`Cli::invocation`] then loads the profile,
//! applies the flags and validates, so `main` only dispatches.

pub mod shell;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::app::report::Format;
use crate::app::{RunOptions, TuiOptions};
use crate::config::{ConfigError, LabConfig, Overrides, load_profile, parse_duration, parse_profile, with_sides};

/// Exit codes, for the help text and `main`.
const EXIT_CODES: &str = "\
Exit codes:
  0    success (for `run` and `report`: every expectation held; a whole hands-on log is not judged)
  1    an expectation failed, the session is incomplete, the file is no session log, or the lab itself failed
  2    bad command line or profile
  129  stopped by SIGHUP, 130 by SIGINT, 143 by SIGTERM (the session log is finished)";

/// `gossip-lab`: run N real SWIM/Lifeguard gossip nodes on localhost and
/// break their network on purpose.
#[derive(Debug, Parser)]
#[command(name = "gossip-lab", version, about, args_conflicts_with_subcommands = true, after_help = EXIT_CODES)]
pub struct Cli {
    /// What to do; with none, the TUI starts.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The TUI's flags (used when no subcommand is given).
    #[command(flatten)]
    pub tui: TuiArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a profile headless: execute its timeline, print a summary, exit 0 only if every expectation holds.
    Run(RunArgs),
    /// List the embedded profiles.
    Profiles,
    /// Tell a saved session log: its story (every action and what followed), false marks and why, the summary.
    Report(ReportArgs),
    /// Draw a saved session log as SVG charts and an index.html.
    Plot(PlotArgs),
    /// Watch a saved session again in the dashboard: play, pause, seek, step between events.
    Replay(ReplayArgs),
    /// Run one scenario on two protocols at once, under the same faults: the dashboard split in two, or a two-column summary.
    Compare(CompareArgs),
    /// Print a shell completion script to stdout (see the README for where each shell looks).
    Completions(CompletionsArgs),
    /// Print the man page to stdout, or write one page per subcommand into --out DIR.
    Man(ManArgs),
}

/// Flags that shape the lab, shared by the TUI and `run`.
#[derive(Debug, Args, Clone, PartialEq, Eq, Default)]
pub struct LabArgs {
    /// Number of nodes (overrides the profile's cluster.nodes).
    #[arg(long, short = 'n', value_name = "N")]
    pub nodes: Option<usize>,
    /// Seed for protocol randomness and fault decisions (overrides the profile's).
    #[arg(long, short = 's', value_name = "S")]
    pub seed: Option<u64>,
    /// First UDP port; node i listens on base-port + i (default: the OS picks).
    #[arg(long, value_name = "P")]
    pub base_port: Option<u16>,
    /// Write session.jsonl, summary.json and metrics.csv into DIR.
    #[arg(long, value_name = "DIR")]
    pub export: Option<PathBuf>,
    /// Write diagnostic logs to FILE.
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
}

/// The TUI's flags.
#[derive(Debug, Args, Clone, PartialEq, Eq)]
pub struct TuiArgs {
    /// An embedded profile name (see `gossip-lab profiles`) or a path to a .toml file.
    #[arg(long, short = 'p', value_name = "NAME|PATH", default_value = "default")]
    pub profile: String,
    /// Frames drawn per second.
    #[arg(long, value_name = "F", default_value_t = 15, value_parser = clap::value_parser!(u32).range(1..=60))]
    pub fps: u32,
    /// Flags shared with `run`.
    #[command(flatten)]
    pub lab: LabArgs,
}

/// `gossip-lab run`
#[derive(Debug, Args, Clone, PartialEq, Eq)]
pub struct RunArgs {
    /// An embedded profile name (see `gossip-lab profiles`) or a path to a .toml file.
    #[arg(value_name = "PROFILE", default_value = "default")]
    pub profile: String,
    /// The profile as the dashboard takes it (`--profile NAME|PATH`); the
    /// same as the PROFILE argument, so one habit works for both.
    #[arg(long = "profile", short = 'p', value_name = "NAME|PATH", conflicts_with = "profile")]
    pub profile_flag: Option<String>,
    /// How long to run, like "60s" or "2m" (overrides the profile's duration).
    #[arg(long, short = 'd', value_name = "DURATION", value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Run in the deterministic simulator (virtual time, in-memory network) instead of on real sockets.
    #[arg(long)]
    pub sim: bool,
    /// Flags shared with the TUI.
    #[command(flatten)]
    pub lab: LabArgs,
}

/// `gossip-lab report`
#[derive(Debug, Args, Clone, PartialEq, Eq)]
pub struct ReportArgs {
    /// A session.jsonl written by --export or the `x` key, or a comparison's directory (a/ and b/ inside).
    #[arg(value_name = "SESSION.jsonl")]
    pub session: PathBuf,
    /// text: aligned lines; json: one object (the summary plus `story`); markdown: tables for an issue.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = Format::Text)]
    pub format: Format,
    /// Alias of `--format json`, kept for CI and scripts.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
}

/// `gossip-lab plot`
#[derive(Debug, Args, Clone, PartialEq, Eq)]
pub struct PlotArgs {
    /// A session.jsonl written by --export or the `x` key, or a comparison's directory (a/ and b/ inside).
    #[arg(value_name = "SESSION.jsonl")]
    pub session: PathBuf,
    /// Where to write the charts (default: plots/ beside the log).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// `gossip-lab replay`
#[derive(Debug, Args, Clone, PartialEq, Eq)]
pub struct ReplayArgs {
    /// A session.jsonl written by --export or the `x` key.
    #[arg(value_name = "SESSION.jsonl")]
    pub session: PathBuf,
    /// Frames drawn per second.
    #[arg(long, value_name = "F", default_value_t = 15, value_parser = clap::value_parser!(u32).range(1..=60))]
    pub fps: u32,
}

/// `gossip-lab compare`
#[derive(Debug, Args, Clone, PartialEq, Eq)]
pub struct CompareArgs {
    /// Side A: FAMILY[:PRESET][,FIELD=VALUE...] (swim:fast, phi:cassandra,phi_convict=5, swim:lan,lifeguard=false) or a profile, whose [protocol] it takes.
    #[arg(value_name = "A")]
    pub a: String,
    /// Side B, written as A is.
    #[arg(value_name = "B")]
    pub b: String,
    /// The scenario both sides run: its cluster, network, timeline and expectations.
    #[arg(long, short = 'p', value_name = "NAME|PATH", default_value = "default")]
    pub profile: String,
    /// No dashboard: run the timeline, print a two-column summary, exit 0 only if every expectation held.
    #[arg(long)]
    pub headless: bool,
    /// With --headless: run both in the deterministic simulator.
    #[arg(long, requires = "headless")]
    pub sim: bool,
    /// With --headless: print the comparison as one JSON object.
    #[arg(long, requires = "headless")]
    pub json: bool,
    /// How long to run, like "60s" (overrides the profile's duration).
    #[arg(long, short = 'd', value_name = "DURATION", value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Frames drawn per second (the dashboard).
    #[arg(long, value_name = "F", default_value_t = 15, value_parser = clap::value_parser!(u32).range(1..=60))]
    pub fps: u32,
    /// Flags shared with `run`; --export writes each side under a/ and b/.
    #[command(flatten)]
    pub lab: LabArgs,
}

/// `gossip-lab completions`
#[derive(Debug, Args, Clone, PartialEq, Eq)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// `gossip-lab man`
#[derive(Debug, Args, Clone, PartialEq, Eq)]
pub struct ManArgs {
    /// Write gossip-lab.1 and a page per subcommand into DIR (e.g. ~/.local/share/man/man1) instead of printing.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// What `main` should do, with everything loaded and validated.
#[derive(Debug)]
pub enum Invocation {
    /// Start the TUI.
    Tui(LabConfig, TuiOptions),
    /// Run headless.
    Run(LabConfig, RunOptions),
    /// Print the embedded profiles.
    Profiles,
    /// Tell a session log.
    Report {
        /// The session.jsonl to read.
        session: PathBuf,
        /// How to print it.
        format: Format,
    },
    /// Draw a session log.
    Plot {
        /// The session.jsonl to read.
        session: PathBuf,
        /// The output directory, if not the default.
        out: Option<PathBuf>,
    },
    /// Replay a session log in the dashboard.
    Replay {
        /// The session.jsonl to read.
        session: PathBuf,
        /// Frames per second.
        fps: u32,
    },
    /// Print a completion script.
    Completions(clap_complete::Shell),
    /// Print the man page, or write every page into a directory.
    Man(Option<PathBuf>),
}

impl Cli {
    /// Parses `std::env::args`; on a bad command line prints clap's message
    /// and exits with code 2.
    pub fn parse_args() -> Cli {
        Cli::parse()
    }

    /// Loads and validates what the command line asks for.
    pub fn invocation(self) -> Result<Invocation, ConfigError> {
        Ok(match self.command {
            None => {
                let TuiArgs { profile, fps, lab } = self.tui;
                let config = build_config(&profile, &lab.overrides(None))?;
                Invocation::Tui(config, TuiOptions { fps, export: lab.export, log: lab.log })
            }
            Some(Command::Run(args)) => {
                let profile = args.profile_flag.as_deref().unwrap_or(&args.profile);
                let config = build_config(profile, &args.lab.overrides(args.duration))?;
                let RunArgs { json, sim, lab, .. } = args;
                Invocation::Run(config, RunOptions { export: lab.export, json, log: lab.log, sim })
            }
            Some(Command::Compare(args)) => {
                let (source, text) = load_profile(&args.profile)?;
                let config = with_sides(&source, &text, &args.a, &args.b)?.apply(&args.lab.overrides(args.duration))?;
                let CompareArgs { headless, sim, json, fps, lab, .. } = args;
                if headless {
                    Invocation::Run(config, RunOptions { export: lab.export, json, log: lab.log, sim })
                } else {
                    Invocation::Tui(config, TuiOptions { fps, export: lab.export, log: lab.log })
                }
            }
            Some(Command::Profiles) => Invocation::Profiles,
            Some(Command::Report(ReportArgs { session, format, json })) => {
                Invocation::Report { session, format: if json { Format::Json } else { format } }
            }
            Some(Command::Plot(PlotArgs { session, out })) => Invocation::Plot { session, out },
            Some(Command::Replay(ReplayArgs { session, fps })) => Invocation::Replay { session, fps },
            Some(Command::Completions(CompletionsArgs { shell })) => Invocation::Completions(shell),
            Some(Command::Man(ManArgs { out })) => Invocation::Man(out),
        })
    }
}

impl LabArgs {
    /// The profile overrides these flags carry.
    pub fn overrides(&self, duration: Option<Duration>) -> Overrides {
        Overrides { nodes: self.nodes, seed: self.seed, duration, base_port: self.base_port }
    }
}

/// Loads a profile by name or path, parses it, and applies the overrides.
pub fn build_config(profile: &str, overrides: &Overrides) -> Result<LabConfig, ConfigError> {
    let (source, text) = load_profile(profile)?;
    parse_profile(&source, &text)?.apply(overrides)
}

#[cfg(test)]
mod tests;
