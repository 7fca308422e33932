//! How durations and probabilities are written, in profiles and labels
//! alike, so that what the lab prints parses back as a profile.

pub use crate::duration::format_duration;

/// A probability as a percentage without trailing zeros: 0.1 → "10%", 0.005 → "0.5%".
pub fn percent(p: f64) -> String {
    let s = format!("{:.2}", p * 100.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}%")
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
