//! `ConfigError` and the helpers that turn byte spans and serde's messages
//! into errors that name the field and say the fix.

use std::fmt;
use std::ops::Range;

use thiserror::Error;

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

impl Ctx<'_> {
    /// An error about `field`, at `span` when known.
    pub fn err(&self, field: impl Into<String>, span: Option<Range<usize>>, message: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            profile: self.profile.clone(),
            at: span.map(|s| Location::of(self.text, s.start)),
            field: field.into(),
            message: message.into(),
        }
    }

    /// Rewrites an error from the TOML deserializer: adds the section the
    /// error is in, names the key, and turns serde's "unknown field" into a
    /// suggestion.
    pub fn toml_error(&self, e: &toml::de::Error) -> ConfigError {
        let span = e.span();
        let raw = e.message().trim().replace('\n', "; ");
        let section = span.as_ref().map_or(Section::Top, |s| section_at(self.text, s.start));
        if let Some((unknown, expected)) = parse_unknown_field(&raw) {
            let field = section.field(&unknown);
            let mut message = match &section {
                Section::Top => format!("unknown top-level field \"{unknown}\""),
                s => format!("{}unknown field \"{unknown}\"", s.prefix()),
            };
            if let Some(best) = closest(&unknown, expected.iter().map(String::as_str)) {
                message.push_str(&format!(": did you mean \"{best}\"?"));
            } else {
                message.push_str(": remove it");
            }
            if expected.is_empty() {
                message.push_str(" (this table takes no fields)");
            } else {
                message.push_str(&format!(" Valid fields: {}", expected.join(", ")));
            }
            return self.err(field, span, message);
        }
        let key = span.as_ref().and_then(|s| key_at(self.text, s.start));
        let raw = friendly_types(&raw);
        match key {
            Some(key) => {
                let field = section.field(&key);
                self.err(field.clone(), span, format!("{field}: {raw}"))
            }
            None => self.err(section.prefix().trim().to_owned(), span, format!("{}{raw}", section.prefix())),
        }
    }
}

/// The table a byte offset belongs to.
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
}

/// Finds the table header that governs `offset`: the last header line that
/// ends before the line holding `offset`. A span on a header line itself
/// (an unknown table name) belongs to the level above.
fn section_at(text: &str, offset: usize) -> Section {
    let mut section = Section::Top;
    let mut steps = 0;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let end = pos + line.len();
        if end > offset {
            break;
        }
        let t = line.trim();
        if let Some(name) = t.strip_prefix("[[").and_then(|r| r.split("]]").next()) {
            let name = name.trim();
            if name == "timeline" {
                steps += 1;
                section = Section::Step(steps);
            } else {
                section = Section::Table(name.to_owned());
            }
        } else if let Some(name) = t.strip_prefix('[').and_then(|r| r.split(']').next()) {
            section = Section::Table(name.trim().to_owned());
        }
        pos = end;
    }
    section
}

/// The key of the `key = value` line holding `offset`, if that line is one.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[start..].lines().next()?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
    plain.then(|| key.to_owned())
}

/// Splits serde's "unknown field `x`, expected one of `a`, `b`" (or
/// "expected `a`", or "there are no fields") into the field and the list.
fn parse_unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, rest) = rest.split_once('`')?;
    let expected = rest.split('`').skip(1).step_by(2).map(str::to_owned).collect();
    Some((field.to_owned(), expected))
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
        .map(|c| (if c.starts_with(word) || word.starts_with(c) { 1 } else { edit_distance(word, c) }, c))
        .filter(|&(d, c)| d <= 2.max(c.len() / 3))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == cb { prev } else { 1 + prev.min(cur).min(row[j]) };
            prev = cur;
        }
    }
    row[b.len()]
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
    fn sections_count_timeline_entries() {
        let text = "name = \"x\"\n[cluster]\nnodes = 3\n[[timeline]]\nat = \"1s\"\n[[timeline]]\nat = \"2s\"\n";
        assert_eq!(section_at(text, 0), Section::Top);
        assert_eq!(section_at(text, text.find("nodes").unwrap()), Section::Table("cluster".into()));
        assert_eq!(section_at(text, text.find("[cluster]").unwrap()), Section::Top);
        assert_eq!(section_at(text, text.rfind("at =").unwrap()), Section::Step(2));
    }

    #[test]
    fn unknown_field_messages_parse() {
        let (f, e) = parse_unknown_field("unknown field `lose`, expected one of `loss`, `delay_ms`").unwrap();
        assert_eq!(f, "lose");
        assert_eq!(e, ["loss", "delay_ms"]);
        let (_, e) = parse_unknown_field("unknown field `x`, expected `at`").unwrap();
        assert_eq!(e, ["at"]);
        let (_, e) = parse_unknown_field("unknown field `x`, there are no fields").unwrap();
        assert!(e.is_empty());
    }

    #[test]
    fn typos_find_their_field() {
        let fields = ["loss", "delay_ms", "jitter_ms", "duplicate"];
        assert_eq!(closest("lose", fields.into_iter()), Some("loss"));
        assert_eq!(closest("delay", fields.into_iter()), Some("delay_ms"));
        assert_eq!(closest("bandwidth", fields.into_iter()), None);
    }
}
