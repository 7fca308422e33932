//! Synthetic snapshots for the dashboard's rendering tests and its frame
//! benchmark: a believable lab at any size, built without sockets or
//! clocks and identical on every run, so rendered frames can be compared
//! byte for byte.
//!
//! The scene has every state a view must cope with at once: a crashed node
//! that some observers already hold dead and others suspect, a paused node,
//! an active suspicion with confirmations, a half/half partition with a
//! global loss rule, a rumor part-way through its spread, drops, health
//! trouble, history, an event log, and a sample of datagrams in flight
//! (some dropped at the partition).

use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::Arc;
use std::time::Duration;

use crate::faults::{DropReason, FaultPlan, LinkRule};
use crate::observe::action::ActionKind;
use crate::observe::action::Mark;
use crate::observe::metrics::Metrics;
use crate::observe::record::{LinkRecord, PlanRecord};
use crate::observe::session::HistoryPoint;
use crate::observe::snapshot::{EventLine, Flight, FlightKind, NodeRow};
use crate::observe::{Liveness, NodeStatus, Snapshot, Traffic, Views};
use crate::protocol::{Config, MsgKind, NodeAddr, RumorId, State, SuspicionView, Time};

/// The crashed node in [`scene`].
pub const CRASHED: usize = 3;
/// The paused node in [`scene`].
pub const PAUSED: usize = 5;
/// The node that suspects [`CRASHED`] with confirmations in [`scene`].
pub const SUSPECTER: usize = 1;
/// The node in [`scene`] that holds [`FORGED_MEMBERS`] members that are no
/// lab node, as after a forged flood.
pub const FORGED: usize = 2;
/// How many.
pub const FORGED_MEMBERS: usize = 3;
/// Confirmations of that suspicion.
pub const CONFIRMATIONS: u32 = 2;

/// Node `i`'s address.
pub fn addr(i: usize) -> NodeAddr {
    SocketAddrV4::new(Ipv4Addr::LOCALHOST, 40_000 + i as u16)
}

