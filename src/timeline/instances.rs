//! One virtual router under different instance names: where each node names its vrrp_instance
//! differently (`VI_100` on one, `VI_101` on the other) but both claim the same VIP, their events
//! are given one instance name (`VI_100/VI_101`), so that states, windows and causes pair them as
//! the one router they are. The name each node logged stays in the event's `instance_logged`.

use std::collections::{BTreeMap, BTreeSet};

use crate::bundle::Warning;
use crate::sources::event::Event;
use crate::sources::events;

use super::vips::claimed_vips;

/// The field that keeps the instance name a node logged when its events were renamed.
pub const INSTANCE_LOGGED_FIELD: &str = "instance_logged";

/// What ties one node's instance to a router: the VIPs it claimed (gratuitous ARPs it sent for
/// them, keepalived.conf's `virtual_ipaddress`) and its VRID when its configuration is known.
#[derive(Default)]
struct Claims {
    vips: BTreeSet<String>,
    vrids: BTreeSet<String>,
}

/// Renames the instances of a router that the nodes name differently (see the module's text) and
/// says so in `warnings`. Two instances of different nodes are one router when they claim a
/// common VIP, neither name is used on the other's node, and their VRIDs, where both are
/// configured, agree; a group that would hold two instances of one node is left as it is.
/// `nodes` gives the order names are joined in.
pub fn pair_renamed_instances(events: &mut [Event], nodes: &[String], warnings: &mut Vec<Warning>) {
    let mut names: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut claims: BTreeMap<(&str, &str), Claims> = BTreeMap::new();
    for event in events.iter() {
        let Some(instance) = event.field("instance") else {
            continue;
        };
        names.entry(&event.node).or_default().insert(instance);
        let claim = match event.event.as_deref() {
            Some(events::GRATUITOUS_ARP | events::VRRP_CONFIG | events::VRRP_CONFIG_LOGGED) => {
                claims.entry((&event.node, instance)).or_default()
            }
            _ => continue,
        };
        claim.vips.extend(claimed_vips(event));
        claim.vrids.extend(event.field("vrid").map(str::to_string));
    }
    if names.len() < 2 {
        return;
    }

    // Union-find over the claiming instances.
    let keys: Vec<(&str, &str)> = claims.keys().copied().collect();
    let mut parent: Vec<usize> = (0..keys.len()).collect();
    fn root(parent: &mut [usize], mut index: usize) -> usize {
        while parent[index] != index {
            parent[index] = parent[parent[index]];
            index = parent[index];
        }
        index
    }
    let mut shared: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    for (first, &(node, instance)) in keys.iter().enumerate() {
        for (second, &(other_node, other_instance)) in keys.iter().enumerate().skip(first + 1) {
            if node == other_node
                || instance == other_instance
                || names[other_node].contains(instance)
                || names[node].contains(other_instance)
            {
                continue;
            }
            let (one, two) = (&claims[&keys[first]], &claims[&keys[second]]);
            let common: BTreeSet<String> = one.vips.intersection(&two.vips).cloned().collect();
            let vrids_differ =
                !one.vrids.is_empty() && !two.vrids.is_empty() && one.vrids.is_disjoint(&two.vrids);
            if common.is_empty() || vrids_differ {
                continue;
            }
            let (a, b) = (root(&mut parent, first), root(&mut parent, second));
            if a != b {
                parent[b] = a;
                let moved = shared.remove(&b).unwrap_or_default();
                shared.entry(a).or_default().extend(moved);
            }
            shared.entry(a).or_default().extend(common);
        }
    }

    let mut groups: BTreeMap<usize, Vec<(&str, &str)>> = BTreeMap::new();
    for (index, key) in keys.iter().enumerate() {
        let group = root(&mut parent, index);
        groups.entry(group).or_default().push(*key);
    }
    let position = |node: &str| {
        nodes
            .iter()
            .position(|known| known == node)
            .unwrap_or(usize::MAX)
    };
    let mut renamed: BTreeMap<(String, String), String> = BTreeMap::new();
    for (group, mut members) in groups {
        let distinct_nodes: BTreeSet<&str> = members.iter().map(|(node, _)| *node).collect();
        if members.len() < 2 || distinct_nodes.len() != members.len() {
            continue;
        }
        members.sort_by_key(|(node, instance)| (position(node), *node, *instance));
        let mut joined: Vec<&str> = Vec::new();
        for (_, instance) in &members {
            if !joined.contains(instance) {
                joined.push(instance);
            }
        }
        let name = joined.join("/");
        let addresses: Vec<String> = shared.get(&group).into_iter().flatten().cloned().collect();
        let who: Vec<String> = members
            .iter()
            .map(|(node, instance)| format!("{node}'s {instance}"))
            .collect();
        warnings.push(Warning {
            node: None,
            file: None,
            line: None,
            message: format!(
                "{} are read as one virtual router, {name}: the nodes name their instances differently, and {} claim {} {}",
                list_phrase(&who),
                if members.len() == 2 { "both" } else { "all" },
                if addresses.len() == 1 { "VIP" } else { "VIPs" },
                list_phrase(&addresses)
            ),
        });
        for (node, instance) in members {
            renamed.insert((node.to_string(), instance.to_string()), name.clone());
        }
    }
    if renamed.is_empty() {
        return;
    }
    for event in events.iter_mut() {
        let Some(instance) = event.field("instance") else {
            continue;
        };
        if let Some(name) = renamed.get(&(event.node.to_string(), instance.to_string())) {
            let logged = instance.to_string();
            event.fields.insert("instance", name.as_str());
            event.fields.insert(INSTANCE_LOGGED_FIELD, logged);
        }
    }
}

/// `a`, `a and b`, `a, b and c`.
fn list_phrase(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
