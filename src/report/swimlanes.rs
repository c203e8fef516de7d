//! The picture of an incident: one lane per node and VRRP instance (plus a DRBD role lane and an
//! ESC service lane per node where the logs show them), each a row of state segments on one time
//! axis, with the blind intervals, the split-brain windows and a marker per transition. Built from
//! the state intervals, never from every line, so its size follows the changes, not the input.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::analysis_json::Report;
use crate::bundle::parse_rfc3339;
use crate::rules::Analysis;
use crate::sources::EventKind;
use crate::timeline::Timeline;
use crate::timeline::state::Role;

/// What a lane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaneKind {
    Vrrp,
    Drbd,
    Esc,
}

impl LaneKind {
    pub fn name(self) -> &'static str {
        match self {
            LaneKind::Vrrp => "vrrp",
            LaneKind::Drbd => "drbd",
            LaneKind::Esc => "esc",
        }
    }
}

/// A stretch of one state on a lane. `start`/`end` None: before the first or after the last
/// instant of the axis (the state was held since before the logs, or still is).
#[derive(Debug, Clone)]
pub struct Segment {
    pub state: String,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    /// Known from indirect evidence, not a state line.
    pub inferred: bool,
    /// After the node's last log line: its last word, not known to hold.
    pub silent: bool,
    /// For a stretch of changes too close together to draw (`state` FLAPPING): how many states
    /// it folds; 0 otherwise.
    pub changes: usize,
}

#[derive(Debug, Clone)]
pub struct Lane {
    pub node: String,
    /// The VRRP instance, `DRBD` or `ESC`.
    pub label: String,
    pub kind: LaneKind,
    pub segments: Vec<Segment>,
}

/// A change on a lane: a VRRP transition (index into `Report::transitions`) or a DRBD/ESC
/// change (its timeline event).
#[derive(Debug, Clone)]
pub struct Marker {
    pub lane: usize,
    pub time: DateTime<Utc>,
    pub label: String,
    pub transition: Option<usize>,
    pub event: Option<usize>,
}

/// A split-brain window (index into `Report::split_brain`) on the lanes it concerns: its
/// instance's lanes on its nodes (DRBD's lanes for a DRBD split-brain), else all their lanes.
#[derive(Debug, Clone)]
pub struct Window {
    pub split_brain: usize,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub lanes: Vec<usize>,
}

/// A stretch in which a node's logs cannot tell what happened, across its lanes.
#[derive(Debug, Clone)]
pub struct Blind {
    pub node: String,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub reason: String,
}

/// The whole picture; `start`..`end` is the axis (None: nothing dated to draw).
#[derive(Debug, Clone)]
pub struct Swimlanes {
    pub axis: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub lanes: Vec<Lane>,
    pub markers: Vec<Marker>,
    pub windows: Vec<Window>,
    pub blind: Vec<Blind>,
}

/// ESC service names whose start and stop the ESC lane follows.
const ESC_LANE_SERVICES: [&str; 2] = ["esc_service", "escmanager"];

