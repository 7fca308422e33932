//! One node's membership table and how a claim merges into it.
//!
//! The table is a `Vec` (stable, deterministic iteration for random picks
//! and push-pull) with a hash index for lookups. [`Membership::apply`] is the
//! single entry point that changes a row; it applies the precedence rule of
//! [`super::member::supersedes`] and reports what happened, and the node
//! turns that report into broadcasts, timers and events.
//!
//! Layout: every node holds a row for every member, so at 4,096 nodes the
//! lab holds 16.7 million rows, and at 10,000 simulated ones 100 million.
//! A row is 16 bytes (address, state, incarnation; see [`Member`]). The
//! index holds row numbers only (a `u32` and hashbrown's control byte a
//! slot) and finds a row by hashing its address in the table, rather than
//! keeping a second copy of each address. When a member went Dead or Left
//! (the one time the core needs, to forget it later) is kept aside for
//! those rows only. This was 24 bytes a row plus a 17-byte index slot;
//! BENCHMARKS.md ("Issue 13, step one") has the bytes per row measured.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rand::seq::IndexedRandom;
use rand::{Rng, RngExt};
use rustc_hash::{FxBuildHasher, FxHashMap};

use super::Time;
use super::member::{Incarnation, Member, NodeAddr, State, supersedes};

/// What [`Membership::apply`] did with a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// Old news (or about an unknown member and not an Alive claim): ignored.
    Ignored,
    /// A new member, refused because the table is at its cap.
    Full,
    /// A member we did not know, now Alive.
    Added,
    /// The row changed; `from` is the state it had before.
    Changed {
        /// The previous state.
        from: State,
        /// The previous incarnation.
        from_incarnation: Incarnation,
    },
}

/// A node's view of the cluster, itself included.
#[derive(Clone, Debug)]
pub struct Membership {
    members: Vec<Member>,
    /// Row numbers, found by their row's address. Never iterated, so a
    /// fixed (non-random) hasher keeps runs deterministic; FxHash because
    /// every piece of news looks a row up.
    index: HashTable<u32>,
    /// When each Dead or Left row went so (for forgetting it later).
    gone_since: FxHashMap<NodeAddr, Time>,
    /// Alive + Suspect, self included: the N in every formula.
    live: usize,
    /// The most rows the table takes (self included).
    cap: usize,
    /// The highest incarnation ever held for anyone: the scale against
    /// which a claim about a member we do not know is judged.
    max_incarnation: Incarnation,
}

impl Membership {
    /// A table holding only `me`, Alive at incarnation 0, that takes at
    /// most `cap` rows (at least one: its owner).
    pub fn new(me: NodeAddr, cap: usize, now: Time) -> Membership {
        let mut m = Membership {
            members: Vec::new(),
            index: HashTable::new(),
            gone_since: FxHashMap::default(),
            live: 0,
            // Row numbers are u32s.
            cap: cap.clamp(1, u32::MAX as usize),
            max_incarnation: 0,
        };
        m.insert(Member { addr: me, state: State::Alive, incarnation: 0 }, now);
        m
    }

    fn hash(addr: NodeAddr) -> u64 {
        FxBuildHasher.hash_one(addr)
    }

    /// The row number of `addr`.
    fn find(&self, addr: NodeAddr) -> Option<usize> {
        let rows = &self.members;
        self.index.find(Self::hash(addr), |&i| rows[i as usize].addr == addr).map(|&i| i as usize)
    }

    fn insert(&mut self, member: Member, now: Time) {
        self.max_incarnation = self.max_incarnation.max(member.incarnation);
        if !member.state.is_gone() {
            self.live += 1;
        } else {
            self.gone_since.insert(member.addr, now);
        }
        let row = self.members.len() as u32;
        self.members.push(member);
        let rows = &self.members;
        self.index.insert_unique(Self::hash(member.addr), row, |&i| Self::hash(rows[i as usize].addr));
    }

    /// Keeps `gone_since` for `addr` in step with a change from `from` to `to`.
    fn note_since(&mut self, addr: NodeAddr, from: State, to: State, now: Time) {
        if to.is_gone() && from != to {
            self.gone_since.insert(addr, now);
        } else if !to.is_gone() {
            self.gone_since.remove(&addr);
        }
    }

    /// Our own row (always the first).
    pub fn local(&self) -> &Member {
        &self.members[0]
    }

