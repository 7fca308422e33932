//! Who may talk to the cluster: sealed datagrams and the keyring.
//!
//! Without authentication any local process that can reach a node's port
//! can forge a death, a leave or a flood (issue 9). As memberlist does, a
//! cluster shares secret keys: every datagram is sealed with an AEAD under
//! the primary key, and a datagram opens only under an installed key and
//! the cluster's label, so a stranger's datagrams are dropped before a byte
//! of them is decoded.
//!
//! - [`key`]: a 32-byte [`Key`], its public [`KeyId`] (a fingerprint that
//!   logs and the dashboard show instead of the key), and key files.
//! - [`keyring`]: the [`Keyring`] rules (one primary seals, every installed
//!   key opens, rotation by install / use / remove), shared by the real
//!   runtime, which holds ciphers, and the simulator, which holds key ids.
//! - [`seal`]: the [`Codec`] a node's socket uses to seal and open
//!   datagrams (XChaCha20-Poly1305), and what sealing costs in bytes.

pub mod key;
pub mod keyring;
pub mod seal;

pub use key::{Key, KeyError, KeyId};
pub use keyring::{KeyRef, Keyring, KeyringError, MAX_KEYS};
pub use seal::{CipherRing, Codec, Reject, SEAL_OVERHEAD, cipher_ring};

/// The label a profile gets when it names none: the cluster's name, bound
/// into every sealed datagram, so two clusters that happen to share a key
/// still cannot talk into each other.
pub const DEFAULT_LABEL: &str = "gossip-lab";
/// The longest label, in bytes (memberlist's limit).
pub const MAX_LABEL: usize = 255;

/// How a cluster authenticates its datagrams.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Auth {
    /// Plain datagrams: anyone who can reach a port can forge anything
    /// (`[security] auth = "none"`, to show the attacks).
    None,
    /// Sealed datagrams under a key generated for this run (the default).
    Generated,
    /// Sealed datagrams under a key read from a file.
    File {
        /// The path as the profile wrote it (never the key).
        path: String,
        /// The key.
        key: Key,
    },
}

impl Auth {
    /// `"none"` or `"key"`, as profiles and the session header write it.
    pub fn mode(&self) -> &'static str {
        match self {
            Auth::None => "none",
            Auth::Generated | Auth::File { .. } => "key",
        }
    }

    /// True when datagrams are sealed.
    pub fn seals(&self) -> bool {
        *self != Auth::None
    }
}

/// A profile's `[security]` section, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityConfig {
    /// The authentication mode and where the first key comes from.
    pub auth: Auth,
    /// The cluster label, bound into every sealed datagram.
    pub label: String,
}

impl Default for SecurityConfig {
    fn default() -> SecurityConfig {
        SecurityConfig { auth: Auth::Generated, label: DEFAULT_LABEL.to_owned() }
    }
}

impl SecurityConfig {
    /// [`core_budget`] for this configuration.
    pub fn core_budget(&self, packet_budget: usize) -> usize {
        core_budget(self.auth.seals(), packet_budget)
    }
}

/// The packet budget handed to the protocol core, which fills packets up
/// to it: sealing adds [`SEAL_OVERHEAD`] bytes to every datagram, and the
/// sealed datagram must still fit the profile's `packet_budget`.
pub fn core_budget(seals: bool, packet_budget: usize) -> usize {
    if seals { packet_budget.saturating_sub(SEAL_OVERHEAD) } else { packet_budget }
}
