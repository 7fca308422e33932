//! Why an action could not be carried out: the engine's refusals and the
//! driver's failures, in one type for every caller.

use thiserror::Error;

/// Why an action could not be carried out. The engine's own refusals leave
/// everything as it was; a driver failure may come after records that
/// precede the effect.
#[derive(Debug, Error)]
pub enum EngineError {
    /// No node with that index.
    #[error("node {0} does not exist")]
    NoSuchNode(usize),
    /// The node is not in a state the action applies to.
    #[error("node {node} is {state}; cannot {action} it")]
    WrongState {
        /// The node.
        node: usize,
        /// Its state.
        state: &'static str,
        /// What was attempted.
        action: &'static str,
    },
    /// `node = "random"` found no node in a suitable state.
    #[error("no node is in a state to {0}")]
    NoCandidate(&'static str),
    /// A link rule was invalid.
    #[error("{0}")]
    BadRule(#[from] crate::faults::FaultError),
    /// The driver could not carry out the effect.
    #[error(transparent)]
    Driver(Box<dyn std::error::Error + Send + Sync>),
    /// A line could not be written to the session log.
    #[error("writing the session log: {0}")]
    Log(std::io::Error),
}

impl EngineError {
    /// A driver's own failure.
    pub fn driver(e: impl std::error::Error + Send + Sync + 'static) -> EngineError {
        EngineError::Driver(Box::new(e))
    }
}
