//! State reconstruction: per node and VRRP instance, the intervals of MASTER, BACKUP, FAULT, STOP
//! and UNKNOWN that the events imply (state lines, daemon lifecycle, node reboots, the VIP being
//! set), the transitions between them, what keepalived_state said against the logs, DRBD roles,
//! and the blind intervals in which a node's logs say nothing because we have none.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::Timeline;
use super::align::rotation_key;
use crate::sources::ACTIVITY_GAP_S;
use crate::sources::classifier::{
    IMPLIED_ENTRY_FIELD, IMPLIED_LEFT_FIELD, IMPLIED_STATE_FIELD, LEADS_TO_FIELD,
};
use crate::sources::event::{drbd_resource, is_drbd_minor};
use crate::sources::{Event, EventKind, events};

/// A node whose logs begin at most this many seconds after the other's is not missing any.
pub const LEADING_SLACK_S: i64 = 300;

/// A VRRP instance state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Role {
    Master,
    Backup,
    Fault,
    Stop,
    Unknown,
}

impl Role {
    /// From a state word (MASTER, backup, INIT, ...).
    pub fn parse(word: &str) -> Role {
        match word.to_ascii_uppercase().as_str() {
            "MASTER" => Role::Master,
            "BACKUP" => Role::Backup,
            "FAULT" => Role::Fault,
            "STOP" => Role::Stop,
            _ => Role::Unknown,
        }
    }

    /// The upper-case name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Role::Master => "MASTER",
            Role::Backup => "BACKUP",
            Role::Fault => "FAULT",
            Role::Stop => "STOP",
            Role::Unknown => "UNKNOWN",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// A stretch of time a node's instance spent in one state.
#[derive(Debug, Clone, PartialEq)]
pub struct Interval {
    pub node: String,
    pub instance: String,
    pub role: Role,
    /// None: since before the node's logs begin.
    pub start: Option<DateTime<Utc>>,
    /// None: still open at the end of the logs.
    pub end: Option<DateTime<Utc>>,
    /// The event (index in the timeline) that opened it.
    pub opened_by: Option<usize>,
    pub closed_by: Option<usize>,
    /// Inferred from indirect evidence (a line keepalived writes only in this state) rather than
    /// a state line.
    pub inferred: bool,
    /// For a state the node held since before its logs say so (start None) and known only from
    /// evidence: the first instant that evidence proves it.
    pub proven_from: Option<DateTime<Utc>>,
    /// What kind of line opened it, where that is not a state line: a crash, a start.
    pub opened_as: Opening,
}

/// What opened an interval, where a report names it rather than the state: keepalived's (or its
/// VRRP process's) crash ends a state as STOP, a start or a new VRRP process after a crash begins
/// a state not yet said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Opening {
    #[default]
    Line,
    Crash,
    Start,
    Respawn,
    /// A state unknown since the last line of one the node's instance entered again later:
    /// keepalived writes such a line only on a change, so it left that state unseen.
    LeftUnseen,
}

/// A change of state of one node's instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub node: String,
    pub instance: String,
    pub time: DateTime<Utc>,
    pub from: Role,
    pub to: Role,
    /// The event (index in the timeline) that shows it.
    pub event: usize,
    /// The earlier state is known only from evidence (a line keepalived writes only in that
    /// state), not from a state line; `from_evidence` is that line.
    pub from_inferred: bool,
    pub from_evidence: Option<usize>,
}

/// A change of state read from lines without a date and time (a paste whose stamps were cut
/// off): placed only by its line in its file, it has no instant and makes no interval.
#[derive(Debug, Clone, PartialEq)]
pub struct UndatedTransition {
    pub node: String,
    pub instance: String,
    pub file: String,
    pub from: Role,
    pub to: Role,
    /// The event (index in the timeline) that shows it.
    pub event: usize,
    /// The earlier state is known only from a line keepalived writes only in it (no state line
    /// came before in the file): that line.
    pub from_evidence: Option<usize>,
    /// The lines of the instance's transitions before and after it in the same file (0 and
    /// `u64::MAX` at the ends): those lines from the one before, up to the one after, are all
    /// that order can relate to it.
    pub previous_line: u64,
    pub next_line: u64,
}

/// keepalived_state saying something other than the logs at its modification time.
#[derive(Debug, Clone, PartialEq)]
pub struct Disagreement {
    pub node: String,
    pub time: DateTime<Utc>,
    pub file_state: Role,
    pub log_state: Role,
    pub event: usize,
}

/// A time span in which a node's logs cannot tell what happened.
/// What a blind interval of this reason lacks, for people: `no dated logs` where the node's
/// lines carry no date and time, else `no logs`.
pub fn blind_lacks(reason: &str) -> &'static str {
    if reason == "undated" {
        "no dated logs"
    } else {
        "no logs"
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct BlindInterval {
    pub node: String,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    /// no-logs, undated (lines, none with a date and time), rotation-hole, unreadable, quiet.
    pub reason: String,
}

/// A node's DRBD state as its last lines (or its status capture) said each part of it; empty
/// where never said. The peer's role and disk are as this node's lines give them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DrbdNow {
    pub role: String,
    pub connection: String,
    pub disk: String,
    pub peer_role: String,
    pub peer_disk: String,
    /// The resources (and DRBD 8 minors, `drbd0`) and peers the lines named: where they name
    /// more than one of either, the disks and the peer said last may be another resource's
    /// or peer's than the role's.
    pub resources: BTreeSet<String>,
    pub peers: BTreeSet<String>,
}

impl DrbdNow {
    /// Updates the parts a DRBD line or status capture says (`role( ... -> Primary )`,
    /// `conn( ... )`, `disk( ... )`, `peer( ... )`, `pdsk( ... )`, or the status' `ro:`, `cs:`,
    /// `ds:` and `disk:`); the others are kept. Whether it said any.
    fn note(&mut self, event: &Event) -> bool {
        let mut said = false;
        for (part, names) in [
            (&mut self.role, ["role_to", "role"]),
            (&mut self.connection, ["conn_to", "connection"]),
            (&mut self.disk, ["disk_to", "disk"]),
            (&mut self.peer_role, ["peer_to", "peer_role"]),
            (&mut self.peer_disk, ["pdsk_to", "peer_disk"]),
        ] {
            // A value with a space in it is a line wrapped or cut there (`DUnk nown`).
            if let Some(value) = names
                .iter()
                .find_map(|name| event.field(name))
                .filter(|value| !value.contains(char::is_whitespace))
            {
                *part = value.to_string();
                said = true;
            }
        }
        if said {
            let (resource, peer) = drbd_names(event);
            self.resources.extend(resource);
            self.peers.extend(peer);
        }
        said
    }

    /// Whether the lines named more than one resource, minor or peer (see `resources`).
    pub fn mixed(&self) -> bool {
        let minors = self
            .resources
            .iter()
            .filter(|name| is_drbd_minor(name))
            .count();
        minors > 1 || self.resources.len() - minors > 1 || self.peers.len() > 1
    }
}

/// The resource (or the 8.x minor, `drbd_resource`; a /proc/drbd line's minor number) and the
/// peer a DRBD line or status capture names: `drbd r0/0 drbd1 node-3:` (DRBD 9, the peer after
/// the resource and the minor), a status' `peer`.
fn drbd_names(event: &Event) -> (Option<String>, Option<String>) {
    let resource = drbd_resource(event).or_else(|| event.field("minor").map(str::to_string));
    let named_peer = event.field("device").and_then(|device| {
        device
            .split_whitespace()
            .skip(2)
            .filter(|word| !is_drbd_minor(word))
            .last()
            .map(str::to_string)
    });
    (
        resource,
        event.field("peer").map(str::to_string).or(named_peer),
    )
}

/// Everything reconstructed from a timeline.
#[derive(Debug, Clone, Default)]
pub struct States {
    pub instances: Vec<String>,
    pub intervals: Vec<Interval>,
    pub transitions: Vec<Transition>,
    pub disagreements: Vec<Disagreement>,
    pub blind: Vec<BlindInterval>,
    /// Per node, the last DRBD state its lines or status capture said.
    pub drbd_roles: BTreeMap<String, DrbdNow>,
    /// The nodes whose DRBD state a dated line said (see `note_drbd`).
    drbd_dated: BTreeSet<String>,
    /// Per node, DRBD role changes in time order: (instant, role: Primary, Secondary, Unknown).
    pub drbd_history: BTreeMap<String, Vec<(DateTime<Utc>, String)>>,
    /// Per node and instance, the states its lines without a stamp say (`undated_words`), in
    /// their files' order (other than those before a dated file's first stamp, which give the
    /// state the dated logs begin in): not placed in time, they make no interval.
    pub undated: BTreeMap<(String, String), Vec<Role>>,
    /// The changes of state in the files of a node none of whose lines carries a date, in line
    /// order, per file and instance (files of nodes with dated transitions are left out: their
    /// lines may repeat what the dated ones say).
    pub undated_transitions: Vec<UndatedTransition>,
    /// Restarts the logs show only by their start, per node and instance: from the old
    /// process's last line (the state held ended then or later) to the new process's start.
    pub unseen_restarts: Vec<UnseenRestart>,
    /// Per node and instance, its intervals (positions in `intervals`), so that "the state at an
    /// instant" is a binary search, not a scan of every interval. Built once reconstruction is
    /// done; valid while `intervals` keeps the length it had then.
    lanes: BTreeMap<String, BTreeMap<String, Lane>>,
    lanes_built_for: usize,
}

/// One node's instance: its intervals in `intervals`' order (by start), and whether they follow
/// each other without overlap (each ends where or before the next starts), which makes the one
/// interval holding an instant findable by binary search.
#[derive(Debug, Clone, Default)]
struct Lane {
    positions: Vec<usize>,
    contiguous: bool,
}

/// One lane's intervals, borrowed: its positions in `intervals`, read in place.
#[derive(Clone, Copy)]
struct LaneView<'a> {
    intervals: &'a [Interval],
    positions: &'a [usize],
}

impl<'a> LaneView<'a> {
    fn len(self) -> usize {
        self.positions.len()
    }

    fn at(self, position: usize) -> &'a Interval {
        &self.intervals[self.positions[position]]
    }

    fn partition_point(self, below: impl Fn(&Interval) -> bool) -> usize {
        self.positions
            .partition_point(|position| below(&self.intervals[*position]))
    }

    fn iter(self) -> impl Iterator<Item = &'a Interval> {
        self.positions
            .iter()
            .map(move |position| &self.intervals[*position])
    }
}

/// What an event says about the state of an instance (None: nothing), and whether it is only
/// implied: state lines say it, and so do lines that keepalived writes in one state only (the
/// classifier rows' `implies`, carried in the event's `implied_state` field).
fn implied_role(event: &Event) -> Option<(Role, bool)> {
    let name = event.event.as_deref()?;
    match (event.kind, name) {
        (EventKind::VrrpState, events::ENTERING_STATE) => event
            .field("state")
            .map(|state| (Role::parse(state), false)),
        (EventKind::VrrpFault, events::FAULT_REASON) => Some((Role::Fault, false)),
        _ => event
            .field(IMPLIED_STATE_FIELD)
            .map(|state| (Role::parse(state), true))
            .filter(|(role, _)| *role != Role::Unknown),
    }
}

