//! The record of what every node reported, and its fingerprint.
//!
//! Storing every event of a 10,000-node run costs gigabytes, yet the main
//! question asked of a big run is "did the same seed do the same thing?".
//! So a running hash over each event's fields is always kept, and the
//! events themselves only when tracing is switched on. The hash feeds the
//! derived `Hash` of the time, the node and the event to FxHash: stable
//! for a given build, which is all a determinism check compares. (It used
//! to hash each event's `Debug` text: formatting 10⁸ events was most of a
//! 10,000-node join's wall time; BENCHMARKS.md, "Issue 13, step five".)

use std::hash::{Hash, Hasher};

use rustc_hash::FxHasher;

use crate::protocol::{Event, Time};

/// One recorded event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceEntry {
    /// When it happened.
    pub at: Time,
    /// The node index that reported it.
    pub node: usize,
    /// What it reported.
    pub event: Event,
}

#[derive(Debug)]
pub(crate) struct Trace {
    entries: Option<Vec<TraceEntry>>,
    hash: u64,
    count: u64,
}

impl Trace {
    pub fn new(keep: bool) -> Trace {
        Trace { entries: keep.then(Vec::new), hash: 0, count: 0 }
    }

    pub fn record(&mut self, at: Time, node: usize, event: Event) {
        let mut h = FxHasher::default();
        (self.hash, at, node, &event).hash(&mut h);
        self.hash = h.finish();
        self.count += 1;
        if let Some(entries) = self.entries.as_mut() {
            entries.push(TraceEntry { at, node, event });
        }
    }

    pub fn hash(&self) -> u64 {
        self.hash
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// Hands over the events recorded so far and keeps recording (the hash
    /// and count still cover everything). Empty unless tracing is on.
    pub fn take(&mut self) -> Vec<TraceEntry> {
        self.entries.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// The recorded events (empty unless tracing is on).
    pub fn entries(&self) -> &[TraceEntry] {
        self.entries.as_deref().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fingerprint(events: &[(u64, usize, Event)]) -> u64 {
        let mut t = Trace::new(false);
        for (ms, node, event) in events {
            t.record(Time::from_millis(*ms), *node, event.clone());
        }
        t.hash()
    }

    /// A determinism check must notice any difference: in when, in which
    /// node, in any field of the event, or in the order.
    #[test]
    fn the_fingerprint_covers_time_node_every_field_and_order() {
        let changed = |incarnation| Event::MemberChanged {
            member: "127.0.0.1:7001".parse().unwrap(),
            from: None,
            to: crate::protocol::State::Alive,
            incarnation,
        };
        let base = fingerprint(&[(3, 2, changed(1)), (4, 1, Event::Joined)]);
        assert_eq!(base, fingerprint(&[(3, 2, changed(1)), (4, 1, Event::Joined)]));
        for other in [
            fingerprint(&[(5, 2, changed(1)), (4, 1, Event::Joined)]),
            fingerprint(&[(3, 0, changed(1)), (4, 1, Event::Joined)]),
            fingerprint(&[(3, 2, changed(2)), (4, 1, Event::Joined)]),
            fingerprint(&[(4, 1, Event::Joined), (3, 2, changed(1))]),
            fingerprint(&[(3, 2, changed(1))]),
        ] {
            assert_ne!(base, other);
        }
    }

    #[test]
    fn hash_is_kept_without_entries() {
        let mut on = Trace::new(true);
        let mut off = Trace::new(false);
        for t in [&mut on, &mut off] {
            t.record(Time::from_millis(3), 2, Event::Joined);
        }
        assert_eq!(on.hash(), off.hash());
        assert_eq!(on.entries().len(), 1);
        assert!(off.entries().is_empty());
        assert_eq!(off.count(), 1);
        off.record(Time::from_millis(3), 2, Event::LeaveComplete);
        assert_ne!(on.hash(), off.hash());
    }
}
