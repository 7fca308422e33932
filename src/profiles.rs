//! The profiles shipped inside the binary, so `gossip-lab run crash-detect`
//! works from any directory. The files in `profiles/` are the source; they
//! are also the worked examples of the format (DESIGN §8).
//!
//! Pure data, the texts by name: parsing them is the `config` module's job
//! (which also renders the `gossip-lab profiles` table), so this module
//! depends on nothing in the crate.

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
    ("lifeguard-vs-swim", include_str!("../profiles/lifeguard-vs-swim.toml")),
    ("swim-vs-phi", include_str!("../profiles/swim-vs-phi.toml")),
    ("phi-thresholds", include_str!("../profiles/phi-thresholds.toml")),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_names_are_none() {
        assert!(get("nope").is_none());
        assert_eq!(names().len(), all().len());
    }
}
