//! Sources: one reader per log kind, turning a node's files into typed events. Each source claims
//! the bundle paths it reads, finds line envelopes, and asks the classifier tables what each
//! message means. Lines nothing recognises are counted (and, on request, yielded as
//! `unrecognised`), never dropped silently. Sources know nothing of years, zones or clock offsets:
//! the timeline settles those.

pub mod classifier;
pub mod collection;
pub mod container_log;
pub mod drbd_conf;
pub mod drbd_status;
pub mod entries;
pub mod envelope;
pub mod esc_config;
pub mod escadm;
pub mod escmanager;
pub mod event;
pub mod events;
pub mod journal_export;
pub mod journal_json;
pub mod keepalived_conf;
pub mod keepalived_state;
pub mod literals;
pub mod messages;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Datelike, Timelike, Utc};

use crate::bundle::lines::{LineReader, MAX_LINE_BYTES};
use crate::bundle::{NodeFile, Warning};
pub use classifier::Classifier;
use envelope::{Envelope, Stamp};
pub use event::{Event, EventKind, Fields};

/// What a reader needs besides the file.
#[derive(Clone)]
pub struct ReadContext<'a> {
    pub node: Arc<str>,
    pub file: Arc<str>,
    pub file_index: u32,
    pub classifier: &'a Classifier,
    /// Yield unrecognised lines as events too (`timeline --all`); otherwise only count them.
    pub want_unrecognised: bool,
    /// When the bundle was collected (time of command captures).
    pub collected_at: Option<DateTime<Utc>>,
    /// Host, program and level names this file's events share.
    pub names: NameCache,
    /// The file is sos' `.tailed` copy (see `NodeFile::tailed_by_sos`): its reader says so.
    pub tailed_by_sos: bool,
}

/// The few names a file's lines repeat (host, program, level), each held once and shared by the
/// events that carry it; past `NAME_CACHE_SIZE` distinct names, further ones are held per event.
#[derive(Debug, Clone, Default)]
pub struct NameCache {
    names: std::cell::RefCell<std::collections::HashSet<Arc<str>>>,
}

const NAME_CACHE_SIZE: usize = 256;

impl NameCache {
    /// The shared copy of `name`.
    pub fn get(&self, name: &str) -> Arc<str> {
        let mut names = self.names.borrow_mut();
        if let Some(known) = names.get(name) {
            return known.clone();
        }
        let shared: Arc<str> = Arc::from(name);
        if names.len() < NAME_CACHE_SIZE {
            names.insert(shared.clone());
        }
        shared
    }
}

/// What reading one file found, besides its events.
#[derive(Debug, Clone, Default)]
pub struct FileStats {
    pub lines: u64,
    pub recognised_lines: u64,
    /// Of the recognised lines, shell prompts pasted among the log's (they say what an operator
    /// typed, not what the node logged).
    pub prompt_lines: u64,
    pub unrecognised_lines: u64,
    pub events: u64,
    pub warnings: Vec<Warning>,
    /// The last stamp of any line, with the year turns before it.
    pub last_stamp: Option<(Stamp, u32)>,
    /// December→January turns among year-less stamps.
    pub year_turns: u32,
    /// Whether some stamp had no year.
    pub has_yearless: bool,
    /// Whether some stamp had no zone.
    pub has_zoneless: bool,
    /// Whether some stamp said its zone (an offset, `Z`, a zone word applied).
    pub has_zoned: bool,
    /// The kernel's seconds since boot on the last line without a stamp that opens with them
    /// (dmesg): how far an undated file goes on after a line, recognised or not.
    pub last_boot_seconds: Option<f64>,
    /// The first stamp of any line, with the year turns before it.
    pub first_stamp: Option<(Stamp, u32)>,
    /// Spans of activity: runs of lines with no silence longer than [`ACTIVITY_GAP_S`] between
    /// them (at most [`MAX_ACTIVITY_SPANS`]; past that the last span absorbs the rest).
    pub activity: Vec<ActivitySpan>,
    /// The file ended in a read error (a truncated gzip).
    pub truncated: bool,
    /// The latest moment a pasted `systemctl status` in the file was taken
    /// ([`envelope::status_moment`]), or a journal paste's header says it ends
    /// ([`envelope::journal_end_moment`]): it dates the year of the journal lines under it.
    pub status_moment: Option<chrono::NaiveDateTime>,
    /// The earliest moment a journal header that names no end says its journal begins at
    /// ([`envelope::journal_begin_moment`], `journalctl -f`): the lines under it are no earlier.
    pub journal_begin: Option<chrono::NaiveDateTime>,
    /// The first time zone a `systemctl status` block or a journal header names
    /// ([`envelope::stated_zone`]), and its line.
    pub stated_zone: Option<(String, u64)>,
    /// The lines of each syslog host the file names, in the order the hosts first appear (a
    /// pasted file may interleave two nodes' syslog; at most [`MAX_HOSTS_COVERED`] hosts, the
    /// lines of later ones counted with the lines that name none).
    pub hosts: Vec<HostLines>,
}

