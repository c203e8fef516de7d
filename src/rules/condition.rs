//! The condition language of diagnosis rules, parsed with nom. A condition is an expression:
//!
//! ```text
//! expr    := or
//! or      := and ("or" and)*
//! and     := unary ("and" unary)*
//! unary   := "not" unary | compare
//! compare := atom (("==" | "!=" | "<=" | ">=" | "<" | ">" | "in") atom)?
//! atom    := "(" expr ")" | name "(" expr ("," expr)* ")" | "[" expr ("," expr)* "]"
//!          | "string" | duration (-5s, 300ms, +2m, 1h, 7d) | number | true | false | name
//! ```
//!
//! Names are subject attributes (`from`, `to`, `instance`, `node`, `duration`) or, inside an event
//! predicate, the candidate event's `kind`, `event`, `program`, `source`, `level`,
//! `lines_from_subject` and fields;
//! `subject.X` reaches the subject from inside a predicate. Functions are listed in [`FUNCTIONS`].

use nom::branch::alt;
use nom::bytes::complete::{tag, take_while, take_while1};
use nom::character::complete::{char, multispace0, one_of};
use nom::combinator::{all_consuming, map, opt, recognize};
use nom::multi::separated_list1;
use nom::sequence::{delimited, pair, preceded};
use nom::{IResult, Parser};

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    In,
}

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Bool(bool),
    Number(f64),
    /// Seconds.
    Duration(f64),
    Str(String),
    List(Vec<Expr>),
    Name(String),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Compare(Box<Expr>, Op, Box<Expr>),
    Call(String, Vec<Expr>),
}

/// The functions a condition may call: (name, arguments, what it gives).
pub const FUNCTIONS: &[(&str, usize, &str)] = &[
    (
        "seen",
        4,
        "seen(who, predicate, from, to): an event of who (self, peer, any) matching predicate in [t+from, t+to]",
    ),
    (
        "adjacent",
        4,
        "adjacent(who, predicate, from, to): as seen, but only an event with no line of the subject's node or of who between it and the subject's change: two moments no line separates, which clocks that disagree may have put apart",
    ),
    (
        "count",
        4,
        "count(who, predicate, from, to): how many such events",
    ),
    (
        "state",
        2,
        "state(who, at): the subject instance's state of who at t+at (MASTER, BACKUP, FAULT, STOP, UNKNOWN)",
    ),
    (
        "logged",
        3,
        "logged(who, from, to): who wrote any log line at all in the window",
    ),
    (
        "covered",
        3,
        "covered(who, from, to): who's logs cover the whole window (begin before it, end after it or at its collection, none missing); false for a node not in the input",
    ),
    (
        "blind",
        3,
        "blind(who, from, to): we have no logs of who for part of the window (missing or unreadable files)",
    ),
    (
        "gap",
        3,
        "gap(who, from, to): the longest silence of who's logs in the window, seconds",
    ),
    (
        "drbd_role",
        2,
        "drbd_role(who, at): who's DRBD role at t+at (Primary, Secondary, Unknown; null before anything said)",
    ),
    (
        "role_after",
        1,
        "role_after(who): the state who's instance went to when the state it held just before t ended (\"\" while still open)",
    ),
    (
        "role_before",
        1,
        "role_before(who): the state who's instance held before the one it held just before t (\"\" where that one is held since before the logs; of several nodes, MASTER if any)",
    ),
    (
        "restarted_unseen",
        1,
        "restarted_unseen(who): who's keepalived was, just before t, between an old process's last line and a new process's start with no stop logged between (a crash, kill or reboot its logs do not show)",
    ),
    (
        "started_again",
        2,
        "started_again(who, predicate): who's keepalived started again after t (a start, its VRRP process's, the node's boot, systemd starting the unit), and no event matching predicate is seen from who's last such start to the end of its logs: what the subject shows ended with its run",
    ),
    (
        "filtered",
        1,
        "filtered(who): who's lines are a selection: a filtering command's shell prompt (`| grep VI_1`) is pasted among them, so what they lack may only have been filtered out",
    ),
    (
        "typed",
        2,
        "typed(who, action): a command of that action (interface-down, interface-up, keepalived-stop, keepalived-start, reboot) typed at who's shell prompt pasted among its lines is the last of its kind before the subject's line (in another file than the subject's: no other action of its kind typed there)",
    ),
    (
        "state_at_line",
        1,
        "state_at_line(who): the state who's instance held as the subject's line was written (the state its line ended, else the one a line before it opened); for a subject of no instance, of all who's instances: MASTER if any, else UNKNOWN if any, else the lowest of BACKUP, FAULT, STOP",
    ),
    (
        "released_at_line",
        1,
        "released_at_line(who): every instance state_at_line finds MASTER (one at least) logged its release (`sent 0 priority`, `removing VIPs`) in the 5 s (undated: the 10 lines) before the subject's line: it held no VIP then",
    ),
    (
        "held_since_start",
        1,
        "held_since_start(who): the state who's instance held just before t is the first it took after keepalived (or the node) started, and it has held it since: an `(init)` state line, or a state begun within a minute of a start with none known between",
    ),
    (
        "change_in",
        1,
        "change_in(who): seconds from t until the state who held just before t ended (null while still open)",
    ),
];

