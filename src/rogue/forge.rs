//! The forgeries themselves: what each attack sends, to whom, in one round.
//!
//! Every datagram is a real [`Packet`] made of the protocol's own
//! [`Body`], [`Update`] and [`MemberEntry`] values, so it decodes exactly
//! like a member's. Bursts are packed up to the protocol's packet budget,
//! as a member packs its own, so no datagram is larger than a real one.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::ops::RangeInclusive;
use std::time::Duration;

use super::{Attack, MAX_FLOOD, MAX_RATE, Spec};
use crate::protocol::message::{MemberEntry, PushPull};
use crate::protocol::{Body, Config, Incarnation, NodeAddr, Packet, State, Time, Update};
use crate::wire;

/// Sequence numbers on each side of a node's estimated next probe that an
/// ack mask covers every round (fewer when the rate budget is tight).
const WINDOW: u32 = 32;

/// A lab node as the rogue sees it when an attack starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Peer {
    /// Where it listens.
    pub addr: NodeAddr,
    /// Its process is running (up, paused or leaving): worth sending to.
    pub running: bool,
    /// When its current life started, to guess how many sequence numbers
    /// it has used.
    pub started: Time,
}

/// What the lab knows when a round is forged.
#[derive(Clone, Copy, Debug)]
pub struct Scene<'a> {
    /// Every lab node, by index, the victim included.
    pub peers: &'a [Peer],
    /// The victim's index in `peers`.
    pub victim: usize,
    /// The victim's incarnation as the lab last saw it.
    pub victim_incarnation: Incarnation,
    /// The protocol configuration every node runs (packet budget, probe
    /// interval).
    pub config: &'a Config,
    /// The time of this round.
    pub now: Time,
}

/// One forged datagram: a packet for `to`, from the rogue's own address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Forged {
    /// The lab node it is sent to.
    pub to: NodeAddr,
    /// What it carries.
    pub packet: Packet,
}

/// The address of fake member `i` of a flood: `127.254.(i / 200).(2 + i %
/// 200):9`. Inside loopback, so nodes' probes of the fakes never leave the
/// host; never a lab node's, since the runtime binds 127.0.0.1 and the
/// simulator's nodes all end in `.1`; and port 9 (discard) is privileged,
/// so no lab node or profile `base_port` can own it.
///
/// # Panics
/// When `i >= MAX_FLOOD`.
pub fn fake_addr(i: u32) -> NodeAddr {
    assert!(i < MAX_FLOOD, "fake member {i} is beyond the flood limit");
    SocketAddrV4::new(Ipv4Addr::new(127, 254, (i / 200) as u8, (2 + i % 200) as u8), 9)
}

