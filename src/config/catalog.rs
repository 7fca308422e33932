//! The embedded profiles as the lab sees them: parsed, and listed as the
//! `gossip-lab profiles` table. Here rather than in [`crate::profiles`],
//! which only holds the texts, so that `profiles` needs nothing from
//! `config` and the dependency runs one way.

use super::{ConfigError, parse_profile};
use crate::profiles;
use crate::scenario::format_duration;

/// The `gossip-lab profiles` table: name, nodes, preset, duration and
/// description of every embedded profile.
pub fn profile_listing() -> Result<String, ConfigError> {
    let mut rows = vec![["NAME".to_owned(), "NODES".into(), "PRESET".into(), "DURATION".into(), "DESCRIPTION".into()]];
    for (name, text) in profiles::all() {
        let c = parse_profile(&format!("embedded:{name}"), text)?;
        let preset = match (&c.compare, &c.phi) {
            (Some(cmp), _) => format!("{} vs {}", cmp.a.name, cmp.b.name),
            (None, Some(phi)) => format!("{} (phi)", phi.preset),
            (None, None) if c.protocol.lifeguard() => c.preset.name().to_owned(),
            (None, None) => format!("{} (swim)", c.preset.name()),
        };
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
    use std::time::Duration;

    use super::*;
    use crate::scenario::Action;

    #[test]
    fn every_embedded_profile_parses_and_validates() {
        for (name, text) in profiles::all() {
            let c = parse_profile(&format!("embedded:{name}"), text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(c.name, *name, "the file's name field matches its listing name");
            assert!(!c.description.is_empty(), "{name} has a description");
            assert_eq!(c.source, format!("embedded:{name}"));
        }
    }

    #[test]
    fn ci_profiles_stay_short() {
        for name in ["crash-detect", "partition-heal"] {
            let c = parse_profile(name, profiles::get(name).unwrap()).unwrap();
            assert!(c.duration.as_secs() <= 40, "{name} runs {:?}", c.duration);
        }
    }

    /// The bounds the profiles' comments derive, recomputed from
    /// protocol::Config so a preset change cannot silently make them tight.
    #[test]
    fn expectations_are_generous_relative_to_the_theory() {
        for (name, text) in profiles::all() {
            let c = parse_profile(name, text).unwrap();
            let p = &c.protocol;
            if let Some(within) = c.expect.detection_within {
                // Worst-case first probe (a full round-robin), the failed
                // probe's interval, the longest suspicion, ~1s of gossip.
                let n = c.nodes as u32;
                let bound = p.probe_interval * n + p.suspicion_max(c.nodes) + Duration::from_secs(1);
                assert!(within >= bound, "{name}: detection_within {within:?} < theory {bound:?}");
            }
            if c.timeline.iter().any(|s| matches!(s.action, Action::Heal))
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
        let table = profile_listing().unwrap();
        assert_eq!(table.lines().count(), profiles::all().len() + 1);
        assert!(table.lines().next().unwrap().starts_with("NAME"));
        assert!(table.contains("stalled-node-swim"));
        assert!(table.contains("fast (swim)"));
    }
}
