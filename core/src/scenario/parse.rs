//! Reading a scenario script into a [`Script`]: header lines, then commands in the words of
//! Kafka's tools and rill's own verbs. The grammar is in the [module docs](super).

use super::command::{
    Command, CommandError, CommitMode, CompareOp, ExpectValue, Expectation, KeyPattern, MemberSpec,
    NetNode, ProduceRecord, ProducerSpec, ResetScope, ResetSpec, Subject, ValueKind,
};
use super::json::{self, Json};
pub use super::lex::ParseError;
use super::lex::{Token, TokenKind, tokenize};
use super::world::WorldConfig;
use crate::cluster::Acks;
use crate::consumer::AutoOffsetReset;
use crate::group::TopicPartition;

/// A parsed script: the world's configuration and the commands with their line numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Script {
    /// From the header lines (`seed`, `brokers`, `latency`, `broker-config`).
    pub config: WorldConfig,
    /// The commands, in order.
    pub steps: Vec<Step>,
}

impl Script {
    /// The commands alone.
    pub fn commands(&self) -> Vec<Command> {
        self.steps.iter().map(|s| s.command.clone()).collect()
    }
}

/// One command and the 1-based line it starts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The line.
    pub line: usize,
    /// The command.
    pub command: Command,
}

/// The first words of commands (a `.sh` suffix is also accepted on Kafka's tools). A line of
/// console-producer data that starts with one of them ends the data.
pub const VERBS: &[&str] = &[
    "seed",
    "brokers",
    "latency",
    "broker-config",
    "kafka-topics",
    "kafka-console-producer",
    "kafka-console-consumer",
    "kafka-consumer-groups",
    "kafka-reassign-partitions",
    "kafka-configs",
    "kafka-delete-records",
    "kafka-leader-election",
    "kill",
    "restart",
    "shutdown",
    "partition",
    "heal",
    "slow",
    "advance",
    "consumer",
    "producer",
    "produce",
    "expect",
];

/// Whether `word` starts a command.
pub fn is_verb(word: &str) -> bool {
    let word = word.strip_suffix(".sh").unwrap_or(word);
    VERBS.contains(&word)
}

/// The header settings `broker-config` accepts: Kafka's broker config names.
pub const BROKER_CONFIGS: &[&str] = &[
    "broker.heartbeat.interval.ms",
    "broker.session.timeout.ms",
    "replica.lag.time.max.ms",
    "replica.fetch.wait.max.ms",
    "replica.fetch.backoff.ms",
    "request.timeout.ms",
    "replica.high.watermark.checkpoint.interval.ms",
    "offsets.topic.num.partitions",
    "offsets.topic.replication.factor",
    "log.retention.check.interval.ms",
];

/// The consumer configs `--consumer-property` accepts.
pub const CONSUMER_PROPERTIES: &[&str] = &[
    "group.instance.id",
    "partition.assignment.strategy",
    "session.timeout.ms",
    "heartbeat.interval.ms",
    "max.poll.interval.ms",
    "auto.offset.reset",
    "enable.auto.commit",
    "auto.commit.interval.ms",
    "max.poll.records",
];

/// Parses a whole script.
///
/// # Errors
/// The first [`ParseError`]: line, column, what was expected and what was found.
pub fn parse(text: &str) -> Result<Script, ParseError> {
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut parser = Parser {
        lines: &lines,
        config: WorldConfig::default(),
        steps: Vec::new(),
        console_consumers: 0,
    };
    parser.run()?;
    Ok(Script {
        config: parser.config,
        steps: parser.steps,
    })
}

struct Parser<'a> {
    lines: &'a [&'a str],
    config: WorldConfig,
    steps: Vec<Step>,
    console_consumers: u32,
}

/// The tokens of one command, read left to right.
struct Cursor {
    tokens: Vec<Token>,
    pos: usize,
    /// Where the line ends (for "found the end of the line").
    end: (usize, usize),
}

const END: &str = "the end of the line";

impl Cursor {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn at_end_error(&self, expected: &str) -> ParseError {
        ParseError::new(self.end.0, self.end.1, expected, END)
    }

    fn next(&mut self, expected: &str) -> Result<Token, ParseError> {
        let token = self
            .tokens
            .get(self.pos)
            .cloned()
            .ok_or_else(|| self.at_end_error(expected))?;
        self.pos += 1;
        Ok(token)
    }

    fn word(&mut self, expected: &str) -> Result<(String, Token), ParseError> {
        let token = self.next(expected)?;
        match token.word() {
            Some(text) => Ok((text.to_owned(), token)),
            None => Err(error_at(&token, expected)),
        }
    }

    fn keyword(&mut self, keyword: &str) -> Result<(), ParseError> {
        let expected = format!("{keyword:?}");
        let (word, token) = self.word(&expected)?;
        if word == keyword {
            Ok(())
        } else {
            Err(error_at(&token, &expected))
        }
    }

    fn number<T: std::str::FromStr>(&mut self, expected: &str) -> Result<T, ParseError> {
        let (word, token) = self.word(expected)?;
        word.parse().map_err(|_| error_at(&token, expected))
    }

    fn duration(&mut self, expected: &str) -> Result<i64, ParseError> {
        let (word, token) = self.word(expected)?;
        parse_duration(&word).ok_or_else(|| error_at(&token, expected))
    }

    fn done(&self) -> Result<(), ParseError> {
        match self.peek() {
            None => Ok(()),
            Some(token) => Err(error_at(token, END)),
        }
    }

    fn name(&mut self, what: &str) -> Result<String, ParseError> {
        let expected = format!("{what} (1 to 249 characters of [A-Za-z0-9._-])");
        let (word, token) = self.word(&expected)?;
        if super::command::is_valid_name(&word) {
            Ok(word)
        } else {
            Err(error_at(&token, &expected))
        }
    }
}

fn error_at(token: &Token, expected: &str) -> ParseError {
    ParseError::new(token.line, token.column, expected, &token.describe())
}

/// `10ms`, `5s`, `2m` → milliseconds.
pub fn parse_duration(text: &str) -> Option<i64> {
    let (digits, factor) = if let Some(d) = text.strip_suffix("ms") {
        (d, 1)
    } else if let Some(d) = text.strip_suffix('s') {
        (d, 1_000)
    } else if let Some(d) = text.strip_suffix('m') {
        (d, 60_000)
    } else {
        return None;
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse::<i64>().ok()?.checked_mul(factor)
}

/// `orders-0` or `orders:0` → the partition (the last `-` or `:` before digits).
pub fn parse_topic_partition(text: &str) -> Option<TopicPartition> {
    let split = text.rfind(['-', ':'])?;
    let (topic, partition) = (&text[..split], &text[split + 1..]);
    if topic.is_empty() || partition.is_empty() || !partition.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(TopicPartition::new(topic, partition.parse().ok()?))
}

/// Kafka's `--to-datetime` format, `YYYY-MM-DDTHH:mm:SS[.sss][Z]`, in UTC → ms since the epoch.
pub fn parse_datetime(text: &str) -> Option<i64> {
    let text = text.strip_suffix('Z').unwrap_or(text);
    let (date, time) = text.split_once('T')?;
    let mut date_parts = date.split('-');
    let year: i64 = date_parts.next()?.parse().ok()?;
    let month: i64 = date_parts.next()?.parse().ok()?;
    let day: i64 = date_parts.next()?.parse().ok()?;
    if date_parts.next().is_some() || !(1970..=9999).contains(&year) {
        return None;
    }
    let (clock, millis) = match time.split_once('.') {
        Some((clock, millis)) if millis.len() == 3 => (clock, millis.parse::<i64>().ok()?),
        Some(_) => return None,
        None => (time, 0),
    };
    let mut clock_parts = clock.split(':');
    let hour: i64 = clock_parts.next()?.parse().ok()?;
    let minute: i64 = clock_parts.next()?.parse().ok()?;
    let second: i64 = clock_parts.next()?.parse().ok()?;
    if clock_parts.next().is_some()
        || !(1..=12).contains(&month)
        || !(1..=days_in_month(year, month)).contains(&day)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1_000 + millis)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn parse_acks(text: &str) -> Option<Acks> {
    match text {
        "all" | "-1" => Some(Acks::All),
        "1" => Some(Acks::Leader),
        "0" => Some(Acks::None),
        _ => None,
    }
}

const ACKS: &str = "acks: all, -1, 1 or 0";

/// Whether an option takes a value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Arity {
    Flag,
    Value,
}

