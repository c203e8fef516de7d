//! Putting every stamp on one clock: the node's time zone for stamps without one, the year for
//! stamps without one (from the file's rotation date, the manifest, other dated logs or the file's
//! modification time, turning December→January inside a file), and the node's measured clock
//! offset (node clock minus collector clock) with its uncertainty.

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc,
};
use chrono_tz::Tz;

use crate::sources::envelope::Stamp;

/// A node's time zone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Zone {
    Utc,
    Fixed(FixedOffset),
    Named(Tz),
}

/// The sign (1 or -1), hours and minutes of an offset written `+01:00`, `-0530` or `+07`; None
/// where `text` is no such offset.
pub fn offset_parts(text: &str) -> Option<(i32, i32, i32)> {
    let sign = match text.chars().next()? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let digits: String = text[1..].chars().filter(|c| c.is_ascii_digit()).collect();
    match digits.len() {
        1 | 2 => Some((sign, digits.parse().ok()?, 0)),
        4 => Some((sign, digits[..2].parse().ok()?, digits[2..].parse().ok()?)),
        _ => None,
    }
}

impl Zone {
    /// Parses an IANA name (Europe/Paris), `UTC`/`Z`, or a fixed offset (+01:00, -0530).
    pub fn parse(text: &str) -> Result<Zone, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("utc") || text == "Z" || text.eq_ignore_ascii_case("gmt") {
            return Ok(Zone::Utc);
        }
        if text.starts_with(['+', '-']) {
            if let Some((sign, hours, minutes)) = offset_parts(text)
                && let Some(offset) = FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
            {
                return Ok(Zone::Fixed(offset));
            }
            return Err(format!("{text:?} is not an offset like +01:00"));
        }
        text.parse::<Tz>()
            .map(Zone::Named)
            .map_err(|_| format!("{text:?} is not an IANA time zone name or an offset like +01:00"))
    }

    /// The UTC instant of a local wall-clock time (the earlier one when a DST change repeats it,
    /// the instant after the gap when it skips it).
    pub fn to_utc(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        fn pick<Z: TimeZone>(zone: &Z, local: NaiveDateTime) -> Option<DateTime<Utc>> {
            match zone.from_local_datetime(&local) {
                LocalResult::Single(time) => Some(time.with_timezone(&Utc)),
                LocalResult::Ambiguous(earlier, _) => Some(earlier.with_timezone(&Utc)),
                LocalResult::None => zone
                    .from_local_datetime(&(local + Duration::hours(1)))
                    .earliest()
                    .map(|time| time.with_timezone(&Utc)),
            }
        }
        match self {
            Zone::Utc => Some(Utc.from_utc_datetime(&local)),
            Zone::Fixed(offset) => pick(offset, local),
            Zone::Named(zone) => pick(zone, local),
        }
    }

    /// The local calendar date of an instant.
    pub fn local_date(&self, time: DateTime<Utc>) -> NaiveDate {
        match self {
            Zone::Utc => time.date_naive(),
            Zone::Fixed(offset) => time.with_timezone(offset).date_naive(),
            Zone::Named(zone) => time.with_timezone(zone).date_naive(),
        }
    }
}

/// The first and last years a stamp may carry (a line dated outside them stays undated).
pub const FIRST_YEAR: i32 = 1970;
pub const LAST_YEAR: i32 = 2100;

/// How one file's stamps become instants.
#[derive(Debug, Clone)]
pub struct FileClock {
    pub zone: Zone,
    /// The year of the file's last year-less stamp.
    pub year_at_end: Option<i32>,
    /// December→January turns in the whole file.
    pub year_turns: u32,
    /// Node clock minus collector clock, in seconds (0 when unknown).
    pub offset_s: f64,
    pub uncertainty_s: Option<f64>,
    /// Lines written ahead of a clock that was then set back, placed on the clock that followed.
    pub stepped_back: Vec<super::clock_steps::SteppedBack>,
}

impl FileClock {
    /// [`FileClock::instant`] of a file's or host's first or last stamp (with the year turns
    /// before it), on the node's own clock.
    pub fn point_instant(&self, point: Option<(Stamp, u32)>) -> Option<DateTime<Utc>> {
        point.and_then(|(stamp, turns)| self.instant(&stamp, turns, false))
    }

