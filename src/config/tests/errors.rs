//! Bad profiles: every error names the field (or step) and says the fix,
//! and a misspelled key gets a suggestion.

use super::*;

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
