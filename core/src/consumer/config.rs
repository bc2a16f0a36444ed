//! The consumer's configs: Kafka's names, defaults and validators (`ConsumerConfig.java`,
//! Kafka 3.7, classic group protocol).

use crate::group::assignor_named;

/// `auto.offset.reset`: where a partition without a valid position starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AutoOffsetReset {
    /// `earliest`: the log start offset.
    Earliest,
    /// `latest` (Kafka's default): the log end offset, only records produced from now on.
    Latest,
    /// `none`: no reset; `poll` fails with `NoOffsetForPartitionException` /
    /// `OffsetOutOfRangeException`.
    None,
}

impl AutoOffsetReset {
    /// Kafka's spelling: `earliest`, `latest`, `none`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Earliest => "earliest",
            Self::Latest => "latest",
            Self::None => "none",
        }
    }
}

/// A consumer config that is unknown, malformed, out of range, or inconsistent with another
/// (Kafka's `ConfigException` / `InvalidConfigurationException`, error `INVALID_CONFIG`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Invalid value {value} for configuration {name}: {reason}")]
pub struct ConsumerConfigError {
    /// The config's Kafka name, e.g. `max.poll.records`.
    pub name: String,
    /// The rejected value.
    pub value: String,
    /// What is wrong with it.
    pub reason: String,
}

impl crate::error::KafkaError for ConsumerConfigError {
    fn error_code(&self) -> crate::error::ErrorCode {
        crate::error::ErrorCode::InvalidConfig
    }
}

/// Configs Kafka's consumer takes that only matter to a networked client (serializers,
/// bootstrap list): accepted and ignored.
pub const IGNORED_CONFIGS: &[&str] = &[
    "bootstrap.servers",
    "key.deserializer",
    "value.deserializer",
    "client.dns.lookup",
    "connections.max.idle.ms",
    "receive.buffer.bytes",
    "send.buffer.bytes",
    "reconnect.backoff.ms",
    "reconnect.backoff.max.ms",
    "metadata.max.age.ms",
    "check.crcs",
    "group.protocol",
];

/// The configs of one consumer, with Kafka 3.7's defaults ([`ConsumerConfig::default`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerConfig {
    /// `client.id`.
    pub client_id: String,
    /// `group.id`: the consumer group; `None` for a standalone consumer that cannot subscribe
    /// or commit.
    pub group_id: Option<String>,
    /// `group.instance.id`: set for a static member (KIP-345).
    pub group_instance_id: Option<String>,
    /// `client.rack`, sent in the subscription.
    pub client_rack: Option<String>,
    /// `partition.assignment.strategy`: assignor names, most preferred first (default
    /// `range`, `cooperative-sticky`).
    pub partition_assignment_strategy: Vec<String>,
    /// `session.timeout.ms` (45000).
    pub session_timeout_ms: i32,
    /// `heartbeat.interval.ms` (3000).
    pub heartbeat_interval_ms: i32,
    /// `max.poll.interval.ms` (300000): the most time between two polls before the member
    /// leaves the group.
    pub max_poll_interval_ms: i32,
    /// `enable.auto.commit` (true with a `group.id`, false without).
    pub enable_auto_commit: bool,
    /// `auto.commit.interval.ms` (5000).
    pub auto_commit_interval_ms: i32,
    /// `auto.offset.reset` (`latest`).
    pub auto_offset_reset: AutoOffsetReset,
    /// `max.poll.records` (500).
    pub max_poll_records: u32,
    /// `fetch.min.bytes` (1).
    pub fetch_min_bytes: i32,
    /// `fetch.max.wait.ms` (500).
    pub fetch_max_wait_ms: i32,
    /// `max.partition.fetch.bytes` (1 MiB).
    pub max_partition_fetch_bytes: i32,
    /// `fetch.max.bytes` (50 MiB).
    pub fetch_max_bytes: i32,
    /// `retry.backoff.ms` (100).
    pub retry_backoff_ms: i64,
    /// `request.timeout.ms` (30000).
    pub request_timeout_ms: i32,
    /// `default.api.timeout.ms` (60000): how long `commitSync` keeps retrying.
    pub default_api_timeout_ms: i32,
}