/// Lifecycle events that stop every instance of the node.
/// The files of `node` whose first stamp is its earliest one: lines before that stamp (undated)
/// come before every dated line of the node.
fn leading_files<'a>(timeline: &'a Timeline, node: &str) -> BTreeSet<&'a str> {
    let first = timeline
        .coverage_of(node)
        .filter_map(|coverage| coverage.first)
        .min();
    timeline
        .coverage_of(node)
        .filter(|coverage| coverage.first.is_some() && coverage.first == first)
        .map(|coverage| coverage.file)
        .collect()
}

/// The instances an undated line sets, and to what: direct state lines (not states implied by
/// other lines: without a time, "right after a transition" means nothing); keepalived stopping
/// or starting, or the node booting, make the state unknown again (when the dated logs begin,
/// it may have started since).
fn undated_targets(event: &Event, all_instances: &[String]) -> Vec<(String, Role)> {
    if stops_everything(event) || restarts_everything(event) {
        return all_instances
            .iter()
            .map(|instance| (instance.clone(), Role::Unknown))
            .collect();
    }
    direct_state(event)
        .map(|(instance, role)| vec![(instance.to_string(), role)])
        .unwrap_or_default()
}

/// How long after keepalived starts its sweep of addresses left by an earlier run may still log
/// `removing VIPs.` (it runs as the configuration is read, before the instances' first states).
const STARTUP_SWEEP_S: i64 = 10;

/// The lines of an undated file keepalived's start-up takes, up to its instances' first states
/// (the sweep of `removing VIPs.` among them): STARTUP_SWEEP_S for lines without a time.
const UNDATED_STARTUP_LINES: u64 = 60;

/// Lines of one undated file this close after a change are of the same moment of keepalived's
/// (a stop's or a FAULT's lines come together, other processes' lines between them).
const UNDATED_MOMENT_LINES: u64 = 5;

/// The changes of state a node's files without any dated line show, file by file in line order:
/// state lines (as `undated_targets` reads them), and a stop, which ends every state held. A line
/// keepalived writes in one state only (`Master received advert ...`), before any state line of
/// its instance, gives the state held then (no transition is invented).
fn undated_transitions(
    timeline: &Timeline,
    node: &str,
    all_instances: &[String],
) -> Vec<UndatedTransition> {
    let undated_files: BTreeSet<&str> = timeline
        .coverage_of(node)
        .filter(|coverage| coverage.first.is_none())
        .map(|coverage| coverage.file)
        .collect();
    let mut found: Vec<UndatedTransition> = Vec::new();
    let mut held: BTreeMap<(&str, String), Role> = BTreeMap::new();
    let mut implied_by: BTreeMap<(&str, String), usize> = BTreeMap::new();
    // Per file and instance, the process whose line last named it.
    let mut held_by: BTreeMap<(&str, String), u32> = BTreeMap::new();
    // Per file, the line of keepalived's last start (see STARTUP_SWEEP_S).
    let mut started_at: BTreeMap<&str, u64> = BTreeMap::new();
    for (index, event) in timeline.events.iter().enumerate() {
        let file = event.file.as_ref();
        if event.node.as_ref() != node || event.time.is_some() || !undated_files.contains(file) {
            continue;
        }
        if starts_a_process(event) {
            started_at.insert(file, event.line);
        }
        // A line of an instance from another process than the one whose line gave the state
        // held: a restart unseen ended that state (what the new process holds, its own lines say).
        if let (Some(instance), Some(pid)) = (event.field("instance"), event.pid) {
            let key = (file, instance.to_string());
            if held_by.get(&key).is_some_and(|held_pid| *held_pid != pid) {
                held.insert(key.clone(), Role::Unknown);
                implied_by.remove(&key);
            }
            held_by.insert(key, pid);
        }
        let targets: Vec<(String, Role)> = if stops_everything(event) {
            // The `sent 0 priority` of an instance a moment after the stop (written only by a
            // MASTER as it stops): the state stopped was MASTER.
            for instance in all_instances {
                let key = (file, instance.clone());
                if held.get(&key).is_some_and(|role| *role == Role::Master) {
                    continue;
                }
                if let Some(zero) =
                    priority_zero_after_stop(timeline, node, file, instance, index, event.line)
                {
                    // That process's lines after the stop are of the run that stopped.
                    if let Some(pid) = timeline.events[zero].pid {
                        held_by.insert(key.clone(), pid);
                    }
                    held.insert(key.clone(), Role::Master);
                    implied_by.insert(key, zero);
                }
            }
            all_instances
                .iter()
                .filter(|instance| {
                    held.get(&(file, (*instance).clone()))
                        .is_some_and(|role| !matches!(role, Role::Unknown | Role::Stop))
                })
                .map(|instance| (instance.clone(), Role::Stop))
                .collect()
        } else {
            undated_targets(event, all_instances)
        };
        // A line written on leaving a state (`removing VIPs.`) a few lines after the file's
        // first change of its instance, from a state unknown, tells the state before it.
        if let (Some(left), Some(instance)) =
            (event.field(IMPLIED_LEFT_FIELD), event.field("instance"))
        {
            let left = Role::parse(left);
            if let Some(change) = found
                .iter_mut()
                .rev()
                .find(|change| change.file == file && change.instance == instance)
                && change.from == Role::Unknown
                && change.from_evidence.is_none()
                && change.to != left
                && event
                    .line
                    .saturating_sub(timeline.events[change.event].line)
                    <= UNDATED_MOMENT_LINES
                && started_at.get(file).is_none_or(|start| {
                    timeline.events[change.event].line.saturating_sub(*start)
                        > UNDATED_STARTUP_LINES
                })
            {
                change.from = left;
                change.from_evidence = Some(index);
            }
            continue;
        }
        if targets.is_empty()
            && event.field(IMPLIED_ENTRY_FIELD).is_none()
            && let (Some((role, true)), Some(instance)) =
                (implied_role(event), event.field("instance"))
        {
            let key = (file, instance.to_string());
            if held.get(&key).is_none_or(|held| *held == Role::Unknown) {
                held.insert(key.clone(), role);
                implied_by.insert(key, index);
            }
            continue;
        }
        for (instance, role) in targets {
            let key = (file, instance.clone());
            let from_evidence = implied_by.remove(&key);
            let from = held.insert(key, role).unwrap_or(Role::Unknown);
            if role == from || role == Role::Unknown {
                continue;
            }
            found.push(UndatedTransition {
                node: node.to_string(),
                instance,
                file: file.to_string(),
                from,
                to: role,
                event: index,
                from_evidence,
                previous_line: 0,
                next_line: u64::MAX,
            });
        }
    }
    // Each transition's neighbours of the same file and instance: `found` follows the timeline,
    // whose undated events of one file are in line order.
    let mut last: BTreeMap<(String, String), usize> = BTreeMap::new();
    for position in 0..found.len() {
        let key = (
            found[position].file.clone(),
            found[position].instance.clone(),
        );
        let line = timeline.events[found[position].event].line;
        if let Some(previous) = last.insert(key, position) {
            found[position].previous_line = timeline.events[found[previous].event].line;
            found[previous].next_line = line;
        }
    }
    found
}

/// In an undated file, `instance`'s `sent 0 priority` within UNDATED_MOMENT_LINES lines after a
/// stop of keepalived (the event at `index`, line `line`): its event.
fn priority_zero_after_stop(
    timeline: &Timeline,
    node: &str,
    file: &str,
    instance: &str,
    index: usize,
    line: u64,
) -> Option<usize> {
    timeline
        .events
        .iter()
        .enumerate()
        .skip(index + 1)
        .filter(|(_, later)| later.node.as_ref() == node && later.file.as_ref() == file)
        .take_while(|(_, later)| {
            later.time.is_none() && later.line.saturating_sub(line) <= UNDATED_MOMENT_LINES
        })
        .find(|(_, later)| {
            later.event.as_deref() == Some(events::PRIORITY_ZERO_SENT)
                && later.field("instance") == Some(instance)
        })
        .map(|(position, _)| position)
}

/// A state line's instance and state (not a state implied by another line).
fn direct_state(event: &Event) -> Option<(&str, Role)> {
    match (implied_role(event), event.field("instance")) {
        (Some((role, false)), Some(instance)) => Some((instance, role)),
        _ => None,
    }
}

/// The states an undated line of one instance says, in order, given the last one said before
/// it: a state line's state; a line keepalived writes in one state only, that state, and where
/// the line is a change (`Master received advert ... higher priority`, `sent 0 priority`), the
/// state it leads to, when it was written in the state said before (a `sent 0 priority` after
/// `Entering FAULT STATE` says nothing new).
fn undated_words(event: &Event, said_before: Option<Role>) -> Vec<Role> {
    match implied_role(event) {
        Some((role, false)) => vec![role],
        Some((role, true)) => match event.field(LEADS_TO_FIELD) {
            None => vec![role],
            Some(_) if said_before.is_some_and(|before| before != role) => Vec::new(),
            Some(next) => vec![role, Role::parse(next)],
        },
        None => Vec::new(),
    }
}

fn stops_everything(event: &Event) -> bool {
    matches!(
        event.event.as_deref(),
        Some(
            events::KEEPALIVED_STOPPING
                | events::KEEPALIVED_STOPPED
                | events::CHILD_EXITED
                | events::NODE_BOOT
        )
    ) || (event.event.as_deref() == Some(events::VRRP_CHILD_STOPPED) && !is_checker_process(event))
        || (event.event.as_deref() == Some(events::VRRP_CHILD_DIED)
        && event.field("action") == Some("Exiting"))
        // The VRRP process's crash (the parent names it): its instances no longer run, though
        // their VIPs stay configured.
        || (event.event.as_deref() == Some(events::CHILD_CRASHED)
            && event
                .field("child")
                .is_some_and(|child| child.eq_ignore_ascii_case("vrrp")))
}

/// The pid of a crashed keepalived process, as keepalived 1.x's parent (`pid 16529 exited due to
/// segmentation fault`) or the kernel (`keepalived[16505]: segfault at ...`) reports it: where it
/// is the VRRP process that wrote an instance's lines, that instance no longer runs (2.x names
/// the process: `stops_everything`).
fn crashed_pid(event: &Event) -> Option<u32> {
    if event.event.as_deref() != Some(events::CHILD_CRASHED) {
        return None;
    }
    event.field("child_pid")?.parse().ok()
}

/// Whether a line is keepalived's checker or BFD process's (`Keepalived_healthcheckers`,
/// `Keepalived_checker`, `Keepalived_bfd`): its `Stopped` is not the VRRP process's, whose
/// instances may run on (the checker restarted after a crash).
fn is_checker_process(event: &Event) -> bool {
    event.program.as_deref().is_some_and(|program| {
        let program = program.to_ascii_lowercase();
        program.contains("check") || program.contains("bfd")
    })
}

