//! The classic group coordinator against Kafka's behaviour: the cases of Kafka's
//! `GroupCoordinatorTest` and `GroupMetadataTest` (3.7) named in each test, driven through a
//! small host that acknowledges every append and keeps the `__consumer_offsets` records.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::collections::BTreeMap;

use rill_core::ErrorCode;
use rill_core::group::coordinator::records::{
    self, GroupMetadataValue, OffsetCommitValue, OffsetsKey,
};
use rill_core::group::protocol::*;
use rill_core::group::{
    CoordinatorConfig, CoordinatorOutput, GroupCoordinator, GroupEvent, GroupState, TopicPartition,
};

/// A record's key and value.
pub(crate) type KeyValue = (Option<Vec<u8>>, Option<Vec<u8>>);

pub(crate) const GROUP: &str = "group";
pub(crate) const SESSION: i32 = 10_000;
pub(crate) const REBALANCE: i32 = 30_000;

/// A host: owns `now`, numbers requests, keeps responses and the offsets partitions' records.
pub(crate) struct Host {
    pub c: GroupCoordinator,
    pub now: i64,
    next_rid: u64,
    pub responses: BTreeMap<u64, GroupResponse>,
    /// Every record appended, per partition, in order.
    pub log: BTreeMap<u32, Vec<KeyValue>>,
    /// `Some(error)`: appends fail with it; `None`: they succeed.
    pub fail_appends: Option<ErrorCode>,
    /// Hold appends instead of acknowledging them.
    pub hold_appends: bool,
    pub held: Vec<u64>,
}

impl Host {
    pub(crate) fn new(config: CoordinatorConfig) -> Self {
        let partitions = config.offsets_topic_partitions;
        let mut c = GroupCoordinator::new(config, 7);
        for p in 0..partitions {
            c.load_partition(0, p, Vec::new());
        }
        Self {
            c,
            now: 0,
            next_rid: 1,
            responses: BTreeMap::new(),
            log: BTreeMap::new(),
            fail_appends: None,
            hold_appends: false,
            held: Vec::new(),
        }
    }

    /// Kafka's defaults with one offsets partition and no initial delay.
    pub(crate) fn quick() -> Self {
        Self::new(CoordinatorConfig {
            offsets_topic_partitions: 1,
            group_initial_rebalance_delay_ms: 0,
            ..CoordinatorConfig::default()
        })
    }

    pub(crate) fn pump(&mut self) {
        while let Some(output) = self.c.poll_output() {
            match output {
                CoordinatorOutput::Respond {
                    request_id,
                    response,
                } => {
                    assert!(
                        self.responses.insert(request_id, response).is_none(),
                        "request {request_id} answered twice"
                    );
                }
                CoordinatorOutput::Append {
                    append_id,
                    partition,
                    records,
                } => {
                    if self.hold_appends {
                        self.held.push(append_id);
                        let log = self.log.entry(partition).or_default();
                        log.extend(records.into_iter().map(|r| (r.key, r.value)));
                        continue;
                    }
                    let result = match self.fail_appends {
                        Some(error) => Err(error),
                        None => {
                            let log = self.log.entry(partition).or_default();
                            log.extend(records.into_iter().map(|r| (r.key, r.value)));
                            Ok(())
                        }
                    };
                    self.c.on_append(self.now, append_id, result);
                }
            }
        }
    }

    pub(crate) fn release(&mut self) {
        for id in std::mem::take(&mut self.held) {
            self.c.on_append(self.now, id, Ok(()));
        }
        self.pump();
    }

    pub(crate) fn send(&mut self, client_id: &str, request: GroupRequest) -> u64 {
        let rid = self.next_rid;
        self.next_rid += 1;
        self.c.handle(self.now, rid, client_id, request);
        self.pump();
        rid
    }

    pub(crate) fn advance(&mut self, ms: i64) {
        self.now += ms;
        self.c.handle_timeout(self.now);
        self.pump();
    }

    pub(crate) fn take(&mut self, rid: u64) -> Option<GroupResponse> {
        self.responses.remove(&rid)
    }

    pub(crate) fn join_response(&mut self, rid: u64) -> JoinGroupResponse {
        match self.take(rid) {
            Some(GroupResponse::JoinGroup(r)) => r,
            other => panic!("expected a JoinGroup response to {rid}, got {other:?}"),
        }
    }

    pub(crate) fn sync_response(&mut self, rid: u64) -> SyncGroupResponse {
        match self.take(rid) {
            Some(GroupResponse::SyncGroup(r)) => r,
            other => panic!("expected a SyncGroup response to {rid}, got {other:?}"),
        }
    }

    pub(crate) fn heartbeat(&mut self, member_id: &str, generation: i32) -> Option<ErrorCode> {
        self.heartbeat_static(member_id, None, generation)
    }

    pub(crate) fn heartbeat_static(
        &mut self,
        member_id: &str,
        instance: Option<&str>,
        generation: i32,
    ) -> Option<ErrorCode> {
        let rid = self.send(
            "client",
            GroupRequest::Heartbeat(HeartbeatRequest {
                group_id: GROUP.into(),
                generation_id: generation,
                member_id: member_id.into(),
                group_instance_id: instance.map(str::to_string),
            }),
        );
        match self.take(rid) {
            Some(GroupResponse::Heartbeat(e)) => e,
            other => panic!("expected a Heartbeat response, got {other:?}"),
        }
    }

    /// A dynamic member's two-step join (KIP-394); returns the id and the pending join's rid.
    pub(crate) fn join_dynamic(
        &mut self,
        client_id: &str,
        protocols: Vec<JoinGroupProtocol>,
    ) -> (String, u64) {
        let first = self.send(client_id, join(UNKNOWN_MEMBER_ID, None, protocols.clone()));
        let r = self.join_response(first);
        assert_eq!(r.error, Some(ErrorCode::MemberIdRequired));
        assert!(
            r.member_id.starts_with(&format!("{client_id}-")),
            "{}",
            r.member_id
        );
        let rid = self.send(client_id, join(&r.member_id, None, protocols));
        (r.member_id, rid)
    }

    pub(crate) fn sync(
        &mut self,
        member_id: &str,
        generation: i32,
        assignments: Vec<(String, MemberAssignment)>,
    ) -> u64 {
        self.send(
            "client",
            GroupRequest::SyncGroup(SyncGroupRequest {
                group_id: GROUP.into(),
                generation_id: generation,
                member_id: member_id.into(),
                group_instance_id: None,
                protocol_type: Some(CONSUMER_PROTOCOL_TYPE.into()),
                protocol_name: None,
                assignments,
            }),
        )
    }

    pub(crate) fn commit(
        &mut self,
        member_id: &str,
        generation: i32,
        offsets: &[(&str, u32, i64)],
    ) -> u64 {
        self.send(
            "client",
            GroupRequest::OffsetCommit(OffsetCommitRequest {
                group_id: GROUP.into(),
                generation_id: generation,
                member_id: member_id.into(),
                group_instance_id: None,
                offsets: offsets
                    .iter()
                    .map(|&(t, p, o)| {
                        (
                            TopicPartition::new(t, p),
                            OffsetAndMetadata {
                                offset: o,
                                leader_epoch: Some(3),
                                metadata: "m".into(),
                            },
                        )
                    })
                    .collect(),
            }),
        )
    }

