//! The first layer: the profile exactly as written.
//!
//! Every field is optional and spanned, every table denies unknown fields,
//! and numbers are read as TOML's own types (`i64`, `f64`) so that range
//! errors come from our validation, which names the field and the fix,
//! rather than from serde.

use std::ops::Range;

use serde::Deserialize;
use serde::de::{self, Visitor};
use toml::Spanned;

/// A spanned value: the span turns into a line and column in errors.
pub(super) type Sp<T> = Spanned<T>;

/// A whole profile file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProfile {
    pub name: Option<Sp<String>>,
    pub description: Option<Sp<String>>,
    pub duration: Option<Sp<String>>,
    pub cluster: Option<RawCluster>,
    pub protocol: Option<RawProtocol>,
    pub network: Option<RawNetwork>,
    pub security: Option<RawSecurity>,
    #[serde(default)]
    pub timeline: Vec<RawStep>,
    pub expect: Option<RawExpect>,
    pub compare: Option<RawCompare>,
}

/// `[cluster]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCluster {
    pub nodes: Option<Sp<i64>>,
    pub seed: Option<Sp<i64>>,
    pub base_port: Option<Sp<i64>>,
    pub join_stagger: Option<Sp<String>>,
}

/// `[compare]`: the two sides and the directions predicted.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCompare {
    pub a: Option<Sp<RawSide>>,
    pub b: Option<Sp<RawSide>>,
    pub expect: Option<RawCompareExpect>,
}

/// `[compare.a]` or `[compare.b]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSide {
    pub name: Option<Sp<String>>,
    pub protocol: Option<RawProtocol>,
}

/// `[compare.expect]`: each figure names the side predicted lower.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCompareExpect {
    pub faster_first_detection: Option<Sp<String>>,
    pub faster_full_detection: Option<Sp<String>>,
    pub fewer_false_suspicions: Option<Sp<String>>,
    pub fewer_false_positives: Option<Sp<String>>,
    pub fewer_packets: Option<Sp<String>>,
    pub fewer_bytes: Option<Sp<String>>,
    pub faster_convergence: Option<Sp<String>>,
    pub detection_within_theory: Option<Sp<f64>>,
}

/// `[protocol]`: the family, a preset, the Lifeguard switch, then
/// per-field overrides (SWIM's, then the phi family's).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProtocol {
    pub family: Option<Sp<String>>,
    pub preset: Option<Sp<String>>,
    pub lifeguard: Option<Sp<bool>>,
    pub probe_interval: Option<Sp<String>>,
    pub probe_timeout: Option<Sp<String>>,
    pub indirect_checks: Option<Sp<i64>>,
    pub gossip_interval: Option<Sp<String>>,
    pub gossip_nodes: Option<Sp<i64>>,
    pub suspicion_mult: Option<Sp<i64>>,
    pub suspicion_max_timeout_mult: Option<Sp<i64>>,
    pub retransmit_mult: Option<Sp<i64>>,
    pub push_pull_interval: Option<Sp<String>>,
    pub join_retry: Option<Sp<String>>,
    pub awareness_max_multiplier: Option<Sp<i64>>,
    pub packet_budget: Option<Sp<i64>>,
    pub max_members: Option<Sp<i64>>,
    pub reap_after: Option<Sp<String>>,
    pub awareness: Option<Sp<bool>>,
    pub dynamic_suspicion: Option<Sp<bool>>,
    pub buddy: Option<Sp<bool>>,
    pub heartbeat_interval: Option<Sp<String>>,
    pub fanout: Option<Sp<i64>>,
    pub phi_convict: Option<Sp<f64>>,
    pub window: Option<Sp<i64>>,
    pub min_std_dev: Option<Sp<String>>,
    pub acceptable_pause: Option<Sp<String>>,
    pub first_heartbeat_estimate: Option<Sp<String>>,
    pub remove_after: Option<Sp<String>>,
}

/// Calls `$m!` with every `[protocol]` field but `family` and `preset`, so
/// the code that walks them (the rules that refuse one family's fields in
/// the other's profile, a comparison side's overlay) cannot drift from
/// [`RawProtocol`].
macro_rules! protocol_fields {
    ($m:ident) => {
        $m!(
            lifeguard,
            probe_interval,
            probe_timeout,
            indirect_checks,
            gossip_interval,
            gossip_nodes,
            suspicion_mult,
            suspicion_max_timeout_mult,
            retransmit_mult,
            push_pull_interval,
            join_retry,
            awareness_max_multiplier,
            packet_budget,
            max_members,
            reap_after,
            awareness,
            dynamic_suspicion,
            buddy,
            heartbeat_interval,
            fanout,
            phi_convict,
            window,
            min_std_dev,
            acceptable_pause,
            first_heartbeat_estimate,
            remove_after
        )
    };
}
pub(super) use protocol_fields;

