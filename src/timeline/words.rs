//! What the input shows that texts for people choose their words by: ESC, DRBD (`{esc?WITH|WITHOUT}`
//! and `{drbd?WITH|WITHOUT}` in rule, advice and check texts), and the choosing.

use super::Timeline;

/// What the input shows, by which rule, advice and check texts choose their words:
/// `{esc?WITH|WITHOUT}` reads WITH where the input shows ESC ([`Timeline::shows_esc`]),
/// `{drbd?WITH|WITHOUT}` where it shows DRBD (its lines or status, or ESC, which replicates its
/// database with DRBD). Either branch may be empty, hold `{name}` values and another choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TextContext {
    pub esc: bool,
    pub drbd: bool,
    /// The input is (or holds) a collection esc-diag made: its record of the nodes (whether
    /// the peer answered over SSH, the clock offset it measured) is there to read.
    pub collected: bool,
}

/// The input esc-diag is made for, a pair of ESC nodes: the words `rules list` shows.
pub const ESC_INPUT: TextContext = TextContext {
    esc: true,
    drbd: true,
    collected: true,
};

/// The names a choice may ask of [`TextContext`].
pub const CHOICES: [&str; 3] = ["esc", "drbd", "collected"];

impl TextContext {
    /// What this timeline shows.
    pub fn of(timeline: &Timeline) -> TextContext {
        let esc = timeline.shows_esc();
        TextContext {
            esc,
            drbd: esc || timeline.shows_drbd(),
            collected: timeline
                .nodes
                .iter()
                .any(|node| node.collected_at.is_some()),
        }
    }

    fn holds(&self, choice: &str) -> bool {
        match choice {
            "esc" => self.esc,
            "drbd" => self.drbd,
            "collected" => self.collected,
            _ => false,
        }
    }
}

/// The name a choice opened at `start` of a text asks (`{NAME?`: a word of letters, digits and
/// `_`, whether or not one of [`CHOICES`]); None where `{` opens no choice there.
pub fn choice_name_at(text: &str, start: usize) -> Option<&str> {
    let after = text[start..].strip_prefix('{')?;
    let length = after
        .find(|character: char| !(character.is_ascii_alphanumeric() || character == '_'))
        .unwrap_or(after.len());
    (length > 0 && after[length..].starts_with('?')).then(|| &after[..length])
}

/// One choice found at `start` of a text (`{NAME?WITH|WITHOUT}`, NAME one of [`CHOICES`]): its
/// name, where it ends (bytes, the closing brace included), and its two branches. None where no
/// choice opens at `start`, or it is not closed or has no `|` at its own level (`rules check`
/// reports it; the text is then left as written).
pub fn choice_at(text: &str, start: usize) -> Option<(&str, usize, &str, &str)> {
    let name = choice_name_at(text, start).filter(|name| CHOICES.contains(name))?;
    let body_start = start + 1 + name.len() + 1;
    let mut depth = 0usize;
    let mut bar = None;
    for (offset, character) in text[body_start..].char_indices() {
        match character {
            '{' => depth += 1,
            '}' if depth == 0 => {
                let bar = bar?;
                let end = body_start + offset + 1;
                return Some((
                    name,
                    end,
                    &text[body_start..bar],
                    &text[bar + 1..body_start + offset],
                ));
            }
            '}' => depth -= 1,
            '|' if depth == 0 && bar.is_none() => bar = Some(body_start + offset),
            _ => {}
        }
    }
    None
}

/// A text with each choice (`{esc?WITH|WITHOUT}`, `{drbd?...}`) replaced by its branch for this
/// input. An empty branch takes the space before it along where a space or punctuation follows
/// (`keepalived{esc?, or escadm restart|}.` and `restart keepalived {esc?(escadm restart)|} on
/// both` both read well).
pub fn in_context(text: &str, context: TextContext) -> String {
    let mut chosen = String::with_capacity(text.len());
    let mut rest = 0;
    let mut search = 0;
    while let Some(found) = text[search..].find('{') {
        let start = search + found;
        let Some((name, end, with, without)) = choice_at(text, start) else {
            search = start + 1;
            continue;
        };
        chosen.push_str(&text[rest..start]);
        let branch = in_context(if context.holds(name) { with } else { without }, context);
        if branch.is_empty() {
            let next = text[end..].chars().next();
            if chosen.ends_with(' ')
                && next.is_none_or(|next| next == ' ' || ".,;:)".contains(next))
            {
                chosen.pop();
            }
        } else {
            chosen.push_str(&branch);
        }
        rest = end;
        search = end;
    }
    chosen.push_str(&text[rest..]);
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    const ESC: TextContext = TextContext {
        esc: true,
        drbd: true,
        collected: true,
    };
    const DRBD: TextContext = TextContext {
        esc: false,
        drbd: true,
        collected: false,
    };
    const PLAIN: TextContext = TextContext {
        esc: false,
        drbd: false,
        collected: false,
    };

    #[test]
    fn a_choice_reads_its_branch_for_the_input() {
        let text = "Check {esc?the kad_vif network|the network VRRP runs on} from {self}.";
        assert_eq!(
            in_context(text, ESC),
            "Check the kad_vif network from {self}."
        );
        assert_eq!(
            in_context(text, PLAIN),
            "Check the network VRRP runs on from {self}."
        );
        // Values and other choices inside a branch.
        let nested = "{esc?escadm stop on {self}|{drbd?umount on {self}|}} then";
        assert_eq!(in_context(nested, ESC), "escadm stop on {self} then");
        assert_eq!(in_context(nested, DRBD), "umount on {self} then");
        assert_eq!(in_context(nested, PLAIN), " then");
        // What a collection records, only where the input is one.
        let record = "the peer's logs{collected?, the collection's SSH record|}, and tcpdump";
        assert_eq!(
            in_context(record, ESC),
            "the peer's logs, the collection's SSH record, and tcpdump"
        );
        assert_eq!(in_context(record, PLAIN), "the peer's logs, and tcpdump");
    }

    #[test]
    fn an_empty_branch_takes_its_space_along() {
        assert_eq!(
            in_context("restart keepalived {esc?(escadm restart)|} on both", PLAIN),
            "restart keepalived on both"
        );
        assert_eq!(
            in_context("restart keepalived {esc?(escadm restart)|}.", PLAIN),
            "restart keepalived."
        );
        assert_eq!(
            in_context("keepalived{esc?, or escadm restart|}; then", PLAIN),
            "keepalived; then"
        );
        // Before a word the space stays: it separates two words.
        assert_eq!(in_context("a {esc?|}b", PLAIN), "a b");
    }

    #[test]
    fn what_is_no_choice_is_text() {
        for text in [
            "awk '{print $1}' and {self}",
            "{esc?not closed",
            "{esc?no bar}",
            "{other?a|b}",
            "{",
        ] {
            assert_eq!(in_context(text, ESC), text);
            assert_eq!(in_context(text, PLAIN), text);
        }
        assert_eq!(choice_at("{esc?a|b}", 0), Some(("esc", 9, "a", "b")));
        assert_eq!(choice_at("x{drbd?|b|c}", 1), Some(("drbd", 12, "", "b|c")));
    }
}
