//! DRBD status captures: /proc/drbd (8.x: `1: cs:Connected ro:Primary/Secondary ds:UpToDate/...`)
//! and `drbdadm status` (9.x: `esc role:Primary` / `  disk:UpToDate` / `  peer role:Secondary`).
//! Each resource or minor becomes one drbd `status` event at the time of capture.

use std::collections::BTreeMap;
use std::io;

use chrono::{DateTime, Utc};

use super::{
    EventKind, EventReader, Fact, FileStats, ListReader, ReadContext, Source, fact_event,
    path_matches,
};
use crate::bundle::lines::read_small_text;
use crate::bundle::{NodeFile, STDERR_MARKER};

/// The DRBD status source.
pub struct DrbdStatus;

const NAME: &str = "drbd_status";

impl Source for DrbdStatus {
    fn name(&self) -> &'static str {
        NAME
    }

    fn claims(&self, relative: &str) -> bool {
        relative == "proc/drbd"
            || path_matches(
                relative,
                &["commands"],
                &[
                    "proc_drbd",
                    "drbdadm_status",
                    "drbd_status",
                    "drbd-overview",
                ],
            )
    }

    fn open<'a>(
        &self,
        file: &NodeFile,
        context: ReadContext<'a>,
    ) -> io::Result<Box<dyn EventReader + 'a>> {
        let text = read_small_text(&file.path, 1 << 20)?;
        let time = context.collected_at.or(file.mtime);
        let (mut events, stats) = parse_status(&context, &text, time);
        let collector_clock = context.collected_at.is_some();
        for event in &mut events {
            event.collector_clock = collector_clock;
        }
        Ok(Box::new(ListReader::new(events, stats)))
    }
}

/// `key:value` tokens of a line.
fn pairs(line: &str) -> BTreeMap<String, String> {
    line.split_whitespace()
        .filter_map(|token| token.split_once(':'))
        .filter(|(key, value)| !key.is_empty() && !value.is_empty())
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect()
}

