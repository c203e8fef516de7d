//! Evaluating conditions: a subject (a transition, an overlap window or an event) at an instant,
//! the timeline's events and the reconstructed states; events a condition found become evidence.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};

use super::condition::{self, Expr, Op};
use super::model::SubjectKind;
use crate::sources::envelope::SHELL_PROGRAM;
use crate::sources::envelope::seconds_since_boot;
use crate::sources::{Event, events};
use crate::timeline::Timeline;
use crate::timeline::align::offset_duration;
use crate::timeline::state::{BlindInterval, Interval, Role, States};

/// A value of the condition language.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'v> {
    Null,
    Bool(bool),
    Number(f64),
    /// Borrowed from the rule or the event where it can be.
    Str(Cow<'v, str>),
    List(Vec<Value<'v>>),
}

impl Value<'_> {
    pub fn truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(value) => *value,
            Value::Number(value) => *value != 0.0,
            Value::Str(text) => !text.is_empty(),
            Value::List(items) => !items.is_empty(),
        }
    }

    fn number(&self) -> Option<f64> {
        match self {
            Value::Number(value) => Some(*value),
            Value::Str(text) => text.trim().parse().ok(),
            _ => None,
        }
    }
}

fn compare(left: &Value, op: Op, right: &Value) -> bool {
    if op == Op::In {
        return match right {
            Value::List(items) => items.iter().any(|item| compare(left, Op::Equal, item)),
            Value::Str(text) => matches!(left, Value::Str(inner) if text.contains(inner.as_ref())),
            _ => false,
        };
    }
    if matches!(left, Value::Null) || matches!(right, Value::Null) {
        return match op {
            Op::Equal => left == right,
            Op::NotEqual => left != right,
            _ => false,
        };
    }
    // Numbers compare as numbers; so do two fields that both hold one where they are ordered
    // (`priority_to < priority_from`: 122 is not below 99).
    let ordering = matches!(
        op,
        Op::Less | Op::LessOrEqual | Op::Greater | Op::GreaterOrEqual
    );
    if let (Some(a), Some(b)) = (left.number(), right.number())
        && (ordering || matches!(left, Value::Number(_)) || matches!(right, Value::Number(_)))
    {
        return match op {
            Op::Equal => a == b,
            Op::NotEqual => a != b,
            Op::Less => a < b,
            Op::LessOrEqual => a <= b,
            Op::Greater => a > b,
            Op::GreaterOrEqual => a >= b,
            Op::In => false,
        };
    }
    let (a, b) = (text_of(left), text_of(right));
    match op {
        Op::Equal => a.eq_ignore_ascii_case(&b),
        Op::NotEqual => !a.eq_ignore_ascii_case(&b),
        Op::Less => a < b,
        Op::LessOrEqual => a <= b,
        Op::Greater => a > b,
        Op::GreaterOrEqual => a >= b,
        Op::In => false,
    }
}

fn text_of<'t>(value: &'t Value) -> Cow<'t, str> {
    match value {
        Value::Null => Cow::Borrowed(""),
        Value::Bool(value) => Cow::Owned(value.to_string()),
        Value::Number(value) => Cow::Owned(value.to_string()),
        Value::Str(text) => Cow::Borrowed(text.as_ref()),
        Value::List(items) => Cow::Owned(
            items
                .iter()
                .map(|item| text_of(item).into_owned())
                .collect::<Vec<_>>()
                .join(","),
        ),
    }
}

/// What a rule is looking at.
#[derive(Debug, Clone)]
pub struct Subject {
    pub kind: SubjectKind,
    pub node: String,
    pub time: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    pub instance: Option<String>,
    pub from: Option<Role>,
    pub to: Option<Role>,
    /// The event (timeline index) for event subjects and transitions.
    pub event: Option<usize>,
    /// For a transition read from undated lines: the lines of its file between which order
    /// relates other lines to it (those of the instance's transitions before and after it).
    pub order_bounds: Option<(u64, u64)>,
    /// Where more than two nodes' logs are given, the one other node the subject is about (`peer`
    /// in conditions and templates): for a window of two masters, the other master; for a
    /// takeover, the one other node MASTER just before it; for a yield, the one other node
    /// MASTER as it yields. Otherwise `peer` is every other node.
    pub counterpart: Option<String>,
}

/// The timeline and states, indexed for evaluation.
pub struct Facts<'a> {
    pub timeline: &'a Timeline,
    pub states: &'a States,
    /// Per node, event indices in time order.
    by_node: BTreeMap<&'a str, Vec<usize>>,
    /// Per node and file, the undated events (in the order of their lines): for an undated
    /// subject, the order of its file's lines is all that places other lines before or after it.
    undated_by_file: BTreeMap<(&'a str, &'a str), Vec<usize>>,
    /// Undated events that open with the kernel's seconds since boot (dmesg): the boot of their
    /// file they belong to (counted from 0; a new one where the seconds go back or the node
    /// boots) and those seconds. Between two lines of one boot, they measure how far apart the
    /// lines were.
    boot_clock: HashMap<usize, (u32, f64)>,
    /// Which events match a filter that depends on the event only, per filter, node and subject
    /// instance, worked out one chunk of the node's events at a time when a busy window first
    /// asks: many subjects (a flapping instance) ask the same filters of overlapping windows, and
    /// each event is then tried once per filter instead of once per subject.
    chunk_matches: RefCell<HashMap<FilterOnNode, Vec<Option<Vec<u32>>>>>,
    /// The first dated line of the input: a node's missing logs from then on (its logs begin
    /// later) are missing before it too.
    span_start: Option<DateTime<Utc>>,
    /// For each file that holds a shell prompt (`filtered`, `typed`): its prompts and its events
    /// by line, and its stamped lines (not lines that carry the time of the line before them) by
    /// time with the greatest line so far: a prompt has no time, only its place among the file's
    /// lines.
    prompt_files: BTreeMap<(&'a str, &'a str), PromptFile>,
}

/// A file with shell prompts pasted among its lines (see `Facts::prompt_files`).
#[derive(Default)]
struct PromptFile {
    /// Its prompts, by line.
    prompts: Vec<usize>,
    by_line: Vec<(u64, usize)>,
    stamped: Vec<(DateTime<Utc>, u64)>,
}

impl PromptFile {
    /// Its prompts before a line, in the order of their lines.
    fn before<'p>(&'p self, events: &'p [Event], line: u64) -> impl Iterator<Item = usize> + 'p {
        self.prompts
            .iter()
            .copied()
            .take_while(move |index| events[*index].line < line)
    }
}

/// A filter (by its place in the rule set) asked of one node's events for one subject instance.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct FilterOnNode {
    filter: usize,
    /// Only the filter's conjuncts that depend on the event alone (see [`event_only_part`]).
    event_only_part: bool,
    node: String,
    instance: Option<String>,
}

/// How many events before a 1.x MASTER entry `begun_line` looks through for its transition.
const BEGUN_LOOKBACK: usize = 256;

/// How long after a change of state its own lines go on (VIPs set, gratuitous ARPs sent again
/// after keepalived's default `garp_master_delay` of 5 s), for `adjacent`.
const CHANGE_AFTERMATH_S: i64 = 6;

/// How far from an event the other lines of its moment lie (a stop's `Stopping`, `sent 0
/// priority`, `Stopped`), for `adjacent`.
const MOMENT_S: i64 = 2;

/// A window with more events than this is answered from the chunked match index.
const BUSY_WINDOW: usize = 64;

/// How many of a node's events (in time order) one entry of the match index covers.
const MATCH_CHUNK: usize = 256;

/// Whether a filter's value depends on the event it is asked of only (no `subject.` name but the
/// instance, no function call), so that its answers hold for every subject of that instance.
fn event_only(expr: &Expr) -> bool {
    match expr {
        Expr::Bool(_) | Expr::Number(_) | Expr::Duration(_) | Expr::Str(_) => true,
        // The subject's instance is part of the question asked; how many lines an event is from
        // the subject's line is not.
        Expr::Name(name) => {
            name != "lines_from_subject"
                && (!name.starts_with("subject.") || name == "subject.instance")
        }
        Expr::List(items) | Expr::And(items) | Expr::Or(items) => items.iter().all(event_only),
        Expr::Not(inner) => event_only(inner),
        Expr::Compare(left, _, right) => event_only(left) && event_only(right),
        Expr::Call(..) => false,
    }
}