/// The `--options` of a Kafka tool line, in order.
struct Options {
    found: Vec<(String, Token, Option<Token>)>,
}

impl Options {
    /// Reads the rest of the cursor as options of `spec`.
    fn read(cursor: &mut Cursor, spec: &[(&str, Arity)]) -> Result<Self, ParseError> {
        let names: Vec<&str> = spec.iter().map(|(n, _)| *n).collect();
        let expected = format!("an option: {}", names.join(", "));
        let mut found = Vec::new();
        while let Some(token) = cursor.peek().cloned() {
            cursor.pos += 1;
            let Some(word) = token.word() else {
                return Err(error_at(&token, &expected));
            };
            let (name, inline) = match word.split_once('=') {
                Some((name, value)) if name.starts_with("--") => (name, Some(value)),
                _ => (word, None),
            };
            let Some((_, arity)) = spec.iter().find(|(n, _)| *n == name) else {
                return Err(error_at(&token, &expected));
            };
            let value = match (arity, inline) {
                (Arity::Flag, None) => None,
                (Arity::Flag, Some(_)) => {
                    return Err(error_at(&token, &format!("{name} without a value")));
                }
                (Arity::Value, Some(value)) => Some(Token {
                    kind: TokenKind::Word {
                        text: value.to_owned(),
                        quoted: matches!(token.kind, TokenKind::Word { quoted: true, .. }),
                    },
                    ..token.clone()
                }),
                (Arity::Value, None) => Some(cursor.next(&format!("a value for {name}"))?),
            };
            found.push((name.to_owned(), token, value));
        }
        Ok(Self { found })
    }

    fn has(&self, name: &str) -> bool {
        self.found.iter().any(|(n, _, _)| n == name)
    }

    fn flag_token(&self, name: &str) -> Option<&Token> {
        self.found
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, t, _)| t)
    }

    /// Every value given to `name`, in order.
    fn values(&self, name: &str) -> Vec<&Token> {
        self.found
            .iter()
            .filter(|(n, _, _)| n == name)
            .filter_map(|(_, _, v)| v.as_ref())
            .collect()
    }

    /// The value of `name`, given at most once.
    fn value(&self, name: &str) -> Result<Option<&Token>, ParseError> {
        let values = self.values(name);
        if let Some(second) = values.get(1) {
            return Err(error_at(second, &format!("{name} only once")));
        }
        Ok(values.first().copied())
    }

    fn required(&self, name: &str, cursor: &Cursor) -> Result<&Token, ParseError> {
        self.value(name)?
            .ok_or_else(|| cursor.at_end_error(&format!("the option {name}")))
    }

    /// Exactly one of the action flags `actions`; returns its name.
    fn action<'n>(&self, actions: &[&'n str], cursor: &Cursor) -> Result<&'n str, ParseError> {
        let expected = format!("exactly one of {}", actions.join(", "));
        let given: Vec<&str> = actions.iter().copied().filter(|a| self.has(a)).collect();
        match given.as_slice() {
            [one] => Ok(one),
            [] => Err(cursor.at_end_error(&expected)),
            [_, second, ..] => Err(error_at(
                self.flag_token(second).unwrap_or(&cursor.tokens[0]),
                &expected,
            )),
        }
    }
}

fn word_of(token: &Token, expected: &str) -> Result<String, ParseError> {
    token
        .word()
        .map(str::to_owned)
        .ok_or_else(|| error_at(token, expected))
}

fn number_of<T: std::str::FromStr>(token: &Token, expected: &str) -> Result<T, ParseError> {
    word_of(token, expected)?
        .parse()
        .map_err(|_| error_at(token, expected))
}

/// The items of a list-valued option: a bare word splits on commas, a quoted one does not,
/// a `[..]` list gives its items.
fn items_of(tokens: &[&Token]) -> Vec<String> {
    let mut items = Vec::new();
    for token in tokens {
        match &token.kind {
            TokenKind::Word {
                text,
                quoted: false,
            } => items.extend(text.split(',').filter(|s| !s.is_empty()).map(str::to_owned)),
            TokenKind::Word { text, quoted: true } => items.push(text.clone()),
            TokenKind::List(list) => items.extend(list.iter().cloned()),
        }
    }
    items
}

/// Splits Kafka's `--add-config` value: `k=v,k2=[a,b]` (brackets keep commas; they are
/// removed from the value, as `kafka-configs.sh` does).
fn config_pairs(token: &Token) -> Result<Vec<(String, String)>, ParseError> {
    let expected = "name=value pairs separated by commas ([..] around a value with commas)";
    let text = word_of(token, expected)?;
    let mut pairs = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    let mut pieces = Vec::new();
    for c in text.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ',' if depth == 0 => {
                pieces.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    pieces.push(current);
    if depth != 0 {
        return Err(error_at(token, expected));
    }
    for piece in pieces {
        let (name, value) = piece
            .split_once('=')
            .ok_or_else(|| error_at(token, expected))?;
        if name.is_empty() {
            return Err(error_at(token, expected));
        }
        let value = value
            .strip_prefix('[')
            .and_then(|v| v.strip_suffix(']'))
            .unwrap_or(value);
        pairs.push((name.to_owned(), value.to_owned()));
    }
    Ok(pairs)
}

fn pair_of(token: &Token, expected: &str) -> Result<(String, String), ParseError> {
    let text = word_of(token, expected)?;
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(error_at(token, expected)),
    }
}

/// A JSON text read from a token or from the lines after the command.
struct JsonSource {
    text: String,
    /// Where the text starts: (line, column), and whether it spans following lines (then
    /// errors point into them).
    line: usize,
    column: usize,
    following_lines: bool,
}

impl JsonSource {
    fn parse(&self) -> Result<Json, ParseError> {
        json::parse(&self.text).map_err(|error| {
            let (mut line, mut column) = (self.line, self.column);
            if self.following_lines {
                for c in self.text.chars().take(error.offset) {
                    if c == '\n' {
                        line += 1;
                        column = 1;
                    } else {
                        column += 1;
                    }
                }
                ParseError::new(line, column, error.expected, "something else in the JSON")
            } else {
                ParseError::new(
                    line,
                    column,
                    &format!(
                        "JSON (at character {}: {})",
                        error.offset + 1,
                        error.expected
                    ),
                    "malformed JSON",
                )
            }
        })
    }

