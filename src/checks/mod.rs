//! Checks of a node's configuration and reachability, computed from what a bundle captured
//! (command outputs, configuration files, logs). The same code runs right after collection and
//! again offline in analyze (the report's `checks[]`). One function per check, listed in
//! [`CHECKS`]; each says pass, fail, warn or skipped (with why) per node or for the pair.

pub mod captures;
mod config;
mod network;
mod node;

use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;

use crate::bundle::Bundle;
use crate::finding::Severity;
use crate::sources::{Event, EventKind, Fields};
use crate::timeline::Timeline;
use crate::timeline::words::{TextContext, in_context};
use captures::NodeCaptures;

/// A check's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CheckStatus {
    Pass,
    Warn,
    Fail,
    Skipped,
}

impl CheckStatus {
    pub fn name(self) -> &'static str {
        match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Warn => "warn",
            CheckStatus::Fail => "fail",
            CheckStatus::Skipped => "skipped",
        }
    }
}

impl fmt::Display for CheckStatus {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// One check's result, for a node or (node None) for the pair.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckResult {
    pub id: &'static str,
    pub node: Option<String>,
    pub status: CheckStatus,
    pub detail: String,
    /// Facts the check found that its remedy names: `vip`, `owners`, `kad_vif`, `resource`.
    pub values: BTreeMap<&'static str, String>,
}

impl CheckResult {
    fn new(
        id: &'static str,
        node: Option<&str>,
        status: CheckStatus,
        detail: impl Into<String>,
    ) -> CheckResult {
        CheckResult {
            id,
            node: node.map(str::to_string),
            status,
            detail: detail.into(),
            values: BTreeMap::new(),
        }
    }

    /// The result with one more fact for its remedy.
    fn with(mut self, key: &'static str, value: impl Into<String>) -> CheckResult {
        self.values.insert(key, value.into());
        self
    }
}

/// What the checks know of one node.
pub struct NodeView<'a> {
    pub name: &'a str,
    pub captures: NodeCaptures,
    /// The node's first vrrp_instance settings (keepalived.conf).
    pub config: Option<&'a Fields>,
    /// Addresses from the manifest.
    pub manifest_addresses: Vec<Ipv4Addr>,
    /// The node's recognised events.
    pub events: Vec<&'a Event>,
    pub clock_offset_s: Option<f64>,
}

