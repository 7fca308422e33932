# gossip-lab tasks. `just` on its own lists them. CI (.ci/run) calls cargo
# directly, so these recipes are a convenience, never a requirement.

# pipefail: a bench piped into `tee` still fails the recipe when it fails.
set shell := ["bash", "-euo", "pipefail", "-c"]

# List the recipes
default:
    @{{ just_executable() }} --justfile {{ justfile() }} --list --unsorted

# Formatting and lints, exactly as CI checks them
check:
    cargo fmt --check
    cargo clippy --all-targets -- -D warnings

# Every test, as the README and CI run them
test:
    cargo test --release

# Run the lab, passing any arguments through (e.g. `just run --nodes 16`)
run *ARGS:
    cargo run --release -- {{ ARGS }}

# Benchmark targets (benches/*.rs, each a `[[bench]]` in Cargo.toml) that
# `bench` and `bench-quick` run, in order. Add a new one here.
benches := "sim runtime protocol tui replay plot floor families phi_status"

# The benches write section files (target/bench-results/*.md), which
# examples/bench_report.rs assembles; each bench's printed output is kept
# as target/bench-results/NAME.out, the figures of a bench that writes no
# section file (divan's). The runtime bench calls ../shared/peers when
# present; narrow it with GL_BENCH_N=16,256 GL_BENCH_PEERS=0 ... (see
# benches/runtime/main.rs).
# Every benchmark, then BENCHMARKS.md rewritten from their results
bench *ARGS:
    results="${CARGO_TARGET_DIR:-target}/bench-results"; mkdir -p "$results"; \
    for b in {{ benches }}; do cargo bench --bench "$b" -- {{ ARGS }} | tee "$results/$b.out"; done
    cargo run --release --example bench_report

# Every benchmark in quick mode (BENCH_QUICK=1): a smoke check in well under 3 minutes, not for figures;
# results go to target/bench-results/quick/ and BENCHMARKS.md is left alone
bench-quick:
    for b in {{ benches }}; do BENCH_QUICK=1 cargo bench --bench "$b" || exit 1; done

# Only the dashboard's frame time at 1,024 nodes (BENCHMARKS.md, "TUI frame time")
bench-tui:
    cargo bench --bench tui

# Drive the real dashboard in tmux like a user (needs a release build and tmux)
tui-smoke:
    cargo build --release
    bash scripts/tui-smoke.sh

# The dashboard's edges in tmux at 80x24: NO_COLOR, the marked row, ISOLATED, :12, PgDn at 200 nodes
tui-edges:
    cargo build --release
    bash scripts/tui-edges.sh

# Kill `run partition-heal` at random moments, N times (default 24), and check the session it leaves
signal-trials N="24":
    cargo build --release
    bash scripts/signal-trials.sh {{ N }}

# Run a profile headless (`gossip-lab run PROFILE`)
demo PROFILE:
    cargo run --release -- run {{ PROFILE }}

# The cargo-fuzz targets in fuzz/ (fuzz_targets/*.rs), which `fuzz` runs in
# turn. Add a new one here.
fuzz_targets := "codec node"

# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly toolchain. A
# crash stops the run with its input saved under fuzz/artifacts/TARGET/
# (replay it with `cargo +nightly fuzz run -O TARGET FILE`); the corpus grows
# in fuzz/corpus/TARGET/. Neither is committed.
# Fuzz TARGET, or every target in turn, for SECS seconds each (not in CI)
fuzz TARGET="all" SECS="60":
    cd fuzz && for t in {{ if TARGET == "all" { fuzz_targets } else { TARGET } }}; do \
        cargo +nightly fuzz run -O "$t" -- -max_total_time={{ SECS }} -rss_limit_mb=2048 || exit 1; done
