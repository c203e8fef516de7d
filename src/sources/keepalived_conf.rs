//! /etc/keepalived/keepalived.conf: each vrrp_instance's settings (VRID, priority, advert_int,
//! authentication type, interface, VIPs, unicast peers, track scripts, nopreempt) as one `daemon`
//! event `vrrp-config`, so rules can compare the two nodes' configurations. The auth_pass value is
//! never copied into an event.

use std::collections::BTreeMap;
use std::io;

use super::{
    EventKind, EventReader, Fact, FileStats, ListReader, ReadContext, Source, fact_event,
    path_matches,
};
use crate::bundle::NodeFile;
use crate::bundle::lines::read_small_text;

/// The keepalived configuration source.
pub struct KeepalivedConf;

const NAME: &str = "keepalived_conf";

impl Source for KeepalivedConf {
    fn name(&self) -> &'static str {
        NAME
    }

    fn claims(&self, relative: &str) -> bool {
        path_matches(relative, &["etc/keepalived"], &["keepalived.conf"])
    }

    fn open<'a>(
        &self,
        file: &NodeFile,
        context: ReadContext<'a>,
    ) -> io::Result<Box<dyn EventReader + 'a>> {
        let text = read_small_text(&file.path, 4 << 20)?;
        let instances = parse(&text);
        let mut stats = FileStats {
            lines: text.lines().count() as u64,
            ..FileStats::default()
        };
        stats.recognised_lines = stats.lines;
        // Configurations are compared side by side: they are placed at the collection time.
        let time = context.collected_at.or(file.mtime);
        let events: Vec<_> = instances
            .into_iter()
            .map(|(line, fields)| {
                let summary = fields
                    .iter()
                    .map(|(key, value)| format!("{key}={value}"))
                    .collect::<Vec<_>>()
                    .join(" ");
                let mut event = fact_event(
                    &context,
                    Fact {
                        source: NAME,
                        line,
                        time,
                        kind: EventKind::Daemon,
                        name: super::events::VRRP_CONFIG,
                        fields,
                        text: format!("vrrp_instance {summary}"),
                    },
                );
                event.collector_clock = context.collected_at.is_some();
                event
            })
            .collect();
        stats.events = events.len() as u64;
        Ok(Box::new(ListReader::new(events, stats)))
    }
}

/// Words of the configuration with the line each starts on; comments (`!`, `#`) dropped, braces
/// separate words, quotes keep spaces.
fn words(text: &str) -> Vec<(u64, String)> {
    let mut words = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index as u64 + 1;
        let mut current = String::new();
        let mut quoted = false;
        for character in line.chars() {
            match character {
                '"' => quoted = !quoted,
                '!' | '#' if !quoted => break,
                '{' | '}' if !quoted => {
                    if !current.is_empty() {
                        words.push((number, std::mem::take(&mut current)));
                    }
                    words.push((number, character.to_string()));
                }
                c if c.is_whitespace() && !quoted => {
                    if !current.is_empty() {
                        words.push((number, std::mem::take(&mut current)));
                    }
                }
                c => current.push(c),
            }
        }
        if !current.is_empty() {
            words.push((number, current));
        }
    }
    words
}

/// The words of a `{ ... }` block starting at `start` (the index of `{`), and the index after it.
fn block(words: &[(u64, String)], start: usize) -> (Vec<String>, usize) {
    let mut depth = 0;
    let mut inside = Vec::new();
    let mut index = start;
    while index < words.len() {
        match words[index].1.as_str() {
            "{" => {
                depth += 1;
                if depth > 1 {
                    inside.push("{".to_string());
                }
            }
            "}" => {
                depth -= 1;
                if depth == 0 {
                    return (inside, index + 1);
                }
                inside.push("}".to_string());
            }
            word => inside.push(word.to_string()),
        }
        index += 1;
    }
    (inside, index)
}

/// Each vrrp_instance: the line it starts on and its settings.
pub fn parse(text: &str) -> Vec<(u64, BTreeMap<String, String>)> {
    let words = words(text);
    let mut instances = Vec::new();
    let mut index = 0;
    while index < words.len() {
        if words[index].1 == "vrrp_instance" && index + 2 < words.len() && words[index + 2].1 == "{"
        {
            let line = words[index].0;
            let name = words[index + 1].1.clone();
            let (body, next) = block(&words, index + 2);
            instances.push((line, instance_fields(&name, &body)));
            index = next;
        } else {
            index += 1;
        }
    }
    instances
}

