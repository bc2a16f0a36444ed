//! The coordinator's records against an independent codec (the `kafka-protocol` crate's
//! `ConsumerProtocolSubscription`/`ConsumerProtocolAssignment`), decoders on arbitrary bytes,
//! and the reload property: after any request sequence, reloading the appended
//! `__consumer_offsets` records gives the same groups and offsets as the live coordinator.

use bytes::Bytes;
use kafka_protocol::messages::TopicName;
use kafka_protocol::messages::consumer_protocol_assignment::{
    ConsumerProtocolAssignment, TopicPartition as KAssignmentTp,
};
use kafka_protocol::messages::consumer_protocol_subscription::{
    ConsumerProtocolSubscription, TopicPartition as KSubscriptionTp,
};
use kafka_protocol::protocol::{Decodable, Encodable, StrBytes};
use proptest::prelude::*;

use rill_core::ErrorCode;
use rill_core::group::coordinator::records::{
    self, GroupMetadataValue, OffsetCommitValue, OffsetsKey,
};
use rill_core::group::protocol::*;
use rill_core::group::{CoordinatorConfig, GroupCoordinator, GroupState, TopicPartition};

use crate::coordinator::{GROUP, Host, assignment, join, protocol};

fn subscription() -> Subscription {
    Subscription {
        topics: vec!["orders".into(), "payments".into()],
        user_data: Some(vec![1, 2, 3]),
        owned_partitions: vec![
            TopicPartition::new("orders", 0),
            TopicPartition::new("orders", 2),
            TopicPartition::new("payments", 1),
        ],
        generation_id: 4,
        rack_id: Some("rack-a".into()),
    }
}

#[test]
fn subscription_bytes_match_kafka_protocol_v3() {
    let ours = records::encode_subscription(&subscription());
    assert_eq!(&ours[..2], &[0, 3]);
    let mut buf = Bytes::copy_from_slice(&ours[2..]);
    let theirs = ConsumerProtocolSubscription::decode(&mut buf, 3).expect("present");
    assert!(buf.is_empty());
    let topics: Vec<String> = theirs.topics.iter().map(|t| t.to_string()).collect();
    assert_eq!(topics, vec!["orders", "payments"]);
    assert_eq!(theirs.user_data.as_deref(), Some(&[1u8, 2, 3][..]));
    assert_eq!(theirs.generation_id, 4);
    assert_eq!(
        theirs.rack_id.as_ref().map(|r| r.to_string()).as_deref(),
        Some("rack-a")
    );
    let owned: Vec<(String, Vec<i32>)> = theirs
        .owned_partitions
        .iter()
        .map(|tp| (tp.topic.to_string(), tp.partitions.clone()))
        .collect();
    assert_eq!(
        owned,
        vec![
            ("orders".to_string(), vec![0, 2]),
            ("payments".to_string(), vec![1])
        ]
    );
    // And the other way: their bytes decode to our value.
    let mut out = bytes::BytesMut::new();
    ConsumerProtocolSubscription::default()
        .with_topics(vec![
            StrBytes::from_static_str("orders"),
            StrBytes::from_static_str("payments"),
        ])
        .with_user_data(Some(Bytes::from_static(&[1, 2, 3])))
        .with_owned_partitions(vec![
            KSubscriptionTp::default()
                .with_topic(TopicName(StrBytes::from_static_str("orders")))
                .with_partitions(vec![0, 2]),
            KSubscriptionTp::default()
                .with_topic(TopicName(StrBytes::from_static_str("payments")))
                .with_partitions(vec![1]),
        ])
        .with_generation_id(4)
        .with_rack_id(Some(StrBytes::from_static_str("rack-a")))
        .encode(&mut out, 3)
        .expect("present");
    let mut theirs_bytes = vec![0, 3];
    theirs_bytes.extend_from_slice(&out);
    assert_eq!(theirs_bytes, ours);
    assert_eq!(
        records::decode_subscription(&theirs_bytes),
        Some(subscription())
    );
    // An old (v0) subscription decodes too.
    let mut v0 = bytes::BytesMut::new();
    ConsumerProtocolSubscription::default()
        .with_topics(vec![StrBytes::from_static_str("t")])
        .encode(&mut v0, 0)
        .expect("present");
    let mut b = vec![0, 0];
    b.extend_from_slice(&v0);
    assert_eq!(
        records::decode_subscription(&b).expect("present").topics,
        vec!["t".to_string()]
    );
}

