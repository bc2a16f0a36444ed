//! Writing commands as script text that [`super::parse`] reads back to the same commands.
//!
//! Runs of records [`command_line`] cannot put on `kafka-console-producer` data lines (a
//! partition, headers, a tombstone, a newline, a line that would read as a command) are written
//! with rill's `produce` verb; the rest go into console-producer blocks, each ended by a blank
//! line.

use std::fmt::Write as _;

use super::command::{
    Command, CommitMode, ExpectValue, Expectation, KeyPattern, MemberSpec, NetNode, ProduceRecord,
    ResetScope, ResetSpec, Subject,
};
use super::json;
use super::lex::{list, quote};
use super::parse::{civil_from_days, is_verb};
use super::world::WorldConfig;
use crate::cluster::{Acks, ClusterConfig};
use crate::consumer::AutoOffsetReset;
use crate::group::TopicPartition;

/// A whole script: the header lines that differ from [`WorldConfig::default`], then the
/// commands.
pub fn to_text(config: &WorldConfig, commands: &[Command]) -> String {
    let mut out = header(config);
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(&commands_to_text(commands));
    out
}

/// The header lines of `config` (`seed`, `brokers`, `latency`, `broker-config`).
pub fn header(config: &WorldConfig) -> String {
    let mut out = String::new();
    let cluster = &config.cluster;
    let default = ClusterConfig::new(cluster.brokers, cluster.seed);
    let _ = writeln!(out, "seed {}", cluster.seed);
    let _ = writeln!(out, "brokers {}", cluster.brokers);
    if cluster.latency != default.latency {
        let _ = write!(out, "latency {}ms", cluster.latency.base_ms);
        if cluster.latency.jitter_ms != 0 {
            let _ = write!(out, " jitter {}ms", cluster.latency.jitter_ms);
        }
        out.push('\n');
    }
    let settings: [(&str, i64, i64); 10] = [
        (
            "broker.heartbeat.interval.ms",
            cluster.heartbeat_interval_ms,
            default.heartbeat_interval_ms,
        ),
        (
            "broker.session.timeout.ms",
            cluster.session_timeout_ms,
            default.session_timeout_ms,
        ),
        (
            "replica.lag.time.max.ms",
            cluster.replica_lag_time_max_ms,
            default.replica_lag_time_max_ms,
        ),
        (
            "replica.fetch.wait.max.ms",
            cluster.replica_fetch_wait_max_ms,
            default.replica_fetch_wait_max_ms,
        ),
        (
            "replica.fetch.backoff.ms",
            cluster.replica_fetch_backoff_ms,
            default.replica_fetch_backoff_ms,
        ),
        (
            "request.timeout.ms",
            cluster.request_timeout_ms,
            default.request_timeout_ms,
        ),
        (
            "replica.high.watermark.checkpoint.interval.ms",
            cluster.replica_high_watermark_checkpoint_interval_ms,
            default.replica_high_watermark_checkpoint_interval_ms,
        ),
        (
            "offsets.topic.num.partitions",
            i64::from(cluster.offsets_topic_partitions),
            i64::from(default.offsets_topic_partitions),
        ),
        (
            "offsets.topic.replication.factor",
            i64::from(cluster.offsets_topic_replication_factor),
            i64::from(default.offsets_topic_replication_factor),
        ),
        (
            "log.retention.check.interval.ms",
            cluster.log_retention_check_interval_ms,
            default.log_retention_check_interval_ms,
        ),
    ];
    for (name, value, default) in settings {
        if value != default {
            let _ = writeln!(out, "broker-config {name}={value}");
        }
    }
    out
}

