//! The analysis for ticketing systems, schema "esc-diag/report/v1" (schema/report-v1.schema.json).
//! Fields may be added within v1; none is removed or renamed. States are upper case, times RFC
//! 3339 UTC with `Z`, evidence files relative to the node directory.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::format_time;
use crate::diagnosis::Diagnosis;
use crate::finding::Severity;
use crate::timeline::Timeline;

/// The schema name of the report.
pub const REPORT_SCHEMA: &str = "esc-diag/report/v1";

#[derive(Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub tool_version: &'static str,
    pub input: Vec<String>,
    pub generated_at: String,
    /// When the bundle was collected (the latest of its nodes'), null for plain log files.
    pub collected_at: Option<String>,
    /// The node that ran `esc-diag collect`, null for plain log files.
    pub collected_by: Option<String>,
    pub nodes: Vec<NodeRecord>,
    pub verdict: Verdict,
    /// One line of at most 100 ASCII characters for a ticket's title.
    pub summary: String,
    /// Per VRRP instance, who is MASTER, BACKUP or neither at the end of the evidence.
    pub state_now: Vec<InstanceNowRecord>,
    pub findings: Vec<FindingRecord>,
    pub failovers: Vec<TransitionRecord>,
    pub transitions: Vec<TransitionRecord>,
    pub split_brain: Vec<SplitBrainRecord>,
    pub checks: Vec<CheckRecord>,
    pub coverage: Coverage,
    /// The findings `--min-severity` left out, and that severity (not in the JSON: its
    /// readers filter `findings[]` themselves).
    #[serde(skip)]
    pub left_out: LeftOut,
}

/// The findings below `--min-severity`: how many, and the least severity shown.
#[derive(Default)]
pub struct LeftOut {
    pub findings: usize,
    pub below: &'static str,
}

#[derive(Serialize)]
pub struct NodeRecord {
    pub name: String,
    pub address: Option<String>,
    pub keepalived_state: Option<String>,
    pub instances: Vec<InstanceRecord>,
    pub clock_offset_s: Option<f64>,
    pub clock_uncertainty_s: Option<f64>,
    /// When this node's files were collected.
    pub collected_at: Option<String>,
    /// The node's DRBD role, connection and disk at the end of the evidence (its logs and its
    /// DRBD status capture), and its peer's role and disk as they say them; null where neither
    /// shows one.
    pub drbd_role: Option<String>,
    pub drbd_connection: Option<String>,
    pub drbd_disk: Option<String>,
    pub drbd_peer_role: Option<String>,
    pub drbd_peer_disk: Option<String>,
    /// ESC's services at collection (`escadm status --v`): `running`, or what is down; null
    /// without that capture.
    pub esc_services: Option<String>,
    /// What the collector could not gather from this node.
    pub collection_errors: Vec<CollectionErrorRecord>,
}

#[derive(Serialize)]
pub struct CollectionErrorRecord {
    pub what: String,
    pub why: String,
}

#[derive(Serialize)]
pub struct InstanceRecord {
    pub name: String,
    pub state_at_end: &'static str,
}

#[derive(Serialize)]
pub struct Verdict {
    pub status: &'static str,
    pub headline: String,
    /// The cause id of the split-brain's opening takeover or of the failover.
    pub cause: Option<String>,
    /// The VRRP instance (or DRBD resource) concerned.
    pub instance: Option<String>,
    pub nodes: Vec<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    /// The one MASTER of that instance at the end of the evidence (null: none, or more than one).
    pub current_master: Option<String>,
}

/// One VRRP instance at the end of the evidence.
#[derive(Serialize)]
pub struct InstanceNowRecord {
    pub instance: String,
    pub masters: Vec<String>,
    pub backups: Vec<String>,
    /// Nodes in FAULT, STOP or an unknown state, with that state.
    pub others: Vec<NodeStateRecord>,
    /// Nodes whose last word was MASTER but whose logs end before another node took over:
    /// dead or hung, state now unknown.
    pub silent_masters: Vec<SilentRecord>,
    /// Nodes none of whose lines carries a date (in `others` as UNKNOWN), with the state their
    /// last state line says: not placed in time against the other nodes' lines.
    pub undated_last: Vec<NodeStateRecord>,
    /// Nodes whose last word was BACKUP but whose logs end before another node left MASTER,
    /// none taking over since: not counted as standby now.
    pub stale_backups: Vec<LastSeenRecord>,
    /// Nodes whose logs end in a keepalived 1.x `Transition to MASTER STATE` with no state line
    /// after it (`last_seen`: that line): a takeover begun, whose end is not in the logs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub taking_over: Vec<LastSeenRecord>,
    /// Nodes in FAULT at the end (in `others`) whose logs end moments after keepalived saw an
    /// interface come up (`change` `fault-cleared`: 1.x's line as the instance leaves FAULT;
    /// `interface-up`: 2.x's netlink line; `interface` where the line names it) or began a reload
    /// (`reload`), at `at`, with no state line of the instance after it: FAULT is left, or weighed
    /// again, past the end of the logs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub leaving_fault: Vec<LeavingFaultRecord>,
    /// Where no node of the logs is MASTER at the end: the last advert of a MASTER a node of
    /// the logs yielded to after every takeover they show (its sender held the instance then).
    pub heard_master: Option<HeardMasterRecord>,
}