/// One syslog host's lines in a file: how many, and when the host logged.
#[derive(Debug, Clone, Default)]
pub struct HostLines {
    /// The host the lines name (None: lines that name none, such as a status block's).
    pub host: Option<Arc<str>>,
    pub lines: u64,
    /// The numbers of the host's first and last lines in the file.
    pub first_line: u64,
    pub last_line: u64,
    pub first_stamp: Option<(Stamp, u32)>,
    pub last_stamp: Option<(Stamp, u32)>,
    /// As [`FileStats::activity`], of this host's lines.
    pub activity: Vec<ActivitySpan>,
    /// The comparable seconds of the last activity span's end.
    activity_end_seconds: i64,
}

/// Hosts whose lines a file's statistics keep apart.
pub const MAX_HOSTS_COVERED: usize = 64;

/// A span of activity: the stamps (with the year turns before each) of its first and last line.
pub type ActivitySpan = ((Stamp, u32), (Stamp, u32));

/// A silence longer than this (seconds) splits a file's activity into two spans.
pub const ACTIVITY_GAP_S: i64 = 30;
/// At most this many activity spans are kept per file.
pub const MAX_ACTIVITY_SPANS: usize = 10_000;

/// Seconds on a scale that only serves to compare stamps of one file (the year may be unknown).
/// `day_cache` holds the last (year, month, day) and its day number: consecutive lines share it.
fn comparable_seconds(
    stamp: &Stamp,
    turns: u32,
    day_cache: &mut Option<((i32, u32, u32), i64)>,
) -> i64 {
    let year = stamp.year.unwrap_or(2000 + turns as i32);
    let key = (year, stamp.month, stamp.day);
    let days = match *day_cache {
        Some((cached, days)) if cached == key => days,
        _ => {
            let days = chrono::NaiveDate::from_ymd_opt(year, stamp.month, stamp.day.clamp(1, 28))
                .map(|date| {
                    date.num_days_from_ce() as i64 + i64::from(stamp.day.saturating_sub(28))
                })
                .unwrap_or(0);
            *day_cache = Some((key, days));
            days
        }
    };
    days * 86_400 + i64::from(stamp.hour * 3600 + stamp.minute * 60 + stamp.second)
        - i64::from(stamp.offset_s.unwrap_or(0))
}

/// Reads one file's events in file order.
pub trait EventReader {
    /// The next event, or None at the end (read errors end the file with a warning in `stats`).
    fn next_event(&mut self) -> Option<Event>;
    fn stats(&self) -> &FileStats;
}

/// A log kind esc-diag reads.
pub trait Source: Sync {
    /// Short name (messages, escmanager, ...), also the name classifier tables refer to.
    fn name(&self) -> &'static str;
    /// Whether this source reads the file at this path (relative to the node directory, or a bare
    /// file's name).
    fn claims(&self, relative: &str) -> bool;
    /// Opens the file for reading.
    fn open<'a>(
        &self,
        file: &NodeFile,
        context: ReadContext<'a>,
    ) -> std::io::Result<Box<dyn EventReader + 'a>>;
}