/// The datagrams of round `round` of `spec` (a burst has only round 0).
pub fn forge(spec: &Spec, round: u32, scene: &Scene) -> Vec<Forged> {
    let Some(victim) = scene.peers.get(scene.victim) else {
        return Vec::new();
    };
    let victim_addr = victim.addr;
    let inc = scene.victim_incarnation;
    let budget = scene.config.packet_budget;
    let others =
        || scene.peers.iter().enumerate().filter(|&(j, p)| j != scene.victim && p.running).map(|(j, p)| (j, p.addr));
    let mut out = Vec::new();
    match spec.attack {
        Attack::Death => {
            for (j, to) in others() {
                let from = witness(scene, j);
                let claims = vec![
                    Update::Dead { member: victim_addr, incarnation: inc, from },
                    Update::Dead { member: victim_addr, incarnation: Incarnation::MAX, from },
                ];
                out.push(Forged { to, packet: Packet { body: Body::Gossip, gossip: claims } });
            }
        }
        Attack::Leave => {
            for (_, to) in others() {
                let claims = vec![Update::Left { member: victim_addr, incarnation: inc }];
                out.push(Forged { to, packet: Packet { body: Body::Gossip, gossip: claims } });
            }
        }
        Attack::Incarnation => {
            let everyone: Vec<MemberEntry> = scene
                .peers
                .iter()
                .filter(|p| p.running)
                .map(|p| MemberEntry { addr: p.addr, incarnation: Incarnation::MAX, state: State::Alive })
                .collect();
            let chunks = push_pull_chunks(everyone, budget);
            for (j, p) in scene.peers.iter().enumerate().filter(|(_, p)| p.running) {
                let from = witness(scene, j);
                let claims = vec![
                    Update::Alive { member: victim_addr, incarnation: Incarnation::MAX },
                    Update::Suspect { member: victim_addr, incarnation: Incarnation::MAX, from },
                ];
                out.push(Forged { to: p.addr, packet: Packet { body: Body::Gossip, gossip: claims } });
                out.extend(chunks.iter().map(|c| Forged { to: p.addr, packet: c.clone() }));
            }
        }
        Attack::Flood => {
            if victim.running {
                let fakes = || (0..spec.count.min(MAX_FLOOD)).map(fake_addr);
                let updates = fakes().map(|member| Update::Alive { member, incarnation: 0 });
                let entries = fakes().map(|addr| MemberEntry { addr, incarnation: 0, state: State::Alive });
                let to = victim_addr;
                out.extend(gossip_packets(updates, budget).into_iter().map(|packet| Forged { to, packet }));
                out.extend(push_pull_chunks(entries.collect(), budget).into_iter().map(|packet| Forged { to, packet }));
            }
        }
        Attack::AckMask => {
            let targets: Vec<(usize, NodeAddr)> = others().collect();
            let per_target = round_budget(scene.config) / targets.len().max(1);
            for (j, to) in targets {
                let uptime = scene.now.saturating_since(scene.peers[j].started);
                for seq in guesses(spec.count, round, per_target.max(1), uptime, scene.config) {
                    // members 0: never more than the target knows, so it
                    // does not pull its state from us in reply.
                    out.push(Forged { to, packet: Packet { body: Body::Ack { seq, members: 0 }, gossip: Vec::new() } });
                }
            }
        }
    }
    out
}

/// A running member other than the victim and `receiver`, named as the
/// author of a forged accusation so that it reads like real gossip; the
/// receiver itself when there is no such member.
fn witness(scene: &Scene, receiver: usize) -> NodeAddr {
    scene
        .peers
        .iter()
        .enumerate()
        .find(|&(j, p)| j != scene.victim && j != receiver && p.running)
        .map_or(scene.peers[receiver].addr, |(_, p)| p.addr)
}

/// Datagrams an ack mask may send in one round, all targets together.
fn round_budget(config: &Config) -> usize {
    let tick = Spec::tick(config);
    (u128::from(MAX_RATE) * tick.as_nanos() / 1_000_000_000).max(1) as usize
}

/// The sequence numbers to ack at one target in round `round`, at most
/// `budget` of them: a window around the target's estimated next sequence
/// number (one per probe interval of uptime: the probes it has sent), then
/// the next slice of a sweep over `0..=sweep`, which catches what the
/// estimate misses (relayed probes, slowed probing, a restart).
fn guesses(sweep: u32, round: u32, budget: usize, uptime: Duration, config: &Config) -> Vec<u32> {
    let interval = config.probe_interval.as_nanos().max(1);
    let estimate = u32::try_from(uptime.as_nanos() / interval).unwrap_or(u32::MAX);
    let half = WINDOW.min(u32::try_from(budget / 4).unwrap_or(u32::MAX));
    let window: RangeInclusive<u32> = estimate.saturating_sub(half)..=estimate.saturating_add(half);
    let mut seqs: Vec<u32> = window.clone().collect();
    let span = u64::from(sweep) + 1;
    let slice = (budget.saturating_sub(seqs.len()) as u64).min(span);
    let start = u64::from(round) * slice % span;
    for k in 0..slice {
        let seq = ((start + k) % span) as u32;
        if !window.contains(&seq) {
            seqs.push(seq);
        }
    }
    seqs
}

