//! The board's fold: suspicions from their lines, rates and health from
//! metrics records.

use super::*;
use crate::observe::record::NodeMetrics;
use crate::observe::testkit::{addrs, spec};

fn session() -> Session {
    Session::new(spec(), &addrs(4))
}

/// Folds `lines` into a fresh session and board, as the journal does.
fn fold(lines: &[Line]) -> (Session, Board) {
    let (mut s, mut b) = (session(), Board::default());
    for l in lines {
        s.apply(l);
        b.apply(l, &s);
    }
    (s, b)
}

fn suspicion(t: u64, event: SuspicionChange, confirmations: u32, timeout_ms: f64) -> Line {
    Line::at(
        Time::from_millis(t),
        Record::Suspicion {
            observer: 1,
            subject: 2,
            event,
            confirmations: Some(confirmations),
            k: (event == SuspicionChange::Started).then_some(3),
            timeout_ms: Some(timeout_ms),
            by: None,
        },
    )
}

/// The suspicions `observer` holds in `snap`.
fn held(snap: &Snapshot, observer: usize) -> Vec<SuspicionView> {
    snap.suspicions.iter().filter(|(o, _)| *o == observer).map(|(_, v)| v.clone()).collect()
}

fn member(t: u64, to: State) -> Line {
    Line::at(Time::from_millis(t), Record::Member { observer: 1, subject: 2, from: None, to, incarnation: 0 })
}

#[test]
fn a_suspicion_shows_from_its_start_with_its_confirmations_until_its_subject_leaves_suspect() {
    let mut lines = vec![member(900, State::Suspect), suspicion(1000, SuspicionChange::Started, 0, 5000.0)];
    let (s, b) = fold(&lines);
    let snap = b.snapshot(&s, Time::from_secs(2));
    let v = &held(&snap, 1);
    assert_eq!(v.len(), 1);
    let config = &s.spec().protocol;
    assert_eq!((v[0].member, v[0].start, v[0].deadline), (s.addrs()[2], Time::from_secs(1), Time::from_secs(6)));
    assert_eq!((v[0].confirmations, v[0].k), (0, 3));
    assert_eq!((v[0].min, v[0].max), (config.suspicion_min(4), config.suspicion_max(4)));

    lines.push(suspicion(1500, SuspicionChange::Confirmed, 1, 4000.0));
    let (s, b) = fold(&lines);
    let v = &held(&b.snapshot(&s, Time::from_secs(2)), 1);
    assert_eq!((v[0].confirmations, v[0].deadline), (1, Time::from_secs(5)), "a confirmation shortens the timer");

    lines.push(member(1800, State::Alive));
    let (s, b) = fold(&lines);
    assert!(held(&b.snapshot(&s, Time::from_secs(2)), 1).is_empty(), "refuted by a member line");
}

#[test]
fn a_crash_ends_the_observers_suspicions_and_an_expiry_ends_one() {
    let crash = Line::at(
        Time::from_millis(1200),
        Record::Node { node: 1, addr: addrs(4)[1].to_string(), event: NodeChange::Crashed },
    );
    let (s, b) = fold(&[suspicion(1000, SuspicionChange::Started, 0, 5000.0), crash]);
    assert!(held(&b.snapshot(&s, Time::from_secs(2)), 1).is_empty());
    let (s, b) = fold(&[
        suspicion(1000, SuspicionChange::Started, 0, 5000.0),
        suspicion(6000, SuspicionChange::Expired, 0, 5000.0),
    ]);
    assert!(held(&b.snapshot(&s, Time::from_secs(7)), 1).is_empty());
}

#[test]
fn a_resynced_view_keeps_the_suspicions_of_its_suspects_only() {
    let view = |t: u64, state: State| {
        let members = vec![(0, State::Alive), (1, State::Alive), (2, state), (3, State::Alive)];
        Line::at(Time::from_millis(t), Record::View { observer: 1, members, foreign: Vec::new(), foreign_more: 0 })
    };
    let other = Line::at(
        Time::from_millis(1100),
        Record::Suspicion {
            observer: 3,
            subject: 2,
            event: SuspicionChange::Started,
            confirmations: Some(0),
            k: Some(3),
            timeout_ms: Some(9000.0),
            by: None,
        },
    );
    let start = suspicion(1000, SuspicionChange::Started, 0, 5000.0);
    let (s, b) = fold(&[start.clone(), other.clone(), view(1500, State::Suspect)]);
    let snap = b.snapshot(&s, Time::from_secs(2));
    assert_eq!((held(&snap, 1).len(), held(&snap, 3).len()), (1, 1), "still a suspect: still suspected");
    let (s, b) = fold(&[start, other, view(1500, State::Alive)]);
    let snap = b.snapshot(&s, Time::from_secs(2));
    assert_eq!((held(&snap, 1).len(), held(&snap, 3).len()), (0, 1), "alive in 1's view; 3's is its own");
    assert_eq!(snap.suspicions_active, 1);
}

