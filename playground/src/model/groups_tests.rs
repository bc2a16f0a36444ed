//! The groups model as a pure reducer over a real world's events: members join, leave, crash;
//! the drawn state, the rebalance timeline and lag are checked.

use rill_core::group::TopicPartition;
use rill_core::group::coordinator::GroupState;
use rill_core::scenario::{
    Command, CommitMode, KeyPattern, MemberSpec, ProducerSpec, World, WorldConfig,
};
use rill_wasm::session::SessionEvent;

use super::assignors::{self, AssignorInput, Change};
use super::groups::{GroupsAction, GroupsState, GroupsView, Ownership, protocol_of};

fn world_with_topic(partitions: u32) -> World {
    let mut world = World::new(WorldConfig::new(3, 7)).expect("a world");
    world
        .apply(Command::CreateTopic {
            topic: "t".into(),
            partitions,
            replication_factor: 1,
            configs: vec![],
        })
        .expect("created");
    world.advance(1_000).expect("advanced");
    world
}

fn spec(assignors: &[&str]) -> MemberSpec {
    MemberSpec {
        topics: vec!["t".into()],
        assignors: assignors.iter().map(|s| (*s).to_owned()).collect(),
        session_timeout_ms: 10_000,
        ..MemberSpec::default()
    }
}

fn join(world: &mut World, member: &str, spec: &MemberSpec) {
    world
        .apply(Command::MemberJoin {
            group: "g".into(),
            member: member.into(),
            spec: spec.clone(),
        })
        .expect("joined");
}

/// Feeds the world's events since the last frame to the state, as the engine does.
fn frame(state: &mut GroupsState, world: &mut World) {
    let events = world
        .poll_events()
        .into_iter()
        .map(|(at, e)| (SessionEvent::of_world(e), at))
        .collect();
    state.apply(GroupsAction::Frame {
        view: GroupsView::read(world),
        events,
    });
}

/// Advances in frames of 100 ms.
fn run(state: &mut GroupsState, world: &mut World, ms: i64) {
    for _ in 0..ms / 100 {
        world.advance(100).expect("advanced");
        frame(state, world);
    }
}

fn partitions_of(state: &GroupsState, member: &str) -> Vec<u32> {
    let group = state.view.group("g").expect("the group is drawn");
    let card = group
        .members
        .iter()
        .find(|m| m.name == member)
        .expect("the member is drawn");
    let mut ps: Vec<u32> = card.partitions.iter().map(|(tp, _)| tp.partition).collect();
    ps.sort_unstable();
    ps
}

/// Two members on 6 partitions, then a third joins; returns the state.
fn third_member_joins(assignors: &[&str]) -> (GroupsState, World, i64) {
    let mut world = world_with_topic(6);
    let mut state = GroupsState::default();
    let spec = spec(assignors);
    join(&mut world, "c1", &spec);
    join(&mut world, "c2", &spec);
    run(&mut state, &mut world, 8_000);
    let joined_at = world.now();
    join(&mut world, "c3", &spec);
    run(&mut state, &mut world, 8_000);
    (state, world, joined_at)
}

#[test]
fn two_range_members_on_six_partitions_are_stable_with_three_each() {
    let mut world = world_with_topic(6);
    let mut state = GroupsState::default();
    let spec = spec(&["range"]);
    join(&mut world, "c1", &spec);
    join(&mut world, "c2", &spec);
    run(&mut state, &mut world, 8_000);
    let group = state.view.group("g").expect("drawn");
    assert_eq!(group.state, Ok(GroupState::Stable));
    assert_eq!(group.assignor, "range");
    assert!(group.generation >= 1);
    assert_eq!(partitions_of(&state, "c1"), vec![0, 1, 2]);
    assert_eq!(partitions_of(&state, "c2"), vec![3, 4, 5]);
    assert_eq!(
        group.members.iter().filter(|m| m.leader).count(),
        1,
        "one leader"
    );
    assert!(group.leader.is_some());
    assert!(group.coordinator.is_some());
    assert_eq!(group.partitions.len(), 6);
    // Generations were recorded from the members' JoinGroup.
    assert!(!state.history["g"].generations.is_empty());
}

