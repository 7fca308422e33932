//! Packet and byte counters, by message kind and by drop reason.
//!
//! One plain struct serves both drivers: the simulator updates it directly,
//! the runtime keeps atomic counters per node and snapshots them into it.

use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::ser::SerializeTuple;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::faults::DropReason;
use crate::protocol::MsgKind;

/// Packets and bytes. Written `[packets, bytes]`: a metrics record holds
/// 24 of them per node, and as `{"packets":…,"bytes":…}` objects they
/// were three quarters of a 4,096-node session log (log format 4); the
/// object form of older logs still reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flow {
    /// Datagrams.
    pub packets: u64,
    /// Bytes, wire header included.
    pub bytes: u64,
}

impl Serialize for Flow {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut pair = s.serialize_tuple(2)?;
        pair.serialize_element(&self.packets)?;
        pair.serialize_element(&self.bytes)?;
        pair.end()
    }
}

impl<'de> Deserialize<'de> for Flow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Flow, D::Error> {
        d.deserialize_any(FlowVisitor)
    }
}

/// Reads `[packets, bytes]`, or `{"packets": …, "bytes": …}` (format 3
/// and older; a missing field reads as zero, unknown ones are skipped).
struct FlowVisitor;

impl<'de> Visitor<'de> for FlowVisitor {
    type Value = Flow;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("[packets, bytes] or {\"packets\", \"bytes\"}")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Flow, A::Error> {
        let packets = seq.next_element()?.ok_or_else(|| serde::de::Error::invalid_length(0, &self))?;
        let bytes = seq.next_element()?.ok_or_else(|| serde::de::Error::invalid_length(1, &self))?;
        if seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
            return Err(serde::de::Error::invalid_length(3, &self));
        }
        Ok(Flow { packets, bytes })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Flow, A::Error> {
        let mut flow = Flow::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "packets" => flow.packets = map.next_value()?,
                "bytes" => flow.bytes = map.next_value()?,
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(flow)
    }
}

impl Flow {
    /// Adds one datagram of `bytes`.
    pub fn add(&mut self, bytes: usize) {
        self.packets += 1;
        self.bytes += bytes as u64;
    }
}

impl std::ops::AddAssign for Flow {
    fn add_assign(&mut self, rhs: Flow) {
        self.packets += rhs.packets;
        self.bytes += rhs.bytes;
    }
}

/// Number of [`DropReason`]s.
pub const DROP_REASONS: usize = DropReason::ALL.len();
/// Number of [`MsgKind`]s.
pub const MSG_KINDS: usize = MsgKind::ALL.len();
/// Why an arriving datagram was rejected before the protocol saw it, in
/// counter order (see [`crate::wire::WireError::reason`] and
/// [`crate::security::Reject::reason`]): `unauthenticated` did not open
/// under the keyring (or was plain while sealing is on), `oversized` was
/// larger than the largest datagram a node accepts (its read buffer).
/// New reasons go at the end: session logs store these counters in order.
pub const REJECT_REASONS: [&str; 7] =
    ["bad_size", "foreign", "version", "malformed", "trailing", "unauthenticated", "oversized"];

/// All traffic counters of one node (or, summed, of a cluster).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Traffic {
    /// Sent by kind (what left the node, before the fault shim).
    pub sent: [Flow; MSG_KINDS],
    /// Received and handled by kind.
    pub received: [Flow; MSG_KINDS],
    /// Dropped by the fault shim (or a paused node's full buffer), by reason.
    pub dropped: [Flow; DROP_REASONS],
    /// Arrived but rejected by the codec, by [`REJECT_REASONS`]. Logs
    /// written before a reason existed have fewer entries: the missing
    /// ones read as zero, and entries a newer build added are ignored.
    #[serde(deserialize_with = "flows_by_position")]
    pub rejected: [Flow; REJECT_REASONS.len()],
}

impl Traffic {
    /// Totals over every kind.
    pub fn sent_total(&self) -> Flow {
        sum(&self.sent)
    }

