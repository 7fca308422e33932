//! The line path, once: every session-log line, whichever driver made it,
//! is folded into the [`Session`] and the dashboard's [`Board`] and written
//! by the optional [`Recorder`] here. Also the session's header and spec, built once from the config.

use std::io;
use std::path::{Path, PathBuf};

use crate::config::LabConfig;
use crate::observe::board::Board;
use crate::observe::record::{FORMAT, Header, Line, Record, SecurityRecord};
use crate::observe::recorder::Recorder;
use crate::observe::{Mode, Script, Session, SessionSpec, Snapshot, Summary};
use crate::protocol::{NodeAddr, Time};

/// A session being kept: the fold, and the log on disk when recording.
#[derive(Debug)]
pub struct Journal {
    session: Session,
    board: Board,
    recorder: Option<Recorder>,
}

impl Journal {
    /// Starts the session of `config` run by `driver` over nodes at
    /// `addrs`, recording into `record` when given (the header first).
    pub fn start(
        config: &LabConfig,
        driver: &str,
        mode: Mode,
        addrs: &[NodeAddr],
        security: SecurityRecord,
        record: Option<&Path>,
    ) -> io::Result<Journal> {
        let session = Session::new(session_spec(config, driver, mode), addrs);
        let mut recorder = record.map(Recorder::create).transpose()?;
        if let Some(r) = recorder.as_mut() {
            r.write(&Line::at(Time::ZERO, Record::Session(header(config, driver, mode, addrs, security))))?;
        }
        Ok(Journal { session, board: Board::default(), recorder })
    }

    /// Folds `line` into the session and the board and writes it to the log.
    pub fn emit(&mut self, line: &Line) -> io::Result<()> {
        self.session.apply(line);
        self.board.apply(line, &self.session);
        match self.recorder.as_mut() {
            Some(r) => r.write(line),
            None => Ok(()),
        }
    }

    /// The session so far.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The dashboard's picture at `t`, of every line emitted so far: the
    /// one snapshot code path, shared with a replay
    /// ([`crate::observe::recording::Recording::frame`]).
    pub fn snapshot(&self, t: Time) -> Snapshot {
        self.board.snapshot(&self.session, t)
    }

    /// Pushes buffered lines to disk.
    pub fn flush(&mut self) -> io::Result<()> {
        self.recorder.as_mut().map_or(Ok(()), Recorder::flush)
    }

    /// Ends the session at `t_ms`: its summary, also written as the log's
    /// last line and as `summary.json` when recording.
    pub fn finish(&mut self, t_ms: f64) -> (Summary, io::Result<()>) {
        let summary = self.session.summary();
        let written = self.recorder.as_mut().map_or(Ok(()), |r| r.finish(t_ms, &summary));
        (summary, written)
    }

    /// Writes a complete export of the session so far into `dir`.
    pub fn export(&mut self, dir: PathBuf, t_ms: f64) -> io::Result<PathBuf> {
        let summary = self.session.summary();
        let recorder = self
            .recorder
            .as_mut()
            .ok_or_else(|| io::Error::other("this lab is not recording a session (start it with --export DIR)"))?;
        recorder.export(&dir, t_ms, &summary)?;
        Ok(dir)
    }
}

/// The session log's first line.
pub fn header(config: &LabConfig, driver: &str, mode: Mode, addrs: &[NodeAddr], security: SecurityRecord) -> Header {
    Header {
        format: FORMAT,
        version: env!("CARGO_PKG_VERSION").to_string(),
        driver: driver.into(),
        mode,
        profile: config.resolved(),
        seed: config.seed,
        nodes: addrs.len(),
        addrs: addrs.iter().map(ToString::to_string).collect(),
        security: Some(security),
    }
}

/// What the session is told about a lab's configuration.
pub fn session_spec(config: &LabConfig, driver: &str, mode: Mode) -> SessionSpec {
    SessionSpec {
        profile: config.name.clone(),
        driver: driver.to_string(),
        seed: config.seed,
        protocol: config.protocol.clone(),
        phi: config.phi.as_ref().map(|t| t.config.clone()),
        protocol_label: protocol_label(config),
        network: config.network.baseline(),
        expect: config.expect.clone(),
        mode,
        script: Script { duration: config.duration, steps: config.timeline.clone() },
    }
}

/// "fast preset, Lifeguard on", "phi cassandra preset, φ 8" and the like.
pub fn protocol_label(config: &LabConfig) -> String {
    if let Some(phi) = &config.phi {
        return format!("phi {} preset, φ {}", phi.preset, phi.config.phi_convict);
    }
    let lifeguard = if config.protocol.lifeguard() {
        "Lifeguard on"
    } else if !config.protocol.awareness && !config.protocol.dynamic_suspicion && !config.protocol.buddy {
        "Lifeguard off (plain SWIM)"
    } else {
        "Lifeguard partly on"
    };
    format!("{} preset, {lifeguard}", config.preset.name())
}
