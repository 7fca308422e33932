//! Serialization, names and labels of the scenario vocabulary.

use serde_json::json;

use super::*;
use crate::rogue::Attack;
use crate::security::KeyRef;

#[test]
fn actions_serialize_internally_tagged() {
    let v = |a: &Action| serde_json::to_value(a).unwrap();
    assert_eq!(v(&Action::Crash { node: NodeRef::Index(3) }), json!({"action": "crash", "node": 3}));
    assert_eq!(v(&Action::Pause { node: NodeRef::Random }), json!({"action": "pause", "node": "random"}));
    assert_eq!(v(&Action::Add), json!({"action": "add"}));
    assert_eq!(v(&Action::Heal), json!({"action": "heal"}));
    assert_eq!(
        v(&Action::Partition { groups: Groups::Halves, one_way: false }),
        json!({"action": "partition", "groups": "halves", "one_way": false})
    );
    assert_eq!(
        v(&Action::Partition { groups: Groups::Explicit(vec![vec![0, 1], vec![2]]), one_way: true }),
        json!({"action": "partition", "groups": [[0, 1], [2]], "one_way": true})
    );
    assert_eq!(v(&Action::SetLoss { loss: 0.1 }), json!({"action": "set_loss", "loss": 0.1}));
    assert_eq!(
        v(&Action::SetDelay { delay: Duration::from_millis(50), jitter: Duration::from_millis(1500) }),
        json!({"action": "set_delay", "delay": "50ms", "jitter": "1500ms"})
    );
    assert_eq!(
        v(&Action::SetLink { from: 1, to: 2, loss: 0.5, delay: Duration::ZERO, jitter: Duration::from_secs(1) }),
        json!({"action": "set_link", "from": 1, "to": 2, "loss": 0.5, "delay": "0s", "jitter": "1s"})
    );
    assert_eq!(
        v(&Action::Rumor { node: NodeRef::Index(0), payload: "hi".into() }),
        json!({"action": "rumor", "node": 0, "payload": "hi"})
    );
    assert_eq!(
        v(&Action::Rogue { attack: Attack::Death, node: NodeRef::Index(3), count: None, duration: None }),
        json!({"action": "rogue", "attack": "death", "node": 3})
    );
    assert_eq!(
        v(&Action::Rogue {
            attack: Attack::AckMask,
            node: NodeRef::Random,
            count: Some(64),
            duration: Some(Duration::from_secs(4))
        }),
        json!({"action": "rogue", "attack": "ack_mask", "node": "random", "count": 64, "for": "4s"})
    );
    assert_eq!(v(&Action::KeyInstall), json!({"action": "key_install"}));
    assert_eq!(v(&Action::KeyUse { key: KeyRef::Newest }), json!({"action": "key_use", "key": "newest"}));
    assert_eq!(v(&Action::KeyRemove { key: KeyRef::Oldest }), json!({"action": "key_remove", "key": "oldest"}));
}

#[test]
fn every_action_name_is_listed() {
    let all = [
        Action::Crash { node: NodeRef::Random },
        Action::Restart { node: NodeRef::Random },
        Action::Pause { node: NodeRef::Random },
        Action::Resume { node: NodeRef::Random },
        Action::Leave { node: NodeRef::Random },
        Action::Add,
        Action::Partition { groups: Groups::Halves, one_way: false },
        Action::Isolate { node: NodeRef::Random },
        Action::Heal,
        Action::SetLoss { loss: 0.0 },
        Action::SetDelay { delay: Duration::ZERO, jitter: Duration::ZERO },
        Action::SetDuplicate { probability: 0.0 },
        Action::SetReorder { probability: 0.0, delay: Duration::ZERO },
        Action::SetLink { from: 0, to: 1, loss: 0.0, delay: Duration::ZERO, jitter: Duration::ZERO },
        Action::Rumor { node: NodeRef::Random, payload: String::new() },
        Action::Rogue { attack: Attack::Flood, node: NodeRef::Random, count: None, duration: None },
        Action::KeyInstall,
        Action::KeyUse { key: KeyRef::Newest },
        Action::KeyRemove { key: KeyRef::Oldest },
    ];
    let names: Vec<_> = all.iter().map(Action::name).collect();
    assert_eq!(names, Action::NAMES);
    for a in &all {
        assert_eq!(serde_json::to_value(a).unwrap()["action"], a.name());
    }
}

#[test]
fn labels_are_short_and_human() {
    assert_eq!(Action::Crash { node: NodeRef::Index(3) }.label(), "crash node 3");
    assert_eq!(Action::Partition { groups: Groups::Halves, one_way: false }.label(), "partition halves");
    assert_eq!(
        Action::Partition { groups: Groups::Explicit(vec![vec![0, 1], vec![2, 3]]), one_way: true }.label(),
        "one-way partition 0,1 | 2,3"
    );
    assert_eq!(Action::SetLoss { loss: 0.1 }.label(), "loss 10%");
    assert_eq!(Action::SetLoss { loss: 0.005 }.label(), "loss 0.5%");
    assert_eq!(Action::SetLoss { loss: 0.0 }.label(), "loss 0%");
    assert_eq!(
        Action::SetDelay { delay: Duration::from_millis(50), jitter: Duration::from_millis(10) }.label(),
        "delay 50ms + jitter 10ms"
    );
    assert_eq!(Action::Pause { node: NodeRef::Random }.label(), "pause a random node");
    assert_eq!(Action::Leave { node: NodeRef::Index(2) }.label(), "node 2 leaves");
    let rogue = |attack, count| Action::Rogue { attack, node: NodeRef::Index(4), count, duration: None };
    assert_eq!(rogue(Attack::Death, None).label(), "rogue death on node 4");
    assert_eq!(rogue(Attack::Flood, Some(300)).label(), "rogue flood of 300 members on node 4");
    assert_eq!(rogue(Attack::AckMask, None).label(), "rogue ack_mask for 10s on node 4");
}

#[test]
fn durations_format_in_the_largest_exact_unit() {
    assert_eq!(format_duration(Duration::ZERO), "0s");
    assert_eq!(format_duration(Duration::from_secs(5)), "5s");
    assert_eq!(format_duration(Duration::from_millis(200)), "200ms");
    assert_eq!(format_duration(Duration::from_millis(1500)), "1500ms");
    assert_eq!(format_duration(Duration::from_micros(20)), "20us");
    assert_eq!(format_duration(Duration::from_nanos(7)), "7ns");
}

#[test]
fn steps_serialize_in_profile_shape() {
    let step = Step { at: Duration::from_secs(5), action: Action::Crash { node: NodeRef::Index(3) }, origin: 1 };
    assert_eq!(serde_json::to_value(&step).unwrap(), json!({"at": "5s", "action": "crash", "node": 3}));
}

#[test]
fn a_sides_profile_name_reads_back_even_when_the_profile_has_parentheses() {
    let label = side_profile("loss (heavy)", "phi 5");
    assert_eq!(label, "loss (heavy) (phi 5)");
    assert_eq!(split_side_profile(&label), ("loss (heavy)", Some("phi 5")));
    assert_eq!(split_side_profile("crash-detect"), ("crash-detect", None));
}