#[derive(Serialize)]
pub struct HeardMasterRecord {
    /// The node that yielded to the advert, and when.
    pub node: String,
    pub at: String,
    /// The sender's address, where the line names it.
    pub sender: Option<String>,
    /// The node that sent it, as the findings name an advert's sender: the node whose address it
    /// is (`sender_node_basis` `address`), or the input's only other node, none of whose
    /// addresses is known (`only-other-node`: an inference).
    pub sender_node: Option<String>,
    pub sender_node_basis: Option<&'static str>,
    /// The node discarded the advert as of lower priority than its own (a preempting BACKUP, which
    /// takes over when its master-down timer runs out) rather than yielding to it.
    pub discarded: bool,
}

#[derive(Serialize)]
pub struct LeavingFaultRecord {
    pub node: String,
    pub at: String,
    pub change: &'static str,
    pub interface: Option<String>,
}

#[derive(Serialize)]
pub struct LastSeenRecord {
    pub node: String,
    /// The node's last log line.
    pub last_seen: String,
}

/// Nodes with the instant of a line of theirs, as records.
fn last_seen_records(nodes: &[(String, DateTime<Utc>)]) -> Vec<LastSeenRecord> {
    nodes
        .iter()
        .map(|(node, at)| LastSeenRecord {
            node: node.clone(),
            last_seen: format_time(*at, 0),
        })
        .collect()
}

#[derive(Serialize)]
pub struct SilentRecord {
    pub node: String,
    /// The node's last log line.
    pub last_seen: String,
    /// The peer that received the node's priority-0 advert after it (the node released the VIP:
    /// a stop or FAULT its logs do not show), and when; null when none did.
    pub released_to: Option<String>,
    pub released_at: Option<String>,
    /// Where the logs hold only one other node of the instance and it heard this node's adverts
    /// after that line (a MASTER's advert it yielded to or discarded), that node and the last
    /// time: this node was running then; null otherwise.
    pub heard_by: Option<String>,
    pub heard_at: Option<String>,
}

#[derive(Serialize)]
pub struct NodeStateRecord {
    pub node: String,
    pub state: &'static str,
}

#[derive(Serialize)]
pub struct EvidenceRecord {
    pub node: String,
    pub file: String,
    pub line: u64,
    pub time: Option<String>,
    /// The node's clock offset that was taken off the line's own stamp to give `time` (null: the
    /// stamp is used as written).
    pub clock_offset_s: Option<f64>,
    /// The line has no stamp: `time` is the previous line's.
    pub time_inferred: bool,
    pub text: String,
    /// The program that wrote the line (Keepalived_vrrp, kernel, ...), where the envelope names it.
    pub program: Option<String>,
    /// The line's message, after its envelope (time, host, program).
    pub message: String,
}

#[derive(Serialize)]
pub struct FindingRecord {
    pub id: String,
    pub rule: String,
    pub severity: &'static str,
    pub title: String,
    pub start: Option<String>,
    pub end: Option<String>,
    pub nodes: Vec<String>,
    pub cause: Option<String>,
    /// The VRRP instance the finding is about (null: none in particular).
    pub instance: Option<String>,
    pub explanation: String,
    pub evidence: Vec<EvidenceRecord>,
    pub remedy: String,
    pub references: Vec<String>,
    /// Ids of the findings of the same incident folded into this one.
    pub merged: Vec<String>,
}