/// The standard scene with `n` nodes (at least 8), 62 s into the run.
pub fn scene(n: usize) -> Snapshot {
    assert!(n >= 8, "the scene needs at least 8 nodes");
    let t = Time::from_secs(62);
    let config = Config::fast();
    let addrs: Vec<NodeAddr> = (0..n).map(addr).collect();
    let life = |i: usize| match i {
        CRASHED => Liveness::Crashed,
        PAUSED => Liveness::Paused,
        _ => Liveness::Up,
    };

    // Everyone knows everyone, except the news of the crash is half spread:
    // the first quarter holds it dead, the next few suspect it.
    let mut views = Views::new(n);
    for o in 0..n {
        for s in 0..n {
            views.set(o, s, Some(State::Alive));
        }
    }
    for o in 0..n {
        let state = if o < n / 4 {
            State::Dead
        } else if o < n / 4 + 3 {
            State::Suspect
        } else {
            continue;
        };
        if o != CRASHED {
            views.set(o, CRASHED, Some(state));
        }
    }
    views.set(SUSPECTER, CRASHED, Some(State::Suspect));
    views.set(n - 1, PAUSED, Some(State::Suspect));
    let not_up: Vec<usize> = (0..n).filter(|&i| life(i) != Liveness::Up).collect();

    let timeout = config.suspicion_timeout(n, CONFIRMATIONS);
    let started = t - Duration::from_millis(700);
    let suspicion = SuspicionView {
        member: addr(CRASHED),
        incarnation: 0,
        start: started,
        deadline: started + timeout,
        timeout,
        confirmations: CONFIRMATIONS,
        k: config.suspicion_k(n),
        min: config.suspicion_min(n),
        max: config.suspicion_max(n),
    };

    let nodes: Vec<NodeRow> = (0..n)
        .map(|i| {
            let mut traffic = Traffic::default();
            for kind in MsgKind::ALL {
                let k = kind.index() as u64;
                traffic.sent[kind.index()].packets = 300 * (6 - k) + i as u64;
                traffic.sent[kind.index()].bytes = 60 * (300 * (6 - k) + i as u64);
                traffic.received[kind.index()].packets = 290 * (6 - k) + i as u64;
            }
            if i % 4 == 0 {
                traffic.dropped[DropReason::Loss.index()].packets = 10 + i as u64;
            }
            if i >= n / 2 {
                traffic.dropped[DropReason::Partition.index()].packets = 40;
            }
            let health = if i == n - 1 { 3 } else { u32::from(i % 7 == 6) };
            NodeRow {
                index: i,
                addr: addr(i),
                life: life(i),
                seen: views.counts_excluding(i, not_up.iter().copied().filter(|&o| o != i).chain([i])),
                foreign: if i == FORGED { FORGED_MEMBERS } else { 0 },
                status: NodeStatus {
                    at: t,
                    health,
                    incarnation: if i == PAUSED { 2 } else { 0 },
                    queue: i % 5,
                    members: n,
                    live_members: n - 1,
                    counters: Default::default(),
                    joined: true,
                    ..NodeStatus::default()
                },
                traffic,
                rate_in: if life(i).is_active() { 40.0 + (i % 9) as f64 } else { 0.0 },
                rate_out: if life(i).is_active() { 41.5 + (i % 7) as f64 } else { 0.0 },
                health_history: (0..60).map(|k| if k > 40 && k < 50 { health + 2 } else { health }).collect(),
            }
        })
        .collect();
    let traffic = nodes.iter().fold(Traffic::default(), |mut acc, r| {
        acc.merge(&r.traffic);
        acc
    });

    let history: Vec<HistoryPoint> = (0..60u64)
        .map(|k| {
            let agreement = if (45..55).contains(&k) { 0.75 } else { 1.0 };
            HistoryPoint {
                t: Time::from_secs(k + 2),
                agreement,
                accuracy: agreement,
                sent_packets: k * (40 * n as u64) + if k > 45 { (k - 45) * 300 } else { 0 },
                sent_bytes: k * 2400 * n as u64,
            }
        })
        .collect();

    let mut events = Vec::new();
    for i in 0..n.min(12) {
        events.push(EventLine {
            t: Time::from_millis(i as u64 * 40),
            kind: "node",
            node: Some(i),
            text: format!("node {i} ({}) started", addr(i)),
        });
    }
    let later = [
        (50_000, "node", Some(CRASHED), format!("node {CRASHED} ({}) crashed", addr(CRASHED))),
        (50_400, "suspicion", Some(0), format!("0 suspects {CRASHED} (timeout 6.0s)")),
        (50_600, "member", Some(0), format!("0 sees {CRASHED}: alive → suspect (inc 0)")),
        (
            51_000,
            "suspicion",
            Some(SUSPECTER),
            format!("{SUSPECTER}'s suspicion of {CRASHED} confirmed {CONFIRMATIONS}/2 (timeout now 2.9s)"),
        ),
        (55_000, "fault", None, "partition halves".to_owned()),
        (57_000, "fault", None, "loss 5%".to_owned()),
        (58_000, "node", Some(PAUSED), format!("node {PAUSED} ({}) paused", addr(PAUSED))),
        (59_500, "refute", Some(2), "2 refuted an accusation (inc 0 → 1)".to_owned()),
        (60_000, "rumor", Some(0), "rumor #1 injected at 0".to_owned()),
        (61_000, "member", Some(1), format!("1 sees {CRASHED}: suspect → dead (inc 0)")),
        (
            61_500,
            "lag",
            Some(PAUSED),
            format!("{PAUSED} stalled 900 ms; abandoned its probe of 2 instead of blaming it"),
        ),
    ];
    // The actions among them, as `snapshot::mark_of` reads them.
    let mut actions = Vec::new();
    for (ms, kind, node, text) in later {
        let action = match kind {
            "fault" => Some(ActionKind::Fault),
            "node" => Some(ActionKind::Node),
            "rumor" => Some(ActionKind::Rumor),
            _ => None,
        };
        if let Some(kind) = action {
            actions.push(Mark { t: Time::from_millis(ms), kind, label: text.clone() });
        }
        events.push(EventLine { t: Time::from_millis(ms), kind, node, text });
    }

    let half = n / 2;
    let plan = PlanRecord {
        baseline: LinkRecord { loss: 0.05, delay_ms: 1.0, ..LinkRecord::default() },
        groups: vec![(0..half).collect(), (half..n).collect()],
        ..PlanRecord::default()
    };

    // The rumor goes through the real metrics, so its milestones are
    // computed the way the observer computes them.
    // The network the rumor meets is the plan's (loss 5% since 57 s).
    let network = LinkRule { loss: 0.05, delay: Duration::from_millis(1), ..LinkRule::default() };
    let mut metrics = Metrics::new(&config, &addrs, FaultPlan::new(network), Time::ZERO);
    let id = RumorId { origin: addr(0), seq: 1 };
    let injected = Time::from_secs(60);
    metrics.rumor_injected(id, 0, injected);
    let reached = n * 3 / 4;
    for (k, node) in (0..n).filter(|&i| i != CRASHED).take(reached).enumerate() {
        let at = injected + Duration::from_millis(60 + 25 * k as u64 + 3 * (k as u64 % 4));
        metrics.rumor_delivered(id, node, at);
    }

    let flights = flights(n, &life);

    Snapshot {
        t,
        profile: "default".to_owned(),
        protocol_label: "fast preset, Lifeguard on".to_owned(),
        config,
        phi: None,
        seed: 42,
        nodes,
        views: Arc::new(views),
        suspicions: vec![(SUSPECTER, suspicion)],
        suspicions_active: 1,
        agreement: 0.875,
        accuracy: 0.75,
        converged: false,
        history,
        events: Arc::new(events),
        actions,
        plan,
        traffic,
        detections: Vec::new(),
        rumors: metrics.rumors().to_vec(),
        false_positives: 0,
        false_suspicions: 0,
        events_dropped: 0,
        flights,
        flight_stride: if n > 64 { 25 } else { 1 },
    }
}

/// The datagrams of the scene's last 0.4 s, as the runtime samples them:
/// at most 120 (`runtime::flights::RING`), every kind, spread over the
/// ring, none sent by a node that is not running, the ones across the
/// partition dropped.
fn flights(n: usize, life: &dyn Fn(usize) -> Liveness) -> Arc<[Flight]> {
    let count = (6 * n).min(120);
    (0..count)
        .filter_map(|k| {
            // Multiplicative hashing spreads senders and receivers.
            let from = (k.wrapping_mul(2_654_435_761) >> 7) % n;
            let to = (from + 1 + (k.wrapping_mul(40_503) >> 3) % (n - 1)) % n;
            if from == to || !life(from).is_active() {
                return None;
            }
            let kind = FlightKind::ALL[k % FlightKind::ALL.len()];
            let dropped = (from < n / 2) != (to < n / 2);
            let age = Duration::from_millis((k * 400 / count) as u64);
            Some(Flight { from, to, kind, dropped, age })
        })
        .collect()
}