/// Every source, most specific first: the first that claims a file reads it.
pub static SOURCES: &[&dyn Source] = &[
    &keepalived_state::KeepalivedState,
    &keepalived_conf::KeepalivedConf,
    &drbd_status::DrbdStatus,
    &escmanager::Escmanager,
    &escadm::Escadm,
    &messages::Messages,
];

/// The source that reads a file, if any (configuration files and most command captures are not
/// timeline sources).
pub fn source_for(relative: &str) -> Option<&'static dyn Source> {
    SOURCES
        .iter()
        .copied()
        .find(|source| source.claims(relative))
}

/// Whether `relative` is `directory/NAME` (or a bare `NAME`) with NAME starting with one of
/// `prefixes`.
pub fn path_matches(relative: &str, directories: &[&str], prefixes: &[&str]) -> bool {
    let (directory, name) = match relative.rsplit_once('/') {
        Some((directory, name)) => (Some(directory), name),
        None => (None, relative),
    };
    let directory_ok = match directory {
        Some(directory) => directories.contains(&directory),
        None => true,
    };
    directory_ok && prefixes.iter().any(|prefix| name.starts_with(prefix))
}

/// A stamp for an instant known in UTC (file times, collection times).
pub fn stamp_from_utc(time: DateTime<Utc>) -> Stamp {
    Stamp {
        year: Some(time.year()),
        month: time.month(),
        day: time.day(),
        hour: time.hour(),
        minute: time.minute(),
        second: time.second(),
        nanos: time.nanosecond().min(999_999_999),
        // As many digits as the instant needs (0, 3, 6 or 9).
        fraction_digits: match time.nanosecond() {
            0 => 0,
            nanos if nanos % 1_000_000 == 0 => 3,
            nanos if nanos % 1_000 == 0 => 6,
            _ => 9,
        },
        offset_s: Some(0),
    }
}

/// Per-file bookkeeping shared by the line-based readers: counts, warnings, year turns and the
/// stamp a line without one inherits.
pub struct LineBook {
    pub stats: FileStats,
    last_stamp: Option<Stamp>,
    last_yearless_ordinal: Option<u32>,
    warned_binary: bool,
    warned_month_cut: bool,
    /// The comparable seconds of the last activity span's end.
    activity_end_seconds: i64,
    day_cache: Option<((i32, u32, u32), i64)>,
    /// The entry of `stats.hosts` the last line counted under.
    current_host: usize,
    /// Activity spans of all hosts together (bounded as one file's are).
    host_spans: usize,
    node: Arc<str>,
    file: Arc<str>,
    done: bool,
}

/// Extends a list of activity spans with a line at `here` (`now` in comparable seconds, the
/// list's last end in `end_seconds`): the last span grows, or after a silence a new one begins
/// (unless the list is `full`: then the last span absorbs it).
fn extend_activity(
    activity: &mut Vec<ActivitySpan>,
    end_seconds: &mut i64,
    here: (Stamp, u32),
    now: i64,
    full: bool,
) {
    match activity.last_mut() {
        Some((_, end)) if full || now - *end_seconds <= ACTIVITY_GAP_S => {
            if now >= *end_seconds {
                *end = here;
                *end_seconds = now;
            }
        }
        _ => {
            activity.push((here, here));
            *end_seconds = now;
        }
    }
}

/// A line's time as the book settled it: its stamp (or the inherited one), whether inherited,
/// and the year turns before it.
#[derive(Debug, Clone, Copy)]
pub struct LineTime {
    pub stamp: Option<Stamp>,
    pub inferred: bool,
    pub year_turns: u32,
}

impl LineBook {
    pub fn new(context: &ReadContext) -> LineBook {
        let mut book = LineBook {
            stats: FileStats::default(),
            last_stamp: None,
            last_yearless_ordinal: None,
            warned_binary: false,
            warned_month_cut: false,
            activity_end_seconds: 0,
            day_cache: None,
            current_host: 0,
            host_spans: 0,
            node: context.node.clone(),
            file: context.file.clone(),
            done: false,
        };
        if context.tailed_by_sos {
            book.warn(
                None,
                "sos kept only the newest part of this file (its `.tailed` copy, cut at sos' size \
                 limit): nothing older than its first line is in it"
                    .to_string(),
            );
        }
        book
    }

