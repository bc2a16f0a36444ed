//! The group coordinator's broker configs: Kafka's names, defaults and bounds (Kafka 3.7,
//! `KafkaConfig`'s `group.*` and `offsets.*` settings).

use crate::error::ErrorCode;

/// The broker settings the group coordinator obeys. [`Default`] is Kafka's defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoordinatorConfig {
    /// `offsets.topic.num.partitions` (50): the partitions of `__consumer_offsets`.
    pub offsets_topic_partitions: u32,
    /// `group.min.session.timeout.ms` (6000): the shortest session a member may ask for.
    pub group_min_session_timeout_ms: i32,
    /// `group.max.session.timeout.ms` (1800000): the longest session a member may ask for.
    pub group_max_session_timeout_ms: i32,
    /// `group.initial.rebalance.delay.ms` (3000): how long an empty group's first rebalance
    /// waits for more members.
    pub group_initial_rebalance_delay_ms: i32,
    /// `group.max.size` (`i32::MAX`): the most members one group may have.
    pub group_max_size: u32,
    /// `offset.metadata.max.bytes` (4096): the longest metadata string of a commit.
    pub offset_metadata_max_bytes: usize,
    /// `offsets.retention.ms` (7 days): how long an empty group's offsets are kept.
    pub offsets_retention_ms: i64,
}

impl Default for CoordinatorConfig {
    fn default() -> Self {
        Self {
            offsets_topic_partitions: 50,
            group_min_session_timeout_ms: 6_000,
            group_max_session_timeout_ms: 1_800_000,
            group_initial_rebalance_delay_ms: 3_000,
            group_max_size: i32::MAX as u32,
            offset_metadata_max_bytes: 4096,
            offsets_retention_ms: 7 * 24 * 60 * 60 * 1000,
        }
    }
}

/// Kafka's names of the settings [`CoordinatorConfig`] holds.
pub const COORDINATOR_CONFIG_NAMES: [&str; 7] = [
    "offsets.topic.num.partitions",
    "group.min.session.timeout.ms",
    "group.max.session.timeout.ms",
    "group.initial.rebalance.delay.ms",
    "group.max.size",
    "offset.metadata.max.bytes",
    "offsets.retention.ms",
];

impl CoordinatorConfig {
    /// Kafka's defaults overridden by `configs` (Kafka's broker config names and string values).
    ///
    /// # Errors
    /// `INVALID_CONFIG` for a name that is not one of [`COORDINATOR_CONFIG_NAMES`], a value that
    /// does not parse, or one outside Kafka's range (partitions and `group.max.size` at least
    /// 1, delay and metadata size at least 0, retention at least 1, min session ≤ max session).
    pub fn from_kafka_configs(configs: &[(&str, &str)]) -> Result<Self, ErrorCode> {
        let mut config = Self::default();
        for &(name, value) in configs {
            let int = || {
                value
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| ErrorCode::InvalidConfig)
            };
            let ranged = |min: i64, max: i64| {
                int().and_then(|v| {
                    if (min..=max).contains(&v) {
                        Ok(v)
                    } else {
                        Err(ErrorCode::InvalidConfig)
                    }
                })
            };
            let i32_max = i64::from(i32::MAX);
            match name {
                "offsets.topic.num.partitions" => {
                    config.offsets_topic_partitions = ranged(1, i32_max)? as u32;
                }
                "group.min.session.timeout.ms" => {
                    config.group_min_session_timeout_ms =
                        ranged(i64::from(i32::MIN), i32_max)? as i32;
                }
                "group.max.session.timeout.ms" => {
                    config.group_max_session_timeout_ms =
                        ranged(i64::from(i32::MIN), i32_max)? as i32;
                }
                "group.initial.rebalance.delay.ms" => {
                    config.group_initial_rebalance_delay_ms = ranged(0, i32_max)? as i32;
                }
                "group.max.size" => config.group_max_size = ranged(1, i32_max)? as u32,
                "offset.metadata.max.bytes" => {
                    config.offset_metadata_max_bytes = ranged(0, i32_max)? as usize;
                }
                "offsets.retention.ms" => config.offsets_retention_ms = ranged(1, i64::MAX)?,
                _ => return Err(ErrorCode::InvalidConfig),
            }
        }
        if config.group_min_session_timeout_ms > config.group_max_session_timeout_ms {
            return Err(ErrorCode::InvalidConfig);
        }
        Ok(config)
    }
}
