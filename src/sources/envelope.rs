//! Line envelopes: the time stamp, host, program, pid and level around a log message, in every
//! layout esc-diag meets (RFC 3164/3339/5424 syslog, journalctl short/-iso/-precise and its
//! `-- ... --` lines, keepalived's console and --log-file formats, dmesg, Java and Python
//! application logs, ESC's tagged log). It finds where the message starts; it does not read it.

/// A wall-clock stamp as written, before year, zone and clock offset are settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp {
    /// None for layouts without a year (RFC 3164, journal short).
    pub year: Option<i32>,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub nanos: u32,
    /// How many fraction digits the source wrote (0 to 9).
    pub fraction_digits: u8,
    /// Seconds east of UTC, when the stamp says (Z, +01:00, +0100).
    pub offset_s: Option<i32>,
}

/// Which layout a line was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvelopeFormat {
    /// `Nov 25 14:20:36 host prog[pid]: msg` (also journalctl short and short-precise).
    Rfc3164,
    /// `2026-11-25T14:20:36.123456+00:00 host prog[pid]: msg` (also journalctl short-iso).
    Rfc3339,
    /// `<PRI>1 2026-11-25T14:20:36Z host app procid msgid [sd] msg`.
    Rfc5424,
    /// keepalived's console (`Wed Nov 25 14:20:36 2026: msg`) or --log-file (nanoseconds) layout.
    KeepalivedConsole,
    /// A Java or Python log line (`2026-11-25 14:20:36,117 INFO [logger] msg`).
    Application,
    /// ESC's tagged log (`date=15:43:58,46022-Nov-2016] [loglevel=INFO ] ... [msg=...`).
    Tagged,
    /// dmesg (`[ 1142.904077] msg`, no wall clock) or dmesg -T.
    Dmesg,
    /// journalctl's own lines (`-- Reboot --`, `-- Logs begin at ... --`, `-- Subject: ...`).
    JournalMarker,
    /// No recognised time stamp: a continuation line or a foreign layout.
    Bare,
}

/// What surrounds the message of one line.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope<'a> {
    pub format: EnvelopeFormat,
    pub stamp: Option<Stamp>,
    pub host: Option<&'a str>,
    pub program: Option<&'a str>,
    pub pid: Option<u32>,
    pub level: Option<&'a str>,
    /// Logger or classification (a Java logger name, the tagged log's `cl`).
    pub logger: Option<&'a str>,
    /// Further key/value pairs the envelope carried (tagged log: tid, tags).
    pub extra: Vec<(&'a str, &'a str)>,
    pub message: &'a str,
    /// The stamp's month was cut at its start (`un 25 23:29:04`) and read from the letters
    /// left, which end one month only.
    pub month_cut: bool,
}

/// A time of day as [`clock`] reads it: hours, minutes, seconds, nanoseconds, fraction digits.
pub type Clock = (u32, u32, u32, u32, u8);

impl<'a> Envelope<'a> {
    /// Whether the envelope is a log line's, found after a decoration of a paste (indentation,
    /// a line number): a stamped line, a kernel ring buffer's line, keepalived's log-file line
    /// whose stamp lacks its day, or a line pasted without its stamp whose program the
    /// classifiers read (`host Keepalived_vrrp[7]: ...`).
    fn is_log_line(&self) -> bool {
        self.stamp.is_some()
            || matches!(
                self.format,
                EnvelopeFormat::Dmesg | EnvelopeFormat::KeepalivedConsole
            )
            || self.names_a_read_program()
    }

    /// Whether the line names a program the classifiers read (`Keepalived_vrrp`, `kernel`).
    pub fn names_a_read_program(&self) -> bool {
        self.program.is_some_and(is_classified_program)
    }

    fn bare(format: EnvelopeFormat, message: &'a str) -> Envelope<'a> {
        Envelope {
            format,
            stamp: None,
            host: None,
            program: None,
            pid: None,
            level: None,
            logger: None,
            extra: Vec::new(),
            message,
            month_cut: false,
        }
    }
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const LEVELS: [&str; 10] = [
    "TRACE", "DEBUG", "INFO", "NOTICE", "WARN", "WARNING", "ERROR", "CRITICAL", "FATAL", "SEVERE",
];

fn month_number(name: &str) -> Option<u32> {
    if name.len() != 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|month| month.eq_ignore_ascii_case(name))
        .map(|index| index as u32 + 1)
}

/// Month abbreviations that journalctl and syslog write under other locales (`LANG=fr_FR`:
/// `déc.`; `ru_RU`: `окт`; `de_DE`: `Okt`, `Dez`; `es`, `it`, `pt`), lower case, without the dot.
const LOCALE_MONTHS: [(&str, u32); 39] = [
    ("janv", 1),
    ("févr", 2),
    ("mars", 3),
    ("avr", 4),
    ("mai", 5),
    ("juin", 6),
    ("juil", 7),
    ("août", 8),
    ("sept", 9),
    ("oct", 10),
    ("déc", 12),
    ("mär", 3),
    ("okt", 10),
    ("dez", 12),
    ("ene", 1),
    ("abr", 4),
    ("ago", 8),
    ("dic", 12),
    ("gen", 1),
    ("mag", 5),
    ("giu", 6),
    ("lug", 7),
    ("set", 9),
    ("ott", 10),
    ("fev", 2),
    ("out", 10),
    ("янв", 1),
    ("фев", 2),
    ("мар", 3),
    ("апр", 4),
    ("май", 5),
    ("мая", 5),
    ("июн", 6),
    ("июл", 7),
    ("авг", 8),
    ("сен", 9),
    ("окт", 10),
    ("ноя", 11),
    ("дек", 12),
];

/// The month suffixes of the Chinese, Japanese (`8月`) and Korean (`8월`) locales, where the
/// abbreviated month is its number.
const NUMBERED_MONTH_SUFFIXES: [char; 2] = ['月', '월'];

/// A month name at the cursor: English `Mmm`, a localized abbreviation with an optional dot, or a
/// number with its CJK suffix.
fn month_word(cursor: &mut Cursor) -> Option<u32> {
    let start = cursor.position;
    if let Some(word) = cursor.alphabetic(3)
        && let Some(month) = month_number(word)
        && !cursor.peek().is_some_and(|byte| byte.is_ascii_alphabetic())
    {
        return Some(month);
    }
    cursor.position = start;
    if cursor.peek().is_some_and(|byte| byte.is_ascii_digit()) {
        let (month, _) = cursor.some_digits(2)?;
        let suffix = cursor
            .rest()
            .chars()
            .next()
            .filter(|c| NUMBERED_MONTH_SUFFIXES.contains(c))?;
        if !(1..=12).contains(&month) {
            return None;
        }
        cursor.position += suffix.len_utf8();
        return Some(month);
    }
    let letters = cursor.letters_ahead(6);
    if letters.is_empty() {
        return None;
    }
    let length = letters.len();
    let word = letters.to_lowercase();
    let month = LOCALE_MONTHS
        .iter()
        .find(|(name, _)| *name == word)
        .map(|(_, month)| *month)?;
    cursor.position += length;
    cursor.eat(b'.');
    Some(month)
}

/// Weekday abbreviations of other locales (`fr`: `mer.`, `de`: `Mi`, `es`, `it`, `pt`, `ru`:
/// `Ср`, `zh`: `三` or `周三`, `ja`: `水`, `ko`: `수`), lower case, without the dot.
const LOCALE_WEEKDAYS: [&str; 67] = [
    "lun", "mer", "jeu", "ven", "sam", "dim", "mo", "di", "mi", "do", "fr", "sa", "so", "mié",
    "jue", "vie", "sáb", "dom", "gio", "sab", "seg", "ter", "qua", "qui", "sex", "mar", "пн", "вт",
    "ср", "чт", "пт", "сб", "вс", "日", "一", "二", "三", "四", "五", "六", "天", "周日", "周一",
    "周二", "周三", "周四", "周五", "周六", "週日", "週一", "週二", "週三", "週四", "週五", "週六",
    "月", "火", "水", "木", "金", "土", "일", "월", "화", "수", "목", "금",
];

/// A weekday name at the cursor: English `Www`, or a localized abbreviation with an optional dot.
fn weekday_word(cursor: &mut Cursor) -> bool {
    let word = cursor.letters_ahead(5);
    let length = word.len();
    let known = if word.is_ascii() {
        // Every ASCII name is two or three letters.
        (2..=3).contains(&length) && ASCII_WEEKDAY_KEYS.contains(&ascii_key(word.as_bytes()))
    } else {
        (1..=4).contains(&word.chars().count())
            && LOCALE_WEEKDAYS.contains(&word.to_lowercase().as_str())
    };
    if known {
        cursor.position += length;
        cursor.eat(b'.');
    }
    known
}

/// The keys of every ASCII weekday name, English and localized ([`ascii_key`]); names that are
/// not ASCII get a key no word has.
const ASCII_WEEKDAY_KEYS: [u32; WEEKDAYS.len() + LOCALE_WEEKDAYS.len()] = {
    let mut keys = [u32::MAX; WEEKDAYS.len() + LOCALE_WEEKDAYS.len()];
    let mut index = 0;
    while index < keys.len() {
        let name = if index < WEEKDAYS.len() {
            WEEKDAYS[index]
        } else {
            LOCALE_WEEKDAYS[index - WEEKDAYS.len()]
        };
        if name.is_ascii() {
            keys[index] = ascii_key(name.as_bytes());
        }
        index += 1;
    }
    keys
};

/// A short ASCII word (at most three bytes) in lower case and its length, packed into one number
/// (compared without allocating: each syslog line's month comes to [`weekday_word`] first).
const fn ascii_key(bytes: &[u8]) -> u32 {
    let mut key = bytes.len() as u32;
    let mut index = 0;
    while index < bytes.len() && index < 3 {
        key = key << 8 | bytes[index].to_ascii_lowercase() as u32;
        index += 1;
    }
    key
}

/// The level word, when `word` is one (case-insensitive), in upper case as written.
pub fn level_word(word: &str) -> Option<&str> {
    LEVELS
        .iter()
        .any(|level| level.eq_ignore_ascii_case(word))
        .then_some(word)
}

/// A cursor over the bytes of a line.
struct Cursor<'a> {
    text: &'a str,
    position: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Cursor<'a> {
        Cursor { text, position: 0 }
    }
    fn rest(&self) -> &'a str {
        &self.text[self.position..]
    }
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.position).copied()
    }
    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.position += 1;
            true
        } else {
            false
        }
    }
    fn skip_spaces(&mut self) -> usize {
        let start = self.position;
        while self.peek() == Some(b' ') {
            self.position += 1;
        }
        self.position - start
    }
    /// Exactly `count` ASCII digits as a number.
    fn digits(&mut self, count: usize) -> Option<u32> {
        let bytes = self.text.as_bytes();
        let end = self.position + count;
        if end > bytes.len() || !bytes[self.position..end].iter().all(u8::is_ascii_digit) {
            return None;
        }
        let value = bytes[self.position..end]
            .iter()
            .fold(0u32, |total, digit| total * 10 + u32::from(digit - b'0'));
        self.position = end;
        Some(value)
    }
    /// Three numbers of fixed widths with a separator between them (`HH:MM:SS`, `YYYY-MM-DD`),
    /// read at their fixed places (every stamp of every line passes here). The cursor moves only
    /// when all three are there. Inlined, so that the widths are constants where it is called.
    #[inline(always)]
    fn triple(&mut self, separator: u8, widths: [usize; 3]) -> Option<[u32; 3]> {
        let length = widths.iter().sum::<usize>() + 2;
        let bytes = self
            .text
            .as_bytes()
            .get(self.position..self.position + length)?;
        let mut numbers = [0u32; 3];
        let mut at = 0;
        for (index, width) in widths.into_iter().enumerate() {
            if index > 0 {
                if bytes[at] != separator {
                    return None;
                }
                at += 1;
            }
            for &byte in &bytes[at..at + width] {
                if !byte.is_ascii_digit() {
                    return None;
                }
                numbers[index] = numbers[index] * 10 + u32::from(byte - b'0');
            }
            at += width;
        }
        self.position += length;
        Some(numbers)
    }

    /// One to `max` ASCII digits, with how many there were.
    fn some_digits(&mut self, max: usize) -> Option<(u32, usize)> {
        let bytes = self.text.as_bytes();
        let start = self.position;
        let mut value: u64 = 0;
        while self.position < bytes.len()
            && self.position - start < max
            && bytes[self.position].is_ascii_digit()
        {
            value = value * 10 + u64::from(bytes[self.position] - b'0');
            self.position += 1;
        }
        let count = self.position - start;
        (count > 0).then_some((value as u32, count))
    }
    /// The next run of bytes up to a space (or the end).
    fn word(&mut self) -> &'a str {
        let start = self.position;
        let rest = self.rest();
        let length = rest.find(' ').unwrap_or(rest.len());
        self.position += length;
        &self.text[start..start + length]
    }
    /// The run of up to `max` letters (of any script) at the cursor, which stays where it is.
    fn letters_ahead(&self, max: usize) -> &'a str {
        let rest = self.rest();
        let length: usize = rest
            .chars()
            .take_while(|c| c.is_alphabetic())
            .take(max)
            .map(char::len_utf8)
            .sum();
        &rest[..length]
    }
    fn alphabetic(&mut self, count: usize) -> Option<&'a str> {
        let bytes = self.text.as_bytes();
        let end = self.position + count;
        if end > bytes.len()
            || !bytes[self.position..end]
                .iter()
                .all(u8::is_ascii_alphabetic)
        {
            return None;
        }
        let word = &self.text[self.position..end];
        self.position = end;
        Some(word)
    }
}

/// `HH:MM:SS` then an optional `.fff` or `,fff` fraction.
fn clock(cursor: &mut Cursor, comma_fraction: bool) -> Option<Clock> {
    let [hour, minute, second] = cursor.triple(b':', [2, 2, 2])?;
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut nanos = 0;
    let mut digits = 0u8;
    let save = cursor.position;
    if cursor.eat(b'.') || (comma_fraction && cursor.eat(b',')) {
        match cursor.some_digits(9) {
            Some((value, count)) => {
                nanos = value * 10u32.pow(9 - count as u32);
                digits = count as u8;
                // Skip digits beyond nanoseconds.
                while cursor.peek().is_some_and(|byte| byte.is_ascii_digit()) {
                    cursor.position += 1;
                }
            }
            None => cursor.position = save,
        }
    }
    Some((hour, minute, second, nanos, digits))
}

/// `Z`, `+HH:MM`, `+HHMM` or `+HH` right after the clock.
fn zone(cursor: &mut Cursor) -> Option<i32> {
    if cursor.eat(b'Z') || cursor.eat(b'z') {
        return Some(0);
    }
    let sign = match cursor.peek() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return None,
    };
    let save = cursor.position;
    cursor.position += 1;
    let Some(hours) = cursor.digits(2) else {
        cursor.position = save;
        return None;
    };
    cursor.eat(b':');
    let minutes = cursor.digits(2).unwrap_or(0);
    if hours > 14 || minutes > 59 {
        cursor.position = save;
        return None;
    }
    Some(sign * (hours as i32 * 3600 + minutes as i32 * 60))
}

/// `YYYY-MM-DD[T ]HH:MM:SS[.,frac][zone]`, or the date written `YYYY/MM/DD` (Go's log
/// package, the stamp of many wrappers and supervisors).
fn iso_stamp(cursor: &mut Cursor) -> Option<(Stamp, bool)> {
    let start = cursor.position;
    let [year, month, day] = match cursor.triple(b'-', [4, 2, 2]) {
        Some(date) => date,
        None => {
            cursor.position = start;
            cursor.triple(b'/', [4, 2, 2])?
        }
    };
    let with_t = match cursor.peek() {
        Some(b'T') => true,
        Some(b' ') => false,
        _ => return None,
    };
    cursor.position += 1;
    let (hour, minute, second, nanos, fraction_digits) = clock(cursor, true)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let offset_s = zone(cursor);
    Some((
        Stamp {
            year: Some(year as i32),
            month,
            day,
            hour,
            minute,
            second,
            nanos,
            fraction_digits,
            offset_s,
        },
        with_t,
    ))
}

/// `Mmm dd HH:MM:SS[.frac]` with a space- or zero-padded day (no year).
fn month_day_stamp(cursor: &mut Cursor) -> Option<Stamp> {
    let month = month_word(cursor)?;
    day_and_clock(cursor, month)
}

/// The English month whose abbreviation ends in these two letters, when one does (each pair of
/// last letters belongs to one month only): a stamp whose first letter a paste cut off.
fn cut_month(cursor: &mut Cursor) -> Option<u32> {
    let start = cursor.position;
    let Some(letters) = cut_letters(cursor) else {
        cursor.position = start;
        return None;
    };
    let lower = letters.to_ascii_lowercase();
    let mut months = MONTHS
        .iter()
        .enumerate()
        .filter(|(_, month)| month.ends_with(lower.as_str()));
    match (months.next(), months.next()) {
        (Some((index, _)), None) => Some(index as u32 + 1),
        _ => {
            cursor.position = start;
            None
        }
    }
}

/// The one or two letters a paste left of a month, followed by a space.
fn cut_letters<'a>(cursor: &mut Cursor<'a>) -> Option<&'a str> {
    let letters = cursor.alphabetic(2).or_else(|| cursor.alphabetic(1))?;
    (cursor.peek() == Some(b' ')).then_some(letters)
}

/// A stamp whose month a paste cut to letters more than one month ends in (`n 25 23:29:04`:
/// Jan or Jun): its time of day, when a syslog header follows.
fn cut_stamp_clock(trimmed: &str) -> Option<(Clock, Cursor<'_>)> {
    let mut cursor = Cursor::new(trimmed);
    let letters = cut_letters(&mut cursor)?.to_ascii_lowercase();
    if !MONTHS.iter().any(|month| month.ends_with(letters.as_str())) {
        return None;
    }
    let stamp = day_and_clock(&mut cursor, 1)?;
    looks_like_syslog_header(cursor.rest()).then_some((
        (
            stamp.hour,
            stamp.minute,
            stamp.second,
            stamp.nanos,
            stamp.fraction_digits,
        ),
        cursor,
    ))
}

