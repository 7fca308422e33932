//! What a network fault did, in words, for the status line: the plan
//! before and after an action, both by node index, compared part by part.
//! An action's label says what was asked ("partition halves", "heal"); this
//! says which nodes and groups that meant, and for a heal exactly what was
//! removed and what stays.

use crate::observe::record::{LinkRecord, OneWayRecord, PlanRecord};
use crate::scenario::{Action, groups, percent, plural, ranges};

/// The feedback line for `action`, which turned `before` into `after`.
pub fn fault(action: &Action, before: &PlanRecord, after: &PlanRecord) -> String {
    let (added, removed) = diff(before, after);
    if added.is_empty() && removed.is_empty() && before.baseline != after.baseline {
        return format!("{} on every link (was {})", link(&after.baseline), link(&before.baseline));
    }
    if matches!(action, Action::Heal) {
        let kept = kept(&after.baseline);
        let what =
            if removed.is_empty() { "nothing to heal".to_owned() } else { format!("healed: {}", removed.join(", ")) };
        // A heal leaves the baseline: it is the network's normal behaviour,
        // not a fault (`FaultPlan::heal`); saying so keeps `h` honest.
        return match kept {
            Some(kept) => format!("{what}; baseline {kept} kept"),
            None => what,
        };
    }
    let mut parts = added;
    parts.extend(removed.into_iter().map(|r| format!("replaced {r}")));
    if parts.is_empty() {
        format!("{}: no change", action.label())
    } else {
        format!("{}: {}", action.label(), parts.join("; "))
    }
}

/// The parts of the plan `after` has that `before` hadn't, and the reverse.
fn diff(before: &PlanRecord, after: &PlanRecord) -> (Vec<String>, Vec<String>) {
    let mut added = Vec::new();
    let mut removed = Vec::new();
    if before.groups != after.groups {
        if !before.groups.is_empty() {
            removed.push(format!("partition {}", groups(&before.groups)));
        }
        if !after.groups.is_empty() {
            added.push(format!("partition {} ({})", groups(&after.groups), plural(after.groups.len(), "group")));
        }
    }
    let gone: Vec<usize> = before.isolated.iter().copied().filter(|i| !after.isolated.contains(i)).collect();
    let new: Vec<usize> = after.isolated.iter().copied().filter(|i| !before.isolated.contains(i)).collect();
    if !gone.is_empty() {
        removed.push(format!("isolation of {}", ranges(&gone)));
    }
    if !new.is_empty() {
        let all = after.isolated.len();
        let also = if all > new.len() { format!(" ({} isolated now)", plural(all, "node")) } else { String::new() };
        added.push(format!("node {} cut off from every other node{also}", ranges(&new)));
    }
    let one_way = |w: &OneWayRecord| format!("one-way block {} ↛ {}", ranges(&w.from), ranges(&w.to));
    removed.extend(before.one_way.iter().filter(|w| !after.one_way.contains(w)).map(one_way));
    added.extend(after.one_way.iter().filter(|w| !before.one_way.contains(w)).map(one_way));
    let links_gone = before.links.iter().filter(|l| !after.links.contains(l)).count();
    let links_new: Vec<_> = after.links.iter().filter(|l| !before.links.contains(l)).collect();
    if links_gone > 0 && links_new.is_empty() {
        removed.push(plural(links_gone, "link rule"));
    }
    added.extend(links_new.iter().map(|l| format!("rule on {} → {} only", l.from, l.to)));
    (added, removed)
}

/// A baseline in a few words: "loss 10%, delay 50 ms".
fn link(rule: &LinkRecord) -> String {
    let mut parts = vec![format!("loss {}", percent(rule.loss))];
    if rule.delay_ms > 0.0 || rule.jitter_ms > 0.0 {
        parts.push(format!("delay {:.0} ms ± {:.0} ms", rule.delay_ms, rule.jitter_ms));
    }
    if rule.duplicate > 0.0 {
        parts.push(format!("duplicate {}", percent(rule.duplicate)));
    }
    if rule.reorder > 0.0 {
        parts.push(format!("reorder {}", percent(rule.reorder)));
    }
    parts.join(", ")
}

/// What of the baseline is a disturbance a heal leaves in place, if any.
fn kept(rule: &LinkRecord) -> Option<String> {
    let mut parts = Vec::new();
    if rule.loss > 0.0 {
        parts.push(format!("loss {}", percent(rule.loss)));
    }
    if rule.duplicate > 0.0 {
        parts.push(format!("duplicate {}", percent(rule.duplicate)));
    }
    if rule.reorder > 0.0 {
        parts.push(format!("reorder {}", percent(rule.reorder)));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::record::LinkOverride;
    use crate::scenario::{Groups, NodeRef};

    fn lossy(loss: f64) -> PlanRecord {
        PlanRecord { baseline: LinkRecord { loss, ..LinkRecord::default() }, ..PlanRecord::default() }
    }

    #[test]
    fn a_heal_names_everything_it_removed_and_the_loss_it_kept() {
        let before = PlanRecord {
            groups: vec![(0..8).collect(), (8..16).collect()],
            isolated: vec![3],
            links: vec![LinkOverride { from: 1, to: 2, rule: LinkRecord::default() }],
            ..lossy(0.1)
        };
        let text = fault(&Action::Heal, &before, &lossy(0.1));
        assert_eq!(text, "healed: partition 0-7 | 8-15, isolation of 3, 1 link rule; baseline loss 10% kept");
        assert_eq!(fault(&Action::Heal, &lossy(0.0), &lossy(0.0)), "nothing to heal");
    }

    #[test]
    fn a_partition_and_an_isolation_name_their_nodes() {
        let after = PlanRecord { groups: vec![(0..4).collect(), (4..8).collect()], ..lossy(0.0) };
        let split = Action::Partition { groups: Groups::Halves, one_way: false };
        assert_eq!(fault(&split, &lossy(0.0), &after), "partition halves: partition 0-3 | 4-7 (2 groups)");
        let isolated = PlanRecord { isolated: vec![5], ..lossy(0.0) };
        let text = fault(&Action::Isolate { node: NodeRef::Random }, &lossy(0.0), &isolated);
        assert_eq!(text, "isolate a random node: node 5 cut off from every other node");
        let loss = fault(&Action::SetLoss { loss: 0.1 }, &lossy(0.05), &lossy(0.1));
        assert_eq!(loss, "loss 10% on every link (was loss 5%)");
    }
}
