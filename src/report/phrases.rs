//! The phrases every analysis format shares (text, HTML, Markdown): who holds an instance now,
//! each node's DRBD and ESC state now, a finding's facts, and what could not be checked. Built from the wire report,
//! so the formats say the same thing in the same words.

use super::analysis_json::{
    FindingRecord, InstanceNowRecord, LeavingFaultRecord, NodeRecord, Report,
};
use crate::bundle::parse_rfc3339;
use crate::timeline::format_clock;

/// An instance now: "MASTER a and b" or "no MASTER", "standby c" or "no standby", and the others
/// (FAULT, STOP, unknown, and silent masters). Where only one node's logs speak of the instance,
/// the other's part is not known: "MASTER not in these logs", not "no MASTER".
pub struct InstanceNowPhrases {
    pub masters: String,
    pub standby: String,
    pub others: Vec<String>,
    /// Fewer than two nodes' logs speak of the instance: an empty side is not known to be empty.
    pub one_side: bool,
}

pub fn instance_now(report: &Report, now: &InstanceNowRecord) -> InstanceNowPhrases {
    // Every node lists every instance; those whose logs say nothing of it end UNKNOWN.
    let nodes_seen = report
        .nodes
        .iter()
        .filter(|node| {
            node.instances
                .iter()
                .any(|instance| instance.name == now.instance && instance.state_at_end != "UNKNOWN")
        })
        .count();
    let one_side = nodes_seen < 2;
    // A node whose state of the instance the logs do not tell may be its MASTER or standby.
    let some_unknown = report.nodes.iter().any(|node| {
        node.instances
            .iter()
            .all(|instance| instance.name != now.instance || instance.state_at_end == "UNKNOWN")
    });
    // Nodes whose lines carry no date: their last word, not a state now against the others'.
    let undated: Vec<String> = now
        .undated_last
        .iter()
        .map(|undated| format!("{} {}", undated.node, undated.state))
        .collect();
    if nodes_seen == 0 && !undated.is_empty() {
        return InstanceNowPhrases {
            masters: "no dated state".to_string(),
            standby: format!("last lines (no date) say {}", undated.join(", ")),
            others: now
                .others
                .iter()
                .filter(|other| !now.undated_last.iter().any(|u| u.node == other.node))
                .map(|other| format!("{} {}", other.node, other.state))
                .collect(),
            one_side,
        };
    }
    // A MASTER heard after every takeover shown: one of the logs' nodes yielded to it. Where
    // the findings name its sender as a node of the input, so does this: by its address, or as
    // the input's only other node (then the advert is given by its address).
    let heard_node = now
        .heard_master
        .as_ref()
        .and_then(|heard| heard.sender_node.as_deref());
    let inferred = now
        .heard_master
        .as_ref()
        .is_some_and(|heard| heard.sender_node_basis == Some("only-other-node"));
    let heard = now.heard_master.as_ref().map(|heard| {
        let advert = match (&heard.sender_node, &heard.sender) {
            (_, Some(address)) if inferred => format!("{address}'s advert"),
            (Some(node), Some(address)) if node != address => {
                format!("{node}'s advert from {address}")
            }
            (Some(node), _) => format!("{node}'s advert"),
            (None, Some(address)) => format!("{address}'s advert"),
            (None, None) => "a MASTER's advert (its sender not named)".to_string(),
        };
        if heard.discarded {
            format!(
                "{} discarded {advert} at {} as of lower priority than its own: it was \
                 preempting that MASTER",
                heard.node, heard.at
            )
        } else {
            format!("{} yielded to {advert} at {}", heard.node, heard.at)
        }
    });
    InstanceNowPhrases {
        masters: if now.masters.is_empty() {
            match (&heard, heard_node) {
                // Not by its own logs: by the advert another node yielded to, from its address
                // or, as the only other node of the input, most likely.
                (Some(heard), Some(node)) if inferred => format!(
                    "MASTER most likely {node}, the only other node in these logs ({heard})"
                ),
                (Some(heard), Some(node)) => format!("MASTER {node}, by its advert ({heard})"),
                // An address no node of the input has: the MASTER by its advert all the same.
                (Some(_), None)
                    if one_side
                        && let Some(heard) =
                            now.heard_master.as_ref().filter(|heard| !heard.discarded)
                        && let Some(address) = heard.sender.as_deref() =>
                {
                    format!(
                        "MASTER {address}, by its advert: {} yielded to it at {} (its own logs \
                         are not in the input)",
                        heard.node, heard.at
                    )
                }
                (Some(heard), None) => format!("MASTER not in these logs ({heard})"),
                (None, _) if one_side || some_unknown => "MASTER not in these logs".to_string(),
                (None, _) => "no MASTER".to_string(),
            }
        } else {
            format!("MASTER {}", now.masters.join(" and "))
        },
        // A MASTER whose logs end before another took over may be the standby now.
        standby: if now.backups.is_empty() {
            if one_side || some_unknown || !now.silent_masters.is_empty() {
                "standby not in these logs"
            } else {
                "no standby"
            }
            .to_string()
        } else {
            format!("standby {}", now.backups.join(", "))
        },
        others: now
            .others
            .iter()
            // The MASTER named by its advert: an unknown state of its own logs says nothing more.
            .filter(|other| !(heard_node == Some(other.node.as_str()) && other.state == "UNKNOWN"))
            .map(|other| {
                match now
                    .undated_last
                    .iter()
                    .find(|undated| undated.node == other.node)
                {
                    Some(undated) => format!(
                        "{} said {} last (its lines carry no date)",
                        other.node, undated.state
                    ),
                    None if let Some(leaving) = now
                        .leaving_fault
                        .iter()
                        .find(|leaving| leaving.node == other.node) =>
                    {
                        leaving_fault(&other.node, other.state, leaving)
                    }
                    None if heard_node == Some(other.node.as_str()) => format!(
                        "{} {} where its own logs end, before that advert",
                        other.node, other.state
                    ),
                    None => format!("{} {}", other.node, other.state),
                }
            })
            .chain(now.stale_backups.iter().map(|stale| {
                format!(
                    "{} last said BACKUP (its logs end {}, before the MASTER left: whether it took over is not in them)",
                    stale.node, stale.last_seen
                )
            }))
            .chain(now.taking_over.iter().map(|taking| {
                format!(
                    "{} began a takeover at {} where its logs end: whether it completed, they \
                     do not say",
                    taking.node, taking.last_seen
                )
            }))
            .chain(now.silent_masters.iter().map(|silent| {
                let released = silent.released_to.as_ref().zip(silent.released_at.as_ref());
                let heard = silent.heard_by.as_ref().zip(silent.heard_at.as_ref());
                match (released, heard) {
                    (Some((peer, at)), _) => format!(
                        "{} last said MASTER (its logs end {}), then released it: {peer} \
                         received its priority 0 at {at} (a stop or FAULT its logs do not show)",
                        silent.node, silent.last_seen
                    ),
                    // Heard from after its logs end, named: it is MASTER again, as said.
                    _ if heard_node == Some(silent.node.as_str()) => format!(
                        "{} last said MASTER in its own logs (they end {})",
                        silent.node, silent.last_seen
                    ),
                    // Heard from after its logs end: the MASTER then may be this node, back.
                    _ if now
                        .heard_master
                        .as_ref()
                        .is_some_and(|heard| heard.at > silent.last_seen) =>
                    {
                        format!(
                            "{} last said MASTER (its logs end {}); whether it is the MASTER heard since is not in them",
                            silent.node, silent.last_seen
                        )
                    }
                    (None, Some((by, at))) => format!(
                        "{node} last said MASTER (its logs end {}); {by} heard a MASTER's adverts \
                         until {at}, most likely {node}'s (it was running then)",
                        silent.last_seen,
                        node = silent.node
                    ),
                    (None, None) => format!(
                        "{} last said MASTER where its logs end ({}): whether it went down \
                         then or only its excerpt ends there, they do not say",
                        silent.node, silent.last_seen
                    ),
                }
            }))
            .collect(),
        one_side,
    }
}

