//! Backward steps of a node's clock inside one file: a process keeps logging while the clock is
//! set back (NTP or chrony stepping a clock that ran ahead since boot), so its later lines carry
//! earlier stamps than its earlier ones. The lines stamped ahead are placed on the clock that
//! followed, so that the timeline keeps the order the process wrote them in.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::sources::Event;

/// A step back shorter than this is lines written out of order (threads, buffered writers). The
/// lines written ahead of a step are also placed at least this long before the line where the
/// clock went back: how long the step took is not logged, and no time window of a rule should
/// join lines across it as if they were moments apart.
pub const LEAST_STEP_BACK: Duration = Duration::seconds(10);
/// A step back longer than this is not one clock's correction (files or rotations pasted one
/// after the other, newest first): their stamps are right and ordered as they are.
pub const MOST_STEP_BACK: Duration = Duration::hours(1);
/// How many lines from the step on are compared with how many lines before it, to tell a second
/// capture of the same lines from a clock's step.
const REPEATS_LOOKED_AT: usize = 4;
const REPEATS_LOOKED_BACK: usize = 2000;
/// At most this many places that look like a step are examined, and this many steps taken, per
/// host of a file.
const MAX_STEPS_EXAMINED: usize = 256;
const MAX_STEPS_TAKEN: usize = 16;

/// Lines of one host in a file written ahead of the clock that followed them: placed `shift`
/// earlier (the step, and [`LEAST_STEP_BACK`]), never before `floor` (the instant of that host's
/// last line before them).
#[derive(Debug, Clone, PartialEq)]
pub struct SteppedBack {
    pub host: Option<Arc<str>>,
    /// The first line ahead of the clock, and the line where the clock went back (not shifted).
    pub first_line: u64,
    pub step_line: u64,
    pub shift: Duration,
    pub floor: Option<DateTime<Utc>>,
    /// For the warning: the stamps on either side of the step, the process, and how many
    /// recognised lines were placed earlier.
    pub before: DateTime<Utc>,
    pub after: DateTime<Utc>,
    pub program: Arc<str>,
    pub pid: u32,
    pub lines_moved: usize,
}

impl SteppedBack {
    /// `time` of a line `line` of `host`, on the clock that followed the step.
    pub fn apply(&self, time: DateTime<Utc>, line: u64, host: Option<&str>) -> DateTime<Utc> {
        if line < self.first_line || line >= self.step_line || host != self.host.as_deref() {
            return time;
        }
        shifted_back(time, self.shift, self.floor)
    }
}

/// `time` placed `shift` earlier, never before `floor`.
fn shifted_back(
    time: DateTime<Utc>,
    shift: Duration,
    floor: Option<DateTime<Utc>>,
) -> DateTime<Utc> {
    let shifted = time - shift;
    floor.map_or(shifted, |floor| shifted.max(floor))
}

