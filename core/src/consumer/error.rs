//! The consumer's errors: Kafka's client exceptions, with the protocol error where there is
//! one.

use crate::error::ErrorCode;
use crate::group::TopicPartition;

/// Java's `Set<TopicPartition>.toString()`: `[orders-0, orders-1]`.
fn java_set(partitions: &[TopicPartition]) -> String {
    let items: Vec<String> = partitions.iter().map(ToString::to_string).collect();
    format!("[{}]", items.join(", "))
}

/// Java's `Map<TopicPartition, Long>.toString()`: `{orders-0=48, orders-1=7}`.
fn java_map(partitions: &[(TopicPartition, i64)]) -> String {
    let items: Vec<String> = partitions
        .iter()
        .map(|(tp, offset)| format!("{tp}={offset}"))
        .collect();
    format!("{{{}}}", items.join(", "))
}

/// A failed consumer call, commit or poll. Each variant is one of Kafka's client exceptions
/// ([`ConsumerError::exception_name`]) and, where the broker sent one, its [`ErrorCode`].
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConsumerError {
    /// The call needs a `group.id` (`InvalidGroupIdException`, `INVALID_GROUP_ID`).
    #[error(
        "To use the group management or offset commit APIs, you must provide a valid group.id in the consumer configuration."
    )]
    InvalidGroupId,
    /// `subscribe` after `assign` or the other way round (`IllegalStateException`).
    #[error("Subscription to topics, partitions and pattern are mutually exclusive")]
    SubscriptionModesExclusive,
    /// The partition is not assigned to this consumer (`IllegalStateException`).
    #[error("No current assignment for partition {partition}")]
    NotAssigned {
        /// The partition.
        partition: TopicPartition,
    },
    /// A bad argument: empty topic, negative offset (`IllegalArgumentException`).
    #[error("{0}")]
    IllegalArgument(String),
    /// `poll` before `subscribe` or `assign` (`IllegalStateException`).
    #[error("Consumer is not subscribed to any topics or assigned any partitions")]
    NotSubscribed,
    /// The consumer is closed (`IllegalStateException`).
    #[error("This consumer has already been closed.")]
    Closed,
    /// `auto.offset.reset=none` and the partitions have no committed offset
    /// (`NoOffsetForPartitionException`).
    #[error(
        "Undefined offset with no reset policy for partitions: {}",
        java_set(partitions)
    )]
    NoOffsetForPartition {
        /// The partitions.
        partitions: Vec<TopicPartition>,
    },
    /// `auto.offset.reset=none` and the fetch position is outside the log
    /// (`OffsetOutOfRangeException`, `OFFSET_OUT_OF_RANGE`).
    #[error(
        "Fetch position is out of range with no configured reset policy for partitions: {}",
        java_map(partitions)
    )]
    OffsetOutOfRange {
        /// Each partition with the offset that was out of range.
        partitions: Vec<(TopicPartition, i64)>,
    },
    /// Another member took this `group.instance.id` (`FencedInstanceIdException`,
    /// `FENCED_INSTANCE_ID`); the consumer can no longer be used.
    #[error(
        "The broker rejected this static consumer since another consumer with the same group.instance.id has registered with a different member.id."
    )]
    FencedInstanceId,
    /// The commit was rejected because the member is no longer in the generation
    /// (`CommitFailedException`, from `UNKNOWN_MEMBER_ID` / `ILLEGAL_GENERATION`).
    #[error(
        "Commit cannot be completed since the group has already rebalanced and assigned the partitions to another member."
    )]
    CommitFailed {
        /// The broker's error, if the commit was sent.
        error: Option<ErrorCode>,
    },
    /// The group is rebalancing; complete the rebalance with `poll` and retry
    /// (`RebalanceInProgressException`, `REBALANCE_IN_PROGRESS`).
    #[error("Offset commit cannot be completed since the consumer is undergoing a rebalance.")]
    RebalanceInProgress,
    /// An asynchronous commit failed with a retriable error (`RetriableCommitFailedException`).
    #[error("Offset commit failed with a retriable exception: {error}")]
    RetriableCommitFailed {
        /// The broker's or the network's error.
        error: ErrorCode,
    },
    /// The operation did not complete within `default.api.timeout.ms` (`TimeoutException`).
    #[error("Timeout of {timeout_ms}ms expired before successfully committing offsets")]
    Timeout {
        /// The timeout that expired.
        timeout_ms: i64,
    },
    /// Any other error the coordinator answered (`KafkaException` or the error's own
    /// exception: `INCONSISTENT_GROUP_PROTOCOL`, `GROUP_MAX_SIZE_REACHED`, …).
    #[error("Unexpected error from the group coordinator: {error}")]
    Group {
        /// The error.
        error: ErrorCode,
    },
}

