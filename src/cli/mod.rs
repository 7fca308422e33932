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
use crate::config::{ConfigError, LabConfig, Overrides, load_profile, parse_duration, parse_profile};

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
    /// A session.jsonl written by --export or the `x` key.
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
mod tests {
    use clap::CommandFactory;
    use clap::error::ErrorKind;

    use std::path::Path;

    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("gossip-lab").chain(args.iter().copied()))
    }

    #[test]
    fn the_clap_table_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn no_subcommand_is_the_tui_with_defaults() {
        let cli = parse(&[]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.tui.profile, "default");
        assert_eq!(cli.tui.fps, 15);
        assert_eq!(cli.tui.lab, LabArgs::default());
        let Invocation::Tui(config, options) = cli.invocation().unwrap() else { panic!("not the TUI") };
        assert_eq!(config.name, "default");
        assert_eq!(options, TuiOptions { fps: 15, export: None, log: None });
    }

    #[test]
    fn tui_flags() {
        let cli = parse(&[
            "--profile",
            "crash-detect",
            "--nodes",
            "8",
            "--seed",
            "7",
            "--fps",
            "30",
            "--export",
            "out",
            "--log",
            "lab.log",
            "--base-port",
            "20000",
        ])
        .unwrap();
        let Invocation::Tui(config, options) = cli.invocation().unwrap() else { panic!("not the TUI") };
        assert_eq!(
            (config.name.as_str(), config.nodes, config.seed, config.base_port),
            ("crash-detect", 8, 7, Some(20000))
        );
        assert_eq!(options, TuiOptions { fps: 30, export: Some("out".into()), log: Some("lab.log".into()) });
    }

    #[test]
    fn run_flags() {
        let cli =
            parse(&["run", "partition-heal", "-n", "12", "--duration", "40s", "--json", "--sim", "--export", "d"])
                .unwrap();
        let Some(Command::Run(args)) = &cli.command else { panic!("not run") };
        assert_eq!(args.duration, Some(Duration::from_secs(40)));
        let Invocation::Run(config, options) = cli.invocation().unwrap() else { panic!("not run") };
        assert_eq!(
            (config.name.as_str(), config.nodes, config.duration),
            ("partition-heal", 12, Duration::from_secs(40))
        );
        assert_eq!(options, RunOptions { export: Some("d".into()), json: true, log: None, sim: true });
    }

    #[test]
    fn run_takes_the_profile_as_the_dashboard_does_too() {
        let Invocation::Run(config, _) = parse(&["run", "--profile", "lossy", "--sim"]).unwrap().invocation().unwrap()
        else {
            panic!("not run")
        };
        assert_eq!(config.name, "lossy");
        let Invocation::Run(config, _) = parse(&["run", "-p", "crash-detect"]).unwrap().invocation().unwrap() else {
            panic!("not run")
        };
        assert_eq!(config.name, "crash-detect");
        assert!(parse(&["run", "lossy", "--profile", "crash-detect"]).is_err(), "two profiles: which one?");
    }

    #[test]
    fn run_defaults_to_the_default_profile() {
        let Invocation::Run(config, options) = parse(&["run"]).unwrap().invocation().unwrap() else { panic!() };
        assert_eq!(config.name, "default");
        assert_eq!(options, RunOptions::default());
    }

    #[test]
    fn completions_and_man() {
        use clap_complete::Shell;
        let inv = |args: &[&str]| parse(args).unwrap().invocation().unwrap();
        assert!(matches!(inv(&["completions", "bash"]), Invocation::Completions(Shell::Bash)));
        assert!(matches!(inv(&["completions", "zsh"]), Invocation::Completions(Shell::Zsh)));
        assert_eq!(parse(&["completions", "tcsh"]).unwrap_err().kind(), ErrorKind::InvalidValue);
        assert_eq!(parse(&["completions"]).unwrap_err().kind(), ErrorKind::MissingRequiredArgument);
        assert!(matches!(inv(&["man"]), Invocation::Man(None)));
        assert!(matches!(inv(&["man", "--out", "m"]), Invocation::Man(Some(d)) if d == Path::new("m")));
    }

    #[test]
    fn profiles_and_report() {
        assert!(matches!(parse(&["profiles"]).unwrap().invocation().unwrap(), Invocation::Profiles));
        let report = |args: &[&str]| match parse(args).unwrap().invocation().unwrap() {
            Invocation::Report { session, format } => (session, format),
            _ => panic!("not report"),
        };
        assert_eq!(report(&["report", "s.jsonl"]), (PathBuf::from("s.jsonl"), Format::Text));
        assert_eq!(report(&["report", "s.jsonl", "--json"]).1, Format::Json, "the alias CI uses");
        assert_eq!(report(&["report", "s.jsonl", "--format", "markdown"]).1, Format::Markdown);
        assert_eq!(report(&["report", "s.jsonl", "--format", "json"]).1, Format::Json);
        let e = parse(&["report", "s.jsonl", "--format", "xml"]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidValue);
    }

    #[test]
    fn plot_takes_a_session_and_an_optional_out_dir() {
        let Invocation::Plot { session, out } =
            parse(&["plot", "s.jsonl", "--out", "d"]).unwrap().invocation().unwrap()
        else {
            panic!("not plot")
        };
        assert_eq!((session, out), (PathBuf::from("s.jsonl"), Some(PathBuf::from("d"))));
        let Invocation::Plot { out, .. } = parse(&["plot", "s.jsonl"]).unwrap().invocation().unwrap() else {
            panic!("not plot")
        };
        assert_eq!(out, None);
        assert_eq!(parse(&["plot"]).unwrap_err().kind(), ErrorKind::MissingRequiredArgument);
    }

    #[test]
    fn replay_takes_a_session_and_a_frame_rate() {
        let Invocation::Replay { session, fps } = parse(&["replay", "s.jsonl"]).unwrap().invocation().unwrap() else {
            panic!("not replay")
        };
        assert_eq!((session, fps), (PathBuf::from("s.jsonl"), 15));
        let Invocation::Replay { fps, .. } =
            parse(&["replay", "s.jsonl", "--fps", "30"]).unwrap().invocation().unwrap()
        else {
            panic!("not replay")
        };
        assert_eq!(fps, 30);
        assert_eq!(parse(&["replay"]).unwrap_err().kind(), ErrorKind::MissingRequiredArgument);
        assert_eq!(parse(&["replay", "s.jsonl", "--fps", "0"]).unwrap_err().kind(), ErrorKind::ValueValidation);
    }

    #[test]
    fn bad_command_lines_are_clap_errors() {
        assert_eq!(parse(&["--bogus"]).unwrap_err().kind(), ErrorKind::UnknownArgument);
        assert_eq!(parse(&["run", "--fps", "10"]).unwrap_err().kind(), ErrorKind::UnknownArgument);
        assert_eq!(parse(&["--fps", "0"]).unwrap_err().kind(), ErrorKind::ValueValidation);
        assert_eq!(parse(&["--nodes", "many"]).unwrap_err().kind(), ErrorKind::ValueValidation);
        assert_eq!(parse(&["report"]).unwrap_err().kind(), ErrorKind::MissingRequiredArgument);
        let e = parse(&["run", "--duration", "5 sec"]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ValueValidation);
        assert!(e.to_string().contains("use a duration like \"250ms\" or \"5s\""), "{e}");
        // TUI flags belong before no subcommand, not before one.
        assert!(parse(&["--nodes", "3", "run"]).is_err());
    }

    #[test]
    fn config_errors_surface_from_invocation() {
        let e = parse(&["run", "nope"]).unwrap().invocation().unwrap_err();
        assert!(e.to_string().starts_with("unknown profile \"nope\""), "{e}");
        let e = parse(&["--nodes", "0"]).unwrap().invocation().unwrap_err();
        assert_eq!(e.to_string(), "--nodes 0 is out of range: use 1 to 4096");
        let e = parse(&["run", "crash-detect", "--nodes", "4"]).unwrap().invocation().unwrap_err();
        assert!(e.to_string().contains("node 5 does not exist; the cluster has 4 nodes (0..3)"), "{e}");
    }
}
