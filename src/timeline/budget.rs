//! The event budget: which recognised events the timeline keeps when there are more than fit in
//! memory. Events are counted by class (node, kind, classifier event, instance); past the budget
//! the loudest classes keep an even sample of their events (one in 2, 4, 8, ...), the quiet ones
//! all of theirs. Which events a class keeps depends only on each event's file and line and on
//! the final counts, never on which thread read what first, so the outcome is deterministic.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::bundle::{Bundle, Warning};
use crate::sources::{Event, EventKind};

/// Recognised events kept in full before the loudest classes are thinned: about 0.7 KB each,
/// about 175 MB.
pub const DEFAULT_MAX_EVENTS: usize = 250_000;

/// Events a reader offers between two looks at the shared counts.
const PUBLISH_EVERY: usize = 4096;

/// Instances of one node, kind and classifier event are told apart in this many groups (by a
/// hash of the name): enough for any real keepalived.conf, and bounded for a hostile log.
const INSTANCE_GROUPS: u64 = 64;

/// The group of events that name no instance.
const NO_INSTANCE: u8 = INSTANCE_GROUPS as u8;

/// What events are counted and thinned together.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct ClassKey {
    node: usize,
    kind: EventKind,
    event: Option<Arc<str>>,
    instance_group: u8,
}

/// A class's count and the instance names it holds (for the warning).
#[derive(Debug, Default, Clone)]
struct ClassTally {
    offered: u64,
    /// The first instance name in name order, and whether there were others.
    instance: Option<Arc<str>>,
    other_instances: bool,
}

impl ClassTally {
    fn add(&mut self, other: &ClassTally) {
        self.offered += other.offered;
        if let Some(name) = &other.instance {
            self.note_instance(name);
        }
        self.other_instances |= other.other_instances;
    }

    /// Notes an instance name; a name is copied only when it becomes the first in name order.
    fn note_instance(&mut self, name: &str) {
        match self.instance.as_deref() {
            None => self.instance = Some(Arc::from(name)),
            Some(known) if known == name => {}
            Some(known) => {
                self.other_instances = true;
                if name < known {
                    self.instance = Some(Arc::from(name));
                }
            }
        }
    }
}

/// The classes being thinned and their sampling levels: a class at level k (at least 1) keeps one
/// event in 2^k; a class not listed keeps all of its events.
type Levels = HashMap<ClassKey, u32>;

/// The counts shared by every reader.
#[derive(Default)]
struct Shared {
    tallies: HashMap<ClassKey, ClassTally>,
    levels: Arc<Levels>,
    generation: u64,
}

/// The budget shared by the readers of one timeline.
pub struct Budget {
    /// At most this many events kept (about; 0: no limit).
    max_events: usize,
    shared: Mutex<Shared>,
    /// Events the readers hold now, over every thread.
    held: AtomicUsize,
}

/// One class the budget thinned, for the report.
#[derive(Debug, Clone)]
pub struct Thinned {
    pub node: String,
    pub kind: EventKind,
    pub event: Option<String>,
    pub instance: Option<String>,
    pub other_instances: bool,
    pub offered: u64,
    pub kept: u64,
    pub level: u32,
}

impl Budget {
    pub fn new(max_events: usize) -> Budget {
        Budget {
            max_events,
            shared: Mutex::new(Shared::default()),
            held: AtomicUsize::new(0),
        }
    }

    /// What the readers may hold before they thin what they hold to the current levels: the
    /// budget and a quarter (what the levels keep is at most about the budget).
    fn holding_limit(&self) -> usize {
        self.max_events + self.max_events / 4
    }

