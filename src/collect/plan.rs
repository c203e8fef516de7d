//! What collect gathers on every node, as data: the files (glob patterns, each with the
//! redaction that applies and whether it is a log cut by the time window) and the read-only
//! commands (name, argv, timeout, fallback). Nothing outside these tables is ever run or read on
//! a node; the probes at the bottom (host name, time zone, clock samples) are plan entries too.

use std::time::Duration;

/// How a file's secrets are removed (see `redact`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redaction {
    /// Credential patterns inside log lines: `password=`, `passwd:`, Authorization headers,
    /// bearer and API tokens.
    LogCredentials,
    /// YAML keys `password:`, `passwd:`, `*_password:`, `*secret*:` (plus the log patterns).
    YamlPasswords,
    /// keepalived `auth_pass` (plus the log patterns).
    KeepalivedAuth,
    /// DRBD `shared-secret` (plus the log patterns).
    DrbdSecret,
}

/// Whether a file is a log (cut by the window, bounded by default) or taken whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Log,
    Whole,
}

/// A group of files to gather: absolute node paths, shell globs allowed; a directory is taken
/// with everything under it.
#[derive(Debug, Clone, Copy)]
pub struct FileEntry {
    pub patterns: &'static [&'static str],
    pub kind: FileKind,
    pub redaction: Redaction,
}

/// The files, in the order they are gathered.
pub const FILES: &[FileEntry] = &[
    FileEntry {
        patterns: &["/opt/cisco/esc/keepalived_state"],
        kind: FileKind::Whole,
        redaction: Redaction::LogCredentials,
    },
    FileEntry {
        patterns: &["/opt/cisco/esc/esc-config/esc-config.yaml"],
        kind: FileKind::Whole,
        redaction: Redaction::YamlPasswords,
    },
    // The track and notify scripts keepalived.conf names are added with this redaction too.
    FileEntry {
        patterns: &["/etc/keepalived"],
        kind: FileKind::Whole,
        redaction: Redaction::KeepalivedAuth,
    },
    FileEntry {
        patterns: &["/etc/drbd.conf", "/etc/drbd.d"],
        kind: FileKind::Whole,
        redaction: Redaction::DrbdSecret,
    },
    FileEntry {
        patterns: &[
            "/var/log/esc/escmanager.log*",
            "/var/log/esc/escmanager_tagged.log*",
            "/var/log/esc/escadm.log*",
            "/var/log/esc/esc_haagent.log*",
            "/var/log/exabgp.log",
            "/var/log/messages*",
        ],
        kind: FileKind::Log,
        redaction: Redaction::LogCredentials,
    },
];

/// The keepalived configuration, read for the scripts it names, the VIPs and unicast peers.
pub const KEEPALIVED_CONF: &str = "/etc/keepalived/keepalived.conf";
/// ESC's configuration, read for the HA peer.
pub const ESC_CONFIG: &str = "/opt/cisco/esc/esc-config/esc-config.yaml";
/// When no file matches this, the journal is exported instead.
pub const MESSAGES_PATTERN: &str = "/var/log/messages*";