/// A filter `A and B and ...` some of whose conjuncts depend on the event only and the others
/// name the subject but call no function (`kind == "drbd" and line > subject.line`): the two
/// lists. Such a filter's value is that of every conjunct, in any order, so the first list can be
/// answered from the match index. None for any other filter.
fn event_only_part(expr: &Expr) -> Option<(Vec<&Expr>, Vec<&Expr>)> {
    let Expr::And(items) = expr else {
        return None;
    };
    let (part, rest): (Vec<&Expr>, Vec<&Expr>) = items.iter().partition(|item| event_only(item));
    (!part.is_empty() && rest.iter().all(|item| !calls_a_function(item))).then_some((part, rest))
}

/// Whether an expression calls a function (whose value may depend on more than the event and the
/// subject, and which may cite evidence).
fn calls_a_function(expr: &Expr) -> bool {
    match expr {
        Expr::Bool(_) | Expr::Number(_) | Expr::Duration(_) | Expr::Str(_) | Expr::Name(_) => false,
        Expr::List(items) | Expr::And(items) | Expr::Or(items) => {
            items.iter().any(calls_a_function)
        }
        Expr::Not(inner) => calls_a_function(inner),
        Expr::Compare(left, _, right) => calls_a_function(left) || calls_a_function(right),
        Expr::Call(..) => true,
    }
}

impl<'a> Facts<'a> {
    pub fn new(timeline: &'a Timeline, states: &'a States) -> Facts<'a> {
        let mut by_node: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        let mut undated_by_file: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
        let mut prompts = Vec::new();
        for (index, event) in timeline.events.iter().enumerate() {
            if event.program.as_deref() == Some(SHELL_PROGRAM) {
                prompts.push(index);
            }
            if event.time.is_some() {
                by_node.entry(event.node.as_ref()).or_default().push(index);
            } else {
                undated_by_file
                    .entry((event.node.as_ref(), event.file.as_ref()))
                    .or_default()
                    .push(index);
            }
        }
        let mut boot_clock = HashMap::new();
        for indices in undated_by_file.values_mut() {
            indices.sort_by_key(|index| timeline.events[*index].line);
            let mut boot = 0u32;
            let mut latest: Option<f64> = None;
            for &index in indices.iter() {
                let event = &timeline.events[index];
                let seconds = seconds_since_boot(&event.text);
                // Lines of several CPUs may be out of order by microseconds: only a clock gone
                // back by more than a second is another boot.
                if event.event.as_deref() == Some(events::NODE_BOOT)
                    || seconds
                        .zip(latest)
                        .is_some_and(|(seconds, latest)| seconds < latest - BOOT_CLOCK_JITTER_S)
                {
                    boot += 1;
                    latest = None;
                }
                if let Some(seconds) = seconds {
                    boot_clock.insert(index, (boot, seconds));
                    latest = Some(latest.map_or(seconds, |latest: f64| latest.max(seconds)));
                }
            }
        }
        let mut prompt_files: BTreeMap<(&str, &str), PromptFile> = BTreeMap::new();
        for index in &prompts {
            let event = &timeline.events[*index];
            prompt_files
                .entry((event.node.as_ref(), event.file.as_ref()))
                .or_default()
                .prompts
                .push(*index);
        }
        if !prompt_files.is_empty() {
            for (index, event) in timeline.events.iter().enumerate() {
                if let Some(file) =
                    prompt_files.get_mut(&(event.node.as_ref(), event.file.as_ref()))
                {
                    file.by_line.push((event.line, index));
                    if let Some(time) = event.time.filter(|_| !event.time_inferred) {
                        file.stamped.push((time, event.line));
                    }
                }
            }
            for file in prompt_files.values_mut() {
                file.prompts
                    .sort_unstable_by_key(|index| timeline.events[*index].line);
                file.by_line.sort_unstable();
                file.stamped.sort_unstable();
                let mut greatest = 0;
                for (_, line) in &mut file.stamped {
                    greatest = greatest.max(*line);
                    *line = greatest;
                }
            }
        }
        Facts {
            timeline,
            states,
            by_node,
            undated_by_file,
            boot_clock,
            chunk_matches: RefCell::new(HashMap::new()),
            span_start: timeline.first_dated(),
            prompt_files,
        }
    }

    pub fn node_names(&self) -> Vec<&str> {
        self.timeline
            .nodes
            .iter()
            .map(|node| node.name.as_str())
            .collect()
    }

    /// A node's dated events between the two instants, in time order (indices in the timeline).
    pub(super) fn events_between(
        &self,
        node: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> &[usize] {
        let (indices, range) = self.positions_between(node, from, to);
        &indices[range]
    }

    /// The undated events of a node's file, in the order of their lines.
    pub(super) fn undated_of_file<'s>(&'s self, node: &'s str, file: &'s str) -> &'s [usize] {
        self.undated_by_file
            .get(&(node, file))
            .map_or(&[], Vec::as_slice)
    }

    /// The undated events of the file of the undated event at `index` (in the order of their
    /// lines) and its place among them; None for a dated event.
    fn undated_in_file(&self, index: usize) -> Option<(&[usize], usize)> {
        let event = &self.timeline.events[index];
        if event.time.is_some() {
            return None;
        }
        let file_events = self
            .undated_by_file
            .get(&(event.node.as_ref(), event.file.as_ref()))?;
        let position = file_events.iter().position(|other| *other == index)?;
        Some((file_events, position))
    }

    /// The events of the subject's node that follow the event at `index` within moments: its
    /// dated events up to `seconds` later, or for an undated event the next `lines` undated
    /// events of its file (in the order of their lines). The event itself comes first.
    pub(super) fn moment_after(&self, index: usize, seconds: i64, lines: usize) -> Vec<usize> {
        let event = &self.timeline.events[index];
        let mut moment = vec![index];
        match event.time {
            Some(time) => moment.extend(
                self.events_between(&event.node, time, time + Duration::seconds(seconds))
                    .iter()
                    .filter(|other| {
                        let other_event = &self.timeline.events[**other];
                        **other != index
                            && (other_event.time > Some(time)
                                || other_event.file != event.file
                                || other_event.line > event.line)
                    }),
            ),
            None => {
                if let Some((file_events, position)) = self.undated_in_file(index) {
                    moment.extend(file_events.iter().skip(position + 1).take(lines));
                }
            }
        }
        moment
    }

    /// How far the logs go on after the event at `index`: for a dated event, the time from it to
    /// its node's last dated line; for an undated one, how many lines of its file follow it and,
    /// where it and the file's last line carry the kernel's seconds since boot, how far apart
    /// those two are.
    pub(super) fn logs_after(&self, index: usize) -> LogsAfter {
        let event = &self.timeline.events[index];
        if let Some(time) = event.time {
            let last = self
                .timeline
                .coverage_of(&event.node)
                .filter_map(|coverage| coverage.last)
                .max();
            return match last {
                Some(last) => LogsAfter::Seconds(seconds_of(last - time).max(0.0)),
                None => LogsAfter::Unknown,
            };
        }
        let Some(file) = self.timeline.files.iter().find(|file| {
            file.file == event.file.as_ref()
                && file.parts().any(|(node, _)| node == event.node.as_ref())
        }) else {
            return LogsAfter::Unknown;
        };
        // The file's last line with the kernel's clock, against the event's: where it went back,
        // the node booted again in between (long after).
        let own = self.boot_clock.get(&index).map(|(_, seconds)| *seconds);
        LogsAfter::Lines {
            lines: file.lines.saturating_sub(event.line),
            file: event.file.to_string(),
            seconds: own.zip(file.last_boot_seconds).map(|(own, last)| {
                if last >= own {
                    last - own
                } else {
                    f64::INFINITY
                }
            }),
        }
    }

    /// The undated events of the file of the undated event at `index` that come before it, the
    /// nearest first (none for a dated event).
    pub(super) fn undated_before(&self, index: usize) -> impl Iterator<Item = usize> + '_ {
        let before = self
            .undated_in_file(index)
            .map_or(&[][..], |(file_events, position)| &file_events[..position]);
        before.iter().rev().copied()
    }

    /// Whether the node of the event at `index` has a line before it: a dated line of an earlier
    /// instant (after it in a journal printed newest first), or an undated line above it in its
    /// file.
    pub(super) fn line_before(&self, index: usize) -> bool {
        let event = &self.timeline.events[index];
        let line_of = |other: &usize| self.timeline.events[*other].line;
        self.by_node
            .get(event.node.as_ref())
            .and_then(|dated| dated.first())
            .and_then(|first| self.timeline.events[*first].time)
            .zip(event.time)
            .is_some_and(|(first, time)| first < time)
            || self
                .undated_by_file
                .get(&(event.node.as_ref(), event.file.as_ref()))
                .and_then(|undated| undated.first())
                .is_some_and(|first| line_of(first) < event.line)
    }

    /// A node's events in time order, and the positions among them of those between the two
    /// instants.
    fn positions_between(
        &self,
        node: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> (&[usize], std::ops::Range<usize>) {
        let Some(indices) = self.by_node.get(node) else {
            return (&[], 0..0);
        };
        let time = |index: &usize| {
            self.timeline.events[*index]
                .time
                .unwrap_or(DateTime::<Utc>::MIN_UTC)
        };
        let start = indices.partition_point(|index| time(index) < from);
        let end = indices.partition_point(|index| time(index) <= to);
        (indices, start..end.max(start))
    }
}

