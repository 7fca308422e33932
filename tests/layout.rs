//! The layout rules of the crate, checked on its source: no module cycles
//! and no source file over 500 lines. (What the sans-IO core may name is
//! `core_purity.rs`'s.)
//!
//! These are rules a reviewer checks by eye once and a later change breaks
//! quietly; here a change that breaks one fails CI, naming the files. The
//! reading is textual (paths named in code, `use` lines), which is what a
//! reader sees too: a dependency is a module naming another.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The longest a source file may be; test files (`tests.rs`, `tests/`) aside.
const MAX_LINES: usize = 500;

/// A module path: `["observe", "metrics"]` for `crate::observe::metrics`.
type Module = Vec<String>;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, recursively.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("readable source tree") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module a file holds (`a/b.rs` and `a/b/mod.rs` are `a::b`), or
/// `None` for the crate roots.
fn module_of(file: &Path) -> Option<Module> {
    let rel = file.strip_prefix(src()).expect("under src");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().expect("a file name");
    let stem = last.trim_end_matches(".rs");
    match (parts.is_empty(), stem) {
        (true, "lib" | "main") => None,
        (_, "mod") => Some(parts),
        _ => {
            parts.push(stem.to_string());
            Some(parts)
        }
    }
}

fn is_test_file(m: &Module) -> bool {
    m.iter().any(|p| p == "tests")
}

