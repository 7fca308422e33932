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
use gossip_lab::observe::recording::MarkKind;
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
    assert!(during_crash.nodes.iter().any(|n| !n.status.suspicions.is_empty()), "node 5 is suspected at 5.1 s");
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
    let crash = recording.marks().iter().find(|m| m.kind == MarkKind::Node).expect("the crash is a mark");
    assert_eq!((crash.t, crash.label.contains("node 5")), (Time::from_secs(4), true));
}
