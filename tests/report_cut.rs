//! `gossip-lab report` on logs that are not whole: cut by a kill before
//! their summary line, ending in a torn line, stopped early by a signal,
//! or recorded hands-on. Logs come from simulated runs (fixed seeds), then
//! are cut the way a kill cuts them.

use std::path::{Path, PathBuf};

use gossip_lab::app::session_log::SessionLog;
use gossip_lab::app::{Outcome, RunOptions, report, sim_run};
use gossip_lab::cli::build_config;
use gossip_lab::config::{LabConfig, Overrides, parse_profile};
use gossip_lab::observe::{Mode, Summary};

const SESSION: &str = "session.jsonl";

fn simulate(config: LabConfig, dir: &Path) -> Summary {
    let opts = RunOptions { export: Some(dir.to_path_buf()), sim: true, ..RunOptions::default() };
    sim_run::run(config, &opts).expect("simulated run")
}

fn embedded(name: &str) -> LabConfig {
    build_config(name, &Overrides::default()).expect("embedded profile")
}

/// The log's lines up to and including `t_ms`, without the summary line:
/// what is on disk when a kill lands at `t_ms`.
fn cut_at(dir: &Path, t_ms: f64) -> PathBuf {
    let text = std::fs::read_to_string(dir.join(SESSION)).unwrap();
    let kept: String = text
        .lines()
        .filter(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["kind"] != "summary" && v["t_ms"].as_f64().unwrap() <= t_ms
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let path = dir.join(format!("cut-{t_ms}.jsonl"));
    std::fs::write(&path, kept).unwrap();
    path
}

fn names(checks: impl IntoIterator<Item = String>) -> Vec<String> {
    checks.into_iter().collect()
}

#[test]
fn report_said_all_expectations_met_on_a_log_cut_before_the_heal() {
    let dir = tempfile::tempdir().unwrap();
    let live = simulate(embedded("partition-heal"), dir.path());
    assert!(live.passed, "{}", live.render_text());
    // The halves split at 5 s and heal at 15 s; by 12 s each half holds the
    // other dead, which is right while they are cut off: the partition's
    // own convergence is met, and that used to be all the report judged.
    let cut = cut_at(dir.path(), 12_000.0);
    let s = report::summarize(&cut).unwrap();
    assert!(!s.passed, "{}", s.render_text());
    assert!(!s.render_text().contains("all expectations met"), "{}", s.render_text());
    let log = s.log.as_ref().unwrap();
    assert!(!log.complete && !log.torn_last_line, "{log:?}");
    assert!((11.0..=12.0).contains(&log.ends_at_s), "{log:?}");
    let unjudged = &s.cut.as_ref().expect("the record ends before 35 s").unjudged;
    let converged = unjudged.iter().find(|u| u.name == "converged_within").expect("convergence not judged");
    assert!(converged.why.contains("heal at 15.00s"), "{}", converged.why);
    assert!(unjudged.iter().any(|u| u.name == "false_positives"), "a count judged at the end");
    assert!(s.expectations.is_empty(), "nothing left to judge: {:?}", s.expectations);
    let notes = report::notes(&SessionLog::read(&cut).unwrap(), &s);
    assert_eq!(notes.len(), 1, "stderr says the log is incomplete: {notes:?}");
    assert!(notes[0].contains("not judged: converged_within, false_positives"), "{notes:?}");
    assert_eq!(gossip_lab::app::report(&cut, report::Format::Json).unwrap(), Outcome::Failed, "exit 1");
}

#[test]
fn a_log_cut_after_the_heal_converged_judges_convergence_and_leaves_the_counts() {
    let dir = tempfile::tempdir().unwrap();
    let live = simulate(embedded("partition-heal"), dir.path());
    let converged_at = live.last_action_s.unwrap() + live.converged_after_s.unwrap();
    let cut = cut_at(dir.path(), (converged_at + 1.0) * 1000.0);
    let s = report::summarize(&cut).unwrap();
    let judged = names(s.expectations.iter().map(|c| c.name.clone()));
    assert_eq!(judged, ["converged_within"], "convergence after the last step is settled");
    assert!(s.expectations[0].ok);
    let unjudged = names(s.cut.unwrap().unjudged.into_iter().map(|u| u.name));
    assert_eq!(unjudged, ["false_positives"]);
    assert!(!s.passed);
}

#[test]
fn a_failure_no_later_line_can_undo_is_judged_in_a_cut_log() {
    // Full detection of a crash at 2 s takes about 1.5 s on the fast
    // preset: far over 100 ms, whatever the rest of the run does.
    let text = "name = \"late-detection\"\nduration = \"20s\"\n[cluster]\nnodes = 8\nseed = 3\n\
                [protocol]\npreset = \"fast\"\n[[timeline]]\nat = \"2s\"\naction = \"crash\"\nnode = 1\n\
                [expect]\ndetection_within = \"100ms\"\nfalse_positives = 0\n";
    let dir = tempfile::tempdir().unwrap();
    let live = simulate(parse_profile("late-detection", text).unwrap(), dir.path());
    assert!(!live.passed, "{}", live.render_text());
    let s = report::summarize(&cut_at(dir.path(), 8_000.0)).unwrap();
    let detection = s.expectations.iter().find(|c| c.name == "detection_within").expect("judged");
    assert!(!detection.ok, "{detection:?}");
    assert!(s.render_text().contains("EXPECTATIONS FAILED"), "{}", s.render_text());
    let unjudged = names(s.cut.unwrap().unjudged.into_iter().map(|u| u.name));
    assert_eq!(unjudged, ["false_positives"]);
}

#[test]
fn a_torn_last_line_is_skipped_and_reported_instead_of_rejecting_the_log() {
    let dir = tempfile::tempdir().unwrap();
    simulate(embedded("crash-detect"), dir.path());
    let bytes = std::fs::read(dir.path().join(SESSION)).unwrap();
    // Cut in the middle of a line, as a kill inside a write can.
    let mid = bytes.len() / 2;
    let at = mid + bytes[mid..].iter().position(|&b| b == b'\n').unwrap() + 40;
    assert_ne!(bytes[at - 1], b'\n');
    let torn = dir.path().join("torn.jsonl");
    std::fs::write(&torn, &bytes[..at]).unwrap();
    let s = report::summarize(&torn).expect("a torn tail is not a damaged log");
    let log = s.log.as_ref().unwrap();
    assert!(log.torn_last_line && !log.complete, "{log:?}");
    assert!(s.render_text().contains("cut mid-line"), "{}", s.render_text());
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["log"]["torn_last_line"], true, "the JSON output says so too");
    let notes = report::notes(&SessionLog::read(&torn).unwrap(), &s);
    assert!(notes.iter().any(|n| n.contains("cut mid-line")), "{notes:?}");

    // A line broken in the middle of the file is damage, not a cut.
    let mut damaged = bytes[..at].to_vec();
    damaged.push(b'\n');
    damaged.extend_from_slice(&bytes[at..]);
    std::fs::write(&torn, damaged).unwrap();
    assert!(report::summarize(&torn).is_err());
}