    /// Sets our own row; used for refutation and leave, which the precedence
    /// rule must not block.
    pub fn set_local(&mut self, state: State, incarnation: Incarnation, now: Time) {
        let me = self.members[0];
        self.max_incarnation = self.max_incarnation.max(incarnation);
        self.adjust_live(me.state, state);
        self.note_since(me.addr, me.state, state, now);
        self.members[0] = Member { state, incarnation, ..me };
    }

    /// Looks up the rows of `addrs` and discards the answers, to bring
    /// them into cache before a batch of updates is merged. A table of
    /// thousands of rows is not in cache when a packet arrives, and each
    /// lookup is a chain of dependent misses (control bytes, slot, row);
    /// merged one at a time, with all the work between them, they do not
    /// overlap. A loop of nothing but independent lookups lets the CPU
    /// have several in flight at once (BENCHMARKS.md, "Issue 13, step
    /// five").
    pub fn warm(&self, addrs: impl Iterator<Item = NodeAddr>) {
        for addr in addrs {
            std::hint::black_box(self.find(addr));
        }
    }

    /// The row for `addr`.
    pub fn get(&self, addr: NodeAddr) -> Option<&Member> {
        self.find(addr).map(|i| &self.members[i])
    }

    /// When `addr` went Dead or Left (`None` unless it is held so).
    pub fn gone_since(&self, addr: NodeAddr) -> Option<Time> {
        self.gone_since.get(&addr).copied()
    }

