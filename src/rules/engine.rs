//! The engine: builds the subjects (every transition, every window in which two nodes were MASTER
//! of one instance, every event a rule matches), evaluates the rules on them, and assembles the
//! analysis: every transition with its cause, split-brain windows (from both sides' states, or
//! proven by one event), and findings. The verdict is decided downstream (`diagnosis`).

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};

use super::eval::{Facts, LogsAfter, Subject, evaluate, event_matches};
use super::incidents;
use super::model::{
    Rule, RuleSet, SplitBrainKind, SubjectKind, TextContext, advice_keys, in_context,
    without_advice,
};
use super::now::{self, InstanceNow, SenderBasis};
use super::outage;
use crate::finding::{Failover, Finding, Severity, SplitBrain};
use crate::sources::event::{drbd_label, drbd_resource, is_drbd_minor};
use crate::sources::{Event, events};
use crate::timeline::skew::format_gap;
use crate::timeline::state::{Interval, Role, States};
use crate::timeline::vips::bare_address;
use crate::timeline::{Timeline, format_clock, format_time};

/// A silence of a node's logs longer than this is a `quiet` blind interval.
pub const QUIET_AFTER_S: i64 = 600;

/// What the analysis found.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub states: States,
    /// Per VRRP instance, who held which state at the end of the evidence.
    pub now: Vec<InstanceNow>,
    /// Every change of state of every node and instance, with its cause.
    pub transitions: Vec<Failover>,
    /// The transitions that are failovers (takeovers, yields, faults, a master's stop).
    pub failovers: Vec<Failover>,
    pub split_brain: Vec<SplitBrain>,
    pub findings: Vec<Finding>,
    /// What the input shows that the texts chose their words by (ESC, DRBD): the checks' and
    /// the live findings' texts choose by it too.
    pub text_context: TextContext,
}

pub(super) fn subject_kind(from: Role, to: Role) -> SubjectKind {
    match (from, to) {
        (_, Role::Master) => SubjectKind::Takeover,
        (Role::Master, Role::Backup) => SubjectKind::Yield,
        (_, Role::Fault) => SubjectKind::Fault,
        (Role::Master, Role::Stop) => SubjectKind::Stop,
        _ => SubjectKind::Entry,
    }
}

/// The values a rule's title, explanation and remedy may name, as `{self}` (see `fill`);
/// `rules check` reports any other name.
pub const TEMPLATE_KEYS: [&str; 21] = [
    "self",
    "peer",
    "instance",
    "time",
    "sender",
    "drbd",
    "resource",
    "kad_vif",
    "priorities",
    "advert",
    "rejection",
    "stale_copy",
    "logs_end",
    "script",
    "script_command",
    "check",
    "reason",
    "stamped_apart",
    "started",
    "one_resource",
    "resource_lookup",
];

/// DRBD's default connect interval (`connect-int`): logs that end sooner after a lost
/// connection cannot show it connected again.
const RECONNECT_INTERVAL_S: f64 = 10.0;

/// Lines of an undated file after a lost connection too few to show DRBD connected again (a
/// reconnection writes several: Connecting, the handshake, Connected).
const SHORT_TAIL_LINES: u64 = 10;

/// The values shared advice is given when a rule's remedy asks for it (`{advice:key}`).
pub const FINDING_ADVICE_KEYS: [&str; 5] = [
    "survivor",
    "survivor_basis",
    "survivor_unknown",
    "victim",
    "resource",
];

/// Why the data of the node serving now is the one to keep (`{survivor_basis}`): the node ESC
/// serves from, or, without ESC, the VRRP MASTER.
pub fn serving_basis(node: &str, context: TextContext) -> String {
    if context.esc {
        format!("ESC serves from {node} now")
    } else {
        format!("{node} is the VRRP MASTER now")
    }
}

/// How far from a track script's line a failing exit-status line may be to give its command.
const SCRIPT_COMMAND_WITHIN_S: i64 = 60;

/// A line of a track script failing: `VRRP_Script(x) failed`, or an exit status other than 0.
fn failing_script_line(line: &Event) -> bool {
    line.event.as_deref() == Some(events::SCRIPT_FAILED)
        || (line.event.as_deref() == Some(events::SCRIPT_STATUS)
            && line.field("status").is_some_and(|status| status != "0"))
}

/// What a rule's text says where a value is unknown: a phrase that says so, never a guess.
/// `{kad_vif}` is only written in commands, where tcpdump's `any` captures on every interface.
const UNKNOWN_VALUES: &[(&str, &str)] = &[
    ("instance", "the VRRP instance"),
    ("sender", "the sender (its address is not in the line)"),
    ("resource", "all"),
    // In a command that must not reach every resource (create-md, down): a placeholder the
    // command refuses, which `{resource_lookup}` explains.
    ("one_resource", "RESOURCE"),
    (
        "resource_lookup",
        " (RESOURCE: the resource a device belongs to, which the kernel's `block drbdN` lines do \
         not say: drbdadm sh-resources lists the resources, drbdsetup show each one's minors; one \
         resource at a time)",
    ),
    ("drbd", "resource (not named in the log)"),
    ("kad_vif", "any"),
    ("priorities", "not in the input"),
    (
        "advert",
        "a higher priority, or at equal priority a higher IP address",
    ),
    (
        "rejection",
        "a password, virtual router id, VIP list, advert interval or VRRP version not its own, an \
         IPSEC-AH sequence number it had seen (the sender restarted), or a malformed packet",
    ),
    ("peer", "the peer (its logs are not in the input)"),
    ("logs_end", ""),
    ("script", "the track script"),
    ("check", "track script, tracked file or tracked process"),
    (
        "script_command",
        "its command is in /etc/keepalived/keepalived.conf, vrrp_script",
    ),
    ("reason", "not on its line"),
    ("stamped_apart", "an unknown time"),
    (
        "stale_copy",
        "the copy of the node that was not Primary stopped at that moment (which one was, the \
         logs do not say): a takeover by that node would run on it",
    ),
];

/// `{drbd}` for one resource or device (`resource esc`, `device drbd1`), or several named by
/// one finding's lines: the first, then the others alike (`device drbd2 (and likewise drbd0,
/// drbd1 and drbd5)`, minors in order), so that the rule's words for one still read; None for
/// none.
fn drbd_list_label(names: &[String]) -> Option<String> {
    let (first, others) = names.split_first()?;
    let mut others: Vec<&String> = others.iter().collect();
    others.sort_by_key(|name| {
        name.strip_prefix("drbd")
            .and_then(|number| number.parse::<u64>().ok())
            .unwrap_or(u64::MAX)
    });
    Some(match others.as_slice() {
        [] => drbd_label(first),
        [only] => format!("{} (and likewise {only})", drbd_label(first)),
        [rest @ .., last] => format!(
            "{} (and likewise {} and {last})",
            drbd_label(first),
            rest.iter()
                .map(|name| name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })
}

/// Fills `{self}`, `{peer}`, `{instance}`, `{time}`, `{sender}` (an advert's sender: a node, or
/// its address), `{resource}` (a DRBD resource as drbdadm takes it: `all` where the line names
/// only a minor), `{drbd}` (for people: `resource esc`, `device drbd1`), `{kad_vif}` (the instance's interface) and
/// `{priorities}` (each node's configured priority) in a rule's text; an unknown value becomes
/// the phrase `UNKNOWN_VALUES` gives for it.
fn fill(text: &str, values: &BTreeMap<&str, Option<String>>) -> String {
    let mut filled = text.to_string();
    for (key, value) in values {
        // `{Check}`: the value with its first letter capitalised (a title that opens with it).
        let capital = format!("{{{}}}", capitalised(key));
        if filled.contains(&capital) {
            let phrase = value.as_deref().unwrap_or_else(|| unknown_phrase(key));
            filled = filled.replace(&capital, &capitalised(phrase));
        }
        let placeholder = format!("{{{key}}}");
        match value.as_deref() {
            Some(value) => filled = filled.replace(&placeholder, value),
            None => {
                let phrase = unknown_phrase(key);
                // The phrase's aside (why the value is unknown) is said once: later mentions
                // in the same text take the phrase without it, and so does a possessive one
                // (`{peer}'s logs`: no aside before the `'s`).
                let short = phrase
                    .strip_suffix(')')
                    .and_then(|open| open.rsplit_once(" ("))
                    .map_or(phrase, |(short, _)| short);
                filled = filled.replace(&format!("{placeholder}'s"), &format!("{short}'s"));
                filled = filled
                    .replacen(&placeholder, phrase, 1)
                    .replace(&placeholder, short);
            }
        }
    }
    filled
}

/// What a text says where `key`'s value is unknown (`UNKNOWN_VALUES`).
fn unknown_phrase(key: &str) -> &'static str {
    UNKNOWN_VALUES
        .iter()
        .find(|(unknown, _)| *unknown == key)
        .map_or("unknown", |(_, phrase)| phrase)
}

/// A text with its first letter capitalised.
pub fn capitalised(text: &str) -> String {
    let mut characters = text.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    }
}

struct Context<'a> {
    facts: Facts<'a>,
    rules: &'a RuleSet,
    /// Each node's own addresses, from its logs, configuration and captures.
    addresses: BTreeMap<String, Vec<String>>,
    /// The node ESC serves from at the end of the evidence (see `now::serving_node`).
    serving: Option<String>,
    /// Whether times in titles carry their date (the evidence spans days).
    dated: bool,
    /// keepalived.conf's vrrp_instance settings of every node (read once).
    vrrp_configs: Vec<&'a Event>,
    /// The settings keepalived wrote in its configuration dumps (-d, --dump-conf), in time order.
    logged_configs: Vec<&'a Event>,
    /// What the input shows that rule texts choose their words by (ESC, DRBD).
    text_context: TextContext,
    /// The DRBD resource, when the evidence names exactly one (read once).
    only_resource: Option<String>,
    /// Per VRRP instance, the priorities its lines give each node where no keepalived.conf does
    /// (`{priorities}`: "as logged: 254 on p1, 255 on p2").
    logged_priorities: BTreeMap<String, String>,
    /// Per node and file, its events' line numbers and indices in line order (built when first
    /// asked, for [`Context::lines_beside`]).
    lines_by_file: OnceCell<LinesByFile<'a>>,
}

/// Per node and file (its index), the line numbers and event indices of its events, by line.
type LinesByFile<'a> = HashMap<(&'a str, u32), Vec<(u64, usize)>>;

