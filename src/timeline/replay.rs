//! Replays: the files read again and merged into timeline order, every line or those a filter
//! keeps, on one thread event by event, or formatted on a thread per file and merged as bytes.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use chrono::{DateTime, Utc};

use super::align::FileClock;
use super::{Filter, Timeline, open_reader, place};
use crate::bundle::Bundle;
use crate::sources::{Classifier, Event, EventReader};

/// A replay reads its files on threads of their own when there are fewer than this many (beyond,
/// one thread): each file's thread holds up to `BATCHES_QUEUED + 2` batches (queued, being
/// filled, being merged), 512 KiB, twice its read buffer.
const MAX_THREADED_FEEDS: usize = 64;
/// A batch handed from a file's thread to the merge holds about this many bytes of formatted
/// events, or this many events.
const BATCH_BYTES: usize = 128 * 1024;
const BATCH_EVENTS: usize = 2048;
/// Batches waiting for the merge, per file.
const BATCHES_QUEUED: usize = 2;

/// How a replay's events are written: formatted into the buffer (which may hold earlier events;
/// append only).
pub type FormatEvent<'f> = dyn Fn(&mut Vec<u8>, &Event) + Sync + 'f;

impl Timeline {
    /// Streams every line of every file (unrecognised ones only when `filter` includes them) that
    /// `filter` accepts, in timeline order, holding one pending event per file, on this thread.
    /// Files are re-read; nothing else is kept. (Handing events from threads of their own cost
    /// more in allocations freed across threads than it saved; [`Timeline::replay_formatted`]
    /// hands over formatted bytes instead.)
    pub fn replay(
        &self,
        bundle: &Bundle,
        classifier: &Classifier,
        filter: &Filter,
        sink: &mut dyn FnMut(&Event) -> io::Result<()>,
    ) -> io::Result<()> {
        let (facts, node_names, file_names) = self.replay_names(bundle);
        let mut feeds: Vec<ReplayFeed> = (0..self.plans.len())
            .map(|index| ReplayFeed::new(self.feed_events(bundle, classifier, filter, index)))
            .collect();
        // The manifest's facts, in their order, as one more feed.
        feeds.push(ReplayFeed::new(FeedEvents::Given(facts.into_iter())));
        // The heap holds each feed's next event's key (the event waits in its feed): keys
        // are small, events are not, and a heap moves its entries around.
        let mut heap: BinaryHeap<Reverse<MergeKey>> = BinaryHeap::new();
        for (index, feed) in feeds.iter_mut().enumerate() {
            if let Some(key) = feed.advance(index, &node_names, &file_names) {
                heap.push(Reverse(key));
            }
        }
        let mut renamed: Option<LastRename> = None;
        while let Some(Reverse(key)) = heap.pop() {
            let feed = &mut feeds[key.feed];
            // (A feed's key is in the heap only while its head waits.)
            let Some(mut event) = feed.head.take() else {
                continue;
            };
            if let Some(next) = feed.advance(key.feed, &node_names, &file_names) {
                heap.push(Reverse(next));
            }
            self.rename_for_replay(&mut event, &mut renamed);
            if filter.accepts(&event) {
                sink(&event)?;
            }
        }
        Ok(())
    }

    /// Streams what [`Timeline::replay`] streams, formatted by `format`: `write` gets each event's
    /// bytes in the same order. Each file is read and its events formatted on a thread of its
    /// own (at most [`MAX_THREADED_FEEDS`]; one thread otherwise), handing batches of bytes with
    /// their merge keys to this thread, which merges them: every event's key is handed over,
    /// those the filter refuses without bytes, so that the merge sees what the one-thread replay
    /// sees and orders the rest the same way (a file's events are not always in time order).
    /// Memory stays bounded: a file's thread waits while [`BATCHES_QUEUED`] of its batches wait.
    pub fn replay_formatted(
        &self,
        bundle: &Bundle,
        classifier: &Classifier,
        filter: &Filter,
        format: &FormatEvent,
        write: &mut dyn FnMut(&[u8]) -> io::Result<()>,
    ) -> io::Result<()> {
        let cores = std::thread::available_parallelism().map_or(1, |count| count.get());
        if cores > 1 && self.plans.len() < MAX_THREADED_FEEDS {
            return self.replay_threaded(bundle, classifier, filter, format, write);
        }
        let mut buffer = Vec::new();
        self.replay(bundle, classifier, filter, &mut |event| {
            buffer.clear();
            format(&mut buffer, event);
            write(&buffer)
        })
    }

