//! The typed event: one log entry (or one fact read from a state file or command capture), with
//! its evidence (node, file, line, byte offset, original text) and the fields its classifier found.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::envelope::Stamp;

/// What an event is about. The set is small on purpose: the classifier's `event` name and the
/// fields say the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    /// A VRRP instance changed (or reported) its state: MASTER, BACKUP, FAULT, STOP, INIT.
    VrrpState,
    /// An advert or election: timeouts, higher/lower/equal priority, priority 0, VIPs, ARP.
    VrrpAdvert,
    /// Why an instance may go to FAULT: interfaces, addresses, track scripts and files failing.
    VrrpFault,
    /// What keepalived tracks coming back or reporting well: an interface up, an address
    /// assigned, a track script succeeding or its status.
    VrrpTrack,
    /// keepalived (or the node) starting, stopping, reloading, stalling, misconfigured.
    Daemon,
    /// DRBD connection, role, disk state, split-brain.
    Drbd,
    /// ESC services and ESC's view of its HA role.
    EscService,
    /// ESC errors that bear on HA (database, disk, VIM, exceptions).
    EscError,
    /// The collection itself: when the bundle was made, what could not be gathered.
    Collection,
    /// A line no classifier row recognised.
    Unrecognised,
}

/// Every kind, in the order the CLI lists them.
pub const EVENT_KINDS: [EventKind; 10] = [
    EventKind::VrrpState,
    EventKind::VrrpAdvert,
    EventKind::VrrpFault,
    EventKind::VrrpTrack,
    EventKind::Daemon,
    EventKind::Drbd,
    EventKind::EscService,
    EventKind::EscError,
    EventKind::Collection,
    EventKind::Unrecognised,
];

impl EventKind {
    /// The kebab-case name used in JSON, classifier tables and `--kind`.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::VrrpState => "vrrp-state",
            EventKind::VrrpAdvert => "vrrp-advert",
            EventKind::VrrpFault => "vrrp-fault",
            EventKind::VrrpTrack => "vrrp-track",
            EventKind::Daemon => "daemon",
            EventKind::Drbd => "drbd",
            EventKind::EscService => "esc-service",
            EventKind::EscError => "esc-error",
            EventKind::Collection => "collection",
            EventKind::Unrecognised => "unrecognised",
        }
    }

    /// A line of keepalived's VRRP (state, adverts, faults, track checks) or of the node's
    /// daemons and system (starts, stops, reloads, boots): what tells a failover's why.
    pub fn is_vrrp_or_daemon(self) -> bool {
        matches!(
            self,
            EventKind::VrrpState
                | EventKind::VrrpAdvert
                | EventKind::VrrpFault
                | EventKind::VrrpTrack
                | EventKind::Daemon
        )
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

impl FromStr for EventKind {
    type Err = String;
    fn from_str(text: &str) -> Result<EventKind, String> {
        EVENT_KINDS
            .iter()
            .copied()
            .find(|kind| kind.name() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = EVENT_KINDS.iter().map(|kind| kind.name()).collect();
                format!("unknown event kind {text:?} (one of: {})", names.join(", "))
            })
    }
}

/// One event of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The instant in UTC, once the timeline has settled year, zone and clock offset.
    pub time: Option<DateTime<Utc>>,
    /// The stamp as the line wrote it (for a line without one: the previous line's).
    pub stamp: Option<Stamp>,
    /// For a year-less stamp: how many December→January turns the file made before this line.
    pub year_turns: u32,
    /// The line had no stamp of its own; it carries the previous line's.
    pub time_inferred: bool,
    /// The stamp is on the collector's clock (collection times), so no clock offset applies.
    pub collector_clock: bool,
    /// ± seconds on `time` from the node's clock offset measurement.
    pub uncertainty_s: Option<f64>,
    pub node: Arc<str>,
    /// Relative to the node directory.
    pub file: Arc<str>,
    /// The file's position in the node's reading order (rotations oldest first).
    pub file_index: u32,
    /// 1-based, in the decompressed stream.
    pub line: u64,
    /// Byte offset of the line in the decompressed stream.
    pub offset: u64,
    pub kind: EventKind,
    /// The classifier's name for what happened (entering-state, advert-timeout, ...).
    pub event: Option<Arc<str>>,
    /// The classifier row that matched (table/row id).
    pub classifier: Option<Arc<str>>,
    /// Which source read it (messages, escmanager, escadm, keepalived_state, ...).
    pub source: &'static str,
    pub host: Option<Arc<str>>,
    pub program: Option<Arc<str>>,
    pub pid: Option<u32>,
    pub level: Option<Arc<str>>,
    /// Parsed fields: instance, state, priority, interface, ...
    pub fields: Fields,
    /// The original text (a multi-line entry holds its continuation lines).
    pub text: String,
    /// Where the message starts in `text`, after the envelope (time, host, program).
    pub message_start: usize,
}

