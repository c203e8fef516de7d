//! The timeline: every node's events on one clock, in one deterministic order (instant, then node,
//! file, line). Built in one pass that keeps only recognised events; `replay` re-reads the files
//! to stream every line in the same order without holding them.

pub mod align;
pub mod budget;
pub mod clock_steps;
mod config_dumps;
pub mod filter;
pub mod instances;
mod prompts;
mod replay;
pub mod skew;
pub mod state;
pub mod vips;
pub mod words;

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Datelike, FixedOffset, Timelike, Utc};

use crate::bundle::{Bundle, Node, NodeFile, Warning};
use crate::sources::collection::collection_events;
use crate::sources::{
    Classifier, Event, EventKind, EventReader, FileStats, ReadContext, Source, events, source_for,
};
use align::{FileClock, Zone};
use budget::{Budget, BudgetReader};
pub use filter::Filter;
pub use replay::FormatEvent;

/// One file the timeline reads, with how its stamps become instants.
pub struct FilePlan {
    pub node: usize,
    pub file: NodeFile,
    pub source: &'static dyn Source,
    pub file_index: u32,
    pub clock: FileClock,
}

/// What was read from one file.
#[derive(Debug, Clone)]
pub struct FileCoverage {
    pub node: String,
    pub file: String,
    pub source: &'static str,
    pub size: u64,
    pub lines: u64,
    pub recognised_lines: u64,
    pub unrecognised_lines: u64,
    pub events: u64,
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
    /// Spans in which the file logged without a silence of more than 30 s.
    pub activity: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// The file ended in a read error.
    pub truncated: bool,
    /// The kernel's seconds since boot on the file's last undated line that has them (dmesg).
    pub last_boot_seconds: Option<f64>,
    /// Where the file interleaves the syslog of several nodes (a bare file whose hosts became
    /// nodes of their own), what each node's lines cover; empty when all are `node`'s.
    pub shares: Vec<NodeShare>,
}

/// One node's lines in a file that interleaves several nodes' syslog.
#[derive(Debug, Clone)]
pub struct NodeShare {
    pub node: String,
    pub lines: u64,
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
    /// As [`FileCoverage::activity`], of this node's lines.
    pub activity: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

impl FileCoverage {
    /// What the file gives of each node's lines, with the node: the whole file, its node's, or
    /// each node's share.
    pub fn parts(&self) -> impl Iterator<Item = (&str, Coverage<'_>)> {
        let whole = self.shares.is_empty().then_some((
            self.node.as_str(),
            Coverage {
                file: &self.file,
                lines: self.lines,
                first: self.first,
                last: self.last,
                activity: &self.activity,
                truncated: self.truncated,
            },
        ));
        whole.into_iter().chain(self.shares.iter().map(|share| {
            (
                share.node.as_str(),
                Coverage {
                    file: &self.file,
                    lines: share.lines,
                    first: share.first,
                    last: share.last,
                    activity: &share.activity,
                    truncated: self.truncated,
                },
            )
        }))
    }
}

/// What one node's lines in a file cover: the whole file, or the node's share of it.
#[derive(Debug, Clone, Copy)]
pub struct Coverage<'a> {
    pub file: &'a str,
    pub lines: u64,
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
    pub activity: &'a [(DateTime<Utc>, DateTime<Utc>)],
    pub truncated: bool,
}

/// A node as the timeline sees it.
#[derive(Debug, Clone)]
pub struct NodeTimeline {
    pub name: String,
    pub zone: String,
    pub zone_known: bool,
    pub clock_offset_s: Option<f64>,
    pub clock_uncertainty_s: Option<f64>,
    pub collected_at: Option<DateTime<Utc>>,
    /// The node that ran the collection.
    pub collected_by: Option<String>,
    /// What the collector could not gather from this node: (what, why).
    pub collection_errors: Vec<(String, String)>,
    /// The node's addresses, from the manifest.
    pub addresses: Vec<String>,
    /// Files of the node that are not logs (configuration, command captures).
    pub other_files: Vec<String>,
}

/// The merged timeline of recognised events.
pub struct Timeline {
    pub nodes: Vec<NodeTimeline>,
    pub events: Vec<Event>,
    pub files: Vec<FileCoverage>,
    pub plans: Vec<FilePlan>,
    pub warnings: Vec<Warning>,
    /// The newest instant of any line read (for relative --since/--until).
    pub newest: Option<DateTime<Utc>>,
    /// Bare files' nodes named after the syslog host their lines carry.
    pub renames: Renames,
    /// The warnings of the classes of events the budget thinned (not in `warnings`: they are
    /// about the analysis, not about reading); empty when every recognised event was kept.
    pub thinned: Vec<Warning>,
    /// Recognised events read but not kept (the budget's samples).
    pub events_left_out: u64,
    /// Bare files of the input taken for no node's log (nothing in them was read).
    pub not_logs: Vec<String>,
}

/// A host name that carries a share of a bare file's lines of at least this (and 3 lines) makes
/// a node of its own: a file that interleaves two nodes' syslog. A smaller share makes one too,
/// unless its lines and the dominant host's follow one another, in the file and in time alike,
/// the two hear no different VRRP peers, and their keepalived lines are not of two processes
/// with no start between (a node renamed: `oadb02`, then `db02`, one keepalived process), unless
/// those lines cannot be one process's (one name's ends entering MASTER, the other's begins
/// entering it again); a spelling of the dominant host's name never does.
const SECOND_HOST_SHARE: f64 = 0.2;

/// At most this many hosts of one bare file become nodes of their own besides the dominant one.
const MAX_NODES_OF_A_FILE: usize = 7;

/// Whether two host names are spellings of one: the same first label, its letters and digits
/// alike (`esc-1`, `esc-1.example.com`, `ESC_1`; a paste's `ha-node-01` for `ha-node01`).
/// Addresses are compared whole.
fn same_host(first: &str, second: &str) -> bool {
    let key = |name: &str| -> String {
        if name.parse::<std::net::IpAddr>().is_ok() {
            return name.to_string();
        }
        name.split('.')
            .next()
            .unwrap_or(name)
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|letter| letter.to_ascii_lowercase())
            .collect()
    };
    first == second || key(first) == key(second)
}

/// Whether, in the files of a bare node, `dominant` and `host` both heard VRRP
/// adverts and never from the same address: two nodes of a pair, each hearing the other (a node
/// renamed keeps hearing its peer).
fn heard_apart(senders: &AdvertSenders, dominant: &str, host: &str) -> bool {
    match (senders.get(dominant), senders.get(host)) {
        (Some(first), Some(second)) => first.is_disjoint(second),
        _ => false,
    }
}

/// The addresses each host of a bare node heard VRRP adverts from.
type AdvertSenders<'a> = BTreeMap<&'a str, std::collections::BTreeSet<&'a str>>;

/// [`AdvertSenders`] of the files of a bare node (`node_reads`), in one pass over their events.
fn advert_senders<'a>(node_reads: &[&'a FileRead]) -> AdvertSenders<'a> {
    let mut senders = AdvertSenders::new();
    for event in node_reads.iter().flat_map(|read| &read.events) {
        if let (Some(host), Some(sender)) = (event.host.as_deref(), event.field("from_ip")) {
            senders.entry(host).or_default().insert(sender);
        }
    }
    senders
}

/// Whether, in the files of a bare node (`node_reads`), all lines of `host` come before all of
/// `dominant`'s or all after, both in the file and in time (as when a node's name changed).
fn one_after_the_other(
    plans: &[FilePlan],
    node_reads: &[&FileRead],
    dominant: &str,
    host: &str,
) -> bool {
    node_reads.iter().all(|read| {
        let find = |name: &str| {
            read.stats
                .hosts
                .iter()
                .find(|entry| entry.host.as_deref() == Some(name))
        };
        let (Some(first), Some(second)) = (find(dominant), find(host)) else {
            return true;
        };
        let clock = &plans[read.plan_index].clock;
        let instant = |point| clock.point_instant(point);
        let before = |earlier: &crate::sources::HostLines, later: &crate::sources::HostLines| {
            earlier.last_line < later.first_line
                && match (instant(earlier.last_stamp), instant(later.first_stamp)) {
                    (Some(end), Some(start)) => end <= start,
                    _ => true,
                }
        };
        before(first, second) || before(second, first)
    })
}

/// Names bare files' nodes after the syslog host their lines carry (the dominant one; another
/// host is a node of its own as [`SECOND_HOST_SHARE`] says). Files without host names (ESC's
/// own logs) given with one host's syslog belong to that host. Files whose lines name one host
/// but are two machines' stay apart ([`split_machines_of_one_host`]). Returns the renames.
fn name_bare_nodes(
    bundle: &Bundle,
    plans: &[FilePlan],
    reads: &[FileRead],
) -> Vec<(String, Option<String>, String)> {
    let mut renames = name_bare_nodes_by_host(bundle, plans, reads);
    split_machines_of_one_host(bundle, plans, reads, &mut renames);
    renames.extend(split_node_directories(bundle, plans, reads));
    renames
}

/// A node directory's logs that also hold other machines' lines (a paste of both nodes' grep,
/// a syslog that receives the peer's): the lines of its own host (the one named as the
/// directory, else the one most lines name) stay the directory's node; another host's go to
/// the node of the bundle named as it, where they are that node's (a keepalived process or a
/// line of its own, or a machine apart on [`SECOND_HOST_SHARE`]'s terms), else make a node of
/// their own on those terms. Renames list the directory's own host too, so that its name stays
/// among the names its lines go by.
fn split_node_directories(
    bundle: &Bundle,
    plans: &[FilePlan],
    reads: &[FileRead],
) -> Vec<(String, Option<String>, String)> {
    // Each node directory's own lines, gathered once, where some directory's lines are matched
    // with another's.
    let directories = std::cell::OnceCell::new();
    let directories = || -> &Vec<DirectoryLines> {
        directories.get_or_init(|| {
            bundle
                .nodes
                .iter()
                .filter(|node| node.root.is_some())
                .map(|node| DirectoryLines::of(bundle, plans, reads, &node.name))
                .collect()
        })
    };
    let mut renames = Vec::new();
    for node in bundle.nodes.iter().filter(|node| node.root.is_some()) {
        let node_reads: Vec<&FileRead> = reads
            .iter()
            .filter(|read| bundle.nodes[plans[read.plan_index].node].name == node.name)
            .collect();
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for read in &node_reads {
            for (host, count) in &read.hosts {
                *counts.entry(host).or_default() += *count;
            }
        }
        let mut ranked: Vec<(&str, usize)> = counts.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        // The host's lines in the directory's files.
        let theirs = |host: &str| -> Vec<&Event> {
            node_reads
                .iter()
                .flat_map(|read| &read.events)
                .filter(|event| event.host.as_deref() == Some(host))
                .collect()
        };
        let other_directory = |name: &str| {
            directories()
                .iter()
                .find(|directory| directory.name == name)
        };
        // The other node directory whose own files hold a line of the host's.
        let holding_copy = |host: &str| {
            let lines = theirs(host);
            directories()
                .iter()
                .find(|directory| directory.name != node.name && directory.holds_a_copy_of(&lines))
        };
        // Its own host: the one named as the directory, else the one with most lines that are
        // not copies of another directory's (`primary/` holding lb-a's lines and, forwarded,
        // more of lb-b's that `secondary/` holds too), else the one with most lines.
        let copied = |host: &str| ranked.len() > 1 && holding_copy(host).is_some();
        let Some(own) = ranked
            .iter()
            .find(|(host, _)| same_host(host, &node.name))
            .or_else(|| ranked.iter().find(|(host, _)| !copied(host)))
            .or(ranked.first())
            .map(|(host, _)| *host)
        else {
            continue;
        };
        let tallies = host_tallies(&node_reads);
        let mut split = Vec::new();
        for (host, apart) in hosts_apart(plans, &node_reads, &tallies, &ranked, own, false) {
            // The node directory named as the host, else one whose own files hold a line of
            // the host's (a peer's syslog forwarded under its address).
            let other_node = bundle
                .nodes
                .iter()
                .find(|other| {
                    other.name != node.name && other.root.is_some() && same_host(&other.name, host)
                })
                .and_then(|other| other_directory(&other.name))
                .or_else(|| holding_copy(host));
            let target = match other_node {
                Some(other) if apart || other.lines_are_its(&theirs(host)) => other.name,
                _ if apart => host,
                _ => continue,
            };
            split.push((
                node.name.clone(),
                Some(host.to_string()),
                target.to_string(),
            ));
        }
        // The directory's own host is itself another node of the bundle (`drill` holding
        // pg-primary's and pg-standby's lines beside pg-primary's and pg-standby's own
        // directories): all its lines are those nodes', unless its name is the sibling of that
        // host's (`lb2` whose lines a cloned VM still writes as `lb1`'s) or the two are two
        // machines at one time (their lines over the same span, none in both).
        let own_node = bundle
            .nodes
            .iter()
            .find(|other| {
                other.name != node.name
                    && other.root.is_some()
                    && same_host(&other.name, own)
                    && !sibling_names(&node.name, &other.name)
            })
            .and_then(|other| other_directory(&other.name));
        match own_node {
            Some(other) if !other.another_machine(plans, own, &node_reads, &theirs(own)) => {
                renames.push((node.name.clone(), None, other.name.to_string()));
                renames.push((
                    node.name.clone(),
                    Some(own.to_string()),
                    other.name.to_string(),
                ));
            }
            _ if split.is_empty() => continue,
            _ => renames.push((node.name.clone(), Some(own.to_string()), node.name.clone())),
        }
        renames.extend(split);
    }
    renames
}

