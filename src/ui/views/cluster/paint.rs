//! The Cluster view's picture: braille dots for the datagrams, the group
//! arcs and the three rings of marks (rumor, true state, seen state), and
//! the text labels written over them. Marks sit [`STEP`] dots apart, so
//! each braille cell carries one mark's colour; where nodes share a cell
//! (hundreds of them), the most alarming state is painted last and wins.

use std::f64::consts::TAU;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::canvas::{Painter, Shape};

use super::ring::{Ring, STEP};
use super::{Lens, fade};
use crate::observe::Liveness;
use crate::protocol::State;
use crate::ui::views::{Ctx, dim, life_style, ranges, state_style};

/// The colour of the rumor marks (and of rumor datagrams).
pub const RUMOR: Color = Color::LightBlue;

/// Dots to paint, clipped to the canvas.
#[derive(Debug, Default)]
pub struct Dots {
    w: usize,
    h: usize,
    dots: Vec<(usize, usize, Color)>,
}

impl Shape for Dots {
    fn draw(&self, painter: &mut Painter) {
        for &(x, y, c) in &self.dots {
            painter.paint(x, y, c);
        }
    }
}

impl Dots {
    fn new(w: usize, h: usize) -> Dots {
        Dots { w, h, dots: Vec::new() }
    }

    fn dot(&mut self, (x, y): (f64, f64), c: Color) {
        let (x, y) = (x.round(), y.round());
        // The painter indexes cells row by row: a dot past the right edge
        // would land on the next row, so clip here.
        if x >= 0.0 && y >= 0.0 && (x as usize) < self.w && (y as usize) < self.h {
            self.dots.push((x as usize, y as usize, c));
        }
    }

    fn line(&mut self, a: (f64, f64), b: (f64, f64), c: Color) {
        let steps = (b.0 - a.0).abs().max((b.1 - a.1).abs()).ceil().max(1.0);
        for k in 0..=steps as usize {
            let f = k as f64 / steps;
            self.dot((a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f), c);
        }
    }

    /// A node's mark: `half` dots either side of its angle, `rings` dots
    /// deep inward from `r`.
    fn mark(&mut self, ring: &Ring, i: usize, r: f64, half: i32, rings: usize, c: Color) {
        for depth in 0..rings {
            let r = r - depth as f64;
            for k in -half..=half {
                self.dot(ring.at(ring.angle[i] + f64::from(k) / r, r), c);
            }
        }
    }
}

/// The rings' radii, from the centre out.
struct Radii {
    flights: f64,
    rumor: f64,
    truth: f64,
    seen: f64,
    arcs: f64,
    labels: f64,
}

impl Radii {
    fn of(ring: &Ring) -> Radii {
        let r = ring.r;
        let arcs = r + 1.0 + 2.0 * STEP;
        Radii {
            // Under the rumor marks, which cover the lines' ends: the
            // lines get all the room inside the ring.
            flights: r - 2.0 - STEP,
            rumor: r - 1.0 - STEP,
            truth: r,
            seen: r + 1.0 + STEP, // two dots deep: r + STEP and one out
            arcs,
            labels: if ring.split() { arcs + STEP } else { arcs },
        }
    }
}

/// Paint order on a ring: calm first, alarming last, so a crashed node
/// among hundreds of healthy ones still shows.
fn life_rank(life: Liveness) -> u8 {
    match life {
        Liveness::Up => 0,
        Liveness::Leaving => 1,
        Liveness::Left => 2,
        Liveness::Paused => 3,
        Liveness::Crashed => 4,
    }
}

fn state_rank(state: Option<State>) -> u8 {
    match state {
        Some(State::Alive) => 0,
        Some(State::Left) => 1,
        None => 2,
        Some(State::Suspect) => 3,
        Some(State::Dead) => 4,
    }
}

/// How many datagram lines the inside of `ring` holds before they merge
/// into a blob: about one per two dots of the circle they end on.
pub fn line_cap(ring: &Ring) -> usize {
    (Radii::of(ring).flights * TAU / 2.0).clamp(12.0, 200.0) as usize
}

/// The two layers of the canvas: the newest `lines` datagrams underneath,
/// the marks on top (a later layer replaces a cell's dots rather than
/// mixing them).
pub fn layers(ctx: &Ctx, ring: &Ring, lens: &Lens, (w, h): (usize, usize), lines: usize) -> [Dots; 2] {
    let snap = ctx.snap;
    let n = ring.angle.len();
    let radii = Radii::of(ring);
    let newest = &snap.flights[..lines.min(snap.flights.len())];
    let mut lines = Dots::new(w, h);
    // Oldest first, so the newest are painted over them.
    for f in newest.iter().rev().filter(|f| f.from < n && f.to < n) {
        let a = ring.node(f.from, radii.flights);
        let mut b = ring.node(f.to, radii.flights);
        if f.dropped {
            b = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
        }
        lines.line(a, b, fade(f.kind, f.age));
    }

    let mut marks = Dots::new(w, h);
    if ring.split() {
        for arc in &ring.arcs {
            let steps = ((arc.to - arc.from) * radii.arcs).ceil().max(1.0) as usize;
            for k in 0..=steps {
                let angle = arc.from + (arc.to - arc.from) * k as f64 / steps as f64;
                marks.dot(ring.at(angle, radii.arcs), Color::Gray);
            }
        }
    }
    // Wide marks while there is room between neighbours, single dots at scale.
    let half = (ring.spacing * 0.3).min(2.0).floor() as i32;
    if let Some(rumor) = snap.rumors.last() {
        for i in (0..n).filter(|&i| rumor.delivered_by(i)) {
            marks.mark(ring, i, radii.rumor, half, 1, RUMOR);
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| life_rank(snap.nodes[i].life));
    for &i in &order {
        marks.mark(ring, i, radii.truth, half, 2, life_style(snap.nodes[i].life).fg.unwrap_or(Color::White));
    }
    order.sort_by_key(|&i| state_rank(lens.seen(i)));
    for &i in &order {
        marks.mark(ring, i, radii.seen, half, 2, state_style(lens.seen(i)).fg.unwrap_or(Color::White));
    }
    // The selection as a shape, not a colour: a spoke pointing at it.
    let sel = ctx.selected();
    if sel < n {
        let from = if ring.split() { radii.arcs } else { radii.seen + STEP };
        marks.line(ring.node(sel, from), ring.node(sel, radii.labels - 2.0), Color::White);
    }
    [lines, marks]
}

/// Text written over the canvas, each where no other label is.
struct Labels<'b> {
    buf: &'b mut Buffer,
    area: Rect,
    taken: Vec<bool>,
}

