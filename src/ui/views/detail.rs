//! Node detail (Enter): one node from the inside: its own membership list
//! (a phi node's heartbeat table),
//! its Lifeguard health over time, its packets by message type, its
//! broadcast queue, and what it has been doing lately.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Sparkline};

use super::{Ctx, count, dim, kind_style, label, life_style, stamp, state_glyph, state_name, state_style, title_style};
use crate::faults::DropReason;
use crate::observe::views::tally_slot;
use crate::protocol::{MsgKind, State};

fn block(title: &str) -> Block<'_> {
    Block::bordered().title(Span::styled(format!(" {title} "), title_style()))
}

/// Draws the selected node's detail.
pub fn render(frame: &mut Frame, area: Rect, ctx: &Ctx) {
    let snap = ctx.snap;
    let Some(row) = snap.nodes.get(ctx.selected()) else {
        frame.render_widget(Paragraph::new("no node selected").block(block("node")), area);
        return;
    };
    let i = row.index;
    // A phi node shows its heartbeat table where SWIM's shows its view.
    let phi_table = super::heartbeats::shown(snap, i);
    let left_w = if phi_table { super::heartbeats::WIDTH } else { 26 };
    let [left, right] = Layout::horizontal([Constraint::Length(left_w), Constraint::Min(0)]).areas(area);
    let [members_area, health_area] = Layout::vertical([Constraint::Min(0), Constraint::Length(5)]).areas(left);
    if phi_table {
        super::heartbeats::render(frame, members_area, ctx, i);
    } else {
        membership(frame, members_area, ctx, i);
    }
    let [info_area, middle, bottom] =
        Layout::vertical([Constraint::Length(6), Constraint::Length(9), Constraint::Min(3)]).areas(right);

    let st = &row.status;
    let c = &st.counters;
    let head = Line::from(vec![
        label(format!("node {i} ")),
        Span::raw(format!("{} ", row.addr)),
        Span::styled(row.life.as_str(), life_style(row.life)),
        Span::styled(if st.joined { " joined" } else { " not joined yet" }, dim()),
    ]);
    // A phi node has no health score, probes or queue: its own heartbeat
    // row and its detector's counters stand in their place.
    let info = if snap.phi.is_some() {
        let own = st.heartbeats.first();
        vec![
            head,
            Line::raw(format!(
                "generation {}  heartbeat {}  state version {}",
                st.incarnation,
                own.map_or_else(|| "—".to_owned(), |h| h.heartbeat.to_string()),
                own.map_or_else(|| "—".to_owned(), |h| h.max_version.to_string())
            )),
            Line::raw(format!("members {} (live {})  phi ≥ 1 for {}", st.members, st.live_members, st.phis.len())),
            Line::raw(format!(
                "suspicions {} (crossings of φ {:.1})",
                c.suspicions,
                snap.phi.as_ref().map_or(0.0, |p| p.phi_suspect())
            )),
        ]
    } else {
        vec![
            head,
            Line::raw(format!(
                "incarnation {}  health {}/{}  broadcast queue {}",
                st.incarnation,
                st.health,
                snap.config.awareness_max_multiplier.saturating_sub(1),
                st.queue
            )),
            Line::raw(format!(
                "members {} (live {})  probes {} failed {} indirect {}",
                st.members, st.live_members, c.probes, c.probe_failures, c.indirect_probes
            )),
            Line::raw(format!(
                "suspicions {}  refuted {}  push-pulls {}  lagged {}",
                c.suspicions, c.refutations, c.push_pulls, c.probes_lagged
            )),
        ]
    };
    // The legend of the membership list's glyphs and colours, where it fits.
    frame.render_widget(Paragraph::new(info).block(block("node").title_bottom(super::legend())), info_area);

    let health: Vec<u64> = row.health_history.iter().map(|&h| u64::from(h)).collect();
    let hb = block("health score");
    let inner = hb.inner(health_area);
    frame.render_widget(hb, health_area);
    let shown = &health[health.len().saturating_sub(inner.width as usize)..];
    frame.render_widget(
        Sparkline::default()
            .data(shown)
            .max(u64::from(snap.config.awareness_max_multiplier.max(1)))
            .style(Style::new().fg(Color::Yellow)),
        inner,
    );

    let [packets_area, drops_area] = Layout::horizontal([Constraint::Length(30), Constraint::Min(0)]).areas(middle);
    let t = &row.traffic;
    let mut packets = vec![Line::styled(format!("{:<9} {:>8} {:>9}", "kind", "sent", "received"), title_style())];
    for kind in MsgKind::ALL {
        let k = kind.index();
        packets.push(Line::raw(format!(
            "{:<9} {:>8} {:>9}",
            kind.as_str(),
            count(t.sent[k].packets),
            count(t.received[k].packets)
        )));
    }
    frame.render_widget(Paragraph::new(packets).block(block("packets by type")), packets_area);
    let mut drops = vec![Line::styled(format!("{:<10} {:>8}", "reason", "dropped"), title_style())];
    for reason in DropReason::ALL {
        let v = t.dropped[reason.index()].packets;
        drops.push(Line::styled(
            format!("{:<10} {:>8}", reason.as_str(), count(v)),
            if v > 0 { Style::new().fg(Color::Red) } else { dim() },
        ));
    }
    drops.push(Line::styled(format!("{:<10} {:>8}", "rejected", count(t.rejected_total().packets)), dim()));
    frame.render_widget(Paragraph::new(drops).block(block("drops")), drops_area);

    let eb = block("recent events of this node");
    let rows = eb.inner(bottom).height as usize;
    let mut mine: Vec<Line> = snap
        .events
        .iter()
        .rev()
        .filter(|e| e.node == Some(i))
        .take(rows)
        .map(|e| {
            Line::from(vec![Span::styled(stamp(e.t), dim()), Span::raw(" "), Span::styled(&e.text, kind_style(e.kind))])
        })
        .collect();
    mine.reverse();
    frame.render_widget(Paragraph::new(mine).block(eb), bottom);
}

