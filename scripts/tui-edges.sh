#!/usr/bin/env bash
# The dashboard's edges (issue 12), driven in tmux like a person at the
# smallest supported size (80x24), with NO_COLOR set and 200 nodes:
#
#   1. `NO_COLOR=1 gossip-lab --nodes 200`: all 200 up, and not one cell of
#      the screen carries a colour (tmux's escape codes show attributes:
#      reverse video and bold, never a colour);
#   2. `j j c`: the crashed node is the one marked as selected (the ▶ row,
#      drawn in reverse video) and the status line names it: node 2;
#   3. `j i`: the header says ISOLATED;
#   4. `:12` then Enter: node 12 is the selected row;
#   5. PgDn: the selection moves one page, the number of node rows drawn;
#   6. q: exit status 0, and the session log holds the crash of node 2 and
#      the isolation of node 3.
#
# It builds nothing: it runs ${CARGO_TARGET_DIR:-target}/release/gossip-lab
# (run `cargo build --release` first). Needs tmux and python3. Every wait
# polls the screen with a deadline; none is a blind sleep.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
name=tui-edges
# shellcheck source=scripts/tmux-screen.sh
. scripts/tmux-screen.sh
bin=$(lab_bin)

session="gl-edges-$$"
scratch_and_sessions "$session"
target=$session

# The screen with its attributes as escape codes.
styled() { tmux capture-pane -p -e -t "$target" 2>/dev/null || true; }
# The selected row: the one the ▶ marks.
selected_row() { screen | grep -E '^│▶' || true; }
# The node index on the selected row.
selected_node() { selected_row | sed -E 's/^│▶ *([0-9]+) .*/\1/'; }
selected_is() { [ "$(selected_node)" = "$1" ]; }

tmux new-session -d -s "$session" -x 80 -y 24 \
    "NO_COLOR=1 '$bin' --nodes 200 --export '$scratch/export'; echo EXIT=\$? > '$scratch/exit'"

# 1. Up, and colourless.
wait_for "200/200 up" 90 shows "200/200 up"
# SGR parameters 30-38, 40-48, 90-97 and 100-107 set a colour (39 and 49,
# "default colour", are how tmux resets after an attribute).
colour='\e\[(?:[0-9]*;)*(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9]*)*m'
if styled | grep -qP "$colour"; then
    styled | grep -nP "$colour" | head -3 | cat -v >&2
    fail "a cell carries a colour with NO_COLOR set"
fi
styled | grep -qP '\e\[(?:[0-9;]*;)?7(?:;[0-9;]*)?m' || fail "nothing is drawn in reverse video"
echo "$name: ok: no colour on screen, the selection in reverse video"

# 2. j j c crashes the row marked as selected.
tmux send-keys -t "$session" j j
wait_for "node 2 marked as selected" 20 selected_is 2
styled | grep '▶' | grep -qP '\e\[(?:[0-9;]*;)?7(?:;[0-9;]*)?m' || fail "the ▶ row is not in reverse video"
tmux send-keys -t "$session" c
wait_for "crash feedback naming node 2" 20 shows "crashed node 2 "
wait_for "the marked row reads crashed" 20 eval 'selected_row | grep -q " crashed "'

# 3. Isolation is in the header.
tmux send-keys -t "$session" j i
wait_for "ISOLATED in the header" 20 shows "ISOLATED"

# 4. :12 Enter selects node 12.
tmux send-keys -t "$session" : 1 2 Enter
wait_for "node 12 selected" 20 selected_is 12

# 5. PgDn moves one drawn page.
page=$(screen | grep -cE '^│▶? +[0-9]+ 127\.0\.0\.1:')
[ "$page" -ge 5 ] || fail "only $page node rows drawn"
tmux send-keys -t "$session" PageDown
wait_for "PgDn to move $page rows, to node $((12 + page))" 20 selected_is $((12 + page))

# 6. Quit; the log says what was done.
tmux send-keys -t "$session" q
wait_for "the dashboard to exit" 60 test -s "$scratch/exit"
grep -qx "EXIT=0" "$scratch/exit" || fail "exit status: $(cat "$scratch/exit")"
python3 - "$scratch/export/session.jsonl" <<'PY' || fail "the session log lacks the crash or the isolation"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
crashed = [l["node"] for l in lines if l["kind"] == "node" and l.get("event") == "crashed"]
assert crashed == [2], crashed
labels = [l["label"] for l in lines if l["kind"] == "fault"]
assert any("isolate" in l and "3" in l for l in labels), labels
print(f"tui-edges: ok: exit 0; the log has node 2's crash and node 3's isolation ({len(lines)} lines)")
PY

echo "tui-edges: all steps passed"