    fn error(&self, expected: &str) -> ParseError {
        ParseError::new(
            self.line,
            self.column,
            expected,
            "a JSON document without it",
        )
    }
}

impl Parser<'_> {
    fn run(&mut self) -> Result<(), ParseError> {
        let mut index = 0;
        let mut header_done = false;
        while index < self.lines.len() {
            let line = self.lines[index];
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                index += 1;
                continue;
            }
            let (tokens, used) = tokenize(self.lines, index)?;
            let end_line = index + used;
            let end = (end_line, self.lines[end_line - 1].chars().count() + 1);
            let mut cursor = Cursor {
                tokens,
                pos: 0,
                end,
            };
            let (verb, verb_token) = cursor.word("a command")?;
            let verb = verb.strip_suffix(".sh").unwrap_or(&verb).to_owned();
            let line_number = index + 1;
            index = end_line;
            if matches!(
                verb.as_str(),
                "seed" | "brokers" | "latency" | "broker-config"
            ) {
                if header_done {
                    return Err(error_at(
                        &verb_token,
                        "a command (header lines — seed, brokers, latency, broker-config — come before the first command)",
                    ));
                }
                self.header(&verb, &mut cursor)?;
                continue;
            }
            header_done = true;
            match verb.as_str() {
                "kafka-console-producer" => {
                    index = self.console_producer(&mut cursor, index)?;
                }
                "kafka-reassign-partitions" | "kafka-delete-records" | "kafka-leader-election" => {
                    let (command, next) = self.json_tool(&verb, &mut cursor, index)?;
                    index = next;
                    self.push(line_number, command, &verb_token)?;
                }
                _ => {
                    let command = self.command(&verb, &verb_token, &mut cursor)?;
                    self.push(line_number, command, &verb_token)?;
                }
            }
        }
        Ok(())
    }

    fn push(&mut self, line: usize, command: Command, at: &Token) -> Result<(), ParseError> {
        command.validate().map_err(|error| {
            let message = match &error {
                CommandError::InvalidArgument(message) => message.clone(),
                other => other.to_string(),
            };
            ParseError::new(at.line, at.column, "a valid command", &message)
        })?;
        self.steps.push(Step { line, command });
        Ok(())
    }

    fn header(&mut self, verb: &str, cursor: &mut Cursor) -> Result<(), ParseError> {
        let cluster = &mut self.config.cluster;
        match verb {
            "seed" => cluster.seed = cursor.number("a seed (an unsigned 64-bit number)")?,
            "brokers" => {
                let expected = format!("a broker count from 1 to {}", crate::cluster::BROKERS_MAX);
                let (word, token) = cursor.word(&expected)?;
                cluster.brokers = word
                    .parse()
                    .ok()
                    .filter(|n| (1..=crate::cluster::BROKERS_MAX).contains(n))
                    .ok_or_else(|| error_at(&token, &expected))?;
            }
            "latency" => {
                let expected = "a latency of at least 1ms, like 1ms";
                let (word, token) = cursor.word(expected)?;
                cluster.latency.base_ms = parse_duration(&word)
                    .filter(|ms| *ms >= 1)
                    .ok_or_else(|| error_at(&token, expected))?;
                cluster.latency.jitter_ms = 0;
                if cursor.peek().is_some() {
                    cursor.keyword("jitter")?;
                    cluster.latency.jitter_ms = cursor.duration("a jitter, like 2ms")?;
                }
            }
            _ => {
                let expected = format!("name=value with a name of {}", BROKER_CONFIGS.join(", "));
                let token = cursor.next(&expected)?;
                let (name, value) = pair_of(&token, &expected)?;
                let number: i64 = value
                    .parse()
                    .ok()
                    .filter(|v| *v >= 1 && *v <= i64::from(i32::MAX))
                    .ok_or_else(|| error_at(&token, "a value from 1 to 2147483647"))?;
                match name.as_str() {
                    "broker.heartbeat.interval.ms" => cluster.heartbeat_interval_ms = number,
                    "broker.session.timeout.ms" => cluster.session_timeout_ms = number,
                    "replica.lag.time.max.ms" => cluster.replica_lag_time_max_ms = number,
                    "replica.fetch.wait.max.ms" => cluster.replica_fetch_wait_max_ms = number,
                    "replica.fetch.backoff.ms" => cluster.replica_fetch_backoff_ms = number,
                    "request.timeout.ms" => cluster.request_timeout_ms = number,
                    "replica.high.watermark.checkpoint.interval.ms" => {
                        cluster.replica_high_watermark_checkpoint_interval_ms = number;
                    }
                    "offsets.topic.num.partitions" => {
                        cluster.offsets_topic_partitions = number as u32;
                    }
                    "offsets.topic.replication.factor" => {
                        cluster.offsets_topic_replication_factor = number as u32;
                    }
                    "log.retention.check.interval.ms" => {
                        cluster.log_retention_check_interval_ms = number;
                    }
                    _ => return Err(error_at(&token, &expected)),
                }
            }
        }
        cursor.done()
    }

    fn command(
        &mut self,
        verb: &str,
        verb_token: &Token,
        cursor: &mut Cursor,
    ) -> Result<Command, ParseError> {
        let command = match verb {
            "kafka-topics" => topics(cursor)?,
            "kafka-configs" => configs(cursor)?,
            "kafka-consumer-groups" => consumer_groups(cursor)?,
            "kafka-console-consumer" => self.console_consumer(cursor)?,
            "kill" | "restart" | "shutdown" => {
                cursor.keyword("broker")?;
                let broker = cursor.number("a broker id")?;
                match verb {
                    "kill" => Command::KillBroker { broker },
                    "restart" => Command::RestartBroker { broker },
                    _ => Command::ShutdownBroker { broker },
                }
            }
            "partition" => {
                cursor.keyword("network")?;
                let side_a = net_side(cursor)?;
                let side_b = net_side(cursor)?;
                Command::PartitionNetwork { side_a, side_b }
            }
            "heal" => Command::Heal,
            "slow" => {
                cursor.keyword("broker")?;
                let broker = cursor.number("a broker id")?;
                let extra_ms = cursor.duration("an added latency, like 200ms")?;
                Command::SlowBroker { broker, extra_ms }
            }
            "advance" => Command::Advance {
                ms: cursor.duration("a duration, like 500ms, 10s or 2m")?,
            },
            "consumer" => member_command(cursor)?,
            "producer" => producer_command(cursor)?,
            "produce" => produce(cursor)?,
            "expect" => Command::Expect(expectation(cursor)?),
            _ => {
                return Err(error_at(
                    verb_token,
                    "a command (kafka-topics, kafka-console-producer, kafka-console-consumer, \
                     kafka-consumer-groups, kafka-reassign-partitions, kafka-configs, \
                     kafka-delete-records, kafka-leader-election, kill, restart, shutdown, \
                     partition, heal, slow, advance, consumer, producer, produce, expect)",
                ));
            }
        };
        cursor.done()?;
        Ok(command)
    }

    /// `kafka-console-producer` and its data lines; returns the index of the next line.
    fn console_producer(
        &mut self,
        cursor: &mut Cursor,
        mut index: usize,
    ) -> Result<usize, ParseError> {
        let options = Options::read(
            cursor,
            &[
                ("--bootstrap-server", Arity::Value),
                ("--broker-list", Arity::Value),
                ("--topic", Arity::Value),
                ("--property", Arity::Value),
                ("--producer-property", Arity::Value),
                ("--request-required-acks", Arity::Value),
            ],
        )?;
        let topic = word_of(options.required("--topic", cursor)?, "a topic")?;
        let mut acks = Acks::All;
        if let Some(token) = options.value("--request-required-acks")? {
            acks = parse_acks(&word_of(token, ACKS)?).ok_or_else(|| error_at(token, ACKS))?;
        }
        for token in options.values("--producer-property") {
            let (name, value) = pair_of(token, "acks=all|1|0 (the only producer property)")?;
            if name != "acks" {
                return Err(error_at(token, "acks=all|1|0 (the only producer property)"));
            }
            acks = parse_acks(&value).ok_or_else(|| error_at(token, ACKS))?;
        }
        let mut reader = ConsoleReader::default();
        for token in options.values("--property") {
            let expected = "a property: parse.key, key.separator, parse.headers, \
                            headers.delimiter, headers.separator, headers.key.separator, \
                            null.marker";
            let (name, value) = pair_of(token, expected)?;
            let flag = |value: &str| match value {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(error_at(token, "true or false")),
            };
            match name.as_str() {
                "parse.key" => reader.parse_key = flag(&value)?,
                "parse.headers" => reader.parse_headers = flag(&value)?,
                "key.separator" => reader.key_separator = non_empty(token, value)?,
                "headers.delimiter" => reader.headers_delimiter = non_empty(token, value)?,
                "headers.separator" => reader.headers_separator = non_empty(token, value)?,
                "headers.key.separator" => reader.headers_key_separator = non_empty(token, value)?,
                "null.marker" => reader.null_marker = Some(non_empty(token, value)?),
                _ => return Err(error_at(token, expected)),
            }
        }
        let mut record_number = 0;
        while index < self.lines.len() {
            let line = self.lines[index];
            if line.trim().is_empty() {
                index += 1;
                break;
            }
            if line.split_whitespace().next().is_some_and(is_verb) {
                break;
            }
            record_number += 1;
            let (key, value, headers) =
                reader
                    .read(line, record_number)
                    .map_err(|(column, expected)| {
                        ParseError::new(index + 1, column, &expected, &format!("{line:?}"))
                    })?;
            let command = Command::Produce(ProduceRecord {
                topic: topic.clone(),
                partition: None,
                key,
                value,
                headers,
                acks,
            });
            self.steps.push(Step {
                line: index + 1,
                command,
            });
            index += 1;
        }
        Ok(index)
    }

    fn console_consumer(&mut self, cursor: &mut Cursor) -> Result<Command, ParseError> {
        let options = Options::read(
            cursor,
            &[
                ("--bootstrap-server", Arity::Value),
                ("--topic", Arity::Value),
                ("--group", Arity::Value),
                ("--from-beginning", Arity::Flag),
                ("--consumer-property", Arity::Value),
                ("--property", Arity::Value),
            ],
        )?;
        self.console_consumers += 1;
        let name = format!("console-consumer-{}", self.console_consumers);
        let group = match options.value("--group")? {
            Some(token) => {
                let group = word_of(token, "a group id")?;
                if !super::command::is_valid_name(&group) {
                    return Err(error_at(
                        token,
                        "a group id (1 to 249 characters of [A-Za-z0-9._-])",
                    ));
                }
                group
            }
            None => name.clone(),
        };
        let topic = word_of(options.required("--topic", cursor)?, "a topic")?;
        let mut spec = MemberSpec {
            topics: vec![topic],
            ..MemberSpec::default()
        };
        let mut settings = CommitSettings::default();
        for token in options.values("--consumer-property") {
            consumer_property(&mut spec, &mut settings, token)?;
        }
        for token in options.values("--property") {
            // Formatter properties (print.key, print.value, …) change what is printed only.
            let (name, _) = pair_of(token, "a formatter property like print.key=true")?;
            if !name.starts_with("print.") && !name.ends_with(".separator") {
                return Err(error_at(token, "a formatter property like print.key=true"));
            }
        }
        if options.has("--from-beginning") {
            spec.auto_offset_reset = AutoOffsetReset::Earliest;
        }
        spec.commit = settings.mode(None);
        Ok(Command::MemberJoin {
            group,
            member: name,
            spec,
        })
    }

    /// The tools that take JSON (inline, or on the lines after the command).
    fn json_tool(
        &mut self,
        verb: &str,
        cursor: &mut Cursor,
        index: usize,
    ) -> Result<(Command, usize), ParseError> {
        let (inline, file, spec): (&str, &str, &[(&str, Arity)]) = match verb {
            "kafka-reassign-partitions" => (
                "--reassignment-json",
                "--reassignment-json-file",
                &[
                    ("--bootstrap-server", Arity::Value),
                    ("--execute", Arity::Flag),
                    ("--reassignment-json", Arity::Value),
                    ("--reassignment-json-file", Arity::Value),
                ],
            ),
            "kafka-delete-records" => (
                "--offset-json",
                "--offset-json-file",
                &[
                    ("--bootstrap-server", Arity::Value),
                    ("--offset-json", Arity::Value),
                    ("--offset-json-file", Arity::Value),
                ],
            ),
            _ => (
                "--path-to-json",
                "--path-to-json-file",
                &[
                    ("--bootstrap-server", Arity::Value),
                    ("--election-type", Arity::Value),
                    ("--topic", Arity::Value),
                    ("--partition", Arity::Value),
                    ("--all-topic-partitions", Arity::Flag),
                    ("--path-to-json", Arity::Value),
                    ("--path-to-json-file", Arity::Value),
                ],
            ),
        };
        // A value-less `--reassignment-json` at the end of the line: the JSON follows.
        let trailing_inline = cursor
            .tokens
            .last()
            .and_then(Token::word)
            .is_some_and(|w| w == inline);
        if trailing_inline {
            cursor.tokens.pop();
        }
        let options = Options::read(cursor, spec)?;
        let mut next = index;
        let source = if let Some(token) = options.value(inline)? {
            if options.has(file) {
                return Err(error_at(token, &format!("either {inline} or {file}")));
            }
            Some(JsonSource {
                text: word_of(token, "JSON")?,
                line: token.line,
                column: token.column,
                following_lines: false,
            })
        } else if options.has(file) || trailing_inline {
            let (source, after) = self.following_json(index)?;
            next = after;
            Some(source)
        } else {
            None
        };
        let command = match verb {
            "kafka-reassign-partitions" => {
                if !options.has("--execute") {
                    return Err(cursor.at_end_error(
                        "--execute (rill does not generate, verify or cancel reassignments)",
                    ));
                }
                let source =
                    source.ok_or_else(|| cursor.at_end_error(&format!("{inline} or {file}")))?;
                reassignment(&source)?
            }
            "kafka-delete-records" => {
                let source =
                    source.ok_or_else(|| cursor.at_end_error(&format!("{inline} or {file}")))?;
                delete_records(&source)?
            }
            _ => {
                let election = options.required("--election-type", cursor)?;
                let kind = word_of(election, "preferred")?;
                if !kind.eq_ignore_ascii_case("preferred") {
                    return Err(error_at(
                        election,
                        "--election-type preferred (rill elects unclean leaders by the topic's unclean.leader.election.enable)",
                    ));
                }
                let partitions = if options.has("--all-topic-partitions") {
                    None
                } else if let Some(source) = source {
                    Some(election_partitions(&source)?)
                } else {
                    let topic = word_of(options.required("--topic", cursor)?, "a topic")?;
                    let partition = number_of(
                        options.required("--partition", cursor)?,
                        "a partition number",
                    )?;
                    Some(vec![TopicPartition::new(topic, partition)])
                };
                Command::ElectPreferred { partitions }
            }
        };
        Ok((command, next))
    }

    /// JSON on the lines from `index` until its braces balance.
    fn following_json(&self, index: usize) -> Result<(JsonSource, usize), ParseError> {
        let mut text = String::new();
        let mut depth = 0i32;
        let mut started = false;
        let mut in_string = false;
        let mut escaped = false;
        let mut line = index;
        while line < self.lines.len() {
            let content = self.lines[line];
            if !started && content.trim().is_empty() {
                break;
            }
            text.push_str(content);
            text.push('\n');
            line += 1;
            for c in content.chars() {
                if in_string {
                    match (escaped, c) {
                        (true, _) => escaped = false,
                        (false, '\\') => escaped = true,
                        (false, '"') => in_string = false,
                        _ => {}
                    }
                    continue;
                }
                match c {
                    '"' => in_string = true,
                    '{' | '[' => {
                        depth += 1;
                        started = true;
                    }
                    '}' | ']' => depth -= 1,
                    _ => {}
                }
            }
            if started && depth <= 0 {
                let source = JsonSource {
                    text,
                    line: index + 1,
                    column: 1,
                    following_lines: true,
                };
                return Ok((source, line));
            }
            if !started {
                break;
            }
        }
        Err(if started {
            ParseError::new(
                line,
                1,
                "the JSON to end (its { and } to balance)",
                "the end of the script",
            )
        } else {
            ParseError::new(
                index + 1,
                1,
                "the JSON on the lines after the command",
                &self
                    .lines
                    .get(index)
                    .map_or_else(|| "the end of the script".to_owned(), |l| format!("{l:?}")),
            )
        })
    }
}