#[test]
fn assignment_bytes_match_kafka_protocol_v3() {
    let value = MemberAssignment {
        partitions: vec![
            TopicPartition::new("a", 1),
            TopicPartition::new("a", 3),
            TopicPartition::new("b", 0),
        ],
        user_data: None,
    };
    let ours = records::encode_assignment(&value);
    let mut out = bytes::BytesMut::new();
    ConsumerProtocolAssignment::default()
        .with_assigned_partitions(vec![
            KAssignmentTp::default()
                .with_topic(TopicName(StrBytes::from_static_str("a")))
                .with_partitions(vec![1, 3]),
            KAssignmentTp::default()
                .with_topic(TopicName(StrBytes::from_static_str("b")))
                .with_partitions(vec![0]),
        ])
        .encode(&mut out, 3)
        .expect("present");
    let mut theirs = vec![0, 3];
    theirs.extend_from_slice(&out);
    assert_eq!(ours, theirs);
    assert_eq!(records::decode_assignment(&theirs), Some(value));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = OffsetsKey::decode(&bytes);
        let _ = OffsetCommitValue::decode(&bytes);
        let _ = GroupMetadataValue::decode(&bytes);
        let _ = records::decode_subscription(&bytes);
        let _ = records::decode_assignment(&bytes);
        let mut c = GroupCoordinator::new(CoordinatorConfig { offsets_topic_partitions: 1, ..Default::default() }, 0);
        c.load_partition(0, 0, vec![(Some(bytes.clone()), Some(bytes.clone())), (Some(vec![0, 2, 0, 1, b'g']), Some(bytes))]);
        prop_assert!(c.owns_partition(0));
    }
}

#[derive(Clone, Debug)]
enum Op {
    Join {
        slot: usize,
        is_static: bool,
        topics: usize,
    },
    Sync {
        slot: usize,
    },
    Heartbeat {
        slot: usize,
    },
    Leave {
        slot: usize,
    },
    Commit {
        slot: usize,
        partition: u32,
        offset: i64,
    },
    Standalone {
        partition: u32,
        offset: i64,
    },
    Advance {
        ms: i64,
    },
    Delete,
    /// A static member restarts: joins with no member id and its instance id.
    Restart {
        slot: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..4usize, any::<bool>(), 1..3usize).prop_map(|(slot, is_static, topics)| Op::Join { slot, is_static, topics }),
        4 => (0..4usize).prop_map(|slot| Op::Sync { slot }),
        2 => (0..4usize).prop_map(|slot| Op::Heartbeat { slot }),
        1 => (0..4usize).prop_map(|slot| Op::Leave { slot }),
        2 => (0..4usize, 0..3u32, 0..1000i64).prop_map(|(slot, partition, offset)| Op::Commit { slot, partition, offset }),
        1 => (0..3u32, 0..1000i64).prop_map(|(partition, offset)| Op::Standalone { partition, offset }),
        2 => (0..40_000i64).prop_map(|ms| Op::Advance { ms }),
        3 => (0..4usize).prop_map(|slot| Op::Restart { slot }),
        1 => Just(Op::Delete),
    ]
}

#[derive(Clone, Debug, Default)]
struct Slot {
    member_id: String,
    instance: Option<String>,
    generation: i32,
    /// The members the slot was told of as leader.
    members: Vec<String>,
    pending_join: Option<u64>,
}

fn absorb(h: &mut Host, slots: &mut [Slot]) {
    for slot in slots.iter_mut() {
        let Some(rid) = slot.pending_join else {
            continue;
        };
        match h.take(rid) {
            None => {}
            Some(GroupResponse::JoinGroup(r)) => {
                slot.pending_join = None;
                match r.error {
                    None => {
                        slot.member_id = r.member_id;
                        slot.generation = r.generation_id;
                        slot.members = r.members.into_iter().map(|m| m.member_id).collect();
                    }
                    Some(_) => {
                        *slot = Slot {
                            instance: slot.instance.clone(),
                            ..Slot::default()
                        }
                    }
                }
            }
            Some(other) => panic!("unexpected {other:?}"),
        }
    }
    // Other responses are not needed by the model.
    h.responses
        .retain(|rid, _| slots.iter().any(|s| s.pending_join == Some(*rid)));
}

