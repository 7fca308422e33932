//! Profile parsing, validation and overrides. Error tests assert that the
//! message names the field and says the fix, since that is the contract.

use std::time::Duration;

use super::*;
use crate::scenario::{Action, Groups, NodeRef};

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
fn unknown_fields_are_named_with_a_suggestion() {
    let e = error("nodes = 3\n");
    assert_has(&e, &["profile \"t.toml\", line 1, column 1", "unknown top-level field \"nodes\"", "Valid fields:"]);

    let e = error("[network]\nlose = 0.1\n");
    assert_has(&e, &["line 2", "[network] unknown field \"lose\"", "did you mean \"loss\"?", "delay_ms"]);

    let e = error("[clustr]\nnodes = 3\n");
    assert_has(&e, &["unknown top-level field \"clustr\"", "did you mean \"cluster\"?"]);

    let e =
        error("[[timeline]]\nat = \"1s\"\naction = \"heal\"\n[[timeline]]\nat = \"2s\"\naction = \"crash\"\nnod = 3\n");
    assert_has(&e, &["line 7", "[[timeline]] #2: unknown field \"nod\"", "did you mean \"node\"?"]);

    let e = parse("[expect]\nfalse_positive = 0\n").unwrap_err();
    assert_eq!(e.field(), Some("[expect] false_positive"));
    assert_has(&e.to_string(), &["did you mean \"false_positives\"?"]);
}

#[test]
fn wrong_types_name_the_key() {
    let e = error("[cluster]\nnodes = \"16\"\n");
    assert_has(&e, &["line 2", "[cluster] nodes", "expected a whole number"]);
    let e = error("[protocol]\nlifeguard = 1\n");
    assert_has(&e, &["[protocol] lifeguard", "bool"]);
}

#[test]
fn toml_syntax_errors_have_a_location() {
    let e = parse("[cluster]\nnodes = = 3\n").unwrap_err();
    assert_eq!(e.location().map(|l| l.line), Some(2));
}

#[test]
fn out_of_range_values_name_the_field_and_the_fix() {
    let cases: &[(&str, &[&str])] = &[
        (
            "[network]\nloss = 1.5\n",
            &[
                "profile \"t.toml\", line 2, column 8: [network] loss = 1.5 is out of range: use a probability between 0.0 and 1.0",
            ],
        ),
        ("[network]\nduplicate = -0.1\n", &["[network] duplicate = -0.1 is out of range", "probability"]),
        (
            "[network]\ndelay_ms = 120000\n",
            &["[network] delay_ms = 120000 is out of range", "use milliseconds from 0 to 60000"],
        ),
        ("[cluster]\nnodes = 0\n", &["[cluster] nodes = 0 is out of range: use a whole number from 1 to 4096"]),
        ("[cluster]\nnodes = 5000\n", &["[cluster] nodes = 5000 is out of range", "4096"]),
        ("[cluster]\nseed = -1\n", &["[cluster] seed = -1 is out of range"]),
        ("[cluster]\nbase_port = 80\n", &["[cluster] base_port = 80 is a privileged port: use 1024 or above"]),
        ("[cluster]\nbase_port = 70000\n", &["[cluster] base_port = 70000 is out of range", "65535"]),
        (
            "[cluster]\nnodes = 100\nbase_port = 65500\n",
            &["[cluster] base_port = 65500 leaves no room: 100 nodes need ports 65500..65599", "at most 65436"],
        ),
        (
            "[protocol]\npreset = \"wan\"\n",
            &["[protocol] preset = \"wan\" is not a preset: use one of: lan, local, fast"],
        ),
        (
            "[protocol]\npreset = \"fast\"\nprobe_timeout = \"200ms\"\n",
            &[
                "line 3",
                "[protocol] probe_timeout = \"200ms\" must be shorter than probe_interval = \"200ms\"",
                "lower probe_timeout or raise probe_interval",
            ],
        ),
        (
            "[protocol]\nprobe_interval = \"5 sec\"\n",
            &["[protocol] probe_interval = \"5 sec\" is not a duration: use a duration like \"250ms\" or \"5s\""],
        ),
        ("[protocol]\ngossip_interval = \"0s\"\n", &["[protocol] gossip_interval = \"0s\" must be longer than zero"]),
        (
            "[protocol]\ngossip_nodes = 0\n",
            &["[protocol] gossip_nodes = 0 is out of range: use a whole number from 1 to 64"],
        ),
        ("[protocol]\npacket_budget = 100\n", &["[protocol] packet_budget = 100 is out of range", "576 to 65507"]),
        ("duration = \"soon\"\n", &["line 1", "duration = \"soon\" is not a duration: use a duration like"]),
        ("duration = \"48h\"\n", &["duration = \"172800s\" is too long"]),
        ("[expect]\nfalse_positives = -1\n", &["[expect] false_positives = -1 is out of range"]),
        ("[expect]\nrumor_within = \"3x\"\n", &["[expect] rumor_within = \"3x\" is not a duration"]),
    ];
    for (text, parts) in cases {
        assert_has(&error(text), parts);
    }
}

