//! `ConfigError`, and how a profile that does not read becomes one that
//! names the field and says the fix: the section and key come from the
//! document's structure (the deserializer's field path, the parser's
//! spans), the line and column from the error's span, "did you mean"
//! from the edit distance to the keys the table takes.

use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use thiserror::Error;
use toml::de::{DeTable, DeValue};

use super::raw::table_fields;

/// A line and column in a profile's text, both 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl Location {
    /// The location of byte `offset` in `text`.
    pub fn of(text: &str, offset: usize) -> Location {
        let offset = offset.min(text.len());
        // Step back to a char boundary so slicing cannot panic.
        let offset = (0..=offset).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Location { line, column: before[line_start..].chars().count() + 1 }
    }
}

/// `", line 3, column 7"`, or nothing without a location.
struct At(Option<Location>);

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(l) => write!(f, ", line {}, column {}", l.line, l.column),
            None => Ok(()),
        }
    }
}

/// Why a profile or a flag could not become a [`super::LabConfig`].
///
/// Every message names what is wrong (the profile, the section and the
/// field) and says how to fix it. Nothing is partially applied: an error
/// means no config was produced.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The name is neither an embedded profile nor an existing file.
    #[error("unknown profile \"{name}\": use a path to a .toml file or one of: {}", known.join(", "))]
    UnknownProfile {
        /// What was asked for.
        name: String,
        /// The embedded profile names.
        known: Vec<&'static str>,
    },
    /// The profile file exists (or looks like a path) but could not be read.
    #[error("cannot read profile \"{path}\": {error}: check the path, or use one of: {}", known.join(", "))]
    Read {
        /// The path as given.
        path: String,
        /// The I/O error.
        error: std::io::Error,
        /// The embedded profile names, as alternatives.
        known: Vec<&'static str>,
    },
    /// The profile text is not valid TOML, has an unknown field, or a value
    /// that is the wrong type or out of range.
    #[error("profile \"{profile}\"{}: {message}", At(*.at))]
    Invalid {
        /// The profile's name (embedded) or path.
        profile: String,
        /// Where in the text, when known.
        at: Option<Location>,
        /// The field at fault, e.g. `[network] loss` or `[[timeline]] #3 node`.
        field: String,
        /// The full message, starting with the field.
        message: String,
    },
    /// The profile file holds nothing but whitespace and comments: almost
    /// certainly the wrong file, or one whose writing was cut short.
    #[error(
        "profile \"{profile}\" is empty (nothing but whitespace or comments): write at least its name, \
         e.g. name = \"my-lab\", and what differs from the defaults (e.g. [cluster] nodes = 16), \
         or use one of the embedded profiles: {}", known.join(", ")
    )]
    Empty {
        /// The profile's path.
        profile: String,
        /// The embedded profile names, as alternatives.
        known: Vec<&'static str>,
    },
    /// A command-line override is out of range.
    #[error("{flag} {value} {message}")]
    Flag {
        /// The flag, e.g. `--nodes`.
        flag: &'static str,
        /// The value given.
        value: String,
        /// What is wrong and the fix.
        message: String,
    },
}

impl ConfigError {
    /// The field at fault, for [`ConfigError::Invalid`] and [`ConfigError::Flag`].
    pub fn field(&self) -> Option<&str> {
        match self {
            ConfigError::Invalid { field, .. } => Some(field),
            ConfigError::Flag { flag, .. } => Some(flag),
            _ => None,
        }
    }

    /// The location in the profile text, when known.
    pub fn location(&self) -> Option<Location> {
        match self {
            ConfigError::Invalid { at, .. } => *at,
            _ => None,
        }
    }
}

/// Builds errors for one profile text.
pub(super) struct Ctx<'a> {
    /// The profile label used in messages: its embedded name or its path.
    pub profile: String,
    /// The text, for turning spans into line and column.
    pub text: &'a str,
}

