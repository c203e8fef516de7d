//! Gathering one node through its `Access`, by the plan: probes (host name, zone, the two
//! configurations), the commands (with fallbacks, and pings to the gateways, the peer and the
//! VIPs), then the files (`files`: cut to the window, unpacked, redacted, staged). Output of
//! commands is returned, not written; a full disk stops it, everything else is a `Problem`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use indicatif::ProgressBar;

use super::access::{Access, AccessError, Output, quote, quote_argv};
use super::peer::{self, KeepalivedConf};
use super::plan::{self, Redaction};
use super::redact::Redactor;
use super::window::{StampReader, Window};
use crate::deflate_blocks::DeflatedCopy;

/// How root-only files are read on this node.
#[derive(Debug, Clone, PartialEq)]
pub enum Sudo {
    /// Already root (or this machine: files are read as the user running esc-diag).
    NotNeeded,
    /// `sudo -n` works.
    NoPassword,
    /// `sudo -S` with this password.
    Password(String),
    /// No sudo right; why.
    Unavailable(String),
}

/// What to gather on one node and where to put it.
pub struct NodePlan {
    /// The node's file system root ("/"; a directory in tests).
    pub root: String,
    pub window: Window,
    /// The byte bound of the node's files (None with --all).
    pub bound: Option<u64>,
    pub reader: StampReader,
    pub now: DateTime<Utc>,
    pub redactor: Redactor,
    /// The node's directory in the staging tree.
    pub staging: PathBuf,
    /// Where deflated copies of stored logs are written (outside the staging tree).
    pub copies: PathBuf,
    /// The peer's address, pinged from here.
    pub peer_address: Option<String>,
    pub sudo: Sudo,
    pub progress: Option<ProgressBar>,
}

/// A file stored in the staging tree.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub relative: String,
    /// Seconds since the epoch, the node's.
    pub mtime: Option<i64>,
    pub redactions: u64,
    /// Size and sha256 (hex) of what was written, when known as it was written.
    pub digest: Option<(u64, String)>,
    /// The file's content deflated as it was written, for packing the bundle.
    pub copy: Option<DeflatedCopy>,
}

/// A command run on the node.
#[derive(Debug, Clone)]
pub struct CommandRun {
    pub name: String,
    pub argv: Vec<String>,
    /// Relative to the node directory.
    pub file: String,
    pub exit_code: Option<i32>,
    pub duration_s: f64,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// Secrets removed from the output.
    pub redactions: u64,
    /// The output is already in the staging tree (the journal export).
    pub written: bool,
}

/// Something that could not be gathered.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub what: String,
    pub why: String,
}

/// Everything gathered on one node.
#[derive(Debug, Clone, Default)]
pub struct Gathered {
    pub hostname: String,
    pub addresses: Vec<String>,
    pub timezone: Option<String>,
    pub utc_offset_s: i32,
    pub files: Vec<StoredFile>,
    pub commands: Vec<CommandRun>,
    pub errors: Vec<Problem>,
    pub keepalived: KeepalivedConf,
    /// esc-config.yaml as read (for finding the peer; never stored from here).
    pub esc_config: Option<String>,
}

/// Gathering must stop: the bundle's disk is too full.
#[derive(Debug, thiserror::Error)]
#[error(
    "not enough free space in {directory}: {free_mb} MB free, about {needed_mb} MB needed; use --since/--until, or --output on another file system"
)]
pub struct NoSpace {
    pub directory: String,
    pub free_mb: u64,
    pub needed_mb: u64,
}

/// Bytes free for an unprivileged writer in the file system holding `path`.
pub fn free_bytes(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let name = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut stats = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: statvfs writes into the struct we own; the name is NUL-terminated.
    let result = unsafe { libc::statvfs(name.as_ptr(), stats.as_mut_ptr()) };
    if result != 0 {
        return None;
    }
    // SAFETY: statvfs returned 0, so it filled the struct.
    let stats = unsafe { stats.assume_init() };
    // The field types differ between targets (u32 on some 32-bit ones).
    #[allow(clippy::unnecessary_cast)]
    let free = stats.f_bavail as u64 * stats.f_frsize as u64;
    Some(free)
}

