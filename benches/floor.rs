//! The syscall floor (issue 13): what one loopback UDP datagram costs at
//! both ends on this machine, so the lab's CPU per node per second can be
//! read against the least any UDP gossip node could spend.
//!
//! Two measurements per datagram size, each over process CPU
//! (`getrusage(RUSAGE_SELF)`, user + sys) and nothing else running:
//!
//! - **syscalls only**: one thread sends a burst of datagrams from one
//!   socket to another on 127.0.0.1, then receives them all (they are
//!   already queued, so no receive blocks): one `send_to` plus one
//!   `recv_from` per datagram, and no wake-up. This is the floor the issue
//!   names, the kernel's own work per datagram.
//! - **a wake per datagram**: two threads ping-pong a datagram over two
//!   blocking sockets, so every datagram also wakes a sleeping thread, as
//!   a node that handles one datagram per wake-up pays. Also the median
//!   round trip.
//!
//! The floor per node per second is a cost per datagram times the
//! datagrams a node sends per second: 2.0 on `lan` in steady state (a
//! probe and its ack; BENCHMARKS.md, "Real runtime"). Prints a table and
//! writes `target/bench-results/floor.md` (quick mode: `.../quick/`) for
//! BENCHMARKS.md.
//!
//! `cargo bench --bench floor` measures; run without `--bench` (as `cargo
//! test --benches` does) it only bounces a few datagrams as a smoke check.
//! The measurements live in `common/floor.rs`: the runtime bench takes the
//! syscalls-only one in the same run as the lab's CPU, so the two can be
//! set side by side.

#[path = "common/floor.rs"]
mod floor;
#[path = "common/record.rs"]
mod record;
#[path = "common/usage.rs"]
mod usage;

use floor::{BURST, SIZES, ping_pong, syscalls_only};

/// Datagrams a `lan` node sends per second in steady state.
const LAN_DATAGRAMS_PER_NODE_S: f64 = 2.0;

fn main() {
    let measuring = std::env::args().any(|a| a == "--bench");
    let quick = record::quick();
    let round_trips = match (measuring, quick) {
        (false, _) => 100,
        (true, true) => 5_000,
        (true, false) => 200_000,
    };
    let (recorded, load_before) = (record::recorded(), record::loads());
    println!("syscall floor: loopback UDP, {round_trips} round trips and {} datagrams per size", 2 * round_trips);
    println!(
        "{:>6} {:>12} {:>12} {:>10} {:>14} {:>14}",
        "bytes", "sys µs/dg", "wake µs/dg", "RTT µs", "lan floor", "lan w/ wakes"
    );
    let mut table = String::from(
        "| datagram bytes | CPU per datagram, syscalls only (µs) | CPU per datagram with a wake-up (µs) | \
         median round trip (µs) | `lan` floor, syscalls only (CPU s/node/s) | `lan` floor with wake-ups (CPU s/node/s) |\n\
         |--:|--:|--:|--:|--:|--:|\n",
    );
    // One unmeasured pass first, so page faults and socket setup of the
    // first size don't count against it.
    syscalls_only(SIZES[0], round_trips / 10 + 1);
    ping_pong(SIZES[0], round_trips / 10 + 1);
    for size in SIZES {
        let sys = syscalls_only(size, 2 * round_trips);
        let pp = ping_pong(size, round_trips);
        let (floor, woken) = (sys * LAN_DATAGRAMS_PER_NODE_S, pp.cpu_per_datagram * LAN_DATAGRAMS_PER_NODE_S);
        let (sys_us, wake_us, rtt_us) = (sys * 1e6, pp.cpu_per_datagram * 1e6, pp.rtt_median * 1e6);
        println!("{size:>6} {sys_us:>12.2} {wake_us:>12.2} {rtt_us:>10.1} {floor:>14.2e} {woken:>14.2e}");
        table.push_str(&format!("| {size} | {sys_us:.2} | {wake_us:.2} | {rtt_us:.1} | {floor:.2e} | {woken:.2e} |\n"));
    }
    if measuring {
        let md = format!(
            "Recorded {recorded}. `cargo bench --bench floor`{}: per size, {} datagrams sent and received in \
             bursts of {BURST}, and {round_trips} ping-pong round trips, after a warm-up pass; load average \
             (1, 5, 15 min) {load_before} before and {} after.\n\n{table}",
            if quick { " in quick mode" } else { "" },
            2 * round_trips,
            record::loads()
        );
        let path = record::results_dir(quick).join("floor.md");
        std::fs::write(&path, md).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        println!("wrote {}", path.display());
    }
}
