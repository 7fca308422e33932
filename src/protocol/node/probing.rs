//! Failure detection: the probe round (direct ping, then indirect pings
//! through helpers), acks, nacks and relays for other nodes' probes, the
//! Lifeguard health score's inputs, and the member-count catch-up that
//! rides on probe traffic.

use std::time::Duration;

use rand::RngExt;
use rand::seq::IndexedRandom;

use super::merge::Origin;
use super::{Event, Life, MAX_RELAYS, Node, Relay, Sender, Timer};
use crate::protocol::Time;
use crate::protocol::member::{NodeAddr, State};
use crate::protocol::message::{Body, Update};
use crate::protocol::probe::{Helpers, Phase, Probe};

/// From its second tick on, a node's probe ticks fall on a grid shared by
/// every node of a lab (protocol time has one epoch). A driver that
/// coalesces timers then serves all the nodes of one grid point with one
/// wake-up instead of one a node, and on a 2-core host a wake-up costs
/// more than the probes it serves (BENCHMARKS.md, "Issue 13, step eight"
/// and "step nine"). The grid has the fewest points a probe interval that
/// keep each under this many members of the node's table, but at least two:
/// two up to 64 members, then ten, doubling. One point (the whole cluster
/// probing at once) would halve a small lab's wake-ups again but make the
/// expected first suspicion of a crash 4 % later, since the probers would
/// all share one phase; two cost under 1 % (`observe::model`). Each count
/// divides the next, so a coarser grid's points are on every finer one and
/// nodes whose tables differ in size still share wake-ups; ten rather than
/// four keeps the step a whole number of microseconds for round intervals
/// (1 s / 160 = 6,250 µs, where 1 s / 128 is not). Ten points for 4,096
/// nodes made bursts of 400 probes at once, and false suspicions in a
/// CPU-bound join. The first tick keeps its random phase, and the tick
/// after it moves to the next grid point.
const NODES_PER_GRID_POINT: usize = 32;

/// A tick handled this late or later (a fraction of the probe interval,
/// and at most a grid step) was stalled, not merely slack.
const ON_TIME_FRACTION: u32 = 10;

/// The spacing of the probe grid of `interval` for a cluster of `live`.
fn probe_grid_step(interval: Duration, live: usize) -> Duration {
    let wanted = live.div_ceil(NODES_PER_GRID_POINT);
    let mut points: u32 = 2;
    while (points as usize) < wanted && points < 1 << 20 {
        points = if points == 2 { 10 } else { points * 2 };
    }
    interval / points
}

impl Node {
    /// How late a deadline is handled before we blame ourselves, not the
    /// target: a whole probe timeout. On a healthy node timers run within
    /// milliseconds; a lag this large means the node was stalled (paused,
    /// starved of CPU), so the probe tells nothing about the target.
    pub(super) fn lagged(&self, at: Time, now: Time) -> Option<Duration> {
        let lag = now - at;
        (self.config.awareness && lag >= self.config.probe_timeout).then_some(lag)
    }

    pub(super) fn probe_tick(&mut self, at: Time, now: Time) {
        if let Some(probe) = self.probe.take() {
            self.probe_failed(probe, at, now);
        }
        if self.life == Life::Running {
            self.start_probe(now);
            if self.members.gone() > 0 {
                self.tend_the_gone(now);
            }
        }
        // A tick handled soon after its deadline (timer slack) schedules
        // the next from that deadline, as memberlist's ticker does, so the
        // node keeps its grid point. One handled later (a stall) counts the
        // next period from now, as before: from its deadline the next tick
        // would be due at once, or soon, and cut short the probe this one
        // just sent, failing a healthy target.
        let interval = self.config.probe_interval;
        let step = probe_grid_step(interval, self.members.live());
        let from = if now - at < step.min(interval / ON_TIME_FRACTION) { at } else { now };
        let next = from + self.awareness.scale(interval);
        self.next_probe = next.round_up_to_grid(step, self.config.probe_grid_phase);
        self.arm(self.next_probe, Timer::Probe);
    }