/// A parse error with the byte offset in the condition where it was found.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}

type Parsed<'a, T> = IResult<&'a str, T>;

fn space<'a, O, P>(inner: P) -> impl Parser<&'a str, Output = O, Error = nom::error::Error<&'a str>>
where
    P: Parser<&'a str, Output = O, Error = nom::error::Error<&'a str>>,
{
    delimited(multispace0, inner, multispace0)
}

fn keyword<'a>(
    word: &'static str,
) -> impl Parser<&'a str, Output = &'a str, Error = nom::error::Error<&'a str>> {
    move |input: &'a str| {
        let (rest, found) = tag(word).parse(input)?;
        if rest
            .chars()
            .next()
            .is_some_and(|next| next.is_ascii_alphanumeric() || next == '_')
        {
            return Err(nom::Err::Error(nom::error::Error::new(
                input,
                nom::error::ErrorKind::Tag,
            )));
        }
        Ok((rest, found))
    }
}

fn name(input: &str) -> Parsed<'_, String> {
    map(
        recognize(pair(
            take_while1(|character: char| character.is_ascii_alphabetic() || character == '_'),
            take_while(|character: char| {
                character.is_ascii_alphanumeric()
                    || character == '_'
                    || character == '.'
                    || character == '-'
            }),
        )),
        str::to_string,
    )
    .parse(input)
}

fn string(input: &str) -> Parsed<'_, Expr> {
    alt((
        delimited(
            char('"'),
            take_while(|character| character != '"'),
            char('"'),
        ),
        delimited(
            char('\''),
            take_while(|character| character != '\''),
            char('\''),
        ),
    ))
    .map(|text: &str| Expr::Str(text.to_string()))
    .parse(input)
}

fn number_or_duration(input: &str) -> Parsed<'_, Expr> {
    let (rest, text) = recognize((
        opt(one_of("+-")),
        take_while1(|character: char| character.is_ascii_digit()),
        opt(pair(
            char('.'),
            take_while1(|character: char| character.is_ascii_digit()),
        )),
    ))
    .parse(input)?;
    let value: f64 = text.parse().unwrap_or(0.0);
    let (rest, unit) = opt(alt((tag("ms"), tag("s"), tag("m"), tag("h"), tag("d")))).parse(rest)?;
    if rest
        .chars()
        .next()
        .is_some_and(|next| next.is_ascii_alphabetic())
    {
        return Err(nom::Err::Error(nom::error::Error::new(
            input,
            nom::error::ErrorKind::Digit,
        )));
    }
    let expr = match unit {
        None => Expr::Number(value),
        Some("ms") => Expr::Duration(value / 1000.0),
        Some("s") => Expr::Duration(value),
        Some("m") => Expr::Duration(value * 60.0),
        Some("h") => Expr::Duration(value * 3600.0),
        Some(_) => Expr::Duration(value * 86_400.0),
    };
    Ok((rest, expr))
}

fn list(input: &str) -> Parsed<'_, Expr> {
    delimited(
        space(char('[')),
        separated_list1(space(char(',')), expression),
        space(char(']')),
    )
    .map(Expr::List)
    .parse(input)
}

fn call_or_name(input: &str) -> Parsed<'_, Expr> {
    let (rest, identifier) = name(input)?;
    // The language's own words are never names: `not (` that does not parse as a negation must
    // not be tried again as a name (that doubled the work at every level of nesting).
    if matches!(identifier.as_str(), "not" | "and" | "or" | "in") {
        return Err(nom::Err::Error(nom::error::Error::new(
            input,
            nom::error::ErrorKind::Tag,
        )));
    }
    match identifier.as_str() {
        "true" => return Ok((rest, Expr::Bool(true))),
        "false" => return Ok((rest, Expr::Bool(false))),
        _ => {}
    }
    let (rest, arguments) = opt(delimited(
        space(char('(')),
        separated_list1(space(char(',')), expression),
        space(char(')')),
    ))
    .parse(rest)?;
    Ok((
        rest,
        match arguments {
            Some(arguments) => Expr::Call(identifier, arguments),
            None => Expr::Name(identifier),
        },
    ))
}

