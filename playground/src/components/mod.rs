//! The views, one file each. Each reads its slice of the model through `crate::context` and
//! sends commands to the engine.

mod alert;
mod assignors;
mod brokers;
mod create_group;
mod create_topic;
mod event_log;
pub mod group_card;
pub mod group_timeline;
mod groups;
mod header;
mod history;
mod jump;
mod lane;
mod network;
mod partition_picker;
mod produce;
mod producers;
mod reassign;
mod record_details;
mod topic;
pub mod topic_admin;
mod transport;

pub use alert::InlineAlert;
pub use assignors::AssignorsPage;
pub use brokers::Brokers;
pub use create_group::CreateGroup;
pub use create_topic::CreateTopic;
pub use event_log::EventLogView;
pub use groups::{GroupFlags, GroupsPage};
pub use header::Header;
pub use history::HistoryPanel;
pub use jump::TimeJump;
pub use lane::LaneView;
pub use network::NetworkStrip;
pub use partition_picker::PartitionPicker;
pub use produce::Produce;
pub use producers::Producers;
pub use reassign::Reassign;
pub use record_details::RecordDetails;
pub use topic::TopicCard;
pub use topic_admin::TopicAdmin;
pub use transport::{Transport, clock_text};
