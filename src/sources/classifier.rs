//! Classifier tables: what each log wording means, read from `rules/classifiers/*.toml`. A table
//! names the sources it applies to and (optionally) the programs; each row maps a message pattern
//! to an event kind, an event name and fields. A new wording is a new row, not Rust.

use std::collections::BTreeMap;
use std::sync::Arc;

use regex::Regex;
use serde::Deserialize;

use super::event::{EventKind, Fields};
use super::literals::{LiteralSearch, with_folded};
use crate::rule_files::{self, RuleFile};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableSpec {
    table: TableHeader,
    #[serde(default, rename = "row")]
    rows: Vec<RowSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableHeader {
    name: String,
    #[serde(default)]
    description: String,
    /// Source names (messages, escmanager, escadm, exabgp) whose lines this table reads.
    sources: Vec<String>,
    /// Regex on the syslog program; lines without a program (console layouts) always pass,
    /// unless `program_required`.
    #[serde(default)]
    program: Option<String>,
    /// Only lines whose program the regex matches: a program the reader gives (`shell`, a
    /// prompt's command), never a line without one.
    #[serde(default)]
    program_required: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RowSpec {
    id: String,
    kind: EventKind,
    event: String,
    /// Regex on the message; named groups become fields.
    pattern: String,
    /// Overrides the table's program regex for this row.
    #[serde(default)]
    program: Option<String>,
    /// Regex the line's level must match (application logs).
    #[serde(default)]
    level: Option<String>,
    /// Constant fields.
    #[serde(default)]
    set: BTreeMap<String, String>,
    /// Fields whose value is upper-cased (states, roles).
    #[serde(default)]
    upper: Vec<String>,
    /// The VRRP state this line proves the logging node's instance held at that instant, because
    /// keepalived writes the line only in that state: a state word (MASTER, BACKUP, FAULT), or
    /// `{field}` to take it from a captured field (absent field: nothing implied). It becomes the
    /// event's `implied_state` field.
    #[serde(default)]
    implies: Option<String>,
    /// With `implies`: the line starts that state now (1.x `Transition to MASTER STATE`), so it
    /// is a transition into it, not a state held since before. Sets the event's
    /// `implied_entry` field.
    #[serde(default)]
    implies_entry: bool,
    /// The state the instance held until the change of state (or stop) this line follows within
    /// moments, because keepalived writes the line only on leaving that state (`removing VIPs.`
    /// as a MASTER leaves for BACKUP or FAULT, or stops). Before any such change (keepalived
    /// 2.x's start-up sweep writes the same words), it says nothing. Sets the event's
    /// `implied_left` field.
    #[serde(default)]
    implies_left: Option<String>,
    /// The state keepalived enters right after writing the line (a MASTER that logs a better
    /// advert leaves for BACKUP): taken at the line's instant when no state line of the instance
    /// follows within moments (a grepped or cut excerpt). Sets the event's `leads_to` field.
    #[serde(default)]
    leads_to: Option<String>,
    /// A named extractor run on the whole message: `arrow-tokens` turns every
    /// `key( Old -> New )` into fields key_from / key_to (DRBD state lines).
    #[serde(default)]
    extract: Option<String>,
    /// Which releases write this wording (documentation).
    #[serde(default)]
    versions: Option<String>,
    #[serde(default)]
    description: Option<String>,
    /// Lines this row must recognise: `program: message` in tables with a program filter, else
    /// the message.
    #[serde(default)]
    examples: Vec<String>,
    /// Lines close to it that this row must not recognise.
    #[serde(default)]
    near_misses: Vec<String>,
}

/// One compiled row.
#[derive(Debug)]
pub struct Row {
    /// `table/row`.
    pub id: Arc<str>,
    pub kind: EventKind,
    pub event: Arc<str>,
    pattern: Regex,
    /// One of these (folded, see `literals`) is in every message the pattern matches; None: the
    /// pattern requires no literal and is tried on every message.
    pub literals: Option<Vec<Vec<u8>>>,
    program: Option<Regex>,
    level: Option<Regex>,
    set: Vec<(String, String)>,
    upper: Vec<String>,
    implies: Option<Implied>,
    implies_entry: bool,
    implies_left: Option<String>,
    leads_to: Option<String>,
    extract: Option<Extractor>,
    pub versions: Option<String>,
    pub description: Option<String>,
    pub examples: Vec<String>,
    pub near_misses: Vec<String>,
}

/// The field an event carries when its line proves the node's state (see `implies`).
pub const IMPLIED_STATE_FIELD: &str = "implied_state";
/// The field (`yes`) an event carries when its line starts the implied state now.
pub const IMPLIED_ENTRY_FIELD: &str = "implied_entry";
/// The field an event carries when its line proves the state its instance just left (see
/// `implies_left`).
pub const IMPLIED_LEFT_FIELD: &str = "implied_left";
/// The field an event carries when keepalived enters a state right after its line (see
/// `leads_to`).
pub const LEADS_TO_FIELD: &str = "leads_to";

/// What a row's line proves about the state of the logging node.
#[derive(Debug, Clone)]
enum Implied {
    State(String),
    FromField(String),
}

fn parse_state(text: &str, what: &str) -> Result<String, String> {
    match text.to_ascii_uppercase().as_str() {
        state @ ("MASTER" | "BACKUP" | "FAULT") => Ok(state.to_string()),
        _ => Err(format!("{what} {text:?}: expected MASTER, BACKUP or FAULT")),
    }
}

/// A state a line leads to: a state keepalived enters, or STOP (the instance no longer runs).
fn parse_next_state(text: &str) -> Result<String, String> {
    match text.to_ascii_uppercase().as_str() {
        "STOP" => Ok("STOP".to_string()),
        _ => parse_state(text, "leads_to").map_err(|error| format!("{error} (or STOP)")),
    }
}

fn parse_implied(text: &str, pattern: &Regex) -> Result<Implied, String> {
    if let Some(field) = text
        .strip_prefix('{')
        .and_then(|rest| rest.strip_suffix('}'))
    {
        if pattern.capture_names().flatten().any(|name| name == field) {
            return Ok(Implied::FromField(field.to_string()));
        }
        return Err(format!(
            "implies {text:?}: the pattern has no group named {field:?}"
        ));
    }
    parse_state(text, "implies")
        .map(Implied::State)
        .map_err(|_| format!("implies {text:?}: expected MASTER, BACKUP, FAULT or {{field}}"))
}

#[derive(Debug, Clone, Copy)]
enum Extractor {
    ArrowTokens,
}

/// One compiled table.
#[derive(Debug)]
pub struct Table {
    pub name: String,
    pub description: String,
    pub origin: String,
    pub sources: Vec<String>,
    program: Option<Regex>,
    program_required: bool,
    /// The required literals of the rows without a level gate (see `literals`), searched for
    /// once per message; `literal_rows` maps each literal to the rows that require it.
    prefilter: Option<LiteralSearch>,
    /// Rows without a level gate whose pattern requires no literal: tried on every message.
    unfiltered_rows: Vec<usize>,
    gated_rows: Vec<usize>,
    pub rows: Vec<Row>,
}

/// What a row made of a message.
#[derive(Debug, Clone)]
pub struct Classification<'a> {
    pub row: &'a Row,
    pub fields: Fields,
}

/// A table file that could not be used, with where and why.
#[derive(Debug, Clone, PartialEq)]
pub struct TableError {
    pub origin: String,
    pub message: String,
}

/// All tables in use, grouped for fast lookup by source.
#[derive(Debug, Default)]
pub struct Classifier {
    pub tables: Vec<Table>,
    pub errors: Vec<TableError>,
    /// One screen per source, made on first use.
    screens: std::sync::Mutex<BTreeMap<String, Arc<Screen>>>,
}

/// Whether a text may hold something a source's tables recognise: one search for the required
/// literals of all their rows (a row gated by a level and requiring no literal contributes its
/// level's). A text the screen rejects is recognised by no row; one it passes is classified.
#[derive(Debug)]
pub struct Screen {
    search: Option<LiteralSearch>,
    /// The folded literals searched for, sorted (some may stand for others that contain them).
    literals: Vec<Vec<u8>>,
    /// Some row requires no literal: every text passes.
    passes_everything: bool,
}

impl Screen {
    fn new(tables: &[&Table]) -> Screen {
        let mut literals: Vec<Vec<u8>> = Vec::new();
        let mut passes_everything = false;
        for row in tables.iter().flat_map(|table| &table.rows) {
            let required = row.literals.clone().or_else(|| {
                row.level
                    .as_ref()
                    .and_then(|level| super::literals::required_literals(level.as_str()))
            });
            match required {
                Some(required) => literals.extend(required),
                None => passes_everything = true,
            }
        }
        literals.sort();
        literals.dedup();
        let rows_of = vec![vec![0]; literals.len()];
        let search = if passes_everything || literals.is_empty() {
            None
        } else {
            LiteralSearch::new(&literals, &rows_of).ok()
        };
        Screen {
            passes_everything: passes_everything || (search.is_none() && !literals.is_empty()),
            search,
            literals,
        }
    }

    /// The folded literals one of which a text must hold to be classified; None when every text
    /// is (some row requires no literal).
    pub fn literals(&self) -> Option<&[Vec<u8>]> {
        (!self.passes_everything).then_some(self.literals.as_slice())
    }

    /// False when no row of the source's tables can recognise `text` (or any part of it).
    pub fn may_recognise(&self, text: &str) -> bool {
        // Emphasis markers are taken out before a text is classified: a literal may span them,
        // so a text holding them passes.
        if self.passes_everything || has_emphasis(text) {
            return true;
        }
        match &self.search {
            Some(search) => with_folded(text, |folded| search.occurs_in(folded)),
            None => false,
        }
    }
}

/// Whether a text holds Markdown emphasis markers (`**`), which are taken out before it is
/// classified.
fn has_emphasis(text: &str) -> bool {
    // A search for one byte (rare in logs) is cheaper than a substring search on every text.
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'*', bytes).any(|star| bytes.get(star + 1) == Some(&b'*'))
}

