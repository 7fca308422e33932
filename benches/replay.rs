//! How fast a replay seeks (issue 11: "seeking anywhere in a one-hour,
//! 64-node session takes under 200 ms").
//!
//! Makes a one-hour 64-node simulated session with the release binary
//! (`benches/common/session.rs`), then times: reading the log
//! (`SessionLog::read`), indexing it (`Recording::new`: one fold laying
//! the checkpoints), and `Recording::frame` at the start, the end and 20
//! random times in random order (so seeks go both ways), max and median.
//! The same for several checkpoint intervals, with the memory the
//! checkpoints hold (live heap bytes, counted by this binary's allocator),
//! which is how `CHECKPOINT_EVERY` was chosen.
//!
//! ```text
//! cargo bench --bench replay                # 64 nodes, one hour
//! BENCH_QUICK=1 cargo bench --bench replay  # 16 nodes, two minutes
//! ```
//!
//! The table goes to `target/bench-results/replay.md` (quick mode:
//! `.../quick/`), from which `examples/bench_report.rs` assembles
//! BENCHMARKS.md.

#[path = "common/record.rs"]
mod record;
#[path = "common/session.rs"]
mod session;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use gossip_lab::app::session_log::SessionLog;
use gossip_lab::observe::recording::{CHECKPOINT_EVERY, Recording};
use gossip_lab::protocol::Time;
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};

/// The system allocator, counting the bytes live on the heap.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Relaxed);
        LIVE.fetch_sub(layout.size(), Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1 << 20) as f64
}

/// Seek times (ms) to the start, the end and 20 random times.
fn seeks(recording: &mut Recording) -> Vec<f64> {
    let end = recording.end().as_micros();
    let mut rng = SmallRng::seed_from_u64(3);
    let mut times = vec![Time::ZERO, recording.end()];
    times.extend((0..20).map(|_| Time::from_micros(rng.random_range(0..=end))));
    times
        .into_iter()
        .map(|t| {
            let started = Instant::now();
            let frame = recording.frame(t);
            let took = ms(started.elapsed());
            assert_eq!(frame.t, t);
            took
        })
        .collect()
}

fn main() {
    let quick = record::quick();
    let (nodes, secs) = if quick { (16, 120) } else { (64, 3600) };
    let load_before = record::loads();
    let started = Instant::now();
    let path = session::one_hour_session(nodes, secs);
    let made = started.elapsed();
    let size = std::fs::metadata(&path).map_or(0, |m| m.len() as usize);
    println!("session: {nodes} nodes, {secs} s, {:.1} MiB, made in {:.1} s", mib(size), made.as_secs_f64());

    let before = LIVE.load(Relaxed);
    let started = Instant::now();
    let log = SessionLog::read(&path).expect("the session reads back");
    let read = started.elapsed();
    let lines_heap = LIVE.load(Relaxed) - before;
    let lines = log.lines.len();
    println!("read: {:.0} ms, {lines} lines, {:.1} MiB on the heap", ms(read), mib(lines_heap));

    let mut table = String::from(
        "| lines per checkpoint | checkpoints | checkpoint memory MiB | index ms | seek median ms | seek max ms |\n\
         |---:|---:|---:|---:|---:|---:|\n",
    );
    let mut chosen = None;
    let candidates: &[usize] = if quick { &[CHECKPOINT_EVERY] } else { &[512, 2048, 8192, 32768] };
    for &every in candidates {
        // The lines are moved in, so the heap grows by what indexing adds:
        // the checkpoints, the marks, the current fold.
        let (spec, addrs, body) = (log.spec.clone(), log.addrs.clone(), log.lines.clone());
        let before = LIVE.load(Relaxed);
        let started = Instant::now();
        let mut recording = Recording::with_checkpoints(spec, &addrs, body, every);
        let index = started.elapsed();
        let held = LIVE.load(Relaxed).saturating_sub(before);
        let mut times = seeks(&mut recording);
        times.sort_by(f64::total_cmp);
        let (median, max) = (times[times.len() / 2], times[times.len() - 1]);
        println!(
            "every {every:>6} lines: {:>4} checkpoints, {:>7.1} MiB, index {:>6.0} ms, seek median {median:.1} ms, \
             max {max:.1} ms",
            recording.checkpoints(),
            mib(held),
            ms(index)
        );
        table.push_str(&format!(
            "| {every}{} | {} | {:.1} | {:.0} | {median:.1} | {max:.1} |\n",
            if every == CHECKPOINT_EVERY { " (default)" } else { "" },
            recording.checkpoints(),
            mib(held),
            ms(index)
        ));
        if every == CHECKPOINT_EVERY {
            chosen = Some((ms(index), median, max));
        }
    }
    let (index, median, max) = chosen.expect("the default interval was measured");
    println!(
        "load+index {:.0} ms; seek median {median:.1} ms, max {max:.1} ms (target: under 200 ms)",
        ms(read) + index
    );
    let md = format!(
        "Recorded {}. `cargo bench --bench replay`{}: a {nodes}-node, {secs} s simulated session ({lines} lines, \
         {:.1} MiB of JSON; {:.1} MiB on the heap once read); load average (1, 5, 15 min) {load_before} before \
         and {} after.\n\nRead {:.0} ms; index (`Recording::new`, default interval) {index:.0} ms; load+index \
         {:.0} ms.\n\n{table}\nSeeks: to the start, the end and 20 random times, in random order. Default \
         interval: median {median:.1} ms, max {max:.1} ms (target: under 200 ms).\n",
        record::recorded(),
        if quick { " in quick mode" } else { "" },
        mib(size),
        mib(lines_heap),
        record::loads(),
        ms(read),
        ms(read) + index,
    );
    let out = record::results_dir(quick).join("replay.md");
    std::fs::write(&out, md).unwrap_or_else(|e| panic!("write {}: {e}", out.display()));
    let _ = std::fs::remove_dir_all(path.parent().and_then(|p| p.parent()).expect("the session's dir"));
}
