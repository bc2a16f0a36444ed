//! Errors of the host: engine errors with their Kafka names, storage failures, bad arguments.

use rill_core::{ErrorCode, KafkaError};

/// Why a host command failed. Nothing was changed when this is returned before persistence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostError {
    /// The engine refused the command with a Kafka error.
    Kafka {
        /// Kafka's error.
        code: ErrorCode,
        /// What went wrong and what to do.
        message: String,
    },
    /// An argument from JavaScript had the wrong type or shape.
    InvalidArgument(String),
    /// The browser's storage failed (IndexedDB unavailable, quota, blocked upgrade).
    Storage(String),
}

impl HostError {
    /// The error's type name: Kafka's error name, or `INVALID_ARGUMENT` / `KAFKA_STORAGE_ERROR`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Kafka { code, .. } => code.name(),
            Self::InvalidArgument(_) => "INVALID_ARGUMENT",
            Self::Storage(_) => "KAFKA_STORAGE_ERROR",
        }
    }

    /// Kafka's numeric error code where one applies (`KAFKA_STORAGE_ERROR` is 56).
    pub fn code(&self) -> Option<i16> {
        match self {
            Self::Kafka { code, .. } => Some(code.code()),
            Self::InvalidArgument(_) => None,
            Self::Storage(_) => Some(56),
        }
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        match self {
            Self::Kafka { message, .. }
            | Self::InvalidArgument(message)
            | Self::Storage(message) => message,
        }
    }

    pub(crate) fn kafka(error: &impl KafkaError) -> Self {
        Self::Kafka {
            code: error.error_code(),
            message: error.to_string(),
        }
    }
}

impl std::fmt::Display for HostError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.type_name(), self.message())
    }
}

impl std::error::Error for HostError {}