/// How far a node's logs go on after an event (`Facts::logs_after`).
#[derive(Debug, Clone, PartialEq)]
pub enum LogsAfter {
    /// A dated event: seconds to the node's last dated line.
    Seconds(f64),
    /// An undated event: the lines of its file after it, and where the kernel's seconds since
    /// boot tell, how far after it its file's last line is (infinite where the node booted
    /// again).
    Lines {
        lines: u64,
        file: String,
        seconds: Option<f64>,
    },
    Unknown,
}

/// The result of evaluating a condition: whether it holds and the events it leaned on.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub holds: bool,
    pub evidence: Vec<usize>,
}

struct Evaluator<'f, 'a> {
    facts: &'f Facts<'a>,
    subject: &'f Subject,
    evidence: Vec<usize>,
}

/// Evaluates `expr` for `subject`.
pub fn evaluate(facts: &Facts, subject: &Subject, expr: &Expr) -> Evaluation {
    let mut evaluator = Evaluator {
        facts,
        subject,
        evidence: Vec::new(),
    };
    let holds = evaluator.value(expr, None).truthy();
    evaluator.evidence.sort_unstable();
    evaluator.evidence.dedup();
    Evaluation {
        holds,
        evidence: evaluator.evidence,
    }
}

/// Whether an event matches a predicate (for event subjects' `match`).
pub fn event_matches(facts: &Facts, subject: &Subject, predicate: &Expr, event: usize) -> bool {
    let mut evaluator = Evaluator {
        facts,
        subject,
        evidence: Vec::new(),
    };
    evaluator.value(predicate, Some(event)).truthy()
}

