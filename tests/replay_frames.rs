//! A replayed frame is the live frame: the dashboard drawn from a saved
//! session at time t equals, cell for cell, the dashboard drawn while the
//! session ran, at the same t. Both come from `Journal::snapshot`'s code
//! (`Board::snapshot`); the live side from the lines in memory, the replay
//! from the lines written to disk and read back, so anything the live
//! picture took that the log lacks shows up as a different cell.

use std::sync::atomic::AtomicBool;

use gossip_lab::app::session_log::SessionLog;
use gossip_lab::app::{RunOptions, sim_run};
use gossip_lab::config::parse_profile;
use gossip_lab::observe::Snapshot;
use gossip_lab::observe::action::ActionKind;
use gossip_lab::observe::board::Board;
use gossip_lab::observe::recording::Recording;
use gossip_lab::protocol::Time;
use gossip_lab::ui::{App, View, draw};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

/// 16 nodes: a crash, a partition and its heal, a rumor.
const PROFILE: &str = r#"
name = "replay-frames"
duration = "24s"

[cluster]
nodes = 16
seed = 7

[protocol]
preset = "fast"
lifeguard = true

[[timeline]]
at = "4s"
action = "crash"
node = 5

[[timeline]]
at = "9s"
action = "partition"
groups = "halves"
for = "5s"

[[timeline]]
at = "17s"
action = "rumor"
node = 2
payload = "replayed"
"#;

/// When the live frames are taken (the first drain at or after each):
/// before the crash, while node 5 is suspected, during the partition,
/// after the heal, as the rumor spreads.
const AT_MS: [u64; 6] = [2_000, 4_300, 5_100, 11_000, 15_500, 17_050];
/// The crashed node, selected so that the node view shows a suspect.
const CRASHED: usize = 5;

fn buffers(snap: &Snapshot) -> Vec<Buffer> {
    let mut out = Vec::new();
    for selected in [0, CRASHED] {
        for view in View::ALL {
            let mut app = App::new(None);
            app.view = view;
            app.selected = selected;
            let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
            terminal.draw(|f| draw(f, &app, snap)).unwrap();
            out.push(terminal.backend().buffer().clone());
        }
    }
    out
}

/// Runs the profile in the simulator, exporting into `dir`, and returns
/// the live path's snapshot at each of `AT_MS`.
fn run_live(dir: &std::path::Path) -> Vec<Snapshot> {
    let config = parse_profile("replay-frames", PROFILE).expect("a valid profile");
    let opts = RunOptions { export: Some(dir.to_path_buf()), sim: true, ..RunOptions::default() };
    let mut wanted = AT_MS.iter().map(|&ms| Time::from_millis(ms)).peekable();
    let mut live = Vec::new();
    sim_run::run_watched(config, &opts, &AtomicBool::new(false), |journal, t| {
        if wanted.next_if(|&w| t >= w).is_some() {
            live.push(journal.snapshot(t));
        }
    })
    .expect("simulated run");
    assert_eq!(live.len(), AT_MS.len(), "a live frame at every time asked");
    live
}

#[test]
fn a_replayed_frame_equals_the_live_frame_buffer_for_buffer() {
    let dir = tempfile::tempdir().unwrap();
    let live = run_live(dir.path());
    // The comparison means something only if the frames show what the log
    // must carry: per-node rates, health, protocol counters, suspicions.
    let during_crash = &live[2];
    assert!(during_crash.nodes.iter().any(|n| n.rate_out > 0.0 && n.status.counters.probes > 0));
    assert!(!during_crash.suspicions.is_empty(), "node 5 is suspected at 5.1 s");
    assert!(during_crash.nodes.iter().all(|n| !n.health_history.is_empty()));
    assert!(during_crash.nodes.iter().filter(|n| n.index != CRASHED).all(|n| n.status.members > 0 && n.status.joined));
    assert!(!during_crash.events.is_empty());

    let log = SessionLog::read(&dir.path().join("session.jsonl")).expect("the log reads back");
    let mut recording = log.recording();
    // Out of order, so that seeks go backwards through the checkpoints.
    for i in [3, 0, 5, 1, 4, 2, 2] {
        let want = &live[i];
        let got = recording.frame(want.t);
        assert_eq!(got.t, want.t);
        for (v, (g, w)) in buffers(&got).iter().zip(buffers(want)).enumerate() {
            assert_eq!(*g, w, "frame at {:?}, view #{v} differs between replay and live", want.t);
        }
    }
    let crash = recording.marks().iter().find(|m| m.kind == ActionKind::Node).expect("the crash is a mark");
    assert_eq!((crash.t, crash.label.contains("node 5")), (Time::from_secs(4), true));
}

