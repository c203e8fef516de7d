//! The verdict: one status and headline, decided in one place from the transitions, split-brain
//! windows, findings, the checks' results and how much of the pair the input covers. Any proven
//! split-brain wins; then a failover; a warning, a failed check or a master gone unseen make it
//! degraded; input with nothing from keepalived, DRBD or ESC, or with nothing found wrong in it
//! but too little of the pair to call it healthy (one side, missing logs, no state), is unknown.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use super::ReportWindow;
use crate::checks::{CheckResult, CheckStatus};
use crate::finding::{Failover, Severity, SplitBrain, SplitBrainKind};
use crate::rules::Analysis;
pub use crate::rules::now::InstanceNow;
use crate::sources::EventKind;
use crate::sources::event::drbd_label;
use crate::timeline::state::Role;
use crate::timeline::{Timeline, format_time};

/// The overall status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Status {
    Healthy,
    Degraded,
    Failover,
    SplitBrain,
    #[default]
    Unknown,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Healthy => "healthy",
            Status::Degraded => "degraded",
            Status::Failover => "failover",
            Status::SplitBrain => "split-brain",
            Status::Unknown => "unknown",
        }
    }
}

/// The status and its one-line reason, with the facts a ticket needs apart from the words.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Verdict {
    pub status: Status,
    pub headline: String,
    /// The cause id of the split-brain's takeover or of the failover (None otherwise).
    pub cause: Option<String>,
    /// The VRRP instance (or DRBD resource) concerned.
    pub instance: Option<String>,
    pub nodes: Vec<String>,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    /// Per VRRP instance, who held which state at the end of the evidence.
    pub state_now: Vec<InstanceNow>,
}

impl Verdict {
    fn new(status: Status, headline: String) -> Verdict {
        Verdict {
            status,
            headline,
            ..Verdict::default()
        }
    }

    /// The one MASTER of the verdict's instance (or of the only instance) now, if there is one.
    pub fn current_master(&self) -> Option<&str> {
        let now = match &self.instance {
            Some(instance) => self.state_now.iter().find(|now| &now.instance == instance),
            None if self.state_now.len() == 1 => self.state_now.first(),
            None => None,
        }?;
        match now.masters.as_slice() {
            [one] => Some(one.as_str()),
            _ => None,
        }
    }

    /// One line of at most 100 ASCII characters, fit for a ticket's title.
    pub fn summary(&self) -> String {
        let mut parts = vec![format!("esc-diag: {}", self.status.name())];
        if let Some(instance) = &self.instance {
            parts.push(instance.clone());
        }
        if !self.nodes.is_empty() {
            parts.push(self.nodes.join("+"));
        }
        if let Some(start) = self.start {
            parts.push(start.format("%Y-%m-%d %H:%M:%SZ").to_string());
        }
        if let Some(cause) = &self.cause {
            parts.push(format!("cause {cause}"));
        }
        if self.cause.is_none() && self.start.is_none() {
            // The headline's reason, after its status word.
            let reason = self
                .headline
                .split_once(": ")
                .map_or(self.headline.as_str(), |(_, reason)| reason);
            parts.push(reason.to_string());
        }
        let line: String = parts
            .join(" ")
            .replace('→', "->")
            .chars()
            .map(|c| {
                if c.is_ascii() && !c.is_ascii_control() {
                    c
                } else {
                    '?'
                }
            })
            .collect();
        if line.len() <= 100 {
            line
        } else {
            format!("{}...", &line[..97])
        }
    }
}

/// The cause of the incident a failover belongs to (a takeover after the peer's stop: the stop's
/// cause), else the failover's own. An earlier change of the same node does not lend its cause:
/// a node that yielded to a preempting peer and took over again later did not take over because
/// it was preempted; nor does a change seconds after the failover.
fn incident_cause(failover: &Failover, analysis: &Analysis) -> String {
    incident_cause_and_rule(failover, analysis).0
}