/// A line keepalived writes as it, or its VRRP process, starts: its start line, the start-up
/// lines of a process (`Registering Kernel netlink reflector`, `Starting VRRP child process`),
/// or its parent reporting the child's crash (a respawn follows).
fn starts_a_process(event: &Event) -> bool {
    restarts_everything(event)
        || matches!(
            event.event.as_deref(),
            Some(
                events::KEEPALIVED_INITIALISING
                    | events::VRRP_CHILD_STARTING
                    | events::CHILD_CRASHED
            )
        )
}

/// Lifecycle events after which every instance's state is unknown until it says: a start. Not a
/// reload: keepalived restores each instance's state across it (vrrp.c restore_vrrp_state, 1.2
/// to 2.x); an instance it re-initialises says so (`Entering BACKUP STATE (init)`).
fn restarts_everything(event: &Event) -> bool {
    event.event.as_deref() == Some(events::KEEPALIVED_STARTING)
}

struct Tracker {
    role: Role,
    start: Option<DateTime<Utc>>,
    opened_by: Option<usize>,
    inferred: bool,
    proven_from: Option<DateTime<Utc>>,
    /// The node's first transition of this instance, from a state unknown since before the logs
    /// (indices into `transitions` and `intervals`): evidence right after it can still say what
    /// that earlier state was (`sent 0 priority` written just after `Entering FAULT STATE`).
    first_change: Option<(usize, usize)>,
    /// The last line that showed the state held (its time).
    last_seen: Option<DateTime<Utc>>,
    /// The process whose line last showed the state held, where it is not the one of the line
    /// that opened it (a new process of a restart taken to hold the state through); of a state
    /// unknown, the new process of a restart seen only by a line that told no state.
    process: Option<u32>,
}

impl Tracker {
    /// A state no line has told yet: since before the logs (`start` None), or since a restart
    /// they do not show.
    fn unknown_since(start: Option<DateTime<Utc>>) -> Tracker {
        Tracker {
            role: Role::Unknown,
            start,
            opened_by: None,
            inferred: false,
            proven_from: None,
            first_change: None,
            last_seen: None,
            process: None,
        }
    }

    /// The interval of the state tracked so far, ending at `end` (None: open at the end of the
    /// logs), closed by the line `closed_by` if one says so.
    fn interval(
        &self,
        node: &str,
        instance: &str,
        end: Option<DateTime<Utc>>,
        closed_by: Option<usize>,
    ) -> Interval {
        Interval {
            node: node.to_string(),
            instance: instance.to_string(),
            role: self.role,
            start: self.start,
            end,
            opened_by: self.opened_by,
            closed_by,
            inferred: self.inferred,
            proven_from: self.proven_from,
            opened_as: Opening::Line,
        }
    }
}

/// What a line says of a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Evidence {
    /// A state line (or a stop or start): the state from now on.
    StateLine,
    /// A line keepalived writes in that state only: the state held then. It fills an unknown
    /// state, and never overrides a state line.
    Implied,
    /// The same, for a line that starts the state now (1.x `Transition to MASTER STATE`).
    ImpliedEntry,
    /// The state keepalived enters right after a line (`leads_to`), where no state line followed
    /// it: a change of state like a state line's, inferred.
    Follows,
}

/// A stop this long after the previous one, or a line of a running keepalived this long after
/// it, with no start between: keepalived was started again where the logs do not show (one
/// shutdown's lines take a second or two).
const RESTART_UNLOGGED_AFTER_S: i64 = 30;

/// Whether a line shows keepalived running again after a stop whose restart is not in the logs:
/// keepalived's own `Stopping` (a second shutdown), or a line it writes only in a state (implied
/// by the line), well after the instance stopped.
fn restarted_unlogged(
    tracker: &Tracker,
    event: &Event,
    role: Role,
    implied: bool,
    time: DateTime<Utc>,
) -> bool {
    let running = event.event.as_deref() == Some(events::KEEPALIVED_STOPPING)
        || (implied && !matches!(role, Role::Stop | Role::Unknown));
    running
        && tracker.role == Role::Stop
        && tracker
            .start
            .is_some_and(|stopped| (time - stopped).num_seconds() > RESTART_UNLOGGED_AFTER_S)
}

/// A keepalived restart the logs show only by its start (no stop before it): the state held
/// before ended at `last_seen` or later, unseen. Its interval runs to the restart (nothing says
/// it ended sooner); a window of two masters is not proven beyond `last_seen`.
#[derive(Debug, Clone, PartialEq)]
pub struct UnseenRestart {
    pub node: String,
    pub instance: String,
    /// The old process's last line.
    pub last_seen: DateTime<Utc>,
    /// The new process's start (its `(init)` state line, or the Starting line).
    pub restart: DateTime<Utc>,
    /// That line's event (index in the timeline).
    pub restart_event: usize,
    /// The old state is taken to hold up to the restart, not only to its last line: the new
    /// process's state line is in the same excerpt as the old one's lines, which a grep of the
    /// state lines leaves sparse (its silence is no change of state, not no process).
    pub held_through: bool,
}

impl States {
    /// Notes what a DRBD line or status capture of `node` says of its DRBD state; the first
    /// dated line starts afresh (undated lines are placed before dated ones, though they may
    /// be later: where dated lines say the state, they decide).
    fn note_drbd(&mut self, node: &str, event: &Event) {
        let dated = event.time.is_some();
        let mut now = if dated && !self.drbd_dated.contains(node) {
            DrbdNow::default()
        } else {
            self.drbd_roles.get(node).cloned().unwrap_or_default()
        };
        if now.note(event) {
            if dated {
                self.drbd_dated.insert(node.to_string());
            }
            self.drbd_roles.insert(node.to_string(), now);
        }
    }

    /// The unseen restart of `node`'s instance whose new process started at `time` (the end of
    /// the state held before it, and the instant of the unknown state between).
    pub fn unseen_restart_ending_at(
        &self,
        node: &str,
        instance: &str,
        time: DateTime<Utc>,
    ) -> Option<&UnseenRestart> {
        self.unseen_restarts.iter().find(|restart| {
            restart.node == node && restart.instance == instance && restart.restart == time
        })
    }

    /// The unseen restart `node`'s instance was in at `time` (between the old process's last
    /// line and the new process's start).
    pub fn unseen_restart_at(
        &self,
        node: &str,
        instance: Option<&str>,
        time: DateTime<Utc>,
    ) -> Option<&UnseenRestart> {
        self.unseen_restarts.iter().find(|restart| {
            restart.node == node
                && instance.is_none_or(|instance| restart.instance == instance)
                && restart.last_seen <= time
                && time < restart.restart
        })
    }
}

/// A restart the logs show only by its start, with no stop before it: a Starting line, a state
/// line `(init)` written by another VRRP process than the one whose line last showed the state
/// held (a reload keeps the process), or any line of that instance (a state, advert, fault or
/// track script line) from another process of the same program once the old process has written
/// its last line (keepalived 1.x marks no `(init)`,
/// and excerpts may cut the start-up lines, or a grep leave only the state lines: a new process
/// is a new run whatever the lines between; a reload writes the start-up lines but keeps its
/// processes; where several keepalived daemons log side by side, each keeps writing). The old
/// process's last line: the state held ended then or later, unseen. None where the old process
/// wrote until moments before; lines without process ids: see [`init_without_process_ids`].
#[allow(clippy::too_many_arguments)]
fn old_run_last_line(
    events: &[Event],
    node: &str,
    tracker: &Tracker,
    event: &Event,
    index: usize,
    time: DateTime<Utc>,
    last_line_of_process: &HashMap<u32, usize>,
    first_line_of_process: &HashMap<u32, usize>,
) -> Option<(DateTime<Utc>, bool)> {
    if !matches!(tracker.role, Role::Master | Role::Backup | Role::Fault) {
        return None;
    }
    let opener = events.get(tracker.opened_by?)?;
    if opener.pid.is_none() || (event.pid.is_none() && !restarts_everything(event)) {
        return init_without_process_ids(events, node, event, index, time)
            .map(|last| (last, false));
    }
    let old_pid = tracker.process.or(opener.pid)?;
    let new_process = event.pid.is_some_and(|pid| pid != old_pid);
    // The old process ended before the new one first wrote (two copies of one node's log, a
    // container's pid in one and the host's in the other, or two daemons side by side, write
    // at once: no restart).
    let old_process_ended = last_line_of_process.get(&old_pid).is_some_and(|last| {
        *last < index
            && event.pid.is_none_or(|pid| {
                first_line_of_process
                    .get(&pid)
                    .is_none_or(|first| first > last)
            })
    });
    let init_line = start_up_state_line(event);
    let after_startup_lines = logged_just_before(
        events,
        node,
        index,
        time,
        Duration::milliseconds(SAME_MOMENT_MS),
        &[events::KEEPALIVED_INITIALISING],
    );
    let restart = restarts_everything(event)
        || (new_process && init_line)
        || (new_process
            && old_process_ended
            && event.program.is_some()
            && event.program == opener.program
            && event.field("instance").is_some()
            && matches!(
                event.kind,
                EventKind::VrrpState
                    | EventKind::VrrpAdvert
                    | EventKind::VrrpFault
                    | EventKind::VrrpTrack
            ));
    if !restart {
        return None;
    }
    let last = last_time_of_process(events, node, old_pid, index)?;
    // Only a new process's state line says the restart: in the old process's excerpt, the old
    // state is taken to hold until it.
    let held_through = !restarts_everything(event)
        && !init_line
        && !after_startup_lines
        && !old_run_in_another_excerpt(events, node, old_pid, event, index);
    ((time - last).num_milliseconds() > SAME_MOMENT_MS).then_some((last, held_through))
}

/// How long the silence between an old process's last line and a new process's line entering
/// the same state may be for the state to be taken to hold through the restart.
const HELD_THROUGH_RESTART_S: i64 = 3600;

/// Whether the old process's last line before `index` is in another excerpt than `event`: a
/// file of another name, not a rotation of the same log (two pastes of one node, an hour
/// apart).
fn old_run_in_another_excerpt(
    events: &[Event],
    node: &str,
    old_pid: u32,
    event: &Event,
    index: usize,
) -> bool {
    events[..index]
        .iter()
        .rev()
        .find(|earlier| earlier.node.as_ref() == node && earlier.pid == Some(old_pid))
        .is_some_and(|last| {
            last.file != event.file && rotation_key(&last.file).0 != rotation_key(&event.file).0
        })
}

/// The time of the last dated line of process `pid` on `node` before `index`.
fn last_time_of_process(
    events: &[Event],
    node: &str,
    pid: u32,
    index: usize,
) -> Option<DateTime<Utc>> {
    events[..index]
        .iter()
        .rev()
        .filter(|earlier| earlier.node.as_ref() == node && earlier.pid == Some(pid))
        .find_map(|earlier| earlier.time)
}

