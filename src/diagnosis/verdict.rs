//! The verdict: one status and headline, decided in one place from the transitions, split-brain
//! windows, findings, the checks' results and how much of the pair the input covers. Any proven
//! split-brain wins; then a failover; half a pair, a warning or a failed check make it degraded;
//! input with nothing from keepalived, DRBD or ESC is unknown, never healthy.

use chrono::Duration;

use super::ReportWindow;
use crate::checks::{CheckResult, CheckStatus};
use crate::finding::{Severity, SplitBrain, SplitBrainKind};
use crate::rules::Analysis;
use crate::sources::EventKind;
use crate::timeline::state::Role;
use crate::timeline::{Timeline, format_time};

/// The overall status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Healthy,
    Degraded,
    Failover,
    SplitBrain,
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

/// The status and its one-line reason.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub status: Status,
    pub headline: String,
}

impl Verdict {
    fn new(status: Status, headline: String) -> Verdict {
        Verdict { status, headline }
    }
}

/// Whether an event is something keepalived, DRBD or ESC logged or reported (not the system, the
/// collection, or a configuration file).
fn from_the_pair(kind: EventKind, classifier: Option<&str>, source: &str) -> bool {
    !matches!(kind, EventKind::Unrecognised | EventKind::Collection)
        && !classifier.is_some_and(|row| row.starts_with("system/"))
        && source != "keepalived_conf"
}

/// The nodes whose logs say something of keepalived, DRBD or ESC.
fn nodes_heard(timeline: &Timeline) -> Vec<String> {
    let mut nodes: Vec<String> = Vec::new();
    for event in &timeline.events {
        if from_the_pair(event.kind, event.classifier.as_deref(), event.source)
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
        SplitBrainKind::Vrrp => {
            let instance = window.instance.as_deref().unwrap_or("a VRRP instance");
            let span = match (when(window.start), when(window.end), when(window.seen_at)) {
                (Some(start), Some(end), _) => format!("from {start} to {end}"),
                (Some(start), None, _) => format!("from {start} to the end of the logs"),
                (None, Some(end), _) => format!("until {end} (when it began is not in the logs)"),
                (None, None, Some(seen)) => {
                    format!("at {seen} (when it began and ended is not in the logs)")
                }
                (None, None, None) => "at a time the logs do not show".to_string(),
            };
            let cause = window.start.and_then(|start| {
                analysis
                    .failovers
                    .iter()
                    .filter(|failover| {
                        failover.to == Role::Master
                            && failover.time <= start
                            && start - failover.time <= Duration::seconds(5)
                    })
                    .min_by_key(|failover| start - failover.time)
                    .map(|failover| failover.cause.clone())
            });
            let how = match window.proof.as_str() {
                "advert-while-master" => {
                    " (proven by a MASTER receiving the other MASTER's advert)"
                }
                _ => "",
            };
            format!(
                "split-brain (VRRP): {} were both MASTER of {instance} {span}{how}{}",
                window.nodes.join(" and "),
                cause.map_or(String::new(), |cause| format!(", cause {cause}"))
            )
        }
        SplitBrainKind::Drbd => format!(
            "split-brain (DRBD): the data of {} diverged between the nodes; {} found it at {}",
            window
                .resource
                .as_deref()
                .map_or("a DRBD resource".to_string(), |resource| format!(
                    "resource {resource}"
                )),
            window.nodes.join(" and "),
            when(window.seen_at).unwrap_or_else(|| "a time the logs do not show".to_string())
        ),
    }
}

/// Decides the verdict.
pub fn decide(
    timeline: &Timeline,
    analysis: &Analysis,
    checks: &[CheckResult],
    window: ReportWindow,
) -> Verdict {
    let heard = nodes_heard(timeline);
    if heard.is_empty() {
        return Verdict::new(
            Status::Unknown,
            "unknown: nothing from keepalived, DRBD or ESC in the input".to_string(),
        );
    }
    if let Some(first) = analysis.split_brain.first() {
        let more = if analysis.split_brain.len() > 1 {
            format!(" (and {} more)", analysis.split_brain.len() - 1)
        } else {
            String::new()
        };
        return Verdict::new(
            Status::SplitBrain,
            format!("{}{more}", describe_split_brain(first, analysis)),
        );
    }
    let real: Vec<_> = analysis
        .failovers
        .iter()
        .filter(|failover| failover.cause != "startup-election")
        .collect();
    if let Some(failover) = real
        .iter()
        .find(|failover| failover.to == Role::Master)
        .or(real.first())
    {
        return Verdict::new(
            Status::Failover,
            format!(
                "failover: {} went {} → {} of {} at {}, cause {}{}",
                failover.node,
                failover.from,
                failover.to,
                failover.instance,
                format_time(failover.time, 0),
                failover.cause,
                if real.len() > 1 {
                    format!(" ({} transitions in all)", real.len())
                } else {
                    String::new()
                }
            ),
        );
    }
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
        return Verdict::new(
            Status::Degraded,
            format!(
                "degraded: only {}'s logs: the pair's other side is unknown{other}",
                heard.join(", ")
            ),
        );
    }
    if let Some(finding) = analysis
        .findings
        .iter()
        .find(|finding| finding.severity >= Severity::Warning)
    {
        return Verdict::new(Status::Degraded, format!("degraded: {}", finding.title));
    }
    if let Some(check) = checks
        .iter()
        .find(|check| check.status == CheckStatus::Fail)
    {
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
    let blind: Vec<_> = states
        .blind
        .iter()
        .filter(|blind| blind.reason != "quiet")
        .filter(|blind| window.holds(blind.start, blind.end))
        .collect();
    if let Some(blind) = blind.first() {
        return Verdict::new(
            Status::Degraded,
            format!(
                "degraded: no logs of {} for part of the period ({})",
                blind.node, blind.reason
            ),
        );
    }
    if !states.disagreements.is_empty() {
        return Verdict::new(
            Status::Degraded,
            "degraded: keepalived_state disagrees with the logs".to_string(),
        );
    }
    let masters: Vec<String> = timeline
        .nodes
        .iter()
        .filter(|node| {
            states
                .instances
                .iter()
                .any(|instance| states.role_at_end(&node.name, instance) == Role::Master)
        })
        .map(|node| node.name.clone())
        .collect();
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