/// The backward steps of a file's clock, from its recognised events in reading order with their
/// instants (`instants[i]` is `events[i]`'s, before any step is undone). A step is taken as the
/// clock's only where the same process (program and pid) logged on both sides of it and its
/// following line is on the new clock too (one stray late line is not a step).
pub fn find(events: &[Event], instants: &[Option<DateTime<Utc>>]) -> Vec<SteppedBack> {
    let mut by_host: HashMap<Option<&str>, Vec<usize>> = HashMap::new();
    let mut hosts: Vec<Option<&str>> = Vec::new();
    for (index, instant) in instants.iter().enumerate() {
        if instant.is_some() {
            let host = events[index].host.as_deref();
            by_host
                .entry(host)
                .or_insert_with(|| {
                    hosts.push(host);
                    Vec::new()
                })
                .push(index);
        }
    }
    let mut steps = Vec::new();
    for host in hosts {
        let dated = &by_host[&host];
        // Each line's instant with the steps found so far undone.
        let mut placed: Vec<DateTime<Utc>> =
            dated.iter().filter_map(|index| instants[*index]).collect();
        let mut latest: Option<DateTime<Utc>> = None;
        let (mut examined, mut steps_of_host) = (0, 0);
        for position in 0..dated.len() {
            let time = placed[position];
            let Some(ahead) = latest else {
                latest = Some(time);
                continue;
            };
            let step = ahead - time;
            // The line just before is ahead of this one's clock (not itself after an earlier
            // step not taken), written by the same process.
            let (previous, current) = (&events[dated[position - 1]], &events[dated[position]]);
            if step > LEAST_STEP_BACK
                && step <= MOST_STEP_BACK
                && placed[position - 1] - time > LEAST_STEP_BACK
            {
                let same_process = current.pid.is_some()
                    && previous.pid == current.pid
                    && previous.program.is_some()
                    && previous.program == current.program;
                let goes_on = placed
                    .get(position + 1)
                    .is_none_or(|next| ahead - *next > LEAST_STEP_BACK);
                // A clock steps back once or twice in a file: a hostile one that seems to at
                // every line is not examined past a bound (each look costs a scan).
                examined += usize::from(same_process && goes_on);
                let examine = same_process
                    && goes_on
                    && examined <= MAX_STEPS_EXAMINED
                    && steps_of_host < MAX_STEPS_TAKEN;
                // A second capture of the same lines (two `systemctl status` pasted one after the
                // other, overlapping tails) repeats lines word for word: not a clock's step.
                let repeated = || {
                    let earlier = &dated[position.saturating_sub(REPEATS_LOOKED_BACK)..position];
                    dated[position..dated.len().min(position + REPEATS_LOOKED_AT)]
                        .iter()
                        .any(|later| {
                            earlier
                                .iter()
                                .any(|earlier| same_line(&events[*earlier], &events[*later]))
                        })
                };
                if examine && !repeated() {
                    let run_start = placed[..position]
                        .iter()
                        .rposition(|earlier| *earlier <= time)
                        .map_or(0, |last_before| last_before + 1);
                    let floor = run_start.checked_sub(1).map(|before| placed[before]);
                    let shift = step + LEAST_STEP_BACK;
                    for moved in &mut placed[run_start..position] {
                        *moved = shifted_back(*moved, shift, floor);
                    }
                    steps.push(SteppedBack {
                        host: events[dated[position]].host.clone(),
                        first_line: events[dated[run_start]].line,
                        step_line: current.line,
                        shift,
                        floor,
                        before: ahead,
                        after: time,
                        program: current.program.clone().unwrap_or_default(),
                        pid: current.pid.unwrap_or_default(),
                        lines_moved: position - run_start,
                    });
                    steps_of_host += 1;
                    latest = Some(time);
                    continue;
                }
            }
            latest = Some(ahead.max(time));
        }
    }
    steps.sort_by_key(|step| step.step_line);
    steps
}