fn non_empty(token: &Token, value: String) -> Result<String, ParseError> {
    if value.is_empty() {
        Err(error_at(token, "a non-empty value"))
    } else {
        Ok(value)
    }
}

/// How `kafka-console-producer` splits its lines.
struct ConsoleReader {
    parse_key: bool,
    key_separator: String,
    parse_headers: bool,
    headers_delimiter: String,
    headers_separator: String,
    headers_key_separator: String,
    null_marker: Option<String>,
}

impl Default for ConsoleReader {
    /// Kafka's `LineMessageReader` defaults.
    fn default() -> Self {
        Self {
            parse_key: false,
            key_separator: "\t".to_owned(),
            parse_headers: false,
            headers_delimiter: "\t".to_owned(),
            headers_separator: ",".to_owned(),
            headers_key_separator: ":".to_owned(),
            null_marker: None,
        }
    }
}

type ConsoleRecord = (
    Option<String>,
    Option<String>,
    Vec<(String, Option<String>)>,
);

impl ConsoleReader {
    /// One data line → key, value, headers; or (column, what was expected).
    fn read(&self, line: &str, number: usize) -> Result<ConsoleRecord, (usize, String)> {
        let mut rest = line;
        let mut column = 1;
        let mut headers = Vec::new();
        if self.parse_headers {
            let Some((part, after)) = rest.split_once(self.headers_delimiter.as_str()) else {
                return Err((
                    1,
                    format!(
                        "headers and the headers delimiter {:?} (Kafka: \"No headers delimiter found on line number {number}\")",
                        self.headers_delimiter
                    ),
                ));
            };
            for header in part.split(self.headers_separator.as_str()) {
                let (key, value) = match header.split_once(self.headers_key_separator.as_str()) {
                    Some((key, value)) => (key, Some(value)),
                    None => (header, None),
                };
                let value = value
                    .filter(|v| self.null_marker.as_deref() != Some(*v))
                    .map(str::to_owned);
                headers.push((key.to_owned(), value));
            }
            column += part.chars().count() + self.headers_delimiter.chars().count();
            rest = after;
        }
        let marker = |text: &str| {
            if self.null_marker.as_deref() == Some(text) {
                None
            } else {
                Some(text.to_owned())
            }
        };
        if self.parse_key {
            let Some((key, value)) = rest.split_once(self.key_separator.as_str()) else {
                return Err((
                    column,
                    format!(
                        "a key and the key separator {:?} (Kafka: \"No key separator found on line number {number}\")",
                        self.key_separator
                    ),
                ));
            };
            Ok((marker(key), marker(value), headers))
        } else {
            Ok((None, marker(rest), headers))
        }
    }
}

