//! Network: the fault state in force right now. The baseline link rule,
//! partitions drawn as one box per group, one-way blocks, isolation and
//! per-link overrides, paused and crashed processes, and where packets were
//! dropped.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::{Ctx, bar, count, dim, label, life_style, plural, ranges, title_style};
use crate::faults::DropReason;
use crate::observe::Liveness;
use crate::observe::traffic::reject_index;
use crate::scenario::percent;

fn block(title: &str) -> Block<'_> {
    Block::bordered().title(Span::styled(format!(" {title} "), title_style()))
}

/// Who can reach whom: one box per partition group, and the isolated
/// nodes as a group of their own (each reaches no one), beside the rest
/// when no partition is in force.
fn groups(frame: &mut Frame, area: Rect, ctx: &Ctx) {
    let plan = &ctx.snap.plan;
    let mut boxes: Vec<(String, Vec<usize>)> = plan
        .groups
        .iter()
        .enumerate()
        .map(|(k, g)| (format!("group {} · {}", k + 1, plural(g.len(), "node")), g.clone()))
        .collect();
    if !plan.isolated.is_empty() {
        if plan.groups.is_empty() {
            let rest: Vec<usize> =
                ctx.snap.nodes.iter().map(|r| r.index).filter(|i| !plan.isolated.contains(i)).collect();
            boxes.push((format!("the rest · {}", plural(rest.len(), "node")), rest));
        }
        boxes.push((format!("isolated · {}", plural(plan.isolated.len(), "node")), plan.isolated.clone()));
    }
    let title = match (plan.groups.is_empty(), plan.isolated.is_empty()) {
        (true, true) => {
            let text = "no partition: every node can reach every other (press p to split in halves)";
            frame.render_widget(Paragraph::new(text).style(dim()).block(block("partition")), area);
            return;
        }
        (false, true) => "partition: no packet crosses between groups",
        (true, false) => "isolation: no packet reaches or leaves an isolated node, each alone",
        (false, false) => "partition and isolation: no packet crosses between groups",
    };
    let b = block(title);
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let areas = Layout::horizontal(vec![Constraint::Fill(1); boxes.len()]).spacing(1).split(inner);
    for ((name, nodes), a) in boxes.iter().zip(areas.iter()) {
        let title = Span::styled(format!(" {name} "), Style::new().fg(Color::LightRed));
        frame.render_widget(
            Paragraph::new(ranges(nodes)).wrap(Wrap { trim: true }).block(Block::bordered().title(title)),
            *a,
        );
    }
}

/// Draws the network view.
pub fn render(frame: &mut Frame, area: Rect, ctx: &Ctx) {
    let snap = ctx.snap;
    let plan = &snap.plan;
    let [top, groups_area, bottom] =
        Layout::vertical([Constraint::Length(6), Constraint::Length(6), Constraint::Min(0)]).areas(area);
    let [base_area, procs_area] = Layout::horizontal([Constraint::Length(34), Constraint::Min(0)]).areas(top);

    let b = &plan.baseline;
    let base = vec![
        Line::from(vec![label("loss      "), Span::raw(percent(b.loss))]),
        Line::from(vec![label("delay     "), Span::raw(format!("{:.0} ms", b.delay_ms))]),
        Line::from(vec![label("jitter    "), Span::raw(format!("{:.0} ms", b.jitter_ms))]),
        Line::from(vec![label("duplicate "), Span::raw(percent(b.duplicate))]),
    ];
    frame.render_widget(Paragraph::new(base).block(block("every link (baseline)")), base_area);

    let with =
        |life: Liveness| -> Vec<usize> { snap.nodes.iter().filter(|r| r.life == life).map(|r| r.index).collect() };
    let procs: Vec<Line> = [Liveness::Crashed, Liveness::Paused, Liveness::Leaving, Liveness::Left]
        .into_iter()
        .map(|life| {
            let nodes = with(life);
            Line::from(vec![
                Span::styled(format!("{:<8} ", life.as_str()), life_style(life)),
                Span::styled(format!("{:>4}  ", nodes.len()), Style::new()),
                Span::raw(ranges(&nodes)),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(procs).wrap(Wrap { trim: true }).block(block("processes")), procs_area);

    groups(frame, groups_area, ctx);

    let [faults_area, drops_area] = Layout::horizontal([Constraint::Min(0), Constraint::Length(44)]).areas(bottom);
    let mut faults = vec![Line::from(vec![label("isolated  "), Span::raw(ranges(&plan.isolated))])];
    if plan.one_way.is_empty() {
        faults.push(Line::from(vec![label("one-way   "), Span::raw("none")]));
    }
    for w in &plan.one_way {
        faults
            .push(Line::from(vec![label("one-way   "), Span::raw(format!("{} ↛ {}", ranges(&w.from), ranges(&w.to)))]));
    }
    faults.push(Line::from(vec![label("link rules "), Span::raw(plan.links.len().to_string())]));
    let room = faults_area.height.saturating_sub(2) as usize;
    for l in plan.links.iter().take(room.saturating_sub(faults.len())) {
        faults.push(Line::raw(format!(
            "  {} → {}: loss {}, delay {:.0} ms, jitter {:.0} ms",
            l.from,
            l.to,
            percent(l.rule.loss),
            l.rule.delay_ms,
            l.rule.jitter_ms
        )));
    }
    frame.render_widget(Paragraph::new(faults).block(block("other faults")), faults_area);

    let t = &snap.traffic;
    let total = t.dropped_total().packets.max(1);
    let mut drops: Vec<Line> = DropReason::ALL
        .into_iter()
        .map(|r| {
            let v = t.dropped[r.index()].packets;
            Line::from(vec![
                Span::raw(format!("{:<10}{:>8} ", r.as_str(), count(v))),
                Span::styled(bar(v as f64 / total as f64, 20), Style::new().fg(Color::Red)),
            ])
        })
        .collect();
    drops.push(Line::styled(
        format!("sent {}  dropped {}", count(t.sent_total().packets), count(t.dropped_total().packets)),
        dim(),
    ));
    // What arrived but never reached the protocol; with sealing on, forged
    // datagrams show up here as unauthenticated.
    let unauthenticated = t.rejected[reject_index("unauthenticated")].packets;
    drops.push(Line::styled(
        format!("rejected {}  unauthenticated {}", count(t.rejected_total().packets), count(unauthenticated)),
        dim(),
    ));
    frame.render_widget(Paragraph::new(drops).block(block("drops by reason")), drops_area);
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::ui::App;
    use crate::ui::fixture;

    fn text(snap: &crate::observe::Snapshot) -> String {
        let app = App::new(None);
        let mut terminal = Terminal::new(TestBackend::new(100, 24)).unwrap();
        terminal.draw(|f| render(f, f.area(), &Ctx { snap, app: &app })).unwrap();
        let buf = terminal.backend().buffer();
        (0..24).map(|y| (0..100).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n").collect()
    }

    #[test]
    fn isolated_nodes_are_a_group_of_their_own() {
        let mut snap = fixture::scene(8);
        snap.plan.groups.clear();
        snap.plan.isolated = vec![3];
        let frame = text(&snap);
        assert!(!frame.contains("no partition"), "{frame}");
        assert!(frame.contains("isolated · 1 node ") && frame.contains("the rest · 7 nodes"), "{frame}");
        snap.plan.isolated.clear();
        assert!(text(&snap).contains("no partition"));
    }
}