/// The incident's cause for people: the cause id, and the rule that named it where that is
/// another (`network-partition (takeover-on-rejected-adverts)`, `interface-fault
/// (fault-reason-not-logged)`: what the id alone would overstate).
fn incident_cause_phrase(failover: &Failover, analysis: &Analysis) -> String {
    match incident_cause_and_rule(failover, analysis) {
        (cause, Some(rule)) if rule != cause => format!("{cause} ({rule})"),
        (cause, _) => cause,
    }
}

/// [`incident_cause`], with the rule of the finding it comes from (None: the failover's own).
fn incident_cause_and_rule(failover: &Failover, analysis: &Analysis) -> (String, Option<String>) {
    let reported = failover.finding.as_deref().and_then(|id| {
        let finding = analysis.finding(id)?;
        Some((id, finding.cause.as_deref()?, finding.rule.as_str()))
    });
    let giver = reported.and_then(|(id, cause, _)| {
        analysis
            .failovers
            .iter()
            .filter(|other| other.finding.as_deref() == Some(id) && other.cause == cause)
            .min_by_key(|other| other.time)
    });
    cause_given_incident(
        failover,
        reported.map(|(_, cause, rule)| (cause, rule)),
        giver,
    )
}

/// [`incident_cause_and_rule`] of every failover, in the order of `analysis.failovers`, computed
/// in one pass over the findings and one over the failovers (a flapping instance has thousands).
fn incident_causes_and_rules(analysis: &Analysis) -> Vec<(String, Option<String>)> {
    let findings = findings_by_id(analysis);
    let reported = |failover: &Failover| {
        let finding = findings.get(failover.finding.as_deref()?)?;
        Some((finding.cause.as_deref()?, finding.rule.as_str()))
    };
    // Each incident's earliest failover of its cause (the first of equals, as `min_by_key`).
    let mut givers: HashMap<&str, &Failover> = HashMap::new();
    for failover in &analysis.failovers {
        let Some((id, (cause, _))) = failover.finding.as_deref().zip(reported(failover)) else {
            continue;
        };
        if failover.cause != cause {
            continue;
        }
        givers
            .entry(id)
            .and_modify(|giver| {
                if failover.time < giver.time {
                    *giver = failover;
                }
            })
            .or_insert(failover);
    }
    analysis
        .failovers
        .iter()
        .map(|failover| {
            let giver = failover
                .finding
                .as_deref()
                .and_then(|id| givers.get(id).copied());
            cause_given_incident(failover, reported(failover), giver)
        })
        .collect()
}

/// The findings by id (the first of an id, as [`Analysis::finding`]).
fn findings_by_id(analysis: &Analysis) -> HashMap<&str, &crate::finding::Finding> {
    analysis
        .findings
        .iter()
        .rev()
        .map(|finding| (finding.id.as_str(), finding))
        .collect()
}

/// A failover's incident cause and rule, given its finding's cause and rule (None: no finding,
/// or one without a cause) and the incident's earliest failover of that cause.
fn cause_given_incident(
    failover: &Failover,
    reported: Option<(&str, &str)>,
    giver: Option<&Failover>,
) -> (String, Option<String>) {
    let Some((cause, rule)) = reported else {
        return (failover.cause.clone(), None);
    };
    // Nor does a change well after it (beyond two nodes' clocks' skew): the peer's start-up
    // preemption ten seconds after a takeover is not why the takeover happened.
    let later = |giver: &Failover| {
        giver
            .time
            .zip(failover.time)
            .is_some_and(|(given, taken)| given - taken > Duration::seconds(LATER_THAN_CAUSE_S))
    };
    match giver {
        Some(giver)
            if (giver.node == failover.node
                && (giver.time, giver.to) != (failover.time, failover.to))
                || later(giver) =>
        {
            (failover.cause.clone(), None)
        }
        _ => (cause.to_string(), Some(rule.to_string())),
    }
}

/// A node's takeover this soon after its own leaving of the instance is its return (a fail-back
/// as its check recovers, or a preemption back); later, an incident of its own.
const TAKE_BACK_WITHIN_S: i64 = 3600;

/// A change this long after a failover cannot be its cause (within it, two nodes' clocks and
/// lines written in the same second may put a cause after its effect).
const LATER_THAN_CAUSE_S: i64 = 2;