/// Whether two events are one line written twice (the same stamp, process and message, whatever
/// a paste put around them: line numbers, quote marks).
fn same_line(one: &Event, other: &Event) -> bool {
    one.stamp == other.stamp
        && one.pid == other.pid
        && one.program == other.program
        && one.message() == other.message()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn event(line: u64, pid: u32) -> Event {
        Event {
            time: None,
            stamp: None,
            year_turns: 0,
            time_inferred: false,
            collector_clock: false,
            uncertainty_s: None,
            node: Arc::from("lb1"),
            file: Arc::from("messages"),
            file_index: 0,
            line,
            offset: 0,
            kind: crate::sources::EventKind::VrrpState,
            event: None,
            classifier: None,
            source: "messages",
            host: Some(Arc::from("lb1")),
            program: Some(Arc::from("Keepalived_vrrp")),
            pid: Some(pid),
            level: None,
            fields: Default::default(),
            text: format!("line {line}"),
            message_start: 0,
        }
    }

    fn at(seconds: i64) -> Option<DateTime<Utc>> {
        Some(Utc.timestamp_opt(1_700_000_000 + seconds, 0).unwrap())
    }

    #[test]
    fn a_process_logging_across_a_step_back_has_its_earlier_lines_placed_before_the_later() {
        // Boot at +300 on a clock 269 s ahead, stepped back after line 4.
        let events: Vec<Event> = (1..=6).map(|line| event(line, 878)).collect();
        let instants = [at(0), at(300), at(304), at(304), at(35), at(38)];
        let steps = find(&events, &instants);
        assert_eq!(steps.len(), 1, "{steps:?}");
        let step = &steps[0];
        assert_eq!((step.first_line, step.step_line), (2, 5));
        assert_eq!(step.after - step.before, Duration::seconds(-269));
        assert_eq!(step.shift, Duration::seconds(279));
        assert_eq!(step.lines_moved, 3);
        let placed: Vec<DateTime<Utc>> = events
            .iter()
            .zip(instants)
            .map(|(event, time)| step.apply(time.unwrap(), event.line, event.host.as_deref()))
            .collect();
        assert!(
            placed.windows(2).all(|pair| pair[0] <= pair[1]),
            "{placed:?}"
        );
        // The line before the run keeps its place; the run keeps its spacing where it can, and
        // ends at least ten seconds before the step.
        assert_eq!(placed[0], at(0).unwrap());
        assert_eq!(placed[2] - placed[1], Duration::seconds(4));
        assert_eq!(placed[4] - placed[3], Duration::seconds(10));
    }

    #[test]
    fn files_pasted_newest_first_a_restart_and_one_late_line_are_no_steps() {
        // Another process after the step (a restart on the corrected clock).
        let events = [event(1, 10), event(2, 10), event(3, 11), event(4, 11)];
        assert!(find(&events, &[at(300), at(304), at(35), at(38)]).is_empty());
        // A day back: rotations pasted newest first.
        let events = [event(1, 10), event(2, 10), event(3, 10)];
        assert!(find(&events, &[at(90_000), at(90_004), at(5)]).is_empty());
        // One line late, the next on the old clock again.
        let events = [event(1, 10), event(2, 10), event(3, 10), event(4, 10)];
        assert!(find(&events, &[at(300), at(304), at(35), at(305)]).is_empty());
        // The step's line follows a line already on the new clock (an older file pasted after).
        let mut events = [event(1, 10), event(2, 11), event(3, 11), event(4, 11)];
        events[1].program = Some(Arc::from("Keepalived"));
        assert!(find(&events, &[at(300), at(35), at(36), at(38)]).is_empty());
        // A second capture repeating the first's lines.
        let mut events = [event(1, 10), event(2, 10), event(3, 10), event(4, 10)];
        events[0].text = "Jan 26 04:27:30 lb1 Keepalived_vrrp[10]: script succeeded".to_string();
        events[2].text = format!("    35\t{}", events[0].text);
        events[2].message_start = 7;
        assert!(find(&events, &[at(35), at(300), at(35), at(38)]).is_empty());
        // A few seconds out of order.
        let events = [event(1, 10), event(2, 10), event(3, 10)];
        assert!(find(&events, &[at(300), at(304), at(298)]).is_empty());
    }

    #[test]
    fn a_clock_that_seems_to_step_back_at_every_line_is_bounded() {
        let events: Vec<Event> = (1..=20_000).map(|line| event(line, 7)).collect();
        let instants: Vec<Option<DateTime<Utc>>> = (0..20_000)
            .map(|index| at(1_000_000 - 20 * index))
            .collect();
        assert_eq!(find(&events, &instants).len(), MAX_STEPS_TAKEN);
    }

    #[test]
    fn another_host_of_the_same_file_is_not_moved() {
        let mut events: Vec<Event> = (1..=5).map(|line| event(line, 878)).collect();
        events[2].host = Some(Arc::from("lb2"));
        let instants = [at(300), at(304), at(306), at(35), at(38)];
        let steps = find(&events, &instants);
        assert_eq!(steps.len(), 1, "{steps:?}");
        let step = &steps[0];
        assert_eq!(
            step.apply(at(306).unwrap(), 3, Some("lb2")),
            at(306).unwrap()
        );
        assert_eq!(
            step.apply(at(304).unwrap(), 2, Some("lb1")),
            at(25).unwrap()
        );
    }
}
