//! Properties of the consumer under random answers, failures and timeouts: it never panics,
//! never hands out a record below its position or from a partition it does not own or has
//! paused, and a standalone consumer sends no membership requests.

use std::collections::BTreeMap;

use proptest::prelude::*;
use rill_core::consumer::{
    AutoOffsetReset, Consumer, ConsumerConfig, ConsumerRequest, ConsumerRequestBody,
    ConsumerResponseBody, FetchedPartition,
};
use rill_core::error::ErrorCode;
use rill_core::group::TopicPartition;
use rill_core::group::protocol::{
    GroupRequest, GroupResponse, JoinGroupResponse, JoinGroupResponseMember, LeaveGroupResponse,
    MemberAssignment, OffsetAndMetadata, OffsetCommitResponse, OffsetFetchResponse, Subscription,
    SyncGroupResponse,
};
use rill_core::record::{StoredRecord, TimestampType};

const ERRORS: &[ErrorCode] = &[
    ErrorCode::MemberIdRequired,
    ErrorCode::UnknownMemberId,
    ErrorCode::IllegalGeneration,
    ErrorCode::RebalanceInProgress,
    ErrorCode::CoordinatorNotAvailable,
    ErrorCode::NotCoordinator,
    ErrorCode::CoordinatorLoadInProgress,
    ErrorCode::FencedInstanceId,
    ErrorCode::InconsistentGroupProtocol,
    ErrorCode::OffsetOutOfRange,
    ErrorCode::NotLeaderOrFollower,
    ErrorCode::UnknownTopicOrPartition,
    ErrorCode::RequestTimedOut,
    ErrorCode::UnknownServerError,
];

#[derive(Clone, Debug)]
enum Step {
    Poll { advance: u16 },
    Timeout,
    Answer { pick: u16, kind: u8, value: u16 },
    Pause { partition: u8 },
    Resume { partition: u8 },
    Seek { partition: u8, offset: u8 },
    SeekToEnd,
    CommitSync,
    CommitAsync,
    Metadata { partitions: u8 },
    Subscribe { both: bool },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => any::<u16>().prop_map(|advance| Step::Poll { advance: advance % 5_000 }),
        3 => Just(Step::Timeout),
        10 => (any::<u16>(), any::<u8>(), any::<u16>()).prop_map(|(pick, kind, value)| Step::Answer { pick, kind, value }),
        1 => any::<u8>().prop_map(|partition| Step::Pause { partition }),
        1 => any::<u8>().prop_map(|partition| Step::Resume { partition }),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(partition, offset)| Step::Seek { partition, offset }),
        1 => Just(Step::SeekToEnd),
        1 => Just(Step::CommitSync),
        1 => Just(Step::CommitAsync),
        1 => any::<u8>().prop_map(|partitions| Step::Metadata { partitions }),
        1 => any::<bool>().prop_map(|both| Step::Subscribe { both }),
    ]
}