impl<'f, 'a: 'f> Evaluator<'f, 'a> {
    fn value<'e>(&mut self, expr: &'e Expr, event: Option<usize>) -> Value<'e>
    where
        'f: 'e,
    {
        match expr {
            Expr::Bool(value) => Value::Bool(*value),
            Expr::Number(value) | Expr::Duration(value) => Value::Number(*value),
            Expr::Str(text) => Value::Str(Cow::Borrowed(text)),
            Expr::List(items) => {
                Value::List(items.iter().map(|item| self.value(item, event)).collect())
            }
            Expr::Name(name) => self.name(name, event),
            // Evidence is what made the condition hold: nothing found under a negation, nor in
            // an alternative that failed.
            Expr::Not(inner) => {
                let kept = self.evidence.len();
                let value = self.value(inner, event).truthy();
                self.evidence.truncate(kept);
                Value::Bool(!value)
            }
            Expr::And(items) => {
                Value::Bool(items.iter().all(|item| self.value(item, event).truthy()))
            }
            Expr::Or(items) => Value::Bool(items.iter().any(|item| {
                let kept = self.evidence.len();
                let holds = self.value(item, event).truthy();
                if !holds {
                    self.evidence.truncate(kept);
                }
                holds
            })),
            Expr::Compare(left, op, right) => {
                let left = self.value(left, event);
                let right = self.value(right, event);
                Value::Bool(compare(&left, *op, &right))
            }
            Expr::Call(function, arguments) => self.call(function, arguments, event),
        }
    }

    fn subject_name(&self, name: &str) -> Value<'f> {
        let subject = self.subject;
        let text =
            |value: Option<&'f str>| value.map_or(Value::Null, |text| Value::Str(text.into()));
        match name {
            "node" => Value::Str(Cow::Borrowed(&subject.node)),
            "instance" => text(subject.instance.as_deref()),
            "from" => text(subject.from.map(Role::name)),
            "to" => text(subject.to.map(Role::name)),
            "subject" => Value::Str(Cow::Borrowed(subject.kind.name())),
            "duration" => subject.end.map_or(Value::Null, |end| {
                Value::Number((end - subject.time).num_milliseconds() as f64 / 1000.0)
            }),
            "open" => Value::Bool(subject.end.is_none() && subject.kind == SubjectKind::Overlap),
            "nodes" => Value::Number(self.facts.timeline.nodes.len() as f64),
            "begun_line" => match subject.event {
                Some(index) => Value::Number(self.begun_line(index) as f64),
                None => Value::Null,
            },
            _ => match subject.event {
                Some(index) => event_name(&self.facts.timeline.events[index], name),
                None => Value::Null,
            },
        }
    }

    /// The line that began the subject's change: for a 1.x MASTER entry, the `Transition to
    /// MASTER STATE` of its instance just before it (same file, within 5 s, no other state line
    /// of the instance between); else the subject's own line.
    fn begun_line(&self, index: usize) -> u64 {
        self.facts.timeline.events[self.begun_event(index)].line
    }

    /// The event of [`Self::begun_line`] (timeline index).
    fn begun_event(&self, index: usize) -> usize {
        let events = &self.facts.timeline.events;
        let entry = &events[index];
        if entry.event.as_deref() != Some(events::ENTERING_STATE)
            || entry.field("state") != Some("MASTER")
        {
            return index;
        }
        let instance = entry.field("instance");
        // The events of those seconds, of any node: a transition is a line or two before its
        // entry (undated, the lines of its file before it, read up to a bound).
        (0..index)
            .rev()
            .take(BEGUN_LOOKBACK)
            .take_while(|earlier| match (events[*earlier].time, entry.time) {
                (Some(at), Some(time)) => time - at <= Duration::seconds(5),
                _ => true,
            })
            .filter(|earlier| {
                let earlier = &events[*earlier];
                earlier.node == entry.node
                    && earlier.file == entry.file
                    && earlier.line < entry.line
                    && earlier.field("instance") == instance
            })
            .find(|earlier| {
                matches!(
                    events[*earlier].event.as_deref(),
                    Some(events::ENTERING_STATE | events::TRANSITION_TO_MASTER)
                )
            })
            .filter(|earlier| {
                events[*earlier].event.as_deref() == Some(events::TRANSITION_TO_MASTER)
            })
            .unwrap_or(index)
    }

    /// Whether no line of the subject's node or of the event's lies between the event at `index`
    /// and the subject's change (from `begun`, the time of the line that began it), so that
    /// clocks that disagree may have put one moment apart (never where a collection measured both
    /// nodes' clocks). The lines of the subject's change (up to [`CHANGE_AFTERMATH_S`] after it:
    /// its VIPs, gratuitous ARPs sent again) and those of the event's own moment (within
    /// [`MOMENT_S`] of it: a stop's other lines) do not count.
    fn nothing_between(&self, index: usize, begun: DateTime<Utc>) -> bool {
        let events = &self.facts.timeline.events;
        let event = &events[index];
        let Some(at) = event.time else {
            return false;
        };
        let subject = self.subject;
        // Clocks measured at collection are on one clock already.
        let measured = |name: &str| {
            self.facts
                .timeline
                .nodes
                .iter()
                .any(|node| node.name == name && node.clock_offset_s.is_some())
        };
        if measured(&subject.node) && measured(&event.node) {
            return false;
        }
        let moment = Duration::seconds(MOMENT_S);
        let (from, to) = if at < begun {
            (at, begun)
        } else {
            (subject.time, at)
        };
        let change = begun..=shifted(subject.time, Duration::seconds(CHANGE_AFTERMATH_S));
        let own_moment = |time: DateTime<Utc>| (time - at).abs() <= moment;
        [subject.node.as_str(), event.node.as_ref()]
            .into_iter()
            .all(|node| {
                self.own_events(node, from, to).all(|other| {
                    let Some(time) = other.time else {
                        return true;
                    };
                    time == from
                        || time == to
                        || (node == subject.node && change.contains(&time))
                        || (node == event.node.as_ref() && own_moment(time))
                })
            })
    }

    fn name(&self, name: &str, event: Option<usize>) -> Value<'f> {
        if let Some(rest) = name.strip_prefix("subject.") {
            return self.subject_name(rest);
        }
        match event {
            Some(index) if name == "lines_from_subject" => self.lines_from_subject(index),
            Some(index) => event_name(&self.facts.timeline.events[index], name),
            None => self.subject_name(name),
        }
    }

    /// How many lines of its file an event is from the subject's line, before or after it (0 for
    /// the subject's own line); null for an event of another file, or a subject without a line.
    /// Two lines a kernel writes together (a socket closed, then the state it left) are a few
    /// lines apart whatever their stamps, or where they have none.
    fn lines_from_subject(&self, index: usize) -> Value<'f> {
        let events = &self.facts.timeline.events;
        let Some(subject) = self.subject.event.map(|subject| &events[subject]) else {
            return Value::Null;
        };
        let event = &events[index];
        if event.node != subject.node || event.file != subject.file {
            return Value::Null;
        }
        Value::Number(event.line.abs_diff(subject.line) as f64)
    }

    fn who(&self, expr: &Expr) -> Vec<String> {
        let name = match expr {
            Expr::Name(name) => name.as_str(),
            _ => "",
        };
        let nodes = self.facts.node_names();
        match name {
            "self" => vec![self.subject.node.clone()],
            "peer" if self.subject.counterpart.is_some() => {
                self.subject.counterpart.iter().cloned().collect()
            }
            "peer" => nodes
                .into_iter()
                .filter(|node| *node != self.subject.node)
                .map(str::to_string)
                .collect(),
            "any" => nodes.into_iter().map(str::to_string).collect(),
            other => nodes
                .into_iter()
                .filter(|node| *node == other)
                .map(str::to_string)
                .collect(),
        }
    }

    /// The subject's instant shifted by an offset argument (saturating at the ends of time: an
    /// undated subject sits at the earliest instant).
    fn at(&mut self, expr: &Expr) -> DateTime<Utc> {
        let offset = self.offset(expr);
        shifted(self.subject.time, offset)
    }

    fn offset(&mut self, expr: &Expr) -> Duration {
        match self.value(expr, None) {
            Value::Number(seconds) => offset_duration(seconds),
            _ => Duration::zero(),
        }
    }

    /// The events of `who` between the two instants for which the filter holds, in order; with a
    /// `limit`, only the first that many (what `seen` keeps), so that a busy instant costs no
    /// more than it needs.
    fn matching(&mut self, arguments: &[Expr], limit: Option<usize>) -> Vec<usize> {
        if let Some(subject) = self.undated_subject() {
            return self.matching_by_line(subject, arguments, limit);
        }
        let nodes = self.who(&arguments[0]);
        let from = self.at(&arguments[2]);
        let to = self.at(&arguments[3]);
        let facts = self.facts;
        // Per node, its events in time order and the positions of the window's among them.
        let windows: Vec<(&String, &[usize], std::ops::Range<usize>)> = nodes
            .iter()
            .map(|node| {
                let (indices, range) = facts.positions_between(node, from, to);
                (node, indices, range)
            })
            .collect();
        let busy = windows
            .iter()
            .map(|(_, _, range)| range.len())
            .sum::<usize>()
            > BUSY_WINDOW;
        if busy && event_only(&arguments[1]) {
            self.indexed(&windows, &arguments[1], limit)
        } else if busy && let Some((part, rest)) = event_only_part(&arguments[1]) {
            self.indexed_then_scanned(&windows, &arguments[1], &part, &rest, limit)
        } else {
            self.scan(&windows, &arguments[1], limit)
        }
    }

    /// The subject's event when it has no time (a line of a file without stamps).
    fn undated_subject(&self) -> Option<usize> {
        self.subject
            .event
            .filter(|index| self.facts.timeline.events[*index].time.is_none())
    }

    /// `matching` for an undated subject: the undated events of its own file, placed by their
    /// lines alone. A window that reaches before the subject takes every earlier line, one that
    /// reaches after it every later line (how far apart they were is not known); other files'
    /// and other nodes' events have no known place relative to it and are never found.
    fn matching_by_line(
        &mut self,
        subject: usize,
        arguments: &[Expr],
        limit: Option<usize>,
    ) -> Vec<usize> {
        let nodes = self.who(&arguments[0]);
        let (from, to) = (self.offset(&arguments[2]), self.offset(&arguments[3]));
        let facts = self.facts;
        let event = &facts.timeline.events[subject];
        if !nodes
            .iter()
            .any(|node| node.as_str() == event.node.as_ref())
        {
            return Vec::new();
        }
        let Some(indices) = facts
            .undated_by_file
            .get(&(event.node.as_ref(), event.file.as_ref()))
        else {
            return Vec::new();
        };
        let (after, before) = self.subject.order_bounds.unwrap_or((0, u64::MAX));
        let subject_clock = facts.boot_clock.get(&subject).copied();
        let mut found = Vec::new();
        for &index in indices {
            let line = facts.timeline.events[index].line;
            // Two lines of one boot are as far apart as the kernel's clock says. A reboot
            // between two lines puts them an unknown time apart, in kernels that knew nothing of
            // each other: a line of another boot is never moments away.
            let clocks = subject_clock.zip(facts.boot_clock.get(&index).copied());
            if clocks.is_some_and(|((boot, _), (other_boot, _))| boot != other_boot) {
                continue;
            }
            let placed = match clocks.map(|((_, seconds), (_, other))| other - seconds) {
                Some(apart) => apart >= seconds_of(from) && apart <= seconds_of(to),
                None if line < after || line >= before => false,
                None => match line.cmp(&event.line) {
                    std::cmp::Ordering::Less => from < Duration::zero(),
                    std::cmp::Ordering::Equal => from <= Duration::zero() && to >= Duration::zero(),
                    std::cmp::Ordering::Greater => to > Duration::zero(),
                },
            };
            if !placed {
                continue;
            }
            if limit.is_some_and(|limit| found.len() >= limit) {
                break;
            }
            if self.candidate_matches(&arguments[1], index) {
                found.push(index);
            }
        }
        found
    }

    /// What `scan` finds, from the chunked match index: the chunks the window touches are worked
    /// out once per filter, node and instance, then each window only picks its positions.
    fn indexed(
        &mut self,
        windows: &[(&String, &[usize], std::ops::Range<usize>)],
        filter: &Expr,
        limit: Option<usize>,
    ) -> Vec<usize> {
        let mut found = Vec::new();
        for (node, indices, range) in windows {
            for index in self.indexed_in_window(node, indices, range, filter, None) {
                if limit.is_some_and(|limit| found.len() >= limit) {
                    return found;
                }
                found.push(index);
            }
        }
        found
    }

    /// What `scan` finds for a filter of conjuncts of which only some depend on the event alone
    /// (`part`; the others, `rest`, name the subject too and call no function): the window's
    /// events that pass `part`, from the chunked match index, then tried against `rest` one by
    /// one as `scan` tries them.
    fn indexed_then_scanned(
        &mut self,
        windows: &[(&String, &[usize], std::ops::Range<usize>)],
        filter: &Expr,
        part: &[&Expr],
        rest: &[&Expr],
        limit: Option<usize>,
    ) -> Vec<usize> {
        let mut found: Vec<usize> = Vec::new();
        for (node, indices, range) in windows {
            for index in self.indexed_in_window(node, indices, range, filter, Some(part)) {
                if limit.is_some_and(|limit| found.len() >= limit) {
                    return found;
                }
                if !(limit.is_some() && self.repeats_found(&found, index))
                    && rest
                        .iter()
                        .all(|conjunct| self.value(conjunct, Some(index)).truthy())
                {
                    found.push(index);
                }
            }
        }
        found
    }

    /// The events of one node's window that are of the subject's instance and pass `filter`, or
    /// every one of `part` (its conjuncts that depend on the event alone), in time order, from
    /// the chunked match index (chunks not worked out yet are, and kept).
    fn indexed_in_window(
        &mut self,
        node: &str,
        indices: &[usize],
        range: &std::ops::Range<usize>,
        filter: &Expr,
        part: Option<&[&Expr]>,
    ) -> Vec<usize> {
        if range.is_empty() {
            return Vec::new();
        }
        let whole = [filter];
        let conjuncts = part.unwrap_or(&whole);
        let key = FilterOnNode {
            filter: std::ptr::from_ref(filter) as usize,
            event_only_part: part.is_some(),
            node: node.to_string(),
            instance: self.subject.instance.clone(),
        };
        let chunks = range.start / MATCH_CHUNK..=(range.end - 1) / MATCH_CHUNK;
        // The chunks not worked out yet (the filter runs outside the index's borrow).
        let missing: Vec<usize> = {
            let index = self.facts.chunk_matches.borrow();
            let known = index.get(&key);
            chunks
                .clone()
                .filter(|chunk| {
                    known
                        .and_then(|known| known.get(*chunk))
                        .is_none_or(Option::is_none)
                })
                .collect()
        };
        if !missing.is_empty() {
            let worked_out: Vec<(usize, Vec<u32>)> = missing
                .into_iter()
                .map(|chunk| {
                    let start = chunk * MATCH_CHUNK;
                    let end = (start + MATCH_CHUNK).min(indices.len());
                    let matched = (start..end)
                        .filter(|&position| {
                            self.candidate_matches_all(conjuncts, indices[position])
                        })
                        .map(|position| (position - start) as u32)
                        .collect();
                    (chunk, matched)
                })
                .collect();
            let mut index = self.facts.chunk_matches.borrow_mut();
            let known = index.entry(key.clone()).or_default();
            for (chunk, matched) in worked_out {
                if known.len() <= chunk {
                    known.resize(chunk + 1, None);
                }
                known[chunk] = Some(matched);
            }
        }
        let index = self.facts.chunk_matches.borrow();
        let known = &index[&key];
        chunks
            .flat_map(|chunk| {
                known[chunk]
                    .as_deref()
                    .unwrap_or_default()
                    .iter()
                    .map(move |offset| chunk * MATCH_CHUNK + *offset as usize)
            })
            .filter(|position| range.contains(position))
            .map(|position| indices[position])
            .collect()
    }

    /// Whether one event passes a filter for this subject: of the subject's instance (when both
    /// name one), and the filter holds for it.
    fn candidate_matches(&mut self, filter: &Expr, index: usize) -> bool {
        self.candidate_matches_all(&[filter], index)
    }

    /// [`Evaluator::candidate_matches`] for every one of `conjuncts`.
    fn candidate_matches_all(&mut self, conjuncts: &[&Expr], index: usize) -> bool {
        let candidate = &self.facts.timeline.events[index];
        if let (Some(instance), Some(other)) = (&self.subject.instance, candidate.field("instance"))
            && instance != other
        {
            return false;
        }
        conjuncts
            .iter()
            .all(|conjunct| self.value(conjunct, Some(index)).truthy())
    }

    /// Whether an event repeats one already found in the same second: the same node, program
    /// and message (a burst of gratuitous ARPs).
    fn repeats_found(&self, found: &[usize], index: usize) -> bool {
        let events = &self.facts.timeline.events;
        found.iter().any(|&earlier| {
            let (earlier, this) = (&events[earlier], &events[index]);
            earlier.node == this.node
                && earlier.time.map(|time| time.timestamp())
                    == this.time.map(|time| time.timestamp())
                && earlier.program == this.program
                && earlier.message() == this.message()
        })
    }

    /// The window's events tried one by one. With a limit (evidence, not a count), a line that
    /// repeats one already found in the same second (the same node, program and message: a
    /// burst of gratuitous ARPs) is not taken again, so the limit holds lines that say different
    /// things; a line repeated over seconds still shows how long it went on.
    fn scan(
        &mut self,
        windows: &[(&String, &[usize], std::ops::Range<usize>)],
        filter: &Expr,
        limit: Option<usize>,
    ) -> Vec<usize> {
        let mut found: Vec<usize> = Vec::new();
        for (_, indices, range) in windows {
            for &index in &indices[range.clone()] {
                if limit.is_some_and(|limit| found.len() >= limit) {
                    return found;
                }
                let repeats = limit.is_some() && self.repeats_found(&found, index);
                if !repeats && self.candidate_matches(filter, index) {
                    found.push(index);
                }
            }
        }
        found
    }

    fn call(&mut self, function: &str, arguments: &[Expr], event: Option<usize>) -> Value<'f> {
        let _ = event;
        match function {
            "seen" => {
                let found = self.matching(arguments, Some(EVIDENCE_PER_CALL));
                let seen = !found.is_empty();
                self.evidence.extend(found);
                Value::Bool(seen)
            }
            "count" => {
                let found = self.matching(arguments, None);
                let count = found.len();
                self.evidence
                    .extend(found.into_iter().take(EVIDENCE_PER_CALL));
                Value::Number(count as f64)
            }
            "state" if self.undated_subject().is_some() => {
                // Order alone: the subject's own states before and after its line; any other
                // node's state then is not known.
                let own = self.who(&arguments[0]) == [self.subject.node.clone()];
                let role = match (self.subject.from, self.subject.to) {
                    (Some(from), Some(to)) if own => {
                        if self.offset(&arguments[1]) < Duration::zero() {
                            from
                        } else {
                            to
                        }
                    }
                    _ => Role::Unknown,
                };
                Value::Str(Cow::Borrowed(role.name()))
            }
            "state" => {
                let at = self.at(&arguments[1]);
                let roles: Vec<Role> = self
                    .who(&arguments[0])
                    .iter()
                    .filter_map(|node| {
                        // Where a node's logs are missing (before they begin, after they end, a
                        // cut file), what it held is not known, whatever it held around then.
                        if self.unseen_at(node, at) {
                            return None;
                        }
                        self.facts
                            .states
                            .role_at(node, self.subject.instance.as_deref(), at)
                    })
                    .collect();
                let role = roles.iter().copied().min().unwrap_or(Role::Unknown);
                Value::Str(Cow::Borrowed(role.name()))
            }
            "drbd_role" => {
                let at = self.at(&arguments[1]);
                let roles: Vec<String> = self
                    .who(&arguments[0])
                    .iter()
                    .filter_map(|node| self.facts.states.drbd_role_at(node, at).map(str::to_string))
                    .collect();
                // With several nodes, Primary if any is.
                match roles
                    .iter()
                    .find(|role| role.as_str() == "Primary")
                    .or(roles.first())
                {
                    Some(role) => Value::Str(Cow::Owned(role.clone())),
                    None => Value::Null,
                }
            }
            "adjacent" => {
                if self.undated_subject().is_some() {
                    return Value::Bool(false);
                }
                // When the subject's change began (a 1.x entry's Transition line), once.
                let begun = self
                    .subject
                    .event
                    .and_then(|subject| self.facts.timeline.events[self.begun_event(subject)].time)
                    .unwrap_or(self.subject.time);
                let found: Vec<usize> = self
                    .matching(arguments, None)
                    .into_iter()
                    .filter(|index| self.nothing_between(*index, begun))
                    .take(EVIDENCE_PER_CALL)
                    .collect();
                let adjacent = !found.is_empty();
                self.evidence.extend(found);
                Value::Bool(adjacent)
            }
            "restarted_unseen" => {
                if self.undated_subject().is_some() {
                    return Value::Bool(false);
                }
                let before = shifted(self.subject.time, -Duration::milliseconds(1));
                let instance = self.subject.instance.as_deref();
                let restarts: Vec<usize> = self
                    .who(&arguments[0])
                    .iter()
                    .filter_map(|node| {
                        self.facts
                            .states
                            .unseen_restart_at(node, instance, before)
                            .map(|restart| restart.restart_event)
                    })
                    .collect();
                // The new process's start line is the evidence.
                let restarted = !restarts.is_empty();
                self.evidence.extend(restarts);
                Value::Bool(restarted)
            }
            "started_again" => {
                if self.undated_subject().is_some() {
                    return Value::Bool(false);
                }
                // Each node's last start of keepalived after t; none for a node: false.
                let after = shifted(self.subject.time, Duration::milliseconds(1));
                let mut last_starts = Vec::new();
                for node in self.who(&arguments[0]) {
                    let (indices, range) =
                        self.facts
                            .positions_between(&node, after, DateTime::<Utc>::MAX_UTC);
                    // A start line before a line of keepalived's start-up (`Registering
                    // gratuitous ARP shared channel`), which the same start writes later.
                    let starts: Vec<usize> = indices[range]
                        .iter()
                        .copied()
                        .filter(|index| starts_keepalived(&self.facts.timeline.events[*index]))
                        .collect();
                    let initialising = |index: &&usize| {
                        self.facts.timeline.events[**index].event.as_deref()
                            == Some(events::KEEPALIVED_INITIALISING)
                    };
                    let last = starts
                        .iter()
                        .rev()
                        .find(|index| !initialising(index))
                        .or(starts.last());
                    match last {
                        Some(index) => last_starts.push(*index),
                        None => return Value::Bool(false),
                    }
                }
                // And no event of the predicate since it, to the end of the logs.
                for start in &last_starts {
                    let Some(started) = self.facts.timeline.events[*start].time else {
                        return Value::Bool(false);
                    };
                    // (Of several nodes, any one's events since this one's start count.)
                    let since = [
                        arguments[0].clone(),
                        arguments[1].clone(),
                        Expr::Duration(seconds_of(started - self.subject.time)),
                        Expr::Duration(condition::MAX_DURATION_S),
                    ];
                    if !self.matching(&since, Some(1)).is_empty() {
                        return Value::Bool(false);
                    }
                }
                // The new runs' start lines are the evidence.
                self.evidence.extend(last_starts);
                Value::Bool(true)
            }
            "filtered" => {
                let nodes = self.who(&arguments[0]);
                let found = nodes.iter().find_map(|node| self.filtering_prompt(node));
                // The prompt is the evidence.
                self.evidence.extend(found);
                Value::Bool(found.is_some())
            }
            "typed" => {
                let nodes = self.who(&arguments[0]);
                let action = text_of(&self.value(&arguments[1], event)).into_owned();
                let found: Vec<usize> = nodes
                    .iter()
                    .filter_map(|node| self.typed_last(node, &action))
                    .collect();
                self.evidence.extend(&found);
                Value::Bool(!found.is_empty())
            }
            "state_at_line" => {
                let roles: Vec<Role> = self
                    .who(&arguments[0])
                    .iter()
                    .flat_map(|node| self.states_at_line(node))
                    .map(|(_, role)| role)
                    .collect();
                Value::Str(Cow::Borrowed(state_of_several(&roles).name()))
            }
            "released_at_line" => {
                let mut releases = Vec::new();
                let mut released = false;
                for node in self.who(&arguments[0]) {
                    for (instance, role) in self.states_at_line(&node) {
                        if role != Role::Master {
                            continue;
                        }
                        match self.release_before_line(&node, &instance) {
                            Some(release) => {
                                releases.push(release);
                                released = true;
                            }
                            None => return Value::Bool(false),
                        }
                    }
                }
                self.evidence.extend(releases);
                Value::Bool(released)
            }
            "held_since_start" => {
                if self.undated_subject().is_some() {
                    return Value::Bool(false);
                }
                let before = shifted(self.subject.time, -Duration::milliseconds(1));
                let instance = self.subject.instance.as_deref();
                let starts: Vec<(usize, Option<usize>)> = self
                    .who(&arguments[0])
                    .iter()
                    .filter_map(|node| self.start_of_state_held(node, instance, before))
                    .collect();
                // The start (or the `(init)` line) and the line that shows the state are the
                // evidence.
                let held = !starts.is_empty();
                for (start, shown_by) in starts {
                    self.evidence.push(start);
                    self.evidence.extend(shown_by);
                }
                Value::Bool(held)
            }
            "logged"
                if self
                    .undated_subject()
                    .is_some_and(|subject| self.facts.boot_clock.contains_key(&subject)) =>
            {
                // A dmesg line: whether its own boot's lines of the file reach into the window by
                // the kernel's clock (the line itself counts at 0 s).
                Value::Bool(
                    !self
                        .matching(
                            &[
                                arguments[0].clone(),
                                Expr::Bool(true),
                                arguments[1].clone(),
                                arguments[2].clone(),
                            ],
                            Some(1),
                        )
                        .is_empty(),
                )
            }
            "role_after" | "role_before" | "change_in" | "covered" | "logged" | "blind"
                if self.undated_subject().is_some() =>
            {
                // No instant: nothing is known to follow it, be covered, logged or not, and
                // every node is blind around it.
                match function {
                    "role_after" | "role_before" => Value::Str(Cow::Borrowed("")),
                    "change_in" => Value::Null,
                    "blind" => Value::Bool(true),
                    _ => Value::Bool(false),
                }
            }
            "role_after" | "change_in" => {
                let nodes = self.who(&arguments[0]);
                let Some(node) = nodes.first() else {
                    return Value::Null;
                };
                // The state `who` held just before t, and how it ended.
                let before = shifted(self.subject.time, -Duration::milliseconds(1));
                match self
                    .facts
                    .states
                    .change_after(node, self.subject.instance.as_deref(), before)
                {
                    Some((time, role)) if function == "role_after" => {
                        let _ = time;
                        Value::Str(Cow::Borrowed(role.name()))
                    }
                    Some((time, _)) => {
                        Value::Number((time - before).num_milliseconds() as f64 / 1000.0)
                    }
                    None if function == "role_after" => Value::Str(Cow::Borrowed("")),
                    None => Value::Null,
                }
            }
            "role_before" => {
                let before = shifted(self.subject.time, -Duration::milliseconds(1));
                let instance = self.subject.instance.as_deref();
                let role = self
                    .who(&arguments[0])
                    .iter()
                    .filter_map(|node| self.facts.states.role_before(node, instance, before))
                    .min();
                Value::Str(Cow::Borrowed(role.map_or("", Role::name)))
            }
            "covered" => {
                let from = self.at(&arguments[1]);
                let to = self.at(&arguments[2]);
                let nodes = self.who(&arguments[0]);
                Value::Bool(
                    !nodes.is_empty() && nodes.iter().all(|node| self.covered(node, from, to)),
                )
            }
            "logged" | "gap" | "blind" => {
                let from = self.at(&arguments[1]);
                let to = self.at(&arguments[2]);
                let nodes = self.who(&arguments[0]);
                match function {
                    "logged" => Value::Bool(nodes.iter().any(|node| self.logged(node, from, to))),
                    "gap" => Value::Number(
                        nodes
                            .iter()
                            .map(|node| self.longest_silence(node, from, to))
                            .fold(0.0, f64::max),
                    ),
                    _ => Value::Bool(nodes.iter().any(|node| self.blind(node, from, to))),
                }
            }
            _ => Value::Null,
        }
    }

    fn spans(&self, node: &str) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let mut spans: Vec<_> = self
            .facts
            .timeline
            .coverage_of(node)
            .flat_map(|coverage| coverage.activity.iter().copied())
            .collect();
        spans.sort();
        spans
    }

    /// Events the node itself logged (not facts stamped at collection time).
    fn own_events(
        &self,
        node: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Iterator<Item = &Event> {
        self.facts
            .events_between(node, from, to)
            .iter()
            .map(|index| &self.facts.timeline.events[*index])
            .filter(|event| !event.collector_clock)
    }

    /// The prompt of a filtering command that `node`'s lines at the subject stand under: in a
    /// file of the node's, the last prompt before the subject's line (in another file, before
    /// its last line stamped at or before t) is a filtering command's (a later prompt, `tail -f`,
    /// prints whole lines again).
    fn filtering_prompt(&self, node: &str) -> Option<usize> {
        let events = &self.facts.timeline.events;
        self.facts
            .prompt_files
            .iter()
            .filter(|((file_node, _), _)| *file_node == node)
            .find_map(|(&(file_node, file), prompts)| {
                let anchor = self.anchor_line(file_node, file)?;
                let last = prompts.before(events, anchor).last()?;
                (events[last].event.as_deref() == Some(events::PASTE_FILTERED)).then_some(last)
            })
    }

    /// The command of `action` typed at `node`'s prompt (pasted among its lines, or among
    /// another node's with a prompt naming its host; a prompt naming a host that is no node's
    /// is no one's) that stands last before the subject among the node's commands of its kind
    /// (`interface-down` and `interface-up` are one kind, as are `keepalived-stop` and
    /// `keepalived-start`), by the order of its file: in the subject's file, before the subject's
    /// line; in another, before that file's last stamped line at or before the subject's
    /// instant (a file with none says nothing). Not a command spent before the subject: where
    /// the lines between it and that place hold a second change like the subject's (the
    /// subject's node entering the same state again), a second FAULT after an interface taken
    /// down, or keepalived starting after its stop.
    fn typed_last(&self, node: &str, action: &str) -> Option<usize> {
        let events = &self.facts.timeline.events;
        let wanted = action_kind(action);
        // (A prompt naming another node's host, pasted among this node's lines, ran there.)
        let of_kind = |index: &usize| {
            let prompt = &events[*index];
            let ran_on = match (
                prompt.field(events::RAN_ON_FIELD),
                prompt.field(events::PROMPT_HOST_FIELD),
            ) {
                (Some(ran_on), _) => ran_on,
                (None, None) => prompt.node.as_ref(),
                (None, Some(_)) => return false,
            };
            ran_on == node
                && prompt.event.as_deref() == Some(events::OPERATOR_COMMAND)
                && prompt
                    .field("action")
                    .is_some_and(|typed| action_kind(typed) == wanted)
        };
        // Per file, the last command of the kind before the file's place for the subject.
        let last_by_file: Vec<((&str, &str), usize, u64, &PromptFile)> = self
            .facts
            .prompt_files
            .iter()
            .filter_map(|(&(file_node, file), prompts)| {
                let anchor = self.anchor_line(file_node, file)?;
                let last = prompts.before(events, anchor).filter(of_kind).last()?;
                Some(((file_node, file), last, anchor, prompts))
            })
            .collect();
        let usable = |(_, index, anchor, prompts): &&((&str, &str), usize, u64, &PromptFile)| {
            events[*index].field("action") == Some(action)
                && !self.spent(prompts, *index, *anchor, action)
        };
        let subject = self.subject.event.map(|index| &events[index]);
        let in_subject_file = subject.and_then(|subject| {
            last_by_file
                .iter()
                .find(|(file, ..)| *file == (subject.node.as_ref(), subject.file.as_ref()))
        });
        match in_subject_file {
            Some(last) => Some(last).filter(usable).map(|(_, index, ..)| *index),
            // (Files that disagree say nothing.)
            None => last_by_file
                .iter()
                .all(|found| usable(&found))
                .then(|| last_by_file.first().map(|(_, index, ..)| *index))
                .flatten(),
        }
    }

    /// Whether the lines of a prompt's file between it and `anchor` show the command spent
    /// before the subject (see `typed_last`).
    fn spent(&self, file: &PromptFile, prompt: usize, anchor: u64, action: &str) -> bool {
        let events = &self.facts.timeline.events;
        let line = events[prompt].line;
        let from = file.by_line.partition_point(|(at, _)| *at <= line);
        let to = file.by_line.partition_point(|(at, _)| *at <= anchor);
        let to_state = self.subject.to.map(Role::name);
        let (mut again, mut faults) = (0, 0);
        for (_, index) in &file.by_line[from..to.max(from)] {
            let event = &events[*index];
            match event.event.as_deref() {
                Some(events::ENTERING_STATE) => {
                    let state = event.field("state");
                    if event.node.as_ref() == self.subject.node && state == to_state {
                        again += 1;
                    }
                    if state == Some("FAULT") {
                        faults += 1;
                    }
                }
                Some(events::KEEPALIVED_STARTING | events::VRRP_CHILD_STARTING)
                    if action == "keepalived-stop" =>
                {
                    return true;
                }
                _ => {}
            }
        }
        again > 1 || (action == "interface-down" && faults > 1)
    }

    /// The line of `node`'s `file` that stands for the subject's moment there: the subject's own
    /// in its file; else the file's last line stamped at or before the subject's instant (not
    /// one that carries the time of the line before it: a prompt).
    fn anchor_line(&self, node: &str, file: &str) -> Option<u64> {
        let events = &self.facts.timeline.events;
        if let Some(subject) = self.subject.event.map(|index| &events[index])
            && subject.node.as_ref() == node
            && subject.file.as_ref() == file
        {
            return Some(subject.line);
        }
        let stamped = &self.facts.prompt_files.get(&(node, file))?.stamped;
        let upto = stamped.partition_point(|(time, _)| *time <= self.subject.time);
        upto.checked_sub(1).map(|last| stamped[last].1)
    }

    /// Where the state `node`'s instance holds at `time` is the first it took after keepalived
    /// (or the node) started and has held since: the line that shows the start (an `(init)` state
    /// line opening it, or the last start within STARTED_STATE_WITHIN_S before it began, the
    /// state before it unknown or stopped).
    fn start_of_state_held(
        &self,
        node: &str,
        instance: Option<&str>,
        time: DateTime<Utc>,
    ) -> Option<(usize, Option<usize>)> {
        let interval = self.facts.states.interval_at(node, instance, time)?;
        if matches!(interval.role, Role::Unknown | Role::Stop) {
            return None;
        }
        if let Some(opened_by) = interval.opened_by
            && self.facts.timeline.events[opened_by].field("reason") == Some("init")
        {
            return Some((opened_by, None));
        }
        // A state known only from a line keepalived writes in it (held since an unknown time):
        // from that line on. keepalived starts every instance afresh, so a start before that
        // line, the state held since before it, is where it began at the latest.
        let begun = match interval.start {
            Some(start) => {
                let before = self.facts.states.role_at(
                    node,
                    Some(interval.instance.as_str()),
                    start - Duration::milliseconds(1),
                );
                if !before.is_none_or(|role| matches!(role, Role::Unknown | Role::Stop)) {
                    return None;
                }
                start
            }
            None => interval.proven_from?,
        };
        let timeline = self.facts.timeline;
        let starts: Vec<usize> = self
            .facts
            .events_between(
                node,
                begun - Duration::seconds(STARTED_STATE_WITHIN_S),
                begun,
            )
            .iter()
            .copied()
            .filter(|index| starts_keepalived(&timeline.events[*index]))
            .collect();
        // The last start's first line (keepalived's `Starting` before its VRRP process's and
        // set-up lines of the same moment).
        let last = *starts.last()?;
        let last_time = timeline.events[last].time?;
        let start = starts
            .iter()
            .copied()
            .find(|index| {
                timeline.events[*index]
                    .time
                    .is_some_and(|at| (last_time - at).num_seconds() <= SAME_START_S)
            })
            .unwrap_or(last);
        Some((start, interval.opened_by))
    }

    /// The state each of `node`'s instances (the subject's instance only, where it has one) held
    /// as the subject's line was written: the state its line ended, else the one held at its
    /// instant that a line before it opened (or held since before the logs).
    fn states_at_line(&self, node: &str) -> Vec<(String, Role)> {
        let states = self.facts.states;
        let subject_event = self.subject.event;
        let instances: Vec<&String> = match &self.subject.instance {
            Some(instance) => states
                .instances
                .iter()
                .filter(|name| *name == instance)
                .collect(),
            None => states.instances.iter().collect(),
        };
        let dated = self.undated_subject().is_none();
        instances
            .into_iter()
            .filter_map(|instance| {
                let mine = || {
                    states
                        .intervals
                        .iter()
                        .filter(|interval| interval.node == node && &interval.instance == instance)
                };
                if let Some(ended) = mine()
                    .find(|interval| subject_event.is_some() && interval.closed_by == subject_event)
                {
                    return Some((instance.clone(), ended.role));
                }
                // (An instance of the input this node's lines do not show then: not known.)
                if !dated {
                    return Some((instance.clone(), Role::Unknown));
                }
                let time = self.subject.time;
                let written_before = |interval: &&Interval| {
                    interval.start.is_none_or(|start| start <= time)
                        && match (interval.opened_by, subject_event) {
                            (Some(opened), Some(subject)) => opened < subject,
                            _ => true,
                        }
                };
                mine()
                    .filter(written_before)
                    .max_by_key(|interval| interval.start)
                    .filter(|interval| interval.end.is_none_or(|end| end >= time))
                    .map_or(Some((instance.clone(), Role::Unknown)), |interval| {
                        Some((instance.clone(), interval.role))
                    })
            })
            .collect()
    }

    /// The line, in the seconds before the subject's, by which `node`'s instance released
    /// mastership (`sent 0 priority`, `removing VIPs`): where it was MASTER as the subject's line
    /// was written, it holds no VIP.
    fn release_before_line(&self, node: &str, instance: &str) -> Option<usize> {
        let subject = self.subject.event?;
        let events = &self.facts.timeline.events;
        let is_release = |index: &usize| {
            let event = &events[*index];
            matches!(
                event.event.as_deref(),
                Some(events::PRIORITY_ZERO_SENT | events::VIPS_REMOVED)
            ) && event.field("instance") == Some(instance)
                && *index < subject
        };
        if self.undated_subject().is_some() {
            let own = &events[subject];
            return self
                .facts
                .undated_by_file
                .get(&(node, &*own.file))?
                .iter()
                .copied()
                .filter(|index| {
                    events[*index].line < own.line
                        && own.line - events[*index].line <= RELEASE_BEFORE_LINES
                })
                .rfind(|index| is_release(index));
        }
        let to = self.subject.time;
        let from = to - Duration::seconds(RELEASE_BEFORE_S);
        let (indices, range) = self.facts.positions_between(node, from, to);
        indices[range]
            .iter()
            .copied()
            .rfind(|index| is_release(index))
    }

    fn logged(&self, node: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        self.spans(node)
            .iter()
            .any(|(start, end)| *start <= to && *end >= from)
            || self.own_events(node, from, to).next().is_some()
    }

    /// The longest stretch of [from, to] with no line of `node` (spans join lines under 30 s apart,
    /// so shorter silences are measured on the recognised events).
    fn longest_silence(&self, node: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
        let mut times: Vec<DateTime<Utc>> = Vec::new();
        for (start, end) in self.spans(node) {
            if end < from || start > to {
                continue;
            }
            times.push(start.max(from));
            times.push(end.min(to));
        }
        times.extend(
            self.own_events(node, from, to)
                .filter_map(|event| event.time),
        );
        if times.is_empty() {
            return (to - from).num_milliseconds() as f64 / 1000.0;
        }
        times.push(from);
        times.push(to);
        times.sort();
        times
            .windows(2)
            .map(|pair| (pair[1] - pair[0]).num_milliseconds() as f64 / 1000.0)
            .fold(0.0, f64::max)
    }

    /// Whether the node's logs cover [from, to]: they begin before it and end after it, and no
    /// blind interval (missing or unreadable logs) touches it.
    fn covered(&self, node: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        self.facts
            .timeline
            .seen_from(node)
            .is_some_and(|first| first <= from)
            && self
                .facts
                .timeline
                .seen_until(node)
                .is_some_and(|last| last >= to)
            && !self.blind(node, from, to)
    }

    /// Whether `time` falls where the node's logs are missing (a blind interval other than a
    /// quiet one; its end, the first line seen again, is not).
    fn unseen_at(&self, node: &str, time: DateTime<Utc>) -> bool {
        self.missing_logs(node).any(|blind| {
            self.missing_from(blind).is_none_or(|start| start <= time)
                && blind.end.is_none_or(|end| time < end)
        })
    }

    /// Where a blind interval begins; one that begins with the input's first line (a node whose
    /// logs begin later) reaches back before it: the node's logs are missing there too.
    fn missing_from(&self, blind: &BlindInterval) -> Option<DateTime<Utc>> {
        blind
            .start
            .filter(|start| Some(*start) != self.facts.span_start)
    }

    /// The node's blind intervals where its logs are missing (all but the quiet ones).
    fn missing_logs<'s>(&'s self, node: &'s str) -> impl Iterator<Item = &'s BlindInterval> + 's {
        self.facts
            .states
            .blind
            .iter()
            .filter(move |blind| blind.node == node && blind.reason != "quiet")
    }

    fn blind(&self, node: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        self.missing_logs(node).any(|blind| {
            self.missing_from(blind).is_none_or(|start| start <= to)
                && blind.end.is_none_or(|end| end >= from)
        })
    }
}