    pub(crate) fn commit_errors(&mut self, rid: u64) -> Vec<Option<ErrorCode>> {
        match self.take(rid) {
            Some(GroupResponse::OffsetCommit(r)) => {
                r.partitions.into_iter().map(|(_, e)| e).collect()
            }
            other => panic!("expected an OffsetCommit response, got {other:?}"),
        }
    }

    pub(crate) fn fetch(
        &mut self,
        partitions: Option<Vec<TopicPartition>>,
        require_stable: bool,
    ) -> OffsetFetchResponse {
        let rid = self.send(
            "client",
            GroupRequest::OffsetFetch(OffsetFetchRequest {
                group_id: GROUP.into(),
                partitions,
                require_stable,
            }),
        );
        match self.take(rid) {
            Some(GroupResponse::OffsetFetch(r)) => r,
            other => panic!("expected an OffsetFetch response, got {other:?}"),
        }
    }

    pub(crate) fn leave(&mut self, members: Vec<(&str, Option<&str>)>) -> LeaveGroupResponse {
        let rid = self.send(
            "client",
            GroupRequest::LeaveGroup(LeaveGroupRequest {
                group_id: GROUP.into(),
                members: members
                    .into_iter()
                    .map(|(m, i)| MemberIdentity {
                        member_id: m.into(),
                        group_instance_id: i.map(str::to_string),
                        reason: Some("closing".into()),
                    })
                    .collect(),
            }),
        );
        match self.take(rid) {
            Some(GroupResponse::LeaveGroup(r)) => r,
            other => panic!("expected a LeaveGroup response, got {other:?}"),
        }
    }

    pub(crate) fn state(&self) -> GroupState {
        self.c
            .describe_group(GROUP)
            .map(|d| d.state)
            .unwrap_or(GroupState::Dead)
    }
}

pub(crate) fn protocol(name: &str, topics: &[&str]) -> JoinGroupProtocol {
    JoinGroupProtocol {
        name: name.into(),
        metadata: Subscription {
            topics: topics.iter().map(|t| t.to_string()).collect(),
            generation_id: UNKNOWN_GENERATION_ID,
            ..Subscription::default()
        },
    }
}

pub(crate) fn range() -> Vec<JoinGroupProtocol> {
    vec![protocol("range", &["t"])]
}

pub(crate) fn join(
    member_id: &str,
    instance: Option<&str>,
    protocols: Vec<JoinGroupProtocol>,
) -> GroupRequest {
    GroupRequest::JoinGroup(JoinGroupRequest {
        group_id: GROUP.into(),
        session_timeout_ms: SESSION,
        rebalance_timeout_ms: REBALANCE,
        member_id: member_id.into(),
        group_instance_id: instance.map(str::to_string),
        protocol_type: CONSUMER_PROTOCOL_TYPE.into(),
        protocols,
        reason: None,
    })
}

pub(crate) fn assignment(partitions: &[u32]) -> MemberAssignment {
    MemberAssignment {
        partitions: partitions
            .iter()
            .map(|&p| TopicPartition::new("t", p))
            .collect(),
        user_data: None,
    }
}

/// One dynamic member joined and synced: (member id, generation).
fn stable_single(h: &mut Host) -> (String, i32) {
    let (id, rid) = h.join_dynamic("c1", range());
    let r = h.join_response(rid);
    assert_eq!(r.error, None);
    assert_eq!(r.leader, id);
    let rid = h.sync(
        &id,
        r.generation_id,
        vec![(id.clone(), assignment(&[0, 1]))],
    );
    let s = h.sync_response(rid);
    assert_eq!(s.error, None);
    assert_eq!(s.assignment, assignment(&[0, 1]));
    (id, r.generation_id)
}

/// Two dynamic members, Stable: (leader, follower, generation).
fn stable_pair(h: &mut Host) -> (String, String, i32) {
    let (leader, generation) = stable_single(h);
    let (follower, frid) = h.join_dynamic("c2", range());
    assert_eq!(h.state(), GroupState::PreparingRebalance);
    assert_eq!(
        h.heartbeat(&leader, generation),
        Some(ErrorCode::RebalanceInProgress)
    );
    let lrid = h.send("c1", join(&leader, None, range()));
    let lr = h.join_response(lrid);
    let fr = h.join_response(frid);
    assert_eq!(lr.generation_id, generation + 1);
    assert_eq!(lr.leader, leader);
    assert_eq!(lr.members.len(), 2);
    assert!(fr.members.is_empty());
    let g = lr.generation_id;
    let frid = h.sync(&follower, g, vec![]);
    assert!(
        h.take(frid).is_none(),
        "a follower waits for the leader's assignment"
    );
    let lrid = h.sync(
        &leader,
        g,
        vec![
            (leader.clone(), assignment(&[0])),
            (follower.clone(), assignment(&[1])),
        ],
    );
    assert_eq!(h.sync_response(lrid).assignment, assignment(&[0]));
    assert_eq!(h.sync_response(frid).assignment, assignment(&[1]));
    assert_eq!(h.state(), GroupState::Stable);
    (leader, follower, g)
}

#[test]
fn group_state_transitions_follow_group_metadata_test() {
    use GroupState::*;
    // GroupMetadataTest: testEmptyToPreparingRebalanceTransition, testPreparingRebalanceTo*,
    // testCompletingRebalanceTo*, testStableTo*, and the illegal ones.
    let legal = [
        (Empty, PreparingRebalance),
        (Empty, Dead),
        (PreparingRebalance, CompletingRebalance),
        (PreparingRebalance, Empty),
        (PreparingRebalance, Dead),
        (CompletingRebalance, Stable),
        (CompletingRebalance, PreparingRebalance),
        (CompletingRebalance, Dead),
        (Stable, PreparingRebalance),
        (Stable, Dead),
        (Dead, Dead),
    ];
    let all = [Empty, PreparingRebalance, CompletingRebalance, Stable, Dead];
    for from in all {
        for to in all {
            assert_eq!(
                to.valid_from(from),
                legal.contains(&(from, to)),
                "{from} -> {to}"
            );
        }
    }
    assert_eq!(CompletingRebalance.name(), "CompletingRebalance");
}

#[test]
fn config_from_kafka_names() {
    let c = CoordinatorConfig::from_kafka_configs(&[
        ("group.initial.rebalance.delay.ms", "0"),
        ("group.max.size", "3"),
        ("offsets.topic.num.partitions", "4"),
    ])
    .expect("present");
    assert_eq!(
        (
            c.group_initial_rebalance_delay_ms,
            c.group_max_size,
            c.offsets_topic_partitions
        ),
        (0, 3, 4)
    );
    assert_eq!(
        CoordinatorConfig::default().offsets_retention_ms,
        604_800_000
    );
    for bad in [
        ("group.max.size", "0"),
        ("group.max.size", "x"),
        ("no.such.config", "1"),
        ("group.min.session.timeout.ms", "2000000"),
    ] {
        assert_eq!(
            CoordinatorConfig::from_kafka_configs(&[bad]),
            Err(ErrorCode::InvalidConfig),
            "{bad:?}"
        );
    }
}