    /// Totals over every kind.
    pub fn received_total(&self) -> Flow {
        sum(&self.received)
    }

    /// Totals over every reason.
    pub fn dropped_total(&self) -> Flow {
        sum(&self.dropped)
    }

    /// Totals over every reason.
    pub fn rejected_total(&self) -> Flow {
        sum(&self.rejected)
    }

    /// Adds another node's counters to these.
    pub fn merge(&mut self, other: &Traffic) {
        for (a, b) in self.sent.iter_mut().zip(&other.sent) {
            *a += *b;
        }
        for (a, b) in self.received.iter_mut().zip(&other.received) {
            *a += *b;
        }
        for (a, b) in self.dropped.iter_mut().zip(&other.dropped) {
            *a += *b;
        }
        for (a, b) in self.rejected.iter_mut().zip(&other.rejected) {
            *a += *b;
        }
    }
}

fn sum(flows: &[Flow]) -> Flow {
    flows.iter().fold(Flow::default(), |mut acc, f| {
        acc += *f;
        acc
    })
}

/// Reads a list of flows into a fixed array: missing entries are zero,
/// extra ones are ignored.
fn flows_by_position<'de, D, const N: usize>(d: D) -> Result<[Flow; N], D::Error>
where
    D: serde::Deserializer<'de>,
{
    let flows = Vec::<Flow>::deserialize(d)?;
    let mut out = [Flow::default(); N];
    for (o, f) in out.iter_mut().zip(flows) {
        *o = f;
    }
    Ok(out)
}

/// The counter slot for a codec rejection reason; an unknown name (a bug)
/// counts as `malformed`.
pub fn reject_index(reason: &str) -> usize {
    let malformed = 3;
    debug_assert_eq!(REJECT_REASONS[malformed], "malformed");
    REJECT_REASONS.iter().position(|r| *r == reason).unwrap_or(malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_and_merge() {
        let mut a = Traffic::default();
        a.sent[MsgKind::Ping.index()].add(40);
        a.sent[MsgKind::Ack.index()].add(30);
        a.dropped[DropReason::Loss.index()].add(40);
        let mut b = Traffic::default();
        b.merge(&a);
        b.merge(&a);
        assert_eq!(b.sent_total(), Flow { packets: 4, bytes: 140 });
        assert_eq!(b.dropped_total().packets, 2);
        assert_eq!(reject_index("foreign"), 1);
        assert_eq!(reject_index("no such reason"), reject_index("malformed"));
    }

    #[test]
    fn a_flow_is_written_as_a_pair_and_read_in_either_form() {
        let flow = Flow { packets: 3, bytes: 1_400 };
        assert_eq!(serde_json::to_string(&flow).unwrap(), "[3,1400]");
        let read = |json: &str| serde_json::from_str::<Flow>(json);
        assert_eq!(read("[3,1400]").unwrap(), flow);
        assert_eq!(read(r#"{"packets":3,"bytes":1400}"#).unwrap(), flow, "format 3 and older");
        assert_eq!(read(r#"{"bytes":1400,"packets":3,"later":true}"#).unwrap(), flow);
        assert!(read("[3]").is_err() && read("[3,1400,9]").is_err() && read("3").is_err());
    }

    #[test]
    fn rejections_from_older_logs_read_with_the_new_reasons_zero() {
        let mut t = Traffic::default();
        t.rejected[reject_index("unauthenticated")].add(50);
        let mut json = serde_json::to_value(&t).unwrap();
        let old: Vec<_> = json["rejected"].as_array().unwrap()[..5].to_vec();
        json["rejected"] = old.into();
        let back: Traffic = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back.rejected_total(), Flow::default());
        let mut longer = serde_json::to_value(&t).unwrap();
        longer["rejected"].as_array_mut().unwrap().push(serde_json::json!({"packets": 9, "bytes": 9}));
        let back: Traffic = serde_json::from_value(longer).unwrap();
        assert_eq!(back, t);
    }
}
