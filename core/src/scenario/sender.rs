//! A producer's send path, as Kafka's producer behaves with its defaults (idempotence on,
//! `retries` unbounded within `delivery.timeout.ms`), simplified: per partition (and `acks`)
//! one request is in flight; records sent meanwhile wait and go together in the next request,
//! so a partition's records arrive in the order they were sent. Retries follow
//! [`RetryPolicy::java`] (`crate::producer`): a request refused with an error that means
//! nothing was appended is sent again after `retry.backoff.ms`, at most `retries` times and
//! until `delivery.timeout.ms` has passed since its records were first sent; any other error
//! fails its records (Kafka's idempotent producer would also retry a timeout without
//! duplicating; rill's cluster has no producer ids, so a retry there could duplicate what was
//! appended).

use std::collections::{BTreeMap, VecDeque};

use crate::cluster::{Acks, Cluster};
use crate::error::ErrorCode;
use crate::producer::{BatchRetry, RetryPolicy, Settle};
use crate::record::NewRecord;

pub use crate::producer::retry::{DELIVERY_TIMEOUT_MS, RETRY_BACKOFF_MS};

/// `kafka-console-producer.sh`'s `--message-send-max-retries` default (its `retries`).
pub const CONSOLE_PRODUCER_RETRIES: u32 = 3;

/// A record waiting to be sent, and its attempts so far.
#[derive(Clone, Debug)]
struct Waiting {
    record: NewRecord,
    retry: BatchRetry,
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
    /// Kafka's `retries` and the rest of its retry behaviour.
    policy: RetryPolicy,
    queues: BTreeMap<(String, u32, Acks), Queue>,
}