/// The code of a file without its comments and its inline `mod tests`.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text);
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .filter(|l| {
            let t = l.trim_start();
            // Declarations and re-exports say where things are, not what
            // this module needs.
            !(t.starts_with("mod ")
                || t.starts_with("pub mod ")
                || t.starts_with("pub(crate) mod ")
                || t.starts_with("pub use ")
                || t.starts_with("pub(crate) use "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `::`-separated identifiers following each occurrence of `prefix`.
fn paths_after<'a>(code: &'a str, prefix: &'a str) -> impl Iterator<Item = Vec<String>> + 'a {
    code.match_indices(prefix).filter_map(move |(i, _)| {
        let before = code[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            return None;
        }
        let rest = &code[i + prefix.len()..];
        let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(rest.len());
        let path: Vec<String> = rest[..end].split("::").filter(|s| !s.is_empty()).map(str::to_string).collect();
        (!path.is_empty()).then_some(path)
    })
}

struct Crate {
    /// Every module and its source.
    modules: BTreeMap<Module, (PathBuf, String)>,
}

impl Crate {
    fn read() -> Crate {
        let mut all = Vec::new();
        files(&src(), &mut all);
        let modules = all
            .into_iter()
            .filter_map(|f| {
                let m = module_of(&f)?;
                let text = fs::read_to_string(&f).expect("readable source");
                Some((m, (f, text)))
            })
            .collect();
        Crate { modules }
    }

    /// The longest known module `path` starts with.
    fn resolve(&self, path: &[String]) -> Option<Module> {
        (1..=path.len()).rev().map(|k| path[..k].to_vec()).find(|m| self.modules.contains_key(m))
    }

    /// Which modules each module names (tests aside).
    fn edges(&self) -> BTreeSet<(Module, Module)> {
        let mut edges = BTreeSet::new();
        for (m, (file, text)) in &self.modules {
            if is_test_file(m) {
                continue;
            }
            let code = code(text);
            let is_dir = file.ends_with("mod.rs");
            let mut targets: Vec<Module> = paths_after(&code, "crate::").filter_map(|p| self.resolve(&p)).collect();
            for path in paths_after(&code, "super::") {
                // `super::super::x` counts its hops; `super` of `a::b` is `a`.
                let ups = 1 + path.iter().take_while(|s| *s == "super").count();
                let rest = &path[ups - 1..];
                let Some(base) = m.len().checked_sub(ups) else { continue };
                let full: Vec<String> = m[..base].iter().chain(rest).cloned().collect();
                targets.extend(self.resolve(&full));
            }
            if is_dir {
                for path in paths_after(&code, "self::") {
                    let full: Vec<String> = m.iter().chain(&path).cloned().collect();
                    targets.extend(self.resolve(&full));
                }
            }
            for t in targets {
                if &t != m && !is_test_file(&t) {
                    edges.insert((m.clone(), t));
                }
            }
        }
        edges
    }
}

/// The edge `a → b` seen among the children of their deepest common
/// parent: `(child holding a, child holding b)`, where a parent's own file
/// is the child `<body>`.
fn siblings(a: &Module, b: &Module) -> (Module, Module) {
    let common = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let at = |m: &Module| {
        let mut s = m[..common].to_vec();
        s.push(m.get(common).cloned().unwrap_or_else(|| "<body>".into()));
        s
    };
    (at(a), at(b))
}

/// The strongly connected components with more than one module.
fn cycles(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    // Kosaraju, small enough for a crate's modules.
    fn visit(v: &Module, g: &BTreeMap<Module, BTreeSet<Module>>, seen: &mut BTreeSet<Module>, out: &mut Vec<Module>) {
        if !seen.insert(v.clone()) {
            return;
        }
        for w in g.get(v).into_iter().flatten() {
            visit(w, g, seen, out);
        }
        out.push(v.clone());
    }
    let mut reverse: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (v, ws) in graph {
        for w in ws {
            reverse.entry(w.clone()).or_default().insert(v.clone());
        }
    }
    let (mut seen, mut order) = (BTreeSet::new(), Vec::new());
    for v in graph.keys() {
        visit(v, graph, &mut seen, &mut order);
    }
    let mut assigned = BTreeSet::new();
    let mut comps = Vec::new();
    for v in order.iter().rev() {
        let mut comp = Vec::new();
        visit(v, &reverse, &mut assigned, &mut comp);
        if comp.len() > 1 {
            comps.push(comp);
        }
    }
    comps
}

#[test]
fn no_module_names_a_module_that_names_it_back() {
    let krate = Crate::read();
    let edges = krate.edges();
    let mut graph: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (a, b) in &edges {
        let (x, y) = siblings(a, b);
        if x != y {
            graph.entry(x).or_default().insert(y);
        }
    }
    let found: Vec<String> = cycles(&graph)
        .iter()
        .map(|comp| {
            let names: Vec<String> = comp.iter().map(|m| m.join("::")).collect();
            let via: Vec<String> = edges
                .iter()
                .filter(|(a, b)| {
                    let (x, y) = siblings(a, b);
                    x != y && comp.contains(&x) && comp.contains(&y)
                })
                .map(|(a, b)| format!("{} → {}", a.join("::"), b.join("::")))
                .collect();
            format!("{} (via {})", names.join(" ↔ "), via.join(", "))
        })
        .collect();
    assert!(found.is_empty(), "module cycles:\n{}", found.join("\n"));
}

#[test]
fn the_cycle_finder_sees_a_cycle() {
    // The rule above would pass on a finder that never finds anything.
    let m = |s: &str| s.split("::").map(str::to_string).collect::<Module>();
    let graph = BTreeMap::from([
        (m("a"), BTreeSet::from([m("b")])),
        (m("b"), BTreeSet::from([m("c")])),
        (m("c"), BTreeSet::from([m("a")])),
        (m("d"), BTreeSet::from([m("a")])),
    ]);
    assert_eq!(cycles(&graph).len(), 1);
    assert_eq!(siblings(&m("ui::app"), &m("ui")), (m("ui::app"), m("ui::<body>")));
    assert_eq!(siblings(&m("a::x::y"), &m("b::z")), (m("a"), m("b")));
}

#[test]
fn no_source_file_is_over_500_lines() {
    let krate = Crate::read();
    let long: Vec<String> = krate
        .modules
        .iter()
        .filter(|(m, _)| !is_test_file(m))
        .filter_map(|(_, (file, text))| {
            let n = text.lines().count();
            (n > MAX_LINES).then(|| format!("{} ({n} lines)", file.display()))
        })
        .collect();
    assert!(long.is_empty(), "files over {MAX_LINES} lines (split them by concern):\n{}", long.join("\n"));
}
