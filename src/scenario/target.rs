//! Who an action targets: one node ([`NodeRef`]) or a split of the cluster
//! ([`Groups`]), with the TOML shapes a profile writes them in.

use serde::ser::{Serialize, SerializeSeq, Serializer};

/// Which node an action targets.
///
/// In TOML: `node = 3` or `node = "random"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeRef {
    /// The node with this index (0-based, in start order; nodes added at run
    /// time get the next indices).
    Index(usize),
    /// A node the lab picks when the action runs, among the nodes the action
    /// makes sense for: a running node to crash, pause, leave or isolate, a
    /// crashed node to restart, a paused node to resume. Picking at run time
    /// is what lets `pause node = "random"` with `for = "2s"` resume the same
    /// node while only one is paused.
    Random,
}

impl NodeRef {
    /// The index, when the reference is fixed.
    pub fn index(self) -> Option<usize> {
        match self {
            NodeRef::Index(i) => Some(i),
            NodeRef::Random => None,
        }
    }

    /// "node 3" or "a random node".
    pub fn label(self) -> String {
        match self {
            NodeRef::Index(i) => format!("node {i}"),
            NodeRef::Random => "a random node".to_owned(),
        }
    }
}

impl Serialize for NodeRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            NodeRef::Index(i) => s.serialize_u64(*i as u64),
            NodeRef::Random => s.serialize_str("random"),
        }
    }
}

/// How a partition splits the cluster.
///
/// In TOML: `groups = "halves"` or `groups = [[0, 1, 2], [3, 4, 5]]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Groups {
    /// The nodes running when the action fires, in index order, split into a
    /// lower and an upper half (the upper half gets the odd one out).
    Halves,
    /// Explicit groups of node indices. Nodes listed in no group form one
    /// more, implicit group (the fault model's rule).
    Explicit(Vec<Vec<usize>>),
}

impl Groups {
    /// The groups as node indices in a cluster of `n` nodes: `halves` is
    /// the lower half of the indices and the rest.
    pub fn resolve(&self, n: usize) -> Vec<Vec<usize>> {
        match self {
            Groups::Halves => vec![(0..n / 2).collect(), (n / 2..n).collect()],
            Groups::Explicit(g) => g.clone(),
        }
    }

    /// "halves" or "0,1,2 | 3,4,5".
    pub fn label(&self) -> String {
        match self {
            Groups::Halves => "halves".to_owned(),
            Groups::Explicit(groups) => groups
                .iter()
                .map(|g| g.iter().map(usize::to_string).collect::<Vec<_>>().join(","))
                .collect::<Vec<_>>()
                .join(" | "),
        }
    }
}

impl Serialize for Groups {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Groups::Halves => s.serialize_str("halves"),
            Groups::Explicit(groups) => {
                let mut seq = s.serialize_seq(Some(groups.len()))?;
                for g in groups {
                    seq.serialize_element(g)?;
                }
                seq.end()
            }
        }
    }
}
