//! Which node ran a command typed at a shell prompt pasted among the lines: the host its prompt
//! names (`[root@ssq-58-56 opt]#`), where that is another node's than the file's.

use std::collections::BTreeMap;

use crate::sources::event::Event;
use crate::sources::events::{PROMPT_HOST_FIELD, RAN_ON_FIELD};

/// Host names that name no one machine.
const GENERIC_HOSTS: [&str; 4] = ["localhost", "localhost.localdomain", "ubuntu", "vagrant"];

/// Gives each prompt's event whose host is a node's the field `ran_on` (that node, the file's own
/// or another). A host is a node's where it is the node's name or a syslog host of its lines, else
/// where it is the host most of the node's own prompts name (its home); a host that is several
/// nodes', or none's, or one every machine is called (`localhost`), places nothing, and rules take
/// such a prompt for no node's.
pub fn place_prompts(events: &mut [Event], node_names: &[String]) {
    let mut prompt_hosts: BTreeMap<&str, BTreeMap<&str, u32>> = BTreeMap::new();
    let mut log_hosts: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for event in events.iter() {
        if let Some(host) = event.field(PROMPT_HOST_FIELD) {
            *prompt_hosts
                .entry(event.node.as_ref())
                .or_default()
                .entry(host)
                .or_default() += 1;
        } else if let Some(host) = event.host.as_deref() {
            let hosts = log_hosts.entry(event.node.as_ref()).or_default();
            if !hosts.contains(&host) {
                hosts.push(host);
            }
        }
    }
    if prompt_hosts.is_empty() {
        return;
    }
    // The host most of a node's prompts name (none where two tie).
    let homes: BTreeMap<&str, &str> = prompt_hosts
        .iter()
        .filter_map(|(node, hosts)| {
            let most = hosts.values().max()?;
            let mut leading = hosts.iter().filter(|(_, count)| *count == most);
            let (host, _) = leading.next()?;
            leading.next().is_none().then_some((*node, *host))
        })
        .collect();
    let owner = |host: &str| -> Option<String> {
        // (A host every machine is called says nothing of which one.)
        if GENERIC_HOSTS
            .iter()
            .any(|generic| generic.eq_ignore_ascii_case(host))
        {
            return None;
        }
        let named = |name: &str| name.eq_ignore_ascii_case(host);
        let by_name: Vec<&String> = node_names
            .iter()
            .filter(|node| {
                named(node)
                    || log_hosts
                        .get(node.as_str())
                        .is_some_and(|hosts| hosts.iter().any(|log_host| named(log_host)))
            })
            .collect();
        if let [only] = by_name.as_slice() {
            return Some((*only).clone());
        }
        if !by_name.is_empty() {
            return None;
        }
        let by_home: Vec<&&str> = homes
            .iter()
            .filter(|(_, home)| named(home))
            .map(|(node, _)| node)
            .collect();
        match by_home.as_slice() {
            [only] => Some((**only).to_string()),
            _ => None,
        }
    };
    let owners: BTreeMap<String, Option<String>> = prompt_hosts
        .values()
        .flat_map(|hosts| hosts.keys())
        .map(|host| (host.to_string(), owner(host)))
        .collect();
    for event in events.iter_mut() {
        let Some(host) = event.field(PROMPT_HOST_FIELD) else {
            continue;
        };
        if let Some(Some(node)) = owners.get(host) {
            let node = node.clone();
            event.fields.insert(RAN_ON_FIELD.to_string(), node);
        }
    }
}
