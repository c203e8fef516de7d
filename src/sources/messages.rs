//! /var/log/messages and everything read like it: syslog files and their rotations, journalctl
//! exports (short, short-iso, short-precise, and `-o json` and `-o export` entries rendered as
//! lines), keepalived's --log-file and console output, kernel logs, and any other file under
//! var/log/ that no more specific source claims. One line is one entry.

use std::io;

use super::envelope::{self, EnvelopeFormat, SHELL_PROGRAM};
use super::events::PROMPT_HOST_FIELD;
use super::{
    EventReader, FileStats, LineBook, LineTime, Origin, ReadContext, Source, make_event,
    offset_within,
};
use super::{events, journal_json};
use crate::bundle::lines::LineReader;
use crate::bundle::{NodeFile, Warning};
use crate::sources::classifier::{Classifier, Table};

/// A sosreport's journal as text: `sos_commands/logs/journalctl_--no-pager...` (the whole
/// journal, or a boot, a unit, a period), or `sos_strings/logs/journalctl_--no-pager....tailed`
/// where sos keeps it when it cut it to its newest part (the name under sos_commands is then a
/// link to it).
pub fn is_sos_journal(relative: &str) -> bool {
    relative.rsplit_once('/').is_some_and(|(directory, name)| {
        matches!(directory, "sos_commands/logs" | "sos_strings/logs")
            && name.starts_with("journalctl_--no-pager")
    })
}

/// Of a node's files, the sosreport journals not to read because other files hold the same lines:
/// all of them when the node has a non-empty `var/log/messages` or `syslog` (sos copies those too,
/// and journald forwards to them), else the single boots when the whole journal (or a period of
/// it) is there.
pub fn sos_journals_left_out<'a>(files: &[(&'a str, u64)]) -> Vec<&'a str> {
    let journals: Vec<&str> = files
        .iter()
        .map(|(relative, _)| *relative)
        .filter(|relative| is_sos_journal(relative))
        .collect();
    // (An empty one holds nothing: rsyslog may not be running.)
    let has_syslog = files.iter().any(|(relative, size)| {
        *size > 0
            && relative
                .strip_prefix("var/log/")
                .is_some_and(|name| name.starts_with("messages") || name.starts_with("syslog"))
    });
    if has_syslog {
        return journals;
    }
    let is_boot = |relative: &&str| relative.contains("_--boot");
    if journals.iter().all(is_boot) {
        return Vec::new();
    }
    journals.into_iter().filter(is_boot).collect()
}

/// The syslog-like source.
pub struct Messages;

const NAME: &str = "messages";

impl Source for Messages {
    fn name(&self) -> &'static str {
        NAME
    }

    fn claims(&self, relative: &str) -> bool {
        // Every log under var/log/ (what a more specific source claims never gets here), journal
        // exports, and any bare file given on its own.
        relative.starts_with("var/log/")
            || relative.starts_with("journal/")
            || is_sos_journal(relative)
            || !relative.contains('/')
    }

    fn open<'a>(
        &self,
        file: &NodeFile,
        context: ReadContext<'a>,
    ) -> io::Result<Box<dyn EventReader + 'a>> {
        let reader = LineReader::open_decoded(&file.path, super::journal_export::decode)?;
        let tables = context.classifier.tables_for(NAME);
        let book = LineBook::new(&context);
        Ok(Box::new(MessagesReader {
            book,
            ahead: LinesAhead {
                reader,
                pending: std::collections::VecDeque::new(),
                spare: Vec::new(),
            },
            by_program: ProgramTables::default(),
            tables,
            context,
            line: String::new(),
            status_unit: None,
            status_started: None,
            left_out: LeftOut::default(),
            last_recognised: None,
            children: KeepalivedChildren::default(),
        }))
    }
}

/// Which tables apply to a program's lines, and whether some table reads that program (its lines
/// may be wrapped), kept per program: a log holds few programs, met again on every line.
#[derive(Default)]
struct ProgramTables<'a> {
    /// Keyed by program name with foldhash (fast, and randomly seeded: the names come from the
    /// logs, and a crafted set of colliding names must not slow every line down).
    known: foldhash::HashMap<String, std::rc::Rc<Applicable<'a>>>,
    without_program: Option<std::rc::Rc<Applicable<'a>>>,
}

/// The tables that apply to a program's lines, and whether some table reads the program.
struct Applicable<'a> {
    tables: Vec<&'a Table>,
    program_is_read: bool,
}

/// At most this many programs are remembered (past it, the answer is worked out each time).
const MAX_PROGRAMS_KEPT: usize = 4096;

