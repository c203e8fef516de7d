//! The state at the end of the evidence: per VRRP instance who is MASTER, BACKUP or otherwise,
//! and which masters went silent; and from it the node whose data survives a DRBD split-brain.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};

use crate::sources::events;
use crate::timeline::Timeline;
use crate::timeline::state::{Role, States};

/// A node whose last word was MASTER but whose logs end before another node took over.
#[derive(Debug, Clone, PartialEq)]
pub struct SilentMaster {
    pub node: String,
    /// Its last log line.
    pub last_seen: DateTime<Utc>,
    /// A peer that received a priority-0 advert after that line, and when: the silent master
    /// released the VIP (a stop or FAULT its own logs do not show), it did not hang.
    pub released: Option<(String, DateTime<Utc>)>,
    /// Where the pair's only other node heard its adverts after that line (a MASTER's advert it
    /// yielded to or discarded), that node and the last time: it was running then, not dead.
    pub heard: Option<(String, DateTime<Utc>)>,
}

/// A MASTER heard after every takeover the logs show, none of the logs' nodes being MASTER at
/// the end: a node of the logs yielded to its advert. It is a node whose logs end earlier (back
/// after a restart they do not show) or one not in the logs.
#[derive(Debug, Clone, PartialEq)]
pub struct HeardMaster {
    /// The node that received the advert, and when.
    pub receiver: String,
    pub at: DateTime<Utc>,
    /// The advert's sender address, where the line names it.
    pub sender: Option<String>,
    /// The node that sent it, as the findings name an advert's sender, and how; filled in by the
    /// rules engine.
    pub sender_node: Option<(String, SenderBasis)>,
    /// The advert's event in the timeline.
    pub advert: usize,
    /// The receiver was a BACKUP that discarded it as of lower priority than its own (2.x, with
    /// preemption on: it takes over when its master-down timer runs out), not one that yielded.
    pub discarded: bool,
}

/// How an advert's sender was named as a node.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SenderBasis {
    /// The advert's address is known to be the node's (manifest, captures, configuration, a host
    /// name that embeds it).
    Address,
    /// The node is the input's only other one, none of whose addresses is known: an inference.
    OnlyOtherNode,
}

impl SenderBasis {
    /// As the JSON report writes it (`sender_node_basis`).
    pub fn name(self) -> &'static str {
        match self {
            SenderBasis::Address => "address",
            SenderBasis::OnlyOtherNode => "only-other-node",
        }
    }
}

/// The state of one VRRP instance at the end of the evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceNow {
    pub instance: String,
    pub masters: Vec<String>,
    pub backups: Vec<String>,
    /// Nodes in FAULT, STOP or an unknown state.
    pub others: Vec<(String, Role)>,
    /// Nodes whose last word was MASTER but whose logs end before another node took over since:
    /// dead or hung (or, where a peer received their priority-0 advert, stopped or in FAULT),
    /// their state now unknown.
    pub silent_masters: Vec<SilentMaster>,
    /// Nodes none of whose lines carries a date (listed in `others` as unknown), with the last
    /// state their lines of the instance say (`States::undated`): their last word, not placed in
    /// time against the other nodes', so not counted as master or standby now.
    pub undated_last: Vec<(String, Role)>,
    /// Nodes whose last word was BACKUP but whose logs end before another node left MASTER with
    /// none taking over since, with their last line: a BACKUP still running would have taken
    /// over; what they did is not in the logs, so they are not counted as standby now.
    pub stale_backups: Vec<(String, DateTime<Utc>)>,
    /// Nodes whose logs end in a keepalived 1.x `Transition to MASTER STATE` or 2.x `Receive
    /// advertisement timeout` of the instance with no state line after it, and when: a takeover
    /// begun, whose end is not in the logs.
    pub taking_over: Vec<(String, DateTime<Utc>)>,
    /// Nodes in FAULT at the end whose logs end moments after keepalived saw an interface come
    /// back up or began a reload, with no state line of the instance after it: FAULT is left, or
    /// weighed again, past the end of the logs.
    pub leaving_fault: Vec<LeavingFault>,
    /// Where no node of the logs is MASTER at the end: the last advert of a MASTER a node of the
    /// logs yielded to after every takeover they show.
    pub heard_master: Option<HeardMaster>,
}

