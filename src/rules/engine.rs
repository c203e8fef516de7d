//! The engine: builds the subjects (every transition, every window in which two nodes were MASTER
//! of one instance, every event a rule matches), evaluates the rules on them, and assembles the
//! analysis: failovers with their causes, split-brain windows, findings and the verdict.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::eval::{Facts, Subject, evaluate, event_matches};
use super::model::{Rule, RuleSet, SubjectKind};
use crate::finding::{Failover, Finding, Severity, SplitBrain};
use crate::timeline::state::{Role, States};
use crate::timeline::{Timeline, format_time};

/// A silence of a node's logs longer than this is a `quiet` blind interval.
pub const QUIET_AFTER_S: i64 = 600;

/// The overall verdict.
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

/// What the analysis found.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub states: States,
    pub failovers: Vec<Failover>,
    pub split_brain: Vec<SplitBrain>,
    pub findings: Vec<Finding>,
    pub status: Status,
    pub headline: String,
}

fn subject_kind(from: Role, to: Role) -> Option<SubjectKind> {
    match (from, to) {
        (_, Role::Master) => Some(SubjectKind::Takeover),
        (Role::Master, Role::Backup) => Some(SubjectKind::Yield),
        (_, Role::Fault) => Some(SubjectKind::Fault),
        (Role::Master, Role::Stop) => Some(SubjectKind::Stop),
        _ => None,
    }
}

fn short(time: DateTime<Utc>) -> String {
    time.format("%H:%M:%S").to_string()
}

/// Fills `{self}`, `{peer}`, `{instance}`, `{survivor}`, `{victim}` in a rule's text.
fn fill(text: &str, values: &BTreeMap<&str, String>) -> String {
    let mut filled = text.to_string();
    for (key, value) in values {
        filled = filled.replace(&format!("{{{key}}}"), value);
    }
    filled
}

struct Context<'a> {
    facts: Facts<'a>,
    rules: &'a RuleSet,
}