    /// [`Timeline::replay_formatted`] on a thread per feed.
    fn replay_threaded(
        &self,
        bundle: &Bundle,
        classifier: &Classifier,
        filter: &Filter,
        format: &FormatEvent,
        write: &mut dyn FnMut(&[u8]) -> io::Result<()>,
    ) -> io::Result<()> {
        let feeds = self.plans.len() + 1;
        let (facts, node_names, file_names) = self.replay_names(bundle);
        let names = (&node_names, &file_names);
        let mut facts = Some(facts);
        std::thread::scope(|scope| {
            let mut receivers = Vec::with_capacity(feeds);
            let mut handles = Vec::with_capacity(feeds);
            for feed in 0..feeds {
                let (sender, receiver) = sync_channel::<Batch>(BATCHES_QUEUED);
                receivers.push(receiver);
                let given = if feed == self.plans.len() {
                    facts.take()
                } else {
                    None
                };
                handles.push(scope.spawn(move || {
                    let events = match given {
                        Some(facts) => FeedEvents::Given(facts.into_iter()),
                        None => self.feed_events(bundle, classifier, filter, feed),
                    };
                    self.send_batches(
                        ReplayFeed::new(events),
                        feed,
                        names,
                        filter,
                        format,
                        &sender,
                    );
                }));
            }
            // The receivers go with the merge: a merge that stops early (a closed pipe) lets
            // the threads' next hand-over fail, and they end.
            let result = merge_batches(receivers, write);
            for handle in handles {
                if let Err(panic) = handle.join() {
                    std::panic::resume_unwind(panic);
                }
            }
            result
        })
    }

    /// The manifest's facts (replayed as one more feed, after the files), and the ranks of the
    /// node and file names that the merge keys use.
    fn replay_names(&self, bundle: &Bundle) -> (Vec<Event>, NameRanks, NameRanks) {
        let facts: Vec<Event> = self
            .events
            .iter()
            .filter(|event| event.file.as_ref() == "manifest.json")
            .cloned()
            .collect();
        let node_names = NameRanks::new(
            self.plans
                .iter()
                .map(|plan| bundle.nodes[plan.node].name.as_str())
                .chain(facts.iter().map(|event| event.node.as_ref())),
        );
        let file_names = NameRanks::new(
            self.plans
                .iter()
                .map(|plan| plan.file.relative.as_str())
                .chain(facts.iter().map(|event| event.file.as_ref())),
        );
        (facts, node_names, file_names)
    }

    /// A planned file's events for a replay (none when it cannot be opened: that was reported
    /// when the timeline was built).
    fn feed_events<'a>(
        &'a self,
        bundle: &'a Bundle,
        classifier: &'a Classifier,
        filter: &Filter,
        plan_index: usize,
    ) -> FeedEvents<'a> {
        let plan = &self.plans[plan_index];
        match open_reader(
            &bundle.nodes[plan.node],
            plan,
            classifier,
            filter.include_unrecognised,
        ) {
            Ok(reader) => FeedEvents::File(reader, &plan.clock),
            Err(_) => FeedEvents::Given(Vec::new().into_iter()),
        }
    }

    /// Gives a replayed event the name of its node (bare files' hosts), remembering the last
    /// name given.
    fn rename_for_replay(&self, event: &mut Event, renamed: &mut Option<LastRename>) {
        if self.renames.is_empty() {
            return;
        }
        match renamed {
            Some(last) if last.node == event.node && last.host == event.host => {
                event.node = last.name.clone();
            }
            _ => {
                let (node, host) = (event.node.clone(), event.host.clone());
                let name = self.node_name_for(&event.node, event.host.as_deref());
                if name != event.node.as_ref() {
                    event.node = Arc::from(name);
                }
                let name = event.node.clone();
                *renamed = Some(LastRename { node, host, name });
            }
        }
    }

    /// Reads one feed to its end on a thread of its own, handing its events' keys and formatted
    /// bytes over in batches; stops early when the merge has stopped.
    fn send_batches(
        &self,
        mut feed: ReplayFeed,
        index: usize,
        (node_names, file_names): (&NameRanks, &NameRanks),
        filter: &Filter,
        format: &FormatEvent,
        sender: &SyncSender<Batch>,
    ) {
        let mut renamed: Option<LastRename> = None;
        let mut batch = Batch::default();
        while let Some(key) = feed.advance(index, node_names, file_names) {
            let Some(mut event) = feed.head.take() else {
                continue;
            };
            self.rename_for_replay(&mut event, &mut renamed);
            let accepted = filter.accepts(&event);
            if accepted {
                format(&mut batch.bytes, &event);
            }
            batch.keys.push(key);
            batch.ends.push((batch.bytes.len(), accepted));
            if (batch.bytes.len() >= BATCH_BYTES || batch.keys.len() >= BATCH_EVENTS)
                && sender.send(std::mem::take(&mut batch)).is_err()
            {
                return;
            }
        }
        if !batch.keys.is_empty() {
            // (A merge that has stopped needs nothing more.)
            let _ = sender.send(batch);
        }
    }
}

