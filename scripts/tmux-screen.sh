# Helpers for the scripts that drive gossip-lab in tmux like a person
# (tui-smoke.sh, tui-replay.sh); sourced from the repository's root, not
# run. The caller sets `name` (its messages' prefix) and `target` (the tmux
# session the checks look at), and may define `on_fail` to add what it
# knows to a failure.
#
# Every wait polls the screen with a deadline; none is a blind sleep.

# The release binary to drive (built beforehand; CARGO_TARGET_DIR is
# honoured), once tmux is known to be there.
lab_bin() {
    local bin
    bin="$(pwd)/${CARGO_TARGET_DIR:-target}/release/gossip-lab"
    case "${CARGO_TARGET_DIR:-}" in /*) bin="$CARGO_TARGET_DIR/release/gossip-lab" ;; esac
    [ -x "$bin" ] || { echo "$name: $bin not found; run cargo build --release first" >&2; exit 1; }
    command -v tmux >/dev/null || { echo "$name: tmux is not installed" >&2; exit 1; }
    echo "$bin"
}

# scratch_and_sessions SESSION...: makes $scratch, a fresh directory, and
# on exit kills the named tmux sessions and removes it.
scratch_and_sessions() {
    scratch=$(mktemp -d)
    owned_sessions=("$@")
    trap 'for s in "${owned_sessions[@]}"; do tmux kill-session -t "$s" 2>/dev/null || true; done; rm -rf "$scratch"' EXIT
}

# The screen as text.
screen() { tmux capture-pane -p -t "$target" 2>/dev/null || true; }

# A pane attribute, like '#{alternate_on}'.
pane() { tmux display-message -p -t "$target" "$1"; }

fail() {
    echo "$name: FAILED: $*" >&2
    echo "---- screen ----" >&2
    screen >&2
    echo "----------------" >&2
    if declare -F on_fail >/dev/null; then on_fail || true; fi
    exit 1
}

# wait_for DESCRIPTION SECONDS COMMAND...: polls until COMMAND succeeds.
wait_for() {
    local what=$1 limit=$2
    shift 2
    local deadline=$((SECONDS + limit))
    until "$@"; do
        [ "$SECONDS" -lt "$deadline" ] || fail "waited ${limit}s for $what"
        sleep 0.2
    done
    echo "$name: ok: $what (t=${SECONDS}s)"
}

shows() { screen | grep -Eq -- "$1"; }
hides() { ! screen | grep -Eq -- "$1"; }

# terminal_restored DIR: after the program left the shell in `target`, the
# alternate screen and mouse reporting are off, the cursor shows, and stty
# reads as it did in DIR/stty-before (which the caller wrote first).
terminal_restored() {
    local dir=$1
    [ "$(pane '#{alternate_on}')" = 0 ] || fail "the alternate screen is still on"
    [ "$(pane '#{mouse_any_flag}')" = 0 ] || fail "mouse reporting is still on"
    [ "$(pane '#{cursor_flag}')" = 1 ] || fail "the cursor is still hidden"
    tmux send-keys -t "$target" -l "stty -g > '$dir/stty-after'"
    tmux send-keys -t "$target" Enter
    wait_for "stty settings read after the exit" 20 test -s "$dir/stty-after"
    cmp -s "$dir/stty-before" "$dir/stty-after" || fail "stty settings differ: raw mode was not left"
}
