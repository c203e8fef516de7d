//! Checks of rule conditions against what the classifier tables and sources can produce: an
//! `event == "name"` (or `event in [...]`) that no row or source produces, or a field name that
//! no row, source or subject has, is a rule that can never fire as written. Checks of the texts
//! too: a `{name}` no value fills would reach the report as written.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use super::condition::{Expr, FUNCTIONS};
use super::engine::{FINDING_ADVICE_KEYS, TEMPLATE_KEYS, capitalised};
use super::model::{
    ADVICE_KEYS, Advice, CHOICES, Rule, RuleSet, SubjectText, TextContext, choice_at,
    choice_name_at, in_context,
};
use crate::sources::Classifier;
use crate::sources::events::{FACT_EVENTS, FACT_FIELDS};

/// Names a condition may use besides event fields: the subject's and the event's attributes.
const ATTRIBUTES: [&str; 24] = [
    "kind",
    "event",
    "program",
    "source",
    "level",
    "node",
    "file",
    "line",
    "time",
    "dialect",
    "instance",
    "from",
    "to",
    "subject",
    "duration",
    "open",
    "nodes",
    "self",
    "peer",
    "any",
    "true",
    "drbd_resource",
    "begun_line",
    "lines_from_subject",
];

/// What the tables and sources produce.
pub struct Vocabulary {
    events: BTreeSet<String>,
    fields: BTreeSet<String>,
    arrow_tokens: bool,
}

impl Vocabulary {
    pub fn new(classifier: &Classifier) -> Vocabulary {
        let mut events: BTreeSet<String> =
            FACT_EVENTS.iter().map(|name| name.to_string()).collect();
        let mut fields: BTreeSet<String> =
            FACT_FIELDS.iter().map(|name| name.to_string()).collect();
        let mut arrow_tokens = false;
        for table in &classifier.tables {
            events.extend(table.event_names().map(str::to_string));
            fields.extend(table.field_names());
            arrow_tokens |= table.extracts_arrow_tokens();
        }
        Vocabulary {
            events,
            fields,
            arrow_tokens,
        }
    }

    fn knows_field(&self, name: &str) -> bool {
        let name = name.strip_prefix("subject.").unwrap_or(name);
        ATTRIBUTES.contains(&name)
            || self.fields.contains(name)
            || (self.arrow_tokens && (name.ends_with("_from") || name.ends_with("_to")))
    }
}

/// The problems of one rule's `match` and `condition`.
pub fn lint(rule: &Rule, vocabulary: &Vocabulary) -> Vec<String> {
    let mut problems = Vec::new();
    for expr in rule
        .match_events
        .iter()
        .chain(std::iter::once(&rule.condition))
    {
        visit(expr, vocabulary, &mut problems);
    }
    located(&rule.origin, problems)
}

fn visit(expr: &Expr, vocabulary: &Vocabulary, problems: &mut Vec<String>) {
    match expr {
        Expr::Name(name) if !vocabulary.knows_field(name) => problems.push(format!(
            "names the field {name:?}, which no classifier row or source sets"
        )),
        Expr::Compare(left, _, right) => {
            if matches!(left.as_ref(), Expr::Name(name) if name == "event") {
                for name in strings(right) {
                    if !vocabulary.events.contains(&name) {
                        problems.push(format!(
                            "names the event {name:?}, which no classifier row or source produces"
                        ));
                    }
                }
            }
            visit(left, vocabulary, problems);
            visit(right, vocabulary, problems);
        }
        Expr::Not(inner) => visit(inner, vocabulary, problems),
        Expr::And(items) | Expr::Or(items) | Expr::List(items) => {
            for item in items {
                visit(item, vocabulary, problems);
            }
        }
        Expr::Call(function, arguments) => {
            // The first argument of the functions that take one is who: self, peer, any, a node.
            let takes_who = FUNCTIONS.iter().any(|(name, _, _)| name == function);
            for (position, argument) in arguments.iter().enumerate() {
                if takes_who && position == 0 && matches!(argument, Expr::Name(_)) {
                    continue;
                }
                visit(argument, vocabulary, problems);
            }
        }
        _ => {}
    }
}

/// The `{name}` placeholders of a text, in order. A name is letters, digits, `_`, `-` and `:`
/// (`{advice:drbd-recovery}`); braces around anything else (a shell's `{print $1}`) are text.
fn placeholders(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let name_length = after
            .find(|character: char| {
                !(character.is_ascii_alphanumeric() || matches!(character, '_' | '-' | ':'))
            })
            .unwrap_or(after.len());
        if name_length > 0 && after[name_length..].starts_with('}') {
            found.push(&after[..name_length]);
        }
        rest = after;
    }
    found
}

/// Words that name ESC's parts, which a reader of a plain keepalived or DRBD pair's logs has
/// not got: a text says them only in the first branch of an `{esc?…|…}` choice (or in a rule
/// that fires on ESC's own lines only, `esc_only`).
const ESC_WORDS: [&str; 7] = [
    "ESC",
    "escadm",
    "escmanager",
    "esc_service",
    "esc_haagent",
    "kad_vif",
    "kad_vip",
];