fn atom(input: &str) -> Parsed<'_, Expr> {
    space(alt((
        delimited(char('('), expression, space(char(')'))),
        list,
        string,
        number_or_duration,
        call_or_name,
    )))
    .parse(input)
}

fn operator(input: &str) -> Parsed<'_, Op> {
    space(alt((
        tag("==").map(|_| Op::Equal),
        tag("!=").map(|_| Op::NotEqual),
        tag("<=").map(|_| Op::LessOrEqual),
        tag(">=").map(|_| Op::GreaterOrEqual),
        tag("<").map(|_| Op::Less),
        tag(">").map(|_| Op::Greater),
        keyword("in").map(|_| Op::In),
    )))
    .parse(input)
}

fn compare(input: &str) -> Parsed<'_, Expr> {
    let (rest, left) = atom(input)?;
    let (rest, tail) = opt(pair(operator, atom)).parse(rest)?;
    Ok((
        rest,
        match tail {
            Some((op, right)) => Expr::Compare(Box::new(left), op, Box::new(right)),
            None => left,
        },
    ))
}

fn unary(input: &str) -> Parsed<'_, Expr> {
    alt((
        preceded(space(keyword("not")), unary).map(|inner| Expr::Not(Box::new(inner))),
        compare,
    ))
    .parse(input)
}

fn and(input: &str) -> Parsed<'_, Expr> {
    let (rest, items) = separated_list1(space(keyword("and")), unary).parse(input)?;
    Ok((
        rest,
        if items.len() == 1 {
            items.into_iter().next().unwrap_or(Expr::Bool(true))
        } else {
            Expr::And(items)
        },
    ))
}

fn expression(input: &str) -> Parsed<'_, Expr> {
    let (rest, items) = separated_list1(space(keyword("or")), and).parse(input)?;
    Ok((
        rest,
        if items.len() == 1 {
            items.into_iter().next().unwrap_or(Expr::Bool(false))
        } else {
            Expr::Or(items)
        },
    ))
}

/// How deeply a condition may nest (parentheses, lists, `not`): the parser recurses per level.
pub const MAX_DEPTH: usize = 64;
/// The longest duration a condition may name (ten years).
pub const MAX_DURATION_S: f64 = 3650.0 * 86_400.0;

