//! `[protocol]` for the phi family (`family = "phi"`): its presets and
//! fields, and the fields of one family refused in the other, so a
//! profile never silently carries a knob that does nothing.

use std::time::Duration;

use super::sections::{MIN_PACKET_BUDGET, ProtocolSection, fields_given};
use super::{Builder, Result};
use crate::config::PhiTuning;
use crate::config::raw::{RawProtocol, Sp};
use crate::protocol::{Config, Preset, phi};
use crate::wire::MAX_DATAGRAM;

/// The phi family's presets, as profiles name them.
pub const PHI_PRESETS: [&str; 2] = ["cassandra", "fast"];

/// The fields only SWIM reads, with how a phi profile says the same.
const SWIM_ONLY: [(&str, &str); 15] = [
    ("lifeguard", "phi has no Lifeguard: leave it out"),
    ("probe_interval", "phi does not probe: set heartbeat_interval"),
    ("probe_timeout", "phi does not probe: tune phi_convict and acceptable_pause"),
    ("indirect_checks", "phi does not probe: leave it out"),
    ("gossip_interval", "use heartbeat_interval"),
    ("gossip_nodes", "use fanout"),
    ("suspicion_mult", "phi suspects at half phi_convict: tune phi_convict"),
    ("suspicion_max_timeout_mult", "tune phi_convict"),
    ("retransmit_mult", "scuttlebutt sends deltas until both sides agree: leave it out"),
    ("push_pull_interval", "every phi gossip round is a reconciliation: leave it out"),
    ("awareness_max_multiplier", "phi has no local health score: leave it out"),
    ("reap_after", "use remove_after"),
    ("awareness", "phi has no Lifeguard: leave it out"),
    ("dynamic_suspicion", "phi has no Lifeguard: leave it out"),
    ("buddy", "phi has no Lifeguard: leave it out"),
];

/// The fields only the phi family reads.
pub(super) const PHI_ONLY: [&str; 8] = [
    "heartbeat_interval",
    "fanout",
    "phi_convict",
    "window",
    "min_std_dev",
    "acceptable_pause",
    "first_heartbeat_estimate",
    "remove_after",
];

impl Builder<'_> {
    /// `[protocol]` whatever the family: SWIM's tuning (a phi profile keeps
    /// `lan`'s, which nothing runs but the member cap lives in), and the
    /// phi family's when `family = "phi"`.
    pub(super) fn protocol_section(&self, r: &RawProtocol) -> Result<(Preset, ProtocolSection, Option<PhiTuning>)> {
        match r.family.as_ref().map(|f| f.get_ref().as_str()) {
            None | Some("swim") => {
                let (preset, section) = self.protocol(r)?;
                Ok((preset, section, None))
            }
            Some("phi") => {
                let tuning = self.phi(r)?;
                let max_members = self.max_members(r)?;
                let mut config = Config::lan();
                if let Some(n) = max_members {
                    config.max_members = n;
                }
                Ok((Preset::Lan, ProtocolSection { config, max_members_set: max_members.is_some() }, Some(tuning)))
            }
            Some(other) => {
                let span = r.family.as_ref().map(|f| f.span());
                Err(self.ctx.err(
                    "[protocol] family",
                    span,
                    format!("[protocol] family = \"{other}\" is not a gossip family: use \"swim\" or \"phi\""),
                ))
            }
        }
    }

    /// The phi family's tuning. `max_members` is read by the caller, as
    /// for SWIM: the cap is the lab's, whatever the family.
    pub(super) fn phi(&self, r: &RawProtocol) -> Result<PhiTuning> {
        const P: &str = "[protocol] ";
        for (key, span) in fields_given(r) {
            if let Some((_, fix)) = SWIM_ONLY.iter().find(|(k, _)| *k == key) {
                return Err(self.ctx.err(
                    format!("[protocol] {key}"),
                    Some(span),
                    format!("[protocol] {key} is a SWIM field, and this profile has family = \"phi\": {fix}"),
                ));
            }
        }
        let (preset, mut c) = match &r.preset {
            None => ("cassandra", phi::Config::cassandra()),
            Some(v) if v.get_ref() == "cassandra" => ("cassandra", phi::Config::cassandra()),
            Some(v) if v.get_ref() == "fast" => ("fast", phi::Config::fast()),
            Some(v) => {
                return Err(self.ctx.err(
                    "[protocol] preset",
                    Some(v.span()),
                    format!(
                        "[protocol] preset = \"{}\" is not a phi preset: use one of: {} \
                         (lan, local and fast without family = \"phi\" are SWIM's)",
                        v.get_ref(),
                        PHI_PRESETS.join(", ")
                    ),
                ));
            }
        };
        let dur = |key, v: &Option<Sp<String>>, positive, slot: &mut Duration| -> Result<()> {
            if let Some(v) = v {
                *slot = self.duration(P, key, v, positive)?;
            }
            Ok(())
        };
        dur("heartbeat_interval", &r.heartbeat_interval, true, &mut c.heartbeat_interval)?;
        dur("min_std_dev", &r.min_std_dev, true, &mut c.min_std_dev)?;
        dur("acceptable_pause", &r.acceptable_pause, false, &mut c.acceptable_pause)?;
        dur("first_heartbeat_estimate", &r.first_heartbeat_estimate, true, &mut c.first_heartbeat_estimate)?;
        dur("remove_after", &r.remove_after, true, &mut c.remove_after)?;
        dur("join_retry", &r.join_retry, true, &mut c.join_retry)?;
        let int = |key, v: &Option<Sp<i64>>, lo, hi| -> Result<Option<i64>> {
            v.as_ref().map(|v| self.int(P, key, v, lo, hi)).transpose()
        };
        if let Some(n) = int("fanout", &r.fanout, 1, 64)? {
            c.fanout = n as usize;
        }
        if let Some(n) = int("window", &r.window, 2, 10_000)? {
            c.window = n as usize;
        }
        if let Some(n) = int("packet_budget", &r.packet_budget, MIN_PACKET_BUDGET, MAX_DATAGRAM as i64)? {
            c.packet_budget = n as usize;
        }
        if let Some(v) = &r.phi_convict {
            let phi = *v.get_ref();
            // Above ~16 the normal's tail underflows a double: phi would
            // never be reached, and no node would ever be convicted.
            if !(1.0..=16.0).contains(&phi) {
                return Err(self.ctx.err(
                    "[protocol] phi_convict",
                    Some(v.span()),
                    format!(
                        "[protocol] phi_convict = {phi} is out of range: use a threshold between 1 and 16 \
                         (Cassandra's default is 8)"
                    ),
                ));
            }
            c.phi_convict = phi;
        }
        Ok(PhiTuning { preset, config: c })
    }

    /// Refuses the phi family's fields in a SWIM profile.
    pub(super) fn no_phi_fields(&self, r: &RawProtocol) -> Result<()> {
        for (key, span) in fields_given(r) {
            if PHI_ONLY.contains(&key) {
                return Err(self.ctx.err(
                    format!("[protocol] {key}"),
                    Some(span),
                    format!(
                        "[protocol] {key} is a phi-family field: add family = \"phi\" to [protocol], \
                         or leave {key} out"
                    ),
                ));
            }
        }
        Ok(())
    }
}
