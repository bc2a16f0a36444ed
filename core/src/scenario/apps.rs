//! The simulated client applications of a [`World`]: producers sending at a rate, and
//! consumer-group members running Kafka's poll loop (poll, process each record for its
//! processing time, commit as configured), plus what the world tracks per group to find
//! records processed twice or skipped.
//!
//! A member drives the engine's own [`crate::consumer::Consumer`] through
//! [`crate::cluster::Cluster::consumer_mut`]. While it processes a batch it does not poll, so a
//! batch longer than `max.poll.interval.ms` makes its consumer leave the group exactly as
//! Kafka's does; heartbeats go on meanwhile (Kafka's heartbeat thread).

use std::collections::BTreeMap;

use super::command::{CommandError, CommitMode, MemberSpec, ProducerSpec};
use super::ranges::OffsetRanges;
use super::sender::Sender;
use crate::consumer::{CommitId, ConsumerConfig};
use crate::error::ErrorCode;
use crate::group::TopicPartition;
use crate::partitioner::Partitioner;
use crate::prng::Prng;

/// The most records a producer sends at one wake-up (a bound: at its own rate it sends the
/// few due since its last send).
pub const PRODUCER_SEND_MAX: u64 = 100_000;

/// The most polls a member makes at one wake-up when it processes instantly.
pub const POLLS_PER_STEP_MAX: u32 = 64;

/// A producer's counters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProducerStats {
    /// Records sent.
    pub sent: u64,
    /// Records whose produce succeeded as the producer saw it (`acks=0`: once sent).
    pub acked: u64,
    /// Records whose produce failed.
    pub failed: u64,
    /// The error of the last failed produce.
    pub last_error: Option<ErrorCode>,
}

/// Whether a producer sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ProducerState {
    /// Sending since `anchor`, `sent` records so far since then.
    Running {
        anchor: i64,
        sent: u64,
    },
    Paused,
    Stopped,
}

/// A producer application.
#[derive(Clone, Debug)]
pub(crate) struct ProducerApp {
    pub spec: ProducerSpec,
    pub sender: Sender,
    pub state: ProducerState,
    pub partitioner: Partitioner,
    pub prng: Prng,
    /// Records made so far (their values are `<name>-<n>`).
    pub made: u64,
}

impl ProducerApp {
    /// When the `k`-th record since `anchor` is due (k from 1).
    fn due(anchor: i64, rate: u32, k: u64) -> i64 {
        let ms = (i128::from(k) * 1_000).div_euclid(i128::from(rate.max(1)))
            + i128::from((i128::from(k) * 1_000) % i128::from(rate.max(1)) != 0);
        anchor.saturating_add(i64::try_from(ms).unwrap_or(i64::MAX))
    }

    /// `running`, `paused` or `stopped`.
    pub(crate) fn state_word(&self) -> &'static str {
        match self.state {
            ProducerState::Running { .. } => "running",
            ProducerState::Paused => "paused",
            ProducerState::Stopped => "stopped",
        }
    }

    /// When the next record is due (while running), or a retry's backoff ends.
    pub(crate) fn next_due(&self, now: i64) -> Option<i64> {
        let send = match self.state {
            ProducerState::Running { anchor, sent } => {
                Some(Self::due(anchor, self.spec.rate, sent + 1))
            }
            _ => None,
        };
        send.into_iter().chain(self.sender.next_due(now)).min()
    }
}

/// A member's process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MemberStatus {
    Running,
    /// Told to leave: finishes its batch and commit, then closes.
    Leaving,
    Left,
    Crashed,
}

impl MemberStatus {
    /// The state's word in scripts.
    pub(crate) fn word(self, cut_off: bool) -> &'static str {
        match self {
            Self::Running if cut_off => "cut-off",
            Self::Running => "running",
            Self::Leaving => "leaving",
            Self::Left => "left",
            Self::Crashed => "crashed",
        }
    }
}

/// What a running member is doing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Activity {
    /// Polls at every wake-up.
    Idle,
    /// Processing `records`, each taking `per_record_ms`, from `started`; `settled` of them
    /// are done and counted.
    Processing {
        records: Vec<(TopicPartition, i64)>,
        started: i64,
        per_record_ms: i64,
        settled: usize,
    },
    /// Waiting for its `commitSync`.
    Committing { id: CommitId },
    /// `close` was called.
    Closing,
}