/// A line as another file may hold a copy of it: stamp, process id and message (a forwarded copy
/// may name its host otherwise).
type CopyKey<'a> = (
    Option<crate::sources::envelope::Stamp>,
    Option<u32>,
    &'a str,
);

fn copy_key(event: &Event) -> CopyKey<'_> {
    (event.stamp, event.pid, event.message())
}

/// A node directory's own files and lines, for another directory's lines of its host to be
/// matched with.
struct DirectoryLines<'a> {
    name: &'a str,
    reads: Vec<&'a FileRead>,
    copies: HashSet<CopyKey<'a>>,
    processes: KeepalivedProcesses<'a>,
}

impl<'a> DirectoryLines<'a> {
    fn of(
        bundle: &Bundle,
        plans: &[FilePlan],
        reads: &'a [FileRead],
        name: &'a str,
    ) -> DirectoryLines<'a> {
        let reads: Vec<&FileRead> = reads
            .iter()
            .filter(|read| bundle.nodes[plans[read.plan_index].node].name == name)
            .collect();
        let events = || reads.iter().flat_map(|read| &read.events);
        DirectoryLines {
            name,
            copies: events().map(copy_key).collect(),
            processes: ProcessTally::of(events()).processes,
            reads,
        }
    }

    /// Whether a line of `lines` is in this directory's files too.
    fn holds_a_copy_of(&self, lines: &[&Event]) -> bool {
        lines
            .iter()
            .any(|event| self.copies.contains(&copy_key(event)))
    }

    /// Whether a host's `lines` in another directory's files are this directory's node's: a
    /// keepalived process of theirs is one of its, or a line of theirs is in its files too.
    fn lines_are_its(&self, lines: &[&Event]) -> bool {
        share_a_process(
            &ProcessTally::of(lines.iter().copied()).processes,
            &self.processes,
        ) || self.holds_a_copy_of(lines)
    }

    /// Whether `host`'s lines in another directory's files (`node_reads`, the host's `lines`) and
    /// this directory's, named as the host, are two machines': their lines span the same time
    /// and no line is in both (a cloned VM, or a container, may run keepalived under the same
    /// process ids).
    fn another_machine(
        &self,
        plans: &[FilePlan],
        host: &str,
        node_reads: &[&FileRead],
        lines: &[&Event],
    ) -> bool {
        // The span of the lines of `host` (of every host where None) in some files.
        let span = |files: &[&FileRead], host: Option<&str>| {
            let mut span: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
            for read in files {
                let clock = &plans[read.plan_index].clock;
                for entry in &read.stats.hosts {
                    if host.is_some_and(|host| entry.host.as_deref() != Some(host)) {
                        continue;
                    }
                    let first = clock.point_instant(entry.first_stamp);
                    let last = clock.point_instant(entry.last_stamp);
                    for instant in first.into_iter().chain(last) {
                        span = Some(span.map_or((instant, instant), |(start, end)| {
                            (start.min(instant), end.max(instant))
                        }));
                    }
                }
            }
            span
        };
        let overlap = span(node_reads, Some(host))
            .zip(span(&self.reads, None))
            .is_some_and(|((start, end), (other_start, other_end))| {
                start <= other_end && other_start <= end
            });
        overlap && !self.holds_a_copy_of(lines)
    }
}

/// A warning on each file of a node directory whose lines went to several nodes, saying whose
/// lines are read as whose.
fn split_directory_warnings(
    bundle: &Bundle,
    plans: &[FilePlan],
    reads: &[FileRead],
    renames: &Renames,
) -> Vec<Warning> {
    let mut warnings = Vec::new();
    for read in reads {
        let node = &bundle.nodes[plans[read.plan_index].node];
        if node.root.is_none() {
            continue;
        }
        let mut own: Vec<&str> = Vec::new();
        let mut others: Vec<String> = Vec::new();
        for entry in &read.stats.hosts {
            let Some(host) = entry.host.as_deref() else {
                continue;
            };
            let name = renames.name_for(&node.name, Some(host));
            if name == node.name {
                own.push(host);
            } else {
                others.push(format!("{host}'s as node {name}'s"));
            }
        }
        if others.is_empty() {
            continue;
        }
        let own_lines = if own.is_empty() {
            String::new()
        } else {
            format!("{}'s as {}'s own, ", own.join("'s and "), node.name)
        };
        // A directory none of whose lines stay its own is no node of the timeline: the warning
        // names its file by the directory.
        let file = &plans[read.plan_index].file.relative;
        let mut warning = Warning::file(&format!("{}/{file}", node.name), "");
        if !own.is_empty() {
            warning = Warning::at(&node.name, file, None, "");
        }
        warnings.push(Warning {
            message: format!(
                "holds lines of other machines (a paste of both nodes' logs, or a syslog that receives the peer's), read by the host each names: {own_lines}{}",
                others.join(", ")
            ),
            ..warning
        });
    }
    warnings
}

/// Two bare files whose lines name the same host (lab machines both called `ubuntu`) but are two
/// machines': each file's keepalived lines are of processes the other's never show, and the two
/// files' lines span the same time. Each keeps the name its file gives (`machine1` of
/// `machine1.journal`) instead of the host's.
fn split_machines_of_one_host(
    bundle: &Bundle,
    plans: &[FilePlan],
    reads: &[FileRead],
    renames: &mut [(String, Option<String>, String)],
) {
    // Each bare node named after a host: its keepalived processes (restarts included: two
    // machines' processes at one time are two machines') and the span its dated lines cover.
    struct Machine<'a> {
        node: &'a str,
        host: &'a str,
        tally: ProcessTally<'a>,
        span: Option<(DateTime<Utc>, DateTime<Utc>)>,
        /// Its keepalived lines, by stamp and text: a copy of one machine's lines (a grep of its
        /// syslog) repeats them, another machine's do not.
        keepalived_lines: HashSet<(Option<DateTime<Utc>>, &'a str)>,
    }
    let mut machines: Vec<Machine> = Vec::new();
    for (node, host, target) in renames.iter() {
        if host.is_some() || machines.iter().any(|known| known.node == node) {
            continue;
        }
        let mut machine = Machine {
            node,
            host: target,
            tally: ProcessTally::default(),
            span: None,
            keepalived_lines: HashSet::new(),
        };
        for read in reads
            .iter()
            .filter(|read| bundle.nodes[plans[read.plan_index].node].name == *node)
        {
            for event in &read.events {
                machine.tally.add(event);
                if event
                    .program
                    .as_deref()
                    .is_some_and(|program| program.starts_with("Keepalived"))
                {
                    machine.keepalived_lines.insert((event.time, &event.text));
                }
            }
            let clock = &plans[read.plan_index].clock;
            if let (Some(first), Some(last)) = (
                clock.point_instant(read.stats.first_stamp),
                clock.point_instant(read.stats.last_stamp),
            ) {
                let (first, last) = (first.min(last), first.max(last));
                machine.span = Some(machine.span.map_or((first, last), |(start, end)| {
                    (start.min(first), end.max(last))
                }));
            }
        }
        machines.push(machine);
    }
    let stem = |node: &str| name_stem(node).unwrap_or(node).to_string();
    let mut apart: Vec<(String, String)> = Vec::new();
    for (index, machine) in machines.iter().enumerate() {
        for other in &machines[index + 1..] {
            let overlap = machine.span.zip(other.span).is_some_and(
                |((start, end), (other_start, other_end))| start <= other_end && other_start <= end,
            );
            // A name every fresh install has says nothing of the machine: there two files named
            // apart (`primary.messages`, `secondary.messages`) are two machines at any time.
            // So is a pair of files one named after the host and the other after its sibling
            // (`lb1.journal`, `lb2.messages` whose lines a cloned VM still writes as `lb1`'s;
            // `pg-primary`, `pg-standby`), not after a drill or a later part of the same machine
            // (`drill.transcript`, `lb1-old.messages`).
            let stems = [machine.node, other.node].map(name_stem);
            let named_apart = || {
                let machine_names = stems
                    .iter()
                    .all(|stem| stem.is_some_and(|stem| !log_file_word(stem)));
                let sibling_of_host = match stems {
                    [Some(one), Some(two)] => {
                        (same_host(one, machine.host) && sibling_names(one, two))
                            || (same_host(two, machine.host) && sibling_names(two, one))
                    }
                    _ => false,
                };
                machine_names && (generic_host(machine.host) || sibling_of_host)
            };
            // Where neither names its keepalived processes (a syslog without pids), files named
            // apart whose spans overlap are two machines too, unless one copies the other's lines
            // (most of the fewer keepalived lines are in both, at the same stamp).
            let pidless = || {
                let (fewer, more) =
                    if machine.keepalived_lines.len() <= other.keepalived_lines.len() {
                        (&machine.keepalived_lines, &other.keepalived_lines)
                    } else {
                        (&other.keepalived_lines, &machine.keepalived_lines)
                    };
                let shared = fewer.iter().filter(|line| more.contains(*line)).count();
                [machine, other]
                    .iter()
                    .all(|one| !one.keepalived_lines.is_empty() && one.tally.processes.is_empty())
                    && shared * 2 <= fewer.len()
            };
            if same_host(machine.host, other.host)
                && (overlap || named_apart())
                && stem(machine.node) != stem(other.node)
                && (other_processes(Some(&machine.tally.processes), Some(&other.tally.processes))
                    || (overlap && named_apart() && pidless()))
            {
                for one in [machine, other] {
                    apart.push((one.node.to_string(), one.host.to_string()));
                }
            }
        }
    }
    for (node, _, name) in renames.iter_mut() {
        if let Some((_, host)) = apart.iter().find(|(apart, _)| apart == node)
            && same_host(name, host)
        {
            *name = stem(node);
        }
    }
}

/// Two machines' names of one pattern: alike but for their last digits or their last word
/// (`lb1`, `lb2`; `node-a`, `node-b`; `pg-primary`, `pg-standby`).
fn sibling_names(one: &str, two: &str) -> bool {
    let one = one.to_ascii_lowercase();
    let two = two.to_ascii_lowercase();
    if one == two || one.starts_with(&two) || two.starts_with(&one) {
        return false;
    }
    // `lb1`, `lb2`: both end in a number, the rest the same.
    let without_digits = |name: &str| name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (one_stem, two_stem) = (without_digits(&one), without_digits(&two));
    let same_stem_numbered = one_stem > 0
        && one_stem < one.len()
        && two_stem < two.len()
        && one[..one_stem] == two[..two_stem];
    // `nodea`, `nodeb`: one last letter apart (by characters, whatever their script).
    let without_last_letter = |name: &str| name.char_indices().last().map(|(at, _)| at);
    let last_letter_apart = one.chars().count() == two.chars().count()
        && one.chars().count() > 2
        && without_last_letter(&one).map(|at| &one[..at])
            == without_last_letter(&two).map(|at| &two[..at]);
    // `pg-primary`, `pg-standby`: the same head, another last word.
    let head = |name: &str| {
        name.rsplit_once(['-', '_', '.'])
            .map(|(head, _)| head.to_string())
    };
    let same_head = head(&one)
        .is_some_and(|head_of_one| !head_of_one.is_empty() && Some(head_of_one) == head(&two));
    same_stem_numbered || last_letter_apart || same_head
}

/// A host name a fresh install gives every machine (`localhost`, `ubuntu`, `vagrant`): it does
/// not tell two machines apart.
fn generic_host(host: &str) -> bool {
    const GENERIC: [&str; 14] = [
        "localhost",
        "ubuntu",
        "debian",
        "centos",
        "rocky",
        "almalinux",
        "fedora",
        "rhel",
        "vagrant",
        "raspberrypi",
        "openwrt",
        "alpine",
        "archlinux",
        "kali",
    ];
    GENERIC.iter().any(|generic| same_host(host, generic))
}

