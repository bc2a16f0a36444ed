//! Topic configs: Kafka's names, defaults and valid ranges.
//!
//! Only the configs whose behaviour the engine implements are accepted; anything else is
//! `INVALID_CONFIG` with a message saying so, rather than silently ignored.

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

/// The configs of one topic, with Kafka's defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicConfig {
    /// `segment.bytes`: roll the active segment before it would exceed this size.
    pub segment_bytes: u32,
    /// `max.message.bytes`: the largest record batch the topic accepts.
    pub max_message_bytes: u32,
    /// `message.timestamp.type`: keep the producer's time or use the broker's.
    pub message_timestamp_type: TimestampType,
}

/// Kafka's default `segment.bytes` (1 GiB).
pub const SEGMENT_BYTES_DEFAULT: u32 = 1024 * 1024 * 1024;
/// Kafka's smallest legal `segment.bytes` (`LegacyRecord.RECORD_OVERHEAD_V0`).
pub const SEGMENT_BYTES_MIN: u32 = 14;
/// Kafka's default `max.message.bytes` (1 MiB plus the batch overhead).
pub const MAX_MESSAGE_BYTES_DEFAULT: u32 = 1_048_588;

impl Default for TopicConfig {
    fn default() -> Self {
        Self {
            segment_bytes: SEGMENT_BYTES_DEFAULT,
            max_message_bytes: MAX_MESSAGE_BYTES_DEFAULT,
            message_timestamp_type: TimestampType::CreateTime,
        }
    }
}

impl TopicConfig {
    /// Kafka's defaults overridden by `overrides` (name, value), validated as a whole: on any
    /// error nothing is applied.
    pub fn with_overrides<'a>(
        overrides: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, InvalidConfig> {
        let mut config = Self::default();
        for (name, value) in overrides {
            config.set(name, value)?;
        }
        Ok(config)
    }

    /// Sets one config from its Kafka name and string value.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), InvalidConfig> {
        let invalid = |reason: &str| InvalidConfig {
            name: name.to_owned(),
            value: value.to_owned(),
            reason: reason.to_owned(),
        };
        match name {
            "segment.bytes" => {
                self.segment_bytes = parse_int(value, SEGMENT_BYTES_MIN, i32::MAX as u32)
                    .ok_or_else(|| invalid("must be an integer in [14, 2147483647]"))?;
            }
            "max.message.bytes" => {
                self.max_message_bytes = parse_int(value, 0, i32::MAX as u32)
                    .ok_or_else(|| invalid("must be an integer in [0, 2147483647]"))?;
            }
            "message.timestamp.type" => {
                self.message_timestamp_type = match value {
                    "CreateTime" => TimestampType::CreateTime,
                    "LogAppendTime" => TimestampType::LogAppendTime,
                    _ => return Err(invalid("must be CreateTime or LogAppendTime")),
                };
            }
            _ => return Err(invalid("unknown or not yet supported topic config")),
        }
        Ok(())
    }

    /// Every config as (name, value) in Kafka's spelling, sorted by name.
    pub fn entries(&self) -> Vec<(&'static str, String)> {
        vec![
            ("max.message.bytes", self.max_message_bytes.to_string()),
            (
                "message.timestamp.type",
                self.message_timestamp_type.as_str().to_owned(),
            ),
            ("segment.bytes", self.segment_bytes.to_string()),
        ]
    }
}

fn parse_int(value: &str, min: u32, max: u32) -> Option<u32> {
    let parsed: i64 = value.trim().parse().ok()?;
    u32::try_from(parsed)
        .ok()
        .filter(|v| (min..=max).contains(v))
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
    }

    #[test]
    fn overrides_apply_and_bad_values_are_rejected() {
        let config = TopicConfig::with_overrides([
            ("segment.bytes", "1024"),
            ("message.timestamp.type", "LogAppendTime"),
        ])
        .expect("valid overrides");
        assert_eq!(config.segment_bytes, 1024);
        assert_eq!(config.message_timestamp_type, TimestampType::LogAppendTime);
        for (name, value) in [
            ("segment.bytes", "13"),
            ("segment.bytes", "-1"),
            ("segment.bytes", "lots"),
            ("max.message.bytes", "2147483648"),
            ("message.timestamp.type", "Now"),
            ("no.such.config", "1"),
        ] {
            let error = TopicConfig::with_overrides([(name, value)]).expect_err(name);
            assert_eq!(error.name, name);
        }
    }
}
