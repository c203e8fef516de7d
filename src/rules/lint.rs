//! Checks of rule conditions against what the classifier tables and sources can produce: an
//! `event == "name"` (or `event in [...]`) that no row or source produces, or a field name that
//! no row, source or subject has, is a rule that can never fire as written.

use std::collections::BTreeSet;

use super::condition::{Expr, FUNCTIONS};
use super::model::Rule;
use crate::sources::Classifier;
use crate::sources::events::{FACT_EVENTS, FACT_FIELDS};

/// Names a condition may use besides event fields: the subject's and the event's attributes.
const ATTRIBUTES: [&str; 20] = [
    "kind", "event", "program", "source", "level", "node", "file", "line", "dialect", "instance",
    "from", "to", "subject", "duration", "open", "nodes", "self", "peer", "any", "true",
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
    problems.sort();
    problems.dedup();
    problems
        .into_iter()
        .map(|problem| format!("{}: {problem}", rule.origin))
        .collect()
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
}
