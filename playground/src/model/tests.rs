//! The model as a pure reducer over session events: a real cluster runs natively, its events
//! and views go through [`Model::apply`], and the drawn state is checked.

use rill_core::cluster::{Acks, Cluster, ClusterConfig, ClusterEvent, NodeId};
use rill_core::record::NewRecord;
use rill_wasm::session::SessionEvent;

use super::*;
use crate::model::reassign;

fn record(key: &str) -> NewRecord {
    NewRecord {
        key: Some(key.as_bytes().to_vec()),
        value: Some(b"v".to_vec()),
        headers: vec![],
        timestamp: None,
    }
}

/// Feeds everything the cluster did since the last frame to the model, as the engine does.
fn frame(model: &mut Model, cluster: &mut Cluster) {
    let now = cluster.now();
    let mut events: Vec<(SessionEvent, i64)> = cluster
        .poll_events()
        .into_iter()
        .map(|e| (SessionEvent::Cluster(e), now))
        .collect();
    events.extend(
        cluster
            .poll_outcomes()
            .into_iter()
            .map(|o| (SessionEvent::ProduceCompleted(o), now)),
    );
    let view = ClusterView::read(cluster, &model.read_options());
    model.apply(Action::Frame { view, events });
}

fn three_brokers() -> (Model, Cluster) {
    let mut cluster = Cluster::new(ClusterConfig::new(3, 7), 0).expect("a valid cluster");
    cluster
        .create_topic(
            "orders",
            1,
            3,
            &[("min.insync.replicas".into(), "2".into())],
        )
        .expect("created");
    cluster.advance(1_000);
    let mut model = Model::default();
    let view = ClusterView::read(&cluster, &model.read_options());
    model.apply(Action::Opened {
        persistence: Persistence::Memory(None),
        view,
    });
    frame(&mut model, &mut cluster);
    (model, cluster)
}

fn partition(model: &Model) -> &PartitionView {
    &model
        .view
        .topic("orders")
        .expect("the topic is drawn")
        .partitions[0]
}

#[test]
fn a_produced_record_is_drawn_uncommitted_until_the_followers_have_it() {
    let (mut model, mut cluster) = three_brokers();
    let leader = partition(&model).leader.expect("a leader");
    // Slow followers: the record reaches the leader well before they fetch it.
    for b in 0..3 {
        if b != leader {
            cluster.slow(NodeId::Broker(b), 200);
        }
    }
    cluster.produce(9, "orders", 0, Acks::All, vec![record("alice")]);
    cluster.advance(10);
    frame(&mut model, &mut cluster);
    let lane = partition(&model)
        .lane
        .clone()
        .expect("the lane is on screen");
    assert_eq!(lane.records.len(), 1);
    assert!(
        lane.records[0].uncommitted,
        "above the HW: not yet committed"
    );
    assert_eq!(partition(&model).high_watermark, 0);
    assert_eq!(partition(&model).log_end_offset, 1);
    cluster.advance(2_000);
    frame(&mut model, &mut cluster);
    let lane = partition(&model)
        .lane
        .clone()
        .expect("the lane is on screen");
    assert!(
        !lane.records[0].uncommitted,
        "committed once the ISR has it"
    );
    assert_eq!(partition(&model).high_watermark, 1);
    assert!(
        model.events.lines().any(|l| matches!(
            l.event,
            SessionEvent::ProduceCompleted(ref o) if o.result == Ok((0, 0))
        )),
        "the acknowledgement is in the event log"
    );
}