/// The deepest nesting of a condition outside its strings: brackets open plus `not`s in a row.
fn nesting(text: &str) -> (usize, usize) {
    let (mut depth, mut deepest, mut at) = (0usize, 0usize, 0usize);
    let mut quote: Option<char> = None;
    let mut word = String::new();
    for (index, character) in text.char_indices() {
        if let Some(open) = quote {
            if character == open {
                quote = None;
            }
            continue;
        }
        if character.is_ascii_alphanumeric() || character == '_' {
            word.push(character);
            continue;
        }
        if word == "not" {
            depth += 1;
        }
        word.clear();
        match character {
            '"' | '\'' => quote = Some(character),
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > deepest {
            deepest = depth;
            at = index;
        }
    }
    (deepest, at)
}

/// Parses a whole condition; the error gives the byte offset of the first thing not understood.
pub fn parse(text: &str) -> Result<Expr, ParseError> {
    let (deepest, at) = nesting(text);
    if deepest > MAX_DEPTH {
        return Err(ParseError {
            offset: at,
            message: format!("the condition nests more than {MAX_DEPTH} levels deep"),
        });
    }
    match all_consuming(space(expression)).parse(text) {
        Ok((_, expr)) => {
            check(&expr).map_err(|message| ParseError { offset: 0, message })?;
            Ok(expr)
        }
        Err(nom::Err::Error(error) | nom::Err::Failure(error)) => {
            let offset = text.len() - error.input.len();
            let near: String = error.input.chars().take(20).collect();
            Err(ParseError {
                offset,
                message: if near.is_empty() {
                    "the condition ends too early".to_string()
                } else {
                    format!("cannot read the condition from {near:?}")
                },
            })
        }
        Err(nom::Err::Incomplete(_)) => Err(ParseError {
            offset: text.len(),
            message: "the condition ends too early".to_string(),
        }),
    }
}

/// Checks function names and argument counts.
fn check(expr: &Expr) -> Result<(), String> {
    match expr {
        Expr::Call(function, arguments) => {
            let Some((_, arity, _)) = FUNCTIONS.iter().find(|(known, _, _)| known == function)
            else {
                let known: Vec<&str> = FUNCTIONS.iter().map(|(known, _, _)| *known).collect();
                return Err(format!(
                    "unknown function {function}() (known: {})",
                    known.join(", ")
                ));
            };
            if arguments.len() != *arity {
                return Err(format!(
                    "{function}() takes {arity} arguments, not {}",
                    arguments.len()
                ));
            }
            arguments.iter().try_for_each(check)
        }
        Expr::Duration(seconds) if !seconds.is_finite() || seconds.abs() > MAX_DURATION_S => Err(
            format!("the duration {seconds} s is out of range (at most ten years either way)"),
        ),
        Expr::Number(value) if !value.is_finite() => {
            Err(format!("the number {value} is out of range"))
        }
        Expr::Not(inner) => check(inner),
        Expr::And(items) | Expr::Or(items) | Expr::List(items) => items.iter().try_for_each(check),
        Expr::Compare(left, _, right) => {
            check(left)?;
            check(right)
        }
        _ => Ok(()),
    }
}

/// Line and column (1-based) of a byte offset in a text.
pub fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |last| last.chars().count())
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_and_calls() {
        let expr = parse(r#"seen(peer, event == "priority-zero-sent" or event in ["keepalived-stopping"], -5s, +1s) and not from == "FAULT""#).unwrap();
        let Expr::And(items) = expr else {
            panic!("an and")
        };
        assert_eq!(items.len(), 2);
        let Expr::Call(name, arguments) = &items[0] else {
            panic!("a call")
        };
        assert_eq!(name, "seen");
        assert_eq!(arguments[2], Expr::Duration(-5.0));
        assert_eq!(arguments[3], Expr::Duration(1.0));
        assert!(matches!(&arguments[1], Expr::Or(_)));
        assert!(matches!(&items[1], Expr::Not(_)));
    }

    #[test]
    fn literals() {
        assert_eq!(parse("300ms").unwrap(), Expr::Duration(0.3));
        assert_eq!(parse("2m").unwrap(), Expr::Duration(120.0));
        assert_eq!(parse("-400d").unwrap(), Expr::Duration(-400.0 * 86_400.0));
        assert_eq!(
            parse("count(any, kind == 'drbd', -1h, 0s) >= 3").unwrap(),
            Expr::Compare(
                Box::new(Expr::Call(
                    "count".into(),
                    vec![
                        Expr::Name("any".into()),
                        Expr::Compare(
                            Box::new(Expr::Name("kind".into())),
                            Op::Equal,
                            Box::new(Expr::Str("drbd".into()))
                        ),
                        Expr::Duration(-3600.0),
                        Expr::Duration(0.0)
                    ]
                )),
                Op::GreaterOrEqual,
                Box::new(Expr::Number(3.0)),
            )
        );
        assert_eq!(
            parse("subject.instance").unwrap(),
            Expr::Name("subject.instance".into())
        );
        assert_eq!(
            parse("notify == 1").unwrap(),
            Expr::Compare(
                Box::new(Expr::Name("notify".into())),
                Op::Equal,
                Box::new(Expr::Number(1.0))
            )
        );
    }

    #[test]
    fn deep_or_hostile_nesting_is_refused_quickly() {
        let deep = format!("{}true{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(parse(&deep).unwrap_err().message.contains("nests"));
        let nots = "not ".repeat(10_000) + "true";
        assert!(parse(&nots).is_err());
        // Unclosed negations used to take exponential time; within the depth limit they now fail
        // at once.
        let started = std::time::Instant::now();
        assert!(parse(&"not (".repeat(40)).is_err());
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert!(parse(&format!("{}true{}", "(".repeat(60), ")".repeat(60))).is_ok());
        assert!(parse("not (true) and not not false").is_ok());
    }

    #[test]
    fn durations_beyond_ten_years_are_refused() {
        assert!(parse("seen(self, true, -99999999999d, 0s)").is_err());
        assert!(parse("seen(self, true, -3650d, 0s)").is_ok());
        let huge = format!("duration > {}", "9".repeat(400));
        assert!(parse(&huge).unwrap_err().message.contains("out of range"));
    }

    #[test]
    fn errors_say_where() {
        let error =
            parse("seen(peer, event == \"x\", -5s, +1s) and\n  state(peer, 0s) === 'MASTER'")
                .unwrap_err();
        let (line, column) = line_and_column(
            "seen(peer, event == \"x\", -5s, +1s) and\n  state(peer, 0s) === 'MASTER'",
            error.offset,
        );
        assert_eq!((line, column), (2, 19), "{error:?}");
        let unknown = parse("sen(peer, true, 0s, 1s)").unwrap_err();
        assert!(
            unknown.message.contains("unknown function sen()"),
            "{unknown:?}"
        );
        let arity = parse("seen(peer, true)").unwrap_err();
        assert!(arity.message.contains("takes 4 arguments"), "{arity:?}");
    }
}
