//! `rill-core`: a Kafka-semantics broker engine that does no I/O.
//!
//! The engine is deterministic. It never reads a clock, touches a file, the network, the DOM
//! or storage, and never draws randomness it was not given: time (`now`, milliseconds since the
//! epoch) and seeds arrive as inputs, so the same commands at the same times produce the same
//! results, events and stored bytes on every machine and in every browser.
//!
//! Hosts drive it in a simple cycle: submit a command (for example [`Broker::produce`]), then
//! drain what it produced — [`Broker::poll_storage_ops`] for the bytes to persist and
//! [`Broker::poll_events`] for what to draw. After a restart, the host hands back what it
//! stored as a [`storage::RecoveryImage`] and [`Broker::recover`] rebuilds the same state.
//!
//! Behaviour, names, configs, error names and byte formats are Apache Kafka's (3.7+).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod admin;
pub mod broker;
pub mod cluster;
pub mod config;
pub mod consumer;
pub mod error;
pub mod event;
pub mod group;
pub mod log;
pub mod partitioner;
pub mod placement;
pub mod prng;
pub mod producer;
pub mod record;
pub mod scenario;
pub mod sim;
pub mod storage;
pub mod topic;

pub use broker::{Broker, Topic};
pub use error::{ErrorCode, KafkaError};
pub use event::Event;