/// What must stay free beyond what is written.
const SPACE_MARGIN: u64 = 64 * 1024 * 1024;

/// Checks that `bytes` (twice: staging and archive) fit in the staging file system.
pub fn check_space(directory: &Path, bytes: u64) -> Result<(), NoSpace> {
    let needed = bytes.saturating_mul(2) + SPACE_MARGIN;
    match free_bytes(directory) {
        Some(free) if free < needed => Err(NoSpace {
            directory: directory.display().to_string(),
            free_mb: free / 1_000_000,
            needed_mb: needed / 1_000_000,
        }),
        _ => Ok(()),
    }
}

pub(super) struct Gatherer<'a> {
    pub(super) access: &'a mut dyn Access,
    pub(super) plan: &'a NodePlan,
    pub(super) out: Gathered,
    pub(super) stored_bytes: u64,
    pub(super) files_done: u64,
    /// Deflated copies started (they are numbered).
    pub(super) copies_started: u64,
}

/// Gathers one node. An unreachable command or file is a `Problem` in the result; only a full
/// disk (or a lost session, returned as a problem too) stops it early.
pub fn node(access: &mut dyn Access, plan: &NodePlan) -> Result<Gathered, NoSpace> {
    let mut gatherer = Gatherer {
        access,
        plan,
        out: Gathered::default(),
        stored_bytes: 0,
        files_done: 0,
        copies_started: 0,
    };
    match gatherer.all() {
        Ok(()) => {}
        Err(Stop::NoSpace(error)) => return Err(error),
        Err(Stop::Lost(error)) => gatherer.out.errors.push(Problem {
            what: format!("node {}", error.node),
            why: format!("the connection was lost: {}", error.why),
        }),
    }
    Ok(gatherer.out)
}

pub(super) enum Stop {
    NoSpace(NoSpace),
    Lost(AccessError),
}

impl From<AccessError> for Stop {
    fn from(error: AccessError) -> Stop {
        Stop::Lost(error)
    }
}

pub(super) fn first_line(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("")
        .trim()
        .chars()
        .take(200)
        .collect()
}

fn parse_offset(text: &str) -> Option<i32> {
    let text = text.trim();
    let (sign, digits) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    if digits.len() != 4 {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..].parse().ok()?;
    Some(sign * (hours * 3600 + minutes * 60))
}