#[test]
fn under_eager_every_partition_has_a_gap_when_a_member_joins() {
    let (state, world, joined_at) = third_member_joins(&["range"]);
    assert_eq!(partitions_of(&state, "c1"), vec![0, 1]);
    assert_eq!(partitions_of(&state, "c2"), vec![2, 3]);
    assert_eq!(partitions_of(&state, "c3"), vec![4, 5]);
    let rows = state.history["g"].rows(world.now());
    assert_eq!(rows.len(), 6);
    for row in &rows {
        let gaps: Vec<_> = row.gaps().filter(|g| g.from >= joined_at).collect();
        assert_eq!(gaps.len(), 1, "{}: one gap after the join: {row:?}", row.tp);
        assert!(gaps[0].to > gaps[0].from, "a gap lasts");
    }
    // Every span that ended did so by a revocation (eager revokes everything).
    assert!(
        rows.iter()
            .flat_map(|r| &r.spans)
            .any(|s| s.ended_by == Some(Ownership::Revoked))
    );
    let group = state.view.group("g").expect("drawn");
    assert_eq!(group.protocol.protocol.name(), "EAGER");
    assert_eq!(group.protocol.eager_only, vec!["range".to_owned()]);
}

#[test]
fn under_cooperative_sticky_only_the_moved_partitions_have_a_gap() {
    let (state, world, joined_at) = third_member_joins(&["cooperative-sticky"]);
    let group = state.view.group("g").expect("drawn");
    assert_eq!(group.state, Ok(GroupState::Stable));
    assert_eq!(group.protocol.protocol.name(), "COOPERATIVE");
    let sizes: Vec<usize> = ["c1", "c2", "c3"]
        .iter()
        .map(|m| partitions_of(&state, m).len())
        .collect();
    assert_eq!(sizes, vec![2, 2, 2]);
    let rows = state.history["g"].rows(world.now());
    let with_gap: Vec<u32> = rows
        .iter()
        .filter(|r| r.gaps().any(|g| g.from >= joined_at))
        .map(|r| r.tp.partition)
        .collect();
    let mut c3 = partitions_of(&state, "c3");
    c3.sort_unstable();
    assert_eq!(
        with_gap, c3,
        "exactly the partitions that moved to c3 paused"
    );
}

#[test]
fn a_crashed_member_keeps_its_partitions_until_the_session_times_out() {
    let mut world = world_with_topic(6);
    let mut state = GroupsState::default();
    let spec = spec(&["range"]);
    join(&mut world, "c1", &spec);
    join(&mut world, "c2", &spec);
    run(&mut state, &mut world, 8_000);
    world
        .apply(Command::MemberCrash {
            group: "g".into(),
            member: "c2".into(),
        })
        .expect("crashed");
    let crashed_at = world.now();
    run(&mut state, &mut world, 5_000);
    // Before session.timeout.ms (10 s) the coordinator still counts c2.
    let group = state.view.group("g").expect("drawn");
    assert_eq!(group.state, Ok(GroupState::Stable));
    assert_eq!(partitions_of(&state, "c1"), vec![0, 1, 2]);
    let card = group.members.iter().find(|m| m.name == "c2").expect("c2");
    assert_eq!(card.status, "crashed");
    // The crash opened a gap on c2's partitions at once.
    let rows = state.history["g"].rows(world.now());
    for row in rows.iter().filter(|r| r.tp.partition >= 3) {
        let open = row.spans.last().expect("spans");
        assert_eq!(
            open.owner, None,
            "{} is not consumed after the crash",
            row.tp
        );
        assert_eq!(open.from, crashed_at);
    }
    run(&mut state, &mut world, 10_000);
    assert_eq!(partitions_of(&state, "c1"), vec![0, 1, 2, 3, 4, 5]);
    let group = state.view.group("g").expect("drawn");
    assert_eq!(group.state, Ok(GroupState::Stable));
}

