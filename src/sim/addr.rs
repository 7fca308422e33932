//! Where simulated nodes live, and how they get their seeds.
//!
//! Addresses follow a formula instead of a lookup table, so that turning a
//! member's address back into a node index (done for every row of every
//! view when checking convergence) is arithmetic, not a hash probe. They
//! are loopback addresses that are never bound: the simulator moves
//! datagrams in memory, and a real lab on the same host cannot collide.

use std::net::{Ipv4Addr, SocketAddrV4};

use crate::protocol::NodeAddr;

/// The port of node 0.
pub const BASE_PORT: u16 = 10_000;
/// Nodes per IP address before the next address is used; keeps ports in
/// `10000..60000`, clear of the ephemeral range's usual start.
pub const PORTS_PER_IP: usize = 50_000;
/// How many nodes the scheme can address (the second and third octets
/// count address blocks).
pub const MAX_NODES: usize = PORTS_PER_IP * 65_536;

/// Where the simulated rogue sends from: a loopback address that is no
/// node's (node addresses all end in `.1`), so [`node_index`] never maps it
/// to a member and replies to it are lost like datagrams to a dead process.
pub const ROGUE_ADDR: NodeAddr = SocketAddrV4::new(Ipv4Addr::new(127, 0, 0, 2), 40_000);

/// The address of node `index`: `127.0.0.1:10000+i` for the first 50,000
/// nodes, then `127.0.1.1`, `127.0.2.1`... (second and third octets count).
///
/// # Panics
/// When `index >= MAX_NODES`.
pub fn node_addr(index: usize) -> NodeAddr {
    assert!(index < MAX_NODES, "node index {index} is beyond the simulator's address space");
    let block = index / PORTS_PER_IP;
    let port = BASE_PORT + (index % PORTS_PER_IP) as u16;
    SocketAddrV4::new(Ipv4Addr::new(127, (block >> 8) as u8, block as u8, 1), port)
}

/// The node index of `addr`, if it is a simulator address.
pub fn node_index(addr: NodeAddr) -> Option<usize> {
    let [a, hi, lo, d] = addr.ip().octets();
    let port = addr.port();
    if a != 127 || d != 1 || port < BASE_PORT || usize::from(port - BASE_PORT) >= PORTS_PER_IP {
        return None;
    }
    let block = usize::from(hi) << 8 | usize::from(lo);
    Some(block * PORTS_PER_IP + usize::from(port - BASE_PORT))
}

/// SplitMix64's finaliser: a cheap, well-mixed, portable bijection.
pub(crate) const fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The RNG seed of node `index` in its `restarts`-th life. A restarted node
/// must not replay its previous life's choices, and neighbouring indices
/// must not get correlated streams, hence the mixing.
pub fn node_seed(cluster_seed: u64, index: usize, restarts: u32) -> u64 {
    mix(mix(cluster_seed) ^ mix((index as u64) << 32 | u64::from(restarts)))
}

/// The seed of the simulated network's RNG (loss, jitter, duplication),
/// kept apart from every node's stream.
pub fn network_seed(cluster_seed: u64) -> u64 {
    mix(mix(cluster_seed) ^ 0x6E65_7477_6F72_6B00) // "network\0"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip_across_blocks() {
        for i in [0, 1, 49_999, 50_000, 50_001, 12_800_000, MAX_NODES - 1] {
            assert_eq!(node_index(node_addr(i)), Some(i), "index {i}");
        }
        assert_eq!(node_addr(0).to_string(), "127.0.0.1:10000");
        assert_eq!(node_addr(50_000).to_string(), "127.0.1.1:10000");
        assert_eq!(node_index("127.0.0.1:9999".parse().unwrap()), None);
        assert_eq!(node_index("127.0.0.2:10000".parse().unwrap()), None);
        assert_eq!(node_index(ROGUE_ADDR), None);
    }

    #[test]
    fn seeds_differ_by_index_restart_and_cluster() {
        let s = node_seed(1, 5, 0);
        assert_ne!(s, node_seed(1, 5, 1));
        assert_ne!(s, node_seed(1, 6, 0));
        assert_ne!(s, node_seed(2, 5, 0));
        assert_eq!(s, node_seed(1, 5, 0));
    }
}
