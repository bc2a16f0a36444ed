//! `keys_that_move`: which stored keys a topic would send to another partition if it had more
//! partitions — Kafka's caveat on CreatePartitions, answered for the data at hand.

use crate::error::AdminError;
use crate::partitioner::{KeyMove, keys_that_move};

use super::Cluster;

impl Cluster {
    /// The keys stored in `topic` (read at each partition's leader) that the default
    /// partitioner would place on another partition with `total` partitions, each once.
    /// Validates `total` exactly as [`Cluster::create_partitions`] does, so a preview never
    /// answers for a count the command refuses.
    ///
    /// # Errors
    /// `UNKNOWN_TOPIC_OR_PARTITION`; `INVALID_PARTITIONS` with Kafka's messages.
    pub fn keys_that_move(&self, topic: &str, total: u32) -> Result<Vec<KeyMove>, AdminError> {
        let current = self
            .topic_configs()
            .into_iter()
            .find(|(name, _, _)| name == topic)
            .map(|(_, partitions, _)| partitions)
            .ok_or_else(|| AdminError::UnknownTopic {
                topic: topic.to_owned(),
            })?;
        self.validate_partition_count(topic, current, total)?;
        let mut keys: Vec<Vec<u8>> = Vec::new();
        for partition in 0..current {
            let Some(leader) = self.registration(topic, partition).and_then(|r| r.leader) else {
                continue;
            };
            let Some((log, _)) = self.replica(leader, topic, partition) else {
                continue;
            };
            keys.extend(
                log.read_range(log.log_start_offset(), log.log_end_offset(), usize::MAX)
                    .into_iter()
                    .filter_map(|r| r.key),
            );
        }
        keys_that_move(keys.iter().map(Vec::as_slice), current, total).map_err(|e| {
            AdminError::InvalidPartitions {
                reason: e.to_string(),
            }
        })
    }

    /// Kafka's checks of a CreatePartitions count for a topic of `current` partitions.
    pub(crate) fn validate_partition_count(
        &self,
        topic: &str,
        current: u32,
        total: u32,
    ) -> Result<(), AdminError> {
        let _ = topic;
        let invalid = |reason: String| AdminError::InvalidPartitions { reason };
        if total < current {
            return Err(invalid(format!(
                "Topic currently has {current} partitions, which is higher than the requested \
                 {total}."
            )));
        }
        if total == current {
            return Err(invalid(format!("Topic already has {current} partitions.")));
        }
        if total > crate::admin::PARTITIONS_PER_TOPIC_MAX {
            return Err(invalid(format!(
                "rill allows at most {} partitions per topic, requested {total}.",
                crate::admin::PARTITIONS_PER_TOPIC_MAX
            )));
        }
        Ok(())
    }
}
