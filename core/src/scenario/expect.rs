//! Evaluating an `expect` against a [`World`]: what the world has for the subject, compared
//! with the expected value. A failed expectation names both.

use super::apps::MemberStatus;
use super::command::{CompareOp, ExpectValue, Expectation, Subject, ValueKind};
use super::lex::list;
use super::world::{ExpectOutcome, World};
use crate::group::TopicPartition;
use crate::log::PartitionLog;
use crate::record::StoredRecord;

/// What the world has for a subject.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Actual {
    Number(i64),
    None,
    Word(String),
    List(Vec<String>),
    /// Nothing to compare, and why (a Kafka error name or a sentence).
    Unavailable(String),
}

impl Actual {
    fn text(&self) -> String {
        match self {
            Self::Number(n) => n.to_string(),
            Self::None => "none".to_owned(),
            Self::Word(w) => w.clone(),
            Self::List(items) => list(items),
            Self::Unavailable(why) => why.clone(),
        }
    }
}

/// Evaluates `expectation` against `world`.
pub(crate) fn evaluate(world: &World, expectation: &Expectation) -> ExpectOutcome {
    let actual = actual(world, &expectation.subject);
    let kind = expectation.subject.kind();
    let passed = compare(&actual, expectation.op, &expectation.value, kind);
    ExpectOutcome {
        passed,
        expected: format!(
            "{} {}",
            expectation.op.symbol(),
            super::text::value_text(&expectation.value)
        ),
        actual: actual.text(),
    }
}

fn compare(actual: &Actual, op: CompareOp, expected: &ExpectValue, kind: ValueKind) -> bool {
    let equal = match (actual, expected) {
        (Actual::Unavailable(_), _) => return false,
        (Actual::Number(a), ExpectValue::Number(e)) => {
            return match op {
                CompareOp::Eq => a == e,
                CompareOp::Ne => a != e,
                CompareOp::Lt => a < e,
                CompareOp::Le => a <= e,
                CompareOp::Gt => a > e,
                CompareOp::Ge => a >= e,
            };
        }
        (Actual::None, ExpectValue::None) => true,
        (Actual::Word(a), ExpectValue::Word(e)) => a.eq_ignore_ascii_case(e),
        (Actual::List(a), ExpectValue::List(e)) => {
            let trimmed: Vec<String> = e.iter().map(|s| s.trim().to_owned()).collect();
            if kind == ValueKind::Set {
                let (mut a, mut e) = (a.clone(), trimmed);
                a.sort();
                e.sort();
                a == e
            } else {
                *a == trimmed
            }
        }
        _ => false,
    };
    match op {
        CompareOp::Eq => equal,
        CompareOp::Ne => !equal,
        _ => false,
    }
}

fn unavailable(code: crate::error::ErrorCode) -> Actual {
    Actual::Unavailable(code.name().to_owned())
}

fn numbers(items: &[u32]) -> Actual {
    Actual::List(items.iter().map(u32::to_string).collect())
}

/// The log a `… T-P [on broker N]` subject reads: broker N's replica, or the leader's.
fn log_of<'w>(
    world: &'w World,
    tp: &TopicPartition,
    broker: Option<u32>,
) -> Result<&'w PartitionLog, Actual> {
    let cluster = world.cluster();
    let registration = cluster
        .registration(&tp.topic, tp.partition)
        .ok_or_else(|| unavailable(crate::error::ErrorCode::UnknownTopicOrPartition))?;
    let broker = match broker {
        Some(broker) => broker,
        None => registration
            .leader
            .filter(|b| cluster.is_alive(*b))
            .ok_or_else(|| unavailable(crate::error::ErrorCode::LeaderNotAvailable))?,
    };
    cluster
        .replica(broker, &tp.topic, tp.partition)
        .map(|(log, _)| log)
        .ok_or_else(|| {
            Actual::Unavailable(format!("no replica of {tp} on a running broker {broker}"))
        })
}

/// The records a subject looks at: the leader's below its high watermark, or everything
/// broker N's replica holds.
fn records_of(
    world: &World,
    tp: &TopicPartition,
    broker: Option<u32>,
) -> Result<Vec<StoredRecord>, Actual> {
    let log = log_of(world, tp, broker)?;
    if broker.is_none() {
        return log
            .read_all(log.log_start_offset())
            .map(|read| read.records)
            .map_err(|e| Actual::Unavailable(e.to_string()));
    }
    let mut records = Vec::new();
    for segment in log.segments() {
        for batch in crate::record::trusted_batches(segment.as_bytes()) {
            for record in batch.records().flatten() {
                if record.offset >= log.log_start_offset() {
                    records.push(record);
                }
            }
        }
    }
    Ok(records)
}