impl Context<'_> {
    /// Whether a rule is tried on this input: an `esc_only` rule only where it shows ESC.
    fn applies(&self, rule: &Rule) -> bool {
        !rule.esc_only || self.text_context.esc
    }

    /// The values of the template keys that `used` says a text names (the others are not worked
    /// out: some look through the node's lines around the subject).
    fn template_values(
        &self,
        subject: &Subject,
        evidence: &[usize],
        used: impl Fn(&str) -> bool,
    ) -> BTreeMap<&'static str, Option<String>> {
        let peers = self.peers_of(subject);
        // The subject event's advert sender and DRBD resource, where it names them.
        let event = subject
            .event
            .map(|index| &self.facts.timeline.events[index]);
        let drbd = event.and_then(drbd_resource);
        // Every resource or device the subject's kind of line names on its node, in the order
        // the evidence cites them (one finding may group the same line of several devices).
        let mut drbd_names: Vec<String> = drbd.iter().cloned().collect();
        if let Some(event) = event {
            for cited in evidence
                .iter()
                .map(|index| &self.facts.timeline.events[*index])
            {
                if cited.node == event.node
                    && cited.event == event.event
                    && let Some(name) = drbd_resource(cited)
                    && !drbd_names.contains(&name)
                {
                    drbd_names.push(name);
                }
            }
        }
        let resources_named =
            !drbd_names.is_empty() && drbd_names.iter().all(|name| !is_drbd_minor(name));
        let configs = self.configs(subject.instance.as_deref(), subject.time);
        TEMPLATE_KEYS
            .iter()
            .filter(|key| used(key))
            .map(|key| {
                let value = match *key {
                    "self" => Some(subject.node.clone()),
                    "peer" => (!peers.is_empty()).then(|| peers.join(", ")),
                    "instance" => subject.instance.clone(),
                    "time" => Some(match event.filter(|event| event.time.is_none()) {
                        Some(event) => format!("line {} of {} (no date)", event.line, event.file),
                        None => format_time(subject.time, 0),
                    }),
                    "sender" => subject.event.and_then(|index| self.sender_of(index)),
                    "drbd" => drbd_list_label(&drbd_names),
                    "resource" | "one_resource" => resources_named.then(|| drbd_names.join(" ")),
                    "resource_lookup" => resources_named.then(String::new),
                    "kad_vif" => configs
                        .iter()
                        .find(|(node, _)| *node == subject.node)
                        .or(configs.first())
                        .and_then(|(_, event)| event.field("interface"))
                        .map(str::to_string),
                    // A subject of no instance (a track script's line): the input's only
                    // instance's.
                    "priorities" => priorities(&configs).or_else(|| {
                        let instances = &self.facts.states.instances;
                        let instance =
                            subject.instance.as_ref().or(match instances.as_slice() {
                                [only] => Some(only),
                                _ => None,
                            })?;
                        self.logged_priorities.get(instance).cloned()
                    }),
                    "advert" => self.advert_claim(subject, evidence),
                    "rejection" => event.and_then(|event| self.rejection_near(event)),
                    "stale_copy" => event.and_then(|event| self.stale_copy(subject, event, &peers)),
                    "logs_end" => subject.event.map(|index| self.logs_end(index)),
                    "script" => self.script_named(subject, evidence),
                    "script_command" => self.script_command(subject, evidence),
                    "check" => self.check_named(subject, evidence),
                    // The reason the subject's line gives, as written (DRBD's `State change
                    // failed: ...`, a refused handshake's).
                    "reason" => event
                        .and_then(|event| event.field("reason"))
                        .map(|reason| format!("`{}`", reason.trim())),
                    // How far the first line of another node the evidence cites is stamped
                    // from the subject.
                    "stamped_apart" => evidence
                        .iter()
                        .map(|index| &self.facts.timeline.events[*index])
                        .filter(|line| *line.node != *subject.node)
                        .find_map(|line| line.time)
                        .map(|time| format_gap((time - subject.time).num_seconds())),
                    // What the evidence shows keepalived did on the subject's node: `started`,
                    // `reloaded`, or both words where it shows neither or both.
                    "started" => Some(self.started_or_reloaded(subject, evidence).to_string()),
                    _ => None,
                };
                (*key, value)
            })
            .collect()
    }

    /// `started` where the evidence shows keepalived starting on the subject's node (its start,
    /// its VRRP process's, systemd's start of the unit), `reloaded` where it shows a reload, else
    /// `started or reloaded`.
    fn started_or_reloaded(&self, subject: &Subject, evidence: &[usize]) -> &'static str {
        let own = evidence
            .iter()
            .map(|index| &self.facts.timeline.events[*index])
            .filter(|event| *event.node == *subject.node);
        let (mut started, mut reloaded) = (false, false);
        for event in own {
            match event.event.as_deref() {
                Some(events::KEEPALIVED_STARTING | events::VRRP_CHILD_STARTING) => started = true,
                Some("service-started") if event.field("unit") == Some("keepalived") => {
                    started = true
                }
                Some(events::KEEPALIVED_RELOADING) => reloaded = true,
                _ => {}
            }
        }
        match (started, reloaded) {
            (true, false) => "started",
            (false, true) => "reloaded",
            _ => "started or reloaded",
        }
    }

    /// The track script the subject's line names (`{script}`), else the one whose failure the
    /// evidence gives last (the one that moved the instance; a script that only lowered a
    /// priority earlier comes before it), else the last one the evidence names: `chk_haproxy`,
    /// quoted as the configuration names it, or its command where a line gives only that.
    fn script_named(&self, subject: &Subject, evidence: &[usize]) -> Option<String> {
        let (_, named) = self.script_line(subject, evidence)?;
        Some(format!("`{named}`"))
    }

    /// What failed or recovered, as `{check}` names it: the track script the evidence names, else
    /// the tracked file or process its lines name (one of them).
    fn check_named(&self, subject: &Subject, evidence: &[usize]) -> Option<String> {
        let lines = &self.facts.timeline.events;
        let cited = || {
            subject
                .event
                .into_iter()
                .chain(evidence.iter().copied())
                .map(|index| &lines[index])
        };
        // (`field` is `file` or `process`: what keepalived tracks.)
        let tracked = |line: &Event, field: &str| {
            line.field(field)
                .map(|name| format!("tracked {field} `{name}`"))
        };
        // A FAULT's reason line names what put it there (`entering FAULT state (tracked file X
        // has status -254)`): that, before any script the evidence names.
        let reason = cited()
            .filter(|line| line.event.as_deref() == Some(events::FAULT_REASON))
            .find_map(|line| tracked(line, "file").or_else(|| tracked(line, "process")));
        if reason.is_some() {
            return reason;
        }
        if let Some(script) = self.script_named(subject, evidence) {
            return Some(format!("track script {script}"));
        }
        // Else the one tracked file (or process) the lines name.
        let one = |field: &str| {
            let mut names = cited().filter_map(|line| tracked(line, field));
            let first = names.next()?;
            names.all(|other| other == first).then_some(first)
        };
        one("file").or_else(|| one("process"))
    }

    /// The line that names the track script `{script}` quotes, and that name (keepalived 1.x's
    /// exit-status line gives the script's command instead).
    fn script_line(&self, subject: &Subject, evidence: &[usize]) -> Option<(usize, &str)> {
        let lines = &self.facts.timeline.events;
        let failed = |index: &&usize| failing_script_line(&lines[**index]);
        let find = |field: &str| {
            let named = |index: &usize| {
                lines[*index]
                    .field(field)
                    .filter(|name| field == "script" || name.starts_with('/'))
                    .map(|name| (*index, name))
            };
            subject
                .event
                .and_then(|index| named(&index))
                .or_else(|| evidence.iter().rev().filter(failed).find_map(named))
                .or_else(|| evidence.iter().rev().find_map(named))
        };
        // A name before a command (the command is `{script_command}`'s): the one script the
        // node's failing lines around a command's line name, if they name one.
        find("script").or_else(|| {
            let (index, command) = find("path")?;
            let mut names = self
                .failing_script_lines_near(index)
                .into_iter()
                .filter_map(|other| lines[other].field("script").map(|name| (other, name)));
            let Some((first, name)) = names.next() else {
                return Some((index, command));
            };
            if names.all(|(_, other)| other == name) {
                return Some((first, name));
            }
            Some((index, command))
        })
    }

    /// The lines of a track script failing that the node of the line at `index` wrote within
    /// SCRIPT_COMMAND_WITHIN_S of it (an undated line: anywhere in its file).
    fn failing_script_lines_near(&self, index: usize) -> Vec<usize> {
        let lines = &self.facts.timeline.events;
        let line = &lines[index];
        let nearby: Vec<usize> = match line.time {
            Some(time) => self
                .facts
                .events_between(
                    &line.node,
                    time - Duration::seconds(SCRIPT_COMMAND_WITHIN_S),
                    time + Duration::seconds(SCRIPT_COMMAND_WITHIN_S),
                )
                .to_vec(),
            None => self.facts.undated_of_file(&line.node, &line.file).to_vec(),
        };
        nearby
            .into_iter()
            .filter(|other| failing_script_line(&lines[*other]))
            .collect()
    }

    /// Where the command of `{script}` is to be found (`{script_command}`): the line itself where
    /// it gives the command; the command the failing exit-status lines of the same node give
    /// within a minute of the script's line (undated: anywhere in its file), where they all give
    /// the same one; else (`UNKNOWN_VALUES`) the configuration.
    fn script_command(&self, subject: &Subject, evidence: &[usize]) -> Option<String> {
        let (index, _) = self.script_line(subject, evidence)?;
        let lines = &self.facts.timeline.events;
        let line = &lines[index];
        if line.field("script").is_none() {
            return Some(format!("as {}'s line gives it", line.node));
        }
        let mut commands = self
            .failing_script_lines_near(index)
            .into_iter()
            .filter_map(|other| {
                lines[other]
                    .field("path")
                    .filter(|path| path.starts_with('/'))
            });
        let command = commands.next()?;
        commands
            .all(|other| other == command)
            .then(|| format!("its command, as {}'s lines give it: `{command}`", line.node))
    }

    /// Where the node's logs end too soon after the subject's line to show DRBD connected again
    /// (within DRBD's default connect interval, or a few lines of an undated file), a clause that
    /// says so (`{logs_end}`); otherwise nothing.
    fn logs_end(&self, index: usize) -> String {
        let node = &self.facts.timeline.events[index].node;
        match self.facts.logs_after(index) {
            LogsAfter::Seconds(seconds) if seconds < RECONNECT_INTERVAL_S => {
                let after = if seconds < 1.0 {
                    "less than a second".to_string()
                } else {
                    format!("{seconds:.0} s")
                };
                format!(" (but the logs of {node} end {after} after it, too soon to show one)")
            }
            LogsAfter::Lines {
                lines,
                file,
                seconds,
            } if lines <= SHORT_TAIL_LINES
                && seconds.is_none_or(|seconds| seconds < RECONNECT_INTERVAL_S) =>
            {
                let lines = match lines {
                    0 => "right".to_string(),
                    1 => "1 line".to_string(),
                    lines => format!("{lines} lines"),
                };
                format!(" (but {file} ends {lines} after it, too soon to show one)")
            }
            _ => String::new(),
        }
    }

    /// Whose copy of the DRBD data stopped when the replication broke at the subject's line: the
    /// node that was not Primary. Each side's role just before is read from the lines of that
    /// moment (the line itself and the node's DRBD lines of the same resource in the next two
    /// seconds: `role( Primary -> ...)`, `peer( Primary -> Unknown )`, and a new current UUID,
    /// which DRBD makes only on a Primary that loses its peer), else from the roles the logs gave
    /// the node (and its one peer) by then; None where neither side's role is known.
    fn stale_copy(&self, subject: &Subject, event: &Event, peers: &[String]) -> Option<String> {
        let resource = drbd_resource(event);
        // A DRBD line of the subject's resource (or of any, where the subject names none).
        let same_resource = |other: &Event| {
            other.kind == event.kind && (resource.is_none() || drbd_resource(other) == resource)
        };
        let moment: Vec<&Event> = self
            .facts
            .moment_after(subject.event?, 2, 6)
            .into_iter()
            .map(|index| &self.facts.timeline.events[index])
            .filter(|other| same_resource(other))
            .collect();
        let from_moment = |fields: &[&str]| {
            moment.iter().find_map(|other| {
                fields
                    .iter()
                    .find_map(|field| other.field(field).filter(|value| *value != "Unknown"))
            })
        };
        // The role the node's lines gave it by then: for an undated line, the last role line
        // before it in its file.
        // (The roles kept by time are a node's, not a resource's: taken only where the input
        // names one resource.)
        let role_at = |node: &str| match event.time {
            Some(_) if self.only_resource.is_none() => None,
            Some(time) => self.facts.states.drbd_role_at(node, time),
            None if node == subject.node => subject.event.and_then(|index| {
                self.facts.undated_before(index).find_map(|before| {
                    let before = &self.facts.timeline.events[before];
                    same_resource(before)
                        .then(|| before.field("role_to").or(before.field("role")))
                        .flatten()
                })
            }),
            None => None,
        };
        let new_uuid = moment
            .iter()
            .any(|other| other.event.as_deref() == Some(events::NEW_DATA_GENERATION));
        // I/O suspended as the peer went (`susp( 0 -> 1 )`, fencing) is a Primary's: a
        // Secondary has none to suspend.
        let suspended = moment
            .iter()
            .any(|other| other.field("susp_to") == Some("1"));
        let own = from_moment(&["role_from", "role"])
            .or((new_uuid || suspended).then_some("Primary"))
            .or_else(|| role_at(&subject.node));
        let peer_role = from_moment(&["peer_from", "peer_role"]).or_else(|| match peers {
            [peer] => role_at(peer),
            _ => None,
        });
        let peer = match peers {
            [peer] => peer.as_str(),
            _ => "the peer",
        };
        let own_name = subject.node.as_str();
        let is = |role: Option<&str>, wanted: &str| role == Some(wanted);
        // `because`, so `behind`'s copy stopped: a takeover by it would lack `writer`'s writes.
        let stopped = |because: String, behind: &str, writer: &str, hedge: &str| {
            format!(
                "{because}, so {behind}'s copy stopped at that moment: a takeover by {behind} would run on it, without what {writer} wrote since{hedge}"
            )
        };
        let text = if is(own, "Primary") && is(peer_role, "Primary") {
            format!(
                "both {own_name} and {peer} were Primary: each copy lacks what the other wrote from that moment"
            )
        } else if is(own, "Primary") {
            stopped(format!("{own_name} was Primary"), peer, own_name, "")
        } else if is(peer_role, "Primary") && is(own, "Secondary") {
            stopped(format!("{peer} was Primary"), own_name, peer, "")
        } else if is(peer_role, "Primary") {
            // A peer Primary does not make this node Secondary: a dual-Primary setup (a cluster
            // file system) has both.
            stopped(
                format!("{peer} was Primary"),
                own_name,
                peer,
                &format!(", unless {own_name} was Primary too (a dual-Primary setup)"),
            )
        } else if is(own, "Secondary") && is(peer_role, "Secondary") {
            "neither node was Primary, so the copies were alike at that moment: the one not promoted afterwards stops there".to_string()
        } else if is(peer_role, "Secondary") {
            stopped(
                format!("{peer} was Secondary"),
                peer,
                own_name,
                " if it was Primary",
            )
        } else if is(own, "Secondary") {
            stopped(
                format!("{own_name} was Secondary"),
                own_name,
                peer,
                " if it was Primary",
            )
        } else {
            return None;
        };
        Some(text)
    }

    /// Each node's keepalived.conf settings of an instance (or of its first instance); for a
    /// node without one, the settings keepalived last logged at or before `at` (its
    /// configuration dump as it started or reloaded), else the first it logged after.
    fn configs(&self, instance: Option<&str>, at: DateTime<Utc>) -> Vec<(&str, &Event)> {
        let mut configs: Vec<(&str, &Event)> = Vec::new();
        let of_instance = |event: &&&Event| {
            instance.is_none_or(|instance| event.field("instance") == Some(instance))
        };
        for event in self.vrrp_configs.iter().filter(of_instance) {
            if !configs.iter().any(|(node, _)| *node == event.node.as_ref()) {
                configs.push((event.node.as_ref(), event));
            }
        }
        let mut logged: Vec<(&str, &Event)> = Vec::new();
        for event in self.logged_configs.iter().filter(of_instance) {
            let node = event.node.as_ref();
            if configs.iter().any(|(known, _)| *known == node) {
                continue;
            }
            match logged.iter_mut().find(|(known, _)| *known == node) {
                // Later dumps replace an earlier one up to `at`.
                Some(kept) if event.time.is_some_and(|time| time <= at) => kept.1 = event,
                Some(_) => {}
                None => logged.push((node, event)),
            }
        }
        configs.extend(logged);
        configs
    }

    /// The values shared advice names: the node ESC serves from now (the survivor of a DRBD
    /// split-brain; without VRRP state, the one node DRBD shows Primary at the end, the others
    /// Secondary, each of one resource), why (`survivor_basis`), the other node, and the DRBD
    /// resource (`all` when no line names it). Where the finding names two nodes or more (both
    /// sides of a split-brain), survivor and victims are among them: a node serving now that was
    /// not one of them is not told to keep its data over theirs (a third node, or one whose logs
    /// begin after the incident), and the advice then says the logs do not tell.
    fn advice_values(
        &self,
        evidence: &[usize],
        finding_nodes: &[String],
        absent: &[&str],
    ) -> BTreeMap<&'static str, Option<String>> {
        let events = &self.facts.timeline.events;
        let named = |event: &Event| drbd_resource(event).filter(|name| !is_drbd_minor(name));
        // DRBD 8.4 names the device on some lines (`block drbd1: Split-Brain detected`) and the
        // resource on the lines it writes with them (`drbd resource1: conn( ... )`): the one
        // resource those lines name (two resources at that moment: none is taken).
        let beside = |index: &usize| {
            let event = &events[*index];
            let mut names: Vec<String> = self
                .lines_beside(event, RESOURCE_BESIDE_LINES)
                .filter(|other| other.time == event.time)
                .filter_map(named)
                .collect();
            names.sort();
            names.dedup();
            match names.as_slice() {
                [one] => Some(one.clone()),
                _ => None,
            }
        };
        let resource = evidence
            .iter()
            .find_map(|index| named(&events[*index]))
            .or_else(|| {
                evidence
                    .iter()
                    .filter(|index| drbd_resource(&events[**index]).is_some())
                    .find_map(beside)
            })
            .or_else(|| self.only_resource.clone())
            .filter(|name| !is_drbd_minor(name))
            .unwrap_or_else(|| "all".to_string());
        // A finding of one node's lines (DRBD's split-brain line on one side) says who was
        // involved only in a pair: among three nodes or more, the other side is not known.
        let all_nodes = self.facts.node_names();
        let (involved, known): (Vec<&str>, bool) = if finding_nodes.len() >= 2 {
            (finding_nodes.iter().map(String::as_str).collect(), true)
        } else {
            let pair = all_nodes.len() <= 2;
            (all_nodes, pair)
        };
        // The node serving now, where it is one of the nodes involved and was not down or
        // stalled while the other served (then both copies hold writes the other lacks, and the
        // logs do not tell which to keep).
        let serving = self.serving.clone().filter(|serving| {
            known && involved.contains(&serving.as_str()) && !absent.contains(&serving.as_str())
        });
        // Where the logs show no VRRP state at all, the one node involved that DRBD's lines or
        // status show Primary at their end, every other one Secondary: only it can serve the
        // data now (a pasted `cat /proc/drbd` of each node says so).
        let no_vrrp = self.facts.states.instances.is_empty();
        let drbd_primary = (no_vrrp && known)
            .then(|| {
                // (A node whose lines name two resources or more may have said its last role
                // of another resource than the split one: no role is taken from it.)
                let role = |node: &str| {
                    let roles = &self.facts.states.drbd_roles;
                    roles
                        .get(node)
                        .filter(|now| now.resources.len() <= 1)
                        .map_or("", |now| now.role.as_str())
                };
                let primaries: Vec<&str> = involved
                    .iter()
                    .copied()
                    .filter(|node| role(node) == "Primary")
                    .collect();
                match primaries.as_slice() {
                    [one]
                        if involved.len() >= 2
                            && involved
                                .iter()
                                .all(|node| node == one || role(node) == "Secondary") =>
                    {
                        Some(one.to_string())
                    }
                    _ => None,
                }
            })
            .flatten()
            .filter(|node| !absent.contains(&node.as_str()));
        let survivor = serving.clone().or(drbd_primary.clone());
        // Why that node's data is the one to keep.
        let survivor_basis = match (&serving, &drbd_primary) {
            (Some(node), _) => Some(serving_basis(node, self.text_context)),
            (None, Some(node)) => Some(format!(
                "{node} is DRBD Primary at the end of the input and {} Secondary",
                involved
                    .iter()
                    .filter(|other| *other != node)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            (None, None) => None,
        };
        // Why no survivor is named, in the words the advice gives it.
        let survivor_unknown = match &self.serving {
            _ if survivor.is_some() => None,
            _ if no_vrrp => Some(format!(
                "these logs show no VRRP instance's state, so they do not say which node {}, nor \
                 do DRBD's lines or status show one node Primary and the other Secondary at \
                 their end",
                if self.text_context.esc {
                    "ESC served from"
                } else {
                    "served"
                }
            )),
            _ if !known => Some(
                "among more than two nodes these logs do not say which other node was involved"
                    .to_string(),
            ),
            None => Some(
                "these logs name no single node MASTER at their end among the nodes involved"
                    .to_string(),
            ),
            Some(serving) if absent.contains(&serving.as_str()) => Some(format!(
                "these logs show {serving} MASTER now but down or stalled while the other \
                 served, so both copies hold writes the other lacks"
            )),
            Some(serving) => Some(format!(
                "the node MASTER at the end of these logs, {serving}, is not one of the nodes \
                 involved"
            )),
        };
        let victims: Vec<&str> = involved
            .into_iter()
            .filter(|node| Some(*node) != survivor.as_deref())
            .collect();
        let victim = if victims.is_empty() {
            "the other node".to_string()
        } else {
            victims.join(", ")
        };
        FINDING_ADVICE_KEYS
            .iter()
            .map(|key| {
                let value = match *key {
                    "survivor" => survivor.clone(),
                    "survivor_basis" => survivor_basis.clone(),
                    "survivor_unknown" => survivor_unknown.clone(),
                    "victim" => Some(victim.clone()),
                    "resource" => Some(resource.clone()),
                    _ => None,
                };
                (*key, value)
            })
            .collect()
    }

    fn finding(
        &self,
        rule: &Rule,
        subject: &Subject,
        evidence: Vec<usize>,
        nodes: Vec<String>,
    ) -> Finding {
        let remedy = &in_context(rule.remedy.for_subject(subject.kind), self.text_context);
        let explanation = &in_context(
            rule.explanation.for_subject(subject.kind),
            self.text_context,
        );
        let title = &in_context(rule.title.for_subject(subject.kind), self.text_context);
        let values = self.template_values(subject, &evidence, |key| {
            let placeholders = [format!("{{{key}}}"), format!("{{{}}}", capitalised(key))];
            [title, explanation, remedy].iter().any(|text| {
                placeholders
                    .iter()
                    .any(|placeholder| text.contains(placeholder))
            })
        });
        Finding {
            id: finding_id(
                &rule.id,
                &subject.node,
                subject.instance.as_deref(),
                subject.time,
            ),
            rule: rule.id.clone(),
            severity: rule.severity,
            title: fill(title, &values),
            start: Some(subject.time),
            end: subject.end,
            nodes,
            cause: rule
                .subjects
                .iter()
                .any(|kind| kind.is_transition())
                .then(|| rule.cause.clone()),
            explanation: fill(explanation, &values),
            remedy: fill(&without_advice(remedy), &values),
            advice: advice_keys(remedy),
            references: rule.references.clone(),
            evidence,
            instance: subject.instance.clone(),
            transitions: Vec::new(),
            merged: Vec::new(),
        }
    }

    /// Of more than two nodes, the one a transition is about (see `Subject::counterpart`): for a
    /// takeover, the only other node MASTER of the instance just before it; for a yield, the
    /// only other node MASTER as it yields. None where two nodes' logs are given (the peer is
    /// the other) or no single node is it.
    fn counterpart(
        &self,
        node: &str,
        instance: &str,
        time: DateTime<Utc>,
        from: Role,
        to: Role,
    ) -> Option<String> {
        let others: Vec<&str> = self
            .facts
            .node_names()
            .into_iter()
            .filter(|other| *other != node)
            .collect();
        if others.len() < 2 {
            return None;
        }
        let at = match (from, to) {
            (_, Role::Master) => time - Duration::milliseconds(1),
            (Role::Master, _) => time,
            _ => return None,
        };
        let mut masters = others.into_iter().filter(|other| {
            self.facts.states.role_at(other, Some(instance), at) == Some(Role::Master)
        });
        match (masters.next(), masters.next()) {
            (Some(only), None) => Some(only.to_string()),
            _ => None,
        }
    }

    /// The nodes `peer` names for a subject: its counterpart, or every other node.
    fn peers_of(&self, subject: &Subject) -> Vec<String> {
        match &subject.counterpart {
            Some(counterpart) => vec![counterpart.clone()],
            None => self
                .facts
                .node_names()
                .into_iter()
                .filter(|node| *node != subject.node)
                .map(str::to_string)
                .collect(),
        }
    }

    fn why_unknown(&self, subject: &Subject) -> String {
        let peers = self.peers_of(subject);
        // The node's own logs missing just before the change, between two of its excerpts (not
        // logs that begin later than the input's: the gap follows lines of its own): what led
        // to it is in that gap.
        let first_line = self.facts.timeline.seen_from(&subject.node);
        let own_gap = self.facts.states.blind.iter().find(|blind| {
            blind.node == subject.node
                && blind.reason == "no-logs"
                && blind
                    .start
                    .zip(first_line)
                    .is_some_and(|(start, first)| first <= start)
                && blind.end.is_some_and(|end| {
                    end <= subject.time && subject.time - end <= Duration::seconds(10)
                })
        });
        if let Some(gap) = own_gap {
            return format!(
                "{}'s own logs are missing from {} to {}, just before this change: what led to it is not in the input{}",
                subject.node,
                gap.start
                    .map_or_else(String::new, |start| format_time(start, 0)),
                gap.end.map_or_else(String::new, |end| format_time(end, 0)),
                if peers.is_empty() {
                    "; the peer's logs were not given"
                } else {
                    ""
                }
            );
        }
        let clock = |time| format_clock(time, self.dated);
        let mut parts = Vec::new();
        // keepalived 1.x began the takeover with `Transition to MASTER STATE`: what it writes for
        // a master-down timer run out or a start with state MASTER, with no reason either way.
        if subject.to == Some(Role::Master)
            && subject.order_bounds.is_none()
            && let Some(from) = subject.time.checked_sub_signed(Duration::seconds(10))
            && self
                .facts
                .events_between(&subject.node, from, subject.time)
                .iter()
                .map(|index| &self.facts.timeline.events[*index])
                .any(|event| {
                    // Not 1.4's `VRRP_Instance(X): Transition to MASTER STATE`, written as the
                    // instance leaves FAULT.
                    event.event.as_deref() == Some(events::TRANSITION_TO_MASTER)
                        && event.field("instance") == subject.instance.as_deref()
                        && event.field("leaving_fault").is_none()
                })
        {
            parts.push(format!(
                "keepalived 1.x began it with `Transition to MASTER STATE`, which it writes when \
                 its master-down timer runs out (no MASTER's advert heard for three advert \
                 intervals, or the MASTER's priority 0) or as it starts with state MASTER, and \
                 names no reason: {}'s lines before it do not say which",
                subject.node
            ));
        }
        // The node's logs begin with this change: its state before and what led to it are before
        // them.
        // Not where the node has lines of an earlier moment (after it in a journal printed
        // newest first), or undated lines before it in its file.
        let lines_before = || {
            subject
                .event
                .is_some_and(|index| self.facts.line_before(index))
        };
        let own_start = first_line.filter(|first| {
            subject.order_bounds.is_none()
                && *first <= subject.time
                && subject.time - *first <= Duration::seconds(10)
                && (subject.from == Some(Role::Unknown) || !lines_before())
        });
        match own_start {
            Some(first) if subject.from == Some(Role::Unknown) => parts.push(format!(
                "this is the first state {}'s logs show (they begin at {}): the state before it and what led to it are not in the input",
                subject.node,
                clock(first)
            )),
            // A state known from the lines of the change itself (`sent 0 priority` is a
            // MASTER's), in an excerpt that begins with it.
            Some(first) if subject.time - first <= Duration::seconds(1) => parts.push(format!(
                "{}'s logs begin at {}, with this change: the lines before it, which would say what led to it, are not in the input",
                subject.node,
                clock(first)
            )),
            _ => {}
        }
        if peers.is_empty() {
            parts.push(
                "only this node's logs were given: the peer's side of the failover is unknown"
                    .to_string(),
            );
            return parts.join("; ");
        }
        if subject.order_bounds.is_some() {
            return "its lines carry no date: the lines before it in its file show no reason, and \
                    the peer's lines cannot be placed around it"
                .to_string();
        }
        // The seconds the cause rules read the peer's side in (`covered(peer, -10s, 0s)`).
        let window = (subject.time - Duration::seconds(10), subject.time);
        let mut present = Vec::new();
        for peer in &peers {
            let first = self.facts.timeline.seen_from(peer);
            let last = self.facts.timeline.seen_until(peer);
            let missing = self.facts.states.blind.iter().any(|blind| {
                blind.node == *peer
                    && blind.reason != "quiet"
                    && blind.start.is_none_or(|start| start <= window.1)
                    && blind.end.is_none_or(|end| end >= window.0)
            });
            match (first, last) {
                (Some(first), _) if first > subject.time => {
                    parts.push(format!("{peer}'s logs begin at {}, after it", clock(first)));
                }
                (_, Some(last)) if last < window.0 => {
                    parts.push(format!("{peer}'s logs end at {}, before it", clock(last)));
                }
                (None, _) | (_, None) => parts.push(format!("no dated logs of {peer} were given")),
                _ if missing => parts.push(format!(
                    "{peer}'s logs are missing around {}",
                    clock(subject.time)
                )),
                _ => present.push(peer),
            }
        }
        if present.is_empty() {
            parts.push(
                if peers.len() == 1 {
                    "the peer's side is not in the input"
                } else {
                    "the other nodes' side is not in the input"
                }
                .to_string(),
            );
            return parts.join("; ");
        }
        // What the peers logged in the seconds the cause rules read (and the one after): lines
        // that no rule ties to this change are named, not denied.
        // A line the peer's keepalived (or its system) wrote itself, not a fact of the
        // collection.
        let keepalived_line =
            |event: &&Event| !event.collector_clock && event.kind.is_vrrp_or_daemon();
        let peer_lines: Vec<(&str, String)> = present
            .iter()
            .filter_map(|peer| {
                let nearest = self
                    .facts
                    .events_between(peer, window.0, subject.time + Duration::seconds(1))
                    .iter()
                    .map(|index| &self.facts.timeline.events[*index])
                    .filter(keepalived_line)
                    .min_by_key(|event| {
                        (event.time.unwrap_or(subject.time) - subject.time).abs()
                    })?;
                Some((peer.as_str(), format!("{}:{}", nearest.file, nearest.line)))
            })
            .collect();
        let names = |peers: Vec<&str>| peers.join(", ");
        // A peer silent around the change: where its keepalived lines stop before it and resume
        // after it, which is the stretch a stop, restart or fault could hide in.
        let silences: Vec<String> = present
            .iter()
            .filter_map(|peer| {
                let before = self
                    .facts
                    .events_between(peer, DateTime::<Utc>::MIN_UTC, window.0)
                    .iter()
                    .rev()
                    .map(|index| &self.facts.timeline.events[*index])
                    .find(keepalived_line)?;
                let after = self
                    .facts
                    .events_between(peer, subject.time, DateTime::<Utc>::MAX_UTC)
                    .iter()
                    .map(|index| &self.facts.timeline.events[*index])
                    .find(keepalived_line);
                let last = before.time?;
                Some(match after.and_then(|after| after.time) {
                    Some(next) => format!(
                        "{peer}'s keepalived lines stop at {} ({}:{}) and resume at {}",
                        clock(last),
                        before.file,
                        before.line,
                        clock(next)
                    ),
                    None => format!(
                        "{peer}'s keepalived lines stop at {} ({}:{})",
                        clock(last),
                        before.file,
                        before.line
                    ),
                })
            })
            .collect();
        let peer_side = if peer_lines.is_empty() {
            let quiet = format!(
                "{}'s logs show no stop, restart, fault or election around it",
                names(present.iter().map(|peer| peer.as_str()).collect())
            );
            if silences.is_empty() {
                quiet
            } else {
                format!("{quiet}: {}", silences.join("; "))
            }
        } else {
            format!(
                "no known cause fits what {} logged around it ({})",
                names(peer_lines.iter().map(|(peer, _)| *peer).collect()),
                names(peer_lines.iter().map(|(_, line)| line.as_str()).collect())
            )
        };
        // The node's own reason line, where it logged one no rule could tie to a cause.
        let timed_out = self
            .facts
            .events_between(
                &subject.node,
                subject.time - Duration::seconds(3),
                subject.time + Duration::milliseconds(1),
            )
            .iter()
            .map(|index| &self.facts.timeline.events[*index])
            .find(|event| {
                event.event.as_deref() == Some(events::ADVERT_TIMEOUT)
                    && event.field("instance") == subject.instance.as_deref()
            });
        if parts.is_empty() {
            match timed_out {
                Some(line) => format!(
                    "no rule recognised this transition: {} logged that the adverts stopped arriving ({}:{}, Receive advertisement timeout), and {peer_side}; what stopped the adverts is not in the logs",
                    subject.node, line.file, line.line
                ),
                None => format!(
                    "no rule recognised this transition: {} logged no reason before it (keepalived without -D logs few), and {peer_side}",
                    subject.node
                ),
            }
        } else {
            parts.push(peer_side);
            parts.join("; ")
        }
    }

    fn transitions(&self) -> (Vec<Failover>, Vec<Finding>) {
        let mut transitions = Vec::new();
        let mut findings = Vec::new();
        let states = self.facts.states;
        // Undated ones first, as the timeline puts undated lines first.
        let undated = states
            .undated_transitions
            .iter()
            .map(|transition| TransitionFacts {
                node: &transition.node,
                instance: &transition.instance,
                time: None,
                from: transition.from,
                to: transition.to,
                event: transition.event,
                from_inferred: transition.from_evidence.is_some(),
                from_evidence: transition.from_evidence,
                order_bounds: Some((transition.previous_line, transition.next_line)),
            });
        let dated = states.transitions.iter().map(|transition| TransitionFacts {
            node: &transition.node,
            instance: &transition.instance,
            time: Some(transition.time),
            from: transition.from,
            to: transition.to,
            event: transition.event,
            from_inferred: transition.from_inferred,
            from_evidence: transition.from_evidence,
            order_bounds: None,
        });
        for facts in undated.chain(dated) {
            let kind = subject_kind(facts.from, facts.to);
            let subject = Subject {
                kind,
                node: facts.node.to_string(),
                // An undated subject sits at the earliest instant (its windows are its lines).
                time: facts.time.unwrap_or(DateTime::<Utc>::MIN_UTC),
                end: None,
                instance: Some(facts.instance.to_string()),
                from: Some(facts.from),
                to: Some(facts.to),
                event: Some(facts.event),
                order_bounds: facts.order_bounds,
                counterpart: facts.time.and_then(|time| {
                    self.counterpart(facts.node, facts.instance, time, facts.from, facts.to)
                }),
            };
            let (node, instance, time) = (facts.node, facts.instance, facts.time);
            let mut chosen = None;
            for rule in self
                .rules
                .rules
                .iter()
                .filter(|rule| rule.subjects.contains(&kind) && self.applies(rule))
            {
                let evaluation = evaluate(&self.facts, &subject, &rule.condition);
                if evaluation.holds {
                    chosen = Some((rule, evaluation.evidence));
                    break;
                }
            }
            let mut evidence = vec![facts.event];
            evidence.extend(facts.from_evidence);
            let failover = kind.is_failover();
            let (cause, rule_id, severity, detail) = match &chosen {
                Some((rule, more)) => {
                    evidence.extend(more.iter().copied());
                    (
                        rule.cause.clone(),
                        Some(rule.id.clone()),
                        rule.severity,
                        None,
                    )
                }
                None if failover => (
                    "unknown".to_string(),
                    None,
                    Severity::Warning,
                    Some(self.why_unknown(&subject)),
                ),
                None => (
                    "unknown".to_string(),
                    None,
                    Severity::Info,
                    Some("no line says why this state was entered".to_string()),
                ),
            };
            evidence.sort_unstable();
            evidence.dedup();
            if failover {
                let mut finding = match &chosen {
                    Some((rule, _)) => {
                        self.finding(rule, &subject, evidence.clone(), vec![node.to_string()])
                    }
                    None => Finding {
                        id: finding_id("unknown", node, Some(instance), subject.time),
                        rule: "unknown".to_string(),
                        severity: Severity::Warning,
                        title: "Cause unknown".to_string(),
                        start: time,
                        end: None,
                        nodes: vec![node.to_string()],
                        cause: Some("unknown".to_string()),
                        explanation: detail.clone().unwrap_or_default(),
                        remedy: crate::timeline::words::in_context(
                            &format!(
                                "Collect both nodes' logs around this change ({{esc?esc-diag collect|/var/log/messages or journalctl -u keepalived on each}}){}",
                                // keepalived 1.x names no reason for a takeover, with -D or
                                // without; what -D adds there is not a reason either.
                                match (
                                    is_dialect_one(&self.facts.timeline.events[facts.event]),
                                    facts.to,
                                ) {
                                    (true, Role::Master) => {
                                        ": keepalived 1.x names no reason when it takes over, so the peer's lines at that moment tell (a stop, restart or FAULT there, or nothing: then the network between them)."
                                    }
                                    (true, _) => {
                                        ", unfiltered: the line keepalived 1.x writes just before such a change says why."
                                    }
                                    _ => ", with keepalived run with -D (log detail) if possible.",
                                }
                            ),
                            self.text_context,
                        ),
                        advice: Vec::new(),
                        references: Vec::new(),
                        evidence: evidence.clone(),
                        instance: Some(instance.to_string()),
                        transitions: Vec::new(),
                        merged: Vec::new(),
                    },
                };
                if time.is_none() {
                    let line = self.facts.timeline.events[facts.event].line;
                    finding.start = None;
                    finding.id = format!("{}@{node}@{instance}@line-{line}", finding.rule);
                }
                finding.transitions = vec![transitions.len()];
                findings.push(finding);
            }
            transitions.push(Failover {
                time,
                instance: instance.to_string(),
                node: node.to_string(),
                from: facts.from,
                from_inferred: facts.from_inferred,
                to: facts.to,
                failover,
                cause,
                rule: rule_id,
                severity,
                detail,
                evidence,
                finding: None,
            });
        }
        (transitions, findings)
    }

    /// Windows in which two nodes were MASTER of one instance at once, with how the window is
    /// known: both state lines (`both-sides`), or one side's mastership known only from a line
    /// keepalived writes as MASTER (`advert-while-master`); and whether its start is shown.
    fn overlaps(&self) -> Vec<(Subject, OverlapProof)> {
        let states = self.facts.states;
        let events = &self.facts.timeline.events;
        let mut subjects = Vec::new();
        let masters: Vec<_> = states
            .intervals
            .iter()
            .filter(|interval| interval.role == Role::Master)
            .collect();
        // The first instant an interval is known: its start, or for a state held since before the
        // logs say so, the first line that proves it.
        let known_from = |interval: &Interval| {
            interval
                .start
                .or(interval.proven_from)
                .map(|start| (start, interval.start.is_some()))
        };
        // keepalived 1.x's caveat: a 1.x node logs a better advert also while still in
        // transition to MASTER, so such a line alone does not prove it was MASTER.
        let one_x_transition = |interval: &Interval| {
            interval.inferred
                && interval.opened_by.is_some_and(|event| {
                    let event = &events[event];
                    is_dialect_one(event)
                        && matches!(
                            event.event.as_deref(),
                            Some(
                                events::HIGHER_PRIORITY_ADVERT
                                    | events::SAME_PRIORITY_HIGHER_IP
                                    | events::TRANSITION_TO_MASTER
                            )
                        )
                })
        };
        let advert_proof = |interval: &Interval| {
            interval.inferred
                && interval
                    .opened_by
                    .and_then(|event| events[event].event.as_deref())
                    .is_some_and(is_advert_proof)
        };
        // Adverts a node received as MASTER (node, instance, when): each proves its sender MASTER
        // then.
        let advert_proofs: Vec<(&str, &str, DateTime<Utc>)> = events
            .iter()
            .filter(|event| event.event.as_deref().is_some_and(is_advert_proof))
            .filter_map(|event| Some((event.node.as_ref(), event.field("instance")?, event.time?)))
            .collect();
        // Each node's last line, or its collection where it was collected: what it said holds
        // no further.
        let seen_until = |node: &str| self.facts.timeline.seen_until(node);
        // A mastership that ended in a restart the logs show only by its start is proven only
        // up to the old process's last line (in the same excerpt as the new process's state
        // line, up to the restart: see UnseenRestart::held_through).
        let restart_ending = |interval: &Interval| {
            states.unseen_restart_ending_at(&interval.node, &interval.instance, interval.end?)
        };
        let proven_end = |interval: &Interval| {
            interval.end.map(|end| match restart_ending(interval) {
                Some(restart) if !restart.held_through => restart.last_seen,
                _ => end,
            })
        };
        // What of an interval decides the windows it makes: next to one alike, an interval makes
        // only windows the first of them made already (a node flapping within a second logs
        // thousands alike), so each run of alike intervals is visited once, by its first.
        #[derive(PartialEq)]
        struct Alike<'i> {
            node: &'i str,
            instance: &'i str,
            start: Option<DateTime<Utc>>,
            end: Option<DateTime<Utc>>,
            proven_from: Option<DateTime<Utc>>,
            inferred: bool,
            one_x_transition: bool,
            advert_proof: bool,
        }
        let classes: Vec<Alike> = masters
            .iter()
            .map(|interval| Alike {
                node: &interval.node,
                instance: &interval.instance,
                start: interval.start,
                end: interval.end,
                proven_from: interval.proven_from,
                inferred: interval.inferred,
                one_x_transition: one_x_transition(interval),
                advert_proof: advert_proof(interval),
            })
            .collect();
        let mut run_end = vec![0; masters.len()];
        for position in (0..masters.len()).rev() {
            run_end[position] =
                if position + 1 < masters.len() && classes[position + 1] == classes[position] {
                    run_end[position + 1]
                } else {
                    position + 1
                };
        }
        // One window per instance, pair of nodes and span: MASTER intervals of no length at one
        // instant (a node flapping within a second) would otherwise make the same window again
        // for every pair of them.
        let mut seen_windows = std::collections::HashSet::new();
        for (index, left) in masters.iter().enumerate() {
            if index > 0 && classes[index] == classes[index - 1] {
                continue;
            }
            // Intervals are in order of start (those held since before the logs first): once one
            // starts after `left` ended, it and all later ones cannot overlap it.
            let mut next = index + 1;
            while next < masters.len() {
                let position = next;
                let right = masters[position];
                next = run_end[position];
                let in_reach = match (left.start, left.end, right.start) {
                    (Some(_), Some(end), Some(start)) => start <= end,
                    _ => true,
                };
                if !in_reach {
                    break;
                }
                if left.instance != right.instance || left.node == right.node {
                    continue;
                }
                let (Some((left_start, left_shown)), Some((right_start, right_shown))) =
                    (known_from(left), known_from(right))
                else {
                    continue;
                };
                // The later start; at one instant, the window begins there if either side is
                // shown entering MASTER then (the other was MASTER by that moment).
                let (start, start_shown) = match left_start.cmp(&right_start) {
                    std::cmp::Ordering::Greater => (left_start, left_shown),
                    std::cmp::Ordering::Equal => (left_start, left_shown || right_shown),
                    std::cmp::Ordering::Less => (right_start, right_shown),
                };
                let end = match (proven_end(left), proven_end(right)) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (Some(a), None) | (None, Some(a)) => Some(a),
                    (None, None) => None,
                };
                // An end that is a restart unseen, which an interval is only taken to hold
                // through, beyond a node's last line, is not one the logs show: the window is
                // open where they end.
                let held_to = |interval: &Interval| {
                    interval.end.filter(|_| {
                        restart_ending(interval).is_some_and(|restart| restart.held_through)
                    })
                };
                let end = end.filter(|end| {
                    !(Some(*end) == held_to(left) || Some(*end) == held_to(right))
                        || [&left.node, &right.node]
                            .iter()
                            .all(|node| seen_until(node).is_none_or(|until| until >= *end))
                });
                if end.is_some_and(|end| end < start) {
                    continue;
                }
                // The node that entered MASTER second is the subject: of a state shown entering
                // and one held since before the logs, the one shown entering.
                let later = match (left.start.is_some(), right.start.is_some()) {
                    (true, false) => left,
                    (false, true) => right,
                    _ if left_start >= right_start => left,
                    _ => right,
                };
                if classes[index].one_x_transition || classes[position].one_x_transition {
                    continue;
                }
                // A node whose logs end (and were not collected up to now) before the window
                // begins is not shown MASTER in it: its mastership there is presumed (a pasted
                // excerpt that stops as the other node takes over), unless the line that opens
                // the window is the other's advert received as MASTER, which proves it.
                let unseen = |interval: &Interval, other: &Interval| {
                    seen_until(&interval.node).is_some_and(|until| until < start)
                        && !advert_proofs.iter().any(|(node, instance, time)| {
                            *node == other.node
                                && *instance == other.instance
                                && *time >= start
                                && (*time - start).num_milliseconds()
                                    <= crate::timeline::state::SAME_MOMENT_MS
                        })
                };
                if unseen(left, right) || unseen(right, left) {
                    continue;
                }
                let other = if std::ptr::eq(later, *left) {
                    right
                } else {
                    left
                };
                if !seen_windows.insert((
                    later.node.as_str(),
                    other.node.as_str(),
                    left.instance.as_str(),
                    start,
                    end,
                )) {
                    continue;
                }
                subjects.push((
                    Subject {
                        kind: SubjectKind::Overlap,
                        node: later.node.clone(),
                        time: start,
                        end,
                        instance: Some(left.instance.clone()),
                        from: None,
                        to: Some(Role::Master),
                        event: later.opened_by,
                        order_bounds: None,
                        counterpart: Some(other.node.clone()),
                    },
                    OverlapProof {
                        nodes: [later.node.clone(), other.node.clone()],
                        proof: if classes[index].advert_proof || classes[position].advert_proof {
                            "advert-while-master"
                        } else {
                            "both-sides"
                        },
                        start_shown,
                    },
                ));
            }
        }
        subjects.sort_by(|a, b| (a.0.time, &a.0.node).cmp(&(b.0.time, &b.0.node)));
        subjects
    }

    fn split_brains(&self) -> (Vec<SplitBrain>, Vec<Finding>) {
        let mut windows = Vec::new();
        let mut findings = Vec::new();
        let rules: Vec<&Rule> = self
            .rules
            .rules
            .iter()
            .filter(|rule| rule.subjects.contains(&SubjectKind::Overlap) && self.applies(rule))
            .collect();
        for (subject, proof) in self.overlaps() {
            for rule in &rules {
                let evaluation = evaluate(&self.facts, &subject, &rule.condition);
                if !evaluation.holds {
                    continue;
                }
                let instance = subject.instance.clone().unwrap_or_default();
                // The two nodes of the overlap, and any other node MASTER then too, in the
                // bundle's order.
                let nodes: Vec<String> = self
                    .facts
                    .node_names()
                    .into_iter()
                    .filter(|node| {
                        proof.nodes.iter().any(|known| known == node)
                            || self
                                .facts
                                .states
                                .role_at(node, Some(&instance), subject.time)
                                == Some(Role::Master)
                    })
                    .map(str::to_string)
                    .collect();
                let mut evidence: Vec<usize> = subject
                    .event
                    .into_iter()
                    .chain(evaluation.evidence.iter().copied())
                    .collect();
                for node in &nodes {
                    for interval in
                        self.facts
                            .states
                            .intervals_spanning(node, &instance, subject.time)
                    {
                        if interval.role == Role::Master {
                            evidence.extend(interval.opened_by);
                            evidence.extend(interval.closed_by);
                        }
                    }
                }
                evidence.sort_unstable();
                evidence.dedup();
                let uncertainty = self
                    .facts
                    .timeline
                    .nodes
                    .iter()
                    .filter(|node| nodes.contains(&node.name))
                    .filter_map(|node| node.clock_uncertainty_s)
                    .fold(0.0, |total, uncertainty| total + uncertainty);
                let mut finding = self.finding(rule, &subject, evidence.clone(), nodes.clone());
                let start = format_clock(subject.time, self.dated);
                let end = subject
                    .end
                    .map_or("the end of the logs".to_string(), |end| {
                        format_clock(end, self.dated)
                    });
                let span = if proof.start_shown && start == end {
                    format!("at {start}, within the second")
                } else {
                    let before = if proof.start_shown { "" } else { "before " };
                    format!("from {before}{start} to {end}")
                };
                finding.title = format!(
                    "{} ({} both MASTER {span})",
                    finding.title,
                    nodes.join(" and "),
                );
                let id = finding.id.clone();
                findings.push(finding);
                windows.push(SplitBrain {
                    finding: Some(id),
                    kind: SplitBrainKind::Vrrp,
                    proof: proof.proof.to_string(),
                    instance: Some(instance),
                    resource: None,
                    start: proof.start_shown.then_some(subject.time),
                    end: subject.end,
                    seen_at: Some(subject.time),
                    uncertainty_s: uncertainty,
                    nodes,
                    evidence,
                });
                break;
            }
        }
        (windows, findings)
    }

    /// Split-brains proven by single events (a MASTER receiving another MASTER's advert, DRBD's
    /// own split-brain lines): one entry per finding of a rule that declares `split_brain`, unless
    /// a window already holds that instant (or, for DRBD, that resource).
    fn proven_by_events(&self, findings: &[Finding], windows: &mut Vec<SplitBrain>) {
        let events = &self.facts.timeline.events;
        for finding in findings {
            let Some(rule) = self.rules.rules.iter().find(|rule| rule.id == finding.rule) else {
                continue;
            };
            let Some(declared) = &rule.split_brain else {
                continue;
            };
            let seen_at = finding.start;
            let Some(node) = finding.nodes.first() else {
                continue;
            };
            let first = finding.evidence.first().map(|index| &events[*index]);
            match declared.kind {
                SplitBrainKind::Vrrp => {
                    let instance = first
                        .and_then(|event| event.field("instance"))
                        .map(str::to_string);
                    let covered =
                        windows.iter().any(|window| {
                            window.kind == SplitBrainKind::Vrrp
                                && window.instance == instance
                                && window.nodes.contains(node)
                                && seen_at.is_some_and(|seen_at| {
                                    // A window known only at a moment (a MASTER hearing
                                    // another's advert) covers that moment, not every later
                                    // one (the same proof 42 minutes later is another window).
                                    if window.start.is_none() && window.end.is_none() {
                                        return window.seen_at.is_some_and(|at| {
                                            (at - seen_at).num_seconds().abs() <= 2
                                        });
                                    }
                                    window.start.or(window.seen_at).is_some_and(|start| {
                                        start - Duration::seconds(2) <= seen_at
                                    }) && window
                                        .end
                                        .is_none_or(|end| seen_at <= end + Duration::seconds(2))
                                })
                        });
                    if covered {
                        continue;
                    }
                    let mut nodes = vec![node.clone()];
                    for index in &finding.evidence {
                        if let Some(sender) = self.sender_of(*index)
                            && !nodes.contains(&sender)
                        {
                            nodes.push(sender);
                        }
                    }
                    windows.push(SplitBrain {
                        finding: Some(finding.id.clone()),
                        kind: SplitBrainKind::Vrrp,
                        proof: declared.proof.clone(),
                        instance,
                        resource: None,
                        start: None,
                        end: None,
                        seen_at,
                        uncertainty_s: 0.0,
                        nodes,
                        evidence: finding.evidence.clone(),
                    });
                }
                SplitBrainKind::Drbd => {
                    let resource = finding
                        .evidence
                        .iter()
                        .find_map(|index| drbd_resource(&events[*index]));
                    if let Some(window) = windows.iter_mut().find(|window| {
                        window.kind == SplitBrainKind::Drbd
                            && window.resource == resource
                            && match (window.seen_at, seen_at) {
                                (Some(at), Some(seen_at)) => {
                                    (at - seen_at).num_seconds().abs() <= 600
                                }
                                (None, None) => true,
                                _ => false,
                            }
                    }) {
                        if !window.nodes.contains(node) {
                            window.nodes.push(node.clone());
                        }
                        window.evidence.extend(finding.evidence.iter().copied());
                        window.evidence.sort_unstable();
                        window.evidence.dedup();
                        continue;
                    }
                    windows.push(SplitBrain {
                        finding: Some(finding.id.clone()),
                        kind: SplitBrainKind::Drbd,
                        proof: declared.proof.clone(),
                        instance: None,
                        resource,
                        start: None,
                        end: None,
                        seen_at,
                        uncertainty_s: 0.0,
                        nodes: vec![node.clone()],
                        evidence: finding.evidence.clone(),
                    });
                }
            }
        }
    }

    /// The node that sent the advert an event reports: a node of the bundle whose address it is
    /// (manifest, `ip addr` captures, keepalived.conf's unicast_src_ip, a host name that embeds
    /// the address), else in a pair the other node, else the address itself.
    fn sender_of(&self, index: usize) -> Option<String> {
        self.sender_named(index).map(|(sender, _)| sender)
    }

    /// `sender_of`, with how a node was named (None where the address itself is given).
    fn sender_named(&self, index: usize) -> Option<(String, Option<SenderBasis>)> {
        let event = &self.facts.timeline.events[index];
        let address = event.field("from_ip").or(event.field("their_ip"))?;
        let address = address.trim_end_matches(',').to_string();
        if let Some(node) = self.address_owner(&address) {
            return (node != event.node.as_ref()).then_some((node, Some(SenderBasis::Address)));
        }
        let others: Vec<&str> = self
            .facts
            .node_names()
            .into_iter()
            .filter(|node| *node != event.node.as_ref())
            .collect();
        let own_known = self.addresses_of(&event.node).contains(&address);
        match others.as_slice() {
            [other] if !own_known && self.addresses_of(other).is_empty() => {
                Some(((*other).to_string(), Some(SenderBasis::OnlyOtherNode)))
            }
            _ => Some((address, None)),
        }
    }

    /// Per VRRP instance, the priorities its lines give: a node's own (`ours 254`, `Changing
    /// effective priority from 101 to 103`) and an advert's sender's (`with higher priority 255`,
    /// named by its address or node), each node's distinct values in the order logged, a few at
    /// most. Priority 0 is a release, not a priority.
    fn priorities_from_logs(&self) -> BTreeMap<String, String> {
        const AT_MOST: usize = 4;
        let mut by_instance: BTreeMap<String, Vec<(String, Vec<String>)>> = BTreeMap::new();
        let mut add = |instance: &str, who: String, value: &str| {
            if value == "0" || value.parse::<u16>().is_err() {
                return;
            }
            let list = by_instance.entry(instance.to_string()).or_default();
            let position = match list.iter().position(|(name, _)| *name == who) {
                Some(position) => position,
                None => {
                    list.push((who, Vec::new()));
                    list.len() - 1
                }
            };
            let values = &mut list[position].1;
            if !values.iter().any(|known| known == value) && values.len() < AT_MOST {
                values.push(value.to_string());
            }
        };
        for (index, event) in self.facts.timeline.events.iter().enumerate() {
            let Some(instance) = event.field("instance") else {
                continue;
            };
            for field in [
                "our_priority",
                "priority_from",
                "priority_to",
                "priority_set",
                "priority_now",
            ] {
                if let Some(value) = event.field(field) {
                    add(instance, event.node.to_string(), value);
                }
            }
            if event
                .event
                .as_deref()
                .is_some_and(|name| events::ADVERTS_NAMING_A_PRIORITY.contains(&name))
                && let Some(value) = event.field("priority")
            {
                // A sender the line does not name (1.x's `Received advert with higher priority
                // 255, ours 254`) is told apart from every node.
                let sender = self.sender_of(index).unwrap_or_default();
                add(instance, sender, value);
            }
        }
        by_instance
            .into_iter()
            .filter_map(|(instance, mut list)| {
                // An unnamed sender's value that a named node already shows is likely that
                // node's: said once.
                let named: Vec<String> = list
                    .iter()
                    .filter(|(who, _)| !who.is_empty())
                    .flat_map(|(_, values)| values.iter().cloned())
                    .collect();
                for (who, values) in &mut list {
                    if who.is_empty() {
                        values.retain(|value| !named.contains(value));
                    }
                }
                list.retain(|(_, values)| !values.is_empty());
                if list.is_empty() {
                    return None;
                }
                let known = list
                    .iter()
                    .map(|(who, values)| match who.as_str() {
                        "" => format!("{} from a sender not named", values.join(" then ")),
                        who => format!("{} on {who}", values.join(" then ")),
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                Some((instance, format!("as logged: {known}")))
            })
            .collect()
    }

    /// The priorities the advert behind a subject's yield or takeover carried, as its line gives
    /// them: the latest advert line of the subject's node and instance among the evidence
    /// ("priority 255 from lb-2, against its own 99"). None where no such line names a priority.
    fn advert_claim(&self, subject: &Subject, evidence: &[usize]) -> Option<String> {
        let events = &self.facts.timeline.events;
        let index = *evidence.iter().rev().find(|index| {
            let event = &events[**index];
            event.node.as_ref() == subject.node
                && event.field("instance") == subject.instance.as_deref()
                && event
                    .event
                    .as_deref()
                    .is_some_and(|name| events::ADVERTS_NAMING_A_PRIORITY.contains(&name))
        })?;
        let event = &events[index];
        let priority = event.field("priority")?;
        let from = self
            .sender_of(index)
            .map(|sender| format!(" from {sender}"))
            .unwrap_or_default();
        let ours = event.field("our_priority");
        Some(match (event.event.as_deref(), ours) {
            (Some(events::SAME_PRIORITY_HIGHER_IP), _) => {
                format!("the same priority {priority}{from}, from a higher IP address")
            }
            (Some(events::LOWER_PRIORITY_DISCARDED), _) => {
                format!(
                    "the MASTER's adverts{from} carried priority {priority}, lower than its own"
                )
            }
            (Some(events::LOWER_PRIORITY_ADVERT), None) => {
                format!("priority {priority}{from}, lower than its own")
            }
            // keepalived 1.3 writes an equal priority from a higher address as `higher priority
            // 253, ours 253`: the address decided.
            (Some(events::HIGHER_PRIORITY_ADVERT), Some(ours)) if ours == priority => format!(
                "priority {priority}{from}, equal to its own: the sender's higher IP address decided"
            ),
            (_, Some(ours)) => format!("priority {priority}{from}, against its own {ours}"),
            (_, None) => format!("priority {priority}{from}, higher than its own"),
        })
    }

    fn address_owner(&self, address: &str) -> Option<String> {
        self.facts
            .node_names()
            .into_iter()
            .find(|node| self.addresses_of(node).iter().any(|known| known == address))
            .map(str::to_string)
    }

    /// What is known of a node's own addresses (see `node_addresses`).
    fn addresses_of(&self, node: &str) -> &[String] {
        self.addresses.get(node).map_or(&[], Vec::as_slice)
    }

    /// The lines an undated line of a VRRP instance reaches in its file: from the instance's
    /// state change at or before it, up to and with the next one. Between the two, order alone
    /// relates lines to it; a window that reached further would take a line an unknown time away
    /// (a `Receive advertisement timeout` before a long stretch of MASTER) as if it were moments
    /// away. A line that names no instance (DRBD's) keeps its whole file: a keepalived change
    /// between it and a reconnection does not make the reconnection unseen.
    fn undated_event_bounds(&self, event: &Event) -> (u64, u64) {
        let mut bounds = (0, u64::MAX);
        let Some(instance) = event.field("instance") else {
            return bounds;
        };
        for transition in &self.facts.states.undated_transitions {
            if transition.node != event.node.as_ref()
                || transition.file != event.file.as_ref()
                || transition.instance != instance
            {
                continue;
            }
            let line = self.facts.timeline.events[transition.event].line;
            if line <= event.line {
                bounds.0 = bounds.0.max(line);
            } else {
                // The next change is the line's own consequence (a yield after the advert): it
                // is within reach, the lines after it are not.
                bounds.1 = bounds.1.min(line + 1);
            }
        }
        bounds
    }

    fn event_findings(&self) -> Vec<Finding> {
        let mut findings = Vec::new();
        for rule in self
            .rules
            .rules
            .iter()
            .filter(|rule| rule.subjects.contains(&SubjectKind::Event) && self.applies(rule))
        {
            let Some(predicate) = &rule.match_events else {
                continue;
            };
            let mut last_fired: BTreeMap<(String, Option<String>), DateTime<Utc>> = BTreeMap::new();
            // This rule's findings (their place in `findings`), their subjects and how much
            // evidence they began with: one a burst grew is worded again from all its lines.
            let mut opened: Vec<(usize, Subject, usize)> = Vec::new();
            for (index, event) in self.facts.timeline.events.iter().enumerate() {
                // An undated line (dmesg without a wall clock, a paste without stamps) is still
                // evidence; windows around it find nothing.
                let time = event.time.unwrap_or(DateTime::<Utc>::MIN_UTC);
                let mut subject = Subject {
                    kind: SubjectKind::Event,
                    node: event.node.to_string(),
                    time,
                    end: None,
                    instance: event.field("instance").map(str::to_string),
                    from: None,
                    to: None,
                    event: Some(index),
                    order_bounds: None,
                    counterpart: None,
                };
                if !event_matches(&self.facts, &subject, predicate, index) {
                    continue;
                }
                if event.time.is_none() {
                    subject.order_bounds = Some(self.undated_event_bounds(event));
                }
                let evaluation = evaluate(&self.facts, &subject, &rule.condition);
                if !evaluation.holds {
                    continue;
                }
                // One finding per rule and node for lines less than `merge_within` apart (a
                // minute, unless the rule says): a burst of the same line is one finding,
                // however long it lasts. A split-brain proof's is per VRRP instance too: each
                // instance's dual master is a window of its own.
                let instance = if rule.split_brain.is_some() {
                    subject.instance.clone()
                } else {
                    None
                };
                let key = (subject.node.clone(), instance.clone());
                // (The rule's last line of this node, which this one now is.)
                let previous = last_fired.insert(key, time);
                if previous.is_some_and(|last| time - last < rule.merge_within) {
                    if let Some(finding) =
                        findings.iter_mut().rev().find(|finding: &&mut Finding| {
                            finding.rule == rule.id
                                && finding.nodes.first() == Some(&subject.node)
                                && (instance.is_none() || finding.instance == instance)
                        })
                    {
                        // Its condition may have cited this line already.
                        if finding.evidence.len() < 10 && !finding.evidence.contains(&index) {
                            finding.evidence.push(index);
                            // In the timeline's order, as the condition's lines are.
                            finding.evidence.sort_unstable();
                        }
                        finding.end = event.time.or(finding.end);
                    }
                    continue;
                }
                let mut evidence = vec![index];
                evidence.extend(evaluation.evidence);
                evidence.sort_unstable();
                evidence.dedup();
                let mut finding =
                    self.finding(rule, &subject, evidence, vec![subject.node.clone()]);
                if event.time.is_none() {
                    finding.start = None;
                    finding.id = format!("{}@{}@line-{}", rule.id, subject.node, event.line);
                }
                opened.push((findings.len(), subject, finding.evidence.len()));
                findings.push(finding);
            }
            // A burst's texts name what all its lines name (`{drbd}`: every device refused).
            for (position, subject, first_evidence) in opened {
                let finding = &findings[position];
                if finding.evidence.len() == first_evidence {
                    continue;
                }
                let worded = self.finding(
                    rule,
                    &subject,
                    finding.evidence.clone(),
                    finding.nodes.clone(),
                );
                let finding = &mut findings[position];
                finding.title = worded.title;
                finding.explanation = worded.explanation;
                finding.remedy = worded.remedy;
            }
        }
        findings
    }
}

impl Analysis {
    /// The finding with this id.
    pub fn finding(&self, id: &str) -> Option<&Finding> {
        self.findings.iter().find(|finding| finding.id == id)
    }

    /// Reconstructs states from every event of the timeline and runs every rule.
    /// `known_addresses`: each node's addresses known from outside its logs (its `ip addr`
    /// capture), to name the sender of an advert.
    pub fn run(
        timeline: &Timeline,
        rules: &RuleSet,
        known_addresses: &BTreeMap<String, Vec<String>>,
    ) -> Analysis {
        let states = States::reconstruct(timeline, Duration::seconds(QUIET_AFTER_S));
        let now = now::state_now(timeline, &states);
        let mut context = Context {
            facts: Facts::new(timeline, &states),
            rules,
            addresses: node_addresses(timeline, known_addresses),
            serving: now::serving_node(&now),
            dated: timeline.spans_days(),
            text_context: TextContext::of(timeline),
            vrrp_configs: timeline
                .events
                .iter()
                .filter(|event| event.event.as_deref() == Some(events::VRRP_CONFIG))
                .collect(),
            logged_configs: timeline
                .events
                .iter()
                .filter(|event| event.event.as_deref() == Some(events::VRRP_CONFIG_LOGGED))
                .collect(),
            only_resource: {
                let mut named: Vec<String> =
                    timeline.events.iter().filter_map(drbd_resource).collect();
                named.sort();
                named.dedup();
                (named.len() == 1).then(|| named.remove(0))
            },
            logged_priorities: BTreeMap::new(),
            lines_by_file: OnceCell::new(),
        };
        context.logged_priorities = context.priorities_from_logs();
        let text_context = context.text_context;
        let (transitions, mut findings) = context.transitions();
        let (mut split_brain, split_findings) = context.split_brains();
        findings.extend(split_findings);
        let event_findings = context.event_findings();
        context.proven_by_events(&event_findings, &mut split_brain);
        findings.extend(event_findings);
        let dated = context.dated;
        let mut transitions = transitions;
        let mut findings = incidents::fold(
            findings,
            &mut transitions,
            &mut split_brain,
            rules,
            &|time| format_clock(time, dated),
        );
        // A stretch in which no node of the logs held the VIP, said by the finding whose change
        // left the last MASTER (the incident that opened it).
        for outage in outage::outages(&states, timeline) {
            let opened = transitions.iter().position(|transition| {
                transition.instance == outage.instance
                    && outage::opens_an_outage(transition.from, transition.to)
                    && transition.time == Some(outage.start)
            });
            if let Some(finding) = opened.and_then(|index| {
                findings
                    .iter_mut()
                    .find(|finding| finding.transitions.contains(&index))
            }) {
                let sentence = outage::sentence(&outage, &|time| format_clock(time, dated));
                finding.explanation = format!("{}\n\n{sentence}", finding.explanation);
            }
        }
        // Shared advice, once per finding, after its own remedy.
        for finding in findings
            .iter_mut()
            .filter(|finding| !finding.advice.is_empty())
        {
            // A node the finding's takeover found down or stalled (peer-down) did not serve
            // while the other did: that it serves now makes its copy no better to keep.
            let absent: Vec<&str> = finding
                .transitions
                .iter()
                .map(|index| &transitions[*index])
                .filter(|taken| taken.to == Role::Master && taken.cause == "peer-down")
                .flat_map(|taken| {
                    finding
                        .nodes
                        .iter()
                        .map(String::as_str)
                        .filter(move |node| *node != taken.node)
                })
                .collect();
            let values = context.advice_values(&finding.evidence, &finding.nodes, &absent);
            finding.remedy = rules.with_advice(
                &finding.remedy,
                &finding.advice,
                &values,
                context.text_context,
            );
        }
        // Undated findings (first, with no start) in the order of their lines.
        let undated_line = |finding: &Finding| {
            finding
                .start
                .is_none()
                .then(|| finding.evidence.first().copied())
                .flatten()
        };
        findings.sort_by(|a, b| {
            (
                std::cmp::Reverse(a.severity),
                a.start,
                undated_line(a),
                &a.id,
            )
                .cmp(&(
                    std::cmp::Reverse(b.severity),
                    b.start,
                    undated_line(b),
                    &b.id,
                ))
        });
        split_brain.sort_by_key(|window| window.start.or(window.seen_at));
        // The MASTER heard at the end, named as the findings name an advert's sender (and how),
        // where that node's own dated logs end before the advert (they would say otherwise where
        // they go on; undated ones are not placed against it).
        let mut now = now;
        for heard in now
            .iter_mut()
            .filter_map(|instance| instance.heard_master.as_mut())
        {
            heard.sender_node = context
                .sender_named(heard.advert)
                .and_then(|(sender, basis)| Some((sender, basis?)))
                .filter(|(sender, _)| match timeline.last_line(sender) {
                    Some(last) => last < heard.at,
                    // No dated line: named unless it has undated ones.
                    None => !timeline.events.iter().any(|event| {
                        event.node.as_ref() == sender.as_str() && event.time.is_none()
                    }),
                });
        }
        drop(context);
        let failovers = transitions
            .iter()
            .filter(|transition| transition.failover)
            .cloned()
            .collect();
        Analysis {
            states,
            now,
            transitions,
            failovers,
            split_brain,
            findings,
            text_context,
        }
    }
}

impl Context<'_> {
    /// Why keepalived dropped an advert (`{rejection}`), from its line or, where that says no
    /// reason (`bogus VRRP packet received`), from the nearest line of the same drop: keepalived
    /// writes the reason within a few lines of it (`ip address associated with VRID not present
    /// in received packet`).
    fn rejection_near(&self, event: &Event) -> Option<String> {
        rejection(event).or_else(|| {
            self.lines_beside(event, 4)
                .filter_map(|other| Some((other.line.abs_diff(event.line), rejection(other)?)))
                .min_by_key(|(distance, _)| *distance)
                .map(|(_, reason)| reason)
        })
    }

    /// The events of `event`'s node and file at most `lines` lines from it (itself included):
    /// lines a program writes together, whatever their stamps.
    fn lines_beside<'e>(&'e self, event: &'e Event, lines: u64) -> impl Iterator<Item = &'e Event> {
        let by_file = self.lines_by_file.get_or_init(|| {
            let mut by_file: LinesByFile = HashMap::new();
            for (index, other) in self.facts.timeline.events.iter().enumerate() {
                by_file
                    .entry((other.node.as_ref(), other.file_index))
                    .or_default()
                    .push((other.line, index));
            }
            for entries in by_file.values_mut() {
                // Stable: events of one line keep their timeline order.
                entries.sort_by_key(|(line, _)| *line);
            }
            by_file
        });
        let entries = by_file
            .get(&(event.node.as_ref(), event.file_index))
            .map_or(&[][..], Vec::as_slice);
        let first = entries.partition_point(|(line, _)| *line < event.line.saturating_sub(lines));
        // In the timeline's order, as the callers' ties are broken.
        let mut beside: Vec<usize> = entries[first..]
            .iter()
            .take_while(|(line, _)| *line <= event.line.saturating_add(lines))
            .map(|(_, index)| *index)
            .collect();
        beside.sort_unstable();
        let events = &self.facts.timeline.events;
        beside.into_iter().map(move |index| &events[index])
    }
}

