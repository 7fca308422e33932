//! The profile's tables other than the timeline: `[cluster]`,
//! `[protocol]`, `[network]` and `[expect]`, each field checked against
//! its bounds.

use std::ops::Range;
use std::time::Duration;

use super::{Builder, Result};
use crate::config::raw::{RawCluster, RawExpect, RawNetwork, RawProtocol, Sp, protocol_fields};
use crate::config::{MAX_NODES, MIN_BASE_PORT, NetworkConfig};
use crate::protocol::{Config, Preset};
use crate::scenario::{Expect, format_duration};
use crate::wire::MAX_DATAGRAM;

/// The largest member cap a profile may ask for: room for the 10,000-node
/// simulations with a flood on top, and still a bound.
const MAX_MEMBER_CAP: usize = 1 << 20;
/// The smallest datagram budget: the classic minimum IPv4 datagram size.
pub(super) const MIN_PACKET_BUDGET: i64 = 576;

/// The protocol section, and whether it set the member cap itself.
pub(super) struct ProtocolSection {
    /// The protocol tuning.
    pub config: Config,
    /// `max_members` was given.
    pub max_members_set: bool,
}

/// The `[protocol]` fields a profile set, with their spans, for the rules
/// that refuse one family's fields in the other's profile.
pub(super) fn fields_given(r: &RawProtocol) -> Vec<(&'static str, Range<usize>)> {
    let mut out = Vec::new();
    macro_rules! given {
        ($($f:ident),*) => {$(
            if let Some(v) = &r.$f {
                out.push((stringify!($f), v.span()));
            }
        )*};
    }
    protocol_fields!(given);
    out
}

