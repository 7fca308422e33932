//! Rumor: after `g`, how the latest rumor spread (percent of the nodes up
//! at injection, over time) next to the Serf epidemic model's prediction
//! for this cluster size, fanout, gossip interval and loss. The gap
//! between the two curves is what the network's faults cost.

use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType, Paragraph};

use super::{Ctx, dim, label, title_style};
use crate::observe::model::{serf_fraction, serf_time_to};
use crate::protocol::Time;

fn secs_since(t: Option<Time>, from: Time) -> String {
    t.map_or("—".to_owned(), |t| format!("{:.2}s", t.saturating_since(from).as_secs_f64()))
}

/// Draws the rumor view.
pub fn render(frame: &mut Frame, area: Rect, ctx: &Ctx) {
    let snap = ctx.snap;
    // The key says which curve is which by shape, for a terminal without colour.
    let block = Block::bordered().title(Line::from(vec![
        Span::styled(" rumor spread ", title_style()),
        Span::styled("⣀", Style::new().fg(Color::LightBlue)),
        Span::raw(" measured vs "),
        Span::styled("•", Style::new().fg(Color::DarkGray)),
        Span::raw(" the Serf model "),
    ]));
    let Some(r) = snap.rumors.last() else {
        frame.render_widget(
            Paragraph::new("no rumor yet: press g to inject one at the selected node").style(dim()).block(block),
            area,
        );
        return;
    };
    let c = &snap.config;
    let loss = r.loss;
    let target = r.target.max(1);
    let model = |f: f64| serf_time_to(f, target, c.gossip_nodes, c.gossip_interval, loss);
    let [stats_area, chart_area] = Layout::horizontal([Constraint::Length(30), Constraint::Min(0)]).areas(area);

    let from = r.injected_at;
    let stats = vec![
        Line::from(vec![label("rumor "), Span::raw(format!("#{} from node {}", r.id.seq, r.origin))]),
        Line::raw(format!("injected at {:.1}s", from.as_micros() as f64 / 1e6)),
        Line::raw(format!(
            "delivered {}/{} ({:.0}%)",
            r.delivered,
            r.target,
            100.0 * r.delivered as f64 / target as f64
        )),
        Line::raw(""),
        Line::styled(format!("{:<6}{:>10}{:>10}", "", "measured", "model"), title_style()),
        Line::raw(format!("{:<6}{:>10}{:>9.2}s", "50%", secs_since(r.t50, from), model(0.5).as_secs_f64())),
        Line::raw(format!("{:<6}{:>10}{:>9.2}s", "99%", secs_since(r.t99, from), model(0.99).as_secs_f64())),
        Line::raw(format!("{:<6}{:>10}{:>9.2}s", "100%", secs_since(r.t100, from), model(0.9999).as_secs_f64())),
        Line::raw(""),
        Line::raw(format!("packets {}", r.packets.map_or("—".to_owned(), |p| p.to_string()))),
        Line::styled(
            format!("fanout {} every {:?}, loss {:.0}%", c.gossip_nodes, c.gossip_interval, loss * 100.0),
            dim(),
        ),
    ];
    frame.render_widget(
        Paragraph::new(stats).block(Block::bordered().title(Span::styled(" latest rumor ", title_style()))),
        stats_area,
    );

    // The measured curve: one step per delivery.
    let mut measured = vec![(0.0, 0.0)];
    for (k, t) in r.deliveries().iter().enumerate() {
        let x = t.saturating_since(from).as_secs_f64();
        measured.push((x, measured.last().map_or(0.0, |p| p.1)));
        measured.push((x, 100.0 * (k + 1) as f64 / target as f64));
    }
    let last = measured.last().map_or(0.0, |p| p.0);
    let x_max = last.max(model(0.9999).as_secs_f64()).max(0.5) * 1.1;
    let predicted: Vec<(f64, f64)> = (0..=100)
        .map(|k| {
            let x = x_max * k as f64 / 100.0;
            (x, 100.0 * serf_fraction(Duration::from_secs_f64(x), target, c.gossip_nodes, c.gossip_interval, loss))
        })
        .collect();
    let datasets = vec![
        Dataset::default()
            .name("Serf model")
            // Dots, not braille: the two curves differ without colour too.
            .marker(Marker::Dot)
            .graph_type(GraphType::Line)
            .style(Style::new().fg(Color::DarkGray))
            .data(&predicted),
        Dataset::default()
            .name("measured")
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(Style::new().fg(Color::LightBlue))
            .data(&measured),
    ];
    let chart = Chart::new(datasets)
        .block(block)
        .x_axis(Axis::default().title("seconds after injection").bounds([0.0, x_max]).labels([
            "0".to_owned(),
            format!("{:.1}", x_max / 2.0),
            format!("{x_max:.1}"),
        ]))
        .y_axis(Axis::default().title("% of nodes").bounds([0.0, 100.0]).labels(["0", "50", "100"]));
    frame.render_widget(chart, chart_area);
}
