//! Multi-line entries of application logs (escmanager's Java, escadm's Python): a line that
//! starts with a time stamp opens an entry; every other line (stack frames, `Caused by:`, wrapped
//! text) is folded into the entry before it. Shared by the escmanager and escadm sources.

use std::io;

use super::envelope::{self, EnvelopeFormat};
use super::{
    Event, EventReader, FileStats, LineBook, LineTime, Origin, ReadContext, make_event,
    offset_within,
};
use crate::bundle::NodeFile;
use crate::bundle::lines::LineReader;
use crate::sources::classifier::{Screen, Table};

/// How much of one entry's text is kept; longer stack traces are cut (and counted as read).
pub const MAX_ENTRY_BYTES: usize = 64 * 1024;

struct Pending {
    line: u64,
    offset: u64,
    time: LineTime,
    text: String,
    lines: u64,
}

/// Reads entries of one application log file.
pub struct EntryReader<'a> {
    source: &'static str,
    context: ReadContext<'a>,
    tables: Vec<&'a Table>,
    screen: std::sync::Arc<Screen>,
    reader: LineReader,
    book: LineBook,
    pending: Option<Pending>,
    /// The text of an entry no event took, reused for the next entry.
    spare: String,
}

impl<'a> EntryReader<'a> {
    pub fn open(
        source: &'static str,
        file: &NodeFile,
        context: ReadContext<'a>,
    ) -> io::Result<EntryReader<'a>> {
        let reader = LineReader::open(&file.path)?;
        let tables = context.classifier.tables_for(source);
        let screen = context.classifier.screen_for(source);
        Ok(EntryReader {
            source,
            book: LineBook::new(&context),
            tables,
            screen,
            reader,
            context,
            pending: None,
            spare: String::new(),
        })
    }

    /// Classifies a finished entry; returns its event when it is recognised or wanted.
    fn finish(&mut self, pending: Pending) -> Option<Event> {
        let may_recognise = self.screen.may_recognise(&pending.text);
        if !may_recognise && !self.context.want_unrecognised {
            self.book.stats.unrecognised_lines += pending.lines;
            self.recycle(pending.text);
            return None;
        }
        let first_line_end =
            memchr::memchr(b'\n', pending.text.as_bytes()).unwrap_or(pending.text.len());
        let mut envelope = envelope::parse(&pending.text[..first_line_end]);
        if envelope.format == EnvelopeFormat::Tagged && envelope.message.is_empty() {
            // The tagged layout wraps its tag list; `msg=` may be on a later line.
            envelope = envelope::parse(&pending.text);
        }
        let message_start = offset_within(&pending.text, envelope.message);
        let message = &pending.text[message_start..];
        let classification = if may_recognise {
            self.context.classifier.classify(
                &self.tables,
                self.source,
                envelope.program,
                envelope.level,
                message,
            )
        } else {
            None
        };
        if classification.is_some() {
            self.book.stats.recognised_lines += pending.lines;
        } else {
            self.book.stats.unrecognised_lines += pending.lines;
            if !self.context.want_unrecognised {
                drop(envelope);
                self.recycle(pending.text);
                return None;
            }
        }
        let mut event = make_event(
            Origin {
                context: &self.context,
                source: self.source,
                line: pending.line,
                offset: pending.offset,
                time: pending.time,
            },
            &envelope,
            message_start,
            classification,
            String::new(),
        );
        if pending.lines > 1 {
            event
                .fields
                .insert("lines".to_string(), pending.lines.to_string());
        }
        event.text = pending.text;
        // The buffer may be one reused from a longer entry: an event keeps only what it holds.
        event.text.shrink_to_fit();
        self.book.stats.events += 1;
        Some(event)
    }

    /// Keeps an entry's text for the next entry, unless it grew large (a long stack trace).
    fn recycle(&mut self, text: String) {
        if text.capacity() <= 4096 {
            self.spare = text;
        }
    }
}

impl EventReader for EntryReader<'_> {
    fn next_event(&mut self) -> Option<Event> {
        loop {
            let Some((number, offset, line)) = self.book.next_line_lent(&mut self.reader) else {
                let pending = self.pending.take()?;
                if let Some(event) = self.finish(pending) {
                    return Some(event);
                }
                continue;
            };
            let text = &*line;
            let stamp = envelope::stamp(text);
            match (&mut self.pending, stamp) {
                (Some(pending), None) => {
                    pending.lines += 1;
                    if pending.text.len() < MAX_ENTRY_BYTES {
                        pending.text.push('\n');
                        let room = MAX_ENTRY_BYTES - pending.text.len();
                        let mut cut = text.len().min(room);
                        while !text.is_char_boundary(cut) {
                            cut -= 1;
                        }
                        pending.text.push_str(&text[..cut]);
                    }
                }
                _ => {
                    let time = self.book.time(stamp, None);
                    let mut text = std::mem::take(&mut self.spare);
                    text.clear();
                    text.push_str(&line);
                    drop(line);
                    let previous = self.pending.replace(Pending {
                        line: number,
                        offset,
                        time,
                        text,
                        lines: 1,
                    });
                    if let Some(previous) = previous
                        && let Some(event) = self.finish(previous)
                    {
                        return Some(event);
                    }
                }
            }
        }
    }

    fn stats(&self) -> &FileStats {
        &self.book.stats
    }
}
