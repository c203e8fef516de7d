//! What the checks read from a node's bundle directory: command captures (`ip -j addr`,
//! `ip -j route`, ping, df, escadm, chronyc/timedatectl; JSON or plain forms), found by file name
//! and by content, since collectors name them a little differently.

use std::net::Ipv4Addr;

use crate::bundle::lines::read_small_text;
use crate::bundle::{Node, STDERR_MARKER};

/// An IPv4 address on an interface.
#[derive(Debug, Clone, PartialEq)]
pub struct Address {
    pub interface: String,
    pub address: Ipv4Addr,
    pub prefix: u8,
}

/// An interface and whether it is up.
#[derive(Debug, Clone, PartialEq)]
pub struct Interface {
    pub name: String,
    pub up: bool,
}

/// A route.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub destination: String,
    pub gateway: Option<Ipv4Addr>,
    pub device: Option<String>,
}

/// One ping's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Ping {
    /// The capture's file name (ping_gateway.txt).
    pub file: String,
    pub target: String,
    pub transmitted: u32,
    pub received: u32,
}

/// A mounted filesystem's use.
#[derive(Debug, Clone, PartialEq)]
pub struct Disk {
    pub mount: String,
    pub used_percent: u32,
}

/// Everything the checks know of one node.
#[derive(Debug, Clone, Default)]
pub struct NodeCaptures {
    pub addresses: Option<Vec<Address>>,
    pub interfaces: Vec<Interface>,
    pub routes: Option<Vec<Route>>,
    pub pings: Vec<Ping>,
    pub disks: Option<Vec<Disk>>,
    pub escadm_status: Option<String>,
    pub op_mode: Option<String>,
    pub time_sync: Option<String>,
}

fn stdout_of(text: &str) -> &str {
    match text.find(STDERR_MARKER) {
        Some(position) => &text[..position],
        None => text,
    }
}

/// The capture name of a sosreport command output: the file name without its option words
/// (`sos_commands/networking/ip_-d_address` → `ip_address`); IPv6 variants (`ip_-6_route...`)
/// are left out, the checks read IPv4.
fn sos_command_name(relative: &str) -> Option<String> {
    let name = relative.strip_prefix("sos_commands/")?.rsplit('/').next()?;
    let words: Vec<&str> = name.split('_').collect();
    if words.contains(&"-6") {
        return None;
    }
    Some(
        words
            .into_iter()
            .filter(|word| !word.starts_with('-'))
            .collect::<Vec<_>>()
            .join("_"),
    )
}

fn commands(node: &Node) -> Vec<(String, String)> {
    node.files
        .iter()
        .filter_map(|file| {
            let name = match file.relative.strip_prefix("commands/") {
                Some(name) => name.to_string(),
                None => sos_command_name(&file.relative)?,
            };
            read_small_text(&file.path, 4 << 20)
                .ok()
                .map(|text| (name, stdout_of(&text).to_string()))
        })
        .collect()
}

/// `ip -j addr` (JSON) or `ip -o addr` / `ip addr` (plain).
pub fn parse_addresses(text: &str) -> Option<(Vec<Address>, Vec<Interface>)> {
    if let Ok(serde_json::Value::Array(links)) =
        serde_json::from_str::<serde_json::Value>(text.trim())
    {
        let mut addresses = Vec::new();
        let mut interfaces = Vec::new();
        for link in links {
            let name = link["ifname"].as_str().unwrap_or("").to_string();
            let flags: Vec<&str> = link["flags"]
                .as_array()
                .map(|flags| flags.iter().filter_map(|flag| flag.as_str()).collect())
                .unwrap_or_default();
            let up = flags.contains(&"UP") && link["operstate"].as_str() != Some("DOWN");
            interfaces.push(Interface {
                name: name.clone(),
                up,
            });
            for info in link["addr_info"].as_array().into_iter().flatten() {
                if info["family"] != "inet" {
                    continue;
                }
                if let (Some(local), Some(prefix)) = (
                    info["local"].as_str().and_then(|text| text.parse().ok()),
                    info["prefixlen"].as_u64(),
                ) {
                    addresses.push(Address {
                        interface: name.clone(),
                        address: local,
                        prefix: prefix as u8,
                    });
                }
            }
        }
        return Some((addresses, interfaces));
    }
    // Plain: `2: eth0    inet 10.85.103.135/24 brd ... scope global eth0` (-o) or an `inet` line
    // under a `2: eth0: <...UP...>` header.
    let mut addresses = Vec::new();
    let mut interfaces = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.len() >= 2
            && words[0].ends_with(':')
            && words[0].trim_end_matches(':').parse::<u32>().is_ok()
        {
            current = words[1]
                .trim_end_matches(':')
                .split('@')
                .next()
                .unwrap_or("")
                .to_string();
            if line.contains('<') {
                interfaces.push(Interface {
                    name: current.clone(),
                    up: line.contains("UP") && !line.contains("state DOWN"),
                });
            }
        }
        if let Some(position) = words.iter().position(|word| *word == "inet")
            && let Some((address, prefix)) = words
                .get(position + 1)
                .and_then(|cidr| cidr.split_once('/'))
            && let (Ok(address), Ok(prefix)) = (address.parse(), prefix.parse())
        {
            addresses.push(Address {
                interface: current.clone(),
                address,
                prefix,
            });
        }
    }
    (!addresses.is_empty() || !interfaces.is_empty()).then_some((addresses, interfaces))
}

