//! `gossip-lab report` tells a session as a story. A hands-on session is
//! made here the way a person makes one: keys pressed on the dashboard
//! ([`App::key`]) become lab actions, carried out on a simulated lab
//! through the one engine, with the session journalled as hands-on. Its
//! report must judge nothing, list every action in order in every format,
//! and count the node that was added. Then the exit codes of the built
//! binary, and why a known false suspicion counts as false.

use std::path::{Path, PathBuf};
use std::process::Command;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use gossip_lab::app::report::{self, Format};
use gossip_lab::app::session_log::SessionLog;
use gossip_lab::app::sim_run::{self, SimLab};
use gossip_lab::app::{Outcome, RunOptions};
use gossip_lab::cli::build_config;
use gossip_lab::config::{LabConfig, Overrides, parse_profile};
use gossip_lab::observe::metrics::{Route, Rule};
use gossip_lab::observe::record::PlanRecord;
use gossip_lab::observe::{Mode, Snapshot};
use gossip_lab::protocol::{State, Time};
use gossip_lab::ui::fixture;
use gossip_lab::ui::{App, Effect};

const SESSION: &str = "session.jsonl";

/// What the dashboard would show of the lab now, as far as keys care:
/// each node's condition and the network's baseline.
fn snapshot_of(lab: &SimLab) -> Snapshot {
    let truth = lab.session().metrics().truth();
    let mut snap = fixture::scene(truth.len().max(8));
    snap.nodes.truncate(truth.len());
    for (i, row) in snap.nodes.iter_mut().enumerate() {
        row.life = truth.life(i);
    }
    snap.plan = PlanRecord::of(truth.plan(), |a| truth.addrs().iter().position(|&x| x == a));
    snap
}

/// Presses `key` on the dashboard; a lab action is carried out at once.
fn press(app: &mut App, lab: &mut SimLab, key: char) {
    let snap = snapshot_of(lab);
    if let Effect::Lab(action) = app.key(KeyEvent::new(KeyCode::Char(key), KeyModifiers::NONE), &snap) {
        lab.apply(&action).expect("the log is written").unwrap_or_else(|e| panic!("{}: {e}", action.label()));
    }
}

fn select(app: &mut App, lab: &mut SimLab, node: usize) {
    while app.selected < node {
        press(app, lab, 'j');
    }
    while app.selected > node {
        press(app, lab, 'k');
    }
    assert_eq!(app.selected, node);
}

fn wait(lab: &mut SimLab, secs: u64) {
    let t = lab.now() + std::time::Duration::from_secs(secs);
    lab.run_until(t).expect("the log is written");
}

/// A hands-on session of 10 nodes: crash, partition, heal, isolate, heal,
/// loss up and down, pause and resume, add, rumor. Returns its log and the
/// actions the story must tell, in order.
fn hands_on(dir: &Path) -> (PathBuf, Vec<String>) {
    let config = build_config("default", &Overrides { nodes: Some(10), seed: Some(11), ..Overrides::default() })
        .expect("the default profile");
    let mut lab = SimLab::start(&config, Mode::HandsOn, Some(dir)).expect("a simulated lab");
    let mut app = App::new(None);
    wait(&mut lab, 3);
    select(&mut app, &mut lab, 2);
    for (key, secs) in [('c', 4), ('p', 3), ('h', 4)] {
        press(&mut app, &mut lab, key);
        wait(&mut lab, secs);
    }
    select(&mut app, &mut lab, 4);
    for (key, secs) in [('i', 3), ('h', 4), (']', 2), ('[', 2)] {
        press(&mut app, &mut lab, key);
        wait(&mut lab, secs);
    }
    select(&mut app, &mut lab, 6);
    for (key, secs) in [('z', 2), ('z', 3), ('a', 3), ('m', 3)] {
        press(&mut app, &mut lab, key);
        wait(&mut lab, secs);
    }
    let added = lab.session().addrs()[10];
    let summary = lab.finish().expect("the session finishes");
    assert_eq!(summary.mode, Mode::HandsOn);
    let actions = [
        "crash node 2",
        "partition halves",
        "heal",
        "isolate node 4",
        "heal",
        "loss 5%",
        "loss 0%",
        "pause node 6",
        "resume node 6",
        &format!("add node 10 ({added})"),
        "rumor #0 at node 6", // numbered as the dashboard numbers it
    ];
    (dir.join(SESSION), actions.iter().map(|s| s.to_string()).collect())
}