/// A message without the comment a writer typed after it, behind a tab (`Entering MASTER
/// STATE\t# the VIP moves here`), or an arrow drawn two spaces or more after it (`Entering
/// BACKUP STATE      <- back to BACKUP`): keepalived and the kernel write no tabs in these
/// messages, nor such an arrow. None when there is none.
fn without_trailing_comment(message: &str) -> Option<&str> {
    let bytes = message.as_bytes();
    memchr::memchr_iter(b'\t', bytes)
        .find_map(|tab| {
            let after = message[tab..].trim_start_matches([' ', '\t']);
            let kept = message[..tab].trim_end();
            (after.starts_with('#') && !kept.is_empty()).then_some(kept)
        })
        .or_else(|| {
            memchr::memchr_iter(b'<', bytes).find_map(|at| {
                let arrow = bytes.get(at + 1) == Some(&b'-');
                let spaced = at >= 2 && bytes[at - 1] == b' ' && bytes[at - 2] == b' ';
                let kept = message[..at].trim_end();
                (arrow && spaced && !kept.is_empty()).then_some(kept)
            })
        })
}

/// A message with the line a CentOS/RHEL `service` wrapper writes to stderr glued to its end
/// (`Entering BACKUP STATERedirecting to /bin/systemctl status  keepalived.service`: a capture
/// that mixed the command's stderr into the journal lines it printed). None when there is none.
fn without_glued_redirect(message: &str) -> Option<&str> {
    if !message.ends_with(".service") {
        return None;
    }
    let at = message.find("Redirecting to /bin/systemctl ")?;
    let kept = message[..at].trim_end();
    (!kept.is_empty()).then_some(kept)
}