    /// Every row held Dead or Left but our own, with when it went so:
    /// O(gone), not O(N), for the once-a-period tending of the gone.
    pub fn gone_rows(&self) -> impl Iterator<Item = (NodeAddr, Time)> + '_ {
        let me = self.members[0].addr;
        self.gone_since.iter().filter(move |(a, _)| **a != me).map(|(&a, &t)| (a, t))
    }

    /// Every row, self first, then in the order members were learned.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &Member> {
        self.members.iter()
    }

    /// Rows other than our own.
    pub fn others(&self) -> &[Member] {
        &self.members[1..]
    }

    /// Up to `k` distinct other members that pass `keep`, drawn uniformly
    /// at random (the same distribution as sampling from the filtered
    /// list). Draws random rows and rejects the ones `keep` refuses or
    /// already taken, so picking gossip targets or probe helpers costs
    /// O(k) instead of a pass over every row, which at 10,000 members was
    /// most of a gossip round; it falls back to that pass only when
    /// rejections pile up (a table of mostly gone members).
    pub fn sample(&self, rng: &mut impl Rng, k: usize, keep: impl Fn(&Member) -> bool) -> Vec<NodeAddr> {
        let rows = self.others();
        let mut picked: Vec<NodeAddr> = Vec::with_capacity(k.min(rows.len()));
        if rows.is_empty() {
            return picked;
        }
        for _ in 0..k.saturating_mul(4).saturating_add(8) {
            if picked.len() == k {
                return picked;
            }
            let row = &rows[rng.random_range(0..rows.len())];
            if keep(row) && !picked.contains(&row.addr) {
                picked.push(row.addr);
            }
        }
        if picked.len() == k {
            return picked; // the last draw completed it
        }
        let rest: Vec<NodeAddr> =
            rows.iter().filter(|m| keep(m) && !picked.contains(&m.addr)).map(|m| m.addr).collect();
        picked.extend(rest.sample(rng, k - picked.len()).copied());
        picked
    }

    /// Number of rows, self included.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Always false: a table holds at least its owner.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Alive + Suspect members, self included.
    pub fn live(&self) -> usize {
        self.live
    }

    /// Dead + Left members.
    pub fn gone(&self) -> usize {
        self.members.len() - self.live
    }

    /// The highest incarnation held for anyone, ever (a high-water mark:
    /// forgetting a member does not lower it).
    pub fn max_incarnation(&self) -> Incarnation {
        self.max_incarnation
    }

    /// Forgets `addr` (never our own row): it becomes unknown, as if never
    /// heard of. Returns whether it was there.
    pub fn remove(&mut self, addr: NodeAddr) -> bool {
        let rows = &self.members;
        let Ok(slot) = self.index.find_entry(Self::hash(addr), |&r| rows[r as usize].addr == addr) else {
            return false;
        };
        let i = *slot.get() as usize;
        if i == 0 {
            return false;
        }
        slot.remove();
        // The last row moves into the hole; its slot, found by row number,
        // must follow it before the move.
        let last = self.members.len() - 1;
        if i != last
            && let Some(slot) = self.index.find_mut(Self::hash(self.members[last].addr), |&r| r as usize == last)
        {
            *slot = i as u32;
        }
        let row = self.members.swap_remove(i);
        if !row.state.is_gone() {
            self.live -= 1;
        }
        self.gone_since.remove(&addr);
        true
    }

    fn adjust_live(&mut self, from: State, to: State) {
        match (from.is_gone(), to.is_gone()) {
            (false, true) => self.live -= 1,
            (true, false) => self.live += 1,
            _ => {}
        }
    }

    /// Takes back our own suspicion of `addr`: Suspect becomes Alive at the
    /// same incarnation. Only for a suspicion we withdraw ourselves (see
    /// `Node::withdraw_suspicions`); news from others goes through
    /// [`Membership::apply`]. Returns whether the row was Suspect.
    pub fn unsuspect(&mut self, addr: NodeAddr) -> bool {
        match self.find(addr) {
            Some(i) if i != 0 && self.members[i].state == State::Suspect => {
                self.members[i].state = State::Alive;
                true
            }
            _ => false,
        }
    }

    /// Merges the claim "`addr` is `state` at `incarnation`". Only an Alive
    /// claim can introduce a member we have never seen: suspicion or death
    /// of a stranger is not actionable (memberlist ignores it too).
    pub fn apply(&mut self, addr: NodeAddr, state: State, incarnation: Incarnation, now: Time) -> Applied {
        match self.find(addr) {
            None if state == State::Alive && self.members.len() >= self.cap => Applied::Full,
            None if state == State::Alive => {
                self.insert(Member { addr, state, incarnation }, now);
                Applied::Added
            }
            None => Applied::Ignored,
            Some(i) => {
                let old = self.members[i];
                if !supersedes(state, incarnation, old.state, old.incarnation) {
                    return Applied::Ignored;
                }
                self.adjust_live(old.state, state);
                self.note_since(addr, old.state, state, now);
                self.max_incarnation = self.max_incarnation.max(incarnation);
                self.members[i] = Member { addr, state, incarnation };
                Applied::Changed { from: old.state, from_incarnation: old.incarnation }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, SocketAddrV4};

    fn addr(port: u16) -> NodeAddr {
        SocketAddrV4::new(Ipv4Addr::LOCALHOST, port)
    }

    #[test]
    fn sample_is_uniform_distinct_and_finds_the_few_kept_rows() {
        use rand::SeedableRng;
        let mut m = Membership::new(addr(1), 64, Time::ZERO);
        for p in 2..=41 {
            m.apply(addr(p), State::Alive, 0, Time::ZERO);
        }
        let mut rng = rand::rngs::SmallRng::seed_from_u64(7);
        // Every kept row about equally often, never one twice in a pick.
        let mut seen = FxHashMap::default();
        for _ in 0..4000 {
            let picked = m.sample(&mut rng, 3, |r| r.addr != addr(2));
            assert_eq!(picked.len(), 3);
            assert!(picked[0] != picked[1] && picked[1] != picked[2] && picked[0] != picked[2], "{picked:?}");
            for a in picked {
                *seen.entry(a).or_insert(0u32) += 1;
            }
        }
        assert_eq!(seen.len(), 39, "all kept rows and nothing else: {seen:?}");
        assert!(!seen.contains_key(&addr(2)) && !seen.contains_key(&addr(1)));
        // 12,000 picks over 39 rows: about 308 each.
        assert!(seen.values().all(|&c| (230..=390).contains(&c)), "{seen:?}");

        // Two kept rows among 40: random draws rarely hit them, the pass
        // over the table still finds both, and no more than exist.
        let few = |r: &Member| r.addr == addr(40) || r.addr == addr(41);
        for _ in 0..50 {
            let mut picked = m.sample(&mut rng, 3, few);
            picked.sort();
            assert_eq!(picked, vec![addr(40), addr(41)]);
        }
        assert!(m.sample(&mut rng, 3, |_| false).is_empty());
    }

    #[test]
    fn only_alive_introduces_members() {
        let mut m = Membership::new(addr(1), 16, Time::ZERO);
        assert_eq!(m.apply(addr(2), State::Suspect, 0, Time::ZERO), Applied::Ignored);
        assert_eq!(m.apply(addr(2), State::Dead, 0, Time::ZERO), Applied::Ignored);
        assert_eq!(m.apply(addr(2), State::Alive, 0, Time::ZERO), Applied::Added);
        assert_eq!(m.len(), 2);
        assert_eq!(m.live(), 2);
    }

    #[test]
    fn live_count_follows_state_changes() {
        let mut m = Membership::new(addr(1), 16, Time::ZERO);
        m.apply(addr(2), State::Alive, 0, Time::ZERO);
        m.apply(addr(3), State::Alive, 0, Time::ZERO);
        assert_eq!(
            m.apply(addr(2), State::Suspect, 0, Time::ZERO),
            Applied::Changed { from: State::Alive, from_incarnation: 0 }
        );
        assert_eq!(m.live(), 3, "a suspect still counts");
        m.apply(addr(2), State::Dead, 0, Time::from_secs(1));
        assert_eq!(m.live(), 2);
        assert_eq!(m.gone_since(addr(2)), Some(Time::from_secs(1)));
        // A refutation at a higher incarnation brings it back.
        m.apply(addr(2), State::Alive, 1, Time::from_secs(2));
        assert_eq!(m.live(), 3);
        assert_eq!(m.apply(addr(2), State::Alive, 1, Time::from_secs(3)), Applied::Ignored);
    }

    #[test]
    fn the_cap_refuses_new_members_but_not_news_of_known_ones() {
        let mut m = Membership::new(addr(1), 3, Time::ZERO);
        assert_eq!(m.apply(addr(2), State::Alive, 0, Time::ZERO), Applied::Added);
        assert_eq!(m.apply(addr(3), State::Alive, 0, Time::ZERO), Applied::Added);
        assert_eq!(m.apply(addr(4), State::Alive, 0, Time::ZERO), Applied::Full);
        assert_eq!(m.len(), 3);
        assert!(matches!(m.apply(addr(3), State::Dead, 0, Time::ZERO), Applied::Changed { .. }));
        // Forgetting a member makes room again.
        assert!(m.remove(addr(3)));
        assert_eq!(m.apply(addr(4), State::Alive, 0, Time::ZERO), Applied::Added);
    }

    /// The index finds every row by its address and nothing else, and
    /// the gone rows' times cover exactly the rows held gone, through any
    /// mix of news and forgetting (the row-number index and the side
    /// table of times are kept by hand, so a slip shows here).
    #[test]
    fn index_and_gone_times_stay_in_step_through_random_changes() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand::rngs::SmallRng::seed_from_u64(7);
        let mut m = Membership::new(addr(1), 40, Time::ZERO);
        let states = [State::Alive, State::Suspect, State::Dead, State::Left];
        for step in 0..5_000u64 {
            let a = addr(rng.random_range(1..60));
            if rng.random_range(0..4) == 0 {
                m.remove(a);
            } else {
                let state = states[rng.random_range(0..4)];
                m.apply(a, state, rng.random_range(0..4), Time::from_millis(step));
            }
            for (i, row) in m.iter().enumerate() {
                assert_eq!(m.find(row.addr), Some(i), "step {step}: row {i} found by its address");
            }
            for p in 1..60 {
                assert_eq!(m.get(addr(p)).is_some(), m.iter().any(|r| r.addr == addr(p)), "step {step}: {p}");
            }
            let mut gone: Vec<NodeAddr> = m.gone_rows().map(|(a, _)| a).collect();
            let mut want: Vec<NodeAddr> = m.others().iter().filter(|r| r.state.is_gone()).map(|r| r.addr).collect();
            gone.sort();
            want.sort();
            assert_eq!(gone, want, "step {step}: the gone rows' times");
            assert_eq!(m.live() + m.gone(), m.len());
            assert!(m.len() <= 40);
        }
    }

    #[test]
    fn remove_keeps_the_index_and_counts_right_and_never_removes_self() {
        let mut m = Membership::new(addr(1), 16, Time::ZERO);
        for p in 2..=5 {
            m.apply(addr(p), State::Alive, u64::from(p), Time::ZERO);
        }
        m.apply(addr(3), State::Dead, 9, Time::ZERO);
        assert_eq!((m.live(), m.gone()), (4, 1));
        assert!(!m.remove(addr(1)), "our own row is never forgotten");
        assert!(m.remove(addr(2)));
        assert!(!m.remove(addr(2)));
        assert!(m.get(addr(2)).is_none());
        // The row that moved into the hole is still found by address.
        assert_eq!(m.get(addr(5)).map(|r| r.incarnation), Some(5));
        assert!(m.remove(addr(3)));
        assert_eq!((m.live(), m.gone(), m.len()), (3, 0, 3));
        assert_eq!(m.max_incarnation(), 9, "a high-water mark survives forgetting");
    }
}