/// The last node renamed during a replay: node and host as read, and the node's name for them
/// (a file's events share them, so the name is looked up, and allocated, once per run of events
/// from the same node and host).
struct LastRename {
    node: Arc<str>,
    host: Option<Arc<str>>,
    name: Arc<str>,
}

/// Where an event goes in a replay's merge: [`compare_events`]' order, with node and file names
/// replaced by their ranks, then the feed (two feeds never hold equal events: each reads its own
/// file).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct MergeKey {
    pub(super) time: Option<DateTime<Utc>>,
    pub(super) node: u32,
    pub(super) file_index: u32,
    pub(super) line: u64,
    pub(super) file: u32,
    pub(super) feed: usize,
}

/// Names in order, so that comparing the ranks of names in the list is comparing the names. A
/// name not in the list (a replay lists every node and file it reads, so none) ranks between its
/// neighbours in the list: in order with every name of the list, but level with other unknown
/// names between the same two.
pub(super) struct NameRanks(Vec<String>);

impl NameRanks {
    pub(super) fn new<'a>(names: impl Iterator<Item = &'a str>) -> NameRanks {
        let mut names: Vec<String> = names.map(str::to_string).collect();
        names.sort_unstable();
        names.dedup();
        NameRanks(names)
    }

    pub(super) fn rank(&self, name: &str) -> u32 {
        let position = match self.0.binary_search_by(|known| known.as_str().cmp(name)) {
            Ok(position) => 2 * position + 1,
            Err(position) => 2 * position,
        };
        u32::try_from(position).unwrap_or(u32::MAX)
    }
}

/// Where a replay feed's events come from.
enum FeedEvents<'a> {
    /// A file, read with its clock.
    File(Box<dyn EventReader + 'a>, &'a FileClock),
    /// Events given at the start (the manifest's facts; none for a file that cannot be opened).
    Given(std::vec::IntoIter<Event>),
}

/// One file's events during a replay, with the next one to merge.
struct ReplayFeed<'a> {
    events: FeedEvents<'a>,
    head: Option<Event>,
    /// The last node and file names ranked, with their ranks (a file's events share them).
    node_rank: Option<(Arc<str>, u32)>,
    file_rank: Option<(Arc<str>, u32)>,
}

impl<'a> ReplayFeed<'a> {
    fn new(events: FeedEvents<'a>) -> Self {
        ReplayFeed {
            events,
            head: None,
            node_rank: None,
            file_rank: None,
        }
    }

    /// The feed's next event, placed in time.
    fn next_event(&mut self) -> Option<Event> {
        match &mut self.events {
            FeedEvents::File(reader, clock) => {
                let mut event = reader.next_event()?;
                place(&mut event, clock);
                Some(event)
            }
            FeedEvents::Given(events) => events.next(),
        }
    }

    /// Takes the feed's next event as its head and returns its merge key (None at the end).
    fn advance(
        &mut self,
        feed: usize,
        node_names: &NameRanks,
        file_names: &NameRanks,
    ) -> Option<MergeKey> {
        let event = self.next_event()?;
        let key = MergeKey {
            time: event.time,
            node: cached_rank(&mut self.node_rank, &event.node, node_names),
            file_index: event.file_index,
            line: event.line,
            file: cached_rank(&mut self.file_rank, &event.file, file_names),
            feed,
        };
        self.head = Some(event);
        Some(key)
    }
}

