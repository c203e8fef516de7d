//! What changed between two diagnoses of the same pair (`esc-diag diff BEFORE AFTER`): per node,
//! keepalived.conf (per VRRP instance: priority, VRID, advert_int, VIPs, track scripts and
//! interfaces, unicast peers, ...), esc-config.yaml (key by key, secrets never shown), DRBD's
//! configuration (statement by statement), addresses and routes (the `ip` captures); and for the
//! pair, the checks that changed status, the findings that appeared or went, the verdict and who
//! is MASTER. Nodes are matched by name.

use std::collections::{BTreeMap, BTreeSet};

use crate::bundle::lines::read_small_text;
use crate::bundle::{Bundle, Node};
use crate::checks::captures::NodeCaptures;
use crate::sources::{drbd_conf, esc_config, keepalived_conf};

use super::Diagnosis;

/// Configuration files larger than this are not compared (and said so).
const CONFIG_LIMIT: u64 = 4 << 20;

/// What a shown secret becomes.
pub const SECRET: &str = "<secret>";

/// Which part of the pair a change is in; the order in which they are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Area {
    Verdict,
    Master,
    Nodes,
    Keepalived,
    EscConfig,
    Drbd,
    Addresses,
    Routes,
    Checks,
    Findings,
}

impl Area {
    /// The name in the JSON (`area`).
    pub fn name(self) -> &'static str {
        match self {
            Area::Verdict => "verdict",
            Area::Master => "master",
            Area::Nodes => "nodes",
            Area::Keepalived => "keepalived",
            Area::EscConfig => "esc-config",
            Area::Drbd => "drbd",
            Area::Addresses => "addresses",
            Area::Routes => "routes",
            Area::Checks => "checks",
            Area::Findings => "findings",
        }
    }
}

/// One difference. `before`/`after` None: absent on that side.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub area: Area,
    pub node: Option<String>,
    /// The VRRP instance, configuration file, interface or route the item belongs to.
    pub subject: Option<String>,
    pub item: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One side of the comparison: its bundle and what was decided about it.
pub struct Side<'a> {
    pub bundle: &'a Bundle,
    pub diagnosis: &'a Diagnosis,
}

/// Something a side holds that could not be compared (a file not readable or not parseable).
#[derive(Debug, Clone, PartialEq)]
pub struct Unread {
    pub node: String,
    pub file: String,
    pub why: String,
}

/// Every change from `before` to `after`, in report order, and what could not be read.
pub fn compare(before: &Side, after: &Side) -> (Vec<Change>, Vec<Unread>) {
    let mut changes = Vec::new();
    let mut unread = Vec::new();
    compare_verdicts(before.diagnosis, after.diagnosis, &mut changes);
    let names: BTreeSet<&str> = before
        .bundle
        .nodes
        .iter()
        .chain(&after.bundle.nodes)
        .map(|node| node.name.as_str())
        .collect();
    for name in names {
        fn find<'a>(side: &Side<'a>, name: &str) -> Option<&'a Node> {
            side.bundle
                .nodes
                .iter()
                .find(|node| node.name == name && node.root.is_some())
        }
        match (find(before, name), find(after, name)) {
            (Some(old), Some(new)) => {
                let (old_config, new_config) = (
                    NodeConfig::read(old, &mut unread),
                    NodeConfig::read(new, &mut unread),
                );
                compare_node(name, &old_config, &new_config, &mut changes);
            }
            (old, new) => changes.push(Change {
                area: Area::Nodes,
                node: Some(name.to_string()),
                subject: None,
                item: "node".to_string(),
                before: old.map(|_| "in the bundle".to_string()),
                after: new.map(|_| "in the bundle".to_string()),
            }),
        }
    }
    compare_checks(before.diagnosis, after.diagnosis, &mut changes);
    compare_findings(before.diagnosis, after.diagnosis, &mut changes);
    changes.sort_by_key(|change| change.area);
    (changes, unread)
}

fn compare_verdicts(before: &Diagnosis, after: &Diagnosis, changes: &mut Vec<Change>) {
    let (old, new) = (&before.verdict, &after.verdict);
    let mut put = |item: &str, before: Option<String>, after: Option<String>| {
        if before != after {
            changes.push(Change {
                area: Area::Verdict,
                node: None,
                subject: None,
                item: item.to_string(),
                before,
                after,
            });
        }
    };
    put(
        "status",
        Some(old.status.name().to_string()),
        Some(new.status.name().to_string()),
    );
    put("cause", old.cause.clone(), new.cause.clone());
    // Who is MASTER of each instance at the end of each side's evidence.
    let masters = |diagnosis: &Diagnosis| -> BTreeMap<String, String> {
        diagnosis
            .verdict
            .state_now
            .iter()
            .map(|now| {
                let masters = if now.masters.is_empty() {
                    "no MASTER".to_string()
                } else {
                    now.masters.join(" and ")
                };
                (now.instance.clone(), masters)
            })
            .collect()
    };
    let (old_masters, new_masters) = (masters(before), masters(after));
    let instances: BTreeSet<&String> = old_masters.keys().chain(new_masters.keys()).collect();
    for instance in instances {
        let (old, new) = (old_masters.get(instance), new_masters.get(instance));
        if old != new {
            changes.push(Change {
                area: Area::Master,
                node: None,
                subject: Some(instance.clone()),
                item: "MASTER".to_string(),
                before: old.cloned(),
                after: new.cloned(),
            });
        }
    }
}

