//! The interpreter and the engine's sequencing, against a driver that only
//! writes down what it is asked.

use std::io;
use std::net::{Ipv4Addr, SocketAddrV4};

use futures_util::FutureExt;

use super::*;
use crate::observe::record::NodeChange;
use crate::scenario::{Groups, NodeRef};

/// A driver that carries out nothing and remembers everything, in order.
#[derive(Default)]
struct Script {
    log: Vec<String>,
    left: Vec<usize>,
}

impl Driver for Script {
    fn now(&self) -> crate::protocol::Time {
        crate::protocol::Time::ZERO
    }

    fn has_left(&self, i: usize) -> bool {
        self.left.contains(&i)
    }

    async fn carry_out(&mut self, effect: &Effect, _: &Ground) -> Result<Outcome, EngineError> {
        self.log.push(format!("effect {effect:?}").chars().take(24).collect());
        Ok(match effect {
            Effect::Add => Outcome::Added(addr(99)),
            _ => Outcome::Done,
        })
    }

    async fn record(&mut self, line: Line) -> io::Result<()> {
        let text = match line.record {
            Record::Node { node, event, .. } => format!("node {node} {event:?}"),
            Record::Fault { label, .. } => format!("fault {label}"),
            other => format!("{other:?}").chars().take(12).collect(),
        };
        self.log.push(text);
        Ok(())
    }
}

fn addr(i: u16) -> NodeAddr {
    SocketAddrV4::new(Ipv4Addr::LOCALHOST, 4000 + i)
}

fn engine(n: u16) -> Engine {
    let addrs: Vec<NodeAddr> = (0..n).map(addr).collect();
    Engine::new(&addrs, LinkRule::default(), 7)
}

fn apply(e: &mut Engine, d: &mut Script, action: Action) -> Result<String, EngineError> {
    e.apply(d, &action).now_or_never().expect("the script never waits")
}

#[test]
fn a_crash_is_logged_after_the_effect_and_a_resume_before_it() {
    let (mut e, mut d) = (engine(3), Script::default());
    apply(&mut e, &mut d, Action::Crash { node: NodeRef::Index(1) }).unwrap();
    apply(&mut e, &mut d, Action::Pause { node: NodeRef::Index(2) }).unwrap();
    apply(&mut e, &mut d, Action::Resume { node: NodeRef::Index(2) }).unwrap();
    let expected =
        ["effect Crash(1)", "node 1 Crashed", "effect Pause(2)", "node 2 Paused", "node 2 Resumed", "effect Resume(2)"];
    assert_eq!(d.log, expected);
    assert_eq!(e.ground().life(1), Liveness::Crashed);
    assert_eq!(e.ground().life(2), Liveness::Up);
}

#[test]
fn an_action_against_a_node_in_the_wrong_state_is_refused_before_the_driver_sees_it() {
    let (mut e, mut d) = (engine(2), Script::default());
    let err = apply(&mut e, &mut d, Action::Resume { node: NodeRef::Index(0) }).unwrap_err();
    assert_eq!(err.to_string(), "node 0 is up; cannot resume it");
    let err = apply(&mut e, &mut d, Action::Crash { node: NodeRef::Index(5) }).unwrap_err();
    assert_eq!(err.to_string(), "node 5 does not exist");
    let err = apply(&mut e, &mut d, Action::Restart { node: NodeRef::Random }).unwrap_err();
    assert_eq!(err.to_string(), "no node is in a state to restart");
    assert!(d.log.is_empty(), "{:?}", d.log);
}

#[test]
fn random_picks_only_draw_nodes_the_rule_allows_and_see_a_finished_leave() {
    let (mut e, mut d) = (engine(4), Script::default());
    apply(&mut e, &mut d, Action::Leave { node: NodeRef::Index(3) }).unwrap();
    d.left.push(3);
    for _ in 0..3 {
        apply(&mut e, &mut d, Action::Crash { node: NodeRef::Random }).unwrap();
    }
    assert_eq!(e.ground().life(3), Liveness::Left, "the leave finished in the driver");
    assert!((0..3).all(|i| e.ground().life(i) == Liveness::Crashed));
    let err = apply(&mut e, &mut d, Action::Crash { node: NodeRef::Random }).unwrap_err();
    assert!(matches!(err, EngineError::NoCandidate("crash")));
}

#[test]
fn fault_actions_install_a_plan_built_on_the_one_in_force() {
    let (mut e, mut d) = (engine(4), Script::default());
    apply(&mut e, &mut d, Action::SetLoss { loss: 0.25 }).unwrap();
    apply(&mut e, &mut d, Action::Partition { groups: Groups::Halves, one_way: false }).unwrap();
    assert_eq!(e.ground().plan().baseline().loss, 0.25, "the partition kept the loss");
    assert_eq!(e.ground().plan().groups().len(), 2);
    apply(&mut e, &mut d, Action::Heal).unwrap();
    assert!(e.ground().plan().groups().is_empty());
    assert_eq!(e.ground().plan().baseline().loss, 0.25, "heal keeps the baseline");
    assert!(apply(&mut e, &mut d, Action::SetLoss { loss: 2.0 }).is_err());
    assert_eq!(d.log.iter().filter(|l| l.starts_with("fault")).count(), 3);
}

#[test]
fn an_added_node_joins_ground_truth_and_is_logged_once_the_driver_started_it() {
    let (mut e, mut d) = (engine(2), Script::default());
    let feedback = apply(&mut e, &mut d, Action::Add).unwrap();
    assert_eq!(feedback, format!("added node 2 ({})", addr(99)));
    assert_eq!(d.log, ["effect Add", "node 2 Added"]);
    assert_eq!(e.ground().len(), 3);
    assert!(matches!(NodeChange::Added.liveness(), Some(Liveness::Up)));
}