fn tp(partition: u8) -> TopicPartition {
    TopicPartition::new("t", u32::from(partition % 4))
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

/// A plausible (or deliberately wrong) answer to `request`.
fn answer(request: &ConsumerRequest, kind: u8, value: u16) -> ConsumerResponseBody {
    let error = ERRORS[usize::from(value) % ERRORS.len()];
    if kind.is_multiple_of(8) {
        return ConsumerResponseBody::Failed(error);
    }
    let fail = kind % 8 == 1;
    let small = i64::from(value % 64);
    match &request.body {
        ConsumerRequestBody::Group(GroupRequest::JoinGroup(join)) => {
            let me = if join.member_id.is_empty() {
                "m1".to_string()
            } else {
                join.member_id.clone()
            };
            let leader = if value.is_multiple_of(2) {
                me.clone()
            } else {
                "other".to_string()
            };
            ConsumerResponseBody::Group(GroupResponse::JoinGroup(JoinGroupResponse {
                error: fail.then_some(error),
                generation_id: i32::from(value % 7),
                protocol_type: Some("consumer".into()),
                protocol_name: Some(
                    if value.is_multiple_of(11) {
                        "bogus"
                    } else {
                        "range"
                    }
                    .into(),
                ),
                leader,
                skip_assignment: false,
                member_id: me.clone(),
                members: vec![
                    JoinGroupResponseMember {
                        member_id: me,
                        group_instance_id: None,
                        metadata: Subscription {
                            topics: vec!["t".into()],
                            generation_id: -1,
                            ..Subscription::default()
                        },
                    },
                    JoinGroupResponseMember {
                        member_id: "other".into(),
                        group_instance_id: None,
                        metadata: Subscription {
                            topics: vec!["t".into(), "u".into()],
                            generation_id: -1,
                            ..Subscription::default()
                        },
                    },
                ],
            }))
        }
        ConsumerRequestBody::Group(GroupRequest::SyncGroup(_)) => {
            let partitions = (0..5u8)
                .filter(|bit| value & (1 << bit) != 0)
                .map(|bit| {
                    if bit == 4 {
                        TopicPartition::new("u", 0)
                    } else {
                        tp(bit)
                    }
                })
                .collect();
            ConsumerResponseBody::Group(GroupResponse::SyncGroup(SyncGroupResponse {
                error: fail.then_some(error),
                protocol_type: Some("consumer".into()),
                protocol_name: Some("range".into()),
                assignment: MemberAssignment {
                    partitions,
                    user_data: None,
                },
            }))
        }
        ConsumerRequestBody::Group(GroupRequest::Heartbeat(_)) => {
            ConsumerResponseBody::Group(GroupResponse::Heartbeat(fail.then_some(error)))
        }
        ConsumerRequestBody::Group(GroupRequest::LeaveGroup(_)) => {
            ConsumerResponseBody::Group(GroupResponse::LeaveGroup(LeaveGroupResponse {
                error: None,
                members: Vec::new(),
            }))
        }
        ConsumerRequestBody::Group(GroupRequest::OffsetCommit(commit)) => {
            ConsumerResponseBody::Group(GroupResponse::OffsetCommit(OffsetCommitResponse {
                partitions: commit
                    .offsets
                    .iter()
                    .map(|(tp, _)| (tp.clone(), fail.then_some(error)))
                    .collect(),
            }))
        }
        ConsumerRequestBody::Group(GroupRequest::OffsetFetch(fetch)) => {
            ConsumerResponseBody::Group(GroupResponse::OffsetFetch(OffsetFetchResponse {
                error: (kind % 8 == 2).then_some(error),
                partitions: fetch
                    .partitions
                    .clone()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|tp| {
                        let answer = if fail {
                            Err(error)
                        } else if value.is_multiple_of(3) {
                            Ok(None)
                        } else {
                            Ok(Some(OffsetAndMetadata {
                                offset: small,
                                leader_epoch: None,
                                metadata: String::new(),
                            }))
                        };
                        (tp, answer)
                    })
                    .collect(),
            }))
        }
        ConsumerRequestBody::Fetch { fetch_offset, .. } => {
            if fail {
                return ConsumerResponseBody::Fetch(Err(error));
            }
            // Records from a little before the fetch offset (a batch may start earlier), in
            // order, with gaps as compaction leaves them.
            let start = fetch_offset - i64::from(value % 3);
            let records = (0..i64::from(value % 6))
                .map(|i| record(start + i * (1 + i64::from(kind % 2))))
                .collect();
            ConsumerResponseBody::Fetch(Ok(FetchedPartition {
                records,
                high_watermark: start + 20,
                log_start_offset: 0,
            }))
        }
        ConsumerRequestBody::ListOffsets { .. } => {
            ConsumerResponseBody::ListOffsets(if fail { Err(error) } else { Ok(small) })
        }
    }
}

