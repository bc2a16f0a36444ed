//! Consumer groups: the partition assignors, as pure functions.
//!
//! A group's leader member runs an assignor over the group's subscriptions and the partition
//! counts of the subscribed topics, and the coordinator hands each member its share. This
//! module holds the assignors, equal to Apache Kafka's (3.7+) client-side assignors on the same
//! input:
//!
//! * [`RangeAssignor`] (`"range"`): per topic, contiguous ranges of partitions, the first
//!   `partitions % members` members one partition more.
//! * [`RoundRobinAssignor`] (`"roundrobin"`): all partitions dealt one by one around the
//!   members in a circle, skipping members not subscribed to the partition's topic.
//!
//! Both order the members as Kafka's `AbstractPartitionAssignor.MemberInfo` does: static members
//! (those with a `group.instance.id`) first, by instance id, then dynamic members by member id.
//! Strings compare as Java's `String.compareTo` does (UTF-16 code units), see
//! [`assignor::java_string_cmp`].
//!
//! The assignors take no clock, no randomness and no hasher: the same input gives the same
//! [`Assignment`] on every machine.

pub mod assignor;
pub mod protocol;
pub mod range;
pub mod round_robin;

pub use assignor::{Assignment, Assignor, Member, TopicPartition};
pub use range::RangeAssignor;
pub use round_robin::RoundRobinAssignor;
