//! The real lab's keyring: the keys themselves, and what each node gets.
//!
//! The lab is the cluster's operator. It holds the keys (generated from OS
//! entropy, or read from the profile's key file), turns them into ciphers
//! once per change, and hands every node life its own copy of the keyring:
//! nodes started, restarted or added later get the keyring in force then.

use std::sync::Arc;

use crate::observe::record::{KeyChange, Record, SecurityRecord};
use crate::scenario::Action;
use crate::security::{
    Auth, CipherRing, Codec, Key, KeyError, KeyId, Keyring, KeyringError, SecurityConfig, cipher_ring,
};

/// The keys a lab holds, and the ciphers built from them.
#[derive(Debug)]
pub struct LabKeys {
    config: SecurityConfig,
    /// `None` with `auth = "none"`.
    ring: Option<(Keyring<Key>, Arc<CipherRing>)>,
}

/// Why a key action failed. The keyring is left as it was.
#[derive(Debug, thiserror::Error)]
pub enum KeyActionError {
    /// `auth = "none"`: there is no keyring.
    #[error("auth is off ([security] auth = \"none\"): there is no keyring to change")]
    NoKeyring,
    /// The keyring refused.
    #[error(transparent)]
    Keyring(#[from] KeyringError),
    /// No key could be generated.
    #[error("cannot make a key: {0}")]
    Key(#[from] KeyError),
}

impl LabKeys {
    /// The keyring a run starts with: one key, from the profile's key
    /// file or freshly generated.
    pub fn new(config: &SecurityConfig) -> Result<LabKeys, KeyError> {
        let first = match &config.auth {
            Auth::None => None,
            Auth::Generated => Some(Key::generate()?),
            Auth::File { key, .. } => Some(key.clone()),
        };
        let ring = first.map(|key| {
            let ring = Keyring::new(key.id(), key);
            let ciphers = Arc::new(cipher_ring(&ring));
            (ring, ciphers)
        });
        Ok(LabKeys { config: config.clone(), ring })
    }

    /// The session header's account: mode, label and the first key's id.
    pub fn header(&self) -> SecurityRecord {
        SecurityRecord::of(&self.config, self.ring.as_ref().map(|(r, _)| r.primary()))
    }

    /// A codec for a new node life, over the keyring in force.
    pub fn codec(&self) -> Result<Codec, KeyError> {
        match &self.ring {
            None => Ok(Codec::plain()),
            Some((_, ciphers)) => Codec::sealed(ciphers.clone(), &self.config.label),
        }
    }

    /// The ciphers every node should hold now.
    pub fn ciphers(&self) -> Option<Arc<CipherRing>> {
        self.ring.as_ref().map(|(_, c)| c.clone())
    }

    /// Carries out a key action on the lab's keyring and returns the
    /// session-log record and a line of feedback. Every node must then be
    /// given [`LabKeys::ciphers`].
    pub fn apply(&mut self, action: &Action) -> Result<(Record, String), KeyActionError> {
        let (ring, ciphers) = self.ring.as_mut().ok_or(KeyActionError::NoKeyring)?;
        let (change, id): (KeyChange, KeyId) = match action {
            Action::KeyInstall => {
                let key = Key::generate()?;
                let id = key.id();
                ring.install(id, key)?;
                (KeyChange::Installed, id)
            }
            Action::KeyUse { key } => {
                let id = ring.resolve_use(*key)?;
                ring.use_key(id)?;
                (KeyChange::Used, id)
            }
            Action::KeyRemove { key } => {
                let id = ring.resolve_remove(*key)?;
                ring.remove(id)?;
                (KeyChange::Removed, id)
            }
            other => unreachable!("{} is not a key action", other.name()),
        };
        *ciphers = Arc::new(cipher_ring(ring));
        let feedback =
            format!("key {id} {} on every node ({} installed, primary {})", change.label(), ring.len(), ring.primary());
        Ok((change.record(id, ring), feedback))
    }
}
