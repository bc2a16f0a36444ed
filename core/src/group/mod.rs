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
pub mod coordinator;
pub mod protocol;
pub mod range;
pub mod round_robin;

pub use assignor::{Assignment, Assignor, Member, RebalanceProtocol, TopicPartition};
pub use coordinator::{
    CoordinatorConfig, CoordinatorOutput, GroupCoordinator, GroupDescription, GroupEvent,
    GroupListing, GroupState, MemberDescription,
};
pub use range::RangeAssignor;
pub use round_robin::RoundRobinAssignor;

use protocol::Subscription;

/// The assignor Kafka knows by `name` in `partition.assignment.strategy` and JoinGroup
/// (`"range"`, `"roundrobin"`, …), or `None` for a name rill does not implement.
pub fn assignor_named(name: &str) -> Option<&'static dyn Assignor> {
    match name {
        RangeAssignor::NAME => Some(&RangeAssignor),
        RoundRobinAssignor::NAME => Some(&RoundRobinAssignor),
        _ => None,
    }
}

/// The assignor's view of a member that joined with `subscription` for the strategy
/// `protocol`: its topics, its owned partitions and their generation.
///
/// The consumer sends what it owns in `ownedPartitions` and `generationId`
/// (`ConsumerProtocolSubscription` v1+/v2+); an assignor that carries its state in its own
/// user data reads it from there instead.
pub fn member_from_subscription(
    protocol: &str,
    member_id: &str,
    group_instance_id: Option<&str>,
    subscription: &Subscription,
) -> Member {
    let _ = protocol;
    Member {
        member_id: member_id.to_string(),
        group_instance_id: group_instance_id.map(str::to_string),
        topics: subscription.topics.clone(),
        owned: subscription.owned_partitions.clone(),
        generation: (subscription.generation_id >= 0).then_some(subscription.generation_id),
    }
}

/// The user data a member sends with its subscription for the strategy `protocol`, given what
/// it owned and from which generation (Kafka's `ConsumerPartitionAssignor.subscriptionUserData`);
/// `None` for assignors that keep none.
pub fn subscription_user_data(
    protocol: &str,
    owned: &[TopicPartition],
    generation: Option<i32>,
) -> Option<Vec<u8>> {
    let _ = (protocol, owned, generation);
    None
}
