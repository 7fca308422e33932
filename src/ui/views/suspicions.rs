//! Suspicions: every active suspicion (observer → subject) with its
//! countdown, its confirmations C/k, and the Lifeguard timeout shrinking
//! from max toward min as independent confirmations arrive. This is where
//! Lifeguard's dynamic suspicion is visible in action. A phi lab shows
//! its detector's beliefs here instead ([`super::phi`]).

use std::collections::HashMap;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{Ctx, bar, dim, life_style, selected_style, short, title_style};
use crate::protocol::SuspicionView;
use crate::ui::layout;
use crate::ui::order;

/// The subject column's width: a node index, or the end of a foreign
/// subject's address ("…1:65000").
const SUBJ: usize = 8;

/// One row: who suspects whom.
struct Row<'a> {
    observer: usize,
    subject: Option<usize>,
    view: &'a SuspicionView,
}

fn secs(d: std::time::Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

/// Draws the suspicions.
pub fn render(frame: &mut Frame, area: Rect, ctx: &Ctx) {
    let snap = ctx.snap;
    if let Some(phi) = &snap.phi {
        return super::phi::render(frame, area, ctx, phi);
    }
    let n = snap.nodes.len();
    let (top, list) = layout::suspicions(area);
    let c = &snap.config;
    let model = if c.dynamic_suspicion {
        vec![
            Line::raw("Lifeguard: timeout = max − (max−min)·ln(C+1)/ln(k+1) with C confirmations"),
            Line::raw(format!(
                "at N={n}: starts at max {}, shrinks to min {} after k={} confirmations",
                secs(c.suspicion_max(n)),
                secs(c.suspicion_min(n)),
                c.suspicion_k(n)
            )),
        ]
    } else {
        vec![Line::raw(format!(
            "plain SWIM: a fixed timeout of {} whatever the confirmations",
            secs(c.suspicion_min(n))
        ))]
    };
    frame.render_widget(
        Paragraph::new(model).block(Block::bordered().title(Span::styled(" suspicion timeout ", title_style()))),
        top,
    );

    let index: HashMap<_, _> = snap.nodes.iter().map(|r| (r.addr, r.index)).collect();
    let rows: Vec<Row> = order::suspicions(snap)
        .into_iter()
        .map(|(observer, view)| Row { observer, subject: index.get(&view.member).copied(), view })
        .collect();
    // A partition of thousands of nodes holds millions: the snapshot
    // lists the soonest, and the title says how many there are.
    let label = match snap.suspicions_active {
        active if active > rows.len() => format!("soonest of {active} active suspicions"),
        _ => "active suspicions".to_owned(),
    };
    let (inner, first, visible) = super::paged_list(frame, area, list, ctx, &label, rows.len());
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new("no active suspicions: crash (c), pause (z) or isolate (i) a node to see some").style(dim()),
            inner,
        );
        return;
    }
    let bar_w = inner.width.saturating_sub(SUBJ as u16 + 57).clamp(4, 40) as usize;
    let header = format!(
        "{:>5} → {:<SUBJ$} {:<8} {:>5}  {:<bar_w$} {:>6} {:>6} {:>6} {:>6}",
        "obs", "subj", "state", "C/k", "time left", "left", "now", "max", "min"
    );
    let sel = ctx.selected();
    let mut lines = vec![Line::styled(header, title_style())];
    for r in rows.iter().skip(first).take(visible) {
        let v = r.view;
        let left = v.deadline.saturating_since(snap.t);
        let fraction = left.as_secs_f64() / v.timeout.as_secs_f64().max(1e-9);
        // A subject that is no lab node (forged) shows as the end of its
        // address, cut to the column, so every row keeps the same columns.
        let (subject, life) = match r.subject.and_then(|s| snap.nodes.get(s)) {
            Some(row) => (short(&row.index.to_string(), SUBJ), Some(row.life)),
            None => (short(&v.member.to_string(), SUBJ), None),
        };
        let ck = short(&format!("{}/{}", v.confirmations, v.k), 5);
        let colour = if fraction < 0.25 { Color::Red } else { Color::Yellow };
        // The timeout at C confirmations is `now`; "max" is where it started.
        let line = Line::from(vec![
            Span::raw(format!("{:>5} → {subject:<SUBJ$} ", short(&r.observer.to_string(), 5))),
            Span::styled(format!("{:<8}", life.map_or("foreign", |l| l.as_str())), life.map_or(dim(), life_style)),
            Span::styled(format!(" {ck:>5}"), Style::new().fg(Color::Cyan)),
            Span::raw("  "),
            Span::styled(bar(fraction, bar_w), Style::new().fg(colour)),
            Span::raw(format!(" {:>6} {:>6} {:>6} {:>6}", secs(left), secs(v.timeout), secs(v.max), secs(v.min))),
        ]);
        let involved = r.observer == sel || r.subject == Some(sel);
        lines.push(if involved { line.style(selected_style()) } else { line });
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, SocketAddrV4};

    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::ui::App;
    use crate::ui::fixture::{self, SUSPECTER};

    /// The view's lines as text.
    fn screen(snap: &crate::observe::Snapshot, width: u16) -> Vec<String> {
        let app = App::new(None);
        let mut terminal = Terminal::new(TestBackend::new(width, 12)).unwrap();
        terminal.draw(|f| render(f, f.area(), &Ctx { snap, app: &app })).unwrap();
        let buf = terminal.backend().buffer();
        (0..buf.area.height).map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect::<String>()).collect()
    }

    /// The rows of the suspicions list as text.
    fn rows(snap: &crate::observe::Snapshot, width: u16) -> Vec<String> {
        screen(snap, width).into_iter().filter(|l| l.contains('→')).collect()
    }

    #[test]
    fn a_list_cut_to_the_soonest_says_how_many_are_active() {
        let mut snap = fixture::scene(8);
        let title = |snap: &crate::observe::Snapshot| screen(snap, 120).into_iter().find(|l| l.contains("suspicions:"));
        assert!(title(&snap).is_some_and(|t| t.contains(" active suspicions: 1 ")), "{:?}", title(&snap));
        snap.suspicions_active = 8_388_608;
        assert!(
            title(&snap).is_some_and(|t| t.contains(" soonest of 8388608 active suspicions: 1 ")),
            "{:?}",
            title(&snap)
        );
    }

    #[test]
    fn a_foreign_subject_keeps_the_columns_aligned() {
        let mut snap = fixture::scene(8);
        let mut forged = snap.suspicions[0].1.clone();
        forged.member = SocketAddrV4::new(Ipv4Addr::new(203, 113, 255, 254), 65_001);
        forged.confirmations = 123;
        snap.suspicions.push((SUSPECTER, forged));
        for width in [80, 160] {
            let lines = rows(&snap, width);
            assert_eq!(lines.len(), 3, "header and two suspicions: {lines:#?}");
            let column = |l: &str, c: char| l.chars().position(|x| x == c);
            let arrows: Vec<_> = lines.iter().map(|l| column(l, '→')).collect();
            assert!(arrows.iter().all(|a| *a == arrows[0]), "{lines:#?}");
            // Every row's countdown bar starts in the same column, under "time left".
            let bars: Vec<_> = lines[1..].iter().map(|l| l.chars().position(|x| x == '█' || x == '░')).collect();
            assert_eq!(bars[0], bars[1], "{lines:#?}");
            assert_eq!(bars[0], lines[0].find("time left").map(|b| lines[0][..b].chars().count()), "{lines:#?}");
            assert!(lines.iter().any(|l| l.contains(":65001") && l.contains("foreign")), "{lines:#?}");
        }
    }
}
