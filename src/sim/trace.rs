//! The record of what every node reported, and its fingerprint.
//!
//! Storing every event of a 10,000-node run costs gigabytes, yet the main
//! question asked of a big run is "did the same seed do the same thing?".
//! So a running FNV-1a hash over a stable textual form of each event is
//! always kept (formatted straight into the hasher, without allocating),
//! and the events themselves only when tracing is switched on.

use std::fmt::{self, Write};

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

/// FNV-1a (64-bit) as a `fmt::Write` sink.
struct Fnv(u64);

impl Fnv {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
}

impl Write for Fnv {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for b in s.bytes() {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(Fnv::PRIME);
        }
        Ok(())
    }
}

#[derive(Debug)]
pub(crate) struct Trace {
    entries: Option<Vec<TraceEntry>>,
    hash: u64,
    count: u64,
}

impl Trace {
    pub fn new(keep: bool) -> Trace {
        Trace { entries: keep.then(Vec::new), hash: Fnv::OFFSET, count: 0 }
    }

    pub fn record(&mut self, at: Time, node: usize, event: Event) {
        let mut h = Fnv(self.hash);
        // The Debug forms of Time, addresses and Event are stable for a
        // given build, which is all a determinism check compares.
        writeln!(h, "{}|{node}|{event:?}", at.as_micros()).expect("hashing cannot fail");
        self.hash = h.0;
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

    #[test]
    fn fnv_matches_reference_vector() {
        let mut h = Fnv(Fnv::OFFSET);
        h.write_str("a").unwrap();
        assert_eq!(h.0, 0xaf63_dc4c_8601_ec8c);
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
