//! The sans-I/O consumer driven by hand-crafted coordinator and leader answers: Kafka's
//! `ConsumerCoordinatorTest`, `AbstractCoordinatorTest`, `FetcherTest` and `KafkaConsumerTest`
//! scenarios (the behaviour, with rill's typed messages in place of Kafka's `MockClient`).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::collections::BTreeMap;

use rill_core::consumer::{
    AutoOffsetReset, Consumer, ConsumerConfig, ConsumerError, ConsumerEvent, ConsumerRequest,
    ConsumerRequestBody, ConsumerResponseBody, FetchedPartition, OffsetResetReason,
    OffsetSpecRequest,
};
use rill_core::error::ErrorCode;
use rill_core::group::protocol::{
    GroupRequest, GroupResponse, JoinGroupRequest, JoinGroupResponse, JoinGroupResponseMember,
    LeaveGroupResponse, MemberAssignment, OffsetAndMetadata, OffsetCommitResponse,
    OffsetFetchResponse, Subscription, SyncGroupResponse,
};
use rill_core::group::{Member, TopicPartition, member_from_subscription};
use rill_core::record::{StoredRecord, TimestampType};

fn tp(topic: &str, partition: u32) -> TopicPartition {
    TopicPartition::new(topic, partition)
}

fn topics(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| name.to_string()).collect()
}

fn counts(pairs: &[(&str, u32)]) -> BTreeMap<String, u32> {
    pairs.iter().map(|&(t, n)| (t.to_string(), n)).collect()
}

fn record(offset: i64) -> StoredRecord {
    StoredRecord {
        offset,
        timestamp: 1_000 + offset,
        timestamp_type: TimestampType::CreateTime,
        key: None,
        value: Some(format!("v{offset}").into_bytes()),
        headers: Vec::new(),
    }
}

fn fetched(offsets: std::ops::Range<i64>, high_watermark: i64) -> ConsumerResponseBody {
    ConsumerResponseBody::Fetch(Ok(FetchedPartition {
        records: offsets.map(record).collect(),
        high_watermark,
        log_start_offset: 0,
    }))
}

fn requests(consumer: &mut Consumer, now: i64) -> Vec<ConsumerRequest> {
    std::iter::from_fn(|| consumer.poll_request(now)).collect()
}

fn events(consumer: &mut Consumer) -> Vec<ConsumerEvent> {
    std::iter::from_fn(|| consumer.poll_event()).collect()
}

fn group(request: &ConsumerRequest) -> Option<&GroupRequest> {
    match &request.body {
        ConsumerRequestBody::Group(group) => Some(group),
        _ => None,
    }
}

/// The one request matching `pick`, with its id.
fn only<T>(requests: &[ConsumerRequest], pick: impl Fn(&ConsumerRequest) -> Option<T>) -> (u64, T) {
    let mut found: Vec<(u64, T)> = requests
        .iter()
        .filter_map(|request| pick(request).map(|value| (request.id, value)))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "exactly one matching request in {requests:#?}"
    );
    found.remove(0)
}

fn join(request: &ConsumerRequest) -> Option<JoinGroupRequest> {
    match group(request)? {
        GroupRequest::JoinGroup(join) => Some(join.clone()),
        _ => None,
    }
}

fn sync_assignments(request: &ConsumerRequest) -> Option<Vec<(String, MemberAssignment)>> {
    match group(request)? {
        GroupRequest::SyncGroup(sync) => Some(sync.assignments.clone()),
        _ => None,
    }
}

fn is_heartbeat(request: &ConsumerRequest) -> Option<()> {
    matches!(group(request)?, GroupRequest::Heartbeat(_)).then_some(())
}

fn leave(request: &ConsumerRequest) -> Option<String> {
    match group(request)? {
        GroupRequest::LeaveGroup(leave) => Some(leave.members[0].member_id.clone()),
        _ => None,
    }
}

/// An OffsetCommit's generation, member id and offsets.
type CommitSeen = (i32, String, Vec<(TopicPartition, i64)>);

fn commit(request: &ConsumerRequest) -> Option<CommitSeen> {
    match group(request)? {
        GroupRequest::OffsetCommit(commit) => Some((
            commit.generation_id,
            commit.member_id.clone(),
            commit
                .offsets
                .iter()
                .map(|(tp, om)| (tp.clone(), om.offset))
                .collect(),
        )),
        _ => None,
    }
}

fn offset_fetch(request: &ConsumerRequest) -> Option<Vec<TopicPartition>> {
    match group(request)? {
        GroupRequest::OffsetFetch(fetch) => fetch.partitions.clone(),
        _ => None,
    }
}

fn fetch(request: &ConsumerRequest) -> Option<(TopicPartition, i64)> {
    match &request.body {
        ConsumerRequestBody::Fetch {
            topic,
            partition,
            fetch_offset,
            ..
        } => Some((tp(topic, *partition), *fetch_offset)),
        _ => None,
    }
}

fn list_offsets(request: &ConsumerRequest) -> Option<(TopicPartition, OffsetSpecRequest)> {
    match &request.body {
        ConsumerRequestBody::ListOffsets {
            topic,
            partition,
            spec,
        } => Some((tp(topic, *partition), *spec)),
        _ => None,
    }
}

fn join_response(
    error: Option<ErrorCode>,
    generation: i32,
    member_id: &str,
    leader: &str,
    protocol: &str,
    members: &[(&str, &[&str])],
) -> ConsumerResponseBody {
    ConsumerResponseBody::Group(GroupResponse::JoinGroup(JoinGroupResponse {
        error,
        generation_id: generation,
        protocol_type: Some("consumer".into()),
        protocol_name: Some(protocol.into()),
        leader: leader.into(),
        skip_assignment: false,
        member_id: member_id.into(),
        members: members
            .iter()
            .map(|(id, subscribed)| JoinGroupResponseMember {
                member_id: id.to_string(),
                group_instance_id: None,
                metadata: Subscription {
                    topics: topics(subscribed),
                    generation_id: -1,
                    ..Subscription::default()
                },
            })
            .collect(),
    }))
}

fn sync_response(error: Option<ErrorCode>, partitions: &[TopicPartition]) -> ConsumerResponseBody {
    ConsumerResponseBody::Group(GroupResponse::SyncGroup(SyncGroupResponse {
        error,
        protocol_type: Some("consumer".into()),
        protocol_name: if error.is_none() {
            Some("range".into())
        } else {
            None
        },
        assignment: MemberAssignment {
            partitions: partitions.to_vec(),
            user_data: None,
        },
    }))
}

fn heartbeat_response(error: Option<ErrorCode>) -> ConsumerResponseBody {
    ConsumerResponseBody::Group(GroupResponse::Heartbeat(error))
}

fn commit_response(
    partitions: &[TopicPartition],
    error: Option<ErrorCode>,
) -> ConsumerResponseBody {
    ConsumerResponseBody::Group(GroupResponse::OffsetCommit(OffsetCommitResponse {
        partitions: partitions.iter().map(|tp| (tp.clone(), error)).collect(),
    }))
}

fn offset_fetch_response(answers: &[(TopicPartition, Option<i64>)]) -> ConsumerResponseBody {
    ConsumerResponseBody::Group(GroupResponse::OffsetFetch(OffsetFetchResponse {
        error: None,
        partitions: answers
            .iter()
            .map(|(tp, offset)| {
                (
                    tp.clone(),
                    Ok(offset.map(|offset| OffsetAndMetadata {
                        offset,
                        leader_epoch: None,
                        metadata: String::new(),
                    })),
                )
            })
            .collect(),
    }))
}

fn offsets_of(records: &[rill_core::consumer::ConsumerRecord]) -> Vec<(u32, i64)> {
    records.iter().map(|r| (r.partition, r.offset)).collect()
}

/// A member of group `g` subscribed to `t` (2 partitions), joined as the only member and
/// leader at generation 1 with `t-0`, `t-1`, positions from OffsetFetch `t-0`=5, `t-1`=7.
/// Returns the consumer at time 100 with nothing pending.
fn stable_member(config: ConsumerConfig) -> Consumer {
    let mut consumer = Consumer::new(config, 0);
    consumer.update_metadata(0, &counts(&[("t", 2)]));
    consumer.subscribe(0, &topics(&["t"])).expect("subscribe");
    // Kafka's consumer joins from `poll` (`ensureActiveGroup`), not from `subscribe`.
    consumer.poll(0).expect("poll");
    let (id, _) = only(&requests(&mut consumer, 0), join);
    consumer.handle_response(
        10,
        id,
        join_response(None, 1, "m1", "m1", "range", &[("m1", &["t"])]),
    );
    let (id, _) = only(&requests(&mut consumer, 10), sync_assignments);
    consumer.handle_response(20, id, sync_response(None, &[tp("t", 0), tp("t", 1)]));
    let (id, _) = only(&requests(&mut consumer, 20), offset_fetch);
    consumer.handle_response(
        30,
        id,
        offset_fetch_response(&[(tp("t", 0), Some(5)), (tp("t", 1), Some(7))]),
    );
    let fetches = requests(&mut consumer, 30);
    assert_eq!(fetches.len(), 2, "one fetch per partition: {fetches:?}");
    for request in &fetches {
        consumer.handle_response(100, request.id, fetched(0..0, 10));
    }
    let _ = requests(&mut consumer, 100);
    events(&mut consumer);
    consumer
}

