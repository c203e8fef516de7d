//! Redaction, applied line by line while a file streams into the bundle: secrets (passwords in
//! YAML, keepalived auth_pass, DRBD shared-secret, credentials inside log lines) become
//! `<redacted>` and are counted; with --redact-ips every IPv4 address is mapped consistently
//! into the reserved 240.0.0.0/4 range, keeping which addresses share which prefix.

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::sync::{Arc, LazyLock, Mutex};

use aho_corasick::AhoCorasick;
use regex::bytes::{Captures, Regex};
use sha2::{Digest, Sha256};

use super::plan::Redaction;

/// What replaces a secret.
pub const REDACTED: &str = "<redacted>";

struct Rule {
    pattern: Regex,
    /// The capture group holding the secret value.
    group: usize,
}

fn rule(pattern: &str, group: usize) -> Rule {
    Rule {
        pattern: Regex::new(pattern).expect("a redaction pattern compiles"),
        group,
    }
}

static LOG_RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    vec![
        // Authorization: Basic xxx / Bearer xxx / anything
        rule(
            r"(?i)(authorization\s*[:=]\s*(?:basic|bearer|token|digest|negotiate)?\s*)([^\s,;]+)",
            2,
        ),
        rule(r"(?i)(\bbearer\s+)([A-Za-z0-9._~+/=-]{8,})", 2),
        rule(
            r#"(?i)(\b(?:password|passwd|pwd|passphrase|secret|api[_-]?key|api[_-]?token|access[_-]?token|auth[_-]?token|token)\b"?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&"'}]+)"#,
            2,
        ),
    ]
});

static YAML_RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    vec![rule(
        r#"(?i)^(\s*-?\s*["']?[\w.-]*(?:password|passwd|secret)[\w.-]*["']?\s*:\s+)(\S.*?)\s*$"#,
        2,
    )]
});

static KEEPALIVED_RULES: LazyLock<Vec<Rule>> =
    LazyLock::new(|| vec![rule(r"(?i)(\bauth_pass\s+)(\S+)", 2)]);

static DRBD_RULES: LazyLock<Vec<Rule>> =
    LazyLock::new(|| vec![rule(r#"(?i)(\bshared-secret\s+"?)([^";\s]+)"#, 2)]);

/// Words of which every redaction pattern needs one, in lower case: a line holding none of them
/// (in any case) has no secret for any pattern, and is stored as it came without trying them.
/// The patterns fold case by Unicode's rules, where `K` (U+212A) is a `k` and `ſ` (U+017F) an
/// `s`; those two are screened as they are, so a line written with them still meets the patterns.
static SECRET_WORDS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    // Leftmost matching lets the searcher use its vectorised literal search (Teddy).
    AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostFirst)
        .build([
            "authorization",
            "bearer",
            "pass",
            "pwd",
            "secret",
            "api",
            "token",
            "\u{212A}",
            "\u{17F}",
        ])
        .expect("the secret words build a searcher")
});

/// `bytes` with ASCII capitals lowered, into `folded` (same length, same offsets).
fn lower_into(bytes: &[u8], folded: &mut Vec<u8>) {
    folded.clear();
    folded.extend(bytes.iter().map(u8::to_ascii_lowercase));
}

thread_local! {
    /// The lowered copy the words are searched in, reused.
    static FOLDED: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Whether `bytes` may hold a secret: they hold one of the words every pattern needs.
pub fn may_hold_secret(bytes: &[u8]) -> bool {
    FOLDED.with_borrow_mut(|folded| {
        lower_into(bytes, folded);
        SECRET_WORDS.is_match(folded.as_slice())
    })
}

/// Where, in `bytes`, words that secrets need begin, in order (lines holding none of them are
/// stored as they came).
pub fn secret_words(bytes: &[u8]) -> Vec<usize> {
    FOLDED.with_borrow_mut(|folded| {
        lower_into(bytes, folded);
        SECRET_WORDS
            .find_iter(folded.as_slice())
            .map(|found| found.start())
            .collect()
    })
}

fn rules_for(redaction: Redaction) -> [&'static [Rule]; 2] {
    let specific: &'static [Rule] = match redaction {
        Redaction::LogCredentials => &[],
        Redaction::YamlPasswords => &YAML_RULES,
        Redaction::KeepalivedAuth => &KEEPALIVED_RULES,
        Redaction::DrbdSecret => &DRBD_RULES,
    };
    [specific, &LOG_RULES]
}

/// Removes secrets from one line; returns the line and how many secrets it held.
pub fn secrets(line: &[u8], redaction: Redaction) -> (Vec<u8>, u64) {
    if !may_hold_secret(line) {
        return (line.to_vec(), 0);
    }
    every_pattern(line, redaction)
}