fn instance_fields(name: &str, body: &[String]) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    fields.insert("instance".to_string(), name.to_string());
    fields.insert("unicast".to_string(), "no".to_string());
    fields.insert("nopreempt".to_string(), "no".to_string());
    let mut index = 0;
    // The words of a sub-block, or the one value after a key.
    let sub_block = |index: usize| -> (Vec<String>, usize) {
        if body.get(index).map(String::as_str) == Some("{") {
            let mut depth = 0;
            let mut items = Vec::new();
            let mut position = index;
            while position < body.len() {
                match body[position].as_str() {
                    "{" => depth += 1,
                    "}" => {
                        depth -= 1;
                        if depth == 0 {
                            return (items, position + 1);
                        }
                    }
                    word => items.push(word.to_string()),
                }
                position += 1;
            }
            (items, position)
        } else {
            (Vec::new(), index)
        }
    };
    while index < body.len() {
        let key = body[index].as_str();
        match key {
            "state" | "interface" | "virtual_router_id" | "priority" | "advert_int"
            | "unicast_src_ip" | "notify" | "notify_master" | "notify_backup" | "notify_fault"
            | "notify_stop" => {
                if let Some(value) = body.get(index + 1) {
                    let field = match key {
                        "virtual_router_id" => "vrid",
                        other => other,
                    };
                    fields.insert(field.to_string(), value.clone());
                }
                index += 2;
            }
            "nopreempt" => {
                fields.insert("nopreempt".to_string(), "yes".to_string());
                index += 1;
            }
            "authentication" => {
                let (items, next) = sub_block(index + 1);
                if let Some(position) = items.iter().position(|item| item == "auth_type") {
                    if let Some(kind) = items.get(position + 1) {
                        fields.insert("auth_type".to_string(), kind.to_ascii_uppercase());
                    }
                }
                index = next.max(index + 1);
            }
            "virtual_ipaddress" | "unicast_peer" | "track_script" | "track_interface" => {
                let (items, next) = sub_block(index + 1);
                let values: Vec<String> = match key {
                    // `10.0.0.1/24 dev eth0 label x`: the addresses only.
                    "virtual_ipaddress" => items
                        .iter()
                        .filter(|item| {
                            item.split('/')
                                .next()
                                .is_some_and(|address| address.parse::<std::net::IpAddr>().is_ok())
                        })
                        .cloned()
                        .collect(),
                    _ => items
                        .iter()
                        .filter(|item| !item.chars().all(|c| c.is_ascii_digit() || c == '-'))
                        .filter(|item| *item != "weight")
                        .cloned()
                        .collect(),
                };
                let field = match key {
                    "virtual_ipaddress" => "vips",
                    "unicast_peer" => "unicast_peers",
                    "track_script" => "track_scripts",
                    _ => "track_interfaces",
                };
                if key == "unicast_peer" && !values.is_empty() {
                    fields.insert("unicast".to_string(), "yes".to_string());
                }
                fields.insert(field.to_string(), values.join(","));
                index = next.max(index + 1);
            }
            "{" => {
                let (_, next) = sub_block(index);
                index = next.max(index + 1);
            }
            _ => index += 1,
        }
    }
    fields
        .entry("auth_type".to_string())
        .or_insert_with(|| "NONE".to_string());
    fields
        .entry("advert_int".to_string())
        .or_insert_with(|| "1".to_string());
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_esc_like_configuration() {
        let text = r#"
! Configuration File for keepalived
global_defs {
   router_id esc@vsoc-kd-u01
}
vrrp_script chk_esc { script "/opt/cisco/esc/check.sh --quiet" interval 1 fall 2 }
vrrp_instance esc_ha {
    state BACKUP
    interface eth0
    virtual_router_id 137   # the VIP's last byte
    priority 101
    advert_int 1
    nopreempt
    authentication {
        auth_type PASS
        auth_pass cisco123
    }
    unicast_src_ip 10.85.103.135
    unicast_peer {
        10.85.103.136
    }
    virtual_ipaddress {
        10.85.103.137/24 dev eth0 label eth0:1
    }
    track_script {
        chk_esc weight -20
    }
    notify "/etc/keepalived/notify.sh"
}
"#;
        let instances = parse(text);
        assert_eq!(instances.len(), 1);
        let (line, fields) = &instances[0];
        assert_eq!(*line, 7);
        assert_eq!(fields["instance"], "esc_ha");
        assert_eq!(fields["vrid"], "137");
        assert_eq!(fields["priority"], "101");
        assert_eq!(fields["auth_type"], "PASS");
        assert_eq!(fields["unicast"], "yes");
        assert_eq!(fields["unicast_peers"], "10.85.103.136");
        assert_eq!(fields["vips"], "10.85.103.137/24");
        assert_eq!(fields["track_scripts"], "chk_esc");
        assert_eq!(fields["nopreempt"], "yes");
        assert_eq!(fields["notify"], "/etc/keepalived/notify.sh");
        assert!(!fields.values().any(|value| value.contains("cisco123")));
    }
}