/// A message copied from a web page's source with its markup characters escaped (`role( Primary
/// -&gt; Secondary )`, `&quot;`, `&#39;`), as the page shows it. None when it holds no such
/// entity (keepalived and the kernel write none).
pub fn html_unescaped(message: &str) -> Option<String> {
    const ENTITIES: [(&str, char); 9] = [
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&amp;", '&'),
        ("&quot;", '"'),
        ("&#39;", '\''),
        ("&#x27;", '\''),
        ("&apos;", '\''),
        ("&#34;", '"'),
        ("&nbsp;", ' '),
    ];
    memchr::memchr(b'&', message.as_bytes())?;
    let mut unescaped = String::with_capacity(message.len());
    let mut rest = message;
    let mut found = false;
    while let Some(ampersand) = rest.find('&') {
        unescaped.push_str(&rest[..ampersand]);
        rest = &rest[ampersand..];
        match ENTITIES.iter().find(|(entity, _)| rest.starts_with(entity)) {
            Some((entity, character)) => {
                unescaped.push(*character);
                rest = &rest[entity.len()..];
                found = true;
            }
            None => {
                unescaped.push('&');
                rest = &rest[1..];
            }
        }
    }
    unescaped.push_str(rest);
    found.then_some(unescaped)
}

fn arrow_tokens(message: &str, fields: &mut Fields) {
    // key( Old -> New ), tolerant of spacing.
    let mut rest = message;
    while let Some(open) = rest.find('(') {
        // The key runs back from `(` to the last character that cannot be in one (which may be
        // several bytes long: a corrupted byte in a log line is still a character boundary here).
        let key_start = rest[..open]
            .char_indices()
            .rev()
            .find(|(_, character)| {
                !(character.is_ascii_alphanumeric() || *character == '-' || *character == '_')
            })
            .map_or(0, |(index, character)| index + character.len_utf8());
        let key = &rest[key_start..open];
        let Some(close) = rest[open..].find(')') else {
            break;
        };
        let inner = &rest[open + 1..open + close];
        if let Some((old, new)) = inner.split_once("->")
            && !key.is_empty()
        {
            fields.insert(format!("{key}_from"), old.trim().to_string());
            fields.insert(format!("{key}_to"), new.trim().to_string());
        }
        rest = &rest[open + close + 1..];
    }
}

