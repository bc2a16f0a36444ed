//! The four assignors side by side: Kafka's `range`, `roundrobin`, `sticky` and
//! `cooperative-sticky` (rill's pure functions in `rill_core::group`) on the same members and
//! topics, before and after a change (a member joins or leaves), with what moves under each
//! and cooperative's two rebalances. Runs without a cluster.

use std::collections::{BTreeMap, BTreeSet};

use rill_core::group::{
    Assignment, Assignor, CooperativeStickyAssignor, Member, RangeAssignor, RebalanceProtocol,
    RoundRobinAssignor, StickyAssignor, TopicPartition,
};

/// The assignors compared, in the order drawn.
pub const ASSIGNORS: [&str; 4] = ["range", "roundrobin", "sticky", "cooperative-sticky"];

/// Members, their subscriptions and the topics' partition counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssignorInput {
    /// `(member, subscribed topics)`, in join order.
    pub members: Vec<(String, Vec<String>)>,
    /// Partition count per topic.
    pub topics: BTreeMap<String, u32>,
}

/// A membership change to compare.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A member joins, subscribed to these topics.
    Join(String, Vec<String>),
    /// A member leaves.
    Leave(String),
    /// A member changes its subscription.
    Resubscribe(String, Vec<String>),
}

/// One assignor's column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssignorColumn {
    /// Kafka's name.
    pub name: &'static str,
    /// How the group rebalances with it alone listed.
    pub protocol: RebalanceProtocol,
    /// The assignment before the change (a fresh group).
    pub before: Assignment,
    /// Cooperative only: the first rebalance's assignment (moving partitions withheld).
    pub first_phase: Option<Assignment>,
    /// The assignment once the change is done.
    pub after: Assignment,
    /// Partitions whose owner changed.
    pub moved: BTreeSet<TopicPartition>,
    /// Partitions revoked from their owner in the (first) rebalance: all of them under eager.
    pub revoked: BTreeSet<TopicPartition>,
}

/// Parses members, one per line: `name: topic, topic` (or `name topic topic`).
///
/// # Errors
/// A message naming the bad line.
pub fn parse_members(text: &str) -> Result<Vec<(String, Vec<String>)>, String> {
    let mut members: Vec<(String, Vec<String>)> = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (name, topics) = line
            .split_once(':')
            .unwrap_or_else(|| line.split_once(char::is_whitespace).unwrap_or((line, "")));
        let name = name.trim();
        let topics = split_list(topics);
        if !rill_core::scenario::is_valid_name(name) || topics.is_empty() {
            return Err(format!(
                "line {}: expected 'member: topic, topic', got '{line}'",
                number + 1
            ));
        }
        if members.iter().any(|(m, _)| m == name) {
            return Err(format!(
                "line {}: member {name} is listed twice",
                number + 1
            ));
        }
        members.push((name.to_owned(), topics));
    }
    Ok(members)
}

/// Parses topics: `t1:3, t2:2`.
///
/// # Errors
/// A message naming the bad entry.
pub fn parse_topics(text: &str) -> Result<BTreeMap<String, u32>, String> {
    let mut topics = BTreeMap::new();
    for entry in split_list(text) {
        let parsed = entry
            .split_once(':')
            .and_then(|(name, count)| Some((name.trim(), count.trim().parse::<u32>().ok()?)))
            .filter(|(name, count)| {
                rill_core::scenario::is_valid_name(name) && (1..=10_000).contains(count)
            });
        match parsed {
            Some((name, count)) => {
                topics.insert(name.to_owned(), count);
            }
            None => {
                return Err(format!(
                    "expected 'topic:partitions' (1 to 10000 partitions), got '{entry}'"
                ));
            }
        }
    }
    Ok(topics)
}

/// Splits `a, b c` into words.
pub fn split_list(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn assignor(name: &str) -> &'static dyn Assignor {
    match name {
        "range" => &RangeAssignor,
        "roundrobin" => &RoundRobinAssignor,
        "sticky" => &StickyAssignor,
        _ => &CooperativeStickyAssignor,
    }
}