/// One change of state of one node's instance: `transitions[]` holds them all, `failovers[]` the
/// failovers among them (a start-up BACKUP, FAULT back to BACKUP, a backup's stop are only
/// transitions).
#[derive(Serialize)]
pub struct TransitionRecord {
    pub time: Option<String>,
    pub instance: String,
    pub node: String,
    pub from: &'static str,
    /// The earlier state is known from a line keepalived writes only in it, not a state line.
    pub from_inferred: bool,
    pub to: &'static str,
    pub cause: String,
    pub detail: Option<String>,
    pub evidence: Vec<EvidenceRecord>,
    /// The id of the finding that reports this failover (null for other transitions).
    pub finding: Option<String>,
}

#[derive(Serialize)]
pub struct SplitBrainRecord {
    /// vrrp (two nodes MASTER of one instance) or drbd (diverged data).
    pub kind: &'static str,
    /// both-sides, advert-while-master, drbd-detected.
    pub proof: String,
    /// The VRRP instance (null for drbd).
    pub instance: Option<String>,
    /// The DRBD resource (null for vrrp).
    pub resource: Option<String>,
    /// Null where the logs do not show it.
    pub start: Option<String>,
    pub end: Option<String>,
    /// The instant the evidence proves.
    pub seen_at: Option<String>,
    pub duration_s: Option<f64>,
    pub uncertainty_s: f64,
    pub nodes: Vec<String>,
    pub evidence: Vec<EvidenceRecord>,
    /// The id of the finding that reports this split-brain.
    pub finding: Option<String>,
}

#[derive(Serialize)]
pub struct CheckRecord {
    pub id: String,
    pub node: Option<String>,
    pub status: &'static str,
    /// critical, error, warning for failed and warned checks; info for the rest.
    pub severity: &'static str,
    pub detail: String,
    /// What to do, for failed and warned checks.
    pub remedy: Option<String>,
}

#[derive(Serialize)]
pub struct FileRecord {
    pub node: String,
    pub file: String,
    pub source: String,
    pub lines: u64,
    pub recognised_lines: u64,
    pub unrecognised_lines: u64,
}

#[derive(Serialize)]
pub struct BlindRecord {
    pub node: String,
    pub start: Option<String>,
    pub end: Option<String>,
    pub reason: String,
}

#[derive(Serialize)]
pub struct WarningRecord {
    pub node: Option<String>,
    pub file: Option<String>,
    pub line: Option<u64>,
    pub message: String,
}

#[derive(Serialize)]
pub struct Coverage {
    pub files: Vec<FileRecord>,
    pub lines: u64,
    /// Recognised events read (with the collection's own).
    pub events: usize,
    /// Of those, the events the analysis kept, when the event budget kept only a sample.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events_kept: Option<usize>,
    pub unrecognised_lines: u64,
    pub blind_intervals: Vec<BlindRecord>,
    pub warnings: Vec<WarningRecord>,
    pub rule_errors: Vec<String>,
}

fn evidence(timeline: &Timeline, indices: &[usize]) -> Vec<EvidenceRecord> {
    indices
        .iter()
        .filter_map(|index| timeline.events.get(*index))
        .map(|event| EvidenceRecord {
            node: event.node.to_string(),
            file: event.file.to_string(),
            line: event.line,
            time: event.time.map(|time| {
                format_time(time, event.stamp.map_or(0, |stamp| stamp.fraction_digits))
            }),
            clock_offset_s: clock_offset(timeline, event),
            time_inferred: event.time_inferred,
            text: event.text.lines().next().unwrap_or("").to_string(),
            program: event.program.as_deref().map(str::to_string),
            message: event.message_joined().into_owned(),
        })
        .collect()
}

/// The clock offset taken off an event's own stamp, if one was.
pub fn clock_offset(timeline: &Timeline, event: &crate::sources::Event) -> Option<f64> {
    if event.collector_clock || event.time.is_none() || event.stamp.is_none() {
        return None;
    }
    timeline
        .nodes
        .iter()
        .find(|node| node.name == event.node.as_ref())
        .and_then(|node| node.clock_offset_s)
        .filter(|offset| *offset != 0.0)
}

/// Inputs of the report besides the analysis.
pub struct ReportInput<'a> {
    pub inputs: &'a [String],
    pub generated_at: chrono::DateTime<chrono::Utc>,
    pub min_severity: Severity,
    pub rule_errors: Vec<String>,
    pub checks: Vec<CheckRecord>,
}