/// A name's rank, looked up only when it is not the name ranked last time.
fn cached_rank(last: &mut Option<(Arc<str>, u32)>, name: &Arc<str>, names: &NameRanks) -> u32 {
    match last {
        Some((known, rank)) if Arc::ptr_eq(known, name) || known == name => *rank,
        _ => {
            let rank = names.rank(name);
            *last = Some((name.clone(), rank));
            rank
        }
    }
}

/// Events of one feed handed to the merge: their keys in the feed's order, and where each one's
/// formatted bytes end (with whether the filter accepted it: refused events have no bytes).
#[derive(Default)]
struct Batch {
    keys: Vec<MergeKey>,
    ends: Vec<(usize, bool)>,
    bytes: Vec<u8>,
}

/// A feed's batch being merged: the next event and where its bytes start.
struct PendingBatch {
    batch: Batch,
    next: usize,
    start: usize,
}

impl PendingBatch {
    /// The feed's next batch (None once its thread has handed over everything).
    fn receive(receiver: &Receiver<Batch>) -> Option<PendingBatch> {
        let batch = receiver.recv().ok()?;
        Some(PendingBatch {
            batch,
            next: 0,
            start: 0,
        })
    }
}

/// Merges the feeds' batches by key (as [`Timeline::replay`] merges events), writing the bytes
/// of the accepted events in order.
fn merge_batches(
    receivers: Vec<Receiver<Batch>>,
    write: &mut dyn FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<()> {
    let mut pending: Vec<Option<PendingBatch>> =
        receivers.iter().map(PendingBatch::receive).collect();
    let mut heap: BinaryHeap<Reverse<MergeKey>> = pending
        .iter()
        .flatten()
        .map(|batch| Reverse(batch.batch.keys[0]))
        .collect();
    while let Some(Reverse(key)) = heap.pop() {
        let feed = key.feed;
        let Some(current) = &mut pending[feed] else {
            continue;
        };
        let (end, accepted) = current.batch.ends[current.next];
        if accepted {
            write(&current.batch.bytes[current.start..end])?;
        }
        current.start = end;
        current.next += 1;
        if current.next == current.batch.keys.len() {
            pending[feed] = PendingBatch::receive(&receivers[feed]);
        }
        if let Some(current) = &pending[feed] {
            heap.push(Reverse(current.batch.keys[current.next]));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;
    use std::path::Path;

    use chrono::TimeZone;

    use super::*;
    use crate::sources::EventKind;

    /// A two-node bundle whose files hold more events than a batch, with stamps that go back in
    /// places (a file's events are not in time order), unrecognised lines and a line without a
    /// stamp.
    fn write_bundle(root: &Path) {
        let mut messages = [String::new(), String::new()];
        let mut escmanager = String::new();
        for index in 0..6000u32 {
            // Every seventh line steps back a minute.
            let second = index / 2 + if index % 7 == 0 { 0 } else { 60 };
            let (minute, second) = (second / 60 % 60, second % 60);
            let node = (index % 2) as usize;
            let line = match index % 5 {
                0 => format!(
                    "Nov 25 10:{minute:02}:{second:02} esc-{node} Keepalived_vrrp[77]: (VI_1) Entering {} STATE",
                    if index % 10 == 0 { "MASTER" } else { "BACKUP" }
                ),
                1 => format!(
                    "Nov 25 10:{minute:02}:{second:02} esc-{node} systemd[1]: Started Session {index}."
                ),
                2 => "a line with no stamp at all".to_string(),
                _ => format!(
                    "Nov 25 10:{minute:02}:{second:02} esc-{node} kernel: drbd r0: conn( Connected -> NetworkFailure ) {index}"
                ),
            };
            writeln!(messages[node], "{line}").unwrap();
            writeln!(
                escmanager,
                "2026-11-25 10:{minute:02}:{second:02},{:03} INFO  [HaManager] ha-role {index}",
                index % 1000
            )
            .unwrap();
        }
        for (node, text) in messages.iter().enumerate() {
            let directory = root.join(format!("esc-{node}/var/log/esc"));
            std::fs::create_dir_all(&directory).unwrap();
            std::fs::write(root.join(format!("esc-{node}/var/log/messages")), text).unwrap();
            std::fs::write(directory.join("escmanager.log"), &escmanager).unwrap();
        }
    }

    /// What a replay writes, and how many events, one thread or a thread per file.
    fn replayed(
        timeline: &Timeline,
        bundle: &Bundle,
        classifier: &Classifier,
        filter: &Filter,
        threaded: bool,
    ) -> (Vec<u8>, usize) {
        let format = |buffer: &mut Vec<u8>, event: &Event| {
            buffer.extend_from_slice(
                format!(
                    "{:?} {} {}:{} {}\n",
                    event.time, event.node, event.file, event.line, event.text
                )
                .as_bytes(),
            );
        };
        let mut written = Vec::new();
        let mut count = 0;
        let mut write = |bytes: &[u8]| {
            written.extend_from_slice(bytes);
            count += 1;
            Ok(())
        };
        if threaded {
            timeline.replay_threaded(bundle, classifier, filter, &format, &mut write)
        } else {
            let mut buffer = Vec::new();
            timeline.replay(bundle, classifier, filter, &mut |event| {
                buffer.clear();
                format(&mut buffer, event);
                write(&buffer)
            })
        }
        .unwrap();
        (written, count)
    }

    #[test]
    fn threads_replay_what_one_thread_replays_in_the_same_order() {
        let directory = tempfile::tempdir().unwrap();
        write_bundle(directory.path());
        let bundle = Bundle::open(&[directory.path().to_path_buf()]).unwrap();
        let classifier = Classifier::load(None);
        let timeline = Timeline::build_within(&bundle, &classifier, 0);
        let at = |minute, second| {
            Utc.with_ymd_and_hms(2026, 11, 25, 10, minute, second)
                .unwrap()
        };
        let filters = [
            Filter {
                include_unrecognised: true,
                ..Filter::default()
            },
            Filter::default(),
            Filter {
                since: Some(at(10, 0)),
                until: Some(at(40, 0)),
                include_unrecognised: true,
                ..Filter::default()
            },
            Filter {
                nodes: vec!["esc-1".to_string()],
                kinds: vec![EventKind::VrrpState],
                ..Filter::default()
            },
        ];
        for filter in &filters {
            let (one, one_count) = replayed(&timeline, &bundle, &classifier, filter, false);
            let (threads, threads_count) = replayed(&timeline, &bundle, &classifier, filter, true);
            assert!(one_count > 0, "{filter:?}");
            assert_eq!(one_count, threads_count, "{filter:?}");
            assert!(one == threads, "{filter:?}: the replays differ");
        }
        // The window keeps part of the lines, the unfiltered replay every one (3,000 lines in
        // each messages, 6,000 in each escmanager.log; the manifest-less bundle has no facts).
        let (_, all) = replayed(&timeline, &bundle, &classifier, &filters[0], true);
        let (_, window) = replayed(&timeline, &bundle, &classifier, &filters[2], true);
        assert_eq!(all, 2 * 3000 + 2 * 6000);
        assert!(window > 0 && window < all);
    }

    #[test]
    fn a_merge_that_stops_early_lets_the_threads_end() {
        let directory = tempfile::tempdir().unwrap();
        write_bundle(directory.path());
        let bundle = Bundle::open(&[directory.path().to_path_buf()]).unwrap();
        let classifier = Classifier::load(None);
        let timeline = Timeline::build_within(&bundle, &classifier, 0);
        let filter = Filter {
            include_unrecognised: true,
            ..Filter::default()
        };
        let mut written = 0;
        let result = timeline.replay_threaded(
            &bundle,
            &classifier,
            &filter,
            &|buffer, event| buffer.extend_from_slice(event.text.as_bytes()),
            &mut |_| {
                written += 1;
                if written == 10 {
                    Err(io::Error::from(io::ErrorKind::BrokenPipe))
                } else {
                    Ok(())
                }
            },
        );
        assert_eq!(result.unwrap_err().kind(), io::ErrorKind::BrokenPipe);
        assert_eq!(written, 10);
    }
}
