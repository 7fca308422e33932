use std::time::Duration;
use gossip_lab::protocol::{Config, State};
use gossip_lab::sim::{Cluster, SimConfig};
fn main() {
    for seed in 1..6u64 {
        let mut c = Cluster::new(SimConfig { protocol: Config::fast(), ..SimConfig::new(64, seed) }).unwrap();
        c.run_until(gossip_lab::protocol::Time::from_secs(1));
        let at = 0;
        let mut missing = vec![];
        for o in 0..64 { for s in 0..64 { if c.view(o, s) != Some(State::Alive) { missing.push((o, s, c.view(o,s))); } } }
        println!("seed {seed}: converged at {at:?}; missing at 5s: {missing:?}");
    }
}
