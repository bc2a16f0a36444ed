//! The cooperative protocol, driven with the protocol forced (the assignor registry's
//! cooperative assignors live elsewhere): Kafka's `ConsumerCoordinatorTest` cooperative cases.

use super::*;
use crate::group::protocol::GroupRequest;
use crate::group::protocol::{
    JoinGroupResponse, MemberAssignment, OffsetFetchResponse, SyncGroupResponse,
};
use crate::record::{StoredRecord, TimestampType};

fn tp(topic: &str, partition: u32) -> TopicPartition {
    TopicPartition::new(topic, partition)
}

fn requests(consumer: &mut Consumer) -> Vec<ConsumerRequest> {
    std::iter::from_fn(|| consumer.poll_request(0)).collect()
}

fn events(consumer: &mut Consumer) -> Vec<ConsumerEvent> {
    std::iter::from_fn(|| consumer.poll_event()).collect()
}

fn join_of(
    requests: &[ConsumerRequest],
) -> Option<(u64, crate::group::protocol::JoinGroupRequest)> {
    requests.iter().find_map(|request| match &request.body {
        ConsumerRequestBody::Group(GroupRequest::JoinGroup(join)) => {
            Some((request.id, join.clone()))
        }
        _ => None,
    })
}

fn sync_id(requests: &[ConsumerRequest]) -> u64 {
    requests
        .iter()
        .find(|request| {
            matches!(
                request.body,
                ConsumerRequestBody::Group(GroupRequest::SyncGroup(_))
            )
        })
        .map(|request| request.id)
        .expect("a SyncGroup")
}

fn joined(generation: i32) -> ConsumerResponseBody {
    ConsumerResponseBody::Group(GroupResponse::JoinGroup(JoinGroupResponse {
        error: None,
        generation_id: generation,
        protocol_type: Some("consumer".into()),
        protocol_name: Some("range".into()),
        leader: "leader".into(),
        skip_assignment: false,
        member_id: "m1".into(),
        members: Vec::new(),
    }))
}

fn synced(partitions: &[TopicPartition]) -> ConsumerResponseBody {
    ConsumerResponseBody::Group(GroupResponse::SyncGroup(SyncGroupResponse {
        error: None,
        protocol_type: Some("consumer".into()),
        protocol_name: Some("range".into()),
        assignment: MemberAssignment {
            partitions: partitions.to_vec(),
            user_data: None,
        },
    }))
}

fn record(offset: i64) -> StoredRecord {
    StoredRecord {
        offset,
        timestamp: offset,
        timestamp_type: TimestampType::CreateTime,
        key: None,
        value: None,
        headers: Vec::new(),
    }
}

/// A cooperative follower of generation 1 owning `t-0`, `t-1` at position 0, with records
/// 0..3 buffered for both.
fn cooperative_member() -> Consumer {
    let config = ConsumerConfig {
        enable_auto_commit: false,
        ..ConsumerConfig::with_group("g")
    };
    let mut consumer = Consumer::new(config, 0);
    consumer.protocol = RebalanceProtocol::Cooperative;
    consumer
        .subscribe(0, &["t".to_string()])
        .expect("subscribe");
    // Kafka's consumer joins from `poll` (`ensureActiveGroup`), not from `subscribe`.
    consumer.poll(0).expect("poll");
    let (id, _) = join_of(&requests(&mut consumer)).expect("join");
    consumer.handle_response(1, id, joined(1));
    let id = sync_id(&requests(&mut consumer));
    consumer.handle_response(2, id, synced(&[tp("t", 0), tp("t", 1)]));
    let fetch_offsets = requests(&mut consumer);
    let id = fetch_offsets[0].id;
    consumer.handle_response(
        3,
        id,
        ConsumerResponseBody::Group(GroupResponse::OffsetFetch(OffsetFetchResponse {
            error: None,
            partitions: vec![
                (
                    tp("t", 0),
                    Ok(Some(OffsetAndMetadata {
                        offset: 0,
                        leader_epoch: None,
                        metadata: String::new(),
                    })),
                ),
                (
                    tp("t", 1),
                    Ok(Some(OffsetAndMetadata {
                        offset: 0,
                        leader_epoch: None,
                        metadata: String::new(),
                    })),
                ),
            ],
        })),
    );
    for request in requests(&mut consumer) {
        consumer.handle_response(
            4,
            request.id,
            ConsumerResponseBody::Fetch(Ok(FetchedPartition {
                records: (0..3).map(record).collect(),
                high_watermark: 3,
                log_start_offset: 0,
            })),
        );
    }
    events(&mut consumer);
    consumer
}