    pub(super) fn start_probe(&mut self, now: Time) {
        let members = &self.members;
        let me = self.me;
        let probeable = |a: NodeAddr| a != me && members.get(a).is_some_and(|m| !m.state.is_gone());
        let all = || members.others().iter().filter(|m| !m.state.is_gone()).map(|m| m.addr).collect();
        let Some(target) = self.probes.next(&mut self.rng, probeable, all) else {
            return;
        };
        let incarnation = self.members.get(target).map_or(0, |m| m.incarnation);
        let seq = self.next_seq();
        let ack_deadline = now + self.awareness.scale(self.config.probe_timeout);
        let helpers = Helpers::default();
        let phase = Phase::Direct;
        self.probe = Some(Probe { seq, target, incarnation, started: now, ack_deadline, phase, helpers });
        self.counters.probes += 1;
        self.send_ping(target, seq);
        self.arm(ack_deadline, Timer::AckTimeout(seq));
    }

    /// Once per probe period, while anyone is held Dead or Left: members
    /// held gone past the reap time are forgotten, and one of the others is
    /// sent a message that opens with the claim against it (see
    /// `send_with`). A member wrongly held gone (a forged death or leave,
    /// a healed partition) that is still running hears it and refutes,
    /// which is memberlist's gossip to the dead; without it, a member
    /// nobody probes any more would never learn it has to.
    pub(super) fn tend_the_gone(&mut self, now: Time) {
        let reap_after = self.config.reap_after;
        let mut expired = Vec::new();
        let mut gone = Vec::new();
        for (addr, since) in self.members.gone_rows() {
            if now.saturating_since(since) >= reap_after { expired.push(addr) } else { gone.push(addr) }
        }
        for member in expired {
            self.members.remove(member);
            self.counters.reaped += 1;
            self.events.push_back(Event::MemberForgotten { member });
        }
        if let Some(&to) = gone.choose(&mut self.rng)
            && let Some(claim) = self.claim_against(to)
        {
            self.counters.dead_contacts += 1;
            self.send_only(to, Body::Gossip, claim);
        }
    }

    pub(super) fn member_count(&self) -> u32 {
        u32::try_from(self.members.len()).unwrap_or(u32::MAX)
    }

    /// The epidemic leaves a tail: with some probability a node misses a
    /// piece of news after every copy of it has been retransmitted, and
    /// memberlist leaves that to the next periodic push-pull (tens of
    /// seconds). Probe traffic carries each side's member count; a node
    /// that hears a higher count while it has nothing left to relay (its
    /// piggyback queue is empty, so it is not still digesting news) has
    /// evidently missed something and pulls the full state from that peer
    /// at once, at most once per two probe intervals.
    ///
    /// In a storm (more than
    /// [`FADE_BACKLOG`](crate::protocol::broadcast::FADE_BACKLOG) updates queued) it does not
    /// wait for the queue to empty, which differs from memberlist: in a
    /// join storm the queue stays full until the storm is over, so the
    /// members a node lacks would come only by gossip, each in many
    /// redundant copies, while one pull brings them all at once. It took
    /// a simulated 4,096-node join from 23 to 17 s (BENCHMARKS.md, "Issue
    /// 13, step four"). Below the backlog a lower count than a peer's is
    /// mostly news still in flight, which gossip delivers for less.
    ///
    /// The pull carries one chunk of our state, not all of it
    /// ([`Node::send_pull`]).
    ///
    /// Only from a peer we held as a member when its datagram arrived: the
    /// catch-up sends a full chunk, and an unknown sender claiming a
    /// large count would otherwise draw a kilobyte with a 9-byte ping, to
    /// whatever address it spoofs (no reply to a stranger may be larger
    /// than its request).
    pub(super) fn maybe_catch_up(&mut self, peer: Sender, peer_members: u32, now: Time) {
        if peer.reply_limit.is_some()
            || peer_members <= self.member_count()
            || (!self.broadcasts.is_empty() && !self.broadcasts.in_storm())
            || now < self.next_catch_up
            || self.life != Life::Running
        {
            return;
        }
        self.next_catch_up = now + self.config.probe_interval * 2;
        self.counters.catch_ups += 1;
        self.send_pull(peer.addr, now);
    }