/// ConsumerCoordinatorTest/KafkaConsumerTest: join (MEMBER_ID_REQUIRED first), sync as the
/// leader, committed positions, a reset, fetch, poll, commitSync.
#[test]
fn full_join_sync_fetch_poll_commit_cycle() {
    let mut consumer = Consumer::new(ConsumerConfig::with_group("g"), 0);
    consumer.update_metadata(0, &counts(&[("t", 2)]));
    consumer.subscribe(0, &topics(&["t"])).expect("subscribe");
    // Kafka's consumer joins from `poll` (`ensureActiveGroup`), not from `subscribe`.
    consumer.poll(0).expect("poll");

    let (id, first) = only(&requests(&mut consumer, 0), join);
    assert_eq!(first.member_id, "");
    assert_eq!(first.group_id, "g");
    assert_eq!(first.session_timeout_ms, 45_000);
    assert_eq!(first.rebalance_timeout_ms, 300_000);
    assert_eq!(first.protocol_type, "consumer");
    let names: Vec<&str> = first.protocols.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["range", "cooperative-sticky"]);
    assert_eq!(first.protocols[0].metadata.topics, topics(&["t"]));

    // KIP-394: the first join of a dynamic member is answered with its member id.
    consumer.handle_response(
        5,
        id,
        ConsumerResponseBody::Group(GroupResponse::JoinGroup(JoinGroupResponse {
            error: Some(ErrorCode::MemberIdRequired),
            generation_id: -1,
            protocol_type: None,
            protocol_name: None,
            leader: String::new(),
            skip_assignment: false,
            member_id: "m1".into(),
            members: Vec::new(),
        })),
    );
    let (id, second) = only(&requests(&mut consumer, 5), join);
    assert_eq!(second.member_id, "m1");

    consumer.handle_response(
        10,
        id,
        join_response(None, 1, "m1", "m1", "range", &[("m1", &["t"])]),
    );
    let (id, assignments) = only(&requests(&mut consumer, 10), sync_assignments);
    assert_eq!(
        assignments,
        vec![(
            "m1".to_string(),
            MemberAssignment {
                partitions: vec![tp("t", 0), tp("t", 1)],
                user_data: None
            }
        )]
    );
    consumer.handle_response(20, id, sync_response(None, &[tp("t", 0), tp("t", 1)]));
    assert!(consumer.is_stable());
    assert_eq!(consumer.generation(), (1, "m1"));
    assert_eq!(
        events(&mut consumer),
        vec![
            ConsumerEvent::JoinedGroup {
                generation: 1,
                member_id: "m1".into(),
                leader: "m1".into(),
                protocol: "range".into()
            },
            ConsumerEvent::PartitionsAssigned {
                partitions: vec![tp("t", 0), tp("t", 1)],
                at: 20
            },
        ]
    );

    // Committed offset for t-0; none for t-1 → auto.offset.reset=latest.
    let (id, asked) = only(&requests(&mut consumer, 20), offset_fetch);
    assert_eq!(asked, vec![tp("t", 0), tp("t", 1)]);
    consumer.handle_response(
        30,
        id,
        offset_fetch_response(&[(tp("t", 0), Some(5)), (tp("t", 1), None)]),
    );
    let sent = requests(&mut consumer, 30);
    let (list_id, (listed, spec)) = only(&sent, list_offsets);
    assert_eq!((listed, spec), (tp("t", 1), OffsetSpecRequest::Latest));
    let (fetch0, at) = only(&sent, fetch);
    assert_eq!(at, (tp("t", 0), 5));
    consumer.handle_response(35, list_id, ConsumerResponseBody::ListOffsets(Ok(7)));
    assert_eq!(
        events(&mut consumer),
        vec![ConsumerEvent::OffsetReset {
            tp: tp("t", 1),
            offset: 7,
            reason: OffsetResetReason::NoCommittedOffset
        }]
    );
    let (fetch1, at) = only(&requests(&mut consumer, 35), fetch);
    assert_eq!(at, (tp("t", 1), 7));

    consumer.handle_response(40, fetch0, fetched(5..8, 8));
    consumer.handle_response(41, fetch1, fetched(7..9, 9));
    let records = consumer.poll(50).expect("poll");
    assert_eq!(
        offsets_of(&records),
        vec![(0, 5), (0, 6), (0, 7), (1, 7), (1, 8)]
    );
    assert_eq!(records[0].value.as_deref(), Some(&b"v5"[..]));
    assert_eq!(consumer.position(&tp("t", 0)), Ok(Some(8)));
    assert_eq!(consumer.position(&tp("t", 1)), Ok(Some(9)));

    let commit_id = consumer.commit_sync(60, None);
    let sent = requests(&mut consumer, 60);
    let (id, (generation, member, offsets)) = only(&sent, commit);
    assert_eq!((generation, member.as_str()), (1, "m1"));
    assert_eq!(offsets, vec![(tp("t", 0), 8), (tp("t", 1), 9)]);
    // Fetching resumed for both partitions after the poll drained them.
    assert_eq!(sent.iter().filter_map(fetch).count(), 2);
    consumer.handle_response(70, id, commit_response(&[tp("t", 0), tp("t", 1)], None));
    let completed: Vec<ConsumerEvent> = events(&mut consumer);
    assert!(matches!(
        &completed[..],
        [ConsumerEvent::CommitCompleted { id, auto: false, result: Ok(()), .. }] if *id == commit_id
    ));
}

/// RangeAssignor run by the leader over every member (Kafka's `testPerformAssignment`).
#[test]
fn leader_computes_the_assignment_for_every_member() {
    let mut consumer = Consumer::new(ConsumerConfig::with_group("g"), 0);
    consumer.update_metadata(0, &counts(&[("t", 3), ("u", 1)]));
    consumer.subscribe(0, &topics(&["t"])).expect("subscribe");
    // Kafka's consumer joins from `poll` (`ensureActiveGroup`), not from `subscribe`.
    consumer.poll(0).expect("poll");
    let (id, _) = only(&requests(&mut consumer, 0), join);
    consumer.handle_response(
        1,
        id,
        join_response(
            None,
            3,
            "m1",
            "m1",
            "range",
            &[("m1", &["t"]), ("m2", &["t", "u"])],
        ),
    );
    let (_, mut assignments) = only(&requests(&mut consumer, 1), sync_assignments);
    assignments.sort_by(|a, b| a.0.cmp(&b.0));
    let partitions: Vec<(String, Vec<TopicPartition>)> = assignments
        .into_iter()
        .map(|(member, assignment)| (member, assignment.partitions))
        .collect();
    assert_eq!(
        partitions,
        vec![
            ("m1".to_string(), vec![tp("t", 0), tp("t", 1)]),
            ("m2".to_string(), vec![tp("t", 2), tp("u", 0)]),
        ]
    );

    // The leader needs the partition counts of every member's topics.
    assert_eq!(consumer.metadata_topics(), topics(&["t", "u"]));

    // A follower sends no assignment.
    let mut follower = Consumer::new(ConsumerConfig::with_group("g"), 0);
    follower.subscribe(0, &topics(&["t"])).expect("subscribe");
    // Kafka's consumer joins from `poll` (`ensureActiveGroup`), not from `subscribe`.
    follower.poll(0).expect("poll");
    let (id, _) = only(&requests(&mut follower, 0), join);
    follower.handle_response(1, id, join_response(None, 3, "m2", "m1", "range", &[]));
    let (_, assignments) = only(&requests(&mut follower, 1), sync_assignments);
    assert!(assignments.is_empty());
}

/// The leader rejoins when a subscribed topic's partition count changes (Kafka's
/// `testMetadataChangeTriggersRebalance`); a follower does not.
#[test]
fn leader_rejoins_when_partition_count_changes() {
    let mut consumer = stable_member(ConsumerConfig {
        enable_auto_commit: false,
        ..ConsumerConfig::with_group("g")
    });
    consumer.update_metadata(200, &counts(&[("other", 4)]));
    consumer.poll(200).expect("poll");
    assert!(
        requests(&mut consumer, 200)
            .iter()
            .filter_map(join)
            .next()
            .is_none()
    );
    consumer.update_metadata(300, &counts(&[("t", 3)]));
    // Kafka checks the metadata snapshot in `poll` (`rejoinNeededOrPending`).
    assert!(
        requests(&mut consumer, 300)
            .iter()
            .filter_map(join)
            .next()
            .is_none(),
        "no rejoin before poll"
    );
    assert!(events(&mut consumer).is_empty());
    consumer.poll(300).expect("poll");
    let sent = requests(&mut consumer, 300);
    let (_, rejoin) = only(&sent, join);
    assert_eq!(rejoin.member_id, "m1");
    // Eager: everything revoked before the JoinGroup went out.
    assert_eq!(
        events(&mut consumer),
        vec![ConsumerEvent::PartitionsRevoked {
            partitions: vec![tp("t", 0), tp("t", 1)],
            at: 300
        }]
    );
}

/// Eager protocol (`testRebalanceInProgressOnHeartbeat` / `onJoinPrepare`): a heartbeat's
/// REBALANCE_IN_PROGRESS leads to an auto-commit, then every partition is revoked, then the
/// rejoin with no owned partitions.
#[test]
fn eager_rebalance_commits_then_revokes_all_before_rejoining() {
    let mut consumer = stable_member(ConsumerConfig::with_group("g"));
    assert_eq!(consumer.poll_timeout(), Some(3_020));
    consumer.handle_timeout(3_020);
    let (id, ()) = only(&requests(&mut consumer, 3_020), is_heartbeat);
    consumer.handle_response(
        3_021,
        id,
        heartbeat_response(Some(ErrorCode::RebalanceInProgress)),
    );
    // The heartbeat only marks the rejoin as needed; `poll` starts it (`onJoinPrepare`).
    consumer.poll(3_021).expect("poll");
    let sent = requests(&mut consumer, 3_021);
    assert!(
        sent.iter().filter_map(join).next().is_none(),
        "commit before rejoining"
    );
    let (commit_id, (generation, member, offsets)) = only(&sent, commit);
    assert_eq!((generation, member.as_str()), (1, "m1"));
    assert_eq!(offsets, vec![(tp("t", 0), 5), (tp("t", 1), 7)]);
    assert!(events(&mut consumer).is_empty());
    // Pending revocation: not returned by poll meanwhile.
    assert_eq!(consumer.poll(3_022).expect("poll"), vec![]);

    consumer.handle_response(
        3_030,
        commit_id,
        commit_response(&[tp("t", 0), tp("t", 1)], None),
    );
    let evs = events(&mut consumer);
    assert!(matches!(
        evs[0],
        ConsumerEvent::CommitCompleted {
            auto: true,
            result: Ok(()),
            ..
        }
    ));
    assert_eq!(
        evs[1],
        ConsumerEvent::PartitionsRevoked {
            partitions: vec![tp("t", 0), tp("t", 1)],
            at: 3_030
        }
    );
    assert!(consumer.assignment().is_empty());
    let (_, rejoin) = only(&requests(&mut consumer, 3_030), join);
    assert_eq!(rejoin.member_id, "m1");
    assert!(rejoin.protocols[0].metadata.owned_partitions.is_empty());
    assert_eq!(rejoin.protocols[0].metadata.generation_id, 1);
}

