//! Positions and fetching (Kafka's `Fetcher`/`AbstractFetch`, `OffsetFetcher` and the
//! consumer's `updateFetchPositions`): committed offsets via OffsetFetch, resets via
//! ListOffsets, one Fetch in flight per fetchable partition, and the buffer `poll` drains.

use std::collections::{BTreeMap, VecDeque};

use super::subscription::{FetchState, OffsetResetReason};
use super::{
    AutoOffsetReset, Consumer, ConsumerError, ConsumerEvent, ConsumerRequestBody, FetchedPartition,
    InFlight, OffsetSpecRequest,
};
use crate::error::ErrorCode;
use crate::group::TopicPartition;
use crate::group::protocol::{GroupRequest, OffsetFetchRequest, OffsetFetchResponse};
use crate::record::StoredRecord;

/// Records fetched for one partition, not handed out yet.
#[derive(Clone, Debug)]
struct Buffered {
    tp: TopicPartition,
    /// The partition's epoch when fetched; a seek or reset since makes them stale.
    epoch: u64,
    records: VecDeque<StoredRecord>,
}

/// The fetch buffer and the fetches and offset lookups in flight.
#[derive(Clone, Debug, Default)]
pub(crate) struct Fetcher {
    /// In the order the fetches completed.
    buffer: Vec<Buffered>,
    fetch_in_flight: BTreeMap<TopicPartition, u64>,
    fetch_retry_at: BTreeMap<TopicPartition, i64>,
    list_in_flight: BTreeMap<TopicPartition, u64>,
    list_retry_at: BTreeMap<TopicPartition, i64>,
}

impl Fetcher {
    /// Keeps the buffered records of the partitions `keep` accepts.
    pub(crate) fn retain_buffered(&mut self, mut keep: impl FnMut(&TopicPartition) -> bool) {
        self.buffer.retain(|buffered| keep(&buffered.tp));
    }

    /// How many records are buffered.
    pub(crate) fn buffered_len(&self) -> usize {
        self.buffer
            .iter()
            .map(|buffered| buffered.records.len())
            .sum()
    }

    /// The retry times armed.
    pub(crate) fn timers(&self) -> impl Iterator<Item = i64> + '_ {
        self.fetch_retry_at
            .values()
            .chain(self.list_retry_at.values())
            .copied()
    }

    /// Takes up to `max` records in buffer order. `position` says, for a partition and the
    /// epoch its records were fetched at: `None` = drop them (stale or unassigned),
    /// `Some(None)` = keep them for later (paused), `Some(Some(p))` = hand out from `p`.
    pub(crate) fn drain(
        &mut self,
        max: usize,
        mut position: impl FnMut(&TopicPartition, u64) -> Option<Option<i64>>,
    ) -> Vec<(TopicPartition, StoredRecord)> {
        let mut out = Vec::new();
        for buffered in &mut self.buffer {
            if out.len() >= max {
                break;
            }
            match position(&buffered.tp, buffered.epoch) {
                None => buffered.records.clear(),
                Some(None) => {}
                Some(Some(mut next)) => {
                    while out.len() < max {
                        let Some(record) = buffered.records.pop_front() else {
                            break;
                        };
                        if record.offset < next {
                            continue;
                        }
                        next = record.offset.saturating_add(1);
                        out.push((buffered.tp.clone(), record));
                    }
                }
            }
        }
        self.buffer.retain(|buffered| !buffered.records.is_empty());
        out
    }

    fn has_buffered(&self, tp: &TopicPartition) -> bool {
        self.buffer.iter().any(|buffered| &buffered.tp == tp)
    }
}