#[test]
fn lag_is_sampled_over_time_and_grows_for_a_slow_member() {
    let mut world = world_with_topic(2);
    let mut state = GroupsState::default();
    let mut spec = spec(&["range"]);
    spec.processing_ms = 50;
    spec.max_poll_records = 10;
    spec.auto_offset_reset = rill_core::consumer::AutoOffsetReset::Earliest;
    spec.commit = CommitMode::Auto { interval_ms: 500 };
    join(&mut world, "c1", &spec);
    world
        .apply(Command::ProducerStart {
            name: "p".into(),
            spec: ProducerSpec {
                topic: "t".into(),
                rate: 100,
                keys: KeyPattern::None,
                acks: rill_core::cluster::Acks::All,
            },
        })
        .expect("started");
    run(&mut state, &mut world, 10_000);
    let lag = &state.history["g"].lag;
    assert!(
        lag.len() >= 20,
        "sampled every {} ms: {}",
        super::groups::LAG_SAMPLE_MS,
        lag.len()
    );
    assert!(
        lag.windows(2)
            .all(|w| w[1].at - w[0].at >= super::groups::LAG_SAMPLE_MS)
    );
    let last = lag.last().expect("a sample");
    assert!(
        last.total > 100,
        "20 records/s consumed, 100/s produced: {}",
        last.total
    );
    assert_eq!(last.total, last.partitions.values().sum::<i64>());
    let group = state.view.group("g").expect("drawn");
    assert_eq!(group.lag, last.total);
    let producer = &state.view.producers[0];
    assert_eq!(
        (producer.name.as_str(), producer.state, producer.rate),
        ("p", "running", 100)
    );
    assert!(producer.sent >= 900 && producer.acked > 0, "{producer:?}");
    // Flags on the lanes: the committed offset and c1's position on partition 0.
    let flags = state.view.flags("t", 0);
    assert_eq!(flags.len(), 1);
    assert!(flags[0].1.is_some(), "a committed offset");
    assert_eq!(flags[0].2[0].0, "c1");
}

#[test]
fn protocol_is_cooperative_only_when_every_listed_assignor_supports_it() {
    let names = |l: &[&str]| l.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let default = protocol_of(&names(&["range", "cooperative-sticky"]));
    assert_eq!(default.protocol.name(), "EAGER");
    assert_eq!(default.eager_only, names(&["range"]));
    assert_eq!(
        protocol_of(&names(&["cooperative-sticky"])).protocol.name(),
        "COOPERATIVE"
    );
    assert_eq!(protocol_of(&names(&["sticky"])).protocol.name(), "EAGER");
}

#[test]
fn member_names_fill_the_first_free_number() {
    let mut world = world_with_topic(1);
    let mut state = GroupsState::default();
    assert_eq!(state.next_member_name("g"), "c1");
    join(&mut world, "c1", &spec(&["range"]));
    join(&mut world, "c3", &spec(&["range"]));
    frame(&mut state, &mut world);
    assert_eq!(state.next_member_name("g"), "c2");
}

fn tp(topic: &str, partition: u32) -> TopicPartition {
    TopicPartition::new(topic, partition)
}