/// A follower of group `g` with `strategies`, joined in `generation` under `protocol` and
/// given `partitions` (in that order) by the leader, at time 20.
fn follower(
    strategies: &[&str],
    protocol: &str,
    generation: i32,
    partitions: &[TopicPartition],
) -> Consumer {
    let mut config = ConsumerConfig::with_group("g");
    config.enable_auto_commit = false;
    config.partition_assignment_strategy = strategies.iter().map(|s| s.to_string()).collect();
    let mut consumer = Consumer::new(config, 0);
    consumer.update_metadata(0, &counts(&[("t", 2)]));
    consumer.subscribe(0, &topics(&["t"])).expect("subscribe");
    consumer.poll(0).expect("poll");
    let (id, _) = only(&requests(&mut consumer, 0), join);
    consumer.handle_response(
        10,
        id,
        join_response(None, generation, "m1", "leader", protocol, &[]),
    );
    let (id, ()) = only(&requests(&mut consumer, 10), |request| {
        matches!(group(request), Some(GroupRequest::SyncGroup(_))).then_some(())
    });
    consumer.handle_response(
        20,
        id,
        ConsumerResponseBody::Group(GroupResponse::SyncGroup(SyncGroupResponse {
            error: None,
            protocol_type: Some("consumer".into()),
            protocol_name: Some(protocol.into()),
            assignment: MemberAssignment {
                partitions: partitions.to_vec(),
                user_data: None,
            },
        })),
    );
    assert_eq!(consumer.assignment().len(), partitions.len());
    let _ = requests(&mut consumer, 20);
    events(&mut consumer);
    consumer
}

/// The subscription `request` carries for `protocol`, as the leader's assignor reads it.
fn member_for(request: &JoinGroupRequest, protocol: &str) -> (Member, Subscription) {
    let subscription = request
        .protocols
        .iter()
        .find(|p| p.name == protocol)
        .map(|p| p.metadata.clone())
        .expect("the protocol is offered");
    let member = member_from_subscription(protocol, "m1", None, &subscription);
    (member, subscription)
}

/// Issue 18 item 1: Kafka's `StickyAssignor` remembers what `onAssignment` gave it (the
/// partitions in the leader's order and the generation) and sends that as its user data even
/// though the eager protocol revoked everything before the join, and even after the
/// generation was lost; the subscription's own `ownedPartitions` is empty and its
/// `generationId` is the consumer's current one. Only the chosen assignor is told
/// (`lookupAssignor(assignmentStrategy)`): the other strategy still knows nothing.
#[test]
fn sticky_user_data_carries_the_last_assignment_across_revocation_and_a_lost_generation() {
    let assigned = [tp("t", 1), tp("t", 0)];
    let mut consumer = follower(&["sticky", "cooperative-sticky"], "sticky", 3, &assigned);
    consumer.handle_timeout(3_020);
    let (id, ()) = only(&requests(&mut consumer, 3_020), is_heartbeat);
    consumer.handle_response(
        3_021,
        id,
        heartbeat_response(Some(ErrorCode::RebalanceInProgress)),
    );
    consumer.poll(3_021).expect("poll");
    let (_, rejoin) = only(&requests(&mut consumer, 3_021), join);
    assert!(consumer.assignment().is_empty(), "eager: all revoked");
    let (member, subscription) = member_for(&rejoin, "sticky");
    assert_eq!(member.owned, assigned.to_vec(), "the leader's order");
    assert_eq!(member.generation, Some(3));
    assert!(subscription.owned_partitions.is_empty());
    assert_eq!(subscription.generation_id, 3);
    let (_, cooperative) = member_for(&rejoin, "cooperative-sticky");
    assert_eq!(cooperative.user_data, Some((-1i32).to_be_bytes().to_vec()));

    // The generation is lost (UNKNOWN_MEMBER_ID on the join): the assignor still remembers.
    let mut consumer = follower(&["sticky"], "sticky", 3, &assigned);
    consumer.handle_timeout(3_020);
    let (id, ()) = only(&requests(&mut consumer, 3_020), is_heartbeat);
    consumer.handle_response(
        3_021,
        id,
        heartbeat_response(Some(ErrorCode::UnknownMemberId)),
    );
    consumer.poll(3_021).expect("poll");
    let (_, rejoin) = only(&requests(&mut consumer, 3_021), join);
    let (member, subscription) = member_for(&rejoin, "sticky");
    assert_eq!(
        (member.owned, member.generation),
        (assigned.to_vec(), Some(3))
    );
    assert_eq!(subscription.generation_id, -1);
}

/// `CooperativeStickyAssignor.onAssignment` keeps the generation; after the consumer's own
/// generation is reset, the user data still says the last one the assignor was given.
#[test]
fn cooperative_sticky_user_data_keeps_the_last_generation_after_a_reset() {
    let mut consumer = follower(
        &["cooperative-sticky"],
        "cooperative-sticky",
        4,
        &[tp("t", 0)],
    );
    consumer.handle_timeout(3_020);
    let (id, ()) = only(&requests(&mut consumer, 3_020), is_heartbeat);
    consumer.handle_response(
        3_021,
        id,
        heartbeat_response(Some(ErrorCode::IllegalGeneration)),
    );
    consumer.poll(3_021).expect("poll");
    let (_, rejoin) = only(&requests(&mut consumer, 3_021), join);
    let (member, subscription) = member_for(&rejoin, "cooperative-sticky");
    assert_eq!(subscription.generation_id, -1);
    assert!(subscription.owned_partitions.is_empty(), "lost");
    assert_eq!(subscription.user_data, Some(4i32.to_be_bytes().to_vec()));
    assert_eq!(member.generation, Some(4));
}

/// Heartbeat UNKNOWN_MEMBER_ID / ILLEGAL_GENERATION: the generation is reset, the partitions
/// are lost, the member rejoins with an empty member id (`testUnknownMemberIdOnHeartbeat`,
/// `testIllegalGenerationOnHeartbeat`).
#[test]
fn heartbeat_fencing_errors_reset_generation_and_lose_partitions() {
    for error in [ErrorCode::UnknownMemberId, ErrorCode::IllegalGeneration] {
        let mut consumer = stable_member(ConsumerConfig {
            enable_auto_commit: false,
            ..ConsumerConfig::with_group("g")
        });
        consumer.handle_timeout(3_020);
        let (id, ()) = only(&requests(&mut consumer, 3_020), is_heartbeat);
        consumer.handle_response(3_025, id, heartbeat_response(Some(error)));
        assert_eq!(consumer.generation(), (-1, ""));
        // The partitions are given up and the member rejoins at the next `poll`.
        assert!(requests(&mut consumer, 3_025).is_empty(), "{error}");
        assert!(events(&mut consumer).is_empty(), "{error}");
        consumer.poll(3_025).expect("poll");
        let (_, rejoin) = only(&requests(&mut consumer, 3_025), join);
        assert_eq!(rejoin.member_id, "", "{error}");
        assert_eq!(
            events(&mut consumer),
            vec![ConsumerEvent::PartitionsLost {
                partitions: vec![tp("t", 0), tp("t", 1)],
                at: 3_025
            }]
        );
    }
}

/// A member told REBALANCE_IN_PROGRESS by a heartbeat only marks the rejoin as needed: it
/// keeps heartbeating and keeps its partitions, and sends no JoinGroup until the application
/// polls (Kafka's `HeartbeatResponseHandler` calls `requestRejoin`; `ConsumerCoordinator.poll`
/// → `ensureActiveGroup` → `joinGroupIfNeeded` starts the join). Then it revokes (eager) and
/// rejoins with its member id.
#[test]
fn heartbeat_rebalance_in_progress_rejoins_only_at_the_next_poll() {
    let mut consumer = stable_member(ConsumerConfig {
        enable_auto_commit: false,
        ..ConsumerConfig::with_group("g")
    });
    consumer.handle_timeout(3_020);
    let (id, ()) = only(&requests(&mut consumer, 3_020), is_heartbeat);
    consumer.handle_response(
        3_021,
        id,
        heartbeat_response(Some(ErrorCode::RebalanceInProgress)),
    );
    // The application does not poll: no JoinGroup, the partitions stay, heartbeats go on.
    let mut heartbeats = 0;
    while let Some(next) = consumer.poll_timeout() {
        if next > 9_100 {
            break;
        }
        let now = next;
        consumer.handle_timeout(now);
        for request in requests(&mut consumer, now) {
            assert!(join(&request).is_none(), "JoinGroup before poll at {now}");
            if is_heartbeat(&request).is_some() {
                heartbeats += 1;
                consumer.handle_response(
                    now,
                    request.id,
                    heartbeat_response(Some(ErrorCode::RebalanceInProgress)),
                );
            }
        }
    }
    assert_eq!(heartbeats, 2, "heartbeats at 6_021 and 9_021");
    assert!(consumer.is_stable());
    assert_eq!(consumer.generation(), (1, "m1"));
    assert_eq!(consumer.assignment(), vec![tp("t", 0), tp("t", 1)]);
    assert!(events(&mut consumer).is_empty());

    // The application polls: the partitions are revoked and the member rejoins.
    consumer.poll(9_100).expect("poll");
    let (_, rejoin) = only(&requests(&mut consumer, 9_100), join);
    assert_eq!(rejoin.member_id, "m1");
    assert_eq!(rejoin.protocols[0].metadata.generation_id, 1);
    assert!(rejoin.protocols[0].metadata.owned_partitions.is_empty());
    assert_eq!(
        events(&mut consumer),
        vec![ConsumerEvent::PartitionsRevoked {
            partitions: vec![tp("t", 0), tp("t", 1)],
            at: 9_100
        }]
    );
    assert!(consumer.assignment().is_empty());
}