/// At a stop of keepalived (`index`, at `time`) on `node`: the old process's last line and the
/// `sent 0 priority` of `instance` written within moments after the stop by another VRRP process
/// than the one whose state the tracker holds (a BACKUP or FAULT line of an earlier run), that
/// one's lines having ended before the stop. Priority 0 is sent only by a MASTER: the process
/// that stopped had become MASTER in lines the excerpt does not hold.
fn master_stopping_after_unseen_restart(
    events: &[Event],
    node: &str,
    instance: &str,
    tracker: &Tracker,
    index: usize,
    time: DateTime<Utc>,
    last_line_of_process: &HashMap<u32, usize>,
) -> Option<(DateTime<Utc>, usize)> {
    if !matches!(tracker.role, Role::Backup | Role::Fault) {
        return None;
    }
    let old_pid = tracker
        .process
        .or_else(|| events.get(tracker.opened_by?)?.pid)?;
    if last_line_of_process
        .get(&old_pid)
        .is_none_or(|last| *last >= index)
    {
        return None;
    }
    let (zero_index, _) = events
        .iter()
        .enumerate()
        .skip(index + 1)
        .filter(|(_, later)| later.node.as_ref() == node)
        .take_while(|(_, later)| {
            later
                .time
                .is_some_and(|later| (later - time).num_milliseconds().abs() <= 2_000)
        })
        .find(|(_, later)| {
            later.event.as_deref() == Some(events::PRIORITY_ZERO_SENT)
                && later.field("instance") == Some(instance)
                && later.pid.is_some_and(|pid| pid != old_pid)
        })?;
    Some((
        last_time_of_process(events, node, old_pid, index)?,
        zero_index,
    ))
}

/// Where lines carry no process id (keepalived's console, `-l` to a file): an `(init)` state line
/// after a running state is a new VRRP process, unless a reload was logged in the minute before
/// (a reload re-initialises only the instances it adds, and says so first). The old process's
/// last line: the node's last line before the new process's start-up moment.
fn init_without_process_ids(
    events: &[Event],
    node: &str,
    event: &Event,
    index: usize,
    time: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    if !start_up_state_line(event) {
        return None;
    }
    if logged_just_before(
        events,
        node,
        index,
        time,
        Duration::seconds(60),
        &[events::KEEPALIVED_RELOADING],
    ) {
        return None;
    }
    events[..index]
        .iter()
        .rev()
        .filter(|earlier| earlier.node.as_ref() == node)
        .filter_map(|earlier| earlier.time)
        .find(|at| (time - *at).num_milliseconds() > SAME_MOMENT_MS)
}

/// A line keepalived writes for an instance's first state as it starts or reloads: `(init)` on
/// a state line, or 2.x's lower-case FAULT lines (the state and its reason), written only then.
fn start_up_state_line(event: &Event) -> bool {
    matches!(event.kind, EventKind::VrrpState | EventKind::VrrpFault)
        && event.field("reason") == Some("init")
}

/// Whether `node` logged one of the events `names` in the `within` before the line at `index`
/// (at `time`); undated lines between are passed over.
fn logged_just_before(
    events: &[Event],
    node: &str,
    index: usize,
    time: DateTime<Utc>,
    within: Duration,
    names: &[&str],
) -> bool {
    logged_between(events, node, 0, index, time, within, names)
}

/// [`logged_just_before`] among the lines from `from` on only.
fn logged_between(
    events: &[Event],
    node: &str,
    from: usize,
    index: usize,
    time: DateTime<Utc>,
    within: Duration,
    names: &[&str],
) -> bool {
    events[from.min(index)..index]
        .iter()
        .rev()
        .take_while(|earlier| earlier.time.is_none_or(|at| time - at <= within))
        .any(|earlier| {
            earlier.node.as_ref() == node
                && earlier
                    .event
                    .as_deref()
                    .is_some_and(|name| names.contains(&name))
        })
}

/// For a BACKUP state line written the moment a track script of the same process succeeded
/// (within SAME_MOMENT_MS): that script's last failure before, by the same process, and when.
/// An instance leaves FAULT so; a weighted script's recovery changes a priority, not a state.
fn fault_before_recovery(
    events: &[Event],
    node: &str,
    event: &Event,
    index: usize,
    time: DateTime<Utc>,
) -> Option<(usize, DateTime<Utc>)> {
    let pid = event.pid?;
    let same_process = |earlier: &Event| earlier.node.as_ref() == node && earlier.pid == Some(pid);
    let recovered = events[..index]
        .iter()
        .rev()
        .take_while(|earlier| {
            earlier
                .time
                .is_none_or(|at| (time - at).num_milliseconds() <= SAME_MOMENT_MS)
        })
        .find(|earlier| {
            same_process(earlier) && earlier.event.as_deref() == Some(events::SCRIPT_SUCCEEDED)
        })?;
    let script = recovered.field("script")?;
    if let Some((failed, failure)) =
        events[..index]
            .iter()
            .enumerate()
            .rev()
            .find(|(_, earlier)| {
                same_process(earlier)
                    && earlier.field("script") == Some(script)
                    && earlier.event.as_deref() == Some(events::SCRIPT_FAILED)
            })
    {
        return Some((failed, failure.time?));
    }
    // No `VRRP_Script(x) failed` line in the excerpt: the script's own failing exit statuses
    // before its recovery (`/path/x.sh exited with status 1`, a file named after the script;
    // the line gives the command with its arguments), from the first of their run.
    // (`/bin/bash /etc/keepalived/chk_ngx.sh`: any word of the command may be the script.)
    let names_script = |earlier: &Event| {
        earlier.field("path").is_some_and(|command| {
            command.split_whitespace().any(|word| {
                let file = word.rsplit('/').next().unwrap_or(word);
                file.split('.').next().unwrap_or(file) == script
            })
        })
    };
    let mut first_failure = None;
    for (position, earlier) in events[..index].iter().enumerate().rev() {
        if !same_process(earlier)
            || earlier.event.as_deref() != Some(events::SCRIPT_STATUS)
            || !names_script(earlier)
        {
            continue;
        }
        if earlier.field("status") == Some("0") {
            break;
        }
        if let Some(at) = earlier.time {
            first_failure = Some((position, at));
        }
    }
    first_failure
}

/// A line entering MASTER (a state line, or 1.x `Transition to MASTER STATE`) while the tracker
/// holds MASTER, or a state line entering BACKUP (not `(init)`) while it holds a BACKUP a state
/// line said, more than a moment after the last line that showed it: keepalived writes such a
/// line only on a change, so the instance left the state between, in lines the excerpt does not
/// have (a FAULT, a BACKUP or MASTER, a restart). Not the `Entering MASTER STATE` that completes a 1.x
/// transition (within 5 s of it), nor a line repeated by two copies of one log (same moment), nor
/// a line of another process than the one whose line opened the state held, nor one after a
/// reload or start of keepalived on the node since that last line. `role` and `evidence`: what
/// the line says. Gives the time of the last line that showed the state held.
fn state_entered_again(
    events: &[Event],
    tracker: &Tracker,
    event: &Event,
    index: usize,
    role: Role,
    evidence: Evidence,
    time: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    // keepalived writes a line entering MASTER or BACKUP only on a change into it (BACKUP: from
    // MASTER or FAULT, or `(init)` at a start); FAULT may be written again from FAULT.
    let entered_only_on_change = role == tracker.role
        && match role {
            Role::Master => evidence != Evidence::Implied,
            Role::Backup => {
                evidence == Evidence::StateLine
                    && !tracker.inferred
                    && event.field("reason") != Some("init")
            }
            _ => false,
        };
    if !entered_only_on_change {
        return None;
    }
    let last_seen = tracker.last_seen?;
    // The same process wrote both (a line of another process is another run, or another
    // daemon logging side by side: the restart rules read those).
    if tracker
        .opened_by
        .is_none_or(|opened| events[opened].pid != event.pid)
    {
        return None;
    }
    let completes_transition = tracker.opened_by.is_some_and(|opened| {
        events[opened].event.as_deref() == Some(events::TRANSITION_TO_MASTER)
    }) && tracker
        .start
        .is_some_and(|start| time - start <= Duration::seconds(5));
    // A reload or start of keepalived between re-runs its start-up (the restart rules and
    // the reload's own lines say it).
    // (Lines after the one that opened the state: one of the same second before it is older.)
    let after_opening = tracker.opened_by.map_or(0, |opened| opened + 1);
    let logged_since_state = |names: &[&str]| {
        logged_between(
            events,
            &event.node,
            after_opening,
            index,
            time,
            time - last_seen,
            names,
        )
    };
    let restarted_between = logged_since_state(&[
        events::KEEPALIVED_RELOADING,
        events::KEEPALIVED_STARTING,
        events::VRRP_CHILD_STARTING,
        events::KEEPALIVED_INITIALISING,
    ]);
    // A BACKUP entered again after a 1.x `Transition to MASTER STATE` since: the transition
    // abandoned (a better advert heard meanwhile), which that line shows.
    let abandoned_transition =
        tracker.role == Role::Backup && logged_since_state(&[events::TRANSITION_TO_MASTER]);
    ((time - last_seen).num_milliseconds() > SAME_MOMENT_MS
        && !completes_transition
        && !restarted_between
        && !abandoned_transition)
        .then_some(last_seen)
}

/// The state a 1.x transition (a line entering MASTER of `instance` on `node` at `time`) ends in:
/// that of the instance's next `Entering … STATE` line within the moments of a transition (5 s),
/// if there is one.
fn entered_after_transition<'e>(
    events: &'e [Event],
    node: &str,
    instance: &str,
    index: usize,
    time: DateTime<Utc>,
) -> Option<&'e str> {
    events[index + 1..]
        .iter()
        .take_while(|later| {
            later
                .time
                .is_none_or(|at| at - time <= Duration::seconds(5))
        })
        .filter(|later| {
            later.node.as_ref() == node
                && later.event.as_deref() == Some(events::ENTERING_STATE)
                && later.field("instance") == Some(instance)
        })
        .find_map(|later| later.field("state"))
}

/// Whether a state line enters the state a tracker already holds from a line written in it a
/// moment earlier, just after a restart the logs do not show ([`States::restart_unlogged`]
/// marks such a state known from its start: `proven_from` equal to `start`).
fn entered_after_restart(tracker: &Tracker, evidence: Evidence, time: DateTime<Utc>) -> bool {
    evidence == Evidence::StateLine
        && tracker.inferred
        && tracker.proven_from == tracker.start
        && tracker
            .start
            .is_some_and(|start| (time - start).num_milliseconds() <= SAME_MOMENT_MS)
}

/// Whether the state a tracker holds, `role`, is known only from lines written in it before any
/// state line of the logs, the first of them a moment before `time`.
fn implied_a_moment_before(tracker: &Tracker, role: Role, time: DateTime<Utc>) -> bool {
    tracker.role == role
        && tracker.inferred
        && tracker.start.is_none()
        && tracker.opened_by.is_some()
        && tracker
            .proven_from
            .is_some_and(|first| (time - first).num_milliseconds() <= SAME_MOMENT_MS)
}