#[test]
fn side_by_side_gives_kafkas_assignments_for_three_members_on_two_topics() {
    let input = AssignorInput {
        members: assignors::parse_members("c1: t1, t2\nc2: t1, t2\nc3: t1, t2").expect("parsed"),
        topics: assignors::parse_topics("t1:3, t2:2").expect("parsed"),
    };
    let columns = assignors::compare(&input, &Change::Leave("c3".into())).expect("compared");
    let by_name = |n: &str| columns.iter().find(|c| c.name == n).expect("column");
    // Range: per topic, contiguous; t2's two partitions go to c1 and c2.
    let range = &by_name("range").before;
    assert_eq!(range["c1"], vec![tp("t1", 0), tp("t2", 0)]);
    assert_eq!(range["c2"], vec![tp("t1", 1), tp("t2", 1)]);
    assert_eq!(range["c3"], vec![tp("t1", 2)]);
    // RoundRobin: t1-0, t1-1, t1-2, t2-0, t2-1 dealt around c1, c2, c3.
    let rr = &by_name("roundrobin").before;
    assert_eq!(rr["c1"], vec![tp("t1", 0), tp("t2", 0)]);
    assert_eq!(rr["c2"], vec![tp("t1", 1), tp("t2", 1)]);
    assert_eq!(rr["c3"], vec![tp("t1", 2)]);
    // After c3 leaves, the sticky assignors move only c3's partition.
    for name in ["sticky", "cooperative-sticky"] {
        let column = by_name(name);
        assert_eq!(column.moved, [tp("t1", 2)].into_iter().collect(), "{name}");
    }
    // Eager revokes everything; cooperative revokes nothing (c3's partition was released by
    // its leaving) and needs no second phase to move.
    assert_eq!(by_name("sticky").revoked.len(), 5);
    assert!(by_name("cooperative-sticky").revoked.is_empty());
}

#[test]
fn side_by_side_shows_cooperatives_two_phases_when_a_member_joins() {
    let input = AssignorInput {
        members: assignors::parse_members("c1: t\nc2: t").expect("parsed"),
        topics: assignors::parse_topics("t:6").expect("parsed"),
    };
    let columns =
        assignors::compare(&input, &Change::Join("c3".into(), vec!["t".into()])).expect("compared");
    let coop = columns
        .iter()
        .find(|c| c.name == "cooperative-sticky")
        .expect("column");
    let first = coop.first_phase.as_ref().expect("two phases");
    assert!(
        first["c3"].is_empty(),
        "c3 gets nothing until the others revoke"
    );
    assert_eq!(
        coop.revoked.len(),
        2,
        "one partition from each of c1 and c2"
    );
    assert_eq!(coop.after["c3"].len(), 2);
    assert_eq!(coop.moved, coop.revoked);
    let range = columns.iter().find(|c| c.name == "range").expect("column");
    assert_eq!(range.after["c1"], vec![tp("t", 0), tp("t", 1)]);
    assert_eq!(range.revoked.len(), 6, "eager: every partition revoked");
    assert_eq!(range.moved.len(), 3, "t-2 to c2, t-4 and t-5 to c3");
}

#[test]
fn side_by_side_refuses_bad_input_with_a_message() {
    assert!(assignors::parse_members("c1").is_err());
    assert!(assignors::parse_members("c1: t\nc1: t").is_err());
    assert!(assignors::parse_topics("t:0").is_err());
    assert!(assignors::parse_topics("t").is_err());
    let input = AssignorInput {
        members: vec![("c1".into(), vec!["t".into()])],
        topics: assignors::parse_topics("t:1").expect("parsed"),
    };
    assert!(assignors::compare(&input, &Change::Leave("c9".into())).is_err());
    assert!(assignors::compare(&input, &Change::Join("c1".into(), vec!["t".into()])).is_err());
}

fn produce(world: &mut World, count: usize) {
    for i in 0..count {
        world
            .apply(Command::Produce(rill_core::scenario::ProduceRecord {
                topic: "t".into(),
                partition: Some(0),
                key: Some(format!("k{i}")),
                value: Some("v".into()),
                headers: vec![],
                acks: rill_core::cluster::Acks::All,
            }))
            .expect("produced");
    }
}