/// A node in FAULT whose logs end moments after an interface came up or a reload began.
fn leaving_fault(node: &str, state: &str, leaving: &LeavingFaultRecord) -> String {
    let clock = &leaving.at;
    match (leaving.change, &leaving.interface) {
        ("reload", _) => format!(
            "{node} {state}, then keepalived began a reload at {clock} where its logs end: \
             whether the instance left {state} after it, they do not say"
        ),
        // keepalived 1.x writes it as the instance leaves FAULT.
        ("fault-cleared", interface) => format!(
            "{node} left {state} at {clock} ({} up) where its logs end: its state after \
             (BACKUP, or a takeover) they do not show",
            interface.as_deref().unwrap_or("its interfaces")
        ),
        (_, interface) => format!(
            "{node} {state}, but keepalived saw {} come up at {clock} where its logs end: if \
             that was all that held it in {state}, it leaves it then (for BACKUP, or MASTER if \
             it wins), which they do not show",
            interface.as_deref().unwrap_or("an interface")
        ),
    }
}

/// A node's DRBD role and ESC services now ("DRBD Primary (Connected)", "ESC services running"),
/// where the bundle shows them.
pub fn node_now(node: &NodeRecord) -> Vec<String> {
    let mut parts = Vec::new();
    if let Some(drbd) = drbd_now(node) {
        parts.push(format!("DRBD {drbd}"));
    }
    if let Some(services) = &node.esc_services {
        parts.push(format!("ESC services {services}"));
    }
    parts
}