/// The split-brain the headline names: the first, unless another proven at the same moment
/// has a takeover that says how it opened and the first has none.
fn headline_window(analysis: &Analysis) -> Option<&SplitBrain> {
    let first = analysis.split_brain.first()?;
    if opening_cause(first, analysis).is_some() {
        return Some(first);
    }
    let moment = |window: &SplitBrain| window.start.or(window.seen_at);
    analysis
        .split_brain
        .iter()
        .skip(1)
        .find(|other| {
            other.kind == first.kind
                && moment(other) == moment(first)
                && opening_cause(other, analysis).is_some()
        })
        .or(Some(first))
}

/// The cause of a window: that of the finding reporting its incident where a takeover of that
/// incident has it, else of the takeover that opened it (the one closest before its start,
/// within 5 s).
fn opening_cause(window: &SplitBrain, analysis: &Analysis) -> Option<String> {
    // The incident's cause, where a takeover of its own carries it: a yield's cause (the better
    // advert that ended the window) says nothing of how the window opened.
    if let Some(finding) = window
        .finding
        .as_deref()
        .and_then(|id| analysis.finding(id))
        && let Some(cause) = finding.cause.clone()
        && analysis.failovers.iter().any(|failover| {
            failover.finding.as_deref() == Some(finding.id.as_str())
                && failover.to == Role::Master
                && failover.cause == cause
        })
    {
        return Some(cause);
    }
    let start = window.start?;
    analysis
        .failovers
        .iter()
        .filter_map(|failover| Some((failover, failover.time?)))
        .filter(|(failover, time)| {
            failover.to == Role::Master && *time <= start && start - *time <= Duration::seconds(5)
        })
        .min_by_key(|(_, time)| start - *time)
        .map(|(failover, _)| failover)
        .map(|failover| failover.cause.clone())
}