/// A state keepalived enters right after a line (`leads_to`): when, the line's event, the state.
type Follows = (DateTime<Utc>, usize, Role);

/// Lines this close together are one moment of keepalived's: evidence this close after a node's
/// first transition still tells the state before it, a state line this close after a line
/// decides what it led to, an address added this close after `setting protocol VIPs` is a VIP.
pub(crate) const SAME_MOMENT_MS: i64 = 2000;

/// How long after a state line other than MASTER an instance's own announcement of its VIPs
/// shows it became MASTER since: not sooner, since a MASTER that yields may still send the
/// gratuitous ARPs it had scheduled (keepalived repeats them after `garp_master_delay`, 5 s).
const VIP_ANNOUNCEMENT_AFTER_S: i64 = 10;

/// A line in which an instance announces its VIPs (gratuitous ARPs or unsolicited neighbour
/// adverts naming it, `setting protocol VIPs`): keepalived does so only as MASTER.
fn announces_vips(event: &Event) -> bool {
    matches!(
        event.event.as_deref(),
        Some(events::GRATUITOUS_ARP | events::VIPS_SET)
    )
}

impl States {
    /// Reconstructs states from the timeline's events (in timeline order).
    pub fn reconstruct(timeline: &Timeline, quiet_after: Duration) -> States {
        let mut states = States::default();
        let events = &timeline.events;
        let mut instances: BTreeSet<String> = BTreeSet::new();
        for event in events {
            if matches!(
                event.kind,
                EventKind::VrrpState
                    | EventKind::VrrpAdvert
                    | EventKind::VrrpFault
                    | EventKind::VrrpTrack
            ) && let Some(instance) = event.field("instance")
            {
                instances.insert(instance.to_string());
            }
        }
        states.instances = instances.iter().cloned().collect();
        for node in &timeline.nodes {
            states.reconstruct_node(timeline, &node.name);
            states.blind_intervals(timeline, &node.name, quiet_after);
        }
        states.intervals.sort_by(|left, right| {
            (left.start, &left.node, &left.instance).cmp(&(
                right.start,
                &right.node,
                &right.instance,
            ))
        });
        states.name_openings(events);
        states.transitions.sort_by(|left, right| {
            (left.time, &left.node, left.event).cmp(&(right.time, &right.node, right.event))
        });
        for node in &timeline.nodes {
            if !states
                .transitions
                .iter()
                .any(|transition| transition.node == node.name)
            {
                let found = undated_transitions(timeline, &node.name, &states.instances);
                states.undated_transitions.extend(found);
            }
        }
        states.index_lanes();
        states
    }

    /// Marks the intervals a crash or a start opened (`Interval::opened_as`), the intervals in
    /// time order: a new VRRP process right after a crash's STOP is a respawn.
    fn name_openings(&mut self, events: &[Event]) {
        let mut crashed: BTreeSet<(String, String)> = BTreeSet::new();
        for interval in &mut self.intervals {
            let key = (interval.node.clone(), interval.instance.clone());
            let opener = interval
                .opened_by
                .and_then(|index| events.get(index))
                .and_then(|event| event.event.as_deref());
            interval.opened_as = match (interval.role, opener) {
                (Role::Stop, Some(events::CHILD_CRASHED)) => Opening::Crash,
                (Role::Unknown, Some(events::VRRP_CHILD_STARTING)) if crashed.contains(&key) => {
                    Opening::Respawn
                }
                (
                    Role::Unknown,
                    Some(events::VRRP_CHILD_STARTING | events::KEEPALIVED_STARTING),
                ) => Opening::Start,
                // (Or what its making said: `LeftUnseen`.)
                _ => interval.opened_as,
            };
            if interval.opened_as == Opening::Crash {
                crashed.insert(key);
            } else {
                crashed.remove(&key);
            }
        }
    }

    /// Builds the per node and instance index of the intervals.
    fn index_lanes(&mut self) {
        let mut lanes: BTreeMap<String, BTreeMap<String, Lane>> = BTreeMap::new();
        for (position, interval) in self.intervals.iter().enumerate() {
            lanes
                .entry(interval.node.clone())
                .or_default()
                .entry(interval.instance.clone())
                .or_default()
                .positions
                .push(position);
        }
        for lane in lanes.values_mut().flat_map(BTreeMap::values_mut) {
            let intervals: Vec<&Interval> = lane
                .positions
                .iter()
                .map(|position| &self.intervals[*position])
                .collect();
            lane.contiguous = intervals.windows(2).all(|pair| {
                match (pair[0].start, pair[0].end, pair[1].start) {
                    (start, Some(end), Some(next)) => {
                        start.is_none_or(|start| start <= end) && end <= next
                    }
                    _ => false,
                }
            });
        }
        self.lanes = lanes;
        self.lanes_built_for = self.intervals.len();
    }

    /// The intervals of one node's instance, in order, and whether they are contiguous; None
    /// while the index is not built (during reconstruction).
    fn lane(&self, node: &str, instance: &str) -> Option<(LaneView<'_>, bool)> {
        if self.lanes_built_for != self.intervals.len() || self.intervals.is_empty() {
            return None;
        }
        Some(
            match self.lanes.get(node).and_then(|lanes| lanes.get(instance)) {
                Some(lane) => (
                    LaneView {
                        intervals: &self.intervals,
                        positions: &lane.positions,
                    },
                    lane.contiguous,
                ),
                None => (
                    LaneView {
                        intervals: &self.intervals,
                        positions: &[],
                    },
                    true,
                ),
            },
        )
    }

    /// One node's instance's intervals known by `time` (their start, or for a state held since
    /// before the logs, the first line proving it, at or before it) and not ended before it (an
    /// interval ending at `time` counts). In `intervals`' order.
    pub fn intervals_spanning(
        &self,
        node: &str,
        instance: &str,
        time: DateTime<Utc>,
    ) -> Vec<&Interval> {
        let spans = |interval: &&Interval| {
            interval
                .start
                .or(interval.proven_from)
                .is_some_and(|start| start <= time)
                && interval.end.is_none_or(|end| end >= time)
        };
        match self.lane(node, instance) {
            // Contiguous: ends grow with starts, so from the last interval starting by `time`
            // back to the first that ended before it.
            Some((mine, true)) => {
                let after = mine
                    .partition_point(|interval| interval.start.is_none_or(|start| start <= time));
                let mut spanning: Vec<&Interval> = (0..after)
                    .rev()
                    .map(|position| mine.at(position))
                    .take_while(|interval| interval.end.is_none_or(|end| end >= time))
                    .filter(|interval| spans(interval))
                    .collect();
                spanning.reverse();
                spanning
            }
            Some((mine, false)) => mine.iter().filter(spans).collect(),
            None => self
                .intervals
                .iter()
                .filter(|interval| interval.node == node && interval.instance == instance)
                .filter(spans)
                .collect(),
        }
    }

    /// The position in `mine` (one lane's intervals, in order) of the interval holding `time`:
    /// a binary search where the lane is contiguous, else the first that holds it.
    fn holding(mine: LaneView<'_>, contiguous: bool, time: DateTime<Utc>) -> Option<usize> {
        let holds = |interval: &Interval| {
            interval.start.is_none_or(|start| start <= time)
                && interval.end.is_none_or(|end| time < end)
        };
        if contiguous {
            let after =
                mine.partition_point(|interval| interval.start.is_none_or(|start| start <= time));
            // Contiguous: only the last interval starting at or before `time` can hold it
            // (zero-length ones before it hold nothing).
            after
                .checked_sub(1)
                .filter(|position| holds(mine.at(*position)))
        } else {
            mine.iter().position(holds)
        }
    }

    /// A line a moment after the node's first change of the instance from a state unknown since
    /// before the logs, written only in `role` or on leaving it, tells the state before that
    /// change (`sent 0 priority` or `removing VIPs.` just after `Entering FAULT STATE`).
    fn tell_state_before_first_change(
        &mut self,
        tracker: &mut Tracker,
        role: Role,
        index: usize,
        time: DateTime<Utc>,
    ) {
        if let Some((transition_index, interval_index)) = tracker.first_change
            && let Some(transition) = self.transitions.get_mut(transition_index)
            && (time - transition.time).num_milliseconds() <= SAME_MOMENT_MS
            && transition.from == Role::Unknown
            && role != transition.to
        {
            transition.from = role;
            transition.from_inferred = true;
            transition.from_evidence = Some(index);
            let changed_at = transition.time;
            if let Some(interval) = self.intervals.get_mut(interval_index) {
                if interval.start.is_some_and(|start| start < changed_at) {
                    // Unknown since a known time (a state left unseen): the state before the
                    // change is known only at the change, not since the unknown began.
                    let mut known = interval.clone();
                    known.start = Some(changed_at);
                    known.role = role;
                    known.inferred = true;
                    known.proven_from = Some(changed_at);
                    known.opened_by = Some(index);
                    known.opened_as = Opening::Line;
                    self.intervals.push(known);
                } else {
                    interval.role = role;
                    interval.inferred = true;
                    interval.proven_from = Some(changed_at);
                    interval.opened_by = Some(index);
                }
            }
            tracker.first_change = None;
        }
    }

    /// Applies what one line says of an instance's state (`role`, on `evidence`) at `time`,
    /// `index` being the line's event.
    #[allow(clippy::too_many_arguments)]
    fn apply_role(
        &mut self,
        tracker: &mut Tracker,
        node: &str,
        instance: &str,
        role: Role,
        evidence: Evidence,
        index: usize,
        time: DateTime<Utc>,
    ) {
        let inferred = evidence != Evidence::StateLine;
        let entry = evidence == Evidence::ImpliedEntry;
        if tracker.role == role {
            if !entered_after_restart(tracker, evidence, time) {
                // Direct evidence confirms an inferred state.
                if !inferred {
                    tracker.inferred = false;
                }
                tracker.last_seen = tracker.last_seen.max(Some(time));
                return;
            }
            // The state was known after a restart the logs do not show from a line written in
            // it, a moment before the line entering it: that line is the change of state.
            *tracker = Tracker::unknown_since(tracker.start);
        }
        // Indirect evidence only fills an unknown state; it never overrides a state line.
        // Right after the node's first transition it may tell the state before it (a line
        // written in one state, not one that enters a state: a 1.x `Transition to MASTER`
        // after a start-up BACKUP is the next change, not the state before).
        if inferred && evidence != Evidence::Follows && tracker.role != Role::Unknown {
            if !entry {
                self.tell_state_before_first_change(tracker, role, index, time);
            }
            return;
        }
        // Evidence before any state line of the node's logs: the state was held since
        // before the logs say so. That is no transition, only knowledge of the state.
        if inferred && !entry && tracker.start.is_none() && tracker.opened_by.is_none() {
            *tracker = Tracker {
                role,
                start: None,
                opened_by: Some(index),
                inferred: true,
                proven_from: Some(time),
                first_change: None,
                last_seen: Some(time),
                process: None,
            };
            return;
        }
        // Evidence after a restart the logs show only by a line of its new process that told
        // no state (`process` set on a state unknown): the state is known from here (held since
        // an unknown time), no change.
        if inferred
            && !entry
            && tracker.role == Role::Unknown
            && tracker.opened_by.is_none()
            && tracker.process.is_some()
        {
            self.restart_unlogged(tracker, node, instance, role, true, index, time);
            return;
        }
        // Unknown since before the logs, or since a restart they do not show.
        let before_logs = tracker.role == Role::Unknown && tracker.opened_by.is_none();
        let first_change = before_logs.then_some((self.transitions.len(), self.intervals.len()));
        self.intervals
            .push(tracker.interval(node, instance, Some(time), Some(index)));
        self.transitions.push(Transition {
            node: node.to_string(),
            instance: instance.to_string(),
            time,
            from: tracker.role,
            to: role,
            event: index,
            from_inferred: tracker.inferred && tracker.role != Role::Unknown,
            from_evidence: if tracker.inferred {
                tracker.opened_by
            } else {
                None
            },
        });
        *tracker = Tracker {
            role,
            start: Some(time),
            opened_by: Some(index),
            inferred,
            proven_from: None,
            first_change,
            last_seen: Some(time),
            process: None,
        };
    }

