//! What a leader serves to consumers: fetches bounded by the high watermark, held until
//! `fetch.min.bytes` are there or `fetch.max.wait.ms` passes (Kafka's `DelayedFetch`), and
//! ListOffsets.

use super::{BrokerNode, Output};
use crate::cluster::message::Message;
use crate::cluster::network::NodeId;
use crate::cluster::timer::Timer;
use crate::error::ErrorCode;
use crate::log::{FetchedRecords, OffsetSpec, PartitionLog};

/// A record's key and value, as a coordinator replays them.
pub(crate) type KeyValue = (Option<Vec<u8>>, Option<Vec<u8>>);

/// A consumer fetch the leader holds until there is enough to send.
#[derive(Clone, Debug)]
pub(crate) struct ParkedConsumerFetch {
    client: u32,
    request: u64,
    fetch_offset: i64,
    max_bytes: usize,
    min_bytes: usize,
}

/// Answers a consumer fetch.
fn answer(
    out: &mut Vec<Output>,
    client: u32,
    request: u64,
    result: Result<FetchedRecords, ErrorCode>,
) {
    out.push(Output::Send {
        to: NodeId::Client(client),
        message: Message::ConsumerFetchResponse { request, result },
    });
}

/// Parked fetches of a leader that lost its leadership (`NOT_LEADER_OR_FOLLOWER`) or its
/// topic (`UNKNOWN_TOPIC_OR_PARTITION`): answered with `error`.
pub(crate) fn fail_parked(
    parked: Vec<ParkedConsumerFetch>,
    error: ErrorCode,
    out: &mut Vec<Output>,
) {
    for p in parked {
        answer(out, p.client, p.request, Err(error));
    }
}

/// The bytes a consumer fetch at `fetch_offset` would read now (below the high watermark).
fn readable_bytes(log: &PartitionLog, fetch_offset: i64, max_bytes: usize) -> usize {
    log.read_batches(fetch_offset, max_bytes)
        .map_or(0, |raw| raw.bytes.len())
}

fn read(
    log: &PartitionLog,
    fetch_offset: i64,
    max_bytes: usize,
) -> Result<FetchedRecords, ErrorCode> {
    log.read(fetch_offset, max_bytes)
        .map_err(|_| ErrorCode::OffsetOutOfRange)
}