impl<'a> ProgramTables<'a> {
    fn get(&mut self, tables: &[&'a Table], program: Option<&str>) -> std::rc::Rc<Applicable<'a>> {
        let known = match program {
            Some(program) => self.known.get(program),
            None => self.without_program.as_ref(),
        };
        if let Some(found) = known {
            return found.clone();
        }
        let found = std::rc::Rc::new(Applicable {
            tables: Classifier::applicable(tables, NAME, program),
            program_is_read: program
                .is_some_and(|program| tables.iter().any(|table| table.reads_program(program))),
        });
        match program {
            Some(program) if self.known.len() < MAX_PROGRAMS_KEPT => {
                self.known.insert(program.to_string(), found.clone());
            }
            Some(_) => {}
            None => self.without_program = Some(found.clone()),
        }
        found
    }
}

struct MessagesReader<'a> {
    context: ReadContext<'a>,
    tables: Vec<&'a Table>,
    by_program: ProgramTables<'a>,
    book: LineBook,
    ahead: LinesAhead,
    /// The line being read (its memory reused for the next line unless an event takes it).
    line: String,
    /// The unit of the last `systemctl status` block's first line, and that line's number.
    status_unit: Option<(String, u64)>,
    /// The last unit start read from a status block (a later block showing the same start is
    /// the same run of the unit, not a start of its own).
    status_started: Option<(String, envelope::Stamp)>,
    /// The marks of lines a paste left out that the file showed.
    left_out: LeftOut,
    /// The last line recognised: what syslogd's `last message repeated N times` repeats.
    last_recognised: Option<LastRecognised>,
    /// Which keepalived process each recent pid was.
    children: KeepalivedChildren,
}

/// Which keepalived process (VRRP, health checker, BFD) each recent pid was, from its own lines
/// (`Keepalived_healthcheckers[870]: ...`) or its parent's (`Starting Healthcheck child process,
/// pid=870`): a crash the parent reports by pid alone (`pid 870 exited due to segmentation
/// fault`, 1.x and 2.2+) is named by it.
/// A pid is remembered with the host its line names: one pasted file may hold two nodes' lines,
/// and their pids may be the same numbers (containers).
#[derive(Default)]
struct KeepalivedChildren {
    recent: std::collections::VecDeque<(Option<String>, u32, &'static str)>,
}

/// How many pids `KeepalivedChildren` remembers (a file's processes: a few per start).
const CHILD_PIDS_KEPT: usize = 16;

impl KeepalivedChildren {
    fn note(&mut self, host: Option<&str>, pid: u32, child: &'static str) {
        let same = |(known_host, known, _): &(Option<String>, u32, &'static str)| {
            *known == pid && known_host.as_deref() == host
        };
        if self
            .recent
            .back()
            .is_some_and(|last| same(last) && last.2 == child)
        {
            return;
        }
        self.recent.retain(|known| !same(known));
        if self.recent.len() == CHILD_PIDS_KEPT {
            self.recent.pop_front();
        }
        self.recent
            .push_back((host.map(str::to_string), pid, child));
    }

    fn of(&self, host: Option<&str>, pid: u32) -> Option<&'static str> {
        self.recent
            .iter()
            .rev()
            .find(|(known_host, known, _)| *known == pid && known_host.as_deref() == host)
            .map(|(_, _, child)| *child)
    }

    /// Notes the process a lifecycle line of the parent names, and names the process of a
    /// crash reported by pid alone.
    fn read(&mut self, event: &mut super::Event) {
        let pid = || {
            event
                .field("child_pid")
                .and_then(|pid| pid.parse::<u32>().ok())
        };
        let noted = match event.event.as_deref() {
            Some(events::VRRP_CHILD_STARTING | events::VRRP_CHILD_DIED) => Some("vrrp"),
            Some("checker-child-starting" | "checker-child-died") => {
                Some(match event.field("child") {
                    Some(child) if child.eq_ignore_ascii_case("bfd") => "bfd",
                    _ => "checker",
                })
            }
            _ => None,
        };
        let host = event.host.clone();
        let host = host.as_deref();
        if let (Some(child), Some(pid)) = (noted, pid()) {
            self.note(host, pid, child);
        }
        if event.event.as_deref() == Some(events::CHILD_CRASHED)
            && event.field("child").is_none()
            && let Some(child) = pid().and_then(|pid| self.of(host, pid))
        {
            event.fields.insert("child".to_string(), child.to_string());
        }
    }
}

/// The keepalived process a program name is (`Keepalived_vrrp`, `Keepalived_healthcheckers`,
/// `Keepalived_checker`, `Keepalived_bfd`).
fn keepalived_child(program: &str) -> Option<&'static str> {
    let rest = program
        .get(11..)
        .filter(|_| envelope::is_keepalived_child(program))?;
    let has = |needle: &str| {
        rest.as_bytes()
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
    };
    if rest.eq_ignore_ascii_case("vrrp") {
        Some("vrrp")
    } else if has("check") {
        Some("checker")
    } else if has("bfd") {
        Some("bfd")
    } else {
        None
    }
}

