//! DRBD's configuration (/etc/drbd.conf, /etc/drbd.d/*): every statement with the blocks it sits
//! in (`resource esc > on esc-ha-0 > address` = `10.85.103.135:7789`), so two copies compare
//! statement by statement. `#` comments are dropped; shared-secret values are marked.

use std::collections::BTreeMap;

/// Blocks deeper than this are not DRBD's (and are not followed).
const MAX_DEPTH: usize = 16;

/// Splits a DRBD configuration into words, `{`, `}` and `;`, dropping comments; quoted words
/// stay whole.
fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    for line in text.lines() {
        let mut current = String::new();
        let mut quoted = false;
        for character in line.chars() {
            match character {
                '"' => {
                    quoted = !quoted;
                    current.push(character);
                }
                '#' if !quoted => break,
                '{' | '}' | ';' if !quoted => {
                    if !current.is_empty() {
                        words.push(std::mem::take(&mut current));
                    }
                    words.push(character.to_string());
                }
                space if space.is_whitespace() && !quoted => {
                    if !current.is_empty() {
                        words.push(std::mem::take(&mut current));
                    }
                }
                other => current.push(other),
            }
        }
        if !current.is_empty() {
            words.push(current);
        }
    }
    words
}

/// Each statement as `block > block > keyword` with its value (the words after the keyword).
/// A statement repeated in one block keeps its values in order, joined by `; `.
pub fn parse(text: &str) -> BTreeMap<String, String> {
    let mut statements: BTreeMap<String, String> = BTreeMap::new();
    let mut blocks: Vec<String> = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    for word in words(text) {
        match word.as_str() {
            "{" => {
                if blocks.len() < MAX_DEPTH {
                    blocks.push(std::mem::take(&mut pending).join(" "));
                } else {
                    pending.clear();
                }
            }
            "}" => {
                pending.clear();
                blocks.pop();
            }
            ";" => {
                if let Some((keyword, values)) = pending.split_first() {
                    let mut path = blocks.clone();
                    path.push(keyword.clone());
                    let key = path.join(" > ");
                    let value = values.join(" ");
                    statements
                        .entry(key)
                        .and_modify(|existing| {
                            existing.push_str("; ");
                            existing.push_str(&value);
                        })
                        .or_insert(value);
                }
                pending.clear();
            }
            _ => pending.push(word),
        }
    }
    statements
}

/// Whether a statement's keyword holds a secret (`shared-secret`).
pub fn is_secret(key: &str) -> bool {
    key.rsplit(" > ")
        .next()
        .is_some_and(|keyword| keyword.contains("secret"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_carry_their_blocks() {
        let statements = parse(
            "# ESC's resource\nresource esc {\n  protocol C;\n  net { shared-secret \"x y\"; }\n  on esc-ha-0 {\n    device /dev/drbd1;\n    address 10.85.103.135:7789; # primary\n  }\n}\n",
        );
        assert_eq!(statements["resource esc > protocol"], "C");
        assert_eq!(
            statements["resource esc > on esc-ha-0 > address"],
            "10.85.103.135:7789"
        );
        assert_eq!(statements["resource esc > net > shared-secret"], "\"x y\"");
        assert!(is_secret("resource esc > net > shared-secret"));
        assert!(!is_secret("resource esc > protocol"));
    }

    #[test]
    fn unbalanced_and_deep_input_is_read_without_harm() {
        assert!(parse("}}}} a b; {{{{").contains_key("a"));
        let deep = "x {".repeat(10_000) + "y z;";
        assert_eq!(parse(&deep).len(), 1);
    }
}
