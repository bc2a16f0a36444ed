//! `rill-core`: a Kafka-semantics broker engine that does no I/O.
//!
//! The engine is deterministic. It never reads a clock, touches a file, the network, the DOM
//! or storage, and never draws randomness it was not given: time (`now`, milliseconds since the
//! epoch) and seeds arrive as inputs, so the same commands at the same times produce the same
//! results, events and stored bytes on every machine and in every browser.
//!
//! The engine is one [`cluster::Cluster`] of simulated brokers (one broker is a cluster of
//! one). Hosts drive it in a simple cycle: submit a command (for example
//! [`cluster::Cluster::produce`]) or move time ([`cluster::Cluster::advance`], up to
//! [`cluster::Cluster::next_wakeup`]), then drain what it produced —
//! [`cluster::Cluster::poll_storage`] for the bytes to persist before acknowledging,
//! [`cluster::Cluster::poll_outcomes`] for the answers and [`cluster::Cluster::poll_events`]
//! for what to draw. After a restart, the host hands back what it stored as a
//! [`cluster::ClusterImage`] and [`cluster::Cluster::recover`] rebuilds the same state.
//!
//! Behaviour, names, configs, error names and byte formats are Apache Kafka's (3.7+).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod admin;
pub mod cluster;
pub mod config;
pub mod consumer;
pub mod error;
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

pub use error::{ErrorCode, KafkaError};