    /// Sends a ping; with the buddy system, a ping to a suspect carries the
    /// suspicion first so the suspect can refute at once.
    pub(super) fn send_ping(&mut self, target: NodeAddr, seq: u32) {
        let buddy = match self.members.get(target) {
            Some(m) if self.config.buddy && m.state == State::Suspect => {
                Some(Update::Suspect { member: target, incarnation: m.incarnation, from: self.me })
            }
            _ => None,
        };
        let ping = Body::Ping { seq, members: self.member_count() };
        self.send_with(target, ping, buddy, self.config.packet_budget);
    }

    pub(super) fn ack_timeout(&mut self, seq: u32, at: Time, now: Time) {
        let probe = self.probe.expect("live: the probe is pending");
        debug_assert_eq!((probe.seq, probe.phase), (seq, Phase::Direct));
        if let Some(lag) = self.lagged(at, now) {
            self.abandon_probe(probe, lag);
            return;
        }
        let target = probe.target;
        let me = self.me;
        let helpers = self.members.sample(&mut self.rng, self.config.indirect_checks, |m| {
            m.state == State::Alive && m.addr != target && m.addr != me
        });
        for &helper in &helpers {
            self.send(helper, Body::PingReq { seq, target }, now);
        }
        self.counters.indirect_probes += 1;
        if let Some(p) = self.probe.as_mut() {
            p.phase = Phase::Indirect;
            p.helpers = Helpers::new(&helpers);
        }
    }

    pub(super) fn abandon_probe(&mut self, probe: Probe, lag: Duration) {
        self.probe = None;
        self.counters.probes_lagged += 1;
        self.events.push_back(Event::ProbeLagged { target: probe.target, lag });
        self.adjust_health(1);
    }

    pub(super) fn probe_failed(&mut self, probe: Probe, at: Time, now: Time) {
        if let Some(lag) = self.lagged(at, now) {
            self.abandon_probe(probe, lag);
            return;
        }
        self.counters.probe_failures += 1;
        self.adjust_health(probe.failure_penalty());
        // Silence is evidence only against the incarnation we pinged. If the
        // target has spoken at a higher one since (it refuted, or it was
        // restarted while the probe was out), suspecting that one would
        // accuse a life the probe never reached: a restarted node would be
        // suspected by whoever was mid-probe when it died.
        if let Some(m) = self.members.get(probe.target).copied()
            && !m.state.is_gone()
            && m.incarnation == probe.incarnation
        {
            self.on_suspect(probe.target, m.incarnation, self.me, Origin::Local, now);
        }
    }

    /// An ack counts only from whom it can come from: our probe's target,
    /// or a helper we asked, relaying; a relay's ack only from its target.
    /// Sequence numbers are random, so an outsider must guess both.
    pub(super) fn on_ack(&mut self, from: NodeAddr, seq: u32, now: Time) {
        if self.probe.is_some_and(|p| p.seq == seq && p.acked_by(from)) {
            self.probe = None;
            self.adjust_health(-1);
            return;
        }
        if self.relays.get(&seq).is_some_and(|r| r.target == from) {
            let relay = self.relays.remove(&seq).expect("checked above");
            self.send(relay.origin, Body::Ack { seq: relay.origin_seq, members: self.member_count() }, now);
            return;
        }
        self.counters.refused.acks += 1;
    }

