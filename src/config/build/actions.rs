//! The action table: every action a `[[timeline]]` step can name, with
//! its parameters, how they become an [`Action`], and what `every`,
//! `count` and `for` do to it. One entry per action, so a new action for
//! profiles is one new entry here (and its variant in [`Action`]).

use super::Result;
use super::spec::{ActionSpec, Args, For, Param};
use crate::scenario::Action;
use crate::security::KeyRef;

impl ActionSpec {
    /// The table entry for `name`.
    pub fn find(name: &str) -> Option<&'static ActionSpec> {
        ACTIONS.iter().find(|a| a.name == name)
    }

    /// Every action name, in the table's order.
    pub fn names() -> impl Iterator<Item = &'static str> {
        ACTIONS.iter().map(|a| a.name)
    }
}

const fn need(key: &'static str, example: &'static str) -> Param {
    Param { key, missing: Some(example) }
}

const fn optional(key: &'static str) -> Param {
    Param { key, missing: None }
}

const NODE: &[Param] = &[need("node", "node = 3 (an index) or node = \"random\"")];
const NONE: &[Param] = &[];

/// A step on one node that takes nothing else and never has `for`.
const fn on_node(name: &'static str, parse: fn(&Args<'_>) -> Result<Action>) -> ActionSpec {
    ActionSpec { name, params: NODE, repeats: true, for_: For::No, parse }
}

/// A step without parameters.
const fn bare(name: &'static str, parse: fn(&Args<'_>) -> Result<Action>) -> ActionSpec {
    ActionSpec { name, params: NONE, repeats: true, for_: For::No, parse }
}

/// `for` on a partition or an isolation: heal when it is up.
fn heal(_: &Action) -> Action {
    Action::Heal
}

/// `for` on a pause: resume the same node.
fn resume(paused: &Action) -> Action {
    let node = paused.node().expect("a pause step targets a node");
    Action::Resume { node }
}

/// Every action, in [`Action::NAMES`] order.
pub(super) const ACTIONS: &[ActionSpec] = &[
    on_node("crash", |a| Ok(Action::Crash { node: a.node()? })),
    on_node("restart", |a| Ok(Action::Restart { node: a.node()? })),
    ActionSpec {
        name: "pause",
        params: NODE,
        repeats: true,
        for_: For::Undo(resume),
        parse: |a| Ok(Action::Pause { node: a.node()? }),
    },
    on_node("resume", |a| Ok(Action::Resume { node: a.node()? })),
    on_node("leave", |a| Ok(Action::Leave { node: a.node()? })),
    bare("add", |_| Ok(Action::Add)),
    ActionSpec {
        name: "partition",
        params: &[need("groups", "groups = \"halves\" or groups = [[0, 1], [2, 3]]"), optional("one_way")],
        repeats: true,
        for_: For::Undo(heal),
        parse: |a| Ok(Action::Partition { groups: a.groups()?, one_way: a.flag(&a.raw().one_way) }),
    },
    ActionSpec {
        name: "isolate",
        params: NODE,
        repeats: true,
        for_: For::Undo(heal),
        parse: |a| Ok(Action::Isolate { node: a.node()? }),
    },
    bare("heal", |_| Ok(Action::Heal)),
    ActionSpec {
        name: "set_loss",
        params: &[need("loss", "loss = 0.1 (a probability)")],
        repeats: true,
        for_: For::No,
        parse: |a| Ok(Action::SetLoss { loss: a.probability("loss", &a.raw().loss)? }),
    },
    ActionSpec {
        name: "set_delay",
        params: &[need("delay", "delay = \"50ms\""), optional("jitter")],
        repeats: true,
        for_: For::No,
        parse: |a| {
            let r = a.raw();
            Ok(Action::SetDelay { delay: a.delay("delay", &r.delay)?, jitter: a.delay("jitter", &r.jitter)? })
        },
    },
    ActionSpec {
        name: "set_duplicate",
        params: &[need("probability", "probability = 0.05")],
        repeats: true,
        for_: For::No,
        parse: |a| {
            let probability = a.probability("probability", &a.raw().probability)?;
            Ok(Action::SetDuplicate { probability })
        },
    },
    ActionSpec {
        name: "set_reorder",
        params: &[need("probability", "probability = 0.25"), need("delay", "delay = \"40ms\" (how far behind)")],
        repeats: true,
        for_: For::No,
        parse: |a| {
            let r = a.raw();
            let (probability, delay) = (a.probability("probability", &r.probability)?, a.delay("delay", &r.delay)?);
            Ok(Action::SetReorder { probability, delay })
        },
    },
    ActionSpec {
        name: "set_link",
        params: &[
            need("from", "from = 0 (a node index)"),
            need("to", "to = 0 (a node index)"),
            optional("loss"),
            optional("delay"),
            optional("jitter"),
        ],
        repeats: true,
        for_: For::No,
        parse: |a| a.link(),
    },
    ActionSpec {
        name: "rumor",
        params: &[NODE[0], optional("payload")],
        repeats: true,
        for_: For::No,
        parse: |a| Ok(Action::Rumor { node: a.node()?, payload: a.payload()? }),
    },
    ActionSpec {
        name: "rogue",
        params: &[optional("attack"), NODE[0], optional("count"), optional("for")],
        repeats: false,
        for_: For::Own,
        parse: |a| {
            let node = a.node()?;
            a.rogue(node)
        },
    },
    bare("key_install", |_| Ok(Action::KeyInstall)),
    ActionSpec {
        name: "key_use",
        params: &[optional("key")],
        repeats: true,
        for_: For::No,
        parse: |a| Ok(Action::KeyUse { key: a.key_ref(KeyRef::Newest)? }),
    },
    ActionSpec {
        name: "key_remove",
        params: &[optional("key")],
        repeats: true,
        for_: For::No,
        parse: |a| Ok(Action::KeyRemove { key: a.key_ref(KeyRef::Oldest)? }),
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_every_action_once_in_names_order() {
        let names: Vec<_> = ActionSpec::names().collect();
        assert_eq!(names, Action::NAMES);
    }
}
