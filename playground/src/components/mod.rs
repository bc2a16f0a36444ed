//! The views, one file each. Each reads its slice of the model through `crate::context` and
//! sends commands to the engine.

mod alert;
mod brokers;
mod create_topic;
mod event_log;
mod header;
mod history;
mod lane;
mod produce;
mod record_details;
mod topic;
mod transport;

pub use alert::InlineAlert;
pub use brokers::Brokers;
pub use create_topic::CreateTopic;
pub use event_log::EventLogView;
pub use header::Header;
pub use history::HistoryPanel;
pub use lane::LaneView;
pub use produce::Produce;
pub use record_details::RecordDetails;
pub use topic::TopicCard;
pub use transport::{Transport, clock_text};