fn compile(pattern: &str, what: &str) -> Result<Regex, String> {
    Regex::new(pattern).map_err(|error| format!("{what}: invalid regex: {error}"))
}

impl Table {
    pub fn from_file(file: &RuleFile) -> Result<Table, String> {
        let spec: TableSpec = toml::from_str(&file.text).map_err(|error| error.to_string())?;
        let program = spec
            .table
            .program
            .as_deref()
            .map(|pattern| compile(pattern, "table.program"))
            .transpose()?;
        let mut rows = Vec::new();
        let mut seen = Vec::new();
        for row in spec.rows {
            if seen.contains(&row.id) {
                return Err(format!("row {:?} is defined twice", row.id));
            }
            seen.push(row.id.clone());
            let what = format!("row {:?}", row.id);
            let extract = match row.extract.as_deref() {
                None => None,
                Some("arrow-tokens") => Some(Extractor::ArrowTokens),
                Some(other) => {
                    return Err(format!(
                        "{what}: unknown extract {other:?} (known: arrow-tokens)"
                    ));
                }
            };
            let pattern = compile(&row.pattern, &what)?;
            if row.implies_entry && row.implies.is_none() {
                return Err(format!("{what}: implies_entry needs implies"));
            }
            let leads_to = row
                .leads_to
                .as_deref()
                .map(|text| parse_next_state(text).map_err(|error| format!("{what}: {error}")))
                .transpose()?;
            let implies_left = row
                .implies_left
                .as_deref()
                .map(|text| {
                    parse_state(text, "implies_left").map_err(|error| format!("{what}: {error}"))
                })
                .transpose()?;
            let implies = row
                .implies
                .as_deref()
                .map(|text| {
                    parse_implied(text, &pattern).map_err(|error| format!("{what}: {error}"))
                })
                .transpose()?;
            rows.push(Row {
                id: Arc::from(format!("{}/{}", spec.table.name, row.id)),
                kind: row.kind,
                event: Arc::from(row.event.as_str()),
                literals: super::literals::required_literals(&row.pattern),
                pattern,
                program: row
                    .program
                    .as_deref()
                    .map(|pattern| compile(pattern, &what))
                    .transpose()?,
                level: row
                    .level
                    .as_deref()
                    .map(|pattern| compile(pattern, &what))
                    .transpose()?,
                set: row.set.into_iter().collect(),
                upper: row.upper,
                implies,
                implies_entry: row.implies_entry,
                implies_left,
                leads_to,
                extract,
                versions: row.versions,
                description: row.description,
                examples: row.examples,
                near_misses: row.near_misses,
            });
        }
        // Rows gated by a level are tried only on lines of that level, outside the set: a catch-all
        // pattern there would otherwise make the set match every line.
        let (gated, ungated): (Vec<usize>, Vec<usize>) =
            (0..rows.len()).partition(|index| rows[*index].level.is_some());
        let mut literals: Vec<Vec<u8>> = Vec::new();
        let mut literal_rows: Vec<Vec<usize>> = Vec::new();
        let mut unfiltered_rows = Vec::new();
        for index in ungated {
            match &rows[index].literals {
                None => unfiltered_rows.push(index),
                Some(required) => {
                    for literal in required {
                        match literals.iter().position(|known| known == literal) {
                            Some(known) => literal_rows[known].push(index),
                            None => {
                                literals.push(literal.clone());
                                literal_rows.push(vec![index]);
                            }
                        }
                    }
                }
            }
        }
        let prefilter = if literals.is_empty() {
            None
        } else {
            Some(LiteralSearch::new(&literals, &literal_rows)?)
        };
        Ok(Table {
            name: spec.table.name,
            description: spec.table.description,
            origin: file.origin.clone(),
            sources: spec.table.sources,
            program,
            program_required: spec.table.program_required,
            prefilter,
            unfiltered_rows,
            gated_rows: gated,
            rows,
        })
    }

    /// Whether this table (or one of its rows) reads lines of this program.
    pub fn reads_program(&self, program: &str) -> bool {
        match &self.program {
            Some(filter) => filter.is_match(program),
            None => false,
        }
    }

    /// The event names its rows produce.
    pub fn event_names(&self) -> impl Iterator<Item = &str> {
        self.rows.iter().map(|row| row.event.as_ref())
    }

