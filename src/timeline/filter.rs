//! Which events a view shows: a time window (RFC 3339, or relative to the newest event such as
//! `-2h`), nodes, kinds, and whether unrecognised lines are included.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};

use crate::sources::{Event, EventKind};

/// A point in time as the user wrote it.
#[derive(Debug, Clone, PartialEq)]
pub enum TimeSpec {
    At(DateTime<Utc>),
    /// Seconds before the newest event of the input (offline, so never "now").
    BeforeNewest(i64),
}

impl TimeSpec {
    /// Parses `2026-11-25T14:20:36Z`, `2026-11-25 14:20:36` (UTC), `2026-11-25`, or `-90s`,
    /// `-30m`, `-2h`, `-1d`.
    pub fn parse(text: &str) -> Result<TimeSpec, String> {
        let text = text.trim();
        if let Some(relative) = text.strip_prefix('-') {
            let (number, unit) = relative.split_at(relative.len().saturating_sub(1));
            let scale = match unit {
                "s" => 1,
                "m" => 60,
                "h" => 3600,
                "d" => 86_400,
                _ => 0,
            };
            if let (Ok(number), true) = (number.parse::<i64>(), scale > 0) {
                return Ok(TimeSpec::BeforeNewest(number * scale));
            }
            return Err(format!(
                "{text:?}: a relative time is a number and s, m, h or d, like -2h"
            ));
        }
        if let Ok(time) = DateTime::parse_from_rfc3339(text) {
            return Ok(TimeSpec::At(time.with_timezone(&Utc)));
        }
        for layout in [
            "%Y-%m-%d %H:%M:%S%.f",
            "%Y-%m-%dT%H:%M:%S%.f",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%dT%H:%M",
        ] {
            if let Ok(naive) = NaiveDateTime::parse_from_str(text, layout) {
                return Ok(TimeSpec::At(Utc.from_utc_datetime(&naive)));
            }
        }
        if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Ok(TimeSpec::At(Utc.from_utc_datetime(
                &date.and_hms_opt(0, 0, 0).unwrap_or_default(),
            )));
        }
        Err(format!(
            "{text:?}: expected RFC 3339 (2026-11-25T14:20:36Z), a UTC date and time, or a relative time like -2h"
        ))
    }

    /// The instant, given the newest instant of the input.
    pub fn resolve(&self, newest: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
        match self {
            TimeSpec::At(time) => Some(*time),
            TimeSpec::BeforeNewest(seconds) => {
                newest.map(|newest| newest - Duration::seconds(*seconds))
            }
        }
    }
}

/// What a view shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Empty: every node.
    pub nodes: Vec<String>,
    /// Empty: every kind.
    pub kinds: Vec<EventKind>,
    pub include_unrecognised: bool,
}

impl Filter {
    /// A filter on a time window given as the user wrote it, resolved against the newest instant
    /// of the input; it shows every node and kind.
    pub fn between(
        since: Option<&TimeSpec>,
        until: Option<&TimeSpec>,
        newest: Option<DateTime<Utc>>,
    ) -> Filter {
        Filter {
            since: since.and_then(|spec| spec.resolve(newest)),
            until: until.and_then(|spec| spec.resolve(newest)),
            ..Filter::default()
        }
    }

    /// Whether the view shows this event. Undated events pass a time window only when they have
    /// no time to compare.
    pub fn accepts(&self, event: &Event) -> bool {
        if event.kind == EventKind::Unrecognised
            && !self.include_unrecognised
            && !self.kinds.contains(&EventKind::Unrecognised)
        {
            return false;
        }
        if !self.nodes.is_empty()
            && !self
                .nodes
                .iter()
                .any(|node| node.as_str() == event.node.as_ref())
        {
            return false;
        }
        if !self.kinds.is_empty() && !self.kinds.contains(&event.kind) {
            return false;
        }
        if let Some(time) = event.time {
            if self.since.is_some_and(|since| time < since) {
                return false;
            }
            if self.until.is_some_and(|until| time > until) {
                return false;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_specs() {
        assert_eq!(
            TimeSpec::parse("-2h").unwrap(),
            TimeSpec::BeforeNewest(7200)
        );
        assert_eq!(
            TimeSpec::parse("-30m").unwrap(),
            TimeSpec::BeforeNewest(1800)
        );
        let at = TimeSpec::parse("2026-11-25T14:20:36+01:00").unwrap();
        assert_eq!(
            at.resolve(None).unwrap().to_rfc3339(),
            "2026-11-25T13:20:36+00:00"
        );
        let naive = TimeSpec::parse("2026-11-25 14:20:36").unwrap();
        assert_eq!(
            naive.resolve(None).unwrap().to_rfc3339(),
            "2026-11-25T14:20:36+00:00"
        );
        assert!(TimeSpec::parse("-2x").is_err());
        assert!(TimeSpec::parse("yesterday").is_err());
        let newest = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        assert_eq!(
            TimeSpec::BeforeNewest(3600)
                .resolve(Some(newest))
                .unwrap()
                .to_rfc3339(),
            "2026-11-25T11:00:00+00:00"
        );
    }
}
