//! Scenarios: **a rill session is a seed plus a command log.**
//!
//! A [`World`] is a simulated [`crate::cluster::Cluster`] with the client applications a
//! person plays with (producers at a rate, consumer-group members that poll, process and
//! commit) and the history of every [`Command`] applied to it with its time. Because the
//! engine is deterministic, [`replay`] of a [`WorldConfig`] and a history rebuilds the world
//! at any time, equal to the original ([`World::state_hash`]); clones are checkpoints.
//!
//! Scripts say the same in text ([`parse`], [`to_text`]; [`run`] runs one, [`run_checked`]
//! fails on the first `expect` that does not hold), in the words of Kafka's tools plus rill's
//! verbs for what Kafka has no command for:
//!
//! ```text
//! # header (optional, before any command)
//! seed 42
//! brokers 3
//! latency 1ms jitter 2ms
//! broker-config offsets.topic.num.partitions=5
//!
//! kafka-topics --create --topic orders --partitions 3 --replication-factor 3 --config min.insync.replicas=2
//! kafka-topics --alter --topic orders --partitions 6
//! kafka-topics --delete --topic orders
//! kafka-configs --alter --entity-type topics --entity-name orders --add-config retention.ms=1000,cleanup.policy=[compact,delete] --delete-config segment.ms
//! kafka-console-producer --topic orders --property parse.key=true --property key.separator=: --producer-property acks=1
//! alice:1
//! bob:2
//!                                  # a blank line (or the next command) ends the records
//! produce --topic orders --partition 2 --key k --value v --header h=1 --acks all   # or --tombstone
//! kafka-console-consumer --topic orders --group billing --from-beginning
//! kafka-consumer-groups --reset-offsets --group billing --topic orders:0,1 --to-earliest --execute
//! kafka-consumer-groups --delete --group billing
//! kafka-reassign-partitions --execute --reassignment-json '{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[1,2,0]}]}'
//! kafka-delete-records --offset-json '{"partitions":[{"topic":"orders","partition":0,"offset":3}]}'
//! kafka-leader-election --election-type preferred --all-topic-partitions
//! kill broker 2 | restart broker 2 | shutdown broker 2
//! partition network [0, controller] [1, 2, producer:p1, consumer:billing/c3]
//! heal
//! slow broker 1 200ms
//! advance 10s                      # units: ms, s, m
//! producer start p1 --topic orders --rate 50 --keys alice,bob --acks all   # or --random-keys
//! producer pause p1 | producer resume p1 | producer stop p1
//! consumer join billing c3 --topic orders --assignor cooperative-sticky --commit sync --processing-time 20ms --consumer-property session.timeout.ms=10000
//! consumer leave|crash|cut|restart billing c3
//! consumer slow billing c3 [--processing-time 6m]
//! expect isr orders-0 == [0, 1, 2]
//! expect hw orders-0 on broker 1 >= 2
//! expect error == INVALID_REPLICATION_FACTOR
//! ```
//!
//! * Tokens are shell-like: `'…'` literal, `"…"` with `\"`, `\\`, `\n`, `\t`; a quote left open
//!   continues on the next line. `#` at the start of a token starts a comment. Lists are
//!   `[a, b]`. A Kafka tool's name may end in `.sh`; `--bootstrap-server` is accepted and
//!   ignored; `--option=value` works as in Kafka's tools.
//! * `kafka-console-producer` reads the following lines as records until a blank line (which it
//!   consumes) or a line whose first word is a command word ([`VERBS`]); every other line is a
//!   record, one starting with `#` included (Kafka would send it). Kafka's `parse.key`,
//!   `key.separator` (default tab), `parse.headers`, `headers.delimiter`, `headers.separator`,
//!   `headers.key.separator` and `null.marker` properties apply; `acks` comes from
//!   `--producer-property acks=…` or `--request-required-acks` (default `all`).
//! * `kafka-reassign-partitions`, `kafka-delete-records` and `kafka-leader-election` take their
//!   JSON inline (`--reassignment-json '…'`, `--offset-json '…'`, `--path-to-json '…'`) or, with
//!   the tool's `--…-json-file NAME` (or a value-less `--reassignment-json`), on the lines that
//!   follow until its braces balance. Cancelling a reassignment is not supported (the cluster
//!   has no cancel); `kafka-leader-election` does preferred elections only (unclean ones happen
//!   by the topic's `unclean.leader.election.enable`).
//! * `kafka-console-consumer` joins a member named `console-consumer-N` (N counts console
//!   consumers in the script) to `--group` (default: the same name), auto-committing, with
//!   `auto.offset.reset=earliest` for `--from-beginning`.
//! * `expect <subject> <op> <value>`: see [`Subject`] for every subject; numbers take `==`,
//!   `!=`, `<`, `<=`, `>`, `>=`, everything else `==` and `!=`. A failed `expect` names the
//!   expected and the actual value. `expect error` looks at the last command that was not
//!   `advance` or `expect`.
//! * Producer, group and member names are 1–249 characters of `[A-Za-z0-9._-]`; `console` is
//!   the producer of hand-made records.
//!
//! [`to_text`] writes commands back so that `parse(to_text(commands))` gives the same
//! commands; [`to_kafka_cli`] writes a history as a shell script of Kafka's real tools.

mod app_commands;
mod apps;
mod cli;
mod command;
mod expect;
mod hash;
mod json;
mod lex;
mod parse;
mod ranges;
mod run;
mod sender;
mod text;
mod world;

pub use apps::{CommitOrigin, POLLS_PER_STEP_MAX, PRODUCER_SEND_MAX, ProducerStats};
pub use cli::{BOOTSTRAP, CANNOT, to_kafka_cli};
pub use command::{
    CONSOLE_PRODUCER, Command, CommandError, CommitMode, CompareOp, ExpectValue, Expectation,
    KeyPattern, MemberSpec, NAME_LEN_MAX, NetNode, PRODUCER_RATE_MAX, ProduceRecord, ProducerSpec,
    ResetScope, ResetSpec, Subject, ValueKind, is_valid_name,
};
pub use parse::{
    BROKER_CONFIGS, CONSUMER_PROPERTIES, ParseError, Script, Step, VERBS, is_verb, parse,
    parse_datetime, parse_duration, parse_topic_partition,
};
pub use run::{ExpectResult, Refusal, RunError, RunReport, run, run_checked, run_script};
pub use sender::{CONSOLE_PRODUCER_RETRIES, DELIVERY_TIMEOUT_MS, RETRY_BACKOFF_MS};
pub use text::{
    acks_word, command_line, commands_to_text, datetime, duration, expectation_text, header,
    partition_token, subject_text, to_text, value_text,
};
pub use world::{
    APP_CLIENT_BASE, Applied, ExpectOutcome, MemberEvent, MemberView, ProducerView, ReplayError,
    START_MS, STEPS_PER_ADVANCE_MAX, World, WorldConfig, WorldEvent, WorldWakeReason, replay,
    replay_onto,
};