fn run(steps: &[Step], standalone: bool, reset: u8, auto_commit: bool, instance: bool) {
    let config = ConsumerConfig {
        enable_auto_commit: auto_commit,
        auto_offset_reset: [
            AutoOffsetReset::Earliest,
            AutoOffsetReset::Latest,
            AutoOffsetReset::None,
        ][usize::from(reset % 3)],
        group_instance_id: instance.then(|| "i1".to_string()),
        max_poll_records: 7,
        session_timeout_ms: 10_000,
        heartbeat_interval_ms: 1_000,
        max_poll_interval_ms: 20_000,
        request_timeout_ms: 5_000,
        default_api_timeout_ms: 8_000,
        ..ConsumerConfig::with_group("g")
    };
    let mut consumer = Consumer::new(config, 0);
    let mut now = 0i64;
    consumer.update_metadata(
        now,
        &BTreeMap::from([("t".to_string(), 4), ("u".to_string(), 1)]),
    );
    if standalone {
        consumer
            .assign(now, &[tp(0), tp(1), tp(2)])
            .expect("assign");
    } else {
        consumer
            .subscribe(now, &["t".to_string()])
            .expect("subscribe");
    }
    let mut outstanding: Vec<ConsumerRequest> = Vec::new();
    for step in steps {
        match step {
            Step::Poll { advance } => {
                now += i64::from(*advance);
                let before: BTreeMap<TopicPartition, Option<i64>> = consumer
                    .assignment()
                    .into_iter()
                    .map(|tp| {
                        let position = consumer.position(&tp).expect("assigned");
                        (tp, position)
                    })
                    .collect();
                let paused = consumer.paused();
                if let Ok(records) = consumer.poll(now) {
                    let assigned = consumer.assignment();
                    let mut last: BTreeMap<TopicPartition, i64> = BTreeMap::new();
                    assert!(records.len() <= 7);
                    for record in &records {
                        let tp = TopicPartition::new(record.topic.clone(), record.partition);
                        assert!(assigned.contains(&tp), "record from unassigned {tp}");
                        assert!(!paused.contains(&tp), "record from paused {tp}");
                        let position = before
                            .get(&tp)
                            .copied()
                            .flatten()
                            .expect("a position before the poll");
                        assert!(
                            record.offset >= position,
                            "offset {} below position {position}",
                            record.offset
                        );
                        if let Some(previous) = last.get(&tp) {
                            assert!(record.offset > *previous, "offsets increase");
                        }
                        last.insert(tp, record.offset);
                    }
                    for (tp, offset) in last {
                        assert_eq!(consumer.position(&tp), Ok(Some(offset + 1)));
                    }
                }
            }
            Step::Timeout => {
                if let Some(at) = consumer.poll_timeout() {
                    assert!(at > now, "timers are in the future");
                    now = at;
                }
                consumer.handle_timeout(now);
            }
            Step::Answer { pick, kind, value } => {
                if !outstanding.is_empty() {
                    let request = outstanding.remove(usize::from(*pick) % outstanding.len());
                    let response = answer(&request, *kind, *value);
                    now += i64::from(*value % 50);
                    consumer.handle_response(now, request.id, response);
                }
            }
            Step::Pause { partition } => {
                let _ = consumer.pause(&[tp(*partition)]);
            }
            Step::Resume { partition } => {
                let _ = consumer.resume(&[tp(*partition)]);
            }
            Step::Seek { partition, offset } => {
                let _ = consumer.seek(&tp(*partition), i64::from(*offset));
            }
            Step::SeekToEnd => {
                let _ = consumer.seek_to_end(&[]);
            }
            Step::CommitSync => {
                consumer.commit_sync(now, None);
            }
            Step::CommitAsync => {
                consumer.commit_async(now, None);
            }
            Step::Metadata { partitions } => {
                consumer.update_metadata(
                    now,
                    &BTreeMap::from([("t".to_string(), u32::from(partitions % 5))]),
                );
            }
            Step::Subscribe { both } => {
                if !standalone {
                    let topics = if *both {
                        vec!["t".to_string(), "u".to_string()]
                    } else {
                        vec!["t".to_string()]
                    };
                    consumer.subscribe(now, &topics).expect("subscribe");
                }
            }
        }
        while let Some(request) = consumer.poll_request(now) {
            if standalone && let ConsumerRequestBody::Group(group) = &request.body {
                match group {
                    GroupRequest::OffsetCommit(commit) => {
                        assert_eq!((commit.generation_id, commit.member_id.as_str()), (-1, ""));
                    }
                    GroupRequest::OffsetFetch(_) => {}
                    other => panic!("standalone consumer sent {other:?}"),
                }
            }
            outstanding.push(request);
        }
        while consumer.poll_event().is_some() {}
    }
    consumer.close(now);
    while consumer.poll_request(now).is_some() {}
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn consumer_survives_random_answers(
        steps in proptest::collection::vec(step(), 1..200),
        standalone in any::<bool>(),
        reset in any::<u8>(),
        auto_commit in any::<bool>(),
        instance in any::<bool>(),
    ) {
        run(&steps, standalone, reset, auto_commit, instance);
    }
}