#[test]
fn join_group_errors() {
    let mut h = Host::quick();
    // testJoinGroupWrongCoordinator
    let mut other = Host::quick();
    other.c.unload_partition(0, 0);
    let rid = other.send("c", join("", None, range()));
    assert_eq!(
        other.join_response(rid).error,
        Some(ErrorCode::NotCoordinator)
    );
    // testJoinGroupShouldReceiveErrorIfGroupIdIsEmpty (INVALID_GROUP_ID)
    let mut req = join("", None, range());
    if let GroupRequest::JoinGroup(r) = &mut req {
        r.group_id = String::new();
    }
    let rid = h.send("c", req);
    assert_eq!(h.join_response(rid).error, Some(ErrorCode::InvalidGroupId));
    // testJoinGroupSessionTimeoutTooSmall / TooLarge
    for timeout in [5_999, 1_800_001] {
        let mut req = join("", None, range());
        if let GroupRequest::JoinGroup(r) = &mut req {
            r.session_timeout_ms = timeout;
        }
        let rid = h.send("c", req);
        assert_eq!(
            h.join_response(rid).error,
            Some(ErrorCode::InvalidSessionTimeout)
        );
    }
    // testJoinGroupUnknownConsumerNewGroup
    let rid = h.send("c", join("unknown", None, range()));
    assert_eq!(h.join_response(rid).error, Some(ErrorCode::UnknownMemberId));
    // An empty protocol list cannot start a group.
    let rid = h.send("c", join("", None, vec![]));
    assert_eq!(
        h.join_response(rid).error,
        Some(ErrorCode::InconsistentGroupProtocol)
    );
    assert!(
        h.c.list_groups().is_empty(),
        "rejected joins leave no group behind"
    );
    // testJoinGroupInconsistentProtocolType / testJoinGroupWithEmptyProtocolType
    let (id, _) = stable_single(&mut h);
    let mut req = join("", None, range());
    if let GroupRequest::JoinGroup(r) = &mut req {
        r.protocol_type = "connect".into();
    }
    let rid = h.send("c", req);
    assert_eq!(
        h.join_response(rid).error,
        Some(ErrorCode::InconsistentGroupProtocol)
    );
    // testJoinGroupInconsistentGroupProtocol
    let rid = h.send("c", join("", None, vec![protocol("roundrobin", &["t"])]));
    assert_eq!(
        h.join_response(rid).error,
        Some(ErrorCode::InconsistentGroupProtocol)
    );
    // testJoinGroupUnknownConsumerExistingGroup
    let rid = h.send("c", join("c1-nope", None, range()));
    assert_eq!(h.join_response(rid).error, Some(ErrorCode::UnknownMemberId));
    assert_eq!(h.state(), GroupState::Stable);
    assert_eq!(h.heartbeat(&id, 1), None);
}

#[test]
fn dynamic_members_join_group_with_max_size() {
    // GroupCoordinatorTest.testDynamicMembersJoinGroupWithMaxSize (group.max.size = 2).
    let mut h = Host::new(CoordinatorConfig {
        offsets_topic_partitions: 1,
        group_initial_rebalance_delay_ms: 0,
        group_max_size: 2,
        ..CoordinatorConfig::default()
    });
    let (a, _) = stable_single(&mut h);
    let (_b, brid) = h.join_dynamic("c2", range());
    assert!(h.take(brid).is_none());
    let first = h.send("c3", join("", None, range()));
    let r = h.join_response(first);
    assert_eq!(r.error, Some(ErrorCode::MemberIdRequired));
    // Two members already wait to join in PreparingRebalance? Only b does; a has not rejoined.
    let crid = h.send("c3", join(&r.member_id, None, range()));
    assert!(h.take(crid).is_none());
    let arid = h.send("c1", join(&a, None, range()));
    // a rejoining makes three waiting members: the fourth join attempt is refused.
    let extra = h.send("c4", join("", None, range()));
    let e = h.join_response(extra);
    assert_eq!(e.error, Some(ErrorCode::GroupMaxSizeReached), "{e:?}");
    let _ = arid;
}

#[test]
fn member_id_required_then_join_completes_single_member_group() {
    // KIP-394 (GroupCoordinatorTest.testValidJoinGroup with the MEMBER_ID_REQUIRED round).
    let mut h = Host::quick();
    let (id, rid) = h.join_dynamic("client-a", range());
    let r = h.join_response(rid);
    assert_eq!(r.error, None);
    assert_eq!(r.generation_id, 1);
    assert_eq!(r.protocol_name.as_deref(), Some("range"));
    assert_eq!(r.protocol_type.as_deref(), Some("consumer"));
    assert_eq!(r.leader, id);
    assert_eq!(r.members.len(), 1);
    assert_eq!(r.members[0].metadata.topics, vec!["t".to_string()]);
    assert_eq!(h.state(), GroupState::CompletingRebalance);
    // uuid form: client-a-xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx
    let uuid = &id["client-a-".len()..];
    assert_eq!(uuid.len(), 36);
    assert_eq!(&uuid[14..15], "4");
}

#[test]
fn pending_member_expires_after_session_timeout() {
    // KIP-394: a MEMBER_ID_REQUIRED id that is never used is dropped after the session timeout.
    let mut h = Host::quick();
    let first = h.send("c", join("", None, range()));
    let id = h.join_response(first).member_id;
    h.advance(i64::from(SESSION));
    let rid = h.send("c", join(&id, None, range()));
    assert_eq!(h.join_response(rid).error, Some(ErrorCode::UnknownMemberId));
}

#[test]
fn initial_rebalance_delay_is_extended_up_to_the_rebalance_timeout() {
    // GroupCoordinatorTest.shouldDelayInitialRebalanceByGroupInitialRebalanceDelayOnEmptyGroup
    // and shouldDelayRebalanceUptoRebalanceTimeout (delay 3000).
    let mut h = Host::new(CoordinatorConfig {
        offsets_topic_partitions: 1,
        ..CoordinatorConfig::default()
    });
    let mut req = join("", None, range());
    if let GroupRequest::JoinGroup(r) = &mut req {
        r.rebalance_timeout_ms = 7_000;
    }
    let first = h.send("a", req.clone());
    let a = h.join_response(first).member_id;
    let mut ra = req.clone();
    if let GroupRequest::JoinGroup(r) = &mut ra {
        r.member_id = a.clone();
    }
    let arid = h.send("a", ra);
    assert_eq!(h.c.poll_timeout(), Some(3_000));
    h.advance(2_999);
    assert!(h.take(arid).is_none());
    // A second member joins within the delay: the delay is extended by another 3000.
    let first = h.send("b", req.clone());
    let b = h.join_response(first).member_id;
    if let GroupRequest::JoinGroup(r) = &mut req {
        r.member_id = b.clone();
    }
    let brid = h.send("b", req);
    h.advance(1);
    assert!(h.take(arid).is_none(), "extended at 3000");
    h.advance(2_999);
    assert!(h.take(arid).is_none());
    h.advance(1);
    let ja = h.join_response(arid);
    let jb = h.join_response(brid);
    assert_eq!((ja.generation_id, jb.generation_id), (1, 1));
    assert_eq!(h.now, 6_000);
}

