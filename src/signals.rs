//! SIGTERM, SIGHUP and SIGINT: a request to stop, answered by stopping the
//! nodes, finishing the session log with its summary line, writing
//! `summary.json`, restoring the terminal and exiting 128 + the signal's
//! number (DESIGN §4), instead of dying with the record half written.
//!
//! The handlers are installed before the lab starts, so a signal during
//! start-up is kept and answered as soon as the lab can stop. A second
//! signal while the lab is stopping ends the process at once: a stop that
//! hangs must not trap its user (the log then lacks its summary line, and
//! `report` says so).

use std::future::Future;
use std::io;

use tokio::signal::unix::{Signal, SignalKind, signal};

/// A signal that asks gossip-lab to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// SIGHUP: the terminal went away.
    Hangup,
    /// SIGINT: Ctrl-C outside the dashboard, or `kill -INT`.
    Interrupt,
    /// SIGTERM: `kill`, a service manager, a CI timeout.
    Terminate,
}

impl Stop {
    fn kind(self) -> SignalKind {
        match self {
            Stop::Hangup => SignalKind::hangup(),
            Stop::Interrupt => SignalKind::interrupt(),
            Stop::Terminate => SignalKind::terminate(),
        }
    }

    /// The signal's name, e.g. `SIGTERM`.
    pub fn name(self) -> &'static str {
        match self {
            Stop::Hangup => "SIGHUP",
            Stop::Interrupt => "SIGINT",
            Stop::Terminate => "SIGTERM",
        }
    }

    /// The exit code of a process stopped by this signal, as shells
    /// report one killed by it: 128 + its number (129, 130, 143).
    pub fn exit_code(self) -> u8 {
        u8::try_from(128 + self.kind().as_raw_value()).unwrap_or(u8::MAX)
    }
}

/// The installed handlers.
#[derive(Debug)]
pub struct Signals {
    hangup: Signal,
    interrupt: Signal,
    terminate: Signal,
}

impl Signals {
    /// Installs the handlers; from now on these signals no longer kill
    /// the process but wait for [`Signals::recv`]. Needs a tokio runtime.
    pub fn install() -> io::Result<Signals> {
        Ok(Signals {
            hangup: signal(Stop::Hangup.kind())?,
            interrupt: signal(Stop::Interrupt.kind())?,
            terminate: signal(Stop::Terminate.kind())?,
        })
    }

    /// The next signal; waits for one.
    pub async fn recv(&mut self) -> Stop {
        tokio::select! {
            Some(()) = self.terminate.recv() => Stop::Terminate,
            Some(()) = self.interrupt.recv() => Stop::Interrupt,
            Some(()) = self.hangup.recv() => Stop::Hangup,
            // Only a runtime shutting down closes them; nothing to wait for then.
            else => std::future::pending().await,
        }
    }

    /// Runs `stopping` (the lab stopping, the log being finished) to its
    /// end. A signal meanwhile is the reason to report if none was given
    /// yet; a second one exits the process at once.
    pub async fn while_stopping<T>(
        &mut self,
        first: Option<Stop>,
        stopping: impl Future<Output = T>,
    ) -> (T, Option<Stop>) {
        tokio::pin!(stopping);
        let mut first = first;
        loop {
            tokio::select! {
                out = &mut stopping => return (out, first),
                stop = self.recv() => match first {
                    None => first = Some(stop),
                    Some(_) => {
                        eprintln!("gossip-lab: {} while stopping: exiting now; the session log may lack its summary line", stop.name());
                        std::process::exit(stop.exit_code().into());
                    }
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_128_plus_the_signal_number() {
        assert_eq!(Stop::Hangup.exit_code(), 129);
        assert_eq!(Stop::Interrupt.exit_code(), 130);
        assert_eq!(Stop::Terminate.exit_code(), 143);
    }
}