/// The node's own membership list: trouble first, then the alive members.
fn membership(frame: &mut Frame, area: Rect, ctx: &Ctx, i: usize) {
    let snap = ctx.snap;
    let n = snap.views.len();
    let b = block("its membership view");
    let rows = b.inner(area).height as usize;
    let mut counts = [0usize; 5];
    let mut trouble = Vec::new();
    let mut alive = Vec::new();
    if i < n {
        for (s, cell) in snap.views.row(i).enumerate() {
            counts[tally_slot(cell)] += 1;
            if cell == Some(State::Alive) {
                if alive.len() < rows {
                    alive.push((s, cell));
                }
            } else if trouble.len() < rows {
                trouble.push((s, cell));
            }
        }
    }
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("{}", counts[0]), state_style(Some(State::Alive))),
        Span::raw("/"),
        Span::styled(format!("{}", counts[1]), state_style(Some(State::Suspect))),
        Span::raw("/"),
        Span::styled(format!("{}", counts[2]), state_style(Some(State::Dead))),
        Span::styled(" alive/susp/dead", dim()),
    ])];
    let foreign = snap.nodes.get(i).map_or(0, |r| r.foreign);
    if foreign > 0 {
        // Forged members are not in the matrix (it has lab nodes only), but
        // they are in this node's table and make its view inaccurate.
        lines.push(Line::styled(format!("+{foreign} foreign (no lab node)"), Style::new().fg(Color::Red)));
    }
    let shown = rows.saturating_sub(lines.len());
    for (s, cell) in trouble.into_iter().chain(alive).take(shown) {
        let addr = snap.nodes.get(s).map_or(String::new(), |r| r.addr.to_string());
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", state_glyph(cell)), state_style(cell)),
            Span::raw(format!("{s:>4} ")),
            Span::styled(format!("{:<8}", state_name(cell)), state_style(cell)),
            Span::styled(addr.rsplit(':').next().map(|p| format!(":{p}")).unwrap_or_default(), dim()),
        ]));
    }
    frame.render_widget(Paragraph::new(lines).block(b), area);
}
