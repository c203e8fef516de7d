//! Finding the peer without help, and what collect reads out of the two configurations it
//! needs: keepalived.conf (unicast peers, VIPs, the scripts it names) and esc-config.yaml (the
//! HA node list, read tolerantly: keys at any depth).

use std::net::Ipv4Addr;

/// What keepalived.conf says that collect uses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeepalivedConf {
    pub unicast_peers: Vec<String>,
    pub vips: Vec<String>,
    /// Absolute paths of track and notify scripts.
    pub scripts: Vec<String>,
}

const SCRIPT_KEYWORDS: &[&str] = &[
    "script",
    "notify",
    "notify_master",
    "notify_backup",
    "notify_fault",
    "notify_stop",
    "notify_deleted",
    "notify_master_rx_lower_pri",
];

fn strip_comment(line: &str) -> &str {
    let end = line.find(['#', '!']).unwrap_or(line.len());
    &line[..end]
}

fn address_token(token: &str) -> Option<String> {
    let bare = token.split('/').next()?;
    bare.parse::<Ipv4Addr>()
        .ok()
        .map(|address| address.to_string())
}

/// Reads keepalived.conf tolerantly (blocks by braces, comments with # or !).
pub fn keepalived_conf(text: &str) -> KeepalivedConf {
    let mut conf = KeepalivedConf::default();
    let mut block: Option<&str> = None;
    let mut depth_at_block = 0usize;
    let mut depth = 0usize;
    for raw in text.lines() {
        let line = strip_comment(raw);
        let tokens: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || c == '{' || c == '}')
            .filter(|token| !token.is_empty())
            .collect();
        if let Some(name) = block {
            for token in &tokens {
                if let Some(address) = address_token(token) {
                    let list = if name == "unicast_peer" {
                        &mut conf.unicast_peers
                    } else {
                        &mut conf.vips
                    };
                    if !list.contains(&address) {
                        list.push(address);
                    }
                    break;
                }
            }
        } else if let Some(first) = tokens.first() {
            if matches!(
                *first,
                "unicast_peer" | "virtual_ipaddress" | "virtual_ipaddress_excluded"
            ) && line.contains('{')
            {
                block = Some(if *first == "unicast_peer" {
                    "unicast_peer"
                } else {
                    "vip"
                });
                depth_at_block = depth;
            } else if SCRIPT_KEYWORDS.contains(first) {
                let rest = line.trim_start()[first.len()..].trim();
                let command = rest.trim_matches(|c| c == '"' || c == '\'');
                if let Some(path) = command.split_whitespace().next()
                    && path.starts_with('/')
                    && !conf.scripts.iter().any(|known| known == path)
                {
                    conf.scripts.push(path.to_string());
                }
            }
        }
        for c in line.chars() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if block.is_some() && depth <= depth_at_block {
                        block = None;
                    }
                }
                _ => {}
            }
        }
    }
    conf
}

/// The HA nodes esc-config.yaml names: addresses (or host names) under any key named
/// `ha_node_list`, `nodes` below `drbd`, `peer`, `peer_ip` or `remote_ip`, at any depth, as
/// scalars, lists or inline lists.
pub fn esc_config_nodes(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    // (indent, key) of the open mappings.
    let mut path: Vec<(usize, String)> = Vec::new();
    for raw in text.lines() {
        let line = raw.split(" #").next().unwrap_or("");
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let content = line.trim_start().trim_start_matches("- ").trim();
        while path.last().is_some_and(|(level, _)| *level >= indent) {
            path.pop();
        }
        let (key, value) = match content.split_once(':') {
            Some((key, value)) if !key.contains(' ') || key.starts_with('"') => {
                (Some(key.trim_matches(['"', '\''])), value.trim())
            }
            _ => (None, content),
        };
        let wanted = |key: &str, path: &[(usize, String)]| {
            matches!(key, "ha_node_list" | "peer" | "peer_ip" | "remote_ip")
                || (key == "nodes" && path.iter().any(|(_, parent)| parent.contains("drbd")))
        };
        let inside = path
            .iter()
            .enumerate()
            .any(|(index, (_, key))| wanted(key, &path[..index]));
        let here = key.is_some_and(|key| wanted(key, &path));
        if here || (inside && !value.is_empty()) {
            for token in
                value.split(|c: char| c == ',' || c == '[' || c == ']' || c.is_whitespace())
            {
                let token = token.trim_matches(['"', '\'']);
                let is_address = token.parse::<Ipv4Addr>().is_ok();
                let is_host = token.contains('.')
                    && token
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
                let bare_host = inside
                    && key.is_none()
                    && !token.is_empty()
                    && token
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
                if (is_address || is_host || bare_host) && !found.iter().any(|known| known == token)
                {
                    found.push(token.to_string());
                }
            }
        }
        if let Some(key) = key {
            path.push((indent, key.to_string()));
        }
    }
    found
}

/// The peer: the first candidate (esc-config.yaml's nodes, then keepalived's unicast peers) that
/// is not one of this node's own addresses or names.
pub fn discover(
    esc_config: Option<&str>,
    keepalived: Option<&KeepalivedConf>,
    own: &[String],
) -> Option<String> {
    let mut candidates = esc_config.map(esc_config_nodes).unwrap_or_default();
    if let Some(conf) = keepalived {
        candidates.extend(conf.unicast_peers.iter().cloned());
    }
    candidates.into_iter().find(|candidate| {
        !own.iter().any(|mine| mine == candidate)
            && candidate
                .parse::<Ipv4Addr>()
                .is_ok_and(|ip| !ip.is_loopback())
            || (!own.iter().any(|mine| mine == candidate)
                && candidate.parse::<Ipv4Addr>().is_err()
                && !candidate.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONF: &str = r#"
vrrp_script chk_esc_health {
    script "/etc/keepalived/check_esc_health.sh arg"   # comment
    interval 1
}
vrrp_instance esc_ha {
    interface eth0
    unicast_peer {
        10.85.103.136
    }
    authentication {
        auth_type PASS
        auth_pass cisco123
    }
    virtual_ipaddress {
        10.85.103.137/24 dev eth0
    }
    notify /usr/local/bin/notify.sh
}
"#;

    #[test]
    fn keepalived_conf_gives_peers_vips_and_scripts() {
        let conf = keepalived_conf(CONF);
        assert_eq!(conf.unicast_peers, ["10.85.103.136"]);
        assert_eq!(conf.vips, ["10.85.103.137"]);
        assert_eq!(
            conf.scripts,
            [
                "/etc/keepalived/check_esc_health.sh",
                "/usr/local/bin/notify.sh"
            ]
        );
    }

    #[test]
    fn esc_config_nodes_at_any_depth() {
        let yaml = "esc:\n  ha:\n    ha_node_list:\n      - 10.0.0.1\n      - 10.0.0.2\n  drbd:\n    nodes: [esc-a.example, 10.0.0.2]\n  password: x\n";
        assert_eq!(
            esc_config_nodes(yaml),
            ["10.0.0.1", "10.0.0.2", "esc-a.example"]
        );
        let own = vec!["10.0.0.1".to_string()];
        assert_eq!(
            discover(Some(yaml), None, &own).as_deref(),
            Some("10.0.0.2")
        );
    }
}