/// A join `poll` started goes on without the application: a JoinGroup answered
/// UNKNOWN_MEMBER_ID is retried at once with an empty member id (Kafka's `joinGroupIfNeeded`
/// loop `continue`s on it), and the SyncGroup follows the JoinGroup answer.
#[test]
fn a_join_started_by_poll_retries_and_completes_without_polling() {
    let mut consumer = Consumer::new(
        ConsumerConfig {
            enable_auto_commit: false,
            ..ConsumerConfig::with_group("g")
        },
        0,
    );
    consumer.subscribe(0, &topics(&["t"])).expect("subscribe");
    assert!(
        requests(&mut consumer, 0).is_empty(),
        "subscribe does not join"
    );
    assert_eq!(consumer.poll_timeout(), None);
    consumer.poll(0).expect("poll");
    let (id, _) = only(&requests(&mut consumer, 0), join);
    consumer.handle_response(1, id, join_response(None, 1, "m1", "m2", "range", &[]));
    let (id, _) = only(&requests(&mut consumer, 1), sync_assignments);
    consumer.handle_response(2, id, sync_response(Some(ErrorCode::UnknownMemberId), &[]));
    assert_eq!(consumer.generation(), (-1, ""));
    let (id, again) = only(&requests(&mut consumer, 2), join);
    assert_eq!(again.member_id, "");
    consumer.handle_response(3, id, join_response(None, 2, "m3", "m2", "range", &[]));
    let (id, _) = only(&requests(&mut consumer, 3), sync_assignments);
    consumer.handle_response(4, id, sync_response(None, &[tp("t", 0)]));
    assert!(consumer.is_stable());
    assert_eq!(consumer.generation(), (2, "m3"));
    assert_eq!(consumer.assignment(), vec![tp("t", 0)]);
}

/// Heartbeats go out every `heartbeat.interval.ms`, one at a time; a failed one is retried
/// after `retry.backoff.ms`.
#[test]
fn heartbeat_every_interval() {
    let mut consumer = stable_member(ConsumerConfig {
        enable_auto_commit: false,
        ..ConsumerConfig::with_group("g")
    });
    // Synced at 20: the first heartbeat is due at 3020.
    consumer.handle_timeout(3_019);
    assert!(requests(&mut consumer, 3_019).is_empty());
    consumer.handle_timeout(3_020);
    let (id, ()) = only(&requests(&mut consumer, 3_020), is_heartbeat);
    consumer.handle_timeout(6_020);
    assert!(
        requests(&mut consumer, 6_020)
            .iter()
            .filter_map(is_heartbeat)
            .next()
            .is_none(),
        "one in flight"
    );
    consumer.handle_response(6_021, id, heartbeat_response(None));
    let (id, ()) = only(&requests(&mut consumer, 6_021), is_heartbeat);
    consumer.handle_response(
        6_030,
        id,
        ConsumerResponseBody::Failed(ErrorCode::NetworkException),
    );
    assert_eq!(consumer.poll_timeout(), Some(6_130));
    consumer.handle_timeout(6_130);
    only(&requests(&mut consumer, 6_130), is_heartbeat);
}

/// FENCED_INSTANCE_ID is fatal: every later poll fails with it.
#[test]
fn fenced_instance_id_is_fatal() {
    let mut consumer = stable_member(ConsumerConfig {
        enable_auto_commit: false,
        group_instance_id: Some("i1".into()),
        ..ConsumerConfig::with_group("g")
    });
    consumer.handle_timeout(3_020);
    let (id, ()) = only(&requests(&mut consumer, 3_020), is_heartbeat);
    consumer.handle_response(
        3_025,
        id,
        heartbeat_response(Some(ErrorCode::FencedInstanceId)),
    );
    for now in [3_030, 3_040] {
        let error = consumer.poll(now).expect_err("fenced");
        assert_eq!(error, ConsumerError::FencedInstanceId);
        assert_eq!(error.exception_name(), "FencedInstanceIdException");
    }
}

/// `max.poll.interval.ms` without a poll: the member sends LeaveGroup (Kafka's heartbeat
/// thread, `testPollTimeoutExpiration`), stops heartbeating, and rejoins at the next poll,
/// giving its partitions up as lost.
#[test]
fn poll_interval_exceeded_leaves_the_group() {
    let config = ConsumerConfig {
        enable_auto_commit: false,
        max_poll_interval_ms: 10_000,
        session_timeout_ms: 6_000,
        heartbeat_interval_ms: 2_000,
        ..ConsumerConfig::with_group("g")
    };
    let mut consumer = stable_member(config.clone());
    consumer.poll(100).expect("poll");
    while let Some(now) = consumer.poll_timeout() {
        if now >= 10_100 {
            break;
        }
        consumer.handle_timeout(now);
        for request in requests(&mut consumer, now) {
            if is_heartbeat(&request).is_some() {
                consumer.handle_response(now, request.id, heartbeat_response(None));
            }
        }
    }
    assert!(consumer.is_stable());
    consumer.handle_timeout(10_100);
    let sent = requests(&mut consumer, 10_100);
    let (_, member) = only(&sent, leave);
    assert_eq!(member, "m1");
    assert_eq!(
        events(&mut consumer),
        vec![ConsumerEvent::LeftGroup {
            reason: "consumer poll timeout has expired.".into()
        }]
    );
    // No more heartbeats or joins until the application polls again.
    consumer.handle_timeout(20_000);
    assert!(
        requests(&mut consumer, 20_000)
            .iter()
            .filter_map(group)
            .next()
            .is_none()
    );
    assert_eq!(consumer.poll(20_001).expect("poll"), vec![]);
    let (_, rejoin) = only(&requests(&mut consumer, 20_001), join);
    assert_eq!(rejoin.member_id, "");
    assert_eq!(
        events(&mut consumer),
        vec![ConsumerEvent::PartitionsLost {
            partitions: vec![tp("t", 0), tp("t", 1)],
            at: 20_001
        }]
    );

    // A static member does not send LeaveGroup.
    let mut static_member = stable_member(ConsumerConfig {
        group_instance_id: Some("i1".into()),
        ..config
    });
    static_member.handle_timeout(10_020);
    assert!(
        requests(&mut static_member, 10_020)
            .iter()
            .filter_map(leave)
            .next()
            .is_none()
    );
    assert_eq!(static_member.generation(), (-1, ""));
}

/// Standalone consumer with `group.id`: committed offsets via OffsetFetch, `auto.offset.reset`
/// for partitions without one (`FetcherTest`/`OffsetFetcherTest` reset cases).
#[test]
fn auto_offset_reset_earliest_latest_none() {
    for (reset, spec) in [
        (AutoOffsetReset::Earliest, OffsetSpecRequest::Earliest),
        (AutoOffsetReset::Latest, OffsetSpecRequest::Latest),
    ] {
        let mut consumer = Consumer::new(
            ConsumerConfig {
                auto_offset_reset: reset,
                ..ConsumerConfig::with_group("g")
            },
            0,
        );
        consumer.assign(0, &[tp("t", 0)]).expect("assign");
        let (id, _) = only(&requests(&mut consumer, 0), offset_fetch);
        consumer.handle_response(1, id, offset_fetch_response(&[(tp("t", 0), None)]));
        let (id, (_, asked)) = only(&requests(&mut consumer, 1), list_offsets);
        assert_eq!(asked, spec);
        consumer.handle_response(2, id, ConsumerResponseBody::ListOffsets(Ok(42)));
        assert_eq!(consumer.position(&tp("t", 0)), Ok(Some(42)));
        let (_, at) = only(&requests(&mut consumer, 2), fetch);
        assert_eq!(at, (tp("t", 0), 42));
    }

    let mut consumer = Consumer::new(
        ConsumerConfig {
            auto_offset_reset: AutoOffsetReset::None,
            ..ConsumerConfig::with_group("g")
        },
        0,
    );
    consumer.assign(0, &[tp("t", 0)]).expect("assign");
    let (id, _) = only(&requests(&mut consumer, 0), offset_fetch);
    consumer.handle_response(1, id, offset_fetch_response(&[(tp("t", 0), None)]));
    assert!(requests(&mut consumer, 1).is_empty());
    for now in [2, 3] {
        let error = consumer.poll(now).expect_err("no offset");
        assert_eq!(
            error,
            ConsumerError::NoOffsetForPartition {
                partitions: vec![tp("t", 0)]
            }
        );
        assert_eq!(error.exception_name(), "NoOffsetForPartitionException");
    }
    consumer.seek(&tp("t", 0), 3).expect("seek");
    assert_eq!(consumer.poll(4).expect("poll after seek"), vec![]);

    // Without group.id there is nothing committed to look up.
    let mut standalone = Consumer::new(
        ConsumerConfig {
            auto_offset_reset: AutoOffsetReset::Earliest,
            ..ConsumerConfig::default()
        },
        0,
    );
    standalone.assign(0, &[tp("t", 0)]).expect("assign");
    let sent = requests(&mut standalone, 0);
    assert!(sent.iter().all(|r| group(r).is_none()));
    only(&sent, list_offsets);
}