/// What follows the month of a syslog stamp: ` dd HH:MM:SS[.frac]`.
fn day_and_clock(cursor: &mut Cursor, month: u32) -> Option<Stamp> {
    if cursor.skip_spaces() == 0 {
        return None;
    }
    let (day, _) = cursor.some_digits(2)?;
    if !(1..=31).contains(&day) {
        return None;
    }
    // A year after the day (`Mar  5 2026 10:00:00`, Kibana's `Mar 5, 2026 @ 10:00:00.000`).
    let mut year = None;
    let before_year = cursor.position;
    cursor.eat(b',');
    if cursor.skip_spaces() == 1
        && let Some(digits) = cursor.digits(4)
        && cursor.peek() == Some(b' ')
    {
        year = Some(digits as i32);
        cursor.skip_spaces();
        if cursor.eat(b'@') && cursor.skip_spaces() == 0 {
            return None;
        }
        cursor.position -= 1;
    } else {
        cursor.position = before_year;
    }
    if cursor.skip_spaces() != 1 {
        return None;
    }
    let (hour, minute, second, nanos, fraction_digits) = clock(cursor, false)?;
    // (With a year, only before a syslog header: java.util.logging's `Mar 05, 2026 10:15:30 PM
    // org.apache...` is an application's line, its clock of twelve hours.)
    if year.is_some() && !looks_like_syslog_header(cursor.rest().trim_start()) {
        return None;
    }
    Some(Stamp {
        year,
        month,
        day,
        hour,
        minute,
        second,
        nanos,
        fraction_digits,
        offset_s: None,
    })
}

/// keepalived 2.1.4 to 2.2.1's --log-file stamp, which lacks the day of the month (`Sun Dec
/// 20:00:20.178335633 2020: msg`): its time of day and the message. The day cannot be told (four
/// or five days of a month share a weekday), so the line has no date.
fn dayless_console_line(trimmed: &str) -> Option<(Clock, &str)> {
    let mut cursor = Cursor::new(trimmed);
    if !weekday_word(&mut cursor) || cursor.skip_spaces() == 0 {
        return None;
    }
    month_word(&mut cursor)?;
    if cursor.skip_spaces() != 1 {
        return None;
    }
    let time = clock(&mut cursor, false)?;
    if cursor.skip_spaces() != 1 || cursor.some_digits(4)?.1 != 4 || !cursor.eat(b':') {
        return None;
    }
    cursor.skip_spaces();
    Some((time, cursor.rest()))
}

/// `Www Mmm dd HH:MM:SS[.nanos] YYYY`.
fn weekday_stamp(cursor: &mut Cursor) -> Option<Stamp> {
    // Locales that pad the month (`水  8月 13`) leave two spaces after the weekday.
    if !weekday_word(cursor) || cursor.skip_spaces() == 0 {
        return None;
    }
    let mut stamp = month_day_stamp(cursor)?;
    if cursor.skip_spaces() != 1 {
        return None;
    }
    stamp.year = Some(cursor.digits(4)? as i32);
    Some(stamp)
}

/// `journalctl -o short-full`'s line: `Thu 2026-03-05 10:00:00 UTC host prog[pid]: msg`, a
/// weekday, an ISO date and clock and a zone word (`UTC`, `CET`, `+0530`); the zone is taken as
/// an offset where it is one (`UTC`, `GMT`, a number), else the line's stamp has no zone.
fn weekday_iso_syslog(trimmed: &str) -> Option<Envelope<'_>> {
    let mut cursor = Cursor::new(trimmed);
    if !weekday_word(&mut cursor) || cursor.skip_spaces() != 1 {
        return None;
    }
    if !cursor.peek().is_some_and(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let (mut stamp, _) = iso_stamp(&mut cursor)?;
    if cursor.skip_spaces() != 1 {
        return None;
    }
    if stamp.offset_s.is_none() {
        let word = cursor.word();
        stamp.offset_s = match word {
            "UTC" | "GMT" | "Z" => Some(0),
            _ => zone(&mut Cursor::new(word)),
        };
        let plausible_zone = (1..=6).contains(&word.len())
            && (word.bytes().all(|byte| byte.is_ascii_uppercase()) || stamp.offset_s.is_some());
        if !plausible_zone || cursor.skip_spaces() == 0 {
            return None;
        }
    }
    if !looks_like_syslog_header(cursor.rest()) {
        return None;
    }
    let mut envelope = Envelope::bare(EnvelopeFormat::Rfc3339, "");
    envelope.stamp = Some(stamp);
    syslog_header(&mut cursor, &mut envelope);
    Some(envelope)
}

/// `journalctl -o short-unix`'s line: seconds since the epoch with their fraction, then a syslog
/// header (`1709632800.123456 host prog[pid]: msg`).
fn epoch_syslog(trimmed: &str) -> Option<Envelope<'_>> {
    let mut cursor = Cursor::new(trimmed);
    let (_, digits) = cursor.some_digits(10)?;
    // From 2001 to 2286: ten digits.
    let seconds: i64 = trimmed[..digits].parse().ok()?;
    if digits != 10 || !cursor.eat(b'.') {
        return None;
    }
    let (fraction, fraction_digits) = cursor.some_digits(9)?;
    if cursor.skip_spaces() != 1 || !looks_like_syslog_header(cursor.rest()) {
        return None;
    }
    let nanos = fraction * 10u32.pow(9 - fraction_digits as u32);
    let moment = chrono::DateTime::from_timestamp(seconds, nanos)?;
    let mut envelope = Envelope::bare(EnvelopeFormat::Rfc3339, "");
    envelope.stamp = Some(Stamp {
        fraction_digits: fraction_digits as u8,
        ..super::stamp_from_utc(moment)
    });
    syslog_header(&mut cursor, &mut envelope);
    Some(envelope)
}

/// `HH:MM:SS,mmm[ ]dd-Mmm-yyyy` (ESC's tagged log and a log4j variant).
fn clock_then_date_stamp(cursor: &mut Cursor) -> Option<Stamp> {
    // Exactly three fraction digits: the tagged layout glues the day right after them.
    let [hour, minute, second] = cursor.triple(b':', [2, 2, 2])?;
    let mut nanos = 0;
    let mut fraction_digits = 0;
    if cursor.eat(b',') || cursor.eat(b'.') {
        nanos = cursor.digits(3)? * 1_000_000;
        fraction_digits = 3;
    }
    cursor.skip_spaces();
    let day = cursor.digits(2)?;
    if !cursor.eat(b'-') {
        return None;
    }
    let month = month_number(cursor.alphabetic(3)?)?;
    if !cursor.eat(b'-') {
        return None;
    }
    let year = cursor.digits(4)? as i32;
    dated_stamp(
        year,
        month,
        day,
        (hour, minute, second, nanos, fraction_digits),
    )
}

/// A stamp with its year and no zone, where its fields are a date and a clock.
fn dated_stamp(year: i32, month: u32, day: u32, clock: Clock) -> Option<Stamp> {
    let (hour, minute, second, nanos, fraction_digits) = clock;
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    Some(Stamp {
        year: Some(year),
        month,
        day,
        hour,
        minute,
        second,
        nanos,
        fraction_digits,
        offset_s: None,
    })
}

/// A log viewer's numeric date and clock before the line it shows (Rancher's container log
/// view: `9/19/2018 1:56:29 PM`, `10-7-2017 22:05:31`), glued to it or a space before it: the
/// month first where the date is written with slashes (the US order), the day first with dashes
/// or dots; a 12-hour clock with its AM or PM.
fn viewer_stamp(cursor: &mut Cursor) -> Option<Stamp> {
    let (first, _) = cursor.some_digits(2)?;
    let separator = cursor
        .peek()
        .filter(|byte| matches!(byte, b'/' | b'-' | b'.'))?;
    cursor.position += 1;
    let (second, _) = cursor.some_digits(2)?;
    if !cursor.eat(separator) {
        return None;
    }
    let year = cursor.digits(4)? as i32;
    if cursor.skip_spaces() == 0 {
        return None;
    }
    let (mut hour, _) = cursor.some_digits(2)?;
    if !cursor.eat(b':') {
        return None;
    }
    let minute = cursor.digits(2)?;
    if !cursor.eat(b':') {
        return None;
    }
    let second_of_minute = cursor.digits(2)?;
    let mut nanos = 0;
    let mut fraction_digits = 0;
    if cursor.peek() == Some(b'.')
        && cursor
            .text
            .as_bytes()
            .get(cursor.position + 1)
            .is_some_and(u8::is_ascii_digit)
    {
        cursor.position += 1;
        let (value, count) = cursor.some_digits(9)?;
        nanos = value * 10u32.pow(9 - count as u32);
        fraction_digits = count as u8;
    }
    let before_half = cursor.position;
    cursor.skip_spaces();
    let half = cursor.rest().get(..2);
    // AM or PM as a word of its own, or glued to a weekday (`PMWed`), not the start of a word
    // (`AMQP connection ...`); with an hour past 12 the clock is a 24-hour one.
    let after_half = cursor.rest().get(2..).unwrap_or("");
    let a_word = after_half
        .chars()
        .next()
        .is_none_or(|next| !next.is_alphanumeric())
        || ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
            .iter()
            .any(|weekday| after_half.starts_with(weekday));
    if matches!(half, Some("AM" | "PM")) && a_word && (1..=12).contains(&hour) {
        hour = match (half, hour) {
            (Some("AM"), 12) => 0,
            (Some("PM"), 12) => 12,
            (Some("PM"), _) => hour + 12,
            _ => hour,
        };
        cursor.position += 2;
    } else {
        cursor.position = before_half;
    }
    let (month, day) = if separator == b'/' {
        (first, second)
    } else {
        (second, first)
    };
    dated_stamp(
        year,
        month,
        day,
        (hour, minute, second_of_minute, nanos, fraction_digits),
    )
}

/// `host prog[pid]: message` after a syslog stamp.
fn syslog_header<'a>(cursor: &mut Cursor<'a>, envelope: &mut Envelope<'a>) {
    cursor.skip_spaces();
    let with_host = cursor.rest();
    let host = cursor.word();
    // A host name never ends in a colon: `Mar 11 16:50:54 Keepalived_vrrp[1753]: ...` is a
    // line written without its host (a container's or a relay's syslog), the word its tag.
    let rest = if host.len() > 1 && host.ends_with(':') {
        with_host
    } else {
        // A `facility.level` word (busybox's syslogd writes one after the host; some templates
        // write it in the host's place) is neither host nor tag.
        if !host.is_empty() && !is_facility_level(host) {
            envelope.host = Some(host);
        }
        cursor.skip_spaces();
        let after_host = cursor.rest();
        match facility_level_length(after_host) {
            Some(length) => after_host[length..].trim_start_matches(' '),
            None => after_host,
        }
    };
    // The tag: up to ':' or '[' with no space inside (ASCII bytes: the index is a character
    // boundary).
    let tag_end = rest
        .bytes()
        .position(|byte| matches!(byte, b':' | b'[' | b' '))
        .unwrap_or(rest.len());
    let program = &rest[..tag_end];
    let mut after = &rest[tag_end..];
    let mut pid = None;
    if let Some(stripped) = after.strip_prefix('[')
        && let Some(close) = stripped.find(']')
    {
        pid = stripped[..close].parse().ok();
        after = &stripped[close + 1..];
    }
    match after.strip_prefix(':') {
        Some(message) if !program.is_empty() => {
            envelope.program = Some(program);
            envelope.pid = pid;
            // A template that writes two spaces after the tag (`Keepalived_vrrp[10819]:  (Srv01)
            // entering FAULT state`) does not make the message another.
            envelope.message = message.trim_start_matches(' ');
        }
        // A collector's template that drops the colon after the tag (`host   Keepalived_vrrp
        // Track script ...`): only a keepalived child's name is taken for a tag so.
        None if pid.is_none() && after.starts_with(' ') && is_keepalived_child(program) => {
            envelope.program = Some(program);
            envelope.message = after.trim_start_matches(' ');
        }
        // No tag, but the kernel's seconds since boot (`host  [  460.699329] drbd ...`: a
        // template that leaves the kernel's tag out): the kernel's line.
        _ if is_seconds_since_boot(rest) => {
            envelope.program = Some("kernel");
            envelope.message = rest;
        }
        _ => envelope.message = rest,
    }
    if envelope.program == Some("kernel") {
        envelope.message = strip_monotonic(envelope.message);
    } else if let Some(inner) = nested_console_line(envelope.message) {
        // A container's console forwarded by its runtime (`docker[20329]: Wed Jan 24 11:21:23
        // 2018: Starting Keepalived v1.4.0`): the message is the console line's, and, like any
        // console line, it names no program.
        envelope.program = None;
        envelope.pid = None;
        envelope.message = inner;
    }
}

/// The message of keepalived's console layout (`Www Mmm dd HH:MM:SS YYYY: message`) at the start
/// of `message`, when it is one. Checked on every syslog line: the guard is two bytes.
fn nested_console_line(message: &str) -> Option<&str> {
    let bytes = message.as_bytes();
    if bytes.len() < 26 || !bytes[0].is_ascii_uppercase() || bytes[3] != b' ' {
        return None;
    }
    let mut cursor = Cursor::new(message);
    weekday_stamp(&mut cursor)?;
    if !cursor.eat(b':') {
        return None;
    }
    cursor.skip_spaces();
    Some(cursor.rest())
}

/// `message` without a leading `[...]` group whose content `wanted` accepts (and the spaces
/// after it); unchanged otherwise.
fn strip_bracketed(message: &str, wanted: impl Fn(&str) -> bool) -> &str {
    message
        .strip_prefix('[')
        .and_then(|inner| inner.split_once(']'))
        .filter(|(content, _)| wanted(content))
        .map_or(message, |(_, rest)| rest.trim_start())
}

/// Whether `message` opens with the kernel's `[  460.699329]` (seconds since boot with their
/// fraction, which no tag's `[pid]` has).
fn is_seconds_since_boot(message: &str) -> bool {
    bracketed_seconds(message).is_some_and(|(_, _, fraction)| fraction.len() == 6)
}

/// The `[ 1142.904077]` a line opens with: its content, whole seconds and fraction (each digits
/// only, neither empty).
fn bracketed_seconds(line: &str) -> Option<(&str, &str, &str)> {
    let inner = line.strip_prefix('[')?.split_once(']')?.0.trim();
    let (whole, fraction) = inner.split_once('.')?;
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
    (digits(whole) && digits(fraction)).then_some((inner, whole, fraction))
}

/// Drops a `[ 1234.567890] ` monotonic prefix from a kernel message.
fn strip_monotonic(message: &str) -> &str {
    let stripped = strip_bracketed(message, |content| {
        let number = content.trim();
        !number.is_empty()
            && number
                .bytes()
                .all(|byte| byte.is_ascii_digit() || byte == b'.')
    });
    if stripped.len() == message.len() {
        message
    } else {
        strip_printk_caller(stripped)
    }
}

/// Drops the `[T25362]` (task) or `[C3]` (CPU) that kernels built with CONFIG_PRINTK_CALLER
/// write after the monotonic stamp.
fn strip_printk_caller(message: &str) -> &str {
    strip_bracketed(message, |content| {
        let number = content.strip_prefix(['T', 'C']).unwrap_or("");
        !number.is_empty() && number.len() <= 10 && number.bytes().all(|byte| byte.is_ascii_digit())
    })
}

/// supervisord's levels as its own log writes them (`ERRO`, `DEBG`: four letters).
const SUPERVISORD_LEVELS: [&str; 7] = ["CRIT", "ERRO", "WARN", "INFO", "DEBG", "TRAC", "BLAT"];

/// The words supervisord begins a line about one of its programs with (`spawned: 'keepalived'
/// with pid 10`, `exited: keepalived (exit status 0; not expected)`, `gave up: keepalived
/// entered FATAL state, ...`): an event of supervisord's, not a program named `spawned` (the
/// quote after `spawned:` as a page's source escapes it too, `&#39;`).
const SUPERVISORD_PROGRAM_EVENTS: [&str; 7] = [
    "spawned: '",
    "spawned: &#39;",
    "exited: ",
    "success: ",
    "stopped: ",
    "gave up: ",
    "waiting for ",
];

/// supervisord's own log after the stamp (`INFO spawned: 'keepalived' with pid 10`): its level,
/// then a line about one of its programs, read as supervisord's whole message. False (nothing
/// set) for any other line.
fn supervisord_header<'a>(rest: &'a str, envelope: &mut Envelope<'a>) -> bool {
    let rest = rest.trim_start_matches(' ');
    let Some((level, message)) = rest.split_once(' ') else {
        return false;
    };
    if !SUPERVISORD_LEVELS.contains(&level)
        || !SUPERVISORD_PROGRAM_EVENTS
            .iter()
            .any(|start| message.starts_with(start))
    {
        return false;
    }
    envelope.level = Some(level);
    envelope.program = Some("supervisord");
    envelope.message = message;
    true
}

/// Level, bracketed logger/thread groups and `name -` / `name:` prefixes of an application log.
fn application_header<'a>(cursor: &mut Cursor<'a>, envelope: &mut Envelope<'a>) {
    for _ in 0..8 {
        cursor.skip_spaces();
        let rest = cursor.rest();
        if rest == "-" || rest.starts_with("- ") {
            cursor.position += 1;
            continue;
        }
        if rest.starts_with('[') {
            let Some(close) = rest.find(']') else { break };
            let inner = rest[1..close].trim();
            if envelope.level.is_none() && level_word(inner).is_some() {
                envelope.level = Some(inner);
            } else if envelope.logger.is_none() && inner.contains('.') && !inner.contains(' ') {
                envelope.logger = Some(inner);
            }
            cursor.position += close + 1;
            continue;
        }
        let save = cursor.position;
        let word = cursor.word();
        if envelope.level.is_none() && level_word(word).is_some() {
            envelope.level = Some(word);
            continue;
        }
        if let Some(name) = word.strip_suffix(':')
            && !name.is_empty()
            && !name.contains(':')
            && envelope.program.is_none()
        {
            envelope.program = Some(name);
            break;
        }
        // A wrapper's name for the program whose output it relays, and a bar
        // (`2020/06/25 11:17:15.571635 keepalived | (VI_1) removing VIPs.`).
        if !word.is_empty()
            && envelope.program.is_none()
            && cursor.rest().starts_with(" | ")
            && word
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || b"-_.".contains(&byte))
        {
            envelope.program = Some(word);
            cursor.position += 3;
            break;
        }
        if !word.is_empty() && cursor.rest().starts_with(" - ") {
            if envelope.level.is_none() && envelope.program.is_none() {
                envelope.program = Some(word);
            } else {
                envelope.logger = Some(word);
            }
            cursor.position += 3;
            continue;
        }
        cursor.position = save;
        break;
    }
    cursor.skip_spaces();
    envelope.message = cursor.rest();
}