impl Gatherer<'_> {
    pub(super) fn path(&self, absolute: &str) -> String {
        let root = self.plan.root.trim_end_matches('/');
        format!("{root}{absolute}")
    }

    /// A command line as this node must run it: through sudo when files need it.
    pub(super) fn wrap(&self, script: &str) -> (String, Option<Vec<u8>>) {
        let shell = format!("sh -c {}", quote(script));
        match &self.plan.sudo {
            Sudo::NoPassword => (format!("sudo -n {shell}"), None),
            Sudo::Password(password) => (
                format!("sudo -S -p '' {shell}"),
                Some(format!("{password}\n").into_bytes()),
            ),
            Sudo::NotNeeded | Sudo::Unavailable(_) => (shell, None),
        }
    }

    pub(super) fn run(&mut self, script: &str, timeout: Duration) -> Result<Output, AccessError> {
        let (command, stdin) = self.wrap(script);
        self.access.run(&command, stdin.as_deref(), timeout)
    }

    pub(super) fn problem(&mut self, what: impl Into<String>, why: impl Into<String>) {
        self.out.errors.push(Problem {
            what: what.into(),
            why: why.into(),
        });
    }

    fn all(&mut self) -> Result<(), Stop> {
        self.probes()?;
        self.commands()?;
        self.files()?;
        Ok(())
    }

    fn probes(&mut self) -> Result<(), Stop> {
        let hostname = self.run(plan::PROBE_HOSTNAME, plan::PROBE_TIMEOUT)?;
        self.out.hostname = hostname.stdout_text();
        let zone = self.run(plan::PROBE_TIMEZONE, plan::PROBE_TIMEOUT)?;
        let zone = zone.stdout_text();
        let zone = zone
            .rsplit_once("zoneinfo/")
            .map_or(zone.as_str(), |(_, name)| name)
            .trim()
            .to_string();
        let offset = self.run(plan::PROBE_UTC_OFFSET, plan::PROBE_TIMEOUT)?;
        self.out.utc_offset_s = parse_offset(&offset.stdout_text()).unwrap_or(0);
        self.out.timezone = if !zone.is_empty() && !zone.contains(' ') {
            Some(zone)
        } else {
            parse_offset(&offset.stdout_text()).map(|seconds| {
                let sign = if seconds < 0 { '-' } else { '+' };
                let seconds = seconds.abs();
                format!("{sign}{:02}:{:02}", seconds / 3600, seconds % 3600 / 60)
            })
        };
        let conf_path = self.path(plan::KEEPALIVED_CONF);
        let conf = self.run(
            &format!("cat -- {}", quote(&conf_path)),
            plan::PROBE_TIMEOUT,
        )?;
        if conf.exit_code == Some(0) {
            self.out.keepalived = peer::keepalived_conf(&String::from_utf8_lossy(&conf.stdout));
        }
        let esc_path = self.path(plan::ESC_CONFIG);
        let esc = self.run(&format!("cat -- {}", quote(&esc_path)), plan::PROBE_TIMEOUT)?;
        if esc.exit_code == Some(0) {
            self.out.esc_config = Some(String::from_utf8_lossy(&esc.stdout).into_owned());
        }
        Ok(())
    }

    fn command(
        &mut self,
        name: &str,
        argv: &[String],
        timeout: Duration,
    ) -> Result<CommandRun, AccessError> {
        let script = format!(
            "PATH=\"$PATH:{}\"; export PATH; exec {}",
            plan::EXTRA_PATH,
            quote_argv(argv)
        );
        let output = self.run(&script, timeout)?;
        let (stdout, found) = self
            .plan
            .redactor
            .text(&output.stdout, Redaction::LogCredentials);
        let (stderr, also) = self
            .plan
            .redactor
            .text(&output.stderr, Redaction::LogCredentials);
        Ok(CommandRun {
            name: name.to_string(),
            argv: argv.to_vec(),
            file: format!("commands/{name}.txt"),
            exit_code: if output.not_found() {
                None
            } else {
                output.exit_code
            },
            duration_s: output.duration.as_secs_f64(),
            stdout,
            stderr: if output.timed_out {
                let mut stderr = stderr;
                stderr.extend_from_slice(
                    format!("esc-diag: timed out after {} s\n", timeout.as_secs()).as_bytes(),
                );
                stderr
            } else {
                stderr
            },
            redactions: found + also,
            written: false,
        })
    }

    pub(super) fn record(&mut self, run: CommandRun, timeout: Duration) {
        let shown = run.argv.join(" ");
        if run.exit_code.is_none() {
            let why = if run.duration_s >= timeout.as_secs_f64() - 0.05 {
                format!("timed out after {} s", timeout.as_secs())
            } else {
                format!("not installed ({})", first_line(&run.stderr))
            };
            self.problem(format!("command {shown}"), why);
        }
        if let Some(bar) = &self.plan.progress {
            bar.set_message(format!("{} commands", self.out.commands.len() + 1));
        }
        self.out.commands.push(run);
    }

    fn commands(&mut self) -> Result<(), Stop> {
        for entry in plan::COMMANDS {
            let argv: Vec<String> = entry.argv.iter().map(ToString::to_string).collect();
            let mut run = self.command(entry.name, &argv, entry.timeout)?;
            if run.exit_code != Some(0)
                && let Some((name, fallback)) = entry.fallback
            {
                let argv: Vec<String> = fallback.iter().map(ToString::to_string).collect();
                let second = self.command(name, &argv, entry.timeout)?;
                if second.exit_code == Some(0) {
                    run = second;
                }
            }
            if entry.name == "ip_addr" {
                self.out.addresses = addresses(&run.stdout);
            }
            self.record(run, entry.timeout);
        }
        let route = self
            .out
            .commands
            .iter()
            .find(|run| run.name == "ip_route")
            .map(|run| gateways(&run.stdout))
            .unwrap_or_default();
        let mut targets: Vec<(String, String)> = Vec::new();
        for (index, gateway) in route.iter().enumerate() {
            targets.push((numbered("ping_gateway", index), gateway.clone()));
        }
        if let Some(peer) = &self.plan.peer_address {
            targets.push(("ping_peer".to_string(), peer.clone()));
        }
        for (index, vip) in self.out.keepalived.vips.clone().iter().enumerate() {
            targets.push((numbered("ping_vip", index), vip.clone()));
        }
        for (name, address) in targets {
            let (name, argv, timeout) = plan::ping(name, &address);
            let run = self.command(&name, &argv, timeout)?;
            self.record(run, timeout);
        }
        Ok(())
    }
}

