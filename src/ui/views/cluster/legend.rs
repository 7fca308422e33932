//! The Cluster view's legend: what each ring of marks means, with counts
//! (so a text capture, or a terminal without colour, still says how many
//! nodes are in each state), the selection, the latest rumor, the
//! datagram colours and the partition's arcs.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::paint::{RUMOR, short_ranges};
use super::{Lens, kind_colors};
use crate::observe::Liveness;
use crate::observe::snapshot::{FLIGHT_WINDOW, FlightKind};
use crate::protocol::State;
use crate::ui::views::{Ctx, dim, label, life_style, state_glyph, state_name, state_style};

const LIVES: [Liveness; 5] = [Liveness::Up, Liveness::Leaving, Liveness::Paused, Liveness::Crashed, Liveness::Left];
const STATES: [Option<State>; 5] =
    [Some(State::Alive), Some(State::Suspect), Some(State::Dead), Some(State::Left), None];

/// Lays out `items` (each a few spans kept together) in lines of at most
/// `width` characters, two spaces apart.
fn flow(items: Vec<Vec<Span<'static>>>, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut line: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for item in items {
        let len: usize = item.iter().map(|s| s.content.chars().count()).sum();
        if used > 0 && used + 2 + len > width {
            lines.push(Line::from(std::mem::take(&mut line)));
            used = 0;
        }
        if used > 0 {
            line.push(Span::raw("  "));
            used += 2;
        }
        line.extend(item);
        used += len;
    }
    if !line.is_empty() {
        lines.push(Line::from(line));
    }
    lines
}

/// A sentence wrapped to `width`, in `style`.
fn words(text: &str, style: Style, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(Line::styled(std::mem::take(&mut line), style));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(Line::styled(line, style));
    }
    lines
}

/// The legend, `width` characters wide, for a picture that draws the
/// newest `drawn` of the snapshot's datagrams.
pub fn lines(ctx: &Ctx, lens: &Lens, drawn: usize, width: usize) -> Vec<Line<'static>> {
    let snap = ctx.snap;
    let n = snap.nodes.len();
    let mut out = vec![Line::from(label("middle marks: true state"))];
    let lives = LIVES.iter().filter_map(|&life| {
        let count = snap.nodes.iter().filter(|r| r.life == life).count();
        (count > 0).then(|| vec![Span::styled("●", life_style(life)), Span::raw(format!(" {} {count}", life.as_str()))])
    });
    out.extend(flow(lives.collect(), width));

    out.push(Line::from(label(format!("outer marks: {}", lens.name()))));
    let mut tally = [0usize; 5];
    for i in 0..n {
        let state = lens.seen(i);
        tally[STATES.iter().position(|s| *s == state).unwrap_or(4)] += 1;
    }
    let seen = STATES.iter().zip(tally).filter(|(_, c)| *c > 0).map(|(&s, count)| {
        vec![Span::styled(state_glyph(s), state_style(s)), Span::raw(format!(" {} {count}", state_name(s)))]
    });
    out.extend(flow(seen.collect(), width));
    let sel = ctx.selected();
    let toggle =
        if ctx.app.observer { "o: back to the consensus".to_owned() } else { format!("o: node {sel}'s own view") };
    out.extend(words(&toggle, dim(), width));

    if let Some(row) = snap.nodes.get(sel) {
        let seen = state_name(lens.seen(sel));
        let text = format!(" selected: {}, seen {seen}", row.life.as_str());
        let mark = Span::styled(format!("[{sel}]"), Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD));
        out.push(Line::from(vec![mark, Span::raw(text)]));
    }

    match snap.rumors.last() {
        Some(r) => out.push(Line::from(vec![
            Span::styled("●", Style::new().fg(RUMOR)),
            Span::raw(format!(" rumor #{}: {}/{} nodes", r.id.seq, r.delivered, r.target)),
            Span::styled(" (inner)", dim()),
        ])),
        None => out.push(Line::styled("no rumor yet", dim())),
    }

    let secs = FLIGHT_WINDOW.as_secs_f64();
    out.push(Line::from(label(format!("datagrams, last {secs:.1} s"))));
    let kinds = FlightKind::ALL
        .iter()
        .map(|&k| vec![Span::styled("━", Style::new().fg(kind_colors(k).0)), Span::raw(format!(" {}", k.name()))]);
    out.extend(flow(kinds.collect(), width));
    if ctx.app.replay.is_some() {
        out.extend(words("none drawn: a recorded session has no datagrams", dim(), width));
    } else if snap.flights.is_empty() {
        out.extend(words("none sampled yet", dim(), width));
    } else {
        let sampled = match snap.flight_stride {
            0 | 1 => "every one sent".to_owned(),
            k => format!("1 in {k} sent"),
        };
        let n = snap.flights.len();
        let lines = if drawn < n { format!("newest {drawn} of {n}") } else { format!("{n} lines") };
        let text = format!("{lines} ({sampled}); they dim with age; a dropped one stops half-way");
        out.extend(words(&text, dim(), width));
    }

    out.push(Line::from(label("arcs: partition groups")));
    let g = super::ring::groups(&snap.plan, n);
    if g.len() == 1 && g[0].0.is_none() {
        out.extend(words("one whole ring: no partition", dim(), width));
    } else {
        for (name, nodes) in g {
            let name = name.unwrap_or_default();
            let (head, _) = name.split_once(':').unwrap_or((&name, ""));
            let text = format!("{head}: {}", short_ranges(&nodes, width.saturating_sub(head.len() + 2)));
            out.push(Line::raw(text));
        }
    }
    out
}
