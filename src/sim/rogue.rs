//! The rogue in the simulator: forged datagrams injected into the
//! in-memory network from [`ROGUE_ADDR`], an address that is no member's.
//!
//! The datagrams are the ones [`crate::rogue::forge`] plans, the same the
//! real lab sends from its rogue socket. Like those, they skip the fault
//! model (the rogue is not behind a lab node's shim) and arrive at once; a
//! paused target buffers them and a crashed one loses them, as with any
//! datagram. They are marked as the rogue's (the queue's `Sender::Rogue`): a sender
//! with no key, whose datagrams sealing will reject. A lasting attack's
//! later rounds are queued like any other event, so a run stays
//! deterministic.

use super::addr::{ROGUE_ADDR, node_index};
use super::attack::{AttackReport, AttackRun};
use super::cluster::Cluster;
use super::command::SimError;
use super::queue::{Delivery, Item, Sender};
use crate::faults::DropReason;
use crate::protocol::{Body, Packet, Time, Update};
use crate::rogue::{self, Forged, Peer, Scene, Spec};
use crate::wire;

impl Cluster {
    /// Starts `spec` against node `victim` and sends its first round now;
    /// returns the attack's index in [`Cluster::attacks`]. The victim must
    /// be running (crashed, for the ack mask). Ground truth is untouched.
    pub fn forge(&mut self, victim: usize, spec: Spec) -> Result<usize, SimError> {
        let state = self.check(victim)?;
        if !state.can_suffer(spec.attack) {
            return Err(SimError::WrongState { node: victim, state, action: spec.attack.verb() });
        }
        let peers = self
            .slots
            .iter()
            .map(|s| Peer { addr: s.addr, running: s.liveness.is_running(), started: s.started })
            .collect();
        let run = AttackRun {
            report: AttackReport { spec, victim, started: self.now, stopped: None, datagrams: 0, bytes: 0 },
            peers,
            victim_incarnation: self.node(victim).map_or(0, |n| n.incarnation()),
            rounds: spec.rounds(&self.config.protocol),
        };
        self.attacks.push(run);
        let index = self.attacks.len() - 1;
        self.forge_round(index, 0);
        Ok(index)
    }

    /// Sends round `round` of attack `index` and queues the next one, or
    /// marks the attack stopped after its last.
    pub(crate) fn forge_round(&mut self, index: usize, round: u32) {
        let run = &self.attacks[index];
        let scene = Scene {
            peers: &run.peers,
            victim: run.report.victim,
            victim_incarnation: run.victim_incarnation,
            config: &self.config.protocol,
            now: self.now,
        };
        let forged = rogue::forge(&run.report.spec, round, &scene);
        let (mut datagrams, mut bytes) = (0, 0);
        for f in forged {
            bytes += u64::from(self.inject(f));
            datagrams += 1;
        }
        let tick = Spec::tick(&self.config.protocol);
        let run = &mut self.attacks[index];
        run.report.datagrams += datagrams;
        run.report.bytes += bytes;
        if round + 1 < run.rounds {
            let at = run.report.started + tick * (round + 1);
            self.queue.push(at.max(self.now), Item::Forge { attack: index as u32, round: round + 1 });
        } else {
            run.report.stopped = Some(self.now);
            self.attacks_done.push((self.now, index));
        }
    }

    /// The rogue introduces itself to every running node, as any stranger
    /// may (an Alive claim about its own address): until they find it dead,
    /// it is a member, and its forgeries are an insider's, judged as such
    /// rather than refused as a stranger's. Returns the datagrams sent.
    pub fn admit_rogue(&mut self) -> usize {
        let hello = Update::Alive { member: ROGUE_ADDR, incarnation: 0 };
        let running: Vec<_> = self.slots.iter().filter(|s| s.liveness.is_running()).map(|s| s.addr).collect();
        for &to in &running {
            self.inject(Forged { to, packet: Packet { body: Body::Gossip, gossip: vec![hello.clone()] } });
        }
        running.len()
    }

    /// Puts one forged datagram on the network at once; returns its size.
    fn inject(&mut self, f: Forged) -> u32 {
        let len = wire::datagram_len(&f.packet) as u32;
        let packet = if self.config.wire_roundtrip { self.round_trip(f.packet, len) } else { f.packet };
        let kind = packet.body.kind();
        self.stats.forged.add(kind, len);
        match node_index(f.to).filter(|&j| j < self.slots.len()) {
            Some(to) => {
                let delivery = Delivery { from: Sender::Rogue, to: to as u32, len, key: None, packet };
                self.queue.push(self.now, Item::Deliver(delivery));
            }
            None => self.stats.drop(kind, len, DropReason::NodeDown),
        }
        len
    }

    /// Every attack so far, in start order.
    pub fn attacks(&self) -> impl ExactSizeIterator<Item = AttackReport> + '_ {
        self.attacks.iter().map(|a| a.report)
    }

    /// The attacks that stopped since the last call, with their stop time,
    /// in stop order: for drivers that log them.
    pub fn take_stopped_attacks(&mut self) -> Vec<(Time, AttackReport)> {
        let done = std::mem::take(&mut self.attacks_done);
        done.into_iter().map(|(t, i)| (t, self.attacks[i].report)).collect()
    }

    /// The address the rogue sends from.
    pub fn rogue_addr(&self) -> crate::protocol::NodeAddr {
        ROGUE_ADDR
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::protocol::Config;
    use crate::rogue::Attack;
    use crate::sim::SimConfig;
    use crate::sim::tests::assert_conservation;

    fn cluster(n: usize) -> Cluster {
        let config = SimConfig { protocol: Config::fast(), wire_roundtrip: true, ..SimConfig::new(n, 3) };
        let mut c = Cluster::new(config).unwrap();
        c.run_for(Duration::from_secs(3));
        c
    }

    #[test]
    fn a_burst_is_delivered_from_the_rogue_and_accounted() {
        let mut c = cluster(4);
        let in_flight = c.in_flight();
        let i = c.forge(2, Spec::new(Attack::Leave, None, None)).unwrap();
        let report = c.attacks().nth(i).unwrap();
        assert_eq!((report.datagrams, report.stopped), (3, Some(c.now())), "one burst to each other node");
        assert_eq!(c.take_stopped_attacks(), [(c.now(), report)]);
        assert!(c.take_stopped_attacks().is_empty());
        assert_conservation(&c);
        assert_eq!(c.in_flight(), in_flight + 3);
        assert_eq!(c.stats().forged.total.packets, 3);
        c.run_for(Duration::from_millis(100));
        assert_conservation(&c);
    }

    #[test]
    fn a_mask_needs_a_crashed_victim_and_runs_for_its_duration() {
        let mut c = cluster(4);
        let spec = Spec::new(Attack::AckMask, Some(16), Some(Duration::from_secs(1)));
        let e = c.forge(1, spec).unwrap_err();
        assert!(e.to_string().contains("cannot mask acks for node 1: it is up"), "{e}");
        c.crash(1).unwrap();
        let start = c.now();
        c.forge(1, spec).unwrap();
        c.run_for(Duration::from_secs(2));
        let [(stopped, report)] = c.take_stopped_attacks()[..] else { panic!("one stop") };
        assert_eq!(stopped, start + Duration::from_millis(900), "ten rounds 100ms apart");
        assert!(report.datagrams > 10 * 3, "{report:?}");
        assert_conservation(&c);
    }
}