    /// A reader's view of the budget (one per thread).
    pub fn reader(&self) -> BudgetReader<'_> {
        BudgetReader {
            budget: self,
            pending: HashMap::new(),
            levels: Arc::new(Levels::new()),
            generation: 0,
            thinned_generation: 0,
            offered_since_publish: 0,
            kept_since_publish: 0,
        }
    }

    /// Adds a reader's counts and gives back the levels (and their generation) they lead to.
    fn publish(&self, pending: &mut HashMap<ClassKey, ClassTally>) -> (Arc<Levels>, u64) {
        let mut shared = self.shared.lock().unwrap_or_else(PoisonError::into_inner);
        if pending.is_empty() {
            return (shared.levels.clone(), shared.generation);
        }
        for (key, tally) in pending.drain() {
            shared.tallies.entry(key).or_default().add(&tally);
        }
        let levels = levels_for(&shared.tallies, self.max_events);
        if levels != *shared.levels {
            shared.levels = Arc::new(levels);
            shared.generation += 1;
        }
        (shared.levels.clone(), shared.generation)
    }

    /// Keeps, in every read (its node, file key and events), only the events the final counts
    /// keep, and says what was thinned.
    pub fn settle(
        &self,
        bundle: &Bundle,
        reads: &mut [(usize, u64, &mut Vec<Event>)],
    ) -> Vec<Thinned> {
        let shared = self.shared.lock().unwrap_or_else(PoisonError::into_inner);
        let levels = &shared.levels;
        if levels.is_empty() {
            return Vec::new();
        }
        let mut kept: HashMap<ClassKey, u64> = HashMap::new();
        for (node, file_key, events) in reads.iter_mut() {
            retain_sample(levels, *node, *file_key, events, |key| {
                *kept.entry(key).or_default() += 1;
            });
            events.shrink_to_fit();
        }
        let mut thinned: Vec<(&ClassKey, u32)> =
            levels.iter().map(|(key, level)| (key, *level)).collect();
        thinned.sort();
        thinned
            .into_iter()
            .map(|(key, level)| {
                let tally = shared.tallies.get(key).cloned().unwrap_or_default();
                Thinned {
                    node: bundle.nodes[key.node].name.clone(),
                    kind: key.kind,
                    event: key.event.as_deref().map(str::to_string),
                    instance: tally.instance.as_deref().map(str::to_string),
                    other_instances: tally.other_instances,
                    offered: tally.offered,
                    kept: kept.get(key).copied().unwrap_or(0),
                    level,
                }
            })
            .collect()
    }
}

/// One thread's side of the budget: counts events as they are read, decides which to keep with
/// the levels last seen (never above the final ones, as counts only grow), and says when the
/// events the readers hold should be thinned to the levels now.
///
/// The first event of every file is always kept (each file's start stays in the timeline, and
/// with it, in files written in order, each node's oldest event).
pub struct BudgetReader<'b> {
    budget: &'b Budget,
    pending: HashMap<ClassKey, ClassTally>,
    levels: Arc<Levels>,
    generation: u64,
    /// The generation of levels this thread last thinned to.
    thinned_generation: u64,
    offered_since_publish: usize,
    /// Events kept since the last publish, not yet in the budget's `held`.
    kept_since_publish: usize,
}

impl BudgetReader<'_> {
    /// Counts an event and says whether to keep it; `first`: the file's first event.
    pub fn offer(&mut self, node: usize, file_key: u64, event: &Event, first: bool) -> bool {
        if self.budget.max_events == 0 {
            return true;
        }
        let key = class_key(node, event);
        let level = self.levels.get(&key).copied().unwrap_or(0);
        let tally = self.pending.entry(key).or_default();
        tally.offered += 1;
        if let Some(instance) = event.field("instance") {
            tally.note_instance(instance);
        }
        self.offered_since_publish += 1;
        let keep = first || keeps(file_key, event.line, level);
        self.kept_since_publish += usize::from(keep);
        keep
    }

    /// Whether the reader should publish its counts now (and maybe thin what it holds).
    pub fn due(&self) -> bool {
        self.offered_since_publish >= PUBLISH_EVERY
    }

    /// Publishes the counts; returns true when the readers together hold more than they may
    /// and the levels rose since this thread last thinned: the caller then passes its own events
    /// and the finished files' to [`BudgetReader::thin`] and calls [`BudgetReader::thinned`].
    pub fn publish(&mut self) -> bool {
        if self.budget.max_events == 0 {
            return false;
        }
        self.offered_since_publish = 0;
        self.budget.held.fetch_add(
            std::mem::take(&mut self.kept_since_publish),
            Ordering::Relaxed,
        );
        let (levels, generation) = self.budget.publish(&mut self.pending);
        self.levels = levels;
        self.generation = generation;
        self.generation != self.thinned_generation
            && self.budget.held.load(Ordering::Relaxed) > self.budget.holding_limit()
    }

    /// Thins the events of one file to the current levels (its first event, the file's first
    /// offered, stays).
    pub fn thin(&mut self, node: usize, file_key: u64, events: &mut Vec<Event>) {
        let before = events.len();
        retain_sample(&self.levels, node, file_key, events, |_| {});
        self.budget
            .held
            .fetch_sub(before - events.len(), Ordering::Relaxed);
    }

    /// After a round of [`BudgetReader::thin`].
    pub fn thinned(&mut self) {
        self.thinned_generation = self.generation;
    }
}

