//! The classifier event names that Rust code relies on. Every other event name is data, used only
//! by rule files; these are the ones the state reconstruction and the engine name, so a classifier
//! table must keep producing each (a test checks that a row does).

/// A VRRP instance entered a state (`Entering MASTER STATE`, 1.x `Now in FAULT state`).
pub const ENTERING_STATE: &str = "entering-state";
/// Why an instance entered FAULT, on the state line itself (2.0.19+).
pub const FAULT_REASON: &str = "fault-reason";
/// The keepalived parent process is stopping.
pub const KEEPALIVED_STOPPING: &str = "keepalived-stopping";
/// The keepalived parent process has stopped.
pub const KEEPALIVED_STOPPED: &str = "keepalived-stopped";
/// The VRRP child process stopped.
pub const VRRP_CHILD_STOPPED: &str = "vrrp-child-stopped";
/// The VRRP child process died (and keepalived may exit with it).
pub const VRRP_CHILD_DIED: &str = "vrrp-child-died";
/// A keepalived child process exited.
pub const CHILD_EXITED: &str = "child-exited";
/// A keepalived process died of a crash (SIGSEGV, SIGABRT): no priority 0, VIPs left in place.
pub const CHILD_CRASHED: &str = "child-crashed";
/// The node booted (kernel banner, journal `-- Reboot --`).
pub const NODE_BOOT: &str = "node-boot";
/// keepalived is starting.
pub const KEEPALIVED_STARTING: &str = "keepalived-starting";
/// keepalived starts its VRRP child process.
pub const VRRP_CHILD_STARTING: &str = "vrrp-child-starting";
/// A line keepalived writes as it starts or reloads, before any instance has a state
/// (`Registering Kernel netlink reflector`, `Opening file ...`).
pub const KEEPALIVED_INITIALISING: &str = "keepalived-initialising";
/// keepalived is reloading its configuration.
pub const KEEPALIVED_RELOADING: &str = "keepalived-reloading";
/// keepalived 1.x leaves FAULT (`Kernel is reporting: interface X UP`).
pub const FAULT_CLEARED: &str = "fault-cleared";
/// keepalived 2.x saw an interface come up (`Netlink reports X up`).
pub const INTERFACE_UP: &str = "interface-up";
/// keepalived saw an interface go down or be deleted.
pub const INTERFACE_DOWN: &str = "interface-down";
/// A command typed at a shell prompt pasted among the lines prints only the lines it keeps (`|
/// grep VI_1`): the lines after it are a selection.
pub const PASTE_FILTERED: &str = "paste-filtered";
/// The field of a shell prompt's event that holds the host its prompt names.
pub const PROMPT_HOST_FIELD: &str = "prompt_host";
/// The field the timeline gives a shell prompt's event whose prompt names another node's host:
/// that node, where the command ran.
pub const RAN_ON_FIELD: &str = "ran_on";
/// A command typed at a shell prompt pasted among the lines that changes the node (field
/// `action`: interface-down, interface-up, keepalived-stop, keepalived-start, reboot).
pub const OPERATOR_COMMAND: &str = "operator-command";
/// DRBD found diverged data (`Split-Brain detected`).
pub const SPLIT_BRAIN_DETECTED: &str = "split-brain-detected";
/// DRBD ran its split-brain handler.
pub const SPLIT_BRAIN_HANDLER: &str = "split-brain-handler";
/// DRBD compared generation UUIDs (`uuid_compare()=...`).
pub const UUID_COMPARE: &str = "uuid-compare";
/// DRBD made a new current UUID (a new data generation): only a Primary does, as it loses its
/// peer or is promoted without one.
pub const NEW_DATA_GENERATION: &str = "new-data-generation";

/// A MASTER heard a lower-priority MASTER and forces an election.
pub const LOWER_PRIORITY_ADVERT: &str = "lower-priority-advert";
/// A preempting BACKUP (2.x) ignored a lower-priority MASTER's advert (`received lower priority
/// (N) advert from X - discarding`): its sender was MASTER and running then.
pub const LOWER_PRIORITY_DISCARDED: &str = "lower-priority-discarded";
/// A MASTER heard a better advert and yields.
pub const HIGHER_PRIORITY_ADVERT: &str = "higher-priority-advert";
/// A MASTER heard an equal-priority advert from a higher address and yields.
pub const SAME_PRIORITY_HIGHER_IP: &str = "same-priority-higher-ip";
/// A node heard the peer leave mastership (priority 0).
pub const PRIORITY_ZERO_RECEIVED: &str = "priority-zero-received";
/// A track script (or tracked process) failed: the instances tracking it without a weight go to
/// FAULT.
pub const SCRIPT_FAILED: &str = "script-failed";
/// A track script succeeded again.
pub const SCRIPT_SUCCEEDED: &str = "script-succeeded";
/// A track script's exit status (`/path/x.sh exited with status 1`, `Script `x` now returning 1`).
pub const SCRIPT_STATUS: &str = "script-status";
/// A BACKUP's master-down timer ran out (`Receive advertisement timeout`, logged with -D).
pub const ADVERT_TIMEOUT: &str = "advert-timeout";
/// A node sent a priority-0 advert (`sent 0 priority`): it stopped or went to FAULT as MASTER.
pub const PRIORITY_ZERO_SENT: &str = "priority-zero-sent";
/// keepalived 1.x decided to become MASTER.
pub const TRANSITION_TO_MASTER: &str = "transition-to-master";
/// A keepalived 1.x sync group began its move to a state (`VRRP_Group(G) Transition to ...`).
pub const GROUP_TRANSITION: &str = "group-transition";
/// A sync group moves its members to a state (`VRRP_Group(G) Syncing instances to ...`).
pub const GROUP_SYNC: &str = "group-sync";

