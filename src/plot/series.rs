//! The time series a session's charts draw, sampled from its log.
//!
//! The lines go through [`Session::apply`], the one fold, so a chart shows
//! what the report and the dashboard measure; this module only decides
//! *when* to look: at every `metrics` line (about once a second) and on
//! both sides of every action, so a step an action causes is drawn as a
//! step. Pure: lines in, numbers out, no drawing.

use std::collections::HashMap;

use super::windows::{Window, WindowTracker};
use crate::faults::DropReason;
use crate::observe::action::ActionKind;
use crate::observe::record::MetricsRecord;
use crate::observe::traffic::DROP_REASONS;
use crate::observe::{Line, Liveness, Record, Session, Traffic};
use crate::protocol::{Config, State};

/// At most this many time columns in the membership heat map: a one-hour
/// session is binned rather than drawn as 3,600 columns.
pub const HEAT_BINS: usize = 160;

/// The cluster's views at one moment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ViewPoint {
    /// Seconds since the start.
    pub t: f64,
    /// Agreement (fraction of up nodes holding the most common alive set).
    pub agreement: f64,
    /// Accuracy (fraction of up nodes whose alive set is right).
    pub accuracy: f64,
    /// Suspect marks held by up observers.
    pub suspicions: usize,
}

/// Cluster-wide traffic between two metrics lines, per second.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RatePoint {
    /// The later line's time, seconds.
    pub t: f64,
    /// Datagrams sent per second.
    pub packets: f64,
    /// Bytes sent per second.
    pub bytes: f64,
    /// Datagrams dropped per second, by [`DropReason`] index.
    pub drops: [f64; DROP_REASONS],
}

/// Health scores at one metrics line, by node index (`None`: the node was
/// not reporting, e.g. crashed).
#[derive(Clone, Debug, PartialEq)]
pub struct HealthPoint {
    /// Seconds since the start.
    pub t: f64,
    /// Scores by node.
    pub scores: Vec<Option<u32>>,
}

/// One crash and how it was detected, in seconds after the crash.
#[derive(Clone, Debug, PartialEq)]
pub struct Crash {
    /// The victim.
    pub node: usize,
    /// When it crashed, seconds since the start.
    pub at: f64,
    /// Nodes up just before it (the victim included): the model's N.
    pub nodes: usize,
    /// First suspicion by anyone.
    pub first_suspect: Option<f64>,
    /// First death mark by anyone.
    pub first_dead: Option<f64>,
    /// Every up node holds it dead.
    pub full: Option<f64>,
}

/// One rumor's spread.
#[derive(Clone, Debug, PartialEq)]
pub struct Rumor {
    /// The injecting node.
    pub origin: usize,
    /// When, seconds since the start.
    pub at: f64,
    /// Nodes up at injection: the 100% mark.
    pub target: usize,
    /// The baseline loss in force at injection (the model's loss).
    pub loss: f64,
    /// (seconds since injection, fraction of the target delivered).
    pub curve: Vec<(f64, f64)>,
}

/// The membership heat map: per time bin, per subject, the mean share of
/// up observers that held it alive (`None`: the subject did not exist).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Heat {
    /// Bin width, seconds.
    pub bin: f64,
    /// One column per bin, one entry per subject.
    pub columns: Vec<Vec<Option<f32>>>,
}

/// Everything the charts draw.
#[derive(Clone, Debug)]
pub struct Series {
    /// The protocol configuration (for the models).
    pub config: Config,
    /// What the family's theory says a crash's detection should take, by
    /// cluster size (the session's spec answers).
    pub spec: crate::observe::SessionSpec,
    /// The session's last line, seconds since the start.
    pub end: f64,
    /// Nodes ever started.
    pub nodes: usize,
    /// The fault windows.
    pub windows: Vec<Window>,
    /// Agreement, accuracy and suspicions, at metrics lines and actions.
    pub views: Vec<ViewPoint>,
    /// Traffic rates.
    pub rates: Vec<RatePoint>,
    /// Health scores.
    pub health: Vec<HealthPoint>,
    /// The membership heat map.
    pub heat: Heat,
    /// Every crash.
    pub crashes: Vec<Crash>,
    /// Every rumor.
    pub rumors: Vec<Rumor>,
}

/// Per-node cumulative counters, so a node that vanishes from a metrics
/// line (crashed) or comes back with fresh counters (restarted) adds its
/// own difference and never a negative one.
#[derive(Default)]
struct Counters {
    last: HashMap<usize, (u64, u64, [u64; DROP_REASONS])>,
    at: Option<f64>,
}

impl Counters {
    fn sample(&mut self, t: f64, m: &MetricsRecord) -> Option<RatePoint> {
        let mut sum = (0u64, 0u64, [0u64; DROP_REASONS]);
        for n in &m.nodes {
            let now = totals(&n.traffic);
            let before = self.last.insert(n.node, now).unwrap_or_default();
            // Smaller than before: fresh counters after a restart.
            let fresh = now.0 < before.0 || now.1 < before.1;
            let base = if fresh { Default::default() } else { before };
            sum.0 += now.0 - base.0;
            sum.1 += now.1 - base.1;
            for (s, (a, b)) in sum.2.iter_mut().zip(now.2.iter().zip(base.2)) {
                *s += a.saturating_sub(b);
            }
        }
        let from = self.at.replace(t)?;
        let dt = t - from;
        (dt > 0.0).then(|| RatePoint {
            t,
            packets: sum.0 as f64 / dt,
            bytes: sum.1 as f64 / dt,
            drops: sum.2.map(|d| d as f64 / dt),
        })
    }
}