/// Why keepalived dropped an advert, as its line says (`{rejection}`): "virtual router id 52
/// where it expects 51". None where the line does not say (a bogus packet).
fn rejection(event: &Event) -> Option<String> {
    let received = event.field("received");
    let expected = event.field("expected").or(event.field("mine"));
    let values = match (received, expected) {
        (Some(received), Some(expected)) => format!(" ({received} where it expects {expected})"),
        _ => String::new(),
    };
    match event.event.as_deref()? {
        "invalid-password" => Some("their authentication password is not its own".to_string()),
        "vrid-mismatch" => Some(format!("their virtual router id is not its own{values}")),
        "vip-not-in-advert" => Some(match event.field("address") {
            Some(address) => format!(
                "their VIP list is not its own ({address}, a VIP of its own, is not in it): \
                 the sender advertises other addresses on this virtual router id"
            ),
            None => "their VIP list is not its own: the sender advertises other addresses on \
                     this virtual router id"
                .to_string(),
        }),
        // A classifier row may say it in its own words (`rejection`), else by what failed.
        "advert-check-failed" => match event.field("rejection") {
            Some(rejection) => Some(format!("{rejection}{values}")),
            None => Some(format!(
                "their {} is not its own{values}",
                event.field("check")?
            )),
        },
        _ => None,
    }
}

