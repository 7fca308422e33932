//! The piggyback queue's rules, driven by hand.

use super::*;
use std::net::{Ipv4Addr, SocketAddrV4};

fn addr(port: u16) -> NodeAddr {
    SocketAddrV4::new(Ipv4Addr::LOCALHOST, port)
}

fn alive(port: u16, incarnation: u64) -> Update {
    Update::Alive { member: addr(port), incarnation }
}

#[test]
fn each_update_is_sent_exactly_limit_times() {
    let mut q = BroadcastQueue::new();
    q.push(alive(1, 0), 10);
    let mut sends = 0;
    for _ in 0..10 {
        let mut out = Vec::new();
        q.take(1000, 4, &mut out);
        sends += out.len();
    }
    assert_eq!(sends, 4);
    assert!(q.is_empty());
}

/// An update too big for the room left is passed over and a smaller
/// one behind it still rides; a run of `MAX_MISFITS` such updates ends
/// the scan (so a nearly full packet does not walk a long queue), and
/// what was passed over keeps its place for the next packet.
#[test]
fn a_misfit_is_passed_over_but_a_run_of_them_ends_the_scan() {
    let mut q = BroadcastQueue::new();
    q.push(alive(1, 0), 10);
    q.push(alive(2, 0), 50);
    let mut out = Vec::new();
    q.take(30, 4, &mut out);
    assert_eq!(out, vec![alive(1, 0)], "the 50-byte update is passed over, the 10-byte one rides");

    let mut q = BroadcastQueue::new();
    q.push(alive(100, 0), 10); // last in tier 0: behind every misfit
    for p in 1..=MAX_MISFITS as u16 {
        q.push(alive(p, 0), 50);
    }
    out.clear();
    q.take(30, 4, &mut out);
    assert!(out.is_empty(), "{} misfits in a row end the scan: {out:?}", MAX_MISFITS);
    out.clear();
    q.take(1000, 4, &mut out);
    assert_eq!(out.len(), MAX_MISFITS + 1, "nothing was lost: {out:?}");
    assert_eq!(out[0], alive(MAX_MISFITS as u16, 0), "still newest first");
}

/// A join's wave of updates passes through every tier; once it has
/// moved on, each tier's deque gives the slots back (it kept them all,
/// for every tier, before).
#[test]
fn tiers_give_back_capacity_once_a_wave_has_passed() {
    let mut q = BroadcastQueue::new();
    for p in 1..=4000u16 {
        q.push(alive(p, 0), 10);
    }
    let mut out = Vec::new();
    while !q.is_empty() {
        out.clear();
        q.take(1400, 4, &mut out);
    }
    let kept: usize = q.tiers.iter().map(VecDeque::capacity).sum();
    assert!(kept <= q.tiers.len() * 2 * MIN_TIER_CAPACITY, "{kept} slots kept by {} drained tiers", q.tiers.len());
}

#[test]
fn newest_first_and_fewest_sent_first() {
    let mut q = BroadcastQueue::new();
    q.push(alive(1, 0), 10);
    let mut out = Vec::new();
    q.take(1000, 4, &mut out); // alive(1) now sent once
    q.push(alive(2, 0), 10);
    q.push(alive(3, 0), 10);
    out.clear();
    q.take(25, 4, &mut out); // room for two
    assert_eq!(out, vec![alive(3, 0), alive(2, 0)]);
}

#[test]
fn newer_update_replaces_older_about_same_member() {
    let mut q = BroadcastQueue::new();
    q.push(alive(1, 0), 10);
    q.push(Update::Suspect { member: addr(1), incarnation: 0, from: addr(9) }, 12);
    assert_eq!(q.len(), 1);
    let mut out = Vec::new();
    q.take(1000, 4, &mut out);
    assert!(matches!(out[0], Update::Suspect { .. }));
}

#[test]
fn a_replaced_update_is_never_sent_again_and_its_slot_is_reused() {
    let mut q = BroadcastQueue::new();
    q.push(alive(1, 0), 10);
    let mut out = Vec::new();
    q.take(1000, 4, &mut out); // alive(1)@0 now in tier 1
    q.push(alive(1, 1), 10); // replaces it
    let mut sent = Vec::new();
    for _ in 0..10 {
        q.take(1000, 4, &mut sent);
    }
    assert_eq!(sent, vec![alive(1, 1); 4], "only the newer update, exactly limit times");
    assert!(q.is_empty());
    let slots = q.slab.len();
    q.push(alive(2, 0), 10);
    assert_eq!(q.slab.len(), slots, "freed slots are reused");
}

fn rumor(seq: u32) -> Update {
    let id = RumorId { origin: addr(9), seq };
    Update::rumor(crate::protocol::Rumor { id, payload: vec![1] })
}

#[test]
fn rumors_past_the_cap_drop_the_oldest_and_the_slab_stays_bounded() {
    let mut q = BroadcastQueue::new();
    q.push(alive(1, 0), 10);
    let extra = 100;
    for seq in 0..(MAX_QUEUED_RUMORS + extra) as u32 {
        q.push(rumor(seq), 12);
    }
    assert_eq!(q.rumors(), MAX_QUEUED_RUMORS);
    assert_eq!(q.len(), MAX_QUEUED_RUMORS + 1, "the member update is never dropped for a rumor");
    assert!(q.contains(BroadcastKey::Member(addr(1))));
    let id = |seq| BroadcastKey::Rumor(RumorId { origin: addr(9), seq });
    assert!(!q.contains(id(extra as u32 - 1)), "the oldest went first");
    assert!(q.contains(id(extra as u32)) && q.contains(id((MAX_QUEUED_RUMORS + extra) as u32 - 1)));
    assert!(q.slab.len() <= 2 * q.len() + 65, "slab of {} for {} queued", q.slab.len(), q.len());
    assert!(q.rumor_ages.len() <= 2 * q.rumors() + 64);
    // What is left is sent, each exactly its limit, and then nothing.
    let mut sent = Vec::new();
    while q.take(1400, 2, &mut sent) > 0 {}
    assert_eq!(sent.len(), 2 * (MAX_QUEUED_RUMORS + 1));
    assert!(q.is_empty() && q.rumors() == 0);
}