/// A node's DRBD role and connection now ("Primary (Connected)"); a connection the lines give
/// without the role, said as the last one logged (an excerpt cut in a moment's state, `Timeout`,
/// is not known to be the state now). None where neither is known.
pub fn drbd_now(node: &NodeRecord) -> Option<String> {
    // The disks and the peer, where the lines say them: `Secondary (Connected, disk Outdated,
    // peer Primary, peer disk UpToDate)`.
    let mut parts: Vec<String> = node.drbd_connection.iter().cloned().collect();
    parts.extend(node.drbd_disk.iter().map(|disk| format!("disk {disk}")));
    // A peer `Unknown` / `DUnknown` says only that it is not connected, which the connection
    // says.
    let peer_role = node
        .drbd_peer_role
        .as_ref()
        .filter(|role| *role != "Unknown");
    let peer_disk = node
        .drbd_peer_disk
        .as_ref()
        .filter(|disk| *disk != "DUnknown");
    parts.extend(peer_role.map(|role| format!("peer {role}")));
    parts.extend(peer_disk.map(|disk| format!("peer disk {disk}")));
    let more = node.drbd_disk.is_some() || peer_role.is_some() || peer_disk.is_some();
    match (&node.drbd_role, parts.is_empty()) {
        (Some(role), true) => Some(role.clone()),
        (Some(role), false) => Some(format!("{role} ({})", parts.join(", "))),
        (None, _) if !more => node
            .drbd_connection
            .as_ref()
            .map(|connection| format!("role not logged (connection last logged {connection})")),
        (None, true) => None,
        (None, false) => Some(format!("role not logged ({})", parts.join(", "))),
    }
}

/// What could not be checked, or only in part: missing logs, reading warnings, skipped rules.
pub fn not_checked(report: &Report) -> Vec<String> {
    report
        .coverage
        .blind_intervals
        .iter()
        .filter(|blind| blind.reason != "quiet")
        .map(|blind| {
            format!(
                "{} of {} from {} to {} ({})",
                crate::timeline::state::blind_lacks(&blind.reason),
                blind.node,
                blind.start.as_deref().unwrap_or("the start"),
                blind.end.as_deref().unwrap_or("the end"),
                blind.reason
            )
        })
        .chain(report.coverage.warnings.iter().map(|warning| {
            let place = match (&warning.node, &warning.file, warning.line) {
                (Some(node), Some(file), Some(line)) => format!("{node} {file}:{line}: "),
                (Some(node), Some(file), None) => format!("{node} {file}: "),
                (Some(node), None, _) => format!("{node}: "),
                (None, Some(file), _) => format!("{file}: "),
                _ => String::new(),
            };
            format!("{place}{}", warning.message)
        }))
        .chain(
            report
                .coverage
                .rule_errors
                .iter()
                .map(|error| format!("rule skipped: {error}")),
        )
        .collect()
}