/// A file name's stem that names a kind of log, not a machine (`messages` of `messages.1`).
fn log_file_word(stem: &str) -> bool {
    const LOG_WORDS: [&str; 29] = [
        "drbd",
        "error",
        "errors",
        "corosync",
        "pacemaker",
        "paste",
        "pastebin",
        "keepalived_vrrp",
        "keepalived-vrrp",
        "debug",
        "cluster",
        "secure",
        "boot",
        "messages",
        "syslog",
        "journal",
        "journalctl",
        "kern",
        "kernel",
        "daemon",
        "dmesg",
        "keepalived",
        "log",
        "logs",
        "console",
        "status",
        "output",
        "escmanager",
        "escadm",
    ];
    LOG_WORDS.iter().any(|word| stem.eq_ignore_ascii_case(word))
}

/// [`name_bare_nodes`] by the hosts the files' lines name and the files' names alone.
fn name_bare_nodes_by_host(
    bundle: &Bundle,
    plans: &[FilePlan],
    reads: &[FileRead],
) -> Vec<(String, Option<String>, String)> {
    let bare: Vec<&str> = bundle
        .nodes
        .iter()
        .filter(|node| node.root.is_none())
        .map(|node| node.name.as_str())
        .collect();
    if bare.is_empty() {
        return Vec::new();
    }
    let mut counts: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    for read in reads {
        for (host, count) in &read.hosts {
            *counts
                .entry(bundle.nodes[plans[read.plan_index].node].name.as_str())
                .or_default()
                .entry(host)
                .or_default() += *count;
        }
    }
    let mut renames = Vec::new();
    let mut dominant_hosts: Vec<&str> = Vec::new();
    for node in &bare {
        let Some(hosts) = counts.get(node) else {
            continue;
        };
        let mut ranked: Vec<(&str, usize)> =
            hosts.iter().map(|(host, count)| (*host, *count)).collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let dominant = ranked[0].0;
        if !dominant_hosts.contains(&dominant) {
            dominant_hosts.push(dominant);
        }
        renames.push((node.to_string(), None, dominant.to_string()));
        let node_reads: Vec<&FileRead> = reads
            .iter()
            .filter(|read| bundle.nodes[plans[read.plan_index].node].name == *node)
            .collect();
        let tallies = host_tallies(&node_reads);
        for (host, own_node) in hosts_apart(plans, &node_reads, &tallies, &ranked, dominant, true) {
            let name = if own_node { host } else { dominant };
            renames.push((node.to_string(), Some(host.to_string()), name.to_string()));
        }
    }
    // Not a file in which nothing is read (notes, a screenshot): it is no node at all.
    let says_something = |node: &str| {
        reads.iter().any(|read| {
            bundle.nodes[plans[read.plan_index].node].name == node
                && (read.stats.first_stamp.is_some() || read.stats.recognised_lines > 0)
        })
    };
    // A file none of whose lines esc-diag recognises but whose lines name a syslog host (only
    // kernel lines of the peer) is that host's, not another's.
    let named_host = |node: &str| -> Option<&str> {
        let mut lines: BTreeMap<&str, u64> = BTreeMap::new();
        for read in reads
            .iter()
            .filter(|read| bundle.nodes[plans[read.plan_index].node].name == node)
        {
            for entry in &read.stats.hosts {
                if let Some(host) = entry.host.as_deref() {
                    *lines.entry(host).or_default() += entry.lines;
                }
            }
        }
        let (host, _) = lines
            .into_iter()
            .max_by_key(|(host, count)| (*count, std::cmp::Reverse(*host)))?;
        Some(
            dominant_hosts
                .iter()
                .find(|dominant| same_host(dominant, host))
                .copied()
                .unwrap_or(host),
        )
    };
    let unnamed: Vec<&str> = bare
        .iter()
        .copied()
        .filter(|node| !counts.contains_key(*node) && says_something(node))
        .collect();
    let mut hostless: Vec<&str> = Vec::new();
    for node in unnamed {
        match named_host(node) {
            Some(host) => renames.push((node.to_string(), None, host.to_string())),
            None => hostless.push(node),
        }
    }
    // Files without host names join the one host the bare files name, when there is one, unless
    // their keepalived lines are another process's than that host's (then their names say whose
    // they are, as below).
    if let [only] = dominant_hosts.as_slice() {
        let host_tally =
            ProcessTally::of(reads.iter().flat_map(|read| &read.events).filter(|event| {
                event
                    .host
                    .as_deref()
                    .is_some_and(|host| same_host(host, only))
            }));
        hostless.retain(|node| {
            let own_reads: Vec<_> = reads
                .iter()
                .filter(|read| bundle.nodes[plans[read.plan_index].node].name == *node)
                .collect();
            let own = ProcessTally::of(own_reads.iter().flat_map(|read| &read.events));
            // With a start among either's lines the new process may be the host's after a
            // restart; not where the file's name names another machine (`master-server-m3.journal`
            // beside backup-server-m3's lines), no process is in both, and no date in the file
            // could put its lines after the host's (a later run: `after-upgrade.log`).
            let undated = own_reads
                .iter()
                .all(|read| read.stats.first_stamp.is_none());
            let named_elsewhere = undated
                && name_stem(node)
                    .is_some_and(|stem| !log_file_word(stem) && !same_host(stem, only));
            let other_process =
                other_processes(own.without_restart(), host_tally.without_restart())
                    || (named_elsewhere && other_processes(own.known(), host_tally.known()));
            if !other_process {
                renames.push((node.to_string(), None, only.to_string()));
            }
            other_process
        });
        if hostless.is_empty() || bare.len() < 2 {
            return renames;
        }
    }
    // Else, among several files, their names say whose they are (a ticket's attachments named
    // after their nodes): `lb1.dmesg` beside lb1's and lb2's syslog is lb1's, `hatwo.dmesg-grep`
    // and `hatwo.proc-drbd` are one node's, `node.part1.console` and `node.part2.console` two
    // pastes of one node. A file given alone is the node its name begins with too (`node65` of
    // `node65.dmesg`), unless that names a log rather than a machine (`keepalived.log`).
    for node in hostless {
        let Some(stem) = name_stem(node) else {
            continue;
        };
        if bare.len() < 2 && log_file_word(stem) {
            continue;
        }
        let name = dominant_hosts
            .iter()
            .find(|host| same_host(host, stem))
            .copied()
            .unwrap_or(stem);
        renames.push((node.to_string(), None, name.to_string()));
    }
    renames
}

/// Each host's keepalived processes in a node's files, in one pass over their events (a file
/// may name a thousand hosts).
fn host_tallies<'a>(node_reads: &[&'a FileRead]) -> BTreeMap<&'a str, ProcessTally<'a>> {
    let mut tallies: BTreeMap<&str, ProcessTally> = BTreeMap::new();
    for event in node_reads.iter().flat_map(|read| &read.events) {
        if let Some(host) = event.host.as_deref() {
            tallies.entry(host).or_default().add(event);
        }
    }
    tallies
}

/// The hosts a node's files (`node_reads`) name besides `dominant`, each with whether its lines
/// are a machine of its own (as [`SECOND_HOST_SHARE`] says; but for `by_share`, its share of the
/// lines does not count where one keepalived process logs under both names: in a node
/// directory, that is its machine renamed): first the hosts of its read lines
/// (`ranked`: by how many, most first; `dominant` among them), then those none of whose lines
/// esc-diag reads but that make a machine on the same terms (as their lines would, given in a
/// file of their own).
fn hosts_apart<'a>(
    plans: &[FilePlan],
    node_reads: &[&'a FileRead],
    tallies: &BTreeMap<&'a str, ProcessTally<'a>>,
    ranked: &[(&'a str, usize)],
    dominant: &str,
    by_share: bool,
) -> Vec<(&'a str, bool)> {
    let total: usize = ranked.iter().map(|(_, count)| count).sum();
    let senders = advert_senders(node_reads);
    let processes_of = |name: &str| tallies.get(name).and_then(ProcessTally::without_restart);
    let dominant_processes = processes_of(dominant);
    // Each host's share counts all its lines, read or not (a DRBD peer's handshake chatter is a
    // node's logging as much as its state lines are).
    let mut all_lines: BTreeMap<&str, u64> = BTreeMap::new();
    let mut total_lines = 0;
    for entry in node_reads.iter().flat_map(|read| &read.stats.hosts) {
        total_lines += entry.lines;
        if let Some(host) = entry.host.as_deref() {
            *all_lines.entry(host).or_default() += entry.lines;
        }
    }
    // One keepalived process logging under both names is one machine renamed.
    // Lines of the two names that no one process writes one after the other are two machines.
    let contradict = |host: &str| {
        tallies
            .get(host)
            .zip(tallies.get(dominant))
            .is_some_and(|(host, dominant)| {
                entries_contradict(host, dominant) || entries_contradict(dominant, host)
            })
    };
    let one_process = |host: &str| {
        let known = |name: &str| tallies.get(name).and_then(ProcessTally::known);
        !contradict(host)
            && known(host)
                .zip(known(dominant))
                .is_some_and(|(first, second)| share_a_process(first, second))
    };
    let large_share = |host: &str, recognised: usize| {
        let lines = all_lines.get(host).copied().unwrap_or(0);
        (by_share || !one_process(host))
            && ((recognised >= 3 && recognised as f64 >= SECOND_HOST_SHARE * total as f64)
                || (lines >= 3 && lines as f64 >= SECOND_HOST_SHARE * total_lines as f64))
    };
    let mut hosts = Vec::new();
    let mut own_nodes = 0;
    for (host, count) in ranked {
        // The hosts with most lines first: past MAX_NODES_OF_A_FILE, the rest fold into the
        // dominant one (a central syslog of many machines is not an HA pair's two sides).
        let own_node = own_nodes < MAX_NODES_OF_A_FILE
            && !same_host(host, dominant)
            && (large_share(host, *count)
                || !one_after_the_other(plans, node_reads, dominant, host)
                || heard_apart(&senders, dominant, host)
                || other_processes(processes_of(host), dominant_processes)
                || contradict(host));
        own_nodes += usize::from(own_node);
        hosts.push((*host, own_node));
    }
    for host in all_lines.keys() {
        if own_nodes < MAX_NODES_OF_A_FILE
            && !ranked.iter().any(|(known, _)| known == host)
            && !same_host(host, dominant)
            && large_share(host, 0)
        {
            own_nodes += 1;
            hosts.push((*host, true));
        }
    }
    hosts
}

/// Keepalived's process ids by program (`Keepalived_vrrp`, `Keepalived`).
type KeepalivedProcesses<'a> = BTreeMap<&'a str, BTreeSet<u32>>;

/// The keepalived processes some lines are of, and whether a keepalived start is among them.
#[derive(Default)]
struct ProcessTally<'a> {
    processes: KeepalivedProcesses<'a>,
    started: bool,
    /// Per instance, the first and the last line entering a state: when, and what it entered.
    entries: BTreeMap<&'a str, (StateEntry<'a>, StateEntry<'a>)>,
}

/// A line entering a state: its time, and whether it enters MASTER, and how (`Entering MASTER
/// STATE`, or 1.x's `Transition to MASTER STATE` that begins it).
#[derive(Clone, Copy)]
struct StateEntry<'a> {
    /// The line's stamp as month and second of the month (years are settled later).
    moment: Option<(u32, i64)>,
    file: &'a str,
    line: u64,
    entered_master: bool,
    transition: bool,
}

impl<'a> StateEntry<'a> {
    fn of(event: &'a Event) -> Option<StateEntry<'a>> {
        let transition = event.event.as_deref() == Some(events::TRANSITION_TO_MASTER);
        let entering = event.kind == EventKind::VrrpState
            && event.event.as_deref() == Some(events::ENTERING_STATE);
        (transition || entering).then(|| StateEntry {
            moment: event.stamp.map(|stamp| {
                let seconds = ((i64::from(stamp.day) * 24 + i64::from(stamp.hour)) * 60
                    + i64::from(stamp.minute))
                    * 60
                    + i64::from(stamp.second);
                (stamp.month, seconds)
            }),
            file: event.file.as_ref(),
            line: event.line,
            entered_master: entering && event.field("state") == Some("MASTER"),
            transition,
        })
    }
}

/// Whether the lines of `earlier` and then `later` cannot be one process's: `later` begins
/// entering MASTER (a state line or a 1.x transition) within moments after `earlier` ended
/// entering it (keepalived writes such lines only on leaving another state, and a grep of MASTER
/// lines leaves out only changes that take longer): two machines whose processes share an id (a
/// copy of one log edited, or containers), not one machine renamed.
fn entries_contradict(earlier: &ProcessTally, later: &ProcessTally) -> bool {
    earlier.entries.iter().any(|(instance, (_, last))| {
        later.entries.get(instance).is_some_and(|(first, _)| {
            last.entered_master
                && (first.entered_master || first.transition)
                && (last.file != first.file || last.line < first.line)
                && last.moment.zip(first.moment).is_some_and(|(end, start)| {
                    end.0 == start.0 && (0..=2).contains(&(start.1 - end.1))
                })
        })
    })
}

impl<'a> ProcessTally<'a> {
    fn of(events: impl Iterator<Item = &'a Event>) -> ProcessTally<'a> {
        let mut tally = ProcessTally::default();
        for event in events {
            tally.add(event);
        }
        tally
    }

    fn add(&mut self, event: &'a Event) {
        if matches!(
            event.event.as_deref(),
            Some(events::KEEPALIVED_STARTING | events::VRRP_CHILD_STARTING)
        ) {
            self.started = true;
        }
        if let (Some(program), Some(pid)) = (event.program.as_deref(), event.pid)
            && program.starts_with("Keepalived")
        {
            self.processes.entry(program).or_default().insert(pid);
        }
        if let (Some(entry), Some(instance)) = (StateEntry::of(event), event.field("instance")) {
            self.entries
                .entry(instance)
                .and_modify(|(_, last)| *last = entry)
                .or_insert((entry, entry));
        }
    }

    /// The processes, where any is known, started or not.
    fn known(&self) -> Option<&KeepalivedProcesses<'a>> {
        (!self.processes.is_empty()).then_some(&self.processes)
    }