impl Default for ConsumerConfig {
    /// Kafka 3.7's defaults, with no `group.id`.
    fn default() -> Self {
        Self {
            client_id: String::new(),
            group_id: None,
            group_instance_id: None,
            client_rack: None,
            partition_assignment_strategy: vec!["range".into(), "cooperative-sticky".into()],
            session_timeout_ms: 45_000,
            heartbeat_interval_ms: 3_000,
            max_poll_interval_ms: 300_000,
            enable_auto_commit: true,
            auto_commit_interval_ms: 5_000,
            auto_offset_reset: AutoOffsetReset::Latest,
            max_poll_records: 500,
            fetch_min_bytes: 1,
            fetch_max_wait_ms: 500,
            max_partition_fetch_bytes: 1_048_576,
            fetch_max_bytes: 52_428_800,
            retry_backoff_ms: 100,
            request_timeout_ms: 30_000,
            default_api_timeout_ms: 60_000,
        }
    }
}

/// Kafka's assignor class names, mapped to their protocol names.
const ASSIGNOR_CLASSES: &[(&str, &str)] = &[
    ("org.apache.kafka.clients.consumer.RangeAssignor", "range"),
    (
        "org.apache.kafka.clients.consumer.RoundRobinAssignor",
        "roundrobin",
    ),
    ("org.apache.kafka.clients.consumer.StickyAssignor", "sticky"),
    (
        "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
        "cooperative-sticky",
    ),
];

fn invalid(name: &str, value: &str, reason: impl Into<String>) -> ConsumerConfigError {
    ConsumerConfigError {
        name: name.to_string(),
        value: value.to_string(),
        reason: reason.into(),
    }
}

fn parse_int(name: &str, value: &str, at_least: i64) -> Result<i32, ConsumerConfigError> {
    let parsed: i32 = value
        .trim()
        .parse()
        .map_err(|_| invalid(name, value, "Expected value to be a 32-bit integer"))?;
    if i64::from(parsed) < at_least {
        return Err(invalid(
            name,
            value,
            format!("Value must be at least {at_least}"),
        ));
    }
    Ok(parsed)
}

fn parse_bool(name: &str, value: &str) -> Result<bool, ConsumerConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(invalid(
            name,
            value,
            "Expected value to be either true or false",
        )),
    }
}

/// Kafka's legal `group.instance.id`: non-empty, at most 249 chars of `[a-zA-Z0-9._-]`
/// (`JoinGroupRequest.validateGroupInstanceId`).
fn validate_instance_id(value: &str) -> Result<(), ConsumerConfigError> {
    let name = "group.instance.id";
    if value.is_empty() {
        return Err(invalid(
            name,
            value,
            "Group instance id must be non-empty string",
        ));
    }
    if value.len() > 249 {
        return Err(invalid(
            name,
            value,
            "Group instance id is illegal, it can't be longer than 249 characters",
        ));
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(invalid(
            name,
            value,
            "Group instance id contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'",
        ));
    }
    Ok(())
}

impl ConsumerConfig {
    /// A config with Kafka's defaults and `group.id` = `group_id`.
    pub fn with_group(group_id: impl Into<String>) -> Self {
        Self {
            group_id: Some(group_id.into()),
            ..Self::default()
        }
    }

