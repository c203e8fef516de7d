//! The timeline for tools, schema "esc-diag/timeline/v1": one JSON document (`--format json`) or
//! one event per line (`--format ndjson`). Fields may be added over time; none is removed or
//! renamed within v1. Times are RFC 3339 UTC with `Z`, with the fraction the source had.

use std::io::{self, Write};

use serde::Serialize;

use super::{format_time, json_string};
use crate::bundle::Warning;
use crate::sources::Event;
use crate::timeline::{Timeline, push_time};

/// The schema name of the JSON document.
pub const TIMELINE_SCHEMA: &str = "esc-diag/timeline/v1";

/// Appends one event as a JSON object, its fields in this order (as serde_json would write
/// them, but without serde's per-token calls: this runs once per line of `timeline --all`):
/// - `time`: RFC 3339 UTC, null when the line could not be dated;
/// - `time_inferred`: the line had no stamp and carries the previous line's;
/// - `uncertainty_s`: ± seconds from the node's clock offset measurement, null when no offset
///   was applied;
/// - `node`; `file` (relative to the node directory); `line` (1-based, in the decompressed
///   stream; 0 for facts from the manifest); `offset`;
/// - `kind`, `event`, `classifier`, `source`, `host`, `program`, `pid`, `level`, `fields`;
/// - `message` (the line without its envelope) and `text` (the whole line).
pub fn push_event(out: &mut Vec<u8>, event: &Event) {
    out.extend_from_slice(b"{\"time\":");
    match event.time {
        Some(time) => {
            out.push(b'"');
            push_time(
                out,
                time,
                event.stamp.map_or(0, |stamp| stamp.fraction_digits),
            );
            out.push(b'"');
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(if event.time_inferred {
        b",\"time_inferred\":true"
    } else {
        b",\"time_inferred\":false"
    });
    out.extend_from_slice(b",\"uncertainty_s\":");
    push_uncertainty(out, event.uncertainty_s);
    out.extend_from_slice(b",\"node\":");
    json_string::push_string(out, &event.node);
    out.extend_from_slice(b",\"file\":");
    json_string::push_string(out, &event.file);
    out.extend_from_slice(b",\"line\":");
    out.extend_from_slice(itoa::Buffer::new().format(event.line).as_bytes());
    out.extend_from_slice(b",\"offset\":");
    out.extend_from_slice(itoa::Buffer::new().format(event.offset).as_bytes());
    out.extend_from_slice(b",\"kind\":");
    json_string::push_string(out, event.kind.name());
    out.extend_from_slice(b",\"event\":");
    push_optional(out, event.event.as_deref());
    out.extend_from_slice(b",\"classifier\":");
    push_optional(out, event.classifier.as_deref());
    out.extend_from_slice(b",\"source\":");
    json_string::push_string(out, event.source);
    out.extend_from_slice(b",\"host\":");
    push_optional(out, event.host.as_deref());
    out.extend_from_slice(b",\"program\":");
    push_optional(out, event.program.as_deref());
    out.extend_from_slice(b",\"pid\":");
    match event.pid {
        Some(pid) => out.extend_from_slice(itoa::Buffer::new().format(pid).as_bytes()),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"level\":");
    push_optional(out, event.level.as_deref());
    out.extend_from_slice(b",\"fields\":");
    if event.fields.is_empty() {
        out.extend_from_slice(b"{}");
    } else {
        push_serialized(out, &event.fields);
    }
    // The message is the text's tail, and escaping goes character by character: the text is
    // its head escaped, then the escaped message again.
    out.extend_from_slice(b",\"message\":");
    let message_at = out.len();
    let message = event.message();
    json_string::push_string(out, message);
    let message_end = out.len();
    out.extend_from_slice(b",\"text\":");
    match event.text.get(..event.message_start) {
        // The message is `text[message_start..]` exactly when that head exists.
        Some(head) => {
            out.push(b'"');
            json_string::push_contents(out, head);
            // The message's contents and its closing quote.
            out.extend_from_within(message_at + 1..message_end);
        }
        None => json_string::push_string(out, &event.text),
    }
    out.push(b'}');
}

/// Appends an event's uncertainty as serde_json writes it, kept from the last event (a file's
/// events mostly share one).
fn push_uncertainty(out: &mut Vec<u8>, uncertainty: Option<f64>) {
    thread_local! {
        static LAST: std::cell::RefCell<(Option<u64>, Vec<u8>)> =
            const { std::cell::RefCell::new((None, Vec::new())) };
    }
    let Some(value) = uncertainty else {
        out.extend_from_slice(b"null");
        return;
    };
    LAST.with_borrow_mut(|(bits, written)| {
        if *bits != Some(value.to_bits()) {
            written.clear();
            push_serialized(written, &value);
            *bits = Some(value.to_bits());
        }
        out.extend_from_slice(written);
    });
}

fn push_optional(out: &mut Vec<u8>, text: Option<&str>) {
    match text {
        Some(text) => json_string::push_string(out, text),
        None => out.extend_from_slice(b"null"),
    }
}

/// Appends a value as serde_json writes it (numbers that may be fractional, field maps).
fn push_serialized<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    if serde_json::to_writer(&mut *out, value).is_err() {
        // Writing to memory fails only for a value JSON cannot hold; none of these is one.
        out.extend_from_slice(b"null");
    }
}

#[derive(Serialize)]
struct NodeRecord<'a> {
    name: &'a str,
    timezone: &'a str,
    timezone_known: bool,
    clock_offset_s: Option<f64>,
    clock_uncertainty_s: Option<f64>,
    collected_at: Option<String>,
}

