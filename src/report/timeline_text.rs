//! The timeline for people: one line per event, UTC time, node (each in its own colour on a
//! terminal), kind, message and where it was read; a summary and the warnings go to stderr.

use std::io::{self, Write};

use colored::{Color, Colorize};

use super::format_time_capped;
use super::phrases::counted;
use crate::bundle::Warning;
use crate::sources::{Event, EventKind};
use crate::timeline::Timeline;

const NODE_COLORS: [Color; 6] = [
    Color::Cyan,
    Color::Magenta,
    Color::Yellow,
    Color::Green,
    Color::Blue,
    Color::Red,
];

/// Prints events as aligned text lines.
pub struct TextPrinter {
    nodes: Vec<String>,
    node_width: usize,
}

impl TextPrinter {
    pub fn new(timeline: &Timeline) -> TextPrinter {
        let nodes: Vec<String> = timeline
            .nodes
            .iter()
            .map(|node| node.name.clone())
            .collect();
        let node_width = nodes.iter().map(String::len).max().unwrap_or(4).max(4);
        TextPrinter { nodes, node_width }
    }

    /// Writes one event.
    pub fn write(&self, out: &mut dyn Write, event: &Event) -> io::Result<()> {
        let time = match event.time {
            // Columns stay aligned: at most microseconds in text (JSON keeps every digit).
            Some(time) => format_time_capped(
                time,
                event.stamp.map_or(0, |stamp| stamp.fraction_digits),
                6,
            ),
            None => "-".to_string(),
        };
        let color = self
            .nodes
            .iter()
            .position(|node| node.as_str() == event.node.as_ref())
            .map_or(Color::White, |index| NODE_COLORS[index % NODE_COLORS.len()]);
        let node = format!("{:width$}", event.node, width = self.node_width).color(color);
        let kind = format!("{:<12}", event.kind.name());
        let kind = match event.kind {
            EventKind::VrrpState => kind.bold(),
            EventKind::Unrecognised => kind.dimmed(),
            _ => kind.normal(),
        };
        let message = event.message();
        // (A line wrapped right after its header's colon shows its continuation.)
        let mut lines = message.lines();
        let first = lines
            .by_ref()
            .find(|line| !line.trim().is_empty())
            .unwrap_or("");
        let more = lines.count();
        let program = match (&event.program, event.pid) {
            (Some(program), Some(pid)) => format!("{program}[{pid}]: "),
            (Some(program), None) => format!("{program}: "),
            _ => String::new(),
        };
        let more = if more > 0 {
            format!(" (+{more} lines)")
        } else {
            String::new()
        };
        let place = format!("{}:{}", event.file, event.line).dimmed();
        writeln!(
            out,
            "{time:<27} {node} {kind} {program}{first}{more}  {place}"
        )
    }
}

/// The closing summary: what was read, and every warning.
pub fn write_summary(out: &mut dyn Write, timeline: &Timeline, shown: u64) -> io::Result<()> {
    let (lines, unrecognised) = timeline.line_totals();
    writeln!(
        out,
        "{} shown; {} of {} read: {}, {unrecognised} unrecognised; {}",
        counted(shown, "event"),
        counted(timeline.files.len() as u64, "file"),
        counted(timeline.nodes.len() as u64, "node"),
        counted(lines, "line"),
        counted(timeline.warnings.len() as u64, "warning")
    )?;
    write_warnings(out, &timeline.warnings)
}

/// Every warning, one per line.
pub fn write_warnings(out: &mut dyn Write, warnings: &[Warning]) -> io::Result<()> {
    for warning in warnings {
        writeln!(out, "{}: {warning}", "warning".yellow())?;
    }
    Ok(())
}
