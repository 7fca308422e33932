//! Placeholder: the deterministic simulator is being written (see issue 2).