    fn warn(&mut self, line: Option<u64>, message: String) {
        self.stats
            .warnings
            .push(Warning::at(&self.node, &self.file, line, message));
    }

    /// Reads the next physical line into `text` (whose memory is reused), recording read errors,
    /// overlong lines and binary data. Returns (number, offset) or None at the end.
    pub fn next_line_into(
        &mut self,
        reader: &mut LineReader,
        text: &mut String,
    ) -> Option<(u64, u64)> {
        text.clear();
        let (number, offset, line) = self.next_line_lent(reader)?;
        text.push_str(&line);
        Some((number, offset))
    }

    /// Like [`LineBook::next_line_into`], with the text lent by the reader (copied only where
    /// it is not UTF-8).
    pub fn next_line_lent<'reader>(
        &mut self,
        reader: &'reader mut LineReader,
    ) -> Option<(u64, u64, Cow<'reader, str>)> {
        if self.done {
            return None;
        }
        let gzip = reader.gzip;
        let next = reader.next_line();
        match next {
            Ok(Some(line)) => {
                let (number, offset, skipped, nul) =
                    (line.number, line.offset, line.skipped_bytes, line.has_nul());
                let mut text = match line.as_str() {
                    Some(valid) => Cow::Borrowed(valid),
                    None => Cow::Owned(String::from_utf8_lossy(line.bytes).into_owned()),
                };
                // No-break spaces where a web page kept a log's runs of spaces (`Jan&nbsp; 5`),
                // copied with the page: read as the spaces they stand for.
                if !line.is_known_ascii() && text.contains('\u{a0}') {
                    text = Cow::Owned(text.replace('\u{a0}', " "));
                }
                self.stats.lines += 1;
                if skipped > 0 {
                    self.warn(
                        Some(number),
                        format!(
                            "line is {} bytes long; its first {} bytes are kept and the rest skipped",
                            skipped + MAX_LINE_BYTES as u64,
                            MAX_LINE_BYTES
                        ),
                    );
                }
                if nul && !self.warned_binary {
                    self.warned_binary = true;
                    self.warn(
                        Some(number),
                        "holds binary data (NUL bytes) from this line on; such lines are kept as unrecognised".to_string(),
                    );
                }
                Some((number, offset, text))
            }
            Ok(None) => {
                self.done = true;
                None
            }
            Err(error) => {
                self.done = true;
                self.stats.truncated = true;
                let after = self.stats.lines;
                let what = if gzip {
                    "truncated or corrupt gzip"
                } else {
                    "read error"
                };
                self.warn(
                    Some(after + 1),
                    format!("{what} after line {after}: {error}; the lines before it are kept"),
                );
                None
            }
        }
    }

    /// Says (at the first such line of the file) that a stamp's month was read from the letters
    /// a paste left of it.
    pub fn note_month_cut(&mut self, line: u64, envelope: &Envelope) {
        if self.warned_month_cut || !envelope.month_cut {
            return;
        }
        self.warned_month_cut = true;
        let Some(stamp) = envelope.stamp else {
            return;
        };
        let month = chrono::Month::try_from(stamp.month as u8)
            .map_or("?", |month| month.name())
            .get(..3)
            .unwrap_or("?");
        self.warn(
            Some(line),
            format!(
                "the stamp lost the start of its month's name (a cut paste); read as {month} {}, \
                 the only month ending in the letters left",
                stamp.day
            ),
        );
    }

    /// Keeps the moment a pasted `systemctl status` was taken, when `line` is its `Active:` line
    /// or a journal header with an end, and the zone such a line or a journal header names.
    pub fn note_status_moment(&mut self, line: &str, number: u64) {
        let moment = envelope::status_moment(line).or_else(|| envelope::journal_end_moment(line));
        if let Some(moment) = moment {
            self.stats.status_moment = self.stats.status_moment.max(Some(moment));
        } else if let Some(begin) = envelope::journal_begin_moment(line) {
            self.stats.journal_begin = Some(
                self.stats
                    .journal_begin
                    .map_or(begin, |known| known.min(begin)),
            );
        }
        // A journal header that names no end still names the zone of the lines under it.
        if self.stats.stated_zone.is_none()
            && (moment.is_some() || line.contains("-- "))
            && let Some(zone) = envelope::stated_zone(line)
        {
            self.stats.stated_zone = Some((zone.to_string(), number));
        }
    }

    fn record_activity(&mut self, stamp: Stamp) {
        let here = (stamp, self.stats.year_turns);
        if self.stats.first_stamp.is_none() {
            self.stats.first_stamp = Some(here);
        }
        let now = comparable_seconds(&stamp, self.stats.year_turns, &mut self.day_cache);
        let full = self.stats.activity.len() >= MAX_ACTIVITY_SPANS;
        extend_activity(
            &mut self.stats.activity,
            &mut self.activity_end_seconds,
            here,
            now,
            full,
        );
    }

    /// Counts line `number` under the syslog host it names (`time`: as [`LineBook::time`]
    /// settled it), and where it has a stamp of its own, extends that host's activity.
    pub fn note_host(&mut self, number: u64, host: Option<&str>, time: &LineTime) {
        let hosts = &mut self.stats.hosts;
        let same = |entry: &HostLines| entry.host.as_deref() == host;
        let index = match hosts.get(self.current_host) {
            Some(entry) if same(entry) => self.current_host,
            _ => match hosts.iter().position(same) {
                Some(index) => index,
                None if hosts.len() < MAX_HOSTS_COVERED => {
                    hosts.push(HostLines {
                        host: host.map(Arc::from),
                        ..HostLines::default()
                    });
                    hosts.len() - 1
                }
                // Past the limit: counted with the lines that name no host.
                None => match hosts.iter().position(|entry| entry.host.is_none()) {
                    Some(index) => index,
                    None => return,
                },
            },
        };
        self.current_host = index;
        let entry = &mut hosts[index];
        if entry.lines == 0 {
            entry.first_line = number;
        }
        entry.last_line = number;
        entry.lines += 1;
        let Some(stamp) = time.stamp.filter(|_| !time.inferred) else {
            return;
        };
        let here = (stamp, time.year_turns);
        if entry.first_stamp.is_none() {
            entry.first_stamp = Some(here);
        }
        entry.last_stamp = Some(here);
        let now = comparable_seconds(&stamp, time.year_turns, &mut self.day_cache);
        let full = self.host_spans >= MAX_ACTIVITY_SPANS;
        let before = entry.activity.len();
        extend_activity(
            &mut entry.activity,
            &mut entry.activity_end_seconds,
            here,
            now,
            full,
        );
        self.host_spans += entry.activity.len() - before;
    }

    /// A time of day dated by the previous stamped line, when it is not earlier than that line's.
    #[cold]
    fn dated_clock(&self, clock: envelope::Clock) -> Option<Stamp> {
        let (hour, minute, second, nanos, fraction_digits) = clock;
        let last = self.last_stamp?;
        ((hour, minute, second, nanos) >= (last.hour, last.minute, last.second, last.nanos))
            .then_some(Stamp {
                hour,
                minute,
                second,
                nanos,
                fraction_digits,
                ..last
            })
    }

    /// Settles a line's time: its own stamp, or the previous line's when it has none. A line
    /// with a time of day but no date (`clock`) takes the previous line's date when its clock is
    /// not earlier than that line's: the two are of one day, in the order written.
    pub fn time(&mut self, stamp: Option<Stamp>, clock: Option<envelope::Clock>) -> LineTime {
        let stamp = match (stamp, clock) {
            (None, Some(clock)) => self.dated_clock(clock),
            _ => stamp,
        };
        match stamp {
            Some(stamp) => {
                if stamp.year.is_none() {
                    self.stats.has_yearless = true;
                    let ordinal = stamp.month * 32 + stamp.day;
                    if let Some(previous) = self.last_yearless_ordinal
                        && previous > ordinal + 5 * 32
                    {
                        self.stats.year_turns += 1;
                    }
                    self.last_yearless_ordinal = Some(ordinal);
                }
                if stamp.offset_s.is_none() {
                    self.stats.has_zoneless = true;
                } else {
                    self.stats.has_zoned = true;
                }
                self.record_activity(stamp);
                self.last_stamp = Some(stamp);
                self.stats.last_stamp = Some((stamp, self.stats.year_turns));
                LineTime {
                    stamp: Some(stamp),
                    inferred: false,
                    year_turns: self.stats.year_turns,
                }
            }
            None => LineTime {
                stamp: self.last_stamp,
                inferred: true,
                year_turns: self.stats.year_turns,
            },
        }
    }
}

