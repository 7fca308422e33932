//! The fault model's rules, each checked through the public API a driver uses.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};

use super::*;
use crate::protocol::NodeAddr;

fn a(i: u16) -> NodeAddr {
    SocketAddrV4::new(Ipv4Addr::LOCALHOST, 10_000 + i)
}

fn rng() -> SmallRng {
    SmallRng::seed_from_u64(7)
}

fn drops(plan: &FaultPlan, from: NodeAddr, to: NodeAddr) -> Option<DropReason> {
    match plan.verdict(from, to, &mut rng()) {
        Verdict::Drop(r) => Some(r),
        _ => None,
    }
}

#[test]
fn default_plan_delivers_immediately() {
    let plan = FaultPlan::new(LinkRule::default());
    assert_eq!(LinkRule::default(), LinkRule::PERFECT);
    assert_eq!(plan.verdict(a(0), a(1), &mut rng()), Verdict::Deliver(Duration::ZERO));
    assert!(plan.can_reach(a(0), a(1)));
    assert!(!plan.splits_network());
}

#[test]
fn validate_rejects_non_probabilities() {
    assert!(LinkRule { loss: 1.0, duplicate: 0.0, ..LinkRule::PERFECT }.validate().is_ok());
    let bad = LinkRule { loss: 1.5, ..LinkRule::PERFECT };
    assert_eq!(bad.validate(), Err(FaultError::NotAProbability { field: "loss", value: 1.5 }));
    let bad = LinkRule { duplicate: -0.1, ..LinkRule::PERFECT };
    assert!(matches!(bad.validate(), Err(FaultError::NotAProbability { field: "duplicate", .. })));
    assert!(LinkRule { loss: f64::NAN, ..LinkRule::PERFECT }.validate().is_err());
}

#[test]
fn loss_rate_is_statistically_right() {
    let plan = FaultPlan::new(LinkRule { loss: 0.2, ..LinkRule::PERFECT });
    let mut rng = rng();
    let n = 10_000;
    let lost = (0..n).filter(|_| plan.verdict(a(0), a(1), &mut rng) == Verdict::Drop(DropReason::Loss)).count();
    // Binomial(10k, 0.2): sd = 40, so ±200 is five sigma.
    assert!((1800..=2200).contains(&lost), "lost {lost} of {n}");
}

#[test]
fn certain_loss_and_certain_delivery() {
    let plan = FaultPlan::new(LinkRule { loss: 1.0, ..LinkRule::PERFECT });
    assert_eq!(drops(&plan, a(0), a(1)), Some(DropReason::Loss));
    // Out-of-range values are clamped, not a panic.
    let plan = FaultPlan::new(LinkRule { loss: -3.0, duplicate: 7.0, ..LinkRule::PERFECT });
    assert!(matches!(plan.verdict(a(0), a(1), &mut rng()), Verdict::Duplicate(..)));
}

#[test]
fn delay_plus_jitter_stays_in_bounds_and_reorders() {
    let delay = Duration::from_millis(5);
    let jitter = Duration::from_millis(3);
    let plan = FaultPlan::new(LinkRule { delay, jitter, ..LinkRule::PERFECT });
    let mut rng = rng();
    let (mut lo, mut hi) = (Duration::MAX, Duration::ZERO);
    let mut previous = Duration::ZERO;
    let mut reordered = 0;
    for _ in 0..10_000 {
        let Verdict::Deliver(d) = plan.verdict(a(0), a(1), &mut rng) else { panic!("perfect link dropped") };
        assert!(d >= delay && d <= delay + jitter, "{d:?}");
        (lo, hi) = (lo.min(d), hi.max(d));
        // Sent 1 ms apart: a later packet overtakes when its delay is > 1 ms shorter.
        reordered += usize::from(d + Duration::from_millis(1) < previous);
        previous = d;
    }
    // The draws cover the range.
    assert!(lo < delay + Duration::from_micros(100) && hi > delay + jitter - Duration::from_micros(100));
    assert!(reordered > 0);
}

#[test]
fn duplicate_rate_and_independent_delays() {
    let jitter = Duration::from_millis(10);
    let plan = FaultPlan::new(LinkRule { duplicate: 0.3, jitter, ..LinkRule::PERFECT });
    let mut rng = rng();
    let (mut dups, mut differ) = (0, 0);
    for _ in 0..10_000 {
        match plan.verdict(a(0), a(1), &mut rng) {
            Verdict::Duplicate(d1, d2) => {
                assert!(d1 <= jitter && d2 <= jitter);
                dups += 1;
                differ += usize::from(d1 != d2);
            }
            Verdict::Deliver(_) => {}
            Verdict::Drop(r) => panic!("dropped: {r:?}"),
        }
    }
    // Binomial(10k, 0.3): sd ≈ 46.
    assert!((2770..=3230).contains(&dups), "{dups} duplicates");
    assert!(differ > dups * 9 / 10);
}

