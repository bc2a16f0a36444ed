//! A broker's own log work: Kafka's log cleanup (retention and compaction) on every replica it
//! holds, and deleting a topic's replicas when the controller says the topic is gone.

use super::{BrokerNode, Output};
use crate::error::ErrorCode;
use crate::storage::StorageOp;

/// The incarnation of a topic a broker knows (Kafka keeps the topic id in each partition
/// directory's `partition.metadata`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TopicIncarnation {
    /// The topic id.
    pub(crate) id: u64,
    /// The controller deleted this incarnation.
    pub(crate) deleted: bool,
}

impl BrokerNode {
    /// Kafka's `LogManager.cleanupLogs` plus one cleaner pass, at `now`: every replica this
    /// broker holds, leader or follower, applies retention (never past its own high
    /// watermark) and, when compacted, compaction. Changes are persisted and reported as
    /// events ([`BrokerNode::take_events`]).
    pub(crate) fn run_log_cleanup(&mut self, now: i64) {
        let keys: Vec<(String, u32)> = self.replicas.keys().cloned().collect();
        for (topic, partition) in keys {
            let Some(replica) = self.replicas.get_mut(&(topic.clone(), partition)) else {
                continue;
            };
            let mut changes = Vec::new();
            replica
                .log
                .apply_retention(now, &replica.config, &mut changes);
            replica.log.compact(now, &replica.config, &mut changes);
            if !changes.is_empty() {
                self.persist(&topic, partition, changes);
            }
        }
    }

    /// Checks a metadata message's topic id against the incarnation this broker holds:
    /// `false` for an older or deleted one (ignore the message); a newer one first removes
    /// every replica of the old incarnation (a deletion this broker never heard of).
    pub(crate) fn accept_topic_id(
        &mut self,
        topic: &str,
        topic_id: u64,
        out: &mut Vec<Output>,
    ) -> bool {
        match self.topic_ids.get(topic).copied() {
            Some(known) if topic_id < known.id || (topic_id == known.id && known.deleted) => {
                return false;
            }
            Some(known) if topic_id > known.id => self.remove_topic_replicas(topic, out),
            _ => {}
        }
        self.topic_ids.insert(
            topic.to_owned(),
            TopicIncarnation {
                id: topic_id,
                deleted: false,
            },
        );
        true
    }

    /// The controller deleted incarnation `topic_id` of `topic`: its replicas and their data
    /// go (unless this broker already holds a newer incarnation), and the requests waiting
    /// on them fail.
    pub(crate) fn delete_topic(
        &mut self,
        topic: &str,
        topic_id: u64,
        broker_epoch: u64,
        seq: u64,
        supersedes: u64,
        out: &mut Vec<Output>,
    ) {
        if broker_epoch != self.broker_epoch {
            return;
        }
        self.note_metadata(seq, supersedes);
        if self.topic_ids.get(topic).is_some_and(|k| k.id > topic_id) {
            return;
        }
        self.topic_ids.insert(
            topic.to_owned(),
            TopicIncarnation {
                id: topic_id,
                deleted: true,
            },
        );
        self.remove_topic_replicas(topic, out);
    }

    /// Drops every replica of `topic` and its stored data; waiting requests fail with
    /// `UNKNOWN_TOPIC_OR_PARTITION`, as Kafka answers once its metadata no longer has the topic.
    fn remove_topic_replicas(&mut self, topic: &str, out: &mut Vec<Output>) {
        let mut leaders = Vec::new();
        let keys: Vec<(String, u32)> = self
            .replicas
            .keys()
            .filter(|(t, _)| t == topic)
            .cloned()
            .collect();
        for key in keys {
            let Some(replica) = self.replicas.remove(&key) else {
                continue;
            };
            self.disk.remove_checkpoint(&key);
            leaders.extend(replica.leader);
        }
        // A whole topic directory goes at once: no log change describes it.
        self.disk.apply(StorageOp::DeleteTopic {
            topic: topic.to_owned(),
        });
        super::fail_waiting(leaders, ErrorCode::UnknownTopicOrPartition, out);
    }

    /// The incarnation of `topic` this broker holds, unless it was deleted.
    pub(crate) fn topic_id(&self, topic: &str) -> Option<u64> {
        self.topic_ids
            .get(topic)
            .filter(|k| !k.deleted)
            .map(|k| k.id)
    }

    /// The error for a request about a partition this broker has no replica of: the topic is
    /// unknown once it was deleted here, else this broker is just not a replica.
    pub(crate) fn missing_replica_error(&self, topic: &str) -> ErrorCode {
        if self.topic_ids.get(topic).is_some_and(|k| k.deleted) {
            ErrorCode::UnknownTopicOrPartition
        } else {
            ErrorCode::NotLeaderOrFollower
        }
    }
}
