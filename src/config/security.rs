//! `[security]` and the key actions: how a profile says who may talk to
//! the cluster, and which key a `key_use` or `key_remove` step means.
//!
//! Its own file because it reads a file besides the profile (the key file)
//! and because the key actions are checked against a keyring as a whole
//! timeline, not one step at a time.

use std::path::Path;

use super::error::Ctx;
use super::raw::{RawSecurity, Sp};
use super::{ConfigError, step_context};
use crate::scenario::{Action, Step};
use crate::security::key::KEY_FILE_FIX;
use crate::security::{Auth, DEFAULT_LABEL, Key, KeyId, Keyring, KeyringError, MAX_LABEL, SecurityConfig};

type Result<T> = std::result::Result<T, ConfigError>;

/// `[security]`. A relative `key_file` is read relative to the
/// profile's own directory (the working directory for an embedded
/// profile), so a profile and its key can travel together.
pub(super) fn security(ctx: &Ctx<'_>, r: &RawSecurity, source: &str) -> Result<SecurityConfig> {
    const P: &str = "[security] ";
    let label = match &r.label {
        Some(v) if v.get_ref().len() > MAX_LABEL => {
            return Err(ctx.err(
                "[security] label",
                Some(v.span()),
                format!("{P}label is {} bytes long: use at most {MAX_LABEL}", v.get_ref().len()),
            ));
        }
        Some(v) => v.get_ref().clone(),
        None => DEFAULT_LABEL.to_owned(),
    };
    let auth = match r.auth.as_ref().map(|v| (v.get_ref().as_str(), v)) {
        None | Some(("key", _)) => key_source(ctx, r.key_file.as_ref(), source)?,
        Some(("none", _)) => {
            if let Some(v) = &r.key_file {
                return Err(ctx.err(
                    "[security] key_file",
                    Some(v.span()),
                    format!("{P}key_file does not apply to auth = \"none\": remove key_file, or set auth = \"key\""),
                ));
            }
            Auth::None
        }
        Some((other, v)) => {
            return Err(ctx.err(
                "[security] auth",
                Some(v.span()),
                format!(
                    "{P}auth = \"{other}\" is not a mode: use \"key\" (sealed datagrams, the default) \
                         or \"none\" (plain datagrams, to show what forgery does)"
                ),
            ));
        }
    };
    Ok(SecurityConfig { auth, label })
}

fn key_source(ctx: &Ctx<'_>, key_file: Option<&Sp<String>>, source: &str) -> Result<Auth> {
    let Some(v) = key_file else { return Ok(Auth::Generated) };
    let given = Path::new(v.get_ref());
    let dir = if source.starts_with("embedded:") { None } else { Path::new(source).parent() };
    let path = match dir {
        Some(dir) if given.is_relative() => dir.join(given),
        _ => given.to_path_buf(),
    };
    let shown = path.display().to_string();
    let bad = |why: String| {
        ctx.err(
            "[security] key_file",
            Some(v.span()),
            format!("[security] key_file = \"{shown}\" {why}: {KEY_FILE_FIX}"),
        )
    };
    let text = std::fs::read_to_string(&path).map_err(|e| bad(format!("cannot be read ({e})")))?;
    let key = Key::parse(&text).map_err(|e| bad(format!("is not a key: {e}")))?;
    Ok(Auth::File { path: shown, key })
}

/// Plays the timeline's key actions on a keyring of stand-in ids, so a
/// rotation that cannot work (a key action with `auth = "none"`, removing
/// the only key, a full keyring) is an error before the run rather than a
/// refused step during it. The same [`Keyring`] rules the drivers use.
pub(super) fn check_key_steps(
    security: &SecurityConfig,
    timeline: &[Step],
    err: &dyn Fn(&str, String) -> ConfigError,
) -> Result<()> {
    let mut ring = Keyring::new(KeyId::from_bytes([0; 4]), ());
    let mut installed = 0u32;
    for step in timeline {
        let result = match &step.action {
            Action::KeyInstall | Action::KeyUse { .. } | Action::KeyRemove { .. } if !security.auth.seals() => {
                return Err(err(
                    "[security] auth",
                    format!(
                        "{}: key actions need a keyring, and [security] auth = \"none\": \
                         set auth = \"key\" or remove the step",
                        step_context(step)
                    ),
                ));
            }
            Action::KeyInstall => {
                installed += 1;
                ring.install(KeyId::from_bytes(installed.to_be_bytes()), ())
            }
            Action::KeyUse { key } => ring.resolve_use(*key).and_then(|id| ring.use_key(id)),
            Action::KeyRemove { key } => ring.resolve_remove(*key).and_then(|id| ring.remove(id).map(drop)),
            _ => Ok(()),
        };
        if let Err(e) = result {
            // Stand-in ids mean nothing to the reader: say it without them.
            let why = match e {
                KeyringError::OnlyPrimary(_) => {
                    "the keyring holds only the primary key: install a new key first".into()
                }
                KeyringError::AlreadyPrimary(_) => "that key is the primary already: install a new key first".into(),
                other => other.to_string(),
            };
            return Err(err(&format!("[[timeline]] #{} key", step.origin), format!("{}: {why}", step_context(step))));
        }
    }
    Ok(())
}
