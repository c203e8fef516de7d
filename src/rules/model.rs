//! Diagnosis rule files: `rules/<id>.toml`, one cause or finding per file (the file stem is the
//! rule id), read into typed rules once. A rule that cannot be read is reported with its file, line
//! and column and left out; the others still run.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

use super::condition::{self, Expr};
pub use crate::finding::{Severity, SplitBrainKind};
use crate::rule_files::{self, RuleFile};
pub use crate::timeline::words::{
    CHOICES, ESC_INPUT, TextContext, choice_at, choice_name_at, in_context,
};

/// What a rule is evaluated on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SubjectKind {
    /// A transition to MASTER.
    Takeover,
    /// MASTER to BACKUP.
    Yield,
    /// A transition to FAULT.
    Fault,
    /// MASTER to STOP.
    Stop,
    /// Any other change of state: a start-up into BACKUP, FAULT back to BACKUP, a stop of a
    /// BACKUP. Reported in `transitions[]`, not a failover.
    Entry,
    /// Two nodes in MASTER for the same instance at once (one window per overlap).
    Overlap,
    /// Each event matching the rule's `match` predicate.
    Event,
}

impl SubjectKind {
    pub fn name(self) -> &'static str {
        match self {
            SubjectKind::Takeover => "takeover",
            SubjectKind::Yield => "yield",
            SubjectKind::Fault => "fault",
            SubjectKind::Stop => "stop",
            SubjectKind::Entry => "entry",
            SubjectKind::Overlap => "overlap",
            SubjectKind::Event => "event",
        }
    }

    /// Whether the subject is a state transition (rules on it name its cause).
    pub fn is_transition(self) -> bool {
        matches!(
            self,
            SubjectKind::Takeover
                | SubjectKind::Yield
                | SubjectKind::Fault
                | SubjectKind::Stop
                | SubjectKind::Entry
        )
    }

    /// Whether a transition of this kind is a failover (`failovers[]`), not only a transition.
    pub fn is_failover(self) -> bool {
        matches!(
            self,
            SubjectKind::Takeover | SubjectKind::Yield | SubjectKind::Fault | SubjectKind::Stop
        )
    }
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(SubjectKind),
    Many(Vec<SubjectKind>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    title: Text,
    severity: Severity,
    subject: OneOrMany,
    /// For transition rules: the cause this rule names (defaults to the rule id).
    #[serde(default)]
    cause: Option<String>,
    /// Transition rules are tried in this order (lowest first); the first that holds names the cause.
    #[serde(default)]
    order: i64,
    /// For event rules: which events are subjects.
    #[serde(default, rename = "match")]
    match_events: Option<toml::Spanned<String>>,
    condition: toml::Spanned<String>,
    explanation: Text,
    remedy: Text,
    #[serde(default)]
    references: Vec<String>,
    /// For event rules whose event proves a split-brain: each finding is also a `split_brain[]`
    /// entry of this kind and proof.
    #[serde(default)]
    split_brain: Option<SplitBrainProof>,
    /// For event rules: the finding is one facet of the failover incident around it (DRBD's side
    /// of a split-brain), and is folded into that incident's finding.
    #[serde(default)]
    part_of_incident: bool,
    /// For event rules: lines of the rule less than this far apart (a duration, `10m`) make one
    /// finding; one minute where not given.
    #[serde(default)]
    merge_within: Option<String>,
    /// For transition rules: the transition was made by keepalived moving this instance with
    /// another of the same node (a sync group's member), and is folded into that instance's
    /// incident.
    #[serde(default)]
    follows_another_instance: bool,
    /// The rule reads ESC's own lines or files, and fires only where the input shows ESC: its
    /// texts may name ESC's parts without an `{esc?…|…}` choice.
    #[serde(default)]
    esc_only: bool,
    #[serde(default, rename = "case")]
    cases: Vec<CaseSpec>,
}

/// A rule's title, explanation or remedy: one text, or one per subject kind (`takeover = "..."`,
/// `yield = "..."`, and `default` for the others), so that the words fit the node and the
/// transition at hand instead of offering alternatives.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Text {
    One(String),
    BySubject(BTreeMap<String, String>),
}

