//! The kinds of value a step's parameters hold, each with its bounds: a
//! node (`node`), a node index (`from`, `to`), a probability, a short delay,
//! a grouping, a flag, a rumor payload, a key. The action table's `parse`
//! functions read parameters only through these getters.

use std::collections::BTreeSet;
use std::time::Duration;

use super::step::Args;
use super::{MAX_DELAY, Result};
use crate::config::MAX_NODES;
use crate::config::raw::Sp;
use crate::config::security::key_ref;
use crate::protocol::message::MAX_RUMOR_PAYLOAD;
use crate::scenario::{Action, Groups, NodeRef, format_duration};
use crate::security::KeyRef;

impl Args<'_> {
    /// `node = 3` (an index below [`MAX_NODES`]) or `node = "random"`.
    pub(super) fn node(&self) -> Result<NodeRef> {
        let v = self.raw().node.as_ref().ok_or_else(|| self.missing("node"))?;
        match v.get_ref() {
            toml::Value::Integer(i) if (0..MAX_NODES as i64).contains(i) => Ok(NodeRef::Index(*i as usize)),
            toml::Value::String(s) if s == "random" => Ok(NodeRef::Random),
            other => Err(self.err(
                "node",
                Some(v.span()),
                format!(
                    "{}node = {other} is not a node: use an index from 0 to {} or \"random\"",
                    self.p,
                    MAX_NODES - 1
                ),
            )),
        }
    }

    /// A node index below [`MAX_NODES`].
    fn index(&self, key: &str, v: &Option<Sp<i64>>) -> Result<usize> {
        let v = v.as_ref().ok_or_else(|| self.missing(key))?;
        Ok(self.b.int(&self.p, key, v, 0, MAX_NODES as i64 - 1)? as usize)
    }

    /// A probability in `[0, 1]`; 0 when the step leaves it out.
    pub(super) fn probability(&self, key: &str, v: &Option<Sp<f64>>) -> Result<f64> {
        Ok(v.as_ref().map(|v| self.b.probability(&self.p, key, v)).transpose()?.unwrap_or(0.0))
    }

    /// A duration up to [`MAX_DELAY`]; zero when the step leaves it out.
    pub(super) fn delay(&self, key: &str, v: &Option<Sp<String>>) -> Result<Duration> {
        let Some(v) = v else { return Ok(Duration::ZERO) };
        let d = self.b.duration(&self.p, key, v, false)?;
        if d > MAX_DELAY {
            return Err(self.err(
                key,
                Some(v.span()),
                format!(
                    "{}{key} = \"{}\" is too long: use at most \"{}\"",
                    self.p,
                    v.get_ref(),
                    format_duration(MAX_DELAY)
                ),
            ));
        }
        Ok(d)
    }

    /// A switch; off when the step leaves it out.
    pub(super) fn flag(&self, v: &Option<Sp<bool>>) -> bool {
        v.as_ref().is_some_and(|v| *v.get_ref())
    }

    /// A rumor's payload, at most [`MAX_RUMOR_PAYLOAD`] bytes; "rumor #N"
    /// (the entry's number) when the step leaves it out.
    pub(super) fn payload(&self) -> Result<String> {
        match &self.raw().payload {
            Some(v) if v.get_ref().len() > MAX_RUMOR_PAYLOAD => Err(self.err(
                "payload",
                Some(v.span()),
                format!("{}payload is {} bytes: use at most {MAX_RUMOR_PAYLOAD}", self.p, v.get_ref().len()),
            )),
            Some(v) => Ok(v.get_ref().clone()),
            None => Ok(format!("rumor #{}", self.n)),
        }
    }

    /// `key = "newest"` or `"oldest"`; `default` when the step leaves it out.
    pub(super) fn key_ref(&self, default: KeyRef) -> Result<KeyRef> {
        key_ref(self.b, &self.p, self.n, self.raw().key.as_ref(), default)
    }

    /// A `set_link` step: two different node indices, and the link's loss,
    /// delay and jitter (each zero when left out).
    pub(super) fn link(&self) -> Result<Action> {
        let r = self.raw();
        let (from, to) = (self.index("from", &r.from)?, self.index("to", &r.to)?);
        if from == to {
            let span = r.to.as_ref().map(|v| v.span());
            return Err(self.err(
                "to",
                span,
                format!("{}from and to are both {from}: a link joins two different nodes", self.p),
            ));
        }
        let loss = self.probability("loss", &r.loss)?;
        let (delay, jitter) = (self.delay("delay", &r.delay)?, self.delay("jitter", &r.jitter)?);
        Ok(Action::SetLink { from, to, loss, delay, jitter })
    }

    /// `groups = "halves"`, or lists of node indices below [`MAX_NODES`]
    /// where no node is in two groups and no group is empty.
    pub(super) fn groups(&self) -> Result<Groups> {
        let v = self.raw().groups.as_ref().ok_or_else(|| self.missing("groups"))?;
        let bad = |why: &str| {
            self.err(
                "groups",
                Some(v.span()),
                format!(
                    "{}groups = {} {why}: use \"halves\" or lists of node indices like [[0, 1, 2], [3, 4, 5]]",
                    self.p,
                    v.get_ref()
                ),
            )
        };
        let arrays = match v.get_ref() {
            toml::Value::String(s) if s == "halves" => return Ok(Groups::Halves),
            toml::Value::Array(a) if !a.is_empty() => a,
            _ => return Err(bad("is not a grouping")),
        };
        let mut groups = Vec::with_capacity(arrays.len());
        let mut seen = BTreeSet::new();
        for g in arrays {
            let toml::Value::Array(items) = g else { return Err(bad("has a group that is not a list")) };
            if items.is_empty() {
                return Err(bad("has an empty group"));
            }
            let mut group = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    toml::Value::Integer(i) if (0..MAX_NODES as i64).contains(i) => {
                        let i = *i as usize;
                        if !seen.insert(i) {
                            return Err(bad(&format!("lists node {i} twice (each node belongs to one group)")));
                        }
                        group.push(i);
                    }
                    other => return Err(bad(&format!("has {other}, which is not a node index"))),
                }
            }
            groups.push(group);
        }
        Ok(Groups::Explicit(groups))
    }
}
