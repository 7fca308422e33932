//! The binding table's own rules: one binding per key and mode, one per
//! command, and the keys that mean different things in a replay.

use super::*;

const MODES: [Mode; 2] = [Mode::Live, Mode::Replay];

#[test]
fn no_key_is_bound_twice_in_one_mode() {
    for mode in MODES {
        let keys: Vec<Key> = bindings(mode).flat_map(|b| b.keys.iter().copied()).collect();
        for (i, a) in keys.iter().enumerate() {
            assert!(!keys[i + 1..].contains(a), "{} is bound twice in {mode:?}", a.name());
        }
    }
}

#[test]
fn every_key_finds_its_own_binding() {
    for mode in MODES {
        for b in bindings(mode) {
            for k in b.keys {
                assert_eq!(lookup(&k.event(), mode), Some(b.command), "{} in {mode:?}", k.name());
            }
        }
    }
}

#[test]
fn every_command_has_one_binding() {
    // `App::command` reads a command's scope from its binding.
    for (i, b) in BINDINGS.iter().enumerate() {
        assert!(BINDINGS[i + 1..].iter().all(|o| o.command != b.command), "{:?} is bound twice", b.command);
    }
}

#[test]
fn space_freezes_a_lab_and_plays_a_replay() {
    let space = KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE);
    assert_eq!(lookup(&space, Mode::Live), Some(Command::Freeze));
    assert_eq!(lookup(&space, Mode::Replay), Some(Command::Play));
    let c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE);
    assert_eq!(lookup(&c, Mode::Replay), None, "crash does nothing in a replay");
    assert_eq!(binding(&c, Mode::Replay).map(|b| b.scope), Some(Scope::Live), "but is found, to say why");
    let right = KeyEvent::new(KeyCode::Right, KeyModifiers::NONE);
    assert_eq!(lookup(&right, Mode::Live), None);
    assert_eq!(lookup(&right, Mode::Replay), Some(Command::Step(1)));
    assert_eq!(lookup(&KeyEvent::new(KeyCode::Right, KeyModifiers::SHIFT), Mode::Replay), Some(Command::Step(10)));
}

#[test]
fn shifted_characters_and_uppercase_ctrl_c() {
    assert_eq!(lookup(&KeyEvent::new(KeyCode::Char('?'), KeyModifiers::SHIFT), Mode::Live), Some(Command::Help));
    assert_eq!(lookup(&KeyEvent::new(KeyCode::Char('C'), KeyModifiers::CONTROL), Mode::Live), Some(Command::Quit));
    assert_eq!(lookup(&KeyEvent::new(KeyCode::Char('x'), KeyModifiers::CONTROL), Mode::Live), None);
    assert_eq!(ctrl('c').name(), "Ctrl-C");
    assert_eq!(shift(KeyCode::Left).name(), "Shift-←");
}