/// A rule's text, resolved per subject kind.
#[derive(Debug, Clone, Default)]
pub struct SubjectText {
    pub default: Option<String>,
    pub by_subject: BTreeMap<SubjectKind, String>,
}

impl SubjectText {
    /// The text a listing shows: the default, else the first subject kind's.
    pub fn shown(&self) -> &str {
        self.default
            .as_deref()
            .or(self.by_subject.values().next().map(String::as_str))
            .unwrap_or("")
    }

    /// The text for a subject of this kind (empty when the rule has none for it).
    pub fn for_subject(&self, kind: SubjectKind) -> &str {
        self.by_subject
            .get(&kind)
            .or(self.default.as_ref())
            .map_or("", String::as_str)
    }

    fn read(text: Text, subjects: &[SubjectKind], what: &str) -> Result<SubjectText, String> {
        match text {
            Text::One(text) => Ok(SubjectText {
                default: Some(unwrap_lines(&text)),
                by_subject: BTreeMap::new(),
            }),
            Text::BySubject(table) => {
                let mut resolved = SubjectText::default();
                for (key, text) in table {
                    if key == "default" {
                        resolved.default = Some(unwrap_lines(&text));
                        continue;
                    }
                    let kind = subjects
                        .iter()
                        .copied()
                        .find(|kind| kind.name() == key)
                        .ok_or_else(|| {
                            format!("{what}: {key:?} is not one of this rule's subjects")
                        })?;
                    resolved.by_subject.insert(kind, unwrap_lines(&text));
                }
                if resolved.default.is_none()
                    && let Some(missing) = subjects
                        .iter()
                        .find(|kind| !resolved.by_subject.contains_key(kind))
                {
                    return Err(format!(
                        "{what}: no text for the subject {:?} (give it, or a default)",
                        missing.name()
                    ));
                }
                Ok(resolved)
            }
        }
    }
}

/// What kind of split-brain an event rule proves, and how.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitBrainProof {
    /// `vrrp` (two nodes MASTER of one instance) or `drbd` (diverged replicated data).
    pub kind: SplitBrainKind,
    /// `advert-while-master` or `drbd-detected` (`both-sides` is the overlap of two nodes' states).
    pub proof: String,
}

/// A test case of a rule: a bundle (a testdata bundle or files written inline) and whether the
/// rule must fire on it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseSpec {
    pub name: String,
    /// `fires` or `quiet`.
    pub expect: Expectation,
    /// A bundle directory relative to the repository root (testdata/bundles/lab-partition).
    #[serde(default)]
    pub bundle: Option<String>,
    /// Files written into a temporary bundle: `esc-ha-0/var/log/messages` = "...".
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// Only subjects of this node count (transition rules: the transition's node).
    #[serde(default)]
    pub node: Option<String>,
    /// The verdict status the whole analysis must reach as well (split-brain, failover, ...).
    #[serde(default)]
    pub verdict: Option<String>,
}

/// What a case expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expectation {
    Fires,
    Quiet,
}

/// A rule, ready to evaluate.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub origin: String,
    pub title: SubjectText,
    pub severity: Severity,
    pub subjects: Vec<SubjectKind>,
    pub cause: String,
    pub order: i64,
    pub match_events: Option<Expr>,
    pub condition: Expr,
    pub explanation: SubjectText,
    pub remedy: SubjectText,
    pub references: Vec<String>,
    pub split_brain: Option<SplitBrainProof>,
    pub part_of_incident: bool,
    /// Event rules: lines of the rule less than this far apart make one finding.
    pub merge_within: chrono::Duration,
    pub follows_another_instance: bool,
    pub esc_only: bool,
    pub cases: Vec<CaseSpec>,
}

/// A rule file that could not be used.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleError {
    pub origin: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}", self.origin)?;
        if let Some(line) = self.line {
            write!(formatter, ":{line}")?;
            if let Some(column) = self.column {
                write!(formatter, ":{column}")?;
            }
        }
        write!(formatter, ": {}", self.message)
    }
}