/// What a node in FAULT did last, where its logs end moments after.
#[derive(Debug, Clone, PartialEq)]
pub struct LeavingFault {
    pub node: String,
    pub at: DateTime<Utc>,
    /// `fault-cleared` (1.x `Kernel is reporting: interface X UP`, written as the instance leaves
    /// FAULT), `interface-up` (2.x `Netlink reports X up`) or `reload`.
    pub change: &'static str,
    /// The interface that came up, where the line names it.
    pub interface: Option<String>,
}

/// Who held which state of each instance at the end of the evidence.
pub fn state_now(timeline: &Timeline, states: &States) -> Vec<InstanceNow> {
    let unfinished: Vec<(&str, &str, DateTime<Utc>)> = timeline
        .nodes
        .iter()
        .flat_map(|node| transitions_unfinished(timeline, &node.name))
        .collect();
    states
        .instances
        .iter()
        .map(|instance| {
            let mut now = InstanceNow {
                instance: instance.clone(),
                masters: Vec::new(),
                backups: Vec::new(),
                others: Vec::new(),
                silent_masters: Vec::new(),
                undated_last: Vec::new(),
                stale_backups: Vec::new(),
                taking_over: Vec::new(),
                leaving_fault: Vec::new(),
                heard_master: None,
            };
            let last_line = |node: &str| timeline.last_line(node);
            for node in &timeline.nodes {
                match states.role_at_end(&node.name, instance) {
                    Role::Master => {
                        let last = last_line(&node.name);
                        // Another node became MASTER, or is first shown MASTER (a line it
                        // writes only as MASTER, in an excerpt that begins then), after it.
                        let overtaken = states.transitions.iter().any(|transition| {
                            transition.instance == *instance
                                && transition.node != node.name
                                && transition.to == Role::Master
                                && last.is_some_and(|last| transition.time > last)
                        }) || (!advertised_after(
                            timeline, &node.name, instance, last,
                        ) && states.intervals.iter().any(|interval| {
                            interval.instance == *instance
                                && interval.node != node.name
                                && interval.role == Role::Master
                                && interval.end.is_none()
                                && interval
                                    .start
                                    .or(interval.proven_from)
                                    .zip(last)
                                    .is_some_and(|(shown, last)| shown > last)
                        }));
                        match last {
                            Some(last) if overtaken => now.silent_masters.push(SilentMaster {
                                node: node.name.clone(),
                                last_seen: last,
                                released: timeline
                                    .priority_zero_after(&node.name, instance, last)
                                    .map(|(receiver, at)| (receiver.to_string(), at)),
                                heard: heard_after(timeline, states, &node.name, instance, last),
                            }),
                            _ => now.masters.push(node.name.clone()),
                        }
                    }
                    Role::Backup => {
                        let last = last_line(&node.name);
                        // Another node left MASTER after its last line and none took over
                        // since: a BACKUP still running would have; its logs do not say.
                        let changed_since = |last: DateTime<Utc>| {
                            let others = || {
                                states.transitions.iter().filter(|transition| {
                                    transition.instance == *instance
                                        && transition.node != node.name
                                        && transition.time > last
                                })
                            };
                            others()
                                .filter(|transition| transition.from == Role::Master)
                                .map(|transition| transition.time)
                                .max()
                                .is_some_and(|left| {
                                    !others().any(|transition| {
                                        transition.to == Role::Master && transition.time >= left
                                    })
                                })
                        };
                        match last {
                            Some(last) if changed_since(last) => {
                                now.stale_backups.push((node.name.clone(), last));
                            }
                            _ => now.backups.push(node.name.clone()),
                        }
                    }
                    role => {
                        if role == Role::Unknown && last_line(&node.name).is_none() {
                            let key = (node.name.clone(), instance.clone());
                            if let Some(last) =
                                states.undated.get(&key).and_then(|roles| roles.last())
                            {
                                now.undated_last.push((node.name.clone(), *last));
                            }
                        }
                        if role == Role::Fault
                            && let Some(leaving) =
                                fault_left_at_end(timeline, states, &node.name, instance)
                        {
                            now.leaving_fault.push(leaving);
                        }
                        now.others.push((node.name.clone(), role));
                    }
                }
            }
            if now.masters.is_empty() {
                now.heard_master = heard_master(timeline, states, instance);
            }
            // A takeover begun where the logs end is not a MASTER shown: a node whose state
            // is MASTER only from it (its logs open with the transition) is listed as beginning
            // it, not as MASTER.
            now.taking_over = unfinished
                .iter()
                .filter(|(_, of, _)| of == instance)
                .map(|(node, _, at)| (node.to_string(), *at))
                .collect();
            let begun = |node: &String| now.taking_over.iter().any(|(taking, _)| taking == node);
            now.masters.retain(|master| !begun(master));
            now.backups.retain(|backup| !begun(backup));
            now
        })
        .collect()
}