/// What `--commit` and the auto-commit properties said.
#[derive(Default)]
struct CommitSettings {
    enable_auto_commit: Option<bool>,
    interval_ms: Option<i32>,
}

impl CommitSettings {
    /// The commit mode: `--commit` wins; otherwise `enable.auto.commit` (default true).
    fn mode(&self, word: Option<&str>) -> CommitMode {
        let interval_ms = self.interval_ms.unwrap_or(5_000);
        match word {
            Some("sync") => CommitMode::Sync,
            Some("async") => CommitMode::Async,
            Some("none") => CommitMode::Never,
            Some(_) => CommitMode::Auto { interval_ms },
            None if self.enable_auto_commit == Some(false) => CommitMode::Never,
            None => CommitMode::Auto { interval_ms },
        }
    }
}

fn consumer_property(
    spec: &mut MemberSpec,
    settings: &mut CommitSettings,
    token: &Token,
) -> Result<(), ParseError> {
    let expected = format!(
        "name=value with a name of {}",
        CONSUMER_PROPERTIES.join(", ")
    );
    let (name, value) = pair_of(token, &expected)?;
    let int = |at_least: i32| {
        value
            .parse::<i32>()
            .ok()
            .filter(|v| *v >= at_least)
            .ok_or_else(|| error_at(token, &format!("{name}: a number of at least {at_least}")))
    };
    match name.as_str() {
        "group.instance.id" => spec.group_instance_id = Some(non_empty(token, value.clone())?),
        "partition.assignment.strategy" => {
            spec.assignors = value
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
        }
        "session.timeout.ms" => spec.session_timeout_ms = int(1)?,
        "heartbeat.interval.ms" => spec.heartbeat_interval_ms = int(1)?,
        "max.poll.interval.ms" => spec.max_poll_interval_ms = int(1)?,
        "auto.commit.interval.ms" => settings.interval_ms = Some(int(0)?),
        "max.poll.records" => spec.max_poll_records = int(1)?.unsigned_abs(),
        "enable.auto.commit" => {
            settings.enable_auto_commit = Some(match value.as_str() {
                "true" => true,
                "false" => false,
                _ => return Err(error_at(token, "enable.auto.commit=true or false")),
            });
        }
        "auto.offset.reset" => {
            spec.auto_offset_reset = match value.as_str() {
                "earliest" => AutoOffsetReset::Earliest,
                "latest" => AutoOffsetReset::Latest,
                "none" => AutoOffsetReset::None,
                _ => {
                    return Err(error_at(
                        token,
                        "auto.offset.reset=earliest, latest or none",
                    ));
                }
            };
        }
        _ => return Err(error_at(token, &expected)),
    }
    Ok(())
}

