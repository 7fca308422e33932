//! The phi view, the Suspicions tab of a phi lab: what each detector
//! believes. Every observer → subject pair whose phi has left the floor,
//! highest first, with the threshold, a bar toward it and the trend over
//! the last heartbeat interval; above them, the detector's formula and
//! the theory's figures for this tuning and network, as SWIM's view shows
//! its suspicion timeouts.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{Ctx, bar, dim, life_style, selected_style, short, title_style};
use crate::observe::status::PHI_FLOOR;
use crate::protocol::phi::{Config, theory};
use crate::ui::layout;
use crate::ui::order;

/// The subject column's width, as in the suspicions list.
const SUBJ: usize = 8;

fn secs(d: std::time::Duration) -> String {
    format!("{:.2}s", d.as_secs_f64())
}

/// The trend as an arrow and a signed value.
fn trend(t: f64) -> (String, Color) {
    match t {
        t if t > 0.05 => (format!("↑{t:>5.2}"), Color::Red),
        t if t < -0.05 => (format!("↓{:>5.2}", -t), Color::Green),
        _ => ("→ 0.00".to_owned(), Color::DarkGray),
    }
}

/// Draws the phi view.
pub fn render(frame: &mut Frame, area: Rect, ctx: &Ctx, cfg: &Config) {
    let snap = ctx.snap;
    let n = snap.nodes.len();
    let (top, list) = layout::suspicions(area);
    let jitter = std::time::Duration::from_secs_f64(snap.plan.baseline.jitter_ms.max(0.0) / 1000.0);
    let loss = snap.plan.baseline.loss;
    let hb = cfg.heartbeat_interval;
    // Two lines that fit 80 columns: the detector, then the theory.
    let model = vec![
        Line::raw(format!(
            "suspect at φ {:.1}, convict at φ {:.1}; F = normal over {} gaps, +{} pause",
            cfg.phi_suspect(),
            cfg.phi_convict,
            cfg.window,
            secs(cfg.acceptable_pause)
        )),
        Line::raw(format!(
            "theory: convict {} into a silence, all {n} by {}; {:.0e} false/s, {}% loss",
            secs(theory::expected_conviction(cfg, hb, jitter)),
            secs(theory::expected_detection(cfg, n, jitter)),
            theory::false_conviction_rate(cfg, jitter, loss),
            (loss * 100.0).round()
        )),
    ];
    frame.render_widget(
        Paragraph::new(model)
            .block(Block::bordered().title(Span::styled(" phi accrual: φ = −log10(1 − F(silence)) ", title_style()))),
        top,
    );

    let rows = order::phis(snap);
    let label = format!("phi ≥ {PHI_FLOOR:.0}");
    let (inner, first, visible) = super::paged_list(frame, area, list, ctx, &label, rows.len());
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new(
                "every subject heard from on time: crash (c), pause (z) or isolate (i) a node to see phi rise",
            )
            .style(dim()),
            inner,
        );
        return;
    }
    let bar_w = inner.width.saturating_sub(SUBJ as u16 + 44).clamp(4, 40) as usize;
    let header = format!(
        "{:>5} → {:<SUBJ$} {:<8} {:>6}  {:<bar_w$} {:>6} {:>6}",
        "obs", "subj", "state", "phi", "toward the threshold", "of", "trend"
    );
    let sel = ctx.selected();
    let index: std::collections::HashMap<_, _> = snap.nodes.iter().map(|r| (r.addr, r.index)).collect();
    let mut lines = vec![Line::styled(header, title_style())];
    for &(observer, mark) in rows.iter().skip(first).take(visible) {
        let subject = index.get(&mark.subject).copied();
        let (name, life) = match subject.and_then(|s| snap.nodes.get(s)) {
            Some(row) => (short(&row.index.to_string(), SUBJ), Some(row.life)),
            None => (short(&mark.subject.to_string(), SUBJ), None),
        };
        let phi = mark.phi();
        let colour = if phi >= cfg.phi_convict {
            Color::Red
        } else if phi >= cfg.phi_suspect() {
            Color::Yellow
        } else {
            Color::Green
        };
        let (arrow, arrow_colour) = trend(mark.trend());
        let line = Line::from(vec![
            Span::raw(format!("{:>5} → {name:<SUBJ$} ", short(&observer.to_string(), 5))),
            Span::styled(format!("{:<8}", life.map_or("foreign", |l| l.as_str())), life.map_or(dim(), life_style)),
            Span::styled(format!(" {phi:>6.2}"), Style::new().fg(colour)),
            Span::raw("  "),
            Span::styled(bar(phi / cfg.phi_convict, bar_w), Style::new().fg(colour)),
            Span::raw(format!(" {:>6.1} ", cfg.phi_convict)),
            Span::styled(arrow, Style::new().fg(arrow_colour)),
        ]);
        let involved = observer == sel || subject == Some(sel);
        lines.push(if involved { line.style(selected_style()) } else { line });
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::observe::status::PhiMark;
    use crate::ui::App;
    use crate::ui::fixture::{self, CRASHED, PAUSED};

    /// The whole screen of the view as text lines.
    fn screen(snap: &crate::observe::Snapshot, width: u16, height: u16) -> Vec<String> {
        let app = App::new(None);
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        let cfg = snap.phi.clone().unwrap();
        terminal.draw(|f| render(f, f.area(), &Ctx { snap, app: &app }, &cfg)).unwrap();
        let buf = terminal.backend().buffer();
        (0..buf.area.height).map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect()).collect()
    }

    fn mark(snap: &crate::observe::Snapshot, subject: usize, phi: f64, trend: f64) -> PhiMark {
        PhiMark {
            subject: snap.nodes[subject].addr,
            phi_centi: (phi * 100.0) as u32,
            trend_centi: (trend * 100.0) as i32,
        }
    }

    #[test]
    fn rows_go_highest_phi_first_with_threshold_trend_and_theory_at_80_columns() {
        let mut snap = fixture::scene(8);
        snap.phi = Some(Config::fast());
        let (crashed, paused) = (mark(&snap, CRASHED, 9.5, 2.0), mark(&snap, PAUSED, 4.25, -0.5));
        snap.nodes[0].status.phis = vec![mark(&snap, PAUSED, 1.5, 0.0)];
        snap.nodes[6].status.phis = vec![crashed, paused];
        let lines = screen(&snap, 80, 14);
        let text = lines.join("\n");
        assert!(text.contains("suspect at φ 4.0, convict at φ 8.0"), "{text}");
        assert!(text.contains("theory: convict"), "{text}");
        assert!(lines.iter().all(|l| l.chars().count() == 80));
        let rows: Vec<&String> = lines.iter().filter(|l| l.contains('→') && !l.contains("obs")).collect();
        assert_eq!(rows.len(), 3, "{text}");
        assert!(rows[0].contains(&format!("6 → {CRASHED}")) && rows[0].contains("9.50") && rows[0].contains("↑ 2.00"));
        assert!(rows[1].contains(&format!("6 → {PAUSED}")) && rows[1].contains("4.25") && rows[1].contains("↓ 0.50"));
        assert!(rows[2].contains(&format!("0 → {PAUSED}")) && rows[2].contains("1.50"), "{text}");
        assert!(rows.iter().all(|r| r.contains("8.0")), "the threshold on every row");
    }

    #[test]
    fn a_quiet_phi_lab_says_how_to_make_phi_rise() {
        let mut snap = fixture::scene(8);
        snap.phi = Some(Config::fast());
        for n in &mut snap.nodes {
            n.status.phis.clear();
        }
        let text = screen(&snap, 100, 12).join("\n");
        assert!(text.contains("every subject heard from on time"), "{text}");
    }
}