/// Whether `node` began a takeover of `instance` at `at` that the logs end in (`taking_over`):
/// the headline and the Roles line say it was begun, not that the node became MASTER.
pub fn takeover_begun_at(
    now: &[InstanceNow],
    node: &str,
    instance: &str,
    at: Option<DateTime<Utc>>,
) -> bool {
    now.iter().any(|now| {
        now.instance == instance
            && now
                .taking_over
                .iter()
                .any(|(taker, begun)| taker == node && Some(*begun) == at)
    })
}

/// Where `node`, in FAULT of `instance` at the end, logs after its last entry into FAULT that
/// keepalived saw an interface come up (1.x `Kernel is reporting: interface X UP`, written as the
/// instance leaves FAULT; 2.x `Netlink reports X up`) or began a reload, its logs ending within
/// moments of that line with no state line of the instance after it: what follows (BACKUP, a
/// takeover, or FAULT again) is past the end of the logs.
fn fault_left_at_end(
    timeline: &Timeline,
    states: &States,
    node: &str,
    instance: &str,
) -> Option<LeavingFault> {
    let logs_end = timeline.last_line(node)?;
    let faulted = states
        .open_interval(node, instance)
        .filter(|interval| interval.role == Role::Fault)?
        .start?;
    let (index, event, kind) = timeline
        .events
        .iter()
        .enumerate()
        .filter(|(_, event)| event.node.as_ref() == node && event.kind.is_vrrp_or_daemon())
        .filter(|(_, event)| event.time.is_some_and(|at| at >= faulted))
        .filter_map(|(index, event)| {
            let change = match event.event.as_deref()? {
                events::FAULT_CLEARED => "fault-cleared",
                events::INTERFACE_UP => "interface-up",
                events::KEEPALIVED_RELOADING => "reload",
                _ => return None,
            };
            Some((index, event, change))
        })
        .next_back()?;
    let at = event.time?;
    let state_after = timeline.events[index + 1..].iter().any(|later| {
        later.node.as_ref() == node
            && matches!(
                later.event.as_deref(),
                Some(events::ENTERING_STATE | events::FAULT_REASON)
            )
            && later.field("instance") == Some(instance)
    });
    if state_after || logs_end - at > Duration::seconds(10) {
        return None;
    }
    // 1.x's line names no instance: it is this one's only where this is the node's one instance
    // in FAULT at the end.
    if kind == "fault-cleared"
        && states
            .instances
            .iter()
            .filter(|other| states.role_at_end(node, other) == Role::Fault)
            .count()
            > 1
    {
        return None;
    }
    let interface_of = |event: &crate::sources::Event| {
        [
            "interface",
            "netlink_interface",
            "added_interface",
            "deleted_interface",
        ]
        .iter()
        .find_map(|field| event.field(field))
        .map(str::to_string)
    };
    let interface = interface_of(event);
    // 2.x (1.x writes its line only as FAULT is left): a FAULT that is not an interface's, or an
    // interface seen going down around it that has not come back: one up is not all that held
    // the instance in FAULT.
    if kind == "interface-up" {
        // A FAULT whose reason is not an interface (a track script, file or process): an
        // interface coming up does not end it.
        let mut reasons = timeline
            .events
            .iter()
            .filter(|reason| {
                reason.node.as_ref() == node
                    && reason.event.as_deref() == Some(events::FAULT_REASON)
                    && reason.field("instance") == Some(instance)
                    && reason.time.is_some_and(|time| {
                        time >= faulted - Duration::seconds(1)
                            && time <= faulted + Duration::seconds(1)
                    })
            })
            .peekable();
        if reasons.peek().is_some() && reasons.all(|reason| reason.field("interface").is_none()) {
            return None;
        }
        let mut down: BTreeSet<String> = BTreeSet::new();
        for seen in timeline.events[..=index].iter().filter(|seen| {
            seen.node.as_ref() == node
                && seen
                    .time
                    .is_some_and(|time| time >= faulted - Duration::seconds(10))
        }) {
            let Some(name) = interface_of(seen) else {
                continue;
            };
            match seen.event.as_deref() {
                Some(events::INTERFACE_DOWN) => {
                    down.insert(name);
                }
                Some(events::FAULT_REASON) if seen.field("interface").is_some() => {
                    down.insert(name);
                }
                Some(events::INTERFACE_UP) => {
                    down.remove(&name);
                }
                _ => {}
            }
        }
        if !down.is_empty() {
            return None;
        }
    }
    Some(LeavingFault {
        node: node.to_string(),
        at,
        change: kind,
        interface,
    })
}