fn topics(cursor: &mut Cursor) -> Result<Command, ParseError> {
    let options = Options::read(
        cursor,
        &[
            ("--bootstrap-server", Arity::Value),
            ("--create", Arity::Flag),
            ("--delete", Arity::Flag),
            ("--alter", Arity::Flag),
            ("--topic", Arity::Value),
            ("--partitions", Arity::Value),
            ("--replication-factor", Arity::Value),
            ("--config", Arity::Value),
        ],
    )?;
    let action = options.action(&["--create", "--delete", "--alter"], cursor)?;
    let topic = word_of(options.required("--topic", cursor)?, "a topic")?;
    let count = |name: &str| -> Result<Option<u32>, ParseError> {
        options
            .value(name)?
            .map(|token| number_of(token, "a positive number"))
            .transpose()
    };
    Ok(match action {
        "--create" => {
            let configs = options
                .values("--config")
                .into_iter()
                .map(|token| pair_of(token, "a topic config name=value"))
                .collect::<Result<_, _>>()?;
            Command::CreateTopic {
                topic,
                // Kafka's broker defaults num.partitions and default.replication.factor.
                partitions: count("--partitions")?.unwrap_or(1),
                replication_factor: count("--replication-factor")?.unwrap_or(1),
                configs,
            }
        }
        "--delete" => Command::DeleteTopic { topic },
        _ => Command::CreatePartitions {
            topic,
            total: count("--partitions")?
                .ok_or_else(|| cursor.at_end_error("--partitions (the new partition count)"))?,
        },
    })
}

fn configs(cursor: &mut Cursor) -> Result<Command, ParseError> {
    let options = Options::read(
        cursor,
        &[
            ("--bootstrap-server", Arity::Value),
            ("--alter", Arity::Flag),
            ("--entity-type", Arity::Value),
            ("--entity-name", Arity::Value),
            ("--topic", Arity::Value),
            ("--add-config", Arity::Value),
            ("--delete-config", Arity::Value),
        ],
    )?;
    options.action(&["--alter"], cursor)?;
    let topic = if let Some(token) = options.value("--topic")? {
        word_of(token, "a topic")?
    } else {
        let kind = options.required("--entity-type", cursor)?;
        if word_of(kind, "topics")? != "topics" {
            return Err(error_at(
                kind,
                "--entity-type topics (rill alters topic configs only)",
            ));
        }
        word_of(options.required("--entity-name", cursor)?, "a topic")?
    };
    let mut set = Vec::new();
    for token in options.values("--add-config") {
        set.extend(config_pairs(token)?);
    }
    let delete = items_of(&options.values("--delete-config"));
    Ok(Command::AlterConfigs { topic, set, delete })
}

fn consumer_groups(cursor: &mut Cursor) -> Result<Command, ParseError> {
    let options = Options::read(
        cursor,
        &[
            ("--bootstrap-server", Arity::Value),
            ("--group", Arity::Value),
            ("--reset-offsets", Arity::Flag),
            ("--delete", Arity::Flag),
            ("--topic", Arity::Value),
            ("--all-topics", Arity::Flag),
            ("--to-earliest", Arity::Flag),
            ("--to-latest", Arity::Flag),
            ("--to-offset", Arity::Value),
            ("--to-datetime", Arity::Value),
            ("--shift-by", Arity::Value),
            ("--execute", Arity::Flag),
        ],
    )?;
    let action = options.action(&["--reset-offsets", "--delete"], cursor)?;
    let group_token = options.required("--group", cursor)?;
    let group = word_of(group_token, "a group id")?;
    if !super::command::is_valid_name(&group) {
        return Err(error_at(
            group_token,
            "a group id (1 to 249 characters of [A-Za-z0-9._-])",
        ));
    }
    if action == "--delete" {
        return Ok(Command::DeleteGroup { group });
    }
    if !options.has("--execute") {
        return Err(cursor.at_end_error("--execute (rill runs no dry runs)"));
    }
    let scope = if options.has("--all-topics") {
        ResetScope::AllTopics
    } else {
        let topics = options.values("--topic");
        if topics.is_empty() {
            return Err(cursor.at_end_error("--topic or --all-topics"));
        }
        let mut list = Vec::new();
        for token in topics {
            let text = word_of(token, "a topic, or topic:partitions")?;
            // Kafka's `topic:0,1` (topic names have no ':').
            let selection = match text.rsplit_once(':') {
                Some((topic, partitions)) if !topic.is_empty() => {
                    let numbers = partitions
                        .split(',')
                        .map(|p| p.parse::<u32>())
                        .collect::<Result<Vec<u32>, _>>()
                        .map_err(|_| error_at(token, "topic:0,1,2"))?;
                    (topic.to_owned(), Some(numbers))
                }
                _ => (text, None),
            };
            list.push(selection);
        }
        ResetScope::Topics(list)
    };
    let target = {
        let targets = [
            "--to-earliest",
            "--to-latest",
            "--to-offset",
            "--to-datetime",
            "--shift-by",
        ];
        match options.action(&targets, cursor)? {
            "--to-earliest" => ResetSpec::Earliest,
            "--to-latest" => ResetSpec::Latest,
            "--to-offset" => ResetSpec::Offset(number_of(
                options.required("--to-offset", cursor)?,
                "an offset",
            )?),
            "--shift-by" => ResetSpec::ShiftBy(number_of(
                options.required("--shift-by", cursor)?,
                "a number of offsets (negative moves back)",
            )?),
            _ => {
                let token = options.required("--to-datetime", cursor)?;
                let expected = "a date-time like 2024-01-01T00:00:00.000";
                ResetSpec::Datetime(
                    parse_datetime(&word_of(token, expected)?)
                        .ok_or_else(|| error_at(token, expected))?,
                )
            }
        }
    };
    Ok(Command::ResetOffsets {
        group,
        scope,
        target,
    })
}

fn array_field<'j>(
    source: &JsonSource,
    json: &'j Json,
    name: &str,
) -> Result<&'j [Json], ParseError> {
    json.field(name)
        .and_then(Json::items)
        .ok_or_else(|| source.error(&format!("a \"{name}\" array")))
}

fn topic_partition_field(source: &JsonSource, entry: &Json) -> Result<TopicPartition, ParseError> {
    let topic = entry
        .field("topic")
        .and_then(Json::text)
        .ok_or_else(|| source.error("a \"topic\" string in each partition"))?;
    let partition = entry
        .field("partition")
        .and_then(Json::integer)
        .and_then(|p| u32::try_from(p).ok())
        .ok_or_else(|| source.error("a \"partition\" number in each partition"))?;
    Ok(TopicPartition::new(topic, partition))
}

fn reassignment(source: &JsonSource) -> Result<Command, ParseError> {
    let json = source.parse()?;
    let mut partitions = Vec::new();
    for entry in array_field(source, &json, "partitions")? {
        let tp = topic_partition_field(source, entry)?;
        let replicas = entry
            .field("replicas")
            .and_then(Json::items)
            .ok_or_else(|| source.error("a \"replicas\" array in each partition"))?
            .iter()
            .map(|r| r.integer().and_then(|r| u32::try_from(r).ok()))
            .collect::<Option<Vec<u32>>>()
            .ok_or_else(|| source.error("broker ids in \"replicas\""))?;
        partitions.push((tp, replicas));
    }
    Ok(Command::Reassign { partitions })
}