/// `OffsetFetcherTest`: a ListOffsets answered with OFFSET_NOT_AVAILABLE (a leader elected
/// moments ago whose high watermark lags its epoch start) is retried after
/// `retry.backoff.ms` (`OffsetFetcherUtils.handleListOffsetResponse` puts it in
/// `partitionsToRetry`); `poll` reports no error, and Kafka's client counts it retriable.
#[test]
fn list_offsets_offset_not_available_is_retried() {
    let mut consumer = Consumer::new(
        ConsumerConfig {
            auto_offset_reset: AutoOffsetReset::Latest,
            ..ConsumerConfig::with_group("g")
        },
        0,
    );
    consumer.assign(0, &[tp("t", 0)]).expect("assign");
    let (id, _) = only(&requests(&mut consumer, 0), offset_fetch);
    consumer.handle_response(1, id, offset_fetch_response(&[(tp("t", 0), None)]));
    let (id, _) = only(&requests(&mut consumer, 1), list_offsets);
    consumer.handle_response(
        2,
        id,
        ConsumerResponseBody::ListOffsets(Err(ErrorCode::OffsetNotAvailable)),
    );
    assert_eq!(consumer.poll(2).expect("retriable: no error"), vec![]);
    assert_eq!(consumer.position(&tp("t", 0)), Ok(None));
    assert!(requests(&mut consumer, 2).is_empty(), "backs off first");
    assert!(rill_core::consumer::error::is_retriable(
        ErrorCode::OffsetNotAvailable
    ));
    consumer.handle_timeout(2 + 100);
    let (id, _) = only(&requests(&mut consumer, 102), list_offsets);
    consumer.handle_response(103, id, ConsumerResponseBody::ListOffsets(Ok(9)));
    assert_eq!(consumer.position(&tp("t", 0)), Ok(Some(9)));
}

/// A committed offset the log no longer holds (retention deleted it) fetches
/// OFFSET_OUT_OF_RANGE: reset by `auto.offset.reset`, or `OffsetOutOfRangeException`.
#[test]
fn committed_offset_below_log_start_resets() {
    let mut consumer = Consumer::new(
        ConsumerConfig {
            auto_offset_reset: AutoOffsetReset::Earliest,
            ..ConsumerConfig::with_group("g")
        },
        0,
    );
    consumer.assign(0, &[tp("t", 0)]).expect("assign");
    let (id, _) = only(&requests(&mut consumer, 0), offset_fetch);
    consumer.handle_response(1, id, offset_fetch_response(&[(tp("t", 0), Some(3))]));
    let (id, at) = only(&requests(&mut consumer, 1), fetch);
    assert_eq!(at, (tp("t", 0), 3));
    consumer.handle_response(
        2,
        id,
        ConsumerResponseBody::Fetch(Err(ErrorCode::OffsetOutOfRange)),
    );
    let (id, (_, spec)) = only(&requests(&mut consumer, 2), list_offsets);
    assert_eq!(spec, OffsetSpecRequest::Earliest);
    consumer.handle_response(3, id, ConsumerResponseBody::ListOffsets(Ok(100)));
    assert_eq!(
        events(&mut consumer),
        vec![ConsumerEvent::OffsetReset {
            tp: tp("t", 0),
            offset: 100,
            reason: OffsetResetReason::OutOfRange
        }]
    );
    let (id, at) = only(&requests(&mut consumer, 3), fetch);
    assert_eq!(at, (tp("t", 0), 100));
    consumer.handle_response(4, id, fetched(100..102, 102));
    assert_eq!(
        offsets_of(&consumer.poll(5).expect("poll")),
        vec![(0, 100), (0, 101)]
    );

    let mut strict = Consumer::new(
        ConsumerConfig {
            auto_offset_reset: AutoOffsetReset::None,
            ..ConsumerConfig::with_group("g")
        },
        0,
    );
    strict.assign(0, &[tp("t", 0)]).expect("assign");
    let (id, _) = only(&requests(&mut strict, 0), offset_fetch);
    strict.handle_response(1, id, offset_fetch_response(&[(tp("t", 0), Some(3))]));
    let (id, _) = only(&requests(&mut strict, 1), fetch);
    strict.handle_response(
        2,
        id,
        ConsumerResponseBody::Fetch(Err(ErrorCode::OffsetOutOfRange)),
    );
    let error = strict.poll(3).expect_err("out of range");
    assert_eq!(
        error,
        ConsumerError::OffsetOutOfRange {
            partitions: vec![(tp("t", 0), 3)]
        }
    );
    assert_eq!(error.error_code(), Some(ErrorCode::OffsetOutOfRange));
}

/// Pause keeps buffered records and stops fetching; resume hands them out; seek discards the
/// buffer and refetches from the new position.
#[test]
fn pause_resume_and_seek() {
    let mut consumer = Consumer::new(ConsumerConfig::default(), 0);
    consumer
        .assign(0, &[tp("t", 0), tp("t", 1)])
        .expect("assign");
    let _ = requests(&mut consumer, 0);
    consumer.seek(&tp("t", 0), 0).expect("seek");
    consumer.seek(&tp("t", 1), 0).expect("seek");
    let sent = requests(&mut consumer, 1);
    let ids: BTreeMap<TopicPartition, u64> = sent
        .iter()
        .filter_map(|r| fetch(r).map(|(tp, _)| (tp, r.id)))
        .collect();
    consumer.handle_response(2, ids[&tp("t", 0)], fetched(0..3, 3));
    consumer.handle_response(2, ids[&tp("t", 1)], fetched(0..2, 2));
    let _ = requests(&mut consumer, 2);

    consumer.pause(&[tp("t", 0)]).expect("pause");
    assert_eq!(consumer.paused(), vec![tp("t", 0)]);
    let records = consumer.poll(3).expect("poll");
    assert_eq!(offsets_of(&records), vec![(1, 0), (1, 1)]);
    let sent = requests(&mut consumer, 3);
    assert_eq!(
        sent.iter().filter_map(fetch).collect::<Vec<_>>(),
        vec![(tp("t", 1), 2)],
        "paused partition not fetched"
    );
    assert_eq!(
        consumer.buffered_records(),
        3,
        "paused partition keeps its buffer"
    );

    consumer.resume(&[tp("t", 0)]).expect("resume");
    assert_eq!(
        offsets_of(&consumer.poll(4).expect("poll")),
        vec![(0, 0), (0, 1), (0, 2)]
    );
    assert_eq!(consumer.position(&tp("t", 0)), Ok(Some(3)));
    let (id, at) = only(&requests(&mut consumer, 4), fetch);
    assert_eq!(at, (tp("t", 0), 3));
    consumer.handle_response(5, id, fetched(3..6, 6));

    // Seek back: the buffered 3..6 are dropped, the next fetch starts at 1.
    consumer.seek(&tp("t", 0), 1).expect("seek");
    assert_eq!(consumer.poll(6).expect("poll"), vec![]);
    let (id, at) = only(&requests(&mut consumer, 6), fetch);
    assert_eq!(at, (tp("t", 0), 1));
    consumer.handle_response(7, id, fetched(1..3, 6));
    assert_eq!(
        offsets_of(&consumer.poll(8).expect("poll")),
        vec![(0, 1), (0, 2)]
    );

    assert_eq!(
        consumer.seek(&tp("t", 9), 0),
        Err(ConsumerError::NotAssigned {
            partition: tp("t", 9)
        })
    );
    assert!(matches!(
        consumer.seek(&tp("t", 0), -1),
        Err(ConsumerError::IllegalArgument(_))
    ));
    assert!(consumer.pause(&[tp("x", 0)]).is_err());
}

/// `max.poll.records` caps each poll; the rest stays buffered for the next one.
#[test]
fn max_poll_records_caps_each_poll() {
    let mut consumer = Consumer::new(
        ConsumerConfig {
            max_poll_records: 2,
            ..ConsumerConfig::default()
        },
        0,
    );
    consumer.assign(0, &[tp("t", 0)]).expect("assign");
    consumer.seek(&tp("t", 0), 10).expect("seek");
    let (id, _) = only(&requests(&mut consumer, 0), fetch);
    consumer.handle_response(1, id, fetched(10..15, 15));
    assert_eq!(
        offsets_of(&consumer.poll(2).expect("poll")),
        vec![(0, 10), (0, 11)]
    );
    assert!(
        requests(&mut consumer, 2).is_empty(),
        "no fetch while records are buffered"
    );
    assert_eq!(
        offsets_of(&consumer.poll(3).expect("poll")),
        vec![(0, 12), (0, 13)]
    );
    assert_eq!(offsets_of(&consumer.poll(4).expect("poll")), vec![(0, 14)]);
    let (_, at) = only(&requests(&mut consumer, 4), fetch);
    assert_eq!(at, (tp("t", 0), 15));
}

/// Auto-commit happens at poll once `auto.commit.interval.ms` has passed, not before
/// (`testAutoCommitDynamicAssignment`/`testAutoCommitManualAssignment`), with generation -1
/// for a standalone consumer.
#[test]
fn auto_commit_at_poll_after_interval() {
    let mut consumer = Consumer::new(ConsumerConfig::with_group("g"), 0);
    consumer.assign(0, &[tp("t", 0)]).expect("assign");
    consumer.seek(&tp("t", 0), 4).expect("seek");
    let _ = requests(&mut consumer, 0);
    consumer.poll(4_999).expect("poll");
    assert!(
        requests(&mut consumer, 4_999)
            .iter()
            .filter_map(commit)
            .next()
            .is_none()
    );
    consumer.handle_timeout(6_000);
    assert!(
        requests(&mut consumer, 6_000)
            .iter()
            .filter_map(commit)
            .next()
            .is_none(),
        "only at poll"
    );
    consumer.poll(6_001).expect("poll");
    let (id, (generation, member, offsets)) = only(&requests(&mut consumer, 6_001), commit);
    assert_eq!((generation, member.as_str()), (-1, ""));
    assert_eq!(offsets, vec![(tp("t", 0), 4)]);
    consumer.handle_response(6_002, id, commit_response(&[tp("t", 0)], None));
    // The next one is due 5 s after the last.
    consumer.poll(11_000).expect("poll");
    assert!(
        requests(&mut consumer, 11_000)
            .iter()
            .filter_map(commit)
            .next()
            .is_none()
    );
    consumer.poll(11_001).expect("poll");
    only(&requests(&mut consumer, 11_001), commit);

    // A group member's interval restarts when it joins.
    let mut member = stable_member(ConsumerConfig::with_group("g"));
    member.poll(5_019).expect("poll");
    assert!(
        requests(&mut member, 5_019)
            .iter()
            .filter_map(commit)
            .next()
            .is_none()
    );
    member.poll(5_020).expect("poll");
    let (_, (generation, member_id, _)) = only(&requests(&mut member, 5_020), commit);
    assert_eq!((generation, member_id.as_str()), (1, "m1"));
}

