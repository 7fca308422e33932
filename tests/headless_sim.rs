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

#[test]
fn a_simulated_rogue_is_ground_truth_in_the_log_and_in_the_report() {
    use gossip_lab::observe::{Line, Record};
    use gossip_lab::rogue::Attack;
    let dir = tempfile::tempdir().unwrap();
    let s = run_profile("hostile", dir.path());
    let attacks: Vec<(Attack, usize)> = s.attacks.iter().map(|a| (a.attack, a.victim)).collect();
    assert_eq!(
        attacks,
        [(Attack::Death, 3), (Attack::Leave, 7), (Attack::Incarnation, 11), (Attack::Flood, 2), (Attack::AckMask, 5)]
    );
    assert!(s.attacks.iter().all(|a| a.stopped_at_s.is_some() && a.datagrams > 0 && a.bytes > a.datagrams));
    let mask = &s.attacks[4];
    let lasted = mask.stopped_at_s.unwrap() - mask.started_at_s;
    assert!((9.8..=10.0).contains(&lasted), "the 10s mask's last round came {lasted}s after its first");

    let text = std::fs::read_to_string(dir.path().join("session.jsonl")).unwrap();
    let lines: Vec<Line> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(lines.windows(2).all(|w| w[0].t_ms <= w[1].t_ms), "the log is in time order");
    let rogue = lines.iter().filter(|l| matches!(l.record, Record::Rogue(_))).count();
    assert_eq!(rogue, 10, "a started and a stopped line per attack");
    // The victims' processes never changed: the crash of node 5 is the
    // only process event after start.
    let changes: Vec<(usize, String)> = lines
        .iter()
        .filter_map(|l| match &l.record {
            Record::Node { node, event, .. } if event.is_action() => Some((*node, format!("{event:?}"))),
            _ => None,
        })
        .collect();
    assert_eq!(changes, [(5, "Crashed".to_owned())]);

    let replayed = report::summarize(&dir.path().join("session.jsonl")).unwrap();
    assert!(replayed.log.as_ref().is_some_and(|l| l.complete), "{:?}", replayed.log);
    assert_eq!(
        gossip_lab::observe::Summary { log: None, ..replayed },
        s,
        "report folds the rogue lines as the run did"
    );
}

#[test]
fn the_key_rotation_profile_passes_in_the_simulator_and_its_report_matches() {
    let dir = tempfile::tempdir().unwrap();
    let s = run_profile("key-rotation", dir.path());
    assert!(s.passed, "{}", s.render_text());
    assert_eq!((s.false_positives, s.false_suspicions, s.traffic.rejected), (0, 0, 0));
    let replayed = report::summarize(&dir.path().join("session.jsonl")).unwrap();
    assert!(replayed.log.as_ref().is_some_and(|l| l.complete), "{:?}", replayed.log);
    assert_eq!(gossip_lab::observe::Summary { log: None, ..replayed }, s);
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

/// A join from nothing: every node learns every other, N² additions. The
/// log coalesces them (one `learned` line a node per 100 ms window at
/// most), and the views folded from it are still whole: the run converges,
/// and the report of the log agrees. Fails if additions are logged one
/// line each (255 a node here) or if a coalesced line loses a member.
#[test]
fn a_join_storm_is_coalesced_into_learned_lines_and_the_views_stay_whole() {
    use gossip_lab::observe::{Line, Record};
    const N: usize = 256;
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("join.toml");
    std::fs::write(
        &profile,
        format!(
            "name = \"join\"\ndescription = \"a join storm\"\nduration = \"8s\"\n\
             [cluster]\nnodes = {N}\nseed = 3\njoin_stagger = \"5ms\"\n\
             [protocol]\npreset = \"lan\"\n[expect]\nconverged_within = \"8s\"\nfalse_positives = 0\n"
        ),
    )
    .unwrap();
    let config = build_config(profile.to_str().unwrap(), &Overrides::default()).expect("profile");
    let opts = RunOptions { export: Some(dir.path().to_path_buf()), sim: true, ..RunOptions::default() };
    let summary = sim_run::run(config, &opts).expect("simulated run");
    assert!(summary.passed, "{}", summary.render_text());

    let text = std::fs::read_to_string(dir.path().join("session.jsonl")).unwrap();
    let lines: Vec<Line> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    // Per observer: lines that add members, and members they add.
    let (mut adding_lines, mut added) = (vec![0usize; N], vec![0usize; N]);
    for l in &lines {
        match &l.record {
            Record::Member { observer, from: None, .. } => {
                adding_lines[*observer] += 1;
                added[*observer] += 1;
            }
            Record::Learned { observer, members } => {
                adding_lines[*observer] += 1;
                added[*observer] += members.iter().map(|&(f, l)| l + 1 - f).sum::<usize>();
            }
            _ => {}
        }
    }
    assert!(added.iter().all(|&a| a == N - 1), "every node logged every other once: {added:?}");
    let most = *adding_lines.iter().max().unwrap();
    // A lone addition and then one report a window: at most 2 lines per
    // 100 ms in the 8 s, and far fewer in practice.
    assert!(most <= 2 * 80, "an observer logged {most} lines of additions");
    assert!(most < (N - 1) / 4, "coalesced: at most {most} lines for {} additions", N - 1);

    let replayed = report::summarize(&dir.path().join("session.jsonl")).unwrap();
    assert_eq!(gossip_lab::observe::Summary { log: None, ..replayed }, summary);
}