    /// A nack counts only from a helper our current indirect probe asked,
    /// once per helper: it lowers the penalty our own health takes.
    pub(super) fn on_nack(&mut self, from: NodeAddr, seq: u32) {
        let counted = self
            .probe
            .as_mut()
            .filter(|p| p.seq == seq && p.phase == Phase::Indirect)
            .is_some_and(|p| p.helpers.nack(from));
        if counted {
            self.counters.nacks_received += 1;
        } else {
            self.counters.refused.nacks += 1;
        }
    }

    /// Relays an indirect probe for a member we hold live. A stranger's
    /// request would make us ping whomever it names (a reflector), and
    /// past [`MAX_RELAYS`] pending relays a flood would grow the table.
    /// The asker must have been a member when its datagram arrived: one
    /// that introduces itself in the same datagram is still a stranger.
    pub(super) fn on_ping_req(&mut self, asker: Sender, origin_seq: u32, target: NodeAddr, now: Time) {
        let origin = asker.addr;
        let asker_live = asker.reply_limit.is_none() && self.members.get(origin).is_some_and(|m| !m.state.is_gone());
        if !asker_live || (target != self.me && self.relays.len() >= MAX_RELAYS) {
            self.counters.refused.ping_reqs += 1;
            return;
        }
        if target == self.me {
            // Asked to probe ourselves: answer for ourselves.
            self.send(origin, Body::Ack { seq: origin_seq, members: self.member_count() }, now);
            return;
        }
        let mut seq = self.next_seq();
        while self.relays.contains_key(&seq) {
            seq = self.next_seq();
        }
        let deadline = now + self.config.probe_timeout;
        self.relays.insert(seq, Relay { origin, origin_seq, target, deadline });
        self.arm(deadline, Timer::Relay(seq));
        self.send_ping(target, seq);
    }

    pub(super) fn adjust_health(&mut self, delta: i64) {
        if self.awareness.apply(delta) {
            self.events.push_back(Event::HealthChanged { score: self.awareness.score() });
        }
    }

    /// A fresh sequence number for a ping. Random rather than counting, so
    /// that an outsider cannot predict it and forge the ack.
    pub(super) fn next_seq(&mut self) -> u32 {
        self.rng.random()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grid_phase_moves_every_grid_alike() {
        let second = Duration::from_secs(1);
        let phase = Duration::from_micros(123_457);
        let coarse = Time::from_secs(5).round_up_to_grid(probe_grid_step(second, 1), phase);
        assert_eq!(coarse, Time::from_micros(5_123_457), "a round time falls between two points");
        for live in [1, 65, 321, 4096] {
            let step = probe_grid_step(second, live);
            assert_eq!(coarse.round_up_to_grid(step, phase), coarse, "a coarse point is on the grid for {live}");
        }
        let first = Time::from_micros(5).round_up_to_grid(probe_grid_step(second, 1), phase);
        assert_eq!(first, Time::from_micros(123_457), "before the first point");
    }

    #[test]
    fn large_clusters_get_finer_nested_grids() {
        let second = Duration::from_secs(1);
        let ms = Duration::from_millis;
        assert_eq!(probe_grid_step(second, 1), ms(500), "never fewer than two points");
        assert_eq!(probe_grid_step(second, 64), ms(500), "32 nodes a point");
        assert_eq!(probe_grid_step(second, 65), ms(100));
        assert_eq!(probe_grid_step(second, 320), ms(100));
        assert_eq!(probe_grid_step(second, 321), ms(50));
        assert_eq!(probe_grid_step(second, 4096), Duration::from_micros(6_250));
        // A coarser grid's points are on every finer one: nodes whose
        // tables differ in size still share wake-ups.
        let t = Time::from_micros(1_234_567);
        let coarse = t.round_up_to(probe_grid_step(second, 1));
        for live in [1, 64, 65, 321, 1000, 4096] {
            let step = probe_grid_step(second, live);
            assert_eq!(coarse.round_up_to(step), coarse, "a coarse point is on the grid for {live}");
            assert!(t.round_up_to(step) <= coarse);
        }
    }
}