    /// The processes, where they tell a machine apart: some line names one, and no keepalived
    /// start is among the lines (a restart gives the same node a new process).
    fn without_restart(&self) -> Option<&KeepalivedProcesses<'a>> {
        (!self.started && !self.processes.is_empty()).then_some(&self.processes)
    }
}

/// Whether two sets of keepalived processes have one in common (a program's process id in both).
fn share_a_process(first: &KeepalivedProcesses, second: &KeepalivedProcesses) -> bool {
    first.iter().any(|(program, pids)| {
        second
            .get(program)
            .is_some_and(|other| !other.is_disjoint(pids))
    })
}

/// Whether two sets of keepalived processes are known and another's: a program in both, and no
/// process id in both.
fn other_processes(
    first: Option<&KeepalivedProcesses>,
    second: Option<&KeepalivedProcesses>,
) -> bool {
    first.zip(second).is_some_and(|(first, second)| {
        first.keys().any(|program| second.contains_key(program))
            && first.iter().all(|(program, pids)| {
                second
                    .get(program)
                    .is_none_or(|other_pids| other_pids.is_disjoint(pids))
            })
    })
}

/// The node a bare file's name gives: `lb1` of `lb1.dmesg`, the part before its first dot (none
/// for a name without one, or one that begins with a digit: `10.0.0.1.log`, `20241125.log`).
fn name_stem(name: &str) -> Option<&str> {
    let (stem, _) = name.split_once('.')?;
    (!stem.is_empty() && !stem.starts_with(|letter: char| letter.is_ascii_digit())).then_some(stem)
}

/// Bare files' nodes named after the syslog host their lines carry, and node directories' lines
/// of other machines given to those machines' nodes: (the bundle's node name,
/// the host, or None for lines without one, the node's name in the timeline), in the order made,
/// with an index by node and host (every event is looked up; a file may name a thousand hosts).
#[derive(Debug, Default)]
pub struct Renames {
    list: Vec<(String, Option<String>, String)>,
    /// By bundle node: the first rename of its lines without a host, and of each host's.
    by_node: HashMap<String, NodeRenames>,
}

#[derive(Debug, Default)]
struct NodeRenames {
    without_host: Option<usize>,
    by_host: HashMap<String, usize>,
}

impl Renames {
    fn new(list: Vec<(String, Option<String>, String)>) -> Renames {
        let mut by_node: HashMap<String, NodeRenames> = HashMap::new();
        for (position, (from, host, _)) in list.iter().enumerate() {
            let node = by_node.entry(from.clone()).or_default();
            match host {
                Some(host) => {
                    node.by_host.entry(host.clone()).or_insert(position);
                }
                None => {
                    node.without_host.get_or_insert(position);
                }
            }
        }
        Renames { list, by_node }
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The timeline's name for an event of `node` carrying `host` (its host's rename, else that
    /// of the node's lines without a host, else `node`).
    pub fn name_for<'a>(&'a self, node: &'a str, host: Option<&str>) -> &'a str {
        let Some(renames) = self.by_node.get(node) else {
            return node;
        };
        host.and_then(|host| renames.by_host.get(host))
            .or(renames.without_host.as_ref())
            .map_or(node, |position| self.list[*position].2.as_str())
    }

    /// The names the lines of bundle node `node` go by in the timeline, each once, in the order
    /// they were given: its renames' targets, else its own name.
    pub fn names_of<'a>(&'a self, node: &'a str) -> Vec<&'a str> {
        let mut names: Vec<&str> = Vec::new();
        for (_, _, to) in self.list.iter().filter(|(from, _, _)| from == node) {
            if !names.contains(&to.as_str()) {
                names.push(to);
            }
        }
        if names.is_empty() {
            names.push(node);
        }
        names
    }
}

/// Each node's share of a file whose hosts the renames give to more than one node (empty when
/// its lines all go to one).
fn node_shares(
    renames: &Renames,
    node: &str,
    stats: &FileStats,
    instant: impl Fn(Option<(crate::sources::envelope::Stamp, u32)>) -> Option<DateTime<Utc>>,
) -> Vec<NodeShare> {
    let mut shares: Vec<NodeShare> = Vec::new();
    for host in &stats.hosts {
        let name = renames.name_for(node, host.host.as_deref());
        let position = match shares.iter().position(|share| share.node == name) {
            Some(position) => position,
            None => {
                shares.push(NodeShare {
                    node: name.to_string(),
                    lines: 0,
                    first: None,
                    last: None,
                    activity: Vec::new(),
                });
                shares.len() - 1
            }
        };
        let share = &mut shares[position];
        share.lines += host.lines;
        if let Some(first) = instant(host.first_stamp) {
            share.first = Some(share.first.map_or(first, |known| known.min(first)));
        }
        if let Some(last) = instant(host.last_stamp) {
            share.last = Some(share.last.map_or(last, |known| known.max(last)));
        }
        share.activity.extend(
            host.activity
                .iter()
                .filter_map(|(start, end)| Some((instant(Some(*start))?, instant(Some(*end))?))),
        );
    }
    if shares.len() < 2 {
        return Vec::new();
    }
    for share in &mut shares {
        share.activity.sort();
    }
    shares
}

impl Timeline {
    /// The timeline's name for an event of `node` carrying `host`.
    pub fn node_name_for<'a>(&'a self, node: &'a str, host: Option<&str>) -> &'a str {
        self.renames.name_for(node, host)
    }

    /// What each file gives of each node's lines: a file's, or each node's share of it.
    pub fn coverages(&self) -> impl Iterator<Item = Coverage<'_>> {
        self.files
            .iter()
            .flat_map(FileCoverage::parts)
            .map(|(_, coverage)| coverage)
    }

    /// What each file gives of `node`'s lines: the node's own files, and its share of files
    /// that interleave its syslog with another node's.
    pub fn coverage_of<'a, 'node>(
        &'a self,
        node: &'node str,
    ) -> impl Iterator<Item = Coverage<'a>> + use<'a, 'node> {
        self.files
            .iter()
            .flat_map(FileCoverage::parts)
            .filter(move |(of, _)| *of == node)
            .map(|(_, coverage)| coverage)
    }
}

/// Sorts events with `compare_events`, then `rank` (of a position), then position, by sorting
/// their positions and then moving each event once along the cycles of that order: sorting the
/// events themselves would need room for half of them again.
fn sort_in_place(events: &mut [Event], rank: impl Fn(usize) -> usize) {
    let mut order: Vec<usize> = (0..events.len()).collect();
    order.sort_by(|left, right| {
        compare_events(&events[*left], &events[*right]).then_with(|| rank(*left).cmp(&rank(*right)))
    });
    // events[i] must become the event now at order[i].
    for start in 0..order.len() {
        let mut current = start;
        while order[current] != current {
            let next = order[current];
            order[current] = current;
            if next == start {
                break;
            }
            events.swap(current, next);
            current = next;
        }
    }
}

/// The order of the timeline: instant (undated first), node, file, line.
pub fn compare_events(left: &Event, right: &Event) -> Ordering {
    left.time
        .cmp(&right.time)
        .then_with(|| left.node.cmp(&right.node))
        .then_with(|| left.file_index.cmp(&right.file_index))
        .then_with(|| left.line.cmp(&right.line))
        .then_with(|| left.file.cmp(&right.file))
}

/// An offset from UTC in minutes as people read it (`UTC-05:00`, `UTC+05:45`).
fn utc_offset_text(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    format!(
        "UTC{sign}{:02}:{:02}",
        minutes.abs() / 60,
        minutes.abs() % 60
    )
}