/// A span of time on the report's clock: "15:53:07 – 15:53:12", "from ...", "until ...", one
/// instant, or nothing.
pub fn span(start: &Option<String>, end: &Option<String>, dated: bool) -> String {
    let show = |value: &Option<String>| {
        value
            .as_deref()
            .and_then(parse_rfc3339)
            .map(|time| format_clock(time, dated))
    };
    match (show(start), show(end)) {
        (Some(start), Some(end)) if start == end => start,
        (Some(start), Some(end)) => format!("{start} – {end}"),
        (Some(start), None) => format!("from {start}"),
        (None, Some(end)) => format!("until {end}"),
        (None, None) => String::new(),
    }
}

/// The explanation and remedy a report shows for a finding: its own, or for one that repeats an
/// earlier finding's word for word (the same rule on the same node at another time: a forced
/// election an hour later), a line pointing to that finding and no remedy: the report says such
/// words once.
pub struct ShownWords<'a> {
    pub explanation: std::borrow::Cow<'a, str>,
    pub remedy: &'a str,
}

/// [`ShownWords`] of each finding, in order.
pub fn shown_words(findings: &[FindingRecord]) -> Vec<ShownWords<'_>> {
    findings
        .iter()
        .enumerate()
        .map(|(index, finding)| {
            let earlier = findings[..index].iter().find(|earlier| {
                earlier.rule == finding.rule
                    && !finding.explanation.is_empty()
                    && earlier.explanation == finding.explanation
                    && earlier.remedy == finding.remedy
            });
            match earlier {
                Some(earlier) => ShownWords {
                    explanation: same_words_as(finding, earlier).into(),
                    remedy: "",
                },
                None => ShownWords {
                    explanation: finding.explanation.as_str().into(),
                    remedy: &finding.remedy,
                },
            }
        })
        .collect()
}

/// What a finding that repeats `earlier`'s words says instead of them.
fn same_words_as(finding: &FindingRecord, earlier: &FindingRecord) -> String {
    if finding.title == earlier.title {
        return "Again: the explanation and remedy of the finding of the same title above hold here word for word.".to_string();
    }
    format!(
        "The same as \u{201c}{}\u{201d} above, again: its explanation and remedy hold here word for word.",
        earlier.title
    )
}

/// A finding's facts under its title: its span, its nodes, its cause.
pub fn finding_facts(finding: &FindingRecord, dated: bool) -> Vec<String> {
    let mut facts = Vec::new();
    let span = span(&finding.start, &finding.end, dated);
    if !span.is_empty() {
        facts.push(span);
    }
    if !finding.nodes.is_empty() {
        facts.push(finding.nodes.join(", "));
    }
    if let Some(cause) = &finding.cause {
        facts.push(format!("cause: {cause}"));
    }
    facts
}

/// What was read: "10 files, 158 lines (16 unrecognised), 82 events read." and, when the event
/// budget kept a sample, how many of them the analysis kept.
pub fn coverage_sentence(report: &Report) -> String {
    let coverage = &report.coverage;
    let kept = match coverage.events_kept {
        Some(kept) => format!(" ({kept} kept, a sample: see \"Not checked\")"),
        None => String::new(),
    };
    format!(
        "{}, {} ({} unrecognised), {} read{kept}.",
        counted(coverage.files.len() as u64, "file"),
        counted(coverage.lines, "line"),
        coverage.unrecognised_lines,
        counted(coverage.events as u64, "event")
    )
}

/// A count and its noun, plural unless the count is one: "1 file", "2 files".
pub fn counted(count: u64, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// What the report says when it shows no finding: none at all, or none left at the severity
/// `--min-severity` asked for (and how many it left out).
pub fn no_findings(report: &Report) -> String {
    match report.left_out.findings {
        0 => "No findings.".to_string(),
        left_out => format!(
            "No findings at {} or above ({} below it left out by --min-severity).",
            report.left_out.below,
            counted(left_out as u64, "finding")
        ),
    }
}
