//! Required literals of a classifier pattern: a set of strings, one of which every match of the
//! pattern contains. A table searches a message once for all its rows' literals and runs only the
//! regexes of rows whose literals occur, so a line no row can match costs one multi-literal scan.
//! The literals are derived from the pattern itself (never declared beside it, so they cannot
//! disagree with it); a pattern with no usable literal (`.`, `\w+`) is tried on every message.

use std::collections::BTreeSet;

use aho_corasick::{AhoCorasick, AhoCorasickKind, Span, packed};
use regex_syntax::hir::{Class, Hir, HirKind};

/// At most this many strings in one set (cross products and alternations beyond it are dropped).
const MAX_SET: usize = 64;
/// A character class of at most this many characters becomes one string per character.
const MAX_CLASS_CHARACTERS: usize = 16;

/// Strings in folded case (see [`fold`]): they are searched for in the folded text, which can
/// only find more lines than the pattern, never fewer.
type Set = BTreeSet<Vec<u8>>;

/// Folds text for the literal search: ASCII to lower case, and the two non-ASCII characters
/// whose case folding reaches ASCII letters (U+017F long s, U+212A Kelvin sign) to `s` and `k`,
/// so that `(?i)stop` needs one literal, not two.
fn fold_into(text: &[u8], folded: &mut Vec<u8>) {
    folded.clear();
    folded.resize(text.len(), 0);
    // One pass that the compiler turns into vector code: copied, ASCII capitals lowered, high
    // bits gathered.
    let mut high_bits = 0u8;
    for (target, byte) in folded.iter_mut().zip(text) {
        high_bits |= byte;
        *target = byte.to_ascii_lowercase();
    }
    if high_bits & 0x80 != 0 {
        let mut index = 0;
        let mut write = 0;
        while index < folded.len() {
            let (byte, length) = match folded[index..] {
                [0xC5, 0xBF, ..] => (b's', 2),
                [0xE2, 0x84, 0xAA, ..] => (b'k', 3),
                _ => (folded[index], 1),
            };
            folded[write] = byte;
            write += 1;
            index += length;
        }
        folded.truncate(write);
    }
}

fn fold(text: &[u8]) -> Vec<u8> {
    let mut folded = Vec::with_capacity(text.len());
    fold_into(text, &mut folded);
    folded
}

/// What is known of a sub-pattern: its whole language when small and finite (`exact`), and a set
/// one of which every match contains (`required`; None: nothing is required).
struct Facts {
    exact: Option<Set>,
    required: Option<Set>,
}

/// The literals one of which every match of `pattern` contains, folded; None when the
/// pattern requires no literal (or does not parse). An empty list means the pattern matches
/// nothing.
pub fn required_literals(pattern: &str) -> Option<Vec<Vec<u8>>> {
    let hir = regex_syntax::parse(pattern).ok()?;
    let facts = analyse(&hir);
    best(facts.required, usable(facts.exact)).map(|set| set.into_iter().collect())
}

/// One search for the literals of many rows over a folded message, telling which rows may match it.
#[derive(Debug)]
pub struct LiteralSearch {
    /// Teddy (SIMD) when the CPU and the number of literals allow; leftmost-longest.
    packed: Option<packed::Searcher>,
    /// The fallback: an automaton searched for overlapping matches.
    automaton: AhoCorasick,
    /// For each literal searched for, the rows that require it or a literal containing it. No
    /// literal searched for contains another, so at most one can start at a given position.
    rows_of: Vec<Vec<usize>>,
}