    /// The field names its rows can set: capture groups and constant fields.
    pub fn field_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        for row in &self.rows {
            names.extend(row.pattern.capture_names().flatten().map(str::to_string));
            names.extend(row.set.iter().map(|(name, _)| name.clone()));
        }
        names
    }

    /// Whether a row extracts `key( Old -> New )` tokens (fields named `key_from`, `key_to`).
    pub fn extracts_arrow_tokens(&self) -> bool {
        self.rows
            .iter()
            .any(|row| matches!(row.extract, Some(Extractor::ArrowTokens)))
    }

    /// Whether this table reads lines of `source` from `program`.
    fn applies(&self, source: &str, program: Option<&str>) -> bool {
        self.sources.iter().any(|name| name == source)
            && match (&self.program, program) {
                (Some(filter), Some(program)) => filter.is_match(program),
                (Some(_), None) => !self.program_required,
                (None, _) => true,
            }
    }

    /// The first row that recognises the message.
    pub fn classify(
        &self,
        program: Option<&str>,
        level: Option<&str>,
        message: &str,
    ) -> Option<Classification<'_>> {
        Classifier::classify_applicable(std::slice::from_ref(&self), program, level, message)
    }

    /// [`Table::classify`] with the message already folded for the literal search (`folded` is
    /// not read when the table has no literal search).
    fn classify_folded(
        &self,
        program: Option<&str>,
        level: Option<&str>,
        message: &str,
        folded: &[u8],
    ) -> Option<Classification<'_>> {
        let mut candidates: Vec<usize> = Vec::new();
        if let Some(prefilter) = &self.prefilter {
            prefilter.visit_rows(folded, |rows| candidates.extend_from_slice(rows));
        }
        candidates.extend_from_slice(&self.unfiltered_rows);
        if let Some(level) = level {
            let level = level.trim();
            candidates.extend(self.gated_rows.iter().copied().filter(|index| {
                self.rows[*index]
                    .level
                    .as_ref()
                    .is_some_and(|filter| filter.is_match(level))
            }));
        }
        if candidates.is_empty() {
            return None;
        }
        candidates.sort_unstable();
        candidates.dedup();
        self.first_match(candidates, program, level, message)
    }

    /// What [`Table::classify`] finds, found by trying every row in order without the literal
    /// search (the reference the tests and the fuzzer compare the fast path with).
    pub fn classify_exhaustively(
        &self,
        program: Option<&str>,
        level: Option<&str>,
        message: &str,
    ) -> Option<Classification<'_>> {
        if has_emphasis(message) {
            return self.classify_exhaustively(program, level, &message.replace("**", ""));
        }
        if let Some(kept) =
            without_trailing_comment(message).or_else(|| without_glued_redirect(message))
        {
            return self.classify_exhaustively(program, level, kept);
        }
        let every_row: Vec<usize> = (0..self.rows.len())
            .filter(|index| self.rows[*index].level.is_none() || level.is_some())
            .collect();
        self.first_match(every_row, program, level, message)
    }

    /// The first of `candidates` (row indices, in order) that recognises the message.
    fn first_match(
        &self,
        candidates: Vec<usize>,
        program: Option<&str>,
        level: Option<&str>,
        message: &str,
    ) -> Option<Classification<'_>> {
        for index in candidates {
            let row = &self.rows[index];
            if let (Some(filter), Some(program)) = (&row.program, program)
                && !filter.is_match(program)
            {
                continue;
            }
            if let Some(filter) = &row.level
                && !level.is_some_and(|level| filter.is_match(level.trim()))
            {
                continue;
            }
            let Some(captures) = row.pattern.captures(message) else {
                continue;
            };
            let mut fields = Fields::new();
            for name in row.pattern.capture_names().flatten() {
                if let Some(value) = captures.name(name)
                    && !value.as_str().is_empty()
                {
                    fields.insert(name, value.as_str());
                }
            }
            for (name, value) in &row.set {
                fields.insert_if_absent(name, value);
            }
            if let Some(Extractor::ArrowTokens) = row.extract {
                arrow_tokens(message, &mut fields);
            }
            for name in &row.upper {
                if let Some(value) = fields.get(name) {
                    let upper = value.to_ascii_uppercase();
                    fields.insert(name.as_str(), upper);
                }
            }
            let implied = match &row.implies {
                Some(Implied::State(state)) => Some(state.clone()),
                Some(Implied::FromField(field)) => fields
                    .get(field)
                    .map(str::to_ascii_uppercase)
                    .filter(|value| matches!(value.as_str(), "MASTER" | "BACKUP" | "FAULT")),
                None => None,
            };
            if let Some(state) = implied {
                fields.insert(IMPLIED_STATE_FIELD, state);
                if row.implies_entry {
                    fields.insert(IMPLIED_ENTRY_FIELD, "yes");
                }
            }
            if let Some(state) = &row.implies_left {
                fields.insert(IMPLIED_LEFT_FIELD, state.clone());
            }
            if let Some(state) = &row.leads_to {
                fields.insert(LEADS_TO_FIELD, state.clone());
            }
            fields.shrink_to_fit();
            return Some(Classification { row, fields });
        }
        None
    }
}