/// Where `node`'s logs end with keepalived 1.x `Transition to MASTER STATE` lines or 2.x's
/// `Receive advertisement timeout` (written as the master-down timer runs out, just before
/// `Entering MASTER STATE`; not one written again with no MASTER entry between: a sync group
/// holding the instance in BACKUP), dated: no
/// keepalived or system line of the node after them (no `Entering … STATE`, stop, reload or
/// restart; a sync group's own lines about the same move allowed), and its last line within
/// moments of them. The node, each instance and when: the takeovers they began are unfinished in
/// the logs (a sync group's members end so together).
fn transitions_unfinished<'t>(
    timeline: &'t Timeline,
    node: &'t str,
) -> Vec<(&'t str, &'t str, DateTime<Utc>)> {
    let Some(logs_end) = timeline.last_line(node) else {
        return Vec::new();
    };
    let mut unfinished: Vec<(&str, &str, DateTime<Utc>)> = Vec::new();
    for event in timeline
        .events
        .iter()
        .rev()
        .filter(|event| event.node.as_ref() == node && event.kind.is_vrrp_or_daemon())
    {
        match event.event.as_deref() {
            Some(events::TRANSITION_TO_MASTER | events::ADVERT_TIMEOUT) => {
                let (Some(at), Some(instance)) = (event.time, event.field("instance")) else {
                    break;
                };
                if logs_end - at > Duration::seconds(10) {
                    break;
                }
                let seen = unfinished.iter().any(|(_, of, _)| *of == instance);
                // A timeout line again with no MASTER entry between: the instance is held in
                // BACKUP (a sync group whose other members cannot go MASTER re-arms the timer),
                // not taking over.
                if seen && event.event.as_deref() == Some(events::ADVERT_TIMEOUT) {
                    unfinished.retain(|(_, of, _)| *of != instance);
                    break;
                }
                if !seen {
                    unfinished.push((node, instance, at));
                }
            }
            Some(events::GROUP_TRANSITION | events::GROUP_SYNC)
                if event.field("state") == Some("MASTER") => {}
            _ => break,
        }
    }
    unfinished
}

