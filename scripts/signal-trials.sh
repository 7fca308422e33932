#!/usr/bin/env bash
# Kills `gossip-lab run partition-heal --export DIR` at random moments and
# checks what it leaves behind (issue 9, "Nothing lost on a signal"):
#
#   - every trial: every line of session.jsonl ends with a newline and
#     parses as JSON, and so does every row of metrics.csv end whole;
#   - SIGTERM: exit status 143, the summary line last, summary.json
#     written, and `report` reading the log as complete;
#   - SIGKILL: only whole lines, and `report` calling the log incomplete
#     (exit 1).
#
# Usage: scripts/signal-trials.sh [TRIALS]   (default 24; SIGTERM and
# SIGKILL alternate, each at a uniformly random moment of the 35 s run).
# SEED=n makes the moments reproducible. It builds nothing: it runs
# ${CARGO_TARGET_DIR:-target}/release/gossip-lab. Needs python3.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin="$(pwd)/${CARGO_TARGET_DIR:-target}/release/gossip-lab"
case "${CARGO_TARGET_DIR:-}" in /*) bin="$CARGO_TARGET_DIR/release/gossip-lab" ;; esac
[ -x "$bin" ] || { echo "signal-trials: $bin not found; run cargo build --release first" >&2; exit 1; }
command -v python3 >/dev/null || { echo "signal-trials: python3 is not installed" >&2; exit 1; }

trials=${1:-24}
seed=${SEED:-$RANDOM}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
echo "signal-trials: $trials trials of run partition-heal, seed $seed"

# The kill moments: uniform over the run (its duration is 35 s), from
# 0.2 s, after start-up has installed the signal handlers.
mapfile -t moments < <(python3 -c "
import random, sys
random.seed($seed)
for _ in range($trials): print(f'{random.uniform(0.2, 34.5):.2f}')")

# check DIR SIGNAL STATUS: prints one result line; fails on a broken rule.
check() {
    python3 - "$@" "$bin" <<'PY'
import json, os, subprocess, sys
d, sig, status, bin_ = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
problems = []
log = os.path.join(d, "session.jsonl")
data = open(log, "rb").read() if os.path.exists(log) else b""
whole, _, tail = data.rpartition(b"\n")
lines = []
for i, raw in enumerate(whole.split(b"\n") if whole else [], 1):
    try:
        lines.append(json.loads(raw))
    except ValueError as e:
        problems.append(f"line {i} does not parse: {e}")
if tail:
    problems.append(f"the log ends in {len(tail)} bytes without a newline")
csv = os.path.join(d, "metrics.csv")
if os.path.exists(csv) and os.path.getsize(csv) and not open(csv, "rb").read().endswith(b"\n"):
    problems.append("metrics.csv ends mid-row")
last = lines[-1]["kind"] if lines else "-"
report = subprocess.run([bin_, "report", log, "--json"], capture_output=True) if lines else None
rc = report.returncode if report else "-"
if sig == "TERM":
    if status != 143:
        problems.append(f"exit status {status}, not 143")
    if last != "summary":
        problems.append(f"the last line is {last!r}, not the summary")
    try:
        json.load(open(os.path.join(d, "summary.json")))
    except (OSError, ValueError) as e:
        problems.append(f"summary.json: {e}")
    if report and json.loads(report.stdout)["log"]["complete"] is not True:
        problems.append("report calls the log incomplete")
else:
    if status != 137:
        problems.append(f"exit status {status}, not 137 (killed)")
    if report and report.returncode != 1:
        problems.append(f"report exits {report.returncode} on a log without its summary")
ends = lines[-1]["t_ms"] / 1000 if lines else 0
print(f"{len(lines):6} lines, ends {ends:6.2f}s, last {last:8} report exit {rc}  "
      + ("ok" if not problems else "FAILED: " + "; ".join(problems)))
sys.exit(1 if problems else 0)
PY
}

failed=0
term=0
kill=0
for i in $(seq 1 "$trials"); do
    if [ $((i % 2)) -eq 1 ]; then sig=TERM; else sig=KILL; fi
    at=${moments[$((i - 1))]}
    dir="$scratch/trial-$i"
    "$bin" run partition-heal --export "$dir" >"$scratch/out-$i" 2>&1 &
    pid=$!
    # The random moment itself: not a wait for a condition.
    sleep "$at"
    status=0
    # Braces and 2>/dev/null: bash's own "Killed" notice, printed when it
    # reaps the trial, is not a result.
    {
        kill "-$sig" "$pid" || echo "signal-trials: trial $i had already exited"
        # Wait for the exit with a deadline, so a hung stop fails instead of hanging.
        deadline=$((SECONDS + 60))
        while kill -0 "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
        if kill -0 "$pid"; then
            kill -KILL "$pid"
            echo "signal-trials: trial $i still running 60 s after SIG$sig"
        fi
        wait "$pid" || status=$?
    } 2>/dev/null
    printf 'trial %2d  SIG%-4s at %5.2fs  exit %3d  ' "$i" "$sig" "$at" "$status"
    if check "$dir" "$sig" "$status"; then
        if [ "$sig" = TERM ]; then term=$((term + 1)); else kill=$((kill + 1)); fi
    else
        failed=$((failed + 1))
        tail -3 "$scratch/out-$i" >&2
    fi
done

terms=$(( (trials + 1) / 2 ))
echo "signal-trials: SIGTERM $term/$terms finished with the summary line and exit 143;" \
     "SIGKILL $kill/$((trials - terms)) left only whole lines; $failed failed"
[ "$failed" -eq 0 ]