/// An event attribute or field by name.
fn event_name<'e>(event: &'e Event, name: &str) -> Value<'e> {
    let text = |value: Option<&'e str>| {
        value.map_or(Value::Null, |value| Value::Str(Cow::Borrowed(value)))
    };
    match name {
        "kind" => Value::Str(Cow::Borrowed(event.kind.name())),
        "event" => text(event.event.as_deref()),
        "program" => text(event.program.as_deref()),
        "source" => Value::Str(Cow::Borrowed(event.source)),
        "level" => text(event.level.as_deref()),
        "node" => Value::Str(Cow::Borrowed(&event.node)),
        "file" => Value::Str(Cow::Borrowed(&event.file)),
        "line" => Value::Number(event.line as f64),
        // Seconds since the epoch (null for an undated line): `time > subject.time` is later.
        "time" => event.time.map_or(Value::Null, |time| {
            Value::Number(time.timestamp_millis() as f64 / 1000.0)
        }),
        "dialect" => Value::Str(
            if event.field("dialect") == Some("1") || event.text.contains("VRRP_Instance(") {
                "1"
            } else {
                "2"
            }
            .into(),
        ),
        // A DRBD line's resource, however its device is written (`drbd r0/0 drbd1 peer`, `drbd
        // r0`, `d-con r0`), or the 8.x `block drbdN` minor.
        "drbd_resource" => crate::sources::event::drbd_resource(event)
            .map_or(Value::Null, |resource| Value::Str(Cow::Owned(resource))),
        other => text(event.field(other)),
    }
}