#[test]
fn a_log_cut_inside_its_header_is_an_error_that_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(SESSION);
    std::fs::write(&path, b"{\"t_ms\":0.0,\"kind\":\"sess").unwrap();
    let e = report::summarize(&path).unwrap_err().to_string();
    assert!(e.contains("cut before its header was complete"), "{e}");
}

#[test]
fn report_exits_like_run_on_failed_expectations_and_passes_a_whole_log() {
    let dir = tempfile::tempdir().unwrap();
    simulate(embedded("crash-detect"), dir.path());
    assert_eq!(gossip_lab::app::report(&dir.path().join(SESSION), report::Format::Json).unwrap(), Outcome::Success);

    let failing = "name = \"impossible\"\nduration = \"10s\"\n[cluster]\nnodes = 8\nseed = 3\n\
                   [protocol]\npreset = \"fast\"\n[[timeline]]\nat = \"2s\"\naction = \"crash\"\nnode = 1\n\
                   [expect]\ndetection_within = \"100ms\"\n";
    let dir = tempfile::tempdir().unwrap();
    simulate(parse_profile("impossible", failing).unwrap(), dir.path());
    assert_eq!(gossip_lab::app::report(&dir.path().join(SESSION), report::Format::Json).unwrap(), Outcome::Failed);
}

#[test]
fn a_hands_on_session_is_described_not_judged_but_an_incomplete_one_still_fails() {
    let dir = tempfile::tempdir().unwrap();
    let live = simulate(embedded("partition-heal"), dir.path());
    assert_eq!(live.mode, Mode::Scripted);
    // The same log as the dashboard would head it.
    let text = std::fs::read_to_string(dir.path().join(SESSION)).unwrap();
    let (header, rest) = text.split_once('\n').unwrap();
    assert!(header.contains("\"mode\":\"scripted\""), "{header}");
    let hands_on = dir.path().join("hands-on.jsonl");
    std::fs::write(&hands_on, format!("{}\n{rest}", header.replace("\"scripted\"", "\"hands-on\""))).unwrap();
    let s = report::summarize(&hands_on).unwrap();
    assert_eq!(s.mode, Mode::HandsOn);
    assert!(s.expectations.is_empty() && s.cut.is_none() && s.passed, "{}", s.render_text());
    assert!(s.render_text().contains("hands-on"), "{}", s.render_text());
    assert_eq!(gossip_lab::app::report(&hands_on, report::Format::Json).unwrap(), Outcome::Success);

    // Cut before its end: nothing to judge, but the log is incomplete.
    let cut: String = std::fs::read_to_string(&hands_on).unwrap().lines().take(200).map(|l| format!("{l}\n")).collect();
    std::fs::write(&hands_on, cut).unwrap();
    assert_eq!(gossip_lab::app::report(&hands_on, report::Format::Json).unwrap(), Outcome::Failed);
}

#[test]
fn a_log_from_before_the_mode_field_is_judged_as_scripted() {
    let dir = tempfile::tempdir().unwrap();
    let live = simulate(embedded("crash-detect"), dir.path());
    let text = std::fs::read_to_string(dir.path().join(SESSION)).unwrap();
    let old = text.replacen(",\"mode\":\"scripted\"", "", 1);
    assert_ne!(old, text);
    let path = dir.path().join("old.jsonl");
    std::fs::write(&path, old).unwrap();
    let s = report::summarize(&path).unwrap();
    assert_eq!(s.expectations, live.expectations);
    assert!(s.passed);
}

#[test]
fn a_rumor_is_judged_once_it_spread_and_not_before_its_step() {
    let dir = tempfile::tempdir().unwrap();
    let live = simulate(embedded("rumor-spread"), dir.path());
    let spread = live.rumors[0].injected_at_s + live.rumors[0].t100_s.unwrap();

    let before = report::summarize(&cut_at(dir.path(), 4_000.0)).unwrap();
    let why = &before.cut.as_ref().unwrap().unjudged.iter().find(|u| u.name == "rumor_within").unwrap().why;
    assert!(why.contains("timeline's rumor") && why.contains("at 5.00s"), "{why}");

    let after = report::summarize(&cut_at(dir.path(), (spread + 0.5) * 1000.0)).unwrap();
    let rumor = after.expectations.iter().find(|c| c.name == "rumor_within").expect("judged once everyone has it");
    assert!(rumor.ok, "{rumor:?}");
}