    /// keepalived ran again after a stop whose restart the logs do not show (see
    /// [`restarted_unlogged`]): the stop ends here, not earlier, since nothing says when it
    /// started again. A state a line implies is known from now on (`held`: held since an unknown
    /// time). Otherwise (a second stop, or a line that enters its state: 1.x `Transition to
    /// MASTER STATE`) the state is unknown until the line itself, or one a moment later, says it
    /// (`sent 0 priority` after `Stopping`), as at the start of the logs. So too, not `held`, a
    /// running state that a restart the logs show only by its start ends ([`UnseenRestart`]).
    #[allow(clippy::too_many_arguments)]
    fn restart_unlogged(
        &mut self,
        tracker: &mut Tracker,
        node: &str,
        instance: &str,
        role: Role,
        held: bool,
        index: usize,
        time: DateTime<Utc>,
    ) {
        self.intervals
            .push(tracker.interval(node, instance, Some(time), None));
        *tracker = if held {
            Tracker {
                role,
                start: Some(time),
                opened_by: Some(index),
                inferred: true,
                proven_from: Some(time),
                first_change: None,
                last_seen: Some(time),
                process: None,
            }
        } else {
            Tracker::unknown_since(Some(time))
        };
    }

    /// Whether the BACKUP a tracker holds may have followed a MASTER whose scheduled gratuitous
    /// ARPs are still being sent: not where its state line is a start's (`(init)`), nor where
    /// the state before it was FAULT or STOP (no VIPs set there).
    fn backup_may_follow_master(&self, events: &[Event], tracker: &Tracker) -> bool {
        let Some(opened_by) = tracker.opened_by else {
            return true;
        };
        if events[opened_by].field("reason") == Some("init") {
            return false;
        }
        !self
            .transitions
            .iter()
            .rev()
            .find(|transition| transition.event == opened_by)
            .is_some_and(|transition| matches!(transition.from, Role::Fault | Role::Stop))
    }

    /// Applies a state keepalived entered after a line, no state line having followed it.
    fn apply_follows(
        &mut self,
        tracker: &mut Tracker,
        node: &str,
        instance: &str,
        follows: Follows,
    ) {
        let (time, index, role) = follows;
        self.apply_role(
            tracker,
            node,
            instance,
            role,
            Evidence::Follows,
            index,
            time,
        );
    }

