//! Exporting a history as a shell script of Apache Kafka's own command-line tools: what Kafka
//! has a command for becomes that command against `--bootstrap-server localhost:9092`; every
//! step it has none for (a broker killed, time passing, an application's behaviour, an
//! `expect`) becomes a `# rill: cannot be expressed: …` comment naming it.

use std::fmt::Write as _;

use super::command::{Command, CommitMode, ProduceRecord, ResetScope, ResetSpec};
use super::json;
use super::text::{acks_word, command_line, datetime, header};
use super::world::WorldConfig;
use crate::cluster::Acks;
use crate::consumer::AutoOffsetReset;

/// The bootstrap server every exported command names.
pub const BOOTSTRAP: &str = "localhost:9092";

/// The marker of a step the export cannot express.
pub const CANNOT: &str = "# rill: cannot be expressed:";

/// A POSIX shell word: bare when safe, else in single quotes.
fn sh(text: &str) -> String {
    let safe = !text.is_empty()
        && text.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '.' | '_' | '-' | ':' | '=' | ',' | '/' | '@' | '+')
        });
    if safe {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// The history as a shell script.
pub fn to_kafka_cli(config: &WorldConfig, history: &[(i64, Command)]) -> String {
    let mut out = String::new();
    out.push_str("#!/bin/sh\n");
    out.push_str(
        "# A rill session as Apache Kafka command-line tools: run it against a real cluster.\n",
    );
    let _ = writeln!(
        out,
        "# Steps Kafka has no command for are comments starting \"{CANNOT}\"."
    );
    for line in header(config).lines() {
        let _ = writeln!(out, "# rill session: {line}");
    }
    out.push_str("set -e\n\n");
    let mut files = 0u32;
    let mut index = 0;
    while index < history.len() {
        let command = &history[index].1;
        if let Command::Produce(first) = command
            && first.partition.is_none()
        {
            let mut block = vec![first];
            while let Some((_, Command::Produce(next))) = history.get(index + block.len()) {
                if next.topic != first.topic || next.acks != first.acks || next.partition.is_some()
                {
                    break;
                }
                block.push(next);
            }
            index += block.len();
            console_producer(&mut out, &block);
            continue;
        }
        step(&mut out, command, &mut files);
        index += 1;
    }
    out
}

fn bootstrap(tool: &str) -> String {
    format!("{tool} --bootstrap-server {BOOTSTRAP}")
}

fn cannot(out: &mut String, command: &Command, why: &str) {
    let _ = writeln!(out, "{CANNOT} {} ({why})", command_line(command));
}

fn json_file(out: &mut String, files: &mut u32, stem: &str, doc: &str) -> String {
    *files += 1;
    let name = format!("{stem}-{files}.json");
    let _ = writeln!(out, "cat > {name} <<'EOF'\n{doc}\nEOF");
    name
}

/// Records as a `kafka-console-producer.sh` here-doc; records it cannot write (a newline in a
/// key or value, a header with a null value) are comments.
fn console_producer(out: &mut String, records: &[&ProduceRecord]) {
    const NULL: &str = "<null>";
    let keyed = records.iter().any(|r| r.key.is_some());
    let headers = records.iter().any(|r| !r.headers.is_empty());
    let nulls = records
        .iter()
        .any(|r| r.value.is_none() || (keyed && r.key.is_none()));
    let separator = [":", "|", "\t"]
        .into_iter()
        .find(|sep| {
            records
                .iter()
                .all(|r| r.key.as_deref().is_none_or(|k| !k.contains(sep)))
        })
        .unwrap_or(":");
    let mut lines = Vec::new();
    let mut skipped = Vec::new();
    for record in records {
        let text = |value: &Option<String>| value.clone().unwrap_or_else(|| NULL.to_owned());
        let mut line = String::new();
        let mut ok = !record.key.as_deref().is_some_and(|k| k.contains(separator))
            && [&record.key, &record.value].iter().all(|v| {
                v.as_deref()
                    .is_none_or(|v| !v.contains(['\n', '\r']) && v != NULL)
            });
        if headers {
            let pairs: Vec<String> = record
                .headers
                .iter()
                .map(|(k, v)| format!("{k}:{}", v.clone().unwrap_or_default()))
                .collect();
            ok &= record.headers.iter().all(|(k, v)| {
                v.is_some()
                    && !k.contains([':', ',', '\t', '\n'])
                    && !v.as_deref().unwrap_or_default().contains([',', '\t', '\n'])
            });
            line.push_str(&pairs.join(","));
            line.push('\t');
        }
        if keyed {
            line.push_str(&text(&record.key));
            line.push_str(separator);
        }
        line.push_str(&text(&record.value));
        if ok && line != "EOF" {
            lines.push(line);
        } else {
            skipped.push(*record);
        }
    }
    if !lines.is_empty() {
        let first = records[0];
        let _ = write!(
            out,
            "{} --topic {}",
            bootstrap("kafka-console-producer.sh"),
            sh(&first.topic)
        );
        if keyed {
            let _ = write!(
                out,
                " --property parse.key=true --property {}",
                sh(&format!("key.separator={separator}"))
            );
        }
        if headers {
            out.push_str(" --property parse.headers=true");
        }
        if nulls {
            let _ = write!(out, " --property {}", sh(&format!("null.marker={NULL}")));
        }
        if first.acks != Acks::All {
            let _ = write!(out, " --producer-property acks={}", acks_word(first.acks));
        }
        out.push_str(" <<'EOF'\n");
        for line in lines {
            out.push_str(&line);
            out.push('\n');
        }
        out.push_str("EOF\n");
    }
    for record in skipped {
        cannot(
            out,
            &Command::Produce((*record).clone()),
            "kafka-console-producer.sh reads one record per line",
        );
    }
}

fn step(out: &mut String, command: &Command, files: &mut u32) {
    match command {
        Command::CreateTopic {
            topic,
            partitions,
            replication_factor,
            configs,
        } => {
            let _ = write!(
                out,
                "{} --create --topic {} --partitions {partitions} --replication-factor {replication_factor}",
                bootstrap("kafka-topics.sh"),
                sh(topic)
            );
            for (name, value) in configs {
                let _ = write!(out, " --config {}", sh(&format!("{name}={value}")));
            }
            out.push('\n');
        }
        Command::DeleteTopic { topic } => {
            let _ = writeln!(
                out,
                "{} --delete --topic {}",
                bootstrap("kafka-topics.sh"),
                sh(topic)
            );
        }
        Command::CreatePartitions { topic, total } => {
            let _ = writeln!(
                out,
                "{} --alter --topic {} --partitions {total}",
                bootstrap("kafka-topics.sh"),
                sh(topic)
            );
        }
        Command::AlterConfigs { topic, set, delete } => {
            let _ = write!(
                out,
                "{} --alter --entity-type topics --entity-name {}",
                bootstrap("kafka-configs.sh"),
                sh(topic)
            );
            if !set.is_empty() {
                let pairs: Vec<String> = set
                    .iter()
                    .map(|(name, value)| {
                        if value.contains(',') {
                            format!("{name}=[{value}]")
                        } else {
                            format!("{name}={value}")
                        }
                    })
                    .collect();
                let _ = write!(out, " --add-config {}", sh(&pairs.join(",")));
            }
            if !delete.is_empty() {
                let _ = write!(out, " --delete-config {}", sh(&delete.join(",")));
            }
            out.push('\n');
        }
        Command::Produce(record) => {
            // Only records naming a partition arrive here (the rest go in console blocks).
            let _ = record;
            cannot(
                out,
                command,
                "kafka-console-producer.sh cannot choose a partition",
            );
        }
        Command::DeleteRecords { partitions } => {
            let doc = json::delete_records_document(partitions);
            let file = json_file(out, files, "delete-records", &doc);
            let _ = writeln!(
                out,
                "{} --offset-json-file {file}",
                bootstrap("kafka-delete-records.sh")
            );
        }
        Command::Reassign { partitions } => {
            let entries: Vec<String> = partitions
                .iter()
                .map(|(tp, replicas)| {
                    let ids: Vec<String> = replicas.iter().map(u32::to_string).collect();
                    let dirs: Vec<&str> = replicas.iter().map(|_| "\"any\"").collect();
                    format!(
                        "{{\"topic\":{},\"partition\":{},\"replicas\":[{}],\"log_dirs\":[{}]}}",
                        json::string(&tp.topic),
                        tp.partition,
                        ids.join(","),
                        dirs.join(",")
                    )
                })
                .collect();
            let doc = format!("{{\"version\":1,\"partitions\":[{}]}}", entries.join(","));
            let file = json_file(out, files, "reassignment", &doc);
            let _ = writeln!(
                out,
                "{} --reassignment-json-file {file} --execute",
                bootstrap("kafka-reassign-partitions.sh")
            );
        }
        Command::ElectPreferred { partitions } => {
            let tool = bootstrap("kafka-leader-election.sh");
            match partitions.as_deref() {
                None => {
                    let _ = writeln!(
                        out,
                        "{tool} --election-type PREFERRED --all-topic-partitions"
                    );
                }
                Some([one]) => {
                    let _ = writeln!(
                        out,
                        "{tool} --election-type PREFERRED --topic {} --partition {}",
                        sh(&one.topic),
                        one.partition
                    );
                }
                Some(many) => {
                    let doc = json::election_document(many);
                    let file = json_file(out, files, "election", &doc);
                    let _ = writeln!(
                        out,
                        "{tool} --election-type PREFERRED --path-to-json-file {file}"
                    );
                }
            }
        }
        Command::ResetOffsets {
            group,
            scope,
            target,
        } => {
            let _ = write!(
                out,
                "{} --group {} --reset-offsets",
                bootstrap("kafka-consumer-groups.sh"),
                sh(group)
            );
            match scope {
                ResetScope::AllTopics => out.push_str(" --all-topics"),
                ResetScope::Topics(topics) => {
                    for (topic, partitions) in topics {
                        let selection = match partitions {
                            None => topic.clone(),
                            Some(list) => {
                                let ids: Vec<String> = list.iter().map(u32::to_string).collect();
                                format!("{topic}:{}", ids.join(","))
                            }
                        };
                        let _ = write!(out, " --topic {}", sh(&selection));
                    }
                }
            }
            let _ = match target {
                ResetSpec::Earliest => write!(out, " --to-earliest"),
                ResetSpec::Latest => write!(out, " --to-latest"),
                ResetSpec::Offset(offset) => write!(out, " --to-offset {offset}"),
                ResetSpec::Datetime(ms) => write!(out, " --to-datetime {}", datetime(*ms)),
                ResetSpec::ShiftBy(n) => write!(out, " --shift-by {n}"),
            };
            out.push_str(" --execute\n");
        }
        Command::DeleteGroup { group } => {
            let _ = writeln!(
                out,
                "{} --delete --group {}",
                bootstrap("kafka-consumer-groups.sh"),
                sh(group)
            );
        }
        Command::MemberJoin {
            group,
            member,
            spec,
        } => {
            let mut unexpressed = Vec::new();
            let _ = write!(out, "{}", bootstrap("kafka-console-consumer.sh"));
            if let [topic] = spec.topics.as_slice() {
                let _ = write!(out, " --topic {}", sh(topic));
            } else {
                let _ = write!(out, " --include {}", sh(&spec.topics.join("|")));
            }
            let _ = write!(out, " --group {}", sh(group));
            if spec.auto_offset_reset == AutoOffsetReset::Earliest {
                out.push_str(" --from-beginning");
            }
            let mut property = |text: String| {
                let _ = write!(out, " --consumer-property {}", sh(&text));
            };
            property(format!("client.id={member}"));
            property(format!(
                "partition.assignment.strategy={}",
                spec.assignors
                    .iter()
                    .map(|a| assignor_class(a))
                    .collect::<Vec<_>>()
                    .join(",")
            ));
            if let Some(instance) = &spec.group_instance_id {
                property(format!("group.instance.id={instance}"));
            }
            property(format!("session.timeout.ms={}", spec.session_timeout_ms));
            property(format!(
                "heartbeat.interval.ms={}",
                spec.heartbeat_interval_ms
            ));
            property(format!(
                "max.poll.interval.ms={}",
                spec.max_poll_interval_ms
            ));
            if spec.auto_offset_reset == AutoOffsetReset::None {
                property("auto.offset.reset=none".to_owned());
            }
            property(format!("max.poll.records={}", spec.max_poll_records));
            match spec.commit {
                CommitMode::Auto { interval_ms } => {
                    property(format!("auto.commit.interval.ms={interval_ms}"));
                }
                CommitMode::Never => property("enable.auto.commit=false".to_owned()),
                CommitMode::Sync | CommitMode::Async => {
                    property("enable.auto.commit=false".to_owned());
                    unexpressed.push(format!(
                        "commit{} after each batch",
                        if spec.commit == CommitMode::Sync {
                            "Sync"
                        } else {
                            "Async"
                        }
                    ));
                }
            }
            if spec.processing_ms > 0 {
                unexpressed.push(format!(
                    "{} ms of processing per record",
                    spec.processing_ms
                ));
            }
            out.push_str(" > /dev/null &\n");
            if !unexpressed.is_empty() {
                let _ = writeln!(
                    out,
                    "{CANNOT} the member {member}'s {} (the console consumer commits automatically and does not process)",
                    unexpressed.join(" and ")
                );
            }
        }
        Command::MemberLeave { .. } => cannot(
            out,
            command,
            "stop that console consumer's process (Ctrl-C)",
        ),
        Command::MemberCrash { .. } => {
            cannot(out, command, "kill -9 that console consumer's process")
        }
        Command::MemberCut { .. } => cannot(
            out,
            command,
            "cut its host off the network, e.g. with iptables",
        ),
        Command::MemberSlow { .. } => {
            cannot(out, command, "the console consumer does no processing")
        }
        Command::MemberRestart { .. } => {
            cannot(out, command, "restart that console consumer's process")
        }
        Command::ProducerStart { .. }
        | Command::ProducerPause { .. }
        | Command::ProducerResume { .. }
        | Command::ProducerStop { .. } => cannot(
            out,
            command,
            "a producer application; kafka-producer-perf-test.sh --throughput comes closest, without keys",
        ),
        Command::KillBroker { .. } => cannot(out, command, "kill -9 that broker's process"),
        Command::RestartBroker { .. } => cannot(out, command, "start that broker's process again"),
        Command::ShutdownBroker { .. } => {
            cannot(
                out,
                command,
                "stop that broker's process with SIGTERM (controlled shutdown)",
            );
        }
        Command::PartitionNetwork { .. } | Command::Heal | Command::SlowBroker { .. } => {
            cannot(
                out,
                command,
                "network faults need tools outside Kafka, e.g. iptables or tc",
            );
        }
        Command::Advance { .. } => cannot(out, command, "a real cluster's clock runs by itself"),
        Command::Expect(_) => cannot(
            out,
            command,
            "an assertion; check it with kafka-topics.sh --describe or kafka-consumer-groups.sh --describe",
        ),
    }
}

/// Kafka's class name of an assignor (what `partition.assignment.strategy` takes).
fn assignor_class(name: &str) -> String {
    match name {
        "range" => "org.apache.kafka.clients.consumer.RangeAssignor",
        "roundrobin" => "org.apache.kafka.clients.consumer.RoundRobinAssignor",
        "sticky" => "org.apache.kafka.clients.consumer.StickyAssignor",
        "cooperative-sticky" => "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
        other => other,
    }
    .to_owned()
}