/// ESC's tagged log: `date=...] [loglevel=X ] [tid=...] [cl=...] [tags=...] [msg=...`.
fn tagged<'a>(line: &'a str) -> Option<Envelope<'a>> {
    let rest = line.strip_prefix("date=")?;
    let mut cursor = Cursor::new(rest);
    let stamp = clock_then_date_stamp(&mut cursor)?;
    let mut envelope = Envelope::bare(EnvelopeFormat::Tagged, "");
    envelope.stamp = Some(stamp);
    let mut remaining = cursor.rest();
    while let Some(start) = remaining.find("] [") {
        remaining = &remaining[start + 3..];
        let Some(equals) = remaining.find('=') else {
            break;
        };
        let key = &remaining[..equals];
        let value_and_more = &remaining[equals + 1..];
        if key == "msg" {
            envelope.message = value_and_more.strip_suffix(']').unwrap_or(value_and_more);
            return Some(envelope);
        }
        let end = value_and_more.find("] [").unwrap_or(value_and_more.len());
        let value = value_and_more[..end].trim().trim_end_matches(']');
        match key {
            "loglevel" => envelope.level = Some(value),
            "cl" => envelope.logger = Some(value),
            _ => envelope.extra.push((key, value)),
        }
        remaining = &value_and_more[end..];
    }
    Some(envelope)
}

/// A line without a byte-order mark, a terminal's echo of Ctrl-C (`^C`) glued to it, a TUI's
/// border, the quote marks of a mail or Markdown reply (`> `, `> > `, `>> `, or `&gt; ` in a
/// page's source), or a separator rule the paste glued to it (`=====Nov 12 03:56:40 ...`).
fn undecorated(line: &str) -> &str {
    // `trim_start_matches("^C")` without building a substring searcher for every line.
    // A byte-order mark: a file saved by a Windows editor, or such files pasted together.
    let mut rest = line.strip_prefix('\u{feff}').unwrap_or(line);
    loop {
        if let Some(after) = rest.strip_prefix("^C") {
            rest = after;
        } else if let Some(after) = rest.strip_prefix('>').or_else(|| rest.strip_prefix("&gt;")) {
            // (`&gt;`: a reply's quote mark in a page's source.)
            rest = after.strip_prefix(' ').unwrap_or(after);
        } else if let Some(after) = rest
            .strip_prefix("- ")
            .or_else(|| rest.strip_prefix("* "))
            .or_else(|| rest.strip_prefix("• "))
        {
            // A list's bullet before every line (a pastebin's or a ticket's `- `, `* `, `• `;
            // not a journal marker's `-- `).
            rest = after;
        } else if let Some(after) = rest
            .strip_prefix("**")
            .or_else(|| rest.strip_prefix("__"))
            .filter(|after| after.starts_with(|character: char| !character.is_whitespace()))
        {
            // Markdown's bold mark glued to a line a post set in bold (`**Mar 20 04:51:18 ...`).
            rest = after;
        } else {
            break;
        }
    }
    // Its closing mark, glued to the line's last word (`... on eth0 !!!**`).
    if let Some(before) = rest
        .strip_suffix("**")
        .filter(|before| before.ends_with(|character: char| !character.is_whitespace()))
    {
        rest = before;
    }
    for rule in ['=', '-'] {
        let after = rest.trim_start_matches(rule);
        if rest.len() - after.len() >= 3
            && after
                .as_bytes()
                .first()
                .is_some_and(u8::is_ascii_alphanumeric)
        {
            rest = after;
        }
    }
    let rest = rest
        .trim_start_matches(['│', '|'])
        .trim_end_matches(['│', ' ']);
    // A whole line quoted as Markdown inline code (`` `kernel: ...` ``).
    match rest
        .strip_prefix('`')
        .and_then(|inner| inner.strip_suffix('`'))
    {
        Some(inner) if !inner.contains('`') => inner,
        _ => rest,
    }
}

/// Whether [`parse`] finds no envelope at all in a line (its format is `Bare`), without reading
/// the header of a line that opens with a syslog stamp: a reader looking ahead for a wrapped
/// line's continuation asks this of the line after every unrecognised kernel or keepalived line.
pub fn is_bare(line: &str) -> bool {
    let trimmed = undecorated(line);
    // [`parse`] takes every line that opens with a letter and a syslog stamp for an envelope
    // (`worded`, or for a `d`, `tagged` before it).
    if trimmed
        .as_bytes()
        .first()
        .is_some_and(u8::is_ascii_alphabetic)
        && month_day_stamp(&mut Cursor::new(trimmed)).is_some()
    {
        return false;
    }
    parse(line).format == EnvelopeFormat::Bare
}

/// The time of day of a line [`parse`] reads without a stamp, when it kept one without its date
/// (`15:23:03 host prog[7]: msg`, a stamp whose month a paste cut to a letter two months end in,
/// or keepalived's log-file stamp without its day): the file's line before it may date it
/// ([`super::LineBook::time`]). Asked only of lines without a stamp.
pub fn time_of_day(line: &str) -> Option<Clock> {
    let trimmed = undecorated(line).trim_start();
    if trimmed.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        let mut cursor = Cursor::new(trimmed);
        let time = clock(&mut cursor, false)?;
        let rest = cursor.rest();
        return (rest.starts_with(' ')
            && (looks_like_syslog_header(rest) || tag_only(rest.trim_start()).is_some()))
        .then_some(time);
    }
    cut_stamp_clock(trimmed)
        .map(|(time, _)| time)
        .or_else(|| dayless_console_line(trimmed).map(|(time, _)| time))
}

/// The stamp [`parse`] finds in a line, without reading the rest of the header when the line
/// starts with a digit (the application logs' layouts, read once per line to find entries).
pub fn stamp(line: &str) -> Option<Stamp> {
    let trimmed = undecorated(line);
    if !trimmed.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return parse(line).stamp;
    }
    let mut cursor = Cursor::new(trimmed);
    if let Some((stamp, _)) = iso_stamp(&mut cursor) {
        cursor.skip_spaces();
        // A viewer's stamp before keepalived's console line: [`parse`] keeps keepalived's.
        if nested_console_line(cursor.rest()).is_some() {
            return parse(line).stamp;
        }
        return Some(stamp);
    }
    clock_then_date_stamp(&mut Cursor::new(trimmed))
        .or_else(|| numbered_month_syslog(trimmed).and_then(|envelope| envelope.stamp))
        // Rare shapes (a line number or a list's number before a stamped line): the full parse.
        .or_else(|| parse(line).stamp)
}

/// A syslog line whose month is a number with its CJK suffix (`6月 27 16:45:03 host prog: msg`).
fn numbered_month_syslog(trimmed: &str) -> Option<Envelope<'_>> {
    let mut cursor = Cursor::new(trimmed);
    let stamp = month_day_stamp(&mut cursor)?;
    let mut envelope = Envelope::bare(EnvelopeFormat::Rfc3164, "");
    envelope.stamp = Some(stamp);
    syslog_header(&mut cursor, &mut envelope);
    Some(envelope)
}

/// When a pasted `systemctl status` was taken, from its `Active:` line (`Active: active (running)
/// since Wed 2018-06-27 16:45:01 CST; 8s ago`): the start plus the time since. The journal lines
/// under it are no later, so this dates their year. The zone word is left aside (the tail's
/// stamps are in the same local time; [`stated_zone`] reads it). A line cut short (by a terminal, or wrapped by a mail
/// client) before its `ago` still gives the span written before the cut, less a last part it
/// cut (`1 weeks 3`): each part is of a smaller unit than the one before it, so rounding up by
/// the last whole one still gives the latest moment. None when the line is not one, or its span
/// is unreadable.
pub fn status_moment(line: &str) -> Option<chrono::NaiveDateTime> {
    let StatusActive { since, ago, .. } = status_active(line)?;
    let seconds = match ago.strip_suffix(" ago") {
        Some(span) => timespan_seconds(span)?,
        None => {
            let mut span = ago.trim_end();
            loop {
                if let Some(seconds) = timespan_seconds(span) {
                    break seconds;
                }
                span = span.rsplit_once(' ')?.0.trim_end();
            }
        }
    };
    since.checked_add_signed(chrono::TimeDelta::seconds(seconds))
}

/// When a journal paste was taken, from journalctl's header (`-- Logs begin at Fri 2020-10-23
/// 11:17:41 UTC, end at Thu 2021-04-15 09:40:51 UTC. --`, or since systemd 246 `-- Journal begins
/// at ..., ends at ... --`): its end, which no line under it is later than. A header a mail client
/// wrapped gives its end from either part: the date after `end at` on the first (the end of that
/// day where its clock went to the next line), or the second part alone (`Thu 2021-04-15
/// 09:40:51 UTC. --`). The zone word is left aside, as a status block's is ([`stated_zone`]).
pub fn journal_end_moment(line: &str) -> Option<chrono::NaiveDateTime> {
    let text = journal_header_text(line);
    let end = match text.strip_prefix("-- ") {
        Some(_) => journal_header_end(text)?,
        // The second part of a wrapped header: nothing but the end moment and the closing `--`.
        None if text.split_ascii_whitespace().count() <= 5 => text.strip_suffix("--")?,
        None => return None,
    };
    let (date, clock) = header_date_and_clock(end)?;
    if clock.is_none() && !text.starts_with("-- ") {
        return None;
    }
    Some(date.and_time(clock.unwrap_or(chrono::NaiveTime::from_hms_opt(23, 59, 59)?)))
}

/// When a journal header that names no end (`-- Logs begin at Thu 2025-06-05 03:42:13 UTC. --`,
/// `-- Journal begins at ... --`: `journalctl -f`) says the journal begins: the lines under it
/// are no earlier (how much later, it does not say). The zone word is left aside.
pub fn journal_begin_moment(line: &str) -> Option<chrono::NaiveDateTime> {
    let begin = journal_header_begin(journal_header_text(line))?;
    let (date, clock) = header_date_and_clock(begin)?;
    Some(date.and_time(clock?))
}

/// A journal header's moment (`Thu 2021-04-15 09:40:51 UTC. --`): its date, and its clock where
/// the words after the date give one.
fn header_date_and_clock(moment: &str) -> Option<(chrono::NaiveDate, Option<chrono::NaiveTime>)> {
    let mut words = moment
        .split_ascii_whitespace()
        .skip_while(|word| !word.starts_with(|first: char| first.is_ascii_digit()));
    let date = chrono::NaiveDate::parse_from_str(words.next()?, "%Y-%m-%d").ok()?;
    let clock = words.next().and_then(|word| {
        chrono::NaiveTime::parse_from_str(word.trim_end_matches('.'), "%H:%M:%S").ok()
    });
    Some((date, clock))
}

/// The time zone a `systemctl status` `Active: ... since Mon 2021-03-01 10:11:12 CST; 2h ago`
/// line or a journal header (`-- Logs begin at ..., end at Thu 2021-04-15 09:40:51 UTC. --`)
/// names for the stamps of the lines under it, as written there (`CST`, `UTC`, `+07`).
pub fn stated_zone(line: &str) -> Option<&str> {
    let zone = match status_active(line) {
        Some(active) => active.zone.split_ascii_whitespace().next()?,
        None => {
            let header = journal_header_text(line);
            let mut words = journal_header_end(header)
                .or_else(|| journal_header_begin(header))?
                .split_ascii_whitespace();
            words.find(|word| {
                let clock = word.trim_end_matches(['.', ',']);
                clock.len() >= 8 && chrono::NaiveTime::parse_from_str(clock, "%H:%M:%S").is_ok()
            })?;
            words.next()?
        }
    }
    .trim_end_matches(['.', ',', ';']);
    let plausible = (1..=6).contains(&zone.len())
        && (zone.bytes().all(|byte| byte.is_ascii_uppercase())
            || (zone.starts_with(['+', '-'])
                && zone[1..]
                    .bytes()
                    .all(|byte| byte.is_ascii_digit() || byte == b':')));
    plausible.then_some(zone)
}

/// What a journal header (`-- Logs begin at ..., end at Thu 2021-04-15 09:40:51 UTC. --`, or
/// `-- Journal begins at ..., ends at ... --`) says after `end at`.
fn journal_header_end(text: &str) -> Option<&str> {
    let header = text.strip_prefix("-- ")?;
    let (_, end) = header
        .split_once(", end at ")
        .or_else(|| header.split_once(", ends at "))?;
    Some(end)
}

/// A line as a journal header would be read: its message, and without the `# ` of a paste
/// commented out line by line (`# -- Journal begins at ... --`).
fn journal_header_text(line: &str) -> &str {
    let text = bare_message(line).trim();
    text.strip_prefix("# ")
        .filter(|rest| rest.starts_with("-- "))
        .unwrap_or(text)
}

/// What a journal header that names no end (`-- Journal begins at Wed 2025-11-26 08:51:12 PST.
/// --`, `-- Logs begin at Thu 2025-06-05 03:42:13 UTC. --`: `journalctl -f`, or a follow) says
/// after `begin at`: its moment is no date for the lines under it (they may come years later),
/// but its zone is theirs.
fn journal_header_begin(text: &str) -> Option<&str> {
    let header = text.strip_prefix("-- ")?.strip_suffix("--")?;
    let begin = header
        .strip_prefix("Journal begins at ")
        .or_else(|| header.strip_prefix("Logs begin at "))?;
    (!begin.contains(", end")).then_some(begin)
}

/// A `systemctl status` `Active:` line, read.
struct StatusActive<'a> {
    /// The unit's state (`active (running)`).
    state: &'a str,
    /// The moment the unit entered it, in the zone the journal lines below it are written in.
    since: chrono::NaiveDateTime,
    /// What follows that moment's clock: the zone, where systemctl wrote one (` CST`).
    zone: &'a str,
    /// The rest after `; ` (`7min ago`).
    ago: &'a str,
}

fn status_active(line: &str) -> Option<StatusActive<'_>> {
    let rest = bare_message(line).strip_prefix("Active:")?;
    let (state, since) = rest.split_once(" since ")?;
    let (start, ago) = since.split_once("; ")?;
    let mut cursor = Cursor::new(start.trim_start());
    if weekday_word(&mut cursor) {
        cursor.skip_spaces();
    }
    let [year, month, day] = cursor.triple(b'-', [4, 2, 2])?;
    if cursor.skip_spaces() == 0 {
        return None;
    }
    let [hour, minute, second] = cursor.triple(b':', [2, 2, 2])?;
    let since = chrono::NaiveDate::from_ymd_opt(year as i32, month, day)?.and_hms_opt(
        hour,
        minute,
        second.min(59),
    )?;
    Some(StatusActive {
        state: state.trim(),
        since,
        zone: cursor.rest(),
        ago,
    })
}

/// When a unit shown by `systemctl status` started: the stamp of an `Active: active (running)
/// since ...` line, as the journal lines under it are written (in their zone, which neither
/// names; without its year, which dates those lines through [`status_moment`] instead).
pub fn status_running_since(line: &str) -> Option<Stamp> {
    let active = status_active(line)?;
    if active.state != "active (running)" {
        return None;
    }
    Some(Stamp {
        year: None,
        offset_s: None,
        ..super::stamp_from_utc(active.since.and_utc())
    })
}

/// The unit a `systemctl status` block is about, from its first line
/// (`● keepalived.service - Keepalive Daemon (LVS and VRRP)`): `keepalived.service`.
pub fn status_unit(line: &str) -> Option<&str> {
    let rest = bare_message(line);
    let rest = rest
        .strip_prefix(['●', '○', '×', '*'])
        .map_or(rest, str::trim_start);
    let (unit, _) = rest.split_once(" - ")?;
    let name = unit.strip_suffix(".service")?;
    (!name.is_empty()
        && name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"@_.:-\\".contains(&byte)))
    .then_some(unit)
}

/// Seconds in a span as systemd writes one (`8s`, `2h 3min`, `1 day 2h`, `3 weeks 2 days`,
/// `1 year 2 months`; units glued to their number or not), at most a century, rounded up by
/// the smallest unit written.
fn timespan_seconds(span: &str) -> Option<i64> {
    let mut total: i64 = 0;
    let mut words = span.split_ascii_whitespace().peekable();
    let mut smallest = i64::MAX;
    while let Some(word) = words.next() {
        let digits = word.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 6 {
            return None;
        }
        let number: i64 = word[..digits].parse().ok()?;
        let unit = match &word[digits..] {
            "" => words.next()?,
            glued => glued,
        };
        let seconds = match unit.trim_end_matches(',') {
            "us" | "ms" => 0,
            "s" | "sec" => 1,
            "min" => 60,
            "h" => 3_600,
            "d" | "day" | "days" => 86_400,
            "w" | "week" | "weeks" => 604_800,
            "M" | "month" | "months" => 2_629_800,
            "y" | "year" | "years" => 31_557_600,
            _ => return None,
        };
        total += number * seconds;
        smallest = smallest.min(seconds);
        // Past a century the span is not a status's (and a long line cannot overflow the sum).
        if total > 100 * 31_557_600 {
            return None;
        }
    }
    // systemd writes the two largest units only ("1 year 2 months" drops the days): the status
    // was taken at most one of the smallest unit written later.
    (smallest != i64::MAX).then_some(total + smallest)
}

/// Reads the envelope of one line. Never fails: a line without a known stamp is `Bare`.
pub fn parse(line: &str) -> Envelope<'_> {
    parse_nested(line, 0)
}

