//! What the consumer consumes: its subscription or manual assignment, and per assigned
//! partition the fetch position, pause flag and pending revocation (Kafka's
//! `SubscriptionState`).

use std::collections::{BTreeMap, BTreeSet};

use crate::consumer::config::AutoOffsetReset;
use crate::group::TopicPartition;

/// How the consumer got its partitions (Kafka's `SubscriptionType`, without patterns).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubscriptionMode {
    /// Neither `subscribe` nor `assign` yet (or after `unsubscribe`).
    None,
    /// `subscribe(topics)`: the group assigns partitions.
    AutoTopics,
    /// `assign(partitions)`: standalone, no group membership.
    UserAssigned,
}

/// Why a partition's position was reset (the [`super::ConsumerEvent::OffsetReset`] reason).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OffsetResetReason {
    /// The group has no committed offset for the partition; `auto.offset.reset` applied.
    NoCommittedOffset,
    /// The fetch position was outside the log (`OFFSET_OUT_OF_RANGE`: deleted by retention,
    /// or beyond the end); `auto.offset.reset` applied.
    OutOfRange,
    /// `seek_to_beginning`.
    SeekToBeginning,
    /// `seek_to_end`.
    SeekToEnd,
}

/// Where an assigned partition's position comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FetchState {
    /// Waiting for the group's committed offset (OffsetFetch).
    AwaitingCommitted,
    /// Waiting for a reset to the log start or end (ListOffsets); `None` strategy = error.
    AwaitingReset(AutoOffsetReset, OffsetResetReason),
    /// The position: the next offset to hand out.
    Position(i64),
}

/// One assigned partition's state (Kafka's `TopicPartitionState`).
#[derive(Clone, Debug)]
pub(crate) struct PartitionState {
    /// Its position or what it waits for.
    pub state: FetchState,
    /// Paused by the application: not fetched, buffered records kept.
    pub paused: bool,
    /// Eager rebalance started: not fetched nor returned any more.
    pub pending_revocation: bool,
    /// Bumped on every position change not made by `poll`; stale fetches carry an old one.
    pub epoch: u64,
    /// The last high watermark a fetch reported.
    pub high_watermark: Option<i64>,
    /// The last log start offset a fetch reported.
    pub log_start_offset: Option<i64>,
}

/// The consumer's subscription state.
#[derive(Clone, Debug)]
pub(crate) struct SubscriptionState {
    pub mode: SubscriptionMode,
    pub topics: BTreeSet<String>,
    pub assignment: BTreeMap<TopicPartition, PartitionState>,
    next_epoch: u64,
}

impl SubscriptionState {
    pub(crate) fn new() -> Self {
        Self {
            mode: SubscriptionMode::None,
            topics: BTreeSet::new(),
            assignment: BTreeMap::new(),
            next_epoch: 1,
        }
    }

    fn bump(&mut self) -> u64 {
        self.next_epoch += 1;
        self.next_epoch
    }

    fn fresh(&mut self) -> PartitionState {
        PartitionState {
            state: FetchState::AwaitingCommitted,
            paused: false,
            pending_revocation: false,
            epoch: self.bump(),
            high_watermark: None,
            log_start_offset: None,
        }
    }

    /// Replaces the assignment with `partitions`, keeping the state of those already assigned.
    pub(crate) fn set_assignment(&mut self, partitions: &BTreeSet<TopicPartition>) {
        self.assignment.retain(|tp, _| partitions.contains(tp));
        for tp in partitions {
            if !self.assignment.contains_key(tp) {
                let state = self.fresh();
                self.assignment.insert(tp.clone(), state);
            }
        }
        debug_assert_eq!(self.assignment.len(), partitions.len());
    }

    /// The assigned partitions, sorted.
    pub(crate) fn assigned(&self) -> BTreeSet<TopicPartition> {
        self.assignment.keys().cloned().collect()
    }

    /// Sets the position of an assigned partition (seek, committed offset, reset).
    pub(crate) fn seek(&mut self, tp: &TopicPartition, offset: i64) -> bool {
        let epoch = self.bump();
        match self.assignment.get_mut(tp) {
            Some(state) => {
                state.state = FetchState::Position(offset);
                state.epoch = epoch;
                true
            }
            None => false,
        }
    }

    /// Asks for a reset of an assigned partition's position.
    pub(crate) fn request_reset(
        &mut self,
        tp: &TopicPartition,
        strategy: AutoOffsetReset,
        reason: OffsetResetReason,
    ) {
        let epoch = self.bump();
        if let Some(state) = self.assignment.get_mut(tp) {
            state.state = FetchState::AwaitingReset(strategy, reason);
            state.epoch = epoch;
        }
    }

    /// The position of `tp`, if assigned and known.
    pub(crate) fn position(&self, tp: &TopicPartition) -> Option<i64> {
        match self.assignment.get(tp)?.state {
            FetchState::Position(offset) => Some(offset),
            _ => None,
        }
    }

    /// The positions of every assigned partition that has one (Kafka's `allConsumed`).
    pub(crate) fn all_consumed(&self) -> Vec<(TopicPartition, i64)> {
        self.assignment
            .iter()
            .filter_map(|(tp, state)| match state.state {
                FetchState::Position(offset) => Some((tp.clone(), offset)),
                _ => None,
            })
            .collect()
    }
}
