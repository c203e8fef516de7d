//! `esc-diag classifiers`: load the classifier tables (embedded and --rules) and run every row's
//! examples and near-misses, or list the rows.

use std::io::Write;

use crate::exit_code::ExitCode;
use crate::sources::Classifier;

/// Runs the self-test (or the listing) and reports on stdout.
pub fn run(rules: Option<&std::path::Path>, list: bool) -> anyhow::Result<ExitCode> {
    let classifier = Classifier::load(rules);
    let mut out = std::io::stdout().lock();
    if list {
        for table in &classifier.tables {
            for row in &table.rows {
                writeln!(out, "{:<48} {:<12} {}", row.id, row.kind.name(), row.event)?;
            }
        }
    }
    let mut failures: Vec<String> = classifier
        .errors
        .iter()
        .map(|error| format!("{}: {}", error.origin, error.message))
        .collect();
    failures.extend(classifier.self_test());
    let rows: usize = classifier.tables.iter().map(|table| table.rows.len()).sum();
    for failure in &failures {
        writeln!(out, "FAIL {failure}")?;
    }
    writeln!(
        out,
        "{} tables, {rows} rows: {} problems",
        classifier.tables.len(),
        failures.len()
    )?;
    Ok(if failures.is_empty() {
        ExitCode::Success
    } else {
        ExitCode::Findings
    })
}