/// The commands as script lines.
pub fn commands_to_text(commands: &[Command]) -> String {
    let mut out = String::new();
    let mut index = 0;
    while index < commands.len() {
        if let Command::Produce(first) = &commands[index]
            && let Some(separator) = console_separator(first)
        {
            let mut block = Vec::new();
            while let Some(Command::Produce(record)) = commands.get(index) {
                let same_block = record.topic == first.topic
                    && record.acks == first.acks
                    && record.key.is_some() == first.key.is_some();
                match console_data_line(record, separator) {
                    Some(line) if same_block => block.push(line),
                    _ => break,
                }
                index += 1;
            }
            let _ = write!(
                out,
                "kafka-console-producer --topic {}",
                quote(&first.topic)
            );
            if first.key.is_some() {
                let _ = write!(
                    out,
                    " --property parse.key=true --property key.separator={separator}"
                );
            }
            if first.acks != Acks::All {
                let _ = write!(out, " --producer-property acks={}", acks_word(first.acks));
            }
            out.push('\n');
            for line in block {
                out.push_str(&line);
                out.push('\n');
            }
            out.push('\n');
            continue;
        }
        out.push_str(&command_line(&commands[index]));
        out.push('\n');
        index += 1;
    }
    out
}

/// The separator a console block starting with `record` uses, if the record fits one.
fn console_separator(record: &ProduceRecord) -> Option<char> {
    [':', '=', '|']
        .into_iter()
        .find(|sep| console_data_line(record, *sep).is_some())
}

/// `record` as a console-producer data line with key separator `separator`, when it reads
/// back the same.
fn console_data_line(record: &ProduceRecord, separator: char) -> Option<String> {
    let value = record.value.as_deref()?;
    if record.partition.is_some() || !record.headers.is_empty() {
        return None;
    }
    let line = match &record.key {
        Some(key) if !key.contains(separator) => format!("{key}{separator}{value}"),
        Some(_) => return None,
        None => value.to_owned(),
    };
    let reads_back = !line.trim().is_empty()
        && !line.contains(['\n', '\r'])
        && !line.split_whitespace().next().is_some_and(is_verb);
    reads_back.then_some(line)
}

/// Kafka's acks spelling.
pub fn acks_word(acks: Acks) -> &'static str {
    match acks {
        Acks::All => "all",
        Acks::Leader => "1",
        Acks::None => "0",
    }
}

/// `ms` as a script duration: `2m`, `10s` or `250ms`.
pub fn duration(ms: i64) -> String {
    if ms > 0 && ms % 60_000 == 0 {
        format!("{}m", ms / 60_000)
    } else if ms > 0 && ms % 1_000 == 0 {
        format!("{}s", ms / 1_000)
    } else {
        format!("{ms}ms")
    }
}

/// Kafka's `--to-datetime` spelling of ms since the epoch (UTC).
pub fn datetime(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}",
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1_000 % 60,
        in_day % 1_000
    )
}

/// `topic-partition` (quoted as one token when needed).
pub fn partition_token(tp: &TopicPartition) -> String {
    quote(&format!("{}-{}", tp.topic, tp.partition))
}

fn node_word(node: &NetNode) -> String {
    match node {
        NetNode::Broker(id) => id.to_string(),
        NetNode::Controller => "controller".to_owned(),
        NetNode::Producer(name) => format!("producer:{name}"),
        NetNode::Member { group, member } => format!("consumer:{group}/{member}"),
    }
}

fn repeated(out: &mut String, flag: &str, items: &[String]) {
    for item in items {
        let _ = write!(out, " {flag} {}", quote(item));
    }
}

