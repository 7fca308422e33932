//! `[protocol] family`: picking the phi family, its presets and fields,
//! and each family's fields refused in the other's profile.

use super::*;
use crate::protocol::{Tuning, phi};

#[test]
fn a_profile_without_a_family_runs_swim() {
    let c = parse("[protocol]\npreset = \"fast\"\n").unwrap();
    assert!(c.phi.is_none());
    assert!(matches!(c.node_tuning(), Tuning::Swim(_)));
}

#[test]
fn family_phi_defaults_to_the_cassandra_preset_and_takes_its_fields() {
    let c = parse("[protocol]\nfamily = \"phi\"\n").unwrap();
    let t = c.phi.as_ref().expect("phi family");
    assert_eq!((t.preset, &t.config), ("cassandra", &phi::Config::cassandra()));
    let c = parse(
        "[protocol]\nfamily = \"phi\"\npreset = \"fast\"\nphi_convict = 12.0\nfanout = 2\nwindow = 100\n\
         heartbeat_interval = \"150ms\"\nacceptable_pause = \"0s\"\nremove_after = \"20s\"\nmax_members = 64\n",
    )
    .unwrap();
    let t = c.phi.as_ref().unwrap();
    assert_eq!(t.preset, "fast");
    assert_eq!((t.config.phi_convict, t.config.fanout, t.config.window), (12.0, 2, 100));
    assert_eq!((t.config.heartbeat_interval, t.config.remove_after), (ms(150), secs(20)));
    let Tuning::Phi(run) = c.node_tuning() else { panic!("not phi") };
    assert_eq!(run.max_members, 64, "the lab's member cap applies to phi nodes too");
}

#[test]
fn a_phi_profile_reads_back_from_its_resolved_form() {
    let c = parse("[protocol]\nfamily = \"phi\"\npreset = \"fast\"\nphi_convict = 5.0\n").unwrap();
    let mut v = c.resolved();
    v.as_object_mut().unwrap().remove("source");
    assert_eq!(v["protocol"]["family"], "phi");
    let text = toml::to_string(&v).unwrap();
    let again = parse_profile("again.toml", &text).unwrap();
    assert_eq!(again.phi, c.phi);
}

#[test]
fn an_unknown_family_names_the_two_there_are() {
    assert_has(&error("[protocol]\nfamily = \"raft\"\n"), &["[protocol] family = \"raft\"", "\"swim\" or \"phi\""]);
}

#[test]
fn swim_fields_in_a_phi_profile_and_phi_fields_in_a_swim_one_are_refused_with_the_fix() {
    assert_has(
        &error("[protocol]\nfamily = \"phi\"\nprobe_interval = \"1s\"\n"),
        &["[protocol] probe_interval is a SWIM field", "family = \"phi\"", "heartbeat_interval"],
    );
    assert_has(&error("[protocol]\nfamily = \"phi\"\nlifeguard = false\n"), &["lifeguard is a SWIM field"]);
    assert_has(
        &error("[protocol]\nphi_convict = 8.0\n"),
        &["[protocol] phi_convict is a phi-family field", "add family = \"phi\""],
    );
    assert_has(&error("[protocol]\nfamily = \"phi\"\npreset = \"lan\"\n"), &["not a phi preset", "cassandra, fast"]);
}

#[test]
fn phi_convict_out_of_range_is_refused() {
    for bad in ["0.5", "17.0"] {
        assert_has(
            &error(&format!("[protocol]\nfamily = \"phi\"\nphi_convict = {bad}\n")),
            &["[protocol] phi_convict", "between 1 and 16"],
        );
    }
}

const SIDES: &str = "[protocol]\npreset = \"fast\"\nlifeguard = true\nprobe_interval = \"300ms\"\n";

#[test]
fn a_side_overlays_the_profiles_protocol_unless_it_names_a_family_or_preset() {
    let c = parse(&format!(
        "{SIDES}[compare.a]\nname = \"on\"\n[compare.b]\nname = \"off\"\nprotocol = {{ lifeguard = false }}\n\
         [compare.expect]\nfewer_false_suspicions = \"a\"\n"
    ))
    .unwrap();
    let [a, b] = c.sides().unwrap();
    assert!(a.protocol.lifeguard() && !b.protocol.lifeguard());
    assert_eq!((a.protocol.probe_interval, b.protocol.probe_interval), (ms(300), ms(300)), "overlaid");
    assert_eq!(a.timeline, b.timeline);
    let c = parse(&format!(
        "{SIDES}[compare.a]\nname = \"swim\"\n[compare.b]\nname = \"phi\"\nprotocol = {{ family = \"phi\" }}\n"
    ))
    .unwrap();
    let [a, b] = c.sides().unwrap();
    assert!(a.phi.is_none());
    assert_eq!(b.phi.as_ref().unwrap().preset, "cassandra", "a family starts afresh, SWIM's fields left behind");
}

#[test]
fn compare_errors_name_the_table_the_field_and_the_fix() {
    let e = parse(&format!("{SIDES}[compare.a]\nname = \"x\"\n")).unwrap_err().to_string();
    assert!(e.contains("[compare.b] is missing"), "{e}");
    let e = parse(&format!("{SIDES}[compare.a]\n[compare.b]\n[compare.expect]\nfewer_bytes = \"c\"\n"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("[compare.expect] fewer_bytes = \"c\" names no side: use \"a\" or \"b\""), "{e}");
    let e = parse(&format!("{SIDES}[compare.a]\n[compare.b]\nprotocol = {{ phi_convikt = 5.0 }}\n"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("[compare.b.protocol] unknown field \"phi_convikt\": did you mean \"phi_convict\"?"), "{e}");
    let e =
        parse(&format!("{SIDES}[compare.a]\nname = \"same\"\n[compare.b]\nname = \"same\"\n")).unwrap_err().to_string();
    assert!(e.contains("both sides are called \"same\""), "{e}");
    let e = parse(&format!("{SIDES}[compare.a]\n[compare.b]\nprotocol = {{ family = \"phi\", lifeguard = true }}\n"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("lifeguard is a SWIM field"), "{e}");
}