#[test]
fn killing_the_leader_draws_a_clean_election_with_the_epoch_bumped() {
    let (mut model, mut cluster) = three_brokers();
    let before = partition(&model).clone();
    let old = before.leader.expect("a leader");
    cluster.kill_broker(old).expect("running");
    cluster.advance(100);
    frame(&mut model, &mut cluster);
    let state = |m: &Model, b: u32| {
        partition(m)
            .replica_views
            .iter()
            .find(|r| r.broker == b)
            .map(|r| r.state)
    };
    assert_eq!(
        state(&model, old),
        Some(ReplicaState::Offline),
        "its replica greys out"
    );
    assert_eq!(
        model.view.brokers[old as usize].state,
        BrokerState::Down,
        "the broker is down"
    );
    assert!(
        !model.view.brokers[old as usize].fenced,
        "the controller has not noticed yet"
    );
    assert_eq!(
        partition(&model).leader_down(),
        Some(old),
        "the row says its leader is down and not replaced yet"
    );
    // After broker.session.timeout.ms the controller fences it and elects from the ISR.
    cluster.advance(12_000);
    frame(&mut model, &mut cluster);
    let now = partition(&model).clone();
    let new = now.leader.expect("a new leader from the ISR");
    assert_ne!(new, old);
    assert!(before.isr.contains(&new), "elected from the ISR");
    assert_eq!(now.leader_down(), None, "a live leader again");
    assert_eq!(before.leader_down(), None);
    assert_eq!(now.leader_epoch, before.leader_epoch + 1, "epoch + 1");
    assert!(!now.isr.contains(&old), "the dead broker left the ISR");
    assert!(
        model.view.brokers[old as usize].fenced,
        "fenced after the timeout"
    );
    let election = model
        .election("orders", 0)
        .expect("the election is highlighted");
    assert_eq!((election.from, election.to), (Some(old), Some(new)));
    assert!(election.reason.contains("clean"), "{}", election.reason);
    assert!(model.events.lines().any(|l| matches!(
        l.event,
        SessionEvent::Cluster(ClusterEvent::BrokerFenced { broker }) if broker == old
    )));
    assert_eq!(model.view.metrics.under_replicated, 1);
    // The highlight fades after ELECTION_SHOWN_MS.
    cluster.advance(ELECTION_SHOWN_MS + 1);
    frame(&mut model, &mut cluster);
    assert!(model.election("orders", 0).is_none());
}

#[test]
fn acks_all_below_min_insync_replicas_fails_and_draws_no_new_offset() {
    let (mut model, mut cluster) = three_brokers();
    let leader = partition(&model).leader.expect("a leader");
    for b in (0..3).filter(|b| *b != leader) {
        cluster.kill_broker(b).expect("running");
    }
    cluster.advance(40_000);
    frame(&mut model, &mut cluster);
    assert_eq!(
        partition(&model).isr,
        vec![leader],
        "only the leader is in sync"
    );
    assert_eq!(model.view.metrics.under_min_isr, 1);
    cluster.produce(9, "orders", 0, Acks::All, vec![record("bob")]);
    cluster.advance(100);
    frame(&mut model, &mut cluster);
    assert!(model.events.lines().any(|l| matches!(
        l.event,
        SessionEvent::ProduceCompleted(ref o)
            if o.result == Err(rill_core::ErrorCode::NotEnoughReplicas)
    )));
    // Exactly that line is a refusal (an embed's recent strip marks it).
    let refusals: Vec<_> = model.events.lines().filter(|l| l.is_refusal()).collect();
    assert_eq!(refusals.len(), 1, "{refusals:?}");
    assert!(
        matches!(refusals[0].event, SessionEvent::ProduceCompleted(ref o) if o.result.is_err())
    );
    assert_eq!(partition(&model).log_end_offset, 0, "no new offset");
}

#[test]
fn a_reassignment_draws_its_phases_on_the_replicas() {
    let mut cluster = Cluster::new(ClusterConfig::new(4, 7), 0).expect("a valid cluster");
    cluster.create_topic("orders", 1, 3, &[]).expect("created");
    cluster.advance(1_000);
    for i in 0..20 {
        cluster.produce(9, "orders", 0, Acks::All, vec![record(&format!("k{i}"))]);
    }
    cluster.advance(1_000);
    let mut model = Model::default();
    frame(&mut model, &mut cluster);
    let old = partition(&model).replicas.clone();
    let outsider = (0..4)
        .find(|b| !old.contains(b))
        .expect("one broker holds no replica");
    let target = vec![old[1], old[2], outsider];
    cluster
        .reassign_partition("orders", 0, &target)
        .expect("a valid target");
    cluster.advance(0);
    frame(&mut model, &mut cluster);
    let p = partition(&model).clone();
    assert_eq!(p.adding, vec![outsider], "the new replica is being added");
    assert!(
        p.replica_views
            .iter()
            .any(|r| r.broker == outsider && r.adding)
    );
    cluster.advance(5_000);
    frame(&mut model, &mut cluster);
    let p = partition(&model).clone();
    let mut drawn = p.replicas.clone();
    drawn.sort_unstable();
    let mut wanted = target.clone();
    wanted.sort_unstable();
    assert_eq!(drawn, wanted, "the new replica set is drawn");
    assert!(p.adding.is_empty() && p.removing.is_empty(), "done");
    assert_eq!(
        p.replica_views
            .iter()
            .find(|r| r.broker == outsider)
            .and_then(|r| r.log_end_offset),
        Some(20),
        "the new replica caught up"
    );
    assert!(model.events.lines().any(|l| matches!(
        l.event,
        SessionEvent::Cluster(ClusterEvent::ReassignmentCompleted { .. })
    )));
}