impl Builder<'_> {
    pub(super) fn cluster(&self, c: &RawCluster) -> Result<(usize, u64, Option<u16>, Duration)> {
        const P: &str = "[cluster] ";
        let nodes = match &c.nodes {
            Some(v) => self.int(P, "nodes", v, 1, MAX_NODES as i64)? as usize,
            None => 16,
        };
        let seed = match &c.seed {
            Some(v) => self.int(P, "seed", v, 0, i64::MAX)? as u64,
            None => 1,
        };
        let base_port = match &c.base_port {
            Some(v) if (0..i64::from(MIN_BASE_PORT)).contains(v.get_ref()) => {
                return Err(self.ctx.err(
                    "[cluster] base_port",
                    Some(v.span()),
                    format!(
                        "[cluster] base_port = {} is a privileged port: use {MIN_BASE_PORT} or above, \
                         or leave base_port out to let the OS pick",
                        v.get_ref()
                    ),
                ));
            }
            Some(v) => Some(self.int(P, "base_port", v, i64::from(MIN_BASE_PORT), i64::from(u16::MAX))? as u16),
            None => None,
        };
        let join_stagger = match &c.join_stagger {
            Some(v) => {
                let d = self.duration(P, "join_stagger", v, false)?;
                if d > Duration::from_secs(10) {
                    return Err(self.ctx.err(
                        "[cluster] join_stagger",
                        Some(v.span()),
                        "[cluster] join_stagger is longer than 10s: use a short pause like \"10ms\"",
                    ));
                }
                d
            }
            None => Duration::ZERO,
        };
        Ok((nodes, seed, base_port, join_stagger))
    }

    pub(super) fn protocol(&self, r: &RawProtocol) -> Result<(Preset, ProtocolSection)> {
        const P: &str = "[protocol] ";
        self.no_phi_fields(r)?;
        let preset = match &r.preset {
            Some(v) => Preset::from_name(v.get_ref()).ok_or_else(|| {
                let names: Vec<_> = Preset::ALL.iter().map(|p| p.name()).collect();
                self.ctx.err(
                    "[protocol] preset",
                    Some(v.span()),
                    format!(
                        "[protocol] preset = \"{}\" is not a preset: use one of: {}",
                        v.get_ref(),
                        names.join(", ")
                    ),
                )
            })?,
            None => Preset::Lan,
        };
        let mut c = Config::preset(preset);
        if let Some(v) = &r.lifeguard {
            c = c.with_lifeguard(*v.get_ref());
        }
        let dur = |key, v: &Option<Sp<String>>, slot: &mut Duration| -> Result<()> {
            if let Some(v) = v {
                *slot = self.duration(P, key, v, true)?;
            }
            Ok(())
        };
        dur("probe_interval", &r.probe_interval, &mut c.probe_interval)?;
        dur("probe_timeout", &r.probe_timeout, &mut c.probe_timeout)?;
        dur("gossip_interval", &r.gossip_interval, &mut c.gossip_interval)?;
        dur("push_pull_interval", &r.push_pull_interval, &mut c.push_pull_interval)?;
        dur("join_retry", &r.join_retry, &mut c.join_retry)?;
        dur("reap_after", &r.reap_after, &mut c.reap_after)?;
        let int = |key, v: &Option<Sp<i64>>, lo, hi| -> Result<Option<i64>> {
            v.as_ref().map(|v| self.int(P, key, v, lo, hi)).transpose()
        };
        if let Some(n) = int("indirect_checks", &r.indirect_checks, 0, 16)? {
            c.indirect_checks = n as usize;
        }
        if let Some(n) = int("gossip_nodes", &r.gossip_nodes, 1, 64)? {
            c.gossip_nodes = n as usize;
        }
        if let Some(n) = int("suspicion_mult", &r.suspicion_mult, 1, 100)? {
            c.suspicion_mult = n as u32;
        }
        if let Some(n) = int("suspicion_max_timeout_mult", &r.suspicion_max_timeout_mult, 1, 100)? {
            c.suspicion_max_timeout_mult = n as u32;
        }
        if let Some(n) = int("retransmit_mult", &r.retransmit_mult, 1, 100)? {
            c.retransmit_mult = n as u32;
        }
        if let Some(n) = int("awareness_max_multiplier", &r.awareness_max_multiplier, 1, 64)? {
            c.awareness_max_multiplier = n as u32;
        }
        if let Some(n) = int("packet_budget", &r.packet_budget, MIN_PACKET_BUDGET, MAX_DATAGRAM as i64)? {
            c.packet_budget = n as usize;
        }
        let max_members = self.max_members(r)?;
        if let Some(n) = max_members {
            c.max_members = n;
        }
        for (v, slot) in [
            (&r.awareness, &mut c.awareness),
            (&r.dynamic_suspicion, &mut c.dynamic_suspicion),
            (&r.buddy, &mut c.buddy),
        ] {
            if let Some(v) = v {
                *slot = *v.get_ref();
            }
        }
        if c.probe_timeout >= c.probe_interval {
            let span = r.probe_timeout.as_ref().or(r.probe_interval.as_ref()).map(|v| v.span());
            return Err(self.ctx.err(
                "[protocol] probe_timeout",
                span,
                format!(
                    "[protocol] probe_timeout = \"{}\" must be shorter than probe_interval = \"{}\" \
                     (the indirect probe needs the rest of the interval): lower probe_timeout or raise probe_interval",
                    format_duration(c.probe_timeout),
                    format_duration(c.probe_interval)
                ),
            ));
        }
        Ok((preset, ProtocolSection { config: c, max_members_set: max_members.is_some() }))
    }

    /// `[protocol] max_members`, the lab's member cap whatever the family.
    pub(super) fn max_members(&self, r: &RawProtocol) -> Result<Option<usize>> {
        r.max_members
            .as_ref()
            .map(|v| self.int("[protocol] ", "max_members", v, 2, MAX_MEMBER_CAP as i64).map(|n| n as usize))
            .transpose()
    }

    pub(super) fn network(&self, r: &RawNetwork) -> Result<NetworkConfig> {
        const P: &str = "[network] ";
        Ok(NetworkConfig {
            loss: r.loss.as_ref().map(|v| self.probability(P, "loss", v)).transpose()?.unwrap_or(0.0),
            delay: r.delay_ms.as_ref().map(|v| self.millis(P, "delay_ms", v)).transpose()?.unwrap_or_default(),
            jitter: r.jitter_ms.as_ref().map(|v| self.millis(P, "jitter_ms", v)).transpose()?.unwrap_or_default(),
            duplicate: r.duplicate.as_ref().map(|v| self.probability(P, "duplicate", v)).transpose()?.unwrap_or(0.0),
        })
    }

    pub(super) fn expect(&self, r: &RawExpect) -> Result<Expect> {
        const P: &str = "[expect] ";
        let dur = |key, v: &Option<Sp<String>>| v.as_ref().map(|v| self.duration(P, key, v, true)).transpose();
        let count = |key, v: &Option<Sp<i64>>| {
            v.as_ref().map(|v| self.int(P, key, v, 0, i64::MAX).map(|n| n as u64)).transpose()
        };
        Ok(Expect {
            converged_within: dur("converged_within", &r.converged_within)?,
            false_positives: count("false_positives", &r.false_positives)?,
            false_suspicions: count("false_suspicions", &r.false_suspicions)?,
            detection_within: dur("detection_within", &r.detection_within)?,
            rumor_within: dur("rumor_within", &r.rumor_within)?,
        })
    }
}