#[test]
fn bad_steps_name_the_step_and_the_fix() {
    let step = |body: &str| {
        format!("[cluster]\nnodes = 16\n[[timeline]]\nat = \"1s\"\naction = \"heal\"\n[[timeline]]\n{body}")
    };
    let cases: &[(&str, &[&str])] = &[
        ("action = \"crash\"\nnode = 1\n", &["[[timeline]] #2: \"at\" is missing: add at = \"5s\""]),
        ("at = \"2s\"\nnode = 1\n", &["[[timeline]] #2 (at 2s): \"action\" is missing: add action = \"crash\""]),
        (
            "at = \"2s\"\naction = \"explode\"\n",
            &["line 8", "[[timeline]] #2 (at 2s): action = \"explode\" is not an action", "use one of: crash, restart"],
        ),
        ("at = \"2s\"\naction = \"crsh\"\nnode = 1\n", &["did you mean \"crash\"?"]),
        (
            "at = \"2 sec\"\naction = \"heal\"\n",
            &["[[timeline]] #2: at = \"2 sec\" is not a duration: use a duration like"],
        ),
        ("at = \"2s\"\naction = \"crash\"\n", &["[[timeline]] #2 (at 2s, crash): \"node\" is missing: add node = 3"]),
        (
            "at = \"2s\"\naction = \"partition\"\n",
            &["(at 2s, partition): \"groups\" is missing: add groups = \"halves\""],
        ),
        ("at = \"2s\"\naction = \"set_loss\"\n", &["(at 2s, set_loss): \"loss\" is missing"]),
        ("at = \"2s\"\naction = \"set_delay\"\n", &["(at 2s, set_delay): \"delay\" is missing: add delay = \"50ms\""]),
        ("at = \"2s\"\naction = \"set_duplicate\"\n", &["\"probability\" is missing"]),
        ("at = \"2s\"\naction = \"set_link\"\nto = 2\n", &["(at 2s, set_link): \"from\" is missing: add from = 0"]),
        ("at = \"2s\"\naction = \"set_link\"\nfrom = 2\nto = 2\n", &["from and to are both 2"]),
        (
            "at = \"2s\"\naction = \"crash\"\nnode = 1\ngroups = \"halves\"\n",
            &["(at 2s, crash): \"groups\" does not apply to crash: remove it (crash takes only node, every, count)"],
        ),
        (
            "at = \"2s\"\naction = \"heal\"\nnode = 1\n",
            &["\"node\" does not apply to heal: remove it (heal takes only every, count)"],
        ),
        ("at = \"2s\"\naction = \"crash\"\nnode = 1\nfor = \"1s\"\n", &["\"for\" does not apply to crash"]),
        (
            "at = \"2s\"\naction = \"crash\"\nnode = -1\n",
            &["node = -1 is not a node: use an index from 0 to 4095 or \"random\""],
        ),
        ("at = \"2s\"\naction = \"crash\"\nnode = \"any\"\n", &["node = \"any\" is not a node"]),
        (
            "at = \"2s\"\naction = \"set_loss\"\nloss = 2.0\n",
            &["(at 2s, set_loss): loss = 2 is out of range: use a probability"],
        ),
        (
            "at = \"2s\"\naction = \"partition\"\ngroups = \"thirds\"\n",
            &["groups = \"thirds\" is not a grouping: use \"halves\""],
        ),
        ("at = \"2s\"\naction = \"partition\"\ngroups = [[0, 1], [1]]\n", &["lists node 1 twice"]),
        ("at = \"2s\"\naction = \"partition\"\ngroups = [[0], []]\n", &["has an empty group"]),
        ("at = \"2s\"\naction = \"pause\"\nnode = 1\nevery = \"1s\"\n", &["\"every\" needs \"count\": add count = 3"]),
        ("at = \"2s\"\naction = \"pause\"\nnode = 1\ncount = 2\n", &["\"count\" needs \"every\": add every = \"5s\""]),
        ("at = \"2s\"\naction = \"pause\"\nnode = 1\ncount = 0\nevery = \"1s\"\n", &["count = 0 is out of range"]),
        (
            "at = \"2s\"\naction = \"pause\"\nnode = 1\nfor = \"1s\"\ncount = 2\nevery = \"1s\"\n",
            &["for = \"1s\" overlaps the next repetition (every = \"1s\"): make for shorter than every"],
        ),
    ];
    for (body, parts) in cases {
        assert_has(&error(&step(body)), parts);
    }
    let long = format!("at = \"2s\"\naction = \"rumor\"\nnode = 0\npayload = \"{}\"\n", "x".repeat(600));
    assert_has(&error(&step(&long)), &["payload is 600 bytes: use at most 512"]);
}

