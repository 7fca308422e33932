//! Placeholder: the pure fault model is being written (see issue 2).
