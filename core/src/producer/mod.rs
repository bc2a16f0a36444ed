//! A producer client's behaviour that does not depend on how requests travel: which errors
//! are retried, how often, after how long, and until when ([`RetryPolicy`]), and the
//! bookkeeping of one batch's attempts ([`BatchRetry`]).
//!
//! Two producers use it: the scenario world's (Kafka's Java producer with its defaults,
//! [`RetryPolicy::java`]) and the JavaScript API's (KafkaJS's `retry` options,
//! [`RetryPolicy::kafkajs`]). The host sends, hands each answer to [`BatchRetry::settle`] and
//! does what the [`Settle`] says: done, send again at a time, or fail with an error.

pub mod retry;

pub use retry::{BatchRetry, RetriableErrors, RetryPolicy, Settle};