/// [`parse`], `depth` indentations deep: decorations and indentation alternate only so often
/// before a line is taken as it is (a long line of `> > > ...` must not exhaust the stack).
fn parse_nested(line: &str, depth: u8) -> Envelope<'_> {
    let trimmed = undecorated(line);
    let Some(&first) = trimmed.as_bytes().first() else {
        return Envelope::bare(EnvelopeFormat::Bare, trimmed);
    };
    match first {
        b'0'..=b'9' => {
            let mut cursor = Cursor::new(trimmed);
            if let Some((stamp, with_t)) = iso_stamp(&mut cursor) {
                let mut envelope = Envelope::bare(EnvelopeFormat::Application, "");
                envelope.stamp = Some(stamp);
                if with_t && stamp.offset_s.is_some() && looks_like_syslog_header(cursor.rest()) {
                    envelope.format = EnvelopeFormat::Rfc3339;
                    syslog_header(&mut cursor, &mut envelope);
                } else if let Some(inner) = iso_syslog(cursor.rest()) {
                    // A syslog template with a local ISO stamp (`2019-05-05 11:50:13 host
                    // Keepalived_vrrp[7]: ...`, or a `local0.info` word for the host): only
                    // the programs the classifiers read, so an application's log stays one.
                    return Envelope {
                        stamp: Some(stamp),
                        ..inner
                    };
                } else {
                    cursor.skip_spaces();
                    // A viewer's stamp before keepalived's console line (Docker Desktop's
                    // `2025-06-15 00:19:55 Sat Jun 14 15:19:55 2025: ...`): the line's own
                    // stamp is keepalived's, written on its clock.
                    if nested_console_line(cursor.rest()).is_some()
                        && let Some(inner) = worded(cursor.rest())
                    {
                        return inner;
                    }
                    if !supervisord_header(cursor.rest(), &mut envelope) {
                        application_header(&mut cursor, &mut envelope);
                    }
                }
                return envelope;
            }
            if let Some(envelope) = epoch_syslog(trimmed) {
                return envelope;
            }
            // A log viewer's stamp before the line: the line's own stamp where it has one
            // (keepalived's, on its clock), else the viewer's.
            let mut cursor = Cursor::new(trimmed);
            if depth < 4
                && let Some(stamp) = viewer_stamp(&mut cursor)
            {
                let rest = cursor.rest().trim_start();
                let inner = parse_nested(rest, depth + 1);
                if inner.stamp.is_some() {
                    return inner;
                }
                if inner.format != EnvelopeFormat::Bare {
                    return Envelope {
                        stamp: Some(stamp),
                        ..inner
                    };
                }
                let mut envelope = Envelope::bare(EnvelopeFormat::Application, "");
                envelope.stamp = Some(stamp);
                let mut rest_cursor = Cursor::new(rest);
                application_header(&mut rest_cursor, &mut envelope);
                return envelope;
            }
            let mut cursor = Cursor::new(trimmed);
            if let Some(stamp) = clock_then_date_stamp(&mut cursor) {
                let mut envelope = Envelope::bare(EnvelopeFormat::Application, "");
                envelope.stamp = Some(stamp);
                application_header(&mut cursor, &mut envelope);
                return envelope;
            }
            // A month written as a number in CJK locales (`6月 27 16:45:03 host prog: msg`).
            if let Some(envelope) = numbered_month_syslog(trimmed) {
                return envelope;
            }
            // A syslog line whose stamp kept only its clock (`15:23:03 host prog[7]: msg`, a
            // reply that quoted lines without their date): read without a time, since the day
            // is not in it.
            let mut cursor = Cursor::new(trimmed);
            if clock(&mut cursor, false).is_some() && cursor.peek() == Some(b' ') {
                if looks_like_syslog_header(cursor.rest()) {
                    let mut envelope = Envelope::bare(EnvelopeFormat::Rfc3164, "");
                    syslog_header(&mut cursor, &mut envelope);
                    return envelope;
                }
                // The same without the host (`17:56:06 Keepalived_vrrp[261668]: ...`).
                if let Some(envelope) = tag_only(cursor.rest().trim_start()) {
                    return envelope;
                }
            }
            // What a paste's cut left of a stamp: minutes and seconds (`51:16 localhost
            // Keepalived_vrrp[1898]: ...`). Read without a time.
            let mut cursor = Cursor::new(trimmed);
            if cursor.some_digits(2).is_some() && cursor.peek() == Some(b':') {
                cursor.position += 1;
                if cursor.some_digits(2).is_some_and(|(_, digits)| digits == 2)
                    && cursor.peek() == Some(b' ')
                    && looks_like_syslog_header(cursor.rest())
                {
                    let mut envelope = Envelope::bare(EnvelopeFormat::Rfc3164, "");
                    syslog_header(&mut cursor, &mut envelope);
                    return envelope;
                }
            }
            // What a paste's cut left of a dmesg stamp, its `[` and perhaps some digits gone
            // (`332.043123] block drbd1: ...`): the kernel's message, placed by its line alone
            // (the seconds may have lost digits).
            if let Some((seconds, message)) = trimmed.split_once("] ")
                && seconds.len() <= 20
                && seconds.contains('.')
                && seconds
                    .bytes()
                    .all(|byte| byte.is_ascii_digit() || byte == b'.')
            {
                return Envelope::bare(EnvelopeFormat::Dmesg, strip_printk_caller(message));
            }
        }
        b'<' => {
            if let Some(envelope) = rfc5424_or_prefixed(trimmed) {
                return envelope;
            }
        }
        b'[' => {
            if let Some(envelope) = bracketed(trimmed) {
                return envelope;
            }
            if depth < 4
                && let Some(rest) = kubectl_prefixed(trimmed)
            {
                let inner = parse_nested(rest, depth + 1);
                if inner.format != EnvelopeFormat::Bare {
                    return inner;
                }
            }
        }
        b'd' => {
            if let Some(envelope) = tagged(trimmed).or_else(|| worded(trimmed)) {
                return envelope;
            }
        }
        b'-' if trimmed.starts_with("-- ") => {
            return Envelope::bare(EnvelopeFormat::JournalMarker, trimmed);
        }
        b'A'..=b'Z' | b'a'..=b'z' | 0x80.. => {
            if let Some(envelope) = worded(trimmed) {
                return envelope;
            }
        }
        // `systemctl status` indents journal lines; a Java stack frame is indented too.
        b' ' | b'\t' if depth < 4 => {
            let inner = parse_nested(trimmed.trim_start(), depth + 1);
            // A stamped line, a kernel ring buffer's line (`    [  12.5] drbd r0: ...`), or one
            // pasted without its stamp whose program the classifiers read (`    host
            // Keepalived_vrrp[7]: ...` in a Markdown code block); not a stack frame.
            if inner.is_log_line() {
                return inner;
            }
        }
        // Every line of a paste commented out (`# Nov 30 07:30:30 host prog: ...`; a list's
        // bullets are decorations, [`undecorated`]).
        b'#' if depth < 4 => {
            if let Some(rest) = trimmed
                .strip_prefix('#')
                .and_then(|rest| rest.strip_prefix(' '))
            {
                let inner = parse_nested(rest, depth + 1);
                if inner.format != EnvelopeFormat::Bare {
                    return inner;
                }
            }
        }
        _ => {}
    }
    // A container runtime's prefix before the line (`docker compose logs`: `node0-vrrpd-1  |
    // Sat Mar 23 ...`), or `cat -n`'s line number and tab; tried only where nothing else was.
    if depth < 4 {
        if let Some(rest) = compose_prefixed(trimmed) {
            let inner = parse_nested(rest, depth + 1);
            if inner.format != EnvelopeFormat::Bare {
                return inner;
            }
        }
        // A number before a log line: cat -n's (a tab), the same copied with spaces, a
        // list's (`1. `), grep -n's (`12:`, `12-` before a context line); or grep's file name
        // (`/var/log/messages-20240101:`, with -n `messages:12:`).
        if let Some(rest) = line_numbered(trimmed).or_else(|| grep_prefixed(trimmed)) {
            let inner = parse_nested(rest, depth + 1);
            if inner.is_log_line() {
                return inner;
            }
        }
        // The kernel's console output printed after a shell's prompt (`[admin@controller-0 ~]$
        // [523649.791656] drbd drbd-rabbit: PingAck did not arrive in time.`): the kernel's line,
        // not a command typed.
        if let Some(prompt) = shell_prompt(trimmed)
            && is_seconds_since_boot(prompt.command)
        {
            let inner = parse_nested(prompt.command, depth + 1);
            if inner.format != EnvelopeFormat::Bare {
                return inner;
            }
        }
    }
    Envelope::bare(EnvelopeFormat::Bare, bare_message(line))
}

/// The program a shell prompt's line is read under (its message the command typed at it).
pub const SHELL_PROGRAM: &str = "shell";

/// A shell prompt pasted among the lines: the host it names (where it names one) and the
/// command typed at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShellPrompt<'a> {
    /// `ssq-58-56` of `[root@ssq-58-56 opt]#`, `lab06` of `deploy@lab06:~$`, `controller0` of
    /// `controller0:/#`; None for `$ ` and `# `.
    pub host: Option<&'a str>,
    pub command: &'a str,
}

/// The prompt of a shell pasted among the lines (`[root@node3 ~]# cmd`, `user@host:~$ cmd`,
/// `controller0:/# cmd`, `$ cmd`, `# cmd`); None for any other line, and for a command of more
/// than MAX_PROMPT_COMMAND bytes (no one types that).
pub fn shell_prompt(line: &str) -> Option<ShellPrompt<'_>> {
    let line = line.trim_start();
    let first = *line.as_bytes().first()?;
    if !(first == b'[' || first == b'$' || first == b'#' || first.is_ascii_alphanumeric()) {
        return None;
    }
    let (host, command) = if let Some(rest) = line.strip_prefix('[') {
        // `[root@node3 scripts]# ` (Red Hat's prompt).
        let (inside, after) = rest.split_once(']')?;
        if !inside.contains('@') || inside.len() > 80 {
            return None;
        }
        (prompt_host(inside), after.strip_prefix(['#', '$'])?)
    } else if let Some(rest) = line.strip_prefix("$ ").or(line.strip_prefix("# ")) {
        (None, rest)
    } else {
        // `deploy@lab06:~$ ` (Debian's): a user@host word, `:`, a path, then `$` or `#`; or a
        // host alone before a path (`controller0:/# `, a container's shell).
        let (user_host, after) = line.split_once(':')?;
        let word = |character: char| {
            character.is_ascii_alphanumeric() || matches!(character, '@' | '-' | '.' | '_')
        };
        if user_host.is_empty() || !user_host.chars().all(word) || user_host.len() > 80 {
            return None;
        }
        let end = after.find(['$', '#']).filter(|end| *end <= 80)?;
        let path = &after[..end];
        if path.contains(' ') || !(user_host.contains('@') || path.starts_with(['/', '~'])) {
            return None;
        }
        (prompt_host(user_host), &after[end + 1..])
    };
    let command = command.trim();
    (!command.is_empty() && command.len() <= MAX_PROMPT_COMMAND)
        .then_some(ShellPrompt { host, command })
}

/// The host of a prompt's `user@host` (or `host` alone), before a space (`[root@node3 ~]`).
fn prompt_host(user_host: &str) -> Option<&str> {
    let host = user_host.rsplit('@').next().unwrap_or(user_host);
    let host = host.split_whitespace().next().unwrap_or(host);
    (!host.is_empty()).then_some(host)
}

/// The command typed at a shell prompt pasted among the lines ([`shell_prompt`]).
pub fn shell_prompt_command(line: &str) -> Option<&str> {
    shell_prompt(line).map(|prompt| prompt.command)
}

/// [`shell_prompt`] of a line whose paste decorated it as it did the log lines (quoted,
/// numbered, grep's file name or kubectl's prefix before it): tried as it is, then after each
/// decoration [`bare_message`] takes off, one at a time (a prompt's own `user@host:` reads like
/// grep's file name).
pub fn pasted_shell_prompt(line: &str) -> Option<ShellPrompt<'_>> {
    let mut rest = line;
    for _ in 0..4 {
        if let Some(prompt) = shell_prompt(rest) {
            return Some(prompt);
        }
        let plain = undecorated(rest).trim_start();
        let plain = line_numbered(plain)
            .or_else(|| grep_prefixed(plain))
            .or_else(|| kubectl_prefixed(plain))
            .unwrap_or(plain);
        if plain.len() == rest.len() {
            return None;
        }
        rest = plain;
    }
    shell_prompt(rest)
}

/// The longest command [`shell_prompt_command`] reads.
const MAX_PROMPT_COMMAND: usize = 400;

/// What a line without an envelope says: without the decorations of a paste around it (quote
/// marks, indentation, a line number, grep's file name), so that a keepalived message pasted
/// without its stamp reads as one (`  12\t(VI_1) Entering MASTER STATE`, `> (VI_1) ...`), and
/// a wrapped line's continuation, quoted or numbered as its first part was, joins it.
pub fn bare_message(line: &str) -> &str {
    let mut rest = line;
    for _ in 0..4 {
        let plain = undecorated(rest).trim_start();
        // cat -n's number and tab (or the spaces a terminal copied for it); a number glued to
        // `:`, `-` or `.` only before something other than a digit (`12:34` is a time, `1.5` a
        // figure); not a number and one space: a wrapped line's continuation may begin so (`0
        // priority`).
        let numbered = line_numbered(plain).filter(|after| {
            let digits = plain.bytes().take_while(u8::is_ascii_digit).count();
            let separator = &plain[digits..plain.len() - after.len()];
            if separator.bytes().all(|byte| byte == b' ' || byte == b'\t') {
                separator != " "
            } else {
                after
                    .as_bytes()
                    .first()
                    .is_some_and(|byte| !byte.is_ascii_digit())
            }
        });
        let plain = numbered
            .or_else(|| grep_prefixed(plain))
            .or_else(|| kubectl_prefixed(plain))
            .unwrap_or(plain);
        if plain.len() == rest.len() {
            break;
        }
        rest = plain;
    }
    rest
}

/// The line after `docker compose logs`' service prefix (`node0-vrrpd-1    | `): a name of
/// letters, digits, `-`, `_`, `.`, spaces, a bar and a space.
fn compose_prefixed(line: &str) -> Option<&str> {
    let name_end = line
        .bytes()
        .position(|byte| !(byte.is_ascii_alphanumeric() || b"-_.".contains(&byte)))?;
    if name_end == 0 || name_end > 64 {
        return None;
    }
    let after = line[name_end..].trim_start_matches(' ');
    (after.len() < line.len() - name_end)
        .then_some(after)?
        .strip_prefix("| ")
}

/// The line after a line number: `cat -n`'s number and tab, or spaces, or a list's number and
/// dot (a pastebin's `  1. `, a blog's code block copied as a list: `1.Jun 11 ...`), or grep -n's
/// number and colon (`12:`; `12-` before a context line).
fn line_numbered(line: &str) -> Option<&str> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=9).contains(&digits) {
        return None;
    }
    let after = &line[digits..];
    if let Some(rest) = after.strip_prefix([':', '-']) {
        return Some(rest);
    }
    let rest = after
        .strip_prefix('.')
        .unwrap_or(after)
        .trim_start_matches([' ', '\t']);
    (rest.len() < after.len()).then_some(rest)
}

/// The line after the file name grep writes before each line it found when it searched several
/// files or a directory (`/var/log/messages-20240101:`, `messages.1:`, `kern.log:`), and the line
/// number after it (`-n`: `/var/log/messages:12:`). A name is taken for one only when it is a
/// path or names a log (a word before a colon is often a program's tag).
fn grep_prefixed(line: &str) -> Option<&str> {
    let colon = line.find(':')?;
    let name = &line[..colon];
    let is_log_file = name.contains('/')
        || name.starts_with("messages")
        || name.starts_with("syslog")
        || name.contains(".log");
    // (Not a name in parentheses: keepalived's parser opens a message with the file it read,
    // `(/etc/keepalived/keepalived.conf: Line 6) ...`, and a wrapped line may continue there.)
    if name.is_empty()
        || name.len() > 256
        || name.contains([' ', '\t'])
        || name.starts_with('(')
        || !is_log_file
    {
        return None;
    }
    let rest = &line[colon + 1..];
    if rest.is_empty() {
        return None;
    }
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    match rest[digits..].strip_prefix(':') {
        Some(after) if (1..=9).contains(&digits) => Some(after),
        _ => Some(rest),
    }
}

/// A record after the file name grep writes before it when it searched several files (a
/// container's or journal export's record: `/var/log/containers/x.log:{...}`), with what
/// [`bare_message`] strips; None when there is no such name, or another path follows.
pub fn after_grep_file_name(line: &str) -> Option<&str> {
    let after = bare_message(line);
    (after.len() < line.len() && !after.starts_with('/')).then_some(after)
}

/// The line after the pod and container `kubectl logs --prefix` writes before each line
/// (`[pod/keepalived-7d9f/keepalived] `).
fn kubectl_prefixed(line: &str) -> Option<&str> {
    let (name, rest) = line.strip_prefix("[pod/")?.split_once("] ")?;
    (!name.contains([' ', '[', ']'])).then_some(rest)
}

/// The programs whose lines the classifiers read: a header pasted without its stamp is taken as
/// one only for them, so that prose is not.
fn is_classified_program(program: &str) -> bool {
    // (A child's tag in any case too: a shipper's or a retyping's `keepalived_vrrp`; the
    // keepalived table's program pattern ignores case. Not a bare `keepalived`: an init
    // script's `Starting keepalived:` is no tag.)
    program == "kernel" || is_keepalived_program(program) || program == "systemd"
}

/// A keepalived child process's name (`Keepalived_vrrp`, `Keepalived_healthcheckers`, a
/// shipper's `keepalived_vrrp`): without a colon after it, a tag all the same (not the parent's
/// `Keepalived`, which prose writes too: `Starting Keepalived v2.2.8`).
pub fn is_keepalived_child(program: &str) -> bool {
    program
        .get(..11)
        .is_some_and(|name| name.eq_ignore_ascii_case("keepalived_"))
}

/// A keepalived process's name (`Keepalived`, `Keepalived_vrrp`, a shipper's `keepalived_vrrp`).
fn is_keepalived_program(program: &str) -> bool {
    program.starts_with("Keepalived") || is_keepalived_child(program)
}

/// `host kernel: ...` or `host Keepalived_vrrp[12]: ...` with no stamp before the host: only the
/// programs whose lines the classifiers read, so that prose is not taken for a header (a
/// keepalived process's name without the colon too, `host Keepalived_vrrp Track script ...`, where
/// `stamped`: after a stamp, not in prose).
fn stampless_syslog_header(line: &str, stamped: bool) -> bool {
    let mut words = line.split_ascii_whitespace();
    let (Some(host), Some(tag)) = (words.next(), tag_after_host(&mut words)) else {
        return false;
    };
    let program = tag
        .strip_suffix(':')
        .map(|tag| tag.split('[').next().unwrap_or(tag))
        .or_else(|| {
            (stamped
                && is_keepalived_child(tag)
                && !tag.contains(['[', ':'])
                && words.next().is_some())
            .then_some(tag)
        });
    !host.ends_with(':')
        && host
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"-._".contains(&byte))
        && program.is_some_and(is_classified_program)
        && (tag.ends_with("]:") || !tag.contains('['))
}

