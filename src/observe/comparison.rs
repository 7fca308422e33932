//! The verdict of a comparison: two runs of one scenario, each side's
//! summary, the figures side by side with B's ratio to A, and the
//! directions the profile predicted, checked.
//!
//! It exists apart from [`Summary`] because its question is different: not
//! "did this run behave" but "which protocol did better, by how much, and
//! as the literature says".

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::summary::{Check, DetectionSummary, Summary};
use crate::scenario::{Direction, Figure, Which, split_side_profile};

/// One figure of both sides.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FigureRow {
    /// The figure.
    pub figure: Figure,
    /// A's value (None: nothing to measure, or never reached).
    pub a: Option<f64>,
    /// B's value.
    pub b: Option<f64>,
    /// B / A (None when either is missing or A is zero).
    pub ratio: Option<f64>,
}

/// Two runs of one scenario, judged together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The sides' names, A's first.
    pub names: [String; 2],
    /// Side A's summary.
    pub a: Summary,
    /// Side B's summary.
    pub b: Summary,
    /// Every figure, A beside B.
    pub figures: Vec<FigureRow>,
    /// The comparison's own checks: each predicted direction, and each
    /// side's detection against its theory bound when asked.
    pub checks: Vec<Check>,
    /// Both sides passed their own expectations and every check held.
    pub passed: bool,
    /// The directions predicted, so a report can judge the saved sessions
    /// again.
    pub directions: Vec<Direction>,
    /// Each side's full detection was held to this many times its
    /// theory bound, if at all.
    pub within_theory: Option<f64>,
}

/// `figure` as `s` measured it.
pub fn figure(s: &Summary, figure: Figure) -> Option<f64> {
    let mean = |f: fn(&DetectionSummary) -> Option<f64>| {
        let done: Vec<_> = s.detections.iter().filter(|d| !d.aborted).collect();
        let vals: Option<Vec<f64>> = done.iter().map(|d| f(d)).collect();
        vals.filter(|v| !v.is_empty()).map(|v| v.iter().sum::<f64>() / v.len() as f64)
    };
    match figure {
        Figure::FirstDetection => mean(|d| d.first_dead_s),
        Figure::FullDetection => mean(|d| d.full_s),
        Figure::FalseSuspicions => Some(s.false_suspicions as f64),
        Figure::FalsePositives => Some(s.false_positives as f64),
        Figure::Packets => Some(s.traffic.packets_per_node_per_s),
        Figure::Bytes => Some(s.traffic.bytes_per_node_per_s),
        Figure::Convergence => s.converged_after_s,
    }
}

fn show(figure: Figure, v: Option<f64>) -> String {
    match (figure, v) {
        (_, None) => "—".to_owned(),
        (Figure::FirstDetection | Figure::FullDetection | Figure::Convergence, Some(v)) => format!("{v:.2}s"),
        (Figure::FalseSuspicions | Figure::FalsePositives | Figure::Bytes, Some(v)) => format!("{v:.0}"),
        (Figure::Packets, Some(v)) => format!("{v:.1}"),
    }
}

impl Comparison {
    /// Judges two runs: `directions` as the profile predicted them, and,
    /// with `within_theory`, each side's full detections against that
    /// many times its family's bound.
    pub fn judge(
        names: [String; 2],
        a: Summary,
        b: Summary,
        directions: &[Direction],
        within_theory: Option<f64>,
    ) -> Self {
        let figures: Vec<FigureRow> = Figure::ALL
            .iter()
            .map(|&f| {
                let (va, vb) = (figure(&a, f), figure(&b, f));
                let ratio = va.zip(vb).filter(|(a, _)| *a > 0.0).map(|(a, b)| b / a);
                FigureRow { figure: f, a: va, b: vb, ratio }
            })
            .collect();
        let mut checks = Vec::new();
        for d in directions {
            let row = figures.iter().find(|r| r.figure == d.figure).expect("every figure has a row");
            let (better, worse, bn, wn) = match d.better {
                Which::A => (row.a, row.b, &names[0], &names[1]),
                Which::B => (row.b, row.a, &names[1], &names[0]),
            };
            let ok = better.zip(worse).is_some_and(|(x, y)| x < y);
            checks.push(Check {
                name: d.figure.expect_key().to_owned(),
                expected: format!("{bn} < {wn}"),
                actual: format!("{bn} {}, {wn} {}", show(d.figure, better), show(d.figure, worse)),
                ok,
            });
        }
        if let Some(slack) = within_theory {
            for (name, s) in [(&names[0], &a), (&names[1], &b)] {
                let limit = |d: &DetectionSummary| d.model_full_s * slack;
                let over: Vec<String> = s
                    .detections
                    .iter()
                    .filter(|d| !d.aborted && d.full_s.is_none_or(|t| t > limit(d)))
                    .map(|d| format!("node {} {} > {:.2}s", d.node, show(Figure::FullDetection, d.full_s), limit(d)))
                    .collect();
                let bounds: Vec<String> =
                    s.detections.iter().map(|d| format!("{slack} × {:.2}s", d.model_full_s)).collect();
                let got: Vec<String> = s.detections.iter().map(|d| show(Figure::FullDetection, d.full_s)).collect();
                checks.push(Check {
                    name: format!("{name}: detection_within_theory"),
                    expected: format!("≤ {}", if bounds.is_empty() { "—".to_owned() } else { bounds.join(", ") }),
                    actual: if over.is_empty() { got.join(", ") } else { over.join("; ") },
                    ok: over.is_empty() && !s.detections.is_empty(),
                });
            }
        }
        let passed = a.passed && b.passed && checks.iter().all(|c| c.ok);
        Comparison { names, a, b, figures, checks, passed, directions: directions.to_vec(), within_theory }
    }