#[test]
fn a_compacted_topic_counts_the_records_it_holds_not_its_offsets() {
    let mut cluster = Cluster::new(ClusterConfig::new(1, 7), 0).expect("a valid cluster");
    let configs = [
        ("cleanup.policy".to_owned(), "compact".to_owned()),
        ("segment.bytes".to_owned(), "200".to_owned()),
        ("min.cleanable.dirty.ratio".to_owned(), "0.01".to_owned()),
        ("segment.ms".to_owned(), "100".to_owned()),
    ];
    cluster.create_topic("c", 1, 1, &configs).expect("created");
    cluster.advance(100);
    for i in 0..30 {
        cluster.produce(
            9,
            "c",
            0,
            Acks::Leader,
            vec![record(&format!("k{}", i % 5))],
        );
        cluster.advance(50);
    }
    // Let the log cleaner run (log.retention.check.interval.ms).
    cluster.advance(400_000);
    let mut model = Model::default();
    frame(&mut model, &mut cluster);
    let p = &model.view.topic("c").expect("drawn").partitions[0];
    assert!(
        p.log_end_offset - p.log_start_offset > p.records_held as i64,
        "compaction removed records"
    );
    assert!(p.records_held >= 5, "the newest record of each key stays");
    let lane = p.lane.as_ref().expect("on screen");
    assert_eq!(
        lane.older + lane.records.len() as i64,
        p.records_held as i64
    );
}

#[test]
fn a_deleted_topic_leaves_no_highlight_selection_or_preview_behind() {
    let (mut model, mut cluster) = three_brokers();
    model.apply(Action::Select(Some(Selection {
        topic: "orders".into(),
        partition: 0,
        offset: 0,
    })));
    model.apply(Action::LanePage {
        topic: "orders".into(),
        first: 0,
    });
    cluster.delete_topic("orders").expect("exists");
    cluster.advance(1_000);
    frame(&mut model, &mut cluster);
    assert!(model.view.topic("orders").is_none());
    assert!(model.selection.is_none());
    assert!(model.lane_pages.is_empty());
}

#[test]
fn errors_show_next_to_their_control_and_a_success_clears_them() {
    let mut model = Model::default();
    let error = rill_wasm::HostError::InvalidArgument("Partitions must be a whole number".into());
    model.apply(Action::Failed(Place::CreateTopic, error));
    assert!(model.alerts.contains_key(&Place::CreateTopic));
    assert!(
        !model.alerts.contains_key(&Place::Produce),
        "only next to its own control"
    );
    model.apply(Action::Succeeded(Place::CreateTopic));
    assert!(model.alerts.is_empty());
}

#[test]
fn a_refusal_a_scenario_expects_is_kept_apart_from_a_failure() {
    let mut model = Model::default();
    let refusal = rill_wasm::HostError::Kafka {
        code: rill_core::ErrorCode::InvalidPartitions,
        message: "`kafka-topics --alter --topic orders --partitions 2`: fewer".into(),
    };
    model.apply(Action::RefusedAsExpected(Place::Page, refusal.clone()));
    let alert = &model.alerts[&Place::Page];
    assert!(alert.expected);
    assert_eq!(alert.kind, "INVALID_PARTITIONS");
    model.apply(Action::Failed(Place::Page, refusal));
    assert!(
        !model.alerts[&Place::Page].expected,
        "a real failure is one"
    );
}