/// The parts of an event that come from where it was read.
pub struct Origin<'a> {
    pub context: &'a ReadContext<'a>,
    pub source: &'static str,
    pub line: u64,
    pub offset: u64,
    pub time: LineTime,
}

/// Builds an event from a line, its envelope and what the classifier made of it (None: unrecognised).
pub fn make_event(
    origin: Origin,
    envelope: &Envelope,
    message_start: usize,
    classification: Option<classifier::Classification>,
    text: String,
) -> Event {
    let (kind, event, classifier, fields) = match classification {
        Some(found) => (
            found.row.kind,
            Some(found.row.event.clone()),
            Some(found.row.id.clone()),
            found.fields,
        ),
        None => (EventKind::Unrecognised, None, None, Fields::new()),
    };
    let mut event = Event {
        time: None,
        stamp: origin.time.stamp,
        year_turns: origin.time.year_turns,
        time_inferred: origin.time.inferred,
        collector_clock: false,
        uncertainty_s: None,
        node: origin.context.node.clone(),
        file: origin.context.file.clone(),
        file_index: origin.context.file_index,
        line: origin.line,
        offset: origin.offset,
        kind,
        event,
        classifier,
        source: origin.source,
        host: envelope.host.map(|host| origin.context.names.get(host)),
        program: envelope
            .program
            .map(|program| origin.context.names.get(program)),
        pid: envelope.pid,
        level: envelope
            .level
            .map(|level| origin.context.names.get(level.trim())),
        fields,
        text,
        message_start,
    };
    for (key, value) in &envelope.extra {
        event.fields.insert_if_absent(key, value);
    }
    event
}

