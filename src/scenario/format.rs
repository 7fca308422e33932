//! How durations and probabilities are written, in profiles and labels
//! alike, so that what the lab prints parses back as a profile.

pub use crate::duration::format_duration;

/// A probability as a percentage without trailing zeros: 0.1 → "10%", 0.005 → "0.5%".
pub fn percent(p: f64) -> String {
    let s = format!("{:.2}", p * 100.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}%")
}

/// A count and its noun, singular for one: "1 node", "2 nodes", "0 nodes".
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// Node indices as compact ranges: "0-7, 9, 12-15" ("none" when empty).
pub fn ranges(nodes: &[usize]) -> String {
    let out: Vec<String> = runs(nodes.to_vec()).into_iter().map(run_text).collect();
    if out.is_empty() { "none".to_owned() } else { out.join(", ") }
}

/// Indices as sorted `[first, last]` runs of consecutive ones, duplicates
/// dropped: [9, 0, 1, 2, 2] → [(0, 2), (9, 9)].
pub fn runs(mut indices: Vec<usize>) -> Vec<(usize, usize)> {
    indices.sort_unstable();
    indices.dedup();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for i in indices {
        match out.last_mut() {
            Some((_, last)) if *last + 1 == i => *last = i,
            _ => out.push((i, i)),
        }
    }
    out
}

/// One run as written in [`ranges`]: "7" or "0-7".
pub fn run_text((first, last): (usize, usize)) -> String {
    if last > first { format!("{first}-{last}") } else { first.to_string() }
}

/// Partition groups as "0-7 | 8-15".
pub fn groups(groups: &[Vec<usize>]) -> String {
    groups.iter().map(|g| ranges(g)).collect::<Vec<_>>().join(" | ")
}

/// serde helper: a `Duration` as a profile-style string ("250ms").
pub(super) mod human_duration {
    use std::time::Duration;

    use serde::Serializer;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::duration::format_duration(*d))
    }
}

/// serde helper: an optional `Duration` as a profile-style string.
pub(super) mod human_duration_opt {
    use std::time::Duration;

    use serde::Serializer;

    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => super::human_duration::serialize(d, s),
            None => s.serialize_none(),
        }
    }
}
