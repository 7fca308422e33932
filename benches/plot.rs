//! How long `gossip-lab plot` takes on a one-hour, 64-node simulated
//! session (issue 11): reading the log, folding it, sampling the series,
//! drawing every chart and writing the files, timed end to end through
//! the same entry the command uses. Prints the median of a few runs and
//! writes it as `target/bench-results/plot.md` (quick mode: `.../quick/`)
//! for BENCHMARKS.md.
//!
//! ```text
//! cargo bench --bench plot                  # 64 nodes, 3,600 s, 3 runs
//! BENCH_QUICK=1 cargo bench --bench plot    # 16 nodes, 300 s, 1 run: seconds
//! ```
//!
//! Run without `--bench` (as `cargo test --benches` does) it plots a
//! two-minute 8-node session once, as a smoke check.

#[path = "common/record.rs"]
mod record;
#[path = "common/session.rs"]
mod session;

use std::time::{Duration, Instant};

use gossip_lab::app::plot::plot;
use gossip_lab::app::session_log::SessionLog;

fn main() {
    let measuring = std::env::args().any(|a| a == "--bench");
    let quick = record::quick();
    let (nodes, secs, runs) = match (measuring, quick) {
        (false, _) => (8, 130, 1),
        (true, true) => (16, 300, 1),
        (true, false) => (64, 3600, 3),
    };
    let made = Instant::now();
    let log = session::one_hour_session(nodes, secs);
    let made = made.elapsed();
    let bytes = std::fs::metadata(&log).map_or(0, |m| m.len());
    let lines = SessionLog::read(&log).expect("the session reads back").lines.len();
    let out = log.with_file_name("plots");
    let (recorded, load_before) = (record::recorded(), record::loads());
    let (mut read, mut draw, mut total) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let t = Instant::now();
        let saved = SessionLog::read(&log).expect("the session reads back");
        read.push(t.elapsed());
        let t = Instant::now();
        gossip_lab::plot::write_all(saved.session(), &saved.lines, "", &out).expect("charts");
        draw.push(t.elapsed());
        let t = Instant::now();
        let files = plot(&log, Some(&out)).expect("plot");
        total.push(t.elapsed());
        assert_eq!(files.len(), gossip_lab::plot::CHARTS.len() + 1);
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (read, draw, total) = (median(&mut read), median(&mut draw), median(&mut total));
    let svg_bytes: u64 =
        gossip_lab::plot::CHARTS.iter().map(|c| std::fs::metadata(out.join(c.file)).map_or(0, |m| m.len())).sum();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let text = format!(
        "Recorded {recorded}. `cargo bench --bench plot`: a simulated session of {nodes} nodes over {secs} s \
         (`benches/common/session.rs`'s profile, made by `gossip-lab run --sim --export` in {:.1} s), {lines} lines, {:.1} MiB; \
         median of {runs} run(s); load average (1, 5, 15 min) {load_before} before and {} after.\n\n\
         | step | median ms |\n|---|---:|\n\
         | read the log (`SessionLog::read`) | {:.0} |\n\
         | fold, sample, draw and write, the log already read (`plot::write_all`) | {:.0} |\n\
         | `plot` end to end (read, fold, sample, draw 6 charts, write) | {:.0} |\n\n\
         Charts written: {:.0} KiB of SVG in all.\n",
        made.as_secs_f64(),
        bytes as f64 / (1 << 20) as f64,
        record::loads(),
        ms(read),
        ms(draw),
        ms(total),
        svg_bytes as f64 / 1024.0,
    );
    print!("{text}");
    if measuring {
        let path = record::results_dir(quick).join("plot.md");
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}
