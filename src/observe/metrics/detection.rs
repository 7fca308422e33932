//! Failure detection: per crash, the first suspicion, the first death and
//! the moment every up node holds the victim dead (or never knew it).
//!
//! A crash opens a record; a restart before full detection closes it as
//! aborted, since the node it would be about no longer exists.

use serde::Serialize;

use crate::observe::truth::Truth;
use crate::observe::views::Views;
use crate::protocol::{State, Time};

/// The failure detection of one crash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Detection {
    /// The crashed node.
    pub node: usize,
    /// When it crashed.
    pub crashed_at: Time,
    /// Members up just before it crashed, itself included: the cluster
    /// size the detection model is judged at.
    pub cluster: usize,
    /// First suspicion of it by anyone.
    pub first_suspect: Option<Time>,
    /// First death mark by anyone.
    pub first_dead: Option<Time>,
    /// When every up node held it dead (or never knew it).
    pub full: Option<Time>,
    /// It came back before full detection; the record is closed.
    pub aborted: bool,
}

impl Detection {
    fn open(&self) -> bool {
        self.full.is_none() && !self.aborted
    }
}

/// Every crash of a session and how it was detected.
#[derive(Clone, Debug, Default)]
pub struct Detections {
    list: Vec<Detection>,
}

impl Detections {
    /// `node` crashed at `t`: a record opens.
    pub fn crashed(&mut self, node: usize, t: Time, cluster: usize) {
        self.list.push(Detection {
            node,
            crashed_at: t,
            cluster,
            first_suspect: None,
            first_dead: None,
            full: None,
            aborted: false,
        });
    }

    /// `node` came back: any open record of it is moot.
    pub fn restarted(&mut self, node: usize) {
        for d in self.list.iter_mut().filter(|d| d.node == node && d.open()) {
            d.aborted = true;
        }
    }

    /// Someone marked `subject` as `to` at `t`.
    pub fn marked(&mut self, subject: usize, to: State, t: Time) {
        let Some(d) = self.list.iter_mut().rev().find(|d| d.node == subject && d.open()) else { return };
        match to {
            State::Suspect => {
                d.first_suspect.get_or_insert(t);
            }
            State::Dead | State::Left => {
                d.first_dead.get_or_insert(t);
            }
            State::Alive => {}
        }
    }

    /// Closes every open record whose victim every up node now holds dead
    /// or does not know (a view may have changed, or who is up).
    pub fn check_full(&mut self, truth: &Truth, views: &Views, t: Time) {
        if !self.list.iter().any(Detection::open) {
            return;
        }
        let up: Vec<usize> = truth.up().collect();
        for d in self.list.iter_mut().filter(|d| d.open()) {
            let all = up
                .iter()
                .filter(|&&o| o != d.node)
                .all(|&o| matches!(views.get(o, d.node), None | Some(State::Dead) | Some(State::Left)));
            if all && d.first_dead.is_some() {
                d.full = Some(t);
            }
        }
    }

    /// Crash detections so far.
    pub fn all(&self) -> &[Detection] {
        &self.list
    }
}