impl<'a> Ctx<'a> {
    /// An error about `field`, at `span` when known.
    pub fn err(&self, field: impl Into<String>, span: Option<Range<usize>>, message: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            profile: self.profile.clone(),
            at: span.map(|s| Location::of(self.text, s.start)),
            field: field.into(),
            message: message.into(),
        }
    }

    /// Reads the profile text as `T`. A failure names the section and key
    /// from the document's structure: the deserializer's field path for a
    /// value that does not fit `T`, the recovered document's spans for a
    /// TOML syntax error.
    pub fn read<T: Deserialize<'a>>(&self) -> Result<T, ConfigError> {
        let (doc, errors) = DeTable::parse_recoverable(self.text);
        if let Some(e) = errors.first() {
            let span = e.span();
            let (section, key) = match &span {
                Some(s) => at_offset(self.text, doc.get_ref(), s.start),
                None => (Section::Top, None),
            };
            // A key the parser refused (a duplicate) is not in the recovered
            // document, but it is what the error's span covers.
            let key = key.or_else(|| span.as_ref().and_then(|s| bare_key(self.text.get(s.clone())?)));
            return Err(self.located(section, key, span, e.message()));
        }
        serde_path_to_error::deserialize(toml::Deserializer::from(doc)).map_err(|e| {
            let (section, key) = locate(&segments(e.path()));
            self.field_error(section, key, e.inner())
        })
    }

    /// A value that does not fit: an unknown key (with the nearest valid
    /// one), or a wrong type.
    fn field_error(&self, section: Section, key: Option<String>, e: &toml::de::Error) -> ConfigError {
        let span = e.span();
        let expected = table_fields(section.table());
        let Some(unknown) = key.as_ref().filter(|k| !expected.contains(&k.as_str())) else {
            return self.located(section, key, span, e.message());
        };
        let field = section.field(unknown);
        let mut message = match &section {
            Section::Top => format!("unknown top-level field \"{unknown}\""),
            s => format!("{}unknown field \"{unknown}\"", s.prefix()),
        };
        if let Some(best) = closest(unknown, expected.iter().copied()) {
            message.push_str(&format!(": did you mean \"{best}\"?"));
        } else {
            message.push_str(": remove it.");
        }
        if expected.is_empty() {
            message.push_str(" (this table takes no fields)");
        } else {
            message.push_str(&format!(" Valid fields: {}", expected.join(", ")));
        }
        self.err(field, span, message)
    }

    /// `[cluster] nodes: <message>`, or `[cluster] <message>` when no key
    /// is known.
    fn located(&self, section: Section, key: Option<String>, span: Option<Range<usize>>, raw: &str) -> ConfigError {
        let raw = friendly_types(&raw.trim().replace('\n', "; "));
        match key {
            Some(key) => {
                let field = section.field(&key);
                self.err(field.clone(), span, format!("{field}: {raw}"))
            }
            None => self.err(section.prefix().trim().to_owned(), span, format!("{}{raw}", section.prefix())),
        }
    }
}

/// One step of a path into the document.
#[derive(Clone, Debug, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

/// The table a value belongs to.
#[derive(Clone, Debug, PartialEq)]
enum Section {
    Top,
    Table(String),
    /// The n-th (1-based) `[[timeline]]` entry.
    Step(usize),
}

impl Section {
    /// `"[network] "`, `"[[timeline]] #3: "` or `""`.
    fn prefix(&self) -> String {
        match self {
            Section::Top => String::new(),
            Section::Table(name) => format!("[{name}] "),
            Section::Step(n) => format!("[[timeline]] #{n}: "),
        }
    }

    fn field(&self, key: &str) -> String {
        match self {
            Section::Top => key.to_owned(),
            Section::Table(name) => format!("[{name}] {key}"),
            Section::Step(n) => format!("[[timeline]] #{n} {key}"),
        }
    }

    /// The table's name as [`table_fields`] knows it.
    fn table(&self) -> &str {
        match self {
            Section::Top => "",
            Section::Table(name) => name,
            Section::Step(_) => "timeline",
        }
    }
}

/// The deserializer's path, without the keys toml's `Spanned` reads its
/// value through (`$__serde_spanned_private_value`).
fn segments(path: &serde_path_to_error::Path) -> Vec<Seg> {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|s| match s {
            Segment::Map { key } if !key.starts_with("$__") => Some(Seg::Key(key.clone())),
            Segment::Seq { index } => Some(Seg::Index(*index)),
            _ => None,
        })
        .collect()
}

/// The section a path is in and the key it names in that section.
fn locate(path: &[Seg]) -> (Section, Option<String>) {
    let key = |rest: &[Seg]| match rest.first() {
        Some(Seg::Key(k)) => Some(k.clone()),
        _ => None,
    };
    match path {
        [Seg::Key(t), Seg::Index(i), rest @ ..] if t == "timeline" => (Section::Step(i + 1), key(rest)),
        [Seg::Key(k)] => (Section::Top, Some(k.clone())),
        // `[compare]` nests tables: name the innermost, `[compare.a.protocol]`.
        [Seg::Key(t), .., Seg::Key(k)] if t == "compare" => {
            let tables: Vec<&str> = path[..path.len() - 1]
                .iter()
                .filter_map(|s| match s {
                    Seg::Key(k) => Some(k.as_str()),
                    Seg::Index(_) => None,
                })
                .collect();
            (Section::Table(tables.join(".")), Some(k.clone()))
        }
        [Seg::Key(t), rest @ ..] => (Section::Table(t.clone()), key(rest)),
        _ => (Section::Top, None),
    }
}

/// Where a syntax error at `offset` is, from what the parser recovered of
/// the document: the last key that starts before it. A table's key (its
/// header) means the error is inside that table; a value's key counts only
/// on the error's own line.
fn at_offset(text: &str, doc: &DeTable<'_>, offset: usize) -> (Section, Option<String>) {
    let mut best = None;
    last_key_before(doc, offset, &mut Vec::new(), &mut best);
    let Some((start, mut path, is_table)) = best else { return (Section::Top, None) };
    if is_table {
        return (section_of(&path), None);
    }
    let same_line = Location::of(text, start).line == Location::of(text, offset).line;
    let key = match path.pop() {
        Some(Seg::Key(k)) if same_line => Some(k),
        _ => None,
    };
    (section_of(&path), key)
}