#[test]
fn node_indices_are_checked_against_the_cluster_at_that_time() {
    let e = error(
        "[cluster]\nnodes = 16\n[[timeline]]\nat = \"1s\"\naction = \"heal\"\n[[timeline]]\nat = \"2s\"\naction = \"heal\"\n[[timeline]]\nat = \"5s\"\naction = \"crash\"\nnode = 40\n",
    );
    assert_has(&e, &["[[timeline]] #3 (at 5s, crash): node 40 does not exist; the cluster has 16 nodes (0..15)"]);

    let e = error("[cluster]\nnodes = 4\n[[timeline]]\nat = \"1s\"\naction = \"partition\"\ngroups = [[0], [9]]\n");
    assert_has(&e, &["#1 (at 1s, partition): node 9 does not exist; the cluster has 4 nodes (0..3)"]);

    let e = error("[cluster]\nnodes = 4\n[[timeline]]\nat = \"1s\"\naction = \"set_link\"\nfrom = 0\nto = 4\n");
    assert_has(&e, &["node 4 does not exist"]);

    // An add earlier in the timeline makes index 4 valid; at the same time
    // but listed later it does not.
    parse("[cluster]\nnodes = 4\n[[timeline]]\nat = \"1s\"\naction = \"add\"\n[[timeline]]\nat = \"2s\"\naction = \"crash\"\nnode = 4\n").unwrap();
    let e = error(
        "[cluster]\nnodes = 4\n[[timeline]]\nat = \"1s\"\naction = \"crash\"\nnode = 4\n[[timeline]]\nat = \"1s\"\naction = \"add\"\n",
    );
    assert_has(&e, &["node 4 does not exist; the cluster has 4 nodes"]);
}

#[test]
fn the_timeline_and_expectations_must_fit_the_duration() {
    let e = error("duration = \"10s\"\n[[timeline]]\nat = \"12s\"\naction = \"heal\"\n");
    assert_has(
        &e,
        &["[[timeline]] #1 (at 12s, heal) comes after the run ends (duration = \"10s\"): raise duration past 12s"],
    );

    let e = error(
        "duration = \"20s\"\n[[timeline]]\nat = \"10s\"\naction = \"heal\"\n[expect]\nconverged_within = \"15s\"\n",
    );
    assert_has(&e, &["[expect] converged_within = \"15s\" cannot be checked", "raise duration to at least \"25s\""]);

    let e = error("[expect]\ndetection_within = \"5s\"\n");
    assert_has(
        &e,
        &["[expect] detection_within is set but the timeline has no crash step: add one or remove detection_within"],
    );

    let e = error("[expect]\nrumor_within = \"5s\"\n");
    assert_has(&e, &["no rumor step"]);
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
        let c = parse_profile(&format!("embedded:{name}"), text).unwrap();
        let mut v = c.resolved();
        assert_eq!(v["source"], format!("embedded:{name}"));
        assert!(v["protocol"]["probe_interval"].is_string(), "durations are human strings");
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