    fn reconstruct_node(&mut self, timeline: &Timeline, node: &str) {
        let events = &timeline.events;
        let mut trackers: BTreeMap<String, Tracker> = BTreeMap::new();
        let node_instances: BTreeSet<String> = events
            .iter()
            .filter(|event| event.node.as_ref() == node)
            .filter_map(|event| event.field("instance").map(str::to_string))
            .filter(|instance| self.instances.contains(instance))
            .collect();
        let all_instances: Vec<String> = if node_instances.is_empty() {
            self.instances.clone()
        } else {
            node_instances.into_iter().collect()
        };
        for instance in &all_instances {
            trackers.insert(instance.clone(), Tracker::unknown_since(None));
        }
        let mut state_file: Vec<(usize, Role, DateTime<Utc>)> = Vec::new();
        // Per instance: a state keepalived enters right after a line (`leads_to`), when, and that
        // line's event; taken once no state line has followed it within moments.
        let mut pending: BTreeMap<String, Follows> = BTreeMap::new();
        // Per instance: a line entering a state (1.x `Transition to MASTER STATE`) from another
        // known state, whose `Entering` line may be cut from the excerpt: taken when the VIPs
        // it leads to are announced next; a state line (the `Entering MASTER STATE` completing
        // it, an abandoned transition's BACKUP) or other evidence of the instance says what
        // happened instead, and with nothing after it, whether it completed is not known (1.x
        // abandons transitions on a better advert).
        let mut pending_entries: BTreeMap<String, Follows> = BTreeMap::new();
        // The node's last start of keepalived: keepalived 2.x removes VIPs left from an earlier
        // run as it starts (`removing VIPs.` after a start-up FAULT), which tells no state.
        let mut last_start: Option<DateTime<Utc>> = None;
        // Instances in a 1.x transition from a state unknown, and when it began: the lines
        // written in it (the yield's advert of one abandoned, the `forcing new election` of one
        // its Entering MASTER STATE line completes) do not make it MASTER; that line does.
        let mut in_transition: BTreeMap<String, DateTime<Utc>> = BTreeMap::new();
        let leading_files = leading_files(timeline, node);
        // Each process id's last line on this node: a process that writes no more has ended.
        // Each instance's first dated line on this node.
        let mut last_line_of_process: HashMap<u32, usize> = HashMap::new();
        let mut first_line_of_process: HashMap<u32, usize> = HashMap::new();
        let mut first_seen: HashMap<&str, DateTime<Utc>> = HashMap::new();
        for (index, event) in events.iter().enumerate() {
            if event.node.as_ref() != node {
                continue;
            }
            if let Some(pid) = event.pid {
                last_line_of_process.insert(pid, index);
                first_line_of_process.entry(pid).or_insert(index);
            }
            if let (Some(instance), Some(time)) = (event.field("instance"), event.time) {
                first_seen.entry(instance).or_insert(time);
            }
        }
        // Per instance, the pid of the process that last wrote its line (the VRRP process): a
        // crash its parent or the kernel reports by that pid ends its instances, not another
        // process's.
        let mut instance_pids: BTreeMap<String, u32> = BTreeMap::new();
        for (index, event) in events.iter().enumerate() {
            if event.node.as_ref() != node {
                continue;
            }
            if let (Some(instance), Some(pid)) = (event.field("instance"), event.pid) {
                instance_pids.insert(instance.to_string(), pid);
            }
            let Some(time) = event.time else {
                // An undated DRBD line (dmesg's seconds since boot) says the state too, in its
                // file's order; dated lines, after them, say it later.
                if event.kind == EventKind::Drbd {
                    self.note_drbd(node, event);
                }
                // A state line without a stamp, before the first stamp of a file that begins the
                // node's dated logs (a paste whose stamps were cut off, then stamped lines): the
                // state was held when the dated logs begin. Which state, not since when.
                // Elsewhere it is only listed, in order (`undated`).
                if !leading_files.contains(event.file.as_ref()) {
                    if let Some(instance) = event.field("instance") {
                        let key = (node.to_string(), instance.to_string());
                        let said_before = self.undated.get(&key).and_then(|roles| roles.last());
                        let words = undated_words(event, said_before.copied());
                        if !words.is_empty() {
                            let roles = self.undated.entry(key).or_default();
                            for role in words {
                                if roles.last() != Some(&role) {
                                    roles.push(role);
                                }
                            }
                        }
                    }
                } else {
                    for (instance, role) in undated_targets(event, &all_instances) {
                        if let Some(tracker) = trackers.get_mut(&instance) {
                            *tracker = Tracker {
                                role,
                                start: None,
                                opened_by: (role != Role::Unknown).then_some(index),
                                inferred: false,
                                proven_from: None,
                                first_change: None,
                                last_seen: None,
                                process: None,
                            };
                        }
                    }
                }
                continue;
            };
            let due: Vec<String> = pending
                .iter()
                .filter(|(_, (at, _, _))| (time - *at).num_milliseconds() > SAME_MOMENT_MS)
                .map(|(instance, _)| instance.clone())
                .collect();
            for instance in due {
                if let (Some(follows), Some(tracker)) =
                    (pending.remove(&instance), trackers.get_mut(&instance))
                {
                    self.apply_follows(tracker, node, &instance, follows);
                }
            }
            if event.source == "keepalived_state" && event.kind == EventKind::VrrpState {
                if let Some(state) = event.field("state") {
                    state_file.push((index, Role::parse(state), time));
                }
                continue;
            }
            if event.kind == EventKind::Drbd {
                let role = event.field("role_to").or(event.field("role"));
                self.note_drbd(node, event);
                if let Some(role) = role {
                    let history = self.drbd_history.entry(node.to_string()).or_default();
                    if history.last().is_none_or(|(_, last)| last != role) {
                        history.push((time, role.to_string()));
                    }
                }
            }
            // A line without a stamp of its own (journalctl's `-- Reboot --`) carries the previous
            // line's time, which is not when it happened: it changes no state.
            if event.time_inferred {
                continue;
            }
            // A start of keepalived or of its VRRP process (a respawned child's too).
            if starts_a_process(event) {
                last_start = Some(time);
            }
            // A line written on leaving a state (`removing VIPs.`) tells only the state before
            // the change it follows, by the same process, not at start-up.
            if let (Some(left), Some(instance)) =
                (event.field(IMPLIED_LEFT_FIELD), event.field("instance"))
            {
                let starting =
                    last_start.is_some_and(|start| (time - start).num_seconds() <= STARTUP_SWEEP_S);
                if !starting && let Some(tracker) = trackers.get_mut(instance) {
                    let change_pid = tracker
                        .first_change
                        .and_then(|(position, _)| self.transitions.get(position))
                        .and_then(|change| events[change.event].pid);
                    if change_pid.is_none() || event.pid.is_none() || change_pid == event.pid {
                        self.tell_state_before_first_change(
                            tracker,
                            Role::parse(left),
                            index,
                            time,
                        );
                    }
                }
                continue;
            }
            // A stop or start of keepalived concerns the instances it ran then: where the node's
            // lines named some instances before it, not one they first name later (another
            // configuration, another day).
            let first_seen = &first_seen;
            let running_then = || {
                let named_by_then =
                    |first: &DateTime<Utc>| (*first - time).num_milliseconds() <= SAME_MOMENT_MS;
                let any_named = first_seen.values().any(named_by_then);
                all_instances.iter().filter(move |instance| {
                    !any_named || first_seen.get(instance.as_str()).is_none_or(named_by_then)
                })
            };
            let targets: Vec<(String, Role, bool)> = if stops_everything(event) {
                running_then()
                    .map(|instance| (instance.clone(), Role::Stop, false))
                    .collect()
            } else if let Some(pid) = crashed_pid(event) {
                running_then()
                    .filter(|instance| instance_pids.get(instance.as_str()) == Some(&pid))
                    .map(|instance| (instance.clone(), Role::Stop, false))
                    .collect()
            } else if restarts_everything(event) {
                running_then()
                    .map(|instance| (instance.clone(), Role::Unknown, false))
                    .collect()
            } else if event.event.as_deref() == Some(events::VRRP_CHILD_STARTING) {
                // A new VRRP process (a respawn after a crash, a start whose `Starting` line is
                // not in the input): the instances the old one stopped run again, their state
                // not yet said.
                running_then()
                    .filter(|instance| {
                        trackers
                            .get(instance.as_str())
                            .is_some_and(|tracker| tracker.role == Role::Stop)
                    })
                    .map(|instance| (instance.clone(), Role::Unknown, false))
                    .collect()
            } else if let (Some((role, inferred)), Some(instance)) =
                (implied_role(event), event.field("instance"))
            {
                vec![(instance.to_string(), role, inferred)]
            } else if let (Some(instance), Some(_)) = (event.field("instance"), event.pid) {
                // Any other line of an instance says which process runs it: a new one ends the
                // state the old one held (a restart unseen), though it tells no state itself.
                vec![(instance.to_string(), Role::Unknown, true)]
            } else {
                continue;
            };
            let entry = event.field(IMPLIED_ENTRY_FIELD).is_some();
            for (instance, role, inferred) in targets {
                let Some(tracker) = trackers.get_mut(&instance) else {
                    continue;
                };
                let held = inferred && !entry;
                // A stop whose `sent 0 priority` (written only as MASTER) comes from another VRRP
                // process than the one whose state is held, that one having ended: a restart the
                // logs do not show, and the process that stopped was MASTER.
                if role == Role::Stop
                    && let Some((last_seen, zero_index)) = master_stopping_after_unseen_restart(
                        events,
                        node,
                        &instance,
                        tracker,
                        index,
                        time,
                        &last_line_of_process,
                    )
                {
                    self.restart_unlogged(
                        tracker,
                        node,
                        &instance,
                        Role::Master,
                        true,
                        zero_index,
                        time,
                    );
                    self.unseen_restarts.push(UnseenRestart {
                        node: node.to_string(),
                        instance: instance.clone(),
                        last_seen,
                        restart: time,
                        restart_event: zero_index,
                        held_through: false,
                    });
                }
                if let Some((last_seen, held_through)) = old_run_last_line(
                    events,
                    node,
                    tracker,
                    event,
                    index,
                    time,
                    &last_line_of_process,
                    &first_line_of_process,
                ) {
                    // The state held ends at the restart (nothing says it ended sooner), and
                    // what follows starts from a state unknown: a start, not a change from it.
                    // Known from the new process's line where it implies the state (no change
                    // of its own), or where it enters the state held within the hour in the
                    // same excerpt: the state is taken to hold through (a grep of the state
                    // lines of a MASTER restarted as MASTER). After a longer silence, what the
                    // instance did between is not known (tests of a day pasted one after
                    // another).
                    let known = (held && role != Role::Unknown)
                        || (held_through
                            && role == tracker.role
                            && time - last_seen <= Duration::seconds(HELD_THROUGH_RESTART_S));
                    self.restart_unlogged(tracker, node, &instance, role, known, index, time);
                    // A line entering the state held through says the state itself: no
                    // change follows (nor does the `Entering` line after a 1.x transition).
                    if known && !held {
                        tracker.inferred = false;
                    }
                    self.unseen_restarts.push(UnseenRestart {
                        node: node.to_string(),
                        instance: instance.clone(),
                        last_seen,
                        restart: time,
                        restart_event: index,
                        held_through,
                    });
                } else if role == tracker.role && event.pid.is_some() {
                    // The state held, shown again by a process: its later lines are the same run.
                    tracker.process = event.pid;
                }
                // A line that tells no state (it only said which process runs the instance).
                if role == Role::Unknown && inferred {
                    if tracker.role == Role::Unknown && tracker.opened_by.is_none() {
                        tracker.process = event.pid;
                    }
                    continue;
                }
                // Evidence before any state line of the logs, a moment before a line entering the
                // state it implied, is part of that change, not a state held before: 1.x sends
                // its first advert as MASTER (and may fail to) just before it writes `Transition
                // to MASTER STATE`. The state before stays unknown.
                if (entry || !inferred) && implied_a_moment_before(tracker, role, time) {
                    *tracker = Tracker::unknown_since(None);
                }
                // A 1.x transition from a state unknown (the logs begin with it, or it follows a
                // start with state MASTER configured, or a restart
                // the logs do not show) is no state of its own: keepalived sets the
                // VIPs only on the Entering MASTER STATE line that completes it, and one that ends
                // in BACKUP or FAULT first never held them. The state line after it says the first
                // state. (With no state line within moments, it stays the first state seen.)
                if entry
                    && tracker.role == Role::Unknown
                    && let Some("BACKUP" | "FAULT" | "MASTER") =
                        entered_after_transition(events, node, &instance, index, time)
                {
                    in_transition.insert(instance.clone(), time);
                    continue;
                }
                if inferred
                    && role == Role::Master
                    && tracker.role == Role::Unknown
                    && in_transition
                        .get(&instance)
                        .is_some_and(|at| time - *at <= Duration::seconds(5))
                {
                    continue;
                }
                if restarted_unlogged(tracker, event, role, inferred, time) {
                    self.restart_unlogged(tracker, node, &instance, role, held, index, time);
                }
                // A state keepalived enters right after an earlier line: a state line (or a stop
                // or start) within moments says what followed instead; other evidence comes after it.
                if let Some(follows) = pending.remove(&instance)
                    && inferred
                {
                    self.apply_follows(tracker, node, &instance, follows);
                }
                let announcing = inferred && announces_vips(event);
                if let Some(follows) = pending_entries.remove(&instance)
                    && announcing
                    && role == follows.2
                {
                    self.apply_follows(tracker, node, &instance, follows);
                }
                if entry && tracker.role != Role::Unknown && tracker.role != role {
                    pending_entries.insert(instance.clone(), (time, index, role));
                    continue;
                }
                // The instance announcing its VIPs (only a MASTER does) long after a BACKUP
                // state line: it became MASTER since, in lines the excerpt does not have (not the
                // announcement a MASTER that has just yielded may still send).
                if announcing
                    && role == Role::Master
                    && tracker.role == Role::Backup
                    && !tracker.inferred
                    && tracker.start.is_some_and(|start| {
                        time - start > Duration::seconds(VIP_ANNOUNCEMENT_AFTER_S)
                            || !self.backup_may_follow_master(events, tracker)
                    })
                {
                    self.apply_follows(tracker, node, &instance, (time, index, role));
                    continue;
                }
                let evidence = match (inferred, entry) {
                    (false, _) => Evidence::StateLine,
                    (true, false) => Evidence::Implied,
                    (true, true) => Evidence::ImpliedEntry,
                };
                // The instance's first state line, BACKUP the moment a track script recovered
                // that had failed earlier in the same process: it was in FAULT since the failure
                // (keepalived writes no state line for an instance that starts in FAULT).
                if !inferred
                    && role == Role::Backup
                    && tracker.role == Role::Unknown
                    && tracker.start.is_none()
                    && tracker.opened_by.is_none()
                    && event.field("reason") != Some("init")
                    && let Some((failed, failed_at)) =
                        fault_before_recovery(events, node, event, index, time)
                {
                    self.apply_role(
                        tracker,
                        node,
                        &instance,
                        Role::Fault,
                        Evidence::Implied,
                        failed,
                        failed_at,
                    );
                }
                // The state held ended after its last line, unseen; what was between is not
                // known (the interval apply_role closes next), and this line is a change from it.
                let left_unseen = state_entered_again(
                    events, tracker, event, index, role, evidence, time,
                )
                .map(|last_seen| {
                    self.intervals
                        .push(tracker.interval(node, &instance, Some(last_seen), None));
                    *tracker = Tracker::unknown_since(Some(last_seen));
                    self.intervals.len()
                });
                self.apply_role(tracker, node, &instance, role, evidence, index, time);
                if let Some(interval) = left_unseen.and_then(|at| self.intervals.get_mut(at))
                    && interval.role == Role::Unknown
                {
                    interval.opened_as = Opening::LeftUnseen;
                }
            }
            if let (Some(next), Some(instance)) =
                (event.field(LEADS_TO_FIELD), event.field("instance"))
                && let Some(tracker) = trackers.get(instance)
            {
                let next = Role::parse(next);
                // Only from the state the line is written in (a `sent 0 priority` just after
                // `Entering FAULT STATE` leads nowhere: the FAULT line said where it went).
                let written_in = event
                    .field(IMPLIED_STATE_FIELD)
                    .is_none_or(|state| Role::parse(state) == tracker.role);
                if tracker.role != next && tracker.role != Role::Unknown && written_in {
                    pending.insert(instance.to_string(), (time, index, next));
                }
            }
        }
        for (instance, follows) in std::mem::take(&mut pending) {
            if let Some(tracker) = trackers.get_mut(&instance) {
                self.apply_follows(tracker, node, &instance, follows);
            }
        }
        for (instance, tracker) in trackers {
            self.intervals
                .push(tracker.interval(node, &instance, None, None));
        }
        // keepalived_state against the logs at its modification time (a second of slack: the
        // notify script runs right after the state line).
        for (index, file_role, time) in state_file {
            let log_role = self.role_at(node, None, time + Duration::seconds(1));
            if let Some(log_role) = log_role
                && log_role != Role::Unknown
                && log_role != file_role
            {
                self.disagreements.push(Disagreement {
                    node: node.to_string(),
                    time,
                    file_state: file_role,
                    log_state: log_role,
                    event: index,
                });
            }
        }
    }

    /// The state of a node's instance (the first instance when None) at an instant.
    pub fn role_at(&self, node: &str, instance: Option<&str>, time: DateTime<Utc>) -> Option<Role> {
        self.interval_at(node, instance, time)
            .map(|interval| interval.role)
    }

    /// The interval of a node's instance (the first instance when None) holding at an instant.
    pub fn interval_at(
        &self,
        node: &str,
        instance: Option<&str>,
        time: DateTime<Utc>,
    ) -> Option<&Interval> {
        let instance = instance
            .map(str::to_string)
            .or_else(|| self.instances.first().cloned())?;
        if let Some((mine, contiguous)) = self.lane(node, &instance) {
            return States::holding(mine, contiguous, time).map(|position| mine.at(position));
        }
        self.intervals
            .iter()
            .filter(|interval| interval.node == node && interval.instance == instance)
            .find(|interval| {
                interval.start.is_none_or(|start| start <= time)
                    && interval.end.is_none_or(|end| time < end)
            })
    }