fn totals(t: &Traffic) -> (u64, u64, [u64; DROP_REASONS]) {
    let sent = t.sent_total();
    (sent.packets, sent.bytes, DropReason::ALL.map(|r| t.dropped[r.index()].packets))
}

/// Accumulates the heat map's bins.
struct HeatBins {
    bin: f64,
    sums: Vec<Vec<(f32, u32)>>,
}

/// Folds `lines` into `session` (fresh, before any line) and samples the
/// series along the way.
pub fn sample(mut session: Session, lines: &[Line]) -> Series {
    let end = lines.iter().map(|l| secs(l.time())).fold(0.0, f64::max);
    let metrics_lines = lines.iter().filter(|l| matches!(l.record, Record::Metrics(_))).count();
    let bins = metrics_lines.clamp(1, HEAT_BINS);
    let mut heat = HeatBins { bin: (end / bins as f64).max(1e-9), sums: vec![Vec::new(); bins] };
    let mut windows = WindowTracker::new(&session.spec().network);
    let mut views = Vec::new();
    let mut counters = Counters::default();
    let (mut rates, mut health) = (Vec::new(), Vec::new());
    for line in lines {
        let t = secs(line.time());
        windows.apply(line);
        // A person's or the timeline's doing: agreement is sampled on both sides.
        let action = ActionKind::of(&line.record).is_some();
        if action {
            views.push(view_point(&session, t).0);
        }
        session.apply(line);
        if let Record::Metrics(m) = &line.record {
            let (point, shares) = view_point(&session, t);
            views.push(point);
            heat.add(t, &shares);
            rates.extend(counters.sample(t, m));
            let mut scores = vec![None; session.addrs().len()];
            for n in &m.nodes {
                if let Some(s) = scores.get_mut(n.node) {
                    *s = Some(n.health);
                }
            }
            health.push(HealthPoint { t, scores });
        } else if action {
            views.push(view_point(&session, t).0);
        }
    }
    let crashes = session
        .metrics()
        .detections()
        .iter()
        .map(|d| {
            let after = |x: Option<crate::protocol::Time>| x.map(|x| secs(x) - secs(d.crashed_at));
            Crash {
                node: d.node,
                at: secs(d.crashed_at),
                nodes: d.cluster,
                first_suspect: after(d.first_suspect),
                first_dead: after(d.first_dead),
                full: after(d.full),
            }
        })
        .collect();
    let rumors = session
        .metrics()
        .rumors()
        .iter()
        .map(|r| {
            let at = secs(r.injected_at);
            let target = r.target.max(1) as f64;
            let curve = r.deliveries().iter().enumerate().map(|(k, d)| (secs(*d) - at, (k + 1) as f64 / target));
            Rumor {
                origin: r.origin,
                at,
                target: r.target,
                loss: r.loss,
                curve: std::iter::once((0.0, 0.0)).chain(curve).collect(),
            }
        })
        .collect();
    Series {
        config: session.spec().protocol.clone(),
        spec: session.spec().clone(),
        end,
        nodes: session.addrs().len(),
        windows: windows.finish(end),
        views,
        rates,
        health,
        heat: heat.finish(),
        crashes,
        rumors,
    }
}

fn secs(t: crate::protocol::Time) -> f64 {
    t.since_epoch().as_secs_f64()
}

/// Agreement, accuracy and suspicions now, and each subject's share of
/// up observers holding it alive.
fn view_point(session: &Session, t: f64) -> (ViewPoint, Vec<f32>) {
    let metrics = session.metrics();
    let (truth, views) = (metrics.truth(), metrics.views());
    let n = truth.len().min(views.len());
    let not_up: Vec<usize> = (0..n).filter(|&i| truth.life(i) != Liveness::Up).collect();
    let up = (n - not_up.len()).max(1) as f32;
    let mut suspicions = 0;
    let shares = (0..n)
        .map(|s| {
            let counts = views.counts_excluding(s, not_up.iter().copied());
            suspicions += counts[crate::observe::views::tally_slot(Some(State::Suspect))];
            counts[crate::observe::views::tally_slot(Some(State::Alive))] as f32 / up
        })
        .collect();
    (ViewPoint { t, agreement: metrics.agreement(), accuracy: metrics.accuracy(), suspicions }, shares)
}

impl HeatBins {
    fn add(&mut self, t: f64, shares: &[f32]) {
        // Bin i covers (i·bin, (i+1)·bin]: metrics lines come after their second.
        let i = ((t / self.bin).ceil() as usize).saturating_sub(1).min(self.sums.len() - 1);
        let col = &mut self.sums[i];
        if col.len() < shares.len() {
            col.resize(shares.len(), (0.0, 0));
        }
        for (c, s) in col.iter_mut().zip(shares) {
            c.0 += s;
            c.1 += 1;
        }
    }

    fn finish(self) -> Heat {
        let columns = self
            .sums
            .into_iter()
            .map(|col| col.into_iter().map(|(sum, k)| (k > 0).then(|| sum / k as f32)).collect())
            .collect();
        Heat { bin: self.bin, columns }
    }
}

#[cfg(test)]
#[path = "series/tests.rs"]
mod tests;
