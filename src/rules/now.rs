//! The state at the end of the evidence: per VRRP instance who is MASTER, BACKUP or otherwise,
//! and which masters went silent; and from it the node whose data survives a DRBD split-brain.

use chrono::{DateTime, Utc};

use crate::timeline::Timeline;
use crate::timeline::state::{Role, States};

/// The state of one VRRP instance at the end of the evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceNow {
    pub instance: String,
    pub masters: Vec<String>,
    pub backups: Vec<String>,
    /// Nodes in FAULT, STOP or an unknown state.
    pub others: Vec<(String, Role)>,
    /// Nodes whose last word was MASTER but whose logs end before another node took over since:
    /// dead or hung, their state now unknown (with their last line's time).
    pub silent_masters: Vec<(String, DateTime<Utc>)>,
}

/// Who held which state of each instance at the end of the evidence.
pub fn state_now(timeline: &Timeline, states: &States) -> Vec<InstanceNow> {
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
            };
            let last_line = |node: &str| {
                timeline
                    .files
                    .iter()
                    .filter(|file| file.node == node)
                    .filter_map(|file| file.last)
                    .max()
            };
            for node in &timeline.nodes {
                match states.role_at_end(&node.name, instance) {
                    Role::Master => {
                        let last = last_line(&node.name);
                        let overtaken = states.transitions.iter().any(|transition| {
                            transition.instance == *instance
                                && transition.node != node.name
                                && transition.to == Role::Master
                                && last.is_some_and(|last| transition.time > last)
                        });
                        match last {
                            Some(last) if overtaken => {
                                now.silent_masters.push((node.name.clone(), last))
                            }
                            _ => now.masters.push(node.name.clone()),
                        }
                    }
                    Role::Backup => now.backups.push(node.name.clone()),
                    role => now.others.push((node.name.clone(), role)),
                }
            }
            now
        })
        .collect()
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
