//! /var/log/esc/escadm.log (ESC 3.x and later) and esc_haagent.log (ESC 2.x): the HA agent's
//! record of starting and stopping esc_service, promotions and role changes. Python-logging style
//! lines, several layouts accepted; tracebacks folded into their entry.

use std::io;

use super::entries::EntryReader;
use super::{EventReader, ReadContext, Source, path_matches};
use crate::bundle::NodeFile;

/// The escadm source.
pub struct Escadm;

impl Source for Escadm {
    fn name(&self) -> &'static str {
        "escadm"
    }

    fn claims(&self, relative: &str) -> bool {
        path_matches(relative, &["var/log/esc"], &["escadm", "esc_haagent"])
    }

    fn open<'a>(
        &self,
        file: &NodeFile,
        context: ReadContext<'a>,
    ) -> io::Result<Box<dyn EventReader + 'a>> {
        Ok(Box::new(EntryReader::open(self.name(), file, context)?))
    }
}
