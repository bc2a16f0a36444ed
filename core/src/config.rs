//! Topic configs: Kafka's names, defaults and valid ranges (Kafka 3.7+, `LogConfig.java`).
//!
//! Every topic-level config Kafka has is accepted here with Kafka's validator, except the ones
//! whose behaviour rill cannot give (compression codecs other than `producer`/`uncompressed`,
//! tiered storage, message format down-conversion); those are `INVALID_CONFIG` with a message
//! that says so, rather than silently ignored. A few configs are accepted but change nothing
//! observable in a browser (`flush.*`, `file.delete.delay.ms`, `preallocate`,
//! `segment.index.bytes` beyond rolling); [`CONFIGS`] says which.

use crate::record::TimestampType;

/// A topic config that is unknown, unsupported, or out of range.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid value '{value}' for config '{name}': {reason}")]
pub struct InvalidConfig {
    /// The config name.
    pub name: String,
    /// The rejected value.
    pub value: String,
    /// What is wrong with it.
    pub reason: String,
}

/// `cleanup.policy`: what happens to old segments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CleanupPolicy {
    /// `delete`: retention by time and size deletes old segments.
    pub delete: bool,
    /// `compact`: the cleaner keeps the newest record per key.
    pub compact: bool,
}

impl CleanupPolicy {
    /// Kafka's spelling: `delete`, `compact`, `compact,delete`, or the empty list.
    pub fn as_kafka_str(self) -> &'static str {
        match (self.compact, self.delete) {
            (true, true) => "compact,delete",
            (true, false) => "compact",
            (false, true) => "delete",
            (false, false) => "",
        }
    }
}

/// The configs of one topic, with Kafka's defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct TopicConfig {
    /// `segment.bytes`: roll the active segment before it would exceed this size.
    pub segment_bytes: u32,
    /// `segment.ms`: roll the active segment once its first record is this old.
    pub segment_ms: i64,
    /// `segment.jitter.ms`: the most a segment's time-based roll is brought forward.
    pub segment_jitter_ms: i64,
    /// `segment.index.bytes`: the size of a segment's offset index; roll when it is full.
    pub segment_index_bytes: u32,
    /// `index.interval.bytes`: bytes appended between two offset-index entries.
    pub index_interval_bytes: u32,
    /// `retention.bytes`: the most a partition keeps before deleting old segments; -1 = no
    /// limit.
    pub retention_bytes: i64,
    /// `retention.ms`: how long a segment is kept after its newest record; -1 = forever.
    pub retention_ms: i64,
    /// `max.message.bytes`: the largest record batch the topic accepts.
    pub max_message_bytes: u32,
    /// `message.timestamp.type`: keep the producer's time or use the broker's.
    pub message_timestamp_type: TimestampType,
    /// `message.timestamp.before.max.ms`: how far a `CreateTime` timestamp may lie in the past.
    pub message_timestamp_before_max_ms: i64,
    /// `message.timestamp.after.max.ms`: how far a `CreateTime` timestamp may lie in the future.
    pub message_timestamp_after_max_ms: i64,
    /// `cleanup.policy`.
    pub cleanup_policy: CleanupPolicy,
    /// `min.cleanable.dirty.ratio`: the dirty share of the log that triggers compaction.
    pub min_cleanable_dirty_ratio: f64,
    /// `min.compaction.lag.ms`: records younger than this are never compacted.
    pub min_compaction_lag_ms: i64,
    /// `max.compaction.lag.ms`: records older than this are compacted whatever the ratio.
    pub max_compaction_lag_ms: i64,
    /// `delete.retention.ms`: how long a compacted topic keeps a tombstone.
    pub delete_retention_ms: i64,
    /// `min.insync.replicas`: replicas that must acknowledge an `acks=all` write.
    pub min_insync_replicas: u32,
    /// `unclean.leader.election.enable`: may an out-of-sync replica become leader.
    pub unclean_leader_election_enable: bool,
    /// `file.delete.delay.ms` (accepted; deletion in rill is immediate).
    pub file_delete_delay_ms: i64,
    /// `flush.messages` (accepted; every write is flushed to the host store).
    pub flush_messages: i64,
    /// `flush.ms` (accepted; every write is flushed to the host store).
    pub flush_ms: i64,
    /// `preallocate` (accepted; nothing to preallocate in a browser).
    pub preallocate: bool,
    /// `compression.type`: only `producer` and `uncompressed` (rill writes uncompressed
    /// batches either way).
    pub compression_type: &'static str,
}

