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

    // The report folds the saved lines exactly as the run did.
    let replayed = report::summarize(&a.path().join("session.jsonl")).unwrap();
    assert_eq!(replayed, first);
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

#[test]
fn the_key_rotation_profile_passes_in_the_simulator_and_its_report_matches() {
    let dir = tempfile::tempdir().unwrap();
    let s = run_profile("key-rotation", dir.path());
    assert!(s.passed, "{}", s.render_text());
    assert_eq!((s.false_positives, s.false_suspicions, s.traffic.rejected), (0, 0, 0));
    let replayed = report::summarize(&dir.path().join("session.jsonl")).unwrap();
    assert_eq!(replayed, s);
}

#[test]
fn a_key_from_a_file_never_reaches_the_session_files() {
    use base64::Engine as _;
    let dir = tempfile::tempdir().unwrap();
    let key: [u8; 32] = std::array::from_fn(|i| 200u8.wrapping_sub(i as u8 * 7));
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    let b64 = base64::engine::general_purpose::STANDARD.encode(key);
    std::fs::write(dir.path().join("lab.key"), &hex).unwrap();
    let profile = dir.path().join("rotate.toml");
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/profiles/key-rotation.toml"))
        .unwrap()
        .replace("auth = \"key\"", "key_file = \"lab.key\"");
    std::fs::write(&profile, text).unwrap();
    let out = dir.path().join("out");
    let config = build_config(profile.to_str().unwrap(), &Overrides::default()).expect("profile with a key file");
    let opts = RunOptions { export: Some(out.clone()), sim: true, ..RunOptions::default() };
    let s = sim_run::run(config, &opts).expect("simulated run");
    assert!(s.passed, "{}", s.render_text());

    let id = gossip_lab::security::Key::parse(&hex).unwrap().id().to_string();
    let log = std::fs::read_to_string(out.join("session.jsonl")).unwrap();
    assert!(log.lines().next().unwrap().contains(&format!("\"key_id\":\"{id}\"")), "the header names the key id");
    assert!(log.contains("lab.key"), "and the file, by path");
    let mut files = 0;
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for spelling in [&hex[..16], &hex[..16].to_uppercase(), &b64[..16]] {
            assert!(!text.contains(spelling), "{} holds the key ({spelling})", path.display());
        }
        files += 1;
    }
    assert_eq!(files, 3, "session.jsonl, summary.json and metrics.csv");
}