/// The failover the verdict names, among those other than start-up elections and elections with
/// no MASTER to hear (infos: a pair coming up, both nodes back from FAULT; a start-up election
/// that took over from a serving MASTER is a warning and counts),
/// start-up takeovers in which no MASTER was heard and the peer's side is not in the logs, and
/// changes neither to nor from MASTER, which hand nothing over (an instance that starts in FAULT,
/// a BACKUP whose check fails, are degraded, not failed over): the first
/// takeover, else the first failover; and how many there are. A node's first state seen (from
/// UNKNOWN: the logs begin with it) whose cause is unknown comes after all the others: that it
/// entered the state is shown, not what it left nor why; so do a fail-back and a takeover by a
/// node's own start-up (a pair coming up), after changes of other causes. Of changes otherwise
/// equal, one whose cause is its incident's comes first.
fn headline_failover(analysis: &Analysis) -> Option<(&Failover, usize)> {
    let incident_causes = incident_causes_and_rules(analysis);
    // A start-up takeover in which no MASTER was heard, the peer's side not in the logs, took
    // nothing over that the logs show: a pair's ordinary start as much as a split-brain. Its
    // warning says so; it is not a failover.
    // Not where another node's logs show it MASTER just before: then the VIP moved, or both
    // held it.
    let startup_alone = |index: usize| {
        let failover = &analysis.failovers[index];
        incident_causes[index].1.as_deref() == Some("startup-no-master-heard")
            && !failover.time.is_some_and(|time| {
                analysis.states.intervals.iter().any(|interval| {
                    interval.node != failover.node
                        && interval.instance == failover.instance
                        && interval.role == Role::Master
                        && interval.start.is_none_or(|start| start < time)
                        && interval
                            .end
                            .is_none_or(|end| end >= time - Duration::seconds(1))
                })
            })
    };
    let real: Vec<usize> = (0..analysis.failovers.len())
        .filter(|&index| {
            let failover = &analysis.failovers[index];
            (!matches!(
                failover.cause.as_str(),
                "startup-election" | "election-without-master"
            ) || failover.severity > Severity::Info)
                && !startup_alone(index)
                && (failover.to == Role::Master || failover.from == Role::Master)
        })
        .collect();
    // The cause of a change's incident (a sync group's member takes the one that moved first).
    let findings = findings_by_id(analysis);
    let cause_of_incident = |failover: &Failover| {
        failover
            .finding
            .as_deref()
            .and_then(|id| findings.get(id))
            .and_then(|finding| finding.cause.clone())
            .unwrap_or_else(|| failover.cause.clone())
    };
    // A node's take-over after its own earlier leaving of the instance for a known cause (a
    // fail-back): the leaving is the story, not the return. Not where the leaving was a yield to
    // a better claim and the return is the other node leaving in turn (stopped, failed, gone
    // silent): that is a failover of its own. Each node's and instance's leavings of a known
    // cause, by time, and whether each was such a yield.
    let mut leavings: HashMap<(&str, &str), Vec<Leaving>> = HashMap::new();
    for (failover, (cause, _)) in analysis.failovers.iter().zip(&incident_causes) {
        if failover.from == Role::Master
            && failover.to != Role::Master
            && cause != "unknown"
            && let Some(time) = failover.time
        {
            leavings
                .entry((failover.node.as_str(), failover.instance.as_str()))
                .or_default()
                .push((time, claim_causes(cause)));
        }
    }
    for times in leavings.values_mut() {
        times.sort_unstable();
    }
    let takes_back = |failover: &Failover| {
        failover.to == Role::Master
            && failover.time.is_some_and(|back| {
                let Some(times) =
                    leavings.get(&(failover.node.as_str(), failover.instance.as_str()))
                else {
                    return false;
                };
                // The latest leaving before the return.
                let before = times.partition_point(|(left, _)| *left < back);
                if before == 0 {
                    return false;
                }
                let (left, yielded) = times[before - 1];
                let cause = cause_of_incident(failover);
                back - left <= Duration::seconds(TAKE_BACK_WITHIN_S)
                    && !(yielded && !claim_causes(&cause) && cause != "unknown")
            })
    };
    real.iter()
        .map(|&index| &analysis.failovers[index])
        .min_by_key(|failover| {
            let incident = cause_of_incident(failover);
            (
                failover.time.is_none(),
                failover.from == Role::Unknown
                    && (failover.cause == "unknown" || incident == "unknown"),
                takes_back(failover),
                // A node's own start-up taking over (preempting a serving MASTER) is how a pair
                // comes up: a takeover of another cause, later, is the incident.
                failover.cause == "startup-election" || incident == "startup-election",
                failover.to != Role::Master,
                // Of changes at one moment, one with a cause known, then one whose cause is its
                // incident's.
                failover.time,
                incident == "unknown",
                failover.cause != incident,
            )
        })
        .map(|failover| (failover, real.len()))
}

/// A node's leaving of MASTER: when, and whether it was a yield to a better claim.
type Leaving = (DateTime<Utc>, bool);

/// Causes that are a claim, not a failure: a better priority (or a node coming up with one).
fn claim_causes(cause: &str) -> bool {
    matches!(cause, "preempted-by-higher-priority" | "startup-election")
}

/// Whether a failover is a node's first state seen, of a cause unknown, where a warning says
/// more: one of the node's own lines (not a change's cause: `cannot send VRRP adverts`), or a
/// change of the same instance on any node whose cause is known (the standby's check failing).
/// The warning leads the headline.
fn first_state_beside_a_warning(failover: &Failover, analysis: &Analysis) -> bool {
    failover.from == Role::Unknown
        && incident_cause(failover, analysis) == "unknown"
        && analysis.findings.iter().any(|finding| {
            finding.severity >= Severity::Warning
                && match finding.cause.as_deref() {
                    None => finding.nodes.contains(&failover.node),
                    Some(cause) => {
                        cause != "unknown"
                            && failover.finding.as_ref() != Some(&finding.id)
                            && finding.instance.as_ref() == Some(&failover.instance)
                    }
                }
        })
}

/// A BACKUP stays one while it hears a MASTER's adverts; this long in BACKUP to the end of its
/// node's logs shows one was heard (the master-down interval is a few seconds).
const BACKUP_HEARING_AFTER_S: i64 = 10;

