//! `esc-diag timeline`: open the PATHs, build the merged timeline, print it.

use std::io::{self, BufWriter, Write};

use anyhow::Context;

use crate::bundle::Bundle;
use crate::cli::{Format, TimelineConfig};
use crate::exit_code::ExitCode;
use crate::report::timeline_json::{JsonDocument, write_ndjson};
use crate::report::timeline_text::{TextPrinter, write_summary, write_warnings};
use crate::sources::{Classifier, Event};
use crate::timeline::{Filter, Timeline};

/// Runs the command; errors are about unreadable input.
pub fn run(config: &TimelineConfig) -> anyhow::Result<ExitCode> {
    let bundle = Bundle::open(&config.paths).context("reading the input")?;
    let classifier = Classifier::load(config.rules.as_deref());
    let timeline = Timeline::build(&bundle, &classifier);
    let filter = Filter {
        nodes: config.nodes.clone(),
        kinds: config.kinds.clone(),
        include_unrecognised: config.all,
        ..Filter::between(
            config.since.as_ref(),
            config.until.as_ref(),
            timeline.newest,
        )
    };
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(256 * 1024, stdout.lock());
    let mut shown: u64 = 0;
    let result = print(
        config,
        &bundle,
        &classifier,
        &timeline,
        &filter,
        &mut out,
        &mut shown,
    );
    match result.and_then(|()| out.flush()) {
        Ok(()) => {}
        // A closed pipe (`| head`) ends the output quietly.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => return Ok(ExitCode::Success),
        Err(error) => return Err(error).context("writing the timeline"),
    }
    let stderr = io::stderr();
    let mut err = stderr.lock();
    match config.format {
        Format::Text => write_summary(&mut err, &timeline, shown)?,
        Format::Json => {}
        Format::Ndjson => write_warnings(&mut err, &timeline.warnings)?,
    }
    Ok(ExitCode::Success)
}

fn print(
    config: &TimelineConfig,
    bundle: &Bundle,
    classifier: &Classifier,
    timeline: &Timeline,
    filter: &Filter,
    out: &mut dyn Write,
    shown: &mut u64,
) -> io::Result<()> {
    let text = TextPrinter::new(timeline);
    let mut document = match config.format {
        Format::Json => Some(JsonDocument::begin(out, timeline, &bundle.inputs)?),
        _ => None,
    };
    let mut write_one = |event: &Event| -> io::Result<()> {
        *shown += 1;
        match (&mut document, config.format) {
            (Some(document), _) => document.event(out, event),
            (None, Format::Ndjson) => write_ndjson(out, event),
            (None, _) => text.write(out, event),
        }
    };
    if config.all {
        timeline.replay(bundle, classifier, filter, &mut write_one)?;
    } else {
        for event in timeline.events.iter().filter(|event| filter.accepts(event)) {
            write_one(event)?;
        }
    }
    if let Some(document) = document {
        document.end(out, timeline, *shown)?;
    }
    Ok(())
}