#[test]
fn reorder_holds_back_its_share_by_the_gap_and_costs_no_draw_when_off() {
    let gap = Duration::from_millis(50);
    let delay = Duration::from_millis(2);
    let plan = FaultPlan::new(LinkRule { delay, reorder: 0.25, reorder_gap: gap, ..LinkRule::PERFECT });
    let mut r = rng();
    let mut held = 0;
    for _ in 0..10_000 {
        match plan.verdict(a(0), a(1), &mut r) {
            Verdict::Deliver(d) if d == delay + gap => held += 1,
            Verdict::Deliver(d) => assert_eq!(d, delay),
            other => panic!("{other:?}"),
        }
    }
    // 2,500 expected; ±3.5σ (σ ≈ 43).
    assert!((2350..=2650).contains(&held), "{held} held back");
    let bad = LinkRule { reorder: 2.0, ..LinkRule::PERFECT };
    assert!(matches!(bad.validate(), Err(FaultError::NotAProbability { field: "reorder", .. })));
    // Off, the rule draws exactly what it drew before reordering existed:
    // seeded runs without it stay byte for byte the same.
    let rule = LinkRule { loss: 0.1, jitter: Duration::from_millis(3), duplicate: 0.1, ..LinkRule::PERFECT };
    let (mut x, mut y) = (rng(), rng());
    for _ in 0..1000 {
        let _ = FaultPlan::new(rule).verdict(a(0), a(1), &mut x);
        if !y.random_bool(0.1) {
            let _ = rule.draw_delay(&mut y);
            if y.random_bool(0.1) {
                let _ = rule.draw_delay(&mut y);
            }
        }
    }
    assert_eq!(x.random::<u64>(), y.random::<u64>(), "the same draws, in the same order");
}

#[test]
fn per_link_rule_replaces_baseline_in_one_direction() {
    let mut plan = FaultPlan::new(LinkRule { delay: Duration::from_millis(1), ..LinkRule::PERFECT });
    plan.set_link(a(0), a(1), LinkRule { loss: 1.0, ..LinkRule::PERFECT });
    assert_eq!(drops(&plan, a(0), a(1)), Some(DropReason::Loss));
    assert_eq!(plan.verdict(a(1), a(0), &mut rng()), Verdict::Deliver(Duration::from_millis(1)));
    assert_eq!(plan.verdict(a(0), a(2), &mut rng()), Verdict::Deliver(Duration::from_millis(1)));
    // Random loss is not a reachability fault.
    assert!(plan.can_reach(a(0), a(1)));
    assert_eq!(plan.links().count(), 1);
    plan.clear_link(a(0), a(1));
    assert_eq!(drops(&plan, a(0), a(1)), None);
}

#[test]
fn partition_groups_and_implicit_group() {
    let mut plan = FaultPlan::default();
    plan.partition(&[vec![a(0), a(1)], vec![a(2)]]);
    assert!(plan.splits_network());
    assert_eq!(drops(&plan, a(0), a(1)), None);
    assert_eq!(drops(&plan, a(0), a(2)), Some(DropReason::Partition));
    assert_eq!(drops(&plan, a(2), a(0)), Some(DropReason::Partition));
    // a(3) and a(4) are in no group: together, apart from everyone listed.
    assert_eq!(drops(&plan, a(3), a(4)), None);
    assert_eq!(drops(&plan, a(3), a(2)), Some(DropReason::Partition));
    assert_eq!(drops(&plan, a(1), a(4)), Some(DropReason::Partition));
    assert!(!plan.can_reach(a(1), a(2)) && plan.can_reach(a(1), a(0)));
    assert_eq!(plan.groups().len(), 2);
    // A new partition replaces the old one.
    plan.partition(&[vec![a(0), a(2)]]);
    assert!(plan.can_reach(a(0), a(2)));
    assert!(!plan.can_reach(a(0), a(1)));
    plan.partition(&[]);
    assert!(!plan.splits_network() && plan.can_reach(a(0), a(1)));
}

