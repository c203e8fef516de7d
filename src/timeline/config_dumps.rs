//! keepalived's configuration dump (`-d`, `--dump-conf`, written as it starts or reloads): each instance's
//! settings, one line each after its ` VRRP Instance = X` line, gathered into that line's event
//! (`vrrp-config-logged`) with the fields keepalived.conf's `vrrp-config` has, so that rules and
//! texts know the priorities, initial state and preemption a node ran with when no configuration
//! file was collected.

use std::collections::HashMap;

use crate::sources::event::Event;
use crate::sources::events;

/// Lines between two settings of one instance beyond which they are not one dump (the 2.x dump
/// of an instance is about 40 lines, most of them settings no row reads).
const MOST_LINES_BETWEEN: u64 = 40;

/// How long after keepalived's start (or reload) line it dumps its configuration, at most.
const DUMP_AFTER_START_S: i64 = 30;

/// A setting's field in the classifier row and the field of `vrrp-config` it fills.
const SETTINGS: [(&str, &str); 6] = [
    ("dumped_state", "state"),
    ("dumped_priority", "priority"),
    ("dumped_vrid", "vrid"),
    ("dumped_interface", "interface"),
    ("dumped_advert_int", "advert_int"),
    ("dumped_auth_type", "auth_type"),
];

/// The dump being read in one process's lines of one file: its instance line's event, the line
/// of its latest setting, and the list (VIPs, excluded VIPs, unicast peers) addresses go to.
struct OpenDump {
    instance_event: usize,
    last_line: u64,
    list: Option<String>,
}

/// Gathers every dumped instance's settings into its ` VRRP Instance = X` event, and names the
/// instance on each setting's event. A setting belongs to the latest instance line of the same
/// node, file and process when no other recognised line of that process came between and it is
/// at most `MOST_LINES_BETWEEN` lines after the one before; the first value of a setting wins
/// (2.x writes its sockets' interfaces after the instances). An instance line within
/// `DUMP_AFTER_START_S` of the node's latest start line, with no reload line since, gets
/// `at_start = yes`: at a reload keepalived dumps the state an instance holds as its wanted one.
pub fn gather_config_dumps(events: &mut [Event]) {
    let mut at_start: Vec<usize> = Vec::new();
    // Each node's latest start (true) or reload (false) line, and when.
    let mut began: HashMap<&str, (chrono::DateTime<chrono::Utc>, bool)> = HashMap::new();
    let mut open: HashMap<(&str, u32, Option<u32>), OpenDump> = HashMap::new();
    // (instance event, setting event, the list an address goes to)
    let mut settings: Vec<(usize, usize, Option<String>)> = Vec::new();
    for (index, event) in events.iter().enumerate() {
        let key = (event.node.as_ref(), event.file_index, event.pid);
        match event.event.as_deref() {
            Some(events::VRRP_CONFIG_LOGGED) => {
                if let (Some(time), Some((since, true))) =
                    (event.time, began.get(event.node.as_ref()))
                    && (time - *since).num_seconds() <= DUMP_AFTER_START_S
                {
                    at_start.push(index);
                }
                open.insert(
                    key,
                    OpenDump {
                        instance_event: index,
                        last_line: event.line,
                        list: None,
                    },
                );
            }
            Some(events::CONFIG_DUMP_SETTING) => {
                let Some(dump) = open.get_mut(&key) else {
                    continue;
                };
                if event.line <= dump.last_line || event.line - dump.last_line > MOST_LINES_BETWEEN
                {
                    open.remove(&key);
                    continue;
                }
                dump.last_line = event.line;
                if let Some(list) = event.field("dumped_list") {
                    dump.list = Some(list.to_string());
                }
                settings.push((dump.instance_event, index, dump.list.clone()));
            }
            other => {
                let started = match other {
                    Some(events::KEEPALIVED_STARTING | events::VRRP_CHILD_STARTING) => Some(true),
                    Some(events::KEEPALIVED_RELOADING) => Some(false),
                    _ => None,
                };
                if let (Some(started), Some(time)) = (started, event.time) {
                    began.insert(&event.node, (time, started));
                }
                open.remove(&key);
            }
        }
    }
    for index in at_start {
        events[index].fields.insert("at_start", "yes");
    }
    for (instance_event, setting_event, list) in settings {
        let instance = events[instance_event]
            .field("instance")
            .unwrap_or_default()
            .to_string();
        let setting = &mut events[setting_event];
        setting.fields.insert("instance", instance.as_str());
        let values: Vec<(&str, String)> = setting_values(setting, list.as_deref());
        let config = &mut events[instance_event];
        for (field, value) in values {
            let appended = matches!(field, "vips" | "unicast_peers");
            match config.field(field) {
                Some(known) if appended => {
                    let joined = format!("{known},{value}");
                    config.fields.insert(field, joined);
                }
                Some(_) => {}
                None => config.fields.insert(field, value),
            }
        }
    }
}

