//! The cluster's shape and Kafka's timing configs (a leaf: the controller and the brokers read
//! it without the cluster).

use super::network::Latency;

/// The cluster's shape and Kafka's timing configs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterConfig {
    /// Number of brokers, ids `0..brokers`.
    pub brokers: u32,
    /// Seeds every random choice (placement, latency jitter).
    pub seed: u64,
    /// Message latency.
    pub latency: Latency,
    /// `broker.heartbeat.interval.ms` (Kafka: 2000).
    pub heartbeat_interval_ms: i64,
    /// `broker.session.timeout.ms` (Kafka: 9000).
    pub session_timeout_ms: i64,
    /// `replica.lag.time.max.ms` (Kafka: 30000).
    pub replica_lag_time_max_ms: i64,
    /// `replica.fetch.wait.max.ms` (Kafka: 500): how long a leader holds an empty fetch.
    pub replica_fetch_wait_max_ms: i64,
    /// `replica.fetch.backoff.ms` (Kafka: 1000): a follower's pause after a failed fetch.
    pub replica_fetch_backoff_ms: i64,
    /// The producer's `request.timeout.ms` (Kafka: 30000).
    pub request_timeout_ms: i64,
    /// `replica.high.watermark.checkpoint.interval.ms` (Kafka: 5000): how often a broker's
    /// high watermarks are written to its `replication-offset-checkpoint` (what
    /// [`Cluster::poll_storage`](crate::cluster::Cluster::poll_storage) hands out at most that often; a recovered replica's high
    /// watermark may lag by as much, and catches up as followers fetch).
    pub replica_high_watermark_checkpoint_interval_ms: i64,
    /// `offsets.topic.num.partitions` (Kafka: 50): partitions of `__consumer_offsets`.
    pub offsets_topic_partitions: u32,
    /// `offsets.topic.replication.factor` (Kafka: 3), capped at the number of brokers.
    pub offsets_topic_replication_factor: u32,
    /// `log.retention.check.interval.ms` (Kafka: 300000): how often each running broker
    /// applies retention and compaction to the replicas it holds.
    pub log_retention_check_interval_ms: i64,
}
