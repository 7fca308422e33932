//! Durations as profiles, flags and the session log write them ("250ms",
//! "5s", "1m 30s"): the parser and the formatter side by side, since each
//! must accept what the other writes; and a log's millisecond fields read
//! back without trusting them. A leaf module, so that both the scenario
//! vocabulary and the rogue attacks it names can use it without depending
//! on each other.

use std::time::Duration;

/// The longest span a log's millisecond field is read as: a day, far
/// beyond any delay or timeout the lab sets, and short enough that sums of
/// a few never overflow. A log is a file anyone can edit.
const LONGEST_LOG_MS: f64 = 86_400_000.0;

/// A session log's milliseconds (`timeout_ms`, `delay_ms`…) as a duration:
/// negative or NaN reads as zero and anything past a day as a day, so no
/// value in a file can panic a reader.
pub fn from_log_ms(v: f64) -> Duration {
    let v = if v.is_nan() { 0.0 } else { v.clamp(0.0, LONGEST_LOG_MS) };
    Duration::from_secs_f64(v / 1000.0)
}

/// The fix offered for every bad duration.
pub(crate) const DURATION_FIX: &str =
    "use a duration like \"250ms\" or \"5s\" (units ns, us, ms, s, m, h; combine them as \"1s 500ms\")";

/// Parses a duration as profiles and flags write it ("250ms", "5s",
/// "1m 30s"), with the fix in the error text.
///
/// Stricter than humantime alone: every part is digits glued to one of the
/// units `ns`, `us`, `ms`, `s`, `m`, `h`, so profiles read alike and "5 sec"
/// or "1.5s" are rejected with the fix rather than half-understood.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    const UNITS: [&str; 6] = ["ns", "us", "ms", "s", "m", "h"];
    let well_formed = !s.trim().is_empty()
        && s.split_whitespace().all(|part| {
            let digits = part.find(|c: char| !c.is_ascii_digit()).unwrap_or(part.len());
            digits > 0 && UNITS.contains(&&part[digits..])
        });
    let parsed = if well_formed { humantime::parse_duration(s.trim()).ok() } else { None };
    parsed.ok_or_else(|| format!("\"{s}\" is not a duration: {DURATION_FIX}"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_formatted_parses_back() {
        for d in [Duration::ZERO, Duration::from_secs(5), Duration::from_millis(1500), Duration::from_micros(20)] {
            assert_eq!(parse_duration(&format_duration(d)), Ok(d));
        }
    }
}