fn delete_records(source: &JsonSource) -> Result<Command, ParseError> {
    let json = source.parse()?;
    let mut partitions = Vec::new();
    for entry in array_field(source, &json, "partitions")? {
        let tp = topic_partition_field(source, entry)?;
        let offset = entry
            .field("offset")
            .and_then(Json::integer)
            .ok_or_else(|| source.error("an \"offset\" number in each partition"))?;
        partitions.push((tp, offset));
    }
    Ok(Command::DeleteRecords { partitions })
}

fn election_partitions(source: &JsonSource) -> Result<Vec<TopicPartition>, ParseError> {
    let json = source.parse()?;
    array_field(source, &json, "partitions")?
        .iter()
        .map(|entry| topic_partition_field(source, entry))
        .collect()
}

fn net_side(cursor: &mut Cursor) -> Result<Vec<NetNode>, ParseError> {
    let expected = "a list of nodes like [0, 1, controller, producer:p1, consumer:group/member]";
    let token = cursor.next(expected)?;
    let TokenKind::List(items) = &token.kind else {
        return Err(error_at(&token, expected));
    };
    let mut nodes = Vec::new();
    for item in items {
        let node = if let Ok(broker) = item.parse::<u32>() {
            NetNode::Broker(broker)
        } else if item == "controller" {
            NetNode::Controller
        } else if let Some(name) = item.strip_prefix("producer:") {
            NetNode::Producer(name.to_owned())
        } else if let Some((group, member)) = item
            .strip_prefix("consumer:")
            .and_then(|m| m.split_once('/'))
        {
            NetNode::Member {
                group: group.to_owned(),
                member: member.to_owned(),
            }
        } else {
            return Err(error_at(&token, expected));
        };
        nodes.push(node);
    }
    Ok(nodes)
}

fn member_command(cursor: &mut Cursor) -> Result<Command, ParseError> {
    let expected = "join, leave, crash, cut, slow or restart";
    let (action, token) = cursor.word(expected)?;
    let group = cursor.name("a group id")?;
    let member = cursor.name("a member name")?;
    Ok(match action.as_str() {
        "join" => {
            let options = Options::read(
                cursor,
                &[
                    ("--topic", Arity::Value),
                    ("--assignor", Arity::Value),
                    ("--commit", Arity::Value),
                    ("--processing-time", Arity::Value),
                    ("--consumer-property", Arity::Value),
                ],
            )?;
            let mut spec = MemberSpec {
                topics: items_of(&options.values("--topic")),
                ..MemberSpec::default()
            };
            if spec.topics.is_empty() {
                return Err(cursor.at_end_error("--topic"));
            }
            let mut settings = CommitSettings::default();
            for token in options.values("--consumer-property") {
                consumer_property(&mut spec, &mut settings, token)?;
            }
            let assignors = items_of(&options.values("--assignor"));
            if !assignors.is_empty() {
                spec.assignors = assignors;
            }
            let commit = match options.value("--commit")? {
                Some(token) => {
                    let expected = "auto, sync, async or none";
                    let word = word_of(token, expected)?;
                    if !matches!(word.as_str(), "auto" | "sync" | "async" | "none") {
                        return Err(error_at(token, expected));
                    }
                    Some(word)
                }
                None => None,
            };
            spec.commit = settings.mode(commit.as_deref());
            if let Some(token) = options.value("--processing-time")? {
                let expected = "a processing time per record, like 20ms";
                spec.processing_ms = parse_duration(&word_of(token, expected)?)
                    .ok_or_else(|| error_at(token, expected))?;
            }
            Command::MemberJoin {
                group,
                member,
                spec,
            }
        }
        "leave" => Command::MemberLeave { group, member },
        "crash" => Command::MemberCrash { group, member },
        "cut" => Command::MemberCut { group, member },
        "restart" => Command::MemberRestart { group, member },
        "slow" => {
            let processing_ms = match cursor.peek() {
                None => None,
                Some(_) => {
                    cursor.keyword("--processing-time")?;
                    Some(cursor.duration("a processing time per record, like 20s")?)
                }
            };
            Command::MemberSlow {
                group,
                member,
                processing_ms,
            }
        }
        _ => return Err(error_at(&token, expected)),
    })
}

fn producer_command(cursor: &mut Cursor) -> Result<Command, ParseError> {
    let expected = "start, pause, resume or stop";
    let (action, token) = cursor.word(expected)?;
    let name = cursor.name("a producer name")?;
    Ok(match action.as_str() {
        "start" => {
            let options = Options::read(
                cursor,
                &[
                    ("--topic", Arity::Value),
                    ("--rate", Arity::Value),
                    ("--keys", Arity::Value),
                    ("--random-keys", Arity::Value),
                    ("--acks", Arity::Value),
                ],
            )?;
            let topic = word_of(options.required("--topic", cursor)?, "a topic")?;
            let rate = number_of(
                options.required("--rate", cursor)?,
                "a rate in records per second (at least 1)",
            )?;
            let cycle = items_of(&options.values("--keys"));
            let random = items_of(&options.values("--random-keys"));
            let keys = match (cycle.is_empty(), random.is_empty()) {
                (true, true) => KeyPattern::None,
                (false, true) => KeyPattern::Cycle(cycle),
                (true, false) => KeyPattern::Random(random),
                (false, false) => {
                    return Err(error_at(
                        options.flag_token("--random-keys").unwrap_or(&token),
                        "either --keys or --random-keys",
                    ));
                }
            };
            let acks = match options.value("--acks")? {
                Some(token) => {
                    parse_acks(&word_of(token, ACKS)?).ok_or_else(|| error_at(token, ACKS))?
                }
                None => Acks::All,
            };
            Command::ProducerStart {
                name,
                spec: ProducerSpec {
                    topic,
                    rate,
                    keys,
                    acks,
                },
            }
        }
        "pause" => Command::ProducerPause { name },
        "resume" => Command::ProducerResume { name },
        "stop" => Command::ProducerStop { name },
        _ => return Err(error_at(&token, expected)),
    })
}

fn produce(cursor: &mut Cursor) -> Result<Command, ParseError> {
    let options = Options::read(
        cursor,
        &[
            ("--topic", Arity::Value),
            ("--partition", Arity::Value),
            ("--key", Arity::Value),
            ("--value", Arity::Value),
            ("--tombstone", Arity::Flag),
            ("--header", Arity::Value),
            ("--acks", Arity::Value),
        ],
    )?;
    let topic = word_of(options.required("--topic", cursor)?, "a topic")?;
    let partition = options
        .value("--partition")?
        .map(|token| number_of(token, "a partition number"))
        .transpose()?;
    let key = options
        .value("--key")?
        .map(|token| word_of(token, "a key"))
        .transpose()?;
    let value = match (options.value("--value")?, options.has("--tombstone")) {
        (Some(token), false) => Some(word_of(token, "a value")?),
        (None, true) => None,
        (Some(token), true) => return Err(error_at(token, "either --value or --tombstone")),
        (None, false) => return Err(cursor.at_end_error("--value or --tombstone")),
    };
    let headers = options
        .values("--header")
        .into_iter()
        .map(|token| {
            let text = word_of(
                token,
                "a header name=value (or name alone for a null value)",
            )?;
            Ok(match text.split_once('=') {
                Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
                None => (text, None),
            })
        })
        .collect::<Result<_, ParseError>>()?;
    let acks = match options.value("--acks")? {
        Some(token) => parse_acks(&word_of(token, ACKS)?).ok_or_else(|| error_at(token, ACKS))?,
        None => Acks::All,
    };
    Ok(Command::Produce(ProduceRecord {
        topic,
        partition,
        key,
        value,
        headers,
        acks,
    }))
}