    /// The two-column summary a headless comparison prints.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let w = &mut out;
        let (a, b) = (&self.a, &self.b);
        let _ = writeln!(
            w,
            "gossip-lab compare: profile \"{}\" — {}, seed {}, {:.1}s on {}",
            split_side_profile(&a.profile).0,
            a.node_counts(),
            a.seed,
            a.duration_s,
            if a.driver == "sim" { "the simulator (virtual time)" } else { "real UDP sockets, both at once" }
        );
        let _ = writeln!(w, "  A  {:<12} {}", self.names[0], a.protocol);
        let _ = writeln!(w, "  B  {:<12} {}", self.names[1], b.protocol);
        let _ = writeln!(w);
        let (ha, hb) = (format!("A {}", self.names[0]), format!("B {}", self.names[1]));
        let _ = writeln!(w, "{:<30} {:>14} {:>14} {:>8}", "", ha, hb, "B/A");
        for r in &self.figures {
            let ratio = r.ratio.map_or_else(|| "—".to_owned(), |x| format!("{x:.2}"));
            let _ = writeln!(
                w,
                "{:<30} {:>14} {:>14} {:>8}",
                r.figure.label(),
                show(r.figure, r.a),
                show(r.figure, r.b),
                ratio
            );
        }
        let bound = |s: &Summary| s.detections.first().map(|d| d.model_full_s);
        if bound(a).is_some() || bound(b).is_some() {
            let _ = writeln!(
                w,
                "{:<30} {:>14} {:>14}",
                "theory: full detection bound",
                show(Figure::FullDetection, bound(a)),
                show(Figure::FullDetection, bound(b))
            );
        }
        if a.phi_theory.is_some() || b.phi_theory.is_some() {
            let rate = |s: &Summary| {
                s.phi_theory
                    .as_ref()
                    .map_or_else(|| "—".to_owned(), |p| format!("{:.1e}", p.worst_false_convictions_per_s))
            };
            let _ = writeln!(w, "{:<30} {:>14} {:>14}", "theory: false convictions /s", rate(a), rate(b));
        }
        let _ = writeln!(w);
        // A side's own expectations carry its letter; the comparison's
        // checks name their sides in themselves.
        let check = |w: &mut String, side: &str, c: &Check| {
            let verdict = if c.ok { "PASS" } else { "FAIL" };
            let _ = writeln!(w, "{verdict} {side:<1} {:<24} expected {:<12} got {}", c.name, c.expected, c.actual);
        };
        for (side, s) in [("A", a), ("B", b)] {
            for c in &s.expectations {
                check(w, side, c);
            }
            if s.cut.is_some() {
                let _ = writeln!(w, "?    {side} stopped early: its expectations are not all judged");
            }
        }
        for c in &self.checks {
            check(w, "", c);
        }
        let verdict = if self.passed {
            "every expectation and predicted direction held"
        } else if a.cut.is_some() {
            "STOPPED EARLY"
        } else {
            "EXPECTATIONS FAILED"
        };
        let _ = writeln!(w, "result: {verdict}");
        out
    }
}
