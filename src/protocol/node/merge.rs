//! Merging news: every claim about a member, from gossip, a push-pull or our
//! own detector, goes through here, becomes a row change in the membership
//! table, a suspicion timer, a refutation of a claim about us, or a rumor
//! delivery, and is queued for re-gossip.
//!
//! Every claim from a peer is judged here by what that peer could know
//! (see [`Node::plausible`]); our own detector's claims are taken as they
//! are.

use super::{Event, Life, Node, Sender, Timer};
use crate::protocol::Time;
use crate::protocol::broadcast::PULLED_ANNOUNCE_BELOW;
use crate::protocol::member::{Incarnation, MAX_INCARNATION_JUMP, NodeAddr, REFUTE_STEP, State, supersedes};
use crate::protocol::membership::Applied;
use crate::protocol::message::{Body, MAX_RUMOR_PAYLOAD, Rumor, Update};
use crate::protocol::suspicion::Suspicion;

/// Where a claim comes from.
#[derive(Clone, Copy, Debug)]
pub(super) enum Origin {
    /// Our own failure detector: believed as it is.
    Local,
    /// A datagram from this sender: judged by what it could know.
    Peer(Sender),
    /// A row of this sender's full state (a push-pull) about someone
    /// else: judged like [`Origin::Peer`], but a member first learned
    /// from it is announced only while our queue is nearly empty (see
    /// [`Node::on_alive`]).
    State(Sender),
}

impl Origin {
    /// The peer that made the claim, if one did.
    fn sender(self) -> Option<Sender> {
        match self {
            Origin::Local => None,
            Origin::Peer(sender) | Origin::State(sender) => Some(sender),
        }
    }
}

impl Node {
    /// A Suspect/Dead/Left claim about us that we would have to refute.
    pub(super) fn accuses_me(&self, update: &Update) -> bool {
        match update {
            Update::Suspect { member, incarnation, .. }
            | Update::Dead { member, incarnation, .. }
            | Update::Left { member, incarnation } => *member == self.me && *incarnation >= self.incarnation(),
            _ => false,
        }
    }

    /// Could `origin` know of `member` at `incarnation`? Only a member
    /// raises its own incarnation, and only by refuting, so a relayed claim
    /// far ahead of what we hold is invented: believing it would let one
    /// datagram push a member to where it can no longer out-bid a later
    /// suspicion. A member speaking for itself is believed (it is the
    /// authority on its incarnation, and its address cannot be forged
    /// without raw sockets); claims about us go to [`Node::about_me`],
    /// which bounds its own step. A member we have never heard of is judged
    /// against the highest incarnation we hold for anyone, unless a seed we
    /// asked to join through vouches for it.
    pub(super) fn plausible(&mut self, member: NodeAddr, incarnation: Incarnation, origin: Origin) -> bool {
        let Some(sender) = origin.sender() else {
            return true;
        };
        if member == sender.addr || member == self.me {
            return true;
        }
        let base = match self.members.get(member) {
            Some(row) => row.incarnation,
            None if sender.vouched => return true,
            None => self.members.max_incarnation(),
        };
        let ok = incarnation <= base.saturating_add(MAX_INCARNATION_JUMP);
        if !ok {
            self.counters.refused.incarnation_jumps += 1;
        }
        ok
    }

    /// Suspect/Dead claims about someone other than us. A member we hold
    /// dead was cut off from us (crashed, partitioned, stalled), so its
    /// accusations describe a world we could not see; importing them is how
    /// a healed partition would make each side falsely suspect its own
    /// healthy members. Claims about us are still taken, so we can refute.
    pub(super) fn is_third_party_accusation(&self, update: &Update) -> bool {
        match update {
            Update::Suspect { member, .. } | Update::Dead { member, .. } => *member != self.me,
            _ => false,
        }
    }

    pub(super) fn apply_update(&mut self, update: Update, sender: Sender, now: Time) {
        let origin = Origin::Peer(sender);
        match update {
            Update::Alive { member, incarnation } => self.on_alive(member, incarnation, origin, now),
            Update::Suspect { member, incarnation, from } => self.on_suspect(member, incarnation, from, origin, now),
            Update::Dead { member, incarnation, from } => {
                self.on_dead(member, incarnation, from, State::Dead, origin, now)
            }
            Update::Left { member, incarnation } => self.on_dead(member, incarnation, member, State::Left, origin, now),
            Update::Rumor(rumor) => {
                if rumor.payload.len() <= MAX_RUMOR_PAYLOAD && self.rumors_seen.insert(rumor.id) {
                    self.deliver_rumor(*rumor);
                }
            }
        }
    }

