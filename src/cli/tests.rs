//! The command line's parsing and its hand-off to the config.
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
        parse(&["run", "partition-heal", "-n", "12", "--duration", "40s", "--json", "--sim", "--export", "d"]).unwrap();
    let Some(Command::Run(args)) = &cli.command else { panic!("not run") };
    assert_eq!(args.duration, Some(Duration::from_secs(40)));
    let Invocation::Run(config, options) = cli.invocation().unwrap() else { panic!("not run") };
    assert_eq!((config.name.as_str(), config.nodes, config.duration), ("partition-heal", 12, Duration::from_secs(40)));
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
    let Invocation::Plot { session, out } = parse(&["plot", "s.jsonl", "--out", "d"]).unwrap().invocation().unwrap()
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
    let Invocation::Replay { fps, .. } = parse(&["replay", "s.jsonl", "--fps", "30"]).unwrap().invocation().unwrap()
    else {
        panic!("not replay")
    };
    assert_eq!(fps, 30);
    assert_eq!(parse(&["replay"]).unwrap_err().kind(), ErrorKind::MissingRequiredArgument);
    assert_eq!(parse(&["replay", "s.jsonl", "--fps", "0"]).unwrap_err().kind(), ErrorKind::ValueValidation);
}

#[test]
fn compare_is_the_dashboard_or_headless_over_one_scenario() {
    let inv = |args: &[&str]| parse(args).unwrap().invocation().unwrap();
    let Invocation::Tui(config, _) = inv(&["compare", "swim:fast", "phi:fast", "-p", "crash-detect"]) else {
        panic!("not the dashboard")
    };
    let c = config.compare.as_ref().unwrap();
    assert_eq!((c.a.name.as_str(), c.b.name.as_str(), config.name.as_str()), ("swim:fast", "phi:fast", "crash-detect"));
    let Invocation::Run(config, options) =
        inv(&["compare", "swim", "phi", "--headless", "--sim", "--json", "-n", "8", "--export", "d"])
    else {
        panic!("not headless")
    };
    assert_eq!(config.nodes, 8);
    assert_eq!(options, RunOptions { export: Some("d".into()), json: true, log: None, sim: true });
    assert_eq!(parse(&["compare", "swim", "phi", "--sim"]).unwrap_err().kind(), ErrorKind::MissingRequiredArgument);
    assert_eq!(parse(&["compare", "swim"]).unwrap_err().kind(), ErrorKind::MissingRequiredArgument);
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
