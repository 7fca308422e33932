//! Profile parsing, validation and overrides. Error tests assert that the
//! message names the field and says the fix, since that is the contract.

use std::time::Duration;

use super::*;
use crate::scenario::{Action, Groups, NodeRef};

mod errors;
mod family;
mod rogue_and_keys;

fn parse(text: &str) -> Result<LabConfig, ConfigError> {
    parse_profile("t.toml", text)
}

/// Parses, expecting an error; returns its message.
fn error(text: &str) -> String {
    match parse(text) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e.to_string(),
    }
}

fn assert_has(message: &str, parts: &[&str]) {
    for part in parts {
        assert!(message.contains(part), "{part:?} missing from:\n{message}");
    }
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

#[test]
fn an_empty_profile_file_is_an_error_naming_the_file_and_the_fix() {
    for text in ["", "  \n\t\n", "# a comment\n\n# and another\n"] {
        let e = parse(text).expect_err(text);
        assert!(matches!(e, ConfigError::Empty { .. }), "{e:?}");
        assert_has(&e.to_string(), &["\"t.toml\" is empty", "name = \"my-lab\"", "default, "]);
    }
}

#[test]
fn a_profile_of_empty_tables_gets_defaults() {
    let c = parse("[cluster]\n").unwrap();
    assert_eq!(c.name, "t", "the name defaults to the file stem");
    assert_eq!(c.nodes, 16);
    assert_eq!(c.preset, Preset::Lan);
    assert_eq!(c.protocol, Config { max_members: super::default_member_cap(16), ..Config::lan() });
    assert_eq!(c.network, NetworkConfig::default());
    assert!(c.timeline.is_empty() && c.expect.is_empty());
    assert_eq!(c.duration, secs(15), "0 + 10s settle + 5s margin");
    assert_eq!(c.base_port, None);
}

#[test]
fn the_design_example_parses() {
    let c = parse(
        r#"
name = "partition-heal"
description = "Split 32 nodes in halves for 20 s, then heal; both sides must re-merge."
[cluster]
nodes = 32
seed = 42
[protocol]
preset = "fast"          # lan | local | fast, then any field override
lifeguard = true
[network]                # baseline link behaviour
loss = 0.0
delay_ms = 1
jitter_ms = 0
[[timeline]]
at = "5s"
action = "partition"
groups = "halves"
[[timeline]]
at = "25s"
action = "heal"
[expect]
converged_within = "15s" # after the last action
false_positives = 0
"#,
    )
    .unwrap();
    assert_eq!((c.nodes, c.seed, c.preset), (32, 42, Preset::Fast));
    assert_eq!(c.network.delay, ms(1));
    assert_eq!(c.timeline.len(), 2);
    assert_eq!(c.timeline[0].action, Action::Partition { groups: Groups::Halves, one_way: false });
    assert_eq!(c.expect.converged_within, Some(secs(15)));
    assert_eq!(c.expect.false_positives, Some(0));
    assert_eq!(c.duration, secs(45), "25s + 15s + 5s");
}

#[test]
fn every_protocol_field_can_be_overridden() {
    let c = parse(
        r#"
[protocol]
preset = "local"
lifeguard = false
probe_interval = "2s"
probe_timeout = "300ms"
indirect_checks = 5
gossip_interval = "150ms"
gossip_nodes = 4
suspicion_mult = 5
suspicion_max_timeout_mult = 7
retransmit_mult = 3
push_pull_interval = "1m"
join_retry = "400ms"
awareness_max_multiplier = 10
packet_budget = 1200
buddy = true
"#,
    )
    .unwrap();
    let p = &c.protocol;
    assert_eq!(c.preset, Preset::Local);
    assert_eq!((p.probe_interval, p.probe_timeout, p.indirect_checks), (secs(2), ms(300), 5));
    assert_eq!((p.gossip_interval, p.gossip_nodes), (ms(150), 4));
    assert_eq!((p.suspicion_mult, p.suspicion_max_timeout_mult, p.retransmit_mult), (5, 7, 3));
    assert_eq!((p.push_pull_interval, p.join_retry), (secs(60), ms(400)));
    assert_eq!((p.awareness_max_multiplier, p.packet_budget), (10, 1200));
    // lifeguard = false switches all three off, then buddy is turned back on.
    assert_eq!((p.awareness, p.dynamic_suspicion, p.buddy), (false, false, true));
}

#[test]
fn timeline_parses_every_action() {
    let c = parse(
        r#"
[cluster]
nodes = 4
[[timeline]]
at = "1s"
action = "crash"
node = 1
[[timeline]]
at = "2s"
action = "restart"
node = "random"
[[timeline]]
at = "3s"
action = "add"
[[timeline]]
at = "4s"
action = "leave"
node = 4
[[timeline]]
at = "5s"
action = "partition"
groups = [[0, 1], [2]]
one_way = true
[[timeline]]
at = "6s"
action = "set_loss"
loss = 0.25
[[timeline]]
at = "7s"
action = "set_delay"
delay = "20ms"
[[timeline]]
at = "8s"
action = "set_duplicate"
probability = 0.01
[[timeline]]
at = "8s"
action = "set_reorder"
probability = 0.2
delay = "40ms"
[[timeline]]
at = "9s"
action = "set_link"
from = 0
to = 3
loss = 1
[[timeline]]
at = "10s"
action = "rumor"
node = 2
[[timeline]]
at = "11s"
action = "isolate"
node = 0
[[timeline]]
at = "12s"
action = "heal"
"#,
    )
    .unwrap();
    let actions: Vec<_> = c.timeline.iter().map(|s| s.action.clone()).collect();
    assert_eq!(
        actions,
        [
            Action::Crash { node: NodeRef::Index(1) },
            Action::Restart { node: NodeRef::Random },
            Action::Add,
            Action::Leave { node: NodeRef::Index(4) },
            Action::Partition { groups: Groups::Explicit(vec![vec![0, 1], vec![2]]), one_way: true },
            Action::SetLoss { loss: 0.25 },
            Action::SetDelay { delay: ms(20), jitter: Duration::ZERO },
            Action::SetDuplicate { probability: 0.01 },
            Action::SetReorder { probability: 0.2, delay: ms(40) },
            Action::SetLink { from: 0, to: 3, loss: 1.0, delay: Duration::ZERO, jitter: Duration::ZERO },
            Action::Rumor { node: NodeRef::Index(2), payload: "rumor #11".into() },
            Action::Isolate { node: NodeRef::Index(0) },
            Action::Heal,
        ]
    );
    assert_eq!(c.max_nodes(), 5, "node 4 exists once the add step has run");
}

#[test]
fn steps_are_sorted_stably() {
    let c = parse(
        r#"
[[timeline]]
at = "10s"
action = "heal"
[[timeline]]
at = "2s"
action = "crash"
node = 1
[[timeline]]
at = "2s"
action = "crash"
node = 2
"#,
    )
    .unwrap();
    let order: Vec<_> = c.timeline.iter().map(|s| (s.at, s.origin)).collect();
    assert_eq!(order, [(secs(2), 2), (secs(2), 3), (secs(10), 1)]);
}

#[test]
fn every_and_count_repeat_and_for_adds_the_undo_step() {
    let c = parse(
        r#"
[[timeline]]
at = "5s"
action = "pause"
node = 3
every = "5s"
count = 3
for = "1500ms"
"#,
    )
    .unwrap();
    let steps: Vec<_> = c.timeline.iter().map(|s| (s.at, s.action.label())).collect();
    assert_eq!(
        steps,
        [
            (secs(5), "pause node 3".to_owned()),
            (ms(6500), "resume node 3".to_owned()),
            (secs(10), "pause node 3".to_owned()),
            (ms(11_500), "resume node 3".to_owned()),
            (secs(15), "pause node 3".to_owned()),
            (ms(16_500), "resume node 3".to_owned()),
        ]
    );
    assert!(c.timeline.iter().all(|s| s.origin == 1));
}

#[test]
fn for_on_partition_and_isolate_heals() {
    let c = parse(
        r#"
[[timeline]]
at = "1s"
action = "partition"
groups = "halves"
for = "2s"
[[timeline]]
at = "5s"
action = "isolate"
node = "random"
for = "1s"
"#,
    )
    .unwrap();
    let steps: Vec<_> = c.timeline.iter().map(|s| (s.at, s.action.name())).collect();
    assert_eq!(steps, [(secs(1), "partition"), (secs(3), "heal"), (secs(5), "isolate"), (secs(6), "heal")]);
}

#[test]
fn durations_accept_humantime_forms() {
    for (text, want) in [("250ms", ms(250)), ("5s", secs(5)), ("1s 500ms", ms(1500)), ("2m", secs(120)), ("0s", ms(0))]
    {
        assert_eq!(parse_duration(text), Ok(want), "{text}");
    }
    for bad in ["5 sec", "1.5s", "", "five", "-1s", "5", "s", "5s5"] {
        let e = parse_duration(bad).unwrap_err();
        assert_has(&e, &["is not a duration", "use a duration like \"250ms\" or \"5s\""]);
    }
}

#[test]
fn overrides_apply_and_revalidate() {
    let c = parse("[[timeline]]\nat = \"5s\"\naction = \"crash\"\nnode = 10\n").unwrap();
    let o = Overrides { nodes: Some(32), seed: Some(7), duration: Some(secs(30)), base_port: Some(20_000) };
    let c2 = c.clone().apply(&o).unwrap();
    assert_eq!((c2.nodes, c2.seed, c2.duration, c2.base_port), (32, 7, secs(30), Some(20_000)));
    assert_eq!(c.clone().apply(&Overrides::default()).unwrap(), c, "no overrides, no change");

    // Shrinking the cluster orphans node 10.
    let e = c.clone().apply(&Overrides { nodes: Some(8), ..Overrides::default() }).unwrap_err();
    assert_has(&e.to_string(), &["node 10 does not exist; the cluster has 8 nodes (0..7)"]);
    // A shorter run cuts the crash off.
    let e = c.clone().apply(&Overrides { duration: Some(secs(3)), ..Overrides::default() }).unwrap_err();
    assert_has(&e.to_string(), &["comes after the run ends"]);

    let flag_error = |o: Overrides| c.clone().apply(&o).unwrap_err().to_string();
    assert_eq!(
        flag_error(Overrides { nodes: Some(0), ..Overrides::default() }),
        "--nodes 0 is out of range: use 1 to 4096"
    );
    assert_has(&flag_error(Overrides { nodes: Some(5000), ..Overrides::default() }), &["--nodes 5000"]);
    assert_has(
        &flag_error(Overrides { base_port: Some(80), ..Overrides::default() }),
        &["--base-port 80 is a privileged port"],
    );
    assert_has(&flag_error(Overrides { duration: Some(Duration::ZERO), ..Overrides::default() }), &["--duration 0s"]);
}

#[test]
fn resolved_profile_reads_like_the_toml_and_parses_back() {
    for (name, text) in crate::profiles::all() {
        let parsed = parse_profile(&format!("embedded:{name}"), text).unwrap();
        // A comparison's sessions each record one side's lab.
        let labs = parsed.sides().map_or_else(|| vec![parsed.clone()], Vec::from);
        for c in labs {
            let mut v = c.resolved();
            assert_eq!(v["source"], format!("embedded:{name}"));
            let interval = if c.phi.is_some() { "heartbeat_interval" } else { "probe_interval" };
            assert!(v["protocol"][interval].is_string(), "durations are human strings");
            v.as_object_mut().unwrap().remove("source");
            let toml = toml::to_string(&v).unwrap();
            let mut back =
                parse_profile(&format!("embedded:{name}"), &toml).unwrap_or_else(|e| panic!("{name}: {e}\n{toml}"));
            // Expanded steps each become their own entry, so only origins differ.
            let mut c = c;
            for s in c.timeline.iter_mut().chain(back.timeline.iter_mut()) {
                s.origin = 0;
            }
            assert_eq!(back, c, "{name} round-trips through resolved()");
        }
    }
}

#[test]
fn resolved_shape() {
    let c = parse("[network]\ndelay_ms = 1.5\n[[timeline]]\nat = \"1s\"\naction = \"crash\"\nnode = 2\n").unwrap();
    let v = c.resolved();
    assert_eq!(v["protocol"]["preset"], "lan");
    assert_eq!(v["protocol"]["probe_timeout"], "500ms");
    assert_eq!(v["protocol"]["lifeguard"], true);
    assert_eq!(v["network"]["delay_ms"], 1.5);
    assert_eq!(v["network"]["jitter_ms"], 0);
    assert_eq!(v["timeline"][0], serde_json::json!({"at": "1s", "action": "crash", "node": 2}));
    assert_eq!(v["duration"], "16s");
    assert!(v["cluster"].get("base_port").is_none());
}

#[test]
fn load_profile_finds_embedded_names_then_files() {
    let (source, text) = load_profile("crash-detect").unwrap();
    assert_eq!(source, "embedded:crash-detect");
    assert!(text.contains("crash"));

    let e = load_profile("foo").unwrap_err().to_string();
    assert_has(&e, &["unknown profile \"foo\": use a path to a .toml file or one of: default, crash-detect,"]);

    let e = load_profile("no/such/file.toml").unwrap_err().to_string();
    assert_has(&e, &["cannot read profile \"no/such/file.toml\"", "check the path"]);

    let dir = std::env::temp_dir().join(format!("gossip-lab-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("mine.toml");
    std::fs::write(&path, "[cluster]\nnodes = 3\n").unwrap();
    let p = path.to_str().unwrap();
    let (source, text) = load_profile(p).unwrap();
    assert_eq!(source, p);
    let c = parse_profile(&source, &text).unwrap();
    assert_eq!((c.name.as_str(), c.nodes), ("mine", 3));
    std::fs::remove_dir_all(&dir).unwrap();
}