impl Labels<'_> {
    /// Writes `text` at cell row `row`, starting at `col`; false (and
    /// nothing written) when it would touch another label.
    fn put(&mut self, col: i32, row: i32, text: &str, style: Style) -> bool {
        let (w, h) = (i32::from(self.area.width), i32::from(self.area.height));
        let len = text.chars().count() as i32;
        if len == 0 || len > w || row < 0 || row >= h {
            return false;
        }
        let col = col.clamp(0, w - len);
        let at = |c: i32| (row * w + c) as usize;
        if ((col - 1).max(0)..(col + len + 1).min(w)).any(|c| self.taken[at(c)]) {
            return false;
        }
        for c in col..col + len {
            self.taken[at(c)] = true;
        }
        self.buf.set_string(self.area.x + col as u16, self.area.y + row as u16, text, style);
        true
    }

    /// `text` next to the dot `at`, extending away from the ring's centre
    /// (`sin` of its angle: right of it on the right, left on the left).
    fn near(&mut self, at: (f64, f64), sin: f64, text: &str, style: Style) -> bool {
        let len = text.chars().count() as f64;
        let col = (at.0 / 2.0).floor() - ((len - 1.0) * (1.0 - sin) / 2.0).round();
        self.put(col as i32, (at.1 / 4.0).floor() as i32, text, style)
    }
}

/// A round step near `n / 12`: 1, 2 or 5 times a power of ten.
fn round_step(n: usize) -> usize {
    let target = (n / 12).max(1);
    let mut p = 1;
    loop {
        for m in [1, 2, 5] {
            if m * p >= target {
                return m * p;
            }
        }
        p *= 10;
    }
}

/// The labels: the selected node's first (reversed, so it shows without
/// colour), then each group's name in the corner its arc faces, then node
/// indices wherever they fit, arc ends and round numbers first.
pub fn labels(buf: &mut Buffer, area: Rect, ctx: &Ctx, ring: &Ring) {
    let n = ring.angle.len();
    let taken = vec![false; usize::from(area.width) * usize::from(area.height)];
    let mut out = Labels { buf, area, taken };
    let radius = Radii::of(ring).labels;
    let sel = ctx.selected();
    let at = |i: usize| (ring.node(i, radius), ring.angle[i].sin());
    if sel < n {
        let (p, sin) = at(sel);
        out.near(p, sin, &format!("[{sel}]"), Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD));
    }
    if ring.split() {
        let (w, h) = (i32::from(area.width), i32::from(area.height));
        for arc in &ring.arcs {
            let Some(label) = &arc.label else { continue };
            let mid = (arc.from + arc.to) / 2.0 % TAU;
            let (sin, cos) = (mid.sin(), mid.cos());
            let len = label.chars().count() as i32;
            let col = if sin > 0.3 {
                w - len
            } else if sin < -0.3 {
                0
            } else {
                (w - len) / 2
            };
            let (near, far) = if cos > -0.5 { (0, h - 1) } else { (h - 1, 0) };
            // Where it faces first; then any free corner (the legend lists
            // every group too, so one that fits nowhere is only dropped here).
            let spots = [(col, near), (col, far), (0, near), (w - len, near), (0, far), (w - len, far)];
            let style = Style::new().fg(Color::Gray).add_modifier(Modifier::BOLD);
            let _ = spots.into_iter().any(|(col, row)| out.put(col, row, label, style));
        }
    }
    let ends = ring.arcs.iter().flat_map(|a| [a.nodes.first(), a.nodes.last()]).flatten().copied();
    // Every index where there is room up to 64 nodes; past that, arc ends
    // and round numbers only, as marks on a dial.
    let every = if n <= 64 { 0..n } else { 0..0 };
    let candidates = ends.chain((0..n).step_by(round_step(n))).chain(every);
    for i in candidates {
        let (p, sin) = at(i);
        out.near(p, sin, &i.to_string(), dim());
    }
}

/// Node indices as ranges, shortened to `width` characters.
pub fn short_ranges(nodes: &[usize], width: usize) -> String {
    let s = ranges(nodes);
    if s.chars().count() <= width {
        return s;
    }
    let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
    t.push('…');
    t
}
