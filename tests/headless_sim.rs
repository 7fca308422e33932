//! `gossip-lab run --sim` and `gossip-lab report`, end to end in virtual time.

use gossip_lab::app::{RunOptions, report, sim_run};
use gossip_lab::cli::build_config;
use gossip_lab::config::Overrides;

fn run_profile(name: &str, dir: &std::path::Path) -> gossip_lab::observe::Summary {
    let config = build_config(name, &Overrides::default()).expect("embedded profile");
    let opts = RunOptions { export: Some(dir.to_path_buf()), sim: true, ..RunOptions::default() };
    sim_run::run(config, &opts).expect("simulated run")
}

#[test]
fn a_simulated_session_is_reproducible_and_its_report_matches() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = run_profile("partition-heal", a.path());
    let second = run_profile("partition-heal", b.path());
    let log = |d: &tempfile::TempDir| std::fs::read(d.path().join("session.jsonl")).unwrap();
    assert!(log(&a).len() > 10_000);
    assert_eq!(log(&a), log(&b), "same seed, byte-identical session log");
    assert!(first.passed, "{}", first.render_text());
    assert_eq!(first, second);

    // The report folds the saved lines exactly as the run did, and finds
    // the log whole.
    let replayed = report::summarize(&a.path().join("session.jsonl")).unwrap();
    let log = replayed.log.clone().expect("report says how the log ends");
    assert!(log.complete && !log.torn_last_line, "{log:?}");
    assert_eq!(gossip_lab::observe::Summary { log: None, ..replayed }, first);
    let saved: gossip_lab::observe::Summary =
        serde_json::from_slice(&std::fs::read(a.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!(saved, first);
}

#[test]
fn a_simulated_crash_is_detected_within_the_profile_bound() {
    let dir = tempfile::tempdir().unwrap();
    let s = run_profile("crash-detect", dir.path());
    assert!(s.passed, "{}", s.render_text());
    let d = &s.detections[0];
    assert!(d.full_s.unwrap() <= d.model_full_s, "{d:?}");
    assert_eq!(s.false_positives, 0);
}
