//! One classic group's state: Kafka's `GroupMetadata` and `MemberMetadata` — the five states
//! and their allowed transitions, the members, the generation, the leader, the protocol vote.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::GroupEvent;
use super::offsets::CommittedOffset;
use crate::group::TopicPartition;
use crate::group::protocol::{JoinGroupProtocol, MemberAssignment, Subscription};

/// A classic group's state (Kafka's `GroupState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupState {
    /// No members; offsets may remain. Next: `PreparingRebalance` (a join), `Dead` (deleted).
    Empty,
    /// Waiting for members to (re)join. Next: `CompletingRebalance`, `Empty` (nobody joined),
    /// `Dead`.
    PreparingRebalance,
    /// Everyone joined; waiting for the leader's assignment. Next: `Stable`,
    /// `PreparingRebalance`, `Dead`.
    CompletingRebalance,
    /// Assignment delivered; members heartbeat. Next: `PreparingRebalance`, `Dead`.
    Stable,
    /// Removed (deleted or unloaded). Terminal.
    Dead,
}

impl GroupState {
    /// Kafka's name of the state, as `DescribeGroups` and `ListGroups` show it.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Empty => "Empty",
            Self::PreparingRebalance => "PreparingRebalance",
            Self::CompletingRebalance => "CompletingRebalance",
            Self::Stable => "Stable",
            Self::Dead => "Dead",
        }
    }

    /// Whether Kafka allows moving from `previous` to `self` (`GroupState.validPreviousStates`).
    pub fn valid_from(self, previous: GroupState) -> bool {
        use GroupState::*;
        match self {
            Dead => true,
            CompletingRebalance => previous == PreparingRebalance,
            Stable => previous == CompletingRebalance,
            PreparingRebalance => matches!(previous, Stable | CompletingRebalance | Empty),
            Empty => previous == PreparingRebalance,
        }
    }
}

impl fmt::Display for GroupState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A member of a group (Kafka's `MemberMetadata`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Member {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub client_id: String,
    pub client_host: String,
    pub rebalance_timeout_ms: i32,
    pub session_timeout_ms: i32,
    pub protocol_type: String,
    pub protocols: Vec<JoinGroupProtocol>,
    pub assignment: MemberAssignment,
    /// The JoinGroup request waiting for the rebalance to complete.
    pub awaiting_join: Option<u64>,
    /// The SyncGroup request waiting for the assignment.
    pub awaiting_sync: Option<u64>,
    /// Joined during this rebalance: expires after the new-member join timeout if it does not
    /// rejoin.
    pub is_new: bool,
    /// When the session expires unless the member is heard from.
    pub heartbeat_deadline: i64,
}

impl Member {
    /// The member's subscription for `protocol`.
    pub(crate) fn metadata(&self, protocol: &str) -> Option<&Subscription> {
        self.protocols
            .iter()
            .find(|p| p.name == protocol)
            .map(|p| &p.metadata)
    }

    /// Whether the member joined with exactly `protocols` (Kafka's `MemberMetadata.matches`).
    pub(crate) fn matches(&self, protocols: &[JoinGroupProtocol]) -> bool {
        self.protocols == protocols
    }

    /// The member's first preference among `candidates` (Kafka's `MemberMetadata.vote`).
    pub(crate) fn vote<'a>(&'a self, candidates: &BTreeSet<&str>) -> Option<&'a str> {
        self.protocols
            .iter()
            .map(|p| p.name.as_str())
            .find(|name| candidates.contains(name))
    }
}

/// One group's state (Kafka's `GroupMetadata`).
#[derive(Clone, Debug)]
pub(crate) struct Group {
    pub group_id: String,
    pub state: GroupState,
    pub state_timestamp: i64,
    pub protocol_type: Option<String>,
    pub protocol: Option<String>,
    pub generation: i32,
    pub leader: Option<String>,
    pub members: BTreeMap<String, Member>,
    /// Members given an id by `MEMBER_ID_REQUIRED` that have not joined yet, with the
    /// deadline by which they must.
    pub pending_members: BTreeMap<String, i64>,
    /// Members of this generation that have not sent SyncGroup yet.
    pub pending_sync: BTreeSet<String>,
    /// When a delayed join completes (`PreparingRebalance` only).
    pub join_deadline: Option<i64>,
    /// `Some((delay, remaining))` while the join is an initial delayed join: the current
    /// delay and how much of the rebalance timeout is left to extend it.
    pub initial_delay_remaining: Option<(i64, i64)>,
    /// A member joined during the initial delay.
    pub new_member_added: bool,
    /// When members that did not sync are removed (`CompletingRebalance`/`Stable`).
    pub sync_deadline: Option<i64>,
    pub offsets: BTreeMap<TopicPartition, CommittedOffset>,
    /// Partitions with an offset commit being appended, and how many.
    pub pending_offsets: BTreeMap<TopicPartition, u32>,
}

impl Group {
    /// A new group in `state`.
    pub(crate) fn new(group_id: &str, state: GroupState, now: i64) -> Self {
        Self {
            group_id: group_id.to_string(),
            state,
            state_timestamp: now,
            protocol_type: None,
            protocol: None,
            generation: 0,
            leader: None,
            members: BTreeMap::new(),
            pending_members: BTreeMap::new(),
            pending_sync: BTreeSet::new(),
            join_deadline: None,
            initial_delay_remaining: None,
            new_member_added: false,
            sync_deadline: None,
            offsets: BTreeMap::new(),
            pending_offsets: BTreeMap::new(),
        }
    }