/// A frame as a fold of every line up to `t` from the start, with no
/// checkpoint: what every seek must equal.
fn folded(log: &SessionLog, t: Time) -> String {
    let (mut session, mut board) = (log.session(), Board::default());
    for line in log.lines.iter().filter(|l| l.time() <= t) {
        session.apply(line);
        board.apply(line, &session);
    }
    format!("{:?}", board.snapshot(&session, t))
}

/// The profile run in the simulator and exported: the directory (deleted
/// when dropped) and its session log.
fn exported() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let config = parse_profile("replay-frames", PROFILE).expect("a valid profile");
    let opts = RunOptions { export: Some(dir.path().to_path_buf()), sim: true, ..RunOptions::default() };
    sim_run::run(config, &opts).expect("simulated run");
    let path = dir.path().join("session.jsonl");
    (dir, path)
}

#[test]
fn a_seek_anywhere_equals_a_fold_from_the_start() {
    let (_dir, path) = exported();
    let log = SessionLog::read(&path).unwrap();
    // Checkpoints closer than the default, so that a short session has
    // several to seek between.
    const EVERY: usize = 256;
    let copy = SessionLog::read(&path).unwrap();
    let mut recording = Recording::with_checkpoints(copy.spec, &copy.addrs, copy.lines, EVERY);
    assert!(recording.checkpoints() >= 4, "{} checkpoints", recording.checkpoints());
    let at_line = |i: usize| log.lines[i].time();
    let checkpoint = |k: usize| at_line(k * EVERY - 1);
    let between = Time::from_micros((checkpoint(1).as_micros() + checkpoint(2).as_micros()) / 2);
    let end = recording.end();
    let times = [
        ("at a checkpoint", checkpoint(2)),
        ("between two", between),
        ("before the first line", Time::ZERO),
        ("after the end", end + std::time::Duration::from_secs(5)),
        ("back to a checkpoint", checkpoint(1)),
        ("forward past one", checkpoint(3)),
        ("forward a little", checkpoint(3) + std::time::Duration::from_millis(60)),
        ("back a little", checkpoint(3) + std::time::Duration::from_millis(40)),
        ("the end", end),
    ];
    for (what, t) in times {
        assert_eq!(format!("{:?}", recording.frame(t)), folded(&log, t), "seek {what} ({t:?})");
    }
}

#[test]
fn the_marks_of_a_known_session_are_its_actions_in_order() {
    let (_dir, path) = exported();
    let recording = SessionLog::read(&path).unwrap().recording();
    let marks: Vec<(u64, ActionKind)> = recording.marks().iter().map(|m| (m.t.as_millis(), m.kind)).collect();
    assert_eq!(
        marks,
        [
            (4_000, ActionKind::Node),
            (9_000, ActionKind::Fault),
            (14_000, ActionKind::Fault),
            (17_000, ActionKind::Rumor)
        ]
    );
    let labels: Vec<&str> = recording.marks().iter().map(|m| m.label.as_str()).collect();
    assert!(labels[0].ends_with("crashed") && labels[3] == "rumor #0 injected at 2", "{labels:?}");
    // The replay's ,/. stops (its transport jumps between these times).
    let stops: Vec<u64> = recording.marks().iter().filter(|m| m.kind.is_jump()).map(|m| m.t.as_millis()).collect();
    assert_eq!(stops, [4_000, 9_000, 14_000], "faults and node events, not the rumor");
}
