//! `esc-diag rules list|check|test`: what rules and classifier rows are in use, whether their
//! files parse, and whether each passes its own cases.

use std::io::Write;
use std::path::Path;

use crate::diagnosis::cases::run_cases;
use crate::exit_code::ExitCode;
use crate::rules::RuleSet;
use crate::rules::lint::{Vocabulary, lint, lint_advice, lint_texts};
use crate::rules::model::{ESC_INPUT, in_context};
use crate::sources::Classifier;

/// Lists rules and classifier rows.
pub fn list(rules_directory: Option<&Path>) -> anyhow::Result<ExitCode> {
    let rules = RuleSet::load(rules_directory);
    let classifier = Classifier::load(rules_directory);
    let mut out = std::io::stdout().lock();
    writeln!(out, "Rules ({}):", rules.rules.len())?;
    for rule in &rules.rules {
        let subjects: Vec<&str> = rule.subjects.iter().map(|subject| subject.name()).collect();
        writeln!(
            out,
            "  {:<34} {:<8} {:<22} {}",
            rule.id,
            rule.severity.name(),
            subjects.join(","),
            in_context(rule.title.shown(), ESC_INPUT)
        )?;
    }
    let rows: usize = classifier.tables.iter().map(|table| table.rows.len()).sum();
    writeln!(
        out,
        "Classifier rows ({rows} in {} tables):",
        classifier.tables.len()
    )?;
    for table in &classifier.tables {
        for row in &table.rows {
            writeln!(
                out,
                "  {:<48} {:<12} {}",
                row.id,
                row.kind.name(),
                row.event
            )?;
        }
    }
    Ok(ExitCode::Success)
}

/// The sources whose lines are screened by a literal search before they are classified.
const SCREENED_SOURCES: [&str; 2] = ["escmanager", "escadm"];

/// Prints the literals `source`'s lines are screened for, one per line.
pub fn literals(rules_directory: Option<&Path>, source: &str) -> anyhow::Result<ExitCode> {
    if !SCREENED_SOURCES.contains(&source) {
        anyhow::bail!(
            "{source:?}: no literal screen for this source (screened: {})",
            SCREENED_SOURCES.join(", ")
        );
    }
    let classifier = Classifier::load(rules_directory);
    let screen = classifier.screen_for(source);
    let Some(literals) = screen.literals() else {
        anyhow::bail!("{source}: a row requires no literal, so every line is classified");
    };
    let mut out = std::io::stdout().lock();
    for literal in literals {
        out.write_all(literal)?;
        out.write_all(b"\n")?;
    }
    Ok(ExitCode::Success)
}

/// Problems in the rule files and tables: parse errors, unknown fields, duplicate ids.
fn problems(rules: &RuleSet, classifier: &Classifier, directory: Option<&Path>) -> Vec<String> {
    let mut problems: Vec<String> = rules.errors.iter().map(ToString::to_string).collect();
    if let Some(directory) = directory
        && !directory.is_dir()
    {
        problems.push(format!(
            "{}: no such rules directory (nothing of it was checked)",
            directory.display()
        ));
    }
    let vocabulary = Vocabulary::new(classifier);
    for rule in &rules.rules {
        problems.extend(lint(rule, &vocabulary));
        problems.extend(lint_texts(rule, rules));
    }
    for advice in rules.advice.values() {
        problems.extend(lint_advice(advice));
    }
    problems.extend(
        classifier
            .errors
            .iter()
            .map(|error| format!("{}: {}", error.origin, error.message)),
    );
    if let Some(directory) = directory {
        // Duplicate ids inside the folder itself (replacing an embedded rule is allowed).
        let (files, _) = crate::rule_files::from_directory(directory, "");
        let mut seen = std::collections::BTreeSet::new();
        for file in files {
            let id = file.relative.trim_end_matches(".toml").to_ascii_lowercase();
            if !seen.insert(id.clone()) {
                problems.push(format!("{}: duplicate rule id {id}", file.origin));
            }
        }
    }
    problems
}

/// Checks that every file parses and every classifier row matches its examples.
pub fn check(directory: Option<&Path>) -> anyhow::Result<ExitCode> {
    let rules = RuleSet::load(directory);
    let classifier = Classifier::load(directory);
    let mut problems = problems(&rules, &classifier, directory);
    // Classifier rows that recognise none of their own examples (or one of their near misses).
    problems.extend(classifier.self_test());
    let mut out = std::io::stdout().lock();
    for problem in &problems {
        writeln!(out, "error: {problem}")?;
    }
    for note in classifier.unscreened_rows() {
        writeln!(out, "note: {note}")?;
    }
    let rows: usize = classifier.tables.iter().map(|table| table.rows.len()).sum();
    writeln!(
        out,
        "{} rules, {} classifier tables ({rows} rows): {} problems",
        rules.rules.len(),
        classifier.tables.len(),
        problems.len()
    )?;
    Ok(if problems.is_empty() {
        ExitCode::Success
    } else {
        ExitCode::Findings
    })
}

/// Runs every rule case and classifier example; ends with `N passed, M failed`.
pub fn test(directory: Option<&Path>) -> anyhow::Result<ExitCode> {
    let rules = RuleSet::load(directory);
    let classifier = Classifier::load(directory);
    let mut out = std::io::stdout().lock();
    let mut failed = 0;
    let mut passed = 0;
    for problem in problems(&rules, &classifier, directory) {
        writeln!(out, "FAIL {problem}")?;
        failed += 1;
    }
    for failure in classifier.self_test() {
        writeln!(out, "FAIL classifier {failure}")?;
        failed += 1;
    }
    let rows: usize = classifier
        .tables
        .iter()
        .map(|table| {
            table
                .rows
                .iter()
                .map(|row| row.examples.len() + row.near_misses.len())
                .sum::<usize>()
        })
        .sum();
    passed += rows.saturating_sub(failed);
    for rule in &rules.rules {
        if rule.cases.is_empty() {
            writeln!(out, "FAIL rule {}: has no test case", rule.id)?;
            failed += 1;
        }
    }
    for result in run_cases(&rules, &classifier, directory) {
        if result.passed {
            passed += 1;
            writeln!(out, "ok   {} / {}", result.rule, result.case)?;
        } else {
            failed += 1;
            writeln!(
                out,
                "FAIL {} / {}: {}",
                result.rule, result.case, result.detail
            )?;
        }
    }
    writeln!(out, "{passed} passed, {failed} failed")?;
    Ok(if failed == 0 {
        ExitCode::Success
    } else {
        ExitCode::Findings
    })
}
