//! The node's timer table: which timers exist, how they are armed, when an
//! armed one has become moot, and what firing each one does. The heap is
//! never edited in place; liveness is judged when a timer fires (the token
//! idea of foca), so rescheduling is just arming again.

use std::cmp::Reverse;

use super::{Life, Node};
use crate::protocol::Time;
use crate::protocol::member::NodeAddr;
use crate::protocol::message::Body;
use crate::protocol::probe::Phase;

/// Every timer a node can arm. An entry is checked against the node's state
/// when it fires, so a timer that no longer matters is simply skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Timer {
    Probe,
    AckTimeout(u32),
    Relay(u32),
    Suspicion(NodeAddr),
    Gossip,
    PushPull,
    JoinRetry,
    /// The bound on a graceful leave (`Config::leave_timeout`).
    LeaveTimeout,
}

impl Node {
    pub(super) fn arm(&mut self, at: Time, timer: Timer) {
        self.timer_seq += 1;
        self.timers.push(Reverse((at, self.timer_seq, timer)));
    }

    /// False for a timer made moot since it was armed: a rescheduled round,
    /// an answered probe, a refuted suspicion. Such timers fire as no-ops.
    pub(super) fn timer_live(&self, timer: Timer, at: Time) -> bool {
        match timer {
            Timer::Probe => at == self.next_probe,
            Timer::AckTimeout(seq) => self.probe.is_some_and(|p| p.seq == seq && p.phase == Phase::Direct),
            Timer::Relay(seq) => self.relays.get(&seq).is_some_and(|r| r.deadline == at),
            Timer::Suspicion(member) => self.suspicions.get(&member).is_some_and(|s| s.deadline() == at),
            Timer::Gossip => at == self.next_gossip && !self.gossip_idle,
            Timer::PushPull => at == self.next_push_pull,
            Timer::JoinRetry => self.joining.as_ref().is_some_and(|j| j.retry_at == at),
            Timer::LeaveTimeout => self.life == Life::Leaving,
        }
    }

    pub(super) fn fire(&mut self, timer: Timer, at: Time, now: Time) {
        if !self.timer_live(timer, at) {
            return;
        }
        match timer {
            Timer::Probe => self.probe_tick(at, now),
            Timer::AckTimeout(seq) => self.ack_timeout(seq, at, now),
            Timer::Relay(seq) => {
                let relay = self.relays.remove(&seq).expect("live: the relay is pending");
                self.send(relay.origin, Body::Nack { seq: relay.origin_seq }, now);
            }
            Timer::Suspicion(member) => self.suspicion_expired(member, now),
            Timer::Gossip => {
                self.next_gossip = self.next_gossip.max(now) + self.config.gossip_interval;
                self.gossip_round(now);
                self.check_leave_complete();
                if self.broadcasts.is_empty() {
                    // Nothing to gossip: sleep until news is queued (see
                    // `enqueue`) instead of waking every interval for an
                    // empty round, the bulk of an idle node's wake-ups.
                    self.gossip_idle = true;
                } else {
                    self.arm(self.next_gossip, Timer::Gossip);
                }
            }
            Timer::PushPull => {
                // As memberlist schedules it: a random stagger, then waits
                // of the period for the cluster's size when each wait
                // begins. A first wait begun at start, when the table held
                // only us, had every node of a 10,000-node join exchange
                // its whole state within a minute instead of five
                // (BENCHMARKS.md, "Issue 13, step seven").
                let period = self.config.push_pull_period(self.members.live());
                self.next_push_pull = now + period;
                self.arm(self.next_push_pull, Timer::PushPull);
                let staggered = std::mem::replace(&mut self.push_pull_staggered, true);
                if staggered && self.life == Life::Running {
                    self.push_pull_round(now);
                }
            }
            Timer::LeaveTimeout => self.finish_leave(),
            Timer::JoinRetry => {
                if let Some(j) = self.joining.as_mut() {
                    j.retry_at = now + self.config.join_retry;
                    let (seeds, retry_at) = (j.seeds.clone(), j.retry_at);
                    for seed in seeds {
                        self.send_push_pull(seed, false, true, now);
                    }
                    self.arm(retry_at, Timer::JoinRetry);
                }
            }
        }
    }
}
