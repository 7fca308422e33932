//! A round of the phi family: raise the heartbeat, judge every subject
//! by its phi, and open scuttlebutt exchanges with the round's peers.

use std::time::Duration;

use rand::RngExt;
use rand::seq::IndexedRandom;

use super::{Life, Node};
use crate::protocol::node::Event;
use crate::protocol::{NodeAddr, State, Time};

impl Node {
    /// One round at `now`.
    pub(super) fn round(&mut self, now: Time) {
        let me = self.me;
        if let Some(own) = self.peers.get_mut(&me) {
            own.heartbeat += 1;
            own.heartbeat_at = now;
        }
        self.judge_all(now);
        self.expire_quarantine(now);
        if let Life::Leaving { rounds, deadline } = self.life {
            self.life = Life::Leaving { rounds: rounds.saturating_sub(1), deadline };
        }
        for to in self.targets() {
            self.send_syn(to, false);
        }
    }

    /// This round's peers: `fanout` live ones; with probability
    /// dead/(live + 1) one held dead; and, when no seed is among them,
    /// with probability seeds/(live + dead) a seed.
    fn targets(&mut self) -> Vec<NodeAddr> {
        let me = self.me;
        let live: Vec<NodeAddr> =
            self.members.iter().filter(|m| m.addr != me && !m.state.is_gone()).map(|m| m.addr).collect();
        let dead: Vec<NodeAddr> =
            self.members.iter().filter(|m| m.addr != me && m.state == State::Dead).map(|m| m.addr).collect();
        let mut out: Vec<NodeAddr> = live.sample(&mut self.rng, self.config.fanout.min(live.len())).copied().collect();
        if !dead.is_empty()
            && self.rng.random_bool((dead.len() as f64 / (live.len() + 1) as f64).min(1.0))
            && let Some(&d) = dead.choose(&mut self.rng)
        {
            out.push(d);
        }
        let seeds: Vec<NodeAddr> = self.seeds.iter().copied().filter(|s| !out.contains(s)).collect();
        if !seeds.is_empty() && !out.iter().any(|t| self.seeds.contains(t)) {
            let p = (seeds.len() as f64 / (live.len() + dead.len()).max(1) as f64).min(1.0);
            if self.rng.random_bool(p)
                && let Some(&s) = seeds.choose(&mut self.rng)
            {
                out.push(s);
            }
        }
        out
    }

    /// This node was stalled for `lag` (its timers ran that late): the
    /// silence is its own, and is taken off every subject's, then every
    /// check is re-armed at the new fit.
    pub(super) fn forgive(&mut self, lag: Duration, now: Time) {
        let me = self.me;
        let subjects: Vec<NodeAddr> = self.peers.keys().copied().filter(|&a| a != me).collect();
        for addr in subjects {
            if let Some(p) = self.peers.get_mut(&addr) {
                p.detector.forgive(lag, now);
            }
            self.schedule(addr, now);
        }
    }

    /// Arms `addr`'s check at the instant phi crosses its next threshold
    /// (half the threshold while Alive, the threshold while Suspect).
    pub(super) fn schedule(&mut self, addr: NodeAddr, now: Time) {
        let target = match self.state_of(addr) {
            Some(State::Alive) => self.config.phi_suspect(),
            Some(State::Suspect) => self.config.phi_convict,
            _ => return,
        };
        let Some(p) = self.peers.get_mut(&addr) else { return };
        // A microsecond past the crossing, so phi is past it when judged.
        let at = now + p.detector.time_to(&self.config, now, target) + Duration::from_micros(1);
        // A later crossing keeps the armed check: when it comes due, the
        // judge finds phi short of the mark and re-arms for the new one.
        // That keeps the heap to about one entry per subject, where
        // re-arming at every heartbeat would push one per arrival.
        if p.check_at.is_none_or(|c| at < c || c <= now) {
            p.check_at = Some(at);
            self.checks.push(std::cmp::Reverse((at, addr)));
        }
    }

    /// Judges every subject at `now`.
    fn judge_all(&mut self, now: Time) {
        let subjects: Vec<NodeAddr> = self.members.iter().skip(1).map(|m| m.addr).collect();
        for addr in subjects {
            self.judge(addr, now);
        }
    }

    /// Moves `addr` between Alive, Suspect and Dead by its phi, and
    /// forgets it `remove_after` after it was convicted or left.
    pub(super) fn judge(&mut self, addr: NodeAddr, now: Time) {
        let Some(state) = self.state_of(addr) else { return };
        if state.is_gone() {
            let since = self.peers.get(&addr).map_or(now, |p| p.since);
            if now.saturating_since(since) >= self.config.remove_after {
                self.forget(addr, now);
            }
            return;
        }
        let Some(peer) = self.peers.get(&addr) else { return };
        let phi = peer.detector.phi(&self.config, now);
        let incarnation = peer.generation;
        if phi >= self.config.phi_convict {
            let started = self.peers.get(&addr).map_or(now, |p| p.since);
            if state == State::Suspect {
                let timeout = now.saturating_since(started);
                self.events.push_back(Event::SuspicionExpired { member: addr, confirmations: 0, timeout });
            }
            if let Some(p) = self.peers.get_mut(&addr) {
                p.suspicion = None;
            }
            self.set_state(addr, State::Dead, now);
            if let Some(p) = self.peers.get_mut(&addr) {
                p.check_at = None;
            }
        } else if phi >= self.config.phi_suspect() && state == State::Alive {
            let timeout = peer.detector.time_to(&self.config, now, self.config.phi_convict);
            self.counters.suspicions += 1;
            if let Some(p) = self.peers.get_mut(&addr) {
                p.suspicion = Some((now + timeout, timeout));
            }
            self.set_state(addr, State::Suspect, now);
            self.events.push_back(Event::SuspicionStarted { member: addr, by: self.me, incarnation, timeout, k: 0 });
            self.schedule(addr, now);
        } else if phi < self.config.phi_suspect() && state == State::Suspect {
            if let Some(p) = self.peers.get_mut(&addr) {
                p.suspicion = None;
            }
            self.events.push_back(Event::SuspicionRefuted { member: addr, incarnation });
            self.set_state(addr, State::Alive, now);
            self.schedule(addr, now);
        } else {
            self.schedule(addr, now);
        }
    }
}