impl ConsumerError {
    /// The name of the Kafka client exception this error is thrown as.
    pub const fn exception_name(&self) -> &'static str {
        match self {
            Self::InvalidGroupId => "InvalidGroupIdException",
            Self::SubscriptionModesExclusive
            | Self::NotSubscribed
            | Self::NotAssigned { .. }
            | Self::Closed => "IllegalStateException",
            Self::IllegalArgument(_) => "IllegalArgumentException",
            Self::NoOffsetForPartition { .. } => "NoOffsetForPartitionException",
            Self::OffsetOutOfRange { .. } => "OffsetOutOfRangeException",
            Self::FencedInstanceId => "FencedInstanceIdException",
            Self::CommitFailed { .. } => "CommitFailedException",
            Self::RebalanceInProgress => "RebalanceInProgressException",
            Self::RetriableCommitFailed { .. } => "RetriableCommitFailedException",
            Self::Timeout { .. } => "TimeoutException",
            Self::Group { .. } => "KafkaException",
        }
    }

    /// The Kafka protocol error behind this error, if there is one.
    pub const fn error_code(&self) -> Option<ErrorCode> {
        match self {
            Self::InvalidGroupId => Some(ErrorCode::InvalidGroupId),
            Self::OffsetOutOfRange { .. } => Some(ErrorCode::OffsetOutOfRange),
            Self::FencedInstanceId => Some(ErrorCode::FencedInstanceId),
            Self::CommitFailed { error } => *error,
            Self::RebalanceInProgress => Some(ErrorCode::RebalanceInProgress),
            Self::RetriableCommitFailed { error } | Self::Group { error } => Some(*error),
            Self::Timeout { .. } => Some(ErrorCode::RequestTimedOut),
            _ => None,
        }
    }
}

/// Whether Kafka's client treats `error` as retriable (a `RetriableException`).
pub const fn is_retriable(error: ErrorCode) -> bool {
    matches!(
        error,
        ErrorCode::CoordinatorLoadInProgress
            | ErrorCode::CoordinatorNotAvailable
            | ErrorCode::NotCoordinator
            | ErrorCode::RequestTimedOut
            | ErrorCode::NetworkException
            | ErrorCode::UnknownTopicOrPartition
            | ErrorCode::NotLeaderOrFollower
            | ErrorCode::LeaderNotAvailable
            | ErrorCode::UnstableOffsetCommit
            | ErrorCode::NotEnoughReplicas
            | ErrorCode::NotEnoughReplicasAfterAppend
            | ErrorCode::FencedLeaderEpoch
            | ErrorCode::UnknownLeaderEpoch
            | ErrorCode::CorruptMessage
            | ErrorCode::OffsetNotAvailable
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_print_as_kafkas_topic_partition() {
        let out_of_range = ConsumerError::OffsetOutOfRange {
            partitions: vec![
                (TopicPartition::new("payments", 1), 48),
                (TopicPartition::new("payments", 2), 7),
            ],
        };
        assert_eq!(
            out_of_range.to_string(),
            "Fetch position is out of range with no configured reset policy for partitions: {payments-1=48, payments-2=7}"
        );
        let no_offset = ConsumerError::NoOffsetForPartition {
            partitions: vec![TopicPartition::new("payments", 0)],
        };
        assert_eq!(
            no_offset.to_string(),
            "Undefined offset with no reset policy for partitions: [payments-0]"
        );
    }
}
