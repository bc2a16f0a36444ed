//! What an application did with one poll's records: [`Delivery`] tracks, per partition, the
//! first record not handled yet, so that a run loop stopped part-way (a handler that threw,
//! `stop()`, or `pause()` of a partition mid-batch) can [`Consumer::rewind`] the consumer and
//! nothing it polled is skipped: the next poll (after `resume`, for a paused partition)
//! starts at that record. KafkaJS's runner does this by seeking back to the first
//! unprocessed offset; Java's `poll` has no such loop (its applications seek themselves).

use std::collections::{BTreeMap, BTreeSet};

use super::{Consumer, ConsumerRecord};
use crate::group::TopicPartition;

/// One poll's records split by partition, in the order the poll returned them (a
/// partition's records keep their offset order).
pub fn group_by_partition(
    records: Vec<ConsumerRecord>,
) -> Vec<(TopicPartition, Vec<ConsumerRecord>)> {
    let mut out: Vec<(TopicPartition, Vec<ConsumerRecord>)> = Vec::new();
    for record in records {
        match out
            .iter_mut()
            .find(|(tp, _)| tp.topic == record.topic && tp.partition == record.partition)
        {
            Some((_, list)) => list.push(record),
            None => out.push((
                TopicPartition::new(record.topic.clone(), record.partition),
                vec![record],
            )),
        }
    }
    out
}

/// What a run loop does with a partition's next polled record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Hand it to the application.
    Deliver,
    /// Skip the rest of this partition's records of the poll: it is paused (they are
    /// rewound, and come again after `resume`) or was sought (they are stale).
    SkipPartition,
    /// The loop was stopped: hand out nothing more of this poll (it is rewound).
    Stop,
}

/// Per partition of one poll: the next record to hand out and the poll's last one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Partition → (first offset not handled, last offset polled).
    pending: BTreeMap<TopicPartition, (i64, i64)>,
    /// Partitions sought during the poll.
    stale: BTreeSet<TopicPartition>,
}

impl Delivery {
    /// Nothing handled yet of `batches` (as [`group_by_partition`] returns them).
    pub fn new(batches: &[(TopicPartition, Vec<ConsumerRecord>)]) -> Self {
        let pending = batches
            .iter()
            .filter_map(|(tp, list)| {
                let first = list.first()?.offset;
                let last = list.last()?.offset;
                debug_assert!(first <= last, "a partition's records are in offset order");
                Some((tp.clone(), (first, last)))
            })
            .collect();
        Self {
            pending,
            stale: BTreeSet::new(),
        }
    }

    /// What to do with `tp`'s next record: `running` is false once the loop was stopped,
    /// `paused` whether `tp` is paused now (a handler may have paused it).
    pub fn next(&self, tp: &TopicPartition, running: bool, paused: bool) -> Next {
        if self.stale.contains(tp) || paused {
            Next::SkipPartition
        } else if running {
            Next::Deliver
        } else {
            Next::Stop
        }
    }

    /// The records of `tp` up to and including `offset` are handled (an `eachMessage` that
    /// returned, an `eachBatch`'s `resolveOffset`). An offset below the next one changes
    /// nothing; the poll's last record handled settles the partition.
    pub fn handled(&mut self, tp: &TopicPartition, offset: i64) {
        let Some((next, last)) = self.pending.get_mut(tp) else {
            return;
        };
        if offset >= *last {
            self.pending.remove(tp);
        } else if offset >= *next {
            *next = offset.saturating_add(1);
        }
    }

    /// The application sought `tp` during the poll: its position is the application's now,
    /// the rest of its records are stale (KafkaJS's `isStale()`) and not rewound.
    pub fn sought(&mut self, tp: &TopicPartition) {
        self.pending.remove(tp);
        self.stale.insert(tp.clone());
    }

    /// Whether `tp` was sought during the poll (KafkaJS's `batch.isStale()`).
    pub fn is_stale(&self, tp: &TopicPartition) -> bool {
        self.stale.contains(tp)
    }

    /// The first record of `tp` not handled, if the poll returned some of `tp` and not all
    /// were handled.
    pub fn next_unhandled(&self, tp: &TopicPartition) -> Option<i64> {
        self.pending.get(tp).map(|(next, _)| *next)
    }

    /// Every partition whose records were not all handled, with its first unhandled offset.
    pub fn unhandled(&self) -> Vec<(TopicPartition, i64)> {
        self.pending
            .iter()
            .map(|(tp, (next, _))| (tp.clone(), *next))
            .collect()
    }

    /// Whether every record was handled (or its partition sought).
    pub fn is_settled(&self) -> bool {
        self.pending.is_empty()
    }
}

impl Consumer {
    /// Seeks every partition of `delivery` with unhandled records back to the first of them,
    /// so the next poll returns them again (for a paused partition: after `resume`). A
    /// partition no longer assigned (revoked during the handler) is left alone. Returns the
    /// partitions rewound and where to.
    pub fn rewind(&mut self, delivery: &Delivery) -> Vec<(TopicPartition, i64)> {
        delivery
            .unhandled()
            .into_iter()
            .filter(|(tp, offset)| self.seek(tp, *offset).is_ok())
            .collect()
    }
}

/// KafkaJS's `autoCommitThreshold`: besides `auto.commit.interval.ms`, the run loop commits
/// the consumed positions after every `threshold` records its handler finished.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CommitThreshold {
    threshold: Option<u32>,
    handled: u32,
}

impl CommitThreshold {
    /// Commits every `threshold` records (`None`: never by count).
    pub const fn new(threshold: Option<u32>) -> Self {
        Self {
            threshold,
            handled: 0,
        }
    }

    /// One more record handled: whether to commit now (the count then starts again).
    pub fn record_handled(&mut self) -> bool {
        let Some(threshold) = self.threshold else {
            return false;
        };
        self.handled = self.handled.saturating_add(1);
        if self.handled >= threshold {
            self.handled = 0;
            true
        } else {
            false
        }
    }
}