impl Swimlanes {
    /// Builds the picture of a report from the analysis it was made of.
    pub fn new(report: &Report, analysis: &Analysis, timeline: &Timeline) -> Swimlanes {
        let parse = |text: &Option<String>| text.as_deref().and_then(parse_rfc3339);
        let mut lanes = Vec::new();
        let mut markers = Vec::new();
        let mut instants: Vec<DateTime<Utc>> = Vec::new();
        // The first DRBD line of each node at each instant: the evidence of a DRBD role change.
        let mut drbd_events: BTreeMap<(&str, DateTime<Utc>), usize> = BTreeMap::new();
        for (index, event) in timeline.events.iter().enumerate() {
            if event.kind == EventKind::Drbd
                && let Some(time) = event.time
            {
                drbd_events
                    .entry((event.node.as_ref(), time))
                    .or_insert(index);
            }
        }
        for node in &report.nodes {
            for instance in &node.instances {
                let segments: Vec<Segment> = analysis
                    .states
                    .intervals
                    .iter()
                    .filter(|interval| {
                        interval.node == node.name && interval.instance == instance.name
                    })
                    .map(|interval| Segment {
                        state: interval.role.name().to_string(),
                        start: interval.start,
                        end: interval.end,
                        inferred: interval.inferred,
                        silent: false,
                        changes: 0,
                    })
                    .collect();
                // A master whose logs end before the peer took over: its state after its last
                // line is only its last word.
                let silent_since = report
                    .state_now
                    .iter()
                    .filter(|now| now.instance == instance.name)
                    .flat_map(|now| &now.silent_masters)
                    .find(|silent| silent.node == node.name)
                    .and_then(|silent| parse_rfc3339(&silent.last_seen));
                let mut segments = segments;
                if let Some(since) = silent_since
                    && let Some(last) = segments.last_mut()
                    && last.end.is_none()
                    && last.start.is_none_or(|start| start < since)
                {
                    last.end = Some(since);
                    let mut silent = last.clone();
                    silent.start = Some(since);
                    silent.end = None;
                    silent.silent = true;
                    segments.push(silent);
                }
                instants.extend(
                    segments
                        .iter()
                        .flat_map(|segment| [segment.start, segment.end])
                        .flatten(),
                );
                let lane = lanes.len();
                for (index, transition) in report.transitions.iter().enumerate() {
                    if transition.node != node.name || transition.instance != instance.name {
                        continue;
                    }
                    if let Some(time) = transition.time.as_deref().and_then(parse_rfc3339) {
                        instants.push(time);
                        markers.push(Marker {
                            lane,
                            time,
                            label: format!("{} ({})", transition.to, transition.cause),
                            transition: Some(index),
                            event: None,
                        });
                    }
                }
                lanes.push(Lane {
                    node: node.name.clone(),
                    label: instance.name.clone(),
                    kind: LaneKind::Vrrp,
                    segments,
                });
            }
            if let Some(history) = analysis.states.drbd_history.get(&node.name)
                && !history.is_empty()
            {
                let lane = lanes.len();
                let mut segments = vec![Segment {
                    state: "UNKNOWN".to_string(),
                    start: None,
                    end: Some(history[0].0),
                    inferred: false,
                    silent: false,
                    changes: 0,
                }];
                for (index, (time, role)) in history.iter().enumerate() {
                    instants.push(*time);
                    segments.push(Segment {
                        state: role.to_uppercase(),
                        start: Some(*time),
                        end: history.get(index + 1).map(|(next, _)| *next),
                        inferred: false,
                        silent: false,
                        changes: 0,
                    });
                    let event = drbd_events.get(&(node.name.as_str(), *time)).copied();
                    markers.push(Marker {
                        lane,
                        time: *time,
                        label: role.clone(),
                        transition: None,
                        event,
                    });
                }
                lanes.push(Lane {
                    node: node.name.clone(),
                    label: "DRBD".to_string(),
                    kind: LaneKind::Drbd,
                    segments,
                });
            }
            let esc_changes: Vec<(usize, DateTime<Utc>, &'static str)> = timeline
                .events
                .iter()
                .enumerate()
                .filter(|(_, event)| {
                    event.node.as_ref() == node.name
                        && event.kind == EventKind::EscService
                        && event
                            .field("service")
                            .is_some_and(|service| ESC_LANE_SERVICES.contains(&service))
                })
                .filter_map(|(index, event)| {
                    let state = match event.event.as_deref()? {
                        "service-starting" => "RUNNING",
                        "service-stopping" => "STOPPED",
                        _ => return None,
                    };
                    Some((index, event.time?, state))
                })
                .collect();
            if !esc_changes.is_empty() {
                let lane = lanes.len();
                let mut segments = vec![Segment {
                    state: "UNKNOWN".to_string(),
                    start: None,
                    end: Some(esc_changes[0].1),
                    inferred: false,
                    silent: false,
                    changes: 0,
                }];
                for (event, time, state) in &esc_changes {
                    instants.push(*time);
                    markers.push(Marker {
                        lane,
                        time: *time,
                        label: format!(
                            "{} {}",
                            timeline.events[*event].field("service").unwrap_or("ESC"),
                            state.to_lowercase()
                        ),
                        transition: None,
                        event: Some(*event),
                    });
                    if segments.last().is_some_and(|last| last.state == *state) {
                        continue;
                    }
                    if let Some(last) = segments.last_mut() {
                        last.end = Some(*time);
                    }
                    segments.push(Segment {
                        state: state.to_string(),
                        start: Some(*time),
                        end: None,
                        inferred: false,
                        silent: false,
                        changes: 0,
                    });
                }
                lanes.push(Lane {
                    node: node.name.clone(),
                    label: "ESC".to_string(),
                    kind: LaneKind::Esc,
                    segments,
                });
            }
        }
        let windows: Vec<Window> = report
            .split_brain
            .iter()
            .enumerate()
            .map(|(index, window)| {
                let (start, end, seen) = (
                    parse(&window.start),
                    parse(&window.end),
                    parse(&window.seen_at),
                );
                instants.extend([start, end, seen].into_iter().flatten());
                let of_nodes = |lane: &Lane| window.nodes.contains(&lane.node);
                let concerned = |lane: &Lane| match (&window.instance, lane.kind) {
                    (Some(instance), LaneKind::Vrrp) => *instance == lane.label,
                    (None, LaneKind::Drbd) => window.kind == "drbd",
                    _ => false,
                };
                let mut lanes_of: Vec<usize> = (0..lanes.len())
                    .filter(|lane| of_nodes(&lanes[*lane]) && concerned(&lanes[*lane]))
                    .collect();
                if lanes_of.is_empty() {
                    lanes_of = (0..lanes.len())
                        .filter(|lane| of_nodes(&lanes[*lane]))
                        .collect();
                }
                // A window known only at one instant (a live check, DRBD's detection) is drawn
                // there.
                let (start, end) = match (start, end) {
                    (None, None) => (seen, seen),
                    known => known,
                };
                Window {
                    split_brain: index,
                    start,
                    end,
                    lanes: lanes_of,
                }
            })
            .collect();
        let blind: Vec<Blind> = report
            .coverage
            .blind_intervals
            .iter()
            .filter(|blind| blind.reason != "quiet")
            .map(|blind| Blind {
                node: blind.node.clone(),
                start: parse(&blind.start),
                end: parse(&blind.end),
                reason: blind.reason.clone(),
            })
            .collect();
        instants.extend(
            blind
                .iter()
                .flat_map(|blind| [blind.start, blind.end])
                .flatten(),
        );
        let dated = || {
            instants
                .iter()
                .copied()
                .chain(timeline.events.iter().filter_map(|event| event.time))
        };
        let axis = dated().min().zip(dated().max());
        fold_flapping(&mut lanes, &mut markers, axis);
        Swimlanes {
            axis,
            lanes,
            markers,
            windows,
            blind,
        }
    }

    /// The lanes of one node, as a range of lane indices.
    pub fn node_lanes(&self, node: &str) -> Vec<usize> {
        (0..self.lanes.len())
            .filter(|lane| self.lanes[*lane].node == node)
            .collect()
    }
}

/// A lane with more segments than this has each stretch of changes too close together to tell
/// apart (three or more states in a row, each shorter than a hundredth of the whole plot) drawn
/// as one FLAPPING segment, and the markers inside it left out: thousands of changes (a flapping
/// instance) made a page of many megabytes that showed nothing more. The transitions table and
/// the JSON report still list every change.
const MAX_LANE_SEGMENTS: usize = 500;

/// A state shorter than the plot's span over this is part of a flapping stretch (on a lane with
/// more than `MAX_LANE_SEGMENTS` segments): about ten pixels at full view.
const FLAPPING_PARTS: i32 = 100;

fn fold_flapping(
    lanes: &mut [Lane],
    markers: &mut Vec<Marker>,
    axis: Option<(DateTime<Utc>, DateTime<Utc>)>,
) {
    let Some((first, last)) = axis else {
        return;
    };
    let shortest = ((last - first) / FLAPPING_PARTS).max(chrono::Duration::milliseconds(1));
    let short = |segment: &Segment| matches!((segment.start, segment.end), (Some(start), Some(end)) if end - start < shortest);
    // Per lane, in time order: the stretches folded.
    let mut stretches: Vec<(usize, DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    for (index, lane) in lanes.iter_mut().enumerate() {
        if lane.segments.len() <= MAX_LANE_SEGMENTS {
            continue;
        }
        let mut folded = Vec::new();
        let mut run: Vec<Segment> = Vec::new();
        let mut flush = |run: &mut Vec<Segment>, folded: &mut Vec<Segment>| {
            if let (true, Some(start), Some(end)) = (
                run.len() >= 3,
                run.first().and_then(|segment| segment.start),
                run.last().and_then(|segment| segment.end),
            ) {
                stretches.push((index, start, end));
                folded.push(Segment {
                    state: "FLAPPING".to_string(),
                    start: Some(start),
                    end: Some(end),
                    inferred: false,
                    silent: false,
                    changes: run.len(),
                });
                run.clear();
            } else {
                folded.append(run);
            }
        };
        for segment in lane.segments.drain(..) {
            // A run is of states that follow each other: a gap (nothing known) ends it.
            if run.last().is_some_and(|last| last.end != segment.start) {
                flush(&mut run, &mut folded);
            }
            if short(&segment) {
                run.push(segment);
            } else {
                flush(&mut run, &mut folded);
                folded.push(segment);
            }
        }
        flush(&mut run, &mut folded);
        lane.segments = folded;
    }
    if stretches.is_empty() {
        return;
    }
    // The stretch a marker falls in (its start to its end, both included).
    let stretch_of = |marker: &Marker| {
        stretches
            .partition_point(|(lane, start, _)| (*lane, *start) <= (marker.lane, marker.time))
            .checked_sub(1)
            .filter(|position| {
                let (lane, _, end) = stretches[*position];
                lane == marker.lane && marker.time <= end
            })
    };
    // The change that ends a stretch, into a lasting state, keeps its marker: the last one at
    // the stretch's end (stamps of whole seconds put many there).
    let mut exits: Vec<Option<usize>> = vec![None; stretches.len()];
    for (index, marker) in markers.iter().enumerate() {
        if let Some(stretch) = stretch_of(marker)
            && marker.time == stretches[stretch].2
        {
            exits[stretch] = Some(index);
        }
    }
    let mut index = 0;
    markers.retain(|marker| {
        let position = index;
        index += 1;
        stretch_of(marker).is_none_or(|stretch| exits[stretch] == Some(position))
    });
}

/// A role name as a CSS class fragment.
pub fn state_class(state: &str) -> String {
    match Role::parse(state) {
        Role::Unknown => state
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_uppercase(),
        role => role.name().to_string(),
    }
}