#[test]
fn only_the_lanes_on_screen_are_read() {
    let mut cluster = Cluster::new(ClusterConfig::new(1, 7), 0).expect("a valid cluster");
    cluster
        .create_topic("wide", 1_000, 1, &[])
        .expect("created");
    cluster.advance(1_000);
    let mut model = Model::default();
    frame(&mut model, &mut cluster);
    let topic = model.view.topic("wide").expect("drawn");
    assert_eq!(topic.partitions.len(), 1_000, "every partition's metadata");
    let with_lanes = topic.partitions.iter().filter(|p| p.lane.is_some()).count();
    assert_eq!(with_lanes, LANES_PER_PAGE as usize, "one page of lanes");
    model.apply(Action::LanePage {
        topic: "wide".into(),
        first: 500,
    });
    frame(&mut model, &mut cluster);
    let topic = model.view.topic("wide").expect("drawn");
    assert!(topic.partitions[500].lane.is_some() && topic.partitions[0].lane.is_none());
    assert!(
        topic
            .partitions
            .iter()
            .all(|p| p.lane.is_some() != p.segments.is_empty()),
        "segments are read for the lanes on screen only"
    );
}

/// The playground's produce form goes through the world's console producer: the record is
/// drawn, and the form's line gets the offset and the time it was acknowledged.
#[test]
fn a_record_sent_from_the_form_is_answered_with_its_offset() {
    use rill_core::scenario::{Applied, Command, ProduceRecord, World};
    let mut world = World::from_cluster(
        Cluster::new(ClusterConfig::new(3, 7), 1_000).expect("a valid cluster"),
    );
    world
        .apply(Command::CreateTopic {
            topic: "orders".into(),
            partitions: 2,
            replication_factor: 3,
            configs: vec![],
        })
        .expect("created");
    world.advance(1_000).expect("time moves");
    let mut model = Model::default();
    let frame = |model: &mut Model, world: &mut World| {
        let events = world
            .poll_events()
            .into_iter()
            .map(|(at, e)| (SessionEvent::of_world(e), at))
            .collect();
        let view = ClusterView::read(world.cluster(), &model.read_options());
        model.apply(Action::Frame { view, events });
    };
    frame(&mut model, &mut world);
    let sent_at = world.now();
    let applied = world
        .apply(Command::Produce(ProduceRecord {
            topic: "orders".into(),
            partition: None,
            key: Some("alice".into()),
            value: Some("hello".into()),
            headers: vec![("trace".into(), Some("<b>x</b>".into()))],
            acks: Acks::All,
        }))
        .expect("sent");
    let Applied::Produced { partition } = applied else {
        panic!("a produce: {applied:?}");
    };
    assert_eq!(
        partition,
        rill_core::partitioner::partition_for_key(b"alice", 2),
        "Kafka's partition for the key"
    );
    model.apply(Action::Sent(SentRecord {
        topic: "orders".into(),
        partition,
        request: 1,
        acks: "all",
        sent_at,
        answer: None,
        held_by: None,
    }));
    world.advance(1_000).expect("time moves");
    frame(&mut model, &mut world);
    let answer = model.sent[0].answer.clone().expect("answered");
    let (offset, at) = answer.expect("acknowledged");
    assert_eq!(offset, 0);
    assert!(at > sent_at, "acknowledged after it was sent");
    let p = &model.view.topic("orders").expect("drawn").partitions[partition as usize];
    let record = &p.lane.as_ref().expect("on screen").records[0];
    assert_eq!(record.key.as_deref(), Some("alice"));
    assert_eq!(
        record.headers,
        vec![("trace".to_owned(), "<b>x</b>".to_owned())],
        "headers are kept as text"
    );
    let mut held = model.sent[0].held_by.clone().expect("read at the ack");
    held.sort_unstable();
    assert_eq!(
        held,
        vec![0, 1, 2],
        "acks=all: every in-sync replica had it"
    );
    // A broker dying later does not change what the acknowledgement meant.
    let victim = p.leader.expect("a leader");
    world
        .apply(Command::KillBroker { broker: victim })
        .expect("killed");
    world.advance(1_000).expect("time moves");
    frame(&mut model, &mut world);
    let mut after = model.sent[0].held_by.clone().expect("still there");
    after.sort_unstable();
    assert_eq!(after, vec![0, 1, 2], "frozen at the acknowledgement");
}

#[test]
fn broker_load_counts_user_topics_and_consumer_offsets_apart() {
    let (mut model, mut cluster) = three_brokers();
    let _ = cluster.reset_offsets("g", &[], rill_core::cluster::ResetTarget::Earliest);
    cluster.advance(2_000);
    frame(&mut model, &mut cluster);
    let brokers = &model.view.brokers;
    assert_eq!(
        brokers.iter().map(|b| b.replicas).sum::<u32>(),
        3,
        "orders: 1 partition × RF 3, __consumer_offsets not included"
    );
    assert_eq!(brokers.iter().map(|b| b.leaderships).sum::<u32>(), 1);
    assert!(
        brokers.iter().all(|b| b.internal_replicas > 0),
        "__consumer_offsets replicas are counted apart: {brokers:?}"
    );
}