/// Updates packed into gossip-only packets up to `budget` bytes each.
fn gossip_packets(updates: impl Iterator<Item = Update>, budget: usize) -> Vec<Packet> {
    let fixed = wire::HEADER_LEN + wire::encoded_len(&Body::Gossip) + wire::len_prefix(u16::MAX as usize);
    let room = budget.saturating_sub(fixed);
    let mut packets = Vec::new();
    let mut gossip = Vec::new();
    let mut used = 0;
    for update in updates {
        let len = wire::encoded_len(&update);
        if used + len > room && !gossip.is_empty() {
            packets.push(Packet { body: Body::Gossip, gossip: std::mem::take(&mut gossip) });
            used = 0;
        }
        used += len;
        gossip.push(update);
    }
    if !gossip.is_empty() {
        packets.push(Packet { body: Body::Gossip, gossip });
    }
    packets
}

/// Member entries as the chunks of one push-pull answer, each within
/// `budget` bytes. Marked as a reply, so that no node answers the rogue.
fn push_pull_chunks(entries: Vec<MemberEntry>, budget: usize) -> Vec<Packet> {
    let room = crate::protocol::push_pull_room(budget);
    let mut groups: Vec<Vec<MemberEntry>> = Vec::new();
    let mut used = 0;
    for entry in entries {
        let len = wire::encoded_len(&entry);
        match groups.last_mut() {
            Some(g) if used + len <= room || g.is_empty() => g.push(entry),
            _ => {
                groups.push(vec![entry]);
                used = 0;
            }
        }
        used += len;
    }
    let chunks = u16::try_from(groups.len()).unwrap_or(u16::MAX);
    groups
        .into_iter()
        .take(usize::from(chunks))
        .enumerate()
        .map(|(i, members)| Packet {
            body: Body::PushPull(PushPull {
                reply: true,
                join: false,
                chunk: i as u16,
                chunks,
                members,
                pad: vec![],
                rumors: vec![],
            }),
            gossip: Vec::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::node_addr;

    fn peers(n: usize) -> Vec<Peer> {
        (0..n).map(|i| Peer { addr: node_addr(i), running: true, started: Time::ZERO }).collect()
    }

    fn scene<'a>(peers: &'a [Peer], config: &'a Config, victim: usize) -> Scene<'a> {
        Scene { peers, victim, victim_incarnation: 3, config, now: Time::from_secs(30) }
    }

    /// Every forgery must decode as a real message and fit the budget.
    fn sent(spec: Spec, round: u32, scene: &Scene) -> Vec<Forged> {
        let out = forge(&spec, round, scene);
        for f in &out {
            let bytes = wire::encode(&f.packet);
            assert!(bytes.len() <= scene.config.packet_budget, "{} bytes: {:?}", bytes.len(), f.packet.body);
            assert_eq!(wire::decode(&bytes).as_ref(), Ok(&f.packet));
        }
        out
    }

    #[test]
    fn death_claims_the_known_and_the_highest_incarnation_to_everyone_else() {
        let config = Config::fast();
        let mut p = peers(5);
        p[4].running = false;
        let out = sent(Spec::new(Attack::Death, None, None), 0, &scene(&p, &config, 2));
        let to: Vec<NodeAddr> = out.iter().map(|f| f.to).collect();
        assert_eq!(to, [node_addr(0), node_addr(1), node_addr(3)], "not the victim, not the crashed");
        let Update::Dead { member, incarnation, from } = out[0].packet.gossip[0] else { panic!("{:?}", out[0]) };
        assert_eq!((member, incarnation), (node_addr(2), 3));
        assert_eq!(from, node_addr(1), "a real member other than the victim and the receiver");
        assert!(matches!(out[0].packet.gossip[1], Update::Dead { incarnation: Incarnation::MAX, .. }));
    }

    #[test]
    fn leave_reaches_everyone_but_the_victim() {
        let config = Config::fast();
        let p = peers(4);
        let out = sent(Spec::new(Attack::Leave, None, None), 0, &scene(&p, &config, 0));
        assert_eq!(out.len(), 3);
        assert!(out.iter().all(|f| f.to != node_addr(0)));
        assert!(out.iter().all(|f| f.packet.gossip == [Update::Left { member: node_addr(0), incarnation: 3 }]));
    }

    #[test]
    fn the_incarnation_jump_reaches_everyone_and_lists_every_node_at_the_maximum() {
        let config = Config::fast();
        let p = peers(300); // more than one chunk
        let out = sent(Spec::new(Attack::Incarnation, None, None), 0, &scene(&p, &config, 7));
        let to_victim: Vec<&Forged> = out.iter().filter(|f| f.to == node_addr(7)).collect();
        assert!(to_victim.len() > 2, "the victim gets the claims and the chunks too");
        let listed: Vec<MemberEntry> = to_victim
            .iter()
            .filter_map(|f| match &f.packet.body {
                Body::PushPull(pp) => {
                    assert!(pp.reply, "never answered");
                    Some(pp.members.clone())
                }
                _ => None,
            })
            .flatten()
            .collect();
        assert_eq!(listed.len(), 300);
        assert!(listed.iter().all(|e| e.incarnation == Incarnation::MAX && e.state == State::Alive));
        assert!(matches!(
            to_victim[0].packet.gossip[..],
            [
                Update::Alive { incarnation: Incarnation::MAX, .. },
                Update::Suspect { incarnation: Incarnation::MAX, .. }
            ]
        ));
    }

    #[test]
    fn a_flood_lists_each_fake_once_per_form_at_unused_loopback_addresses() {
        let config = Config::fast();
        let p = peers(4);
        let out = sent(Spec::new(Attack::Flood, Some(2_000), None), 0, &scene(&p, &config, 1));
        assert!(out.iter().all(|f| f.to == node_addr(1)), "the victim is the way in");
        let gossiped: usize = out.iter().map(|f| f.packet.gossip.len()).sum();
        let listed: usize = out
            .iter()
            .map(|f| match &f.packet.body {
                Body::PushPull(pp) => pp.members.len(),
                _ => 0,
            })
            .sum();
        assert_eq!((gossiped, listed), (2_000, 2_000));
        assert!(out.len() < 40, "{} datagrams: packed to the budget", out.len());
        for i in [0, 199, 200, MAX_FLOOD - 1] {
            let a = fake_addr(i);
            assert!(a.ip().is_loopback() && a.ip().octets()[3] != 1 && a.port() == 9, "{a}");
            assert_eq!(crate::sim::node_index(a), None);
        }
        assert_ne!(fake_addr(199), fake_addr(200));
    }

    #[test]
    fn an_ack_mask_guesses_around_the_estimate_and_sweeps_within_the_rate() {
        let config = Config::fast(); // 200ms probes: 30s of uptime is about seq 150
        let mut p = peers(16);
        p[5].running = false; // the crashed victim
        let spec = Spec::new(Attack::AckMask, None, None);
        let s = scene(&p, &config, 5);
        let first = sent(spec, 0, &s);
        assert!(first.iter().all(|f| f.to != node_addr(5) && f.packet.gossip.is_empty()));
        assert!(first.len() <= round_budget(&config), "{} > {}", first.len(), round_budget(&config));
        let seqs = |out: &[Forged], to| -> Vec<u32> {
            out.iter()
                .filter(|f| f.to == to)
                .map(|f| match f.packet.body {
                    Body::Ack { seq, members: 0 } => seq,
                    ref other => panic!("{other:?}"),
                })
                .collect()
        };
        let at0 = seqs(&first, node_addr(0));
        assert!(at0.contains(&150) && at0.contains(&140) && at0.contains(&160), "{at0:?}");
        assert!(at0.contains(&0), "the sweep starts at zero");
        // Over enough rounds the sweep covers 0..=1024.
        let mut covered = std::collections::BTreeSet::new();
        for round in 0..60 {
            covered.extend(seqs(&forge(&spec, round, &s), node_addr(0)));
        }
        assert!((0..=1024).all(|q| covered.contains(&q)));
    }
}
