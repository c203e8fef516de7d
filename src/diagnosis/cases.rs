//! Running rules' own test cases: each case is a bundle (a testdata bundle, or files written
//! inline into a temporary one) on which the rule must fire, or must stay quiet (a near miss).
//! The whole rule set runs, as in `analyze`, so cause rules are tested in their real order.

use std::fs;
use std::path::{Path, PathBuf};

use super::{Diagnosis, ReportWindow, diagnose};
use crate::bundle::Bundle;
use crate::rules::Analysis;
use crate::rules::model::{Expectation, RuleSet};
use crate::sources::Classifier;
use crate::timeline::Timeline;

/// One case's outcome.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub rule: String,
    pub case: String,
    pub passed: bool,
    pub detail: String,
}

/// Where a case's `bundle` path is looked for: the current directory, the folder above the rules
/// directory, and the source tree esc-diag was built from.
fn resolve(bundle: &str, rules_directory: Option<&Path>) -> Option<PathBuf> {
    let mut candidates = vec![PathBuf::from(bundle)];
    if let Some(parent) = rules_directory.and_then(Path::parent) {
        candidates.push(parent.join(bundle));
    }
    candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join(bundle));
    candidates.into_iter().find(|candidate| candidate.exists())
}

/// Whether the analysis shows `rule` firing (on `node`, when given).
pub fn fired(analysis: &Analysis, rule: &str, node: Option<&str>) -> bool {
    let node_ok = |name: &str| node.is_none_or(|node| node == name);
    analysis
        .transitions
        .iter()
        .any(|transition| transition.rule.as_deref() == Some(rule) && node_ok(&transition.node))
        || analysis.findings.iter().any(|finding| {
            (finding.rule == rule && finding.nodes.iter().any(|name| node_ok(name)))
                    // A finding folded into its incident's keeps its id: rule@node@...
                    || finding.merged.iter().any(|id| {
                        let mut parts = id.split('@');
                        parts.next() == Some(rule) && parts.next().is_some_and(node_ok)
                    })
        })
}

/// Runs every case of every rule in `rules` (all rules take part in each analysis).
pub fn run_cases(
    rules: &RuleSet,
    classifier: &Classifier,
    rules_directory: Option<&Path>,
) -> Vec<CaseResult> {
    let mut results = Vec::new();
    for rule in &rules.rules {
        for case in &rule.cases {
            let mut result = CaseResult {
                rule: rule.id.clone(),
                case: case.name.clone(),
                passed: false,
                detail: String::new(),
            };
            // The bundle: a named one, or the case's files written into a temporary directory
            // (kept alive until the analysis is done).
            let bundle = match &case.bundle {
                Some(bundle) => resolve(bundle, rules_directory)
                    .map(|path| (path, None))
                    .ok_or_else(|| format!("bundle {bundle} not found")),
                None => write_case_files(&case.files)
                    .map(|directory| (directory.path().to_path_buf(), Some(directory))),
            };
            match bundle {
                Ok((path, _directory)) => {
                    let diagnosis = analyse(&path, classifier, rules);
                    finish(
                        &mut result,
                        diagnosis,
                        &rule.id,
                        case.node.as_deref(),
                        case.expect,
                        case.verdict.as_deref(),
                    );
                }
                Err(detail) => result.detail = detail,
            }
            results.push(result);
        }
    }
    results
}

/// Writes a case's inline files into a new temporary directory.
fn write_case_files(
    files: &std::collections::BTreeMap<String, String>,
) -> Result<tempfile::TempDir, String> {
    let directory =
        tempfile::tempdir().map_err(|error| format!("no temporary directory: {error}"))?;
    for (relative, text) in files {
        // A case's file stays inside its temporary bundle: relative, without `..`.
        let Some(inside) = crate::bundle::archive::safe_relative(Path::new(relative)) else {
            return Err(format!(
                "the case file {relative:?} is not a plain path inside the case's bundle (no `..`, no leading /)"
            ));
        };
        let target = directory.path().join(inside);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|error| format!("{}: {error}", parent.display()))?;
        }
        fs::write(&target, text).map_err(|error| format!("{}: {error}", target.display()))?;
    }
    Ok(directory)
}

/// The same chain as `analyze`: bundle, timeline, checks, rules, verdict.
fn analyse(path: &Path, classifier: &Classifier, rules: &RuleSet) -> Result<Diagnosis, String> {
    let bundle = Bundle::open(&[path.to_path_buf()]).map_err(|error| error.to_string())?;
    let timeline = Timeline::build(&bundle, classifier);
    Ok(diagnose(&bundle, &timeline, rules, ReportWindow::default()))
}

fn finish(
    result: &mut CaseResult,
    diagnosis: Result<Diagnosis, String>,
    rule: &str,
    node: Option<&str>,
    expect: Expectation,
    verdict: Option<&str>,
) {
    match diagnosis {
        Err(error) => result.detail = error,
        Ok(diagnosis) => {
            let analysis = &diagnosis.analysis;
            let did_fire = fired(analysis, rule, node);
            let verdict_ok = verdict.is_none_or(|status| status == diagnosis.verdict.status.name());
            result.passed = did_fire == (expect == Expectation::Fires) && verdict_ok;
            if !result.passed {
                let causes: Vec<String> = analysis
                    .transitions
                    .iter()
                    .map(|failover| {
                        format!(
                            "{} {}→{} at {}: {}",
                            failover.node,
                            failover.from,
                            failover.to,
                            failover.time.map_or("(no date)".to_string(), |time| time
                                .format("%H:%M:%S")
                                .to_string()),
                            failover.cause
                        )
                    })
                    .collect();
                result.detail = format!(
                    "expected the rule to {}{}; verdict {:?}; transitions: [{}]",
                    if expect == Expectation::Fires {
                        "fire"
                    } else {
                        "stay quiet"
                    },
                    verdict.map_or(String::new(), |status| format!(" and the verdict {status}")),
                    diagnosis.verdict.headline,
                    causes.join("; ")
                );
            }
        }
    }
}
