//! Protocol rules, one at a time, driven by hand.
//!
//! Each test builds one or two `Node`s, hands them exactly the packets a
//! rule is about, and inspects what they send and emit. No driver, no
//! network, no clock: time is whatever the test passes in.

#[path = "../common/mod.rs"]
mod common;
mod dead_and_hostile;
mod states_and_probing;
mod suspicion_and_spread;