/// [`secrets`] without the screen: every pattern tried on the line.
pub(super) fn every_pattern(line: &[u8], redaction: Redaction) -> (Vec<u8>, u64) {
    let mut current = line.to_vec();
    let mut count = 0;
    for rules in rules_for(redaction) {
        for rule in rules {
            if !rule.pattern.is_match(&current) {
                continue;
            }
            let replaced = rule
                .pattern
                .replace_all(&current, |captures: &Captures<'_>| {
                    let whole = captures.get(0).map(|m| m.as_bytes()).unwrap_or_default();
                    let Some(value) = captures.get(rule.group) else {
                        return whole.to_vec();
                    };
                    let text = value.as_bytes();
                    if text == REDACTED.as_bytes()
                        || text.starts_with(b"<redacted")
                        || text.starts_with(b"\"<redacted")
                    {
                        return whole.to_vec();
                    }
                    count += 1;
                    let start = value.start() - captures.get(0).map_or(0, |m| m.start());
                    let mut out = whole[..start].to_vec();
                    let quoted = text.len() >= 2
                        && (text[0] == b'"' || text[0] == b'\'')
                        && text.last() == Some(&text[0]);
                    if quoted {
                        out.push(text[0]);
                        out.extend_from_slice(REDACTED.as_bytes());
                        out.push(text[0]);
                    } else {
                        out.extend_from_slice(REDACTED.as_bytes());
                    }
                    out.extend_from_slice(&whole[start + text.len()..]);
                    out
                })
                .into_owned();
            current = replaced;
        }
    }
    (current, count)
}

static IPV4: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^0-9.])((?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3})(?:$|[^0-9]|\.[^0-9])")
        .expect("the IPv4 pattern compiles")
});

/// Maps IPv4 addresses consistently for a whole bundle (shared by both nodes): the first octet
/// through a table into 240–254 in order of first sight, the other 24 bits through a keyed
/// prefix-preserving permutation, so two addresses that share their first N bits still do.
/// Loopback, unspecified, broadcast, multicast and netmask-looking addresses are kept.
#[derive(Clone)]
pub struct IpMapper {
    inner: Arc<Mutex<IpTable>>,
}

struct IpTable {
    key: [u8; 32],
    first_octets: HashMap<u8, u8>,
}

impl IpMapper {
    /// A mapper with a random key (each bundle maps differently).
    pub fn new() -> IpMapper {
        let mut hasher = Sha256::new();
        hasher.update(format!("{:?}", std::time::SystemTime::now()).as_bytes());
        hasher.update(std::process::id().to_le_bytes());
        IpMapper {
            inner: Arc::new(Mutex::new(IpTable {
                key: hasher.finalize().into(),
                first_octets: HashMap::new(),
            })),
        }
    }

    /// The address this one is shown as.
    pub fn map(&self, address: Ipv4Addr) -> Ipv4Addr {
        let octets = address.octets();
        let value = u32::from(address);
        if address.is_loopback()
            || address.is_unspecified()
            || address.is_broadcast()
            || address.is_multicast()
            || octets[0] >= 240
            || (value.leading_ones() + value.trailing_zeros() == 32 && octets[0] == 255)
        {
            return address;
        }
        let Ok(mut table) = self.inner.lock() else {
            return address;
        };
        let next = 240 + (table.first_octets.len() % 15) as u8;
        let first = *table.first_octets.entry(octets[0]).or_insert(next);
        let low = value & 0x00ff_ffff;
        let mut mapped = 0u32;
        for bit in 0..24 {
            let prefix = if bit == 0 { 0 } else { low >> (24 - bit) };
            let mut hasher = Sha256::new();
            hasher.update(table.key);
            hasher.update([octets[0], bit as u8]);
            hasher.update(prefix.to_le_bytes());
            let flip = u32::from(hasher.finalize()[0] & 1);
            let input = (low >> (23 - bit)) & 1;
            mapped = (mapped << 1) | (input ^ flip);
        }
        Ipv4Addr::from((u32::from(first) << 24) | mapped)
    }

    /// Maps every address in a line; returns the line and how many were mapped.
    pub fn line(&self, line: &[u8]) -> (Vec<u8>, u64) {
        let mut out = Vec::with_capacity(line.len());
        let mut count = 0;
        let mut last = 0;
        let mut position = 0;
        while let Some(captures) = IPV4.captures_at(line, position) {
            let Some(found) = captures.get(1) else { break };
            let parsed = std::str::from_utf8(found.as_bytes())
                .ok()
                .and_then(|text| text.parse::<Ipv4Addr>().ok());
            if let Some(address) = parsed {
                let mapped = self.map(address);
                out.extend_from_slice(&line[last..found.start()]);
                out.extend_from_slice(mapped.to_string().as_bytes());
                last = found.end();
                if mapped != address {
                    count += 1;
                }
            }
            position = found.end();
        }
        out.extend_from_slice(&line[last..]);
        (out, count)
    }