impl Consumer {
    /// Sends OffsetFetch for partitions awaiting their committed offset and ListOffsets for
    /// partitions awaiting a reset (Kafka's `updateFetchPositions`).
    pub(super) fn drive_positions(&mut self, now: i64) {
        let awaiting: Vec<(TopicPartition, u64)> = self
            .subs
            .assignment
            .iter()
            .filter(|(_, state)| {
                state.state == FetchState::AwaitingCommitted && !state.pending_revocation
            })
            .map(|(tp, state)| (tp.clone(), state.epoch))
            .collect();
        if !awaiting.is_empty() {
            if self.config.group_id.is_none() {
                let strategy = self.config.auto_offset_reset;
                for (tp, _) in &awaiting {
                    self.subs
                        .request_reset(tp, strategy, OffsetResetReason::NoCommittedOffset);
                }
            } else if !self.offset_fetch_in_flight && now >= self.offset_fetch_retry_at {
                let request = OffsetFetchRequest {
                    group_id: self.group_id(),
                    partitions: Some(awaiting.iter().map(|(tp, _)| tp.clone()).collect()),
                    require_stable: false,
                };
                let timeout = self.request_timeout();
                self.send(
                    now,
                    ConsumerRequestBody::Group(GroupRequest::OffsetFetch(request)),
                    InFlight::OffsetFetch {
                        partitions: awaiting,
                    },
                    timeout,
                );
                self.offset_fetch_in_flight = true;
            }
        }
        let resets: Vec<(TopicPartition, u64, AutoOffsetReset)> = self
            .subs
            .assignment
            .iter()
            .filter_map(|(tp, state)| match state.state {
                FetchState::AwaitingReset(strategy, _)
                    if strategy != AutoOffsetReset::None && !state.pending_revocation =>
                {
                    Some((tp.clone(), state.epoch, strategy))
                }
                _ => None,
            })
            .collect();
        for (tp, epoch, strategy) in resets {
            if self.fetcher.list_in_flight.contains_key(&tp)
                || self
                    .fetcher
                    .list_retry_at
                    .get(&tp)
                    .is_some_and(|at| now < *at)
            {
                continue;
            }
            self.fetcher.list_retry_at.remove(&tp);
            let spec = if strategy == AutoOffsetReset::Earliest {
                OffsetSpecRequest::Earliest
            } else {
                OffsetSpecRequest::Latest
            };
            let timeout = self.request_timeout();
            let id = self.send(
                now,
                ConsumerRequestBody::ListOffsets {
                    topic: tp.topic.clone(),
                    partition: tp.partition,
                    spec,
                },
                InFlight::ListOffsets {
                    tp: tp.clone(),
                    epoch,
                },
                timeout,
            );
            self.fetcher.list_in_flight.insert(tp, id);
        }
    }

    /// Sends a Fetch for every fetchable partition with nothing buffered and none in flight.
    pub(super) fn drive_fetches(&mut self, now: i64) {
        let candidates: Vec<(TopicPartition, i64, u64)> = self
            .subs
            .assignment
            .iter()
            .filter_map(|(tp, state)| match state.state {
                FetchState::Position(offset) if !state.paused && !state.pending_revocation => {
                    Some((tp.clone(), offset, state.epoch))
                }
                _ => None,
            })
            .collect();
        for (tp, offset, epoch) in candidates {
            if self.fetcher.fetch_in_flight.contains_key(&tp)
                || self.fetcher.has_buffered(&tp)
                || self
                    .fetcher
                    .fetch_retry_at
                    .get(&tp)
                    .is_some_and(|at| now < *at)
            {
                continue;
            }
            self.fetcher.fetch_retry_at.remove(&tp);
            let timeout = self
                .request_timeout()
                .saturating_add(i64::from(self.config.fetch_max_wait_ms));
            let id = self.send(
                now,
                ConsumerRequestBody::Fetch {
                    topic: tp.topic.clone(),
                    partition: tp.partition,
                    fetch_offset: offset,
                    max_bytes: self.config.max_partition_fetch_bytes,
                    min_bytes: self.config.fetch_min_bytes,
                    max_wait_ms: self.config.fetch_max_wait_ms,
                },
                InFlight::Fetch {
                    tp: tp.clone(),
                    offset,
                    epoch,
                },
                timeout,
            );
            self.fetcher.fetch_in_flight.insert(tp, id);
        }
    }