/// One topic config Kafka defines: its name, default and validator, in Kafka's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfigDef {
    /// Kafka's name, e.g. `retention.ms`.
    pub name: &'static str,
    /// Kafka's default, as Kafka prints it.
    pub default: &'static str,
    /// The valid values, as Kafka's validator describes them.
    pub valid: &'static str,
    /// Whether the config changes anything in rill (false: accepted for compatibility only).
    pub effective: bool,
}

const fn def(
    name: &'static str,
    default: &'static str,
    valid: &'static str,
    effective: bool,
) -> ConfigDef {
    ConfigDef {
        name,
        default,
        valid,
        effective,
    }
}

/// Every topic config rill accepts, sorted by name.
pub const CONFIGS: &[ConfigDef] = &[
    def("cleanup.policy", "delete", "[compact, delete]", true),
    def(
        "compression.type",
        "producer",
        "[producer, uncompressed]",
        false,
    ),
    def("delete.retention.ms", "86400000", "[0,...]", true),
    def("file.delete.delay.ms", "60000", "[0,...]", false),
    def("flush.messages", "9223372036854775807", "[1,...]", false),
    def("flush.ms", "9223372036854775807", "[0,...]", false),
    def("index.interval.bytes", "4096", "[0,...]", true),
    def(
        "max.compaction.lag.ms",
        "9223372036854775807",
        "[1,...]",
        true,
    ),
    def("max.message.bytes", "1048588", "[0,...]", true),
    def(
        "message.timestamp.after.max.ms",
        "9223372036854775807",
        "[0,...]",
        true,
    ),
    def(
        "message.timestamp.before.max.ms",
        "9223372036854775807",
        "[0,...]",
        true,
    ),
    def(
        "message.timestamp.type",
        "CreateTime",
        "[CreateTime, LogAppendTime]",
        true,
    ),
    def("min.cleanable.dirty.ratio", "0.5", "[0,...,1]", true),
    def("min.compaction.lag.ms", "0", "[0,...]", true),
    def("min.insync.replicas", "1", "[1,...]", true),
    def("preallocate", "false", "[true, false]", false),
    def("retention.bytes", "-1", "any long", true),
    def("retention.ms", "604800000", "[-1,...]", true),
    def("segment.bytes", "1073741824", "[14,...]", true),
    def("segment.index.bytes", "10485760", "[4,...]", true),
    def("segment.jitter.ms", "0", "[0,...]", true),
    def("segment.ms", "604800000", "[1,...]", true),
    def(
        "unclean.leader.election.enable",
        "false",
        "[true, false]",
        true,
    ),
];

/// Kafka's default `segment.bytes` (1 GiB).
pub const SEGMENT_BYTES_DEFAULT: u32 = 1024 * 1024 * 1024;
/// Kafka 3.x's smallest legal `segment.bytes` (`LegacyRecord.RECORD_OVERHEAD_V0`).
pub const SEGMENT_BYTES_MIN: u32 = 14;
/// Kafka's default `max.message.bytes` (1 MiB plus the batch overhead).
pub const MAX_MESSAGE_BYTES_DEFAULT: u32 = 1_048_588;
/// Kafka's default `segment.ms` and `retention.ms` (7 days).
pub const SEVEN_DAYS_MS: i64 = 7 * 24 * 60 * 60 * 1000;
/// Kafka's default `delete.retention.ms` (1 day).
pub const ONE_DAY_MS: i64 = 24 * 60 * 60 * 1000;