/// commitSync retries retriable errors until `default.api.timeout.ms`; commitAsync does not
/// (`testCommitOffsetSyncCoordinatorNotAvailable`, `testCommitOffsetAsyncCoordinatorNotAvailable`).
#[test]
fn commit_sync_retries_commit_async_does_not() {
    let config = ConsumerConfig {
        enable_auto_commit: false,
        ..ConsumerConfig::with_group("g")
    };
    let offsets = vec![(
        tp("t", 0),
        OffsetAndMetadata {
            offset: 9,
            leader_epoch: None,
            metadata: String::new(),
        },
    )];
    let mut consumer = Consumer::new(config.clone(), 0);
    consumer.assign(0, &[tp("t", 0)]).expect("assign");
    let _ = requests(&mut consumer, 0);
    let sync = consumer.commit_sync(10, Some(offsets.clone()));
    let (id, _) = only(&requests(&mut consumer, 10), commit);
    consumer.handle_response(
        11,
        id,
        commit_response(&[tp("t", 0)], Some(ErrorCode::CoordinatorNotAvailable)),
    );
    // Not completed; the host is told to find the coordinator again.
    assert_eq!(
        events(&mut consumer),
        vec![ConsumerEvent::CoordinatorUnknown {
            reason: "COORDINATOR_NOT_AVAILABLE".into()
        }]
    );
    assert!(
        requests(&mut consumer, 11)
            .iter()
            .filter_map(commit)
            .next()
            .is_none(),
        "backoff first"
    );
    assert_eq!(consumer.poll_timeout(), Some(111));
    consumer.handle_timeout(111);
    let (id, _) = only(&requests(&mut consumer, 111), commit);
    consumer.handle_response(112, id, commit_response(&[tp("t", 0)], None));
    assert!(matches!(
        &events(&mut consumer)[..],
        [ConsumerEvent::CommitCompleted { id, result: Ok(()), .. }] if *id == sync
    ));

    let async_id = consumer.commit_async(200, Some(offsets.clone()));
    let (id, _) = only(&requests(&mut consumer, 200), commit);
    consumer.handle_response(
        201,
        id,
        commit_response(&[tp("t", 0)], Some(ErrorCode::CoordinatorNotAvailable)),
    );
    let evs = events(&mut consumer);
    assert!(matches!(
        &evs[..],
        [ConsumerEvent::CoordinatorUnknown { .. }, ConsumerEvent::CommitCompleted { id, result: Err(ConsumerError::RetriableCommitFailed { error: ErrorCode::CoordinatorNotAvailable }), .. }] if *id == async_id
    ));
    consumer.handle_timeout(1_000);
    assert!(
        requests(&mut consumer, 1_000)
            .iter()
            .filter_map(commit)
            .next()
            .is_none()
    );

    // commitSync gives up with TimeoutException after default.api.timeout.ms (60 s).
    let sync = consumer.commit_sync(2_000, Some(offsets.clone()));
    let mut now = 2_000;
    loop {
        for request in requests(&mut consumer, now) {
            if commit(&request).is_some() {
                consumer.handle_response(
                    now,
                    request.id,
                    ConsumerResponseBody::Failed(ErrorCode::NetworkException),
                );
            }
        }
        let done = events(&mut consumer);
        if let Some(ConsumerEvent::CommitCompleted { id, result, .. }) = done
            .iter()
            .find(|event| matches!(event, ConsumerEvent::CommitCompleted { .. }))
        {
            assert_eq!(*id, sync);
            assert_eq!(result, &Err(ConsumerError::Timeout { timeout_ms: 60_000 }));
            break;
        }
        now = consumer.poll_timeout().expect("a retry is armed");
        assert!(now <= 62_000);
        consumer.handle_timeout(now);
    }

    // A non-retriable error fails at once; a commit needs a group.id.
    let mut no_group = Consumer::new(ConsumerConfig::default(), 0);
    no_group.assign(0, &[tp("t", 0)]).expect("assign");
    let id = no_group.commit_sync(1, Some(offsets));
    assert!(matches!(
        &events(&mut no_group)[..],
        [ConsumerEvent::CommitCompleted { id: done, result: Err(ConsumerError::InvalidGroupId), .. }] if *done == id
    ));
}

/// A commit with a stale generation fails with CommitFailedException and resets the
/// generation (`testCommitOffsetIllegalGeneration`).
#[test]
fn commit_with_stale_generation_fails() {
    let mut consumer = stable_member(ConsumerConfig {
        enable_auto_commit: false,
        ..ConsumerConfig::with_group("g")
    });
    let id = consumer.commit_async(200, None);
    let (request, _) = only(&requests(&mut consumer, 200), commit);
    consumer.handle_response(
        201,
        request,
        commit_response(
            &[tp("t", 0), tp("t", 1)],
            Some(ErrorCode::IllegalGeneration),
        ),
    );
    let evs = events(&mut consumer);
    assert!(matches!(
        &evs[0],
        ConsumerEvent::CommitCompleted { id: done, result: Err(ConsumerError::CommitFailed { error: Some(ErrorCode::IllegalGeneration) }), .. } if *done == id
    ));
    assert_eq!(evs.len(), 1, "{evs:?}");
    assert_eq!(consumer.generation(), (-1, ""));
    // At the next poll the member rejoins with an empty member id, its partitions lost.
    assert!(requests(&mut consumer, 201).is_empty());
    consumer.poll(201).expect("poll");
    assert_eq!(
        events(&mut consumer),
        [ConsumerEvent::PartitionsLost {
            partitions: vec![tp("t", 0), tp("t", 1)],
            at: 201
        }]
    );
    let (_, rejoin) = only(&requests(&mut consumer, 201), join);
    assert_eq!(rejoin.member_id, "");
}

/// A `commitSync` made in generation 1 whose retry comes due after the member rejoined is not
/// sent with generation 2: its offsets are those of the old assignment (Kafka's `commitSync`
/// blocks the application thread, so its retries never span a rejoin; the member is "not part
/// of an active group" for it — CommitFailedException). Found by the group simulator, seed
/// 3817: a consumer cut off with a commit pending rejoined after the heal and its retried
/// commit moved back a partition another member had committed further.
#[test]
fn commit_sync_retry_after_a_rejoin_fails_instead_of_committing_in_the_new_generation() {
    let mut consumer = stable_member(ConsumerConfig {
        enable_auto_commit: false,
        ..ConsumerConfig::with_group("g")
    });
    let id = consumer.commit_sync(200, None);
    let (request, (generation, _, _)) = only(&requests(&mut consumer, 200), commit);
    assert_eq!(generation, 1);
    // The topic grows: the leader rejoins while the commit is in flight.
    consumer.update_metadata(201, &counts(&[("t", 3)]));
    consumer.poll(201).expect("poll");
    let (join_id, _) = only(&requests(&mut consumer, 201), join);
    consumer.handle_response(
        202,
        request,
        commit_response(
            &[tp("t", 0), tp("t", 1)],
            Some(ErrorCode::CoordinatorNotAvailable),
        ),
    );
    consumer.handle_response(
        210,
        join_id,
        join_response(None, 2, "m1", "m1", "range", &[("m1", &["t"])]),
    );
    let (sync_id, _) = only(&requests(&mut consumer, 210), sync_assignments);
    consumer.handle_response(
        220,
        sync_id,
        sync_response(None, &[tp("t", 0), tp("t", 1), tp("t", 2)]),
    );
    assert_eq!(consumer.generation(), (2, "m1"));
    let _ = requests(&mut consumer, 220);
    events(&mut consumer);
    // The retry comes due in generation 2.
    consumer.handle_timeout(302);
    assert!(
        requests(&mut consumer, 302)
            .iter()
            .filter_map(commit)
            .next()
            .is_none(),
        "no OffsetCommit in generation 2"
    );
    assert!(matches!(
        &events(&mut consumer)[..],
        [ConsumerEvent::CommitCompleted { id: done, result: Err(ConsumerError::CommitFailed { error: None }), .. }] if *done == id
    ));
}

/// Subscribe needs a group.id; subscribe and assign are exclusive.
#[test]
fn subscribe_and_assign_rules() {
    let mut standalone = Consumer::new(ConsumerConfig::default(), 0);
    let error = standalone
        .subscribe(0, &topics(&["t"]))
        .expect_err("no group");
    assert_eq!(error, ConsumerError::InvalidGroupId);
    assert_eq!(error.error_code(), Some(ErrorCode::InvalidGroupId));

    let mut consumer = Consumer::new(ConsumerConfig::with_group("g"), 0);
    consumer.assign(0, &[tp("t", 0)]).expect("assign");
    assert_eq!(
        consumer.subscribe(0, &topics(&["t"])),
        Err(ConsumerError::SubscriptionModesExclusive)
    );
    assert!(
        requests(&mut consumer, 0)
            .iter()
            .all(|r| !matches!(group(r), Some(GroupRequest::JoinGroup(_))))
    );
    consumer.unsubscribe(1);
    consumer
        .subscribe(1, &topics(&["t"]))
        .expect("subscribe after unsubscribe");
    assert_eq!(
        consumer.assign(1, &[tp("t", 0)]),
        Err(ConsumerError::SubscriptionModesExclusive)
    );
    assert_eq!(consumer.subscription(), topics(&["t"]));
}

