//! Assembles BENCHMARKS.md from the section files the benchmarks wrote.
//!
//! Each bench (`benches/*.rs`) writes its own figures into
//! `target/bench-results/NAME.md` (plus raw `NAME.jsonl`); this program,
//! the last step of `just bench`, rewrites BENCHMARKS.md as: a header with
//! the machine (nproc, CPU model, memory, OS, rustc), the date, the git
//! commit and the exact commands; then every section file it finds (`sim`
//! first, `runtime` second, any other in name order). Hand-written text
//! that goes with a section (method, reading, profiles) lives in
//! `benches/notes/NAME.md`: where it holds the line `<!-- figures -->` the
//! generated figures replace that line, else they come first and the notes
//! follow. A bench that only prints (divan) gets its printed output,
//! which `just bench` saves as `target/bench-results/NAME.out`, as its
//! figures. Quick-mode results (`target/bench-results/quick/`) are never
//! used.
//!
//! ```text
//! cargo run --release --example bench_report            # after the benches
//! cargo run --release --example bench_report -- OUT.md  # write elsewhere
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;

const MARKER: &str = "<!-- figures -->";
/// Sections in this order first; any other section file follows by name.
const ORDER: [&str; 2] = ["sim", "runtime"];

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::env::args().nth(1).map_or_else(|| root.join("BENCHMARKS.md"), PathBuf::from);
    let results = results_dir();
    let section_names = |dir: &Path| -> Vec<String> {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .filter_map(|e| e.file_name().to_str()?.strip_suffix(".md").map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    // Sections with generated figures, and hand-written sections for the
    // benches that print their own (divan) or runs recorded by hand.
    let mut names = section_names(&results);
    if names.is_empty() {
        panic!("no section files in {} (run the benches first: just bench)", results.display());
    }
    for note in section_names(&root.join("benches/notes")) {
        if !names.contains(&note) {
            names.push(note);
        }
    }
    names.sort_by_key(|n| (ORDER.iter().position(|o| o == n).unwrap_or(ORDER.len()), n.clone()));

    let mut doc = header(&names);
    for name in &names {
        let figures =
            std::fs::read_to_string(results.join(format!("{name}.md"))).ok().or_else(|| printed(&results, name));
        let notes = std::fs::read_to_string(root.join("benches/notes").join(format!("{name}.md"))).ok();
        let section = match (figures, notes) {
            (Some(f), Some(n)) if n.contains(MARKER) => n.replacen(MARKER, f.trim_end(), 1),
            (Some(f), Some(n)) => format!("{}\n\n{}", f.trim_end(), n.trim_end()),
            (Some(f), None) => f,
            (None, Some(n)) => n,
            (None, None) => unreachable!("every name comes from one of the two directories"),
        };
        doc.push_str(section.trim_end());
        doc.push_str("\n\n");
    }
    std::fs::write(&out, doc.trim_end().to_owned() + "\n").unwrap_or_else(|e| panic!("{}: {e}", out.display()));
    eprintln!("wrote {} from {} section(s): {}", out.display(), names.len(), names.join(", "));
}

/// `target/bench-results`, from this binary's path (`target/release/examples/bench_report`).
fn results_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    exe.ancestors().nth(3).map_or_else(|| PathBuf::from("target"), Path::to_path_buf).join("bench-results")
}

/// The saved output of a bench that writes no section file, as figures:
/// when it was written, and the text as printed.
fn printed(results: &Path, name: &str) -> Option<String> {
    let path = results.join(format!("{name}.out"));
    let text = std::fs::read_to_string(&path).ok().filter(|t| !t.trim().is_empty())?;
    let when = run("date", &["-u", "-r", &path.to_string_lossy(), "+%Y-%m-%d %H:%M UTC"]);
    Some(format!(
        "Recorded {when} (when `just bench` saved the output). `cargo bench --bench {name}`, as printed:\n\n```text\n{}\n```\n",
        text.trim_end()
    ))
}

/// A command's trimmed stdout, or "?".
fn run(cmd: &str, args: &[&str]) -> String {
    Command::new(cmd)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "?".into())
}

fn file_field(path: &str, key: &str, sep: char) -> String {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_once(sep))
                .map(|(_, v)| v.trim().trim_matches('"').to_owned())
        })
        .unwrap_or_else(|| "?".into())
}

fn header(names: &[String]) -> String {
    let cpu = file_field("/proc/cpuinfo", "model name", ':');
    let mem_kib: f64 =
        file_field("/proc/meminfo", "MemTotal", ':').trim_end_matches("kB").trim().parse().unwrap_or(0.0);
    let swap = file_field("/proc/meminfo", "SwapTotal", ':');
    let os = file_field("/etc/os-release", "PRETTY_NAME", '=');
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim().to_owned();
    let commit = run("git", &["rev-parse", "--short", "HEAD"]);
    let dirty =
        !run("git", &["status", "--porcelain", "--untracked-files=no", "--", ".", ":!BENCHMARKS.md"]).is_empty();
    let benches =
        names.iter().filter(|n| Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("benches/{n}.rs")).exists());
    let commands: Vec<String> = benches.map(|n| format!("cargo bench --bench {n}")).collect();
    format!(
        "# Benchmarks\n\n\
         <!-- Generated by `just bench` (examples/bench_report.rs): edit benches/notes/*.md or the benches, \
         not this file. -->\n\n\
         Every figure on this page comes from `just bench`, which runs each bench target of the \
         justfile's `benches` list and then this page's generator, on the machine described below. \
         Hand-written analysis sits next to the figures it was written for (`benches/notes/`); where it \
         quotes a figure from an earlier run, it says so.\n\n\
         ## Machine and run\n\n\
         | | |\n|---|---|\n\
         | Assembled | {} (`date -u`; each section says when its figures were recorded) |\n\
         | Commit at assembly | `{commit}`{} |\n\
         | CPU | {cpu} (`/proc/cpuinfo`) |\n\
         | Cores | {} (`nproc`) |\n\
         | Memory | {:.1} GiB total, swap {swap} (`/proc/meminfo`) |\n\
         | OS | {os}, kernel {kernel} |\n\
         | Rust | {} |\n\
         | Build | `--release`: opt-level 3, `debug = \"line-tables-only\"` (Cargo.toml) |\n\n\
         Commands, in order (what `just bench` runs; the notes of a section say if it was run \
         differently):\n\n```sh\n{}\ncargo run --release --example bench_report   # this page\n```\n\n\
         The machine is shared with other developers: every section records the load average next to \
         its figures.\n\n",
        run("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
        if dirty { " (with uncommitted changes)" } else { "" },
        run("nproc", &[]),
        mem_kib / f64::from(1 << 20),
        run("rustc", &["--version"]),
        commands.join("\n"),
    )
}