impl Default for TopicConfig {
    fn default() -> Self {
        Self {
            segment_bytes: SEGMENT_BYTES_DEFAULT,
            segment_ms: SEVEN_DAYS_MS,
            segment_jitter_ms: 0,
            segment_index_bytes: 10 * 1024 * 1024,
            index_interval_bytes: 4096,
            retention_bytes: -1,
            retention_ms: SEVEN_DAYS_MS,
            max_message_bytes: MAX_MESSAGE_BYTES_DEFAULT,
            message_timestamp_type: TimestampType::CreateTime,
            message_timestamp_before_max_ms: i64::MAX,
            message_timestamp_after_max_ms: i64::MAX,
            cleanup_policy: CleanupPolicy {
                delete: true,
                compact: false,
            },
            min_cleanable_dirty_ratio: 0.5,
            min_compaction_lag_ms: 0,
            max_compaction_lag_ms: i64::MAX,
            delete_retention_ms: ONE_DAY_MS,
            min_insync_replicas: 1,
            unclean_leader_election_enable: false,
            file_delete_delay_ms: 60_000,
            flush_messages: i64::MAX,
            flush_ms: i64::MAX,
            preallocate: false,
            compression_type: "producer",
        }
    }
}

impl TopicConfig {
    /// Kafka's defaults overridden by `overrides` (name, value), validated as a whole: on any
    /// error nothing is applied. Cross-config rules (`min.compaction.lag.ms` ≤
    /// `max.compaction.lag.ms`) are checked after all overrides.
    pub fn with_overrides<'a>(
        overrides: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, InvalidConfig> {
        let mut config = Self::default();
        for (name, value) in overrides {
            config.set(name, value)?;
        }
        config.validate_together()?;
        Ok(config)
    }

    /// Kafka's `LogConfig.validateValues`: rules that involve more than one config.
    fn validate_together(&self) -> Result<(), InvalidConfig> {
        if self.min_compaction_lag_ms > self.max_compaction_lag_ms {
            return Err(InvalidConfig {
                name: "min.compaction.lag.ms".to_owned(),
                value: self.min_compaction_lag_ms.to_string(),
                reason: format!(
                    "conflict topic config setting min.compaction.lag.ms ({}) > \
                     max.compaction.lag.ms ({})",
                    self.min_compaction_lag_ms, self.max_compaction_lag_ms
                ),
            });
        }
        Ok(())
    }

