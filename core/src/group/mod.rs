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
//! * [`StickyAssignor`] (`"sticky"`) and [`CooperativeStickyAssignor`]
//!   (`"cooperative-sticky"`): balanced, and on a rebalance each member keeps as many of the
//!   partitions it owned as balance allows; the cooperative one withholds partitions that
//!   change owner until their old owner has revoked them.
//!
//! Range and RoundRobin order the members as Kafka's `AbstractPartitionAssignor.MemberInfo` does: static members
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
pub mod sticky;

pub use assignor::{Assignment, Assignor, Member, RebalanceProtocol, TopicPartition};
pub use coordinator::{
    CoordinatorConfig, CoordinatorOutput, GroupCoordinator, GroupDescription, GroupEvent,
    GroupListing, GroupState, MemberDescription,
};
pub use range::RangeAssignor;
pub use round_robin::RoundRobinAssignor;
pub use sticky::{CooperativeStickyAssignor, StickyAssignor};

use protocol::Subscription;

/// The assignor Kafka knows by `name` in `partition.assignment.strategy` and JoinGroup
/// (`"range"`, `"roundrobin"`, …), or `None` for a name rill does not implement.
pub fn assignor_named(name: &str) -> Option<&'static dyn Assignor> {
    match name {
        RangeAssignor::NAME => Some(&RangeAssignor),
        RoundRobinAssignor::NAME => Some(&RoundRobinAssignor),
        StickyAssignor::NAME => Some(&StickyAssignor),
        CooperativeStickyAssignor::NAME => Some(&CooperativeStickyAssignor),
        _ => None,
    }
}

/// The assignor's view of a member that joined with `subscription` for the strategy
/// `protocol`: its topics, its owned partitions and their generation.
///
/// The consumer sends what it owns in `ownedPartitions` and `generationId`
/// (`ConsumerProtocolSubscription` v1+/v2+). `"sticky"` (an eager assignor) reads both from its
/// user data only, as Kafka's `StickyAssignor.memberData` does: without user data the member
/// owns nothing and has no generation. `"cooperative-sticky"` takes `generationId` when the
/// subscription has one, else the generation in its user data
/// (`CooperativeStickyAssignor.memberData`).
pub fn member_from_subscription(
    protocol: &str,
    member_id: &str,
    group_instance_id: Option<&str>,
    subscription: &Subscription,
) -> Member {
    let subscribed_generation =
        (subscription.generation_id >= 0).then_some(subscription.generation_id);
    let (owned, generation) = match protocol {
        StickyAssignor::NAME => {
            let data = sticky::user_data::decode_sticky(subscription.user_data.as_deref());
            (data.partitions, data.generation)
        }
        CooperativeStickyAssignor::NAME => (
            subscription.owned_partitions.clone(),
            subscribed_generation.or_else(|| {
                sticky::user_data::decode_cooperative(subscription.user_data.as_deref())
            }),
        ),
        _ => (subscription.owned_partitions.clone(), subscribed_generation),
    };
    Member {
        member_id: member_id.to_string(),
        group_instance_id: group_instance_id.map(str::to_string),
        topics: subscription.topics.clone(),
        owned,
        generation,
    }
}

/// The user data a member sends with its subscription for the strategy `protocol`, given the
/// assignment and generation that assignor was last told by `onAssignment` (Kafka's
/// `ConsumerPartitionAssignor.subscriptionUserData`); `None` for assignors that keep none.
///
/// The consumer passes the assignor's memory, not what it owns now: an eager member has
/// revoked everything before it joins, yet Kafka's `StickyAssignor` still reports its last
/// assignment.
///
/// `"sticky"`: Kafka's `StickyAssignor_USER_DATA_V1` bytes of `owned` and `generation`, or
/// `None` for a member that was never assigned anything (no generation, nothing owned).
/// `"cooperative-sticky"`: the generation as a big-endian int32 (-1 for none).
pub fn subscription_user_data(
    protocol: &str,
    owned: &[TopicPartition],
    generation: Option<i32>,
) -> Option<Vec<u8>> {
    let default = sticky::user_data::DEFAULT_GENERATION;
    match protocol {
        StickyAssignor::NAME if generation.is_none() && owned.is_empty() => None,
        StickyAssignor::NAME => Some(sticky::user_data::encode_sticky(
            owned,
            generation.unwrap_or(default),
        )),
        CooperativeStickyAssignor::NAME => Some(sticky::user_data::encode_cooperative(
            generation.unwrap_or(default),
        )),
        _ => None,
    }
}
