//! The views, one file each. Each reads its slice of the model through `crate::context` and
//! sends commands to the engine.

mod alert;
mod brokers;
mod create_topic;
mod event_log;
mod header;
mod jump;
mod lane;
mod partition_picker;
mod produce;
mod reassign;
mod record_details;
mod topic;
pub mod topic_admin;
mod transport;

pub use alert::InlineAlert;
pub use brokers::Brokers;
pub use create_topic::CreateTopic;
pub use event_log::EventLogView;
pub use header::Header;
pub use jump::TimeJump;
pub use lane::LaneView;
pub use partition_picker::PartitionPicker;
pub use produce::Produce;
pub use reassign::Reassign;
pub use record_details::RecordDetails;
pub use topic::TopicCard;
pub use topic_admin::TopicAdmin;
pub use transport::{Transport, clock_text};