/// The `vrrp-config` fields one setting's event gives (a list's heading: none, or `unicast`).
fn setting_values(setting: &Event, list: Option<&str>) -> Vec<(&'static str, String)> {
    let mut values = Vec::new();
    for (dumped, field) in SETTINGS {
        let Some(value) = setting.field(dumped) else {
            continue;
        };
        let value = match field {
            // keepalived.conf's words: PASS, AH, NONE; the interval in seconds.
            "auth_type" => match value {
                "SIMPLE_PASSWORD" => "PASS".to_string(),
                "IPSEC_AH" => "AH".to_string(),
                _ => "NONE".to_string(),
            },
            "advert_int" if setting.field("dumped_advert_unit") == Some("milli-sec") => match value
                .parse::<u32>(
            ) {
                Ok(milliseconds) if milliseconds % 1000 == 0 => (milliseconds / 1000).to_string(),
                Ok(milliseconds) => format!("{}", f64::from(milliseconds) / 1000.0),
                Err(_) => continue,
            },
            _ => value.to_string(),
        };
        values.push((field, value));
    }
    if let Some(preempt) = setting.field("dumped_preempt") {
        let nopreempt = if preempt == "disabled" { "yes" } else { "no" };
        values.push(("nopreempt", nopreempt.to_string()));
    }
    if let (Some(address), Some("Virtual IP")) = (setting.field("dumped_address"), list) {
        values.push(("vips", address.to_string()));
    }
    if let (Some(address), Some("Unicast Peer")) = (setting.field("dumped_peer"), list) {
        values.push(("unicast_peers", address.to_string()));
    }
    // 1.x lists its unicast peers as bare addresses after their count.
    if setting.field("dumped_list") == Some("Unicast Peer") {
        values.push(("unicast", "yes".to_string()));
    }
    values
}

#[cfg(test)]
mod tests {
    use crate::sources::Classifier;
    use crate::timeline::Timeline;