#[test]
fn one_way_block_is_asymmetric() {
    let mut plan = FaultPlan::default();
    plan.block_one_way(&[a(0), a(1)], &[a(2)]);
    assert_eq!(drops(&plan, a(0), a(2)), Some(DropReason::OneWay));
    assert_eq!(drops(&plan, a(1), a(2)), Some(DropReason::OneWay));
    assert_eq!(drops(&plan, a(2), a(0)), None);
    assert_eq!(drops(&plan, a(0), a(1)), None);
    assert!(!plan.can_reach(a(0), a(2)) && plan.can_reach(a(2), a(0)));
    assert_eq!(plan.one_way_blocks().len(), 1);
}

#[test]
fn isolate_cuts_both_ways() {
    let mut plan = FaultPlan::default();
    plan.isolate(a(3));
    for other in [a(0), a(1)] {
        assert_eq!(drops(&plan, a(3), other), Some(DropReason::Partition));
        assert_eq!(drops(&plan, other, a(3)), Some(DropReason::Partition));
    }
    assert_eq!(drops(&plan, a(0), a(1)), None);
    assert_eq!(plan.isolated().collect::<Vec<_>>(), [a(3)]);
}

#[test]
fn heal_clears_network_faults_but_keeps_baseline_and_crashes() {
    let base = LinkRule { delay: Duration::from_millis(2), ..LinkRule::PERFECT };
    let mut plan = FaultPlan::new(base);
    plan.partition(&[vec![a(0)], vec![a(1)]]);
    plan.block_one_way(&[a(2)], &[a(0)]);
    plan.isolate(a(4));
    plan.set_link(a(0), a(1), LinkRule { loss: 1.0, ..LinkRule::PERFECT });
    plan.set_node(a(5), NodeFault::Crashed);
    plan.heal();
    assert!(!plan.splits_network());
    assert_eq!(plan.links().count(), 0);
    assert_eq!(plan.baseline(), &base);
    for (from, to) in [(a(0), a(1)), (a(2), a(0)), (a(4), a(0))] {
        assert_eq!(plan.verdict(from, to, &mut rng()), Verdict::Deliver(Duration::from_millis(2)));
    }
    assert_eq!(plan.node(a(5)), NodeFault::Crashed);
}

#[test]
fn crashed_endpoint_drops_first_and_paused_still_delivers() {
    let mut plan = FaultPlan::new(LinkRule { loss: 1.0, ..LinkRule::PERFECT });
    plan.isolate(a(1));
    plan.set_node(a(1), NodeFault::Crashed);
    // Crash outranks isolation and loss, whichever end it is on.
    assert_eq!(drops(&plan, a(0), a(1)), Some(DropReason::NodeDown));
    assert_eq!(drops(&plan, a(1), a(0)), Some(DropReason::NodeDown));
    assert!(!plan.can_reach(a(0), a(1)));
    plan.set_baseline(LinkRule::PERFECT);
    plan.set_node(a(2), NodeFault::Paused);
    assert_eq!(plan.verdict(a(0), a(2), &mut rng()), Verdict::Deliver(Duration::ZERO));
    assert!(plan.can_reach(a(0), a(2)));
    plan.set_node(a(1), NodeFault::Up);
    assert_eq!(plan.node(a(1)), NodeFault::Up);
    assert_eq!(plan.node_faults().collect::<Vec<_>>(), [(a(2), NodeFault::Paused)]);
}

#[test]
fn order_partition_before_one_way_before_loss() {
    let mut plan = FaultPlan::new(LinkRule { loss: 1.0, ..LinkRule::PERFECT });
    plan.block_one_way(&[a(0)], &[a(1)]);
    assert_eq!(drops(&plan, a(0), a(1)), Some(DropReason::OneWay));
    plan.partition(&[vec![a(0)]]);
    assert_eq!(drops(&plan, a(0), a(1)), Some(DropReason::Partition));
}

#[test]
fn same_seed_same_verdicts() {
    let plan =
        FaultPlan::new(LinkRule { loss: 0.3, jitter: Duration::from_millis(4), duplicate: 0.2, ..LinkRule::PERFECT });
    let run = |seed| {
        let mut rng = SmallRng::seed_from_u64(seed);
        (0..200).map(|_| plan.verdict(a(0), a(1), &mut rng)).collect::<Vec<_>>()
    };
    assert_eq!(run(1), run(1));
    assert_ne!(run(1), run(2));
}

#[test]
fn drop_reason_names_and_indices() {
    for (i, r) in DropReason::ALL.iter().enumerate() {
        assert_eq!(r.index(), i);
    }
    assert_eq!(DropReason::OneWay.as_str(), "one_way");
    assert_eq!(DropReason::NodeDown.as_str(), "node_down");
}
