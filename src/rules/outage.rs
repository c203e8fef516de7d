//! Stretches in which no node of the input was MASTER of a VRRP instance while every node's
//! state is known (each in BACKUP, FAULT or stopped, its logs covering the whole stretch): the
//! VIP was held by none of them, which a failover that completes in seconds never shows. Such a
//! stretch begins where the last MASTER went to FAULT or stopped (a MASTER yields only to a
//! better one), and no node heard a MASTER's advert during it.

use chrono::{DateTime, Duration, Utc};

use crate::sources::events;
use crate::timeline::Timeline;
use crate::timeline::state::{Role, States};

/// A stretch no shorter than this without a MASTER is an outage (a takeover by timeout leaves
/// about three advert intervals without one, a start-up election as long).
pub const OUTAGE_MIN_S: i64 = 10;

/// A stretch without a MASTER of one instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Outage {
    pub instance: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The nodes whose states make it (every node of the instance in the input).
    pub nodes: Vec<String>,
    /// Where it ends because a node's logs end, not because a node entered MASTER: that node (it
    /// lasted until then at least).
    pub logs_end_of: Option<String>,
}

/// Every outage of every instance that two nodes or more of the input hold, that ends in the
/// logs (one still open at their end is the `now:` line's `no MASTER`).
pub fn outages(states: &States, timeline: &Timeline) -> Vec<Outage> {
    let mut instances: Vec<&str> = states
        .intervals
        .iter()
        .map(|interval| interval.instance.as_str())
        .collect();
    instances.sort_unstable();
    instances.dedup();
    let mut found = Vec::new();
    for instance in instances {
        let intervals: Vec<_> = states
            .intervals
            .iter()
            .filter(|interval| interval.instance == instance)
            .collect();
        let mut nodes: Vec<&str> = intervals
            .iter()
            .map(|interval| interval.node.as_str())
            .collect();
        nodes.sort_unstable();
        nodes.dedup();
        if nodes.len() < 2 {
            continue;
        }
        let mut bounds: Vec<DateTime<Utc>> = intervals
            .iter()
            .flat_map(|interval| [interval.start, interval.end])
            .flatten()
            .collect();
        bounds.sort_unstable();
        bounds.dedup();
        // Each node's logs' first and last dated line (read once: every stretch asks).
        let spans: Vec<_> = nodes
            .iter()
            .map(|node| (timeline.seen_from(node), timeline.seen_until(node)))
            .collect();
        let covers = |from: DateTime<Utc>, to: DateTime<Utc>| {
            spans.iter().all(|(first, last)| {
                first.is_some_and(|first| first <= from) && last.is_some_and(|last| to <= last)
            })
        };
        // Whether at `at` every node is known and none MASTER: each in an interval of a known
        // state other than MASTER, within its logs, and none of its logs missing.
        let masterless_at = |at: DateTime<Utc>| {
            covers(at, at)
                && nodes.iter().all(|node| {
                    let role = states.role_at(node, Some(instance), at);
                    let unseen = states.blind.iter().any(|blind| {
                        blind.node == *node
                            && blind.reason != "quiet"
                            && blind.start.is_none_or(|start| start <= at)
                            && blind.end.is_none_or(|end| at <= end)
                    });
                    !unseen && matches!(role, Some(Role::Backup | Role::Fault | Role::Stop))
                })
        };
        // A stretch that ends where a node enters MASTER at the last bound closes there too.
        let last_bound = bounds.last().copied();
        let closing_entry = last_bound.filter(|last| {
            intervals
                .iter()
                .any(|interval| interval.role == Role::Master && interval.start == Some(*last))
        });
        if let Some(last) = closing_entry {
            bounds.push(last + Duration::seconds(1));
        }
        let mut open: Option<DateTime<Utc>> = None;
        for pair in bounds.windows(2) {
            let (from, to) = (pair[0], pair[1]);
            let middle = from + (to - from) / 2;
            let masterless = masterless_at(middle) && Some(from) != closing_entry;
            match (masterless, open) {
                (true, None) => open = Some(from),
                (false, Some(start)) => {
                    // Checked in order of cost, the short stretches (every failover has one)
                    // stopping at the first.
                    let long_enough = from - start >= Duration::seconds(OUTAGE_MIN_S);
                    // The last MASTER left for FAULT or a stop, not to yield to another; or a
                    // node whose state before is not known entered FAULT or stopped (a restart
                    // into FAULT: what it held before, it holds no more).
                    let opened_by_a_fault = || {
                        states.transitions.iter().any(|transition| {
                            transition.instance == instance
                                && transition.time == start
                                && opens_an_outage(transition.from, transition.to)
                        })
                    };
                    // A node BACKUP for longer than a master-down timer within it was hearing a
                    // MASTER (one whose logs are not here): not an outage.
                    let waited = || {
                        intervals.iter().any(|interval| {
                            interval.role == Role::Backup && {
                                let held_from = interval.start.map_or(start, |at| at.max(start));
                                let held_to = interval.end.map_or(from, |at| at.min(from));
                                held_to - held_from >= Duration::seconds(OUTAGE_MIN_S)
                            }
                        })
                    };
                    // No node heard a MASTER meanwhile (one whose logs are not here, or are
                    // silent).
                    let master_heard = || {
                        timeline.events.iter().any(|event| {
                            event.field("instance") == Some(instance)
                                && event.time.is_some_and(|time| start < time && time < from)
                                && event.event.as_deref().is_some_and(|name| {
                                    events::ADVERTS_FROM_A_MASTER.contains(&name)
                                })
                        })
                    };
                    // Every node's logs cover the whole stretch, not only its middles.
                    if long_enough
                        && covers(start, from)
                        && opened_by_a_fault()
                        && !waited()
                        && !master_heard()
                    {
                        // Ended by a node's logs ending (the stretch after is not known), not by
                        // a MASTER.
                        // (It lasted until that node's last line: no state changed between.)
                        let master_entered = intervals.iter().any(|interval| {
                            interval.role == Role::Master && interval.start == Some(from)
                        });
                        let logs_end = nodes
                            .iter()
                            .zip(&spans)
                            .filter_map(|(node, (_, last))| Some((node, (*last)?)))
                            .filter(|(_, last)| !master_entered && *last < middle)
                            .min_by_key(|(_, last)| *last);
                        let logs_end_of = logs_end.map(|(node, _)| node.to_string());
                        let end = logs_end.map_or(from, |(_, last)| last.max(from));
                        found.push(Outage {
                            instance: instance.to_string(),
                            start,
                            end,
                            nodes: nodes.iter().map(|node| node.to_string()).collect(),
                            logs_end_of,
                        });
                    }
                    open = None;
                }
                _ => {}
            }
        }
    }
    found
}

