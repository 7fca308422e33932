//! Merging news: every claim about a member, from gossip, a push-pull or our
//! own detector, goes through here, becomes a row change in the membership
//! table, a suspicion timer, a refutation of a claim about us, or a rumor
//! delivery, and is queued for re-gossip.

use super::{Event, Life, Node, Timer};
use crate::protocol::Time;
use crate::protocol::member::{Incarnation, NodeAddr, State};
use crate::protocol::membership::Applied;
use crate::protocol::message::{MAX_RUMOR_PAYLOAD, Rumor, Update};
use crate::protocol::suspicion::Suspicion;

impl Node {
    /// A Suspect/Dead claim about us that we would have to refute.
    pub(super) fn accuses_me(&self, update: &Update) -> bool {
        match update {
            Update::Suspect { member, incarnation, .. } | Update::Dead { member, incarnation, .. } => {
                *member == self.me && *incarnation >= self.incarnation()
            }
            _ => false,
        }
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

    pub(super) fn apply_update(&mut self, update: Update, now: Time) {
        match update {
            Update::Alive { member, incarnation } => self.on_alive(member, incarnation, now),
            Update::Suspect { member, incarnation, from } => self.on_suspect(member, incarnation, from, now),
            Update::Dead { member, incarnation, from } => self.on_dead(member, incarnation, from, State::Dead, now),
            Update::Left { member, incarnation } => self.on_dead(member, incarnation, member, State::Left, now),
            Update::Rumor(rumor) => {
                if !self.rumors_seen.contains(&rumor.id) && rumor.payload.len() <= MAX_RUMOR_PAYLOAD {
                    self.deliver_rumor(rumor);
                }
            }
        }
    }

    pub(super) fn deliver_rumor(&mut self, rumor: Rumor) {
        self.rumors_seen.insert(rumor.id);
        self.events.push_back(Event::RumorDelivered { id: rumor.id, payload: rumor.payload.clone() });
        self.enqueue(Update::Rumor(rumor));
    }

    /// A claim about ourselves that outranks what we hold means someone
    /// thinks we are suspect, dead or gone: refute by bumping our
    /// incarnation past the accusation. A leaving node lets it stand.
    pub(super) fn about_me(&mut self, state: State, incarnation: Incarnation, now: Time) {
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
        }
    }

    pub(super) fn refute(&mut self, accused: Incarnation, now: Time) {
        let inc = accused.max(self.incarnation()).saturating_add(1);
        self.members.set_local(State::Alive, inc, now);
        self.enqueue(Update::Alive { member: self.me, incarnation: inc });
        self.counters.refutations += 1;
        self.events.push_back(Event::Refuted { accused, incarnation: inc });
        // Having to defend ourselves is a sign our messages are slow.
        self.adjust_health(1);
    }

    pub(super) fn on_alive(&mut self, member: NodeAddr, incarnation: Incarnation, now: Time) {
        if member == self.me {
            return self.about_me(State::Alive, incarnation, now);
        }
        match self.members.apply(member, State::Alive, incarnation, now) {
            Applied::Ignored => {}
            Applied::Added => {
                self.probes.insert(member, &mut self.rng);
                self.enqueue(Update::Alive { member, incarnation });
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

    pub(super) fn on_suspect(&mut self, member: NodeAddr, incarnation: Incarnation, from: NodeAddr, now: Time) {
        if member == self.me {
            return self.about_me(State::Suspect, incarnation, now);
        }
        // An independent accuser of a suspicion we already hold shortens it,
        // and is re-gossiped so that others count it too.
        if let Some(s) = self.suspicions.get_mut(&member).filter(|s| s.incarnation == incarnation) {
            if s.confirm(from) {
                let (confirmations, timeout, deadline) = (s.confirmations(), s.timeout(), s.deadline());
                self.arm(deadline, Timer::Suspicion(member));
                self.enqueue(Update::Suspect { member, incarnation, from });
                self.events.push_back(Event::SuspicionConfirmed { member, by: from, confirmations, timeout });
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
        now: Time,
    ) {
        if member == self.me {
            return self.about_me(state, incarnation, now);
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
        self.on_dead(member, s.incarnation, self.me, State::Dead, now);
    }
}