/// The subjects `expect` knows, for error messages.
const SUBJECTS: &str = "leader, isr, replicas, leader-epoch, hw, log-start, log-end, records, \
    keys, values, offsets, segments, adding, removing, partitions, partition-of, topics, broker, \
    group-state, generation, assignor, members, coordinator, coordinator-partition, gaps, \
    assignment, member, poll-error, committed, lag, processed, duplicates, skipped, sent, acked, \
    failed, produce-error, error";

fn expectation(cursor: &mut Cursor) -> Result<Expectation, ParseError> {
    let (word, token) = cursor.word(&format!("what to expect: {SUBJECTS}"))?;
    let tp = |cursor: &mut Cursor| -> Result<TopicPartition, ParseError> {
        let expected = "a partition like orders-0";
        let (text, token) = cursor.word(expected)?;
        parse_topic_partition(&text).ok_or_else(|| error_at(&token, expected))
    };
    let on_broker = |cursor: &mut Cursor| -> Result<Option<u32>, ParseError> {
        if cursor.peek().and_then(Token::word) == Some("on") {
            cursor.pos += 1;
            cursor.keyword("broker")?;
            Ok(Some(cursor.number("a broker id")?))
        } else {
            Ok(None)
        }
    };
    let group = |cursor: &mut Cursor| cursor.name("a group id");
    let subject = match word.as_str() {
        "leader" => Subject::Leader(tp(cursor)?),
        "isr" => Subject::Isr(tp(cursor)?),
        "replicas" => Subject::Replicas(tp(cursor)?),
        "leader-epoch" => Subject::LeaderEpoch(tp(cursor)?),
        "hw" => Subject::HighWatermark(tp(cursor)?, on_broker(cursor)?),
        "log-start" => Subject::LogStart(tp(cursor)?, on_broker(cursor)?),
        "log-end" => Subject::LogEnd(tp(cursor)?, on_broker(cursor)?),
        "records" => Subject::Records(tp(cursor)?, on_broker(cursor)?),
        "keys" => Subject::Keys(tp(cursor)?, on_broker(cursor)?),
        "values" => Subject::Values(tp(cursor)?, on_broker(cursor)?),
        "offsets" => Subject::Offsets(tp(cursor)?, on_broker(cursor)?),
        "segments" => Subject::Segments(tp(cursor)?, on_broker(cursor)?),
        "adding" => Subject::Adding(tp(cursor)?),
        "removing" => Subject::Removing(tp(cursor)?),
        "partitions" => Subject::Partitions(cursor.word("a topic")?.0),
        "partition-of" => {
            let topic = cursor.word("a topic")?.0;
            Subject::PartitionOf(topic, cursor.word("a key")?.0)
        }
        "topics" => Subject::Topics,
        "broker" => Subject::Broker(cursor.number("a broker id")?),
        "group-state" => Subject::GroupState(group(cursor)?),
        "generation" => Subject::Generation(group(cursor)?),
        "assignor" => Subject::Assignor(group(cursor)?),
        "members" => Subject::Members(group(cursor)?),
        "coordinator" => Subject::Coordinator(group(cursor)?),
        "coordinator-partition" => Subject::CoordinatorPartition(group(cursor)?),
        "gaps" => Subject::Gaps(group(cursor)?),
        "poll-error" => Subject::PollError(group(cursor)?, cursor.name("a member name")?),
        "assignment" => Subject::Assignment(group(cursor)?, cursor.name("a member name")?),
        "member" => Subject::Member(group(cursor)?, cursor.name("a member name")?),
        "committed" => Subject::Committed(group(cursor)?, tp(cursor)?),
        "lag" => {
            let group = group(cursor)?;
            let is_op = cursor
                .peek()
                .and_then(Token::word)
                .is_some_and(|w| compare_op(w).is_some());
            Subject::Lag(group, if is_op { None } else { Some(tp(cursor)?) })
        }
        "processed" => Subject::Processed(group(cursor)?),
        "duplicates" => Subject::Duplicates(group(cursor)?),
        "skipped" => Subject::Skipped(group(cursor)?),
        "sent" => Subject::Sent(cursor.name("a producer name")?),
        "acked" => Subject::Acked(cursor.name("a producer name")?),
        "failed" => Subject::Failed(cursor.name("a producer name")?),
        "produce-error" => Subject::ProduceError(cursor.name("a producer name")?),
        "error" => Subject::Error,
        _ => return Err(error_at(&token, &format!("what to expect: {SUBJECTS}"))),
    };
    let kind = subject.kind();
    let ops = if kind == ValueKind::Number {
        "==, !=, <, <=, > or >="
    } else {
        "== or !="
    };
    let (op_word, op_token) = cursor.word(ops)?;
    let op = compare_op(&op_word)
        .filter(|op| kind == ValueKind::Number || !op.is_ordering())
        .ok_or_else(|| error_at(&op_token, ops))?;
    let value_token = cursor.next("a value")?;
    let value = match (kind, &value_token.kind) {
        (ValueKind::OptionalNumber, TokenKind::Word { text, .. }) if text == "none" => {
            ExpectValue::None
        }
        (ValueKind::Number | ValueKind::OptionalNumber, TokenKind::Word { text, .. }) => {
            let expected = if kind == ValueKind::Number {
                "a number"
            } else {
                "a number or none"
            };
            ExpectValue::Number(text.parse().map_err(|_| error_at(&value_token, expected))?)
        }
        (ValueKind::Word, TokenKind::Word { text, .. }) => {
            if text.is_empty() || text.chars().any(char::is_whitespace) {
                return Err(error_at(&value_token, "a word"));
            }
            ExpectValue::Word(text.clone())
        }
        (ValueKind::List | ValueKind::Set, TokenKind::List(items)) => {
            ExpectValue::List(items.clone())
        }
        (ValueKind::List | ValueKind::Set, _) => {
            return Err(error_at(&value_token, "a list like [0, 1, 2]"));
        }
        (ValueKind::Word, _) => return Err(error_at(&value_token, "a word")),
        (ValueKind::Number, _) => return Err(error_at(&value_token, "a number")),
        (ValueKind::OptionalNumber, _) => {
            return Err(error_at(&value_token, "a number or none"));
        }
    };
    Ok(Expectation { subject, op, value })
}

fn compare_op(word: &str) -> Option<CompareOp> {
    Some(match word {
        "==" => CompareOp::Eq,
        "!=" => CompareOp::Ne,
        "<" => CompareOp::Lt,
        "<=" => CompareOp::Le,
        ">" => CompareOp::Gt,
        ">=" => CompareOp::Ge,
        _ => return None,
    })
}