    /// Builds a config from Kafka's `(name, value)` pairs, starting from Kafka's defaults.
    ///
    /// Unknown names, malformed or out-of-range values, assignor names rill does not have, an
    /// explicit `enable.auto.commit=true` or a `group.instance.id` without `group.id`, and a
    /// `heartbeat.interval.ms` not below `session.timeout.ms` are rejected, naming the config.
    /// Without `group.id`, `enable.auto.commit` defaults to false, as in Kafka.
    pub fn from_kafka_configs(configs: &[(&str, &str)]) -> Result<Self, ConsumerConfigError> {
        let mut config = Self::default();
        let mut auto_commit_explicit = None;
        for &(name, value) in configs {
            match name {
                "client.id" => config.client_id = value.to_string(),
                "group.id" => config.group_id = Some(value.to_string()),
                "group.instance.id" => {
                    validate_instance_id(value)?;
                    config.group_instance_id = Some(value.to_string());
                }
                "client.rack" => {
                    config.client_rack = (!value.is_empty()).then(|| value.to_string());
                }
                "partition.assignment.strategy" => {
                    let mut names = Vec::new();
                    for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                        let protocol = ASSIGNOR_CLASSES
                            .iter()
                            .find(|(class, _)| *class == item)
                            .map_or(item, |(_, protocol)| protocol);
                        if assignor_named(protocol).is_none() {
                            return Err(invalid(
                                name,
                                value,
                                format!("Class {item} cannot be found (no such assignor)"),
                            ));
                        }
                        if !names.iter().any(|n: &String| n == protocol) {
                            names.push(protocol.to_string());
                        }
                    }
                    if names.is_empty() {
                        return Err(invalid(name, value, "Assignor list must not be empty"));
                    }
                    config.partition_assignment_strategy = names;
                }
                "session.timeout.ms" => config.session_timeout_ms = parse_int(name, value, 1)?,
                "heartbeat.interval.ms" => {
                    config.heartbeat_interval_ms = parse_int(name, value, 1)?;
                }
                "max.poll.interval.ms" => {
                    config.max_poll_interval_ms = parse_int(name, value, 1)?;
                }
                "enable.auto.commit" => auto_commit_explicit = Some(parse_bool(name, value)?),
                "auto.commit.interval.ms" => {
                    config.auto_commit_interval_ms = parse_int(name, value, 0)?;
                }
                "auto.offset.reset" => {
                    config.auto_offset_reset = match value.trim().to_ascii_lowercase().as_str() {
                        "earliest" => AutoOffsetReset::Earliest,
                        "latest" => AutoOffsetReset::Latest,
                        "none" => AutoOffsetReset::None,
                        _ => {
                            return Err(invalid(
                                name,
                                value,
                                "String must be one of: latest, earliest, none",
                            ));
                        }
                    }
                }
                "max.poll.records" => {
                    config.max_poll_records = parse_int(name, value, 1)?.unsigned_abs();
                }
                "fetch.min.bytes" => config.fetch_min_bytes = parse_int(name, value, 0)?,
                "fetch.max.wait.ms" => config.fetch_max_wait_ms = parse_int(name, value, 0)?,
                "max.partition.fetch.bytes" => {
                    config.max_partition_fetch_bytes = parse_int(name, value, 0)?;
                }
                "fetch.max.bytes" => config.fetch_max_bytes = parse_int(name, value, 0)?,
                "retry.backoff.ms" => {
                    let parsed: i64 = value.trim().parse().map_err(|_| {
                        invalid(name, value, "Expected value to be a 64-bit integer")
                    })?;
                    if parsed < 0 {
                        return Err(invalid(name, value, "Value must be at least 0"));
                    }
                    config.retry_backoff_ms = parsed;
                }
                "request.timeout.ms" => config.request_timeout_ms = parse_int(name, value, 0)?,
                "default.api.timeout.ms" => {
                    config.default_api_timeout_ms = parse_int(name, value, 0)?;
                }
                _ if IGNORED_CONFIGS.contains(&name) => {}
                _ => return Err(invalid(name, value, "Unknown consumer config")),
            }
        }
        if config.group_id.is_none() {
            match auto_commit_explicit {
                Some(true) => {
                    return Err(invalid(
                        "enable.auto.commit",
                        "true",
                        "enable.auto.commit cannot be set to true when default group id (null) is used.",
                    ));
                }
                _ => config.enable_auto_commit = false,
            }
            if let Some(instance) = &config.group_instance_id {
                return Err(invalid(
                    "group.instance.id",
                    instance,
                    "group.instance.id cannot be set when default group id (null) is used.",
                ));
            }
        } else if let Some(explicit) = auto_commit_explicit {
            config.enable_auto_commit = explicit;
        }
        if config.heartbeat_interval_ms >= config.session_timeout_ms {
            return Err(invalid(
                "heartbeat.interval.ms",
                &config.heartbeat_interval_ms.to_string(),
                "Heartbeat must be set lower than the session timeout",
            ));
        }
        Ok(config)
    }
}