#[test]
fn sync_group_flow_and_errors() {
    let mut h = Host::quick();
    let (leader, follower, g) = stable_pair(&mut h);
    // testSyncGroupFromUnknownMember
    let rid = h.sync("nope", g, vec![]);
    assert_eq!(h.sync_response(rid).error, Some(ErrorCode::UnknownMemberId));
    // testSyncGroupFromIllegalGeneration
    let rid = h.sync(&follower, g + 1, vec![]);
    assert_eq!(
        h.sync_response(rid).error,
        Some(ErrorCode::IllegalGeneration)
    );
    // A sync in Stable returns the current assignment.
    let rid = h.sync(&follower, g, vec![]);
    assert_eq!(h.sync_response(rid).assignment, assignment(&[1]));
    // testSyncGroupEmptyAssignment / testJoinGroupProtocolTypeIsNotProvidedWhenAnErrorOccurs
    let rid = h.send(
        "c",
        GroupRequest::SyncGroup(SyncGroupRequest {
            group_id: GROUP.into(),
            generation_id: g,
            member_id: leader.clone(),
            group_instance_id: None,
            protocol_type: Some("connect".into()),
            protocol_name: None,
            assignments: vec![],
        }),
    );
    assert_eq!(
        h.sync_response(rid).error,
        Some(ErrorCode::InconsistentGroupProtocol)
    );
    // testSyncGroupFromUnknownGroup
    let mut other = Host::quick();
    let rid = other.sync("m", 1, vec![]);
    assert_eq!(
        other.sync_response(rid).error,
        Some(ErrorCode::UnknownMemberId)
    );
    // A rebalance in progress: REBALANCE_IN_PROGRESS.
    let rid = h.send(
        "c2",
        join(&follower, None, vec![protocol("range", &["t", "u"])]),
    );
    assert!(h.take(rid).is_none());
    let s = h.sync(&leader, g, vec![]);
    assert_eq!(
        h.sync_response(s).error,
        Some(ErrorCode::RebalanceInProgress)
    );
}

#[test]
fn sync_group_answered_only_after_the_append() {
    // GroupCoordinatorTest.testSyncGroupLeaderAfterFollower with a held append: the group
    // record is written before anyone gets the assignment.
    let mut h = Host::quick();
    let (id, rid) = h.join_dynamic("c1", range());
    let g = h.join_response(rid).generation_id;
    h.hold_appends = true;
    let rid = h.sync(&id, g, vec![(id.clone(), assignment(&[0]))]);
    assert!(h.take(rid).is_none());
    assert_eq!(h.state(), GroupState::CompletingRebalance);
    h.hold_appends = false;
    h.release();
    assert_eq!(h.sync_response(rid).assignment, assignment(&[0]));
    assert_eq!(h.state(), GroupState::Stable);
}

#[test]
fn failed_group_append_fails_the_sync_and_rebalances() {
    // GroupCoordinatorTest.testSyncGroupLeaderFailure-like: storeGroup's error mapping.
    let mut h = Host::quick();
    let (id, rid) = h.join_dynamic("c1", range());
    let g = h.join_response(rid).generation_id;
    h.fail_appends = Some(ErrorCode::NotLeaderOrFollower);
    let rid = h.sync(&id, g, vec![(id.clone(), assignment(&[0]))]);
    assert_eq!(h.sync_response(rid).error, Some(ErrorCode::NotCoordinator));
    assert_eq!(h.state(), GroupState::PreparingRebalance);
}

#[test]
fn heartbeat_errors() {
    let mut h = Host::quick();
    // testHeartbeatUnknownGroup
    assert_eq!(h.heartbeat("m", 1), Some(ErrorCode::UnknownMemberId));
    let (leader, follower, g) = stable_pair(&mut h);
    // testValidHeartbeat
    assert_eq!(h.heartbeat(&leader, g), None);
    // testHeartbeatUnknownConsumerExistingGroup
    assert_eq!(h.heartbeat("other", g), Some(ErrorCode::UnknownMemberId));
    // testHeartbeatIllegalGeneration
    assert_eq!(
        h.heartbeat(&leader, g + 1),
        Some(ErrorCode::IllegalGeneration)
    );
    // testHeartbeatDuringRebalanceCausesRebalanceInProgress
    let rid = h.send("c1", join(&leader, None, range()));
    assert!(h.take(rid).is_none());
    assert_eq!(
        h.heartbeat(&follower, g),
        Some(ErrorCode::RebalanceInProgress)
    );
    // A heartbeat in CompletingRebalance is fine.
    let frid = h.send("c2", join(&follower, None, range()));
    let _ = (h.join_response(rid), h.join_response(frid));
    assert_eq!(h.state(), GroupState::CompletingRebalance);
    assert_eq!(h.heartbeat(&follower, g + 1), None);
}

#[test]
fn session_timeout_removes_the_member() {
    // GroupCoordinatorTest.testSessionTimeout and testHeartbeatMaintainsSession.
    let mut h = Host::quick();
    let (id, g) = stable_single(&mut h);
    h.advance(i64::from(SESSION) / 2);
    assert_eq!(h.heartbeat(&id, g), None);
    h.advance(i64::from(SESSION) - 1);
    assert_eq!(
        h.state(),
        GroupState::Stable,
        "the heartbeat kept the session"
    );
    h.poll_events_clear();
    h.advance(1);
    assert_eq!(h.state(), GroupState::Empty);
    assert_eq!(h.heartbeat(&id, g), Some(ErrorCode::UnknownMemberId));
    let d = h.c.describe_group(GROUP).expect("present");
    assert_eq!(d.generation, g + 1, "an empty generation is written");
    assert!(d.members.is_empty());
}

impl Host {
    fn poll_events_clear(&mut self) {
        let _ = self.c.poll_events();
    }
}

#[test]
fn rebalance_timeout_removes_members_that_did_not_rejoin() {
    // GroupCoordinatorTest.testRebalanceCompletesBeforeMemberJoins-style: the join completes at
    // the rebalance timeout and drops the member that stayed away.
    let mut h = Host::quick();
    let (leader, follower, g) = stable_pair(&mut h);
    let rid = h.send(
        "c1",
        join(&leader, None, vec![protocol("range", &["t", "u"])]),
    );
    // The follower keeps heartbeating but never rejoins.
    for _ in 0..5 {
        h.advance(i64::from(REBALANCE) / 5 - 1);
        let _ = h.heartbeat(&follower, g);
    }
    assert!(h.take(rid).is_none());
    h.advance(5);
    let r = h.join_response(rid);
    assert_eq!(r.generation_id, g + 1);
    assert_eq!(r.members.len(), 1);
    assert_eq!(h.heartbeat(&follower, g), Some(ErrorCode::UnknownMemberId));
    let events = h.c.poll_events();
    assert!(events.iter().any(|e| matches!(e, GroupEvent::MemberExpired { member_id, cause: rill_core::group::coordinator::ExpiryCause::NotRejoined, .. } if *member_id == follower)));
}

