//! The `gossip-lab` binary: a thin shell over the library.

fn main() {
    eprintln!("gossip-lab: the lab runtime and dashboard are not built yet; see README.md");
    std::process::exit(2);
}