    /// The state a node's instance held before the one it holds at `time` (None where that one
    /// is held since before the logs, or nothing came before it).
    pub fn role_before(
        &self,
        node: &str,
        instance: Option<&str>,
        time: DateTime<Utc>,
    ) -> Option<Role> {
        let start = self.interval_at(node, instance, time)?.start?;
        self.role_at(node, instance, start - Duration::milliseconds(1))
    }

    /// When the state a node's instance held at `time` ended, and the state it went to (None
    /// while still open at the end of the logs).
    pub fn change_after(
        &self,
        node: &str,
        instance: Option<&str>,
        time: DateTime<Utc>,
    ) -> Option<(DateTime<Utc>, Role)> {
        let instance = instance
            .map(str::to_string)
            .or_else(|| self.instances.first().cloned())?;
        // Indexed, the lane is sorted by start; before that, in the order reconstruction made it.
        let unindexed: Vec<usize>;
        let (mine, contiguous, sorted) = match self.lane(node, &instance) {
            Some((mine, contiguous)) => (mine, contiguous, true),
            None => {
                unindexed = (0..self.intervals.len())
                    .filter(|position| {
                        let interval = &self.intervals[*position];
                        interval.node == node && interval.instance == instance
                    })
                    .collect();
                let mine = LaneView {
                    intervals: &self.intervals,
                    positions: &unindexed,
                };
                (mine, false, false)
            }
        };
        let mut current = mine.at(States::holding(mine, contiguous, time)?);
        // At most once through the lane: an interval of no length starts where it ends.
        for _ in 0..=mine.len() {
            let end = current.end?;
            // The first interval starting at that end.
            let next = if sorted {
                let first =
                    mine.partition_point(|interval| interval.start.is_none_or(|start| start < end));
                (first < mine.len())
                    .then(|| mine.at(first))
                    .filter(|interval| interval.start == Some(end))
            } else {
                mine.iter().find(|interval| interval.start == Some(end))
            }?;
            // The same state on, known from a new process's line at a restart unseen (the
            // state held through it): no change.
            if next.role == current.role
                && next.role != Role::Unknown
                && !std::ptr::eq(next, current)
            {
                current = next;
                continue;
            }
            return Some((end, next.role));
        }
        None
    }

    /// A node's DRBD role at an instant (None before anything said).
    pub fn drbd_role_at(&self, node: &str, time: DateTime<Utc>) -> Option<&str> {
        self.drbd_history
            .get(node)?
            .iter()
            .take_while(|(at, _)| *at <= time)
            .last()
            .map(|(_, role)| role.as_str())
    }

    /// The state of each node's instance at the end of the logs.
    pub fn role_at_end(&self, node: &str, instance: &str) -> Role {
        self.open_interval(node, instance)
            .map_or(Role::Unknown, |interval| interval.role)
    }

    /// The interval of a node's instance still open at the end of the logs (its state at the
    /// end, and since when).
    pub fn open_interval(&self, node: &str, instance: &str) -> Option<&Interval> {
        self.intervals.iter().find(|interval| {
            interval.node == node && interval.instance == instance && interval.end.is_none()
        })
    }

    /// Whether `node`, MASTER of an instance when its logs end at `last`, released it later:
    /// another node received a priority-0 advert of that instance after `last`.
    fn released_unlogged(&self, timeline: &Timeline, node: &str, last: DateTime<Utc>) -> bool {
        let mastered: Vec<&str> = self
            .intervals
            .iter()
            .filter(|interval| {
                interval.node == node && interval.end.is_none() && interval.role == Role::Master
            })
            .map(|interval| interval.instance.as_str())
            .collect();
        mastered
            .iter()
            .any(|instance| timeline.priority_zero_after(node, instance, last).is_some())
    }

    fn blind_intervals(&mut self, timeline: &Timeline, node: &str, quiet_after: Duration) {
        let span_start = timeline.first_dated();
        let span_end = timeline
            .coverages()
            .filter_map(|coverage| coverage.last)
            .max();
        let files: Vec<_> = timeline
            .coverage_of(node)
            .filter(|coverage| coverage.lines > 0)
            .collect();
        let first = timeline.seen_from(node);
        let last = files.iter().filter_map(|file| file.last).max();
        match (first, last) {
            // No dated line: no logs at all, or lines that carry no date and time.
            (None, _) | (_, None) => self.blind.push(BlindInterval {
                node: node.to_string(),
                start: span_start,
                end: span_end,
                reason: if files.is_empty() {
                    "no-logs"
                } else {
                    "undated"
                }
                .to_string(),
            }),
            (Some(first), Some(last)) => {
                // Logs that begin later than the other node's are missing only when the difference
                // is more than a start-up delay.
                if span_start
                    .is_some_and(|start| first - start > Duration::seconds(LEADING_SLACK_S))
                {
                    self.blind.push(BlindInterval {
                        node: node.to_string(),
                        start: span_start,
                        end: Some(first),
                        reason: "no-logs".to_string(),
                    });
                }
                // After its last line a node was silent up to its collection (its files were read
                // to their end); past the collection we have nothing.
                let collected = timeline
                    .nodes
                    .iter()
                    .find(|entry| entry.name == node)
                    .and_then(|entry| entry.collected_at);
                if let (Some(end), Some(collected)) = (span_end, collected)
                    && end > collected.max(last)
                {
                    self.blind.push(BlindInterval {
                        node: node.to_string(),
                        start: Some(collected.max(last)),
                        end: Some(end),
                        reason: "no-logs".to_string(),
                    });
                }
                // Without a collection, logs that end long before the other node's end where the
                // excerpt ends: what the node did after it is not in the input (a silence that
                // long inside its logs would be a quiet stretch; here nothing says it was quiet).
                // Nor was it quiet when another node received a MASTER's priority 0 after the
                // last line of a node that was MASTER then: it stopped or failed unlogged.
                if collected.is_none()
                    && let Some(end) = span_end
                    && (end - last > quiet_after || self.released_unlogged(timeline, node, last))
                {
                    self.blind.push(BlindInterval {
                        node: node.to_string(),
                        start: Some(last),
                        end: Some(end),
                        reason: "no-logs".to_string(),
                    });
                }
            }
        }
        for file in &files {
            if file.truncated {
                self.blind.push(BlindInterval {
                    node: node.to_string(),
                    start: file.last,
                    end: None,
                    reason: format!("unreadable: {} ends early", file.file),
                });
            }
        }
        // Node-wide silences: the union of every file's activity. A silence inside a file's
        // span, or between two rotations of one log, is the node being quiet (when longer than
        // quiet_after); one of over ACTIVITY_GAP_S between two files of different names that no
        // file spans (two excerpts pasted apart) is where the input has none of the node's logs.
        let mut active: Vec<(DateTime<Utc>, DateTime<Utc>, usize)> = Vec::new();
        for (position, file) in files.iter().enumerate() {
            active.extend(
                file.activity
                    .iter()
                    .map(|(start, end)| (*start, *end, position)),
            );
        }
        active.sort();
        let mut covered_until: Option<(DateTime<Utc>, usize)> = None;
        for (start, end, position) in active {
            if let Some((until, before)) = covered_until
                && start - until > Duration::seconds(ACTIVITY_GAP_S)
            {
                let spanned = files.iter().any(|file| {
                    file.first.is_some_and(|first| first <= until)
                        && file.last.is_some_and(|last| last >= start)
                });
                let one_log =
                    rotation_key(files[before].file).0 == rotation_key(files[position].file).0;
                // Between excerpts, any silence a file's own lines would not have broken their
                // activity for; inside a file or a rotated log, only a long one.
                let reason = if !spanned && !one_log {
                    Some("no-logs")
                } else if start - until > quiet_after {
                    Some("quiet")
                } else {
                    None
                };
                if let Some(reason) = reason {
                    self.blind.push(BlindInterval {
                        node: node.to_string(),
                        start: Some(until),
                        end: Some(start),
                        reason: reason.to_string(),
                    });
                }
            }
            covered_until = Some(match covered_until {
                Some((until, before)) if until >= end => (until, before),
                _ => (end, position),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(second: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 14, 0, 0).unwrap() + Duration::seconds(second)
    }

    fn interval(node: &str, role: Role, start: Option<i64>, end: Option<i64>) -> Interval {
        Interval {
            node: node.to_string(),
            instance: "VI_1".to_string(),
            role,
            start: start.map(at),
            end: end.map(at),
            opened_by: None,
            closed_by: None,
            inferred: false,
            proven_from: start.is_none().then(|| at(-5)),
            opened_as: Opening::Line,
        }
    }

    /// The answers without the index: every interval scanned, the first that fits.
    fn scanned(states: &States, node: &str, time: DateTime<Utc>) -> Option<Role> {
        states
            .intervals
            .iter()
            .filter(|interval| interval.node == node && interval.instance == "VI_1")
            .find(|interval| {
                interval.start.is_none_or(|start| start <= time)
                    && interval.end.is_none_or(|end| time < end)
            })
            .map(|interval| interval.role)
    }

    #[test]
    fn the_lane_index_answers_as_a_scan_of_every_interval_would() {
        use Role::*;
        let mut states = States {
            instances: vec!["VI_1".to_string()],
            intervals: vec![
                // Contiguous, with intervals of no length at one instant.
                interval("a", Unknown, None, Some(0)),
                interval("a", Backup, Some(0), Some(10)),
                interval("a", Master, Some(10), Some(10)),
                interval("a", Backup, Some(10), Some(10)),
                interval("a", Master, Some(10), Some(20)),
                interval("a", Fault, Some(25), None),
                // Overlapping (stamps out of order): answered by a scan.
                interval("b", Backup, Some(0), Some(15)),
                interval("b", Master, Some(5), Some(30)),
                interval("b", Stop, Some(30), None),
            ],
            ..States::default()
        };
        states
            .intervals
            .sort_by(|left, right| (left.start, &left.node).cmp(&(right.start, &right.node)));
        states.index_lanes();
        for node in ["a", "b", "c"] {
            for second in -10..40 {
                let time = at(second);
                assert_eq!(
                    states.role_at(node, Some("VI_1"), time),
                    scanned(&states, node, time),
                    "{node} at {second}"
                );
                let spanning: Vec<&Interval> = states
                    .intervals
                    .iter()
                    .filter(|interval| interval.node == node)
                    .filter(|interval| {
                        interval
                            .start
                            .or(interval.proven_from)
                            .is_some_and(|start| start <= time)
                            && interval.end.is_none_or(|end| end >= time)
                    })
                    .collect();
                assert_eq!(
                    states.intervals_spanning(node, "VI_1", time),
                    spanning,
                    "{node} at {second}"
                );
            }
        }
        assert_eq!(
            states.change_after("a", Some("VI_1"), at(5)),
            Some((at(10), Master))
        );
        assert_eq!(
            states.change_after("a", Some("VI_1"), at(15)),
            None,
            "nothing starts where it ends: a gap"
        );
        assert_eq!(
            states.change_after("b", Some("VI_1"), at(20)),
            Some((at(30), Stop))
        );
    }
}