/// Whether a change can open a stretch without a MASTER: into FAULT or a stop, from MASTER or from
/// a state the logs do not give (a MASTER yields to a better one, which the logs may lack).
pub fn opens_an_outage(from: Role, to: Role) -> bool {
    matches!(from, Role::Master | Role::Unknown) && matches!(to, Role::Fault | Role::Stop)
}

/// How long an outage lasted, for people: `48 s`, `4 min 8 s`, `2 h 5 min`.
pub fn lasted(start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    let seconds = (end - start).num_seconds().max(0);
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{} min {} s", seconds / 60, seconds % 60),
        _ => format!("{} h {} min", seconds / 3600, seconds % 3600 / 60),
    }
}

/// The sentence a finding gives an outage that one of its transitions opened.
pub fn sentence(outage: &Outage, time: &dyn Fn(DateTime<Utc>) -> String) -> String {
    let holders = match outage.nodes.as_slice() {
        [one, other] => format!("neither {one} nor {other} held the VIP"),
        nodes => format!("none of {} held the VIP", nodes.join(", ")),
    };
    match &outage.logs_end_of {
        Some(node) => format!(
            "No node of these logs was MASTER of {} from {} to {} at least ({}; {node}'s logs end then, so how long after is not known): {holders}, as far as their logs show.",
            outage.instance,
            time(outage.start),
            time(outage.end),
            lasted(outage.start, outage.end)
        ),
        None => format!(
            "No node of these logs was MASTER of {} from {} to {} ({}): {holders}, as far as their logs show.",
            outage.instance,
            time(outage.start),
            time(outage.end),
            lasted(outage.start, outage.end)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn durations_read_as_people_say_them() {
        let at = |seconds: i64| Utc.timestamp_opt(1_700_000_000 + seconds, 0).unwrap();
        assert_eq!(lasted(at(0), at(48)), "48 s");
        assert_eq!(lasted(at(0), at(248)), "4 min 8 s");
        assert_eq!(lasted(at(0), at(7500)), "2 h 5 min");
    }
}