/// Every item of `items` appears in `text`, in this order.
fn in_order(text: &str, items: &[String]) {
    let mut from = 0;
    for item in items {
        let at =
            text[from..].find(item.as_str()).unwrap_or_else(|| panic!("{item:?} missing or out of order in\n{text}"));
        from += at + item.len();
    }
}

#[test]
fn a_hands_on_session_driven_by_keys_is_told_action_by_action_and_judged_by_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (path, actions) = hands_on(dir.path());
    let log = SessionLog::read(&path).unwrap();
    let (summary, story) = report::tell(&log);
    assert!(summary.expectations.is_empty() && summary.passed, "{}", summary.render_text());
    assert!(summary.result().contains("nothing judged"), "{}", summary.result());
    let told: Vec<&str> = story.actions.iter().map(|a| a.what.as_str()).collect();
    assert_eq!(told, actions, "every action, in order");
    assert_eq!(
        (summary.nodes_at_start, summary.nodes_added, summary.nodes_left, summary.nodes),
        (10, 1, 0, 11),
        "the node count follows the add"
    );

    let crash = &story.actions[0].followed;
    let detection = crash.detection.as_ref().expect("the crash's detection");
    assert!(detection.full_s.is_some(), "every node saw node 2 dead: {detection:?}");
    let heal = &story.actions[4].followed;
    assert!(heal.converged_after_s.is_some(), "the cluster re-converged after the second heal: {heal:?}");
    assert!(story.actions[10].followed.spread.is_some(), "the rumor's spread");

    let text = report::render(&log, Format::Text);
    in_order(&text, &actions);
    assert!(text.contains("10 nodes at start; 11 at the end (1 added, 0 left)"), "{text}");
    assert!(!text.contains("PASS") && !text.contains("FAIL"), "{text}");
    let markdown = report::render(&log, Format::Markdown);
    in_order(&markdown, &actions);
    assert!(markdown.contains("| nodes | 10 nodes at start; 11 at the end (1 added, 0 left) |"), "{markdown}");
    assert!(markdown.contains("| time | action | what followed |"), "{markdown}");
    assert!(!markdown.contains("## Expectations"), "a hands-on session has no expectations table");
    let json: serde_json::Value = serde_json::from_str(&report::render(&log, Format::Json)).unwrap();
    let listed: Vec<&str> =
        json["story"]["actions"].as_array().unwrap().iter().map(|a| a["what"].as_str().unwrap()).collect();
    assert_eq!(listed, actions);
    assert_eq!((json["nodes"].as_u64(), json["mode"].as_str()), (Some(11), Some("hands-on")));
    for format in [Format::Text, Format::Json, Format::Markdown] {
        assert_eq!(gossip_lab::app::report(&path, format).unwrap(), Outcome::Success, "{format:?}");
    }
}

fn simulate(config: LabConfig, dir: &Path) -> PathBuf {
    let opts = RunOptions { export: Some(dir.to_path_buf()), sim: true, ..RunOptions::default() };
    sim_run::run(config, &opts).expect("simulated run");
    dir.join(SESSION)
}

fn exit_code(args: &[&str]) -> i32 {
    let out = Command::new(env!("CARGO_BIN_EXE_gossip-lab")).args(args).output().expect("the binary runs");
    out.status.code().expect("an exit code, not a signal")
}