/// Parses a condition held in a TOML string, locating errors in the file.
fn parse_spanned(
    file: &RuleFile,
    value: &toml::Spanned<String>,
    what: &str,
) -> Result<Expr, RuleError> {
    condition::parse(value.get_ref()).map_err(|error| {
        // The span covers the quotes; a ''' string starts its text on the next line when it opens
        // with a newline.
        let span = value.span();
        let raw = &file.text[span.start..span.end.min(file.text.len())];
        let quote = if raw.starts_with("'''") || raw.starts_with("\"\"\"") {
            3
        } else {
            1
        };
        let mut start = span.start + quote;
        if quote == 3 && file.text[start..].starts_with('\n') {
            start += 1;
        }
        let (line, column) = condition::line_and_column(&file.text, start + error.offset);
        RuleError {
            origin: file.origin.clone(),
            line: Some(line),
            column: Some(column),
            message: format!("{what}: {}", error.message),
        }
    })
}

/// Joins the lines of each paragraph (a TOML multi-line string wraps its text); blank lines stay
/// paragraph breaks.
fn unwrap_lines(text: &str) -> String {
    text.trim()
        .split("\n\n")
        .map(|paragraph| paragraph.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn text_error(file: &RuleFile, message: String) -> RuleError {
    RuleError {
        origin: file.origin.clone(),
        line: None,
        column: None,
        message,
    }
}

impl Rule {
    /// Reads one rule file.
    pub fn from_file(file: &RuleFile) -> Result<Rule, RuleError> {
        let id = file
            .relative
            .rsplit('/')
            .next()
            .and_then(|name| name.strip_suffix(".toml"))
            .unwrap_or(&file.relative)
            .to_string();
        let spec: RuleSpec = toml::from_str(&file.text).map_err(|error| {
            let (line, column) = error
                .span()
                .map(|span| condition::line_and_column(&file.text, span.start))
                .map_or((None, None), |(line, column)| (Some(line), Some(column)));
            RuleError {
                origin: file.origin.clone(),
                line,
                column,
                message: error.message().to_string(),
            }
        })?;
        let subjects = match spec.subject {
            OneOrMany::One(subject) => vec![subject],
            OneOrMany::Many(subjects) => subjects,
        };
        let condition = parse_spanned(file, &spec.condition, "condition")?;
        let match_events = spec
            .match_events
            .as_ref()
            .map(|value| parse_spanned(file, value, "match"))
            .transpose()?;
        if spec.split_brain.is_some() && subjects != [SubjectKind::Event] {
            return Err(RuleError {
                origin: file.origin.clone(),
                line: None,
                column: None,
                message: "`split_brain` is for event rules (subject = \"event\")".to_string(),
            });
        }
        if spec.part_of_incident && subjects != [SubjectKind::Event] {
            return Err(RuleError {
                origin: file.origin.clone(),
                line: None,
                column: None,
                message: "`part_of_incident` is for event rules (subject = \"event\")".to_string(),
            });
        }
        let merge_within = match spec.merge_within.as_deref() {
            None => chrono::Duration::seconds(DEFAULT_MERGE_WITHIN_S),
            Some(text) => match condition::parse(text) {
                Ok(Expr::Duration(seconds))
                    if seconds > 0.0 && subjects == [SubjectKind::Event] =>
                {
                    chrono::Duration::milliseconds((seconds * 1000.0) as i64)
                }
                _ => {
                    return Err(RuleError {
                        origin: file.origin.clone(),
                        line: None,
                        column: None,
                        message: "`merge_within` is a duration (`10m`) of an event rule"
                            .to_string(),
                    });
                }
            },
        };
        if spec.follows_another_instance && subjects.contains(&SubjectKind::Event) {
            return Err(RuleError {
                origin: file.origin.clone(),
                line: None,
                column: None,
                message: "`follows_another_instance` is for transition rules (takeover, yield, \
                          fault, stop, entry), not events"
                    .to_string(),
            });
        }
        if subjects.contains(&SubjectKind::Event) && match_events.is_none() {
            return Err(RuleError {
                origin: file.origin.clone(),
                line: None,
                column: None,
                message: "an event rule needs `match`: which events it looks at".to_string(),
            });
        }
        let title = SubjectText::read(spec.title, &subjects, "title")
            .map_err(|message| text_error(file, message))?;
        let explanation = SubjectText::read(spec.explanation, &subjects, "explanation")
            .map_err(|message| text_error(file, message))?;
        let remedy = SubjectText::read(spec.remedy, &subjects, "remedy")
            .map_err(|message| text_error(file, message))?;
        Ok(Rule {
            cause: spec.cause.unwrap_or_else(|| id.clone()),
            id,
            origin: file.origin.clone(),
            title,
            severity: spec.severity,
            subjects,
            order: spec.order,
            match_events,
            condition,
            explanation,
            remedy,
            references: spec.references,
            split_brain: spec.split_brain,
            part_of_incident: spec.part_of_incident,
            merge_within,
            follows_another_instance: spec.follows_another_instance,
            esc_only: spec.esc_only,
            cases: spec.cases,
        })
    }
}

/// The values shared advice may name: a rule's finding gives `engine::FINDING_ADVICE_KEYS`, the
/// live check of a VIP held by several nodes gives all of these.
pub const ADVICE_KEYS: [&str; 7] = [
    "survivor",
    "survivor_basis",
    "survivor_unknown",
    "victim",
    "resource",
    "vip",
    "kad_vif",
];

/// Advice several rules' remedies share (`rules/advice/KEY.toml`, named in a remedy as
/// `{advice:KEY}`), written once so that it reads the same in every finding, and given once in a
/// finding that folds several together.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advice {
    pub text: String,
    /// The text to give instead when a value the text names is unknown (`survivor = "..."`):
    /// a sentence says a fact is unknown rather than guess it.
    #[serde(default)]
    pub when_unknown: BTreeMap<String, String>,
    /// Where the advice was read from (its file, or the embedded rules).
    #[serde(skip)]
    pub origin: String,
}

impl Advice {
    /// The advice's text for these values: the first `when_unknown` text whose value is unknown,
    /// else the text, its choices made for `context` and the known values filled in.
    pub fn resolve(&self, values: &BTreeMap<&str, Option<String>>, context: TextContext) -> String {
        let text = self
            .when_unknown
            .iter()
            .find(|(key, _)| values.get(key.as_str()).is_some_and(Option::is_none))
            .map_or(self.text.as_str(), |(_, text)| text.as_str());
        let mut filled = in_context(&unwrap_lines(text), context).trim().to_string();
        for (key, value) in values {
            if let Some(value) = value {
                filled = filled.replace(&format!("{{{key}}}"), value);
            }
        }
        filled
    }
}

/// How far apart an event rule's lines may be and still make one finding, where the rule does
/// not say (`merge_within`): a burst of the same line is one finding.
const DEFAULT_MERGE_WITHIN_S: i64 = 60;

/// The rules in use and the files that could not be read.
#[derive(Debug, Default)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub advice: BTreeMap<String, Advice>,
    pub errors: Vec<RuleError>,
}