    /// A Fetch answer: buffers the records if the partition is still at the fetched position;
    /// `OFFSET_OUT_OF_RANGE` resets it (or fails the next poll with `auto.offset.reset=none`).
    pub(super) fn handle_fetch_response(
        &mut self,
        now: i64,
        id: u64,
        tp: &TopicPartition,
        offset: i64,
        epoch: u64,
        result: Result<FetchedPartition, ErrorCode>,
    ) {
        if self.fetcher.fetch_in_flight.get(tp) == Some(&id) {
            self.fetcher.fetch_in_flight.remove(tp);
        }
        let current = self.subs.assignment.get(tp).is_some_and(|state| {
            state.epoch == epoch && state.state == FetchState::Position(offset)
        });
        let backoff = self.config.retry_backoff_ms;
        match result {
            Ok(fetched) => {
                if let Some(state) = self.subs.assignment.get_mut(tp) {
                    state.high_watermark = Some(fetched.high_watermark);
                    state.log_start_offset = Some(fetched.log_start_offset);
                }
                if !current {
                    return;
                }
                let mut next = offset;
                let mut records = VecDeque::new();
                for record in fetched.records {
                    if record.offset >= next {
                        next = record.offset.saturating_add(1);
                        records.push_back(record);
                    }
                }
                if !records.is_empty() {
                    self.fetcher.buffer.push(super::fetcher::Buffered {
                        tp: tp.clone(),
                        epoch,
                        records,
                    });
                }
            }
            Err(ErrorCode::OffsetOutOfRange) if current => {
                let strategy = self.config.auto_offset_reset;
                if strategy == AutoOffsetReset::None {
                    if self.pending_error.is_none() {
                        self.pending_error = Some(ConsumerError::OffsetOutOfRange {
                            partitions: vec![(tp.clone(), offset)],
                        });
                    }
                    self.fetcher
                        .fetch_retry_at
                        .insert(tp.clone(), now.saturating_add(backoff));
                } else {
                    self.subs
                        .request_reset(tp, strategy, OffsetResetReason::OutOfRange);
                }
            }
            Err(_) => {
                self.fetcher
                    .fetch_retry_at
                    .insert(tp.clone(), now.saturating_add(backoff));
            }
        }
    }

    /// An OffsetFetch answer: committed offsets become positions; partitions with none take
    /// `auto.offset.reset`.
    pub(super) fn handle_offset_fetch_response(
        &mut self,
        now: i64,
        partitions: &[(TopicPartition, u64)],
        response: Result<OffsetFetchResponse, ErrorCode>,
    ) {
        self.offset_fetch_in_flight = false;
        let backoff = self.config.retry_backoff_ms;
        let response = match response {
            Ok(response) => match response.error {
                None => response,
                Some(error) => {
                    if !super::error::is_retriable(error) && self.pending_error.is_none() {
                        self.pending_error = Some(ConsumerError::Group { error });
                    }
                    self.offset_fetch_retry_at = now.saturating_add(backoff);
                    return;
                }
            },
            Err(_) => {
                self.offset_fetch_retry_at = now.saturating_add(backoff);
                return;
            }
        };
        let mut retry = false;
        for (tp, epoch) in partitions {
            let awaiting = self.subs.assignment.get(tp).is_some_and(|state| {
                state.epoch == *epoch && state.state == FetchState::AwaitingCommitted
            });
            if !awaiting {
                continue;
            }
            let answer = response
                .partitions
                .iter()
                .find(|(answered, _)| answered == tp)
                .map(|(_, result)| result.clone());
            match answer {
                Some(Ok(Some(committed))) if committed.offset >= 0 => {
                    self.subs.seek(tp, committed.offset);
                }
                Some(Ok(_)) => {
                    let strategy = self.config.auto_offset_reset;
                    self.subs
                        .request_reset(tp, strategy, OffsetResetReason::NoCommittedOffset);
                }
                Some(Err(error)) if !super::error::is_retriable(error) => {
                    if self.pending_error.is_none() {
                        self.pending_error = Some(ConsumerError::Group { error });
                    }
                    retry = true;
                }
                _ => retry = true,
            }
        }
        if retry {
            self.offset_fetch_retry_at = now.saturating_add(backoff);
        }
    }

    /// A ListOffsets answer: the reset position.
    pub(super) fn handle_list_offsets_response(
        &mut self,
        now: i64,
        tp: &TopicPartition,
        epoch: u64,
        result: Result<i64, ErrorCode>,
    ) {
        self.fetcher.list_in_flight.remove(tp);
        let reason = match self.subs.assignment.get(tp) {
            Some(state) if state.epoch == epoch => match state.state {
                FetchState::AwaitingReset(_, reason) => reason,
                _ => return,
            },
            _ => return,
        };
        match result {
            Ok(offset) if offset >= 0 => {
                self.subs.seek(tp, offset);
                self.events.push_back(ConsumerEvent::OffsetReset {
                    tp: tp.clone(),
                    offset,
                    reason,
                });
            }
            _ => {
                let backoff = self.config.retry_backoff_ms;
                self.fetcher
                    .list_retry_at
                    .insert(tp.clone(), now.saturating_add(backoff));
            }
        }
    }
}