/// Where `inner` starts inside `outer`, when it is a slice of it.
pub fn offset_within(outer: &str, inner: &str) -> usize {
    let start = inner.as_ptr() as usize;
    let base = outer.as_ptr() as usize;
    if start >= base && start + inner.len() <= base + outer.len() {
        start - base
    } else {
        0
    }
}

/// A reader over events made up front (state files, command captures).
pub struct ListReader {
    events: std::vec::IntoIter<Event>,
    stats: FileStats,
}

impl ListReader {
    pub fn new(events: Vec<Event>, stats: FileStats) -> ListReader {
        ListReader {
            events: events.into_iter(),
            stats,
        }
    }
}

impl EventReader for ListReader {
    fn next_event(&mut self) -> Option<Event> {
        self.events.next()
    }
    fn stats(&self) -> &FileStats {
        &self.stats
    }
}

/// A fact read from a state file, a capture or the manifest rather than from a log line.
pub struct Fact<'a> {
    pub source: &'static str,
    pub line: u64,
    /// When the fact held, in UTC (file time, collection time).
    pub time: Option<DateTime<Utc>>,
    pub kind: EventKind,
    pub name: &'a str,
    pub fields: BTreeMap<String, String>,
    pub text: String,
}

/// The event of a fact, read in `context`.
pub fn fact_event(context: &ReadContext, fact: Fact) -> Event {
    let Fact {
        source,
        line,
        time,
        kind,
        name,
        fields,
        text,
    } = fact;
    Event {
        time: None,
        stamp: time.map(stamp_from_utc),
        year_turns: 0,
        time_inferred: false,
        collector_clock: false,
        uncertainty_s: None,
        node: context.node.clone(),
        file: context.file.clone(),
        file_index: context.file_index,
        line,
        offset: 0,
        kind,
        event: Some(Arc::from(name)),
        classifier: None,
        source,
        host: None,
        program: None,
        pid: None,
        level: None,
        fields: fields.into(),
        text,
        message_start: 0,
    }
}
