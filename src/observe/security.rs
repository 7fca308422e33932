//! What the session log says about authentication: the header's account
//! of it and each change of the keyring. Key ids only, never a key: DESIGN
//! §6 forbids keys in a log, and these types are the only way keys are
//! described in one.

use serde::{Deserialize, Serialize};

use super::record::Record;
use crate::security::{Auth, KeyId, Keyring, SecurityConfig};

/// The header's account of authentication: the mode and the first key's
/// id, never a key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityRecord {
    /// `"key"` (sealed datagrams) or `"none"`.
    pub auth: String,
    /// The cluster label (associated data of every sealed datagram).
    pub label: String,
    /// The primary key's id at start (absent with `auth = "none"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// Where that key came from: `"generated"` (random, for this run) or
    /// `"file"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_source: Option<String>,
}

impl SecurityRecord {
    /// The record of `config` with `primary` as the first key's id.
    pub fn of(config: &SecurityConfig, primary: Option<KeyId>) -> SecurityRecord {
        SecurityRecord {
            auth: config.auth.mode().to_owned(),
            label: config.label.clone(),
            key_id: primary.map(|id| id.to_string()),
            key_source: match config.auth {
                Auth::None => None,
                Auth::Generated => Some("generated".to_owned()),
                Auth::File { .. } => Some("file".to_owned()),
            },
        }
    }
}

/// What happened to the keyring.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyChange {
    /// A key was installed everywhere: it opens, it does not seal yet.
    Installed,
    /// A key became the primary everywhere: it seals.
    Used,
    /// A key was removed everywhere: it no longer opens.
    Removed,
}

impl KeyChange {
    /// The record of a keyring change: `key` is the key it was about.
    pub fn record<T>(self, key: KeyId, ring: &Keyring<T>) -> Record {
        Record::Key {
            event: self,
            key: key.to_string(),
            primary: ring.primary().to_string(),
            keys: ring.ids().map(|id| id.to_string()).collect(),
        }
    }

    /// "installed", "now primary", "removed".
    pub fn label(self) -> &'static str {
        match self {
            KeyChange::Installed => "installed",
            KeyChange::Used => "now primary",
            KeyChange::Removed => "removed",
        }
    }
}
