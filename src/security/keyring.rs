//! The keyring: one primary key seals, every installed key opens.
//!
//! Rotating a key on a live cluster without losing a datagram takes three
//! steps, each finished on every node before the next begins: install the
//! new key everywhere (everyone can now open it), use it as the primary
//! everywhere (everyone now seals with it, and can still open datagrams
//! sealed with the old one that are in flight), then remove the old one.
//! [`Keyring`] holds those rules once, for both drivers: the runtime keeps
//! ciphers in it, the simulator and profile validation keep nothing but key
//! ids (`Keyring<()>`).

use super::key::KeyId;

/// The most keys a keyring holds. A datagram no key opens is tried against
/// each of them, so the bound also bounds what a forged datagram costs.
pub const MAX_KEYS: usize = 8;

/// Which installed key an action means. Keys are random per run, so
/// profiles name them by age.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyRef {
    /// The key installed last (for `key_remove`: the newest that is not
    /// the primary).
    Newest,
    /// The key installed first (for `key_remove`: the oldest that is not
    /// the primary).
    Oldest,
}

impl KeyRef {
    /// `"newest"` or `"oldest"`, as profiles write it.
    pub fn name(self) -> &'static str {
        match self {
            KeyRef::Newest => "newest",
            KeyRef::Oldest => "oldest",
        }
    }

    /// Parses a profile's `key = "..."`.
    pub fn from_name(name: &str) -> Option<KeyRef> {
        match name {
            "newest" => Some(KeyRef::Newest),
            "oldest" => Some(KeyRef::Oldest),
            _ => None,
        }
    }
}

/// Why a keyring refused a change. The keyring is left as it was.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum KeyringError {
    /// Already [`MAX_KEYS`] keys.
    #[error("the keyring is full ({MAX_KEYS} keys): remove a key first")]
    Full,
    /// That key is installed already.
    #[error("key {0} is installed already")]
    Duplicate(KeyId),
    /// No installed key has that id.
    #[error("key {0} is not installed")]
    NotInstalled(KeyId),
    /// The primary key cannot be removed: nothing would seal.
    #[error("key {0} is the primary: make another key primary first")]
    RemovePrimary(KeyId),
    /// The key asked for is already the primary.
    #[error("key {0} is the primary already: install a new key first")]
    AlreadyPrimary(KeyId),
    /// A removal needs a key besides the primary.
    #[error("the keyring holds only the primary key {0}: install a new key first")]
    OnlyPrimary(KeyId),
}

/// Installed keys in install order, one of them the primary. `T` is what a
/// driver keeps per key: a cipher, or nothing.
#[derive(Clone, Debug)]
pub struct Keyring<T> {
    entries: Vec<(KeyId, T)>,
    primary: usize,
}

impl<T> Keyring<T> {
    /// A keyring holding one key, its primary.
    pub fn new(id: KeyId, value: T) -> Keyring<T> {
        Keyring { entries: vec![(id, value)], primary: 0 }
    }

    /// The key that seals.
    pub fn primary(&self) -> KeyId {
        self.entries[self.primary].0
    }

    /// What the driver keeps for the primary key.
    pub fn primary_value(&self) -> &T {
        &self.entries[self.primary].1
    }

