//! /opt/cisco/esc/keepalived_state: the role word ESC's keepalived notify script writes (MASTER,
//! BACKUP, FAULT, STOP; INIT and lower case accepted). The event is stamped with the file's
//! modification time, which is when the last transition was written.

use std::collections::BTreeMap;
use std::io;

use super::{
    EventKind, EventReader, Fact, FileStats, ListReader, ReadContext, Source, fact_event,
    path_matches,
};
use crate::bundle::lines::read_small_text;
use crate::bundle::{NodeFile, Warning};

/// The keepalived_state source.
pub struct KeepalivedState;

const NAME: &str = "keepalived_state";
const STATES: [&str; 5] = ["MASTER", "BACKUP", "FAULT", "STOP", "INIT"];

impl Source for KeepalivedState {
    fn name(&self) -> &'static str {
        NAME
    }

    fn claims(&self, relative: &str) -> bool {
        path_matches(relative, &["opt/cisco/esc"], &["keepalived_state"])
    }

    fn open<'a>(
        &self,
        file: &NodeFile,
        context: ReadContext<'a>,
    ) -> io::Result<Box<dyn EventReader + 'a>> {
        let text = read_small_text(&file.path, 4096)?;
        let mut stats = FileStats {
            lines: text.lines().count() as u64,
            ..FileStats::default()
        };
        let first = text.split_whitespace().next().unwrap_or("");
        let word = first
            .trim_matches(|c: char| !c.is_ascii_alphabetic())
            .to_ascii_uppercase();
        let mut fields = BTreeMap::new();
        let (kind, name) = if STATES.contains(&word.as_str()) {
            fields.insert("state".to_string(), word);
            fields.insert(
                "mtime_from_manifest".to_string(),
                file.mtime_from_manifest.to_string(),
            );
            stats.recognised_lines = stats.lines.max(1);
            (EventKind::VrrpState, "state-file")
        } else {
            stats.unrecognised_lines = stats.lines;
            stats.warnings.push(Warning::at(
                &context.node,
                &context.file,
                Some(1),
                if text.trim().is_empty() {
                    "is empty: no role recorded".to_string()
                } else {
                    format!("holds {first:?}, not a role word (MASTER, BACKUP, FAULT, STOP)")
                },
            ));
            (EventKind::Unrecognised, "state-file")
        };
        if file.mtime.is_none() {
            stats.warnings.push(Warning::at(
                &context.node,
                &context.file,
                None,
                "modification time unknown: the state cannot be placed in time",
            ));
        }
        let event = fact_event(
            &context,
            Fact {
                source: NAME,
                line: 1,
                time: file.mtime,
                kind,
                name,
                fields,
                text: text.trim_end().to_string(),
            },
        );
        stats.events = 1;
        Ok(Box::new(ListReader::new(vec![event], stats)))
    }
}