/// What a node without a manifest's zone is told about its zone-less stamps, which are read as
/// UTC: nothing where a status block or journal header of its own says UTC; else the zone that
/// header names (`stated`: zone, file, line), with how far real UTC is from the times shown.
fn zoneless_warning(stated: Option<&(String, String, u64)>) -> Option<String> {
    let Some((zone, file, line)) = stated else {
        return Some("no time zone known for this node (none in a manifest): stamps without a zone are taken as UTC".to_string());
    };
    let offsets = zone_offsets(zone);
    if offsets.as_slice() == [(0, "")] {
        return None;
    }
    let named = format!(
        "no time zone in a manifest: stamps without a zone are shown as written, marked UTC; {file}:{line} (a systemctl status or journal header) gives the zone as {zone}"
    );
    let distance = |minutes: i32| {
        let direction = if minutes > 0 { "earlier" } else { "later" };
        match minutes.abs() {
            60 => format!("1 hour {direction}"),
            whole if whole % 60 == 0 => format!("{} hours {direction}", whole / 60),
            part => format!("{} hours {direction}", f64::from(part) / 60.0),
        }
    };
    Some(match offsets.as_slice() {
        [] => format!("{named}, whose offset esc-diag does not know"),
        [(minutes, _)] => format!(
            "{named} ({}): real UTC is {}",
            utc_offset_text(*minutes),
            distance(*minutes)
        ),
        several => format!(
            "{named}: {}",
            several
                .iter()
                .map(|(minutes, place)| format!(
                    "{} in {place} (real UTC {})",
                    utc_offset_text(*minutes),
                    distance(*minutes)
                ))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    })
}

/// Where the input mixes stamps whose zone is known (an offset in the stamp, a manifest's zone)
/// with a node's stamps that carry none, the zone a `systemctl status` block or journal header of
/// that node names (one offset: not an ambiguous abbreviation like `CST`) is applied to those, so
/// that both are placed on one clock; a node with no header of its own takes the zone every
/// header names, where they name one. Where no stamp's zone is known, zone-less stamps stay as
/// written, marked UTC (`zoneless_warning` says what a header names): they compare with each
/// other as they are, and the times shown are the logs' own. Returns the nodes whose zone-less
/// stamps were given a zone this way, each said in a warning.
fn settle_stated_zones(
    bundle: &Bundle,
    plans: &mut [FilePlan],
    reads: &[FileRead],
    nodes: &mut [NodeTimeline],
    warnings: &mut Vec<Warning>,
) -> BTreeSet<usize> {
    let mut applied = BTreeSet::new();
    let zone_known_somewhere =
        nodes.iter().any(|node| node.zone_known) || reads.iter().any(|read| read.stats.has_zoned);
    if !zone_known_somewhere {
        return applied;
    }
    // Per node without a manifest's zone: the first zone its headers name, where it stands for
    // one offset, and where (file, line).
    let mut stated: BTreeMap<usize, (String, i32, String, u64)> = BTreeMap::new();
    for read in reads {
        let plan = &plans[read.plan_index];
        if nodes[plan.node].zone_known || stated.contains_key(&plan.node) {
            continue;
        }
        if let Some((zone, line)) = &read.stats.stated_zone
            && let [(minutes, _)] = zone_offsets(zone).as_slice()
        {
            stated.insert(
                plan.node,
                (zone.clone(), *minutes, plan.file.relative.clone(), *line),
            );
        }
    }
    let mut offsets: Vec<i32> = stated.values().map(|(_, minutes, ..)| *minutes).collect();
    offsets.sort_unstable();
    offsets.dedup();
    let common = match offsets.as_slice() {
        [minutes] => stated
            .iter()
            .find(|(_, (_, offset, ..))| offset == minutes)
            .map(|(node, found)| (*node, found.clone())),
        _ => None,
    };
    for (node_index, node) in nodes.iter_mut().enumerate() {
        if node.zone_known
            || !reads
                .iter()
                .any(|read| plans[read.plan_index].node == node_index && read.stats.has_zoneless)
        {
            continue;
        }
        // A node whose own stamps say their zone somewhere is not given another node's.
        let own_zoned = reads
            .iter()
            .any(|read| plans[read.plan_index].node == node_index && read.stats.has_zoned);
        let (from_node, (zone, minutes, file, line)) = match stated.get(&node_index) {
            Some(own) => (node_index, own.clone()),
            None if own_zoned => continue,
            None => match &common {
                Some(common) => common.clone(),
                None => continue,
            },
        };
        // UTC changes nothing (and a header of UTC needs no warning).
        if minutes == 0 {
            continue;
        }
        let Some(offset) = FixedOffset::east_opt(minutes * 60) else {
            continue;
        };
        for plan in plans.iter_mut().filter(|plan| plan.node == node_index) {
            plan.clock.zone = Zone::Fixed(offset);
        }
        let written = utc_offset_text(minutes);
        node.zone = format!("{zone} ({written})");
        node.zone_known = true;
        applied.insert(node_index);
        let whose = if from_node == node_index {
            format!("the zone its {file}:{line} (a systemctl status or journal header) gives")
        } else {
            format!(
                "the zone {}'s {file}:{line} (a systemctl status or journal header) gives: no \
                 header of this node names one",
                bundle.nodes[from_node].name
            )
        };
        warnings.push(Warning {
            node: Some(bundle.nodes[node_index].name.clone()),
            file: None,
            line: None,
            message: format!(
                "no time zone in a manifest, and other stamps of the input say theirs: stamps \
                 without a zone are read as {zone} ({written}), {whose}"
            ),
        });
    }
    applied
}

/// The offsets from UTC, in minutes, that a zone as `systemctl` or journalctl writes it stands
/// for, each with where it is used when the abbreviation is ambiguous (`CST`: China or US
/// Central); `[(0, "")]` for UTC itself, empty when unknown.
fn zone_offsets(zone: &str) -> Vec<(i32, &'static str)> {
    if zone.starts_with(['+', '-']) {
        return match align::offset_parts(zone) {
            Some((_, 0, 0)) => vec![(0, "")],
            Some((sign, hours, minutes)) if hours <= 14 && minutes < 60 => {
                vec![(sign * (hours * 60 + minutes), "")]
            }
            _ => Vec::new(),
        };
    }
    let hours = |hours: f64| (hours * 60.0) as i32;
    match zone {
        "UTC" | "GMT" | "UCT" | "Z" => vec![(0, "")],
        "CST" => vec![(hours(8.0), "China"), (hours(-6.0), "US Central")],
        "IST" => vec![
            (hours(5.5), "India"),
            (hours(2.0), "Israel"),
            (hours(1.0), "Ireland"),
        ],
        "BST" => vec![(hours(1.0), "Britain"), (hours(6.0), "Bangladesh")],
        "AST" => vec![(hours(-4.0), "Atlantic"), (hours(3.0), "Arabia")],
        "EST" => vec![(hours(-5.0), "")],
        "EDT" | "CDT" => vec![(hours(if zone == "EDT" { -4.0 } else { -5.0 }), "")],
        "MST" => vec![(hours(-7.0), "")],
        "MDT" => vec![(hours(-6.0), "")],
        "PST" => vec![(hours(-8.0), "")],
        "PDT" => vec![(hours(-7.0), "")],
        "HST" => vec![(hours(-10.0), "")],
        "WET" => vec![(0, "")],
        "WEST" | "CET" => vec![(hours(1.0), "")],
        "CEST" | "EET" | "SAST" => vec![(hours(2.0), "")],
        "EEST" | "MSK" => vec![(hours(3.0), "")],
        "PKT" => vec![(hours(5.0), "")],
        "ICT" | "WIB" => vec![(hours(7.0), "")],
        "HKT" | "SGT" | "AWST" | "PHT" | "WITA" => vec![(hours(8.0), "")],
        "JST" | "KST" | "WIT" => vec![(hours(9.0), "")],
        "ACST" => vec![(hours(9.5), "")],
        "AEST" => vec![(hours(10.0), "")],
        "AEDT" => vec![(hours(11.0), "")],
        "NZST" => vec![(hours(12.0), "")],
        "NZDT" => vec![(hours(13.0), "")],
        _ => Vec::new(),
    }
}

fn node_zone(node: &Node, warnings: &mut Vec<Warning>) -> (Zone, String, bool) {
    let written = node
        .manifest
        .as_ref()
        .and_then(|manifest| manifest.timezone.clone());
    match written.as_deref().map(Zone::parse) {
        Some(Ok(zone)) => (zone, written.unwrap_or_default(), true),
        Some(Err(error)) => {
            warnings.push(Warning::at(
                &node.name,
                "manifest.json",
                None,
                format!("timezone {error}; taken as UTC"),
            ));
            (Zone::Utc, "UTC".to_string(), false)
        }
        None => (Zone::Utc, "UTC".to_string(), false),
    }
}

struct FileRead {
    plan_index: usize,
    events: Vec<Event>,
    stats: FileStats,
    hosts: HostCounts,
}

fn context<'a>(
    node: &Node,
    plan: &FilePlan,
    classifier: &'a Classifier,
    want_unrecognised: bool,
) -> ReadContext<'a> {
    ReadContext {
        node: Arc::from(node.name.as_str()),
        file: Arc::from(plan.file.relative.as_str()),
        file_index: plan.file_index,
        classifier,
        want_unrecognised,
        collected_at: node.collected_at,
        names: Default::default(),
        tailed_by_sos: plan.file.tailed_by_sos,
    }
}

/// What reading one file gave: its recognised events, statistics and hosts, or why it could not
/// be read.
type FileResult = Result<(Vec<Event>, FileStats, HostCounts), Warning>;

/// How many recognised events of a file name each syslog host (counted before the budget
/// thins them; at most `MAX_HOSTS` hosts a file, hosts past it are not counted).
type HostCounts = BTreeMap<Arc<str>, usize>;

/// Hosts counted per file: a real bare file names one or two.
const MAX_HOSTS: usize = 1024;

/// Reads every planned file (recognised events only), spreading the files over the machine's
/// cores; results come back in plan order, so the outcome does not depend on the threads. The
/// budget thins the loudest classes of events as they are read: what the threads hold together,
/// the files they finished and those they read, stays near the budget whatever the files hold
/// and however many threads read them.
fn read_all(
    bundle: &Bundle,
    plans: &[FilePlan],
    classifier: &Classifier,
    budget: &Budget,
) -> Vec<FileResult> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |count| count.get())
        .min(plans.len().max(1));
    // Largest files first, so one big file does not start last.
    let mut order: Vec<usize> = (0..plans.len()).collect();
    order.sort_by_key(|index| std::cmp::Reverse(plans[*index].file.size));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let finished: Finished = std::sync::Mutex::new(Vec::new());
    let work = || {
        let mut reader_budget = budget.reader();
        loop {
            let position = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(&index) = order.get(position) else {
                break;
            };
            let result = read_one(
                bundle,
                plans,
                index,
                classifier,
                &mut reader_budget,
                &finished,
            );
            lock(&finished).push((index, result));
        }
    };
    if workers <= 1 {
        work();
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers).map(|_| scope.spawn(work)).collect();
            for handle in handles {
                if let Err(panic) = handle.join() {
                    std::panic::resume_unwind(panic);
                }
            }
        });
    }
    let mut results: Vec<Option<FileResult>> = (0..plans.len()).map(|_| None).collect();
    for (index, result) in finished
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
    {
        results[index] = Some(result);
    }
    results
        .into_iter()
        .enumerate()
        .map(|(index, result)| {
            result.unwrap_or_else(|| {
                let plan = &plans[index];
                Err(Warning::at(
                    &bundle.nodes[plan.node].name,
                    &plan.file.relative,
                    None,
                    "was not read",
                ))
            })
        })
        .collect()
}

/// The files the threads finished reading, by plan index.
type Finished = std::sync::Mutex<Vec<(usize, FileResult)>>;

fn lock(finished: &Finished) -> std::sync::MutexGuard<'_, Vec<(usize, FileResult)>> {
    finished
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Reads one planned file's recognised events, counting them against the budget; when the
/// readers hold more than the budget allows, thins this file's events and the finished files'.
fn read_one(
    bundle: &Bundle,
    plans: &[FilePlan],
    index: usize,
    classifier: &Classifier,
    reader_budget: &mut BudgetReader,
    finished: &Finished,
) -> FileResult {
    let plan = &plans[index];
    let node = &bundle.nodes[plan.node];
    let mut reader = open_reader(node, plan, classifier, false)?;
    let key = file_key(bundle, plan);
    let mut events = Vec::new();
    let mut hosts = HostCounts::new();
    while let Some(event) = reader.next_event() {
        if let Some(host) = &event.host
            && !host.is_empty()
        {
            if let Some(count) = hosts.get_mut(host) {
                *count += 1;
            } else if hosts.len() < MAX_HOSTS {
                hosts.insert(host.clone(), 1);
            }
        }
        if reader_budget.offer(plan.node, key, &event, events.is_empty()) {
            events.push(event);
        }
        if reader_budget.due() && reader_budget.publish() {
            reader_budget.thin(plan.node, key, &mut events);
            for (earlier, result) in lock(finished).iter_mut() {
                if let Ok((earlier_events, _, _)) = result {
                    let earlier = &plans[*earlier];
                    reader_budget.thin(earlier.node, file_key(bundle, earlier), earlier_events);
                    earlier_events.shrink_to_fit();
                }
            }
            reader_budget.thinned();
        }
    }
    reader_budget.publish();
    // The merge copies them all; room left from growing the list would be held twice.
    events.shrink_to_fit();
    Ok((events, reader.stats().clone(), hosts))
}

/// A planned file's part of the budget's event hashes.
fn file_key(bundle: &Bundle, plan: &FilePlan) -> u64 {
    budget::file_key(&bundle.nodes[plan.node].name, &plan.file.relative)
}

/// Opens a planned file for reading, or says why it cannot be read.
fn open_reader<'a>(
    node: &Node,
    plan: &FilePlan,
    classifier: &'a Classifier,
    want_unrecognised: bool,
) -> Result<Box<dyn EventReader + 'a>, Warning> {
    plan.source
        .open(
            &plan.file,
            context(node, plan, classifier, want_unrecognised),
        )
        .map_err(|error| {
            Warning::at(
                &node.name,
                &plan.file.relative,
                None,
                format!("cannot be read: {error}"),
            )
        })
}

