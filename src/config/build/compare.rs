//! `[compare]` → [`Compare`]: each side's protocol over the profile's, and
//! the directions `[compare.expect]` predicts.

use super::{Builder, Result};
use crate::config::compare::{Compare, Contender};
use crate::config::raw::{RawCompare, RawCompareExpect, RawProtocol, RawSide, Sp, protocol_fields};
use crate::scenario::{Direction, Figure, Which};

/// A side's `[protocol]`: a side that names a family or a preset replaces
/// the profile's section (the other family's fields, or one preset's
/// overrides, would not mean the same on it); otherwise its fields
/// overlay the profile's one by one, so `phi_convict = 5` is all a side
/// needs to differ in just that.
pub(super) fn overlay(base: &RawProtocol, side: &RawProtocol) -> RawProtocol {
    if side.family.is_some() || side.preset.is_some() {
        return side.clone();
    }
    let mut out = base.clone();
    macro_rules! take {
        ($($f:ident),*) => {
            // Destructured without `..`: a field missing from the list is
            // a compile error, not a side that silently ignores it.
            let RawProtocol { family: _, preset: _, $($f),* } = side;
            $(
                if $f.is_some() {
                    out.$f = $f.clone();
                }
            )*
        };
    }
    protocol_fields!(take);
    out
}

impl Builder<'_> {
    /// `[compare]` over the profile's `[protocol]` (`base`).
    pub(super) fn compare(&self, base: &RawProtocol, r: &RawCompare) -> Result<Compare> {
        let a = self.contender(base, Which::A, r.a.as_ref())?;
        let b = self.contender(base, Which::B, r.b.as_ref())?;
        if a.name == b.name {
            let span = r.b.as_ref().and_then(|s| s.get_ref().name.as_ref()).map(|n| n.span());
            return Err(self.ctx.err(
                "[compare.b] name",
                span,
                format!(
                    "[compare.b] name: both sides are called \"{}\": give them different names, \
                     such as the protocol each runs",
                    a.name
                ),
            ));
        }
        let (expect, detection_within_theory) =
            self.directions(&r.expect.as_ref().map_or_else(Default::default, |e| e.clone()))?;
        Ok(Compare { a, b, expect, detection_within_theory })
    }

    fn contender(&self, base: &RawProtocol, which: Which, side: Option<&Sp<RawSide>>) -> Result<Contender> {
        let table = format!("[compare.{}]", which.key());
        let Some(side) = side else {
            return Err(self.ctx.err(
                table.clone(),
                None,
                format!(
                    "{table} is missing: a comparison needs both sides, each with a name and a protocol, \
                     such as {table} name = \"phi\", protocol = {{ family = \"phi\" }}"
                ),
            ));
        };
        let raw = overlay(base, &side.get_ref().protocol.clone().unwrap_or_default());
        let (preset, section, phi) = self.protocol_section(&raw)?;
        let name = match &side.get_ref().name {
            Some(n) if n.get_ref().trim().is_empty() || n.get_ref().chars().count() > 32 => {
                return Err(self.ctx.err(
                    format!("{table} name"),
                    Some(n.span()),
                    format!("{table} name = \"{}\": use 1 to 32 characters", n.get_ref()),
                ));
            }
            Some(n) => n.get_ref().trim().to_owned(),
            None => which.key().to_uppercase(),
        };
        let member_cap = section.max_members_set.then_some(section.config.max_members);
        Ok(Contender { name, preset, protocol: section.config, phi, member_cap })
    }

    /// `[compare.expect]`: the directions, and `detection_within_theory`.
    fn directions(&self, r: &RawCompareExpect) -> Result<(Vec<Direction>, Option<f64>)> {
        let given = [
            (Figure::FirstDetection, &r.faster_first_detection),
            (Figure::FullDetection, &r.faster_full_detection),
            (Figure::FalseSuspicions, &r.fewer_false_suspicions),
            (Figure::FalsePositives, &r.fewer_false_positives),
            (Figure::Packets, &r.fewer_packets),
            (Figure::Bytes, &r.fewer_bytes),
            (Figure::Convergence, &r.faster_convergence),
        ];
        let mut out = Vec::new();
        for (figure, value) in given {
            let Some(v) = value else { continue };
            let better = match v.get_ref().as_str() {
                "a" | "A" => Which::A,
                "b" | "B" => Which::B,
                other => {
                    let key = figure.expect_key();
                    return Err(self.ctx.err(
                        format!("[compare.expect] {key}"),
                        Some(v.span()),
                        format!(
                            "[compare.expect] {key} = \"{other}\" names no side: use \"a\" or \"b\", \
                             the side predicted to have the lower figure"
                        ),
                    ));
                }
            };
            out.push(Direction { figure, better });
        }
        let slack = match &r.detection_within_theory {
            Some(v) if !(1.0..=10.0).contains(v.get_ref()) => {
                return Err(self.ctx.err(
                    "[compare.expect] detection_within_theory",
                    Some(v.span()),
                    format!(
                        "[compare.expect] detection_within_theory = {} is out of range: use a factor of the theory \
                         bound from 1.0 to 10.0, such as 1.5",
                        v.get_ref()
                    ),
                ));
            }
            v => v.as_ref().map(|v| *v.get_ref()),
        };
        Ok((out, slack))
    }
}
