//! A [`LabConfig`] written back as a profile: the session header records
//! every knob the run used, in the profile's own shape, so a saved
//! session can be read, re-run and compared without the profile file.

use std::time::Duration;

use serde_json::{Value, json};

use super::LabConfig;
use crate::scenario::format_duration;
use crate::security::{Auth, SecurityConfig};

impl LabConfig {
    /// The fully resolved profile, in the profile's own shape (so it reads
    /// like the TOML and parses back as one), for the session header:
    /// presets expanded into every protocol field, the timeline expanded,
    /// durations written like `"200ms"`. `source` is the one extra key.
    pub fn resolved(&self) -> Value {
        let mut cluster = json!({
            "nodes": self.nodes,
            "seed": self.seed,
            "join_stagger": format_duration(self.join_stagger),
        });
        if let Some(port) = self.base_port {
            cluster["base_port"] = port.into();
        }
        let mut expect = serde_json::Map::new();
        let e = &self.expect;
        for (key, d) in [
            ("converged_within", e.converged_within),
            ("detection_within", e.detection_within),
            ("rumor_within", e.rumor_within),
        ] {
            if let Some(d) = d {
                expect.insert(key.to_owned(), format_duration(d).into());
            }
        }
        for (key, n) in [("false_positives", e.false_positives), ("false_suspicions", e.false_suspicions)] {
            if let Some(n) = n {
                expect.insert(key.to_owned(), n.into());
            }
        }
        let mut resolved = json!({
            "name": self.name,
            "description": self.description,
            "source": self.source,
            "duration": format_duration(self.duration),
            "cluster": cluster,
            "protocol": self.protocol_json(),
            "network": {
                "loss": self.network.loss,
                "delay_ms": millis(self.network.delay),
                "jitter_ms": millis(self.network.jitter),
                "duplicate": self.network.duplicate,
            },
            "security": security_json(&self.security),
            "timeline": self.timeline,
            "expect": expect,
        });
        // Only a cap the profile chose: the default follows the cluster's
        // size, and must go on following it when the profile is re-read.
        if let Some(cap) = self.member_cap {
            resolved["protocol"]["max_members"] = cap.into();
        }
        resolved
    }

    /// `[protocol]` resolved: every field of the family the lab runs.
    fn protocol_json(&self) -> Value {
        let Some(phi) = &self.phi else {
            let p = &self.protocol;
            return json!({
            "preset": self.preset.name(),
            "lifeguard": p.lifeguard(),
            "probe_interval": format_duration(p.probe_interval),
            "probe_timeout": format_duration(p.probe_timeout),
            "indirect_checks": p.indirect_checks,
            "gossip_interval": format_duration(p.gossip_interval),
            "gossip_nodes": p.gossip_nodes,
            "suspicion_mult": p.suspicion_mult,
            "suspicion_max_timeout_mult": p.suspicion_max_timeout_mult,
            "retransmit_mult": p.retransmit_mult,
            "push_pull_interval": format_duration(p.push_pull_interval),
            "join_retry": format_duration(p.join_retry),
            "awareness_max_multiplier": p.awareness_max_multiplier,
            "packet_budget": p.packet_budget,
            "reap_after": format_duration(p.reap_after),
            "awareness": p.awareness,
            "dynamic_suspicion": p.dynamic_suspicion,
            "buddy": p.buddy,
            });
        };
        let c = &phi.config;
        json!({
            "family": "phi",
            "preset": phi.preset,
            "heartbeat_interval": format_duration(c.heartbeat_interval),
            "fanout": c.fanout,
            "phi_convict": c.phi_convict,
            "window": c.window,
            "min_std_dev": format_duration(c.min_std_dev),
            "acceptable_pause": format_duration(c.acceptable_pause),
            "first_heartbeat_estimate": format_duration(c.first_heartbeat_estimate),
            "remove_after": format_duration(c.remove_after),
            "join_retry": format_duration(c.join_retry),
            "packet_budget": c.packet_budget,
        })
    }
}

/// `[security]` as a profile writes it: the key file's path, never a key.
fn security_json(s: &SecurityConfig) -> Value {
    let mut v = json!({ "auth": s.auth.mode(), "label": s.label });
    if let Auth::File { path, .. } = &s.auth {
        v["key_file"] = path.clone().into();
    }
    v
}

/// Milliseconds as a JSON number: an integer when whole.
fn millis(d: Duration) -> Value {
    if d.subsec_nanos().is_multiple_of(1_000_000) {
        Value::from(d.as_millis() as u64)
    } else {
        Value::from(d.as_secs_f64() * 1000.0)
    }
}