/// Where no node is MASTER of some instances at the end of the logs, but some node is BACKUP of
/// each and another node's state is not in the logs: the MASTER is not in them, which is not "no
/// VIP holder". None where some such instance has no BACKUP, or every node's state is known.
fn master_unseen(
    timeline: &Timeline,
    states: &crate::timeline::state::States,
    unserved: &[&str],
) -> Option<String> {
    let mut backups: Vec<String> = Vec::new();
    let mut unknown: Vec<&str> = Vec::new();
    for instance in unserved {
        let roles: Vec<(&str, Role)> = timeline
            .nodes
            .iter()
            .map(|node| (node.name.as_str(), states.role_at_end(&node.name, instance)))
            .collect();
        let backup_nodes: Vec<&str> = roles
            .iter()
            .filter(|(_, role)| *role == Role::Backup)
            .map(|(node, _)| *node)
            .collect();
        let unknown_nodes = roles.iter().filter(|(_, role)| *role == Role::Unknown);
        if backup_nodes.is_empty() || (unknown_nodes.clone().count() == 0 && roles.len() > 1) {
            return None;
        }
        for (node, _) in unknown_nodes {
            if !unknown.contains(node) {
                unknown.push(node);
            }
        }
        for node in backup_nodes {
            let heard_for = backup_to_end(timeline, states, node, instance)
                .filter(|seconds| *seconds >= BACKUP_HEARING_AFTER_S)
                .map(|seconds| {
                    format!(
                        " (for {}: a BACKUP stays one only while it hears a MASTER)",
                        crate::timeline::skew::format_gap(seconds)
                    )
                })
                .unwrap_or_default();
            let said = format!("{node} is BACKUP at their end{heard_for}");
            if !backups.contains(&said) {
                backups.push(said);
            }
        }
    }
    let others = if unknown.is_empty() {
        "the pair's other node is not in them".to_string()
    } else {
        format!("the state of {} is not in them", unknown.join(" and "))
    };
    Some(format!(
        "degraded: the MASTER of {} is not in these logs: {}; {others}",
        unserved.join(", "),
        backups.join("; ")
    ))
}

/// How long `node` has been BACKUP of `instance` when its logs end (None: not BACKUP then, or
/// since a time not known).
fn backup_to_end(
    timeline: &Timeline,
    states: &crate::timeline::state::States,
    node: &str,
    instance: &str,
) -> Option<i64> {
    let start = states
        .open_interval(node, instance)
        .filter(|interval| interval.role == Role::Backup)?
        .start?;
    Some((timeline.last_line(node)? - start).num_seconds())
}

/// Whether an event is something keepalived, DRBD or ESC logged or reported (not the system, the
/// collection, or a configuration file).
fn from_the_pair(kind: EventKind, classifier: Option<&str>, source: &str) -> bool {
    !matches!(kind, EventKind::Unrecognised | EventKind::Collection)
        && !classifier.is_some_and(|row| row.starts_with("system/"))
        && source != "keepalived_conf"
}

/// The nodes whose logs say something of keepalived, DRBD or ESC. Where none does, those whose
/// manager of keepalived speaks of it (systemd's unit, supervisord's program): a node whose
/// keepalived does not stay up is heard, and a node heard only so is no side of a pair known.
fn nodes_heard(timeline: &Timeline) -> Vec<String> {
    let nodes = nodes_where(timeline, |event| {
        from_the_pair(event.kind, event.classifier.as_deref(), event.source)
    });
    if !nodes.is_empty() {
        return nodes;
    }
    nodes_where(timeline, |event| event.field("unit") == Some("keepalived"))
}

/// The nodes with an event that `keep` keeps, in the order of their first such event.
fn nodes_where(timeline: &Timeline, keep: impl Fn(&crate::sources::Event) -> bool) -> Vec<String> {
    let mut nodes: Vec<String> = Vec::new();
    for event in &timeline.events {
        if keep(event)
            && !nodes
                .iter()
                .any(|node| node.as_str() == event.node.as_ref())
        {
            nodes.push(event.node.to_string());
        }
    }
    nodes
}

