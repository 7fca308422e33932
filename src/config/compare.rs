//! `[compare]`: one scenario, two protocol tunings. A comparison runs the
//! profile's cluster, network, timeline and `[expect]` twice, side by
//! side, once per side's `[protocol]`, and judges the direction of each
//! difference the profile predicts (`[compare.expect]`).

use super::{LabConfig, PhiTuning};
use crate::protocol::{Config, Preset};
use crate::scenario::{Direction, side_profile};

/// One side of a comparison: its name and its protocol section.
#[derive(Clone, Debug, PartialEq)]
pub struct Contender {
    /// How the summary and the dashboard name it.
    pub name: String,
    /// The SWIM preset its tuning started from.
    pub preset: Preset,
    /// The SWIM tuning (kept, for the member cap, when it runs phi).
    pub protocol: Config,
    /// The phi family's tuning, when this side runs phi.
    pub phi: Option<PhiTuning>,
    /// Its `max_members`, when it set one.
    pub member_cap: Option<usize>,
}

/// A validated `[compare]` section.
#[derive(Clone, Debug, PartialEq)]
pub struct Compare {
    /// Side A.
    pub a: Contender,
    /// Side B.
    pub b: Contender,
    /// The directions the profile predicts.
    pub expect: Vec<Direction>,
    /// Every crash of each side must be fully detected within this many
    /// times its family's theory bound (the bound assumes prompt timers
    /// and a clean network; real sockets on a loaded machine need slack).
    pub detection_within_theory: Option<f64>,
}

impl LabConfig {
    /// The lab each side runs: this profile with the side's protocol, and
    /// no `[compare]` of its own. With a fixed base port, B's nodes take
    /// the ports after A's.
    pub fn sides(&self) -> Option<[LabConfig; 2]> {
        let compare = self.compare.as_ref()?;
        let side = |c: &Contender, offset: usize| {
            let mut lab = LabConfig {
                name: side_profile(&self.name, &c.name),
                preset: c.preset,
                protocol: c.protocol.clone(),
                phi: c.phi.clone(),
                member_cap: c.member_cap,
                compare: None,
                ..self.clone()
            };
            lab.base_port = self.base_port.map(|p| p.saturating_add(offset as u16));
            lab.fit_member_cap();
            lab
        };
        Some([side(&compare.a, 0), side(&compare.b, self.max_nodes())])
    }
}