    /// Delivers a rumor already entered in the window of seen ones.
    pub(super) fn deliver_rumor(&mut self, rumor: Rumor) {
        self.events.push_back(Event::RumorDelivered { id: rumor.id, payload: rumor.payload.clone() });
        self.recent_rumors.push(self.now, rumor.clone());
        self.enqueue(Update::rumor(rumor));
    }

    /// A claim about ourselves that outranks what we hold means someone
    /// thinks we are suspect, dead or gone: refute by bumping our
    /// incarnation past the accusation. A leaving node lets it stand.
    ///
    /// Whoever told us also gets our word directly, even for an accusation
    /// we had already out-bid: a relayed refutation may not reach a sender
    /// that holds us far behind (it would be refused as a jump; see
    /// [`Node::plausible`]), and a sender we hold dead gets none of our
    /// gossip. The answer is one small update, never larger than what
    /// carried the accusation.
    pub(super) fn about_me(&mut self, state: State, incarnation: Incarnation, origin: Origin, now: Time) {
        if self.life != Life::Running {
            return;
        }
        let mine = self.incarnation();
        let accused = match state {
            State::Alive => incarnation > mine,
            _ => incarnation >= mine,
        };
        if accused {
            self.refute(incarnation, now);
            if state.is_gone() {
                self.withdraw_suspicions();
            }
        }
        if let Some(sender) = origin.sender()
            && (accused || state != State::Alive)
        {
            let word = Update::Alive { member: self.me, incarnation: self.incarnation() };
            self.send_only(sender.addr, Body::Gossip, word);
        }
    }

    /// We were held dead (or gone): we were cut off from the cluster, so the
    /// suspicions we formed meanwhile say more about the cut than about
    /// their subjects. Left to run out, they would declare healthy members
    /// dead just as the cluster takes us back and believes us again (an
    /// isolated node's pending suspicions outlive a short isolation). They
    /// are withdrawn; a member that really failed fails our next probe.
    fn withdraw_suspicions(&mut self) {
        let suspects: Vec<(NodeAddr, Incarnation)> = self.suspicions.iter().map(|(&m, s)| (m, s.incarnation)).collect();
        for (member, incarnation) in suspects {
            self.suspicions.remove(&member);
            if self.members.unsuspect(member) {
                self.events.push_back(Event::SuspicionRefuted { member, incarnation });
                self.events.push_back(Event::MemberChanged {
                    member,
                    from: Some(State::Suspect),
                    to: State::Alive,
                    incarnation,
                });
            }
        }
    }

    /// Refutes an accusation at `accused`. The new incarnation passes the
    /// accusation by one, but rises at most [`REFUTE_STEP`] + 1 at a time:
    /// an accusation far ahead of us is either forged or comes from before
    /// we restarted, and climbing in bounded steps (each answer draws the
    /// next accusation) keeps every incarnation we announce within the jump
    /// bound of what our peers hold, so they believe it.
    pub(super) fn refute(&mut self, accused: Incarnation, now: Time) {
        let mine = self.incarnation();
        let inc = accused.min(mine.saturating_add(REFUTE_STEP)).max(mine).saturating_add(1);
        self.members.set_local(State::Alive, inc, now);
        self.enqueue(Update::Alive { member: self.me, incarnation: inc });
        self.counters.refutations += 1;
        self.events.push_back(Event::Refuted { accused, incarnation: inc });
        // Having to defend ourselves is a sign our messages are slow.
        self.adjust_health(1);
    }

    pub(super) fn on_alive(&mut self, member: NodeAddr, incarnation: Incarnation, origin: Origin, now: Time) {
        if member == self.me {
            return self.about_me(State::Alive, incarnation, origin, now);
        }
        // Old news, nearly every update of a join storm, is told by one
        // lookup: a claim at or below the incarnation we hold is always
        // plausible, and applying it would change nothing.
        let old_news = self
            .members
            .get(member)
            .is_some_and(|row| !supersedes(State::Alive, incarnation, row.state, row.incarnation));
        let applied = if old_news {
            Applied::Ignored
        } else if self.plausible(member, incarnation, origin) {
            self.members.apply(member, State::Alive, incarnation, now)
        } else {
            return;
        };
        match applied {
            Applied::Ignored => {
                if origin.sender().is_some() {
                    self.broadcasts.echo(&Update::Alive { member, incarnation });
                }
            }
            Applied::Full => self.counters.refused.table_full += 1,
            Applied::Added => {
                self.probes.insert(member, &mut self.rng);
                // A member first seen in a peer's full state is not
                // announced once our queue is busy, where memberlist
                // re-announces every member it merges: it was announced
                // when it joined (by itself and by its seed), so the
                // copies would mostly tell our peers what they hold, and
                // a joiner that pulled 4,095 rows would queue 4,095 of
                // them. Whoever missed it pulls it too (the catch-up).
                // README, Protocol.
                if !matches!(origin, Origin::State(_)) || self.broadcasts.len() < PULLED_ANNOUNCE_BELOW {
                    self.enqueue_fading(Update::Alive { member, incarnation });
                }
                self.events.push_back(Event::MemberChanged { member, from: None, to: State::Alive, incarnation });
            }
            Applied::Changed { from, .. } => {
                if self.suspicions.remove(&member).is_some() {
                    self.events.push_back(Event::SuspicionRefuted { member, incarnation });
                }
                if from.is_gone() {
                    self.probes.insert(member, &mut self.rng);
                }
                self.enqueue(Update::Alive { member, incarnation });
                if from != State::Alive {
                    self.events.push_back(Event::MemberChanged {
                        member,
                        from: Some(from),
                        to: State::Alive,
                        incarnation,
                    });
                }
            }
        }
    }