fn describe_split_brain(window: &SplitBrain, analysis: &Analysis) -> String {
    let when = |time: Option<chrono::DateTime<chrono::Utc>>| time.map(|time| format_time(time, 0));
    match window.kind {
        SplitBrainKind::Vrrp if window.proof == "vip-on-both-nodes" => format!(
            "split-brain now: the VIP is on {} at {}",
            window.nodes.join(" and "),
            when(window.seen_at).map_or("collection".to_string(), |time| format!(
                "collection ({time})"
            ))
        ),
        SplitBrainKind::Vrrp => {
            let instance = window.instance.as_deref().unwrap_or("a VRRP instance");
            let span = match (when(window.start), when(window.end), when(window.seen_at)) {
                (Some(start), Some(end), _) if start == end => {
                    format!("at {start} (within the second)")
                }
                (Some(start), Some(end), _) => format!("from {start} to {end}"),
                (Some(start), None, _) => format!("from {start} to the end of the logs"),
                (None, Some(end), _) => format!("until {end} (when it began is not in the logs)"),
                (None, None, Some(seen)) => {
                    format!("at {seen} (when it began and ended is not in the logs)")
                }
                (None, None, None) => "at a time the logs do not show".to_string(),
            };
            let cause = opening_cause(window, analysis);
            let how = match window.proof.as_str() {
                "advert-while-master" => {
                    " (proven by a MASTER receiving the other MASTER's advert)"
                }
                _ => "",
            };
            // A one-sided proof whose line gives no sender address names one node.
            let who = match window.nodes.as_slice() {
                [only] => format!(
                    "{only} and the sender of an advert it received (not named in the line)"
                ),
                nodes => nodes.join(" and "),
            };
            format!(
                "split-brain (VRRP): {who} were both MASTER of {instance} {span}{how}{}",
                cause.map_or(String::new(), |cause| format!(", cause {cause}"))
            )
        }
        SplitBrainKind::Drbd => format!(
            "split-brain (DRBD): the data of {} diverged between the nodes; {} found it at {}",
            window
                .resource
                .as_deref()
                .map_or("a DRBD resource".to_string(), drbd_label),
            window.nodes.join(" and "),
            when(window.seen_at).unwrap_or_else(|| "a time the logs do not show".to_string())
        ),
    }
}

/// Decides the verdict, with its facts and the state now.
pub fn decide(
    timeline: &Timeline,
    analysis: &Analysis,
    checks: &[CheckResult],
    window: ReportWindow,
) -> Verdict {
    let mut verdict = decide_status(timeline, analysis, checks, window);
    verdict.state_now = analysis.now.clone();
    match verdict.status {
        Status::SplitBrain => {
            if let Some(first) = headline_window(analysis) {
                verdict.cause = opening_cause(first, analysis);
                verdict.instance = first.instance.clone().or(first.resource.clone());
                verdict.nodes = first.nodes.clone();
                verdict.start = first.start.or(first.seen_at);
                verdict.end = first.end;
            }
        }
        Status::Failover => {
            if let Some((failover, _)) = headline_failover(analysis) {
                verdict.cause = Some(incident_cause(failover, analysis));
                verdict.instance = Some(failover.instance.clone());
                verdict.nodes = vec![failover.node.clone()];
                verdict.start = failover.time;
            }
        }
        _ => {}
    }
    verdict
}