impl Sender {
    /// A sender speaking as network client `client`, retrying at most `retries` times.
    pub(crate) fn new(client: u32, retries: u32) -> Self {
        Self {
            client,
            policy: RetryPolicy::java(retries),
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
                retry: BatchRetry::new(self.policy),
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
                waiting.retry.sent(now);
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
        let (key, queue) = self
            .queues
            .iter_mut()
            .find(|(_, q)| q.in_flight.as_ref().is_some_and(|(r, _)| *r == request))?;
        let (topic, partition) = (key.0.clone(), key.1);
        let (_, batch) = queue.in_flight.take()?;
        let count = u32::try_from(batch.len()).unwrap_or(u32::MAX);
        let error = match result {
            Ok((first, last)) => {
                return Some(Settled::Acked {
                    topic,
                    partition,
                    count,
                    offsets: (first >= 0).then_some((first, last)),
                });
            }
            Err(error) => error,
        };
        // The batch goes again only if each of its records may (records that joined it later
        // have fewer attempts and a later first send).
        let mut retry_at = None;
        for waiting in &batch {
            match waiting.retry.settle(now, Err(error), true) {
                Settle::RetryAt(at) => retry_at = Some(retry_at.map_or(at, |r: i64| r.max(at))),
                Settle::Fail { .. } | Settle::Done => {
                    return Some(Settled::Failed {
                        topic,
                        partition,
                        count,
                        error,
                    });
                }
            }
        }
        for waiting in batch.into_iter().rev() {
            queue.waiting.push_front(waiting);
        }
        queue.retry_at = retry_at.unwrap_or(now);
        Some(Settled::Retrying)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::ClusterConfig;

    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const START: i64 = 1_700_000_000_000;

    fn value(text: &str) -> NewRecord {
        NewRecord {
            value: Some(text.as_bytes().to_vec()),
            ..NewRecord::default()
        }
    }

    /// A 3-broker cluster with `t` (one partition, 3 replicas, `configs`).
    fn cluster(configs: &[(&str, &str)]) -> Cluster {
        let mut cluster = Cluster::new(ClusterConfig::new(3, 9), START).expect("valid");
        let configs: Vec<(String, String)> = configs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        cluster.create_topic("t", 1, 3, &configs).expect("valid");
        cluster.advance(1_000);
        cluster
    }

    /// Flushes and advances 10 ms at a time for `ms`, settling every answer.
    /// A `min.insync.replicas=3` topic whose follower was killed and has left the ISR: an
    /// `acks=all` send is refused with `NOT_ENOUGH_REPLICAS`. Returns the killed follower.
    fn follower_down_under_min_isr_3() -> (Cluster, u32) {
        let mut cluster = cluster(&[("min.insync.replicas", "3")]);
        let leader = cluster
            .registration("t", 0)
            .and_then(|r| r.leader)
            .expect("leader");
        let follower = (0..3).find(|b| *b != leader).expect("a follower");
        cluster.kill_broker(follower).expect("a broker");
        cluster.advance(40_000);
        (cluster, follower)
    }

    fn drive(cluster: &mut Cluster, sender: &mut Sender, ms: i64) -> Vec<Settled> {
        let mut settled = Vec::new();
        for _ in 0..ms / 10 {
            sender.flush(cluster, cluster.now());
            cluster.advance(10);
            for outcome in cluster.poll_outcomes() {
                if let Some(s) = sender.settle(outcome.request, outcome.result, cluster.now()) {
                    settled.push(s);
                }
            }
        }
        settled
    }

    fn log_values(cluster: &Cluster) -> Vec<String> {
        let leader = cluster
            .registration("t", 0)
            .and_then(|r| r.leader)
            .expect("a leader");
        let (log, _) = cluster
            .replica(leader, "t", 0)
            .expect("the leader's replica");
        log.read_all(0)
            .expect("readable")
            .records
            .into_iter()
            .map(|r| String::from_utf8(r.value.unwrap_or_default()).expect("utf-8"))
            .collect()
    }

    /// A follower down under `min.insync.replicas=3`: the first record is refused with
    /// `NOT_ENOUGH_REPLICAS` (nothing appended) and retried every 100 ms; records sent
    /// meanwhile wait behind it; once the follower is back they are appended together, in
    /// send order, each once.
    #[test]
    fn retried_records_and_those_queued_behind_them_keep_send_order() {
        let (mut cluster, follower) = follower_down_under_min_isr_3();
        let mut sender = Sender::new(7, u32::MAX);
        sender.enqueue("t", 0, Acks::All, value("a"));
        let settled = drive(&mut cluster, &mut sender, 1_000);
        assert!(!settled.is_empty() && settled.iter().all(|s| *s == Settled::Retrying));
        assert!(
            (9..=11).contains(&settled.len()),
            "about one try per 100 ms: {}",
            settled.len()
        );
        sender.enqueue("t", 0, Acks::All, value("b"));
        sender.enqueue("t", 0, Acks::All, value("c"));
        cluster.restart_broker(follower).expect("a broker");
        let settled = drive(&mut cluster, &mut sender, 60_000);
        let acked: Vec<&Settled> = settled
            .iter()
            .filter(|s| matches!(s, Settled::Acked { .. }))
            .collect();
        assert_eq!(
            acked,
            [&Settled::Acked {
                topic: "t".into(),
                partition: 0,
                count: 3,
                offsets: Some((0, 2)),
            }]
        );
        assert_eq!(log_values(&cluster), ["a", "b", "c"]);
    }

    /// The follower never returns: the record fails with the last error once
    /// `delivery.timeout.ms` has passed since it was first sent.
    #[test]
    fn retries_stop_at_the_delivery_timeout() {
        let (mut cluster, _) = follower_down_under_min_isr_3();
        let mut sender = Sender::new(7, u32::MAX);
        sender.enqueue("t", 0, Acks::All, value("a"));
        let first_sent = cluster.now();
        let settled = drive(&mut cluster, &mut sender, DELIVERY_TIMEOUT_MS + 1_000);
        let failed: Vec<&Settled> = settled
            .iter()
            .filter(|s| !matches!(s, Settled::Retrying))
            .collect();
        assert_eq!(
            failed,
            [&Settled::Failed {
                topic: "t".into(),
                partition: 0,
                count: 1,
                error: ErrorCode::NotEnoughReplicas,
            }]
        );
        assert!(cluster.now() - first_sent > DELIVERY_TIMEOUT_MS);
        assert!(log_values(&cluster).is_empty());
    }

    /// An error that may mean something was appended, or a bad record, is not retried.
    #[test]
    fn a_non_retriable_error_fails_at_once() {
        let mut cluster = cluster(&[("max.message.bytes", "100")]);
        let mut sender = Sender::new(7, u32::MAX);
        sender.enqueue("t", 0, Acks::All, value(&"x".repeat(500)));
        let settled = drive(&mut cluster, &mut sender, 1_000);
        assert_eq!(
            settled,
            [Settled::Failed {
                topic: "t".into(),
                partition: 0,
                count: 1,
                error: ErrorCode::MessageTooLarge,
            }]
        );
    }

    /// The console producer's `retries` (3): four sends, then the error.
    #[test]
    fn the_console_producer_gives_up_after_its_retries() {
        let (mut cluster, _) = follower_down_under_min_isr_3();
        let mut sender = Sender::new(7, CONSOLE_PRODUCER_RETRIES);
        sender.enqueue("t", 0, Acks::All, value("a"));
        let settled = drive(&mut cluster, &mut sender, 2_000);
        assert_eq!(
            settled.iter().filter(|s| **s == Settled::Retrying).count(),
            3
        );
        assert!(matches!(
            settled.last(),
            Some(Settled::Failed {
                error: ErrorCode::NotEnoughReplicas,
                ..
            })
        ));
    }
}