    /// Sets one config from its Kafka name and string value.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), InvalidConfig> {
        let invalid = |reason: String| InvalidConfig {
            name: name.to_owned(),
            value: value.to_owned(),
            reason,
        };
        let long = |min: i64| {
            parse_long(value, min).ok_or_else(|| invalid(format!("must be a long in [{min},...]")))
        };
        let int = |min: u32| {
            parse_long(value, i64::from(min))
                .and_then(|v| u32::try_from(v).ok())
                .filter(|v| *v <= i32::MAX as u32)
                .ok_or_else(|| invalid(format!("must be an int in [{min},...]")))
        };
        let boolean = || match value.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(invalid("must be true or false".to_owned())),
        };
        match name {
            "segment.bytes" => self.segment_bytes = int(SEGMENT_BYTES_MIN)?,
            "segment.ms" => self.segment_ms = long(1)?,
            "segment.jitter.ms" => self.segment_jitter_ms = long(0)?,
            "segment.index.bytes" => self.segment_index_bytes = int(4)?,
            "index.interval.bytes" => self.index_interval_bytes = int(0)?,
            "retention.bytes" => self.retention_bytes = long(i64::MIN)?,
            "retention.ms" => self.retention_ms = long(-1)?,
            "max.message.bytes" => self.max_message_bytes = int(0)?,
            "message.timestamp.type" => {
                self.message_timestamp_type = match value.trim() {
                    "CreateTime" => TimestampType::CreateTime,
                    "LogAppendTime" => TimestampType::LogAppendTime,
                    _ => return Err(invalid("must be CreateTime or LogAppendTime".to_owned())),
                };
            }
            "message.timestamp.before.max.ms" => self.message_timestamp_before_max_ms = long(0)?,
            "message.timestamp.after.max.ms" => self.message_timestamp_after_max_ms = long(0)?,
            "cleanup.policy" => {
                self.cleanup_policy = parse_cleanup_policy(value).map_err(invalid)?
            }
            "min.cleanable.dirty.ratio" => {
                self.min_cleanable_dirty_ratio = value
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|r| (0.0..=1.0).contains(r))
                    .ok_or_else(|| invalid("must be a double in [0,...,1]".to_owned()))?;
            }
            "min.compaction.lag.ms" => self.min_compaction_lag_ms = long(0)?,
            "max.compaction.lag.ms" => self.max_compaction_lag_ms = long(1)?,
            "delete.retention.ms" => self.delete_retention_ms = long(0)?,
            "min.insync.replicas" => self.min_insync_replicas = int(1)?,
            "unclean.leader.election.enable" => self.unclean_leader_election_enable = boolean()?,
            "file.delete.delay.ms" => self.file_delete_delay_ms = long(0)?,
            "flush.messages" => self.flush_messages = long(1)?,
            "flush.ms" => self.flush_ms = long(0)?,
            "preallocate" => self.preallocate = boolean()?,
            "compression.type" => {
                self.compression_type = match value.trim() {
                    "producer" => "producer",
                    "uncompressed" => "uncompressed",
                    "gzip" | "snappy" | "lz4" | "zstd" => {
                        return Err(invalid(
                            "rill stores batches uncompressed: use producer or uncompressed"
                                .to_owned(),
                        ));
                    }
                    _ => {
                        return Err(invalid(
                            "must be one of uncompressed, zstd, lz4, snappy, gzip, producer"
                                .to_owned(),
                        ));
                    }
                };
            }
            _ => return Err(invalid(format!("Unknown topic config name: {name}"))),
        }
        Ok(())
    }

    /// The value of the config called `name`, in Kafka's spelling, or `None` if rill does not
    /// know it.
    pub fn get(&self, name: &str) -> Option<String> {
        Some(match name {
            "segment.bytes" => self.segment_bytes.to_string(),
            "segment.ms" => self.segment_ms.to_string(),
            "segment.jitter.ms" => self.segment_jitter_ms.to_string(),
            "segment.index.bytes" => self.segment_index_bytes.to_string(),
            "index.interval.bytes" => self.index_interval_bytes.to_string(),
            "retention.bytes" => self.retention_bytes.to_string(),
            "retention.ms" => self.retention_ms.to_string(),
            "max.message.bytes" => self.max_message_bytes.to_string(),
            "message.timestamp.type" => self.message_timestamp_type.as_str().to_owned(),
            "message.timestamp.before.max.ms" => self.message_timestamp_before_max_ms.to_string(),
            "message.timestamp.after.max.ms" => self.message_timestamp_after_max_ms.to_string(),
            "cleanup.policy" => self.cleanup_policy.as_kafka_str().to_owned(),
            "min.cleanable.dirty.ratio" => self.min_cleanable_dirty_ratio.to_string(),
            "min.compaction.lag.ms" => self.min_compaction_lag_ms.to_string(),
            "max.compaction.lag.ms" => self.max_compaction_lag_ms.to_string(),
            "delete.retention.ms" => self.delete_retention_ms.to_string(),
            "min.insync.replicas" => self.min_insync_replicas.to_string(),
            "unclean.leader.election.enable" => self.unclean_leader_election_enable.to_string(),
            "file.delete.delay.ms" => self.file_delete_delay_ms.to_string(),
            "flush.messages" => self.flush_messages.to_string(),
            "flush.ms" => self.flush_ms.to_string(),
            "preallocate" => self.preallocate.to_string(),
            "compression.type" => self.compression_type.to_owned(),
            _ => return None,
        })
    }

    /// Every config as (name, value) in Kafka's spelling, sorted by name.
    pub fn entries(&self) -> Vec<(&'static str, String)> {
        CONFIGS
            .iter()
            .map(|def| {
                let value = self
                    .get(def.name)
                    .expect("every ConfigDef names a config TopicConfig::get knows");
                (def.name, value)
            })
            .collect()
    }

    /// Kafka's `LogConfig.maxSegmentMs`: a compacted topic with a max compaction lag rolls at
    /// least that often, so the lagging records leave the active segment.
    pub fn max_segment_ms(&self) -> i64 {
        if self.cleanup_policy.compact && self.max_compaction_lag_ms > 0 {
            self.max_compaction_lag_ms.min(self.segment_ms)
        } else {
            self.segment_ms
        }
    }
}

fn parse_long(value: &str, min: i64) -> Option<i64> {
    value.trim().parse::<i64>().ok().filter(|v| *v >= min)
}

