//! Keys, key ids and key files.
//!
//! A [`Key`] is 32 secret bytes. It never prints, never serializes and is
//! wiped from memory when dropped; what logs, summaries and the dashboard
//! show instead is its [`KeyId`], a short SHA-256 fingerprint that names a
//! key without revealing anything useful about it.

use std::fmt;

use base64::Engine as _;
use rand::rngs::{StdRng, SysRng};
use rand::{SeedableRng, TryRng};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Bytes in a key (XChaCha20-Poly1305 takes 256-bit keys).
pub const KEY_LEN: usize = 32;
/// Bytes of the SHA-256 fingerprint kept as the key id.
const ID_LEN: usize = 4;
/// Hashed before the key, so a key id cannot be mistaken for (or reused
/// as) a hash of the key made for any other purpose.
const ID_DOMAIN: &[u8] = b"gossip-lab key id v1\0";

/// A secret cluster key.
#[derive(Clone, PartialEq, Eq)]
pub struct Key(Zeroizing<[u8; KEY_LEN]>);

/// Why a key could not be made or read.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum KeyError {
    /// The text holds nothing but whitespace.
    #[error("it is empty")]
    Empty,
    /// The text is neither hex nor base64.
    #[error("it is neither hex nor base64")]
    Encoding,
    /// Hex or base64, but not of 32 bytes.
    #[error("it decodes to {0} bytes, not {KEY_LEN}")]
    Length(usize),
    /// The operating system gave no entropy.
    #[error("the operating system gave no random bytes: {0}")]
    Entropy(String),
}

/// How to write a key file; every key error message ends with it.
pub const KEY_FILE_FIX: &str = "give a file holding one 32-byte key as 64 hex digits or as base64 \
     (make one with `head -c 32 /dev/urandom | base64`)";

impl Key {
    /// A key from its bytes.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Key {
        Key(Zeroizing::new(bytes))
    }

    /// A fresh random key from the operating system's entropy.
    pub fn generate() -> Result<Key, KeyError> {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        SysRng.try_fill_bytes(&mut key[..]).map_err(|e| KeyError::Entropy(e.to_string()))?;
        Ok(Key(key))
    }

    /// A key derived from `seed`: the same seed, the same key. Only for the
    /// simulator, which must replay a run byte for byte and never seals a
    /// datagram (it compares key ids): such a key protects nothing.
    pub fn from_seed(seed: u64) -> Key {
        use rand::Rng as _;
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        StdRng::seed_from_u64(seed).fill_bytes(&mut key[..]);
        Key(key)
    }

    /// Reads a key written as 64 hex digits or as base64 of 32 bytes;
    /// whitespace around it (a trailing newline) is ignored.
    pub fn parse(text: &str) -> Result<Key, KeyError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(KeyError::Empty);
        }
        let bytes: Zeroizing<Vec<u8>> = Zeroizing::new(if text.len() == 2 * KEY_LEN {
            hex::decode(text).map_err(|_| KeyError::Encoding)?
        } else if text.bytes().all(|b| b.is_ascii_hexdigit()) && text.len().is_multiple_of(2) {
            return Err(KeyError::Length(text.len() / 2));
        } else {
            base64::engine::general_purpose::STANDARD.decode(text).map_err(|_| KeyError::Encoding)?
        });
        let array: [u8; KEY_LEN] = bytes.as_slice().try_into().map_err(|_| KeyError::Length(bytes.len()))?;
        Ok(Key::from_bytes(array))
    }

    /// The key's public name.
    pub fn id(&self) -> KeyId {
        let digest = Sha256::new().chain_update(ID_DOMAIN).chain_update(&self.0[..]).finalize();
        let mut id = [0u8; ID_LEN];
        id.copy_from_slice(&digest[..ID_LEN]);
        KeyId(id)
    }

    /// The secret bytes, for building a cipher.
    pub(crate) fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl fmt::Debug for Key {
    /// Only the id: a key must never reach a log, even a debug one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key({})", self.id())
    }
}

/// A key's public name: the first bytes of a domain-separated SHA-256 of
/// the key, written as hex ("3fa2c1d0").
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId([u8; ID_LEN]);

impl KeyId {
    /// An id from raw bytes, for tests and for the simulator's stand-ins.
    pub const fn from_bytes(bytes: [u8; ID_LEN]) -> KeyId {
        KeyId(bytes)
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    fn counting() -> Key {
        Key::from_bytes(std::array::from_fn(|i| i as u8))
    }

    #[test]
    fn key_files_take_hex_or_base64_and_nothing_else() {
        let b64 = base64::engine::general_purpose::STANDARD.encode(counting().bytes());
        assert_eq!(Key::parse(HEX), Ok(counting()));
        assert_eq!(Key::parse(&format!("  {}\n", HEX.to_uppercase())), Ok(counting()));
        assert_eq!(Key::parse(&format!("{b64}\n")), Ok(counting()));
        assert_eq!(Key::parse(" \n"), Err(KeyError::Empty));
        assert_eq!(Key::parse(&HEX[..62]), Err(KeyError::Length(31)));
        assert_eq!(Key::parse("not a key!"), Err(KeyError::Encoding));
        assert_eq!(Key::parse("QUJD"), Err(KeyError::Length(3)), "base64 of \"ABC\"");
    }

    #[test]
    fn ids_are_stable_short_and_never_the_key() {
        let id = counting().id();
        assert_eq!(id, counting().id());
        assert_eq!(id.to_string().len(), 2 * ID_LEN);
        assert_ne!(id, Key::from_bytes([0; KEY_LEN]).id());
        assert!(!HEX.contains(&id.to_string()), "the id is not a slice of the key");
        assert_eq!(format!("{:?}", counting()), format!("Key({id})"), "Debug shows only the id");
    }

    #[test]
    fn generated_keys_differ_and_seeded_keys_repeat() {
        assert_ne!(Key::generate().unwrap(), Key::generate().unwrap());
        assert_eq!(Key::from_seed(7), Key::from_seed(7));
        assert_ne!(Key::from_seed(7), Key::from_seed(8));
    }
}