    /// Every installed key, oldest first.
    pub fn ids(&self) -> impl Iterator<Item = KeyId> + '_ {
        self.entries.iter().map(|(id, _)| *id)
    }

    /// Installed keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Never true: a keyring always holds its primary.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// True when `id` is installed (so a datagram sealed with it opens).
    pub fn contains(&self, id: KeyId) -> bool {
        self.position(id).is_some()
    }

    /// What the driver keeps per key, the primary first, then the others
    /// newest first: the order to try keys when opening (the primary is
    /// what nearly every peer seals with; during a rotation the newest).
    pub fn opening_order(&self) -> impl Iterator<Item = &T> + '_ {
        let others = self.entries.iter().enumerate().rev().filter(|(i, _)| *i != self.primary);
        std::iter::once(&self.entries[self.primary].1).chain(others.map(|(_, (_, v))| v))
    }

    fn position(&self, id: KeyId) -> Option<usize> {
        self.entries.iter().position(|(k, _)| *k == id)
    }

    /// Adds a key that opens datagrams (it does not seal until used).
    pub fn install(&mut self, id: KeyId, value: T) -> Result<(), KeyringError> {
        if self.contains(id) {
            return Err(KeyringError::Duplicate(id));
        }
        if self.entries.len() >= MAX_KEYS {
            return Err(KeyringError::Full);
        }
        self.entries.push((id, value));
        Ok(())
    }

    /// Makes an installed key the primary.
    pub fn use_key(&mut self, id: KeyId) -> Result<(), KeyringError> {
        let i = self.position(id).ok_or(KeyringError::NotInstalled(id))?;
        if i == self.primary {
            return Err(KeyringError::AlreadyPrimary(id));
        }
        self.primary = i;
        Ok(())
    }

    /// Removes a key that is not the primary; datagrams sealed with it no
    /// longer open.
    pub fn remove(&mut self, id: KeyId) -> Result<T, KeyringError> {
        let i = self.position(id).ok_or(KeyringError::NotInstalled(id))?;
        if i == self.primary {
            return Err(KeyringError::RemovePrimary(id));
        }
        if i < self.primary {
            self.primary -= 1;
        }
        Ok(self.entries.remove(i).1)
    }

    /// The key `key_use` means by `r`.
    pub fn resolve_use(&self, r: KeyRef) -> Result<KeyId, KeyringError> {
        let (id, _) = match r {
            KeyRef::Newest => self.entries.last(),
            KeyRef::Oldest => self.entries.first(),
        }
        .expect("a keyring is never empty");
        if *id == self.primary() { Err(KeyringError::AlreadyPrimary(*id)) } else { Ok(*id) }
    }

    /// The key `key_remove` means by `r`: never the primary.
    pub fn resolve_remove(&self, r: KeyRef) -> Result<KeyId, KeyringError> {
        let mut others = self.entries.iter().enumerate().filter(|(i, _)| *i != self.primary).map(|(_, (id, _))| *id);
        match r {
            KeyRef::Newest => others.next_back(),
            KeyRef::Oldest => others.next(),
        }
        .ok_or(KeyringError::OnlyPrimary(self.primary()))
    }

    /// The same keys and primary, keeping `U` per key instead of `T`.
    pub fn map<U>(&self, mut f: impl FnMut(KeyId, &T) -> U) -> Keyring<U> {
        Keyring { entries: self.entries.iter().map(|(id, v)| (*id, f(*id, v))).collect(), primary: self.primary }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> KeyId {
        KeyId::from_bytes([n; 4])
    }

    #[test]
    fn a_rotation_installs_uses_then_removes() {
        let mut ring = Keyring::new(id(1), ());
        ring.install(id(2), ()).unwrap();
        assert_eq!(ring.primary(), id(1), "installing does not change what seals");
        assert!(ring.contains(id(2)));
        assert_eq!(ring.resolve_use(KeyRef::Newest), Ok(id(2)));
        ring.use_key(id(2)).unwrap();
        assert_eq!(ring.primary(), id(2));
        assert_eq!(ring.resolve_remove(KeyRef::Oldest), Ok(id(1)));
        ring.remove(id(1)).unwrap();
        assert_eq!(ring.ids().collect::<Vec<_>>(), [id(2)]);
        assert_eq!(ring.primary(), id(2), "the primary survives removing a key before it");
    }

    #[test]
    fn what_a_keyring_refuses() {
        let mut ring = Keyring::new(id(1), ());
        assert_eq!(ring.resolve_remove(KeyRef::Oldest), Err(KeyringError::OnlyPrimary(id(1))));
        assert_eq!(ring.resolve_use(KeyRef::Newest), Err(KeyringError::AlreadyPrimary(id(1))));
        assert_eq!(ring.remove(id(1)), Err(KeyringError::RemovePrimary(id(1))));
        assert_eq!(ring.use_key(id(9)), Err(KeyringError::NotInstalled(id(9))));
        assert_eq!(ring.install(id(1), ()), Err(KeyringError::Duplicate(id(1))));
        for n in 2..=MAX_KEYS as u8 {
            ring.install(id(n), ()).unwrap();
        }
        assert_eq!(ring.install(id(100), ()), Err(KeyringError::Full));
        assert_eq!(ring.len(), MAX_KEYS);
    }

    #[test]
    fn opening_tries_the_primary_first_then_newest_first() {
        let mut ring = Keyring::new(id(1), 1);
        ring.install(id(2), 2).unwrap();
        ring.install(id(3), 3).unwrap();
        ring.use_key(id(2)).unwrap();
        assert_eq!(ring.opening_order().copied().collect::<Vec<_>>(), [2, 3, 1]);
        assert_eq!(ring.resolve_remove(KeyRef::Newest), Ok(id(3)));
        assert_eq!(ring.resolve_remove(KeyRef::Oldest), Ok(id(1)));
        let ids = ring.map(|_, _| ());
        assert_eq!(ids.primary(), id(2));
    }
}