/// At most this many filtering prompts, and this many cut marks, of one file are each named in
/// a warning.
const MAX_LEFT_OUT_WARNINGS: u32 = 3;

/// How many shell prompts of a filtering command (`... | grep STATE`) and marks of lines left
/// out (`...`) a file showed.
#[derive(Default)]
struct LeftOut {
    filters: u32,
    cuts: u32,
}

impl LeftOut {
    /// What to say of a filtering command's prompt (the first [`MAX_LEFT_OUT_WARNINGS`] of a
    /// file).
    fn filtered(&mut self, command: &str) -> Option<String> {
        (self.filters < MAX_LEFT_OUT_WARNINGS).then(|| {
            self.filters += 1;
            format!(
                "the lines after this prompt are what `{command}` printed: lines it left out \
                 are not in the input, so a line the report finds missing may only have been \
                 filtered out"
            )
        })
    }

    /// What to say of an unrecognised line that marks lines left out of the paste (the first
    /// [`MAX_LEFT_OUT_WARNINGS`] of a file).
    fn cut(&mut self, line: &str) -> Option<String> {
        (self.cuts < MAX_LEFT_OUT_WARNINGS && is_cut_mark(line)).then(|| {
            self.cuts += 1;
            format!(
                "`{}` marks lines left out of the paste: what happened between the lines around \
                 it is not in the input",
                line.trim()
            )
        })
    }
}

/// Whether a line is a mark a paste's author put where they left lines out (`...`, `.....`,
/// `…`, `[...]`, `(...)`, `<snip>`, `[snip]`), alone on its line.
fn is_cut_mark(line: &str) -> bool {
    let mark = line
        .trim_start_matches(|character: char| character.is_whitespace() || character == '>')
        .trim_end();
    let inner = [('[', ']'), ('(', ')'), ('<', '>')]
        .into_iter()
        .find_map(|(open, close)| mark.strip_prefix(open)?.strip_suffix(close))
        .unwrap_or(mark);
    let dots = inner
        .chars()
        .all(|character| character == '.' || character == '…')
        && (inner.contains('…') || inner.len() >= 3);
    (dots && inner.len() <= 80) || inner.eq_ignore_ascii_case("snip")
}

/// The program a `systemctl status` block's `Active:` line is classified under (with the unit
/// before it: `keepalived.service Active: active (running) since ...`).
const STATUS_PROGRAM: &str = "systemctl-status";
/// A wrapped line is read with at most this many continuation lines (a syslog line of up to
/// four terminal or mail lines), each after at most one blank line.
const MAX_CONTINUATION_LINES: usize = 3;

/// A status block's `Active:` line comes this many lines after its first line at most (after
/// `Loaded:`, and `Drop-In:` with its files, or `TriggeredBy:`).
const STATUS_HEADER_LINES: u64 = 8;

/// A status block's journal lines begin this many lines after its `Active:` line at most (after
/// the process lines and the control group's tree).
const STATUS_BLOCK_LINES: usize = 40;

/// The file's lines, and those read ahead of the current one (to see whether they continue it,
/// or whose journal lines a status block shows) until they are read in turn.
struct LinesAhead {
    reader: LineReader,
    /// Lines read ahead, not yet returned: their numbers, offsets and texts.
    pending: std::collections::VecDeque<(u64, u64, String)>,
    /// Buffers of lines read ahead, kept for the next (at most [`MAX_CONTINUATION_LINES`]).
    spare: Vec<String>,
}

impl LinesAhead {
    /// Reads the next line into `line` (the first read ahead, else the file's next), keeping
    /// the buffer it replaces. Returns (number, offset) or None at the end.
    fn next_into(&mut self, book: &mut LineBook, line: &mut String) -> Option<(u64, u64)> {
        match self.pending.pop_front() {
            Some((number, offset, text)) => {
                let used = std::mem::replace(line, text);
                self.keep(used);
                Some((number, offset))
            }
            None => book.next_line_into(&mut self.reader, line),
        }
    }