#[test]
fn member_that_never_syncs_is_removed() {
    // GroupCoordinatorTest.testRebalanceTimesOutWhenSyncRequestIsNotReceived.
    let mut h = Host::quick();
    let (leader, follower, g) = stable_pair(&mut h);
    let l = h.send("c1", join(&leader, None, range()));
    let f = h.send("c2", join(&follower, None, range()));
    let (_, _) = (h.join_response(l), h.join_response(f));
    let s = h.sync(&leader, g + 1, vec![(leader.clone(), assignment(&[0, 1]))]);
    assert_eq!(h.sync_response(s).error, None);
    h.advance(i64::from(SESSION) / 2);
    assert_eq!(h.heartbeat(&leader, g + 1), None);
    h.advance(i64::from(SESSION) / 2);
    // The follower's session ran out (it neither synced nor heartbeat).
    assert_eq!(
        h.heartbeat(&follower, g + 1),
        Some(ErrorCode::UnknownMemberId)
    );
    assert_eq!(h.state(), GroupState::PreparingRebalance);
}

#[test]
fn leave_group() {
    let mut h = Host::quick();
    // testLeaveGroupUnknownGroup
    let r = h.leave(vec![("m", None)]);
    assert_eq!(r.members[0].1, Some(ErrorCode::UnknownMemberId));
    let (leader, follower, g) = stable_pair(&mut h);
    // testLeaveGroupUnknownConsumerExistingGroup
    let r = h.leave(vec![("nope", None)]);
    assert_eq!(r.members[0].1, Some(ErrorCode::UnknownMemberId));
    // testValidLeaveGroup: the leader leaves, a rebalance starts, the follower becomes leader.
    let r = h.leave(vec![(&leader, None)]);
    assert_eq!(r.error, None);
    assert_eq!(r.members[0].1, None);
    assert_eq!(h.state(), GroupState::PreparingRebalance);
    let rid = h.send("c2", join(&follower, None, range()));
    let j = h.join_response(rid);
    assert_eq!(j.leader, follower);
    assert_eq!(j.generation_id, g + 1);
    // Batch leave (KIP-345): the last member leaves -> Empty.
    let r = h.leave(vec![(&follower, None), ("ghost", None)]);
    assert_eq!(
        r.members.iter().map(|m| m.1).collect::<Vec<_>>(),
        vec![None, Some(ErrorCode::UnknownMemberId)]
    );
    assert_eq!(h.state(), GroupState::Empty);
}

fn join_static(
    h: &mut Host,
    instance: &str,
    member_id: &str,
    protocols: Vec<JoinGroupProtocol>,
) -> u64 {
    h.send("client", join(member_id, Some(instance), protocols))
}

#[test]
fn static_member_rejoin_with_unknown_member_id_replaces_without_rebalance() {
    // GroupCoordinatorTest.staticMemberRejoinWithUnknownMemberIdAndChangeOfProtocolWithSelectedProtocolUnchanged
    // / staticMemberFenceDuplicateRejoinedFollower.
    let mut h = Host::new(CoordinatorConfig {
        offsets_topic_partitions: 1,
        group_initial_rebalance_delay_ms: 10,
        ..CoordinatorConfig::default()
    });
    let r1 = join_static(&mut h, "i1", "", range());
    let r2 = join_static(&mut h, "i2", "", range());
    h.advance(10);
    assert!(
        h.take(r1).is_none(),
        "the second member extended the initial delay"
    );
    h.advance(10);
    let (j1, j2) = (h.join_response(r1), h.join_response(r2));
    let (a, b, g) = (j1.member_id.clone(), j2.member_id.clone(), j1.generation_id);
    assert_eq!(j1.leader, a);
    let sa = h.sync(
        &a,
        g,
        vec![(a.clone(), assignment(&[0])), (b.clone(), assignment(&[1]))],
    );
    let sb = h.sync(&b, g, vec![]);
    assert_eq!(h.sync_response(sa).assignment, assignment(&[0]));
    assert_eq!(h.sync_response(sb).assignment, assignment(&[1]));
    let _ = h.c.poll_events();

    // i2 restarts: a new member id, the same instance id, no rebalance.
    let rid = join_static(&mut h, "i2", "", range());
    let j = h.join_response(rid);
    assert_eq!(j.error, None);
    assert_ne!(j.member_id, b);
    assert_eq!(j.generation_id, g);
    assert_eq!(j.leader, a);
    assert!(!j.skip_assignment);
    assert_eq!(h.state(), GroupState::Stable);
    // The old id is fenced; the new one has the old assignment.
    assert_eq!(
        h.heartbeat_static(&b, Some("i2"), g),
        Some(ErrorCode::FencedInstanceId)
    );
    assert_eq!(h.heartbeat_static(&j.member_id, Some("i2"), g), None);
    let s = h.sync(&j.member_id, g, vec![]);
    assert_eq!(h.sync_response(s).assignment, assignment(&[1]));
    let events = h.c.poll_events();
    assert!(events.iter().any(
        |e| matches!(e, GroupEvent::MemberFenced { old_member_id, .. } if *old_member_id == b)
    ));
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, GroupEvent::RebalanceStarted { .. }))
    );
    // The leader restarting gets skip_assignment (KIP-814) and the member list.
    let rid = join_static(&mut h, "i1", "", range());
    let j = h.join_response(rid);
    assert!(j.skip_assignment);
    assert_eq!(j.members.len(), 2);
    assert_eq!(
        h.c.describe_group(GROUP)
            .expect("present")
            .leader
            .as_deref(),
        Some(j.member_id.as_str())
    );
    // LeaveGroup by instance id with the old id: FENCED_INSTANCE_ID; by instance id alone: ok.
    let r = h.leave(vec![(&a, Some("i1"))]);
    assert_eq!(r.members[0].1, Some(ErrorCode::FencedInstanceId));
    let r = h.leave(vec![("", Some("i1"))]);
    assert_eq!(r.members[0].1, None);
    assert_eq!(h.state(), GroupState::PreparingRebalance);
}

#[test]
fn static_member_with_new_protocol_triggers_rebalance() {
    // GroupCoordinatorTest.staticMemberRejoinWithUnknownMemberIdAndChangeOfProtocolWhileSelectProtocolChanged.
    let mut h = Host::quick();
    let rid = join_static(
        &mut h,
        "i1",
        "",
        vec![protocol("range", &["t"]), protocol("roundrobin", &["t"])],
    );
    let j = h.join_response(rid);
    let s = h.sync(&j.member_id, j.generation_id, vec![]);
    let _ = h.sync_response(s);
    assert_eq!(h.state(), GroupState::Stable);
    let rid = join_static(&mut h, "i1", "", vec![protocol("roundrobin", &["t"])]);
    let j2 = h.join_response(rid);
    assert_eq!(j2.generation_id, j.generation_id + 1);
    assert_eq!(j2.protocol_name.as_deref(), Some("roundrobin"));
}