#[test]
fn replacements_with_no_one_to_send_to_keep_the_tiers_bounded() {
    let mut q = BroadcastQueue::new();
    for inc in 0..10_000 {
        q.push(alive(1, inc), 10);
        q.push(rumor(0), 12); // a rumor re-pushed under its own id
    }
    assert_eq!((q.len(), q.rumors()), (2, 1));
    let entries: usize = q.tiers.iter().map(VecDeque::len).sum();
    assert!(q.slab.len() <= 70 && entries <= 70, "slab {} tier entries {entries}", q.slab.len());
    assert!(q.rumor_ages.len() <= 66);
    let mut sent = Vec::new();
    q.take(1400, 1, &mut sent);
    assert_eq!(sent, vec![rumor(0), alive(1, 9_999)]);
}

#[test]
fn never_exceeds_the_budget() {
    let mut q = BroadcastQueue::new();
    for p in 0..100 {
        q.push(alive(p, 0), 9 + (p as usize % 7));
    }
    for budget in [0, 5, 8, 9, 30, 100, 1400] {
        let mut out = Vec::new();
        let used = q.take(budget, 100, &mut out);
        assert!(used <= budget, "used {used} of {budget}");
    }
}

/// A queue holding more than `FADE_BACKLOG` updates: a join storm.
fn storm(q: &mut BroadcastQueue) {
    for p in 1000..1000 + FADE_BACKLOG as u16 {
        q.push_fading(alive(p, 0), 10);
    }
}

/// Join announcements retire after `FADE_AFTER` copies come back, but only
/// in a storm, and only copies of the very update queued; other updates
/// never fade. Each assertion fails if the rule's guard is dropped.
#[test]
fn join_announcements_fade_once_echoed_in_a_storm() {
    let mut q = BroadcastQueue::new();
    q.push_fading(alive(1, 0), 10);
    for _ in 0..FADE_AFTER {
        q.echo(&alive(1, 0));
    }
    assert!(q.contains(BroadcastKey::Member(addr(1))), "a short queue has room: no fading");

    storm(&mut q);
    q.push_fading(alive(2, 0), 10);
    q.push(alive(3, 0), 10);
    for _ in 0..FADE_AFTER - 1 {
        q.echo(&alive(2, 0));
    }
    assert!(q.contains(BroadcastKey::Member(addr(2))), "fewer than FADE_AFTER echoes");
    q.echo(&alive(2, 1));
    assert!(q.contains(BroadcastKey::Member(addr(2))), "an echo of another incarnation is not a copy");
    q.echo(&alive(2, 0));
    assert!(!q.contains(BroadcastKey::Member(addr(2))), "retired at FADE_AFTER echoes");
    for _ in 0..FADE_AFTER * 4 {
        q.echo(&alive(3, 0));
    }
    assert!(q.contains(BroadcastKey::Member(addr(3))), "a plain update (a refutation) never fades");

    // The retired update is never sent again; the rest still are.
    let mut out = Vec::new();
    while q.take(1000, 4, &mut out) > 0 {}
    assert!(!out.contains(&alive(2, 0)));
    assert_eq!(out.iter().filter(|u| **u == alive(3, 0)).count(), 4);
}

/// At `MAX_ANNOUNCING` queued, a new join announcement takes the place of
/// the announcement sent most often; other updates are always queued; and
/// an announcement finds no place when the most-sent end holds none.
#[test]
fn a_full_queue_displaces_the_most_sent_announcement() {
    let mut q = BroadcastQueue::new();
    q.push_fading(alive(1, 0), 10);
    let mut out = Vec::new();
    q.take(10, 4, &mut out);
    assert_eq!(out, vec![alive(1, 0)], "sent once: the most-sent announcement");
    for p in 2..=MAX_ANNOUNCING as u16 {
        assert!(q.push_fading(alive(p, 0), 10));
    }
    assert_eq!(q.len(), MAX_ANNOUNCING);
    assert!(q.push_fading(alive(9000, 0), 10));
    assert_eq!(q.len(), MAX_ANNOUNCING);
    assert!(!q.contains(BroadcastKey::Member(addr(1))), "the most-sent one made room");
    assert!(q.contains(BroadcastKey::Member(addr(2))), "an unsent one stays");
    q.push(alive(9001, 0), 10);
    assert!(q.contains(BroadcastKey::Member(addr(9001))), "plain updates are never refused");
    // A displaced slot is freed at once: a long storm does not grow the
    // slab past the cap (plus the plain update), nor leave dead entries.
    for p in 10_000..20_000 {
        assert!(q.push_fading(alive(p, 0), 10));
    }
    assert_eq!(q.len(), MAX_ANNOUNCING + 1);
    assert_eq!(q.slab.len(), MAX_ANNOUNCING + 1);
    assert_eq!(q.dead, 0);

    let mut plain = BroadcastQueue::new();
    for p in 1..=MAX_ANNOUNCING as u16 {
        plain.push(alive(p, 0), 10);
    }
    assert!(!plain.push_fading(alive(9000, 0), 10));
    assert!(!plain.contains(BroadcastKey::Member(addr(9000))));
    assert_eq!(plain.len(), MAX_ANNOUNCING);
}