#[test]
fn auto_offset_reset_after_retention_jumps_or_fails_as_kafka_does() {
    use rill_core::consumer::AutoOffsetReset;
    let mut world = world_with_topic(1);
    let mut state = GroupsState::default();
    produce(&mut world, 20);
    run(&mut state, &mut world, 1_000);
    let resets = [
        ("g-earliest", AutoOffsetReset::Earliest),
        ("g-latest", AutoOffsetReset::Latest),
        ("g-none", AutoOffsetReset::None),
    ];
    // Each group consumes everything from the start, commits, and closes.
    for (group, _) in &resets {
        let mut spec = spec(&["range"]);
        spec.auto_offset_reset = AutoOffsetReset::Earliest;
        spec.commit = CommitMode::Sync;
        world
            .apply(Command::MemberJoin {
                group: (*group).into(),
                member: "c1".into(),
                spec,
            })
            .expect("joined");
    }
    run(&mut state, &mut world, 8_000);
    for (group, _) in &resets {
        world
            .apply(Command::MemberLeave {
                group: (*group).into(),
                member: "c1".into(),
            })
            .expect("left");
    }
    run(&mut state, &mut world, 2_000);
    for (group, _) in &resets {
        let history = &state.history[*group];
        assert!(
            history.commits.iter().any(|c| c.origin == "sync"
                && c.offsets == vec![(TopicPartition::new("t", 0), 20)]
                && c.error.is_none()),
            "{group} committed 20 with commitSync: {:?}",
            history.commits
        );
    }
    // More records, then the first 30 are deleted: the committed 20 is below the log start.
    produce(&mut world, 20);
    run(&mut state, &mut world, 1_000);
    world
        .apply(Command::DeleteRecords {
            partitions: vec![(TopicPartition::new("t", 0), 30)],
        })
        .expect("deleted");
    run(&mut state, &mut world, 1_000);
    for (group, _) in &resets {
        let row = &state.view.group(group).expect("drawn").partitions[0];
        assert_eq!((row.committed, row.log_start_offset), (Some(20), Some(30)));
    }
    // Each group's member comes back with its own auto.offset.reset.
    for (group, reset) in &resets {
        world
            .apply(Command::MemberCrash {
                group: (*group).into(),
                member: "c1".into(),
            })
            .ok();
        let mut spec = spec(&["range"]);
        spec.auto_offset_reset = *reset;
        world
            .apply(Command::MemberJoin {
                group: (*group).into(),
                member: "c2".into(),
                spec,
            })
            .expect("joined");
    }
    run(&mut state, &mut world, 8_000);
    let tp = TopicPartition::new("t", 0);
    let note = |group: &str| {
        state.history[group]
            .notes
            .get("c2")
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(
        note("g-earliest").resets.get(&tp).map(|r| r.0),
        Some(30),
        "earliest: the log start"
    );
    assert_eq!(
        note("g-latest").resets.get(&tp).map(|r| r.0),
        Some(40),
        "latest: the log end"
    );
    let none = note("g-none");
    assert!(none.resets.is_empty());
    // c1 left: its first process's reset (to 0, nothing committed then) is forgotten.
    assert!(
        state.history["g-none"]
            .notes
            .get("c1")
            .is_none_or(|n| n.resets.is_empty()),
        "a member that left keeps no reset note"
    );
    world
        .apply(Command::MemberRestart {
            group: "g-none".into(),
            member: "c1".into(),
        })
        .expect("restarted");
    run(&mut state, &mut world, 200);
    assert!(
        state.history["g-none"]
            .notes
            .get("c1")
            .is_none_or(|n| n.resets.get(&tp).is_none_or(|r| r.0 != 0))
    );
    let (exception, message) = none.poll_error.expect("none: the poll fails");
    assert_eq!(exception, "OffsetOutOfRangeException", "{message}");
    assert!(
        message.ends_with("for partitions: {t-0=20}"),
        "Kafka's topic-partition: {message}"
    );
    // A new generation: c2's reset belonged to the assignment it replaced.
    join_group(&mut world, "g-earliest", "c3");
    run(&mut state, &mut world, 8_000);
    assert!(
        state.history["g-earliest"]
            .notes
            .get("c2")
            .is_none_or(|n| n.resets.is_empty()),
        "reset notes are cleared by a new generation"
    );
    // A crashed process says nothing any more: g-none's c2 loses its poll error.
    world
        .apply(Command::MemberCrash {
            group: "g-none".into(),
            member: "c2".into(),
        })
        .expect("crashed");
    frame(&mut state, &mut world);
    assert!(!state.history["g-none"].notes.contains_key("c2"));
}

fn join_group(world: &mut World, group: &str, member: &str) {
    world
        .apply(Command::MemberJoin {
            group: group.into(),
            member: member.into(),
            spec: spec(&["range"]),
        })
        .expect("joined");
}

#[test]
fn a_group_without_member_applications_gets_kafkas_defaults_on_its_topics() {
    let mut world = world_with_topic(2);
    let mut state = GroupsState::default();
    join(&mut world, "c1", &spec(&["range"]));
    run(&mut state, &mut world, 8_000);
    let group = state.view.group("g").expect("drawn").clone();
    assert_eq!(group.foreign_members, 0, "c1 is a client of the page");
    let template = group.default_template().expect("its topic is known");
    assert_eq!(template.spec.topics, vec!["t".to_owned()]);
    assert_eq!(template.spec.assignors, MemberSpec::default().assignors);
    assert!(!template.static_members);
    let mut unknown = group;
    unknown.partitions.clear();
    assert_eq!(
        unknown.default_template(),
        None,
        "no topic: nothing to subscribe to"
    );
}

#[test]
fn a_static_member_restarted_within_its_session_keeps_its_partitions_without_a_rebalance() {
    let mut world = world_with_topic(6);
    let mut state = GroupsState::default();
    for member in ["c1", "c2"] {
        let mut spec = spec(&["range"]);
        spec.group_instance_id = Some(member.to_owned());
        join(&mut world, member, &spec);
    }
    run(&mut state, &mut world, 8_000);
    let before = state.view.group("g").expect("drawn").generation;
    assert_eq!(partitions_of(&state, "c1"), vec![0, 1, 2]);
    let card = &state.view.group("g").expect("drawn").members[0];
    assert_eq!(card.instance_id.as_deref(), Some("c1"));
    world
        .apply(Command::MemberRestart {
            group: "g".into(),
            member: "c1".into(),
        })
        .expect("restarted");
    run(&mut state, &mut world, 3_000);
    let group = state.view.group("g").expect("drawn");
    assert_eq!(group.state, Ok(GroupState::Stable));
    assert_eq!(group.generation, before, "no rebalance");
    assert_eq!(partitions_of(&state, "c1"), vec![0, 1, 2]);
    assert_eq!(partitions_of(&state, "c2"), vec![3, 4, 5]);
    // c2 never stopped consuming: no gap on its partitions.
    let rows = state.history["g"].rows(world.now());
    assert!(
        rows.iter()
            .filter(|r| r.tp.partition >= 3)
            .all(|r| r.gaps().count() == 0)
    );
}

#[test]
fn side_by_side_follows_a_member_that_subscribes_to_another_topic() {
    let input = AssignorInput {
        members: assignors::parse_members("c1: t1\nc2: t1").expect("parsed"),
        topics: assignors::parse_topics("t1:2, t2:2").expect("parsed"),
    };
    let change = Change::Resubscribe("c2".into(), vec!["t1".into(), "t2".into()]);
    let columns = assignors::compare(&input, &change).expect("compared");
    for column in &columns {
        // Nobody subscribed to t2 before; only c2 can take it after.
        assert!(
            column.before.values().flatten().all(|tp| tp.topic == "t1"),
            "{}",
            column.name
        );
        let t2: Vec<_> = column
            .after
            .iter()
            .flat_map(|(m, tps)| {
                tps.iter()
                    .filter(|tp| tp.topic == "t2")
                    .map(move |_| m.as_str())
            })
            .collect();
        assert_eq!(t2, vec!["c2", "c2"], "{}", column.name);
    }
    let range = columns.iter().find(|c| c.name == "range").expect("column");
    assert_eq!(range.after["c1"], vec![tp("t1", 0)]);
    assert_eq!(
        range.after["c2"],
        vec![tp("t1", 1), tp("t2", 0), tp("t2", 1)]
    );
    assert!(
        assignors::compare(&input, &Change::Resubscribe("c9".into(), vec!["t1".into()])).is_err()
    );
}