#[test]
fn select_protocol_by_votes() {
    // GroupMetadataTest.testSelectProtocol and testSelectProtocolChoosesCompatibleProtocol.
    let mut h = Host::new(CoordinatorConfig {
        offsets_topic_partitions: 1,
        group_initial_rebalance_delay_ms: 100,
        ..CoordinatorConfig::default()
    });
    let p = |names: &[&str]| {
        names
            .iter()
            .map(|n| protocol(n, &["t"]))
            .collect::<Vec<_>>()
    };
    let (_m1, r1) = h.join_dynamic("m1", p(&["range", "roundrobin"]));
    let (_m2, r2) = h.join_dynamic("m2", p(&["roundrobin", "range"]));
    let (_m3, r3) = h.join_dynamic("m3", p(&["roundrobin", "range"]));
    h.advance(300);
    for rid in [r1, r2, r3] {
        assert_eq!(
            h.join_response(rid).protocol_name.as_deref(),
            Some("roundrobin")
        );
    }
    let mut h = Host::new(CoordinatorConfig {
        offsets_topic_partitions: 1,
        group_initial_rebalance_delay_ms: 100,
        ..CoordinatorConfig::default()
    });
    let (_m1, r1) = h.join_dynamic("m1", p(&["range", "roundrobin"]));
    let (_m2, r2) = h.join_dynamic("m2", p(&["roundrobin", "blah"]));
    // A third member supporting neither common protocol is refused.
    let first = h.send("m3", join("", None, p(&["blah"])));
    assert_eq!(
        h.join_response(first).error,
        Some(ErrorCode::InconsistentGroupProtocol)
    );
    h.advance(300);
    assert_eq!(
        h.join_response(r1).protocol_name.as_deref(),
        Some("roundrobin")
    );
    assert_eq!(
        h.join_response(r2).protocol_name.as_deref(),
        Some("roundrobin")
    );
}

#[test]
fn subscription_change_triggers_rebalance() {
    // GroupCoordinatorTest.testFollowerJoinGroupWithChangedProtocolsRebalances-like.
    let mut h = Host::quick();
    let (leader, follower, g) = stable_pair(&mut h);
    // The same metadata: the follower gets the current generation back, no rebalance.
    let rid = h.send("c2", join(&follower, None, range()));
    assert_eq!(h.join_response(rid).generation_id, g);
    assert_eq!(h.state(), GroupState::Stable);
    let rid = h.send(
        "c2",
        join(&follower, None, vec![protocol("range", &["t", "u"])]),
    );
    assert!(h.take(rid).is_none());
    assert_eq!(h.state(), GroupState::PreparingRebalance);
    let lrid = h.send("c1", join(&leader, None, range()));
    let l = h.join_response(lrid);
    assert_eq!(l.generation_id, g + 1);
    let subs: Vec<_> = l.members.iter().map(|m| m.metadata.topics.len()).collect();
    assert!(subs.contains(&2));
    let _ = h.join_response(rid);
}

#[test]
fn offset_commit_checks() {
    let mut h = Host::quick();
    // testCommitOffsetFromUnknownGroup: generation given, no group -> ILLEGAL_GENERATION.
    let rid = h.commit("m", 1, &[("t", 0, 5)]);
    assert_eq!(
        h.commit_errors(rid),
        vec![Some(ErrorCode::IllegalGeneration)]
    );
    // testBasicFetchTxnOffsets' simple cousin: a standalone commit (generation -1) on no group.
    let rid = h.commit("", -1, &[("t", 0, 5), ("t", 1, 7)]);
    assert_eq!(h.commit_errors(rid), vec![None, None]);
    assert_eq!(h.state(), GroupState::Empty);
    let f = h.fetch(None, false);
    assert_eq!(f.partitions.len(), 2);
    assert_eq!(
        f.partitions[0]
            .1
            .as_ref()
            .expect("present")
            .as_ref()
            .expect("present")
            .offset,
        5
    );
    // testCommitOffsetInCompletingRebalance.
    let (id, rid) = h.join_dynamic("c1", range());
    let g = h.join_response(rid).generation_id;
    let rid = h.commit(&id, g, &[("t", 0, 6)]);
    assert_eq!(
        h.commit_errors(rid),
        vec![Some(ErrorCode::RebalanceInProgress)]
    );
    // A standalone commit to a group with members: UNKNOWN_MEMBER_ID.
    let rid = h.commit("", -1, &[("t", 0, 6)]);
    assert_eq!(h.commit_errors(rid), vec![Some(ErrorCode::UnknownMemberId)]);
    // testCommitOffsetWithDefaultGeneration / illegal generation / unknown member.
    let rid = h.commit(&id, g + 1, &[("t", 0, 6)]);
    assert_eq!(
        h.commit_errors(rid),
        vec![Some(ErrorCode::IllegalGeneration)]
    );
    let rid = h.commit("x", g, &[("t", 0, 6)]);
    assert_eq!(h.commit_errors(rid), vec![Some(ErrorCode::UnknownMemberId)]);
    let s = h.sync(&id, g, vec![]);
    let _ = h.sync_response(s);
    let rid = h.commit(&id, g, &[("t", 0, 8)]);
    assert_eq!(h.commit_errors(rid), vec![None]);
    // testCommitOffsetsAfterGroupIsEmpty (OFFSET_METADATA_TOO_LARGE per partition).
    let rid = h.send(
        "c",
        GroupRequest::OffsetCommit(OffsetCommitRequest {
            group_id: GROUP.into(),
            generation_id: g,
            member_id: id.clone(),
            group_instance_id: None,
            offsets: vec![
                (
                    TopicPartition::new("t", 0),
                    OffsetAndMetadata {
                        offset: 9,
                        leader_epoch: None,
                        metadata: "x".repeat(4097),
                    },
                ),
                (
                    TopicPartition::new("t", 1),
                    OffsetAndMetadata {
                        offset: 9,
                        leader_epoch: None,
                        metadata: "x".repeat(4096),
                    },
                ),
            ],
        }),
    );
    assert_eq!(
        h.commit_errors(rid),
        vec![Some(ErrorCode::OffsetMetadataTooLarge), None]
    );
    let offsets = h.c.committed_offsets(GROUP).expect("present");
    assert_eq!(offsets[&TopicPartition::new("t", 0)].offset.offset, 8);
    assert_eq!(offsets[&TopicPartition::new("t", 1)].offset.offset, 9);
}

#[test]
fn failed_offset_append_commits_nothing() {
    // GroupMetadataManagerTest.testCommitOffsetFailure: NOT_ENOUGH_REPLICAS -> COORDINATOR_NOT_AVAILABLE,
    // MESSAGE_TOO_LARGE -> INVALID_COMMIT_OFFSET_SIZE, NOT_LEADER_OR_FOLLOWER -> NOT_COORDINATOR.
    for (append, expected) in [
        (
            ErrorCode::NotEnoughReplicas,
            ErrorCode::CoordinatorNotAvailable,
        ),
        (
            ErrorCode::MessageTooLarge,
            ErrorCode::InvalidCommitOffsetSize,
        ),
        (ErrorCode::NotLeaderOrFollower, ErrorCode::NotCoordinator),
    ] {
        let mut h = Host::quick();
        h.fail_appends = Some(append);
        let rid = h.commit("", -1, &[("t", 0, 5)]);
        assert_eq!(h.commit_errors(rid), vec![Some(expected)]);
        assert!(h.c.committed_offsets(GROUP).expect("present").is_empty());
        let f = h.fetch(Some(vec![TopicPartition::new("t", 0)]), false);
        assert_eq!(f.partitions[0].1, Ok(None));
    }
}

