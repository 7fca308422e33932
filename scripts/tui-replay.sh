#!/usr/bin/env bash
# Replays a recorded session in tmux at the smallest supported size (80x24)
# the way a person would, and checks the screen after each step (issue 11):
#
#   1. record a session: `gossip-lab run crash-detect --sim --export DIR`
#      (node 5 crashes at 5 s);
#   2. in a shell, open `gossip-lab replay DIR/session.jsonl`: REPLAY in
#      the header, paused at 0:00.0 on the time bar;
#   3. press c: the status line says a recording can't be changed;
#   4. press space: it plays, and the cursor moves;
#   5. press $ (the recording's end; End goes to a list's end): node 5 is shown crashed, held dead by all 15 others;
#   6. press q: exit status 0, and the terminal is restored (alternate
#      screen and mouse reporting off, cursor shown, stty as before);
#   7. open it again and send the process SIGTERM: exit status 143, and the
#      terminal restored as well.
#
# It builds nothing: it runs ${CARGO_TARGET_DIR:-target}/release/gossip-lab
# (run `cargo build --release` first). Needs tmux. Every wait polls the
# screen with a deadline; none is a blind sleep.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
name=tui-replay
# shellcheck source=scripts/tmux-screen.sh
. scripts/tmux-screen.sh
bin=$(lab_bin)

session="gl-replay-$$"
scratch_and_sessions "$session"

target=$session

# 1. A recorded session with a crash.
"$bin" run crash-detect --sim --export "$scratch/run" >"$scratch/run.out" \
    || { cat "$scratch/run.out" >&2; fail "gossip-lab run crash-detect --sim failed"; }
log="$scratch/run/session.jsonl"
[ -s "$log" ] || fail "no session log in $scratch/run"
echo "tui-replay: ok: recorded $(wc -l <"$log") lines"

# 2. Open it from a shell, so the terminal it leaves behind can be checked.
tmux new-session -d -s "$session" -x 80 -y 24 "env PS1='replay\$ ' bash --norc --noprofile"
wait_for "the shell prompt" 20 shows '^replay\$'
tmux send-keys -t "$session" -l \
    "stty -g > '$scratch/stty-before'; echo BEFORE-REPLAY; '$bin' replay '$log'; echo EXIT=\$? > '$scratch/exit'"
tmux send-keys -t "$session" Enter
wait_for "the replay, paused at the start" 30 eval 'shows "REPLAY" && shows "‖ paused +0:00\.0 /"'
[ "$(pane '#{alternate_on}')" = 1 ] || fail "the replay is not on the alternate screen"

# 3. A key that changes a lab says it can't change a recording.
tmux send-keys -t "$session" c
wait_for "c refused" 10 shows "replay: c \(crash\) changes a lab; a recording can't be changed"

# 4. Play: the cursor moves.
tmux send-keys -t "$session" Space
wait_for "playing, the cursor moved" 20 eval 'shows "▶ playing +0:0[0-9]\.[0-9] /" && hides " 0:00\.0 /"'

# 5. The end ($): node 5 crashed, held dead by the 15 others.
tmux send-keys -t "$session" '$'
wait_for "15/16 up at the end" 20 shows "15/16 up"
wait_for "node 5 crashed and held dead by all 15 others" 20 \
    shows "│ +5 127\.0\.0\.1:[0-9]+ +crashed +0 +0 +15 "

# 6. Quit: status 0, terminal restored.
tmux send-keys -t "$session" q
wait_for "the replay to exit" 20 test -s "$scratch/exit"
grep -qx "EXIT=0" "$scratch/exit" || fail "exit status: $(cat "$scratch/exit")"
wait_for "the shell's screen back" 20 eval 'shows BEFORE-REPLAY && hides "1 Overview"'
terminal_restored "$scratch"
echo "tui-replay: ok: exit 0, terminal restored"

# 7. SIGTERM from outside: exit 143, terminal restored. The pid file holds
#    the replay's own pid (exec).
rm -f "$scratch/stty-after"
tmux send-keys -t "$session" -l \
    "clear; bash -c 'echo \$\$ > \"\$0\"; exec \"\$1\" replay \"\$2\"' '$scratch/pid' '$bin' '$log'; echo EXIT=\$? > '$scratch/exit-term'"
tmux send-keys -t "$session" Enter
wait_for "the replay open again" 30 eval 'shows "REPLAY" && test -s "$scratch/pid"'
kill -TERM "$(cat "$scratch/pid")"
wait_for "the replay to exit after SIGTERM" 20 test -s "$scratch/exit-term"
grep -qx "EXIT=143" "$scratch/exit-term" || fail "exit status after SIGTERM: $(cat "$scratch/exit-term")"
wait_for "the shell's screen back" 20 hides "1 Overview"
terminal_restored "$scratch"
echo "tui-replay: ok: SIGTERM exits 143, terminal restored"

echo "tui-replay: all steps passed"
