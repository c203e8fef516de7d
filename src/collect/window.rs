//! The time window (--since/--until, or the default bound) applied to log lines while they
//! stream: each line's stamp is read by a stamp reader handed in by the caller (the sources
//! stage's envelope parser), year-less stamps (RFC 3164 syslog) are placed in the year that puts
//! them at or before the collection, and stamps without a zone are read in the node's UTC
//! offset. Lines without a stamp go with the line before them.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};

/// A line's wall-clock stamp as written (a copy of the envelope's, so collect stays upstream).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineTime {
    pub year: Option<i32>,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// Seconds east of UTC when the stamp says.
    pub offset_s: Option<i32>,
}

/// Reads a line's stamp, if it has one.
pub type StampReader = fn(&str) -> Option<LineTime>;

/// From when to when, on the collector's clock; None is open.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Window {
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

impl Window {
    pub fn is_open(&self) -> bool {
        self.since.is_none() && self.until.is_none()
    }

    pub fn contains(&self, time: DateTime<Utc>) -> bool {
        self.since.is_none_or(|since| time >= since) && self.until.is_none_or(|until| time <= until)
    }
}

/// How a node writes its stamps.
#[derive(Debug, Clone, Copy)]
pub struct NodeClock {
    pub reader: StampReader,
    /// The node's UTC offset, for stamps without a zone.
    pub utc_offset_s: i32,
    /// When the collection runs; year-less stamps are placed at or before it.
    pub now: DateTime<Utc>,
}

impl NodeClock {
    /// The instant of a line, if it has a stamp.
    pub fn instant(&self, line: &[u8]) -> Option<DateTime<Utc>> {
        let text = std::str::from_utf8(line)
            .ok()
            .or_else(|| std::str::from_utf8(&line[..line.len().min(64)]).ok())?;
        let stamp = (self.reader)(text.trim_end())?;
        let offset = stamp.offset_s.unwrap_or(self.utc_offset_s);
        let local_now = self.now + Duration::seconds(i64::from(offset));
        let at = |year: i32| {
            NaiveDate::from_ymd_opt(year, stamp.month, stamp.day)?
                .and_hms_opt(stamp.hour, stamp.minute, stamp.second.min(59))
                .map(|naive| Utc.from_utc_datetime(&naive) - Duration::seconds(i64::from(offset)))
        };
        match stamp.year {
            Some(year) => at(year),
            None => {
                let this_year = at(local_now.year());
                match this_year {
                    Some(time) if time <= self.now + Duration::days(2) => Some(time),
                    _ => at(local_now.year() - 1),
                }
            }
        }
    }
}

/// Decides line by line what to keep.
pub struct LineCut {
    clock: NodeClock,
    window: Window,
    /// The decision of the last stamped line; lines before the first stamp are dropped when a
    /// window is set (they continue an entry cut by the start offset).
    keep: bool,
}

impl LineCut {
    pub fn new(clock: NodeClock, window: Window) -> LineCut {
        LineCut {
            clock,
            window,
            keep: window.since.is_none(),
        }
    }

    /// Whether this line belongs in the window.
    pub fn keep(&mut self, line: &[u8]) -> bool {
        if self.window.is_open() {
            return true;
        }
        if let Some(time) = self.clock.instant(line) {
            self.keep = self.window.contains(time);
        }
        self.keep
    }
}

/// The instant of the first stamped line in a block read at a byte offset (the first, partial
/// line is skipped unless the block starts the file).
pub fn first_instant(block: &[u8], at_start: bool, clock: &NodeClock) -> Option<DateTime<Utc>> {
    let mut lines = block.split(|byte| *byte == b'\n');
    if !at_start {
        lines.next();
    }
    lines.find_map(|line| clock.instant(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(line: &str) -> Option<LineTime> {
        // "Nov 25 14:20:36 ..." only, enough for these tests.
        let months = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let month = months.iter().position(|name| line.starts_with(name))? as u32 + 1;
        let day = line.get(4..6)?.trim().parse().ok()?;
        Some(LineTime {
            year: None,
            month,
            day,
            hour: line.get(7..9)?.parse().ok()?,
            minute: line.get(10..12)?.parse().ok()?,
            second: line.get(13..15)?.parse().ok()?,
            offset_s: None,
        })
    }

    fn clock(now: &str) -> NodeClock {
        NodeClock {
            reader,
            utc_offset_s: 3600,
            now: DateTime::parse_from_rfc3339(now)
                .unwrap()
                .with_timezone(&Utc),
        }
    }

    #[test]
    fn yearless_stamps_land_before_the_collection_in_the_node_zone() {
        let clock = clock("2027-01-02T00:00:00Z");
        assert_eq!(
            clock
                .instant(b"Dec 31 10:00:00 host x: y")
                .unwrap()
                .to_rfc3339(),
            "2026-12-31T09:00:00+00:00"
        );
        assert_eq!(
            clock
                .instant(b"Jan  1 10:00:00 host x: y")
                .unwrap()
                .to_rfc3339(),
            "2027-01-01T09:00:00+00:00"
        );
    }

    #[test]
    fn continuation_lines_follow_their_entry() {
        let clock = clock("2026-11-26T00:00:00Z");
        let window = Window {
            since: Some(clock.instant(b"Nov 25 10:00:00").unwrap()),
            until: Some(clock.instant(b"Nov 25 11:00:00").unwrap()),
        };
        let mut cut = LineCut::new(clock, window);
        assert!(!cut.keep(b"  continuation of something earlier"));
        assert!(!cut.keep(b"Nov 25 09:59:59 h p: before"));
        assert!(cut.keep(b"Nov 25 10:00:00 h p: first"));
        assert!(cut.keep(b"   at ..."));
        assert!(!cut.keep(b"Nov 25 11:00:01 h p: after"));
    }
}