    /// The line `index` lines after the current one: read ahead already, or read now and kept.
    /// None at the end of the file.
    fn line(&mut self, book: &mut LineBook, index: usize) -> Option<&str> {
        while self.pending.len() <= index {
            let mut ahead = self.spare.pop().unwrap_or_default();
            match book.next_line_into(&mut self.reader, &mut ahead) {
                Some((number, offset)) => self.pending.push_back((number, offset, ahead)),
                None => {
                    self.keep(ahead);
                    return None;
                }
            }
        }
        Some(self.pending[index].2.as_str())
    }

    /// The first `count` lines read ahead, taken (joined by newlines).
    fn take(&mut self, count: usize) -> String {
        let mut lines = String::new();
        for position in 0..count {
            let Some((_, _, text)) = self.pending.pop_front() else {
                break;
            };
            if position > 0 {
                lines.push('\n');
            }
            lines.push_str(&text);
            self.keep(text);
        }
        lines
    }

    fn keep(&mut self, buffer: String) {
        if self.spare.len() < MAX_CONTINUATION_LINES {
            self.spare.push(buffer);
        }
    }
}

/// Whether a line continues the previous one: no stamp of its own and not a journal marker (a
/// syslog line hard-wrapped by an e-mail or a terminal).
fn is_continuation(line: &str) -> bool {
    let trimmed = line.trim();
    !trimmed.is_empty() && envelope::is_bare(line) && rendered_record(line).is_none()
}

/// The syslog line a `journalctl -o json` entry or a container runtime's record (Docker's JSON,
/// CRI, logfmt) stands for, also where a paste decorated it: quoted in a reply (`> {"log":...`),
/// bulleted, or numbered by `cat -n`.
fn rendered_record(line: &str) -> Option<String> {
    let render =
        |text: &str| journal_json::render(text).or_else(|| super::container_log::render(text));
    if let Some(rendered) = render(line) {
        return Some(rendered);
    }
    if line.starts_with('"') {
        return exported_row(line);
    }
    // Only a line that opens with a decoration's character pays for the second look.
    let first = *line.trim_start().as_bytes().first()?;
    if !(first.is_ascii_digit() || b">-*&|".contains(&first) || !first.is_ascii()) {
        return None;
    }
    let inner = envelope::bare_message(line);
    (inner.len() < line.trim().len())
        .then(|| render(inner))
        .flatten()
}

/// A row of a log search's CSV export (`"2026-03-05T10:00:00.000Z","node1","Keepalived_vrrp[7]:
/// ..."`, Splunk's, Kibana's, Graylog's): the field that is a whole log line by itself (Splunk's
/// `_raw`), else the fields joined by spaces where they make one (a stamp, a host, a tagged
/// message). None where neither is a log line of a program the classifiers read.
fn exported_row(line: &str) -> Option<String> {
    let fields = csv_fields(line.trim_end())?;
    if fields.len() < 2 {
        return None;
    }
    let is_read = |text: &str| {
        let envelope = envelope::parse(text);
        envelope.stamp.is_some() && envelope.program.is_some()
    };
    if let Some(whole) = fields.iter().find(|field| is_read(field)) {
        return Some(whole.clone());
    }
    let joined = fields.join(" ");
    is_read(&joined).then_some(joined)
}

/// The fields of one CSV row (quoted with `"`, a quote inside doubled); None where the row is
/// not well formed.
fn csv_fields(row: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut characters = row.chars().peekable();
    loop {
        let mut field = String::new();
        if characters.peek() == Some(&'"') {
            characters.next();
            loop {
                match characters.next()? {
                    '"' if characters.peek() == Some(&'"') => {
                        characters.next();
                        field.push('"');
                    }
                    '"' => break,
                    other => field.push(other),
                }
            }
        }
        for character in characters.by_ref() {
            if character == ',' {
                break;
            }
            field.push(character);
        }
        fields.push(field.trim().to_string());
        if characters.peek().is_none() {
            // (A row that ended on a separator has one more, empty, field; none is kept.)
            return Some(fields);
        }
    }
}

/// The last line a reader recognised: its host, program, process and message.
struct LastRecognised {
    host: Option<String>,
    program: Option<String>,
    pid: Option<u32>,
    message: String,
}

/// syslogd's (and older rsyslog's) `last message repeated N times`, written for the line before
/// it: N.
fn last_message_repeated(message: &str) -> Option<u64> {
    let rest = message.trim().strip_prefix("last message repeated ")?;
    rest.strip_suffix(" times")
        .or_else(|| rest.strip_suffix(" time"))?
        .parse()
        .ok()
}