/// The section a table's path names.
fn section_of(path: &[Seg]) -> Section {
    match path {
        [Seg::Key(t), Seg::Index(i), ..] if t == "timeline" => Section::Step(i + 1),
        [Seg::Key(t), ..] => Section::Table(t.clone()),
        _ => Section::Top,
    }
}

/// A key's start, its path, and whether it names a table.
type KeyAt = (usize, Vec<Seg>, bool);

/// The key starting last at or before `offset`, its path, and whether it
/// names a table (or an entry of an array of tables).
fn last_key_before(table: &DeTable<'_>, offset: usize, path: &mut Vec<Seg>, best: &mut Option<KeyAt>) {
    for (k, v) in table.iter() {
        path.push(Seg::Key(k.get_ref().to_string()));
        match v.get_ref() {
            DeValue::Table(t) => {
                consider(best, offset, k.span().start, path, true);
                last_key_before(t, offset, path, best);
            }
            DeValue::Array(items) => {
                consider(best, offset, k.span().start, path, false);
                for (i, item) in items.iter().enumerate() {
                    if let DeValue::Table(t) = item.get_ref() {
                        path.push(Seg::Index(i));
                        consider(best, offset, item.span().start, path, true);
                        last_key_before(t, offset, path, best);
                        path.pop();
                    }
                }
            }
            _ => consider(best, offset, k.span().start, path, false),
        }
        path.pop();
    }
}

/// Keeps the key at `start` if it is the latest so far before `offset`.
fn consider(best: &mut Option<KeyAt>, offset: usize, start: usize, path: &[Seg], is_table: bool) {
    if start <= offset && best.as_ref().is_none_or(|b| start >= b.0) {
        *best = Some((start, path.to_vec(), is_table));
    }
}

/// `text` when it is a bare TOML key.
fn bare_key(text: &str) -> Option<String> {
    let bare = !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    bare.then(|| text.to_owned())
}

/// serde names Rust types; profile authors think in TOML types.
fn friendly_types(message: &str) -> String {
    message
        .replace("expected i64", "expected a whole number")
        .replace("expected f64", "expected a number")
        .replace("expected a string", "expected a quoted string")
}

/// The candidate closest to `word` by edit distance, if close enough to be
/// a plausible typo.
pub(super) fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        // A prefix ("delay" for "delay_ms") is as good as a one-letter typo.
        .map(|c| (if c.starts_with(word) || word.starts_with(c) { 1 } else { strsim::levenshtein(word, c) }, c))
        .filter(|&(d, c)| d <= 2.max(c.len() / 3))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_one_based() {
        let text = "a = 1\nbb = 2\n";
        assert_eq!(Location::of(text, 0), Location { line: 1, column: 1 });
        assert_eq!(Location::of(text, 6), Location { line: 2, column: 1 });
        assert_eq!(Location::of(text, 11), Location { line: 2, column: 6 });
    }

    #[test]
    fn paths_locate_section_and_key() {
        let k = |s: &str| Seg::Key(s.to_owned());
        assert_eq!(locate(&[k("nodes")]), (Section::Top, Some("nodes".into())));
        assert_eq!(locate(&[k("network"), k("lose")]), (Section::Table("network".into()), Some("lose".into())));
        assert_eq!(locate(&[k("timeline"), Seg::Index(1), k("nod")]), (Section::Step(2), Some("nod".into())));
    }

    #[test]
    fn syntax_errors_find_the_table_and_key_before_them() {
        let at = |text: &str, needle: &str| {
            let (doc, _) = DeTable::parse_recoverable(text);
            at_offset(text, doc.get_ref(), text.rfind(needle).unwrap())
        };
        let text = "name = \"x\"\n[cluster]\nnodes = 3\n[[timeline]]\nat = \"1s\"\n[[timeline]]\nat = 2s\n";
        assert_eq!(at(text, "2s"), (Section::Step(2), Some("at".into())));
        let text = "[cluster]\nnodes = = 3\n";
        assert_eq!(at(text, "= 3").0, Section::Table("cluster".into()));
    }

    #[test]
    fn a_duplicate_key_is_named_though_the_parser_dropped_it() {
        let ctx = Ctx { profile: "t".into(), text: "[network]\nloss = 0.1\nloss = 0.2\n" };
        let e = ctx.read::<crate::config::raw::RawProfile>().unwrap_err();
        assert_eq!(e.field(), Some("[network] loss"));
        assert_eq!(e.location(), Some(Location { line: 3, column: 1 }));
    }

    #[test]
    fn table_fields_come_from_the_raw_structs() {
        assert_eq!(table_fields("network"), ["loss", "delay_ms", "jitter_ms", "duplicate"]);
        assert!(table_fields("timeline").contains(&"for"), "renames applied");
        assert!(table_fields("nope").is_empty());
    }

    #[test]
    fn typos_find_their_field() {
        let fields = ["loss", "delay_ms", "jitter_ms", "duplicate"];
        assert_eq!(closest("lose", fields.into_iter()), Some("loss"));
        assert_eq!(closest("delay", fields.into_iter()), Some("delay_ms"));
        assert_eq!(closest("bandwidth", fields.into_iter()), None);
    }
}