/// Lines that begin with a word: `Www Mmm dd HH:MM:SS YYYY:` (keepalived's console), `Mmm dd
/// HH:MM:SS host prog:` (syslog, journalctl, localized months too), or a syslog header pasted
/// without its stamp.
fn worded(trimmed: &str) -> Option<Envelope<'_>> {
    if let Some(envelope) = weekday_iso_syslog(trimmed) {
        return Some(envelope);
    }
    let mut cursor = Cursor::new(trimmed);
    if let Some(stamp) = weekday_stamp(&mut cursor) {
        let mut envelope = Envelope::bare(EnvelopeFormat::KeepalivedConsole, "");
        envelope.stamp = Some(stamp);
        if !cursor.eat(b':') {
            // OpenWrt's logread: the stamp, a `facility.level` word, then `ident[pid]: msg`.
            cursor.skip_spaces();
            let rest = cursor.rest();
            let tagged = rest
                .split_once(' ')
                .filter(|(word, _)| is_facility_level(word))
                .map_or(rest, |(_, after)| after.trim_start());
            if let Some(inner) = tag_only(tagged) {
                return Some(Envelope {
                    stamp: Some(stamp),
                    format: EnvelopeFormat::Rfc3164,
                    ..inner
                });
            }
        }
        cursor.skip_spaces();
        envelope.message = cursor.rest();
        return Some(envelope);
    }
    let mut cursor = Cursor::new(trimmed);
    if let Some(stamp) = month_day_stamp(&mut cursor) {
        let mut envelope = Envelope::bare(EnvelopeFormat::Rfc3164, "");
        envelope.stamp = Some(stamp);
        syslog_header(&mut cursor, &mut envelope);
        return Some(envelope);
    }
    // Asked after a syslog stamp, the common line, was not found: it begins with a weekday.
    if let Some((_, message)) = dayless_console_line(trimmed) {
        return Some(Envelope::bare(EnvelopeFormat::KeepalivedConsole, message));
    }
    // A syslog line whose paste lost the first letter of its month (`un 25 23:29:04 host prog:`).
    let mut cursor = Cursor::new(trimmed);
    if let Some(month) = cut_month(&mut cursor)
        && let Some(stamp) = day_and_clock(&mut cursor, month)
        && looks_like_syslog_header(cursor.rest())
    {
        let mut envelope = Envelope::bare(EnvelopeFormat::Rfc3164, "");
        envelope.stamp = Some(stamp);
        envelope.month_cut = true;
        syslog_header(&mut cursor, &mut envelope);
        return Some(envelope);
    }
    if let Some((_, mut cursor)) = cut_stamp_clock(trimmed) {
        let mut envelope = Envelope::bare(EnvelopeFormat::Rfc3164, "");
        syslog_header(&mut cursor, &mut envelope);
        return Some(envelope);
    }
    // A syslog line pasted without its stamp: `host kernel: msg`, `host Keepalived_vrrp[7]:`.
    if stampless_syslog_header(trimmed, false) {
        let mut cursor = Cursor::new(trimmed);
        let mut envelope = Envelope::bare(EnvelopeFormat::Rfc3164, "");
        syslog_header(&mut cursor, &mut envelope);
        return Some(envelope);
    }
    tag_only(trimmed)
}

/// The length of a `facility.level` word and the space after it at the start of `text`, when
/// one is there. Asked of every syslog line's tag: a tag's first byte (upper case, `:`, `[`)
/// mostly rejects it at once.
fn facility_level_length(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    if !bytes.first().is_some_and(u8::is_ascii_lowercase) {
        return None;
    }
    let end = bytes
        .iter()
        .position(|byte| !(byte.is_ascii_lowercase() || byte.is_ascii_digit() || *byte == b'.'))?;
    (bytes[end] == b' ' && is_facility_level(&text[..end])).then_some(end + 1)
}

/// `daemon.info`, `kern.warn`: a syslog facility and level, as OpenWrt's logread writes them.
fn is_facility_level(word: &str) -> bool {
    word.split_once('.').is_some_and(|(facility, level)| {
        !facility.is_empty()
            && facility
                .bytes()
                .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit())
            && matches!(
                level,
                "emerg" | "alert" | "crit" | "err" | "warn" | "notice" | "info" | "debug"
            )
    })
}

/// A syslog line pasted without its stamp and host (`Keepalived_vrrp[2752]: (M3_2) Entering
/// BACKUP STATE (init)`, `kernel: drbd r0: ...`): only the programs whose lines the classifiers
/// read, so that prose is not taken for a header.
fn tag_only(line: &str) -> Option<Envelope<'_>> {
    let (tag, message) = line.split_once(": ")?;
    // A pid the paste masked (`Keepalived[xxxx1]:`, `[####]`) leaves the line without one.
    let (program, pid) = match tag.split_once('[') {
        Some((program, pid)) => {
            let pid = pid.strip_suffix(']')?;
            let masked = pid.len() >= 3
                && pid
                    .bytes()
                    .all(|byte| byte.is_ascii_digit() || b"xX#*".contains(&byte));
            match pid.parse::<u32>() {
                Ok(pid) => (program, Some(pid)),
                Err(_) if masked => (program, None),
                Err(_) => return None,
            }
        }
        None => (tag, None),
    };
    if !is_classified_program(program) || program.contains(' ') {
        return None;
    }
    let mut envelope = Envelope::bare(EnvelopeFormat::Rfc3164, message.trim_start_matches(' '));
    envelope.program = Some(program);
    envelope.pid = pid;
    if program == "kernel" {
        envelope.message = strip_monotonic(message);
    }
    Some(envelope)
}

/// After an ISO stamp without a zone or without its `T`: a syslog header of a program the
/// classifiers read, with a host (`host Keepalived_vrrp[7]: msg`), or with a `facility.level`
/// word where the host would be, or neither.
fn iso_syslog(rest: &str) -> Option<Envelope<'_>> {
    let rest = rest.trim_start_matches(' ');
    let (first, after) = rest.split_once(' ').unwrap_or((rest, ""));
    // Checked on every line of an application's log: its first two words decide, cheaply.
    let may_be_tag = |word: &str| {
        word.split(['[', ':'])
            .next()
            .is_some_and(is_classified_program)
    };
    let second = after.trim_start_matches(' ');
    let third = || {
        facility_level_length(second)
            .is_some_and(|length| may_be_tag(second[length..].trim_start_matches(' ')))
    };
    if !may_be_tag(first) && !may_be_tag(second) && !third() {
        return None;
    }
    if is_facility_level(first) {
        return tag_only(after.trim_start_matches(' ')).map(|inner| Envelope {
            format: EnvelopeFormat::Rfc3339,
            ..inner
        });
    }
    if stampless_syslog_header(rest, true) {
        let mut cursor = Cursor::new(rest);
        let mut envelope = Envelope::bare(EnvelopeFormat::Rfc3339, "");
        syslog_header(&mut cursor, &mut envelope);
        return Some(envelope);
    }
    tag_only(rest).map(|inner| Envelope {
        format: EnvelopeFormat::Rfc3339,
        ..inner
    })
}

fn looks_like_syslog_header(rest: &str) -> bool {
    let mut words = rest.split_ascii_whitespace();
    let _host = words.next();
    tag_after_host(&mut words)
        .is_some_and(|tag| tag.ends_with(':') || (tag.contains('[') && tag.contains("]:")))
}

/// The word after a syslog header's host: its tag, past a `facility.level` word between them.
fn tag_after_host<'a>(words: &mut impl Iterator<Item = &'a str>) -> Option<&'a str> {
    words.next().and_then(|word| {
        if is_facility_level(word) {
            words.next()
        } else {
            Some(word)
        }
    })
}

/// `<PRI>1 TS HOST APP PROCID MSGID SD MSG`, or a 3164 line that kept its `<PRI>`.
fn rfc5424_or_prefixed(line: &str) -> Option<Envelope<'_>> {
    let close = line.find('>')?;
    if close > 4 || !line[1..close].bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let after = &line[close + 1..];
    if let Some(rest) = after.strip_prefix("1 ") {
        let mut cursor = Cursor::new(rest);
        let (stamp, _) = iso_stamp(&mut cursor)?;
        let mut envelope = Envelope::bare(EnvelopeFormat::Rfc5424, "");
        envelope.stamp = Some(stamp);
        let nil = |word: &str| (word != "-" && !word.is_empty()).then_some(());
        cursor.skip_spaces();
        let host = cursor.word();
        envelope.host = nil(host).map(|_| host);
        cursor.skip_spaces();
        let app = cursor.word();
        envelope.program = nil(app).map(|_| app);
        cursor.skip_spaces();
        envelope.pid = cursor.word().parse().ok();
        cursor.skip_spaces();
        let _message_id = cursor.word();
        cursor.skip_spaces();
        if cursor.eat(b'-') {
        } else if cursor.peek() == Some(b'[') {
            // Structured data: [id k="v"]..., quotes may hold escaped brackets.
            let bytes = cursor.text.as_bytes();
            let mut depth = 0;
            let mut escaped = false;
            let mut quoted = false;
            while cursor.position < bytes.len() {
                let byte = bytes[cursor.position];
                cursor.position += 1;
                if escaped {
                    escaped = false;
                    continue;
                }
                match byte {
                    b'\\' => escaped = true,
                    b'"' => quoted = !quoted,
                    b'[' if !quoted => depth += 1,
                    b']' if !quoted => {
                        depth -= 1;
                        if depth == 0 && cursor.peek() != Some(b'[') {
                            break;
                        }
                    }
                    _ => {}
                }
            }
        }
        cursor.skip_spaces();
        let message = cursor.rest();
        envelope.message = message.strip_prefix('\u{feff}').unwrap_or(message);
        if envelope.program == Some("kernel") {
            envelope.message = strip_monotonic(envelope.message);
        }
        return Some(envelope);
    }
    let inner = parse(after);
    inner.stamp.is_some().then_some(inner)
}

/// `[2026-11-25 14:20:36] [LEVEL] msg`, `[ 1142.904077] msg` (dmesg) or `[Wed Mar 24 ...] msg`.
fn bracketed(line: &str) -> Option<Envelope<'_>> {
    let close = line.find(']')?;
    let inner = line[1..close].trim();
    let after = &line[close + 1..];
    let mut cursor = Cursor::new(inner);
    if let Some((stamp, _)) = iso_stamp(&mut cursor) {
        let mut envelope = Envelope::bare(EnvelopeFormat::Application, "");
        envelope.stamp = Some(stamp);
        let mut rest = Cursor::new(after);
        application_header(&mut rest, &mut envelope);
        return Some(envelope);
    }
    let mut cursor = Cursor::new(inner);
    if let Some(stamp) = weekday_stamp(&mut cursor) {
        let mut envelope = Envelope::bare(
            EnvelopeFormat::Dmesg,
            strip_printk_caller(after.trim_start()),
        );
        envelope.stamp = Some(stamp);
        return Some(envelope);
    }
    // Seconds since boot (`[ 1142.904077]`), or since the previous message as `dmesg -H` and
    // `--reltime` write them (`[  +0.000082]`), or `dmesg -H`'s minute header (`[Sep27 20:57]`):
    // no wall-clock time either way.
    // (One dot at most: `[10.2.1.229]:443`, an address keepalived's checker writes, opens a
    // wrapped line's piece.)
    let seconds = inner.strip_prefix('+').unwrap_or(inner);
    if (!seconds.is_empty()
        && seconds
            .bytes()
            .all(|byte| byte.is_ascii_digit() || byte == b'.')
        && seconds.bytes().filter(|byte| *byte == b'.').count() <= 1)
        || is_dmesg_minute_header(inner)
    {
        // `journalctl -o short-monotonic`: the seconds since boot, then a syslog header of a
        // program the classifiers read (`host kernel: drbd r0: ...`; not the kernel's own
        // `drbd r0: ...`, whose device would read as a tag).
        if looks_like_syslog_header(after.trim_start()) {
            let mut cursor = Cursor::new(after.trim_start());
            let mut envelope = Envelope::bare(EnvelopeFormat::Dmesg, "");
            syslog_header(&mut cursor, &mut envelope);
            if envelope.names_a_read_program() {
                return Some(envelope);
            }
        }
        return Some(Envelope::bare(
            EnvelopeFormat::Dmesg,
            strip_printk_caller(after.trim_start()),
        ));
    }
    None
}

/// The seconds since boot a dmesg line opens with (`[ 1142.904077] drbd ...`): the kernel's
/// monotonic clock, which orders and spaces the lines of one boot where no wall-clock time is
/// written. Not `dmesg -H`'s or `--reltime`'s `[  +0.000082]` (since the previous message).
pub fn seconds_since_boot(line: &str) -> Option<f64> {
    // (Quoted, bulleted or numbered as a paste's other lines were.)
    let line = undecorated(line).trim_start();
    let line = line_numbered(line).unwrap_or(line);
    let (inner, whole, _) = bracketed_seconds(line.trim_start())?;
    if whole.len() > 12 {
        return None;
    }
    inner.parse().ok()
}