/// A read-only command of the plan.
#[derive(Debug, Clone, Copy)]
pub struct CommandEntry {
    /// commands/NAME.txt
    pub name: &'static str,
    pub argv: &'static [&'static str],
    pub timeout: Duration,
    /// Run instead when the command fails (older `ip` without -j, no /proc/drbd, no chronyc).
    pub fallback: Option<(&'static str, &'static [&'static str])>,
}

const fn seconds(count: u64) -> Duration {
    Duration::from_secs(count)
}

/// The commands every node runs (the pings are added per target, see `ping`).
pub const COMMANDS: &[CommandEntry] = &[
    CommandEntry {
        name: "ip_addr",
        argv: &["ip", "-j", "addr"],
        timeout: seconds(10),
        fallback: Some(("ip_addr", &["ip", "-o", "addr"])),
    },
    CommandEntry {
        name: "ip_route",
        argv: &["ip", "-j", "route"],
        timeout: seconds(10),
        fallback: Some(("ip_route", &["ip", "-o", "route"])),
    },
    CommandEntry {
        name: "ip_link",
        argv: &["ip", "-j", "link"],
        timeout: seconds(10),
        fallback: Some(("ip_link", &["ip", "-o", "link"])),
    },
    // escadm asks the ESC services; they can be slow when the node is in trouble.
    CommandEntry {
        name: "escadm_status",
        argv: &["escadm", "status", "--v"],
        timeout: seconds(30),
        fallback: None,
    },
    CommandEntry {
        name: "escadm_health",
        argv: &["escadm", "health"],
        timeout: seconds(30),
        fallback: None,
    },
    CommandEntry {
        name: "escadm_op_mode",
        argv: &["escadm", "op_mode", "show"],
        timeout: seconds(30),
        fallback: None,
    },
    CommandEntry {
        name: "proc_drbd",
        argv: &["cat", "/proc/drbd"],
        timeout: seconds(5),
        fallback: Some(("drbdadm_status", &["drbdadm", "status"])),
    },
    CommandEntry {
        name: "chronyc_tracking",
        argv: &["chronyc", "tracking"],
        timeout: seconds(10),
        fallback: Some(("timedatectl", &["timedatectl"])),
    },
    // df hangs on a dead NFS mount; -l keeps it to local file systems.
    CommandEntry {
        name: "df",
        argv: &["df", "-P", "-l"],
        timeout: seconds(10),
        fallback: None,
    },
    CommandEntry {
        name: "uptime",
        argv: &["uptime"],
        timeout: seconds(5),
        fallback: None,
    },
    CommandEntry {
        name: "keepalived_version",
        argv: &["keepalived", "--version"],
        timeout: seconds(5),
        fallback: None,
    },
];

/// `ping -c 3 -W 1` (200 ms apart, so an unreachable target costs about 1.5 s).
pub fn ping(name: String, address: &str) -> (String, Vec<String>, Duration) {
    let argv = ["ping", "-n", "-c", "3", "-W", "1", "-i", "0.2", address];
    (
        name,
        argv.iter().map(ToString::to_string).collect(),
        seconds(8),
    )
}

/// The journal export used when a node has no /var/log/messages: `journalctl -o short-iso`
/// from `since` (seconds since the epoch) on, stored as journal/journalctl-short-iso.txt.
pub fn journal(since: Option<i64>, until: Option<i64>) -> (String, Vec<String>, Duration) {
    let mut argv: Vec<String> = ["journalctl", "--no-pager", "-q", "-o", "short-iso"]
        .iter()
        .map(ToString::to_string)
        .collect();
    if let Some(since) = since {
        argv.push(format!("--since=@{since}"));
    }
    if let Some(until) = until {
        argv.push(format!("--until=@{until}"));
    }
    ("journalctl".to_string(), argv, seconds(120))
}

/// Where the journal export goes in the node directory.
pub const JOURNAL_FILE: &str = "journal/journalctl-short-iso.txt";

/// Probes: small read-only commands whose output feeds the manifest rather than a file.
pub const PROBE_HOSTNAME: &str = "uname -n";
/// The IANA zone name: timedatectl, else /etc/timezone, else the /etc/localtime link.
pub const PROBE_TIMEZONE: &str = "timedatectl show -p Timezone --value 2>/dev/null || cat /etc/timezone 2>/dev/null || readlink /etc/localtime 2>/dev/null";
/// The node's current UTC offset (+0100), used to read year-less log stamps for the window.
pub const PROBE_UTC_OFFSET: &str = "date +%z";
/// One clock sample (seconds since the epoch, nanoseconds).
pub const PROBE_CLOCK: &str = "date +%s.%N";
/// Clock samples on one channel: a reading for each line received (no channel set-up inside
/// the round trip, so the round trip is short and nearly symmetric).
pub const PROBE_CLOCK_LOOP: &str = "while read -r line; do date +%s.%N; done";
/// How many clock samples are taken; the one with the smallest round trip is kept.
pub const CLOCK_SAMPLES: usize = 5;
/// Timeout of each probe.
pub const PROBE_TIMEOUT: Duration = seconds(10);
/// Timeout of one file transfer (a stalled SSH read fails sooner, at the session timeout).
pub const FILE_TIMEOUT: Duration = seconds(600);

/// Without --since/--until/--all, logs are cut to the last this many days ...
pub const DEFAULT_DAYS: i64 = 7;
/// ... and a node's files stop at this many bytes.
pub const DEFAULT_NODE_BYTES: u64 = 500 * 1024 * 1024;

/// Directories added to PATH for every command (ip and escadm live in sbin directories that a
/// non-login shell of an ordinary user may lack).
pub const EXTRA_PATH: &str = "/usr/local/sbin:/usr/sbin:/sbin:/opt/cisco/esc/esc-scripts";
