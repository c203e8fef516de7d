//! The timeline for tools, schema "esc-diag/timeline/v1": one JSON document (`--format json`) or
//! one event per line (`--format ndjson`). Fields may be added over time; none is removed or
//! renamed within v1. Times are RFC 3339 UTC with `Z`, with the fraction the source had.

use std::io::{self, Write};

use serde::Serialize;

use super::format_time;
use crate::bundle::Warning;
use crate::sources::{Event, Fields};
use crate::timeline::Timeline;

/// The schema name of the JSON document.
pub const TIMELINE_SCHEMA: &str = "esc-diag/timeline/v1";

/// One event on the wire.
#[derive(Serialize)]
pub struct EventRecord<'a> {
    /// RFC 3339 UTC, null when the line could not be dated.
    pub time: Option<String>,
    /// The line had no stamp and carries the previous line's.
    pub time_inferred: bool,
    /// ± seconds from the node's clock offset measurement; null when no offset was applied.
    pub uncertainty_s: Option<f64>,
    pub node: &'a str,
    /// Relative to the node directory.
    pub file: &'a str,
    /// 1-based, in the decompressed stream (0 for facts from the manifest).
    pub line: u64,
    pub offset: u64,
    pub kind: &'static str,
    pub event: Option<&'a str>,
    pub classifier: Option<&'a str>,
    pub source: &'a str,
    pub host: Option<&'a str>,
    pub program: Option<&'a str>,
    pub pid: Option<u32>,
    pub level: Option<&'a str>,
    pub fields: &'a Fields,
    pub message: &'a str,
    pub text: &'a str,
}

impl<'a> EventRecord<'a> {
    pub fn new(event: &'a Event) -> EventRecord<'a> {
        EventRecord {
            time: event.time.map(|time| {
                format_time(time, event.stamp.map_or(0, |stamp| stamp.fraction_digits))
            }),
            time_inferred: event.time_inferred,
            uncertainty_s: event.uncertainty_s,
            node: &event.node,
            file: &event.file,
            line: event.line,
            offset: event.offset,
            kind: event.kind.name(),
            event: event.event.as_deref(),
            classifier: event.classifier.as_deref(),
            source: event.source,
            host: event.host.as_deref(),
            program: event.program.as_deref(),
            pid: event.pid,
            level: event.level.as_deref(),
            fields: &event.fields,
            message: event.message(),
            text: &event.text,
        }
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
        if !self.first {
            out.write_all(b",")?;
        }
        self.first = false;
        out.write_all(b"\n")?;
        serde_json::to_writer(&mut *out, &EventRecord::new(event))?;
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
    // Serialised into memory first: one write per event rather than one per JSON token through
    // the dynamic writer.
    thread_local! {
        static LINE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    LINE.with_borrow_mut(|line| {
        line.clear();
        serde_json::to_writer(&mut *line, &EventRecord::new(event))?;
        line.push(b'\n');
        out.write_all(line)
    })
}