fn members_owning(
    list: &[(String, Vec<String>)],
    owned: Option<&Assignment>,
    generation: i32,
) -> Vec<Member> {
    list.iter()
        .map(|(name, topics)| {
            let mut member = Member::new(name.clone(), topics.iter().cloned());
            if let Some(owned) = owned {
                member.owned = owned.get(name).cloned().unwrap_or_default();
                member.generation = Some(generation);
            }
            member
        })
        .collect()
}

fn owners(assignment: &Assignment) -> BTreeMap<&TopicPartition, &str> {
    assignment
        .iter()
        .flat_map(|(member, tps)| tps.iter().map(move |tp| (tp, member.as_str())))
        .collect()
}

/// The members after `change`.
///
/// # Errors
/// A message when the change names a member that is (or is not) there.
pub fn apply_change(
    members: &[(String, Vec<String>)],
    change: &Change,
) -> Result<Vec<(String, Vec<String>)>, String> {
    let mut after = members.to_vec();
    match change {
        Change::Join(name, topics) => {
            if after.iter().any(|(m, _)| m == name) {
                return Err(format!("{name} is already a member"));
            }
            if topics.is_empty() {
                return Err(format!("{name} subscribes to no topic"));
            }
            after.push((name.clone(), topics.clone()));
        }
        Change::Leave(name) => {
            let before = after.len();
            after.retain(|(m, _)| m != name);
            if after.len() == before {
                return Err(format!("{name} is not a member"));
            }
        }
        Change::Resubscribe(name, topics) => match after.iter_mut().find(|(m, _)| m == name) {
            Some((_, subscribed)) if !topics.is_empty() => subscribed.clone_from(topics),
            Some(_) => return Err(format!("{name} subscribes to no topic")),
            None => return Err(format!("{name} is not a member")),
        },
    }
    Ok(after)
}

/// Every assignor's column for `input` and `change`.
///
/// Before: a fresh group (nobody owns anything). After: each member reports what it owned
/// (generation 1); range and roundrobin ignore it, the sticky ones keep what balance allows.
/// Under the eager protocol every owned partition is revoked first; cooperative-sticky revokes
/// only the moving ones and assigns them in a second rebalance.
///
/// # Errors
/// As [`apply_change`].
pub fn compare(input: &AssignorInput, change: &Change) -> Result<Vec<AssignorColumn>, String> {
    let after_members = apply_change(&input.members, change)?;
    Ok(ASSIGNORS
        .iter()
        .map(|&name| {
            let assignor = assignor(name);
            let before = assignor.assign(&input.topics, &members_owning(&input.members, None, 0));
            let cooperative = name == CooperativeStickyAssignor::NAME;
            let first = assignor.assign(
                &input.topics,
                &members_owning(&after_members, Some(&before), 1),
            );
            let (first_phase, after) = if cooperative {
                let second = assignor.assign(
                    &input.topics,
                    &members_owning(&after_members, Some(&first), 2),
                );
                (Some(first), second)
            } else {
                (None, first)
            };
            let (old, new) = (owners(&before), owners(&after));
            let moved: BTreeSet<TopicPartition> = old
                .iter()
                .filter(|(tp, owner)| new.get(*tp) != Some(*owner))
                .map(|(tp, _)| (*tp).clone())
                .chain(
                    new.keys()
                        .filter(|tp| !old.contains_key(*tp))
                        .map(|tp| (*tp).clone()),
                )
                .collect();
            let revoked: BTreeSet<TopicPartition> = match &first_phase {
                Some(first) => {
                    // Only members still there revoke; one that left released its own.
                    let kept = owners(first);
                    old.iter()
                        .filter(|(_, owner)| first.contains_key(**owner))
                        .filter(|(tp, owner)| kept.get(*tp) != Some(*owner))
                        .map(|(tp, _)| (*tp).clone())
                        .collect()
                }
                // Eager: every member gives up everything before it rejoins.
                None => old.keys().map(|tp| (*tp).clone()).collect(),
            };
            AssignorColumn {
                name,
                protocol: if cooperative {
                    RebalanceProtocol::Cooperative
                } else {
                    RebalanceProtocol::Eager
                },
                before,
                first_phase,
                after,
                moved,
                revoked,
            }
        })
        .collect())
}
