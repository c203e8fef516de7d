//! `esc-diag diff BEFORE AFTER`: diagnose both bundles of the pair, compare them, print what
//! changed (text or JSON); exit 0 when nothing relevant changed, 1 when something did.

use std::io::{self, BufWriter, Write};

use anyhow::Context;

use crate::bundle::Bundle;
use crate::cli::{DiffConfig, DiffFormat};
use crate::diagnosis::compare::{Side, compare};
use crate::diagnosis::{Diagnosis, ReportWindow, diagnose};
use crate::exit_code::ExitCode;
use crate::report::diff_json::{DiffReport, SideRecord};
use crate::report::{diff_text, format_time};
use crate::rules::RuleSet;
use crate::sources::Classifier;
use crate::timeline::Timeline;

/// One side read and diagnosed.
struct Analysed {
    bundle: Bundle,
    diagnosis: Diagnosis,
}

impl Analysed {
    fn record(&self, input: &std::path::Path) -> SideRecord {
        SideRecord {
            input: input.display().to_string(),
            collected_at: self
                .bundle
                .nodes
                .iter()
                .filter_map(|node| node.collected_at)
                .max()
                .map(|time| format_time(time, 0)),
            nodes: self
                .bundle
                .nodes
                .iter()
                .map(|node| node.name.clone())
                .collect(),
            verdict: self.diagnosis.verdict.status.name(),
        }
    }
}

pub fn run(config: &DiffConfig) -> anyhow::Result<ExitCode> {
    let classifier = Classifier::load(config.rules.as_deref());
    let rules = RuleSet::load(config.rules.as_deref());
    let analyse = |path: &std::path::Path, side: &str| -> anyhow::Result<Analysed> {
        let bundle = Bundle::open(std::slice::from_ref(&path.to_path_buf()))
            .with_context(|| format!("reading {side} ({})", path.display()))?;
        let timeline = Timeline::build(&bundle, &classifier);
        let diagnosis = diagnose(&bundle, &timeline, &rules, ReportWindow::default());
        Ok(Analysed { bundle, diagnosis })
    };
    let before = analyse(&config.before, "BEFORE")?;
    let after = analyse(&config.after, "AFTER")?;
    let (changes, unread) = compare(
        &Side {
            bundle: &before.bundle,
            diagnosis: &before.diagnosis,
        },
        &Side {
            bundle: &after.bundle,
            diagnosis: &after.diagnosis,
        },
    );
    let report = DiffReport::new(
        format_time(config.now.unwrap_or_else(chrono::Utc::now), 0),
        before.record(&config.before),
        after.record(&config.after),
        &changes,
        &unread,
    );
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let written = match config.format {
        DiffFormat::Json => serde_json::to_writer_pretty(&mut out, &report)
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out)),
        DiffFormat::Text => diff_text::write(&mut out, &report),
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => {}
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {}
        Err(error) => return Err(error).context("writing the diff"),
    }
    Ok(if report.changed {
        ExitCode::Findings
    } else {
        ExitCode::Success
    })
}