/// One command on one line (records with rill's `produce` verb).
pub fn command_line(command: &Command) -> String {
    let mut out = String::new();
    match command {
        Command::CreateTopic {
            topic,
            partitions,
            replication_factor,
            configs,
        } => {
            let _ = write!(
                out,
                "kafka-topics --create --topic {} --partitions {partitions} --replication-factor {replication_factor}",
                quote(topic)
            );
            for (name, value) in configs {
                let _ = write!(out, " --config {}", quote(&format!("{name}={value}")));
            }
        }
        Command::DeleteTopic { topic } => {
            let _ = write!(out, "kafka-topics --delete --topic {}", quote(topic));
        }
        Command::CreatePartitions { topic, total } => {
            let _ = write!(
                out,
                "kafka-topics --alter --topic {} --partitions {total}",
                quote(topic)
            );
        }
        Command::AlterConfigs { topic, set, delete } => {
            let _ = write!(
                out,
                "kafka-configs --alter --entity-type topics --entity-name {}",
                quote(topic)
            );
            for (name, value) in set {
                let pair = if value.contains(',') && !value.contains(['[', ']']) {
                    format!("{name}=[{value}]")
                } else {
                    format!("{name}={value}")
                };
                // A pair whose value has commas inside brackets is still one pair.
                let _ = write!(out, " --add-config {}", quote_config(&pair));
            }
            repeated(&mut out, "--delete-config", delete);
        }
        Command::Produce(record) => {
            let _ = write!(out, "produce --topic {}", quote(&record.topic));
            if let Some(partition) = record.partition {
                let _ = write!(out, " --partition {partition}");
            }
            if let Some(key) = &record.key {
                let _ = write!(out, " --key {}", quote(key));
            }
            match &record.value {
                Some(value) => {
                    let _ = write!(out, " --value {}", quote(value));
                }
                None => out.push_str(" --tombstone"),
            }
            for (name, value) in &record.headers {
                let header = match value {
                    Some(value) => format!("{name}={value}"),
                    None => name.clone(),
                };
                let _ = write!(out, " --header {}", quote(&header));
            }
            if record.acks != Acks::All {
                let _ = write!(out, " --acks {}", acks_word(record.acks));
            }
        }
        Command::DeleteRecords { partitions } => {
            let doc = json::delete_records_document(partitions);
            let _ = write!(
                out,
                "kafka-delete-records --offset-json {}",
                json_token(&doc)
            );
        }
        Command::KillBroker { broker } => {
            let _ = write!(out, "kill broker {broker}");
        }
        Command::RestartBroker { broker } => {
            let _ = write!(out, "restart broker {broker}");
        }
        Command::ShutdownBroker { broker } => {
            let _ = write!(out, "shutdown broker {broker}");
        }
        Command::PartitionNetwork { side_a, side_b } => {
            let a: Vec<String> = side_a.iter().map(node_word).collect();
            let b: Vec<String> = side_b.iter().map(node_word).collect();
            let _ = write!(out, "partition network {} {}", list(&a), list(&b));
        }
        Command::Heal => out.push_str("heal"),
        Command::SlowBroker { broker, extra_ms } => {
            let _ = write!(out, "slow broker {broker} {}", duration(*extra_ms));
        }
        Command::Reassign { partitions } => {
            let entries: Vec<String> = partitions
                .iter()
                .map(|(tp, replicas)| {
                    let replicas: Vec<String> = replicas.iter().map(u32::to_string).collect();
                    format!(
                        "{{\"topic\":{},\"partition\":{},\"replicas\":[{}]}}",
                        json::string(&tp.topic),
                        tp.partition,
                        replicas.join(",")
                    )
                })
                .collect();
            let doc = format!("{{\"version\":1,\"partitions\":[{}]}}", entries.join(","));
            let _ = write!(
                out,
                "kafka-reassign-partitions --execute --reassignment-json {}",
                json_token(&doc)
            );
        }
        Command::ElectPreferred { partitions } => {
            out.push_str("kafka-leader-election --election-type preferred");
            match partitions.as_deref() {
                None => out.push_str(" --all-topic-partitions"),
                Some([one]) => {
                    let _ = write!(
                        out,
                        " --topic {} --partition {}",
                        quote(&one.topic),
                        one.partition
                    );
                }
                Some(many) => {
                    let doc = json::election_document(many);
                    let _ = write!(out, " --path-to-json {}", json_token(&doc));
                }
            }
        }
        Command::Advance { ms } => {
            let _ = write!(out, "advance {}", duration(*ms));
        }
        Command::ProducerStart { name, spec } => {
            let _ = write!(
                out,
                "producer start {name} --topic {} --rate {}",
                quote(&spec.topic),
                spec.rate
            );
            match &spec.keys {
                KeyPattern::None => {}
                KeyPattern::Cycle(keys) => repeated(&mut out, "--keys", keys),
                KeyPattern::Random(keys) => repeated(&mut out, "--random-keys", keys),
            }
            if spec.acks != Acks::All {
                let _ = write!(out, " --acks {}", acks_word(spec.acks));
            }
        }
        Command::ProducerPause { name } => {
            let _ = write!(out, "producer pause {name}");
        }
        Command::ProducerResume { name } => {
            let _ = write!(out, "producer resume {name}");
        }
        Command::ProducerStop { name } => {
            let _ = write!(out, "producer stop {name}");
        }
        Command::MemberJoin {
            group,
            member,
            spec,
        } => {
            let _ = write!(out, "consumer join {group} {member}");
            member_options(&mut out, spec);
        }
        Command::MemberLeave { group, member } => {
            let _ = write!(out, "consumer leave {group} {member}");
        }
        Command::MemberCrash { group, member } => {
            let _ = write!(out, "consumer crash {group} {member}");
        }
        Command::MemberCut { group, member } => {
            let _ = write!(out, "consumer cut {group} {member}");
        }
        Command::MemberRestart { group, member } => {
            let _ = write!(out, "consumer restart {group} {member}");
        }
        Command::MemberSlow {
            group,
            member,
            processing_ms,
        } => {
            let _ = write!(out, "consumer slow {group} {member}");
            if let Some(ms) = processing_ms {
                let _ = write!(out, " --processing-time {}", duration(*ms));
            }
        }
        Command::ResetOffsets {
            group,
            scope,
            target,
        } => {
            let _ = write!(out, "kafka-consumer-groups --reset-offsets --group {group}");
            match scope {
                ResetScope::AllTopics => out.push_str(" --all-topics"),
                ResetScope::Topics(topics) => {
                    for (topic, partitions) in topics {
                        let selection = match partitions {
                            None => topic.clone(),
                            Some(partitions) => {
                                let numbers: Vec<String> =
                                    partitions.iter().map(u32::to_string).collect();
                                format!("{topic}:{}", numbers.join(","))
                            }
                        };
                        let _ = write!(out, " --topic {}", quote(&selection));
                    }
                }
            }
            match target {
                ResetSpec::Earliest => out.push_str(" --to-earliest"),
                ResetSpec::Latest => out.push_str(" --to-latest"),
                ResetSpec::Offset(offset) => {
                    let _ = write!(out, " --to-offset {offset}");
                }
                ResetSpec::Datetime(ms) => {
                    let _ = write!(out, " --to-datetime {}", datetime(*ms));
                }
                ResetSpec::ShiftBy(n) => {
                    let _ = write!(out, " --shift-by {n}");
                }
            }
            out.push_str(" --execute");
        }
        Command::DeleteGroup { group } => {
            let _ = write!(out, "kafka-consumer-groups --delete --group {group}");
        }
        Command::Expect(expectation) => {
            out.push_str("expect ");
            out.push_str(&expectation_text(expectation));
        }
    }
    out
}

