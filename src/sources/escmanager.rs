//! /var/log/esc/escmanager.log and escmanager_tagged.log (ESC's Java manager): plain log4j-style
//! lines and the tagged `date=...] [loglevel=...] ... [msg=...` layout, with stack traces folded
//! into their entry. What the messages mean is in rules/classifiers/esc.toml.

use std::io;

use super::entries::EntryReader;
use super::{EventReader, ReadContext, Source, path_matches};
use crate::bundle::NodeFile;

/// The escmanager source.
pub struct Escmanager;

impl Source for Escmanager {
    fn name(&self) -> &'static str {
        "escmanager"
    }

    fn claims(&self, relative: &str) -> bool {
        path_matches(relative, &["var/log/esc"], &["escmanager"])
    }

    fn open<'a>(
        &self,
        file: &NodeFile,
        context: ReadContext<'a>,
    ) -> io::Result<Box<dyn EventReader + 'a>> {
        Ok(Box::new(EntryReader::open(self.name(), file, context)?))
    }
}