fn numbered(base: &str, index: usize) -> String {
    if index == 0 {
        base.to_string()
    } else {
        format!("{base}_{}", index + 1)
    }
}

/// The node's own addresses from `ip -j addr` (or `ip -o addr`), loopback left out.
pub fn addresses(output: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    if let Ok(serde_json::Value::Array(links)) = serde_json::from_slice(output) {
        for link in links {
            for info in link["addr_info"].as_array().into_iter().flatten() {
                if let Some(local) = info["local"].as_str() {
                    found.push(local.to_string());
                }
            }
        }
    } else {
        for line in String::from_utf8_lossy(output).lines() {
            let mut words = line.split_whitespace();
            while let Some(word) = words.next() {
                if (word == "inet" || word == "inet6")
                    && let Some(address) = words.next()
                {
                    found.push(address.split('/').next().unwrap_or("").to_string());
                }
            }
        }
    }
    found.retain(|address| !address.is_empty() && !address.starts_with("127.") && address != "::1");
    found.dedup();
    found
}

/// The gateways of `ip -j route` (or `ip -o route`).
pub fn gateways(output: &[u8]) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut add = |gateway: &str| {
        if !found.iter().any(|known| known == gateway) {
            found.push(gateway.to_string());
        }
    };
    if let Ok(serde_json::Value::Array(routes)) = serde_json::from_slice(output) {
        for route in routes {
            if let Some(gateway) = route["gateway"].as_str() {
                add(gateway);
            }
        }
    } else {
        for line in String::from_utf8_lossy(output).lines() {
            let mut words = line.split_whitespace();
            while let Some(word) = words.next() {
                if word == "via"
                    && let Some(gateway) = words.next()
                {
                    add(gateway);
                }
            }
        }
    }
    found
}

impl From<NoSpace> for Stop {
    fn from(error: NoSpace) -> Stop {
        Stop::NoSpace(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_gateways_from_json_and_plain_ip() {
        let json = br#"[{"ifname":"lo","addr_info":[{"family":"inet","local":"127.0.0.1"}]},{"ifname":"eth0","addr_info":[{"family":"inet","local":"10.0.0.5","prefixlen":24}]}]"#;
        assert_eq!(addresses(json), ["10.0.0.5"]);
        let plain = b"2: eth0    inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0\n";
        assert_eq!(addresses(plain), ["10.0.0.5"]);
        assert_eq!(
            gateways(br#"[{"dst":"default","gateway":"10.0.0.1","dev":"eth0"}]"#),
            ["10.0.0.1"]
        );
        assert_eq!(gateways(b"default via 10.0.0.1 dev eth0\n"), ["10.0.0.1"]);
    }

    #[test]
    fn utc_offsets() {
        assert_eq!(parse_offset("+0130"), Some(5400));
        assert_eq!(parse_offset("-0500"), Some(-18000));
        assert_eq!(parse_offset("junk"), None);
    }
}