/// Close commits the consumed positions, revokes, and leaves (dynamic members only).
#[test]
fn close_commits_and_leaves() {
    let mut consumer = stable_member(ConsumerConfig::with_group("g"));
    consumer.close(200);
    let (id, (_, _, offsets)) = only(&requests(&mut consumer, 200), commit);
    assert_eq!(offsets, vec![(tp("t", 0), 5), (tp("t", 1), 7)]);
    assert!(!consumer.is_closed());
    consumer.handle_response(201, id, commit_response(&[tp("t", 0), tp("t", 1)], None));
    let (leave_id, member) = only(&requests(&mut consumer, 201), leave);
    assert_eq!(member, "m1");
    let evs = events(&mut consumer);
    assert_eq!(
        evs[1..],
        [
            ConsumerEvent::PartitionsRevoked {
                partitions: vec![tp("t", 0), tp("t", 1)],
                at: 201
            },
            ConsumerEvent::LeftGroup {
                reason: "the consumer is being closed".into()
            },
        ]
    );
    // Closed only once the coordinator answered the LeaveGroup (Java's close awaits its
    // pending coordinator requests; KafkaJS's disconnect awaits the LeaveGroup).
    assert!(!consumer.is_closed());
    assert_eq!(consumer.poll(250), Err(ConsumerError::Closed));
    assert_eq!(
        consumer.poll_timeout(),
        Some(200 + 30_000),
        "bounded by the close timeout"
    );
    consumer.handle_response(
        205,
        leave_id,
        ConsumerResponseBody::Group(GroupResponse::LeaveGroup(LeaveGroupResponse {
            error: None,
            members: Vec::new(),
        })),
    );
    assert_eq!(events(&mut consumer), [ConsumerEvent::Closed]);
    assert!(consumer.is_closed());
    assert_eq!(consumer.poll(300), Err(ConsumerError::Closed));

    // An unanswered LeaveGroup ends with the close timeout.
    let mut unanswered = stable_member(ConsumerConfig {
        enable_auto_commit: false,
        ..ConsumerConfig::with_group("g")
    });
    unanswered.close(200);
    only(&requests(&mut unanswered, 200), leave);
    unanswered.handle_timeout(200 + 29_999);
    assert!(!unanswered.is_closed());
    unanswered.handle_timeout(200 + 30_000);
    assert!(unanswered.is_closed());
    assert_eq!(events(&mut unanswered).last(), Some(&ConsumerEvent::Closed));

    let mut static_member = stable_member(ConsumerConfig {
        enable_auto_commit: false,
        group_instance_id: Some("i1".into()),
        ..ConsumerConfig::with_group("g")
    });
    static_member.close(200);
    assert!(
        requests(&mut static_member, 200).is_empty(),
        "static members do not leave"
    );
    assert!(static_member.is_closed());
}

/// Kafka's config names, defaults and validators (`ConsumerConfigTest`).
#[test]
fn config_from_kafka_names() {
    let defaults = ConsumerConfig::from_kafka_configs(&[("group.id", "g")]).expect("defaults");
    assert_eq!(
        defaults.partition_assignment_strategy,
        topics(&["range", "cooperative-sticky"])
    );
    assert_eq!(defaults.session_timeout_ms, 45_000);
    assert_eq!(defaults.heartbeat_interval_ms, 3_000);
    assert_eq!(defaults.max_poll_interval_ms, 300_000);
    assert!(defaults.enable_auto_commit);
    assert_eq!(defaults.auto_commit_interval_ms, 5_000);
    assert_eq!(defaults.auto_offset_reset, AutoOffsetReset::Latest);
    assert_eq!(defaults.max_poll_records, 500);
    assert_eq!(defaults.fetch_min_bytes, 1);
    assert_eq!(defaults.fetch_max_wait_ms, 500);
    assert_eq!(defaults.max_partition_fetch_bytes, 1_048_576);
    assert_eq!(defaults.fetch_max_bytes, 52_428_800);
    assert_eq!(defaults.retry_backoff_ms, 100);
    assert_eq!(defaults.request_timeout_ms, 30_000);
    assert_eq!(defaults.default_api_timeout_ms, 60_000);

    let config = ConsumerConfig::from_kafka_configs(&[
        ("bootstrap.servers", "localhost:9092"),
        ("group.id", "g"),
        ("client.id", "c"),
        ("group.instance.id", "i-1"),
        (
            "partition.assignment.strategy",
            "roundrobin, org.apache.kafka.clients.consumer.RangeAssignor",
        ),
        ("auto.offset.reset", "earliest"),
        ("enable.auto.commit", "false"),
        ("max.poll.records", "10"),
    ])
    .expect("valid");
    assert_eq!(
        config.partition_assignment_strategy,
        topics(&["roundrobin", "range"])
    );
    assert_eq!(config.auto_offset_reset, AutoOffsetReset::Earliest);
    assert!(!config.enable_auto_commit);
    assert_eq!(config.max_poll_records, 10);
    assert_eq!(config.group_instance_id.as_deref(), Some("i-1"));

    // Without group.id auto-commit defaults to off; explicitly on is rejected.
    let standalone = ConsumerConfig::from_kafka_configs(&[]).expect("no group");
    assert!(!standalone.enable_auto_commit);
    let rejected = [
        (vec![("enable.auto.commit", "true")], "enable.auto.commit"),
        (vec![("group.instance.id", "i")], "group.instance.id"),
        (
            vec![("group.id", "g"), ("no.such.config", "1")],
            "no.such.config",
        ),
        (vec![("max.poll.records", "0")], "max.poll.records"),
        (vec![("max.poll.records", "lots")], "max.poll.records"),
        (vec![("auto.offset.reset", "middle")], "auto.offset.reset"),
        (vec![("enable.auto.commit", "yes")], "enable.auto.commit"),
        (
            vec![("partition.assignment.strategy", "no-such-assignor")],
            "partition.assignment.strategy",
        ),
        (
            vec![
                ("session.timeout.ms", "3000"),
                ("heartbeat.interval.ms", "3000"),
            ],
            "heartbeat.interval.ms",
        ),
        (
            vec![("group.id", "g"), ("group.instance.id", "")],
            "group.instance.id",
        ),
        (vec![("retry.backoff.ms", "-1")], "retry.backoff.ms"),
    ];
    for (pairs, name) in rejected {
        let error = ConsumerConfig::from_kafka_configs(&pairs).expect_err(name);
        assert_eq!(error.name, name, "{error}");
        use rill_core::error::KafkaError;
        assert_eq!(error.error_code(), ErrorCode::InvalidConfig);
    }
}

/// Late or duplicate answers are ignored; a fetch answered after a seek hands out nothing
/// stale.
#[test]
fn stale_fetch_after_seek_is_dropped() {
    let mut consumer = Consumer::new(ConsumerConfig::default(), 0);
    consumer.assign(0, &[tp("t", 0)]).expect("assign");
    consumer.seek(&tp("t", 0), 0).expect("seek");
    let (old, _) = only(&requests(&mut consumer, 0), fetch);
    consumer.seek(&tp("t", 0), 50).expect("seek");
    consumer.handle_response(1, old, fetched(0..5, 60));
    consumer.handle_response(1, old, fetched(0..5, 60));
    assert_eq!(consumer.poll(2).expect("poll"), vec![]);
    let (_, at) = only(&requests(&mut consumer, 2), fetch);
    assert_eq!(at, (tp("t", 0), 50));
}

/// A heartbeat with no answer times out after `request.timeout.ms`; the host is told once to
/// find the coordinator again, and the heartbeat is retried after `retry.backoff.ms`.
#[test]
fn unanswered_heartbeat_marks_the_coordinator_unknown() {
    let mut consumer = stable_member(ConsumerConfig {
        enable_auto_commit: false,
        ..ConsumerConfig::with_group("g")
    });
    consumer.poll(3_000).expect("poll");
    consumer.handle_timeout(3_020);
    only(&requests(&mut consumer, 3_020), is_heartbeat);
    consumer.poll(33_000).expect("poll");
    consumer.handle_timeout(33_019);
    assert!(events(&mut consumer).is_empty());
    consumer.handle_timeout(33_020);
    assert_eq!(
        events(&mut consumer),
        vec![ConsumerEvent::CoordinatorUnknown {
            reason: "REQUEST_TIMED_OUT".into()
        }]
    );
    consumer.handle_timeout(33_120);
    let (id, ()) = only(&requests(&mut consumer, 33_120), is_heartbeat);
    consumer.handle_response(33_130, id, heartbeat_response(None));
    assert!(events(&mut consumer).is_empty());
    assert!(consumer.is_stable());
}

/// An assignment with a topic the member no longer subscribes to is not taken; the member
/// rejoins with its current subscription (Kafka's `checkAssignmentMatchedSubscription`).
#[test]
fn assignment_not_matching_subscription_rejoins() {
    let mut consumer = Consumer::new(
        ConsumerConfig {
            enable_auto_commit: false,
            ..ConsumerConfig::with_group("g")
        },
        0,
    );
    consumer.subscribe(0, &topics(&["t"])).expect("subscribe");
    // Kafka's consumer joins from `poll` (`ensureActiveGroup`), not from `subscribe`.
    consumer.poll(0).expect("poll");
    let (id, _) = only(&requests(&mut consumer, 0), join);
    consumer.handle_response(1, id, join_response(None, 1, "m1", "leader", "range", &[]));
    let (id, _) = only(&requests(&mut consumer, 1), sync_assignments);
    consumer.handle_response(2, id, sync_response(None, &[tp("t", 0), tp("u", 0)]));
    assert!(consumer.assignment().is_empty());
    let (_, rejoin) = only(&requests(&mut consumer, 2), join);
    assert_eq!(rejoin.member_id, "m1");
    assert!(
        !events(&mut consumer)
            .iter()
            .any(|event| matches!(event, ConsumerEvent::PartitionsAssigned { .. }))
    );
}