/// Kafka's `cleanup.policy` list: comma-separated, case-insensitive, each `compact` or
/// `delete`; the empty list means neither.
fn parse_cleanup_policy(value: &str) -> Result<CleanupPolicy, String> {
    let mut policy = CleanupPolicy {
        delete: false,
        compact: false,
    };
    for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match item.to_ascii_lowercase().as_str() {
            "delete" => policy.delete = true,
            "compact" => policy.compact = true,
            _ => return Err(format!("Invalid value {item}: must be compact or delete")),
        }
    }
    Ok(policy)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn defaults_are_kafkas() {
        let config = TopicConfig::default();
        assert_eq!(config.segment_bytes, 1_073_741_824);
        assert_eq!(config.max_message_bytes, 1_048_588);
        assert_eq!(config.message_timestamp_type, TimestampType::CreateTime);
        assert_eq!(config.retention_ms, 604_800_000);
        assert_eq!(config.retention_bytes, -1);
        assert_eq!(config.segment_ms, 604_800_000);
        assert_eq!(config.delete_retention_ms, 86_400_000);
        assert_eq!(config.index_interval_bytes, 4096);
        assert_eq!(config.segment_index_bytes, 10_485_760);
        assert_eq!(config.cleanup_policy.as_kafka_str(), "delete");
    }

    #[test]
    fn every_default_in_the_table_is_the_default_value() {
        let config = TopicConfig::default();
        for def in CONFIGS {
            assert_eq!(
                config.get(def.name).as_deref(),
                Some(def.default),
                "{}",
                def.name
            );
            let parsed = TopicConfig::with_overrides([(def.name, def.default)])
                .unwrap_or_else(|e| panic!("{}: {e}", def.name));
            assert_eq!(parsed, config, "{}", def.name);
        }
        assert!(
            CONFIGS.windows(2).all(|w| w[0].name < w[1].name),
            "sorted by name"
        );
    }

    #[test]
    fn overrides_apply_and_bad_values_are_rejected() {
        let config = TopicConfig::with_overrides([
            ("segment.bytes", "1024"),
            ("message.timestamp.type", "LogAppendTime"),
            ("cleanup.policy", "Compact, delete"),
            ("min.cleanable.dirty.ratio", "0.01"),
        ])
        .expect("valid overrides");
        assert_eq!(config.segment_bytes, 1024);
        assert_eq!(config.message_timestamp_type, TimestampType::LogAppendTime);
        assert_eq!(config.cleanup_policy.as_kafka_str(), "compact,delete");
        assert_eq!(config.min_cleanable_dirty_ratio, 0.01);
        for (name, value) in [
            ("segment.bytes", "13"),
            ("segment.bytes", "-1"),
            ("segment.bytes", "lots"),
            ("segment.bytes", "2147483648"),
            ("segment.ms", "0"),
            ("retention.ms", "-2"),
            ("max.message.bytes", "2147483648"),
            ("message.timestamp.type", "Now"),
            ("cleanup.policy", "delete,archive"),
            ("min.cleanable.dirty.ratio", "1.5"),
            ("min.insync.replicas", "0"),
            ("preallocate", "yes"),
            ("compression.type", "gzip"),
            ("no.such.config", "1"),
        ] {
            let error = TopicConfig::with_overrides([(name, value)]).expect_err(name);
            assert_eq!(error.name, name);
        }
        assert!(
            TopicConfig::with_overrides([("retention.bytes", "-5")]).is_ok(),
            "Kafka lets retention.bytes be any long"
        );
    }

    #[test]
    fn min_compaction_lag_may_not_exceed_max() {
        let error = TopicConfig::with_overrides([
            ("min.compaction.lag.ms", "10"),
            ("max.compaction.lag.ms", "5"),
        ])
        .expect_err("conflict");
        assert!(error.reason.contains("conflict topic config setting"));
    }

    #[test]
    fn compacted_topics_roll_within_the_max_compaction_lag() {
        let config = TopicConfig::with_overrides([
            ("cleanup.policy", "compact"),
            ("max.compaction.lag.ms", "1000"),
        ])
        .expect("valid");
        assert_eq!(config.max_segment_ms(), 1000);
        let config =
            TopicConfig::with_overrides([("max.compaction.lag.ms", "1000")]).expect("valid");
        assert_eq!(
            config.max_segment_ms(),
            SEVEN_DAYS_MS,
            "delete-only topics ignore it"
        );
    }
}