#[test]
fn a_topic_with_partitions_of_different_replica_counts_shows_the_range() {
    let mut cluster = Cluster::new(ClusterConfig::new(3, 7), 0).expect("a valid cluster");
    cluster.create_topic("orders", 3, 3, &[]).expect("created");
    cluster.advance(1_000);
    let mut model = Model::default();
    frame(&mut model, &mut cluster);
    let topic = model.view.topic("orders").expect("drawn");
    assert_eq!(topic.replication_factor_text(), "3");
    let old = topic.partitions[0].replicas.clone();
    cluster
        .reassign_partition("orders", 0, &old[..2])
        .expect("a valid target");
    cluster.advance(5_000);
    frame(&mut model, &mut cluster);
    let topic = model.view.topic("orders").expect("drawn");
    assert_eq!(topic.partitions[0].replicas.len(), 2, "P0 shrank");
    assert_eq!(topic.replication_factor_text(), "2–3");
}

#[test]
fn segments_deleted_during_a_jump_in_time_are_drawn_from_the_frame_after_it() {
    let mut cluster = Cluster::new(ClusterConfig::new(1, 7), 0).expect("a valid cluster");
    let configs = [
        ("segment.bytes".to_owned(), "200".to_owned()),
        ("retention.bytes".to_owned(), "300".to_owned()),
    ];
    cluster.create_topic("r", 1, 1, &configs).expect("created");
    cluster.advance(100);
    for i in 0..12 {
        cluster.produce(9, "r", 0, Acks::Leader, vec![record(&format!("k{i}"))]);
        cluster.advance(10);
    }
    let mut model = Model::default();
    frame(&mut model, &mut cluster);
    let before = cluster.now();
    // One jump of five minutes: the retention check runs inside it, long before the frame.
    cluster.advance(300_000);
    let now = cluster.now();
    let events: Vec<(SessionEvent, i64)> = cluster
        .poll_events()
        .into_iter()
        .map(|e| (SessionEvent::Cluster(e), before + 1))
        .collect();
    assert!(
        events.iter().any(|(e, _)| matches!(
            e,
            SessionEvent::Cluster(ClusterEvent::SegmentDeleted { .. })
        )),
        "retention.bytes deleted segments"
    );
    let view = ClusterView::read(&cluster, &model.read_options());
    model.apply(Action::Frame { view, events });
    assert!(!model.deleted.is_empty(), "the deleted segments are drawn");
    assert!(model.deleted.iter().all(|d| d.reason == "retention.bytes"));
    assert!(
        model
            .deleted
            .iter()
            .all(|d| d.until == now + DELETED_SEGMENT_SHOWN_MS)
    );
    // And fade DELETED_SEGMENT_SHOWN_MS after that frame.
    cluster.advance(DELETED_SEGMENT_SHOWN_MS + 1);
    frame(&mut model, &mut cluster);
    assert!(model.deleted.is_empty());
}