/// rsyslog's `message repeated N times: [ text]`: the repeated text and N.
pub fn unwrap_repeated(message: &str) -> Option<(&str, u64)> {
    let rest = message.strip_prefix("message repeated ")?;
    let (count, rest) = rest.split_once(" times: [")?;
    let count = count.parse().ok()?;
    let inner = rest.strip_suffix(']').unwrap_or(rest);
    Some((inner.strip_prefix(' ').unwrap_or(inner), count))
}

impl EventReader for MessagesReader<'_> {
    fn next_event(&mut self) -> Option<super::Event> {
        loop {
            // The line is read into a buffer kept from line to line: most lines are dropped.
            let (number, offset) = self.ahead.next_into(&mut self.book, &mut self.line)?;
            // A `journalctl -o json` entry is read as the syslog line it stands for.
            if let Some(rendered) = rendered_record(&self.line) {
                self.line = rendered;
            }
            // A table copied from a log viewer (Kibana, Graylog, a spreadsheet) separates its
            // cells by tabs: such a line is read with spaces where its tabs leave it no program
            // (or a host or program with a tab in it) and spaces give it one.
            if memchr::memchr(b'\t', self.line.as_bytes()).is_some() {
                let tabbed = envelope::parse(&self.line);
                let header_has_tabs = tabbed.program.is_none()
                    || tabbed.host.is_some_and(|host| host.contains('\t'))
                    || tabbed.program.is_some_and(|program| program.contains('\t'));
                if header_has_tabs {
                    let spaced = self.line.replace('\t', " ");
                    if envelope::parse(&spaced).program.is_some() {
                        self.line = spaced;
                    }
                }
            }
            let text = &self.line;
            let envelope = envelope::parse(text);
            // A `systemctl status` block's `Active: active (running) since` line: when its
            // unit started (its own time, classified with the unit named in the block).
            let mut status_start = None;
            if envelope.stamp.is_none() {
                if let Some(seconds) = envelope::seconds_since_boot(text) {
                    self.book.stats.last_boot_seconds = Some(seconds);
                }
                self.book.note_status_moment(text, number);
                if let Some(unit) = envelope::status_unit(text) {
                    self.status_unit = Some((unit.to_string(), number));
                } else if let Some((unit, header)) = &self.status_unit
                    && number.saturating_sub(*header) <= STATUS_HEADER_LINES
                    && let Some(since) = envelope::status_running_since(text)
                {
                    let started = Some((unit.clone(), since));
                    if self.status_started != started {
                        status_start = Some((since, format!("{unit} {}", envelope.message.trim())));
                        self.status_started = started;
                    }
                }
            }
            // The host a status block was taken on: its journal lines' (the block's own lines
            // name none; where one file holds several nodes' blocks, this tells them apart).
            let mut block_host: Option<String> = None;
            if status_start.is_some() {
                for index in 0..STATUS_BLOCK_LINES {
                    let Some(ahead) = self.ahead.line(&mut self.book, index) else {
                        break;
                    };
                    if envelope::status_unit(ahead).is_some() {
                        break;
                    }
                    let ahead = envelope::parse(ahead);
                    if ahead.stamp.is_some() {
                        block_host = ahead.host.map(str::to_string);
                        break;
                    }
                }
            }
            self.book.note_month_cut(number, &envelope);
            let time = match &status_start {
                // Not a line of the log's own sequence: its moment leaves the file's year turns
                // and activity as they are.
                Some((since, _)) => {
                    let year_turns = self.book.stats.year_turns;
                    let unstamped = LineTime {
                        stamp: None,
                        inferred: true,
                        year_turns,
                    };
                    let host = block_host.as_deref().or(envelope.host);
                    self.book.note_host(number, host, &unstamped);
                    LineTime {
                        stamp: Some(*since),
                        inferred: false,
                        year_turns,
                    }
                }
                None => {
                    let clock = match envelope.stamp {
                        None => envelope::time_of_day(text),
                        Some(_) => None,
                    };
                    let time = self.book.time(envelope.stamp, clock);
                    self.book.note_host(number, envelope.host, &time);
                    time
                }
            };
            // (syslogd's `last message repeated N times` is read as the line it repeats, where
            // that is the last line recognised and of the same host, program and process.)
            let repeats_last = last_message_repeated(envelope.message).and_then(|count| {
                let last = self.last_recognised.as_ref()?;
                let same =
                    |said: Option<&str>, known: Option<&str>| said.is_none() || said == known;
                (same(envelope.program, last.program.as_deref())
                    && same(envelope.host, last.host.as_deref())
                    && (envelope.pid.is_none() || envelope.pid == last.pid))
                    .then_some((last.message.as_str(), last.program.as_deref(), count))
            });
            let (message, repeated) = match (&status_start, repeats_last) {
                (Some((_, message)), _) => (message.as_str(), None),
                (None, Some((message, _, count))) => (message, Some(count)),
                (None, None) => match unwrap_repeated(envelope.message) {
                    Some((inner, count)) => (inner, Some(count)),
                    None => (envelope.message, None),
                },
            };
            let program = match envelope.format {
                _ if status_start.is_some() => Some(STATUS_PROGRAM),
                EnvelopeFormat::JournalMarker => Some("journal"),
                _ => envelope
                    .program
                    .or(repeats_last.and_then(|(_, program, _)| program)),
            };
            if let (Some(pid), Some(child)) = (envelope.pid, program.and_then(keepalived_child)) {
                self.children.note(envelope.host, pid, child);
            }
            let applicable = self.by_program.get(&self.tables, program);
            // A line copied from a page's source, its markup escaped (`-&gt;`), is read as the
            // page shows it (only lines some table reads; a log has no literal-search screen).
            let unescaped = (!applicable.tables.is_empty())
                .then(|| crate::sources::classifier::html_unescaped(message))
                .flatten();
            let message = unescaped.as_deref().unwrap_or(message);
            let classification = if applicable.tables.is_empty() {
                None
            } else {
                Classifier::classify_applicable(
                    &applicable.tables,
                    program,
                    envelope.level,
                    message,
                )
            };
            // A keepalived or kernel line that a mail client or terminal wrapped: the message
            // read with its continuation lines, where the line alone is not recognised, or is
            // recognised by another row than with them (`(VI_1): entering FAULT state` wrapped
            // before `(tracked file ... has status -254)`) or by the same with more fields
            // (`Entering BACKUP STATE` before `(init)`), and the first alone is nothing.
            let may_be_wrapped = status_start.is_none()
                && !matches!(
                    envelope.format,
                    EnvelopeFormat::Bare | EnvelopeFormat::JournalMarker
                )
                && !applicable.tables.is_empty()
                && (applicable.program_is_read || program.is_none());
            let mut continued = 0;
            let classification = if may_be_wrapped {
                let classify = |text: &str| {
                    Classifier::classify_applicable(
                        &applicable.tables,
                        program,
                        envelope.level,
                        text,
                    )
                };
                let mut joined: Option<String> = None;
                let mut found = None;
                // The lines after this one: those read ahead already, then the reader's.
                // (A paste double-spaced puts a blank line between the pieces.)
                let mut pieces = 0;
                let mut blank_before = false;
                for index in 0..2 * MAX_CONTINUATION_LINES {
                    let Some(ahead) = self.ahead.line(&mut self.book, index) else {
                        break;
                    };
                    // (A blank line quoted or numbered as the others were: `>`, `    12\t`.)
                    let blank =
                        ahead.trim().is_empty() || envelope::bare_message(ahead).trim().is_empty();
                    // (Once a piece joined, a blank line ends the line: what follows it is
                    // another paragraph.)
                    if blank && !blank_before && continued == 0 {
                        blank_before = true;
                        continue;
                    }
                    blank_before = false;
                    // (A mark of lines left out, or a shell prompt, is no continuation.)
                    if !is_continuation(ahead)
                        || pieces == MAX_CONTINUATION_LINES
                        || is_cut_mark(ahead)
                        || envelope::pasted_shell_prompt(ahead).is_some()
                    {
                        break;
                    }
                    // (Bulleted or quoted as the line before it was: `bare_message` strips it.)
                    let rest = envelope::bare_message(ahead.trim());
                    // (Escaped as the line before it was: `message` is unescaped already.)
                    let rest_unescaped = crate::sources::classifier::html_unescaped(rest);
                    let rest = rest_unescaped.as_deref().unwrap_or(rest);
                    // What the line is with the pieces joined so far, or alone.
                    let so_far = if continued > 0 {
                        found.as_ref()
                    } else {
                        classification.as_ref()
                    };
                    // A line that is something alone is no other's continuation.
                    if (pieces == 0 || continued > 0)
                        && so_far.is_some()
                        && classify(rest).is_some()
                    {
                        break;
                    }
                    pieces += 1;
                    let joined = joined.get_or_insert_with(|| message.trim_end().to_string());
                    joined.push(' ');
                    joined.push_str(rest);
                    let with_rest = classify(joined.trim_start());
                    // (Read on after a join: a line wrapped twice may be something after its
                    // first continuation, and more, or another thing, after its second:
                    // `Truncating auth_pass to 8` / `characters`, `Entering BACKUP` / `STATE` /
                    // `(init)`.)
                    let joins = match (so_far, &with_rest) {
                        (None, Some(_)) => true,
                        (Some(before), Some(with_rest)) => {
                            !std::ptr::eq(before.row, with_rest.row)
                                || with_rest.fields.iter().count() > before.fields.iter().count()
                        }
                        _ => false,
                    };
                    if joins {
                        continued = index + 1;
                        found = with_rest;
                    }
                }
                if continued > 0 { found } else { classification }
            } else {
                classification
            };
            let continuation: Option<String> = (continued > 0).then(|| self.ahead.take(continued));
            // A shell prompt pasted among the lines: its command, read by the tables of the
            // program `shell` (a line no other table reads).
            let mut prompt = None;
            let classification = match classification {
                None if envelope.format == EnvelopeFormat::Bare && status_start.is_none() => {
                    envelope::pasted_shell_prompt(text).and_then(|typed| {
                        let shell = self.by_program.get(&self.tables, Some(SHELL_PROGRAM));
                        let found = Classifier::classify_applicable(
                            &shell.tables,
                            Some(SHELL_PROGRAM),
                            None,
                            typed.command,
                        )?;
                        prompt = Some(typed);
                        Some(found)
                    })
                }
                classification => classification,
            };
            let recognised = classification.is_some();
            // What the paste left out: a filtering command's prompt, or a mark of a cut.
            let left_out = match (&classification, prompt) {
                (Some(found), Some(typed)) if &*found.row.event == events::PASTE_FILTERED => {
                    self.left_out.filtered(typed.command)
                }
                (None, _) => self.left_out.cut(text),
                _ => None,
            };
            if let Some(message) = left_out {
                let warning = Warning::at(
                    &self.context.node,
                    &self.context.file,
                    Some(number),
                    message,
                );
                self.book.stats.warnings.push(warning);
            }
            if recognised {
                self.book.stats.recognised_lines += 1 + continued as u64;
                self.book.stats.prompt_lines += u64::from(prompt.is_some());
                if repeats_last.is_none() {
                    let remembered = LastRecognised {
                        host: envelope.host.map(str::to_string),
                        program: program.map(str::to_string),
                        pid: envelope.pid,
                        message: message.to_string(),
                    };
                    self.last_recognised = Some(remembered);
                }
            } else {
                self.book.stats.unrecognised_lines += 1;
                self.last_recognised = None;
                if !self.context.want_unrecognised {
                    continue;
                }
            }
            let envelope = match prompt {
                Some(typed) => envelope::Envelope {
                    program: Some(SHELL_PROGRAM),
                    message: typed.command,
                    ..envelope
                },
                None => envelope,
            };
            let message_start = offset_within(text, envelope.message);
            let mut event = make_event(
                Origin {
                    context: &self.context,
                    source: NAME,
                    line: number,
                    offset,
                    time,
                },
                &envelope,
                message_start,
                classification,
                String::new(),
            );
            if let Some(host) = &block_host {
                event.host = Some(self.context.names.get(host));
            }
            self.children.read(&mut event);
            // The host a prompt names: which node the command ran on (timeline::prompts).
            if let Some(host) = prompt.and_then(|typed| typed.host) {
                event
                    .fields
                    .insert(PROMPT_HOST_FIELD.to_string(), host.to_string());
            }
            if let Some(count) = repeated {
                event
                    .fields
                    .insert("repeated".to_string(), count.to_string());
            }
            drop(envelope);
            event.text = match continuation {
                Some(rest) => format!("{}\n{rest}", self.line),
                None => {
                    let mut text = std::mem::take(&mut self.line);
                    // The buffer grew to the longest line since the last event; an event keeps
                    // only what it needs.
                    if text.capacity() > text.len() + 64 {
                        text.shrink_to_fit();
                    }
                    text
                }
            };
            self.book.stats.events += 1;
            return Some(event);
        }
    }

    fn stats(&self) -> &FileStats {
        &self.book.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mark_of_lines_left_out_is_one_alone_on_its_line() {
        for line in [
            "...", "  .....", "\t....", "…", "[...]", "(...)", "<snip>", "[snip]", "> ...",
        ] {
            assert!(is_cut_mark(line), "{line:?}");
        }
        for line in ["..", "", "Nov 2 ... x", "...done", ". . .", "snipped"] {
            assert!(!is_cut_mark(line), "{line:?}");
        }
    }

    #[test]
    fn syslogds_last_message_repeated_is_read() {
        assert_eq!(
            last_message_repeated("last message repeated 6 times"),
            Some(6)
        );
        assert_eq!(
            last_message_repeated("last message repeated 1 time"),
            Some(1)
        );
        assert_eq!(last_message_repeated("last message repeated often"), None);
        assert_eq!(
            last_message_repeated("the last message repeated 6 times"),
            None
        );
    }

    #[test]
    fn repeated_messages_are_unwrapped() {
        assert_eq!(
            unwrap_repeated(
                "message repeated 4 times: [ Sending gratuitous ARP on eth0 for 10.0.0.1]"
            ),
            Some(("Sending gratuitous ARP on eth0 for 10.0.0.1", 4))
        );
        assert_eq!(unwrap_repeated("message repeated often"), None);
    }

    #[test]
    fn rows_of_a_log_search_export_are_read_as_their_lines() {
        assert_eq!(
            exported_row(
                r#""2026-03-05T10:00:00.000Z","nodea","Keepalived_vrrp[12]: (VI_1) say ""hi""""#
            ),
            Some(
                r#"2026-03-05T10:00:00.000Z nodea Keepalived_vrrp[12]: (VI_1) say "hi""#
                    .to_string()
            )
        );
        // Splunk's `_raw`: the whole line in one field.
        assert_eq!(
            exported_row(
                r#""2026-03-05T10:00:01.000+0000","nodea","Mar  5 10:00:01 nodea Keepalived_vrrp[12]: x""#
            ),
            Some("Mar  5 10:00:01 nodea Keepalived_vrrp[12]: x".to_string())
        );
        assert_eq!(exported_row(r#""a","b","c""#), None);
        assert_eq!(exported_row(r#""unterminated,"x"#), None);
        assert_eq!(
            csv_fields(r#""a,b",c,"d""e""#),
            Some(vec![
                "a,b".to_string(),
                "c".to_string(),
                r#"d"e"#.to_string()
            ])
        );
        // A decorated container record.
        assert!(rendered_record(r#"> {"log":"Sat Mar 23 10:49:25 2024: (VI_1) Entering MASTER STATE\n","time":"2024-03-23T10:49:25Z"}"#).is_some());
        assert!(rendered_record("Mar  5 10:00:00 nodea sshd[1]: accepted").is_none());
    }

    #[test]
    fn claims_logs_but_not_configuration() {
        assert!(Messages.claims("var/log/messages-20261124.gz"));
        assert!(Messages.claims("journal/keepalived.txt"));
        assert!(Messages.claims("messages"));
        assert!(!Messages.claims("etc/keepalived/keepalived.conf"));
        assert!(!Messages.claims("commands/ip_addr.txt"));
        assert!(Messages.claims("sos_commands/logs/journalctl_--no-pager"));
        assert!(Messages.claims("sos_strings/logs/journalctl_--no-pager_--catalog_--boot.tailed"));
        assert!(!Messages.claims("sos_commands/logs/journalctl_--disk-usage"));
        assert!(!Messages.claims("sos_commands/networking/ip_-d_address"));
    }

    #[test]
    fn a_sosreport_journal_is_read_only_where_nothing_else_holds_its_lines() {
        let whole = "sos_strings/logs/journalctl_--no-pager.tailed";
        let boot = "sos_commands/logs/journalctl_--no-pager_--boot";
        let previous_boot = "sos_commands/logs/journalctl_--no-pager_--boot_-1";
        let messages = "var/log/messages-20261124.gz";
        // Beside var/log/messages: none, unless it is empty.
        assert_eq!(
            sos_journals_left_out(&[(messages, 1), (whole, 1), (boot, 1)]),
            [whole, boot]
        );
        assert_eq!(
            sos_journals_left_out(&[(messages, 0), (whole, 1), (boot, 1)]),
            [boot]
        );
        // Alone: the whole journal rather than its boots; the boots when there is no whole.
        assert_eq!(
            sos_journals_left_out(&[(whole, 1), (boot, 1), (previous_boot, 1)]),
            [boot, previous_boot]
        );
        assert!(
            sos_journals_left_out(&[
                (boot, 1),
                (previous_boot, 1),
                ("var/log/esc/escmanager.log", 1)
            ])
            .is_empty()
        );
    }
}