impl RuleSet {
    /// A remedy followed by the shared advice of `keys`, each resolved for `values` in this
    /// input's `context`, as paragraphs (advice this set does not hold is left out: `rules
    /// check` reports it).
    pub fn with_advice(
        &self,
        remedy: &str,
        keys: &[String],
        values: &BTreeMap<&str, Option<String>>,
        context: TextContext,
    ) -> String {
        let mut paragraphs: Vec<String> = Vec::new();
        if !remedy.is_empty() {
            paragraphs.push(remedy.to_string());
        }
        // (Advice whose words for this input are none is left out: DRBD's recovery where the
        // input shows no DRBD.)
        paragraphs.extend(
            keys.iter()
                .filter_map(|key| self.advice.get(key))
                .map(|advice| advice.resolve(values, context))
                .filter(|text| !text.trim().is_empty()),
        );
        paragraphs.join("\n\n")
    }

    /// Whether findings of this rule are a facet of the incident around them
    /// (`part_of_incident`).
    pub fn is_part_of_incident(&self, rule: &str) -> bool {
        self.rules
            .iter()
            .any(|known| known.id == rule && known.part_of_incident)
    }

    /// Whether this event rule's findings prove a split-brain (`split_brain`).
    pub fn proves_split_brain(&self, rule: &str) -> bool {
        self.rules
            .iter()
            .any(|known| known.id == rule && known.split_brain.is_some())
    }

