//! Logs written by earlier versions of the lab still read, report, plot and
//! replay. The fixtures were written by the released binaries of their
//! time from one small profile (6 nodes on the fast preset; node 5 crashes
//! at 2 s, node 0 starts a rumor at 3 s; 6 s, seed 3, `run --sim --export`):
//!
//! - `format1.jsonl`: session-log format 1, before sealing, the header's
//!   `mode` and the `unauthenticated`/`oversized` reject reasons (the
//!   commit before 9e9cf10);
//! - `format2-before-status.jsonl`: format 2 from before the metrics
//!   record carried each node's status (580ddf6), which the dashboard now
//!   draws from.
//!
//! Each must read with no note, judge as it was judged then (scripted, its
//! one expectation met), and replay to the end with the crash shown in
//! every view.

use std::path::{Path, PathBuf};

use gossip_lab::app::report::{self, Format};
use gossip_lab::app::session_log::SessionLog;
use gossip_lab::app::{Outcome, plot};
use gossip_lab::observe::{Liveness, Mode};
use gossip_lab::ui::{App, View, draw};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const LOGS: [&str; 2] = ["format1.jsonl", "format2-before-status.jsonl"];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/logs").join(name)
}

#[test]
fn old_logs_read_whole_and_report_as_they_were_judged() {
    for name in LOGS {
        let path = fixture(name);
        let log = SessionLog::read(&path).unwrap_or_else(|e| panic!("{name}: {e:#}"));
        assert!(log.notes(&[]).is_empty(), "{name}: {:?}", log.notes(&[]));
        let summary = report::summary_of(&log);
        assert_eq!(summary.mode, Mode::Scripted, "{name}: logs before the mode field were scripted runs");
        assert!(summary.passed, "{name}: {}", summary.result());
        assert_eq!(summary.detections.len(), 1, "{name}");
        assert_eq!(summary.detections[0].node, 5, "{name}");
        assert!(summary.detections[0].full_s.is_some(), "{name}: every node saw the crash");
        assert_eq!(summary.rumors.len(), 1, "{name}");
        let text = report::render(&log, Format::Markdown);
        assert!(text.contains("crashed") && text.contains("rumor"), "{name}: the story names both actions\n{text}");
        assert_eq!(gossip_lab::app::report(&path, Format::Json).unwrap(), Outcome::Success, "{name}: exit 0");
    }
}

#[test]
fn old_logs_replay_to_the_end_in_every_view_and_plot() {
    for name in LOGS {
        let path = fixture(name);
        let mut recording = SessionLog::read(&path).unwrap().recording();
        let end = recording.end();
        let snap = recording.frame(end);
        assert_eq!(snap.nodes.len(), 6, "{name}");
        assert_eq!(snap.nodes[5].life, Liveness::Crashed, "{name}");
        assert_eq!(snap.nodes[5].seen[2], 5, "{name}: the five others hold node 5 dead");
        assert!(snap.nodes[0].traffic.sent_total().packets > 0, "{name}: traffic comes from the metrics records");
        for view in View::ALL {
            let mut app = App::new(None);
            app.view = view;
            app.selected = 5;
            let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
            terminal.draw(|f| draw(f, &app, &snap)).unwrap();
        }
        let out = tempfile::tempdir().unwrap();
        let written = plot::plot(&path, Some(out.path())).unwrap_or_else(|e| panic!("{name}: {e:#}"));
        assert!(written.iter().all(|f| f.exists()), "{name}");
    }
}
