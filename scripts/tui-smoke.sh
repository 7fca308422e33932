#!/usr/bin/env bash
# Drives the real dashboard in tmux the way a person would, and checks the
# screen after each step (issue 4, "Like a user"):
#
#   1. launch with the default profile; wait until all 16 nodes are up and
#      the cluster has converged;
#   2. select node 3 and press c: the screen shows it crashed, and every
#      other node holding it dead;
#   3. press p: the header shows the partition; press h: it is gone;
#   4. press x: the export path appears, and the exported files exist and
#      parse;
#   5. press q: the process exits with status 0, and the --export directory
#      holds a complete session (every line parses, the summary is last);
#   6. start it again from a shell, without --export, and send the process
#      SIGTERM: it exits with status 143, the terminal is restored (the
#      alternate screen and mouse reporting are off, the shell's screen is
#      back, stty settings are as before) and its scratch directory is gone.
#
# It builds nothing: it runs ${CARGO_TARGET_DIR:-target}/release/gossip-lab
# (run `cargo build --release` first). Needs tmux and python3. Every wait
# polls the screen with a deadline; none is a blind sleep.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
name=tui-smoke
# shellcheck source=scripts/tmux-screen.sh
. scripts/tmux-screen.sh
bin=$(lab_bin)

session="gl-smoke-$$"
shell_session="gl-smoke-shell-$$"
scratch_and_sessions "$session" "$shell_session"
export_dir="$scratch/export"

# The tmux session the checks look at.
target=$session
on_fail() { [ -f "$export_dir/gossip-lab.log" ] && tail -20 "$export_dir/gossip-lab.log" >&2; }

tmux new-session -d -s "$session" -x 120 -y 40 \
    "'$bin' --export '$export_dir'; echo EXIT=\$? > '$scratch/exit'"

# 1. All 16 nodes up and converged.
wait_for "16/16 up and converged" 60 eval 'shows "16/16 up" && shows "accuracy 100.0%"'

# 2. Crash node 3; it shows crashed, then dead in all 15 other views.
# Keys reach the dashboard in order, so c acts on the node j j j selected.
tmux send-keys -t "$session" j j j c
wait_for "crash feedback" 20 shows "crashed node 3 \(127\.0\.0\.1:[0-9]+\)"
wait_for "15/16 up" 20 shows "15/16 up"
wait_for "every other node holding node 3 dead" 60 \
    shows "│▶? +3 127\.0\.0\.1:[0-9]+ +crashed +0 +0 +15 "

# 3. Partition, then heal.
tmux send-keys -t "$session" p
wait_for "partition shown" 20 shows "PARTITIONED"
tmux send-keys -t "$session" h
wait_for "heal feedback" 20 eval 'hides "PARTITIONED" && shows "^ heal"'

# 4. Export now; the files must exist and parse.
tmux send-keys -t "$session" x
wait_for "export path in the status line" 30 shows "exported the session to "
for f in session-export.jsonl summary.json metrics.csv; do
    [ -s "$export_dir/$f" ] || fail "export lacks $f"
done
python3 - "$export_dir" <<'PY' || fail "exported files do not parse"
import csv, json, sys
d = sys.argv[1]
lines = [json.loads(l) for l in open(d + "/session-export.jsonl")]
assert lines[0]["kind"] == "session" and lines[-1]["kind"] == "summary", "header first, summary last"
kinds = {l["kind"] for l in lines}
assert {"node", "fault", "member"} <= kinds, kinds
json.load(open(d + "/summary.json"))
rows = list(csv.DictReader(open(d + "/metrics.csv")))
assert rows, "metrics.csv has rows"
print(f"tui-smoke: ok: export parses ({len(lines)} session lines, {len(rows)} metrics rows)")
PY

# 5. Quit: exit status 0 and a complete session in --export.
tmux send-keys -t "$session" q
wait_for "the dashboard to exit" 30 test -s "$scratch/exit"
grep -qx "EXIT=0" "$scratch/exit" || fail "exit status: $(cat "$scratch/exit")"
python3 - "$export_dir" <<'PY' || fail "the session in --export is incomplete"
import json, sys
d = sys.argv[1]
lines = [json.loads(l) for l in open(d + "/session.jsonl")]
assert lines[0]["kind"] == "session" and lines[-1]["kind"] == "summary", "header first, summary last"
crashed = [l for l in lines if l["kind"] == "node" and l.get("event") == "crashed"]
assert crashed and crashed[0]["node"] == 3, crashed
assert any(l["kind"] == "fault" and l["label"] == "heal" for l in lines), "heal recorded"
json.load(open(d + "/summary.json"))
print(f"tui-smoke: ok: exit 0, session complete ({len(lines)} lines)")
PY
# 6. SIGTERM from outside, in a shell: exit 143, terminal restored, scratch
#    directory removed. TMPDIR points the scratch directory somewhere we
#    can watch; the pid file holds the dashboard's own pid (exec).
tmpdir="$scratch/tmp"
mkdir -p "$tmpdir"
target=$shell_session
tmux new-session -d -s "$shell_session" -x 120 -y 40 "env PS1='smoke\$ ' bash --norc --noprofile"
wait_for "the shell prompt" 20 shows '^smoke\$'
tmux send-keys -t "$shell_session" -l \
    "stty -g > '$scratch/stty-before'; echo BEFORE-DASHBOARD; TMPDIR='$tmpdir' bash -c 'echo \$\$ > \"\$0\"; exec \"\$1\"' '$scratch/pid' '$bin'; echo EXIT=\$? > '$scratch/exit-term'"
tmux send-keys -t "$shell_session" Enter
wait_for "the dashboard in the shell's terminal" 60 eval 'shows "16/16 up" && test -s "$scratch/pid"'
[ "$(pane '#{alternate_on}')" = 1 ] || fail "the dashboard is not on the alternate screen"
compgen -G "$tmpdir/gossip-lab-*" >/dev/null || fail "no scratch directory in $tmpdir"
kill -TERM "$(cat "$scratch/pid")"
wait_for "the dashboard to exit after SIGTERM" 30 test -s "$scratch/exit-term"
grep -qx "EXIT=143" "$scratch/exit-term" || fail "exit status after SIGTERM: $(cat "$scratch/exit-term")"
wait_for "the shell's screen back" 20 eval 'shows BEFORE-DASHBOARD && hides "1 Overview"'
terminal_restored "$scratch"
compgen -G "$tmpdir/*" >/dev/null && fail "the scratch directory is still there: $(ls "$tmpdir")"
echo "tui-smoke: ok: SIGTERM exits 143, terminal restored, scratch directory removed"

echo "tui-smoke: all steps passed"