/// Keeps of one file's events its first and those the levels keep; `kept` sees the class of each
/// kept event of a thinned class.
fn retain_sample(
    levels: &Levels,
    node: usize,
    file_key: u64,
    events: &mut Vec<Event>,
    mut kept: impl FnMut(ClassKey),
) {
    let mut position = 0;
    events.retain(|event| {
        position += 1;
        let key = class_key(node, event);
        let Some(&level) = levels.get(&key) else {
            return true;
        };
        let keep = position == 1 || keeps(file_key, event.line, level);
        if keep {
            kept(key);
        }
        keep
    });
}

/// The class an event is counted in.
fn class_key(node: usize, event: &Event) -> ClassKey {
    let instance_group = event.field("instance").map_or(NO_INSTANCE, |name| {
        (mix(text_hash(name)) % INSTANCE_GROUPS) as u8
    });
    ClassKey {
        node,
        kind: event.kind,
        event: event.event.clone(),
        instance_group,
    }
}

/// The levels the counts lead to: the largest share T such that keeping min(count, T) of every
/// class stays within the budget; a class over T keeps one in the least 2^k that brings it to
/// T or under. Counts only grow, so T only falls and levels only rise.
fn levels_for(tallies: &HashMap<ClassKey, ClassTally>, max_events: usize) -> Levels {
    let mut counts: Vec<u64> = tallies.values().map(|tally| tally.offered).collect();
    counts.sort_unstable();
    let mut remaining = max_events as u64;
    let mut share = None;
    for (position, count) in counts.iter().enumerate() {
        let classes_left = (counts.len() - position) as u64;
        if count.saturating_mul(classes_left) <= remaining {
            remaining -= count;
        } else {
            share = Some((remaining / classes_left).max(1));
            break;
        }
    }
    let Some(share) = share else {
        return Levels::new();
    };
    tallies
        .iter()
        .filter(|(_, tally)| tally.offered > share)
        .map(|(key, tally)| {
            let mut level = 0;
            while level < 63 && share << level < tally.offered {
                level += 1;
            }
            (key.clone(), level)
        })
        .collect()
}

/// Whether an event of this file and line survives a class at `level`: the low bits of a hash
/// of where it is are all zero, so every level keeps a subset of the one below.
fn keeps(file_key: u64, line: u64, level: u32) -> bool {
    level == 0 || mix(file_key ^ line.wrapping_mul(0x9e37_79b9_7f4a_7c15)) & ((1 << level) - 1) == 0
}

/// A file's part of its events' hashes, from its node's name and its path in the node.
pub fn file_key(node: &str, file: &str) -> u64 {
    mix(text_hash(node) ^ text_hash(file).rotate_left(32))
}