impl Context<'_> {
    fn template_values(&self, subject: &Subject) -> BTreeMap<&'static str, String> {
        let mut values = BTreeMap::new();
        let peers: Vec<&str> = self
            .facts
            .node_names()
            .into_iter()
            .filter(|node| *node != subject.node)
            .collect();
        values.insert("self", subject.node.clone());
        values.insert("peer", peers.join(", "));
        values.insert(
            "instance",
            subject
                .instance
                .clone()
                .unwrap_or_else(|| "the VRRP instance".to_string()),
        );
        values.insert("time", format_time(subject.time, 0));
        // The survivor of a data split-brain: the node that was the ESC primary (VRRP MASTER) when
        // it was found; its data is the one clients were writing.
        let masters: Vec<&str> = self
            .facts
            .node_names()
            .into_iter()
            .filter(|node| {
                self.facts
                    .states
                    .role_at(node, subject.instance.as_deref(), subject.time)
                    == Some(Role::Master)
            })
            .collect();
        let (survivor, victim) = match masters.as_slice() {
            [one] => (
                one.to_string(),
                self.facts
                    .node_names()
                    .into_iter()
                    .filter(|node| node != one)
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            _ => (
                "the node that served ESC's northbound requests (both or neither were MASTER then, so the logs do not tell which)"
                    .to_string(),
                "the other node".to_string(),
            ),
        };
        values.insert("survivor", survivor);
        values.insert("victim", victim);
        values
    }

    fn finding(
        &self,
        rule: &Rule,
        subject: &Subject,
        evidence: Vec<usize>,
        nodes: Vec<String>,
    ) -> Finding {
        let values = self.template_values(subject);
        Finding {
            id: format!(
                "{}@{}@{}",
                rule.id,
                subject.node,
                format_time(subject.time, 0)
            ),
            rule: rule.id.clone(),
            severity: rule.severity,
            title: fill(&rule.title, &values),
            start: Some(subject.time),
            end: subject.end,
            nodes,
            cause: rule
                .subjects
                .iter()
                .any(|kind| kind.is_transition())
                .then(|| rule.cause.clone()),
            explanation: fill(&rule.explanation, &values),
            remedy: fill(&rule.remedy, &values),
            references: rule.references.clone(),
            evidence,
        }
    }

    fn why_unknown(&self, subject: &Subject) -> String {
        let peers: Vec<&str> = self
            .facts
            .node_names()
            .into_iter()
            .filter(|node| *node != subject.node)
            .collect();
        if peers.is_empty() {
            return "only this node's logs were given: the peer's side of the failover is unknown"
                .to_string();
        }
        let window = (
            subject.time - Duration::seconds(60),
            subject.time + Duration::seconds(60),
        );
        let blind_peers: Vec<&str> = peers
            .iter()
            .copied()
            .filter(|peer| {
                self.facts.states.blind.iter().any(|blind| {
                    blind.node == *peer
                        && blind.reason != "quiet"
                        && blind.start.is_none_or(|start| start <= window.1)
                        && blind.end.is_none_or(|end| end >= window.0)
                })
            })
            .collect();
        if !blind_peers.is_empty() {
            return format!(
                "no logs of {} around {}: the peer's side is unknown",
                blind_peers.join(", "),
                format_time(subject.time, 0)
            );
        }
        "no rule recognised this transition: neither node logged a reason (keepalived without -D logs few), and the peer's logs show no stop, restart, fault or election around it".to_string()
    }

    fn transitions(&self) -> (Vec<Failover>, Vec<Finding>) {
        let mut failovers = Vec::new();
        let mut findings = Vec::new();
        for transition in &self.facts.states.transitions {
            let Some(kind) = subject_kind(transition.from, transition.to) else {
                continue;
            };
            let subject = Subject {
                kind,
                node: transition.node.clone(),
                time: transition.time,
                end: None,
                instance: Some(transition.instance.clone()),
                from: Some(transition.from),
                to: Some(transition.to),
                event: Some(transition.event),
            };
            let mut chosen = None;
            for rule in self
                .rules
                .rules
                .iter()
                .filter(|rule| rule.subjects.contains(&kind))
            {
                let evaluation = evaluate(&self.facts, &subject, &rule.condition);
                if evaluation.holds {
                    chosen = Some((rule, evaluation.evidence));
                    break;
                }
            }
            let mut evidence = vec![transition.event];
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
                None => (
                    "unknown".to_string(),
                    None,
                    Severity::Warning,
                    Some(self.why_unknown(&subject)),
                ),
            };
            evidence.sort_unstable();
            evidence.dedup();
            let mut finding = match &chosen {
                Some((rule, _)) => self.finding(rule, &subject, evidence.clone(), vec![transition.node.clone()]),
                None => Finding {
                    id: format!("unknown@{}@{}", transition.node, format_time(transition.time, 0)),
                    rule: "unknown".to_string(),
                    severity: Severity::Warning,
                    title: format!("{} went {} → {}: cause unknown", transition.node, transition.from, transition.to),
                    start: Some(transition.time),
                    end: None,
                    nodes: vec![transition.node.clone()],
                    cause: Some("unknown".to_string()),
                    explanation: detail.clone().unwrap_or_default(),
                    remedy: "Collect both nodes' logs around this time (esc-diag collect), with keepalived run with -D (log detail) if possible.".to_string(),
                    references: Vec::new(),
                    evidence: evidence.clone(),
                },
            };
            finding.title = format!(
                "{} ({} {} → {} at {})",
                finding.title,
                transition.node,
                transition.from,
                transition.to,
                short(transition.time)
            );
            findings.push(finding);
            failovers.push(Failover {
                time: transition.time,
                instance: transition.instance.clone(),
                node: transition.node.clone(),
                from: transition.from,
                to: transition.to,
                cause,
                rule: rule_id,
                severity,
                detail,
                evidence,
            });
        }
        (failovers, findings)
    }

    /// Windows in which two nodes were MASTER of one instance at once.
    fn overlaps(&self) -> Vec<Subject> {
        let states = self.facts.states;
        let mut subjects = Vec::new();
        let masters: Vec<_> = states
            .intervals
            .iter()
            .filter(|interval| interval.role == Role::Master)
            .collect();
        for (index, left) in masters.iter().enumerate() {
            for right in &masters[index + 1..] {
                if left.instance != right.instance || left.node == right.node {
                    continue;
                }
                let start = match (left.start, right.start) {
                    (Some(a), Some(b)) => a.max(b),
                    (Some(a), None) | (None, Some(a)) => a,
                    (None, None) => continue,
                };
                let end = match (left.end, right.end) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (Some(a), None) | (None, Some(a)) => Some(a),
                    (None, None) => None,
                };
                if end.is_some_and(|end| end < start) {
                    continue;
                }
                // The node that entered MASTER second is the subject.
                let later = if left.start >= right.start {
                    left
                } else {
                    right
                };
                subjects.push(Subject {
                    kind: SubjectKind::Overlap,
                    node: later.node.clone(),
                    time: start,
                    end,
                    instance: Some(left.instance.clone()),
                    from: None,
                    to: Some(Role::Master),
                    event: later.opened_by,
                });
            }
        }
        subjects.sort_by(|a, b| (a.time, &a.node).cmp(&(b.time, &b.node)));
        subjects
    }

    fn split_brains(&self) -> (Vec<SplitBrain>, Vec<Finding>) {
        let mut windows = Vec::new();
        let mut findings = Vec::new();
        let rules: Vec<&Rule> = self
            .rules
            .rules
            .iter()
            .filter(|rule| rule.subjects.contains(&SubjectKind::Overlap))
            .collect();
        for subject in self.overlaps() {
            for rule in &rules {
                let evaluation = evaluate(&self.facts, &subject, &rule.condition);
                if !evaluation.holds {
                    continue;
                }
                let instance = subject.instance.clone().unwrap_or_default();
                let nodes: Vec<String> = self
                    .facts
                    .node_names()
                    .into_iter()
                    .filter(|node| {
                        *node == subject.node
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
                for interval in &self.facts.states.intervals {
                    if interval.role == Role::Master
                        && interval.instance == instance
                        && nodes.contains(&interval.node)
                        && interval.start.is_some_and(|start| start <= subject.time)
                        && interval.end.is_none_or(|end| end >= subject.time)
                    {
                        evidence.extend(interval.opened_by);
                        evidence.extend(interval.closed_by);
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
                    .sum::<f64>();
                let mut finding = self.finding(rule, &subject, evidence.clone(), nodes.clone());
                finding.title = format!(
                    "{} ({} from {} to {})",
                    finding.title,
                    nodes.join(" and "),
                    short(subject.time),
                    subject.end.map_or("the end of the logs".to_string(), short)
                );
                findings.push(finding);
                windows.push(SplitBrain {
                    instance,
                    start: subject.time,
                    end: subject.end,
                    uncertainty_s: uncertainty,
                    nodes,
                    evidence,
                });
                break;
            }
        }
        (windows, findings)
    }

    fn event_findings(&self) -> Vec<Finding> {
        let mut findings = Vec::new();
        for rule in self
            .rules
            .rules
            .iter()
            .filter(|rule| rule.subjects.contains(&SubjectKind::Event))
        {
            let Some(predicate) = &rule.match_events else {
                continue;
            };
            let mut last_fired: BTreeMap<String, DateTime<Utc>> = BTreeMap::new();
            for (index, event) in self.facts.timeline.events.iter().enumerate() {
                let Some(time) = event.time else { continue };
                let subject = Subject {
                    kind: SubjectKind::Event,
                    node: event.node.to_string(),
                    time,
                    end: None,
                    instance: event.field("instance").map(str::to_string),
                    from: None,
                    to: None,
                    event: Some(index),
                };
                if !event_matches(&self.facts, &subject, predicate, index) {
                    continue;
                }
                let evaluation = evaluate(&self.facts, &subject, &rule.condition);
                if !evaluation.holds {
                    continue;
                }
                // One finding per rule and node per minute: a burst of the same line is one finding.
                if last_fired
                    .get(&subject.node)
                    .is_some_and(|last| time - *last < Duration::seconds(60))
                {
                    if let Some(finding) =
                        findings.iter_mut().rev().find(|finding: &&mut Finding| {
                            finding.rule == rule.id && finding.nodes.first() == Some(&subject.node)
                        })
                    {
                        if finding.evidence.len() < 10 {
                            finding.evidence.push(index);
                        }
                        finding.end = Some(time);
                    }
                    continue;
                }
                last_fired.insert(subject.node.clone(), time);
                let mut evidence = vec![index];
                evidence.extend(evaluation.evidence);
                evidence.sort_unstable();
                evidence.dedup();
                findings.push(self.finding(rule, &subject, evidence, vec![subject.node.clone()]));
            }
        }
        findings
    }
}

impl Analysis {
    /// Reconstructs states and runs every rule. `failed_checks` (from the checks stage) describe
    /// checks that failed; any makes the verdict at least degraded.
    pub fn run(timeline: &Timeline, rules: &RuleSet, failed_checks: &[String]) -> Analysis {
        let states = States::reconstruct(timeline, Duration::seconds(QUIET_AFTER_S));
        let context = Context {
            facts: Facts::new(timeline, &states),
            rules,
        };
        let (failovers, mut findings) = context.transitions();
        let (split_brain, split_findings) = context.split_brains();
        findings.extend(split_findings);
        findings.extend(context.event_findings());
        findings.sort_by(|a, b| {
            (std::cmp::Reverse(a.severity), a.start, &a.id).cmp(&(
                std::cmp::Reverse(b.severity),
                b.start,
                &b.id,
            ))
        });
        drop(context);
        let (status, headline) = verdict(
            timeline,
            &states,
            &failovers,
            &split_brain,
            &findings,
            failed_checks,
        );
        Analysis {
            states,
            failovers,
            split_brain,
            findings,
            status,
            headline,
        }
    }
}

fn verdict(
    timeline: &Timeline,
    states: &States,
    failovers: &[Failover],
    split_brain: &[SplitBrain],
    findings: &[Finding],
    failed_checks: &[String],
) -> (Status, String) {
    if timeline.events.is_empty() {
        return (
            Status::Unknown,
            "nothing recognisable in the input: no keepalived, DRBD or ESC events".to_string(),
        );
    }
    if let Some(window) = split_brain.first() {
        // The cause of the takeover that opened the window: the one closest before its start.
        let cause = failovers
            .iter()
            .filter(|failover| {
                failover.to == Role::Master
                    && failover.time <= window.start
                    && window.start - failover.time <= Duration::seconds(5)
            })
            .min_by_key(|failover| window.start - failover.time)
            .map(|failover| failover.cause.clone())
            .unwrap_or_else(|| "unknown".to_string());
        let end = window
            .end
            .map_or("the end of the logs (still open)".to_string(), |end| {
                format_time(end, 0)
            });
        let more = if split_brain.len() > 1 {
            format!(" (and {} more windows)", split_brain.len() - 1)
        } else {
            String::new()
        };
        return (
            Status::SplitBrain,
            format!(
                "split-brain: {} were both MASTER of {} from {} to {}, cause {cause}{more}",
                window.nodes.join(" and "),
                window.instance,
                format_time(window.start, 0),
                end
            ),
        );
    }
    let real: Vec<&Failover> = failovers
        .iter()
        .filter(|failover| failover.cause != "startup-election")
        .collect();
    if let Some(failover) = real
        .iter()
        .find(|failover| failover.to == Role::Master)
        .or(real.first())
    {
        return (
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
    let serious: Vec<&Finding> = findings
        .iter()
        .filter(|finding| finding.severity >= Severity::Warning)
        .collect();
    let blind: Vec<_> = states
        .blind
        .iter()
        .filter(|blind| blind.reason != "quiet")
        .collect();
    if let Some(finding) = serious.first() {
        return (Status::Degraded, format!("degraded: {}", finding.title));
    }
    if let Some(check) = failed_checks.first() {
        return (Status::Degraded, format!("degraded: check failed: {check}"));
    }
    if !states.disagreements.is_empty() || !blind.is_empty() {
        let reason = match blind.first() {
            Some(blind) => format!(
                "no logs of {} for part of the period ({})",
                blind.node, blind.reason
            ),
            None => "keepalived_state disagrees with the logs".to_string(),
        };
        return (Status::Degraded, format!("degraded: {reason}"));
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
    (
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
