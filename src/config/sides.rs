//! `gossip-lab compare A B`: the two sides as the command line names them,
//! turned into the `[compare]` section a profile would have written, so a
//! comparison from the command line and one from a profile are built,
//! validated and run by the same code.
//!
//! A side is either `FAMILY[:PRESET][,FIELD=VALUE...]` (`swim:fast`,
//! `phi:cassandra,phi_convict=5`, `swim:lan,lifeguard=false`) or a
//! profile, whose `[protocol]` section it takes whole.

use super::{ConfigError, LabConfig, load_profile, parse_profile};

/// The families a side spec may start with.
const FAMILIES: [&str; 2] = ["swim", "phi"];

/// Parses `text` (the scenario, from `source`) with the sides `a` and `b`
/// as its `[compare]` section.
pub fn with_sides(source: &str, text: &str, a: &str, b: &str) -> Result<LabConfig, ConfigError> {
    let has_compare = toml::from_str::<toml::Table>(text).is_ok_and(|t| t.contains_key("compare"));
    if has_compare {
        let label = source.strip_prefix("embedded:").unwrap_or(source);
        return Err(ConfigError::Flag {
            flag: "--profile",
            value: label.to_owned(),
            message: format!(
                "already compares two sides in its [compare] section: run it with `gossip-lab run {label}` \
                 (or `gossip-lab --profile {label}`), or pick a scenario without [compare]"
            ),
        });
    }
    let mut compare = toml::Table::new();
    compare.insert("a".into(), side("A", a)?.into());
    compare.insert("b".into(), side("B", b)?.into());
    let mut doc = toml::Table::new();
    doc.insert("compare".into(), compare.into());
    let appended = toml::to_string(&doc).expect("a table of strings and values serializes");
    parse_profile(source, &format!("{text}\n{appended}"))
}

/// One side as a `[compare.x]` table: `name` and `protocol`.
fn side(flag: &'static str, spec: &str) -> Result<toml::Table, ConfigError> {
    let head = spec.split([':', ',']).next().unwrap_or_default();
    let protocol = if FAMILIES.contains(&head) {
        from_spec(flag, spec)?
    } else if spec.contains([':', ',']) {
        return Err(ConfigError::Flag {
            flag,
            value: spec.to_owned(),
            message: format!(
                "starts with \"{head}\", which is no gossip family: use swim or phi, as in swim:fast or \
                 phi:cassandra,phi_convict=5, or name a profile"
            ),
        });
    } else {
        from_profile(spec)?
    };
    let mut out = toml::Table::new();
    out.insert("name".into(), spec.chars().take(32).collect::<String>().into());
    out.insert("protocol".into(), protocol.into());
    Ok(out)
}

/// `FAMILY[:PRESET][,FIELD=VALUE...]` as a `[protocol]` table.
fn from_spec(flag: &'static str, spec: &str) -> Result<toml::Table, ConfigError> {
    let mut parts = spec.split(',');
    let head = parts.next().unwrap_or_default();
    let mut protocol = toml::Table::new();
    let (family, preset) = head.split_once(':').map_or((head, None), |(f, p)| (f, Some(p)));
    protocol.insert("family".into(), family.into());
    if let Some(p) = preset {
        protocol.insert("preset".into(), p.into());
    }
    for field in parts {
        let Some((key, value)) = field.split_once('=') else {
            return Err(ConfigError::Flag {
                flag,
                value: spec.to_owned(),
                message: format!("has \"{field}\", which is no FIELD=VALUE: write it like phi_convict=5"),
            });
        };
        // A TOML value when it reads as one (5, false), else a string ("200ms").
        let value = toml::from_str::<toml::Table>(&format!("v = {value}"))
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| value.into());
        protocol.insert(key.trim().into(), value);
    }
    Ok(protocol)
}

/// A profile's `[protocol]` table, its family made explicit so it replaces
/// the scenario's section rather than overlaying it.
fn from_profile(name: &str) -> Result<toml::Table, ConfigError> {
    let (source, text) = load_profile(name)?;
    // Parsing it whole first gives its own errors, with its own lines.
    parse_profile(&source, &text)?;
    let mut doc: toml::Table = toml::from_str(&text).unwrap_or_default();
    let mut protocol = match doc.remove("protocol") {
        Some(toml::Value::Table(t)) => t,
        _ => toml::Table::new(),
    };
    protocol.entry("family").or_insert_with(|| "swim".into());
    Ok(protocol)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::load_profile;

    fn compare(a: &str, b: &str) -> Result<LabConfig, ConfigError> {
        let (source, text) = load_profile("crash-detect").unwrap();
        with_sides(&source, &text, a, b)
    }

    #[test]
    fn specs_pick_the_family_the_preset_and_fields() {
        let c = compare("swim:fast,lifeguard=false", "phi:cassandra,phi_convict=5").unwrap();
        let cmp = c.compare.as_ref().unwrap();
        assert_eq!(cmp.a.name, "swim:fast,lifeguard=false");
        assert!(cmp.a.phi.is_none() && !cmp.a.protocol.lifeguard());
        let phi = cmp.b.phi.as_ref().unwrap();
        assert_eq!((phi.preset, phi.config.phi_convict), ("cassandra", 5.0));
        let [a, b] = c.sides().unwrap();
        assert!(a.phi.is_none() && b.phi.is_some());
        assert_eq!(a.timeline, b.timeline, "one scenario");
    }

    #[test]
    fn a_profile_side_takes_its_protocol_section() {
        let c = compare("stalled-node-lifeguard", "stalled-node-swim").unwrap();
        let cmp = c.compare.unwrap();
        assert!(cmp.a.protocol.lifeguard());
        assert!(!cmp.b.protocol.lifeguard());
    }

    #[test]
    fn bad_sides_name_the_side_and_the_fix() {
        let e = compare("raft:fast", "phi").unwrap_err().to_string();
        assert!(e.starts_with("A raft:fast starts with \"raft\", which is no gossip family"), "{e}");
        let e = compare("swim", "phi,phi_convict").unwrap_err().to_string();
        assert!(e.contains("no FIELD=VALUE"), "{e}");
        let e = compare("swim", "phi:cassandra,phi_convict=50").unwrap_err().to_string();
        assert!(e.contains("phi_convict = 50 is out of range"), "{e}");
        let e = compare("swim", "swim").unwrap_err().to_string();
        assert!(e.contains("both sides are called \"swim\""), "{e}");
    }
}
