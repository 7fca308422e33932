//! The control plane: the one task that owns the lab and carries out the
//! dashboard's requests, and the player that feeds it the profile's
//! timeline. Keys and timeline steps reach the lab only through here, one
//! at a time, so a slow action (a crash waits for the node's task to end)
//! never stalls drawing, and nothing in the dashboard ever touches a node.

use std::future::Future;
use std::path::PathBuf;

use tokio::sync::mpsc;

use super::app::Status;
use crate::engine::Timeline;
use crate::runtime::Running;
use crate::scenario::{Action, Step};

/// What the dashboard can ask of a lab. The real [`Running`] lab
/// implements it; tests implement it with a recorder, so the dispatch of
/// every key can be checked without sockets.
pub trait LabControl: Send + 'static {
    /// Carries out `action`; the feedback line, or why not.
    fn apply(&mut self, action: &Action) -> impl Future<Output = Result<String, String>> + Send;
    /// Exports the session into `dir`; the directory written, or why not.
    fn export(&mut self, dir: PathBuf) -> impl Future<Output = Result<PathBuf, String>> + Send;
}

impl LabControl for Running {
    async fn apply(&mut self, action: &Action) -> Result<String, String> {
        Running::apply(self, action).await.map_err(|e| e.to_string())
    }

    async fn export(&mut self, dir: PathBuf) -> Result<PathBuf, String> {
        self.observer.export(dir).await.map_err(|e| format!("export failed: {e}"))
    }
}

/// The two labs of a comparison, driven as one: every action is carried
/// out on both at once (so both see it at the same instant), and an export
/// writes each side's session under `a/` and `b/` of the directory.
pub struct Pair {
    /// Side A.
    pub a: Running,
    /// Side B.
    pub b: Running,
    /// The sides' names, A's first.
    pub names: [String; 2],
}

impl Pair {
    /// Stops both labs, finishing both session logs, even when one
    /// fails; their summaries, A's first.
    pub async fn stop(self) -> std::io::Result<[crate::observe::Summary; 2]> {
        let (a, b) = tokio::join!(self.a.stop(), self.b.stop());
        Ok([a?, b?])
    }
}

impl LabControl for Pair {
    async fn apply(&mut self, action: &Action) -> Result<String, String> {
        let (a, b) = tokio::join!(self.a.apply(action), self.b.apply(action));
        let said = |r: Result<String, crate::engine::EngineError>| r.map_err(|e| e.to_string());
        match (said(a), said(b)) {
            (Ok(a), Ok(b)) if a == b => Ok(format!("A+B: {a}")),
            (Ok(a), Ok(b)) => Ok(format!("A: {a} · B: {b}")),
            (a, b) => Err(format!("A: {} · B: {}", a.unwrap_or_else(|e| e), b.unwrap_or_else(|e| e))),
        }
    }

    async fn export(&mut self, dir: PathBuf) -> Result<PathBuf, String> {
        let (a, b) = tokio::join!(self.a.observer.export(dir.join("a")), self.b.observer.export(dir.join("b")));
        a.and(b).map(|_| dir).map_err(|e| format!("export failed: {e}"))
    }
}

/// A request to the task that owns the lab.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    /// Carry out an action.
    Apply(Action),
    /// Carry out a step of the profile's timeline (reported as such).
    Timeline(Action),
    /// Export the session into a directory.
    Export(PathBuf),
}

/// Owns the lab and carries out requests one at a time until the sender
/// is dropped, answering each with a status line; returns the lab so the
/// caller can stop it.
pub async fn serve<L: LabControl>(
    mut lab: L,
    mut requests: mpsc::Receiver<Request>,
    replies: mpsc::UnboundedSender<Status>,
) -> L {
    while let Some(request) = requests.recv().await {
        let status = match request {
            Request::Apply(action) => match lab.apply(&action).await {
                Ok(text) => Status { text, error: false },
                Err(e) => Status { text: format!("{}: {e}", action.label()), error: true },
            },
            Request::Timeline(action) => match lab.apply(&action).await {
                Ok(text) => Status { text: format!("timeline: {text}"), error: false },
                Err(e) => Status { text: format!("timeline: {}: {e}", action.label()), error: true },
            },
            Request::Export(dir) => match lab.export(dir).await {
                Ok(dir) => {
                    let shown = std::fs::canonicalize(&dir).unwrap_or(dir);
                    Status { text: format!("exported the session to {}", shown.display()), error: false }
                }
                Err(e) => Status { text: e, error: true },
            },
        };
        let _ = replies.send(status);
    }
    lab
}

/// Sends each timeline step to the lab task at its time (from `start`),
/// until the steps run out or the dashboard stops taking requests.
pub async fn play(timeline: Vec<Step>, start: tokio::time::Instant, requests: mpsc::Sender<Request>) {
    let mut timeline = Timeline::new(timeline);
    while let Some(at) = timeline.next_at() {
        tokio::time::sleep_until(start + at).await;
        while let Some(step) = timeline.due(at) {
            if requests.send(Request::Timeline(step.action)).await.is_err() {
                return;
            }
        }
    }
}