/// A node announced an address with gratuitous ARPs (only a MASTER does: a VIP).
pub const GRATUITOUS_ARP: &str = "gratuitous-arp";
/// keepalived set an instance's VIPs (`setting protocol VIPs`).
pub const VIPS_SET: &str = "vips-set";
/// keepalived removed an instance's VIPs (`removing protocol VIPs`).
pub const VIPS_REMOVED: &str = "vips-removed";
/// An address was added to an interface (2.x `Assigned address`, 1.x healthcheckers' reflector).
pub const ADDRESS_ADDED: &str = "address-added";
/// An address was removed from an interface (`Deassigned address`, the 1.x reflector).
pub const ADDRESS_REMOVED: &str = "address-removed";

/// Adverts a node received from a MASTER still advertising (not its priority-0 release): each
/// proves its sender MASTER then.
pub const ADVERTS_FROM_A_MASTER: [&str; 3] = [
    LOWER_PRIORITY_ADVERT,
    HIGHER_PRIORITY_ADVERT,
    SAME_PRIORITY_HIGHER_IP,
];

/// Advert lines that name the priority the advert carried (and, most, the receiver's own).
pub const ADVERTS_NAMING_A_PRIORITY: [&str; 4] = [
    HIGHER_PRIORITY_ADVERT,
    SAME_PRIORITY_HIGHER_IP,
    LOWER_PRIORITY_ADVERT,
    LOWER_PRIORITY_DISCARDED,
];

/// Every name above, for the test that a classifier row produces each.
pub const RELIED_ON: [&str; 42] = [
    INTERFACE_DOWN,
    FAULT_CLEARED,
    INTERFACE_UP,
    GRATUITOUS_ARP,
    VIPS_SET,
    VIPS_REMOVED,
    ADDRESS_ADDED,
    ADDRESS_REMOVED,
    LOWER_PRIORITY_ADVERT,
    LOWER_PRIORITY_DISCARDED,
    HIGHER_PRIORITY_ADVERT,
    SAME_PRIORITY_HIGHER_IP,
    PRIORITY_ZERO_RECEIVED,
    ADVERT_TIMEOUT,
    SCRIPT_FAILED,
    SCRIPT_SUCCEEDED,
    SCRIPT_STATUS,
    PRIORITY_ZERO_SENT,
    TRANSITION_TO_MASTER,
    GROUP_TRANSITION,
    GROUP_SYNC,
    ENTERING_STATE,
    FAULT_REASON,
    KEEPALIVED_STOPPING,
    KEEPALIVED_STOPPED,
    VRRP_CHILD_STOPPED,
    VRRP_CHILD_DIED,
    CHILD_EXITED,
    CHILD_CRASHED,
    NODE_BOOT,
    KEEPALIVED_STARTING,
    VRRP_CHILD_STARTING,
    KEEPALIVED_INITIALISING,
    KEEPALIVED_RELOADING,
    SPLIT_BRAIN_DETECTED,
    SPLIT_BRAIN_HANDLER,
    UUID_COMPARE,
    NEW_DATA_GENERATION,
    VRRP_CONFIG_LOGGED,
    CONFIG_DUMP_SETTING,
    PASTE_FILTERED,
    OPERATOR_COMMAND,
];

/// A vrrp_instance's settings from keepalived.conf (a fact event, not a classifier row).
pub const VRRP_CONFIG: &str = "vrrp-config";

/// The first line of an instance's settings in keepalived's configuration dump (-d); the
/// timeline gathers the settings after it into its fields, as `vrrp-config` has them.
pub const VRRP_CONFIG_LOGGED: &str = "vrrp-config-logged";

/// One setting of an instance in keepalived's configuration dump.
pub const CONFIG_DUMP_SETTING: &str = "config-dump-setting";

/// Events that sources make from files and captures rather than classifier rows.
pub const FACT_EVENTS: [&str; 5] = [
    "collected",
    "not-collected",
    "status",
    VRRP_CONFIG,
    "state-file",
];

/// Fields that sources set on their fact events (keepalived.conf, DRBD status, the collection,
/// keepalived_state), besides those the classifier rows capture.
pub const FACT_FIELDS: [&str; 39] = [
    "advert_int",
    "at_start",
    "auth_type",
    "clock_offset_s",
    "connection",
    "disk",
    "instance",
    "interface",
    "minor",
    "mtime_from_manifest",
    "nopreempt",
    "notify",
    "notify_backup",
    "notify_fault",
    "notify_master",
    "notify_stop",
    "peer",
    "peer_disk",
    "peer_role",
    "priority",
    "replication",
    "resource",
    "role",
    "state",
    "track_interfaces",
    "track_scripts",
    "unicast",
    "unicast_peers",
    "unicast_src_ip",
    "vips",
    "vrid",
    "weight",
    "what",
    "why",
    "implied_state",
    "implied_entry",
    "leads_to",
    "repeated",
    "keepalived_vip",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::Classifier;

    #[test]
    fn a_classifier_row_produces_every_event_rust_relies_on() {
        let classifier = Classifier::load(None);
        let produced: Vec<&str> = classifier
            .tables
            .iter()
            .flat_map(|table| table.event_names())
            .collect();
        for name in RELIED_ON {
            assert!(
                produced.contains(&name),
                "no classifier row produces {name:?}"
            );
        }
    }
}
