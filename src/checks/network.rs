//! Network checks: the kad_vif has its address, exactly one node holds the VIP, the VIP is in the
//! kad_vif's subnet, a default route exists, the gateways and the peer answer ping.

use std::net::Ipv4Addr;

use super::captures::Address;
use super::{CheckInput, CheckResult, CheckStatus, NodeView};

fn in_subnet(address: Ipv4Addr, network: Ipv4Addr, prefix: u8) -> bool {
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix.min(32)))
    };
    u32::from(address) & mask == u32::from(network) & mask
}

/// keepalived's interface and the node's captured addresses, or the check skipped for want of them.
fn vrrp_interface_and_addresses<'a>(
    id: &'static str,
    node: &'a NodeView,
) -> Result<(&'a str, &'a [Address]), CheckResult> {
    match (node.vrrp_interface(), &node.captures.addresses) {
        (Some(interface), Some(addresses)) => Ok((interface, addresses)),
        _ => Err(CheckResult::new(
            id,
            Some(node.name),
            CheckStatus::Skipped,
            "needs keepalived.conf's interface and an `ip addr` capture",
        )),
    }
}

/// The VRRP interface exists, is up and has an address of its own.
pub fn address_on_kad_vif(input: &CheckInput) -> Vec<CheckResult> {
    const ID: &str = "address-on-kad-vif";
    input
        .nodes
        .iter()
        .map(|node| {
            let (interface, addresses) = match vrrp_interface_and_addresses(ID, node) {
                Ok(found) => found,
                Err(skipped) => return skipped,
            };
            let vips: Vec<Ipv4Addr> = node
                .vips()
                .into_iter()
                .map(|(address, _)| address)
                .collect();
            let own: Vec<String> = addresses
                .iter()
                .filter(|address| {
                    address.interface == interface && !vips.contains(&address.address)
                })
                .map(|address| format!("{}/{}", address.address, address.prefix))
                .collect();
            let up = node
                .captures
                .interfaces
                .iter()
                .find(|found| found.name == interface)
                .map(|found| found.up);
            match (up, own.is_empty()) {
                (None, _) => CheckResult::new(
                    ID,
                    Some(node.name),
                    CheckStatus::Fail,
                    format!("interface {interface} (keepalived's) does not exist"),
                ),
                (Some(false), _) => CheckResult::new(
                    ID,
                    Some(node.name),
                    CheckStatus::Fail,
                    format!("interface {interface} is down"),
                ),
                (Some(true), true) => CheckResult::new(
                    ID,
                    Some(node.name),
                    CheckStatus::Fail,
                    format!("interface {interface} has no IPv4 address of its own"),
                ),
                (Some(true), false) => CheckResult::new(
                    ID,
                    Some(node.name),
                    CheckStatus::Pass,
                    format!("{interface} is up with {}", own.join(", ")),
                ),
            }
        })
        .collect()
}

/// Exactly one node holds each VIP (checked on the captures, at collection time).
pub fn vip_single_owner(input: &CheckInput) -> Vec<CheckResult> {
    const ID: &str = "vip-single-owner";
    let vips: Vec<Ipv4Addr> = input
        .nodes
        .iter()
        .flat_map(NodeView::vips)
        .map(|(address, _)| address)
        .fold(Vec::new(), |mut all, vip| {
            if !all.contains(&vip) {
                all.push(vip);
            }
            all
        });
    if vips.is_empty() {
        return vec![CheckResult::new(
            ID,
            None,
            CheckStatus::Skipped,
            "no VIP known (no keepalived.conf)",
        )];
    }
    let captured: Vec<&NodeView> = input
        .nodes
        .iter()
        .filter(|node| node.captures.addresses.is_some())
        .collect();
    if captured.is_empty() {
        return vec![CheckResult::new(
            ID,
            None,
            CheckStatus::Skipped,
            "no `ip addr` capture",
        )];
    }
    vips.iter()
        .map(|vip| {
            let owners: Vec<&str> = captured
                .iter()
                .filter(|node| {
                    node.captures
                        .addresses
                        .iter()
                        .flatten()
                        .any(|address| address.address == *vip)
                })
                .map(|node| node.name)
                .collect();
            let seen = if captured.len() < input.nodes.len() {
                " (only some nodes' addresses were captured)"
            } else {
                ""
            };
            match owners.len() {
                1 => CheckResult::new(
                    ID,
                    None,
                    CheckStatus::Pass,
                    format!("{vip} is on {} only{seen}", owners[0]),
                ),
                0 => CheckResult::new(
                    ID,
                    None,
                    CheckStatus::Fail,
                    format!("no node holds the VIP {vip}{seen}"),
                ),
                _ => CheckResult::new(
                    ID,
                    None,
                    CheckStatus::Fail,
                    format!(
                        "{vip} is on {} at once: a split-brain at collection time",
                        owners.join(" and ")
                    ),
                )
                .with("vip", vip.to_string())
                .with("owners", owners.join(" and ")),
            }
        })
        .collect()
}