fn check_reload(h: &Host) -> Result<(), TestCaseError> {
    let mut reloaded = GroupCoordinator::new(
        CoordinatorConfig {
            offsets_topic_partitions: 1,
            ..Default::default()
        },
        99,
    );
    reloaded.load_partition(h.now, 0, h.log.get(&0).cloned().unwrap_or_default());
    prop_assert_eq!(
        h.c.committed_offsets(GROUP).expect("present"),
        reloaded.committed_offsets(GROUP).expect("present")
    );
    let live = h.c.describe_group(GROUP).expect("present");
    let back = reloaded.describe_group(GROUP).expect("present");
    match live.state {
        GroupState::Stable => prop_assert_eq!(live, back),
        GroupState::Empty
            if live.generation > 0
                || !h.c.committed_offsets(GROUP).expect("present").is_empty() =>
        {
            prop_assert_eq!(live, back)
        }
        GroupState::Dead => prop_assert_eq!(back.state, GroupState::Dead),
        _ => {}
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn reload_from_appended_records_equals_live_state(ops in proptest::collection::vec(op(), 1..60)) {
        let mut h = Host::quick();
        let mut slots = vec![Slot::default(); 4];
        for op in ops {
            match op {
                Op::Join { slot, is_static, topics } => {
                    let s = &mut slots[slot];
                    if s.pending_join.is_some() { continue; }
                    if s.member_id.is_empty() {
                        s.instance = is_static.then(|| format!("instance-{slot}"));
                    }
                    let names = ["t", "u"];
                    let protocols = vec![protocol("range", &names[..topics])];
                    let member_id = s.member_id.clone();
                    let instance = s.instance.clone();
                    let rid = h.send(&format!("client{slot}"), join(&member_id, instance.as_deref(), protocols.clone()));
                    if let Some(GroupResponse::JoinGroup(r)) = h.responses.get(&rid).cloned()
                        && r.error == Some(ErrorCode::MemberIdRequired)
                    {
                        h.take(rid);
                        let rid = h.send(&format!("client{slot}"), join(&r.member_id, None, protocols));
                        slots[slot].pending_join = Some(rid);
                        absorb(&mut h, &mut slots);
                        check_reload(&h)?;
                        continue;
                    }
                    slots[slot].pending_join = Some(rid);
                }
                Op::Sync { slot } => {
                    let s = slots[slot].clone();
                    if s.member_id.is_empty() { continue; }
                    let assignments = s.members.iter().enumerate().map(|(i, m)| (m.clone(), assignment(&[i as u32]))).collect();
                    h.send("c", GroupRequest::SyncGroup(SyncGroupRequest {
                        group_id: GROUP.into(),
                        generation_id: s.generation,
                        member_id: s.member_id.clone(),
                        group_instance_id: s.instance.clone(),
                        protocol_type: None,
                        protocol_name: None,
                        assignments,
                    }));
                }
                Op::Heartbeat { slot } => {
                    let s = slots[slot].clone();
                    if s.member_id.is_empty() { continue; }
                    let _ = h.heartbeat_static(&s.member_id, s.instance.as_deref(), s.generation);
                }
                Op::Leave { slot } => {
                    let s = slots[slot].clone();
                    if s.member_id.is_empty() || s.instance.is_some() { continue; }
                    let _ = h.leave(vec![(&s.member_id, None)]);
                    slots[slot] = Slot::default();
                }
                Op::Commit { slot, partition, offset } => {
                    let s = slots[slot].clone();
                    if s.member_id.is_empty() { continue; }
                    h.commit(&s.member_id, s.generation, &[("t", partition, offset)]);
                }
                Op::Standalone { partition, offset } => {
                    h.commit("", -1, &[("t", partition, offset)]);
                }
                Op::Advance { ms } => h.advance(ms),
                Op::Restart { slot } => {
                    let s = slots[slot].clone();
                    let Some(instance) = s.instance.clone() else { continue };
                    if s.member_id.is_empty() || s.pending_join.is_some() {
                        continue;
                    }
                    let rid = h.send(
                        &format!("client{slot}"),
                        join("", Some(&instance), vec![protocol("range", &["t"])]),
                    );
                    slots[slot].pending_join = Some(rid);
                }
                Op::Delete => {
                    let now = h.now;
                    let _ = h.c.delete_groups(now, &[GROUP.to_string()]);
                    h.pump();
                }
            }
            absorb(&mut h, &mut slots);
            check_reload(&h)?;
        }
    }
}