    /// Whether this rule's transitions were moved with another instance's change
    /// (`follows_another_instance`).
    pub fn follows_another_instance(&self, rule: &str) -> bool {
        self.rules
            .iter()
            .any(|known| known.id == rule && known.follows_another_instance)
    }

    /// The embedded files of a rules folder, then those of `extra`'s; unreadable ones become
    /// errors of the set.
    fn files_of(&mut self, folder: &str, extra: Option<&std::path::Path>) -> Vec<RuleFile> {
        let mut files = rule_files::embedded(folder);
        if let Some(directory) = extra {
            let (more, errors) = rule_files::from_directory(directory, folder);
            files.extend(more);
            self.errors
                .extend(errors.into_iter().map(|message| RuleError {
                    origin: directory.display().to_string(),
                    line: None,
                    column: None,
                    message,
                }));
        }
        files
    }

    /// The embedded rules, then those of `extra` (a --rules DIR): a rule with the same id
    /// replaces the embedded one.
    pub fn load(extra: Option<&std::path::Path>) -> RuleSet {
        let mut set = RuleSet::default();
        let files = set.files_of("", extra);
        for file in &files {
            match Rule::from_file(file) {
                Ok(rule) => {
                    set.rules.retain(|existing| existing.id != rule.id);
                    set.rules.push(rule);
                }
                Err(error) => set.errors.push(error),
            }
        }
        let advice_files = set.files_of("advice", extra);
        for file in &advice_files {
            let key = file
                .relative
                .rsplit('/')
                .next()
                .and_then(|name| name.strip_suffix(".toml"))
                .unwrap_or(&file.relative)
                .to_string();
            match toml::from_str::<Advice>(&file.text) {
                Ok(advice) => {
                    let origin = file.origin.clone();
                    set.advice.insert(key, Advice { origin, ..advice });
                }
                Err(error) => set.errors.push(RuleError {
                    origin: file.origin.clone(),
                    line: None,
                    column: None,
                    message: error.message().to_string(),
                }),
            }
        }
        for rule in &set.rules {
            for key in advice_keys(&format!(
                "{} {}",
                rule.remedy.default.as_deref().unwrap_or(""),
                rule.remedy
                    .by_subject
                    .values()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" ")
            )) {
                if !set.advice.contains_key(&key) {
                    set.errors.push(RuleError {
                        origin: rule.origin.clone(),
                        line: None,
                        column: None,
                        message: format!("the remedy names {{advice:{key}}}, but there is no rules/advice/{key}.toml"),
                    });
                }
            }
        }
        set.rules
            .sort_by(|left, right| (left.order, &left.id).cmp(&(right.order, &right.id)));
        set
    }
}

/// The keys of the `{advice:KEY}` references in a text, in order.
pub fn advice_keys(text: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{advice:") {
        let after = &rest[start + "{advice:".len()..];
        let Some(end) = after.find('}') else {
            break;
        };
        let key = after[..end].to_string();
        if !keys.contains(&key) {
            keys.push(key);
        }
        rest = &after[end..];
    }
    keys
}

/// A text without its `{advice:KEY}` references.
pub fn without_advice(text: &str) -> String {
    let mut kept = text.to_string();
    for key in advice_keys(text) {
        kept = kept.replace(&format!("{{advice:{key}}}"), "");
    }
    kept.trim().to_string()
}
