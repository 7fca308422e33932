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

# Every benchmark, for the figures in BENCHMARKS.md (extra args go to cargo bench)
bench *ARGS:
    cargo bench {{ ARGS }}

# Only the dashboard's frame time at 1,024 nodes (BENCHMARKS.md, "TUI frame time")
bench-tui:
    cargo bench --bench tui

# Drive the real dashboard in tmux like a user (needs a release build and tmux)
tui-smoke:
    cargo build --release
    bash scripts/tui-smoke.sh

# Smoke-check the benchmarks: build them and run each once, no figures
bench-quick:
    cargo test --release --benches

# Run a profile headless (`gossip-lab run PROFILE`)
demo PROFILE:
    cargo run --release -- run {{ PROFILE }}
