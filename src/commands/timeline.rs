//! `esc-diag timeline`: open the PATHs, build the merged timeline, print it.

use std::io::{self, BufWriter, Write};

use anyhow::Context;

use crate::bundle::Bundle;
use crate::cli::{Format, TimelineConfig};
use crate::exit_code::ExitCode;
use crate::report::timeline_json::{JsonDocument, format_ndjson, write_ndjson};
use crate::report::timeline_text::{TextPrinter, write_summary, write_warnings};
use crate::sources::{Classifier, Event};
use crate::timeline::{Filter, FormatEvent, Timeline};

/// Runs the command; errors are about unreadable input.
pub fn run(config: &TimelineConfig) -> anyhow::Result<ExitCode> {
    let bundle = Bundle::open(&config.paths).context("reading the input")?;
    let classifier = Classifier::load(config.rules.as_deref());
    let timeline = Timeline::build_within(&bundle, &classifier, config.max_events);
    // The timeline lists every event: when the budget kept only a sample of some, the files are
    // read again and streamed (so the budget's warnings do not apply here).
    let stream = config.all || !timeline.thinned.is_empty();
    // A --node that names no node is a mistake, not an empty answer.
    if let Some(unknown) = config
        .nodes
        .iter()
        .find(|node| !timeline.nodes.iter().any(|known| &known.name == *node))
    {
        let known: Vec<&str> = timeline
            .nodes
            .iter()
            .map(|node| node.name.as_str())
            .collect();
        anyhow::bail!(
            "--node {unknown}: no such node in the input (its nodes: {})",
            known.join(", ")
        );
    }
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
        stream,
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

/// Writes the events `filter` accepts: from the timeline, or (`stream`) read again from the files.
#[allow(clippy::too_many_arguments)]
fn print(
    config: &TimelineConfig,
    bundle: &Bundle,
    classifier: &Classifier,
    timeline: &Timeline,
    filter: &Filter,
    stream: bool,
    out: &mut dyn Write,
    shown: &mut u64,
) -> io::Result<()> {
    let text = TextPrinter::new(timeline);
    let mut document = match config.format {
        Format::Json => Some(JsonDocument::begin(out, timeline, &bundle.inputs)?),
        _ => None,
    };
    // For people, a run of gratuitous ARP lines is one line with its count (--all shows each).
    let fold_arp_runs = !config.all && config.format == Format::Text;
    if stream && !fold_arp_runs {
        // Events formatted where their files are read, merged as bytes.
        let format: &FormatEvent = match config.format {
            Format::Json => &JsonDocument::format_event,
            Format::Ndjson => &format_ndjson,
            Format::Text => &|buffer, event| {
                // (Writing to memory cannot fail.)
                let _ = text.write(buffer, event);
            },
        };
        timeline.replay_formatted(bundle, classifier, filter, format, &mut |formatted| {
            *shown += 1;
            match &mut document {
                Some(document) => document.formatted_event(out, formatted),
                None => out.write_all(formatted),
            }
        })?;
        if let Some(document) = document {
            document.end(out, timeline, *shown)?;
        }
        return Ok(());
    }
    let mut write_one = |event: &Event| -> io::Result<()> {
        *shown += 1;
        match (&mut document, config.format) {
            (Some(document), _) => document.event(out, event),
            (None, Format::Ndjson) => write_ndjson(out, event),
            (None, _) => text.write(out, event),
        }
    };
    let mut run: Vec<Event> = Vec::new();
    let mut sink = |event: &Event| -> io::Result<()> {
        if !fold_arp_runs {
            return write_one(event);
        }
        if let Some(first) = run.first()
            && !continues_arp_run(first, event)
        {
            write_run(&run, &mut write_one)?;
            run.clear();
        }
        if is_arp(event) {
            run.push(event.clone());
            Ok(())
        } else {
            write_one(event)
        }
    };
    if stream {
        timeline.replay(bundle, classifier, filter, &mut sink)?;
    } else {
        for event in timeline.events.iter().filter(|event| filter.accepts(event)) {
            sink(event)?;
        }
    }
    write_run(&run, &mut write_one)?;
    if let Some(document) = document {
        document.end(out, timeline, *shown)?;
    }
    Ok(())
}

/// A gratuitous ARP (or unsolicited neighbour advert) line.
fn is_arp(event: &Event) -> bool {
    event.event.as_deref() == Some("gratuitous-arp")
}

/// Whether `event` belongs to the run of gratuitous ARPs that `first` opened: same node and
/// address, within 10 seconds.
fn continues_arp_run(first: &Event, event: &Event) -> bool {
    is_arp(event)
        && event.node == first.node
        && event.field("address") == first.field("address")
        && match (first.time, event.time) {
            (Some(start), Some(time)) => (time - start).num_seconds() <= 10,
            _ => false,
        }
}

/// Writes a run of gratuitous ARP lines as its first line with the count of the rest.
fn write_run(run: &[Event], write_one: &mut dyn FnMut(&Event) -> io::Result<()>) -> io::Result<()> {
    match run {
        [] => Ok(()),
        [one] => write_one(one),
        [first, .., last] => {
            let mut folded = first.clone();
            folded.text = format!(
                "{}  [+{} more gratuitous ARP lines for {} until {}; --all shows them]",
                first.text.lines().next().unwrap_or(""),
                run.len() - 1,
                first.field("address").unwrap_or("the VIP"),
                last.time
                    .map(|time| time.format("%H:%M:%S").to_string())
                    .unwrap_or_default()
            );
            write_one(&folded)
        }
    }
}