/// Splits an example line into (program, message): `Keepalived_vrrp: (X) ...` for tables that
/// filter on the program, else the whole line is the message.
pub fn split_example(example: &str, table_has_program: bool) -> (Option<&str>, &str) {
    if !table_has_program {
        return (None, example);
    }
    match example.split_once(": ") {
        Some((program, message))
            if !program.is_empty()
                && program
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || b"_-.[]".contains(&byte)) =>
        {
            (Some(program), message)
        }
        _ => (None, example),
    }
}

impl Classifier {
    /// The embedded tables, then those of `extra` (a --rules DIR): a table of the same name replaces
    /// the embedded one. Broken tables are reported in `errors` and left out.
    pub fn load(extra: Option<&std::path::Path>) -> Classifier {
        let mut files = rule_files::embedded("classifiers");
        let mut classifier = Classifier::default();
        if let Some(directory) = extra {
            let (more, errors) = rule_files::from_directory(directory, "classifiers");
            files.extend(more);
            classifier
                .errors
                .extend(errors.into_iter().map(|message| TableError {
                    origin: directory.display().to_string(),
                    message,
                }));
        }
        for file in &files {
            match Table::from_file(file) {
                Ok(table) => {
                    classifier
                        .tables
                        .retain(|existing| existing.name != table.name);
                    classifier.tables.push(table);
                }
                Err(message) => classifier.errors.push(TableError {
                    origin: file.origin.clone(),
                    message,
                }),
            }
        }
        classifier
    }

    /// Rows that every message is tried against (their pattern requires no literal and no level
    /// gate does instead): they work, only slower. One line each, for `rules check`. (Not a
    /// table whose program is required: only its program's lines reach it.)
    pub fn unscreened_rows(&self) -> Vec<String> {
        let mut notes = Vec::new();
        for table in self.tables.iter().filter(|table| !table.program_required) {
            for row in &table.rows {
                let level_literals = row
                    .level
                    .as_ref()
                    .and_then(|level| super::literals::required_literals(level.as_str()));
                if row.literals.is_none() && level_literals.is_none() {
                    notes.push(format!(
                        "{} ({}): its pattern requires no literal text, so every {} line is tried against it (slower; a word the pattern always contains makes it fast)",
                        row.id,
                        table.origin,
                        table.sources.join("/")
                    ));
                }
            }
        }
        notes
    }

    /// The screen of the tables that read lines of `source`.
    pub fn screen_for(&self, source: &str) -> Arc<Screen> {
        let mut screens = self
            .screens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        screens
            .entry(source.to_string())
            .or_insert_with(|| Arc::new(Screen::new(&self.tables_for(source))))
            .clone()
    }

    /// The tables that read lines of `source`, in load order.
    pub fn tables_for(&self, source: &str) -> Vec<&Table> {
        self.tables
            .iter()
            .filter(|table| table.sources.iter().any(|name| name == source))
            .collect()
    }