fn parse_status(
    context: &ReadContext,
    text: &str,
    time: Option<DateTime<Utc>>,
) -> (Vec<super::Event>, FileStats) {
    let mut stats = FileStats::default();
    let mut events = Vec::new();
    // drbdadm status: a resource line at column 0, then indented detail lines.
    let mut resource: Option<(u64, BTreeMap<String, String>, String)> = None;
    let flush = |resource: &mut Option<(u64, BTreeMap<String, String>, String)>,
                 events: &mut Vec<super::Event>| {
        if let Some((line, fields, raw)) = resource.take() {
            events.push(fact_event(
                context,
                Fact {
                    source: NAME,
                    line,
                    time,
                    kind: EventKind::Drbd,
                    name: "status",
                    fields,
                    text: raw,
                },
            ));
        }
    };
    for (index, line) in text.lines().enumerate() {
        let number = index as u64 + 1;
        if line.trim() == STDERR_MARKER {
            break;
        }
        stats.lines += 1;
        let trimmed = line.trim();
        let tokens = pairs(trimmed);
        // /proc/drbd: ` 1: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----`
        if let (Some(minor), Some(cs), Some(ro)) = (
            trimmed
                .split_once(':')
                .map(|(minor, _)| minor)
                .filter(|minor| minor.chars().all(|c| c.is_ascii_digit()) && !minor.is_empty()),
            tokens.get("cs"),
            tokens.get("ro"),
        ) {
            flush(&mut resource, &mut events);
            let mut fields = BTreeMap::new();
            fields.insert("minor".to_string(), minor.to_string());
            fields.insert("connection".to_string(), cs.clone());
            let (role, peer_role) = ro.split_once('/').unwrap_or((ro, "Unknown"));
            fields.insert("role".to_string(), role.to_string());
            fields.insert("peer_role".to_string(), peer_role.to_string());
            if let Some(ds) = tokens.get("ds") {
                let (disk, peer_disk) = ds.split_once('/').unwrap_or((ds, "DUnknown"));
                fields.insert("disk".to_string(), disk.to_string());
                fields.insert("peer_disk".to_string(), peer_disk.to_string());
            }
            stats.recognised_lines += 1;
            events.push(fact_event(
                context,
                Fact {
                    source: NAME,
                    line: number,
                    time,
                    kind: EventKind::Drbd,
                    name: "status",
                    fields,
                    text: line.to_string(),
                },
            ));
            continue;
        }
        let indented = line.starts_with(' ') || line.starts_with('\t');
        if !indented && tokens.contains_key("role") {
            flush(&mut resource, &mut events);
            let mut fields = BTreeMap::new();
            let name = trimmed.split_whitespace().next().unwrap_or("").to_string();
            fields.insert("resource".to_string(), name);
            fields.insert("role".to_string(), tokens["role"].clone());
            resource = Some((number, fields, line.to_string()));
            stats.recognised_lines += 1;
            continue;
        }
        if let Some((_, fields, raw)) = resource.as_mut()
            && indented
            && !tokens.is_empty()
        {
            raw.push('\n');
            raw.push_str(line);
            let first = trimmed.split_whitespace().next().unwrap_or("");
            if let Some(role) = tokens.get("role") {
                // `  esc-ha-1 role:Secondary`: a peer.
                fields.insert("peer".to_string(), first.to_string());
                fields.insert("peer_role".to_string(), role.clone());
            }
            for (key, value) in &tokens {
                match key.as_str() {
                    "disk" => fields.insert("disk".to_string(), value.clone()),
                    "peer-disk" => fields.insert("peer_disk".to_string(), value.clone()),
                    "connection" => fields.insert("connection".to_string(), value.clone()),
                    "replication" => fields.insert("replication".to_string(), value.clone()),
                    _ => None,
                };
            }
            stats.recognised_lines += 1;
            continue;
        }
        stats.unrecognised_lines += 1;
    }
    flush(&mut resource, &mut events);
    for event in &mut events {
        event.fields.insert_if_absent("connection", "Connected");
    }
    stats.events = events.len() as u64;
    (events, stats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::Classifier;
    use std::sync::Arc;

    fn context(classifier: &Classifier) -> ReadContext<'_> {
        ReadContext {
            node: Arc::from("esc-ha-0"),
            file: Arc::from("commands/proc_drbd.txt"),
            file_index: 0,
            classifier,
            want_unrecognised: false,
            collected_at: None,
            names: Default::default(),
            tailed_by_sos: false,
        }
    }

    #[test]
    fn proc_drbd_of_drbd_8() {
        let classifier = Classifier::default();
        let text = "version: 8.4.11 (api:1/proto:86-101)\n 1: cs:StandAlone ro:Primary/Unknown ds:UpToDate/DUnknown   r-----\n    ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:2048\n";
        let (events, stats) = parse_status(&context(&classifier), text, None);
        assert_eq!(events.len(), 1);
        let fields = &events[0].fields;
        assert_eq!(&fields["connection"], "StandAlone");
        assert_eq!(&fields["role"], "Primary");
        assert_eq!(&fields["peer_role"], "Unknown");
        assert_eq!(&fields["peer_disk"], "DUnknown");
        assert_eq!(stats.recognised_lines, 1);
    }

    #[test]
    fn drbdadm_status_of_drbd_9() {
        let classifier = Classifier::default();
        let text = "esc role:Primary\n  disk:UpToDate\n  esc-ha-1 connection:Connecting\n\n";
        let (events, _) = parse_status(&context(&classifier), text, None);
        assert_eq!(events.len(), 1);
        let fields = &events[0].fields;
        assert_eq!(&fields["resource"], "esc");
        assert_eq!(&fields["role"], "Primary");
        assert_eq!(&fields["disk"], "UpToDate");
        assert_eq!(&fields["connection"], "Connecting");
        let connected = "esc role:Secondary\n  disk:UpToDate\n  esc-ha-0 role:Primary\n    peer-disk:UpToDate\n";
        let (events, _) = parse_status(&context(&classifier), connected, None);
        assert_eq!(&events[0].fields["peer_role"], "Primary");
        assert_eq!(&events[0].fields["peer"], "esc-ha-0");
        assert_eq!(&events[0].fields["connection"], "Connected");
    }
}