#[test]
fn offset_fetch_pending_and_require_stable() {
    // GroupMetadataManagerTest.testOffsetFetchWithPendingCommit-like (KIP-447 require_stable).
    let mut h = Host::quick();
    let f = h.fetch(Some(vec![TopicPartition::new("t", 0)]), true);
    assert_eq!(f.partitions, vec![(TopicPartition::new("t", 0), Ok(None))]);
    assert!(h.fetch(None, false).partitions.is_empty());
    h.hold_appends = true;
    let rid = h.commit("", -1, &[("t", 0, 5)]);
    assert!(h.take(rid).is_none());
    let tp = TopicPartition::new("t", 0);
    assert_eq!(
        h.fetch(Some(vec![tp.clone()]), false).partitions[0].1,
        Ok(None)
    );
    assert_eq!(
        h.fetch(Some(vec![tp.clone()]), true).partitions[0].1,
        Err(ErrorCode::UnstableOffsetCommit)
    );
    h.hold_appends = false;
    h.release();
    assert_eq!(h.commit_errors(rid), vec![None]);
    let f = h.fetch(Some(vec![tp.clone()]), true);
    assert_eq!(
        f.partitions[0]
            .1
            .as_ref()
            .expect("present")
            .as_ref()
            .expect("present")
            .offset,
        5
    );
}

#[test]
fn delete_groups() {
    // GroupCoordinatorTest.testDeleteNonEmptyGroup, testDeleteGroupWithInvalidGroupId,
    // testDeleteEmptyGroup.
    let mut h = Host::quick();
    let (id, g) = stable_single(&mut h);
    let rid = h.commit(&id, g, &[("t", 0, 1)]);
    assert_eq!(h.commit_errors(rid), vec![None]);
    let r =
        h.c.delete_groups(h.now, &[GROUP.into(), "missing".into(), String::new()]);
    assert_eq!(r[0].1, Err(ErrorCode::NonEmptyGroup));
    assert_eq!(r[1].1, Err(ErrorCode::GroupIdNotFound));
    assert_eq!(r[2].1, Err(ErrorCode::InvalidGroupId));
    let _ = h.leave(vec![(&id, None)]);
    assert_eq!(h.state(), GroupState::Empty);
    let r = h.c.delete_groups(h.now, &[GROUP.into()]);
    assert_eq!(r[0].1, Ok(()));
    h.pump();
    assert_eq!(h.state(), GroupState::Dead);
    assert!(h.c.list_groups().is_empty());
    // The tombstones make a reload agree.
    let log = h.log[&0].clone();
    let mut c = GroupCoordinator::new(
        CoordinatorConfig {
            offsets_topic_partitions: 1,
            ..Default::default()
        },
        1,
    );
    c.load_partition(0, 0, log);
    assert!(c.list_groups().is_empty());
    let last = h.log[&0].iter().rev().take(2).collect::<Vec<_>>();
    assert!(
        last.iter().all(|(_, v)| v.is_none()),
        "offset and group tombstones"
    );
}

#[test]
fn unload_answers_pending_requests_not_coordinator() {
    let mut h = Host::quick();
    let (id, rid) = h.join_dynamic("c1", range());
    let g = h.join_response(rid).generation_id;
    let (_, pending) = h.join_dynamic("c2", range());
    assert!(h.take(pending).is_none());
    h.c.unload_partition(h.now, 0);
    h.pump();
    assert_eq!(
        h.join_response(pending).error,
        Some(ErrorCode::NotCoordinator)
    );
    assert!(!h.c.owns_partition(0));
    assert_eq!(h.c.describe_group(GROUP), Err(ErrorCode::NotCoordinator));
    assert_eq!(h.heartbeat(&id, g), Some(ErrorCode::NotCoordinator));
}

#[test]
fn reload_restores_stable_group_and_offsets() {
    // GroupMetadataManagerTest.testLoadGroupWithTombstone / testLoadOffsetsAndGroup.
    let mut h = Host::quick();
    let (leader, follower, g) = stable_pair(&mut h);
    let rid = h.commit(&follower, g, &[("t", 1, 42)]);
    assert_eq!(h.commit_errors(rid), vec![None]);
    let before = h.c.describe_group(GROUP).expect("present");
    let offsets = h.c.committed_offsets(GROUP).expect("present");
    let log = h.log[&0].clone();
    h.c.unload_partition(h.now, 0);
    h.c.load_partition(h.now, 0, log);
    assert_eq!(h.c.describe_group(GROUP).expect("present"), before);
    assert_eq!(h.c.committed_offsets(GROUP).expect("present"), offsets);
    // Loaded members must heartbeat: they keep their generation.
    assert_eq!(h.heartbeat(&leader, g), None);
    h.advance(i64::from(SESSION));
    assert_eq!(h.heartbeat(&follower, g), Some(ErrorCode::UnknownMemberId));
}

#[test]
fn records_are_kafkas_bytes() {
    // Byte layouts from Kafka's schemas (OffsetCommitKey v1, GroupMetadataKey v2,
    // OffsetCommitValue v3), written by hand.
    let key = OffsetsKey::Offset {
        group: "g".into(),
        topic: "t".into(),
        partition: 2,
    }
    .encode();
    assert_eq!(key, vec![0, 1, 0, 1, b'g', 0, 1, b't', 0, 0, 0, 2]);
    assert_eq!(
        OffsetsKey::Group { group: "g".into() }.encode(),
        vec![0, 2, 0, 1, b'g']
    );
    let value = OffsetCommitValue {
        offset: 5,
        leader_epoch: -1,
        metadata: String::new(),
        commit_timestamp: 9,
        expire_timestamp: None,
    };
    let bytes = value.encode();
    assert_eq!(
        bytes,
        vec![
            0, 3, 0, 0, 0, 0, 0, 0, 0, 5, 255, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9
        ]
    );
    assert_eq!(OffsetCommitValue::decode(&bytes), Some(value));
    // A v1 value (with expire timestamp) as old Kafkas wrote it.
    let v1 = [
        0, 1, 0, 0, 0, 0, 0, 0, 0, 7, 0, 1, b'x', 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2,
    ];
    let d = OffsetCommitValue::decode(&v1).expect("present");
    assert_eq!(
        (
            d.offset,
            d.leader_epoch,
            d.metadata.as_str(),
            d.expire_timestamp
        ),
        (7, -1, "x", Some(2))
    );
    // A group value round-trips; truncations never panic and never decode.
    let group = GroupMetadataValue {
        protocol_type: "consumer".into(),
        generation: 3,
        protocol: Some("range".into()),
        leader: Some("m".into()),
        current_state_timestamp: 11,
        members: vec![records::MemberMetadataValue {
            member_id: "m".into(),
            group_instance_id: Some("i".into()),
            client_id: "c".into(),
            client_host: "/h".into(),
            rebalance_timeout: 300,
            session_timeout: 100,
            subscription: records::encode_subscription(&Subscription {
                topics: vec!["t".into()],
                generation_id: -1,
                ..Default::default()
            }),
            assignment: records::encode_assignment(&assignment(&[0, 2])),
        }],
    };
    let bytes = group.encode();
    assert_eq!(&bytes[..2], &[0, 3]);
    assert_eq!(GroupMetadataValue::decode(&bytes), Some(group));
    for n in 0..bytes.len() {
        assert_eq!(GroupMetadataValue::decode(&bytes[..n]), None);
    }
    assert_eq!(
        records::decode_assignment(&records::encode_assignment(&assignment(&[0, 2]))),
        Some(assignment(&[0, 2]))
    );
}