    /// Classifies a message of `source` with the first table and row that recognise it.
    pub fn classify<'a>(
        &'a self,
        tables: &[&'a Table],
        source: &str,
        program: Option<&str>,
        level: Option<&str>,
        message: &str,
    ) -> Option<Classification<'a>> {
        Classifier::classify_applicable(
            &Classifier::applicable(tables, source, program),
            program,
            level,
            message,
        )
    }

    /// The tables of `tables` that read lines of `source` from `program` (readers that meet the
    /// same programs again and again keep this per program).
    pub fn applicable<'a>(
        tables: &[&'a Table],
        source: &str,
        program: Option<&str>,
    ) -> Vec<&'a Table> {
        tables
            .iter()
            .copied()
            .filter(|table| table.applies(source, program))
            .collect()
    }

    /// Classifies with tables already known to apply to the line's source and program.
    pub fn classify_applicable<'a>(
        tables: &[&'a Table],
        program: Option<&str>,
        level: Option<&str>,
        message: &str,
    ) -> Option<Classification<'a>> {
        // A pasted line with Markdown emphasis typed into it (`**higher priority 253, ours
        // 253**`) is read without the markers.
        if has_emphasis(message) {
            return Classifier::classify_applicable(
                tables,
                program,
                level,
                &message.replace("**", ""),
            );
        }
        if let Some(kept) =
            without_trailing_comment(message).or_else(|| without_glued_redirect(message))
        {
            return Classifier::classify_applicable(tables, program, level, kept);
        }
        let classify_all = |folded: &[u8]| {
            tables
                .iter()
                .find_map(|table| table.classify_folded(program, level, message, folded))
        };
        // The message is folded once for all the tables' literal searches.
        if tables.iter().any(|table| table.prefilter.is_some()) {
            with_folded(message, classify_all)
        } else {
            classify_all(&[])
        }
    }

    /// Runs every row's examples and near-misses; returns one line per failure.
    pub fn self_test(&self) -> Vec<String> {
        let mut failures = Vec::new();
        for table in &self.tables {
            for row in &table.rows {
                if row.examples.is_empty() {
                    failures.push(format!("{} ({}): has no example", row.id, table.origin));
                }
                if row.near_misses.is_empty() {
                    failures.push(format!("{} ({}): has no near-miss", row.id, table.origin));
                }
                // A row that says its line proves a state says where the program writes it.
                if (row.implies.is_some() || row.leads_to.is_some() || row.implies_left.is_some())
                    && !row.description.as_deref().is_some_and(|description| {
                        description.contains(".c ") || description.contains(".c:")
                    })
                {
                    failures.push(format!(
                        "{} ({}): implies a state but its description cites no source file (vrrp.c, vrrp_scheduler.c)",
                        row.id, table.origin
                    ));
                }
                let source = table.sources.first().map(String::as_str).unwrap_or("");
                for example in &row.examples {
                    let (program, message) = split_example(example, table.program.is_some());
                    let level = row.level.as_ref().map(|_| "ERROR");
                    let found = self.classify(&[table], source, program, level, message);
                    match found {
                        Some(found) if Arc::ptr_eq(&found.row.id, &row.id) => {}
                        Some(other) => failures.push(format!(
                            "{}: example {example:?} is taken by the earlier row {}",
                            row.id, other.row.id
                        )),
                        None => {
                            failures.push(format!("{}: example {example:?} does not match", row.id))
                        }
                    }
                }
                for near_miss in &row.near_misses {
                    let (program, message) = split_example(near_miss, table.program.is_some());
                    let level = row.level.as_ref().map(|_| "ERROR");
                    if let Some(found) = self.classify(&[table], source, program, level, message)
                        && Arc::ptr_eq(&found.row.id, &row.id)
                    {
                        failures.push(format!("{}: near-miss {near_miss:?} matches", row.id));
                    }
                }
            }
        }
        failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_copied_from_a_pages_source_is_read_unescaped() {
        assert_eq!(
            html_unescaped(
                "drbd r0: role( Primary -&gt; Secondary ) &amp;&lt;x&gt; &#39;a&#39; &amp"
            ),
            Some("drbd r0: role( Primary -> Secondary ) &<x> 'a' &amp".to_string())
        );
        assert_eq!(html_unescaped("a & b"), None);
        assert_eq!(html_unescaped("no entity"), None);
    }

    /// The literal search changes nothing: on every example and near-miss of every table, each
    /// table classifies as trying every row in order would.
    #[test]
    fn the_literal_search_finds_what_trying_every_row_finds() {
        let classifier = Classifier::load(None);
        let examples = classifier
            .tables
            .iter()
            .flat_map(|table| &table.rows)
            .flat_map(|row| row.examples.iter().chain(&row.near_misses));
        // Each also with emphasis markers typed into the middle of its last word (`remov**ing`),
        // which break any literal they fall into.
        let texts: Vec<String> = examples
            .flat_map(|text| {
                let middle = text.trim_end().rfind(' ').map_or(0, |space| space + 3);
                let middle = text.floor_char_boundary(middle.min(text.len()));
                [
                    text.clone(),
                    format!("{}**{}", &text[..middle], &text[middle..]),
                ]
            })
            .collect();
        let mut recognised = 0;
        for table in &classifier.tables {
            let screen = Screen::new(&[table]);
            for text in &texts {
                let (program, message) = split_example(text, table.program.is_some());
                for level in [None, Some("ERROR"), Some("INFO")] {
                    let fast = table.classify(program, level, message);
                    let slow = table.classify_exhaustively(program, level, message);
                    assert_eq!(
                        fast.as_ref().map(|found| found.row.id.clone()),
                        slow.as_ref().map(|found| found.row.id.clone()),
                        "{} on {text:?} at level {level:?}",
                        table.name
                    );
                    if fast.is_some() {
                        recognised += 1;
                        // The screen reads the whole line, level included.
                        let line = format!("{} {message}", level.unwrap_or(""));
                        assert!(screen.may_recognise(&line), "screen dropped {line:?}");
                    }
                }
            }
        }
        assert!(recognised > 100, "only {recognised} recognised");
        assert!(classifier.unscreened_rows().is_empty());
    }

    /// The row that reads a keepalived message of `/var/log/messages`, and the priority it finds.
    fn keepalived_row(
        classifier: &Classifier,
        message: &str,
    ) -> Option<(Arc<str>, Option<String>)> {
        let tables = classifier.tables_for("messages");
        classifier
            .classify(&tables, "messages", Some("Keepalived_vrrp"), None, message)
            .map(|found| {
                (
                    found.row.id.clone(),
                    found.fields.get("priority").map(str::to_string),
                )
            })
    }

    #[test]
    fn markdown_emphasis_typed_into_a_line_is_read_without_its_markers() {
        let classifier = Classifier::load(None);
        let read = |message: &str| keepalived_row(&classifier, message);
        let plain = read("VRRP_Instance(VI_1) Received advert with higher priority 253, ours 253");
        assert!(plain.is_some());
        assert_eq!(
            read("VRRP_Instance(VI_1) Received advert with **higher priority 253, ours 253**"),
            plain
        );
    }

    #[test]
    fn a_comment_typed_after_a_line_behind_a_tab_is_left_out() {
        let classifier = Classifier::load(None);
        let read = |message: &str| keepalived_row(&classifier, message).map(|(row, _)| row);
        let plain = read("(VI_1) Entering MASTER STATE");
        assert!(plain.is_some());
        assert_eq!(
            read("(VI_1) Entering MASTER STATE\t# the VIP moves here"),
            plain
        );
        assert_eq!(read("(VI_1) Entering MASTER STATE \t\t#"), plain);
        assert_eq!(read("(VI_1) Entering MASTER STATE\tnot a comment"), None);
        // An arrow drawn after the line, two spaces or more before it.
        let backup = read("VRRP_Instance(VI_1) Entering BACKUP STATE");
        assert!(backup.is_some());
        assert_eq!(
            read(
                "VRRP_Instance(VI_1) Entering BACKUP STATE                      <- 转换回BACKUP状态"
            ),
            backup
        );
        assert_eq!(
            read("VRRP_Instance(VI_1) Entering BACKUP STATE <- not spaced"),
            None
        );
    }

    #[test]
    fn a_service_wrappers_redirect_line_glued_to_a_message_is_left_out() {
        let classifier = Classifier::load(None);
        let read = |message: &str| keepalived_row(&classifier, message).map(|(row, _)| row);
        let plain = read("VRRP_Instance(VI_1) Entering BACKUP STATE");
        assert!(plain.is_some());
        assert_eq!(
            read(
                "VRRP_Instance(VI_1) Entering BACKUP STATERedirecting to /bin/systemctl status  keepalived.service"
            ),
            plain
        );
        assert_eq!(
            read("Redirecting to /bin/systemctl status  keepalived.service"),
            None
        );
    }

    #[test]
    fn every_embedded_table_loads() {
        let classifier = Classifier::load(None);
        assert!(classifier.errors.is_empty(), "{:?}", classifier.errors);
        assert!(classifier.tables.len() >= 4);
    }

    #[test]
    fn every_row_recognises_its_examples_and_none_of_its_near_misses() {
        let failures = Classifier::load(None).self_test();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn arrow_tokens_survive_a_multibyte_character_before_the_parenthesis() {
        let mut fields = Fields::new();
        arrow_tokens(
            "block drbd1: é( Connected -> StandAlone ) ü(x)",
            &mut fields,
        );
        assert!(fields.is_empty(), "{fields:?}");
        arrow_tokens(
            "block drbd1: conné( A -> B ) role\u{fffd}( Primary -> Secondary )",
            &mut fields,
        );
        assert!(fields.is_empty(), "{fields:?}");
    }

    #[test]
    fn arrow_tokens_become_fields() {
        let mut fields = Fields::new();
        arrow_tokens(
            "block drbd1: conn( Connected -> NetworkFailure ) pdsk( UpToDate -> DUnknown )",
            &mut fields,
        );
        assert_eq!(&fields["conn_from"], "Connected");
        assert_eq!(&fields["conn_to"], "NetworkFailure");
        assert_eq!(&fields["pdsk_to"], "DUnknown");
    }

    #[test]
    fn a_broken_table_is_reported_with_its_line_and_the_rest_still_load() {
        let directory = tempfile::tempdir().unwrap();
        std::fs::create_dir(directory.path().join("classifiers")).unwrap();
        std::fs::write(
            directory.path().join("classifiers/broken.toml"),
            "[table]\nname = \"broken\"\nsources = [\"messages\"]\n[[row]]\nid = 3\n",
        )
        .unwrap();
        let classifier = Classifier::load(Some(directory.path()));
        assert_eq!(classifier.errors.len(), 1);
        let error = &classifier.errors[0];
        assert!(error.origin.ends_with("broken.toml"), "{error:?}");
        assert!(error.message.contains("line 5"), "{error:?}");
        assert!(
            classifier
                .tables
                .iter()
                .any(|table| table.name == "keepalived")
        );
    }
}
