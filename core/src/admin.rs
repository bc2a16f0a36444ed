//! Topic administration types shared by the engine and its hosts: Kafka's describe results
//! (`TopicDescription`, `ConfigEntry`), `incrementalAlterConfigs` operations and their
//! validation, rill's partition limit, and a segment's `.log` bytes for export.

use std::collections::BTreeMap;

use crate::config::{CONFIGS, TopicConfig};
use crate::error::AdminError;
use crate::log::PartitionLog;

/// The most partitions one topic may have in rill (Kafka has no fixed limit; a browser does).
pub const PARTITIONS_PER_TOPIC_MAX: u32 = 10_000;

/// Where a config's value comes from, as Kafka's `describeConfigs` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigSource {
    /// Set on the topic (`DYNAMIC_TOPIC_CONFIG`).
    TopicOverride,
    /// Kafka's default (`DEFAULT_CONFIG`).
    Default,
}

/// One config of a topic, as `describeConfigs` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigEntry {
    /// Kafka's name.
    pub name: &'static str,
    /// The value in force.
    pub value: String,
    /// Where the value comes from.
    pub source: ConfigSource,
}

/// One partition, as `describeTopics` and `kafka-log-dirs` would show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionDescription {
    /// Partition index.
    pub partition: u32,
    /// The leader's broker id.
    pub leader: u32,
    /// Replica broker ids, preferred leader first.
    pub replicas: Vec<u32>,
    /// In-sync replica broker ids.
    pub isr: Vec<u32>,
    /// First offset held.
    pub log_start_offset: i64,
    /// Offset below which consumers read.
    pub high_watermark: i64,
    /// Offset the next record gets.
    pub log_end_offset: i64,
    /// Bytes in all segments.
    pub size: u64,
    /// Number of segments.
    pub segments: usize,
}

/// A topic, as `describeTopics` plus `describeConfigs` show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicDescription {
    /// The topic's name.
    pub name: String,
    /// Its partitions, by index.
    pub partitions: Vec<PartitionDescription>,
    /// Every config with its value and source, sorted by name.
    pub configs: Vec<ConfigEntry>,
}

/// One change of `incrementalAlterConfigs`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AlterConfigOp {
    /// Set the config to a value (Kafka's `SET`).
    Set {
        /// Config name.
        name: String,
        /// New value.
        value: String,
    },
    /// Remove the override so the default applies (Kafka's `DELETE`).
    Delete {
        /// Config name.
        name: String,
    },
}

/// Kafka's `IncrementalAlterConfigs` validation for one topic: applies `ops` to the current
/// `overrides`, all or nothing. Returns the new overrides and the configs they give.
///
/// # Errors
/// `INVALID_CONFIG` for an unknown name or a value out of range (Kafka's messages).
pub(crate) fn apply_alter_ops(
    overrides: &[(String, String)],
    ops: &[AlterConfigOp],
) -> Result<(Vec<(String, String)>, TopicConfig), AdminError> {
    let mut overrides: BTreeMap<String, String> = overrides.iter().cloned().collect();
    for op in ops {
        match op {
            AlterConfigOp::Set { name, value } => {
                overrides.insert(name.clone(), value.clone());
            }
            AlterConfigOp::Delete { name } => {
                if !CONFIGS.iter().any(|def| def.name == name) {
                    return Err(AdminError::InvalidConfig(crate::config::InvalidConfig {
                        name: name.clone(),
                        value: String::new(),
                        reason: format!("Unknown topic config name: {name}"),
                    }));
                }
                overrides.remove(name);
            }
        }
    }
    let overrides: Vec<(String, String)> = overrides.into_iter().collect();
    let config =
        TopicConfig::with_overrides(overrides.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    Ok((overrides, config))
}

/// Every config of a topic with its value and source, as `describeConfigs` reports them.
pub(crate) fn config_entries(
    config: &TopicConfig,
    overrides: &[(String, String)],
) -> Vec<ConfigEntry> {
    config
        .entries()
        .into_iter()
        .map(|(name, value)| ConfigEntry {
            name,
            value,
            source: if overrides.iter().any(|(k, _)| k == name) {
                ConfigSource::TopicOverride
            } else {
                ConfigSource::Default
            },
        })
        .collect()
}

/// The `.log` bytes of `log`'s segment at `base_offset`; `INVALID_REQUEST` naming the segments
/// that exist when none starts there.
pub(crate) fn segment_bytes(
    log: &PartitionLog,
    topic: &str,
    partition: i32,
    base_offset: i64,
) -> Result<Vec<u8>, AdminError> {
    log.segments()
        .iter()
        .find(|segment| segment.base_offset() == base_offset)
        .map(|segment| segment.as_bytes().to_vec())
        .ok_or_else(|| AdminError::UnknownSegment {
            topic: topic.to_owned(),
            partition,
            base_offset,
            available: log.segments().iter().map(|s| s.base_offset()).collect(),
        })
}