    /// The instant of a stamp; `turns` is how many year turns came before it in the file.
    pub fn instant(
        &self,
        stamp: &Stamp,
        turns: u32,
        collector_clock: bool,
    ) -> Option<DateTime<Utc>> {
        let year = match stamp.year {
            Some(year) => year,
            None => self.year_at_end? - (self.year_turns.saturating_sub(turns)) as i32,
        };
        // A stamp outside the years logs of an ESC pair can carry is damaged: the line is kept,
        // undated, rather than placed thousands of years away.
        if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
            return None;
        }
        let date = NaiveDate::from_ymd_opt(year, stamp.month, stamp.day)?;
        let local =
            date.and_hms_nano_opt(stamp.hour, stamp.minute, stamp.second.min(59), stamp.nanos)?;
        let utc = match stamp.offset_s {
            Some(offset) => Utc.from_utc_datetime(
                &local.checked_sub_signed(Duration::seconds(i64::from(offset)))?,
            ),
            None => self.zone.to_utc(local)?,
        };
        if collector_clock || self.offset_s == 0.0 {
            return Some(utc);
        }
        // The correction is no finer than the stamp: a whole-second stamp stays on whole seconds
        // (its own truncation is already up to a second), so lines of the same second on two nodes
        // are not reordered by a fraction the logs never had.
        let scale = 10f64.powi(i32::from(stamp.fraction_digits.min(6)));
        let offset = (self.offset_s * scale).round() / scale;
        utc.checked_sub_signed(offset_duration(offset))
    }
}

/// A clock offset in seconds as a duration, to the microsecond.
pub fn offset_duration(seconds: f64) -> Duration {
    Duration::microseconds((seconds * 1_000_000.0).round() as i64)
}

/// The date a logrotate `dateext` name carries (messages-20261124, messages-20261124.gz).
pub fn rotation_date(relative: &str) -> Option<NaiveDate> {
    let name = relative.rsplit('/').next().unwrap_or(relative);
    let name = name.strip_suffix(".gz").unwrap_or(name);
    let (_, suffix) = name.rsplit_once('-')?;
    if suffix.len() != 8 || !suffix.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(suffix, "%Y%m%d").ok()
}

/// The year of a file's last year-less stamp (month, day), given a date known to be at or after
/// it: the anchor's year, or the year before when that month and day are later than the anchor
/// (a day of slack for clocks and zones).
pub fn year_at_end(month: u32, day: u32, anchor: NaiveDate) -> i32 {
    let later_in_year = (month, day) > (anchor.month(), anchor.day())
        && NaiveDate::from_ymd_opt(anchor.year(), month, day)
            .is_none_or(|date| date > anchor + Duration::days(1));
    if later_in_year {
        anchor.year() - 1
    } else {
        anchor.year()
    }
}

