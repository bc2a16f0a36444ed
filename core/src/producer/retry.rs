//! Producer retries: [`RetryPolicy`] (which errors, how many times, which backoff, until
//! when) and [`BatchRetry`] (one batch's attempts under a policy).

use crate::consumer::error::is_retriable;
use crate::error::ErrorCode;

/// Which produce errors a producer sends again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetriableErrors {
    /// Only errors that mean the broker appended nothing (`NOT_LEADER_OR_FOLLOWER`,
    /// `UNKNOWN_TOPIC_OR_PARTITION`, `LEADER_NOT_AVAILABLE`, `NOT_ENOUGH_REPLICAS`, and
    /// `NETWORK_EXCEPTION`, which the cluster answers only for a connection a stopped broker
    /// refused): what Kafka's idempotent producer may retry without duplicating, for a
    /// cluster that has no producer ids.
    NothingAppended,
    /// Every error Kafka marks retriable (a `RetriableException`), as KafkaJS's retrier does
    /// (`KafkaJSProtocolError.retriable`): a retry after `REQUEST_TIMED_OUT` may duplicate.
    Retriable,
}

impl RetriableErrors {
    /// Whether `error` is retried.
    pub const fn contains(self, error: ErrorCode) -> bool {
        match self {
            Self::NothingAppended => matches!(
                error,
                ErrorCode::NotLeaderOrFollower
                    | ErrorCode::UnknownTopicOrPartition
                    | ErrorCode::LeaderNotAvailable
                    | ErrorCode::NotEnoughReplicas
                    | ErrorCode::NetworkException
            ),
            Self::Retriable => is_retriable(error),
        }
    }
}

/// How a producer retries a refused batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Resends after the first attempt (Kafka's `retries`, KafkaJS's `retry.retries`).
    pub retries: u32,
    /// The wait before the first resend (`retry.backoff.ms`, KafkaJS's `initialRetryTime`).
    pub initial_backoff_ms: i64,
    /// Each later wait is the previous one times this (1: constant; KafkaJS's `multiplier` 2).
    pub multiplier: u32,
    /// The longest wait (KafkaJS's `maxRetryTime`).
    pub max_backoff_ms: i64,
    /// No resend once this long has passed since the batch was first sent (Kafka's
    /// `delivery.timeout.ms`); `None`: no such bound (KafkaJS).
    pub delivery_timeout_ms: Option<i64>,
    /// Which errors are retried.
    pub errors: RetriableErrors,
}

/// Kafka's `retry.backoff.ms` default.
pub const RETRY_BACKOFF_MS: i64 = 100;

/// Kafka's `delivery.timeout.ms` default.
pub const DELIVERY_TIMEOUT_MS: i64 = 120_000;

impl RetryPolicy {
    /// Kafka's Java producer with `retries` (its default is unbounded: `i32::MAX`):
    /// `retry.backoff.ms` 100 between attempts, `delivery.timeout.ms` 120 s, and only errors
    /// that appended nothing ([`RetriableErrors::NothingAppended`]).
    pub const fn java(retries: u32) -> Self {
        Self {
            retries,
            initial_backoff_ms: RETRY_BACKOFF_MS,
            multiplier: 1,
            max_backoff_ms: RETRY_BACKOFF_MS,
            delivery_timeout_ms: Some(DELIVERY_TIMEOUT_MS),
            errors: RetriableErrors::NothingAppended,
        }
    }

    /// KafkaJS's `retry` options (defaults `retries` 5, `initialRetryTime` 300,
    /// `maxRetryTime` 30000): the wait doubles from `initial_ms` up to `max_ms`, without
    /// KafkaJS's random `factor` (rill's clients draw no unseeded randomness); every
    /// retriable error.
    pub fn kafkajs(retries: u32, initial_ms: i64, max_ms: i64) -> Self {
        Self {
            retries,
            initial_backoff_ms: initial_ms.max(0),
            multiplier: 2,
            max_backoff_ms: max_ms.max(0),
            delivery_timeout_ms: None,
            errors: RetriableErrors::Retriable,
        }
    }

    /// The wait before resend number `retry` (1 for the first resend).
    pub fn backoff(&self, retry: u32) -> i64 {
        let exponent = retry.saturating_sub(1).min(40);
        let factor = i64::from(self.multiplier).saturating_pow(exponent);
        self.initial_backoff_ms
            .saturating_mul(factor)
            .min(self.max_backoff_ms)
            .max(0)
    }
}

/// What to do after an answer to a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settle {
    /// Acknowledged: done.
    Done,
    /// Refused with a retried error: send it again at this cluster time.
    RetryAt(i64),
    /// Refused for good with `error` after `attempts` sends (a non-retried error, no retries
    /// left, or past the delivery timeout).
    Fail {
        /// The last answer's error.
        error: ErrorCode,
        /// How many times the batch was sent.
        attempts: u32,
    },
}

/// One batch's attempts under a [`RetryPolicy`]: call [`BatchRetry::sent`] at every send and
/// [`BatchRetry::settle`] with every answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchRetry {
    policy: RetryPolicy,
    /// When the batch was first sent.
    first_sent: Option<i64>,
    /// Sends so far.
    attempts: u32,
}

impl BatchRetry {
    /// A batch not sent yet.
    pub const fn new(policy: RetryPolicy) -> Self {
        Self {
            policy,
            first_sent: None,
            attempts: 0,
        }
    }

    /// The batch goes out (again) at `now`.
    pub fn sent(&mut self, now: i64) {
        self.first_sent.get_or_insert(now);
        self.attempts = self.attempts.saturating_add(1);
    }

    /// Sends so far.
    pub const fn attempts(&self) -> u32 {
        self.attempts
    }

    /// When the batch was first sent, if it was.
    pub const fn first_sent(&self) -> Option<i64> {
        self.first_sent
    }

    /// The answer to the last send, at `now`: what to do next. `retry_allowed` false (the
    /// producer is closing) turns a retry into a failure.
    pub fn settle(&self, now: i64, result: Result<(), ErrorCode>, retry_allowed: bool) -> Settle {
        debug_assert!(self.attempts > 0, "an answer comes after a send");
        let error = match result {
            Ok(()) => return Settle::Done,
            Err(error) => error,
        };
        let policy = &self.policy;
        let within_timeout = match (policy.delivery_timeout_ms, self.first_sent) {
            (Some(timeout), Some(first)) => now.saturating_sub(first) < timeout,
            _ => true,
        };
        if retry_allowed
            && policy.errors.contains(error)
            && self.attempts <= policy.retries
            && within_timeout
        {
            Settle::RetryAt(now.saturating_add(policy.backoff(self.attempts)))
        } else {
            Settle::Fail {
                error,
                attempts: self.attempts,
            }
        }
    }
}

#[cfg(test)]
mod tests;