fn text_of(bytes: Option<&Vec<u8>>) -> String {
    bytes.map_or_else(
        || "null".to_owned(),
        |b| String::from_utf8_lossy(b).into_owned(),
    )
}

fn actual(world: &World, subject: &Subject) -> Actual {
    let cluster = world.cluster();
    let registration = |tp: &TopicPartition| {
        cluster
            .registration(&tp.topic, tp.partition)
            .ok_or_else(|| unavailable(crate::error::ErrorCode::UnknownTopicOrPartition))
    };
    let result: Result<Actual, Actual> = (|| {
        Ok(match subject {
            Subject::Leader(tp) => registration(tp)?
                .leader
                .map_or(Actual::None, |b| Actual::Number(i64::from(b))),
            Subject::Isr(tp) => numbers(&registration(tp)?.isr),
            Subject::Replicas(tp) => numbers(&registration(tp)?.replicas),
            Subject::LeaderEpoch(tp) => Actual::Number(i64::from(registration(tp)?.leader_epoch)),
            Subject::HighWatermark(tp, broker) => {
                Actual::Number(log_of(world, tp, *broker)?.high_watermark())
            }
            Subject::LogStart(tp, broker) => {
                Actual::Number(log_of(world, tp, *broker)?.log_start_offset())
            }
            Subject::LogEnd(tp, broker) => {
                Actual::Number(log_of(world, tp, *broker)?.log_end_offset())
            }
            Subject::Records(tp, broker) => {
                Actual::Number(records_of(world, tp, *broker)?.len() as i64)
            }
            Subject::Keys(tp, broker) => Actual::List(
                records_of(world, tp, *broker)?
                    .iter()
                    .map(|r| text_of(r.key.as_ref()))
                    .collect(),
            ),
            Subject::Values(tp, broker) => Actual::List(
                records_of(world, tp, *broker)?
                    .iter()
                    .map(|r| text_of(r.value.as_ref()))
                    .collect(),
            ),
            Subject::Offsets(tp, broker) => Actual::List(
                records_of(world, tp, *broker)?
                    .iter()
                    .map(|r| r.offset.to_string())
                    .collect(),
            ),
            Subject::Segments(tp, broker) => {
                Actual::Number(log_of(world, tp, *broker)?.segments().len() as i64)
            }
            Subject::Adding(tp) => numbers(&registration(tp)?.adding),
            Subject::Removing(tp) => numbers(&registration(tp)?.removing),
            Subject::PartitionOf(topic, key) => {
                let count = cluster
                    .topic_metadata(topic)
                    .map_err(unavailable)?
                    .partitions
                    .len();
                let count = u32::try_from(count).unwrap_or(u32::MAX);
                Actual::Number(i64::from(crate::partitioner::partition_for_key(
                    key.as_bytes(),
                    count,
                )))
            }
            Subject::Coordinator(group) => cluster
                .coordinator_of(group)
                .map_or(Actual::None, |b| Actual::Number(i64::from(b))),
            Subject::CoordinatorPartition(group) => {
                Actual::Number(i64::from(crate::group::protocol::offsets_partition_for(
                    group,
                    world.config().cluster.offsets_topic_partitions,
                )))
            }
            Subject::Gaps(group) => {
                let tracker = world.groups.get(group).ok_or_else(|| {
                    Actual::Unavailable(format!("no member of group {group} ran here"))
                })?;
                let mut partitions: Vec<String> = tracker
                    .timeline
                    .gaps()
                    .iter()
                    .map(|gap| gap.partition.to_string())
                    .collect();
                partitions.sort();
                partitions.dedup();
                Actual::List(partitions)
            }
            Subject::PollError(group, member) => {
                let app = world
                    .members
                    .get(&(group.clone(), member.clone()))
                    .ok_or_else(|| Actual::Unavailable("UNKNOWN_MEMBER".to_owned()))?;
                Actual::Word(app.poll_error.as_ref().map_or_else(
                    || "none".to_owned(),
                    |e| {
                        e.error_code()
                            .map_or_else(|| e.exception_name().to_owned(), |c| c.name().to_owned())
                    },
                ))
            }
            Subject::Partitions(topic) => Actual::Number(
                cluster
                    .topic_metadata(topic)
                    .map_err(unavailable)?
                    .partitions
                    .len() as i64,
            ),
            Subject::Topics => Actual::List(cluster.topics(false)),
            Subject::Broker(broker) => {
                if *broker >= world.config().cluster.brokers {
                    return Err(Actual::Unavailable("UNKNOWN_BROKER".to_owned()));
                }
                Actual::Word(
                    if !cluster.is_alive(*broker) {
                        "stopped"
                    } else if cluster.is_fenced(*broker) {
                        "fenced"
                    } else {
                        "running"
                    }
                    .to_owned(),
                )
            }
            Subject::GroupState(group) => Actual::Word(
                cluster
                    .describe_group(group)
                    .map_err(unavailable)?
                    .state
                    .name()
                    .to_owned(),
            ),
            Subject::Generation(group) => Actual::Number(i64::from(
                cluster
                    .describe_group(group)
                    .map_err(unavailable)?
                    .generation,
            )),
            Subject::Assignor(group) => {
                let protocol = cluster.describe_group(group).map_err(unavailable)?.protocol;
                Actual::Word(if protocol.is_empty() {
                    "none".to_owned()
                } else {
                    protocol
                })
            }
            Subject::Members(group) => Actual::Number(
                cluster
                    .describe_group(group)
                    .map_err(unavailable)?
                    .members
                    .len() as i64,
            ),
            Subject::Assignment(group, member) => {
                let app = world
                    .members
                    .get(&(group.clone(), member.clone()))
                    .ok_or_else(|| Actual::Unavailable("UNKNOWN_MEMBER".to_owned()))?;
                let assignment = app
                    .client
                    .and_then(|c| cluster.consumer(c))
                    .filter(|_| {
                        app.status == MemberStatus::Running || app.status == MemberStatus::Leaving
                    })
                    .map(crate::consumer::Consumer::assignment)
                    .unwrap_or_default();
                Actual::List(assignment.iter().map(ToString::to_string).collect())
            }
            Subject::Member(group, member) => {
                let app = world
                    .members
                    .get(&(group.clone(), member.clone()))
                    .ok_or_else(|| Actual::Unavailable("UNKNOWN_MEMBER".to_owned()))?;
                Actual::Word(app.status.word(app.cut_off).to_owned())
            }
            Subject::Committed(group, tp) => {
                let rows = cluster.describe_group_offsets(group).map_err(unavailable)?;
                rows.iter()
                    .find(|row| row.partition == *tp)
                    .and_then(|row| row.committed)
                    .map_or(Actual::None, Actual::Number)
            }
            Subject::Lag(group, tp) => {
                let rows = cluster.describe_group_offsets(group).map_err(unavailable)?;
                match tp {
                    Some(tp) => rows
                        .iter()
                        .find(|row| row.partition == *tp)
                        .and_then(|row| row.lag)
                        .map(Actual::Number)
                        .ok_or_else(|| {
                            Actual::Unavailable(format!("no committed offset for {tp}"))
                        })?,
                    None => Actual::Number(rows.iter().filter_map(|row| row.lag).sum()),
                }
            }
            Subject::Processed(group) | Subject::Duplicates(group) | Subject::Skipped(group) => {
                let (processed, duplicates, skipped) =
                    world.group_stats(group).ok_or_else(|| {
                        Actual::Unavailable(format!("no member of group {group} ran here"))
                    })?;
                Actual::Number(match subject {
                    Subject::Processed(_) => processed,
                    Subject::Duplicates(_) => duplicates,
                    _ => skipped,
                } as i64)
            }
            Subject::Sent(producer)
            | Subject::Acked(producer)
            | Subject::Failed(producer)
            | Subject::ProduceError(producer) => {
                let stats = world
                    .producer_stats(producer)
                    .ok_or_else(|| Actual::Unavailable("UNKNOWN_PRODUCER".to_owned()))?;
                match subject {
                    Subject::Sent(_) => Actual::Number(stats.sent as i64),
                    Subject::Acked(_) => Actual::Number(stats.acked as i64),
                    Subject::Failed(_) => Actual::Number(stats.failed as i64),
                    _ => Actual::Word(
                        stats
                            .last_error
                            .map_or_else(|| "none".to_owned(), |e| e.name().to_owned()),
                    ),
                }
            }
            Subject::Error => Actual::Word(
                world
                    .last_error()
                    .map_or_else(|| "none".to_owned(), super::command::CommandError::name),
            ),
        })
    })();
    result.unwrap_or_else(|unavailable| unavailable)
}

impl World {
    /// Evaluates an expectation against the world now.
    pub fn check(&self, expectation: &Expectation) -> ExpectOutcome {
        evaluate(self, expectation)
    }
}