/// A node's configuration and network captures, as compared.
#[derive(Default)]
struct NodeConfig {
    /// Per VRRP instance, its settings; None: no keepalived.conf in the bundle.
    keepalived: Option<BTreeMap<String, BTreeMap<String, String>>>,
    esc_config: Option<BTreeMap<String, esc_config::Setting>>,
    /// Per file, its statements.
    drbd: BTreeMap<String, BTreeMap<String, String>>,
    /// Per interface, its addresses; None: no `ip addr` capture.
    addresses: Option<BTreeMap<String, String>>,
    /// Per destination, its next hop; None: no `ip route` capture.
    routes: Option<BTreeMap<String, String>>,
}

impl NodeConfig {
    fn read(node: &Node, unread: &mut Vec<Unread>) -> NodeConfig {
        let mut config = NodeConfig::default();
        let mut text_of = |relative: &str| -> Option<String> {
            let file = node.files.iter().find(|file| file.relative == relative)?;
            match read_small_text(&file.path, CONFIG_LIMIT) {
                Ok(text) => Some(text),
                Err(error) => {
                    unread.push(Unread {
                        node: node.name.clone(),
                        file: relative.to_string(),
                        why: error.to_string(),
                    });
                    None
                }
            }
        };
        config.keepalived = text_of("etc/keepalived/keepalived.conf").map(|text| {
            keepalived_conf::parse(&text)
                .into_iter()
                .map(|(_, mut fields)| {
                    let name = fields.remove("instance").unwrap_or_default();
                    (name, fields)
                })
                .collect()
        });
        let mut not_yaml = None;
        if let Some(text) = text_of(esc_config::RELATIVE_PATH) {
            match esc_config::parse(&text) {
                Ok(settings) => config.esc_config = Some(settings),
                Err(why) => not_yaml = Some(why),
            }
        }
        let drbd_files: Vec<String> = node
            .files
            .iter()
            .map(|file| file.relative.clone())
            .filter(|relative| relative == "etc/drbd.conf" || relative.starts_with("etc/drbd.d/"))
            .collect();
        for relative in drbd_files {
            if let Some(text) = text_of(&relative) {
                config.drbd.insert(relative, drbd_conf::parse(&text));
            }
        }
        if let Some(why) = not_yaml {
            unread.push(Unread {
                node: node.name.clone(),
                file: esc_config::RELATIVE_PATH.to_string(),
                why: format!("not YAML: {why}"),
            });
        }
        let captures = NodeCaptures::read(node);
        config.addresses = captures.addresses.map(|addresses| {
            let mut by_interface: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for address in addresses {
                by_interface
                    .entry(address.interface.clone())
                    .or_default()
                    .push(format!("{}/{}", address.address, address.prefix));
            }
            by_interface
                .into_iter()
                .map(|(interface, mut list)| {
                    list.sort();
                    (interface, list.join(", "))
                })
                .collect()
        });
        config.routes = captures.routes.map(|routes| {
            let mut by_destination: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for route in routes {
                let mut hop = Vec::new();
                if let Some(gateway) = route.gateway {
                    hop.push(format!("via {gateway}"));
                }
                if let Some(device) = &route.device {
                    hop.push(format!("dev {device}"));
                }
                by_destination
                    .entry(route.destination.clone())
                    .or_default()
                    .push(hop.join(" "));
            }
            by_destination
                .into_iter()
                .map(|(destination, mut hops)| {
                    hops.sort();
                    (destination, hops.join("; "))
                })
                .collect()
        });
        config
    }
}

/// Changes between two maps of values; `subject` names what they belong to.
fn compare_maps(
    area: Area,
    node: &str,
    subject: Option<&str>,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
    secret: impl Fn(&str) -> bool,
    changes: &mut Vec<Change>,
) {
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for key in keys {
        let (before, after) = (old.get(key), new.get(key));
        if before == after {
            continue;
        }
        let hide = |value: Option<&String>| {
            value.map(|value| {
                if secret(key) {
                    SECRET.to_string()
                } else {
                    value.clone()
                }
            })
        };
        changes.push(Change {
            area,
            node: Some(node.to_string()),
            subject: subject.map(str::to_string),
            item: key.clone(),
            before: hide(before),
            after: hide(after),
        });
    }
}

/// A file (or capture) on one side only.
fn presence(area: Area, node: &str, item: &str, before: bool, after: bool) -> Option<Change> {
    (before != after).then(|| Change {
        area,
        node: Some(node.to_string()),
        subject: None,
        item: item.to_string(),
        before: before.then(|| "in the bundle".to_string()),
        after: after.then(|| "in the bundle".to_string()),
    })
}