/// A consumer-group member application.
#[derive(Clone, Debug)]
pub(crate) struct MemberApp {
    pub spec: MemberSpec,
    pub client: Option<u32>,
    pub status: MemberStatus,
    pub activity: Activity,
    pub cut_off: bool,
    pub processing_ms: i64,
    /// When the consumer's next auto-commit is due (mirrors the consumer's own schedule).
    pub next_auto_commit: Option<i64>,
    /// Commits the app started, by id.
    pub issued: BTreeMap<CommitId, CommitOrigin>,
    /// The error of the last poll, reported once until a poll succeeds.
    pub poll_error: Option<crate::consumer::ConsumerError>,
}

impl MemberApp {
    /// The next time the app itself must act: the end of its batch, or its auto-commit.
    pub(crate) fn next_due(&self) -> Option<i64> {
        if !matches!(self.status, MemberStatus::Running | MemberStatus::Leaving) {
            return None;
        }
        match &self.activity {
            Activity::Processing {
                records,
                started,
                per_record_ms,
                ..
            } => Some(started.saturating_add(per_record_ms.saturating_mul(records.len() as i64))),
            Activity::Idle => self.next_auto_commit,
            Activity::Committing { .. } | Activity::Closing => None,
        }
    }

    /// A commit finished: a member waiting for it goes back to polling.
    pub(crate) fn commit_completed(&mut self, id: CommitId) {
        if self.activity == (Activity::Committing { id }) {
            self.activity = Activity::Idle;
        }
    }
}

/// What the world tracks of one group to tell duplicates and skipped records.
#[derive(Clone, Debug, Default)]
pub(crate) struct GroupTracker {
    pub partitions: BTreeMap<TopicPartition, PartitionTrack>,
    /// Who owned each partition when, from the members' rebalance events.
    pub timeline: crate::consumer::OwnershipTimeline,
    pub processed: u64,
    pub duplicates: u64,
    pub skipped: u64,
}

/// One partition of a tracked group.
#[derive(Clone, Debug, Default)]
pub(crate) struct PartitionTrack {
    pub processed: OffsetRanges,
    /// Offsets below this were judged (processed or skipped) when a commit passed them.
    pub checked: Option<i64>,
}

/// The Kafka consumer configs of a member.
pub(super) fn consumer_config(
    member: &str,
    group: &str,
    spec: &MemberSpec,
) -> Result<ConsumerConfig, CommandError> {
    let mut pairs: Vec<(&str, String)> = vec![
        ("group.id", group.to_owned()),
        ("client.id", member.to_owned()),
        ("partition.assignment.strategy", spec.assignors.join(",")),
        ("session.timeout.ms", spec.session_timeout_ms.to_string()),
        (
            "heartbeat.interval.ms",
            spec.heartbeat_interval_ms.to_string(),
        ),
        (
            "max.poll.interval.ms",
            spec.max_poll_interval_ms.to_string(),
        ),
        (
            "auto.offset.reset",
            spec.auto_offset_reset.name().to_owned(),
        ),
        ("max.poll.records", spec.max_poll_records.to_string()),
    ];
    match spec.commit {
        CommitMode::Auto { interval_ms } => {
            pairs.push(("enable.auto.commit", "true".to_owned()));
            pairs.push(("auto.commit.interval.ms", interval_ms.to_string()));
        }
        _ => pairs.push(("enable.auto.commit", "false".to_owned())),
    }
    if let Some(instance) = &spec.group_instance_id {
        pairs.push(("group.instance.id", instance.clone()));
    }
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    ConsumerConfig::from_kafka_configs(&borrowed).map_err(|e| CommandError::from_kafka(&e))
}

pub(super) fn unknown_member(key: &(String, String)) -> CommandError {
    CommandError::UnknownMember {
        group: key.0.clone(),
        member: key.1.clone(),
    }
}

pub(super) fn record_value(name: &str, n: u64) -> Vec<u8> {
    format!("{name}-{n}").into_bytes()
}

/// How a commit came about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommitOrigin {
    /// `enable.auto.commit` (at poll, at a rebalance, or at close).
    Auto,
    /// The member's `commitSync()` after a batch.
    Sync,
    /// The member's `commitAsync()` after a batch.
    Async,
}
