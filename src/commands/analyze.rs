//! `esc-diag analyze`: open the PATHs, build the timeline, run the rules, print the report.

use std::io::{self, BufWriter, Write};

use anyhow::Context;

use crate::bundle::Bundle;
use crate::checks::{self, CheckStatus};
use crate::cli::{AnalyzeConfig, ReportFormat};
use crate::diagnosis::{ReportWindow, Status, diagnose};
use crate::exit_code::ExitCode;
use crate::finding::Severity;
use crate::report::analysis_json::{CheckRecord, Report, ReportInput};
use crate::report::{analysis_html, analysis_markdown, analysis_text};
use crate::rules::RuleSet;
use crate::sources::Classifier;
use crate::timeline::Timeline;

/// Runs the command: 0 when nothing is at warning or worse and no check failed, 1 otherwise.
pub fn run(config: &AnalyzeConfig) -> anyhow::Result<ExitCode> {
    let bundle = Bundle::open(&config.paths).context("reading the input")?;
    let classifier = Classifier::load(config.rules.as_deref());
    let rules = RuleSet::load(config.rules.as_deref());
    let timeline = Timeline::build_within(&bundle, &classifier, config.max_events);
    // The window selects what is reported; the states are reconstructed from everything.
    let window = ReportWindow {
        since: config
            .since
            .as_ref()
            .and_then(|spec| spec.resolve(timeline.newest)),
        until: config
            .until
            .as_ref()
            .and_then(|spec| spec.resolve(timeline.newest)),
    };
    if let (Some(since), Some(until)) = (window.since, window.until)
        && since > until
    {
        anyhow::bail!(
            "--since ({}) is later than --until ({}): the window is empty",
            since.to_rfc3339(),
            until.to_rfc3339()
        );
    }
    let diagnosis = diagnose(&bundle, &timeline, &rules, window);
    let checks = &diagnosis.checks;
    let analysis = &diagnosis.analysis;
    let mut rule_errors: Vec<String> = rules.errors.iter().map(ToString::to_string).collect();
    rule_errors.extend(
        classifier
            .errors
            .iter()
            .map(|error| format!("{}: {}", error.origin, error.message)),
    );
    let text_context = diagnosis.analysis.text_context;
    let report = Report::new(
        &timeline,
        &diagnosis,
        ReportInput {
            inputs: &bundle.inputs,
            generated_at: config.now.unwrap_or_else(chrono::Utc::now),
            min_severity: config.min_severity,
            rule_errors,
            checks: checks
                .iter()
                .map(|check| {
                    let (severity, remedy) = checks::advice(check, text_context);
                    CheckRecord {
                        id: check.id.to_string(),
                        node: check.node.clone(),
                        status: check.status.name(),
                        severity: severity.name(),
                        detail: check.detail.clone(),
                        remedy,
                    }
                })
                .collect(),
        },
    );
    let dated = timeline.spans_days();
    let write = |out: &mut dyn Write| -> io::Result<()> {
        match config.format {
            ReportFormat::Json => serde_json::to_writer_pretty(&mut *out, &report)
                .map_err(io::Error::from)
                .and_then(|()| writeln!(out)),
            ReportFormat::Text => {
                analysis_text::write(out, &report, analysis, config.verbose, dated)
            }
            ReportFormat::Html => analysis_html::write(out, &report, analysis, &timeline, dated),
            ReportFormat::Markdown => analysis_markdown::write(out, &report, dated),
        }?;
        out.flush()
    };
    match &config.output {
        Some(path) => {
            // A file gets no terminal colours, whatever standard output is.
            colored::control::set_override(false);
            let file = std::fs::File::create(path)
                .with_context(|| format!("creating {}", path.display()))?;
            write(&mut BufWriter::new(file))
                .with_context(|| format!("writing the report to {}", path.display()))?;
        }
        None => {
            let stdout = io::stdout();
            match write(&mut BufWriter::new(stdout.lock())) {
                Ok(()) => {}
                Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {}
                Err(error) => return Err(error).context("writing the report"),
            }
        }
    }
    // A failed check is as serious as a warning; so is a verdict that is not healthy.
    let serious = analysis
        .findings
        .iter()
        .any(|finding| finding.severity >= Severity::Warning)
        || checks.iter().any(|check| check.status == CheckStatus::Fail)
        || diagnosis.verdict.status != Status::Healthy;
    Ok(if serious {
        ExitCode::Findings
    } else {
        ExitCode::Success
    })
}
