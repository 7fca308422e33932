//! A `rogue` timeline step's own parameters: which attack, and the `count`
//! and `for` only some attacks take. Kept apart from the other actions'
//! parsing because `count` and `for` mean something else here (the
//! attack's size and length, not repetition and an undo step).

use super::step::Args;
use super::{Result, field_name};
use crate::config::error::closest;
use crate::rogue::{Attack, MAX_MASK_FOR};
use crate::scenario::{Action, NodeRef, format_duration};

impl Args<'_> {
    /// A `rogue` step against `node`.
    pub(super) fn rogue(&self, node: NodeRef) -> Result<Action> {
        let (n, p, r) = (self.n, self.p.as_str(), self.raw());
        let names = Attack::NAMES.join(", ");
        let Some(raw) = &r.attack else {
            return Err(self.b.ctx.err(
                format!("[[timeline]] #{n} attack"),
                r.action.as_ref().map(|v| v.span()),
                format!("{p}\"attack\" is missing: add attack = \"death\" (or one of: {names})"),
            ));
        };
        let name = raw.get_ref().as_str();
        let Some(attack) = Attack::from_name(name) else {
            let hint =
                closest(name, Attack::NAMES.into_iter()).map(|c| format!("did you mean \"{c}\"? ")).unwrap_or_default();
            return Err(self.b.ctx.err(
                field_name(p, "attack"),
                Some(raw.span()),
                format!("{p}attack = \"{name}\" is not an attack: {hint}use one of: {names}"),
            ));
        };
        let count = match &r.count {
            None => None,
            Some(v) if !attack.takes_count() => {
                return Err(self.b.ctx.err(
                    field_name(p, "count"),
                    Some(v.span()),
                    format!(
                        "{p}\"count\" does not apply to attack \"{name}\": remove it (count is the number of fake \
                         members of a flood, or of sequence numbers an ack_mask sweeps)"
                    ),
                ));
            }
            Some(v) => Some(self.b.int(p, "count", v, 1, i64::from(attack.max_count()))? as u32),
        };
        let duration = match &r.for_ {
            None => None,
            Some(v) if !attack.takes_for() => {
                return Err(self.b.ctx.err(
                    field_name(p, "for"),
                    Some(v.span()),
                    format!("{p}\"for\" does not apply to attack \"{name}\", which is one burst: remove it (only ack_mask lasts)"),
                ));
            }
            Some(v) => {
                let d = self.b.duration(p, "for", v, true)?;
                if d > MAX_MASK_FOR {
                    return Err(self.b.ctx.err(
                        field_name(p, "for"),
                        Some(v.span()),
                        format!(
                            "{p}for = \"{}\" is too long: use at most \"{}\"",
                            v.get_ref(),
                            format_duration(MAX_MASK_FOR)
                        ),
                    ));
                }
                Some(d)
            }
        };
        Ok(Action::Rogue { attack, node, count, duration })
    }
}