/// `ip -j route` (JSON) or `ip route` (plain).
pub fn parse_routes(text: &str) -> Option<Vec<Route>> {
    if let Ok(serde_json::Value::Array(routes)) =
        serde_json::from_str::<serde_json::Value>(text.trim())
    {
        return Some(
            routes
                .iter()
                .map(|route| Route {
                    destination: route["dst"].as_str().unwrap_or("").to_string(),
                    gateway: route["gateway"]
                        .as_str()
                        .and_then(|gateway| gateway.parse().ok()),
                    device: route["dev"].as_str().map(str::to_string),
                })
                .collect(),
        );
    }
    let routes: Vec<Route> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let after = |key: &str| {
                words
                    .iter()
                    .position(|word| *word == key)
                    .and_then(|position| words.get(position + 1))
                    .map(|word| word.to_string())
            };
            Route {
                destination: words
                    .first()
                    .map(|word| word.to_string())
                    .unwrap_or_default(),
                gateway: after("via").and_then(|gateway| gateway.parse().ok()),
                device: after("dev"),
            }
        })
        .collect();
    (!routes.is_empty()).then_some(routes)
}

/// `ping -c N` output: the target and the packet counts.
pub fn parse_ping(file: &str, text: &str) -> Option<Ping> {
    let target = text
        .lines()
        .find_map(|line| line.strip_prefix("PING "))
        .and_then(|rest| rest.split_whitespace().next())
        .map(str::to_string)?;
    let statistics = text
        .lines()
        .find(|line| line.contains("packets transmitted"))?;
    let numbers: Vec<u32> = statistics
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|part| part.parse().ok())
        .collect();
    Some(Ping {
        file: file.to_string(),
        target,
        transmitted: *numbers.first()?,
        received: *numbers.get(1)?,
    })
}

/// `df -P`: mount points and their use.
pub fn parse_df(text: &str) -> Option<Vec<Disk>> {
    let disks: Vec<Disk> = text
        .lines()
        .skip(1)
        .filter_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let percent = words
                .iter()
                .find(|word| word.ends_with('%'))?
                .trim_end_matches('%')
                .parse()
                .ok()?;
            Some(Disk {
                mount: words.last()?.to_string(),
                used_percent: percent,
            })
        })
        .collect();
    (!disks.is_empty()).then_some(disks)
}

impl NodeCaptures {
    /// Reads a node's command captures.
    pub fn read(node: &Node) -> NodeCaptures {
        let mut captures = NodeCaptures::default();
        // A capture with no output (the command missing or failing) tells nothing: its checks are
        // skipped rather than passed.
        for (name, text) in commands(node)
            .into_iter()
            .filter(|(_, text)| !text.trim().is_empty())
        {
            let lower = name.to_ascii_lowercase();
            if lower.starts_with("ip_addr") || lower.starts_with("ip-addr") {
                if let Some((addresses, interfaces)) = parse_addresses(&text) {
                    captures.addresses = Some(addresses);
                    captures.interfaces = interfaces;
                }
            } else if lower.starts_with("ip_route") || lower.starts_with("ip-route") {
                captures.routes = parse_routes(&text).or(captures.routes);
            } else if lower.starts_with("ping") {
                captures.pings.extend(parse_ping(&name, &text));
            } else if lower.starts_with("df") {
                captures.disks = parse_df(&text).or(captures.disks);
            } else if lower.contains("op_mode") {
                captures.op_mode = Some(text);
            } else if lower.starts_with("escadm_status") {
                captures.escadm_status = Some(text);
            } else if lower.starts_with("chronyc") || lower.starts_with("timedatectl") {
                let joined = captures
                    .time_sync
                    .take()
                    .map_or(text.clone(), |before| format!("{before}\n{text}"));
                captures.time_sync = Some(joined);
            }
        }
        captures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ip_forms() {
        let (addresses, interfaces) = parse_addresses("2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP\n    inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0\n").unwrap();
        assert_eq!(
            addresses,
            vec![Address {
                interface: "eth0".into(),
                address: "10.0.0.5".parse().unwrap(),
                prefix: 24
            }]
        );
        assert!(interfaces[0].up);
        let (one_line, _) = parse_addresses("2: eth1    inet 192.168.1.4/23 brd 192.168.1.255 scope global eth1\\       valid_lft forever").unwrap();
        assert_eq!(one_line[0].interface, "eth1");
        assert_eq!(one_line[0].prefix, 23);
        let routes = parse_routes("default via 10.0.0.1 dev eth0 proto static\n10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.5\n").unwrap();
        assert_eq!(routes[0].gateway, Some("10.0.0.1".parse().unwrap()));
        assert_eq!(routes[0].destination, "default");
    }

    #[test]
    fn ping_and_df() {
        let ping = parse_ping("ping_gateway.txt", "PING 10.85.103.1 (10.85.103.1) 56(84) bytes of data.\n\n--- 10.85.103.1 ping statistics ---\n3 packets transmitted, 0 received, 100% packet loss, time 2040ms\n").unwrap();
        assert_eq!((ping.transmitted, ping.received), (3, 0));
        let disks = parse_df("Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/vda1 100 96 4 96% /var/log\n").unwrap();
        assert_eq!(
            disks,
            vec![Disk {
                mount: "/var/log".into(),
                used_percent: 96
            }]
        );
    }
}