#[test]
fn a_reassignment_is_followed_from_start_to_completion_and_its_plan_is_kafkas_json() {
    let mut cluster = Cluster::new(ClusterConfig::new(4, 7), 0).expect("a valid cluster");
    cluster.create_topic("orders", 1, 3, &[]).expect("created");
    cluster.advance(1_000);
    let mut model = Model::default();
    frame(&mut model, &mut cluster);
    let before = partition(&model).clone();
    assert!(reassign::phases(&before).is_empty(), "nothing moves yet");
    for i in 0..20 {
        cluster.produce(9, "orders", 0, Acks::All, vec![record(&format!("k{i}"))]);
    }
    cluster.advance(200);
    frame(&mut model, &mut cluster);
    let target: Vec<u32> = vec![1, 2, 3];
    // Broker 3 slow: the added replica is seen catching up before it joins the ISR.
    cluster.slow(NodeId::Broker(3), 300);
    cluster
        .reassign_partition("orders", 0, &target)
        .expect("valid");
    cluster.advance(1);
    frame(&mut model, &mut cluster);
    let moving = partition(&model).clone();
    assert!(reassign::in_progress(&moving));
    assert_eq!(reassign::target(&moving), target);
    let phases = reassign::phases(&moving);
    let removed: Vec<u32> = before
        .replicas
        .iter()
        .copied()
        .filter(|b| !target.contains(b))
        .collect();
    for (b, phase) in &phases {
        let want_leaving = removed.contains(b);
        assert_eq!(
            *phase == reassign::Phase::Leaving,
            want_leaving,
            "{b}: {phase:?}"
        );
    }
    assert!(
        phases
            .iter()
            .any(|(b, p)| *b == 3 && matches!(p, reassign::Phase::CatchingUp { .. })),
        "broker 3 is being added: {phases:?}"
    );
    // Its copy exists before its first fetch answer arrives: records behind, then in the ISR.
    let mut seen = Vec::new();
    for _ in 0..100 {
        cluster.advance(20);
        frame(&mut model, &mut cluster);
        let phase = reassign::phases(partition(&model))
            .into_iter()
            .find(|(b, _)| *b == 3)
            .map(|(_, p)| p);
        if seen.last() != Some(&phase) {
            seen.push(phase);
        }
        if phase.is_none() {
            break;
        }
    }
    assert!(
        seen.iter()
            .any(|p| matches!(p, Some(reassign::Phase::CatchingUp { behind: Some(20) }))),
        "broker 3 was 20 records behind: {seen:?}"
    );
    assert_eq!(
        seen.last(),
        Some(&None),
        "then the reassignment completed: {seen:?}"
    );
    // Kafka's cancel would go back to the replicas without the adding one, in their order.
    assert_eq!(
        reassign::revert(&moving),
        moving
            .replicas
            .iter()
            .copied()
            .filter(|b| *b != 3)
            .collect::<Vec<_>>()
    );
    cluster.advance(10_000);
    frame(&mut model, &mut cluster);
    let done = partition(&model).clone();
    assert_eq!(done.replicas, target, "the new replica set is drawn");
    assert!(!reassign::in_progress(&done));
    assert!(reassign::phases(&done).is_empty());
    let status = &model.reassignments[&("orders".to_owned(), 0)];
    assert!(status.in_sync.contains(&3), "broker 3 joined the ISR");
    assert!(status.completed_at.is_some(), "completed");
    assert_eq!(
        reassign::plan_json(&[("or\"ders".to_owned(), 0, target)]),
        "{\n  \"version\": 1,\n  \"partitions\": [\n    {\"topic\": \"or\\\"ders\", \"partition\": 0, \"replicas\": [1, 2, 3]}\n  ]\n}"
    );
    assert_eq!(reassign::moved(&[1, 2, 3], 2, true), vec![1, 3, 2]);
    assert_eq!(reassign::moved(&[1, 2, 3], 0, true), vec![1, 2, 3]);
    assert_eq!(reassign::moved(&[1, 2, 3], 0, false), vec![2, 1, 3]);
    // The topic goes, and its reassignments with it.
    cluster.delete_topic("orders").expect("exists");
    cluster.advance(1_000);
    frame(&mut model, &mut cluster);
    assert!(model.reassignments.is_empty());
}

#[test]
fn a_broker_cut_off_or_slowed_is_drawn_so() {
    let (mut model, mut cluster) = three_brokers();
    assert!(
        model
            .view
            .brokers
            .iter()
            .all(|b| !b.cut_off && b.slow_ms == 0)
    );
    cluster.partition_network(
        &[NodeId::Broker(1)],
        &[NodeId::Controller, NodeId::Broker(0)],
    );
    cluster.slow(NodeId::Broker(2), 500);
    cluster.advance(10);
    frame(&mut model, &mut cluster);
    let b = &model.view.brokers;
    assert!(b[1].cut_off && !b[0].cut_off && !b[2].cut_off);
    assert_eq!((b[0].slow_ms, b[2].slow_ms), (0, 500));
    // Cut off from the controller: no heartbeat, so it is fenced after the session timeout.
    cluster.advance(12_000);
    frame(&mut model, &mut cluster);
    assert_eq!(model.view.brokers[1].state, BrokerState::Fenced);
    cluster.heal();
    cluster.advance(10);
    frame(&mut model, &mut cluster);
    assert!(
        model
            .view
            .brokers
            .iter()
            .all(|b| !b.cut_off && b.slow_ms == 0)
    );
}

