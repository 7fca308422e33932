# gossip-lab tasks. `just` on its own lists them. CI (.ci/run) calls cargo
# directly, so these recipes are a convenience, never a requirement.

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
benches := "sim protocol tui"

# Every benchmark, for the figures in BENCHMARKS.md (extra args go to each bench binary)
bench *ARGS:
    for b in {{ benches }}; do cargo bench --bench "$b" -- {{ ARGS }} || exit 1; done

# Every benchmark in quick mode (BENCH_QUICK=1): a smoke check in well under 3 minutes, not for figures
bench-quick:
    for b in {{ benches }}; do BENCH_QUICK=1 cargo bench --bench "$b" || exit 1; done

# Only the dashboard's frame time at 1,024 nodes (BENCHMARKS.md, "TUI frame time")
bench-tui:
    cargo bench --bench tui

# Drive the real dashboard in tmux like a user (needs a release build and tmux)
tui-smoke:
    cargo build --release
    bash scripts/tui-smoke.sh

# Run a profile headless (`gossip-lab run PROFILE`)
demo PROFILE:
    cargo run --release -- run {{ PROFILE }}