/// A `{name}` value in a text (its name is no word of the text).
static VALUE_NAMES: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"\{[a-z_]+\}").unwrap());

/// A word of a text (`ESC's` is `ESC` and `s`).
static WORDS: LazyLock<regex::Regex> = LazyLock::new(|| regex::Regex::new(r"[A-Za-z_]+").unwrap());

/// The problems of a text's choices (`{esc?WITH|WITHOUT}`): one that asks what no context
/// tells, or is not closed or has no `|`; and, where `esc_words` is false, an ESC word that
/// input without ESC would read.
fn lint_choices(what: &str, text: &str, esc_words: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let mut search = 0;
    while let Some(found) = text[search..].find('{') {
        let start = search + found;
        search = start + 1;
        let Some(name) = choice_name_at(text, start) else {
            continue;
        };
        if !CHOICES.contains(&name) {
            problems.push(format!(
                "its {what} asks {{{name}?…}}, which is no choice (known: {})",
                CHOICES.join(", ")
            ));
        } else if choice_at(text, start).is_none() {
            problems.push(format!(
                "its {what} has a {{{name}?WITH|WITHOUT}} choice that is not closed or has no `|`"
            ));
        }
    }
    if !esc_words {
        // What input without ESC reads, with and without DRBD, its values' names taken out.
        for drbd in [false, true] {
            let read = in_context(
                text,
                TextContext {
                    esc: false,
                    drbd,
                    collected: false,
                },
            );
            let read = VALUE_NAMES.replace_all(&read, "");
            if let Some(word) = WORDS
                .find_iter(&read)
                .map(|word| word.as_str())
                .find(|word| ESC_WORDS.contains(word))
            {
                problems.push(format!(
                    "its {what} says {word:?} to input without ESC: put it in the first branch \
                     of an {{esc?…|…}} choice, with words for a plain keepalived or DRBD pair in \
                     the second"
                ));
                break;
            }
        }
    }
    problems
}

/// A rule's texts, each with what it is called in a problem.
fn texts(rule: &Rule) -> Vec<(String, &str)> {
    let mut texts = Vec::new();
    for (what, text) in [
        ("title", &rule.title),
        ("explanation", &rule.explanation),
        ("remedy", &rule.remedy),
    ] {
        texts.extend(variants(what, text));
    }
    texts
}

fn variants<'a>(what: &str, text: &'a SubjectText) -> Vec<(String, &'a str)> {
    let mut variants: Vec<(String, &str)> = text
        .default
        .iter()
        .map(|text| (what.to_string(), text.as_str()))
        .collect();
    variants.extend(
        text.by_subject
            .iter()
            .map(|(kind, text)| (format!("{what} for {}", kind.name()), text.as_str())),
    );
    variants
}

/// The problems of one rule's title, explanation and remedy: a `{name}` no value fills, and a
/// `{advice:KEY}` no advice file holds, outside a remedy, or naming what a finding does not give.
pub fn lint_texts(rule: &Rule, rules: &RuleSet) -> Vec<String> {
    let mut problems = Vec::new();
    for (what, text) in texts(rule) {
        problems.extend(lint_choices(&what, text, rule.esc_only));
        for name in placeholders(text) {
            let Some(key) = name.strip_prefix("advice:") else {
                // (`{Check}`: a key's value capitalised.)
                let known = TEMPLATE_KEYS
                    .iter()
                    .any(|key| *key == name || capitalised(key) == name);
                if !known {
                    problems.push(format!(
                        "its {what} names {{{name}}}, which no value fills (known: {})",
                        TEMPLATE_KEYS.join(", ")
                    ));
                }
                continue;
            };
            if !what.starts_with("remedy") {
                problems.push(format!(
                    "its {what} asks for the advice {{{name}}}: only a remedy can"
                ));
            }
            // Advice no file holds is reported as the rules are loaded.
            let Some(advice) = rules.advice.get(key) else {
                continue;
            };
            for value in advice_texts(advice).flat_map(placeholders) {
                if !FINDING_ADVICE_KEYS.contains(&value) {
                    problems.push(format!(
                        "its {what} asks for the advice {{{name}}}, which names {{{value}}}: a \
                         rule's finding gives only {}",
                        FINDING_ADVICE_KEYS.join(", ")
                    ));
                }
            }
        }
    }
    located(&rule.origin, problems)
}

fn advice_texts(advice: &Advice) -> impl Iterator<Item = &str> {
    std::iter::once(advice.text.as_str()).chain(advice.when_unknown.values().map(String::as_str))
}

/// The problems of one advice file (`rules/advice/KEY.toml`): a `{name}` or a `when_unknown`
/// entry that is none of the values advice is given.
pub fn lint_advice(advice: &Advice) -> Vec<String> {
    let mut problems = Vec::new();
    for text in advice_texts(advice) {
        problems.extend(lint_choices("text", text, false));
    }
    for name in advice_texts(advice).flat_map(placeholders) {
        if !ADVICE_KEYS.contains(&name) {
            problems.push(format!(
                "names {{{name}}}, which no value fills (known: {})",
                ADVICE_KEYS.join(", ")
            ));
        }
    }
    for name in advice.when_unknown.keys() {
        if !ADVICE_KEYS.contains(&name.as_str()) {
            problems.push(format!(
                "has a when_unknown text for {name:?}, which is none of the values advice is given ({})",
                ADVICE_KEYS.join(", ")
            ));
        }
    }
    located(&advice.origin, problems)
}

