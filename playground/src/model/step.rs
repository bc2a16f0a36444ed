//! What a "Step" in pause did, as data: the view puts it in words in the page's language
//! ([`crate::i18n::ui::step_text`]).

use super::network::Endpoint;

/// The message on the wire that ended a step: Kafka's API name, from where to where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireMessage {
    /// Kafka's API name (`Produce`, `Heartbeat`, …), never translated.
    pub api: &'static str,
    /// Where it comes from.
    pub from: Endpoint,
    /// Where it goes.
    pub to: Endpoint,
}

/// What one step did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepSaid {
    /// Nothing was due within `limit_ms`: time moved `moved_ms`.
    Idle {
        /// How far the step looked ahead.
        limit_ms: i64,
        /// Cluster ms it moved.
        moved_ms: i64,
    },
    /// Time moved to the next thing that happened; `message` when a message on the wire
    /// ended the step.
    Moved {
        /// Cluster ms it moved.
        moved_ms: i64,
        /// The message that ended it.
        message: Option<WireMessage>,
    },
    /// Time moved onto the next planned script commands, which were applied.
    Planned {
        /// Cluster ms it moved.
        moved_ms: i64,
        /// The commands, as script lines (Kafka's tools and the playground's verbs).
        commands: Vec<String>,
    },
}
