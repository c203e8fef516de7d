//! Events about the collection itself, from the manifest: when each node's files were gathered,
//! and what the collector could not gather (a peer that was down, a file sudo would not give).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Event, EventKind, Fact, ReadContext, fact_event};
use crate::bundle::Node;

/// The file name collection events point at.
pub const MANIFEST_FILE: &str = "manifest.json";

/// A `collected` event at the collection time and one `not-collected` event per manifest error.
pub fn collection_events(node: &Node, context: &ReadContext) -> Vec<Event> {
    let mut events = Vec::new();
    let Some(manifest) = &node.manifest else {
        return events;
    };
    let context = ReadContext {
        file: Arc::from(MANIFEST_FILE),
        ..context.clone()
    };
    if let Some(time) = node.collected_at {
        let mut fields = BTreeMap::new();
        if let Some(offset) = manifest.clock_offset_s {
            fields.insert("clock_offset_s".to_string(), offset.to_string());
        }
        events.push(fact_event(
            &context,
            Fact {
                source: "manifest",
                line: 0,
                time: Some(time),
                kind: EventKind::Collection,
                name: "collected",
                fields,
                text: format!(
                    "bundle collected ({} files, {} commands)",
                    manifest.files.len(),
                    manifest.commands.len()
                ),
            },
        ));
    }
    for error in &manifest.errors {
        let mut fields = BTreeMap::new();
        fields.insert("what".to_string(), error.what.clone());
        fields.insert("why".to_string(), error.why.clone());
        events.push(fact_event(
            &context,
            Fact {
                source: "manifest",
                line: 0,
                time: node.collected_at,
                kind: EventKind::Collection,
                name: "not-collected",
                fields,
                text: format!("not collected: {}: {}", error.what, error.why),
            },
        ));
    }
    for event in &mut events {
        event.collector_clock = true;
    }
    events
}
