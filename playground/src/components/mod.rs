//! The playground's components, one per file.

mod alert;
mod create_topic;
mod header;
mod produce;
mod topic_card;

pub use alert::AlertBanner;
pub use create_topic::{CreateTopicForm, CreateTopicRequest, PLAYGROUND_SEGMENT_BYTES};
pub use header::Header;
pub use produce::{ProduceForm, ProduceRequest};
pub use topic_card::{TopicCard, TopicRequest};