    /// Maps the addresses in a text (argv, addresses in the manifest).
    pub fn text(&self, text: &str) -> String {
        String::from_utf8_lossy(&self.line(text.as_bytes()).0).into_owned()
    }
}

impl Default for IpMapper {
    fn default() -> Self {
        IpMapper::new()
    }
}

/// Everything a file passes through on its way into the bundle.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Some with --redact-ips.
    pub ips: Option<IpMapper>,
}

impl Redactor {
    /// One line (with its newline, if any) in, the stored line out, plus the secrets removed.
    pub fn line(&self, line: &[u8], redaction: Redaction) -> (Vec<u8>, u64) {
        let (line, count) = secrets(line, redaction);
        match &self.ips {
            Some(mapper) => (mapper.line(&line).0, count),
            None => (line, count),
        }
    }

    /// Whether a line holding none of the words secrets need is stored as it came (no address
    /// mapping), so a stream may be screened for those words instead of read line by line.
    pub fn keeps_lines_without_secret_words(&self) -> bool {
        self.ips.is_none()
    }

    /// A whole text (command output), line by line.
    pub fn text(&self, text: &[u8], redaction: Redaction) -> (Vec<u8>, u64) {
        let mut out = Vec::with_capacity(text.len());
        let mut count = 0;
        for line in text.split_inclusive(|byte| *byte == b'\n') {
            let (line, found) = self.line(line, redaction);
            out.extend_from_slice(&line);
            count += found;
        }
        (out, count)
    }

    /// A manifest string (an address, an argv element).
    pub fn address(&self, text: &str) -> String {
        match &self.ips {
            Some(mapper) => mapper.text(text),
            None => text.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redact(line: &str, redaction: Redaction) -> (String, u64) {
        let (out, count) = secrets(line.as_bytes(), redaction);
        (String::from_utf8(out).unwrap(), count)
    }

    #[test]
    fn yaml_passwords_and_keys_ending_in_password() {
        assert_eq!(
            redact("  password: hunter2\n", Redaction::YamlPasswords),
            ("  password: <redacted>\n".to_string(), 1)
        );
        assert_eq!(
            redact("db_password: \"s3cret\"", Redaction::YamlPasswords).0,
            "db_password: \"<redacted>\""
        );
        assert_eq!(
            redact("user: admin", Redaction::YamlPasswords),
            ("user: admin".to_string(), 0)
        );
    }

    #[test]
    fn keepalived_and_drbd_secrets() {
        assert_eq!(
            redact("    auth_pass cisco123", Redaction::KeepalivedAuth),
            ("    auth_pass <redacted>".to_string(), 1)
        );
        assert_eq!(
            redact("  shared-secret \"drbdpw\";", Redaction::DrbdSecret).0,
            "  shared-secret \"<redacted>\";"
        );
    }

    #[test]
    fn credentials_inside_log_lines() {
        let (out, count) = redact(
            "login user=admin password=letmein ok; Authorization: Bearer abcdefghijk",
            Redaction::LogCredentials,
        );
        assert!(
            !out.contains("letmein") && !out.contains("abcdefghijk"),
            "{out}"
        );
        assert_eq!(count, 2, "{out}");
        assert_eq!(
            redact("passwd: x1", Redaction::LogCredentials).0,
            "passwd: <redacted>"
        );
    }

    #[test]
    fn ip_mapping_keeps_subnets_and_is_consistent() {
        let mapper = IpMapper::new();
        let a = mapper.map("10.85.103.135".parse().unwrap());
        let b = mapper.map("10.85.103.136".parse().unwrap());
        let c = mapper.map("10.85.104.1".parse().unwrap());
        assert_eq!(a, mapper.map("10.85.103.135".parse().unwrap()));
        assert_ne!(a, b);
        let shared = |x: Ipv4Addr, y: Ipv4Addr| (u32::from(x) ^ u32::from(y)).leading_zeros();
        assert_eq!(
            shared(a, b),
            shared(
                "10.85.103.135".parse().unwrap(),
                "10.85.103.136".parse().unwrap()
            )
        );
        assert_eq!(
            shared(a, c),
            shared(
                "10.85.103.135".parse().unwrap(),
                "10.85.104.1".parse().unwrap()
            )
        );
        assert!(a.octets()[0] >= 240);
        let (line, count) = mapper.line(b"inet 10.85.103.135/24 brd 10.85.103.255 v2.2.7");
        assert_eq!(count, 2);
        assert!(!String::from_utf8_lossy(&line).contains("10.85."));
        assert_eq!(
            mapper.map("224.0.0.18".parse().unwrap()).to_string(),
            "224.0.0.18"
        );
    }
}