/// `dmesg -H`'s header of a new minute: `Sep27 20:57` (month, day, hour and minute).
fn is_dmesg_minute_header(inner: &str) -> bool {
    let bytes = inner.as_bytes();
    bytes.len() == 11
        && inner.get(..3).and_then(month_number).is_some()
        && bytes[3..5].iter().all(u8::is_ascii_digit)
        && bytes[5] == b' '
        && bytes[6..8].iter().all(u8::is_ascii_digit)
        && bytes[8] == b':'
        && bytes[9..].iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_viewers_numeric_stamp_before_the_line() {
        // Rancher's view before keepalived's console line: keepalived's own stamp is kept.
        let line = "9/19/2018 1:56:29 PMWed Sep 19 13:56:29 2018: (lb-vips) Entering FAULT STATE";
        let envelope = parse(line);
        let stamp = envelope.stamp.expect("stamped");
        assert_eq!(
            (stamp.month, stamp.day, stamp.hour),
            (9, 19, 13),
            "{envelope:?}"
        );
        assert_eq!(envelope.message, "(lb-vips) Entering FAULT STATE");
        // Before a line with no stamp of its own: the viewer's, day first with dashes.
        let envelope =
            parse("10-7-2017 22:05:31Keepalived_vrrp[21]: pid 33 exited with status 256");
        let stamp = envelope.stamp.expect("stamped");
        assert_eq!(
            (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.second),
            (Some(2017), 7, 10, 22, 31)
        );
        assert_eq!(envelope.program, Some("Keepalived_vrrp"));
        assert_eq!(envelope.message, "pid 33 exited with status 256");
        let envelope = parse("10-7-2017 22:05:31daemon is already running");
        assert!(envelope.stamp.is_some(), "{envelope:?}");
        assert_eq!(envelope.message, "daemon is already running");
        // 12 AM is midnight; a clock past 12 with PM is no 12-hour clock.
        assert_eq!(
            parse("1/2/2020 12:00:01 AM x: y")
                .stamp
                .map(|stamp| stamp.hour),
            Some(0)
        );
        // AM beginning a word is no half of the day; an hour past 12 is a 24-hour clock.
        let envelope = parse("3/4/2021 11:00:00 AMQP connection to rabbitmq lost");
        assert_eq!(envelope.stamp.map(|stamp| stamp.hour), Some(11));
        assert_eq!(envelope.message, "AMQP connection to rabbitmq lost");
        assert_eq!(
            parse("3/4/2021 13:00:00 AMQP x")
                .stamp
                .map(|stamp| stamp.hour),
            Some(13)
        );
        // A version number or an address is no date.
        assert!(parse("1.2.2020").stamp.is_none());
        assert!(parse("10.7.2017.5 22:05:31 x").stamp.is_none());
    }

    #[test]
    fn a_shell_prompt_gives_the_command_typed_at_it() {
        for (line, command) in [
            (
                "[root@k8s-master2 ~]# journalctl -xeu keepalived-k8s|grep STATE",
                "journalctl -xeu keepalived-k8s|grep STATE",
            ),
            (
                "deploy@lab06-ha-node1:~$ cat /var/log/syslog | grep VI_1",
                "cat /var/log/syslog | grep VI_1",
            ),
            ("$ dmesg | awk '/drbd/'", "dmesg | awk '/drbd/'"),
            (
                "controller0:/# journalctl -u k0scontroller | grep component=keepalived",
                "journalctl -u k0scontroller | grep component=keepalived",
            ),
            (
                "root@lb1:/var/log# zgrep VI_1 messages.1.gz",
                "zgrep VI_1 messages.1.gz",
            ),
            (
                "  root@balancer1:/home/vagrant# ip link set eth1 down",
                "ip link set eth1 down",
            ),
            (
                "[root@node3 scripts]# systemctl status  keepalived.service",
                "systemctl status  keepalived.service",
            ),
            ("# log message on the node1", "log message on the node1"),
        ] {
            assert_eq!(shell_prompt_command(line), Some(command), "{line}");
        }
        for line in [
            "#log message on the node1",
            "Nov 02 14:23:19 k8s-master2 Keepalived_vrrp[18062]: grep",
            "user@example.com: please grep for it",
            "note: the fix # grep it",
            "Error:/usr/lib/x.so # grep",
            "[root@lb1 ~]# ",
            "(VI_1) Entering MASTER STATE",
        ] {
            assert_eq!(shell_prompt_command(line), None, "{line}");
        }
        for (line, host) in [
            (
                "[root@ssq-58-56 opt]# /etc/init.d/keepalived stop",
                Some("ssq-58-56"),
            ),
            ("deploy@lab06-ha-node1:~$ ls", Some("lab06-ha-node1")),
            ("controller0:/# ls", Some("controller0")),
            ("$ ls", None),
        ] {
            assert_eq!(shell_prompt(line).unwrap().host, host, "{line}");
        }
        let long = format!("$ grep {}", "x".repeat(MAX_PROMPT_COMMAND));
        assert_eq!(shell_prompt_command(&long), None);
        // Decorated as a paste decorates its log lines.
        for line in [
            "/var/log/notes.txt:ana@hq:~$ grep -E \"Entering\" /run/keepalived.log",
            "[pod/keepalived-x/keepalived] ana@hq:~$ grep -E \"Entering\" /run/keepalived.log",
            "> ana@hq:~$ grep -E \"Entering\" /run/keepalived.log",
            "   12\tana@hq:~$ grep -E \"Entering\" /run/keepalived.log",
        ] {
            assert_eq!(
                pasted_shell_prompt(line),
                Some(ShellPrompt {
                    host: Some("hq"),
                    command: "grep -E \"Entering\" /run/keepalived.log"
                }),
                "{line}"
            );
        }
    }

    #[test]
    fn seconds_since_boot_are_read_from_dmesg_stamps_only() {
        assert_eq!(
            seconds_since_boot("[ 1142.904077] drbd drbd0: conn( Connected -> NetworkFailure )"),
            Some(1142.904077)
        );
        assert_eq!(
            seconds_since_boot("[349071.916117] drbd drbd0: sock was shut down by peer"),
            Some(349071.916117)
        );
        assert_eq!(seconds_since_boot("[  +0.000082] drbd drbd0: ..."), None);
        assert_eq!(seconds_since_boot("[Sep27 20:57] drbd drbd0: ..."), None);
        assert_eq!(
            seconds_since_boot("[Wed Mar 24 16:47:34 2021] drbd ..."),
            None
        );
        assert_eq!(seconds_since_boot("[ 12] x"), None);
        assert_eq!(
            seconds_since_boot("Mar  3 10:00:22 node65 kernel: [ 7.5] drbd"),
            None
        );
        assert_eq!(seconds_since_boot("[1.2.3] x"), None);
        assert_eq!(seconds_since_boot("["), None);
    }

    #[test]
    fn the_zone_a_status_block_or_journal_header_names() {
        assert_eq!(
            stated_zone("   Active: active (running) since Mon 2021-03-01 10:11:12 CST; 2h ago"),
            Some("CST")
        );
        assert_eq!(
            stated_zone("Active: active (running) since Tue 2023-05-02 08:00:01 +07; 1 day ago"),
            Some("+07")
        );
        assert_eq!(
            stated_zone(
                "-- Logs begin at Fri 2020-10-23 11:17:41 UTC, end at Wed 2021-03-03 18:17:15 UTC. --"
            ),
            Some("UTC")
        );
        assert_eq!(
            stated_zone(
                "-- Journal begins at Sun 2022-01-02 10:00:00 CET, ends at Mon 2022-01-03 11:00:00 CET. --"
            ),
            Some("CET")
        );
        assert_eq!(
            stated_zone("-- Journal begins at Wed 2025-11-26 08:51:12 PST. --"),
            Some("PST")
        );
        assert_eq!(
            stated_zone("-- Logs begin at Thu 2025-06-05 03:42:13 UTC. --"),
            Some("UTC")
        );
        assert_eq!(
            stated_zone("# -- Journal begins at Wed 2025-11-26 08:51:12 PST. --"),
            Some("PST")
        );
        assert_eq!(stated_zone("-- Journal begins at Wed 2025-11-26. --"), None);
        assert_eq!(
            stated_zone("Active: active (running) since Mon 2021-03-01 10:11:12; 2h ago"),
            None
        );
        assert_eq!(stated_zone("Active: inactive (dead)"), None);
        assert_eq!(
            stated_zone("Jan 28 11:38:46 p2 Keepalived_vrrp[1]: since 10:11:12 CST;"),
            None
        );
    }

    #[test]
    fn a_month_cut_to_its_last_letters_is_read_when_one_month_ends_so() {
        let envelope = parse(
            "un 25 23:29:04 BSP-POC6 Keepalived_vrrp[23071]: (AST3) Backup received priority 0 advertisement",
        );
        assert!(envelope.month_cut);
        assert_eq!(
            (envelope.stamp.unwrap().month, envelope.stamp.unwrap().day),
            (6, 25)
        );
        assert_eq!(envelope.program, Some("Keepalived_vrrp"));
        assert_eq!(
            envelope.message,
            "(AST3) Backup received priority 0 advertisement"
        );
        let whole = parse("Jun 25 23:29:04 BSP-POC6 Keepalived_vrrp[23071]: (AST3) msg");
        assert!(!whole.month_cut);
        // One letter, when only one month ends with it (`b`: Feb).
        let letter = parse("b 3 18:08:09 localhost Keepalived_vrrp[5549]: VRRP_Instance(VI_1) msg");
        assert!(letter.month_cut);
        assert_eq!(
            letter
                .stamp
                .map(|stamp| (stamp.month, stamp.day, stamp.hour)),
            Some((2, 3, 18))
        );
        assert_eq!(letter.message, "VRRP_Instance(VI_1) msg");
        // One letter fits two months (Jan, Jun): the line keeps its time of day only.
        let ambiguous = parse("n 25 23:29:04 host Keepalived_vrrp[1]: msg");
        assert!(ambiguous.stamp.is_none() && !ambiguous.month_cut);
        assert_eq!(
            time_of_day("n 25 23:29:04 host Keepalived_vrrp[1]: msg"),
            Some((23, 29, 4, 0, 0))
        );
        assert_eq!(ambiguous.program, Some("Keepalived_vrrp"));
        // Two letters no month ends with; prose.
        for line in [
            "ab 25 23:29:04 host Keepalived_vrrp[1]: msg",
            "on 25 December we met",
        ] {
            let envelope = parse(line);
            assert!(
                envelope.stamp.is_none() && time_of_day(line).is_none(),
                "{line}"
            );
        }
    }

    #[test]
    fn a_syslog_line_without_its_host_is_read_with_its_tag() {
        let envelope = parse(
            "Mar 11 16:50:52 Keepalived_vrrp[1753]: VRRP_Instance(vnfvrrp) Entering MASTER STATE",
        );
        assert!(envelope.stamp.is_some());
        assert_eq!(envelope.host, None);
        assert_eq!(envelope.program, Some("Keepalived_vrrp"));
        assert_eq!(envelope.pid, Some(1753));
        assert_eq!(
            envelope.message,
            "VRRP_Instance(vnfvrrp) Entering MASTER STATE"
        );
        let kernel = parse("Mar 11 16:50:52 kernel: drbd r0: conn( Connected -> Disconnecting )");
        assert_eq!((kernel.host, kernel.program), (None, Some("kernel")));
        // With its host, as before.
        let hosted = parse("Mar 11 16:50:52 s2 Keepalived_vrrp[1753]: VRRP_Instance(v) x");
        assert_eq!(
            (hosted.host, hosted.program),
            (Some("s2"), Some("Keepalived_vrrp"))
        );
    }

    #[test]
    fn a_syslog_line_with_only_a_clock_is_read_without_a_time() {
        let envelope = parse(
            "15:23:03 srv-test Keepalived_vrrp_vrf1[53027]: VRRP_Instance(lan) Transition to MASTER STATE",
        );
        assert_eq!(envelope.stamp, None);
        // Its time of day is kept: the file's line before it may date it.
        assert_eq!(
            time_of_day(
                "15:23:03 srv-test Keepalived_vrrp_vrf1[53027]: VRRP_Instance(lan) Transition to MASTER STATE"
            ),
            Some((15, 23, 3, 0, 0))
        );
        assert_eq!(envelope.host, Some("srv-test"));
        assert_eq!(envelope.program, Some("Keepalived_vrrp_vrf1"));
        assert_eq!(
            envelope.message,
            "VRRP_Instance(lan) Transition to MASTER STATE"
        );
        // Prose that starts with a clock is not a header.
        assert_eq!(parse("15:23:03 was when it failed").program, None);
    }

    #[test]
    fn a_triple_reads_what_its_digits_and_separators_read_one_by_one() {
        let texts = [
            "2026-11-25 00:00:00,000 INFO",
            "2026-11-25T14:20:36.123456+00:00",
            "2026-11-2",
            "2026-11-25",
            "2026/11/25",
            "202a-11-25",
            "2026-11-2é",
            "23:59:60.5",
            "23:59",
            "23-59-60",
            "1:02:03",
            "",
        ];
        for text in texts {
            for (separator, widths) in [(b'-', [4, 2, 2]), (b':', [2, 2, 2])] {
                let mut cursor = Cursor::new(text);
                let read = cursor
                    .triple(separator, widths)
                    .map(|found| (found, cursor.position));
                // One number, then a separator before each of the others.
                let mut step = Cursor::new(text);
                let mut numbers = Vec::new();
                for (index, width) in widths.into_iter().enumerate() {
                    if index > 0 && !step.eat(separator) {
                        break;
                    }
                    match step.digits(width) {
                        Some(number) => numbers.push(number),
                        None => break,
                    }
                }
                let stepped = <[u32; 3]>::try_from(numbers)
                    .ok()
                    .map(|found| (found, step.position));
                assert_eq!(read, stepped, "{text}");
            }
        }
    }

    fn stamp(envelope: &Envelope) -> (Option<i32>, u32, u32, u32, u32, u32, u32, u8, Option<i32>) {
        let stamp = envelope.stamp.expect("a stamp");
        (
            stamp.year,
            stamp.month,
            stamp.day,
            stamp.hour,
            stamp.minute,
            stamp.second,
            stamp.nanos,
            stamp.fraction_digits,
            stamp.offset_s,
        )
    }

    #[test]
    fn rfc3164_with_space_and_zero_padded_days() {
        let line = "Nov  5 14:20:36 esc-ha-0 Keepalived_vrrp[1234]: (esc_ha) Entering MASTER STATE";
        let envelope = parse(line);
        assert_eq!(envelope.format, EnvelopeFormat::Rfc3164);
        assert_eq!(stamp(&envelope), (None, 11, 5, 14, 20, 36, 0, 0, None));
        assert_eq!(envelope.host, Some("esc-ha-0"));
        assert_eq!(envelope.program, Some("Keepalived_vrrp"));
        assert_eq!(envelope.pid, Some(1234));
        assert_eq!(envelope.message, "(esc_ha) Entering MASTER STATE");
        let journal = parse("Jan 07 18:06:38 R6 Keepalived_vrrp[1279]: Stopped");
        assert_eq!(stamp(&journal), (None, 1, 7, 18, 6, 38, 0, 0, None));
        assert_eq!(journal.message, "Stopped");
    }

    #[test]
    fn journal_short_precise_keeps_microseconds() {
        let envelope =
            parse("Nov 25 14:20:36.123456 esc-ha-1 Keepalived[900]: Starting Keepalived v2.2.7");
        assert_eq!(
            stamp(&envelope),
            (None, 11, 25, 14, 20, 36, 123_456_000, 6, None)
        );
        assert_eq!(envelope.program, Some("Keepalived"));
    }

    #[test]
    fn rfc3339_and_journal_short_iso() {
        let envelope = parse(
            "2026-11-25T14:20:36.123456+01:00 esc-ha-0 Keepalived_vrrp[32767]: (esc_ha) sent 0 priority",
        );
        assert_eq!(envelope.format, EnvelopeFormat::Rfc3339);
        assert_eq!(
            stamp(&envelope),
            (Some(2026), 11, 25, 14, 20, 36, 123_456_000, 6, Some(3600))
        );
        assert_eq!(envelope.message, "(esc_ha) sent 0 priority");
        let iso = parse(
            "2026-11-25T14:20:36+0000 esc-ha-0 kernel: [ 1142.904077] block drbd1: role( Secondary -> Primary )",
        );
        assert_eq!(iso.format, EnvelopeFormat::Rfc3339);
        assert_eq!(iso.offset_s(), Some(0));
        assert_eq!(iso.program, Some("kernel"));
        assert_eq!(iso.message, "block drbd1: role( Secondary -> Primary )");
    }

    #[test]
    fn local_iso_stamps_before_a_syslog_header_of_keepalived() {
        // A syslog template with a local time and a space for the `T`: with a host, with a
        // `facility.level` word in its place, with neither; two spaces after the tag.
        for (line, host) in [
            (
                "2019-05-05 11:50:13 srv01 Keepalived_vrrp[10819]: (Srv01) entering FAULT state",
                Some("srv01"),
            ),
            (
                "2019-05-05 11:50:13 local0.info Keepalived_vrrp[10819]:  (Srv01) entering FAULT state",
                None,
            ),
            (
                "2019-05-05T11:50:13 Keepalived_vrrp[10819]: (Srv01) entering FAULT state",
                None,
            ),
        ] {
            let envelope = parse(line);
            assert_eq!(envelope.format, EnvelopeFormat::Rfc3339, "{line}");
            assert_eq!(
                stamp(&envelope),
                (Some(2019), 5, 5, 11, 50, 13, 0, 0, None),
                "{line}"
            );
            assert_eq!(envelope.host, host, "{line}");
            assert_eq!(envelope.program, Some("Keepalived_vrrp"), "{line}");
            assert_eq!(envelope.pid, Some(10819), "{line}");
            assert_eq!(envelope.message, "(Srv01) entering FAULT state", "{line}");
        }
        // An application's log with the same stamp stays one: its level is no host.
        let application = parse("2019-05-05 11:50:13 INFO  [main] EscManager: started");
        assert_eq!(application.format, EnvelopeFormat::Application);
        assert_eq!(application.level, Some("INFO"));
        let syslog = parse("Nov 25 10:00:00 lb1 Keepalived_vrrp[7]:  (VI_1) Entering MASTER STATE");
        assert_eq!(syslog.message, "(VI_1) Entering MASTER STATE");
    }

    #[test]
    fn a_collector_template_without_the_colon_after_keepalived_s_tag() {
        // ISO stamp with milliseconds, host, spaces, `Keepalived_vrrp` with neither pid nor
        // colon: keepalived's process names only are taken for a tag so.
        let line = "2019-11-17T14:30:17.689 o-cld-filedb1   Keepalived_vrrp Track script chk_db is being timed out, expect idle - skipping run";
        let envelope = parse(line);
        assert_eq!(envelope.host, Some("o-cld-filedb1"));
        assert_eq!(envelope.program, Some("Keepalived_vrrp"));
        assert_eq!(envelope.pid, None);
        assert_eq!(
            envelope.message,
            "Track script chk_db is being timed out, expect idle - skipping run"
        );
        // Another program's word without a colon stays part of the message, and so does the
        // parent's name, which prose writes too.
        let other = parse("2019-11-17T14:30:17.689 db1 cron Started daily jobs");
        assert_eq!(other.program, None);
        let prose = parse("2019-11-17T14:30:17 Starting Keepalived v1.2.24 (04/19,2017)");
        assert_ne!(prose.program, Some("Keepalived"));
    }

    #[test]
    fn a_journal_header_says_when_its_paste_ends() {
        let moment = |line: &str| journal_end_moment(line).map(|moment| moment.to_string());
        let end = Some("2021-04-15 09:40:51".to_string());
        let header =
            "-- Logs begin at Fri 2020-10-23 11:17:41 UTC, end at Thu 2021-04-15 09:40:51 UTC. --";
        assert_eq!(moment(header), end);
        assert_eq!(moment(&format!("2:{header}")), end, "grep -n");
        assert_eq!(
            moment(
                "-- Journal begins at Mon 2021-03-01 10:00:00 CET, ends at Thu 2021-04-15 09:40:51 CEST. --"
            ),
            end
        );
        // Wrapped by a mail client: either part.
        assert_eq!(
            moment("-- Logs begin at Fri 2020-10-23 11:17:41 UTC, end at Thu 2021-04-15"),
            Some("2021-04-15 23:59:59".to_string())
        );
        assert_eq!(moment("Thu 2021-04-15 09:40:51 UTC. --"), end);
        assert_eq!(
            moment("-- Logs begin at Fri 2020-10-23 11:17:41 UTC, end at"),
            None
        );
        assert_eq!(moment("-- Reboot --"), None);
        assert_eq!(
            moment("the backup took over at 2021-04-15 09:40:51 and then --"),
            None
        );
    }

    #[test]
    fn a_journal_header_without_an_end_says_when_its_journal_begins() {
        let begin = |line: &str| journal_begin_moment(line).map(|moment| moment.to_string());
        assert_eq!(
            begin("-- Logs begin at Thu 2025-06-05 03:42:13 UTC. --"),
            Some("2025-06-05 03:42:13".to_string())
        );
        assert_eq!(
            begin("-- Journal begins at Wed 2025-11-26 08:51:12 PST. --"),
            Some("2025-11-26 08:51:12".to_string())
        );
        // A header with an end is journal_end_moment's; other lines are no header.
        assert_eq!(
            begin(
                "-- Logs begin at Fri 2020-10-23 11:17:41 UTC, end at Thu 2021-04-15 09:40:51 UTC. --"
            ),
            None
        );
        assert_eq!(begin("-- Reboot --"), None);
        assert_eq!(begin("-- Logs begin at sometime. --"), None);
    }

    #[test]
    fn a_log_file_stamp_without_its_day_of_the_month_keeps_its_time_of_day() {
        // keepalived 2.1.4 to 2.2.1 (`%a %b %T.%N %Y`): the message is read, the line undated.
        let line = "Sun Dec 20:00:20.178335633 2020: (vrrp-ha) Entering FAULT STATE";
        let envelope = parse(line);
        assert_eq!(envelope.format, EnvelopeFormat::KeepalivedConsole);
        assert_eq!(envelope.stamp, None);
        assert_eq!(envelope.message, "(vrrp-ha) Entering FAULT STATE");
        assert_eq!(time_of_day(line), Some((20, 0, 20, 178_335_633, 9)));
        // With its day, the stamp is whole.
        let whole = parse("Sun Dec 20 20:00:20.178335633 2020: (vrrp-ha) Entering FAULT STATE");
        assert_eq!(whole.stamp.map(|stamp| stamp.day), Some(20));
    }

    #[test]
    fn a_facility_level_word_after_the_host_is_neither_host_nor_tag() {
        // busybox's syslogd (Alpine) writes `facility.level` after the host; some templates
        // write it in the host's place; an RFC 3339 or local ISO stamp may come before either.
        for (line, host) in [
            (
                "Jan 17 17:26:08 lb1 daemon.info Keepalived_vrrp[123]: (VI_1) Entering MASTER STATE",
                Some("lb1"),
            ),
            (
                "Jan 17 17:26:08 daemon.notice Keepalived_vrrp[123]: (VI_1) Entering MASTER STATE",
                None,
            ),
            (
                "2024-01-17T17:26:08+01:00 lb1 daemon.info Keepalived_vrrp[123]: (VI_1) Entering MASTER STATE",
                Some("lb1"),
            ),
            (
                "2024-01-17 17:26:08 lb1 daemon.info Keepalived_vrrp[123]: (VI_1) Entering MASTER STATE",
                Some("lb1"),
            ),
        ] {
            let envelope = parse(line);
            assert_eq!(envelope.host, host, "{line}");
            assert_eq!(envelope.program, Some("Keepalived_vrrp"), "{line}");
            assert_eq!(envelope.pid, Some(123), "{line}");
            assert_eq!(envelope.message, "(VI_1) Entering MASTER STATE", "{line}");
        }
        // A host followed by a word that only looks like one is left as it was.
        let other = parse("Jan 17 17:26:08 lb1 sshd.service: started");
        assert_eq!(other.host, Some("lb1"));
        assert_eq!(other.program, Some("sshd.service"));
    }

    impl Envelope<'_> {
        fn offset_s(&self) -> Option<i32> {
            self.stamp.and_then(|stamp| stamp.offset_s)
        }
    }

    #[test]
    fn rfc5424_with_and_without_structured_data() {
        let envelope = parse(
            "<30>1 2026-11-25T14:20:36.5Z esc-ha-0 Keepalived_vrrp 4242 - - (esc_ha) Entering BACKUP STATE (init)",
        );
        assert_eq!(envelope.format, EnvelopeFormat::Rfc5424);
        assert_eq!(
            stamp(&envelope),
            (Some(2026), 11, 25, 14, 20, 36, 500_000_000, 1, Some(0))
        );
        assert_eq!(envelope.program, Some("Keepalived_vrrp"));
        assert_eq!(envelope.pid, Some(4242));
        assert_eq!(envelope.message, "(esc_ha) Entering BACKUP STATE (init)");
        let with_data = parse(
            r#"<30>1 2026-11-25T14:20:36Z h app - ID1 [x@1 a="b\]c"][y@2 k="v"] hello world"#,
        );
        assert_eq!(with_data.message, "hello world");
        assert_eq!(with_data.pid, None);
    }

    #[test]
    fn keepalived_console_and_log_file_layouts() {
        let console = parse("Wed Nov 25 14:20:36 2026: (esc_ha) Entering MASTER STATE");
        assert_eq!(console.format, EnvelopeFormat::KeepalivedConsole);
        assert_eq!(
            stamp(&console),
            (Some(2026), 11, 25, 14, 20, 36, 0, 0, None)
        );
        assert_eq!(console.message, "(esc_ha) Entering MASTER STATE");
        let padded = parse("Thu Nov  5 08:00:01 2026: Stopped");
        assert_eq!(stamp(&padded).2, 5);
        let log_file =
            parse("Fri Nov 28 10:21:10.292599462 2025: (VI_1) Entering BACKUP STATE (init)");
        assert_eq!(
            stamp(&log_file),
            (Some(2025), 11, 28, 10, 21, 10, 292_599_462, 9, None)
        );
    }

    #[test]
    fn application_logs_of_escmanager_and_escadm() {
        let plain = parse(
            "2026-11-25 14:20:36,117 INFO  [com.cisco.esc.ha.HaStatusMonitor] [pool-3-thread-1] HA role changed to MASTER",
        );
        assert_eq!(plain.format, EnvelopeFormat::Application);
        assert_eq!(
            stamp(&plain),
            (Some(2026), 11, 25, 14, 20, 36, 117_000_000, 3, None)
        );
        assert_eq!(plain.level, Some("INFO"));
        assert_eq!(plain.logger, Some("com.cisco.esc.ha.HaStatusMonitor"));
        assert_eq!(plain.message, "HA role changed to MASTER");
        let logback = parse(
            "2026-11-25 14:20:36.117 [main] ERROR c.c.e.d.DataSourceConfig - Connection to 127.0.0.1:5432 refused",
        );
        assert_eq!(logback.level, Some("ERROR"));
        assert_eq!(logback.logger, Some("c.c.e.d.DataSourceConfig"));
        assert_eq!(logback.message, "Connection to 127.0.0.1:5432 refused");
        let python = parse("2026-11-25 14:20:36,117 INFO escadm: starting esc_service");
        assert_eq!(python.program, Some("escadm"));
        assert_eq!(python.message, "starting esc_service");
        let dashed = parse("2026-11-25 14:20:36,117 - escadm - ERROR - drbd failed to promote");
        assert_eq!(dashed.program, Some("escadm"));
        assert_eq!(dashed.level, Some("ERROR"));
        assert_eq!(dashed.message, "drbd failed to promote");
        let bracketed = parse("[2026-11-25 14:20:36] [ERROR] pgsql start failed");
        assert_eq!(bracketed.level, Some("ERROR"));
        assert_eq!(bracketed.message, "pgsql start failed");
        let clock_first = parse("15:43:58,460 11-Apr-2023 ERROR Something broke");
        assert_eq!(
            stamp(&clock_first),
            (Some(2023), 4, 11, 15, 43, 58, 460_000_000, 3, None)
        );
        assert_eq!(clock_first.message, "Something broke");
    }

    #[test]
    fn esc_tagged_log_with_its_glued_date() {
        let line = "date=15:43:58,46022-Nov-2016] [loglevel=ERROR ] [tid=0f5ba3b8-2a6f-4a43-8f4b-1d3c5ca8a0b7] [cl=OS] [tags=wf:create_vm,eventType:VM_DEPLOY_EVENT] [msg=Failed to deploy]";
        let envelope = parse(line);
        assert_eq!(envelope.format, EnvelopeFormat::Tagged);
        assert_eq!(
            stamp(&envelope),
            (Some(2016), 11, 22, 15, 43, 58, 460_000_000, 3, None)
        );
        assert_eq!(envelope.level, Some("ERROR"));
        assert_eq!(envelope.logger, Some("OS"));
        assert_eq!(envelope.message, "Failed to deploy");
        assert!(
            envelope
                .extra
                .contains(&("tid", "0f5ba3b8-2a6f-4a43-8f4b-1d3c5ca8a0b7"))
        );
    }

    #[test]
    fn journal_markers_dmesg_and_continuations() {
        assert_eq!(parse("-- Reboot --").format, EnvelopeFormat::JournalMarker);
        let dmesg = parse("[ 1142.904077] drbd esc: conn( Connected -> NetworkFailure )");
        assert_eq!(dmesg.format, EnvelopeFormat::Dmesg);
        assert_eq!(dmesg.stamp, None);
        assert_eq!(
            dmesg.message,
            "drbd esc: conn( Connected -> NetworkFailure )"
        );
        let dmesg_t = parse("[Wed Mar 24 16:47:34 2021] drbd esc: role( Secondary -> Primary )");
        assert_eq!(stamp(&dmesg_t).0, Some(2021));
        assert_eq!(
            parse("\tat com.cisco.esc.Foo.bar(Foo.java:12)").format,
            EnvelopeFormat::Bare
        );
        assert_eq!(
            parse("Caused by: java.net.ConnectException").format,
            EnvelopeFormat::Bare
        );
        let status_tail = parse(
            "    Nov 25 14:20:36 esc-ha-0 Keepalived_vrrp[12]: (esc_ha) Entering FAULT STATE",
        );
        assert_eq!(status_tail.program, Some("Keepalived_vrrp"));
    }

    #[test]
    fn numbered_months_and_weekdays_of_other_locales() {
        let syslog =
            parse(" 6月 27 16:45:03 master1 Keepalived_vrrp[20046]: Sending gratuitous ARP");
        assert_eq!(stamp(&syslog).1, 6);
        assert_eq!(syslog.program, Some("Keepalived_vrrp"));
        assert_eq!(
            super::stamp(" 6月 27 16:45:03 master1 Keepalived_vrrp[20046]: x").map(|s| s.day),
            Some(27)
        );
        let korean = parse("10월 03 08:00:01 host kernel: drbd r0: role( Secondary -> Primary )");
        assert_eq!(stamp(&korean).1, 10);
        for line in [
            "[三 8月 13 20:34:47 2025] drbd nfs/0 drbd0: Split-Brain detected but unresolved",
            "[水  8月 13 20:34:47 2025] drbd nfs/0 drbd0: Split-Brain detected but unresolved",
            "[mer. août 13 20:34:47 2025] drbd nfs/0 drbd0: Split-Brain detected but unresolved",
            "[Mi Aug 13 20:34:47 2025] drbd nfs/0 drbd0: Split-Brain detected but unresolved",
            "[Ср авг 13 20:34:47 2025] drbd nfs/0 drbd0: Split-Brain detected but unresolved",
        ] {
            let envelope = parse(line);
            assert_eq!(envelope.format, EnvelopeFormat::Dmesg, "{line}");
            assert_eq!(stamp(&envelope).0, Some(2025), "{line}");
            assert_eq!(stamp(&envelope).1, 8, "{line}");
            assert!(envelope.message.starts_with("drbd nfs/0"), "{line}");
        }
        for junk in [
            "13月 27 16:45:03 host x: y",
            "0月 27 16:45:03 host x: y",
            "6月27",
        ] {
            assert!(parse(junk).stamp.is_none(), "{junk}");
            assert!(super::stamp(junk).is_none(), "{junk}");
        }
    }

    #[test]
    fn weekday_names_are_found_in_any_case_and_months_are_not_weekdays() {
        // The ASCII lookup only looks at words of two or three letters.
        for name in super::WEEKDAYS.iter().chain(super::LOCALE_WEEKDAYS.iter()) {
            assert!(!name.is_ascii() || (2..=3).contains(&name.len()), "{name}");
        }
        for word in [
            "Wed", "WED", "wed", "Mi", "mer.", "Sáb", "SÁB", "Ср", "周三", "수",
        ] {
            let mut cursor = super::Cursor::new(word);
            assert!(super::weekday_word(&mut cursor), "{word}");
            assert_eq!(cursor.position, word.len(), "{word}");
        }
        for word in ["Nov", "Aug", "Wednesday", "W", "m", "8月", ""] {
            let mut cursor = super::Cursor::new(word);
            assert!(!super::weekday_word(&mut cursor), "{word}");
            assert_eq!(cursor.position, 0, "{word}");
        }
    }

    #[test]
    fn kernel_caller_ids_and_console_lines_forwarded_by_a_container_runtime() {
        let kernel = parse(
            "2023-02-06T16:43:31.002637+01:00 jb154sapqe01 kernel: [18310.689931][T25381] drbd drbd01/0 drbd1: disk( Diskless -> Attaching )",
        );
        assert_eq!(
            kernel.message,
            "drbd drbd01/0 drbd1: disk( Diskless -> Attaching )"
        );
        // A template that leaves the kernel's tag out: its seconds since boot say whose line.
        let glued = parse(
            "[wrsroot@controller-0 ~(keystone_admin)]$ [523649.791656] drbd drbd-rabbit: PingAck did not arrive in time.",
        );
        assert_eq!(glued.format, EnvelopeFormat::Dmesg);
        assert_eq!(
            glued.message,
            "drbd drbd-rabbit: PingAck did not arrive in time."
        );
        let untagged = parse(
            "Mar 17 01:59:55 offine-stand-stor-0  [  460.737923] drbd pvc-f/0 drbd1054: disk( UpToDate -> Detaching ) [detach]",
        );
        assert_eq!(untagged.program, Some("kernel"));
        assert_eq!(untagged.host, Some("offine-stand-stor-0"));
        assert_eq!(
            untagged.message,
            "drbd pvc-f/0 drbd1054: disk( UpToDate -> Detaching ) [detach]"
        );
        let bracketed = parse("Mar 17 01:59:55 host [12345] started");
        assert_eq!(bracketed.program, None, "a number without a fraction");
        let dmesg = parse("[ 4133.662936][C1] drbd drbd01: Starting worker thread");
        assert_eq!(dmesg.message, "drbd drbd01: Starting worker thread");
        assert_eq!(
            parse("[ 4133.662936][Tx] drbd").message,
            "[Tx] drbd",
            "not a caller id"
        );
        let forwarded = parse(
            "Jan 24 11:21:23 master03 docker[20329]: Wed Jan 24 11:21:23 2018: Starting Keepalived v1.4.0 (unknown)",
        );
        assert_eq!(forwarded.program, None);
        assert_eq!(forwarded.message, "Starting Keepalived v1.4.0 (unknown)");
        assert_eq!(forwarded.host, Some("master03"));
        let plain = parse("Jan 24 11:21:22 master03 docker[20323]: Digest: sha256:ca0c33f9");
        assert_eq!(plain.program, Some("docker"));
    }

    #[test]
    fn decorations_and_indentation_over_a_whole_line_do_not_recurse_without_end() {
        for unit in ["> ", " >", " ^C", "  |", " │"] {
            let line = unit.repeat(400_000);
            assert_eq!(parse(&line).stamp, None);
            assert_eq!(super::stamp(&line), None);
        }
    }

    #[test]
    fn lines_pasted_without_stamp_and_host() {
        let line = parse("Keepalived_vrrp[2752]: (M3_2) Entering BACKUP STATE (init)");
        assert_eq!(line.program, Some("Keepalived_vrrp"));
        assert_eq!(line.pid, Some(2752));
        assert_eq!(line.message, "(M3_2) Entering BACKUP STATE (init)");
        assert_eq!(
            parse("kernel: [ 12.5] drbd r0: role( Secondary -> Primary )").message,
            "drbd r0: role( Secondary -> Primary )"
        );
        for prose in [
            "Note: keepalived restarted",
            "Keepalived said this: x",
            "Keepalived_vrrp[x]: y",
        ] {
            assert_eq!(parse(prose).format, EnvelopeFormat::Bare, "{prose}");
        }
    }

    #[test]
    fn prefixes_pasted_before_whole_lines_are_read_through() {
        // docker compose logs, a paste commented out, cat -n, an indented stampless header.
        let compose =
            parse("node1-vrrpd-1    | Sat Mar 23 10:49:22 2024: (VI_1) Entering BACKUP STATE");
        assert_eq!(compose.format, EnvelopeFormat::KeepalivedConsole);
        assert_eq!(compose.message, "(VI_1) Entering BACKUP STATE");
        let commented =
            parse("# Nov 30 07:31:39 m-01 Keepalived_vrrp[6146]: (VI_1) Entering BACKUP STATE");
        assert_eq!(commented.program, Some("Keepalived_vrrp"));
        assert_eq!(commented.stamp.map(|stamp| stamp.hour), Some(7));
        for numbered in [
            "5913\tMay 16 15:26:04 localhost Keepalived_vrrp: bogus VRRP packet",
            "5913 May 16 15:26:04 localhost Keepalived_vrrp: bogus VRRP packet",
            // A pastebin's list numbers and bullets, a blog's code block copied as a list, a
            // line quoted as Markdown inline code.
            "- May 16 15:26:04 localhost Keepalived_vrrp: bogus VRRP packet",
            // Found by the fuzzer: a list number before a month that lost its first letter.
            "733.ay 16 15:26:04 localhost Keepalived_vrrp: bogus VRRP packet",
            "`May 16 15:26:04 localhost Keepalived_vrrp: bogus VRRP packet`",
            "  1. May 16 15:26:04 localhost Keepalived_vrrp: bogus VRRP packet",
            ">3.May 16 15:26:04 localhost Keepalived_vrrp: bogus VRRP packet",
        ] {
            assert_eq!(super::stamp(numbered), parse(numbered).stamp, "{numbered}");
            let numbered = parse(numbered);
            assert_eq!(numbered.format, EnvelopeFormat::Rfc3164);
            assert_eq!(numbered.message, "bogus VRRP packet");
        }
        let indented = parse(
            "    centos-master Keepalived_vrrp[1084]: VRRP_Instance(VIP1) Entering MASTER STATE",
        );
        assert_eq!(indented.host, Some("centos-master"));
        assert_eq!(
            indented.message,
            "VRRP_Instance(VIP1) Entering MASTER STATE"
        );
        // A viewer's stamp before keepalived's console line: keepalived's own stamp counts.
        let desktop =
            parse("2025-06-15 00:19:55 Sat Jun 14 15:19:55 2025: (VI_1) Entering MASTER STATE");
        assert_eq!(desktop.message, "(VI_1) Entering MASTER STATE");
        assert_eq!(
            desktop.stamp.map(|stamp| (stamp.day, stamp.hour)),
            Some((14, 15))
        );
        // The stamp-only reader agrees, also where the viewer's stamp lost digits (found by
        // fuzzing).
        for line in [
            "2025-06-15 00:19:55 Sat Jun 14 15:19:55 2025: (VI_1) Entering MASTER STATE",
            "2026-11-25 15:55:35,8Wed Nov 25 14:10:01.502110443 2026: Starting Keepalived",
        ] {
            assert_eq!(super::stamp(line), parse(line).stamp, "{line}");
        }
        // OpenWrt's logread, and a clock with no date and no host.
        let logread = parse(
            "Thu Dec 28 20:26:22 2023 daemon.info Keepalived_vrrp[3000]: (VI_1) Entering BACKUP STATE",
        );
        assert_eq!(logread.program, Some("Keepalived_vrrp"));
        assert_eq!(logread.pid, Some(3000));
        assert_eq!(logread.message, "(VI_1) Entering BACKUP STATE");
        assert_eq!(
            logread.stamp.map(|stamp| (stamp.day, stamp.hour)),
            Some((28, 20))
        );
        let clock_only =
            parse("17:56:06 Keepalived_vrrp[261668]: (VI_2) Entering BACKUP STATE (init)");
        assert_eq!(clock_only.program, Some("Keepalived_vrrp"));
        assert!(clock_only.stamp.is_none());
        // A pid the paste masked (not any word in brackets: see the prose below).
        let masked = parse("Keepalived_vrrp[xxxx2]: pid xxxx4 exited with permanent error FATAL");
        assert_eq!(
            (masked.program, masked.pid),
            (Some("Keepalived_vrrp"), None)
        );
        assert_eq!(
            masked.message,
            "pid xxxx4 exited with permanent error FATAL"
        );
        // What a cut left of a stamp (minutes and seconds), quoted: read, undated.
        let cut = parse("> 51:16 localhost Keepalived_vrrp[1898]: (eth0) removing VIPs.");
        assert_eq!(
            (cut.host, cut.program, cut.message),
            (
                Some("localhost"),
                Some("Keepalived_vrrp"),
                "(eth0) removing VIPs."
            )
        );
        assert!(cut.stamp.is_none());
        // Go's log stamp (a date with slashes), and a wrapper's program name and bar.
        let wrapped = parse("2020/06/25 11:17:15.573650 keepalived | (vip-1) removing VIPs.");
        assert_eq!(
            (wrapped.program, wrapped.message),
            (Some("keepalived"), "(vip-1) removing VIPs.")
        );
        let stamp = wrapped.stamp.unwrap();
        assert_eq!(
            (
                stamp.year,
                stamp.month,
                stamp.day,
                stamp.second,
                stamp.nanos
            ),
            (Some(2020), 6, 25, 15, 573_650_000)
        );
        assert_eq!(
            super::stamp("2020/06/25 11:17:15.573650 keepalived | (vip-1) removing VIPs."),
            Some(stamp)
        );
        let go_log = parse("2020/06/25 11:17:15.570818 Checker started up with 5 nodes");
        assert!(go_log.program.is_none() && go_log.stamp.is_some());
        // dmesg -H: relative seconds and the minute header carry no wall-clock time.
        for line in [
            "[  +0.000082] block drbd0: Split-Brain detected but unresolved, dropping connection!",
            "[Sep27 20:57] block drbd0: Split-Brain detected but unresolved, dropping connection!",
            // A paste's first line, its `[` cut off.
            "332.043123] block drbd0: Split-Brain detected but unresolved, dropping connection!",
        ] {
            let dmesg = parse(line);
            assert_eq!(dmesg.format, EnvelopeFormat::Dmesg, "{line}");
            assert!(dmesg.stamp.is_none(), "{line}");
            assert!(dmesg.message.starts_with("block drbd0:"), "{line}");
        }
        // A stampless keepalived line after a line number is the line it was.
        let numbered = parse("12 Keepalived_vrrp[3]: (VI_1) Entering MASTER STATE");
        assert_eq!(
            (numbered.program, numbered.message),
            (Some("Keepalived_vrrp"), "(VI_1) Entering MASTER STATE")
        );
        for prose in [
            "# keepalived restarted here",
            "word | not a log line",
            "12\tnot a log line",
            "[+] done",
            "[Sep2ü 20:57] x",
        ] {
            assert_eq!(parse(prose).format, EnvelopeFormat::Bare, "{prose}");
        }
    }

    /// `is_bare` (the look-ahead's shortcut) says what `parse` says, on every line shipped in
    /// testdata/ and tests/fixtures/, as written, quoted, indented and cut short.
    #[test]
    fn is_bare_agrees_with_the_parsed_format() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut lines = 0;
        for directory in ["testdata", "tests/fixtures"] {
            for entry in walkdir::WalkDir::new(root.join(directory)) {
                let entry = entry.unwrap();
                let Ok(text) = std::fs::read_to_string(entry.path()) else {
                    continue;
                };
                for line in text.lines() {
                    let cut = &line[..line.floor_char_boundary(20)];
                    for variant in [
                        line.to_string(),
                        format!("> {line}"),
                        format!("  {line}"),
                        cut.to_string(),
                    ] {
                        assert_eq!(
                            is_bare(&variant),
                            parse(&variant).format == EnvelopeFormat::Bare,
                            "{variant:?} in {}",
                            entry.path().display()
                        );
                        lines += 1;
                    }
                }
            }
        }
        assert!(lines > 10_000, "only {lines} lines tried");
    }

    #[test]
    fn lines_quoted_in_a_reply_or_glued_to_a_separator_rule() {
        for line in [
            "> Nov  7 16:07:25 l3-newversion-1 Keepalived_vrrp[15946]: (VI_1) Entering BACKUP STATE (init)",
            "> > Nov  7 16:07:25 l3-newversion-1 Keepalived_vrrp[15946]: (VI_1) Entering BACKUP STATE (init)",
            ">>Nov  7 16:07:25 l3-newversion-1 Keepalived_vrrp[15946]: (VI_1) Entering BACKUP STATE (init)",
            "=====================Nov  7 16:07:25 l3-newversion-1 Keepalived_vrrp[15946]: (VI_1) Entering BACKUP STATE (init)",
            "---Nov  7 16:07:25 l3-newversion-1 Keepalived_vrrp[15946]: (VI_1) Entering BACKUP STATE (init)",
        ] {
            let envelope = parse(line);
            assert_eq!(envelope.format, EnvelopeFormat::Rfc3164, "{line}");
            assert_eq!(envelope.program, Some("Keepalived_vrrp"), "{line}");
            assert_eq!(super::stamp(line).map(|stamp| stamp.day), Some(7), "{line}");
        }
    }

    #[test]
    fn bulleted_lines_and_the_journal_and_export_layouts_of_other_tools() {
        // A list's bullets, alone or under a reply's quote marks; a journal marker stays one.
        for line in [
            "- Nov  7 16:07:25 l3 Keepalived_vrrp[15946]: (VI_1) Entering BACKUP STATE",
            "* Nov  7 16:07:25 l3 Keepalived_vrrp[15946]: (VI_1) Entering BACKUP STATE",
            "• Nov  7 16:07:25 l3 Keepalived_vrrp[15946]: (VI_1) Entering BACKUP STATE",
            "> - Nov  7 16:07:25 l3 Keepalived_vrrp[15946]: (VI_1) Entering BACKUP STATE",
            // Markdown's bold marks glued to a post's lines (kubernetes-handbook).
            "**Nov  7 16:07:25 l3 Keepalived_vrrp[15946]: (VI_1) Entering BACKUP STATE",
            "Nov  7 16:07:25 l3 Keepalived_vrrp[15946]: (VI_1) Entering BACKUP STATE**",
            // A year between day and clock; Kibana's `Mar 5, 2026 @ 10:00:00.000`.
            "Nov  7 2026 16:07:25 l3 Keepalived_vrrp[15946]: (VI_1) Entering BACKUP STATE",
            "Nov 7, 2026 @ 16:07:25.000 l3 Keepalived_vrrp[15946]: (VI_1) Entering BACKUP STATE",
        ] {
            let envelope = parse(line);
            assert_eq!(envelope.program, Some("Keepalived_vrrp"), "{line}");
            assert_eq!(envelope.host, Some("l3"), "{line}");
            assert_eq!(super::stamp(line).map(|stamp| stamp.day), Some(7), "{line}");
        }
        assert_eq!(
            bare_message("- (VI_1) Entering MASTER STATE"),
            "(VI_1) Entering MASTER STATE"
        );
        assert_eq!(
            parse(
                "Nov  7 16:07:25 l3 Keepalived_vrrp[1]: bogus VRRP packet received on eth0 !!!**"
            )
            .message,
            "bogus VRRP packet received on eth0 !!!"
        );
        // An address in brackets is no dmesg stamp: a checker's line wrapped before it.
        assert_eq!(
            parse("[10.2.1.229]:443 from VS [10.2.1.197]:443").format,
            EnvelopeFormat::Bare
        );
        // Not a bold mark: `** ` with a space, or a word that ends in `**` after a space.
        assert_eq!(parse("** not bold").format, EnvelopeFormat::Bare);
        assert_eq!(parse("a list ends **").message, "a list ends **");
        assert_eq!(
            parse("-- Logs begin at Thu 2021-04-15 09:40:51 UTC. --").format,
            EnvelopeFormat::JournalMarker
        );
        let kibana = parse("Nov 7, 2026 @ 16:07:25.000 l3 Keepalived_vrrp[1]: x")
            .stamp
            .unwrap();
        assert_eq!(
            (kibana.year, kibana.hour, kibana.fraction_digits),
            (Some(2026), 16, 3)
        );
        // journalctl -o short-full: the zone word is an offset where it is UTC or a number.
        let full = parse(
            "Thu 2026-03-05 10:00:00 UTC nodea Keepalived_vrrp[12]: (VI_1) Entering MASTER STATE",
        );
        assert_eq!(
            (full.program, full.host),
            (Some("Keepalived_vrrp"), Some("nodea"))
        );
        assert_eq!(
            full.stamp.map(|stamp| (stamp.year, stamp.offset_s)),
            Some((Some(2026), Some(0)))
        );
        let cet = parse(
            "Thu 2026-03-05 10:00:00 CET nodea kernel: drbd r0: conn( Connected -> NetworkFailure )",
        );
        assert_eq!(
            (cet.program, cet.stamp.map(|stamp| stamp.offset_s)),
            (Some("kernel"), Some(None))
        );
        assert_eq!(
            parse("Thu 2026-03-05 10:00:00 is when it all began: prose").program,
            None
        );
        // journalctl -o short-unix.
        let unix =
            parse("1772704800.123456 nodea Keepalived_vrrp[12]: (VI_1) Entering MASTER STATE");
        let stamp = unix.stamp.unwrap();
        assert_eq!(
            (
                stamp.year,
                stamp.month,
                stamp.day,
                stamp.hour,
                stamp.nanos,
                unix.program
            ),
            (Some(2026), 3, 5, 10, 123_456_000, Some("Keepalived_vrrp"))
        );
        assert_eq!(
            parse("1772704800.123456 bytes were read: prose").program,
            None
        );
        // journalctl -o short-monotonic: seconds since boot and a header; not a DRBD device.
        let monotonic =
            parse("[  123.456789] nodea kernel: drbd r0: conn( Connected -> NetworkFailure )");
        assert_eq!(
            (monotonic.host, monotonic.program),
            (Some("nodea"), Some("kernel"))
        );
        let ring = parse("[  123.456789] drbd r0: conn( Connected -> NetworkFailure )");
        assert_eq!(
            (ring.host, ring.program, ring.format),
            (None, None, EnvelopeFormat::Dmesg)
        );
        // RFC 5424's kernel line keeps no monotonic stamp in its message.
        let structured = parse(
            "<30>1 2026-03-05T10:00:04.000Z nodea kernel - - - [ 123.456] drbd r0: conn( Connected -> NetworkFailure )",
        );
        assert_eq!(
            structured.message,
            "drbd r0: conn( Connected -> NetworkFailure )"
        );
        // A kernel ring buffer's line numbered or quoted as a paste's others are.
        assert_eq!(seconds_since_boot("> [  22.5] drbd drbd0: x"), Some(22.5));
        assert_eq!(
            seconds_since_boot("    75\t[  22.5] drbd drbd0: x"),
            Some(22.5)
        );
    }

    #[test]
    fn a_systemctl_status_names_its_unit_and_when_it_started_running() {
        assert_eq!(
            status_unit("● keepalived.service - Keepalive Daemon (LVS and VRRP)"),
            Some("keepalived.service")
        );
        assert_eq!(
            status_unit("\tkeepalived.service - LVS and VRRP High Availability Monitor"),
            Some("keepalived.service")
        );
        assert_eq!(
            status_unit("> × nginx.service - web"),
            Some("nginx.service")
        );
        assert_eq!(status_unit("keepalived - the daemon"), None);
        assert_eq!(status_unit("my unit.service - spaces"), None);
        let since = status_running_since(
            "\t     Active: active (running) since Thu 2021-05-06 17:36:15 UTC; 7min ago",
        )
        .unwrap();
        assert_eq!(
            (
                since.year,
                since.month,
                since.day,
                since.hour,
                since.minute,
                since.second
            ),
            (None, 5, 6, 17, 36, 15)
        );
        assert_eq!(since.offset_s, None);
        assert!(
            status_running_since(
                "Active: inactive (dead) since Thu 2021-05-06 17:36:15 UTC; 1s ago"
            )
            .is_none()
        );
        assert!(status_running_since("Active: active (running)").is_none());
    }

    #[test]
    fn the_moment_a_systemctl_status_was_taken() {
        let moment = |line: &str| {
            use chrono::{Datelike, Timelike};
            status_moment(line).map(|taken| {
                (
                    taken.year(),
                    taken.month(),
                    taken.day(),
                    taken.hour(),
                    taken.minute(),
                    taken.second(),
                )
            })
        };
        assert_eq!(
            moment("> Active: active (running) since Wed 2018-06-27 16:45:01 CST; 8s ago"),
            Some((2018, 6, 27, 16, 45, 10))
        );
        assert_eq!(
            moment("   Active: active (running) since 三 2018-06-27 16:45:01 CST; 8s ago"),
            Some((2018, 6, 27, 16, 45, 10))
        );
        assert_eq!(
            moment("Active: inactive (dead) since Mon 2019-12-30 23:00:00 UTC; 1 day 2h ago"),
            Some((2020, 1, 1, 2, 0, 0))
        );
        // Cut by the terminal before or inside its `ago`: the span written before the cut,
        // rounded up as ever (a cut `1 day` of `1 day 2h` is at most 2 days).
        for cut in ["10min ", "10min", "10min a", "10min ag"] {
            let line = format!("Active: active (running) since Fri 2024-05-10 22:22:45 CST; {cut}");
            assert_eq!(
                moment(&line),
                moment("Active: active (running) since Fri 2024-05-10 22:22:45 CST; 10min ago"),
                "{cut}"
            );
        }
        assert_eq!(
            moment("Active: inactive (dead) since Mon 2019-12-30 23:00:00 UTC; 1 day"),
            Some((2020, 1, 1, 23, 0, 0))
        );
        assert_eq!(
            moment("Active: active (running) since Wed 2022-02-02 16:07:10 UTC; 1 weeks 3"),
            moment("Active: active (running) since Wed 2022-02-02 16:07:10 UTC; 1 weeks ago"),
        );
        assert_eq!(
            moment("Active: active (running) since Wed 2022-02-02 16:07:10 UTC; "),
            None
        );
        assert_eq!(
            moment(
                "Active: active (running) since Tue 2021-01-05 10:00:00 CET; 5 months 3 days ago"
            )
            .map(|m| (m.0, m.1)),
            Some((2021, 6))
        );
        // "1 year 0 months" drops up to a month of days: the latest the status can have been taken.
        assert_eq!(
            moment(
                "Active: active (running) since Tue 2017-01-10 10:00:00 UTC; 1 year 0 months ago"
            )
            .map(|m| (m.0, m.1)),
            Some((2018, 2))
        );
        assert_eq!(
            moment(
                "     Active: failed (Result: exit-code) since 2022-03-01 08:00:00; 2min 3s ago"
            ),
            Some((2022, 3, 1, 8, 2, 4))
        );
        for line in [
            "Active: active (running)",
            "Active: active (running) since Wed 2018-06-27 16:45:01 CST",
            "Active: active (running) since Wed 2018-06-27 16:45:01 CST; soon ago",
            "Active: active (running) since Wed 2018-13-27 16:45:01 CST; 8s ago",
            "Active: active since Wed 2018-06-27 16:45:01 CST; 99999999 years ago",
            &format!(
                "Active: active since Wed 2018-06-27 16:45:01 CST; {}ago",
                "999999y ".repeat(400_000)
            ),
            "Loaded: loaded (/usr/lib/systemd/system/keepalived.service; enabled)",
        ] {
            assert_eq!(moment(line), None, "{line}");
        }
    }

    #[test]
    fn localized_month_names() {
        for (line, month) in [
            (
                "déc. 12 13:06:47 rp02 Keepalived[853]: Starting Keepalived v2.2.8",
                12,
            ),
            (
                "окт 29 10:37:18 sergk Keepalived_vrrp[904]: (VI_1) Entering BACKUP STATE (init)",
                10,
            ),
            ("Okt 29 10:37:18 host Keepalived_vrrp[904]: x", 10),
            ("mai 29 10:37:18 host Keepalived_vrrp[904]: x", 5),
            ("Nov 29 10:37:18 host Keepalived_vrrp[904]: x", 11),
        ] {
            let envelope = parse(line);
            assert_eq!(
                envelope.stamp.map(|stamp| stamp.month),
                Some(month),
                "{line}"
            );
            assert!(
                envelope
                    .program
                    .is_some_and(|program| program.starts_with("Keepalived"))
            );
        }
        assert!(parse("Novel 29 10:37:18 host x: y").stamp.is_none());
    }

    #[test]
    fn syslog_lines_pasted_without_their_stamp() {
        let envelope = parse(
            "ha-node01 kernel: [526233.249739] block drbd0: Split-Brain detected, dropping connection!",
        );
        assert_eq!(envelope.host, Some("ha-node01"));
        assert_eq!(envelope.program, Some("kernel"));
        assert_eq!(
            envelope.message,
            "block drbd0: Split-Brain detected, dropping connection!"
        );
        assert!(envelope.stamp.is_none());
        let envelope = parse("lb1 Keepalived_vrrp[12]: (VI_1) Entering MASTER STATE");
        assert_eq!(envelope.program, Some("Keepalived_vrrp"));
        assert_eq!(envelope.format, EnvelopeFormat::Rfc3164);
        // Prose that happens to hold a colon is not a header.
        assert_eq!(
            parse("Note that: the kernel said").format,
            EnvelopeFormat::Bare
        );
    }

    #[test]
    fn supervisords_lines_about_its_programs_are_its_own_also_escaped() {
        for line in [
            "2019-01-16 03:02:14,100 INFO spawned: 'keepalived' with pid 10",
            "2019-01-16 03:02:14,100 INFO spawned: &#39;keepalived&#39; with pid 10",
            "2019-01-16 03:02:21,209 INFO gave up: keepalived entered FATAL state, too many",
        ] {
            let envelope = parse(line);
            assert_eq!(envelope.program, Some("supervisord"), "{line}");
            assert_eq!(envelope.level, Some("INFO"), "{line}");
        }
        // An application's own line that opens with another word and a colon is not, nor one
        // that says `spawned:` of something other than a quoted program.
        for line in [
            "2019-01-16 03:02:14,100 INFO started: worker 3",
            "2019-01-16 03:02:14,100 INFO spawned: worker 3",
        ] {
            assert_ne!(parse(line).program, Some("supervisord"), "{line}");
        }
    }

    #[test]
    fn what_grep_writes_before_a_line_is_not_part_of_it() {
        let line = "Jul 28 18:17:56 s061 Keepalived_vrrp[10578]: (VI_1) Entering MASTER STATE";
        for pasted in [
            format!("12:{line}"),
            format!("12-{line}"),
            format!("/var/log/messages-20240101:{line}"),
            format!("/var/log/messages:12:{line}"),
            format!("messages.1:{line}"),
            format!("kern.log:\t{line}"),
        ] {
            let envelope = parse(&pasted);
            assert_eq!(envelope.program, Some("Keepalived_vrrp"), "{pasted}");
            assert_eq!(envelope.message, "(VI_1) Entering MASTER STATE", "{pasted}");
            assert_eq!(
                envelope.stamp.map(|stamp| stamp.second),
                Some(56),
                "{pasted}"
            );
        }
        // A program's tag is no file name; a clock is no line number; nor is the file that
        // keepalived's parser names in parentheses (a wrapped line's continuation may open so).
        assert_eq!(parse("rsyslogd: (VI_1) x").format, EnvelopeFormat::Bare);
        let parser_note = "(/etc/keepalived/keepalived.conf: Line 6) Unterminated quote";
        assert_eq!(parse(parser_note).message, parser_note);
        assert!(is_bare(parser_note));
        assert_eq!(parse("15:23:03 is when").message, "15:23:03 is when");
    }

    #[test]
    fn a_line_without_an_envelope_is_read_without_the_paste_around_it() {
        for pasted in [
            "     7\t(VI_1) Entering MASTER STATE",
            "7:(VI_1) Entering MASTER STATE",
            "> (VI_1) Entering MASTER STATE",
            "&gt; &gt; (VI_1) Entering MASTER STATE",
            "    (VI_1) Entering MASTER STATE",
            "/var/log/keepalived.log:(VI_1) Entering MASTER STATE",
            "[pod/keepalived-7d9f/keepalived] (VI_1) Entering MASTER STATE",
            "\u{feff}(VI_1) Entering MASTER STATE",
        ] {
            let envelope = parse(pasted);
            assert_eq!(envelope.format, EnvelopeFormat::Bare, "{pasted}");
            assert_eq!(envelope.message, "(VI_1) Entering MASTER STATE", "{pasted}");
        }
        // A number before a number is kept: it may be the message's own.
        assert_eq!(parse("2 12 nodes").message, "2 12 nodes");
        // A kernel ring buffer's line, indented or numbered.
        for pasted in [
            "    [ 12.5] drbd r0: conn( A -> B )",
            "3:[ 12.5] drbd r0: conn( A -> B )",
        ] {
            let envelope = parse(pasted);
            assert_eq!(envelope.format, EnvelopeFormat::Dmesg, "{pasted}");
            assert_eq!(envelope.message, "drbd r0: conn( A -> B )");
        }
        // A reply's quote mark before a terminal's ^C, or after it.
        for pasted in [
            "> ^CTue Mar 17 20:44:56 2020: Stopping",
            "^C> Tue Mar 17 20:44:56 2020: Stopping",
        ] {
            assert_eq!(parse(pasted).message, "Stopping", "{pasted}");
        }
    }

    #[test]
    fn junk_never_panics() {
        for line in [
            "",
            "<",
            "<999999>",
            "[",
            "]",
            "date=",
            "2026-",
            "Nov",
            "Nov 99 99:99:99 x",
            "Wed Nov",
            "\u{0}\u{1}\u{fffd}",
            "2026-11-25T14:20:36+99:99 x y:",
            "12:00:00,1 1-Jan-2",
            "│",
            "<13>1 2026-11-25T14:20:36Z h a p m [unclosed",
        ] {
            let _ = parse(line);
        }
    }
}
