//! The pair's own VIPs: an address keepalived removes as it lets go of its VIPs is not an
//! interface losing its address, which would be a cause of FAULT (1.x healthcheckers write
//! `Netlink reflector reports IP ... removed` after every `removing protocol VIPs`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::Duration;

use super::state::SAME_MOMENT_MS;
use crate::sources::event::Event;
use crate::sources::events;

/// Field set on an address removal that is keepalived removing a VIP of the pair (value `yes`).
pub const KEEPALIVED_VIP_FIELD: &str = "keepalived_vip";

/// Marks every removal of an address the pair announced as a VIP (gratuitous ARPs,
/// keepalived.conf's `virtual_ipaddress`, an address added just after `setting protocol VIPs`):
/// keepalived letting go of it. Not every removal just after `removing protocol VIPs`: an
/// interface going down loses its own addresses in the same second. `events` is in time order.
pub fn mark_vip_removals(events: &mut [Event]) {
    let mut vips: BTreeSet<String> = BTreeSet::new();
    let mut last_set: BTreeMap<&str, chrono::DateTime<chrono::Utc>> = BTreeMap::new();
    for event in events.iter() {
        match event.event.as_deref() {
            Some(events::GRATUITOUS_ARP | events::VRRP_CONFIG) => vips.extend(claimed_vips(event)),
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
    for event in events.iter_mut() {
        if event.event.as_deref() == Some(events::ADDRESS_REMOVED)
            && address_of(event)
                .map(bare_address)
                .is_some_and(|address| vips.contains(&address))
        {
            event.fields.insert(KEEPALIVED_VIP_FIELD, "yes");
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
        Some(events::VRRP_CONFIG) => event.field("vips"),
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
