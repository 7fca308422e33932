//! The story's own rules, on hand-made lines: what followed each action
//! ends at the next disturbing one, and a false mark belongs to the latest
//! disturbing action before it was made.

use super::*;
use crate::faults::{FaultPlan, LinkRule};
use crate::observe::record::{PlanRecord, RumorChange};
use crate::observe::testkit::{addrs, spec};
use crate::protocol::NodeAddr;

fn member(t: Time, observer: usize, subject: usize, to: State) -> Line {
    Line::at(t, Record::Member { observer, subject, from: None, to, incarnation: 0 })
}

fn fault(t: Time, label: &str, plan: &FaultPlan, a: &[NodeAddr]) -> Line {
    let plan = PlanRecord::of(plan, |x| a.iter().position(|&y| y == x));
    Line::at(t, Record::Fault { label: label.into(), action: serde_json::Value::Null, plan })
}

#[test]
fn marks_go_to_the_latest_disturbing_action_and_convergence_ends_at_the_next() {
    let a = addrs(3);
    let s = Time::from_secs;
    let ms = Time::from_millis;
    let mut lines: Vec<Line> =
        (0..3).flat_map(|o| (0..3).map(move |x| member(Time::ZERO, o, x, State::Alive))).collect();
    // Before any action: node 1 suspects healthy node 0, then takes it back.
    lines.push(member(s(5), 1, 0, State::Suspect));
    lines.push(member(ms(5_100), 1, 0, State::Alive));
    let mut plan = FaultPlan::new(LinkRule::default());
    plan.isolate(a[2]);
    lines.push(fault(s(10), "isolate node 2", &plan, &a));
    // Node 1 never notices the isolation: no convergence before the heal.
    lines.push(member(s(11), 0, 2, State::Dead));
    lines.push(member(s(11), 2, 0, State::Dead));
    lines.push(member(s(11), 2, 1, State::Dead));
    let rumor =
        Record::Rumor { event: RumorChange::Injected, node: 0, origin: a[0].to_string(), seq: 0, cluster_sent: None };
    lines.push(Line::at(s(12), rumor));
    plan.heal();
    lines.push(fault(s(20), "heal", &plan, &a));
    lines.push(member(ms(20_500), 0, 2, State::Alive));
    lines.push(member(ms(20_500), 2, 0, State::Alive));
    lines.push(member(ms(20_500), 2, 1, State::Alive));
    // Long after the heal, a false suspicion: the heal's, not the rumor's.
    lines.push(member(s(30), 0, 1, State::Suspect));

    let mut session = Session::new(spec(), &a);
    let story = Story::fold(&mut session, &lines);
    let what: Vec<&str> = story.actions.iter().map(|x| x.what.as_str()).collect();
    assert_eq!(what, ["isolate node 2", "rumor #0 at node 0", "heal"]);
    let [isolate, rumor, heal] = &story.actions[..] else { panic!() };
    assert_eq!(isolate.followed.interrupted_at_s, Some(20.0), "the heal came before re-convergence");
    assert_eq!(isolate.followed.converged_after_s, None);
    assert!(!rumor.disturbs && rumor.followed.converged_after_s.is_none());
    assert_eq!(heal.followed.converged_after_s, Some(0.5));
    assert_eq!(story.before_any_action, Marks { false_suspicions: 1, false_deaths: 0 });
    assert!(isolate.followed.marks.is_empty(), "node 2 was cut off: its deaths were true");
    assert_eq!(heal.followed.marks, Marks { false_suspicions: 1, false_deaths: 0 });
    let last = story.false_marks.last().unwrap();
    assert_eq!((last.observer, last.subject, last.after_action), (0, 1, Some(2)));
    assert_eq!(story.cause(last), "after \"heal\" at 20.00s");
    assert!(last.why.text.contains("node 1 running unpaused since 0.00s"), "{}", last.why.text);
    assert_eq!(session.summary().false_suspicions, 2, "the summary comes from the same fold");
}
