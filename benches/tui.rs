//! Dashboard frame time at 1,024 nodes: every view drawn into ratatui's
//! `TestBackend` at 160×48, as `gossip-lab` draws it (layout, widgets,
//! buffer diff), over the fixture scene (whose partition, rumor and 120
//! sampled datagrams the Cluster view draws; it is timed a second time
//! through `o`, the selected node's view). Prints the median and the 99th
//! percentile per view, and writes them as `target/bench-results/tui.md`
//! (quick mode: `.../quick/`) for BENCHMARKS.md. The target is under 5 ms
//! per frame, so 15 fps costs at most 7.5% of one core.
//!
//! `cargo bench --bench tui` measures; run without `--bench` (as `cargo
//! test --benches` does) it only draws a few frames as a smoke check.

#[path = "common/record.rs"]
mod record;

use std::time::{Duration, Instant};

use gossip_lab::observe::Snapshot;
use gossip_lab::ui::{App, View};
use gossip_lab::ui::{draw, fixture};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const NODES: usize = 1024;
const WIDTH: u16 = 160;
const HEIGHT: u16 = 48;

fn main() {
    let measuring = std::env::args().any(|a| a == "--bench");
    let (warmup, frames) = if measuring { (20, 300) } else { (1, 3) };
    // Two snapshots alternate, as the observer replaces them, so every
    // frame has cells to change rather than an empty diff.
    let a = fixture::scene(NODES);
    let mut b: Snapshot = a.clone();
    b.t = a.t + Duration::from_millis(100);
    b.agreement = 0.9;
    for row in &mut b.nodes {
        row.rate_in += 1.0;
    }
    let snaps = [a, b];
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("test backend");
    let mut app = App::new(None);
    app.selected = NODES / 2;
    println!("tui frame time: {NODES} nodes, {WIDTH}x{HEIGHT} TestBackend, {frames} frames per view");
    println!("{:<12} {:>10} {:>10}", "view", "median ms", "p99 ms");
    let (recorded, load_before) = (record::recorded(), record::loads());
    let mut table = String::from("| view | median ms/frame | p99 ms/frame |\n|---|---:|---:|\n");
    let mut worst = 0.0f64;
    let runs = View::ALL.iter().map(|&v| (v, false, v.title().to_owned()));
    for (view, observer, name) in runs.chain([(View::Cluster, true, "Cluster o".to_owned())]) {
        app.view = view;
        app.observer = observer;
        let mut times = Vec::with_capacity(frames);
        for i in 0..warmup + frames {
            let snap = &snaps[i % 2];
            let start = Instant::now();
            terminal.draw(|f| draw(f, &app, snap)).expect("draw");
            if i >= warmup {
                times.push(start.elapsed().as_secs_f64() * 1000.0);
            }
        }
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        let p99 = times[(times.len() * 99 / 100).min(times.len() - 1)];
        worst = worst.max(median);
        println!("{name:<12} {median:>10.3} {p99:>10.3}");
        table.push_str(&format!("| {name} | {median:.3} | {p99:.3} |\n"));
    }
    println!("slowest view median: {worst:.3} ms/frame (target < 5 ms)");
    if measuring {
        let quick = record::quick();
        let md = format!(
            "Recorded {recorded}. `cargo bench --bench tui`{}: {frames} measured frames per view after {warmup} \
             warm-up frames; load average (1, 5, 15 min) {load_before} before and {} after.\n\n{table}\n\
             Slowest view median: {worst:.3} ms per frame (target: under 5 ms).\n",
            if quick { " in quick mode" } else { "" },
            record::loads()
        );
        let path = record::results_dir(quick).join("tui.md");
        std::fs::write(&path, md).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }
}