fn metrics(t_ms: u64, sent: u64, health: u32) -> Line {
    let mut traffic = Traffic::default();
    traffic.sent[0].packets = sent;
    traffic.received[0].packets = sent / 2;
    let node = NodeMetrics {
        node: 0,
        health,
        incarnation: 7,
        queue: 3,
        foreign: 0,
        refused: Default::default(),
        traffic,
        status: None,
    };
    let record = MetricsRecord { agreement: 1.0, accuracy: 1.0, events_dropped: 5, nodes: vec![node] };
    Line::at(Time::from_millis(t_ms), Record::Metrics(record))
}

#[test]
fn rates_are_over_the_real_interval_between_metrics_records_and_health_history_is_capped() {
    let (s, b) = fold(&[metrics(1000, 100, 1), metrics(3000, 300, 2)]);
    let snap = b.snapshot(&s, Time::from_secs(3));
    let row = &snap.nodes[0];
    assert_eq!((row.rate_out, row.rate_in), (100.0, 50.0), "200 datagrams over 2 s");
    assert_eq!((row.status.health, row.status.incarnation, row.status.queue), (2, 7, 3));
    assert_eq!(row.status.at, Time::from_secs(3));
    assert_eq!(&*row.health_history, &[1, 2]);
    assert_eq!(snap.traffic.sent_total().packets, 300);
    assert_eq!(snap.events_dropped, 5);
    assert_eq!(row.status.counters, Default::default(), "a log without status records reads as zero");

    let many: Vec<Line> = (1..=HEALTH_HISTORY as u64 + 10).map(|i| metrics(i * 1000, i, i as u32)).collect();
    let (s, b) = fold(&many);
    let h = b.snapshot(&s, Time::ZERO).nodes[0].health_history.clone();
    assert_eq!(h.len(), HEALTH_HISTORY);
    assert_eq!(h.last(), Some(&(HEALTH_HISTORY as u32 + 10)));
}

#[test]
fn a_record_right_after_another_keeps_the_last_rates_and_the_next_counts_from_the_full_interval() {
    // The run's closing record comes at the time of the one before it.
    let (s, b) = fold(&[metrics(1000, 100, 0), metrics(2000, 300, 0), metrics(2000, 310, 0)]);
    let row = &b.snapshot(&s, Time::from_secs(2)).nodes[0];
    assert_eq!(row.rate_out, 200.0, "not 10 datagrams over no time");
    assert_eq!(row.traffic.sent_total().packets, 310, "the counters still move");
    let (s, b) = fold(&[metrics(1000, 100, 0), metrics(2000, 300, 0), metrics(2010, 310, 0), metrics(3000, 500, 0)]);
    assert_eq!(b.snapshot(&s, Time::from_secs(3)).nodes[0].rate_out, 200.0, "200 datagrams over 2 s → 3 s");
}

/// A log is a file anyone can edit: a node index far past the session's
/// nodes must not grow the board to it, and a timeout no float duration
/// holds must not panic the fold or the snapshot.
#[test]
fn a_forged_node_index_or_timeout_in_a_log_is_bounded() {
    let far = Line::at(
        Time::from_secs(1),
        Record::Suspicion {
            observer: usize::MAX / 2,
            subject: 2,
            event: SuspicionChange::Started,
            confirmations: Some(0),
            k: Some(3),
            timeout_ms: Some(1.0),
            by: None,
        },
    );
    let (s, b) = fold(&[far, metrics(2000, 10, 0), suspicion(3000, SuspicionChange::Started, 0, 1e300)]);
    assert!(b.nodes.len() <= s.addrs().len(), "only known nodes have a part");
    assert_eq!(b.suspicions.len(), 1, "the far observer's suspicion is not held");
    let open = &held(&b.snapshot(&s, Time::from_secs(4)), 1);
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].timeout, Duration::from_secs(86_400), "read as the longest span a log means: a day");
}

#[test]
fn actions_outlive_a_flood_of_member_lines_in_the_event_log() {
    let fault = Line::at(
        Time::from_millis(500),
        Record::Fault { label: "heal".into(), action: serde_json::Value::Null, plan: PlanRecord::default() },
    );
    let mut lines = vec![fault];
    lines.extend((0..EVENT_LOG as u64 + 10).map(|k| member(1000 + k, State::Alive)));
    let (s, b) = fold(&lines);
    let snap = b.snapshot(&s, Time::from_secs(5));
    assert!(snap.events.iter().all(|e| e.kind == "member"), "the event log has lost the fault");
    let marks: Vec<_> = snap.actions.iter().map(|m| (m.t, m.label.as_str())).collect();
    assert_eq!(marks, [(Time::from_millis(500), "heal")]);
}