fn compare_node(name: &str, old: &NodeConfig, new: &NodeConfig, changes: &mut Vec<Change>) {
    let never = |_: &str| false;
    match (&old.keepalived, &new.keepalived) {
        (Some(old_instances), Some(new_instances)) => {
            let instances: BTreeSet<&String> =
                old_instances.keys().chain(new_instances.keys()).collect();
            for instance in instances {
                match (old_instances.get(instance), new_instances.get(instance)) {
                    (Some(old_fields), Some(new_fields)) => compare_maps(
                        Area::Keepalived,
                        name,
                        Some(instance),
                        old_fields,
                        new_fields,
                        never,
                        changes,
                    ),
                    (old_fields, new_fields) => changes.push(Change {
                        area: Area::Keepalived,
                        node: Some(name.to_string()),
                        subject: Some(instance.clone()),
                        item: "vrrp_instance".to_string(),
                        before: old_fields.map(|_| "configured".to_string()),
                        after: new_fields.map(|_| "configured".to_string()),
                    }),
                }
            }
        }
        (old_file, new_file) => changes.extend(presence(
            Area::Keepalived,
            name,
            "keepalived.conf",
            old_file.is_some(),
            new_file.is_some(),
        )),
    }
    match (&old.esc_config, &new.esc_config) {
        (Some(old_settings), Some(new_settings)) => {
            let values = |settings: &BTreeMap<String, esc_config::Setting>| {
                settings
                    .iter()
                    .map(|(key, setting)| (key.clone(), setting.value.clone()))
                    .collect::<BTreeMap<_, _>>()
            };
            compare_maps(
                Area::EscConfig,
                name,
                None,
                &values(old_settings),
                &values(new_settings),
                esc_config::is_secret,
                changes,
            );
        }
        (old_file, new_file) => changes.extend(presence(
            Area::EscConfig,
            name,
            "esc-config.yaml",
            old_file.is_some(),
            new_file.is_some(),
        )),
    }
    let files: BTreeSet<&String> = old.drbd.keys().chain(new.drbd.keys()).collect();
    for file in files {
        match (old.drbd.get(file), new.drbd.get(file)) {
            (Some(old_statements), Some(new_statements)) => compare_maps(
                Area::Drbd,
                name,
                Some(file),
                old_statements,
                new_statements,
                drbd_conf::is_secret,
                changes,
            ),
            (old_file, new_file) => changes.extend(presence(
                Area::Drbd,
                name,
                file,
                old_file.is_some(),
                new_file.is_some(),
            )),
        }
    }
    for (area, old_capture, new_capture, capture) in [
        (
            Area::Addresses,
            &old.addresses,
            &new.addresses,
            "ip addr capture",
        ),
        (Area::Routes, &old.routes, &new.routes, "ip route capture"),
    ] {
        match (old_capture, new_capture) {
            (Some(old_values), Some(new_values)) => {
                compare_maps(area, name, None, old_values, new_values, never, changes)
            }
            (old_values, new_values) => changes.extend(presence(
                area,
                name,
                capture,
                old_values.is_some(),
                new_values.is_some(),
            )),
        }
    }
}

fn compare_checks(before: &Diagnosis, after: &Diagnosis, changes: &mut Vec<Change>) {
    let statuses = |diagnosis: &Diagnosis| -> BTreeMap<(String, String), String> {
        diagnosis
            .checks
            .iter()
            .map(|check| {
                (
                    (check.id.to_string(), check.node.clone().unwrap_or_default()),
                    check.status.name().to_string(),
                )
            })
            .collect()
    };
    let (old, new) = (statuses(before), statuses(after));
    let keys: BTreeSet<&(String, String)> = old.keys().chain(new.keys()).collect();
    for key in keys {
        let (old_status, new_status) = (old.get(key), new.get(key));
        if old_status != new_status {
            changes.push(Change {
                area: Area::Checks,
                node: (!key.1.is_empty()).then(|| key.1.clone()),
                subject: None,
                item: key.0.clone(),
                before: old_status.cloned(),
                after: new_status.cloned(),
            });
        }
    }
}

/// Findings by id (rule, node, instance and time): one that appeared or went is a change; the
/// values are its severity and title.
fn compare_findings(before: &Diagnosis, after: &Diagnosis, changes: &mut Vec<Change>) {
    let findings = |diagnosis: &Diagnosis| -> BTreeMap<String, String> {
        diagnosis
            .analysis
            .findings
            .iter()
            .map(|finding| {
                (
                    finding.id.clone(),
                    format!("{}: {}", finding.severity.name(), finding.title),
                )
            })
            .collect()
    };
    let (old, new) = (findings(before), findings(after));
    let ids: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for id in ids {
        let (old_finding, new_finding) = (old.get(id), new.get(id));
        if old_finding.is_some() != new_finding.is_some() {
            changes.push(Change {
                area: Area::Findings,
                node: None,
                subject: None,
                item: id.clone(),
                before: old_finding.cloned(),
                after: new_finding.cloned(),
            });
        }
    }
}