/// `time + offset`, saturating at the earliest and latest instants instead of overflowing.
/// Evidence lines a `seen` or `count` call contributes: its first matches.
const EVIDENCE_PER_CALL: usize = 5;

/// How far back the kernel's seconds since boot may go between two lines of one boot (lines of
/// several CPUs written out of order).
const BOOT_CLOCK_JITTER_S: f64 = 1.0;

/// How soon after keepalived (or the node) starts its first state may begin (a start-up delay,
/// a script's first run) for `held_since_start` to take that state as the start's.
const STARTED_STATE_WITHIN_S: i64 = 60;

/// How far apart the lines of one start of keepalived may be (its own, its VRRP process's).
const SAME_START_S: i64 = 2;

/// How long before a line an instance's release (`sent 0 priority`, `removing VIPs`) still says
/// it held no VIP as that line was written (a stop's lines take a second or two), and, for lines
/// without a stamp, how many lines before.
const RELEASE_BEFORE_S: i64 = 5;
const RELEASE_BEFORE_LINES: u64 = 10;

/// The state of several instances or nodes taken together: MASTER if any held it (a VIP is
/// held), else UNKNOWN if any state is not known, else the lowest (BACKUP before FAULT before
/// STOP); UNKNOWN where there is none.
fn state_of_several(roles: &[Role]) -> Role {
    if roles.contains(&Role::Master) {
        Role::Master
    } else if roles.is_empty() || roles.contains(&Role::Unknown) {
        Role::Unknown
    } else {
        roles.iter().copied().min().unwrap_or(Role::Unknown)
    }
}

/// The kind of a typed command's action: `interface` of `interface-down` and `interface-up`.
fn action_kind(action: &str) -> &str {
    action.split('-').next().unwrap_or(action)
}

/// A line that shows keepalived starting: its start, its VRRP process's, the node's boot, or
/// systemd's start of the unit.
fn starts_keepalived(event: &Event) -> bool {
    match event.event.as_deref() {
        Some(
            events::KEEPALIVED_STARTING
            | events::VRRP_CHILD_STARTING
            | events::KEEPALIVED_INITIALISING
            | events::NODE_BOOT,
        ) => true,
        Some("service-started") => event.field("unit") == Some("keepalived"),
        _ => false,
    }
}

/// A window's offset in seconds, to compare with the kernel's clock.
fn seconds_of(offset: Duration) -> f64 {
    offset.num_milliseconds() as f64 / 1000.0
}

fn shifted(time: DateTime<Utc>, offset: Duration) -> DateTime<Utc> {
    time.checked_add_signed(offset)
        .unwrap_or(if offset < Duration::zero() {
            DateTime::<Utc>::MIN_UTC
        } else {
            DateTime::<Utc>::MAX_UTC
        })
}