    pub(super) fn on_suspect(
        &mut self,
        member: NodeAddr,
        incarnation: Incarnation,
        from: NodeAddr,
        origin: Origin,
        now: Time,
    ) {
        if member == self.me {
            return self.about_me(State::Suspect, incarnation, origin, now);
        }
        if !self.plausible(member, incarnation, origin) {
            return;
        }
        // An independent accuser of a suspicion we already hold shortens it,
        // and is re-gossiped so that others count it too. Only a member we
        // hold live can confirm: anyone can write any name in `from`, and a
        // stranger or the dead confirming would let one sender speed up a
        // death sentence.
        if self.suspicions.get(&member).is_some_and(|s| s.incarnation == incarnation) {
            let credible = from != member && self.members.get(from).is_some_and(|m| !m.state.is_gone());
            if !credible {
                self.counters.refused.confirmations += 1;
                return;
            }
            let s = self.suspicions.get_mut(&member).expect("checked above");
            if s.confirm(from) {
                let (confirmations, k, timeout, deadline) = (s.confirmations(), s.k(), s.timeout(), s.deadline());
                self.arm(deadline, Timer::Suspicion(member));
                self.enqueue(Update::Suspect { member, incarnation, from });
                self.events.push_back(Event::SuspicionConfirmed { member, by: from, confirmations, k, timeout });
            }
            return;
        }
        let Applied::Changed { from: old, .. } = self.members.apply(member, State::Suspect, incarnation, now) else {
            return;
        };
        let n = self.members.live();
        let (min, max, k) = (self.config.suspicion_min(n), self.config.suspicion_max(n), self.config.suspicion_k(n));
        let s = Suspicion::new(from, incarnation, now, min, max, k);
        let (timeout, deadline) = (s.timeout(), s.deadline());
        self.suspicions.insert(member, s);
        self.arm(deadline, Timer::Suspicion(member));
        if old.is_gone() {
            self.probes.insert(member, &mut self.rng);
        }
        self.counters.suspicions += 1;
        self.enqueue(Update::Suspect { member, incarnation, from });
        self.events.push_back(Event::MemberChanged { member, from: Some(old), to: State::Suspect, incarnation });
        self.events.push_back(Event::SuspicionStarted { member, by: from, incarnation, timeout, k });
    }

    pub(super) fn on_dead(
        &mut self,
        member: NodeAddr,
        incarnation: Incarnation,
        from: NodeAddr,
        state: State,
        origin: Origin,
        now: Time,
    ) {
        if member == self.me {
            return self.about_me(state, incarnation, origin, now);
        }
        if !self.plausible(member, incarnation, origin) {
            return;
        }
        let Applied::Changed { from: old, .. } = self.members.apply(member, state, incarnation, now) else {
            return;
        };
        self.suspicions.remove(&member);
        let update = match state {
            State::Left => Update::Left { member, incarnation },
            _ => Update::Dead { member, incarnation, from },
        };
        self.enqueue(update);
        if old != state {
            self.events.push_back(Event::MemberChanged { member, from: Some(old), to: state, incarnation });
        }
    }

    pub(super) fn suspicion_expired(&mut self, member: NodeAddr, now: Time) {
        let s = self.suspicions.remove(&member).expect("caller checked");
        self.events.push_back(Event::SuspicionExpired {
            member,
            confirmations: s.confirmations(),
            timeout: s.timeout(),
        });
        self.on_dead(member, s.incarnation, self.me, State::Dead, Origin::Local, now);
    }
}