/// FNV-1a: stable across runs and machines, unlike std's hasher.
fn text_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// splitmix64's finaliser: every input bit moves every output bit.
fn mix(mut value: u64) -> u64 {
    value = (value ^ (value >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    value = (value ^ (value >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    value ^ (value >> 31)
}

/// The warnings of the thinned classes: one per node, naming each class and its sample.
pub fn warnings(thinned: &[Thinned], max_events: usize) -> Vec<Warning> {
    let mut nodes: Vec<&str> = thinned.iter().map(|class| class.node.as_str()).collect();
    nodes.dedup();
    nodes
        .into_iter()
        .map(|node| {
            let classes: Vec<String> = thinned
                .iter()
                .filter(|class| class.node == node)
                .map(describe)
                .collect();
            Warning {
                node: Some(node.to_string()),
                file: None,
                line: None,
                message: format!(
                    "more recognised events than --max-events {} keeps: an even sample was kept of {}; counts, windows and evidence built on these events come from the sample (`esc-diag timeline` still lists every one; --max-events 0 keeps all)",
                    max_events,
                    classes.join(", ")
                ),
            }
        })
        .collect()
}

/// "1 in 8 (37571) of 299987 vrrp-track script-succeeded events (instance esc_ha)".
fn describe(class: &Thinned) -> String {
    let what = match &class.event {
        Some(event) => format!("{} {event}", class.kind),
        None => class.kind.to_string(),
    };
    let instance = match &class.instance {
        Some(instance) if class.other_instances => format!(" (instance {instance} and others)"),
        Some(instance) => format!(" (instance {instance})"),
        None => String::new(),
    };
    format!(
        "1 in {} ({}) of {} {what} events{instance}",
        1u64 << class.level.min(63),
        class.kept,
        class.offered,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tallies(counts: &[u64]) -> HashMap<ClassKey, ClassTally> {
        counts
            .iter()
            .enumerate()
            .map(|(position, count)| {
                (
                    ClassKey {
                        node: position,
                        kind: EventKind::VrrpAdvert,
                        event: None,
                        instance_group: 0,
                    },
                    ClassTally {
                        offered: *count,
                        ..ClassTally::default()
                    },
                )
            })
            .collect()
    }

    fn level_of(levels: &Levels, node: usize) -> u32 {
        levels
            .iter()
            .find(|(key, _)| key.node == node)
            .map_or(0, |(_, level)| *level)
    }

    #[test]
    fn quiet_classes_are_kept_whole_and_loud_ones_thinned_to_the_share() {
        // 100 + 200 fit; the share of the other two is (1000 - 300) / 2 = 350.
        let levels = levels_for(&tallies(&[100, 200, 5_000, 100_000]), 1_000);
        assert_eq!(level_of(&levels, 0), 0);
        assert_eq!(level_of(&levels, 1), 0);
        assert_eq!(level_of(&levels, 2), 4); // 5000 / 16 = 312 <= 350 < 5000 / 8
        assert_eq!(level_of(&levels, 3), 9); // 100000 / 512 = 195 <= 350 < 390
        assert!(levels_for(&tallies(&[100, 200]), 300).is_empty());
        assert!(levels_for(&tallies(&[]), 0).is_empty());
    }

    #[test]
    fn levels_only_rise_as_counts_grow() {
        let mut counts = vec![10, 20, 30, 40];
        let mut before = levels_for(&tallies(&counts), 500);
        for step in 0..2_000u64 {
            let class = (mix(step) % 6) as usize;
            if class >= counts.len() {
                counts.push(0);
            }
            let class = class.min(counts.len() - 1);
            counts[class] += mix(step ^ 7) % 50;
            let after = levels_for(&tallies(&counts), 500);
            for node in 0..counts.len() {
                assert!(level_of(&after, node) >= level_of(&before, node));
            }
            before = after;
        }
    }

    #[test]
    fn each_level_keeps_a_subset_of_the_one_below_and_about_its_share() {
        let file = file_key("esc-ha-0", "var/log/messages");
        for level in 1..8 {
            let kept = (1..=100_000u64)
                .filter(|line| keeps(file, *line, level))
                .count();
            let expected = 100_000 >> level;
            assert!(
                kept.abs_diff(expected) < expected / 10 + 10,
                "{level}: {kept}"
            );
            for line in 1..=10_000u64 {
                if keeps(file, line, level) {
                    assert!(keeps(file, line, level - 1));
                }
            }
        }
    }
}