    fn timeline_of(files: &[(&str, &str)]) -> (tempfile::TempDir, Timeline) {
        let root = tempfile::tempdir().unwrap();
        for (relative, text) in files {
            let path = root.path().join(relative);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let bundle = crate::bundle::Bundle::open(&[root.path().to_path_buf()]).unwrap();
        let timeline = Timeline::build(&bundle, &Classifier::load(None));
        (root, timeline)
    }

    fn logged_configs(timeline: &Timeline) -> Vec<Vec<(String, String)>> {
        timeline
            .events
            .iter()
            .filter(|event| event.event.as_deref() == Some("vrrp-config-logged"))
            .map(|event| {
                [
                    "instance",
                    "state",
                    "priority",
                    "vrid",
                    "interface",
                    "advert_int",
                    "nopreempt",
                    "auth_type",
                    "vips",
                    "unicast",
                    "unicast_peers",
                ]
                .iter()
                .filter_map(|field| Some((field.to_string(), event.field(field)?.to_string())))
                .collect()
            })
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn a_1x_dump_gives_each_instance_its_settings() {
        let (_root, timeline) = timeline_of(&[(
            "data01/var/log/messages",
            "\
Mar 22 15:25:28 data01 Keepalived_vrrp[19257]: ------< VRRP Topology >------
Mar 22 15:25:28 data01 Keepalived_vrrp[19257]:  VRRP Instance = VRRP1
Mar 22 15:25:28 data01 Keepalived_vrrp[19257]:    Using VRRPv2
Mar 22 15:25:28 data01 Keepalived_vrrp[19257]:    Want State = MASTER
Mar 22 15:25:28 data01 Keepalived_vrrp[19257]:    Runing on device = xgbe0
Mar 22 15:25:28 data01 Keepalived_vrrp[19257]:    Gratuitous ARP repeat = 5
Mar 22 15:25:28 data01 Keepalived_vrrp[19257]:    Virtual Router ID = 51
Mar 22 15:25:28 data01 Keepalived_vrrp[19257]:    Priority = 101
Mar 22 15:25:28 data01 Keepalived_vrrp[19257]:    Advert interval = 1 sec
Mar 22 15:25:28 data01 Keepalived_vrrp[19257]:    Preempt disabled
Mar 22 15:25:28 data01 Keepalived_vrrp[19257]:    Authentication type = SIMPLE_PASSWORD
Mar 22 15:25:28 data01 Keepalived_vrrp[19257]:    Virtual IP = 1
Mar 22 15:25:28 data01 Keepalived_vrrp[19257]:      10.244.81.8/25 dev xgbe0 scope global
Mar 22 15:25:28 data01 Keepalived_vrrp[19257]: Using LinkWatch kernel netlink reflector...
Mar 22 15:25:30 data01 Keepalived_vrrp[19257]:      10.0.0.9/25 dev xgbe0 scope global
",
        )]);
        assert_eq!(
            logged_configs(&timeline),
            vec![pairs(&[
                ("instance", "VRRP1"),
                ("state", "MASTER"),
                ("priority", "101"),
                ("vrid", "51"),
                ("interface", "xgbe0"),
                ("advert_int", "1"),
                ("nopreempt", "yes"),
                ("auth_type", "PASS"),
                ("vips", "10.244.81.8/25"),
            ])]
        );
        // The settings name their instance; the address after the dump ended does not.
        let named: Vec<(u64, Option<&str>)> = timeline
            .events
            .iter()
            .filter(|event| event.event.as_deref() == Some("config-dump-setting"))
            .map(|event| (event.line, event.field("instance")))
            .collect();
        assert_eq!(named.len(), 10);
        assert!(
            named[..9]
                .iter()
                .all(|(_, instance)| *instance == Some("VRRP1"))
        );
        assert_eq!(named[9], (15, None));
    }

    #[test]
    fn a_2x_dump_of_two_instances_and_two_processes_keeps_them_apart() {
        let (_root, timeline) = timeline_of(&[(
            "lb/var/log/messages",
            "\
Aug  2 14:46:03 lb Keepalived_vrrp[878]: VRRP Instance = VI_1
Aug  2 14:46:03 lb Keepalived_vrrp[878]:   Wantstate = BACKUP
Aug  2 14:46:03 lb Keepalived_vrrp[878]:   Interface = ens192
Aug  2 14:46:03 lb Keepalived_vrrp[878]:   Virtual Router ID = 51
Aug  2 14:46:03 lb Keepalived_vrrp[878]:   Priority = 100
Aug  2 14:46:03 lb Keepalived_vrrp[878]:   Advert interval = 1000 milli-sec
Aug  2 14:46:03 lb Keepalived_vrrp[999]:   Priority = 7
Aug  2 14:46:03 lb Keepalived_vrrp[878]:   Preempt = enabled
Aug  2 14:46:03 lb Keepalived_vrrp[878]:   Authentication type = none
Aug  2 14:46:03 lb Keepalived_vrrp[878]:   Virtual IP (2):
Aug  2 14:46:03 lb Keepalived_vrrp[878]:     10.255.1.111/22 dev ens192 scope global
Aug  2 14:46:03 lb Keepalived_vrrp[878]:     10.255.1.112/22 dev ens192 scope global
Aug  2 14:46:03 lb Keepalived_vrrp[878]:   Unicast Peer :
Aug  2 14:46:03 lb Keepalived_vrrp[878]:     10.255.1.10 min_ttl 0 max_ttl 255
Aug  2 14:46:03 lb Keepalived_vrrp[878]: VRRP Instance = VI_2
Aug  2 14:46:03 lb Keepalived_vrrp[878]:   Priority = 99
Aug  2 14:46:03 lb Keepalived_vrrp[878]:   Preempt = disabled
Aug  2 14:46:03 lb Keepalived_vrrp[878]:   Interface = eth9
",
        )]);
        assert_eq!(
            logged_configs(&timeline),
            vec![
                pairs(&[
                    ("instance", "VI_1"),
                    ("state", "BACKUP"),
                    ("priority", "100"),
                    ("vrid", "51"),
                    ("interface", "ens192"),
                    ("advert_int", "1"),
                    ("nopreempt", "no"),
                    ("auth_type", "NONE"),
                    ("vips", "10.255.1.111/22,10.255.1.112/22"),
                    ("unicast", "yes"),
                    ("unicast_peers", "10.255.1.10"),
                ]),
                pairs(&[
                    ("instance", "VI_2"),
                    ("priority", "99"),
                    ("interface", "eth9"),
                    ("nopreempt", "yes"),
                ]),
            ]
        );
    }

    #[test]
    fn routes_and_the_socket_section_after_an_instance_are_not_its_settings() {
        let (_root, timeline) = timeline_of(&[(
            "lb/var/log/messages",
            "\
Aug  2 14:46:03 lb Keepalived_vrrp[878]: VRRP Instance = VI_2
Aug  2 14:46:03 lb Keepalived_vrrp[878]:   Interface = vrrp.52, vmac on eth1, xmit base i/f
Aug  2 14:46:03 lb Keepalived_vrrp[878]:   Virtual IP (1):
Aug  2 14:46:03 lb Keepalived_vrrp[878]:     10.1.0.100/24 dev vrrp.52 scope global
Aug  2 14:46:03 lb Keepalived_vrrp[878]:   Virtual Routes :
Aug  2 14:46:03 lb Keepalived_vrrp[878]:     10.9.0.0/16 dev vrrp.52 scope 253
Aug  2 14:46:03 lb Keepalived_vrrp[878]: ------< VRRP Sockpool >------
Aug  2 14:46:03 lb Keepalived_vrrp[878]:   Interface = eth0
",
        )]);
        assert_eq!(
            logged_configs(&timeline),
            vec![pairs(&[
                ("instance", "VI_2"),
                ("interface", "eth1"),
                ("vips", "10.1.0.100/24"),
            ])]
        );
    }
}