/// `[network]`: the baseline behaviour of every link.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNetwork {
    pub loss: Option<Sp<f64>>,
    pub delay_ms: Option<Sp<f64>>,
    pub jitter_ms: Option<Sp<f64>>,
    pub duplicate: Option<Sp<f64>>,
}

/// `[security]`: how datagrams are authenticated.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSecurity {
    pub auth: Option<Sp<String>>,
    pub key_file: Option<Sp<String>>,
    pub label: Option<Sp<String>>,
}

/// One `[[timeline]]` entry. Flat, with every parameter of every action,
/// so that "this parameter does not apply to that action" and "this action
/// needs that parameter" get our own messages.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStep {
    pub at: Option<Sp<String>>,
    pub action: Option<Sp<String>>,
    pub node: Option<Sp<toml::Value>>,
    pub groups: Option<Sp<toml::Value>>,
    pub one_way: Option<Sp<bool>>,
    pub from: Option<Sp<i64>>,
    pub to: Option<Sp<i64>>,
    pub loss: Option<Sp<f64>>,
    pub delay: Option<Sp<String>>,
    pub jitter: Option<Sp<String>>,
    pub probability: Option<Sp<f64>>,
    pub payload: Option<Sp<String>>,
    pub attack: Option<Sp<String>>,
    pub key: Option<Sp<String>>,
    pub every: Option<Sp<String>>,
    pub count: Option<Sp<i64>>,
    #[serde(rename = "for")]
    pub for_: Option<Sp<String>>,
}

impl RawStep {
    /// The parameters the step sets (all but `at` and `action`), with
    /// their spans, in source order.
    pub fn present(&self) -> Vec<(&'static str, Range<usize>)> {
        let mut v = Vec::new();
        let mut add = |key, span: Option<Range<usize>>| {
            if let Some(s) = span {
                v.push((key, s));
            }
        };
        add("node", self.node.as_ref().map(|x| x.span()));
        add("groups", self.groups.as_ref().map(|x| x.span()));
        add("one_way", self.one_way.as_ref().map(|x| x.span()));
        add("from", self.from.as_ref().map(|x| x.span()));
        add("to", self.to.as_ref().map(|x| x.span()));
        add("loss", self.loss.as_ref().map(|x| x.span()));
        add("delay", self.delay.as_ref().map(|x| x.span()));
        add("jitter", self.jitter.as_ref().map(|x| x.span()));
        add("probability", self.probability.as_ref().map(|x| x.span()));
        add("payload", self.payload.as_ref().map(|x| x.span()));
        add("attack", self.attack.as_ref().map(|x| x.span()));
        add("key", self.key.as_ref().map(|x| x.span()));
        add("every", self.every.as_ref().map(|x| x.span()));
        add("count", self.count.as_ref().map(|x| x.span()));
        add("for", self.for_.as_ref().map(|x| x.span()));
        v.sort_by_key(|(_, s)| s.start);
        v
    }
}

/// `[expect]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawExpect {
    pub converged_within: Option<Sp<String>>,
    pub false_positives: Option<Sp<i64>>,
    pub false_suspicions: Option<Sp<i64>>,
    pub detection_within: Option<Sp<String>>,
    pub rumor_within: Option<Sp<String>>,
}

/// The keys the table `name` takes, in declaration order (`""` is the top
/// level, `"timeline"` a step); none for a table profiles do not have.
pub(super) fn table_fields(name: &str) -> &'static [&'static str] {
    match name {
        "" => fields::<RawProfile>(),
        "cluster" => fields::<RawCluster>(),
        "protocol" => fields::<RawProtocol>(),
        "network" => fields::<RawNetwork>(),
        "security" => fields::<RawSecurity>(),
        "timeline" => fields::<RawStep>(),
        "expect" => fields::<RawExpect>(),
        "compare" => fields::<RawCompare>(),
        "compare.a" | "compare.b" => fields::<RawSide>(),
        "compare.expect" => fields::<RawCompareExpect>(),
        "compare.a.protocol" | "compare.b.protocol" => fields::<RawProtocol>(),
        _ => &[],
    }
}

/// The field names serde's derive gives struct `T`, renames applied: `T`
/// is asked to deserialize itself from a deserializer that only notes the
/// names it is offered and stops, so the lists cannot drift from the
/// structs above.
fn fields<T: Deserialize<'static>>() -> &'static [&'static str] {
    struct Names(&'static [&'static str]);
    impl<'de> serde::Deserializer<'de> for &mut Names {
        type Error = de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            self.0 = fields;
            Err(de::Error::custom("names noted"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
            unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }
    let mut names = Names(&[]);
    let _ = T::deserialize(&mut names);
    names.0
}