impl NodeView<'_> {
    /// The kad_vif: the VRRP instance's interface.
    pub fn vrrp_interface(&self) -> Option<&str> {
        self.config.and_then(|config| config.get("interface"))
    }

    /// The VIPs (address and prefix) of the VRRP instance.
    pub fn vips(&self) -> Vec<(Ipv4Addr, Option<u8>)> {
        self.config
            .and_then(|config| config.get("vips"))
            .map(|vips| {
                vips.split(',')
                    .filter_map(|vip| {
                        let (address, prefix) = match vip.split_once('/') {
                            Some((address, prefix)) => (address, prefix.parse().ok()),
                            None => (vip, None),
                        };
                        Some((address.trim().parse().ok()?, prefix))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The node's latest DRBD status capture (/proc/drbd or `drbdadm status`).
    pub fn drbd_status(&self) -> Option<&Event> {
        self.events
            .iter()
            .rev()
            .copied()
            .find(|event| event.kind == EventKind::Drbd && event.event.as_deref() == Some("status"))
    }

    /// The node's own addresses: from `ip addr` (without the VIPs), else the manifest.
    pub fn own_addresses(&self) -> Vec<Ipv4Addr> {
        let vips: Vec<Ipv4Addr> = self
            .vips()
            .into_iter()
            .map(|(address, _)| address)
            .collect();
        match &self.captures.addresses {
            Some(addresses) => addresses
                .iter()
                .map(|address| address.address)
                .filter(|address| !address.is_loopback() && !vips.contains(address))
                .collect(),
            None => self.manifest_addresses.clone(),
        }
    }
}

/// Everything the checks read.
pub struct CheckInput<'a> {
    pub nodes: Vec<NodeView<'a>>,
}

type CheckFunction = fn(&CheckInput) -> Vec<CheckResult>;

/// Every check, in report order.
/// What a failed (or warned) check means and what to do, per check id: its severity when it fails
/// and a remedy naming `{node}` (the node the check is about, or the pair).
pub static CHECK_ADVICE: &[(&str, Severity, &str)] = &[
    (
        "address-on-kad-vif",
        Severity::Error,
        "On {node}: ip -j addr show dev {kad_vif} and ip -j link; bring the interface up with its own address (the node cannot take part in VRRP without it).",
    ),
    (
        "vip-single-owner",
        Severity::Critical,
        "Split-brain now: the VIP {vip} is on {owners}. Remove it from every node but the one MASTER, as the critical finding \"Split-brain now\" says, then check DRBD roles (drbdadm status) before {esc?ESC writes|services write} on both.",
    ),
    (
        "vip-in-subnet",
        Severity::Error,
        "On {node}: the VIP is outside every subnet of the {esc?kad_vif; fix kad_vip or the interface's address in the HA configuration (escadm ha set)|VRRP interface; fix virtual_ipaddress in keepalived.conf or the interface's address}.",
    ),
    (
        "default-route",
        Severity::Warning,
        "On {node}: ip -j route; restore the default route (the northbound and the gateway checks need it).",
    ),
    (
        "gateway-reachable",
        Severity::Error,
        "On {node}: ping the gateway from the {esc?kad_vif|VRRP interface} and check the link, VLAN and the gateway itself; {esc?ESC's northbound clients|clients} reach the VIP through it.",
    ),
    (
        "peer-reachable",
        Severity::Error,
        "From {node}: ping the peer on the {esc?kad_vif network|network VRRP runs on}, check security groups and port security for IP protocol 112 (VRRP) and the DRBD port; a peer that cannot be reached leads to a split-brain.",
    ),
    (
        "keepalived-config-agree",
        Severity::Error,
        "Make the two nodes' keepalived.conf agree (VRID, advert_int, authentication, unicast peers): {esc?reapply the HA configuration on both with escadm ha set|correct the lines that differ}, then restart keepalived one node at a time.",
    ),
    (
        "disk-space",
        Severity::Error,
        "On {node}: free space on the full filesystem (df -h; old logs under /var/log{esc?, ESC's database|}); {esc?ESC's services|the services on it} and DRBD stop when it is full.",
    ),
    (
        "maintenance-mode",
        Severity::Warning,
        "On {node}: escadm op_mode show; leave maintenance mode (escadm op_mode set --mode=operation) when the work is done.",
    ),
    (
        "clock-sync",
        Severity::Warning,
        "On {node}: chronyc tracking / timedatectl; point it at the same NTP servers as its peer, so that logs and certificates agree.",
    ),
    (
        "drbd-connected",
        Severity::Error,
        "On {node}: drbdadm status; a StandAlone or disconnected resource does not replicate {esc?ESC's database|the data on DRBD}. If DRBD reports a split-brain, recover it as the critical split-brain finding says (its DRBD advice); otherwise drbdadm connect {resource}.",
    ),
    (
        "esc-services",
        Severity::Error,
        "On {node}: escadm status --v; the service that is down is in escadm.log and escmanager.log; escadm restart on the primary when the cause is fixed.",
    ),
];

/// A check's severity (a failure as its advice says, a warning as a warning, the rest info) and
/// its remedy (for failed and warned checks), in the words of this input (`context`: the checks
/// a plain pair's files can fail, its keepalived.conf, `ip addr` or a pasted DRBD status, do not
/// talk of ESC; `maintenance-mode` and `esc-services` read ESC's own commands).
pub fn advice(result: &CheckResult, context: TextContext) -> (Severity, Option<String>) {
    let entry = CHECK_ADVICE.iter().find(|(id, _, _)| *id == result.id);
    let node = result.node.as_deref().unwrap_or("both nodes");
    let remedy = entry.map(|(_, _, remedy)| {
        let mut remedy = in_context(remedy, context).replace("{node}", node);
        for (key, value) in &result.values {
            remedy = remedy.replace(&format!("{{{key}}}"), value);
        }
        // What no capture named: the kad_vif is the instance's interface in keepalived.conf, and
        // drbdadm's `all` acts on every resource (ESC has one).
        remedy
            .replace(" show dev {kad_vif}", "")
            .replace("{resource}", "all")
            .replace("{vip}", "the VIP")
            .replace("{owners}", "more than one node")
    });
    match result.status {
        CheckStatus::Fail => (
            entry.map_or(Severity::Error, |(_, severity, _)| *severity),
            remedy,
        ),
        CheckStatus::Warn => (Severity::Warning, remedy),
        _ => (Severity::Info, None),
    }
}

pub static CHECKS: &[(&str, CheckFunction)] = &[
    ("address-on-kad-vif", network::address_on_kad_vif),
    ("vip-single-owner", network::vip_single_owner),
    ("vip-in-subnet", network::vip_in_subnet),
    ("default-route", network::default_route),
    ("gateway-reachable", network::gateway_reachable),
    ("peer-reachable", network::peer_reachable),
    ("keepalived-config-agree", config::keepalived_config_agree),
    ("disk-space", node::disk_space),
    ("maintenance-mode", node::maintenance_mode),
    ("clock-sync", node::clock_sync),
    ("drbd-connected", node::drbd_connected),
    ("esc-services", node::esc_services),
];

/// Runs every check on a bundle and its timeline.
pub fn run(bundle: &Bundle, timeline: &Timeline) -> Vec<CheckResult> {
    // A bare file's lines go by the host names they carry (one file may hold several nodes, and
    // several files one node): each name is a node to check once, with its own events. A node
    // directory's captures and manifest are its own machine's: checked under its own name only,
    // not under another machine's whose lines its logs also hold, nor where all its lines are
    // another directory's node's (that directory's captures are checked).
    let mut named: Vec<&str> = Vec::new();
    let nodes = bundle
        .nodes
        .iter()
        .filter(|node| !timeline.not_logs.contains(&node.name))
        .flat_map(|node| {
            let names = timeline.renames.names_of(&node.name);
            let names = match node.root {
                Some(_) => names
                    .into_iter()
                    .filter(|name| *name == node.name)
                    .collect(),
                None => names,
            };
            names.into_iter().map(move |name| (node, name))
        })
        .filter(|(_, name)| {
            let first = !named.contains(name);
            if first {
                named.push(name);
            }
            first
        })
        .map(|(node, name)| {
            let events: Vec<&Event> = timeline
                .events
                .iter()
                .filter(|event| event.node.as_ref() == name)
                .collect();
            let config = events
                .iter()
                .find(|event| {
                    event.kind == EventKind::Daemon
                        && event.event.as_deref() == Some(crate::sources::events::VRRP_CONFIG)
                })
                .map(|event| &event.fields);
            let manifest = node.manifest.as_ref();
            NodeView {
                name,
                captures: NodeCaptures::read(node),
                config,
                manifest_addresses: manifest
                    .map(|manifest| {
                        manifest
                            .addresses
                            .iter()
                            .filter_map(|address| address.parse().ok())
                            .collect()
                    })
                    .unwrap_or_default(),
                events,
                clock_offset_s: manifest.and_then(|manifest| manifest.clock_offset_s),
            }
        })
        .collect();
    let input = CheckInput { nodes };
    let mut results: Vec<CheckResult> =
        CHECKS.iter().flat_map(|(_, check)| check(&input)).collect();
    // What every remedy may name: the node's kad_vif and DRBD resource.
    for result in &mut results {
        let view = result
            .node
            .as_deref()
            .and_then(|name| input.nodes.iter().find(|node| node.name == name));
        let interface = view
            .and_then(NodeView::vrrp_interface)
            .or_else(|| input.nodes.iter().find_map(NodeView::vrrp_interface));
        if let Some(interface) = interface {
            result
                .values
                .entry("kad_vif")
                .or_insert_with(|| interface.to_string());
        }
        let resource = view
            .into_iter()
            .chain(input.nodes.iter())
            .find_map(|node| node.drbd_status()?.field("resource"));
        if let Some(resource) = resource {
            result
                .values
                .entry("resource")
                .or_insert_with(|| resource.to_string());
        }
    }
    results
}

#[cfg(test)]
mod advice_tests {
    use super::*;

    #[test]
    fn every_check_has_advice() {
        for (id, _) in CHECKS {
            assert!(
                CHECK_ADVICE.iter().any(|(advised, _, _)| advised == id),
                "no advice for {id}"
            );
        }
    }

    #[test]
    fn a_remedy_speaks_of_esc_only_where_the_input_shows_it() {
        let result = CheckResult {
            id: "drbd-connected",
            node: Some("node1".to_string()),
            status: CheckStatus::Fail,
            detail: "connection StandAlone".to_string(),
            values: BTreeMap::new(),
        };
        let remedy = |esc| {
            let context = TextContext {
                esc,
                drbd: true,
                collected: true,
            };
            advice(&result, context).1.unwrap()
        };
        assert!(remedy(true).contains("does not replicate ESC's database"));
        assert!(remedy(false).contains("does not replicate the data on DRBD"));
        // Without ESC, no remedy names ESC's parts but those of the checks that read ESC's own
        // commands.
        let plain = TextContext {
            esc: false,
            drbd: true,
            collected: false,
        };
        for (id, _, text) in CHECK_ADVICE {
            if ["maintenance-mode", "esc-services"].contains(id) {
                continue;
            }
            let read = in_context(text, plain).replace("{kad_vif}", "");
            for word in ["ESC", "escadm", "kad_vif", "kad_vip", "escmanager"] {
                assert!(!read.contains(word), "{id}: {read}");
            }
        }
    }
}
