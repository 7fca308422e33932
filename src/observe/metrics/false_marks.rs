//! False positives and false suspicions (DESIGN §7): each mark of a member
//! as suspect, dead or left, judged against ground truth.
//!
//! A mark is false when its subject is running, not paused, did not leave,
//! and can talk with the observer. Two rules say when that is certain
//! enough to count, and a mark counts once however long it is held:
//!
//! - **At the mark.** The subject had been up, and the pair able to talk,
//!   for a whole grace window before it. The window absorbs marks that echo
//!   a real fault (a suspicion raised during a partition that expires just
//!   after the heal), while a stalled *observer* that wakes up and accuses
//!   healthy peers is counted at once: that is the false positive Lifeguard
//!   exists to prevent.
//! - **Held.** The observer kept the mark for a whole grace window while it
//!   and the subject were both up and able to talk. A mark made inside a
//!   window, or during a fault, that is never withdrawn is a lasting false
//!   view: a running node held Left after a forged leave, or held dead long
//!   after a partition healed. Checking only at the instant of the mark
//!   would never count it.
//!
//! Dead and Left are one mark ("down"), judged with the dead window: a
//! member held dead and then left is one held mark. Suspect is a mark of
//! its own, judged with the shorter suspect window.
//!
//! Held marks are settled lazily: every input first counts the marks whose
//! window completed by its time, so the count depends only on the sequence
//! of inputs, and a saved session log replays to the same figures.

use std::collections::BTreeSet;
use std::time::Duration;

use rustc_hash::FxHashMap;
use serde::Serialize;

pub use crate::observe::truth::Route;
use crate::observe::truth::{Liveness, Truth};
use crate::observe::views::Cell;
use crate::protocol::{Config, State, Time};

/// How long after a disturbance marks are not counted as false.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Grace {
    /// For suspicions: the longest probe period (interval × awareness max).
    pub suspect: Duration,
    /// For deaths and leaves: the above plus the longest suspicion timeout.
    pub dead: Duration,
}

impl Grace {
    /// The windows `config` implies at cluster size `n`.
    pub fn for_config(config: &Config, n: usize) -> Grace {
        let period = config.probe_interval * config.awareness_max_multiplier.max(1);
        Grace { suspect: period, dead: period + config.suspicion_max(n) }
    }

    fn window(self, kind: Kind) -> Duration {
        match kind {
            Kind::Suspect => self.suspect,
            Kind::Down => self.dead,
        }
    }
}

/// One false mark of a healthy member.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FalseMark {
    /// When it became certain: the mark itself, or the end of the window
    /// it was held for.
    pub t: Time,
    /// When the observer made the mark.
    pub marked_at: Time,
    /// The node that made the mark.
    pub observer: usize,
    /// The healthy member it marked.
    pub subject: usize,
    /// Suspect, Dead or Left.
    pub state: State,
    /// Why it counts: the ground truth that held when it was judged.
    pub why: Why,
}

/// Which of the two rules (see the module doc) counted a mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The subject had been healthy, and the pair able to talk, for a
    /// whole window before the mark.
    AtMark,
    /// The observer held the mark for a whole window while the pair was
    /// up and able to talk.
    Held,
}

/// The ground-truth facts that made a mark false, as the judge saw them
/// at [`FalseMark::t`]: a report says these instead of judging again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Why {
    /// The rule that counted it.
    pub rule: Rule,
    /// The subject had been running, neither paused nor leaving, since.
    pub subject_up_since: Time,
    /// The observer had been in its condition at the time since.
    pub observer_up_since: Time,
    /// The pair had been able to talk both ways since then.
    pub reachable_since: Time,
    /// That is as far back as the fault history kept reaches (at least a
    /// window): they may have been able to talk since earlier.
    pub reachable_or_earlier: bool,
    /// How they could talk at the time.
    pub route: Route,
    /// The grace window the rule waited.
    pub window: Duration,
}

impl Why {
    /// The facts for `observer`'s mark of `subject`, judged by `rule` now.
    fn of(truth: &Truth, rule: Rule, (observer, subject): (usize, usize), window: Duration) -> Why {
        let reachable_since = truth.reachable_since(observer, subject).unwrap_or(Time::ZERO);
        Why {
            rule,
            subject_up_since: truth.life_since(subject),
            observer_up_since: truth.life_since(observer),
            reachable_since,
            reachable_or_earlier: reachable_since > Time::ZERO && reachable_since == truth.history_from(),
            route: truth.route(observer, subject).unwrap_or(Route::Direct),
            window,
        }
    }
}