#[test]
fn corrupt_records_are_skipped_on_load() {
    let mut h = Host::quick();
    let (_id, _g) = stable_single(&mut h);
    let mut log = h.log[&0].clone();
    let before = h.c.describe_group(GROUP).expect("present");
    log.push((Some(vec![0, 2, 0, 5, b'g']), Some(vec![1, 2, 3])));
    log.push((
        Some(
            OffsetsKey::Group {
                group: GROUP.into(),
            }
            .encode(),
        ),
        Some(vec![0, 3, 0]),
    ));
    log.push((None, Some(vec![1])));
    log.push((Some(vec![0, 9]), None));
    let mut c = GroupCoordinator::new(
        CoordinatorConfig {
            offsets_topic_partitions: 1,
            ..Default::default()
        },
        1,
    );
    c.load_partition(h.now, 0, log);
    assert_eq!(c.describe_group(GROUP).expect("present"), before);
}

#[test]
fn offsets_expire_after_retention_for_empty_groups() {
    // GroupMetadataManagerTest.testOffsetExpirationOfActiveGroupSemantics-like: an Empty
    // consumer group's offsets expire offsets.retention.ms after it became empty.
    let mut h = Host::new(CoordinatorConfig {
        offsets_topic_partitions: 1,
        group_initial_rebalance_delay_ms: 0,
        offsets_retention_ms: 60_000,
        ..CoordinatorConfig::default()
    });
    let (id, g) = stable_single(&mut h);
    let rid = h.commit(&id, g, &[("t", 0, 3)]);
    assert_eq!(h.commit_errors(rid), vec![None]);
    let _ = h.leave(vec![(&id, None)]);
    assert_eq!(h.state(), GroupState::Empty);
    h.advance(59_999);
    assert_eq!(h.c.committed_offsets(GROUP).expect("present").len(), 1);
    let _ = h.c.poll_events();
    h.advance(1);
    assert!(h.c.committed_offsets(GROUP).expect("present").is_empty());
    assert_eq!(h.state(), GroupState::Dead);
    let events = h.c.poll_events();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, GroupEvent::OffsetsExpired { .. }))
    );
    // Reloading the log (with the tombstones) agrees.
    let mut c = GroupCoordinator::new(
        CoordinatorConfig {
            offsets_topic_partitions: 1,
            ..Default::default()
        },
        1,
    );
    c.load_partition(h.now, 0, h.log[&0].clone());
    assert!(c.list_groups().is_empty());
}

#[test]
fn leader_fail_to_rejoin_before_final_rebalance_timeout_with_long_session_timeout() {
    // GroupCoordinatorTest.testLeaderFailToRejoinBeforeFinalRebalanceTimeoutWithLongSessionTimeout:
    // a static leader that keeps its session but does not rejoin stays a member; a member that
    // rejoined leads the new generation.
    let mut h = Host::quick();
    let r1 = join_static(&mut h, "i1", "", range());
    let j1 = h.join_response(r1);
    let a = j1.member_id.clone();
    let s = h.sync(&a, j1.generation_id, vec![(a.clone(), assignment(&[0]))]);
    let _ = h.sync_response(s);
    let r2 = join_static(&mut h, "i2", "", range());
    assert!(h.take(r2).is_none(), "waits for the leader to rejoin");
    for _ in 0..4 {
        h.advance(i64::from(REBALANCE) / 4 - 1);
        assert_eq!(
            h.heartbeat_static(&a, Some("i1"), j1.generation_id),
            Some(ErrorCode::RebalanceInProgress)
        );
    }
    h.advance(4);
    let j2 = h.join_response(r2);
    assert_eq!(j2.error, None);
    assert_eq!(j2.leader, j2.member_id, "the member that rejoined leads");
    assert_eq!(
        j2.members.len(),
        2,
        "the static member that did not rejoin stays"
    );
    let d = h.c.describe_group(GROUP).expect("owned");
    assert_eq!(d.state, GroupState::CompletingRebalance);
    assert_eq!(d.members.len(), 2);
}

#[test]
fn loaded_group_over_max_size_rebalances_and_drops_the_excess() {
    // Kafka's `onGroupLoaded` over-capacity rebalance: a group loaded with more members
    // than group.max.size rebalances; the members over the limit are refused and dropped.
    let mut h = Host::quick();
    let (leader, follower, g) = stable_pair(&mut h);
    let log = h.log[&0].clone();
    let mut small = Host::new(CoordinatorConfig {
        offsets_topic_partitions: 1,
        group_initial_rebalance_delay_ms: 0,
        group_max_size: 1,
        ..CoordinatorConfig::default()
    });
    small.c.load_partition(0, 0, log);
    assert_eq!(small.state(), GroupState::PreparingRebalance);
    let l = small.send("c1", join(&leader, None, range()));
    let f = small.send("c2", join(&follower, None, range()));
    assert_eq!(
        small.join_response(f).error,
        Some(ErrorCode::GroupMaxSizeReached)
    );
    let j = small.join_response(l);
    assert_eq!(j.generation_id, g + 1);
    assert_eq!(j.members.len(), 1);
}

#[test]
fn standalone_commit_with_member_id_on_empty_group() {
    // GroupCoordinatorTest.testCommitOffsetsAfterGroupIsEmpty: generation -1 commits are
    // accepted while the group is Empty, whatever the member id.
    let mut h = Host::quick();
    let (id, g) = stable_single(&mut h);
    let _ = h.leave(vec![(&id, None)]);
    assert_eq!(h.state(), GroupState::Empty);
    let rid = h.commit(&id, -1, &[("t", 0, 11)]);
    assert_eq!(h.commit_errors(rid), vec![None]);
    // With its old generation it is an unknown member now.
    let rid = h.commit(&id, g, &[("t", 0, 12)]);
    assert_eq!(h.commit_errors(rid), vec![Some(ErrorCode::UnknownMemberId)]);
}

#[test]
fn unload_answers_a_pending_commit_not_coordinator() {
    // Kafka's `onResignation`: requests waiting on a write of an unloaded partition fail.
    let mut h = Host::quick();
    h.hold_appends = true;
    let rid = h.commit("", -1, &[("t", 0, 5)]);
    assert!(h.take(rid).is_none());
    h.c.unload_partition(h.now, 0);
    h.pump();
    assert_eq!(h.commit_errors(rid), vec![Some(ErrorCode::NotCoordinator)]);
    // The late acknowledgement changes nothing.
    h.hold_appends = false;
    h.release();
    h.c.load_partition(h.now, 0, Vec::new());
    assert!(h.c.committed_offsets(GROUP).expect("owned").is_empty());
}