/// Each node's configured priority, for a sentence: `both 101`, or `101 on esc-ha-0, 100 on
/// esc-ha-1`, followed by `, as keepalived logged its configuration` where a node's is from
/// its configuration dump.
fn priorities(configs: &[(&str, &Event)]) -> Option<String> {
    let known: Vec<(&str, &str)> = configs
        .iter()
        .filter_map(|(node, event)| Some((*node, event.field("priority")?)))
        .collect();
    let logged = configs.iter().any(|(_, event)| {
        event.field("priority").is_some()
            && event.event.as_deref() == Some(events::VRRP_CONFIG_LOGGED)
    });
    let said = priorities_said(&known)?;
    Some(if logged {
        format!("{said}, as keepalived logged its configuration")
    } else {
        said
    })
}

/// `both 101`, or `101 on esc-ha-0, 100 on esc-ha-1`.
fn priorities_said(known: &[(&str, &str)]) -> Option<String> {
    match known {
        [] => None,
        [(node, priority)] => Some(format!("{priority} on {node}, the peer's not in the input")),
        [(_, first), rest @ ..] if rest.iter().all(|(_, priority)| priority == first) => {
            Some(format!("both {first}"))
        }
        _ => Some(
            known
                .iter()
                .map(|(node, priority)| format!("{priority} on {node}"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    }
}

/// Every node's own addresses, read once: the manifest, its `ip addr` capture, its
/// keepalived.conf's unicast_src_ip and, in a pair, the other node's unicast_peer, and
/// addresses written into its host names.
fn addresses_of_node(
    timeline: &Timeline,
    known_addresses: &BTreeMap<String, Vec<String>>,
    node: &str,
) -> Vec<String> {
    let mut addresses: Vec<String> = timeline
        .nodes
        .iter()
        .filter(|entry| entry.name == node)
        .flat_map(|entry| entry.addresses.iter().map(|address| bare_address(address)))
        .collect();
    addresses.extend(known_addresses.get(node).into_iter().flatten().cloned());
    let names: Vec<&str> = timeline
        .nodes
        .iter()
        .map(|entry| entry.name.as_str())
        .collect();
    let mut hosts: Vec<&str> = Vec::new();
    for event in &timeline.events {
        // In a pair, the unicast peers in one node's keepalived.conf are the other's.
        if event.node.as_ref() != node {
            if let Some(peers) = event.field("unicast_peers")
                && names.len() == 2
                && names.contains(&event.node.as_ref())
            {
                addresses.extend(peers.split(',').map(|peer| peer.trim().to_string()));
            }
            continue;
        }
        if let Some(source) = event.field("unicast_src_ip") {
            addresses.push(source.to_string());
        }
        if let Some(host) = event.host.as_deref()
            && !hosts.contains(&host)
        {
            hosts.push(host);
        }
    }
    hosts.push(node);
    for host in hosts {
        if let Some(address) = address_in_name(host) {
            addresses.push(address);
        }
    }
    addresses.sort();
    addresses.dedup();
    addresses
}

/// Every node's known addresses (see `addresses_of_node`).
fn node_addresses(
    timeline: &Timeline,
    known_addresses: &BTreeMap<String, Vec<String>>,
) -> BTreeMap<String, Vec<String>> {
    timeline
        .nodes
        .iter()
        .map(|node| {
            (
                node.name.clone(),
                addresses_of_node(timeline, known_addresses, &node.name),
            )
        })
        .collect()
}

/// Whether an event's line proves the logging node was MASTER when it received another MASTER's
/// advert (a priority-0 one included: the sender was MASTER as it released).
fn is_advert_proof(name: &str) -> bool {
    events::ADVERTS_FROM_A_MASTER.contains(&name) || name == events::PRIORITY_ZERO_RECEIVED
}

/// A finding's id, stable for the same input and unique within a report: rule, node, VRRP
/// instance (when the subject has one) and time.
fn finding_id(rule: &str, node: &str, instance: Option<&str>, time: DateTime<Utc>) -> String {
    match instance {
        Some(instance) => format!("{rule}@{node}@{instance}@{}", format_time(time, 0)),
        None => format!("{rule}@{node}@{}", format_time(time, 0)),
    }
}

/// Whether a line is in keepalived 1.x's dialect (`VRRP_Instance(X)`).
fn is_dialect_one(event: &Event) -> bool {
    event.field("dialect") == Some("1") || event.text.contains("VRRP_Instance(")
}

/// A change of state as the engine judges it: a dated transition, or one read from undated
/// lines (no instant; `order_bounds` the lines its windows reach).
struct TransitionFacts<'s> {
    node: &'s str,
    instance: &'s str,
    time: Option<DateTime<Utc>>,
    from: Role,
    to: Role,
    event: usize,
    from_inferred: bool,
    from_evidence: Option<usize>,
    order_bounds: Option<(u64, u64)>,
}

/// How an overlap of two MASTER intervals is known.
struct OverlapProof {
    proof: &'static str,
    /// The two nodes, the one that entered MASTER second first.
    nodes: [String; 2],
    /// The later of the two starts is a state line (not only the first line proving the state).
    start_shown: bool,
}

/// How many lines from a DRBD 8.4 device's line (`block drbd1: ...`) a line naming its resource
/// (`drbd resource1: ...`) of the same moment is taken as the same resource's.
const RESOURCE_BESIDE_LINES: u64 = 6;

/// An IPv4 address written into a host name (`host-10-19-220-54`, `ip-10-0-0-5`, `10.0.0.5`).
fn address_in_name(name: &str) -> Option<String> {
    let digits: Vec<&str> = name
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .collect();
    digits.windows(4).rev().find_map(|parts| {
        let octets: Option<Vec<u8>> = parts.iter().map(|part| part.parse().ok()).collect();
        let octets = octets?;
        let address = octets
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(".");
        name.contains(&parts.join("-"))
            .then_some(())
            .or_else(|| name.contains(&parts.join(".")).then_some(()))
            .or_else(|| name.contains(&parts.join("_")).then_some(()))
            .map(|()| address)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_in_host_names() {
        assert_eq!(
            address_in_name("host-10-19-220-54").as_deref(),
            Some("10.19.220.54")
        );
        assert_eq!(
            address_in_name("ip-172-31-5-9.ec2.internal").as_deref(),
            Some("172.31.5.9")
        );
        assert_eq!(address_in_name("10.0.0.5").as_deref(), Some("10.0.0.5"));
        assert_eq!(address_in_name("esc-ha-0"), None);
        assert_eq!(address_in_name("node-1-2-3"), None);
        assert_eq!(address_in_name("a-300-1-1-1"), None);
    }

    #[test]
    fn an_unknown_values_aside_is_said_once_per_text() {
        let values = BTreeMap::from([("peer", None), ("self", Some("lb1".to_string()))]);
        assert_eq!(
            fill(
                "{self} saw {peer}; if {peer} was MASTER, {peer} yields",
                &values
            ),
            "lb1 saw the peer (its logs are not in the input); if the peer was MASTER, the peer yields"
        );
        assert_eq!(
            fill("{peer}'s logs; then {peer}", &values),
            "the peer's logs; then the peer (its logs are not in the input)"
        );
        let known = BTreeMap::from([("peer", Some("lb2".to_string()))]);
        assert_eq!(fill("{peer} and {peer}", &known), "lb2 and lb2");
    }
}