/// The two marks a view can hold against a member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Suspect,
    /// Dead or Left: either takes a running member out of the view.
    Down,
}

fn kind(cell: Cell) -> Option<Kind> {
    match cell? {
        State::Alive => None,
        State::Suspect => Some(Kind::Suspect),
        State::Dead | State::Left => Some(Kind::Down),
    }
}

/// An (observer, subject) pair as the held marks key it: two `u32` node
/// indices. A cut between two halves holds a mark for every pair across
/// it (N²/2, 8.4 million at 4,096 nodes), so each byte a mark takes
/// counts (BENCHMARKS.md, "Issue 13, step ten").
type Pair = (u32, u32);

fn pair(observer: usize, subject: usize) -> Pair {
    let index = |i: usize| u32::try_from(i).expect("the lab's node indices fit in a u32");
    (index(observer), index(subject))
}

fn unpair((observer, subject): Pair) -> (usize, usize) {
    (observer as usize, subject as usize)
}

/// A mark held now that has not been counted: 24 bytes.
#[derive(Clone, Copy, Debug)]
struct Held {
    /// When the observer made it.
    since: Time,
    /// When it will have been held for a whole window of health, if the
    /// truth stays as it is; [`NOT_DUE`] while the pair is not healthy
    /// (an `Option` would take 8 bytes more).
    due: Time,
    /// Its current state (Dead and Left may alternate within one mark).
    state: State,
}

const _: () = assert!(std::mem::size_of::<Held>() == 24);

/// [`Held::due`] of a mark whose pair is not healthy: it falls due only
/// when the truth changes.
const NOT_DUE: Time = Time::MAX;

impl Held {
    fn kind(&self) -> Kind {
        kind(Some(self.state)).expect("only marks are held")
    }
}

/// When `held` will have been held through a whole window of the pair
/// being up and able to talk, given the truth as it is now; [`NOT_DUE`]
/// while they are not.
fn due(grace: Grace, truth: &Truth, (observer, subject): (usize, usize), held: &Held) -> Time {
    let up = |n: usize| truth.life(n) == Liveness::Up;
    if !up(observer) || !up(subject) {
        return NOT_DUE;
    }
    let Some(reachable) = truth.reachable_since(observer, subject) else { return NOT_DUE };
    let together = reachable.max(truth.life_since(observer)).max(truth.life_since(subject));
    held.since.max(together) + grace.window(held.kind())
}

/// The false marks counted so far, and the held marks not yet counted.
#[derive(Clone, Debug)]
pub(crate) struct Marks {
    grace: Grace,
    /// Uncounted marks by (observer, subject). At most one per cell, so
    /// bounded by the view matrix.
    held: FxHashMap<Pair, Held>,
    /// The held marks that have a due time, in the order they fall due,
    /// so settling costs a look at the first one when nothing is due.
    queue: BTreeSet<(Time, Pair)>,
    false_dead: Vec<FalseMark>,
    false_suspect: Vec<FalseMark>,
}

impl Marks {
    /// No marks, judged with `grace`.
    pub(crate) fn new(grace: Grace) -> Marks {
        Marks {
            grace,
            held: FxHashMap::default(),
            queue: BTreeSet::new(),
            false_dead: Vec::new(),
            false_suspect: Vec::new(),
        }
    }

    /// Healthy members held dead or left.
    pub(crate) fn false_positives(&self) -> &[FalseMark] {
        &self.false_dead
    }

    /// Healthy members held suspect.
    pub(crate) fn false_suspicions(&self) -> &[FalseMark] {
        &self.false_suspect
    }

    /// `observer`'s view of `subject` went from `old` to `new` at `t`.
    /// Call [`Marks::settle`] for `t` first.
    pub(crate) fn changed(&mut self, truth: &Truth, observer: usize, subject: usize, old: Cell, new: Cell, t: Time) {
        let key = pair(observer, subject);
        let (was, is) = (kind(old), kind(new));
        if was == is {
            // Dead ↔ Left, or the same state again: still the same mark.
            if let (Some(h), Some(state)) = (self.held.get_mut(&key), new) {
                h.state = state;
            }
            return;
        }
        if let Some(Held { due, .. }) = self.held.remove(&key)
            && due != NOT_DUE
        {
            self.queue.remove(&(due, key));
        }
        let (Some(kind), Some(state)) = (is, new) else { return };
        if observer == subject {
            return;
        }
        let window = self.grace.window(kind);
        let healthy_before = truth.life(subject) == Liveness::Up
            && t - truth.life_since(subject) >= window
            && truth.reachable_throughout(observer, subject, t, window);
        if healthy_before {
            let why = Why::of(truth, Rule::AtMark, (observer, subject), window);
            self.count(FalseMark { t, marked_at: t, observer, subject, state, why });
            return;
        }
        let mut held = Held { since: t, state, due: NOT_DUE };
        held.due = due(self.grace, truth, (observer, subject), &held);
        if held.due != NOT_DUE {
            self.queue.insert((held.due, key));
        }
        self.held.insert(key, held);
    }