/// The reading plan: every log file of every node, rotations oldest first, with a provisional clock.
fn plan_files(bundle: &Bundle, nodes: &mut [NodeTimeline], zones: &[Zone]) -> Vec<FilePlan> {
    let mut plans = Vec::new();
    for (node_index, node) in bundle.nodes.iter().enumerate() {
        let mut claimed: Vec<(&'static dyn Source, &NodeFile)> = Vec::new();
        let sizes: Vec<(&str, u64)> = node
            .files
            .iter()
            .map(|file| (file.relative.as_str(), file.size))
            .collect();
        let left_out = crate::sources::messages::sos_journals_left_out(&sizes);
        for file in &node.files {
            match source_for(&file.relative) {
                Some(source) if !left_out.contains(&file.relative.as_str()) => {
                    claimed.push((source, file));
                }
                _ => nodes[node_index].other_files.push(file.relative.clone()),
            }
        }
        claimed.sort_by_key(|(source, file)| (source.name(), align::rotation_key(&file.relative)));
        let offset = node
            .manifest
            .as_ref()
            .and_then(|manifest| manifest.clock_offset_s);
        let uncertainty = node
            .manifest
            .as_ref()
            .and_then(|manifest| manifest.clock_uncertainty_s);
        for (file_index, (source, file)) in claimed.into_iter().enumerate() {
            plans.push(FilePlan {
                node: node_index,
                file: file.clone(),
                source,
                file_index: file_index as u32 + 1,
                clock: FileClock {
                    zone: zones[node_index],
                    year_at_end: None,
                    year_turns: 0,
                    offset_s: offset.unwrap_or(0.0),
                    uncertainty_s: offset.and(uncertainty),
                    stepped_back: Vec::new(),
                },
            });
        }
    }
    plans
}

/// Finds where a file's clock was set back while a process kept logging, and places the lines
/// written ahead of it on the clock that followed, said in a warning (how long the step took is
/// not logged: they are placed the step and [`clock_steps::LEAST_STEP_BACK`] earlier).
fn settle_clock_steps(
    bundle: &Bundle,
    plans: &mut [FilePlan],
    reads: &[FileRead],
    warnings: &mut Vec<Warning>,
) {
    for read in reads {
        let plan = &mut plans[read.plan_index];
        let instants: Vec<Option<DateTime<Utc>>> = read
            .events
            .iter()
            .map(|event| {
                let stamp = event.stamp.filter(|_| !event.collector_clock)?;
                plan.clock.instant(&stamp, event.year_turns, false)
            })
            .collect();
        let steps = clock_steps::find(&read.events, &instants);
        for step in &steps {
            warnings.push(Warning::at(
                &bundle.nodes[plan.node].name,
                &plan.file.relative,
                Some(step.step_line),
                format!(
                    "the clock went back {} here ({} → {}) while {}[{}] kept logging: its {} \
                     recognised lines written ahead of it are placed that much earlier, on the \
                     clock that followed, and at least {} s before this line (how long the step \
                     itself took is not logged)",
                    skew::format_gap((step.before - step.after).num_seconds()),
                    skew::format_instant(step.before),
                    skew::format_instant(step.after),
                    step.program,
                    step.pid,
                    step.lines_moved,
                    clock_steps::LEAST_STEP_BACK.num_seconds()
                ),
            ));
        }
        plan.clock.stepped_back = steps;
    }
}

/// Settles the year of every file with year-less stamps, from (in order) its rotation date, its
/// manifest modification time, the collection time, a `systemctl status` in it, the node's newest
/// dated stamp or status, the bundle's newest dated stamp or status, its file-system modification
/// time (last: a checkout or copy resets it).
fn settle_years(
    bundle: &Bundle,
    plans: &mut [FilePlan],
    reads: &[FileRead],
    warnings: &mut Vec<Warning>,
) {
    let mut newest_dated: BTreeMap<usize, DateTime<Utc>> = BTreeMap::new();
    for read in reads {
        let plan = &plans[read.plan_index];
        if let Some((stamp, turns)) = read.stats.last_stamp
            && stamp.year.is_some()
            && let Some(time) = plan.clock.instant(&stamp, turns, true)
        {
            let entry = newest_dated.entry(plan.node).or_insert(time);
            *entry = (*entry).max(time);
        }
    }
    let newest_in_bundle = newest_dated.values().max().copied();
    // The `systemctl status` blocks pasted in any file of a node, then of any node: a paste of
    // both nodes' logs is of one time, so one node's status dates the other's year-less lines.
    let mut status_of_node: BTreeMap<usize, chrono::NaiveDate> = BTreeMap::new();
    for read in reads {
        if let Some(moment) = read.stats.status_moment {
            let entry = status_of_node
                .entry(plans[read.plan_index].node)
                .or_insert(moment.date());
            *entry = (*entry).max(moment.date());
        }
    }
    let status_in_bundle = status_of_node.values().max().copied();
    // A journal header that names only its beginning (`journalctl -f`), per file: no line under
    // it is earlier, and the files nothing else dates are placed the first year after it (a
    // journal seldom keeps years).
    let journal_begins: Vec<(usize, String, chrono::NaiveDate)> = reads
        .iter()
        .filter_map(|read| {
            let plan = &plans[read.plan_index];
            Some((
                plan.node,
                plan.file.relative.clone(),
                read.stats.journal_begin?.date(),
            ))
        })
        .collect();
    for read in reads {
        let plan = &mut plans[read.plan_index];
        if !read.stats.has_yearless {
            continue;
        }
        let Some((last, _)) = read.stats.last_stamp else {
            continue;
        };
        let node = &bundle.nodes[plan.node];
        let zone = plan.clock.zone;
        // A `systemctl status` pasted in the file says when it was taken: its journal tail is
        // no later. A collection's own dates come first (a status a script logged into a live
        // syslog file does not date the whole file).
        let status_taken = read.stats.status_moment.map(|moment| moment.date());
        let anchor = align::rotation_date(&plan.file.relative)
            .or_else(|| {
                plan.file
                    .mtime
                    .filter(|_| plan.file.mtime_from_manifest)
                    .map(|time| zone.local_date(time))
            })
            .or_else(|| node.collected_at.map(|time| zone.local_date(time)))
            .or(status_taken)
            .or_else(|| {
                newest_dated
                    .get(&plan.node)
                    .map(|time| zone.local_date(*time))
            })
            .or_else(|| status_of_node.get(&plan.node).copied())
            .or_else(|| newest_in_bundle.map(|time| zone.local_date(time)))
            .or(status_in_bundle);
        // Then a journal header that names only its beginning, said to be a guess. Last, the
        // file system's date: a copy or checkout resets it, so the year it gives is said to be a
        // guess too.
        let year_at_end = anchor
            .map(|anchor| align::year_at_end(last.month, last.day, anchor))
            .or_else(|| {
                // The file's own header, else another file's of the node, else of any node (a
                // paste of both nodes' logs is of one time).
                let (begin, from_file) = journal_begins
                    .iter()
                    .find(|(node, file, _)| *node == plan.node && *file == plan.file.relative)
                    .or_else(|| {
                        journal_begins
                            .iter()
                            .filter(|(node, ..)| *node == plan.node)
                            .min_by_key(|(_, _, begin)| *begin)
                    })
                    .or_else(|| journal_begins.iter().min_by_key(|(_, _, begin)| *begin))
                    .map(|(node, file, begin)| (*begin, (*node, file)))?;
                let year = year_at_end_after(begin, read)?;
                let whose = match from_file {
                    (of, file) if of == plan.node && *file == plan.file.relative => {
                        "its header gives".to_string()
                    }
                    (of, file) if of == plan.node => format!("the header of {file} gives"),
                    (of, file) => format!("the header of {}'s {file} gives", bundle.nodes[of].name),
                };
                warnings.push(Warning::at(
                    &node.name,
                    &plan.file.relative,
                    None,
                    format!(
                        "stamps carry no year: the year {year} is the first after the journal's \
                         beginning {whose} ({begin}), so the dates may be off by whole years where \
                         the journal kept more than one (times of day and their order are not)"
                    ),
                ));
                Some(year)
            })
            .or_else(|| {
                let date = zone.local_date(plan.file.mtime?);
                let year = align::year_at_end(last.month, last.day, date);
                let rolled = if year == date.year() {
                    String::new()
                } else {
                    format!(
                        " ({date}: its last stamp, {:02}-{:02}, would fall after it in {})",
                        last.month,
                        last.day,
                        date.year()
                    )
                };
                warnings.push(Warning::at(
                    &node.name,
                    &plan.file.relative,
                    None,
                    format!(
                        "stamps carry no year and nothing in the input dates them: the year \
                         {year} is taken from the file's modification date{rolled}, which a copy \
                         resets, so the dates may be off by whole years (times of day and their \
                         order are not)"
                    ),
                ));
                Some(year)
            });
        // A journal header's beginning bounds its own file: no line under it is earlier.
        let own_floor = read
            .stats
            .journal_begin
            .and_then(|begin| year_at_end_after(begin.date(), read));
        let year_at_end = match (year_at_end, own_floor) {
            (Some(year), Some(floor)) => Some(year.max(floor)),
            (year, _) => year,
        };
        match year_at_end {
            Some(year_at_end) => {
                plan.clock.year_at_end = Some(year_at_end);
                plan.clock.year_turns = read.stats.year_turns;
            }
            None => warnings.push(Warning::at(
                &node.name,
                &plan.file.relative,
                None,
                "stamps have no year and nothing dates the file; its lines are left undated",
            )),
        }
    }
}

/// The year of a file's last stamp where its first is placed at or after `begin` (a journal's
/// beginning), in the first year that does so.
fn year_at_end_after(begin: chrono::NaiveDate, read: &FileRead) -> Option<i32> {
    let (first, _) = read.stats.first_stamp?;
    let first_year = if (first.month, first.day) < (begin.month(), begin.day()) {
        begin.year() + 1
    } else {
        begin.year()
    };
    Some(first_year + read.stats.year_turns as i32)
}

/// The sources that read only ESC's own files: its logs and its keepalived state file.
const ESC_SOURCES: [&str; 3] = ["escmanager", "escadm", "keepalived_state"];

/// What only an ESC node writes in a log line or a configuration: its install path (a track or
/// notify script of ESC's keepalived.conf), its service group, its tools' program names.
const ESC_MARKS: [&str; 4] = ["/opt/cisco/esc", "esc_service", "escadm", "escmanager"];

impl Timeline {
    /// Whether the input shows ESC: one of ESC's logs or its keepalived state file was read, or
    /// a line or configuration setting names ESC's install path, service group or tools. Rule
    /// texts name ESC's parts (escadm, ESC's database, the kad_vif) only then: a plain keepalived
    /// or DRBD pair's logs get the generic words.
    pub fn shows_esc(&self) -> bool {
        self.files
            .iter()
            .any(|file| ESC_SOURCES.contains(&file.source))
            || self.events.iter().any(|event| {
                matches!(event.kind, EventKind::EscService | EventKind::EscError)
                    || event
                        .program
                        .as_deref()
                        .is_some_and(|program| ESC_MARKS.contains(&program))
                    // (Every mark holds `esc`: one search of a line rules most lines out.)
                    || memchr::memmem::find(event.text.as_bytes(), b"esc").is_some()
                        && ESC_MARKS.iter().any(|mark| event.text.contains(mark))
            })
    }

    /// Whether the input shows DRBD: a line of DRBD's, or its status captured.
    pub fn shows_drbd(&self) -> bool {
        self.files.iter().any(|file| file.source == "drbd_status")
            || self
                .events
                .iter()
                .any(|event| event.kind == EventKind::Drbd)
    }

    /// Whether the dated events span more than one day (or different dates): times for people
    /// then carry their date.
    pub fn spans_days(&self) -> bool {
        let mut dated = self.events.iter().filter_map(|event| event.time);
        let Some(first) = dated.next() else {
            return false;
        };
        let (oldest, newest) = dated.fold((first, first), |(oldest, newest), time| {
            (oldest.min(time), newest.max(time))
        });
        oldest.date_naive() != newest.date_naive()
    }

    /// The input's first dated line (of any node).
    pub fn first_dated(&self) -> Option<DateTime<Utc>> {
        self.coverages().filter_map(|coverage| coverage.first).min()
    }

    /// The first priority-0 advert of `instance` a node other than `node` received after
    /// `after`, and who received it: where `node` was MASTER then, it released the VIP (a stop
    /// or FAULT), whether or not its own logs show it.
    pub fn priority_zero_after(
        &self,
        node: &str,
        instance: &str,
        after: DateTime<Utc>,
    ) -> Option<(&str, DateTime<Utc>)> {
        self.events
            .iter()
            .filter(|event| {
                event.node.as_ref() != node
                    && event.event.as_deref() == Some(events::PRIORITY_ZERO_RECEIVED)
                    && event.field("instance") == Some(instance)
            })
            .filter_map(|event| Some((event.node.as_ref(), event.time?)))
            .find(|(_, time)| *time > after)
    }

    /// Where a node's logs begin: its first dated line.
    pub fn seen_from(&self, node: &str) -> Option<DateTime<Utc>> {
        self.coverage_of(node)
            .filter(|coverage| coverage.lines > 0)
            .filter_map(|coverage| coverage.first)
            .min()
    }

    /// The instant of `node`'s last dated line, in any of its files.
    pub fn last_line(&self, node: &str) -> Option<DateTime<Utc>> {
        self.coverage_of(node)
            .filter(|coverage| coverage.lines > 0)
            .filter_map(|coverage| coverage.last)
            .max()
    }

    /// How far a node's logs reach: its last dated line, or its collection where it was collected
    /// later (a node read up to its collection was silent, not unseen, between the two).
    pub fn seen_until(&self, node: &str) -> Option<DateTime<Utc>> {
        let last = self.last_line(node);
        let collected = self
            .nodes
            .iter()
            .find(|entry| entry.name == node)
            .and_then(|entry| entry.collected_at);
        match (last, collected) {
            (Some(last), Some(collected)) => Some(last.max(collected)),
            (last, _) => last,
        }
    }

    /// Lines read in all files, and how many of them nothing recognised.
    pub fn line_totals(&self) -> (u64, u64) {
        self.files
            .iter()
            .fold((0, 0), |(lines, unrecognised), file| {
                (lines + file.lines, unrecognised + file.unrecognised_lines)
            })
    }

    /// Reads every log of every node and merges the recognised events.
    pub fn build(bundle: &Bundle, classifier: &Classifier) -> Timeline {
        Timeline::build_within(bundle, classifier, budget::DEFAULT_MAX_EVENTS)
    }

    /// [`Timeline::build`] keeping about `max_events` recognised events at most (0: all): past
    /// it, the loudest classes keep an even sample (see [`budget`]), each named in a warning.
    pub fn build_within(bundle: &Bundle, classifier: &Classifier, max_events: usize) -> Timeline {
        let mut warnings = bundle.warnings.clone();
        for error in &classifier.errors {
            warnings.push(Warning::file(
                &error.origin,
                format!("classifier table skipped: {}", error.message),
            ));
        }
        let mut nodes = Vec::new();
        let mut zones = Vec::new();
        for node in &bundle.nodes {
            let (zone, zone_name, zone_known) = node_zone(node, &mut warnings);
            zones.push(zone);
            let manifest = node.manifest.as_ref();
            nodes.push(NodeTimeline {
                name: node.name.clone(),
                zone: zone_name,
                zone_known,
                clock_offset_s: manifest.and_then(|manifest| manifest.clock_offset_s),
                clock_uncertainty_s: manifest.and_then(|manifest| manifest.clock_uncertainty_s),
                collected_at: node.collected_at,
                collected_by: node.collected_by.clone(),
                collection_errors: manifest
                    .map(|manifest| {
                        manifest
                            .errors
                            .iter()
                            .map(|error| (error.what.clone(), error.why.clone()))
                            .collect()
                    })
                    .unwrap_or_default(),
                addresses: manifest
                    .map(|manifest| manifest.addresses.clone())
                    .unwrap_or_default(),
                other_files: Vec::new(),
            });
        }
        let mut plans = plan_files(bundle, &mut nodes, &zones);

        let budget = Budget::new(max_events);
        let mut reads = Vec::new();
        for (plan_index, result) in read_all(bundle, &plans, classifier, &budget)
            .into_iter()
            .enumerate()
        {
            match result {
                Ok((events, stats, hosts)) => reads.push(FileRead {
                    plan_index,
                    events,
                    stats,
                    hosts,
                }),
                Err(warning) => warnings.push(warning),
            }
        }
        let thinned = budget.settle(
            bundle,
            &mut reads
                .iter_mut()
                .map(|read| {
                    let plan = &plans[read.plan_index];
                    (plan.node, file_key(bundle, plan), &mut read.events)
                })
                .collect::<Vec<_>>(),
        );
        let events_left_out = thinned.iter().map(|class| class.offered - class.kept).sum();
        let thinned = budget::warnings(&thinned, max_events);
        let zones_from_headers =
            settle_stated_zones(bundle, &mut plans, &reads, &mut nodes, &mut warnings);
        settle_years(bundle, &mut plans, &reads, &mut warnings);
        settle_clock_steps(bundle, &mut plans, &reads, &mut warnings);
        let renames = Renames::new(name_bare_nodes(bundle, &plans, &reads));
        warnings.extend(split_directory_warnings(bundle, &plans, &reads, &renames));

        // The largest file's events become the list the others join (moved, not copied: with
        // many recognised events, two copies of them were the peak of memory).
        let total = reads.iter().map(|read| read.events.len()).sum::<usize>();
        let largest = reads
            .iter()
            .enumerate()
            .max_by_key(|(_, read)| read.events.len())
            .map(|(position, _)| position);
        let mut events = match largest {
            Some(position) => std::mem::take(&mut reads[position].events),
            None => Vec::new(),
        };
        let largest_plan = largest.map(|position| reads[position].plan_index);
        if let Some(plan_index) = largest_plan {
            for event in &mut events {
                place(event, &plans[plan_index].clock);
            }
        }
        events.reserve_exact(total - events.len() + 2 * bundle.nodes.len());
        // Where each read's events end in the list, and its place in reading order: events equal
        // in the timeline's order keep reading order, as when the reads were joined in turn.
        let mut read_ends: Vec<(usize, usize)> = Vec::new();
        if let Some(position) = largest {
            read_ends.push((events.len(), position));
        }
        let mut files = Vec::new();
        let mut newest: Option<DateTime<Utc>> = None;
        let mut zoneless_nodes = Vec::new();
        // Per node, the first zone a systemctl status block or journal header names, and where.
        let mut stated_zones: BTreeMap<usize, (String, String, u64)> = BTreeMap::new();
        for (position, read) in reads.into_iter().enumerate() {
            let plan = &plans[read.plan_index];
            let node = &bundle.nodes[plan.node];
            warnings.extend(read.stats.warnings.iter().cloned());
            if read.stats.has_zoneless
                && !nodes[plan.node].zone_known
                && !zoneless_nodes.contains(&plan.node)
            {
                zoneless_nodes.push(plan.node);
            }
            if let Some((zone, line)) = &read.stats.stated_zone {
                stated_zones
                    .entry(plan.node)
                    .or_insert_with(|| (zone.clone(), plan.file.relative.clone(), *line));
            }
            let instant = |point| plan.clock.point_instant(point);
            let first = instant(read.stats.first_stamp);
            let last = instant(read.stats.last_stamp);
            // A log (not a configuration, state file or command capture, which have no stamps)
            // whose lines say what happened but not when.
            // (Not a shell prompt's line: an operator's command has no date of its own.)
            let log_lines = read.stats.recognised_lines - read.stats.prompt_lines;
            if read.stats.first_stamp.is_none()
                && log_lines > 0
                && matches!(plan.source.name(), "messages" | "escmanager" | "escadm")
            {
                warnings.push(Warning::at(
                    &node.name,
                    &plan.file.relative,
                    None,
                    match log_lines {
                        1 => "no line carries a date and time: its one recognised line is placed nowhere in time (no state interval or time window rests on it)".to_string(),
                        count => format!(
                            "no line carries a date and time: its {count} recognised lines are read in order but placed nowhere in time (no state interval or time window rests on them; a change of state among them is explained by the order of the lines alone)"
                        ),
                    },
                ));
            }
            let activity: Vec<(DateTime<Utc>, DateTime<Utc>)> = read
                .stats
                .activity
                .iter()
                .filter_map(|(start, end)| Some((instant(Some(*start))?, instant(Some(*end))?)))
                .collect();
            // Lines written a few seconds out of order (or pasted so) end where the latest of
            // them is, not at the file's last line; a later line further back is a clock's step
            // or another excerpt, which keep the last line's stamp.
            let latest = activity.iter().map(|(_, end)| *end).max();
            let last = match (last, latest) {
                (Some(last), Some(latest))
                    if latest > last && latest - last <= clock_steps::LEAST_STEP_BACK =>
                {
                    Some(latest)
                }
                (last, _) => last,
            };
            if let Some(last) = last {
                newest = Some(newest.map_or(last, |newest| newest.max(last)));
            }
            let shares = node_shares(&renames, &node.name, &read.stats, instant);
            files.push(FileCoverage {
                node: node.name.clone(),
                file: plan.file.relative.clone(),
                source: plan.source.name(),
                size: plan.file.size,
                lines: read.stats.lines,
                recognised_lines: read.stats.recognised_lines,
                unrecognised_lines: read.stats.unrecognised_lines,
                events: read.stats.events,
                first,
                last,
                activity,
                truncated: read.stats.truncated,
                last_boot_seconds: read.stats.last_boot_seconds,
                shares,
            });
            if Some(read.plan_index) != largest_plan {
                for mut event in read.events {
                    place(&mut event, &plan.clock);
                    events.push(event);
                }
                read_ends.push((events.len(), position));
            }
        }
        for node_index in zoneless_nodes {
            if zones_from_headers.contains(&node_index) {
                continue;
            }
            let stated = stated_zones.get(&node_index);
            let Some(message) = zoneless_warning(stated) else {
                continue;
            };
            warnings.push(Warning {
                node: Some(bundle.nodes[node_index].name.clone()),
                file: None,
                line: None,
                message,
            });
        }
        for (node_index, node) in bundle.nodes.iter().enumerate() {
            let context = ReadContext {
                node: Arc::from(node.name.as_str()),
                file: Arc::from("manifest.json"),
                file_index: 0,
                classifier,
                want_unrecognised: false,
                collected_at: node.collected_at,
                names: Default::default(),
                tailed_by_sos: false,
            };
            let clock = FileClock {
                zone: zones[node_index],
                year_at_end: None,
                year_turns: 0,
                offset_s: 0.0,
                uncertainty_s: None,
                stepped_back: Vec::new(),
            };
            for mut event in collection_events(node, &context) {
                place(&mut event, &clock);
                events.push(event);
            }
        }
        read_ends.push((events.len(), usize::MAX));
        let mut timeline = Timeline {
            nodes,
            events,
            files,
            plans,
            warnings,
            newest,
            renames,
            thinned,
            events_left_out,
            not_logs: Vec::new(),
        };
        timeline.apply_renames();
        timeline.leave_out_files_of_nothing(bundle);
        warn_about_stale_offsets(&timeline.nodes, &timeline.events, &mut timeline.warnings);
        sort_in_place(&mut timeline.events, |event| {
            read_ends[read_ends.partition_point(|(end, _)| *end <= event)].1
        });
        config_dumps::gather_config_dumps(&mut timeline.events);
        vips::mark_vip_removals(&mut timeline.events);
        let node_names: Vec<String> = timeline
            .nodes
            .iter()
            .map(|node| node.name.clone())
            .collect();
        instances::pair_renamed_instances(
            &mut timeline.events,
            &node_names,
            &mut timeline.warnings,
        );
        vips::attribute_vip_announcements(&mut timeline.events);
        prompts::place_prompts(&mut timeline.events, &node_names);
        skew::warn_about_skewed_clocks(&timeline.events, &mut timeline.warnings);
        timeline
    }

    /// Bare files in which nothing was read (no dated line, no recognised one: notes, a ticket's
    /// other attachments), given beside logs that say something, are no nodes: each is named in
    /// a warning instead.
    fn leave_out_files_of_nothing(&mut self, bundle: &Bundle) {
        // (Commands typed at a pasted shell prompt say nothing of a node by themselves.)
        let said_nothing = |name: &str| {
            self.files
                .iter()
                .filter(|file| file.node == name)
                .all(|file| file.first.is_none())
                && self.events.iter().all(|event| {
                    event.node.as_ref() != name
                        || event.kind == crate::sources::EventKind::Unrecognised
                        || event.program.as_deref() == Some(crate::sources::envelope::SHELL_PROGRAM)
                })
        };
        let empty: Vec<String> = bundle
            .nodes
            .iter()
            .filter(|node| node.root.is_none() && said_nothing(&node.name))
            .map(|node| node.name.clone())
            .filter(|name| self.nodes.iter().any(|node| node.name == *name))
            .collect();
        if empty.len() == self.nodes.len() {
            return;
        }
        for name in empty {
            self.nodes.retain(|node| node.name != name);
            for file in self.files.iter().filter(|file| file.node == name) {
                self.warnings.push(Warning::file(
                    &file.file,
                    format!(
                        "nothing in its {} lines is a log line esc-diag reads (none carries a date and time, none is recognised): not taken for a node's log",
                        file.lines
                    ),
                ));
            }
            self.not_logs.push(name);
        }
    }

    /// Gives bare files' nodes their host names: events, files and the node list (a node split
    /// in two, or two merged into one, keeps the first one's clock and zone).
    fn apply_renames(&mut self) {
        if self.renames.is_empty() {
            return;
        }
        let names = crate::sources::NameCache::default();
        let mut events = std::mem::take(&mut self.events);
        let mut moved = vec![false; events.len()];
        for (index, event) in events.iter_mut().enumerate() {
            let name = self.node_name_for(&event.node, event.host.as_deref());
            if name != event.node.as_ref() {
                event.node = names.get(name);
                moved[index] = true;
            }
        }
        // A line moved to a node whose own files hold it too (a syslog that receives the peer's,
        // beside the peer's own log) is that line once.
        // (Keyed by the moved lines, few beside a node's own: its own are looked up, not kept.)
        let moved_lines: HashMap<LineKey, usize> = events
            .iter()
            .enumerate()
            .filter(|(index, _)| moved[*index])
            .map(|(index, event)| (LineKey::of(event), index))
            .collect();
        let mut repeated = vec![false; events.len()];
        for (index, event) in events.iter().enumerate() {
            if !moved[index]
                && let Some(copy) = moved_lines.get(&LineKey::of(event))
            {
                repeated[*copy] = true;
            }
        }
        if repeated.contains(&true) {
            let mut index = 0;
            events.retain(|_| {
                index += 1;
                !repeated[index - 1]
            });
        }
        self.events = events;
        let files: Vec<(usize, String)> = self
            .files
            .iter()
            .enumerate()
            .map(|(index, file)| (index, self.node_name_for(&file.node, None).to_string()))
            .collect();
        for (index, name) in files {
            self.files[index].node = name;
        }
        self.rename_warnings();
        let mut nodes: Vec<NodeTimeline> = Vec::new();
        // A node directory's lines that went to another node of the bundle join that node's
        // entry (its clock and zone), wherever it comes in the list.
        let kept: Vec<&str> = self
            .nodes
            .iter()
            .map(|node| node.name.as_str())
            .filter(|name| self.renames.names_of(name).contains(name))
            .collect();
        for node in &self.nodes {
            for target in self.renames.names_of(&node.name) {
                if (target == node.name || !kept.contains(&target))
                    && !nodes.iter().any(|known| known.name == target)
                {
                    let mut entry = node.clone();
                    entry.name = target.to_string();
                    nodes.push(entry);
                }
            }
        }
        self.nodes = nodes;
    }

    /// A warning about a bare file names the node its lines became (not the file's own name,
    /// which the report never shows as a node); one about a file whose lines became several nodes
    /// names the file alone.
    fn rename_warnings(&mut self) {
        for warning in &mut self.warnings {
            let Some(node) = warning.node.clone() else {
                continue;
            };
            let names = self.renames.names_of(&node);
            match names.as_slice() {
                [only] => warning.node = Some((*only).to_string()),
                // A node directory whose logs hold other machines' lines keeps its name.
                _ if names.contains(&node.as_str()) => {}
                // A bare file's node is named as the file.
                _ => {
                    warning.file.get_or_insert(node);
                    warning.node = None;
                }
            }
        }
        // Two bare files of one node (two excerpts) each said the same of their node: once.
        let mut seen = std::collections::HashSet::new();
        self.warnings.retain(|warning| {
            warning.file.is_some() || warning.line.is_some() || seen.insert(warning.clone())
        });
    }
}

/// What makes two events one log line: node, stamp, process and message (a forwarded copy may
/// name its host otherwise).
#[derive(PartialEq, Eq, Hash)]
struct LineKey<'a> {
    node: &'a str,
    stamp: Option<crate::sources::envelope::Stamp>,
    program: Option<&'a str>,
    pid: Option<u32>,
    message: &'a str,
}

