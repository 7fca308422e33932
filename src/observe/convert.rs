//! Node events into session-log records, for both drivers.
//!
//! The simulator and the UDP observer log a node's events through this,
//! so a session log means the same whichever driver wrote it, and members
//! are named the same way.

use super::record::{NodeChange, Record, RumorChange, SuspicionChange};
use crate::protocol::{Event, NodeAddr};

/// The record of node `node`'s protocol event, naming members by index.
/// Both drivers log events through this, so a session log means the same
/// whichever produced it. `None` for events about unknown addresses.
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
        Event::MemberChanged { member, from, to, incarnation } => {
            Record::Member { observer: node, subject: index(member)?, from, to, incarnation }
        }
        Event::SuspicionStarted { member, by, timeout, k, .. } => {
            suspicion(index(member)?, SuspicionChange::Started, Some(0), Some(k), Some(ms(timeout)), index(by))
        }
        Event::SuspicionConfirmed { member, by, confirmations, timeout } => suspicion(
            index(member)?,
            SuspicionChange::Confirmed,
            Some(confirmations),
            None,
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
        // Not yet a line of its own: the observer's view keeps the last state.
        Event::MemberForgotten { .. } => return None,
        Event::LeaveComplete => Record::Node { node, addr: addr_of(node)?.to_string(), event: NodeChange::Left },
    })
}