/// A `--add-config` pair: its commas are inside brackets, so it is quoted only for spaces or
/// quotes.
fn quote_config(pair: &str) -> String {
    quote(pair)
}

/// JSON as one token: in single quotes (literal) when it has none, else double-quoted.
fn json_token(doc: &str) -> String {
    if doc.contains('\'') {
        quote(doc)
    } else {
        format!("'{doc}'")
    }
}

fn member_options(out: &mut String, spec: &MemberSpec) {
    let default = MemberSpec::default();
    repeated(out, "--topic", &spec.topics);
    if spec.assignors != default.assignors {
        repeated(out, "--assignor", &spec.assignors);
    }
    match spec.commit {
        CommitMode::Auto { interval_ms } => {
            if interval_ms != 5_000 {
                let _ = write!(
                    out,
                    " --consumer-property auto.commit.interval.ms={interval_ms}"
                );
            }
        }
        other => {
            let _ = write!(out, " --commit {}", other.word());
        }
    }
    if spec.processing_ms != 0 {
        let _ = write!(out, " --processing-time {}", duration(spec.processing_ms));
    }
    if let Some(instance) = &spec.group_instance_id {
        let _ = write!(
            out,
            " --consumer-property {}",
            quote(&format!("group.instance.id={instance}"))
        );
    }
    let numbers = [
        (
            "session.timeout.ms",
            spec.session_timeout_ms,
            default.session_timeout_ms,
        ),
        (
            "heartbeat.interval.ms",
            spec.heartbeat_interval_ms,
            default.heartbeat_interval_ms,
        ),
        (
            "max.poll.interval.ms",
            spec.max_poll_interval_ms,
            default.max_poll_interval_ms,
        ),
    ];
    for (name, value, default) in numbers {
        if value != default {
            let _ = write!(out, " --consumer-property {name}={value}");
        }
    }
    if spec.auto_offset_reset != AutoOffsetReset::Latest {
        let _ = write!(
            out,
            " --consumer-property auto.offset.reset={}",
            spec.auto_offset_reset.name()
        );
    }
    if spec.max_poll_records != default.max_poll_records {
        let _ = write!(
            out,
            " --consumer-property max.poll.records={}",
            spec.max_poll_records
        );
    }
}

