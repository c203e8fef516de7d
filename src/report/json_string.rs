//! JSON string escaping for the per-line outputs (`timeline --format ndjson` / `json`), byte for
//! byte what serde_json writes, eight bytes at a time where nothing needs escaping.

/// What a byte becomes inside a JSON string: 0 for itself, `u` for `\u00XX`, else the letter
/// after the backslash (as serde_json: control characters, `"` and `\`; DEL and non-ASCII stay).
const ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = b'u';
        byte += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// Whether any of the eight bytes of `word` needs escaping: below 0x20, `"` or `\`. Each test
/// is exact about "any" (a borrow can only mark bytes above one that matched).
fn word_needs_escape(word: u64) -> bool {
    let below_space = word.wrapping_sub(ONES * 0x20) & !word;
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    let has_quote = quote.wrapping_sub(ONES) & !quote;
    let has_backslash = backslash.wrapping_sub(ONES) & !backslash;
    (below_space | has_quote | has_backslash) & HIGH_BITS != 0
}

/// Appends `text` as a JSON string, quotes included.
pub fn push_string(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    push_contents(out, text);
    out.push(b'"');
}

/// Appends `text` escaped as inside a JSON string, without the quotes.
pub fn push_contents(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    let mut clean_from = 0;
    let mut at = 0;
    while at < bytes.len() {
        if let Some(word) = bytes.get(at..at + 8) {
            let word = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
            if !word_needs_escape(word) {
                at += 8;
                continue;
            }
        }
        let byte = bytes[at];
        let escape = ESCAPE[usize::from(byte)];
        if escape != 0 {
            out.extend_from_slice(&bytes[clean_from..at]);
            out.push(b'\\');
            out.push(escape);
            if escape == b'u' {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(&[
                    b'0',
                    b'0',
                    HEX[usize::from(byte >> 4)],
                    HEX[usize::from(byte & 0xf)],
                ]);
            }
            clean_from = at + 1;
        }
        at += 1;
    }
    out.extend_from_slice(&bytes[clean_from..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(text: &str) -> String {
        let mut out = Vec::new();
        push_string(&mut out, text);
        String::from_utf8(out).expect("escaping keeps UTF-8")
    }

    #[test]
    fn every_character_up_to_u_0100_is_escaped_as_serde_json_does() {
        for code in 0u32..0x100 {
            let character = char::from_u32(code).expect("a character");
            for text in [
                character.to_string(),
                format!("abcdefgh{character}ijklmnop"),
                format!("{character}{character}1234567{character}"),
            ] {
                assert_eq!(
                    ours(&text),
                    serde_json::to_string(&text).unwrap(),
                    "{code:#x}"
                );
            }
        }
    }

    #[test]
    fn random_text_is_escaped_as_serde_json_does() {
        // Characters likely to matter (controls, quotes, backslash, DEL, multi-byte) mixed with
        // plain ones, at every alignment against the eight-byte words.
        let alphabet: Vec<char> = "ab \t\n\r\u{0}\u{1f}\"\\\u{7f}é€😀x/".chars().collect();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let length = (next() % 40) as usize;
            let text: String = (0..length)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            assert_eq!(
                ours(&text),
                serde_json::to_string(&text).unwrap(),
                "{text:?}"
            );
        }
    }
}
