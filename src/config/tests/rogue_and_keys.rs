//! The hostile-peer and key-rotation parts of a profile: rogue steps,
//! `[security]` and key steps, parsed and, when wrong, named with the fix.

use super::*;

#[test]
fn rogue_steps_parse_with_their_own_count_and_for() {
    use crate::rogue::Attack;
    let c = parse(
        r#"
[cluster]
nodes = 4
[[timeline]]
at = "1s"
action = "rogue"
attack = "death"
node = 1
[[timeline]]
at = "2s"
action = "rogue"
attack = "flood"
node = "random"
count = 300
[[timeline]]
at = "3s"
action = "crash"
node = 2
[[timeline]]
at = "3s"
action = "rogue"
attack = "ack_mask"
node = 2
count = 64
for = "4s"
"#,
    )
    .unwrap();
    let rogue = |attack, node, count, duration| Action::Rogue { attack, node, count, duration };
    let actions: Vec<_> = c.timeline.iter().map(|s| s.action.clone()).collect();
    assert_eq!(
        actions,
        [
            rogue(Attack::Death, NodeRef::Index(1), None, None),
            rogue(Attack::Flood, NodeRef::Random, Some(300), None),
            Action::Crash { node: NodeRef::Index(2) },
            rogue(Attack::AckMask, NodeRef::Index(2), Some(64), Some(secs(4))),
        ],
        "count and for are the attack's own: no repetition, no undo step"
    );
}

#[test]
fn bad_rogue_steps_name_the_field_and_the_fix() {
    let step = |body: &str| format!("[cluster]\nnodes = 16\n[[timeline]]\nat = \"2s\"\naction = \"rogue\"\n{body}");
    let cases: &[(&str, &[&str])] = &[
        (
            "node = 1\n",
            &[
                "[[timeline]] #1 (at 2s, rogue): \"attack\" is missing: add attack = \"death\" (or one of: death, leave, \
               incarnation, flood, ack_mask)",
            ],
        ),
        ("attack = \"death\"\n", &["(at 2s, rogue): \"node\" is missing: add node = 3"]),
        ("attack = \"deth\"\nnode = 1\n", &["line 6", "attack = \"deth\" is not an attack: did you mean \"death\"?"]),
        ("attack = \"ackmask\"\nnode = 1\n", &["did you mean \"ack_mask\"?", "use one of: death, leave,"]),
        ("attack = \"death\"\nnode = 1\ncount = 5\n", &["\"count\" does not apply to attack \"death\": remove it"]),
        (
            "attack = \"leave\"\nnode = 1\nfor = \"5s\"\n",
            &["\"for\" does not apply to attack \"leave\", which is one burst"],
        ),
        (
            "attack = \"flood\"\nnode = 1\ncount = 0\n",
            &["count = 0 is out of range: use a whole number from 1 to 50000"],
        ),
        ("attack = \"flood\"\nnode = 1\ncount = 50001\n", &["count = 50001 is out of range"]),
        ("attack = \"ack_mask\"\nnode = 1\nfor = \"0s\"\n", &["for = \"0s\" must be longer than zero"]),
        ("attack = \"ack_mask\"\nnode = 1\nfor = \"3m\"\n", &["for = \"3m\" is too long: use at most \"120s\""]),
        (
            "attack = \"death\"\nnode = 1\nevery = \"1s\"\n",
            &["\"every\" does not apply to rogue: remove it (rogue takes only attack, node, count, for)"],
        ),
        ("attack = \"death\"\nnode = 16\n", &["node 16 does not exist; the cluster has 16 nodes"]),
    ];
    for (body, parts) in cases {
        assert_has(&error(&step(body)), parts);
    }
}