#[test]
fn cooperative_keeps_partitions_revokes_only_moved_ones_and_rejoins() {
    let mut consumer = cooperative_member();
    assert_eq!(
        consumer.rebalance_protocol(),
        RebalanceProtocol::Cooperative
    );
    // Heartbeat: the group rebalances.
    consumer.handle_timeout(3_002);
    let heartbeat = requests(&mut consumer)[0].id;
    consumer.handle_response(
        3_003,
        heartbeat,
        ConsumerResponseBody::Group(GroupResponse::Heartbeat(Some(
            ErrorCode::RebalanceInProgress,
        ))),
    );
    // The heartbeat only marks the rejoin as needed; the next `poll` starts it.
    assert!(join_of(&requests(&mut consumer)).is_none());
    // Still consuming while the rebalance starts.
    let records = consumer.poll(3_004).expect("poll");
    assert_eq!(records.len(), 6);
    assert_eq!(consumer.assignment(), vec![tp("t", 0), tp("t", 1)]);
    let (id, join) = join_of(&requests(&mut consumer)).expect("rejoin");
    // Nothing revoked; ownedPartitions sent with the generation.
    assert!(events(&mut consumer).is_empty());
    assert_eq!(
        join.protocols[0].metadata.owned_partitions,
        vec![tp("t", 0), tp("t", 1)]
    );
    assert_eq!(join.protocols[0].metadata.generation_id, 1);

    consumer.handle_response(3_010, id, joined(2));
    let sync = sync_id(&requests(&mut consumer));
    consumer.handle_response(3_020, sync, synced(&[tp("t", 0)]));
    assert_eq!(
        events(&mut consumer),
        vec![
            ConsumerEvent::JoinedGroup {
                generation: 2,
                member_id: "m1".into(),
                leader: "leader".into(),
                protocol: "range".into()
            },
            ConsumerEvent::PartitionsRevoked {
                partitions: vec![tp("t", 1)],
                at: 3_020
            },
            ConsumerEvent::PartitionsAssigned {
                partitions: vec![],
                at: 3_020
            },
        ]
    );
    assert_eq!(consumer.assignment(), vec![tp("t", 0)]);
    // The follow-up rebalance starts at once, without waiting for a `poll` (Kafka's
    // `joinGroupIfNeeded` loops on `rejoinNeededOrPending`), owning only t-0.
    let (_, follow_up) = join_of(&requests(&mut consumer)).expect("follow-up join");
    assert_eq!(
        follow_up.protocols[0].metadata.owned_partitions,
        vec![tp("t", 0)]
    );
    assert_eq!(follow_up.protocols[0].metadata.generation_id, 2);
}

#[test]
fn cooperative_never_returns_a_revoked_partition() {
    let mut consumer = cooperative_member();
    consumer.handle_timeout(3_002);
    let heartbeat = requests(&mut consumer)[0].id;
    consumer.handle_response(
        3_003,
        heartbeat,
        ConsumerResponseBody::Group(GroupResponse::Heartbeat(Some(
            ErrorCode::RebalanceInProgress,
        ))),
    );
    // The rejoin starts at `poll`; both partitions are paused so that this poll hands out
    // none of their buffered records.
    consumer.pause(&[tp("t", 0), tp("t", 1)]).expect("pause");
    assert!(consumer.poll(3_004).expect("poll").is_empty());
    let (id, _) = join_of(&requests(&mut consumer)).expect("rejoin");
    consumer.handle_response(3_010, id, joined(2));
    let sync = sync_id(&requests(&mut consumer));
    // t-1's buffered records (0..3) were never polled; it moves away.
    consumer.handle_response(3_020, sync, synced(&[tp("t", 0)]));
    consumer.resume(&[tp("t", 0)]).expect("resume");
    let records = consumer.poll(3_030).expect("poll");
    assert!(records.iter().all(|r| r.partition == 0), "{records:?}");
    assert_eq!(records.len(), 3);
}

#[test]
fn cooperative_subscription_change_revokes_unsubscribed_topics() {
    let mut consumer = cooperative_member();
    consumer
        .subscribe(10, &["u".to_string()])
        .expect("subscribe");
    // `onJoinPrepare` revokes the unsubscribed topics when `poll` starts the rejoin.
    assert!(events(&mut consumer).is_empty());
    assert!(join_of(&requests(&mut consumer)).is_none());
    assert!(consumer.poll(10).expect("poll").is_empty());
    assert_eq!(
        events(&mut consumer),
        vec![ConsumerEvent::PartitionsRevoked {
            partitions: vec![tp("t", 0), tp("t", 1)],
            at: 10
        }]
    );
    let (_, join) = join_of(&requests(&mut consumer)).expect("rejoin");
    assert!(join.protocols[0].metadata.owned_partitions.is_empty());
    assert_eq!(join.protocols[0].metadata.topics, vec!["u".to_string()]);
}

#[test]
fn cooperative_unknown_member_loses_partitions() {
    let mut consumer = cooperative_member();
    consumer.handle_timeout(3_002);
    let heartbeat = requests(&mut consumer)[0].id;
    consumer.handle_response(
        3_003,
        heartbeat,
        ConsumerResponseBody::Group(GroupResponse::Heartbeat(Some(ErrorCode::UnknownMemberId))),
    );
    // The partitions are lost when `poll` starts the rejoin (`onJoinPrepare`).
    assert!(events(&mut consumer).is_empty());
    assert!(join_of(&requests(&mut consumer)).is_none());
    assert!(consumer.poll(3_003).expect("poll").is_empty());
    assert_eq!(
        events(&mut consumer),
        vec![ConsumerEvent::PartitionsLost {
            partitions: vec![tp("t", 0), tp("t", 1)],
            at: 3_003
        }]
    );
    let (_, join) = join_of(&requests(&mut consumer)).expect("rejoin");
    assert_eq!(join.member_id, "");
    assert!(join.protocols[0].metadata.owned_partitions.is_empty());
    assert!(consumer.poll(3_004).expect("poll").is_empty());
}