/// Problems sorted, each once, each after the file it is in.
fn located(origin: &str, mut problems: Vec<String>) -> Vec<String> {
    problems.sort();
    problems.dedup();
    problems
        .into_iter()
        .map(|problem| format!("{origin}: {problem}"))
        .collect()
}

fn strings(expr: &Expr) -> Vec<String> {
    match expr {
        Expr::Str(text) => vec![text.clone()],
        Expr::List(items) => items.iter().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule_files::RuleFile;

    fn rule(condition: &str) -> Rule {
        Rule::from_file(&RuleFile {
            relative: "probe.toml".to_string(),
            origin: "probe.toml".to_string(),
            text: format!(
                "title = \"t\"\nseverity = \"info\"\nsubject = \"takeover\"\nexplanation = \"e\"\nremedy = \"r\"\ncondition = '{condition}'\n"
            ),
        })
        .unwrap()
    }

    #[test]
    fn unknown_events_and_fields_are_named() {
        let vocabulary = Vocabulary::new(&Classifier::load(None));
        assert!(
            lint(
                &rule(r#"seen(peer, event == "advert-timeout", -3s, 0s)"#),
                &vocabulary
            )
            .is_empty()
        );
        assert!(lint(&rule(r#"seen(self, event == "service-started" and unit == "keepalived", -3s, 0s) and state(peer, -1s) != "MASTER""#), &vocabulary).is_empty());
        let problems = lint(
            &rule(r#"seen(peer, event in ["advert-timout"], -3s, 0s)"#),
            &vocabulary,
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("advert-timout"));
        let problems = lint(
            &rule(r#"seen(self, recevier == "MASTER", -3s, 0s)"#),
            &vocabulary,
        );
        assert!(problems[0].contains("recevier"), "{problems:?}");
        // DRBD's arrow tokens and subject fields are known.
        assert!(
            lint(
                &rule(r#"conn_to == "StandAlone" or subject.instance == instance"#),
                &vocabulary
            )
            .is_empty()
        );
    }

    #[test]
    fn placeholders_are_names_in_braces_and_other_braces_are_text() {
        assert_eq!(
            placeholders("On {self}: awk '{print $1}' {advice:drbd-recovery} {} {peer"),
            vec!["self", "advice:drbd-recovery"]
        );
    }

    #[test]
    fn advice_a_finding_cannot_fill_is_named_and_the_embedded_rules_are_clean() {
        let mut rules = RuleSet::load(None);
        for rule in &rules.rules {
            assert!(lint_texts(rule, &rules).is_empty(), "{}", rule.origin);
        }
        for advice in rules.advice.values() {
            assert!(lint_advice(advice).is_empty(), "{}", advice.origin);
        }
        // The VIP advice names {vip}, which only the live check gives.
        let mut probe = rule("true");
        probe.remedy = SubjectText {
            default: Some("{advice:vip-on-both-nodes}".to_string()),
            by_subject: Default::default(),
        };
        let problems = lint_texts(&probe, &rules);
        assert!(
            problems.iter().any(|problem| problem.contains("{vip}")),
            "{problems:?}"
        );
        rules.advice.clear();
        assert!(lint_texts(&probe, &rules).is_empty());
    }

    #[test]
    fn esc_words_outside_a_choice_and_broken_choices_are_named() {
        let rules = RuleSet::load(None);
        let problems_of = |remedy: &str, esc_only: bool| {
            let mut probe = rule("true");
            probe.esc_only = esc_only;
            probe.remedy = SubjectText {
                default: Some(remedy.to_string()),
                by_subject: Default::default(),
            };
            lint_texts(&probe, &rules)
        };
        let escadm = problems_of("Run escadm status on {self}.", false);
        assert!(
            escadm.iter().any(|problem| problem.contains("\"escadm\"")),
            "{escadm:?}"
        );
        assert!(problems_of("ESC's database is gone.", false)[0].contains("\"ESC\""));
        // In a choice's ESC branch, in a rule that fires on ESC's lines only, or as the
        // interface's value, the words are ESC's input's.
        for clean in [
            "Run {esc?escadm status|ip -br addr} on {self}.",
            "tcpdump -ni {kad_vif} 'proto 112'",
            "Stop {esc?ESC ({drbd?escadm stop|none})|{drbd?the services|keepalived}}.",
        ] {
            assert!(problems_of(clean, false).is_empty(), "{clean}");
        }
        assert!(problems_of("Run escadm status.", true).is_empty());
        // A DRBD branch read without ESC is read too.
        assert!(!problems_of("{drbd?escadm stop|}", false).is_empty());
        for broken in ["{esc?no bar}", "{esc?a|b", "{esk?a|b}"] {
            assert!(!problems_of(broken, false).is_empty(), "{broken}");
        }
    }
}