#[test]
fn security_defaults_to_a_generated_key_and_reads_key_files() {
    use crate::security::{Auth, Key};
    let c = parse("[cluster]\n").unwrap();
    assert_eq!(c.security.auth, Auth::Generated, "authenticated out of the box");
    assert_eq!(c.security.label, "gossip-lab");
    assert_eq!(c.node_protocol().packet_budget, 1400 - crate::security::SEAL_OVERHEAD, "room for the seal");
    let none = parse("[security]\nauth = \"none\"\nlabel = \"demo\"\n").unwrap();
    assert_eq!((&none.security.auth, none.security.label.as_str()), (&Auth::None, "demo"));
    assert_eq!(none.node_protocol().packet_budget, 1400);

    let dir = tempfile::tempdir().unwrap();
    let hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    std::fs::write(dir.path().join("cluster.key"), format!("{hex}\n")).unwrap();
    let profile = dir.path().join("p.toml");
    let text = "[security]\nkey_file = \"cluster.key\"\n";
    let c = parse_profile(profile.to_str().unwrap(), text).unwrap();
    let Auth::File { path, key } = &c.security.auth else { panic!("{:?}", c.security.auth) };
    assert_eq!(*key, Key::parse(hex).unwrap());
    assert_eq!(path, dir.path().join("cluster.key").to_str().unwrap(), "relative to the profile");
    let resolved = c.resolved();
    assert_eq!(resolved["security"], serde_json::json!({"auth": "key", "label": "gossip-lab", "key_file": path}));
    assert!(!resolved.to_string().contains(hex), "the resolved profile names the file, never the key");
    assert!(!format!("{c:?}").contains("0011223344"), "nor does the config's Debug");
}

#[test]
fn bad_security_names_the_field_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let short = dir.path().join("short.key");
    std::fs::write(&short, "abcd").unwrap();
    let at = |p: &std::path::Path| format!("[security]\nkey_file = \"{}\"\n", p.display());
    let cases: Vec<(String, Vec<String>)> = vec![
        (
            "[security]\nauth = \"aes\"\n".into(),
            vec!["[security] auth = \"aes\" is not a mode: use \"key\"".into(), "or \"none\"".into()],
        ),
        (
            "[security]\nauth = \"none\"\nkey_file = \"k\"\n".into(),
            vec!["[security] key_file does not apply to auth = \"none\": remove key_file".into()],
        ),
        (
            at(&dir.path().join("missing.key")),
            vec!["[security] key_file = \"".into(), "cannot be read".into(), "64 hex digits or as base64".into()],
        ),
        (at(&short), vec!["is not a key: it decodes to 2 bytes, not 32".into(), "head -c 32 /dev/urandom".into()]),
        (format!("[security]\nlabel = \"{}\"\n", "x".repeat(256)), vec!["[security] label is 256 bytes long".into()]),
    ];
    for (text, parts) in cases {
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        assert_has(&error(&text), &parts);
    }
}

#[test]
fn key_steps_parse_and_a_rotation_that_cannot_work_is_an_error() {
    use crate::security::KeyRef;
    let rotation = "[[timeline]]\nat = \"1s\"\naction = \"key_install\"\n\
                    [[timeline]]\nat = \"2s\"\naction = \"key_use\"\n\
                    [[timeline]]\nat = \"3s\"\naction = \"key_remove\"\nkey = \"oldest\"\n";
    let c = parse(rotation).unwrap();
    let actions: Vec<_> = c.timeline.iter().map(|s| s.action.clone()).collect();
    assert_eq!(
        actions,
        [Action::KeyInstall, Action::KeyUse { key: KeyRef::Newest }, Action::KeyRemove { key: KeyRef::Oldest }]
    );
    let with_none = format!("[security]\nauth = \"none\"\n{rotation}");
    assert_has(
        &error(&with_none),
        &["[[timeline]] #1 (at 1s, key_install): key actions need a keyring", "set auth = \"key\""],
    );
    assert_has(
        &error("[[timeline]]\nat = \"1s\"\naction = \"key_remove\"\n"),
        &["#1 (at 1s, key_remove): the keyring holds only the primary key: install a new key first"],
    );
    assert_has(
        &error("[[timeline]]\nat = \"1s\"\naction = \"key_use\"\n"),
        &["#1 (at 1s, key_use): that key is the primary already"],
    );
    assert_has(
        &error("[[timeline]]\nat = \"1s\"\naction = \"key_install\"\nevery = \"1s\"\ncount = 8\n"),
        &["key_install): the keyring is full (8 keys): remove a key first"],
    );
    assert_has(
        &error("[[timeline]]\nat = \"1s\"\naction = \"key_use\"\nkey = \"k1\"\n"),
        &["[[timeline]] #1 (at 1s, key_use): key = \"k1\" is not a key: use \"newest\" or \"oldest\""],
    );
    assert_has(
        &error("[[timeline]]\nat = \"1s\"\naction = \"key_install\"\nkey = \"newest\"\n"),
        &["\"key\" does not apply to key_install"],
    );
}