impl Report {
    /// Builds the wire report.
    pub fn new(timeline: &Timeline, diagnosis: &Diagnosis, input: ReportInput) -> Report {
        let analysis = &diagnosis.analysis;
        let time =
            |value: Option<chrono::DateTime<chrono::Utc>>| value.map(|time| format_time(time, 0));
        let nodes = timeline
            .nodes
            .iter()
            .map(|node| {
                let state_file = timeline
                    .events
                    .iter()
                    .rev()
                    .find(|event| {
                        event.node.as_ref() == node.name && event.source == "keepalived_state"
                    })
                    .map(|event| {
                        event
                            .field("state")
                            .map(str::to_string)
                            .unwrap_or_else(|| event.text.clone())
                    });
                let drbd = analysis.states.drbd_roles.get(&node.name);
                let said = |part: Option<&String>| part.filter(|part| !part.is_empty()).cloned();
                let single = drbd.filter(|drbd| !drbd.mixed());
                NodeRecord {
                    name: node.name.clone(),
                    address: node.addresses.first().cloned(),
                    keepalived_state: state_file,
                    instances: analysis
                        .states
                        .instances
                        .iter()
                        .map(|instance| InstanceRecord {
                            name: instance.clone(),
                            state_at_end: analysis.states.role_at_end(&node.name, instance).name(),
                        })
                        .collect(),
                    clock_offset_s: node.clock_offset_s,
                    clock_uncertainty_s: node.clock_uncertainty_s,
                    collected_at: time(node.collected_at),
                    drbd_role: said(drbd.map(|drbd| &drbd.role)),
                    drbd_connection: said(drbd.map(|drbd| &drbd.connection)),
                    // Of one resource and one peer only: where the lines name several, the
                    // disk and the peer said last may be another's than the role's.
                    drbd_disk: said(single.map(|drbd| &drbd.disk)),
                    drbd_peer_role: said(single.map(|drbd| &drbd.peer_role)),
                    drbd_peer_disk: said(single.map(|drbd| &drbd.peer_disk)),
                    esc_services: input
                        .checks
                        .iter()
                        .find(|check| {
                            check.id == "esc-services"
                                && check.node.as_deref() == Some(node.name.as_str())
                        })
                        .and_then(|check| match check.status {
                            "pass" => Some("running".to_string()),
                            "fail" | "warn" => Some(format!("down: {}", check.detail)),
                            _ => None,
                        }),
                    collection_errors: node
                        .collection_errors
                        .iter()
                        .map(|(what, why)| CollectionErrorRecord {
                            what: what.clone(),
                            why: why.clone(),
                        })
                        .collect(),
                }
            })
            .collect();
        let findings: Vec<FindingRecord> = analysis
            .findings
            .iter()
            .filter(|finding| finding.severity >= input.min_severity)
            .map(|finding| FindingRecord {
                id: finding.id.clone(),
                rule: finding.rule.clone(),
                severity: finding.severity.name(),
                title: finding.title.clone(),
                start: time(finding.start),
                end: time(finding.end),
                nodes: finding.nodes.clone(),
                cause: finding.cause.clone(),
                instance: finding.instance.clone(),
                explanation: finding.explanation.clone(),
                evidence: evidence(timeline, &finding.evidence),
                remedy: finding.remedy.clone(),
                references: finding.references.clone(),
                merged: finding.merged.clone(),
            })
            .collect();
        let record = |transition: &crate::finding::Failover| TransitionRecord {
            time: transition.time.map(|time| format_time(time, 0)),
            instance: transition.instance.clone(),
            node: transition.node.clone(),
            from: transition.from.name(),
            from_inferred: transition.from_inferred,
            to: transition.to.name(),
            cause: transition.cause.clone(),
            detail: transition.detail.clone(),
            evidence: evidence(timeline, &transition.evidence),
            finding: transition.finding.clone(),
        };
        let failovers = analysis.failovers.iter().map(record).collect();
        let transitions = analysis.transitions.iter().map(record).collect();
        let split_brain = analysis
            .split_brain
            .iter()
            .map(|window| SplitBrainRecord {
                kind: window.kind.name(),
                proof: window.proof.clone(),
                instance: window.instance.clone(),
                resource: window.resource.clone(),
                start: time(window.start),
                end: time(window.end),
                seen_at: time(window.seen_at),
                duration_s: window
                    .start
                    .zip(window.end)
                    .map(|(start, end)| (end - start).num_milliseconds() as f64 / 1000.0),
                uncertainty_s: window.uncertainty_s,
                nodes: window.nodes.clone(),
                evidence: evidence(timeline, &window.evidence),
                finding: window.finding.clone(),
            })
            .collect();
        let (lines, unrecognised) = timeline.line_totals();
        Report {
            schema: REPORT_SCHEMA,
            tool_version: env!("CARGO_PKG_VERSION"),
            input: input.inputs.to_vec(),
            generated_at: format_time(input.generated_at, 0),
            collected_at: time(
                timeline
                    .nodes
                    .iter()
                    .filter_map(|node| node.collected_at)
                    .max(),
            ),
            collected_by: timeline
                .nodes
                .iter()
                .find_map(|node| node.collected_by.clone()),
            nodes,
            verdict: Verdict {
                status: diagnosis.verdict.status.name(),
                headline: diagnosis.verdict.headline.clone(),
                cause: diagnosis.verdict.cause.clone(),
                instance: diagnosis.verdict.instance.clone(),
                nodes: diagnosis.verdict.nodes.clone(),
                start: time(diagnosis.verdict.start),
                end: time(diagnosis.verdict.end),
                current_master: diagnosis.verdict.current_master().map(str::to_string),
            },
            summary: diagnosis.verdict.summary(),
            state_now: diagnosis
                .verdict
                .state_now
                .iter()
                .map(|now| InstanceNowRecord {
                    instance: now.instance.clone(),
                    masters: now.masters.clone(),
                    backups: now.backups.clone(),
                    others: now
                        .others
                        .iter()
                        .map(|(node, role)| NodeStateRecord {
                            node: node.clone(),
                            state: role.name(),
                        })
                        .collect(),
                    silent_masters: now
                        .silent_masters
                        .iter()
                        .map(|silent| SilentRecord {
                            node: silent.node.clone(),
                            last_seen: format_time(silent.last_seen, 0),
                            released_to: silent.released.as_ref().map(|(peer, _)| peer.clone()),
                            released_at: silent
                                .released
                                .as_ref()
                                .map(|(_, time)| format_time(*time, 0)),
                            heard_by: silent.heard.as_ref().map(|(peer, _)| peer.clone()),
                            heard_at: silent.heard.as_ref().map(|(_, time)| format_time(*time, 0)),
                        })
                        .collect(),
                    undated_last: now
                        .undated_last
                        .iter()
                        .map(|(node, role)| NodeStateRecord {
                            node: node.clone(),
                            state: role.name(),
                        })
                        .collect(),
                    stale_backups: last_seen_records(&now.stale_backups),
                    taking_over: last_seen_records(&now.taking_over),
                    leaving_fault: now
                        .leaving_fault
                        .iter()
                        .map(|leaving| LeavingFaultRecord {
                            node: leaving.node.clone(),
                            at: format_time(leaving.at, 0),
                            change: leaving.change,
                            interface: leaving.interface.clone(),
                        })
                        .collect(),
                    heard_master: now.heard_master.as_ref().map(|heard| HeardMasterRecord {
                        node: heard.receiver.clone(),
                        at: format_time(heard.at, 0),
                        sender: heard.sender.clone(),
                        sender_node: heard.sender_node.as_ref().map(|(node, _)| node.clone()),
                        sender_node_basis: heard
                            .sender_node
                            .as_ref()
                            .map(|(_, basis)| basis.name()),
                        discarded: heard.discarded,
                    }),
                })
                .collect(),
            left_out: LeftOut {
                findings: analysis.findings.len() - findings.len(),
                below: input.min_severity.name(),
            },
            findings,
            failovers,
            transitions,
            split_brain,
            checks: input.checks,
            coverage: Coverage {
                files: timeline
                    .files
                    .iter()
                    .map(|file| FileRecord {
                        node: file.node.clone(),
                        file: file.file.clone(),
                        source: file.source.to_string(),
                        lines: file.lines,
                        recognised_lines: file.recognised_lines,
                        unrecognised_lines: file.unrecognised_lines,
                    })
                    .collect(),
                lines,
                events: timeline.events.len() + timeline.events_left_out as usize,
                events_kept: (!timeline.thinned.is_empty()).then_some(timeline.events.len()),
                unrecognised_lines: unrecognised,
                blind_intervals: analysis
                    .states
                    .blind
                    .iter()
                    .map(|blind| BlindRecord {
                        node: blind.node.clone(),
                        start: time(blind.start),
                        end: time(blind.end),
                        reason: blind.reason.clone(),
                    })
                    .collect(),
                // What the event budget sampled comes first: it bears on everything below.
                warnings: timeline
                    .thinned
                    .iter()
                    .chain(&timeline.warnings)
                    .map(|warning| WarningRecord {
                        node: warning.node.clone(),
                        file: warning.file.clone(),
                        line: warning.line,
                        message: warning.message.clone(),
                    })
                    .collect(),
                rule_errors: input.rule_errors,
            },
        }
    }
}
