//! From a member's address to the lab node it is.
//!
//! Every membership event the metrics take names its member by address,
//! and a 10,000-node simulated join reports 10⁸ of them. A hash map of the
//! lab's addresses serves any driver; the simulator's addresses follow a
//! formula (`sim::addr`), and computing the index from it spares each
//! event a probe of a map that is rarely in cache by then.

use rustc_hash::FxHashMap;

use crate::protocol::NodeAddr;

/// A formula from an address to a node index. It must invert the
/// driver's addressing: only node `i`'s own address maps to `i` (the
/// simulator's `node_index` undoes its `node_addr`), and any other
/// address to `None` or to an index past the lab's nodes.
pub type Formula = fn(NodeAddr) -> Option<usize>;

/// How addresses map to node indices.
#[derive(Clone, Debug)]
pub(super) enum NodeIndex {
    /// Looked up in a map of every node's address.
    Table(FxHashMap<NodeAddr, usize>),
    /// Computed, for `nodes` nodes whose addresses all follow the formula.
    Computed { formula: Formula, nodes: usize },
}

impl NodeIndex {
    /// The index of nodes at `addrs`: the formula if it maps each to its
    /// position, else a map.
    pub(super) fn new(addrs: &[NodeAddr], formula: Option<Formula>) -> NodeIndex {
        match formula {
            Some(formula) if addrs.iter().enumerate().all(|(i, &a)| formula(a) == Some(i)) => {
                NodeIndex::Computed { formula, nodes: addrs.len() }
            }
            _ => NodeIndex::Table(addrs.iter().enumerate().map(|(i, &a)| (a, i)).collect()),
        }
    }

    /// The node at `addr`, if it is one of the lab's.
    pub(super) fn get(&self, addr: NodeAddr) -> Option<usize> {
        match self {
            NodeIndex::Table(map) => map.get(&addr).copied(),
            NodeIndex::Computed { formula, nodes } => formula(addr).filter(|&i| i < *nodes),
        }
    }

    /// The lab grew by one node: `addrs` is every node's address, the new
    /// one last. An address off the formula turns the index into a map.
    pub(super) fn grew(&mut self, addrs: &[NodeAddr]) {
        let (Some(&addr), i) = (addrs.last(), addrs.len().saturating_sub(1)) else { return };
        match self {
            NodeIndex::Computed { formula, nodes } if *nodes == i && formula(addr) == Some(i) => *nodes += 1,
            NodeIndex::Computed { .. } => *self = NodeIndex::new(addrs, None),
            NodeIndex::Table(map) => {
                map.insert(addr, i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, SocketAddrV4};

    use super::*;

    fn at(port: u16) -> NodeAddr {
        SocketAddrV4::new(Ipv4Addr::LOCALHOST, port)
    }

    fn by_port(a: NodeAddr) -> Option<usize> {
        a.port().checked_sub(100).map(usize::from)
    }

    #[test]
    fn a_formula_that_fits_is_used_and_bounded_by_the_lab() {
        let addrs: Vec<_> = (100..103).map(at).collect();
        let mut index = NodeIndex::new(&addrs, Some(by_port));
        assert!(matches!(index, NodeIndex::Computed { nodes: 3, .. }));
        assert_eq!(index.get(at(101)), Some(1));
        assert_eq!(index.get(at(103)), None, "fits the formula but is no node yet");
        assert_eq!(index.get(at(7)), None);
        index.grew(&[addrs.clone(), vec![at(103)]].concat());
        assert_eq!(index.get(at(103)), Some(3));
        assert!(matches!(index, NodeIndex::Computed { nodes: 4, .. }));
    }

    #[test]
    fn an_address_off_the_formula_falls_back_to_a_map() {
        let addrs: Vec<_> = vec![at(100), at(101)];
        let mut index = NodeIndex::new(&addrs, Some(by_port));
        index.grew(&[at(100), at(101), at(900)]);
        assert!(matches!(index, NodeIndex::Table(_)));
        assert_eq!((index.get(at(100)), index.get(at(101)), index.get(at(900))), (Some(0), Some(1), Some(2)));
        assert_eq!(index.get(at(102)), None);

        let skewed = vec![at(101), at(100)];
        let index = NodeIndex::new(&skewed, Some(by_port));
        assert!(matches!(index, NodeIndex::Table(_)), "the formula must map each address to its position");
        assert_eq!(index.get(at(101)), Some(0));
    }
}