impl LiteralSearch {
    /// A search for `literals` (folded), `rows_of[i]` being the rows that require
    /// `literals[i]`.
    pub fn new(literals: &[Vec<u8>], rows_of: &[Vec<usize>]) -> Result<LiteralSearch, String> {
        // A literal that contains another is found whenever it is: only the inner one is searched
        // for, standing for the rows of both (fewer literals: the faster Teddy variants).
        let mut kept: Vec<Vec<u8>> = Vec::new();
        let mut kept_rows: Vec<Vec<usize>> = Vec::new();
        for (index, literal) in literals.iter().enumerate() {
            let inner_of_it = literals.iter().enumerate().any(|(other, inner)| {
                other != index
                    && contains(literal, inner)
                    && (inner.len() < literal.len() || other < index)
            });
            if !inner_of_it {
                kept.push(literal.clone());
                kept_rows.push(Vec::new());
            }
        }
        for (literal, rows) in literals.iter().zip(rows_of) {
            for (inner, inner_rows) in kept.iter().zip(kept_rows.iter_mut()) {
                if contains(literal, inner) {
                    inner_rows.extend_from_slice(rows);
                }
            }
        }

        let automaton = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::DFA))
            .build(&kept)
            .or_else(|_| AhoCorasick::new(&kept))
            .map_err(|error| format!("literals of the patterns: {error}"))?;
        let packed = packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostLongest)
            .builder()
            .extend(&kept)
            .build();
        for rows in &mut kept_rows {
            rows.sort_unstable();
            rows.dedup();
        }
        Ok(LiteralSearch {
            packed,
            automaton,
            rows_of: kept_rows,
        })
    }

    /// Whether some literal occurs in `folded`.
    pub fn occurs_in(&self, folded: &[u8]) -> bool {
        match &self.packed {
            Some(searcher) => searcher.find(folded).is_some(),
            None => self.automaton.is_match(folded),
        }
    }

    /// Calls `visit` with the rows of each literal found in `folded` (a row may come twice).
    pub fn visit_rows(&self, folded: &[u8], mut visit: impl FnMut(&[usize])) {
        match &self.packed {
            Some(searcher) => {
                // Every position where a literal starts is reached (the search resumes one byte
                // after each match's start); at most one literal starts there.
                let mut start = 0;
                while start < folded.len() {
                    let Some(found) = searcher.find_in(folded, Span::from(start..folded.len()))
                    else {
                        break;
                    };
                    visit(&self.rows_of[found.pattern().as_usize()]);
                    start = found.start() + 1;
                }
            }
            None => {
                for found in self.automaton.find_overlapping_iter(folded) {
                    visit(&self.rows_of[found.pattern().as_usize()]);
                }
            }
        }
    }
}

/// Runs `work` on `text` folded (see [`fold_into`]; a per-thread buffer reused from call to call).
pub fn with_folded<T>(text: &str, work: impl FnOnce(&[u8]) -> T) -> T {
    thread_local! {
        static FOLDED: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    FOLDED.with_borrow_mut(|folded| {
        fold_into(text.as_bytes(), folded);
        work(folded)
    })
}

fn contains(outer: &[u8], inner: &[u8]) -> bool {
    inner.is_empty() || outer.windows(inner.len()).any(|window| window == inner)
}

/// A set that can serve as a requirement: one holding the empty string requires nothing.
fn usable(set: Option<Set>) -> Option<Set> {
    set.filter(|set| !set.contains(&Vec::new()))
}

/// The more selective of two requirements: longer shortest string, then fewer strings.
fn best(first: Option<Set>, second: Option<Set>) -> Option<Set> {
    fn score(set: &Set) -> (usize, std::cmp::Reverse<usize>) {
        let shortest = set.iter().map(Vec::len).min().unwrap_or(usize::MAX);
        (shortest, std::cmp::Reverse(set.len()))
    }
    match (first, second) {
        (Some(first), Some(second)) => Some(if score(&second) > score(&first) {
            second
        } else {
            first
        }),
        (first, second) => first.or(second),
    }
}

/// Every concatenation of a string of `left` with one of `right`, unless there would be too many.
fn cross(left: &Set, right: &Set) -> Option<Set> {
    if left.len().saturating_mul(right.len()) > MAX_SET {
        return None;
    }
    let mut product = Set::new();
    for head in left {
        for tail in right {
            let mut joined = head.clone();
            joined.extend_from_slice(tail);
            product.insert(joined);
        }
    }
    Some(product)
}

fn single(bytes: &[u8]) -> Set {
    Set::from([fold(bytes)])
}

/// One string per character of a small class.
fn class_strings(class: &Class) -> Option<Set> {
    let mut set = Set::new();
    match class {
        Class::Unicode(class) => {
            let mut count = 0usize;
            for range in class.iter() {
                count += (range.end() as usize).saturating_sub(range.start() as usize) + 1;
                if count > MAX_CLASS_CHARACTERS {
                    return None;
                }
                for character in range.start()..=range.end() {
                    let mut buffer = [0u8; 4];
                    set.insert(fold(character.encode_utf8(&mut buffer).as_bytes()));
                }
            }
        }
        Class::Bytes(class) => {
            let mut count = 0usize;
            for range in class.iter() {
                count += usize::from(range.end() - range.start()) + 1;
                if count > MAX_CLASS_CHARACTERS {
                    return None;
                }
                for byte in range.start()..=range.end() {
                    set.insert(vec![byte.to_ascii_lowercase()]);
                }
            }
        }
    }
    Some(set)
}

fn analyse(hir: &Hir) -> Facts {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Facts {
            exact: Some(Set::from([Vec::new()])),
            required: None,
        },
        HirKind::Literal(literal) => {
            let set = single(&literal.0);
            Facts {
                required: usable(Some(set.clone())),
                exact: Some(set),
            }
        }
        HirKind::Class(class) => {
            let set = class_strings(class);
            Facts {
                required: usable(set.clone()),
                exact: set,
            }
        }
        HirKind::Capture(capture) => analyse(&capture.sub),
        HirKind::Repetition(repetition) => {
            let sub = analyse(&repetition.sub);
            if repetition.min == 0 {
                // Optional: only `x?` keeps a finite language ({"", x...}).
                let exact = match (repetition.max, sub.exact) {
                    (Some(1), Some(mut set)) => {
                        set.insert(Vec::new());
                        Some(set)
                    }
                    _ => None,
                };
                Facts {
                    exact,
                    required: None,
                }
            } else {
                let exact = match (repetition.min, repetition.max) {
                    (1, Some(1)) => sub.exact.clone(),
                    _ => None,
                };
                Facts {
                    exact,
                    required: best(sub.required, usable(sub.exact)),
                }
            }
        }
        HirKind::Concat(parts) => concatenation(parts),
        HirKind::Alternation(branches) => alternation(branches),
    }
}