    /// Counts every held mark whose window completed by `now`. Call before
    /// applying anything that happens at `now`, so that each mark is judged
    /// by the truth that held while it was held.
    pub(crate) fn settle(&mut self, truth: &Truth, now: Time) {
        while let Some(&(t, key)) = self.queue.first()
            && t <= now
        {
            self.queue.pop_first();
            if let Some(held) = self.held.remove(&key) {
                let (observer, subject) = unpair(key);
                // Due times follow every truth change, so the truth now is
                // the one that held through the window.
                let why = Why::of(truth, Rule::Held, (observer, subject), self.grace.window(held.kind()));
                self.count(FalseMark { t, marked_at: held.since, observer, subject, state: held.state, why });
            }
        }
    }

    /// Ground truth changed (after [`Marks::settle`] for the time of the
    /// change): every held mark's due time follows from the new picture.
    pub(crate) fn truth_changed(&mut self, truth: &Truth) {
        self.queue.clear();
        // In place: a partition's held marks number N²/2, too many to copy
        // their keys out first.
        for (&key, held) in &mut self.held {
            held.due = due(self.grace, truth, unpair(key), held);
            if held.due != NOT_DUE {
                self.queue.insert((held.due, key));
            }
        }
    }

    fn count(&mut self, mark: FalseMark) {
        if mark.state == State::Suspect { self.false_suspect.push(mark) } else { self.false_dead.push(mark) }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{Route, Rule};
    use crate::faults::{FaultPlan, LinkRule};
    use crate::observe::metrics::Metrics;
    use crate::observe::testkit::{changed, mesh};
    use crate::observe::truth::Liveness;
    use crate::protocol::{State, Time};

    const MS: Duration = Duration::from_millis(1);
    const S: Duration = Duration::from_secs(1);

    /// Long enough after the start that "at the mark" applies.
    fn settled(m: &Metrics) -> Time {
        Time::ZERO + m.grace().dead * 2
    }

    fn pairs(m: &Metrics) -> Vec<(usize, usize, State)> {
        m.false_positives().iter().map(|f| (f.observer, f.subject, f.state)).collect()
    }

    #[test]
    fn a_running_node_held_left_is_a_false_positive() {
        let (mut m, a) = mesh(3);
        let t = settled(&m);
        m.on_event(0, &changed(a[1], State::Left), t);
        assert_eq!(pairs(&m), [(0, 1, State::Left)], "node 1 never left");
        // A node that is really leaving may be held left, however long.
        m.set_liveness(2, Liveness::Leaving, t);
        m.on_event(0, &changed(a[2], State::Left), t + S);
        m.advance(t + m.grace().dead * 3);
        assert_eq!(m.false_positives().len(), 1);
    }

    #[test]
    fn a_dead_mark_made_inside_the_grace_window_and_held_past_it_counts_once() {
        let (mut m, a) = mesh(3);
        let dead = m.grace().dead;
        // Node 1 has been up for a second only: the mark might echo the
        // start, so it is not judged at once.
        let t0 = Time::ZERO + S;
        m.on_event(0, &changed(a[1], State::Dead), t0);
        m.advance(t0 + dead - MS);
        assert!(m.false_positives().is_empty(), "not held for a whole window yet");
        m.advance(t0 + dead);
        assert_eq!(pairs(&m), [(0, 1, State::Dead)], "held a whole window while node 1 ran");
        assert_eq!(m.false_positives()[0].t, t0 + dead);
        // Held on, said again, turned to Left, resynced: still that one mark.
        m.on_event(0, &changed(a[1], State::Dead), t0 + dead + S);
        m.on_event(0, &changed(a[1], State::Left), t0 + dead + 2 * S);
        let view = [(0, State::Alive), (1, State::Left), (2, State::Alive)];
        m.set_view(0, view, [], 0, t0 + dead + 3 * S);
        m.advance(t0 + dead * 5);
        assert_eq!(m.false_positives().len(), 1, "each held mark counts once");
    }

    #[test]
    fn a_suspicion_made_inside_the_window_and_held_past_it_counts_once() {
        let (mut m, a) = mesh(3);
        let suspect = m.grace().suspect;
        let t0 = Time::ZERO + 100 * MS;
        m.on_event(2, &changed(a[0], State::Suspect), t0);
        m.advance(t0 + suspect - MS);
        assert!(m.false_suspicions().is_empty());
        m.advance(t0 + suspect * 3);
        assert_eq!(m.false_suspicions().len(), 1);
        assert_eq!(m.false_suspicions()[0].t, t0 + suspect);
        assert!(m.false_positives().is_empty(), "a suspicion is no death");
    }

    #[test]
    fn a_mark_refuted_inside_the_window_does_not_count() {
        let (mut m, a) = mesh(3);
        let dead = m.grace().dead;
        let t0 = Time::ZERO + S;
        // Nodes 0 and 1 both mark node 2 dead early; node 0 hears it refute
        // within the window, node 1 never does.
        m.on_event(0, &changed(a[2], State::Dead), t0);
        m.on_event(1, &changed(a[2], State::Dead), t0);
        m.on_event(0, &changed(a[2], State::Alive), t0 + dead / 2);
        m.advance(t0 + dead * 3);
        assert_eq!(pairs(&m), [(1, 2, State::Dead)], "only the mark that was held counts");
    }

    #[test]
    fn a_crashed_node_held_dead_is_not_a_false_positive() {
        let (mut m, a) = mesh(4);
        let t0 = Time::ZERO + S;
        m.set_liveness(3, Liveness::Crashed, t0);
        m.on_event(0, &changed(a[3], State::Dead), t0);
        m.on_event(1, &changed(a[3], State::Dead), t0);
        // In the same moment node 0 also marks running node 1 dead.
        m.on_event(0, &changed(a[1], State::Dead), t0);
        m.advance(t0 + m.grace().dead * 3);
        assert_eq!(pairs(&m), [(0, 1, State::Dead)], "the crashed node's death is true");
    }

    #[test]
    fn a_paused_node_is_not_a_false_positive_until_it_runs_again() {
        let (mut m, a) = mesh(3);
        let dead = m.grace().dead;
        let t0 = settled(&m);
        m.set_liveness(2, Liveness::Paused, t0);
        m.on_event(0, &changed(a[2], State::Suspect), t0 + S);
        m.on_event(0, &changed(a[2], State::Dead), t0 + 2 * S);
        let resumed = t0 + dead * 3;
        m.advance(resumed);
        assert!(m.false_positives().is_empty() && m.false_suspicions().is_empty(), "it was paused");
        m.set_liveness(2, Liveness::Up, resumed);
        m.advance(resumed + dead - MS);
        assert!(m.false_positives().is_empty(), "a resumed node gets a window to refute");
        m.advance(resumed + dead);
        assert_eq!(pairs(&m), [(0, 2, State::Dead)], "held dead a whole window after it resumed");
    }

    #[test]
    fn an_unreachable_node_is_not_a_false_positive_until_the_heal() {
        let (mut m, a) = mesh(3);
        let dead = m.grace().dead;
        let t0 = settled(&m);
        let mut plan = FaultPlan::new(LinkRule::default());
        plan.isolate(a[2]);
        m.set_faults(&plan, t0);
        m.on_event(0, &changed(a[2], State::Dead), t0 + S);
        let healed = t0 + dead * 3;
        m.advance(healed);
        assert!(m.false_positives().is_empty(), "node 0 could not reach it");
        plan.heal();
        m.set_faults(&plan, healed);
        m.advance(healed + dead - MS);
        assert!(m.false_positives().is_empty(), "the heal starts a window");
        m.advance(healed + dead);
        assert_eq!(pairs(&m), [(0, 2, State::Dead)], "held dead a whole window after the heal");
        let mark = m.false_positives()[0];
        assert_eq!(mark.marked_at, t0 + S, "made during the isolation, counted after the heal");
        assert_eq!((mark.why.rule, mark.why.reachable_since, mark.why.window), (Rule::Held, healed, dead));
    }

    #[test]
    fn a_stalled_observer_is_counted_at_the_mark() {
        let (mut m, a) = mesh(3);
        let t0 = settled(&m);
        m.set_liveness(0, Liveness::Paused, t0);
        m.set_liveness(0, Liveness::Up, t0 + S);
        m.on_event(0, &changed(a[1], State::Dead), t0 + S + MS);
        assert_eq!(pairs(&m), [(0, 1, State::Dead)], "its victim had been healthy all along");
        let why = m.false_positives()[0].why;
        assert_eq!((why.rule, why.subject_up_since, why.observer_up_since), (Rule::AtMark, Time::ZERO, t0 + S));
        assert_eq!(why.route, Route::Direct);
    }
}