impl<'a> LineKey<'a> {
    fn of(event: &'a Event) -> LineKey<'a> {
        LineKey {
            node: &event.node,
            stamp: event.stamp,
            program: event.program.as_deref(),
            pid: event.pid,
            message: event.message(),
        }
    }
}

/// Gives an event its instant and uncertainty from its file's clock.
fn place(event: &mut Event, clock: &FileClock) {
    event.time = event
        .stamp
        .and_then(|stamp| clock.instant(&stamp, event.year_turns, event.collector_clock));
    if !event.collector_clock {
        if let Some(time) = event.time {
            event.time = Some(clock.stepped_back.iter().fold(time, |time, step| {
                step.apply(time, event.line, event.host.as_deref())
            }));
        }
        event.uncertainty_s = clock.uncertainty_s;
    }
}

fn warn_about_stale_offsets(nodes: &[NodeTimeline], events: &[Event], warnings: &mut Vec<Warning>) {
    for node in nodes {
        let (Some(offset), Some(collected)) = (node.clock_offset_s, node.collected_at) else {
            continue;
        };
        if offset == 0.0 {
            continue;
        }
        let oldest = events
            .iter()
            .filter(|event| event.node.as_ref() == node.name && !event.collector_clock)
            .filter_map(|event| event.time)
            .min();
        if let Some(oldest) = oldest
            && collected - oldest > chrono::Duration::days(1)
        {
            warnings.push(Warning::at(
                &node.name,
                "manifest.json",
                None,
                format!(
                    "the clock offset ({offset:+.3} s) was measured at collection ({}) and is applied to events from {} on, more than a day older: the clock may have drifted since",
                    collected.format("%Y-%m-%dT%H:%M:%SZ"),
                    oldest.format("%Y-%m-%dT%H:%M:%SZ")
                ),
            ));
        }
    }
}

/// A time for people, in UTC: `15:53:07`, or `2026-11-25 15:53:07` when the report spans days.
pub fn format_clock(time: DateTime<Utc>, dated: bool) -> String {
    if dated {
        time.format("%Y-%m-%d %H:%M:%S").to_string()
    } else {
        time.format("%H:%M:%S").to_string()
    }
}

/// RFC 3339 in UTC with `Z`, with as many fraction digits as the source wrote (more only when a
/// clock correction needs them).
pub fn format_time(time: DateTime<Utc>, digits: u8) -> String {
    format_time_capped(time, digits, 9)
}

/// As [`format_time`], with at most `cap` fraction digits (the rest truncated).
pub fn format_time_capped(time: DateTime<Utc>, digits: u8, cap: u32) -> String {
    let mut bytes = Vec::with_capacity(31);
    push_time_capped(&mut bytes, time, digits, cap);
    // Only ASCII digits and separators are written.
    String::from_utf8(bytes).unwrap_or_default()
}

/// Appends [`format_time`]'s text to `out` (no quoting or escaping: it holds nothing JSON
/// escapes), without a string of its own: this runs once per line of `timeline --all`.
pub fn push_time(out: &mut Vec<u8>, time: DateTime<Utc>, digits: u8) {
    push_time_capped(out, time, digits, 9);
}

fn push_time_capped(out: &mut Vec<u8>, time: DateTime<Utc>, digits: u8, cap: u32) {
    let nanos = time.timestamp_subsec_nanos();
    let mut digits = u32::from(digits.min(9));
    while digits < 9 && nanos % 10u32.pow(9 - digits) != 0 {
        digits = match digits {
            0..=2 => 3,
            3..=5 => 6,
            _ => 9,
        };
    }
    let digits = digits.min(cap);
    let year = time.year();
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        let base = time.format("%Y-%m-%dT%H:%M:%S");
        let fraction = format!("{nanos:09}");
        let text = match digits {
            0 => format!("{base}Z"),
            _ => format!("{base}.{}Z", &fraction[..digits as usize]),
        };
        out.extend_from_slice(text.as_bytes());
        return;
    }
    // Written digit by digit into a stamp on the stack, appended at once.
    let mut stamp = [0u8; 30];
    let mut length = 0;
    // Each number is followed by its separator.
    let mut push = |value: u32, width: u32, separator: u8| {
        for position in (0..width).rev() {
            stamp[length] = b'0' + ((value / 10u32.pow(position)) % 10) as u8;
            length += 1;
        }
        stamp[length] = separator;
        length += 1;
    };
    push(year as u32, 4, b'-');
    push(time.month(), 2, b'-');
    push(time.day(), 2, b'T');
    push(time.hour(), 2, b':');
    push(time.minute(), 2, b':');
    if digits > 0 {
        push(time.second(), 2, b'.');
        push(nanos / 10u32.pow(9 - digits), digits, b'Z');
    } else {
        push(time.second(), 2, b'Z');
    }
    out.extend_from_slice(&stamp[..length]);
}