/// A concatenation requires what any one part requires, and the product of any run of adjacent
/// parts with small finite languages (`op(?:eration)?[_ ]mode` → four strings).
fn concatenation(parts: &[Hir]) -> Facts {
    let mut required: Option<Set> = None;
    let mut run: Option<Set> = Some(Set::from([Vec::new()]));
    let mut whole_exact = true;
    for part in parts {
        let facts = analyse(part);
        required = best(required, facts.required);
        match facts.exact {
            Some(exact) => {
                let joined = run.as_ref().and_then(|run| cross(run, &exact));
                run = match joined {
                    Some(joined) => Some(joined),
                    None => {
                        whole_exact = false;
                        required = best(required, usable(run.take()));
                        Some(exact)
                    }
                };
            }
            None => {
                whole_exact = false;
                required = best(required, usable(run.take()));
                run = Some(Set::from([Vec::new()]));
            }
        }
    }
    let required = best(required, usable(run.clone()));
    Facts {
        exact: if whole_exact { run } else { None },
        required,
    }
}

/// An alternation requires one of its branches' requirements; its language is their union.
fn alternation(branches: &[Hir]) -> Facts {
    let mut exact: Option<Set> = Some(Set::new());
    let mut required: Option<Set> = Some(Set::new());
    for branch in branches {
        let facts = analyse(branch);
        let branch_required = best(facts.required, usable(facts.exact.clone()));
        exact = match (exact, facts.exact) {
            (Some(mut all), Some(set)) if all.len() + set.len() <= MAX_SET => {
                all.extend(set);
                Some(all)
            }
            _ => None,
        };
        required = match (required, branch_required) {
            (Some(mut all), Some(set)) if all.len() + set.len() <= MAX_SET => {
                all.extend(set);
                Some(all)
            }
            _ => None,
        };
    }
    Facts {
        required: best(required, usable(exact.clone())),
        exact,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_in_one_pass_lowers_as_make_ascii_lowercase() {
        // Every byte value at every position of a word, and lengths around the word size.
        for byte in 0..=255u8 {
            for length in [1usize, 7, 8, 9, 17] {
                for position in 0..length {
                    let mut text = vec![b'Q'; length];
                    text[position] = byte;
                    let mut expected = text.clone();
                    expected.make_ascii_lowercase();
                    let mut folded = Vec::new();
                    fold_into(&text, &mut folded);
                    // (A lone byte is never U+017F or U+212A, the only non-ASCII folds.)
                    assert_eq!(folded, expected, "{byte:#x} at {position} of {length}");
                }
            }
        }
        let mut folded = Vec::new();
        fold_into("Stop KEEPALIVED ſ \u{212A}elvin Éé".as_bytes(), &mut folded);
        assert_eq!(folded, "stop keepalived s kelvin Éé".as_bytes());
    }

    fn literals(pattern: &str) -> Option<Vec<String>> {
        required_literals(pattern).map(|set| {
            set.into_iter()
                .map(|bytes| String::from_utf8(bytes).unwrap())
                .collect()
        })
    }

    #[test]
    fn a_plain_word_is_its_own_literal() {
        assert_eq!(
            literals("OutOfMemoryError"),
            Some(vec!["outofmemoryerror".into()])
        );
    }

    #[test]
    fn optional_parts_multiply_into_whole_words() {
        assert_eq!(
            literals(
                r"(?i)\b(?:op(?:eration)?[_ ]mode|set mode to)\b\W*(?:=\s*)?(?P<mode>maintenance|operation)\b"
            ),
            Some(vec!["maintenance".into(), "operation".into()])
        );
        assert_eq!(
            literals(r"op(?:eration)?[_ ]mode"),
            Some(vec![
                "op mode".into(),
                "op_mode".into(),
                "operation mode".into(),
                "operation_mode".into()
            ])
        );
    }

    #[test]
    fn unicode_case_folding_reaches_the_folded_text() {
        // (?i)s also matches U+017F (long s), (?i)k the Kelvin sign: the text is folded the same
        // way, so one literal serves.
        assert_eq!(literals("(?i)stop"), Some(vec!["stop".into()]));
        assert_eq!(literals("(?i)kernel"), Some(vec!["kernel".into()]));
        let search = LiteralSearch::new(&[b"stop".to_vec()], &[vec![0]]).unwrap();
        for text in ["STOP", "\u{17f}top", "x\u{17F}TOP\u{212a}", "é stop"] {
            assert!(
                with_folded(text, |folded| search.occurs_in(folded)),
                "{text:?}"
            );
        }
        assert!(!with_folded("st\u{f6}p", |folded| search.occurs_in(folded)));
    }

    #[test]
    fn patterns_that_require_nothing_have_no_literals() {
        assert_eq!(literals("."), None);
        assert_eq!(literals(r"\w+"), None);
        assert_eq!(literals("a|.*"), None);
        assert_eq!(literals("(?:abc)?"), None);
    }

    #[test]
    fn alternations_require_one_of_their_branches() {
        assert_eq!(
            literals(r"^(?:Entering|Leaving) (?:MASTER|BACKUP) STATE"),
            Some(vec![
                "entering backup state".into(),
                "entering master state".into(),
                "leaving backup state".into(),
                "leaving master state".into()
            ])
        );
        let found = literals(r"PSQLException|Connection to \S+:5432 refused").unwrap();
        assert!(found.contains(&"psqlexception".to_string()));
        // The longer of the branch's two literals stands for it.
        assert!(found.contains(&"connection to ".to_string()));
        assert_eq!(found.len(), 2);
    }

    /// The SIMD search finds every row the overlapping automaton finds, literals inside others
    /// and overlapping ones included.
    #[test]
    fn both_searches_find_the_same_rows() {
        let literals: Vec<Vec<u8>> = ["stand", "andby", "standby", "stop", "to", "by", "master"]
            .iter()
            .map(|literal| literal.as_bytes().to_vec())
            .collect();
        let rows_of: Vec<Vec<usize>> = (0..literals.len()).map(|row| vec![row]).collect();
        let search = LiteralSearch::new(&literals, &rows_of).unwrap();
        let fallback = LiteralSearch {
            packed: None,
            ..LiteralSearch::new(&literals, &rows_of).unwrap()
        };
        for text in [
            "standby",
            "xxstandbyxx stop",
            "to stand by the master",
            "",
            "st",
            "a long line without any of them at all, repeated, repeated",
        ] {
            let rows = |search: &LiteralSearch| {
                let mut rows = Vec::new();
                search.visit_rows(text.as_bytes(), |found| rows.extend_from_slice(found));
                rows.sort_unstable();
                rows.dedup();
                rows
            };
            assert_eq!(rows(&search), rows(&fallback), "{text:?}");
        }
        let mut rows = Vec::new();
        search.visit_rows(b"xxstandbyxx", |found| rows.extend_from_slice(found));
        rows.sort_unstable();
        rows.dedup();
        assert_eq!(rows, vec![0, 1, 2, 5]);
    }

    /// Every literal set is a real requirement: random strings that the pattern matches always
    /// contain one of the literals.
    #[test]
    fn every_match_contains_a_literal() {
        let patterns = [
            r"(?i)\b(?:transition(?:ed|ing)? to|became|now)\s+(?P<role>master|backup|fault)\b",
            r"(?i)\belector\b.*?\b(?P<role>leader|follower)\b",
            r"^(?P<device>block drbd\d+|d-con [^:\s]+):\s+Split-Brain detected",
            r"(?i)k[a-c]?x",
        ];
        let samples = [
            "now MASTER",
            "Transitioned to   backup",
            "ELECTOR x LEADER",
            "block drbd0: Split-Brain detected",
            "d-con r0:  Split-Brain detected",
            "\u{212a}x",
            "KBX",
            "kx",
        ];
        for pattern in patterns {
            let regex = regex::Regex::new(pattern).unwrap();
            let Some(found) = required_literals(pattern) else {
                continue;
            };
            for sample in samples {
                if regex.is_match(sample) {
                    let folded = fold(sample.as_bytes());
                    assert!(
                        found.iter().any(|literal| contains(&folded, literal)),
                        "{pattern:?} matches {sample:?} which holds none of {found:?}"
                    );
                }
            }
        }
    }
}