fn decide_status(
    timeline: &Timeline,
    analysis: &Analysis,
    checks: &[CheckResult],
    window: ReportWindow,
) -> Verdict {
    let heard = nodes_heard(timeline);
    if heard.is_empty() {
        // Said of what was recognised: a wording no classifier row knows yet is read, not
        // understood, and the lines may still be keepalived's or DRBD's.
        let (lines, _) = timeline.line_totals();
        return Verdict::new(
            Status::Unknown,
            format!(
                "unknown: no line esc-diag recognises as keepalived's, DRBD's or ESC's in the input \
                 ({lines} lines read)"
            ),
        );
    }
    if let Some(first) = headline_window(analysis) {
        // DRBD's side of the same incident is said in the same breath; other incidents counted.
        let same_incident: Vec<&SplitBrain> = analysis
            .split_brain
            .iter()
            .filter(|other| !std::ptr::eq(*other, first))
            .filter(|other| other.finding.is_some() && other.finding == first.finding)
            .collect();
        let others = analysis.split_brain.len() - 1 - same_incident.len();
        let mut more = String::new();
        for other in same_incident {
            if other.kind == SplitBrainKind::Drbd && first.kind == SplitBrainKind::Vrrp {
                more.push_str(&format!(
                    "; DRBD's data diverged too ({})",
                    other
                        .resource
                        .as_deref()
                        .map_or("resource not named".to_string(), drbd_label)
                ));
            }
        }
        if others > 0 {
            more.push_str(&format!(" (and {others} more)"));
        }
        return Verdict::new(
            Status::SplitBrain,
            format!("{}{more}", describe_split_brain(first, analysis)),
        );
    }
    if let Some((failover, count)) = headline_failover(analysis)
        .filter(|(failover, _)| !first_state_beside_a_warning(failover, analysis))
    {
        // A takeover the logs end in the middle of (keepalived 1.x's `Transition to MASTER`
        // with no state line after it): begun, not done.
        let begun = failover.to == Role::Master
            && crate::rules::now::takeover_begun_at(
                &analysis.now,
                &failover.node,
                &failover.instance,
                failover.time,
            );
        // A node's first state seen: what it left is not in the logs (a takeover, or a start).
        let (change, before) = match failover.from {
            _ if begun => (
                "began a takeover".to_string(),
                " (its end is not in the logs)",
            ),
            Role::Unknown => (
                format!("became {}", failover.to),
                " (what it was before is not in the logs)",
            ),
            from => (format!("went {from} → {}", failover.to), ""),
        };
        return Verdict::new(
            Status::Failover,
            format!(
                "failover: {} {change} of {} {}{before}, cause {}{}",
                failover.node,
                failover.instance,
                failover.time.map_or_else(
                    || "(in lines without a date, read in their order)".to_string(),
                    |time| format!("at {}", format_time(time, 0))
                ),
                incident_cause_phrase(failover, analysis),
                if count > 1 {
                    format!(" ({count} changes into or out of MASTER in all)")
                } else {
                    String::new()
                }
            ),
        );
    }
    let failed_check = checks
        .iter()
        .find(|check| check.status == CheckStatus::Fail);
    // Half a pair: the other node's side is unknown, whatever this side says.
    let silent: Vec<&str> = timeline
        .nodes
        .iter()
        .map(|node| node.name.as_str())
        .filter(|node| !heard.iter().any(|name| name == node))
        .collect();
    if heard.len() < 2 {
        let other = if silent.is_empty() {
            String::new()
        } else {
            format!(" ({} has none)", silent.join(", "))
        };
        // What this side shows wrong comes first: the missing side only bounds it. Of equal
        // severity, a change of state and its cause before a line of its own (a configuration
        // complaint), then the earliest.
        let worst = analysis
            .findings
            .iter()
            .filter(|finding| finding.severity >= Severity::Warning)
            .max_by_key(|finding| {
                (
                    finding.severity,
                    finding.cause_known(),
                    finding.cause.is_none(),
                    std::cmp::Reverse(finding.start),
                )
            });
        let headline = match worst {
            Some(finding) => format!(
                "degraded: {} (only {}'s logs: the pair's other side is unknown{other})",
                finding.title,
                heard.join(", ")
            ),
            None if let Some(check) = failed_check => format!(
                "degraded: check failed: {} on {}: {} (only {}'s logs: the pair's other side is \
                 unknown{other})",
                check.id,
                check.node.as_deref().unwrap_or("the pair"),
                check.detail,
                heard.join(", ")
            ),
            // Nothing wrong on this side, and the other's is not there: the pair's health is
            // not known either way.
            None => {
                return Verdict::new(
                    Status::Unknown,
                    format!(
                        "unknown: nothing found wrong in {}'s logs, but the pair's other side is not in them{other}",
                        heard.join(", ")
                    ),
                );
            }
        };
        return Verdict::new(Status::Degraded, headline);
    }
    // The first warning, a change of state and its cause before a line of its own, a cause
    // known before one unknown.
    let warnings = || {
        analysis
            .findings
            .iter()
            .filter(|finding| finding.severity >= Severity::Warning)
    };
    if let Some(finding) = warnings()
        .find(|finding| finding.cause_known())
        .or_else(|| warnings().find(|finding| finding.cause.is_some()))
        .or_else(|| warnings().next())
    {
        return Verdict::new(Status::Degraded, format!("degraded: {}", finding.title));
    }
    if let Some(check) = failed_check {
        return Verdict::new(
            Status::Degraded,
            format!(
                "degraded: check failed: {} on {}: {}",
                check.id,
                check.node.as_deref().unwrap_or("the pair"),
                check.detail
            ),
        );
    }
    let states = &analysis.states;
    // A master whose logs end before another node is shown MASTER handed over (or died) in a
    // way its lines do not show: not a pair known healthy.
    if let Some((now, silent)) = analysis
        .now
        .iter()
        .find_map(|now| Some((now, now.silent_masters.first()?)))
    {
        return Verdict::new(
            Status::Degraded,
            format!(
                "degraded: {} last said MASTER of {} and its logs end at {}; {} MASTER after it: the hand-over is not in the logs",
                silent.node,
                now.instance,
                crate::timeline::format_time(silent.last_seen, 0),
                match now.masters.as_slice() {
                    [] => "no node is".to_string(),
                    masters => format!("{} is", masters.join(" and ")),
                }
            ),
        );
    }
    let blind: Vec<_> = states
        .blind
        .iter()
        .filter(|blind| blind.reason != "quiet")
        .filter(|blind| window.holds(blind.start, blind.end))
        .collect();
    if let Some(blind) = blind.first() {
        return Verdict::new(
            Status::Unknown,
            format!(
                "unknown: nothing found wrong in the logs, but {} of {} for part of the period ({})",
                crate::timeline::state::blind_lacks(&blind.reason),
                blind.node,
                blind.reason
            ),
        );
    }
    if !states.disagreements.is_empty() {
        return Verdict::new(
            Status::Degraded,
            "degraded: keepalived_state disagrees with the logs".to_string(),
        );
    }
    if states.instances.is_empty()
        && !timeline
            .events
            .iter()
            .any(|event| event.kind == crate::sources::EventKind::Drbd)
    {
        return Verdict::new(
            Status::Unknown,
            "unknown: the logs show no VRRP instance's state (and no DRBD state): nothing in them \
             says whether the pair is healthy"
                .to_string(),
        );
    }
    // Healthy needs a MASTER of every instance: without one the logs show no VIP holder.
    let unserved: Vec<&str> = states
        .instances
        .iter()
        .filter(|instance| {
            !timeline
                .nodes
                .iter()
                .any(|node| states.role_at_end(&node.name, instance) == Role::Master)
        })
        .map(String::as_str)
        .collect();
    if !unserved.is_empty() {
        if let Some(headline) = master_unseen(timeline, states, &unserved) {
            return Verdict::new(Status::Degraded, headline);
        }
        let some_state = timeline.nodes.iter().any(|node| {
            unserved
                .iter()
                .any(|instance| states.role_at_end(&node.name, instance) != Role::Unknown)
        });
        return Verdict::new(
            Status::Degraded,
            if some_state {
                format!(
                    "degraded: no node is MASTER of {} at the end of the logs: they show no VIP holder",
                    unserved.join(", ")
                )
            } else {
                format!(
                    "degraded: the logs show no state of {}: keepalived's lines are there, but none says or proves a state",
                    unserved.join(", ")
                )
            },
        );
    }
    // Who holds each instance now (a master silent since another took over is not one).
    let mut masters: Vec<String> = Vec::new();
    for now in &analysis.now {
        for master in &now.masters {
            if !masters.contains(master) {
                masters.push(master.clone());
            }
        }
    }
    Verdict::new(
        Status::Healthy,
        match masters.as_slice() {
            [] => "healthy: no failover, no split-brain".to_string(),
            _ => format!(
                "healthy: {} is MASTER, no failover, no split-brain",
                masters.join(", ")
            ),
        },
    )
}