#[test]
fn report_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let passing = simulate(build_config("crash-detect", &Overrides::default()).unwrap(), &dir.path().join("pass"));
    let failing = "name = \"impossible\"\nduration = \"10s\"\n[cluster]\nnodes = 8\nseed = 2\n\
                   [protocol]\npreset = \"fast\"\n[[timeline]]\nat = \"2s\"\naction = \"crash\"\nnode = 1\n\
                   [expect]\ndetection_within = \"100ms\"\n";
    let failing = simulate(parse_profile("impossible", failing).unwrap(), &dir.path().join("fail"));
    let text = std::fs::read_to_string(&passing).unwrap();
    let incomplete = dir.path().join("incomplete.jsonl");
    let cut: String = text.lines().take(text.lines().count() / 2).map(|l| format!("{l}\n")).collect();
    std::fs::write(&incomplete, cut).unwrap();
    let (hands_on, _) = hands_on(&dir.path().join("hands-on"));
    let not_a_log = dir.path().join("notes.txt");
    std::fs::write(&not_a_log, "these are my notes\n").unwrap();

    let path = |p: &Path| p.to_str().unwrap().to_string();
    for (args, code, why) in [
        (vec!["report".into(), path(&passing)], 0, "a passing scripted log"),
        (vec!["report".into(), path(&passing), "--format".into(), "markdown".into()], 0, "markdown too"),
        (vec!["report".into(), path(&failing), "--json".into()], 1, "a failing scripted log"),
        (vec!["report".into(), path(&incomplete)], 1, "an incomplete log"),
        (vec!["report".into(), path(&hands_on), "--format".into(), "json".into()], 0, "a hands-on log"),
        (vec!["report".into(), path(&passing), "--format".into(), "xml".into()], 2, "a bad flag"),
        (vec!["report".into(), path(&not_a_log)], 1, "a file that is no session log"),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_eq!(exit_code(&args), code, "{why}: gossip-lab {}", args.join(" "));
    }
}

/// A one-way partition cuts node 0's sending for 10 s: node 0 suspects
/// nodes it cannot get an answer from. A suspicion it still holds a whole
/// window after the heal counts as false, and the report must say why:
/// the subject ran all along, and the two could talk again from the heal.
#[test]
fn a_false_suspicion_held_past_a_one_way_partition_says_why_it_is_false() {
    let profile = "name = \"one-way\"\nduration = \"25s\"\n[cluster]\nnodes = 8\nseed = 6\n\
                   [protocol]\npreset = \"fast\"\n[[timeline]]\nat = \"3s\"\naction = \"partition\"\n\
                   groups = [[0], [1, 2, 3, 4, 5, 6, 7]]\none_way = true\nfor = \"10s\"\n";
    let dir = tempfile::tempdir().unwrap();
    let path = simulate(parse_profile("one-way", profile).unwrap(), dir.path());
    let log = SessionLog::read(&path).unwrap();
    let (summary, story) = report::tell(&log);
    assert!(summary.false_suspicions > 0, "{}", summary.render_text());
    let heal = Time::from_secs(13).since_epoch().as_secs_f64();
    let held = story
        .false_marks
        .iter()
        .find(|m| m.mark == State::Suspect && m.observer == 0 && m.why.rule == Rule::Held)
        .unwrap_or_else(|| panic!("node 0's suspicion from inside the partition: {:#?}", story.false_marks));
    assert!((3.0..heal).contains(&held.marked_at_s), "made during the partition: {held:?}");
    assert_eq!(story.actions[held.after_action.unwrap()].what, "one-way partition 0 | 1,2,3,4,5,6,7");
    assert_eq!(held.why.reachable_since_s, heal, "the pair could talk again from the heal");
    assert_eq!((held.why.route, held.why.subject_up_since_s), (Route::Direct, 0.0));
    assert!(held.counted_at_s >= heal + held.why.window_s, "held a whole window after the heal: {held:?}");
    assert!(held.why.text.contains("(since 13.00s)") && held.why.text.contains("ran unpaused"), "{}", held.why.text);
    // Both renderings carry the pair and the reason.
    let text = report::render(&log, Format::Text);
    assert!(text.contains(&format!("0 → {}", held.subject)) && text.contains(&held.why.text), "{text}");
    let markdown = report::render(&log, Format::Markdown);
    assert!(markdown.contains("| observer | subject | mark | at | why |"), "{markdown}");
    assert!(markdown.contains(&format!("| 0 | {} | suspect |", held.subject)), "{markdown}");
}