/// The VIP is in the subnet of the kad_vif's own address.
pub fn vip_in_subnet(input: &CheckInput) -> Vec<CheckResult> {
    const ID: &str = "vip-in-subnet";
    input
        .nodes
        .iter()
        .map(|node| {
            let (interface, addresses) = match vrrp_interface_and_addresses(ID, node) {
                Ok(found) => found,
                Err(skipped) => return skipped,
            };
            let vips = node.vips();
            let vip_addresses: Vec<Ipv4Addr> = vips.iter().map(|(address, _)| *address).collect();
            let Some(own) = addresses.iter().find(|address| {
                address.interface == interface && !vip_addresses.contains(&address.address)
            }) else {
                return CheckResult::new(
                    ID,
                    Some(node.name),
                    CheckStatus::Skipped,
                    format!("{interface} has no address to compare with"),
                );
            };
            let outside: Vec<String> = vips
                .iter()
                .filter(|(vip, _)| !in_subnet(*vip, own.address, own.prefix))
                .map(|(vip, _)| vip.to_string())
                .collect();
            if outside.is_empty() {
                CheckResult::new(
                    ID,
                    Some(node.name),
                    CheckStatus::Pass,
                    format!("VIP in {}/{}", own.address, own.prefix),
                )
            } else {
                CheckResult::new(
                    ID,
                    Some(node.name),
                    CheckStatus::Fail,
                    format!(
                        "VIP {} outside {}/{} on {interface}",
                        outside.join(", "),
                        own.address,
                        own.prefix
                    ),
                )
            }
        })
        .collect()
}

/// A default route exists.
pub fn default_route(input: &CheckInput) -> Vec<CheckResult> {
    const ID: &str = "default-route";
    input
        .nodes
        .iter()
        .map(|node| match &node.captures.routes {
            None => CheckResult::new(
                ID,
                Some(node.name),
                CheckStatus::Skipped,
                "no `ip route` capture",
            ),
            Some(routes) => match routes
                .iter()
                .find(|route| route.destination == "default" || route.destination == "0.0.0.0/0")
            {
                Some(route) => CheckResult::new(
                    ID,
                    Some(node.name),
                    CheckStatus::Pass,
                    format!(
                        "default via {} dev {}",
                        route
                            .gateway
                            .map_or("-".to_string(), |gateway| gateway.to_string()),
                        route.device.as_deref().unwrap_or("-")
                    ),
                ),
                None => {
                    CheckResult::new(ID, Some(node.name), CheckStatus::Fail, "no default route")
                }
            },
        })
        .collect()
}

fn ping_result(
    id: &'static str,
    node: &NodeView,
    what: &str,
    targets: &[String],
) -> Vec<CheckResult> {
    let pings: Vec<_> = node
        .captures
        .pings
        .iter()
        .filter(|ping| targets.contains(&ping.target) || ping.file.contains(what))
        .collect();
    if pings.is_empty() {
        return vec![CheckResult::new(
            id,
            Some(node.name),
            CheckStatus::Skipped,
            format!("no ping of the {what} captured"),
        )];
    }
    pings
        .iter()
        .map(|ping| {
            let status = if ping.received == 0 {
                CheckStatus::Fail
            } else if ping.received < ping.transmitted {
                CheckStatus::Warn
            } else {
                CheckStatus::Pass
            };
            CheckResult::new(
                id,
                Some(node.name),
                status,
                format!(
                    "{what} {}: {} of {} answered",
                    ping.target, ping.received, ping.transmitted
                ),
            )
        })
        .collect()
}

/// Every gateway of the node's routes answers ping.
pub fn gateway_reachable(input: &CheckInput) -> Vec<CheckResult> {
    input
        .nodes
        .iter()
        .flat_map(|node| {
            let gateways: Vec<String> = node
                .captures
                .routes
                .iter()
                .flatten()
                .filter_map(|route| route.gateway)
                .map(|gateway| gateway.to_string())
                .collect();
            ping_result("gateway-reachable", node, "gateway", &gateways)
        })
        .collect()
}

/// The peer answers ping.
pub fn peer_reachable(input: &CheckInput) -> Vec<CheckResult> {
    input
        .nodes
        .iter()
        .flat_map(|node| {
            let peers: Vec<String> = input
                .nodes
                .iter()
                .filter(|other| other.name != node.name)
                .flat_map(NodeView::own_addresses)
                .map(|address| address.to_string())
                .chain(
                    node.config
                        .and_then(|config| config.get("unicast_peers"))
                        .into_iter()
                        .flat_map(|peers| peers.split(',').map(str::to_string)),
                )
                .collect();
            ping_result("peer-reachable", node, "peer", &peers)
        })
        .collect()
}