    /// Moves to `to`, recording the event.
    ///
    /// # Panics
    /// On a transition Kafka does not allow: the coordinator never asks for one.
    pub(crate) fn transition(&mut self, to: GroupState, now: i64, events: &mut Vec<GroupEvent>) {
        assert!(
            to.valid_from(self.state),
            "group {}: illegal transition {} -> {}",
            self.group_id,
            self.state,
            to
        );
        events.push(GroupEvent::StateChanged {
            group_id: self.group_id.clone(),
            from: self.state,
            to,
        });
        self.state = to;
        self.state_timestamp = now;
    }

    /// Whether a rebalance may start now (Kafka's `canRebalance`).
    pub(crate) fn can_rebalance(&self) -> bool {
        matches!(
            self.state,
            GroupState::Stable | GroupState::CompletingRebalance | GroupState::Empty
        )
    }

    /// The member id of the static member `instance_id`.
    pub(crate) fn static_member_id(&self, instance_id: &str) -> Option<&str> {
        self.members
            .values()
            .find(|m| m.group_instance_id.as_deref() == Some(instance_id))
            .map(|m| m.member_id.as_str())
    }

    /// Kafka's `validateCurrentMember`: `FENCED_INSTANCE_ID` or `UNKNOWN_MEMBER_ID`.
    pub(crate) fn validate_member(
        &self,
        member_id: &str,
        instance_id: Option<&str>,
    ) -> Result<(), crate::error::ErrorCode> {
        use crate::error::ErrorCode;
        if let Some(id) = instance_id {
            match self.static_member_id(id) {
                Some(current) if current != member_id => return Err(ErrorCode::FencedInstanceId),
                Some(_) => {}
                None => return Err(ErrorCode::UnknownMemberId),
            }
        }
        if self.members.contains_key(member_id) {
            Ok(())
        } else {
            Err(ErrorCode::UnknownMemberId)
        }
    }

    /// How many current members support `protocol`.
    fn support_count(&self, protocol: &str) -> usize {
        self.members
            .values()
            .filter(|m| m.protocols.iter().any(|p| p.name == protocol))
            .count()
    }

    /// Kafka's `supportsProtocols`: whether a member of `protocol_type` offering `protocols`
    /// may join.
    pub(crate) fn supports_protocols(
        &self,
        protocol_type: &str,
        protocols: &[JoinGroupProtocol],
    ) -> bool {
        if self.members.is_empty() {
            !protocol_type.is_empty() && !protocols.is_empty()
        } else {
            self.protocol_type.as_deref() == Some(protocol_type)
                && protocols
                    .iter()
                    .any(|p| self.support_count(&p.name) == self.members.len())
        }
    }

    /// Kafka's `selectProtocol`: among the protocols every member supports, the one most
    /// members prefer; ties go to the protocol whose name sorts first.
    pub(crate) fn select_protocol(&self) -> Option<String> {
        let candidates: BTreeSet<&str> = self
            .members
            .values()
            .flat_map(|m| m.protocols.iter().map(|p| p.name.as_str()))
            .filter(|name| self.support_count(name) == self.members.len())
            .collect();
        let mut votes: BTreeMap<&str, usize> = BTreeMap::new();
        for member in self.members.values() {
            if let Some(vote) = member.vote(&candidates) {
                *votes.entry(vote).or_default() += 1;
            }
        }
        let best = votes.values().copied().max()?;
        votes
            .into_iter()
            .find(|&(_, count)| count == best)
            .map(|(name, _)| name.to_string())
    }

    /// Adds `member`; the first member sets the protocol type and leads.
    pub(crate) fn add(&mut self, member: Member) {
        if self.members.is_empty() {
            self.protocol_type = Some(member.protocol_type.clone());
        }
        if self.leader.is_none() {
            self.leader = Some(member.member_id.clone());
        }
        self.pending_members.remove(&member.member_id);
        self.members.insert(member.member_id.clone(), member);
    }

    /// Removes a member; a new leader is chosen if it led. Returns the removed member.
    pub(crate) fn remove(&mut self, member_id: &str) -> Option<Member> {
        let removed = self.members.remove(member_id)?;
        self.pending_sync.remove(member_id);
        if self.leader.as_deref() == Some(member_id) {
            self.leader = self.members.keys().next().cloned();
        }
        Some(removed)
    }

    /// Kafka's `hasAllMembersJoined`.
    pub(crate) fn all_members_joined(&self) -> bool {
        self.pending_members.is_empty() && self.members.values().all(|m| m.awaiting_join.is_some())
    }

    /// The largest rebalance timeout of the members (Kafka's `rebalanceTimeoutMs`).
    pub(crate) fn rebalance_timeout_ms(&self) -> i64 {
        self.members
            .values()
            .map(|m| i64::from(m.rebalance_timeout_ms))
            .max()
            .unwrap_or(0)
    }

    /// Whether the group has a committed or pending offset for `tp`.
    pub(crate) fn has_pending_offset(&self, tp: &TopicPartition) -> bool {
        self.pending_offsets.get(tp).is_some_and(|&n| n > 0)
    }
}