/// An expectation without the leading `expect`.
pub fn expectation_text(expectation: &Expectation) -> String {
    let mut out = subject_text(&expectation.subject);
    let _ = write!(out, " {} ", expectation.op.symbol());
    out.push_str(&value_text(&expectation.value));
    out
}

/// A value as written after the operator.
pub fn value_text(value: &ExpectValue) -> String {
    match value {
        ExpectValue::Number(n) => n.to_string(),
        ExpectValue::None => "none".to_owned(),
        ExpectValue::Word(word) => quote(word),
        ExpectValue::List(items) => list(items),
    }
}

/// A subject as written after `expect`.
pub fn subject_text(subject: &Subject) -> String {
    let on = |broker: &Option<u32>| match broker {
        Some(b) => format!(" on broker {b}"),
        None => String::new(),
    };
    match subject {
        Subject::Leader(tp) => format!("leader {}", partition_token(tp)),
        Subject::Isr(tp) => format!("isr {}", partition_token(tp)),
        Subject::Replicas(tp) => format!("replicas {}", partition_token(tp)),
        Subject::LeaderEpoch(tp) => format!("leader-epoch {}", partition_token(tp)),
        Subject::HighWatermark(tp, b) => format!("hw {}{}", partition_token(tp), on(b)),
        Subject::LogStart(tp, b) => format!("log-start {}{}", partition_token(tp), on(b)),
        Subject::LogEnd(tp, b) => format!("log-end {}{}", partition_token(tp), on(b)),
        Subject::Records(tp, b) => format!("records {}{}", partition_token(tp), on(b)),
        Subject::Keys(tp, b) => format!("keys {}{}", partition_token(tp), on(b)),
        Subject::Values(tp, b) => format!("values {}{}", partition_token(tp), on(b)),
        Subject::Offsets(tp, b) => format!("offsets {}{}", partition_token(tp), on(b)),
        Subject::Segments(tp, b) => format!("segments {}{}", partition_token(tp), on(b)),
        Subject::Adding(tp) => format!("adding {}", partition_token(tp)),
        Subject::Removing(tp) => format!("removing {}", partition_token(tp)),
        Subject::Partitions(topic) => format!("partitions {}", quote(topic)),
        Subject::PartitionOf(topic, key) => format!("partition-of {} {}", quote(topic), quote(key)),
        Subject::Topics => "topics".to_owned(),
        Subject::Broker(b) => format!("broker {b}"),
        Subject::GroupState(g) => format!("group-state {g}"),
        Subject::Generation(g) => format!("generation {g}"),
        Subject::Assignor(g) => format!("assignor {g}"),
        Subject::Members(g) => format!("members {g}"),
        Subject::Coordinator(g) => format!("coordinator {g}"),
        Subject::CoordinatorPartition(g) => format!("coordinator-partition {g}"),
        Subject::Gaps(g) => format!("gaps {g}"),
        Subject::PollError(g, m) => format!("poll-error {g} {m}"),
        Subject::Assignment(g, m) => format!("assignment {g} {m}"),
        Subject::Member(g, m) => format!("member {g} {m}"),
        Subject::Committed(g, tp) => format!("committed {g} {}", partition_token(tp)),
        Subject::Lag(g, None) => format!("lag {g}"),
        Subject::Lag(g, Some(tp)) => format!("lag {g} {}", partition_token(tp)),
        Subject::Processed(g) => format!("processed {g}"),
        Subject::Duplicates(g) => format!("duplicates {g}"),
        Subject::Skipped(g) => format!("skipped {g}"),
        Subject::Sent(p) => format!("sent {p}"),
        Subject::Acked(p) => format!("acked {p}"),
        Subject::Failed(p) => format!("failed {p}"),
        Subject::ProduceError(p) => format!("produce-error {p}"),
        Subject::Error => "error".to_owned(),
    }
}