/// The last advert of a MASTER of `instance` that a node of the logs yielded to, or discarded as
/// a preempting BACKUP, at or after the last takeover the logs show (of any node): the sender held
/// the instance then (only a MASTER advertises).
fn heard_master(timeline: &Timeline, states: &States, instance: &str) -> Option<HeardMaster> {
    // The last takeover by its time, then its line (a discard logged in the takeover's second
    // before it is not after it).
    let last_takeover = states
        .transitions
        .iter()
        .filter(|transition| transition.instance == instance && transition.to == Role::Master)
        .map(|transition| (transition.time, transition.event))
        .max();
    timeline
        .events
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, event)| {
            matches!(
                event.event.as_deref(),
                Some(
                    events::HIGHER_PRIORITY_ADVERT
                        | events::SAME_PRIORITY_HIGHER_IP
                        | events::LOWER_PRIORITY_DISCARDED
                )
            ) && event.field("instance") == Some(instance)
        })
        .find_map(|(advert, event)| Some((advert, event, event.time?)))
        .filter(|(advert, _, at)| {
            last_takeover
                .is_none_or(|(taken, line)| *at > taken || (*at == taken && *advert > line))
        })
        // A priority 0 received after it: that MASTER gave the instance up since.
        .filter(|(advert, _, _)| {
            !timeline.events[advert + 1..].iter().any(|later| {
                later.event.as_deref() == Some(events::PRIORITY_ZERO_RECEIVED)
                    && later.field("instance") == Some(instance)
            })
        })
        .map(|(advert, event, at)| HeardMaster {
            receiver: event.node.to_string(),
            at,
            sender: event.field("from_ip").map(str::to_string),
            sender_node: None,
            advert,
            discarded: event.event.as_deref() == Some(events::LOWER_PRIORITY_DISCARDED),
        })
}

/// Whether another node received an advert of `instance` (not a priority-0 one) after `last`,
/// the last line of `node`, whose logs end as MASTER: in a pair, `node` was still advertising.
fn advertised_after(
    timeline: &Timeline,
    node: &str,
    instance: &str,
    last: Option<DateTime<Utc>>,
) -> bool {
    let Some(last) = last else {
        return false;
    };
    timeline.events.iter().any(|event| {
        event.node.as_ref() != node
            && event
                .event
                .as_deref()
                .is_some_and(|name| events::ADVERTS_FROM_A_MASTER.contains(&name))
            && event.field("instance") == Some(instance)
            && event.time.is_some_and(|time| time > last)
    })
}

/// The last advert of a MASTER of `instance` that the pair's other node received after `last`, the
/// last line of `node` (whose logs end as MASTER), and who received it: where the logs hold only
/// these two nodes of the instance, the sender was `node`, still running then.
fn heard_after(
    timeline: &Timeline,
    states: &States,
    node: &str,
    instance: &str,
    last: DateTime<Utc>,
) -> Option<(String, DateTime<Utc>)> {
    let mut others = states
        .transitions
        .iter()
        .filter(|transition| transition.instance == instance && transition.node != node)
        .map(|transition| transition.node.as_str());
    let other = others.next()?;
    if others.any(|name| name != other) {
        return None;
    }
    timeline
        .events
        .iter()
        .filter(|event| {
            event.node.as_ref() == other
                && event.event.as_deref().is_some_and(|name| {
                    name == events::LOWER_PRIORITY_DISCARDED
                        || events::ADVERTS_FROM_A_MASTER.contains(&name)
                })
                && event.field("instance") == Some(instance)
        })
        .filter_map(|event| event.time)
        .filter(|time| *time > last)
        .max()
        .map(|time| (other.to_string(), time))
}

/// The node ESC serves from now: the one MASTER of every instance that has one at the end of the
/// evidence (None when no single node is).
pub fn serving_node(now: &[InstanceNow]) -> Option<String> {
    let mut serving: Option<&String> = None;
    for instance in now {
        match instance.masters.as_slice() {
            [] => {}
            [one] if serving.is_none_or(|node| node == one) => serving = Some(one),
            _ => return None,
        }
    }
    serving.cloned()
}
