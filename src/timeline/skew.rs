//! Clocks that disagree between nodes, told by a moment both logged: one node's priority-0 advert
//! (`sent 0 priority`, as it stops or goes to FAULT) and another node's receipt of it (`Backup
//! received priority 0 advertisement`) are one instant, give or take a second. Where the two
//! stamps are minutes apart, times across those nodes are off by that much: said in a warning
//! (no offset is applied: the stamps are what the logs say).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};

use crate::bundle::Warning;
use crate::sources::event::Event;
use crate::sources::events;

/// The receiver's stamp minus the sender's (seconds), the send's and the receipt's stamps.
type Gap = (i64, DateTime<Utc>, DateTime<Utc>);

/// A receipt this close to the send is the same moment on agreeing clocks.
const AGREEING_S: i64 = 3;
/// How far apart a send and a receipt may be and still be paired.
const PAIRING_WINDOW_S: i64 = 15 * 60;

/// Warns, per pair of nodes, where every priority-0 advert one received was logged by its sender
/// more than a few seconds earlier or later (and the sender logged one such advert in the window,
/// so the pairing is unambiguous). `events` is in time order.
pub fn warn_about_skewed_clocks(events: &[Event], warnings: &mut Vec<Warning>) {
    let timed = |name: &str| -> Vec<(&str, &str, DateTime<Utc>)> {
        events
            .iter()
            .filter(|event| event.event.as_deref() == Some(name) && !event.time_inferred)
            .filter_map(|event| Some((event.node.as_ref(), event.field("instance")?, event.time?)))
            .collect()
    };
    let sent = timed(events::PRIORITY_ZERO_SENT);
    if sent.is_empty() {
        return;
    }
    // (sender, receiver) -> each receipt's gap to its send.
    let mut gaps: BTreeMap<(&str, &str), Vec<Gap>> = BTreeMap::new();
    let mut agreeing: BTreeSet<(&str, &str)> = BTreeSet::new();
    for (receiver, instance, received) in timed(events::PRIORITY_ZERO_RECEIVED) {
        let candidates: Vec<&(&str, &str, DateTime<Utc>)> = sent
            .iter()
            .filter(|(sender, sent_instance, at)| {
                *sender != receiver
                    && *sent_instance == instance
                    && (received - *at).num_seconds().abs() <= PAIRING_WINDOW_S
            })
            .collect();
        let senders: Vec<&str> = {
            let mut names: Vec<&str> = candidates.iter().map(|(sender, _, _)| *sender).collect();
            names.sort_unstable();
            names.dedup();
            names
        };
        let [sender] = senders.as_slice() else {
            continue;
        };
        if candidates
            .iter()
            .any(|(_, _, at)| (received - *at).num_seconds().abs() <= AGREEING_S)
        {
            agreeing.insert((sender, receiver));
            continue;
        }
        if let [(_, _, at)] = candidates.as_slice() {
            gaps.entry((sender, receiver)).or_default().push((
                (received - *at).num_seconds(),
                *at,
                received,
            ));
        }
    }
    for ((sender, receiver), mut pairs) in gaps {
        if agreeing.contains(&(sender, receiver))
            || !(pairs.iter().all(|(gap, _, _)| *gap > 0)
                || pairs.iter().all(|(gap, _, _)| *gap < 0))
        {
            continue;
        }
        pairs.sort_by_key(|(gap, _, _)| *gap);
        let (gap, sent_at, received_at) = pairs[pairs.len() / 2];
        let (ahead, behind) = if gap > 0 {
            (receiver, sender)
        } else {
            (sender, receiver)
        };
        warnings.push(Warning {
            node: None,
            file: None,
            line: None,
            message: format!(
                "the clocks of {sender} and {receiver} disagree: {receiver} logged receiving {sender}'s priority-0 advert (its stop or FAULT) at {}, {} after {sender} logged sending it at {}, and the two happen within a second: {ahead}'s clock runs about {} ahead of {behind}'s, so times across the two nodes are off by that much (no offset applied; a collection measures it)",
                format_instant(received_at),
                format_gap(gap),
                format_instant(sent_at),
                format_gap(gap),
            ),
        });
    }
}

/// To the second, as the other warnings write instants.
pub(super) fn format_instant(time: DateTime<Utc>) -> String {
    super::format_time_capped(time, 0, 0)
}

/// A span of seconds for people: `45 s`, `14 min 2 s`.
pub fn format_gap(seconds: i64) -> String {
    let seconds = seconds.abs();
    if seconds < 120 {
        format!("{seconds} s")
    } else {
        let duration = Duration::seconds(seconds);
        format!(
            "{} min {} s",
            duration.num_minutes(),
            seconds - duration.num_minutes() * 60
        )
    }
}
