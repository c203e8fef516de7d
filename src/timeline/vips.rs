//! The pair's own VIPs: an address keepalived removes as it lets go of its VIPs is not an
//! interface losing its address, which would be a cause of FAULT (1.x healthcheckers write
//! `Netlink reflector reports IP ... removed` after every `removing protocol VIPs`); and the
//! instance a per-address announcement of a VIP belongs to.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Duration;

use super::state::SAME_MOMENT_MS;
use crate::sources::classifier::IMPLIED_STATE_FIELD;
use crate::sources::event::Event;
use crate::sources::events;

/// Field set on an address removal that is keepalived removing a VIP of the pair (value `yes`).
pub const KEEPALIVED_VIP_FIELD: &str = "keepalived_vip";

/// Marks every removal of an address the pair announced as a VIP (gratuitous ARPs,
/// keepalived.conf's `virtual_ipaddress`, an address added just after `setting protocol VIPs`):
/// keepalived letting go of it. Not every removal just after `removing protocol VIPs`: an
/// interface going down loses its own addresses in the same second; but where the instance
/// removing its VIPs had just entered BACKUP (it yielded; an interface lost would have put it
/// in FAULT), what is removed in that moment is its VIPs. `events` is in time order.
pub fn mark_vip_removals(events: &mut [Event]) {
    let mut vips: BTreeSet<String> = BTreeSet::new();
    let mut last_set: BTreeMap<&str, chrono::DateTime<chrono::Utc>> = BTreeMap::new();
    // Each node's instances' last state entered, and when; the moments a node let go of an
    // instance's VIPs as that instance entered BACKUP (yielded: no interface was lost).
    let mut entered: BTreeMap<(&str, &str), (chrono::DateTime<chrono::Utc>, &str)> =
        BTreeMap::new();
    let mut yielded: Vec<(&str, chrono::DateTime<chrono::Utc>)> = Vec::new();
    for event in events.iter() {
        match event.event.as_deref() {
            Some(events::ENTERING_STATE) => {
                if let (Some(time), Some(instance), Some(state)) =
                    (event.time, event.field("instance"), event.field("state"))
                {
                    entered.insert((&event.node, instance), (time, state));
                }
            }
            Some(events::VIPS_REMOVED) => {
                if let (Some(time), Some(instance)) = (event.time, event.field("instance"))
                    && let Some((since, "BACKUP")) = entered.get(&(event.node.as_ref(), instance))
                    && within_moment(*since, time)
                {
                    yielded.push((&event.node, time));
                }
            }
            Some(events::GRATUITOUS_ARP | events::VRRP_CONFIG | events::VRRP_CONFIG_LOGGED) => {
                vips.extend(claimed_vips(event))
            }
            Some(events::VIPS_SET) => {
                if let Some(time) = event.time {
                    last_set.insert(&event.node, time);
                }
            }
            Some(events::ADDRESS_ADDED) => {
                if let (Some(time), Some(set)) = (event.time, last_set.get(event.node.as_ref()))
                    && within_moment(*set, time)
                {
                    vips.extend(address_of(event).map(bare_address));
                }
            }
            _ => {}
        }
    }
    let yielded: Vec<(String, chrono::DateTime<chrono::Utc>)> = yielded
        .into_iter()
        .map(|(node, time)| (node.to_string(), time))
        .collect();
    for event in events.iter_mut() {
        if event.event.as_deref() != Some(events::ADDRESS_REMOVED) {
            continue;
        }
        let announced = address_of(event)
            .map(bare_address)
            .is_some_and(|address| vips.contains(&address));
        // (The yields are in time order: only those of the moment before are looked at.)
        let after_a_yield = event.time.is_some_and(|time| {
            let first = yielded.partition_point(|(_, at)| !within_moment(*at, time) && *at < time);
            yielded[first..]
                .iter()
                .take_while(|(_, at)| *at <= time)
                .any(|(node, at)| *node == *event.node && within_moment(*at, time))
        });
        if announced || after_a_yield {
            event.fields.insert(KEEPALIVED_VIP_FIELD, "yes");
        }
    }
}

/// Gives a gratuitous ARP (or unsolicited neighbour advert) line that names no instance (1.x's
/// per-address `Sending gratuitous ARP on eth0 for X`) the instance that announces that address:
/// the one instance of its node whose own announcements or configuration claim it, or, where
/// none of the node's announcements names an instance, the only instance the input names at
/// all. Such a line then proves that instance MASTER, as the instance's own announcement does
/// (only a MASTER sends them). Run once instance names are final.
pub fn attribute_vip_announcements(events: &mut [Event]) {
    let mut claimed: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    let mut named: BTreeSet<&str> = BTreeSet::new();
    for event in events.iter() {
        let Some(instance) = event.field("instance") else {
            continue;
        };
        named.insert(instance);
        for address in claimed_vips(event) {
            claimed
                .entry((event.node.to_string(), address))
                .or_default()
                .insert(instance.to_string());
        }
    }
    let claiming: BTreeSet<String> = claimed.keys().map(|(node, _)| node.clone()).collect();
    let only = match named.len() {
        1 => named.first().map(|instance| instance.to_string()),
        _ => None,
    };
    for event in events.iter_mut() {
        if event.event.as_deref() != Some(events::GRATUITOUS_ARP)
            || event.field("instance").is_some()
        {
            continue;
        }
        let Some(address) = event.field("address").map(bare_address) else {
            continue;
        };
        let instance = match claimed.get(&(event.node.to_string(), address)) {
            Some(instances) if instances.len() == 1 => instances.first().cloned(),
            Some(_) => None,
            // An address no announcement of the node claims is another instance's where the
            // node's instances announce addresses of their own (ones its logs do not name).
            None if !claiming.contains(event.node.as_ref()) => only.clone(),
            None => None,
        };
        if let Some(instance) = instance {
            event.fields.insert("instance", instance);
            event.fields.insert(IMPLIED_STATE_FIELD, "MASTER");
        }
    }
}

fn within_moment(
    earlier: chrono::DateTime<chrono::Utc>,
    later: chrono::DateTime<chrono::Utc>,
) -> bool {
    let gap = later - earlier;
    gap >= Duration::zero() && gap.num_milliseconds() <= SAME_MOMENT_MS
}

/// The VIPs an event claims: the address a gratuitous ARP is sent for, keepalived.conf's
/// `virtual_ipaddress` list (the addresses without their prefix lengths).
pub fn claimed_vips(event: &Event) -> impl Iterator<Item = String> + '_ {
    let sent_for = match event.event.as_deref() {
        Some(events::GRATUITOUS_ARP) => event.field("address"),
        _ => None,
    };
    let configured = match event.event.as_deref() {
        Some(events::VRRP_CONFIG | events::VRRP_CONFIG_LOGGED) => event.field("vips"),
        _ => None,
    };
    sent_for
        .into_iter()
        .chain(
            configured
                .into_iter()
                .flat_map(|list| list.split([' ', ',']))
                .filter(|address| !address.is_empty()),
        )
        .map(bare_address)
}

/// The address a line names (2.x `Assigned address X`, 1.x `Netlink reflector reports IP X`).
fn address_of(event: &Event) -> Option<&str> {
    event
        .field("address")
        .or_else(|| event.field("reflected_address"))
}

/// An address without its prefix length (`10.0.0.5/24` names `10.0.0.5`).
pub fn bare_address(address: &str) -> String {
    address.split('/').next().unwrap_or(address).to_string()
}