#[derive(Serialize)]
struct FileRecord<'a> {
    node: &'a str,
    file: &'a str,
    source: &'a str,
    size: u64,
    lines: u64,
    recognised_lines: u64,
    unrecognised_lines: u64,
    events: u64,
}

#[derive(Serialize)]
struct WarningRecord<'a> {
    node: Option<&'a str>,
    file: Option<&'a str>,
    line: Option<u64>,
    message: &'a str,
}

fn warning_records(warnings: &[Warning]) -> Vec<WarningRecord<'_>> {
    warnings
        .iter()
        .map(|warning| WarningRecord {
            node: warning.node.as_deref(),
            file: warning.file.as_deref(),
            line: warning.line,
            message: &warning.message,
        })
        .collect()
}

/// Writes the JSON document in pieces so events can stream between its head and its tail.
pub struct JsonDocument {
    first: bool,
}

impl JsonDocument {
    /// Writes everything before the events.
    pub fn begin(
        out: &mut dyn Write,
        timeline: &Timeline,
        inputs: &[String],
    ) -> io::Result<JsonDocument> {
        let nodes: Vec<NodeRecord> = timeline
            .nodes
            .iter()
            .map(|node| NodeRecord {
                name: &node.name,
                timezone: &node.zone,
                timezone_known: node.zone_known,
                clock_offset_s: node.clock_offset_s,
                clock_uncertainty_s: node.clock_uncertainty_s,
                collected_at: node.collected_at.map(|time| format_time(time, 0)),
            })
            .collect();
        write!(
            out,
            "{{\"schema\":{},\"tool_version\":{},\"input\":{},\"nodes\":{},\"events\":[",
            serde_json::to_string(TIMELINE_SCHEMA)?,
            serde_json::to_string(env!("CARGO_PKG_VERSION"))?,
            serde_json::to_string(inputs)?,
            serde_json::to_string(&nodes)?,
        )?;
        Ok(JsonDocument { first: true })
    }

    /// Writes one event of the array.
    pub fn event(&mut self, out: &mut dyn Write, event: &Event) -> io::Result<()> {
        self.separate(out)?;
        out.write_all(b"\n")?;
        write_event(out, event, false)
    }

    /// An event as [`JsonDocument::event`] writes it after the separator, appended to `buffer`
    /// (on any thread; written with [`JsonDocument::formatted_event`]).
    pub fn format_event(buffer: &mut Vec<u8>, event: &Event) {
        buffer.push(b'\n');
        push_event(buffer, event);
    }

    /// Writes an event formatted by [`JsonDocument::format_event`].
    pub fn formatted_event(&mut self, out: &mut dyn Write, formatted: &[u8]) -> io::Result<()> {
        self.separate(out)?;
        out.write_all(formatted)
    }

    /// The comma before every event but the first.
    fn separate(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if !self.first {
            out.write_all(b",")?;
        }
        self.first = false;
        Ok(())
    }

    /// Writes the coverage and warnings and closes the document.
    pub fn end(self, out: &mut dyn Write, timeline: &Timeline, shown: u64) -> io::Result<()> {
        let files: Vec<FileRecord> = timeline
            .files
            .iter()
            .map(|file| FileRecord {
                node: &file.node,
                file: &file.file,
                source: file.source,
                size: file.size,
                lines: file.lines,
                recognised_lines: file.recognised_lines,
                unrecognised_lines: file.unrecognised_lines,
                events: file.events,
            })
            .collect();
        let (lines, unrecognised) = timeline.line_totals();
        write!(
            out,
            "\n],\"coverage\":{{\"files\":{},\"lines\":{lines},\"unrecognised_lines\":{unrecognised},\"events_shown\":{shown}}},\"warnings\":{}}}\n",
            serde_json::to_string(&files)?,
            serde_json::to_string(&warning_records(&timeline.warnings))?,
        )
    }
}

/// Writes one event as one NDJSON line.
pub fn write_ndjson(out: &mut dyn Write, event: &Event) -> io::Result<()> {
    write_event(out, event, true)
}

/// One event as a line of NDJSON, appended to `buffer` (as [`write_ndjson`] writes it).
pub fn format_ndjson(buffer: &mut Vec<u8>, event: &Event) {
    push_event(buffer, event);
    buffer.push(b'\n');
}

/// Writes one event, then a newline if `newline`: built in memory first, so one write per event
/// rather than one per JSON token through the dynamic writer.
fn write_event(out: &mut dyn Write, event: &Event, newline: bool) -> io::Result<()> {
    thread_local! {
        static LINE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    LINE.with_borrow_mut(|line| {
        line.clear();
        push_event(line, event);
        if newline {
            line.push(b'\n');
        }
        out.write_all(line)
    })
}