#[cfg(test)]
mod tests {
    use super::replay::{MergeKey, NameRanks};
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn sibling_machine_names_differ_by_their_last_number_letter_or_word() {
        for (one, two) in [
            ("lb1", "lb2"),
            ("nodeA", "nodeB"),
            ("pg-primary", "pg-standby"),
        ] {
            assert!(sibling_names(one, two), "{one} {two}");
        }
        for (one, two) in [
            ("esc-ha", "esc-ha2"),
            ("lb1", "lb1-old"),
            ("drill", "pg-primary"),
            ("lb", "lb"),
        ] {
            assert!(!sibling_names(one, two), "{one} {two}");
        }
        // Names in other scripts are compared by characters, not cut inside one.
        assert!(sibling_names("nodeé", "nodeè"));
        assert!(!sibling_names("nodeé", "node"));
    }

    /// Numbers below a bound, the same for the same seed (a linear congruential generator).
    fn pseudo_random(mut seed: u64) -> impl FnMut(u64) -> u64 {
        move |bound: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % bound
        }
    }

    #[test]
    fn spellings_of_one_host_name_are_one_host() {
        for (first, second) in [
            ("esc-1", "esc-1.example.com"),
            ("ha-node01", "ha-node-01"),
            ("ESC_1", "esc-1"),
            ("10.0.0.1", "10.0.0.1"),
        ] {
            assert!(same_host(first, second), "{first} {second}");
        }
        for (first, second) in [
            ("esc-1", "esc-2"),
            ("10.10.15.252", "10.10.15.253"),
            (
                "ip-172-31-50-239.ec2.internal",
                "ip-172-31-58-51.ec2.internal",
            ),
            ("node1", "node11"),
        ] {
            assert!(!same_host(first, second), "{first} {second}");
        }
    }

    /// Sorting positions and then moving events along the order's cycles gives what a stable
    /// sort of the events gives, ties (same instant, node, file, line) kept in reading order.
    #[test]
    fn sorting_in_place_gives_the_stable_order() {
        let mut next = pseudo_random(7);
        for length in [0, 1, 2, 3, 10, 257] {
            let events: Vec<Event> = (0..length)
                .map(|position| {
                    let node = ["esc-ha-0", "esc-ha-1"][next(2) as usize];
                    let time = (next(5) > 0).then(|| Utc.timestamp_opt(next(6) as i64, 0).unwrap());
                    let mut event = sample_event(time, node, "var/log/messages");
                    event.file_index = next(3) as u32;
                    event.line = next(4);
                    event.text = position.to_string();
                    event
                })
                .collect();
            let mut expected = events.clone();
            expected.sort_by(compare_events);
            let mut sorted = events.clone();
            sort_in_place(&mut sorted, |_| 0);
            let texts = |events: &[Event]| -> Vec<String> {
                events.iter().map(|event| event.text.clone()).collect()
            };
            assert_eq!(texts(&sorted), texts(&expected), "{length} events");
            // Ties broken by a rank of the position (the read an event came from), then position.
            let rank = |position: usize| (position * 7) % 3;
            let mut ranked: Vec<(usize, Event)> = events.iter().cloned().enumerate().collect();
            ranked.sort_by(|(left, a), (right, b)| {
                compare_events(a, b).then_with(|| rank(*left).cmp(&rank(*right)))
            });
            let expected: Vec<Event> = ranked.into_iter().map(|(_, event)| event).collect();
            let mut sorted = events;
            sort_in_place(&mut sorted, rank);
            assert_eq!(texts(&sorted), texts(&expected), "{length} events, ranked");
        }
    }

    /// An event with what ordering reads; the rest empty.
    fn sample_event(time: Option<DateTime<Utc>>, node: &str, file: &str) -> Event {
        Event {
            time,
            stamp: None,
            year_turns: 0,
            time_inferred: false,
            collector_clock: false,
            uncertainty_s: None,
            node: Arc::from(node),
            file: Arc::from(file),
            file_index: 0,
            line: 0,
            offset: 0,
            kind: crate::sources::EventKind::Daemon,
            event: None,
            classifier: None,
            source: "messages",
            host: None,
            program: None,
            pid: None,
            level: None,
            fields: Default::default(),
            text: String::new(),
            message_start: 0,
        }
    }

    /// A replay's merge keys order events as `compare_events` does (a replay ranks every name
    /// it reads); a name not ranked still sits in order with every ranked one.
    #[test]
    fn merge_keys_order_events_as_compare_events_does() {
        let nodes = ["esc-ha-0", "esc-ha-1", "esc-ha-10", "a", "z"];
        let files = [
            "var/log/messages",
            "var/log/esc/escmanager.log",
            "manifest.json",
            "m",
        ];
        let node_names = NameRanks::new(nodes.iter().copied());
        let file_names = NameRanks::new(files.iter().copied());
        let some_files = NameRanks::new(files[..2].iter().copied());
        for unknown in ["", "manifest.json", "m", "var/log/f", "zz"] {
            for known in &files[..2] {
                assert_eq!(
                    some_files.rank(unknown).cmp(&some_files.rank(known)),
                    unknown.cmp(known),
                    "{unknown} / {known}"
                );
            }
        }
        let mut next = pseudo_random(11);
        let events: Vec<Event> = (0..200)
            .map(|_| {
                let time = (next(4) > 0).then(|| Utc.timestamp_opt(next(3) as i64, 0).unwrap());
                let mut event = sample_event(
                    time,
                    nodes[next(nodes.len() as u64) as usize],
                    files[next(files.len() as u64) as usize],
                );
                event.file_index = next(3) as u32;
                event.line = next(3);
                event
            })
            .collect();
        let key = |event: &Event| MergeKey {
            time: event.time,
            node: node_names.rank(&event.node),
            file_index: event.file_index,
            line: event.line,
            file: file_names.rank(&event.file),
            feed: 0,
        };
        for left in &events {
            for right in &events {
                assert_eq!(
                    key(left).cmp(&key(right)),
                    compare_events(left, right),
                    "{} {} / {} {}",
                    left.node,
                    left.file,
                    right.node,
                    right.file
                );
            }
        }
    }

    /// The digit-by-digit writer gives what chrono's strftime gives.
    #[test]
    fn times_are_written_as_chrono_writes_them() {
        let instants = [
            (0, 0),
            (1_764_080_000, 5),
            (1_764_080_000, 120_000_000),
            (4_102_444_799, 999_999_999),
            (-62_000_000_000, 0),
            (253_402_300_800, 0),
        ];
        for (seconds, nanos) in instants {
            let time = Utc.timestamp_opt(seconds, nanos).unwrap();
            for digits in [0, 1, 3, 4, 6, 9] {
                for cap in [0, 3, 9] {
                    let nanos = time.timestamp_subsec_nanos();
                    let mut shown = u32::from(digits);
                    while shown < 9 && nanos % 10u32.pow(9 - shown) != 0 {
                        shown = match shown {
                            0..=2 => 3,
                            3..=5 => 6,
                            _ => 9,
                        };
                    }
                    let shown = shown.min(cap) as usize;
                    let base = time.format("%Y-%m-%dT%H:%M:%S");
                    let expected = match shown {
                        0 => format!("{base}Z"),
                        _ => format!("{base}.{}Z", &format!("{nanos:09}")[..shown]),
                    };
                    assert_eq!(format_time_capped(time, digits, cap), expected);
                }
            }
        }
    }
}