#[test]
fn an_unclean_election_loses_the_acks_1_record_and_the_old_leader_truncates_it() {
    let mut cluster = Cluster::new(ClusterConfig::new(3, 7), 0).expect("a valid cluster");
    let configs = [
        ("min.insync.replicas".to_owned(), "2".to_owned()),
        (
            "unclean.leader.election.enable".to_owned(),
            "true".to_owned(),
        ),
    ];
    cluster
        .create_topic("ledger", 1, 3, &configs)
        .expect("created");
    cluster.advance(1_000);
    cluster.produce(9, "ledger", 0, Acks::All, vec![record("a")]);
    cluster.advance(1_000);
    let mut model = Model::default();
    frame(&mut model, &mut cluster);
    let p = &model.view.topic("ledger").expect("drawn").partitions[0];
    let leader = p.leader.expect("a leader");
    assert_eq!(p.high_watermark, 1);
    let followers: Vec<u32> = (0..3).filter(|b| *b != leader).collect();
    for b in &followers {
        cluster.kill_broker(*b).expect("running");
    }
    cluster.advance(12_000);
    // acks=all is refused (the ISR is below min.insync.replicas); acks=1 is acknowledged.
    cluster.produce(9, "ledger", 0, Acks::All, vec![record("kept-safe")]);
    cluster.produce(9, "ledger", 0, Acks::Leader, vec![record("lost")]);
    cluster.advance(100);
    frame(&mut model, &mut cluster);
    let p = &model.view.topic("ledger").expect("drawn").partitions[0];
    assert_eq!(p.log_end_offset, 2, "only the acks=1 record was appended");
    // The leader dies; a stale follower comes back and is elected, uncleanly.
    cluster.kill_broker(leader).expect("running");
    cluster.advance(12_000);
    cluster.restart_broker(followers[0]).expect("down");
    cluster.advance(12_000);
    frame(&mut model, &mut cluster);
    let p = model.view.topic("ledger").expect("drawn").partitions[0].clone();
    assert_eq!(p.leader, Some(followers[0]), "the stale follower leads");
    assert_eq!(p.log_end_offset, 1, "the acks=1 record is gone");
    assert!(model.events.lines().any(|l| matches!(
        l.event,
        SessionEvent::Cluster(ClusterEvent::LeaderElected {
            reason: rill_core::cluster::ElectionReason::Unclean,
            ..
        })
    )));
    // The old leader comes back as a follower and cuts what it had beyond the new leader's log.
    cluster.restart_broker(leader).expect("down");
    cluster.advance(15_000);
    frame(&mut model, &mut cluster);
    let cut = model
        .truncations
        .iter()
        .find(|t| t.topic == "ledger" && t.broker == leader)
        .expect("the truncation is drawn");
    assert_eq!(
        (cut.from, cut.to),
        (1, 2),
        "offset 1 (the acks=1 record) dropped"
    );
}

#[test]
fn a_step_keeps_the_first_events_it_handed_out() {
    let mut model = Model::default();
    let fenced = |broker| SessionEvent::Cluster(ClusterEvent::BrokerFenced { broker });
    model.apply(Action::SteppedThrough((0..5).map(fenced).collect()));
    assert_eq!(
        model.last_step_events,
        (0..STEP_EVENTS_SHOWN_MAX as u32)
            .map(fenced)
            .collect::<Vec<_>>()
    );
    model.apply(Action::SteppedThrough(Vec::new()));
    assert!(
        model.last_step_events.is_empty(),
        "a quiet step names nothing"
    );
}

#[test]
fn a_controlled_shutdown_is_drawn_as_shutting_down_until_the_broker_stops() {
    let (mut model, mut cluster) = three_brokers();
    let leader = partition(&model).leader.expect("a leader");
    cluster.shutdown_broker(leader).expect("running");
    let mut states = Vec::new();
    for _ in 0..200 {
        cluster.advance(50);
        frame(&mut model, &mut cluster);
        let state = model.view.brokers[leader as usize].state;
        if states.last() != Some(&state) {
            states.push(state);
        }
    }
    assert_eq!(
        states,
        [BrokerState::ShuttingDown, BrokerState::Down],
        "asked in its heartbeats, let go by the controller, stopped"
    );
    assert_ne!(
        partition(&model).leader,
        Some(leader),
        "its leadership moved"
    );
}