/// Sort key that puts rotations oldest first: `-YYYYMMDD` by date, then `.N` from the highest N,
/// then the live file.
pub fn rotation_key(relative: &str) -> (String, u8, i64) {
    let (directory, name) = relative.rsplit_once('/').unwrap_or(("", relative));
    let name = name.strip_suffix(".gz").unwrap_or(name);
    if let Some(date) = rotation_date(name) {
        let base = &name[..name.len() - 9];
        let days = date.num_days_from_ce() as i64;
        return (format!("{directory}/{base}"), 0, days);
    }
    if let Some((base, number)) = name.rsplit_once('.')
        && !number.is_empty()
        && number.bytes().all(|byte| byte.is_ascii_digit())
        && let Ok(number) = number.parse::<i64>()
    {
        return (format!("{directory}/{base}"), 1, -number);
    }
    (format!("{directory}/{name}"), 2, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(year: Option<i32>, month: u32, day: u32) -> Stamp {
        Stamp {
            year,
            month,
            day,
            hour: 23,
            minute: 59,
            second: 59,
            nanos: 0,
            fraction_digits: 0,
            offset_s: None,
        }
    }

    #[test]
    fn zones_parse() {
        assert_eq!(Zone::parse("UTC").unwrap(), Zone::Utc);
        assert_eq!(
            Zone::parse("+01:00").unwrap(),
            Zone::Fixed(FixedOffset::east_opt(3600).unwrap())
        );
        assert_eq!(
            Zone::parse("-0530").unwrap(),
            Zone::Fixed(FixedOffset::east_opt(-19800).unwrap())
        );
        assert!(matches!(
            Zone::parse("Europe/Paris").unwrap(),
            Zone::Named(_)
        ));
        assert!(Zone::parse("Mars/Olympus").is_err());
    }

    #[test]
    fn a_year_rollover_inside_a_file() {
        // A file that runs from Dec 31 into Jan 1, anchored on Jan 2 2027.
        let anchor = NaiveDate::from_ymd_opt(2027, 1, 2).unwrap();
        let clock = FileClock {
            zone: Zone::Utc,
            year_at_end: Some(year_at_end(1, 1, anchor)),
            year_turns: 1,
            offset_s: 0.0,
            uncertainty_s: None,
            stepped_back: Vec::new(),
        };
        let december = clock.instant(&stamp(None, 12, 31), 0, false).unwrap();
        let january = clock.instant(&stamp(None, 1, 1), 1, false).unwrap();
        assert_eq!(december.to_rfc3339(), "2026-12-31T23:59:59+00:00");
        assert_eq!(january.to_rfc3339(), "2027-01-01T23:59:59+00:00");
    }

    #[test]
    fn stamps_outside_the_years_of_real_logs_stay_undated_and_offsets_never_overflow() {
        let clock = FileClock {
            zone: Zone::Utc,
            year_at_end: None,
            year_turns: 0,
            offset_s: 1e15,
            uncertainty_s: None,
            stepped_back: Vec::new(),
        };
        assert!(
            clock
                .instant(&stamp(Some(10_000), 1, 1), 0, false)
                .is_none()
        );
        assert!(
            clock
                .instant(&stamp(Some(-97_974), 1, 1), 0, false)
                .is_none()
        );
        assert!(
            clock
                .instant(&stamp(Some(1969), 12, 31), 0, false)
                .is_none()
        );
        // A huge offset gives no instant rather than a panic.
        assert!(clock.instant(&stamp(Some(2026), 1, 1), 0, false).is_none());
    }

    #[test]
    fn the_anchor_year_steps_back_for_later_months() {
        let anchor = NaiveDate::from_ymd_opt(2027, 1, 5).unwrap();
        assert_eq!(year_at_end(12, 30, anchor), 2026);
        assert_eq!(year_at_end(1, 5, anchor), 2027);
        assert_eq!(year_at_end(1, 6, anchor), 2027, "a day of slack");
    }

    #[test]
    fn the_clock_offset_is_subtracted_and_zones_applied() {
        let clock = FileClock {
            zone: Zone::parse("+02:00").unwrap(),
            year_at_end: None,
            year_turns: 0,
            offset_s: 5.25,
            uncertainty_s: Some(0.01),
            stepped_back: Vec::new(),
        };
        let precise = Stamp {
            fraction_digits: 3,
            ..stamp(Some(2026), 11, 25)
        };
        let time = clock.instant(&precise, 0, false).unwrap();
        assert_eq!(time.to_rfc3339(), "2026-11-25T21:59:53.750+00:00");
        let collector = clock.instant(&precise, 0, true).unwrap();
        assert_eq!(collector.to_rfc3339(), "2026-11-25T21:59:59+00:00");
        // A whole-second stamp is corrected by whole seconds.
        let whole = clock.instant(&stamp(Some(2026), 11, 25), 0, false).unwrap();
        assert_eq!(whole.to_rfc3339(), "2026-11-25T21:59:54+00:00");
    }

    #[test]
    fn rotations_sort_oldest_first() {
        let mut names = vec![
            "var/log/messages",
            "var/log/messages.1",
            "var/log/messages-20261124.gz",
            "var/log/messages.2.gz",
            "var/log/messages-20261117",
        ];
        names.sort_by_key(|name| rotation_key(name));
        assert_eq!(
            names,
            vec![
                "var/log/messages-20261117",
                "var/log/messages-20261124.gz",
                "var/log/messages.2.gz",
                "var/log/messages.1",
                "var/log/messages",
            ]
        );
    }
}
