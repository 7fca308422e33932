//! The profiles shipped inside the binary, so `gossip-lab run crash-detect`
//! works from any directory. The files in `profiles/` are the source; they
//! are also the worked examples of the format (DESIGN §8).

use crate::config::{ConfigError, parse_profile};
use crate::scenario::format_duration;

/// Every embedded profile as (name, TOML text), in listing order.
const ALL: &[(&str, &str)] = &[
    ("default", include_str!("../profiles/default.toml")),
    ("crash-detect", include_str!("../profiles/crash-detect.toml")),
    ("partition-heal", include_str!("../profiles/partition-heal.toml")),
    ("lossy", include_str!("../profiles/lossy.toml")),
    ("stalled-node-lifeguard", include_str!("../profiles/stalled-node-lifeguard.toml")),
    ("stalled-node-swim", include_str!("../profiles/stalled-node-swim.toml")),
    ("rumor-spread", include_str!("../profiles/rumor-spread.toml")),
    ("key-rotation", include_str!("../profiles/key-rotation.toml")),
    ("large", include_str!("../profiles/large.toml")),
    ("soak", include_str!("../profiles/soak.toml")),
    ("hostile", include_str!("../profiles/hostile.toml")),
];

/// Every embedded profile as (name, TOML text), in listing order.
pub fn all() -> &'static [(&'static str, &'static str)] {
    ALL
}

/// The TOML text of an embedded profile.
pub fn get(name: &str) -> Option<&'static str> {
    ALL.iter().find(|(n, _)| *n == name).map(|(_, text)| *text)
}

/// The embedded profile names, in listing order.
pub fn names() -> Vec<&'static str> {
    ALL.iter().map(|(n, _)| *n).collect()
}

/// The `gossip-lab profiles` table: name, nodes, preset, duration and
/// description of every embedded profile.
pub fn listing() -> Result<String, ConfigError> {
    let mut rows = vec![["NAME".to_owned(), "NODES".into(), "PRESET".into(), "DURATION".into(), "DESCRIPTION".into()]];
    for (name, text) in ALL {
        let c = parse_profile(&format!("embedded:{name}"), text)?;
        let preset =
            if c.protocol.lifeguard() { c.preset.name().to_owned() } else { format!("{} (swim)", c.preset.name()) };
        rows.push([c.name, c.nodes.to_string(), preset, format_duration(c.duration), c.description]);
    }
    let widths: Vec<usize> = (0..4).map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, w) in widths.iter().enumerate() {
            // Numbers right-aligned, text left-aligned.
            if i == 1 || i == 3 {
                line.push_str(&format!("{:>w$}  ", row[i]));
            } else {
                line.push_str(&format!("{:<w$}  ", row[i]));
            }
        }
        line.push_str(&row[4]);
        out.push_str(line.trim_end());
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_profile_parses_and_validates() {
        for (name, text) in all() {
            let c = parse_profile(&format!("embedded:{name}"), text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(c.name, *name, "the file's name field matches its listing name");
            assert!(!c.description.is_empty(), "{name} has a description");
            assert_eq!(c.source, format!("embedded:{name}"));
        }
    }

    #[test]
    fn ci_profiles_stay_short() {
        for name in ["crash-detect", "partition-heal"] {
            let c = parse_profile(name, get(name).unwrap()).unwrap();
            assert!(c.duration.as_secs() <= 40, "{name} runs {:?}", c.duration);
        }
    }

    /// The bounds the profiles' comments derive, recomputed from
    /// protocol::Config so a preset change cannot silently make them tight.
    #[test]
    fn expectations_are_generous_relative_to_the_theory() {
        use std::time::Duration;
        for (name, text) in all() {
            let c = parse_profile(name, text).unwrap();
            let p = &c.protocol;
            if let Some(within) = c.expect.detection_within {
                // Worst-case first probe (a full round-robin), the failed
                // probe's interval, the longest suspicion, ~1s of gossip.
                let n = c.nodes as u32;
                let bound = p.probe_interval * n + p.suspicion_max(c.nodes) + Duration::from_secs(1);
                assert!(within >= bound, "{name}: detection_within {within:?} < theory {bound:?}");
            }
            if c.timeline.iter().any(|s| matches!(s.action, crate::scenario::Action::Heal))
                && let Some(within) = c.expect.converged_within
            {
                // Two push-pull periods find a cross-partition peer with
                // probability 3/4 per node, then ~1s of gossip.
                let bound = p.push_pull_period(c.nodes) * 2 + Duration::from_secs(1);
                assert!(within >= bound, "{name}: converged_within {within:?} < theory {bound:?}");
            }
        }
    }

    #[test]
    fn listing_has_a_row_per_profile() {
        let table = listing().unwrap();
        assert_eq!(table.lines().count(), ALL.len() + 1);
        assert!(table.lines().next().unwrap().starts_with("NAME"));
        assert!(table.contains("stalled-node-swim"));
        assert!(table.contains("fast (swim)"));
    }

    #[test]
    fn unknown_names_are_none() {
        assert!(get("nope").is_none());
        assert_eq!(names().len(), all().len());
    }
}
