//! Node events into session-log records, for both drivers.
//!
//! The simulator and the UDP observer log a node's events through these
//! functions, so a session log means the same whichever driver wrote it,
//! and members are named the same way: lab nodes by index, anything else
//! by address as a foreign member.

use super::foreign::FOREIGN_TRACKED;
use super::record::{NodeChange, Record, RumorChange, SuspicionChange};
use crate::protocol::{Event, NodeAddr, State};

/// The record of a node's whole view for a resync: lab members by index,
/// and the foreign members it holds alive or suspect, at most
/// [`FOREIGN_TRACKED`] by address and the rest as a count, so that a
/// flooded table cannot make one line unbounded.
pub fn view_record(
    observer: usize,
    members: impl IntoIterator<Item = (NodeAddr, State)>,
    index: impl Fn(NodeAddr) -> Option<usize>,
) -> Record {
    let (mut lab, mut foreign, mut foreign_more) = (Vec::new(), Vec::new(), 0);
    for (addr, state) in members {
        match index(addr) {
            Some(i) => lab.push((i, state)),
            None if !matches!(state, State::Alive | State::Suspect) => {}
            None if foreign.len() < FOREIGN_TRACKED => foreign.push((addr.to_string(), state)),
            None => foreign_more += 1,
        }
    }
    Record::View { observer, members: lab, foreign, foreign_more }
}

/// The records of the members `observer` learned in one window (see
/// [`super::learning`]): a `foreign` line for each that is no lab node,
/// then one `learned` line for the lab members (none if there are none).
pub fn learned_records(
    observer: usize,
    members: Vec<NodeAddr>,
    index: impl Fn(NodeAddr) -> Option<usize>,
) -> Vec<Record> {
    let mut lab = Vec::with_capacity(members.len());
    let mut records = Vec::new();
    for member in members {
        match index(member) {
            Some(i) => lab.push(i),
            None => records.push(Record::Foreign {
                observer,
                member: member.to_string(),
                from: None,
                to: Some(State::Alive),
            }),
        }
    }
    if !lab.is_empty() {
        records.push(learned_record(observer, lab));
    }
    records
}

/// The `learned` record of lab members `subjects`, as sorted ranges.
pub fn learned_record(observer: usize, subjects: Vec<usize>) -> Record {
    Record::Learned { observer, members: crate::scenario::runs(subjects) }
}

/// The record of node `node`'s protocol event, naming members by index.
/// Both drivers log events through this, so a session log means the same
/// whichever produced it. Members that are no lab node get `foreign`
/// lines; `None` for other events about them.
pub fn from_event(
    node: usize,
    event: Event,
    index: impl Fn(NodeAddr) -> Option<usize>,
    addr_of: impl Fn(usize) -> Option<NodeAddr>,
    cluster_sent: impl FnOnce() -> u64,
) -> Option<Record> {
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    let suspicion = |subject, event, confirmations, k, timeout_ms, by| Record::Suspicion {
        observer: node,
        subject,
        event,
        confirmations,
        k,
        timeout_ms,
        by,
    };
    Some(match event {
        Event::MemberChanged { member, from, to, incarnation } => match index(member) {
            Some(subject) => Record::Member { observer: node, subject, from, to, incarnation },
            None => Record::Foreign { observer: node, member: member.to_string(), from, to: Some(to) },
        },
        Event::MemberForgotten { member } => match index(member) {
            Some(subject) => Record::Forget { observer: node, subject },
            None => Record::Foreign { observer: node, member: member.to_string(), from: None, to: None },
        },
        Event::SuspicionStarted { member, by, timeout, k, .. } => {
            suspicion(index(member)?, SuspicionChange::Started, Some(0), Some(k), Some(ms(timeout)), index(by))
        }
        Event::SuspicionConfirmed { member, by, confirmations, k, timeout } => suspicion(
            index(member)?,
            SuspicionChange::Confirmed,
            Some(confirmations),
            Some(k),
            Some(ms(timeout)),
            index(by),
        ),
        Event::SuspicionRefuted { member, .. } => {
            suspicion(index(member)?, SuspicionChange::Refuted, None, None, None, None)
        }
        Event::SuspicionExpired { member, confirmations, timeout } => {
            suspicion(index(member)?, SuspicionChange::Expired, Some(confirmations), None, Some(ms(timeout)), None)
        }
        Event::Refuted { accused, incarnation } => Record::Refute { node, accused, incarnation },
        Event::RumorDelivered { id, .. } => Record::Rumor {
            event: RumorChange::Delivered,
            node,
            origin: id.origin.to_string(),
            seq: id.seq,
            cluster_sent: Some(cluster_sent()),
        },
        Event::HealthChanged { score } => Record::Health { node, score },
        Event::ProbeLagged { target, lag } => Record::Lag { node, target: index(target)?, lag_ms: ms(lag) },
        Event::Joined => Record::Node { node, addr: addr_of(node)?.to_string(), event: NodeChange::Joined },
        Event::LeaveComplete => Record::Node { node, addr: addr_of(node)?.to_string(), event: NodeChange::Left },
    })
}
