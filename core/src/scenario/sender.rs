//! A producer's send path, as Kafka's producer behaves with its defaults (idempotence on,
//! `retries` unbounded within `delivery.timeout.ms`), simplified: per partition (and `acks`)
//! one request is in flight; records sent meanwhile wait and go together in the next request,
//! so a partition's records arrive in the order they were sent. A request refused with an
//! error that means nothing was appended (`NOT_LEADER_OR_FOLLOWER`,
//! `UNKNOWN_TOPIC_OR_PARTITION`, `LEADER_NOT_AVAILABLE`, `NOT_ENOUGH_REPLICAS`, and
//! `NETWORK_EXCEPTION`, which the cluster answers only for a connection a stopped broker
//! refused) is sent again
//! after `retry.backoff.ms`, at most `retries` times and until `delivery.timeout.ms` has passed
//! since its records were first sent; any other error fails its records (Kafka's idempotent producer would also
//! retry a timeout without duplicating; rill's cluster has no producer ids, so a retry there
//! could duplicate what was appended).

use std::collections::{BTreeMap, VecDeque};

use crate::cluster::{Acks, Cluster};
use crate::error::ErrorCode;
use crate::record::NewRecord;

/// Kafka's `retry.backoff.ms` default.
pub const RETRY_BACKOFF_MS: i64 = 100;

/// Kafka's `delivery.timeout.ms` default.
pub const DELIVERY_TIMEOUT_MS: i64 = 120_000;

/// `kafka-console-producer.sh`'s `--message-send-max-retries` default (its `retries`).
pub const CONSOLE_PRODUCER_RETRIES: u32 = 3;

/// A record waiting to be sent, and when it was first sent (if it was).
#[derive(Clone, Debug)]
struct Waiting {
    record: NewRecord,
    first_sent: Option<i64>,
    /// Times sent so far.
    attempts: u32,
}

/// One partition's queue.
#[derive(Clone, Debug, Default)]
struct Queue {
    waiting: VecDeque<Waiting>,
    in_flight: Option<(u64, Vec<Waiting>)>,
    retry_at: i64,
}

/// What became of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Settled {
    /// Acknowledged: `count` records at `offsets` (`None` for `acks=0`).
    Acked {
        topic: String,
        partition: u32,
        count: u32,
        offsets: Option<(i64, i64)>,
    },
    /// Refused for good.
    Failed {
        topic: String,
        partition: u32,
        count: u32,
        error: ErrorCode,
    },
    /// Refused; sent again after the backoff.
    Retrying,
}

/// A producer's network client and its queues, by (topic, partition, acks).
#[derive(Clone, Debug)]
pub(crate) struct Sender {
    pub(crate) client: u32,
    /// Kafka's `retries`.
    retries: u32,
    queues: BTreeMap<(String, u32, Acks), Queue>,
}

/// Whether Kafka's producer retries `error`, knowing nothing was appended.
fn retriable(error: ErrorCode) -> bool {
    matches!(
        error,
        ErrorCode::NotLeaderOrFollower
            | ErrorCode::UnknownTopicOrPartition
            | ErrorCode::LeaderNotAvailable
            | ErrorCode::NotEnoughReplicas
            // The cluster answers this only when a stopped broker refused the connection: the
            // request never arrived.
            | ErrorCode::NetworkException
    )
}

impl Sender {
    /// A sender speaking as network client `client`, retrying at most `retries` times.
    pub(crate) fn new(client: u32, retries: u32) -> Self {
        Self {
            client,
            retries,
            queues: BTreeMap::new(),
        }
    }

    /// Queues a record for `topic`-`partition`.
    pub(crate) fn enqueue(&mut self, topic: &str, partition: u32, acks: Acks, record: NewRecord) {
        self.queues
            .entry((topic.to_owned(), partition, acks))
            .or_default()
            .waiting
            .push_back(Waiting {
                record,
                first_sent: None,
                attempts: 0,
            });
    }

    /// Sends what waits on every partition with no request in flight and no backoff running.
    /// Returns the request ids sent.
    pub(crate) fn flush(&mut self, cluster: &mut Cluster, now: i64) -> Vec<u64> {
        let mut sent = Vec::new();
        for ((topic, partition, acks), queue) in &mut self.queues {
            if queue.in_flight.is_some() || queue.waiting.is_empty() || queue.retry_at > now {
                continue;
            }
            let mut batch: Vec<Waiting> = queue.waiting.drain(..).collect();
            for waiting in &mut batch {
                waiting.first_sent.get_or_insert(now);
                waiting.attempts = waiting.attempts.saturating_add(1);
            }
            let records = batch.iter().map(|w| w.record.clone()).collect();
            let request = cluster.produce(self.client, topic, *partition, *acks, records);
            queue.in_flight = Some((request, batch));
            sent.push(request);
        }
        sent
    }

    /// The answer to `request`, if it is one of this sender's.
    pub(crate) fn settle(
        &mut self,
        request: u64,
        result: Result<(i64, i64), ErrorCode>,
        now: i64,
    ) -> Option<Settled> {
        let retries = self.retries;
        let (key, queue) = self
            .queues
            .iter_mut()
            .find(|(_, q)| q.in_flight.as_ref().is_some_and(|(r, _)| *r == request))?;
        let (topic, partition) = (key.0.clone(), key.1);
        let (_, batch) = queue.in_flight.take()?;
        let count = u32::try_from(batch.len()).unwrap_or(u32::MAX);
        match result {
            Ok((first, last)) => Some(Settled::Acked {
                topic,
                partition,
                count,
                offsets: (first >= 0).then_some((first, last)),
            }),
            Err(error)
                if retriable(error)
                    && batch.iter().all(|w| {
                        w.attempts <= retries
                            && w.first_sent
                                .is_some_and(|at| now - at < DELIVERY_TIMEOUT_MS)
                    }) =>
            {
                for waiting in batch.into_iter().rev() {
                    queue.waiting.push_front(waiting);
                }
                queue.retry_at = now + RETRY_BACKOFF_MS;
                Some(Settled::Retrying)
            }
            Err(error) => Some(Settled::Failed {
                topic,
                partition,
                count,
                error,
            }),
        }
    }

    /// When a backoff ends with records waiting, if one is later than `now`.
    pub(crate) fn next_due(&self, now: i64) -> Option<i64> {
        self.queues
            .values()
            .filter(|q| q.in_flight.is_none() && !q.waiting.is_empty() && q.retry_at > now)
            .map(|q| q.retry_at)
            .min()
    }
}
