//! How durations and probabilities are written, in profiles and labels
//! alike, so that what the lab prints parses back as a profile.

use std::time::Duration;

/// A probability as a percentage without trailing zeros: 0.1 → "10%", 0.005 → "0.5%".
pub fn percent(p: f64) -> String {
    let s = format!("{:.2}", p * 100.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}%")
}

/// Formats a duration the way profiles write them, in the largest unit that
/// is exact: "5s", "250ms", "1500ms", "20us". The output always parses back
/// with the profile parser.
pub fn format_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos == 0 {
        "0s".to_owned()
    } else if nanos.is_multiple_of(1_000_000_000) {
        format!("{}s", nanos / 1_000_000_000)
    } else if nanos.is_multiple_of(1_000_000) {
        format!("{}ms", nanos / 1_000_000)
    } else if nanos.is_multiple_of(1_000) {
        format!("{}us", nanos / 1_000)
    } else {
        format!("{nanos}ns")
    }
}

/// serde helper: a `Duration` as a profile-style string ("250ms").
pub(super) mod human_duration {
    use std::time::Duration;

    use serde::Serializer;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_duration(*d))
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