impl BrokerNode {
    /// A leader's answer to a consumer's fetch (Kafka's `ReplicaManager.fetchMessages` with
    /// `FetchIsolation.HIGH_WATERMARK`): records below the high watermark, at once when at
    /// least `min_bytes` are readable or the offset is out of range, else parked until
    /// `fetch.max.wait.ms` (`max_wait_ms`) passes.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn handle_consumer_fetch(
        &mut self,
        topic: &str,
        partition: u32,
        client: u32,
        request: u64,
        fetch_offset: i64,
        max_bytes: usize,
        min_bytes: usize,
        max_wait_ms: i64,
        now: i64,
        out: &mut Vec<Output>,
    ) {
        let Some(replica) = self.replicas.get_mut(&(topic.to_owned(), partition)) else {
            return answer(out, client, request, Err(ErrorCode::NotLeaderOrFollower));
        };
        let Some(leader) = replica.leader.as_mut() else {
            return answer(out, client, request, Err(ErrorCode::NotLeaderOrFollower));
        };
        let log = &replica.log;
        if fetch_offset < log.log_start_offset() || fetch_offset > log.log_end_offset() {
            return answer(out, client, request, Err(ErrorCode::OffsetOutOfRange));
        }
        let readable = readable_bytes(log, fetch_offset, max_bytes);
        // Nothing to read is parked even with `fetch.min.bytes=0` (Kafka answers that at once):
        // it is answered a millisecond later, so a consumer that never waits cannot fetch, get
        // nothing and fetch again at one instant forever on a zero-latency network.
        if readable > 0 && readable >= min_bytes {
            return answer(out, client, request, read(log, fetch_offset, max_bytes));
        }
        leader.parked_consumers.push(ParkedConsumerFetch {
            client,
            request,
            fetch_offset,
            max_bytes,
            min_bytes,
        });
        let wait = if min_bytes == 0 {
            1
        } else {
            max_wait_ms.max(1)
        };
        out.push(Output::Schedule {
            at: now + wait,
            timer: Timer::ConsumerFetchWait {
                broker: self.id,
                topic: topic.to_owned(),
                partition,
                client,
                request,
            },
        });
    }

    /// Parked consumer fetches of a partition that can be answered now: those with
    /// `min_bytes` readable (after the high watermark moved), or the one `(client, request)`
    /// whose `fetch.max.wait.ms` ended, with whatever is readable.
    pub(crate) fn release_consumer_fetches(
        &mut self,
        topic: &str,
        partition: u32,
        expired: Option<(u32, u64)>,
        out: &mut Vec<Output>,
    ) {
        let Some(replica) = self.replicas.get_mut(&(topic.to_owned(), partition)) else {
            return;
        };
        let Some(leader) = replica.leader.as_mut() else {
            return;
        };
        let log = &replica.log;
        let (ready, waiting): (Vec<ParkedConsumerFetch>, Vec<ParkedConsumerFetch>) =
            std::mem::take(&mut leader.parked_consumers)
                .into_iter()
                .partition(|p| {
                    expired == Some((p.client, p.request)) || {
                        let readable = readable_bytes(log, p.fetch_offset, p.max_bytes);
                        readable > 0 && readable >= p.min_bytes
                    }
                });
        leader.parked_consumers = waiting;
        for p in ready {
            answer(
                out,
                p.client,
                p.request,
                read(log, p.fetch_offset, p.max_bytes),
            );
        }
    }

    /// A leader's ListOffsets answer for a consumer (`READ_UNCOMMITTED`): Kafka's offset, or
    /// -1 when no record matches a timestamp.
    pub(crate) fn list_offset(
        &self,
        topic: &str,
        partition: u32,
        spec: OffsetSpec,
    ) -> Result<i64, ErrorCode> {
        let replica = self
            .replicas
            .get(&(topic.to_owned(), partition))
            .ok_or(ErrorCode::NotLeaderOrFollower)?;
        let Some(leader) = &replica.leader else {
            return Err(ErrorCode::NotLeaderOrFollower);
        };
        // Kafka's `Partition.fetchOffsetForTimestamp`: OFFSET_NOT_AVAILABLE while this
        // leader's high watermark is below its epoch's start offset.
        replica
            .log
            .list_offset_at_leader(spec, leader.epoch_start_offset)
            .map(|found| found.map_or(-1, |found| found.offset))
            .map_err(|e| crate::error::KafkaError::error_code(&e))
    }

    /// This broker's epoch start offset for a partition it leads (Kafka's
    /// `leaderEpochStartOffsetOpt`: its log end offset when it became leader).
    pub(crate) fn epoch_start_offset(&self, topic: &str, partition: u32) -> Option<i64> {
        self.replicas
            .get(&(topic.to_owned(), partition))
            .and_then(|r| r.leader.as_ref())
            .map(|l| l.epoch_start_offset)
    }

    /// A leader's DeleteRecords: moves the log start offset up to `offset` (-1: the high
    /// watermark); followers follow through their fetches.
    pub(crate) fn delete_records(
        &mut self,
        topic: &str,
        partition: u32,
        offset: i64,
    ) -> Result<i64, ErrorCode> {
        let replica = self
            .replicas
            .get_mut(&(topic.to_owned(), partition))
            .ok_or(ErrorCode::NotLeaderOrFollower)?;
        if replica.leader.is_none() {
            return Err(ErrorCode::NotLeaderOrFollower);
        }
        let mut changes = Vec::new();
        let start = replica
            .log
            .delete_records(offset, &mut changes)
            .map_err(|_| ErrorCode::OffsetOutOfRange)?;
        self.persist(topic, partition, changes);
        Ok(start)
    }

    /// Every record of a partition this broker holds, key and value, in offset order: what a
    /// new group coordinator replays to load the groups of a `__consumer_offsets` partition.
    pub(crate) fn replay(&self, topic: &str, partition: u32) -> Vec<KeyValue> {
        let Some(replica) = self.replicas.get(&(topic.to_owned(), partition)) else {
            return Vec::new();
        };
        let log = &replica.log;
        let mut records = Vec::new();
        let mut next = log.log_start_offset();
        while next < log.log_end_offset() {
            let Ok(raw) = log.read_batches_for_follower(next, usize::MAX) else {
                break;
            };
            let mut advanced = next;
            for batch in crate::record::decode_batches(raw.bytes).map_while(Result::ok) {
                advanced = advanced.max(batch.header().last_offset() + 1);
                for record in batch.records().map_while(Result::ok) {
                    if record.offset >= next {
                        records.push((record.key, record.value));
                    }
                }
            }
            if advanced <= next {
                break;
            }
            next = advanced;
        }
        records
    }
}
