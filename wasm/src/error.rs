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
    /// The browser's storage failed (IndexedDB unavailable, a write aborted, blocked upgrade).
    /// When a write fails, the engine is back at its last persisted state.
    Storage(String),
    /// The browser refused a write for lack of space (IndexedDB's `QuotaExceededError`). The
    /// write is rejected and the engine is back at its last persisted state. Kafka has no name
    /// for this; rill calls it `STORAGE_QUOTA_EXCEEDED`.
    QuotaExceeded(String),
    /// Another instance (another tab, or this page) already has this store open for writing.
    /// rill calls it `STORE_LOCKED`.
    Locked(String),
    /// The store's database is gone although a marker outside IndexedDB says it held data:
    /// the browser discarded it (Chromium deletes a database it finds corrupted after a
    /// crash). rill calls it `STORE_DISCARDED`; opening with `onDiscarded: 'startFresh'`
    /// starts an empty store instead.
    Discarded(String),
}

impl HostError {
    /// The error's type name: Kafka's error name, or one of rill's own for what Kafka has no
    /// name for: `INVALID_ARGUMENT`, `STORAGE_QUOTA_EXCEEDED`, `STORE_LOCKED`, `STORE_DISCARDED`.
    /// Storage failures
    /// are Kafka's `KAFKA_STORAGE_ERROR`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Kafka { code, .. } => code.name(),
            Self::InvalidArgument(_) => "INVALID_ARGUMENT",
            Self::Storage(_) => "KAFKA_STORAGE_ERROR",
            Self::QuotaExceeded(_) => "STORAGE_QUOTA_EXCEEDED",
            Self::Locked(_) => "STORE_LOCKED",
            Self::Discarded(_) => "STORE_DISCARDED",
        }
    }

    /// Kafka's numeric error code where one applies (`KAFKA_STORAGE_ERROR` is 56).
    pub fn code(&self) -> Option<i16> {
        match self {
            Self::Kafka { code, .. } => Some(code.code()),
            Self::InvalidArgument(_)
            | Self::QuotaExceeded(_)
            | Self::Locked(_)
            | Self::Discarded(_) => None,
            Self::Storage(_) => Some(56),
        }
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        match self {
            Self::Kafka { message, .. }
            | Self::InvalidArgument(message)
            | Self::Storage(message)
            | Self::QuotaExceeded(message)
            | Self::Locked(message)
            | Self::Discarded(message) => message,
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