/// JoinGroup/SyncGroup errors (`AbstractCoordinatorTest`): REBALANCE_IN_PROGRESS on SyncGroup
/// rejoins at once; COORDINATOR_NOT_AVAILABLE on JoinGroup retries after `retry.backoff.ms`;
/// INCONSISTENT_GROUP_PROTOCOL surfaces from `poll`.
#[test]
fn join_and_sync_errors() {
    let mut consumer = Consumer::new(
        ConsumerConfig {
            enable_auto_commit: false,
            ..ConsumerConfig::with_group("g")
        },
        0,
    );
    consumer.subscribe(0, &topics(&["t"])).expect("subscribe");
    // Kafka's consumer joins from `poll` (`ensureActiveGroup`), not from `subscribe`.
    consumer.poll(0).expect("poll");
    let (id, _) = only(&requests(&mut consumer, 0), join);
    consumer.handle_response(
        1,
        id,
        join_response(
            Some(ErrorCode::CoordinatorNotAvailable),
            -1,
            "",
            "",
            "range",
            &[],
        ),
    );
    assert!(requests(&mut consumer, 1).is_empty(), "backoff");
    assert_eq!(consumer.poll_timeout(), Some(101));
    consumer.handle_timeout(101);
    let (id, _) = only(&requests(&mut consumer, 101), join);
    consumer.handle_response(
        102,
        id,
        join_response(None, 4, "m1", "leader", "range", &[]),
    );
    let (id, _) = only(&requests(&mut consumer, 102), sync_assignments);
    consumer.handle_response(
        103,
        id,
        sync_response(Some(ErrorCode::RebalanceInProgress), &[]),
    );
    let (id, again) = only(&requests(&mut consumer, 103), join);
    assert_eq!(
        again.member_id, "m1",
        "REBALANCE_IN_PROGRESS keeps the member id"
    );
    consumer.handle_response(
        104,
        id,
        join_response(
            Some(ErrorCode::InconsistentGroupProtocol),
            -1,
            "",
            "",
            "range",
            &[],
        ),
    );
    let error = consumer.poll(105).expect_err("inconsistent protocol");
    assert_eq!(
        error,
        ConsumerError::Group {
            error: ErrorCode::InconsistentGroupProtocol
        }
    );
    // The next poll retries the join after the backoff.
    consumer.poll(204).expect("poll");
    only(&requests(&mut consumer, 204), join);
}

/// KIP-814: a static leader told to skip the assignment sends none.
#[test]
fn static_leader_skips_assignment_when_told() {
    let mut consumer = Consumer::new(
        ConsumerConfig {
            group_instance_id: Some("i1".into()),
            ..ConsumerConfig::with_group("g")
        },
        0,
    );
    consumer.update_metadata(0, &counts(&[("t", 2)]));
    consumer.subscribe(0, &topics(&["t"])).expect("subscribe");
    // Kafka's consumer joins from `poll` (`ensureActiveGroup`), not from `subscribe`.
    consumer.poll(0).expect("poll");
    let (id, request) = only(&requests(&mut consumer, 0), join);
    assert_eq!(request.group_instance_id.as_deref(), Some("i1"));
    let mut response = join_response(None, 2, "m1", "m1", "range", &[("m1", &["t"])]);
    if let ConsumerResponseBody::Group(GroupResponse::JoinGroup(join)) = &mut response {
        join.skip_assignment = true;
    }
    consumer.handle_response(1, id, response);
    let (_, assignments) = only(&requests(&mut consumer, 1), sync_assignments);
    assert!(assignments.is_empty());
}

/// A toy coordinator and partition leader for [`two_members_share_partitions_without_overlap`]:
/// a join barrier over the expected members, the leader's assignment handed out in SyncGroup,
/// REBALANCE_IN_PROGRESS on heartbeats while a join is pending, committed offsets kept.
#[derive(Default)]
struct ToyGroup {
    expected: usize,
    generation: i32,
    next_member: u32,
    joins: Vec<(usize, u64, JoinGroupRequest)>,
    syncs: Vec<(usize, u64, String)>,
    assignment: Option<BTreeMap<String, Vec<TopicPartition>>>,
    committed: BTreeMap<TopicPartition, i64>,
    answers: Vec<(usize, u64, ConsumerResponseBody)>,
}

impl ToyGroup {
    fn handle(&mut self, who: usize, request: ConsumerRequest) {
        let answer = match request.body {
            ConsumerRequestBody::Group(GroupRequest::JoinGroup(join))
                if join.member_id.is_empty() =>
            {
                self.next_member += 1;
                let mut response =
                    join_response(Some(ErrorCode::MemberIdRequired), -1, "", "", "range", &[]);
                if let ConsumerResponseBody::Group(GroupResponse::JoinGroup(r)) = &mut response {
                    r.member_id = format!("member-{}", self.next_member);
                }
                response
            }
            ConsumerRequestBody::Group(GroupRequest::JoinGroup(join)) => {
                self.joins.push((who, request.id, join));
                self.assignment = None;
                if self.joins.len() == self.expected {
                    self.generation += 1;
                    let leader = self.joins[0].2.member_id.clone();
                    let members: Vec<JoinGroupResponseMember> = self
                        .joins
                        .iter()
                        .map(|(_, _, join)| JoinGroupResponseMember {
                            member_id: join.member_id.clone(),
                            group_instance_id: None,
                            metadata: join.protocols[0].metadata.clone(),
                        })
                        .collect();
                    for (who, id, join) in std::mem::take(&mut self.joins) {
                        let mut response = join_response(
                            None,
                            self.generation,
                            &join.member_id,
                            &leader,
                            "range",
                            &[],
                        );
                        if let ConsumerResponseBody::Group(GroupResponse::JoinGroup(r)) =
                            &mut response
                            && join.member_id == leader
                        {
                            r.members = members.clone();
                        }
                        self.answers.push((who, id, response));
                    }
                }
                return;
            }
            ConsumerRequestBody::Group(GroupRequest::SyncGroup(sync)) => {
                if !sync.assignments.is_empty() {
                    self.assignment = Some(
                        sync.assignments
                            .into_iter()
                            .map(|(member, assignment)| (member, assignment.partitions))
                            .collect(),
                    );
                }
                self.syncs.push((who, request.id, sync.member_id));
                if let Some(assignment) = &self.assignment {
                    for (who, id, member) in std::mem::take(&mut self.syncs) {
                        let partitions = assignment.get(&member).cloned().unwrap_or_default();
                        self.answers
                            .push((who, id, sync_response(None, &partitions)));
                    }
                }
                return;
            }
            ConsumerRequestBody::Group(GroupRequest::Heartbeat(_)) => {
                let pending = !self.joins.is_empty();
                heartbeat_response(pending.then_some(ErrorCode::RebalanceInProgress))
            }
            ConsumerRequestBody::Group(GroupRequest::OffsetCommit(commit)) => {
                for (tp, offset) in &commit.offsets {
                    self.committed.insert(tp.clone(), offset.offset);
                }
                let partitions: Vec<TopicPartition> =
                    commit.offsets.iter().map(|(tp, _)| tp.clone()).collect();
                commit_response(&partitions, None)
            }
            ConsumerRequestBody::Group(GroupRequest::OffsetFetch(fetch)) => {
                let answers: Vec<(TopicPartition, Option<i64>)> = fetch
                    .partitions
                    .unwrap_or_default()
                    .into_iter()
                    .map(|tp| {
                        let committed = self.committed.get(&tp).copied();
                        (tp, committed)
                    })
                    .collect();
                offset_fetch_response(&answers)
            }
            ConsumerRequestBody::Group(GroupRequest::LeaveGroup(_)) => return,
            ConsumerRequestBody::Fetch { fetch_offset, .. } => {
                fetched(fetch_offset..fetch_offset + 3, fetch_offset + 3)
            }
            ConsumerRequestBody::ListOffsets { .. } => ConsumerResponseBody::ListOffsets(Ok(0)),
        };
        self.answers.push((who, request.id, answer));
    }
}

/// Two members of one group, the second joining later (eager, auto-commit): no partition is
/// ever assigned to both, and since the first commits before revoking, no record is consumed
/// twice (Kafka's commit-in-`onJoinPrepare` guarantee); range gives each 2 of 4 partitions.
#[test]
fn two_members_share_partitions_without_overlap() {
    let config = ConsumerConfig {
        auto_offset_reset: AutoOffsetReset::Earliest,
        ..ConsumerConfig::with_group("g")
    };
    let mut consumers = vec![Consumer::new(config.clone(), 0), Consumer::new(config, 0)];
    for consumer in &mut consumers {
        consumer.update_metadata(0, &counts(&[("t", 4)]));
    }
    let mut toy = ToyGroup {
        expected: 1,
        ..ToyGroup::default()
    };
    consumers[0]
        .subscribe(0, &topics(&["t"]))
        .expect("subscribe");
    let mut consumed: BTreeMap<(u32, i64), usize> = BTreeMap::new();
    for step in 0..400i64 {
        let now = step * 50;
        if step == 100 {
            toy.expected = 2;
            consumers[1]
                .subscribe(now, &topics(&["t"]))
                .expect("subscribe");
        }
        for (who, consumer) in consumers.iter_mut().enumerate() {
            if who == 1 && step < 100 {
                continue;
            }
            consumer.handle_timeout(now);
            for record in consumer.poll(now).expect("poll") {
                let previous = consumed.insert((record.partition, record.offset), who);
                assert_eq!(
                    previous, None,
                    "record t-{}@{} consumed twice",
                    record.partition, record.offset
                );
            }
            while let Some(request) = consumer.poll_request(now) {
                toy.handle(who, request);
            }
            while consumer.poll_event().is_some() {}
        }
        for (who, id, answer) in std::mem::take(&mut toy.answers) {
            consumers[who].handle_response(now, id, answer);
        }
        let a = consumers[0].assignment();
        let b = consumers[1].assignment();
        assert!(
            a.iter().all(|tp| !b.contains(tp)),
            "both own a partition at {now}: {a:?} {b:?}"
        );
    }
    assert_eq!(consumers[0].assignment().len(), 2);
    assert_eq!(consumers[1].assignment().len(), 2);
    assert!(
        consumed.values().any(|who| *who == 1),
        "the second member consumed"
    );
}