impl Event {
    /// A field's value.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name)
    }

    /// The message without its envelope.
    pub fn message(&self) -> &str {
        self.text.get(self.message_start..).unwrap_or(&self.text)
    }

    /// The message on one line: a line a mail client or terminal wrapped is read with its
    /// continuation (kept after a newline in `text`), joined here as it was written, without the
    /// reply's quote marks.
    pub fn message_joined(&self) -> std::borrow::Cow<'_, str> {
        let mut lines = self.message().lines();
        let first = lines.next().unwrap_or("").trim();
        let rest: Vec<&str> = lines
            .map(|line| super::envelope::bare_message(line).trim())
            .filter(|line| !line.is_empty())
            .collect();
        if rest.is_empty() {
            return std::borrow::Cow::Borrowed(first);
        }
        if first.is_empty() {
            return std::borrow::Cow::Owned(rest.join(" "));
        }
        std::borrow::Cow::Owned(format!("{first} {}", rest.join(" ")))
    }
}

/// Whether a DRBD name from a log line is a device minor (`drbd1`, what 8.x `block drbd1:` lines
/// name) rather than a resource: drbdadm does not take it.
pub fn is_drbd_minor(name: &str) -> bool {
    name.strip_prefix("drbd").is_some_and(|number| {
        !number.is_empty() && number.bytes().all(|byte| byte.is_ascii_digit())
    })
}

/// The DRBD resource (or, for 8.x `block drbdN` lines, the minor) a DRBD line is about.
pub fn drbd_resource(event: &Event) -> Option<String> {
    if let Some(resource) = event.field("resource") {
        return Some(resource.to_string());
    }
    let device = event.field("device")?;
    let name = device
        .strip_prefix("d-con ")
        .or_else(|| device.strip_prefix("drbd "))
        .map(|rest| rest.split(['/', ' ']).next().unwrap_or(rest))
        .or_else(|| device.strip_prefix("block "))?;
    Some(name.to_string())
}

/// A DRBD name for people: `resource esc`, or `device drbd1` for a minor.
pub fn drbd_label(name: &str) -> String {
    if is_drbd_minor(name) {
        format!("device {name}")
    } else {
        format!("resource {name}")
    }
}

/// An event's parsed fields, by name: few and small, read far more often than written, and kept
/// by the million, so one sorted list of name/value pairs sized to fit (a map per event took
/// about 600 bytes). Iterates, compares and serialises in name order, as a map would.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Fields(Vec<(Box<str>, Box<str>)>);

impl Fields {
    pub fn new() -> Fields {
        Fields(Vec::new())
    }

    fn position(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(key, _)| key.as_ref().cmp(name))
    }

    /// A field's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.position(name)
            .ok()
            .map(|position| self.0[position].1.as_ref())
    }

    /// Sets a field, replacing its value if it had one.
    pub fn insert(&mut self, name: impl Into<Box<str>>, value: impl Into<Box<str>>) {
        let name = name.into();
        match self.position(&name) {
            Ok(position) => self.0[position].1 = value.into(),
            Err(position) => self.0.insert(position, (name, value.into())),
        }
    }

    /// Sets a field unless it has a value already.
    pub fn insert_if_absent(&mut self, name: &str, value: &str) {
        if let Err(position) = self.position(name) {
            self.0.insert(position, (name.into(), value.into()));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Name and value pairs, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .iter()
            .map(|(name, value)| (name.as_ref(), value.as_ref()))
    }

    /// Gives back the room left over from building.
    pub fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
    }
}

impl std::ops::Index<&str> for Fields {
    type Output = str;
    fn index(&self, name: &str) -> &str {
        self.get(name)
            .unwrap_or_else(|| panic!("no field {name:?}"))
    }
}

impl fmt::Debug for Fields {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_map().entries(self.iter()).finish()
    }
}

impl From<BTreeMap<String, String>> for Fields {
    fn from(map: BTreeMap<String, String>) -> Fields {
        // Already in name order.
        Fields(
            map.into_iter()
                .map(|(name, value)| (name.into_boxed_str(), value.into_boxed_str()))
                .collect(),
        )
    }
}

impl Serialize for Fields {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}
