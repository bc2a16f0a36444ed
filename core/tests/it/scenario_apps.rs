//! The simulated applications of a scenario world: producers at a rate, consumer-group members
//! that poll, process for a time per record and commit, and what the world tells from them
//! (duplicates, skipped records).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rill_core::cluster::ClusterEvent;
use rill_core::group::coordinator::GroupEvent;
use rill_core::scenario::{
    Command, CommitOrigin, MemberEvent, RunError, START_MS, World, WorldEvent, parse, run,
    run_checked,
};

/// Runs `text` (header and commands) into a world, keeping its events.
fn world_of(text: &str) -> World {
    let script = parse(text).unwrap_or_else(|e| panic!("{e}"));
    let mut world = World::new(script.config.clone()).expect("a valid header");
    for step in script.steps {
        world
            .apply(step.command)
            .unwrap_or_else(|e| panic!("line {}: {e}", step.line));
    }
    world
}

fn apply_text(world: &mut World, text: &str) {
    for step in parse(text).unwrap_or_else(|e| panic!("{e}")).steps {
        world
            .apply(step.command)
            .unwrap_or_else(|e| panic!("{text}: {e}"));
    }
}

fn check(world: &World, expectation: &str) {
    let script = parse(&format!("expect {expectation}")).unwrap_or_else(|e| panic!("{e}"));
    let Command::Expect(expectation) = &script.steps[0].command else {
        panic!("an expect");
    };
    let outcome = world.check(expectation);
    assert!(
        outcome.passed,
        "expect {}: expected {}, actual {}",
        rill_core::scenario::expectation_text(expectation),
        outcome.expected,
        outcome.actual
    );
}

const HEADER: &str = "seed 3\nbrokers 3\nbroker-config offsets.topic.num.partitions=1\n";

#[test]
fn a_producer_at_100_records_a_second_sends_100_records_in_one_second() {
    let mut world = world_of(
        "seed 9\nbrokers 1\n\
         kafka-topics --create --topic t --partitions 2 --replication-factor 1\n\
         producer start p --topic t --rate 100 --keys alice,bob,carol\n\
         advance 999ms\n",
    );
    check(&world, "sent p == 99");
    apply_text(&mut world, "advance 1ms");
    check(&world, "sent p == 100");
    apply_text(&mut world, "producer stop p\nadvance 1s");
    check(&world, "sent p == 100");
    check(&world, "acked p == 100");
    check(&world, "failed p == 0");
    let records: i64 = (0..2)
        .map(|p| {
            world
                .cluster()
                .partition_offsets("t", p)
                .expect("a leader")
                .high_watermark
        })
        .sum();
    assert_eq!(records, 100);
    let acknowledged: u32 = world
        .poll_events()
        .into_iter()
        .filter_map(|(_, e)| match e {
            WorldEvent::Produced {
                producer, count, ..
            } if producer == "p" => Some(count),
            _ => None,
        })
        .sum();
    assert_eq!(acknowledged, 100);
    // Keys cycle: alice, bob, carol, alice, …; the murmur2 partitioner keeps each key on one
    // partition.
    check(&world, "keys t-0 != []");
}

#[test]
fn a_paused_producer_sends_nothing_and_resumes_at_its_rate() {
    let mut world = world_of(
        "seed 9\nbrokers 1\n\
         kafka-topics --create --topic t --partitions 1 --replication-factor 1\n\
         producer start p --topic t --rate 10\n\
         advance 1s\nproducer pause p\nadvance 5s\n",
    );
    check(&world, "sent p == 10");
    apply_text(&mut world, "producer resume p\nadvance 500ms");
    check(&world, "sent p == 15");
    let error = world
        .apply(Command::ProducerResume { name: "p".into() })
        .expect_err("running");
    assert_eq!(error.name(), "INVALID_ARGUMENT");
    let error = world
        .apply(Command::ProducerPause {
            name: "nobody".into(),
        })
        .expect_err("unknown");
    assert_eq!(error.name(), "UNKNOWN_PRODUCER");
}

#[test]
fn a_member_slower_than_max_poll_interval_is_removed_from_the_group() {
    let mut world = world_of(&format!(
        "{HEADER}\
         kafka-topics --create --topic t --partitions 2 --replication-factor 3\n\
         producer start p --topic t --rate 10 --keys a,b,c,d,e,f\n\
         consumer join g slow --topic t --processing-time 20s --consumer-property max.poll.interval.ms=10000 --consumer-property session.timeout.ms=10000 --consumer-property max.poll.records=1 --consumer-property auto.offset.reset=earliest\n\
         consumer join g fast --topic t --consumer-property auto.offset.reset=earliest\n\
         advance 8s\n"
    ));
    check(&world, "members g == 2");
    check(&world, "group-state g == Stable");
    apply_text(&mut world, "advance 11s");
    // The slow member polled at about 6 s and has been processing one record since; its
    // consumer left the group 10 s later, and the fast member got both partitions.
    check(&world, "members g == 1");
    check(&world, "assignment g fast == [t-0, t-1]");
    check(&world, "member g slow == running");
    let left: Vec<String> = world
        .poll_events()
        .into_iter()
        .filter_map(|(_, e)| match e {
            WorldEvent::Member {
                member,
                event: MemberEvent::LeftGroup { reason },
                ..
            } if member == "slow" => Some(reason),
            _ => None,
        })
        .collect();
    assert_eq!(left, vec!["consumer poll timeout has expired.".to_owned()]);
    // When its record is done the slow member's commit fails (it is no longer a member) and
    // the fast member has processed that record too.
    apply_text(&mut world, "advance 10s");
    check(&world, "duplicates g >= 1");
    let failed_commit = world.poll_events().into_iter().any(|(_, e)| {
        matches!(
            e,
            WorldEvent::Member {
                event: MemberEvent::Committed { result: Err(_), .. },
                ..
            }
        )
    });
    assert!(
        failed_commit,
        "the slow member's commit after its batch fails"
    );
}

/// A member that auto-commits every 5 s crashes: the records it processed after its last
/// commit are processed again by the member that takes its partition — exactly those.
#[test]
fn auto_commit_then_a_crash_gives_duplicates_the_world_detects() {
    let mut world = world_of(&format!(
        "{HEADER}\
         kafka-topics --create --topic t --partitions 1 --replication-factor 3\n\
         producer start p --topic t --rate 20\n\
         consumer join g c1 --topic t --consumer-property auto.offset.reset=earliest --consumer-property session.timeout.ms=6000 --consumer-property heartbeat.interval.ms=2000\n\
         advance 14s\n\
         consumer crash g c1\n\
         consumer join g c2 --topic t --consumer-property auto.offset.reset=earliest\n\
         advance 20s\n"
    ));
    let events = world.poll_events();
    let mut last_commit = None;
    let mut processed_by_c1 = Vec::new();
    let mut duplicates = Vec::new();
    for (_, event) in &events {
        match event {
            WorldEvent::Member {
                member,
                event:
                    MemberEvent::Committed {
                        origin: CommitOrigin::Auto,
                        offsets,
                        result: Ok(()),
                    },
                ..
            } if member == "c1" => last_commit = offsets.first().map(|(_, o)| *o),
            WorldEvent::Member {
                member,
                event: MemberEvent::Processed { offsets, .. },
                ..
            } if member == "c1" => processed_by_c1.extend(offsets.iter().copied()),
            WorldEvent::Duplicate { offset, member, .. } => {
                assert_eq!(member, "c2");
                duplicates.push(*offset);
            }
            _ => {}
        }
    }
    let committed = last_commit.expect("c1 auto-committed before it crashed");
    let expected: Vec<i64> = processed_by_c1
        .iter()
        .copied()
        .filter(|o| *o >= committed)
        .collect();
    assert!(
        !expected.is_empty(),
        "c1 processed records after its last commit"
    );
    assert_eq!(duplicates, expected);
    check(&world, &format!("duplicates g == {}", expected.len()));
    check(&world, "skipped g == 0");
    check(&world, "member g c1 == crashed");
    check(&world, "assignment g c2 == [t-0]");
}

#[test]
fn a_static_member_restarted_within_its_session_keeps_its_partitions_without_a_rebalance() {
    let setup = format!(
        "{HEADER}\
         kafka-topics --create --topic t --partitions 4 --replication-factor 3\n\
         consumer join g c1 --topic t --consumer-property group.instance.id=i1 --consumer-property session.timeout.ms=10000\n\
         consumer join g c2 --topic t --consumer-property group.instance.id=i2 --consumer-property session.timeout.ms=10000\n\
         advance 8s\n"
    );
    let mut world = world_of(&setup);
    check(&world, "group-state g == Stable");
    check(&world, "generation g == 1");
    check(&world, "assignment g c1 == [t-0, t-1]");
    world.poll_events();
    apply_text(&mut world, "consumer restart g c1\nadvance 5s");
    check(&world, "group-state g == Stable");
    check(&world, "generation g == 1");
    check(&world, "assignment g c1 == [t-0, t-1]");
    check(&world, "assignment g c2 == [t-2, t-3]");
    let events = world.poll_events();
    let rebalances = events
        .iter()
        .filter(|(_, e)| {
            matches!(
                e,
                WorldEvent::Cluster(ClusterEvent::Group {
                    event: GroupEvent::RebalanceStarted { .. },
                    ..
                })
            )
        })
        .count();
    assert_eq!(rebalances, 0, "a static member's return is no rebalance");
    let fenced = events.iter().any(|(_, e)| {
        matches!(
            e,
            WorldEvent::Cluster(ClusterEvent::Group {
                event: GroupEvent::MemberFenced { .. },
                ..
            })
        )
    });
    assert!(fenced, "the old member id is replaced");

    // The same with dynamic members rebalances (the test can tell).
    let dynamic = setup.replace("--consumer-property group.instance.id=i1 ", "");
    let mut world = world_of(&dynamic);
    apply_text(&mut world, "consumer restart g c1\nadvance 15s");
    check(&world, "generation g > 1");
}

#[test]
fn a_sync_committing_member_processes_every_record_once_and_catches_up() {
    let mut world = world_of(&format!(
        "{HEADER}\
         kafka-topics --create --topic t --partitions 2 --replication-factor 3 --config min.insync.replicas=2\n\
         producer start p --topic t --rate 50 --keys a,b,c,d,e,f,g,h\n\
         consumer join g c1 --topic t --commit sync --processing-time 5ms --consumer-property auto.offset.reset=earliest\n\
         advance 6s\nproducer stop p\nadvance 6s\n"
    ));
    check(&world, "sent p == 300");
    check(&world, "acked p == 300");
    check(&world, "processed g == 300");
    check(&world, "duplicates g == 0");
    check(&world, "skipped g == 0");
    check(&world, "lag g == 0");
    let sync_commits = world
        .poll_events()
        .into_iter()
        .filter(|(_, e)| {
            matches!(
                e,
                WorldEvent::Member {
                    event: MemberEvent::Committed {
                        origin: CommitOrigin::Sync,
                        result: Ok(()),
                        ..
                    },
                    ..
                }
            )
        })
        .count();
    assert!(sync_commits > 1, "commitSync after each batch");
}

#[test]
fn a_member_cut_off_loses_its_partitions_and_rejoins_after_heal() {
    let mut world = world_of(&format!(
        "{HEADER}\
         kafka-topics --create --topic t --partitions 2 --replication-factor 3\n\
         consumer join g c1 --topic t --consumer-property session.timeout.ms=6000 --consumer-property heartbeat.interval.ms=2000\n\
         consumer join g c2 --topic t --consumer-property session.timeout.ms=6000 --consumer-property heartbeat.interval.ms=2000\n\
         advance 8s\nconsumer cut g c1\n"
    ));
    check(&world, "member g c1 == cut-off");
    apply_text(&mut world, "advance 10s");
    check(&world, "members g == 1");
    check(&world, "assignment g c2 == [t-0, t-1]");
    apply_text(&mut world, "heal\nadvance 15s");
    check(&world, "member g c1 == running");
    check(&world, "members g == 2");
}

#[test]
fn a_leaving_member_commits_and_leaves_and_offsets_reset_only_while_inactive() {
    let mut world = world_of(&format!(
        "{HEADER}\
         kafka-topics --create --topic t --partitions 1 --replication-factor 3\n\
         producer start p --topic t --rate 10\n\
         consumer join g c1 --topic t --commit sync --consumer-property auto.offset.reset=earliest\n\
         advance 8s\nproducer stop p\nadvance 1s\n"
    ));
    let refused = world
        .apply(Command::ResetOffsets {
            group: "g".into(),
            scope: rill_core::scenario::ResetScope::AllTopics,
            target: rill_core::scenario::ResetSpec::Earliest,
        })
        .expect_err("the group is active");
    assert_eq!(refused.name(), "NON_EMPTY_GROUP");
    check(&world, "error == NON_EMPTY_GROUP");
    apply_text(&mut world, "consumer leave g c1\nadvance 2s");
    check(&world, "member g c1 == left");
    check(&world, "group-state g == Empty");
    check(&world, "committed g t-0 == 80");
    apply_text(
        &mut world,
        "kafka-consumer-groups --reset-offsets --group g --topic t --shift-by -30 --execute\nadvance 100ms",
    );
    check(&world, "committed g t-0 == 50");
    check(&world, "lag g t-0 == 30");
    // To the first record at or after 3 s into the session: the producer sends 10 a second
    // from time 0, so that is offset 29 (the 30th record, sent at 3000 ms).
    apply_text(
        &mut world,
        "kafka-consumer-groups --reset-offsets --group g --topic t:0 --to-datetime 2024-01-01T00:00:03.000 --execute\nadvance 100ms",
    );
    check(&world, "committed g t-0 == 29");
    apply_text(
        &mut world,
        "kafka-consumer-groups --reset-offsets --group g --all-topics --to-latest --execute\nadvance 100ms",
    );
    check(&world, "committed g t-0 == 80");
    apply_text(
        &mut world,
        "kafka-consumer-groups --delete --group g\nadvance 100ms",
    );
    check(&world, "group-state g == Dead");
}

/// The group processed the first records, then was reset past the rest: the world counts
/// every record the commit jumped over.
#[test]
fn records_the_group_commits_past_without_processing_are_skipped() {
    let mut world = world_of(&format!(
        "{HEADER}\
         kafka-topics --create --topic t --partitions 1 --replication-factor 3\n\
         producer start p --topic t --rate 10\n\
         consumer join g c1 --topic t --commit sync --consumer-property auto.offset.reset=earliest\n\
         advance 8s\nconsumer leave g c1\nadvance 3s\nproducer stop p\nadvance 1s\n"
    ));
    // Offsets 0..=78 were acknowledged by 8 s (the 80th record went at 8000 ms).
    check(&world, "committed g t-0 == 79");
    check(&world, "skipped g == 0");
    apply_text(
        &mut world,
        "kafka-consumer-groups --reset-offsets --group g --topic t --to-latest --execute\nadvance 100ms",
    );
    check(&world, "committed g t-0 == 110");
    check(&world, "skipped g == 31");
    let skipped: Vec<i64> = world
        .poll_events()
        .into_iter()
        .filter_map(|(_, e)| match e {
            WorldEvent::Skipped { offset, .. } => Some(offset),
            _ => None,
        })
        .collect();
    assert_eq!(skipped, (79..110).collect::<Vec<i64>>());
}

#[test]
fn a_refused_command_changes_nothing_and_is_not_recorded() {
    let mut world = world_of(&format!(
        "{HEADER}kafka-topics --create --topic t --partitions 1 --replication-factor 3\nadvance 1s\n"
    ));
    let before = world.state_hash();
    let history = world.history().len();
    for command in [
        "kafka-topics --create --topic t --partitions 1 --replication-factor 3",
        "kafka-topics --create --topic u --partitions 1 --replication-factor 4",
        "kafka-topics --alter --topic t --partitions 1",
        "kafka-configs --alter --entity-type topics --entity-name t --add-config no.such.config=1",
        "kill broker 7",
        "restart broker 0",
        "consumer leave g nobody",
        "producer stop nobody",
        "kafka-reassign-partitions --execute --reassignment-json '{\"partitions\":[{\"topic\":\"t\",\"partition\":0,\"replicas\":[0,0]}]}'",
        "produce --topic nope --value v",
        "consumer join g c1 --topic t --consumer-property heartbeat.interval.ms=50000",
    ] {
        let step = parse(command)
            .unwrap_or_else(|e| panic!("{e}"))
            .steps
            .remove(0);
        let error = world.apply(step.command).expect_err(command);
        assert_eq!(world.last_error(), Some(&error));
        assert_eq!(world.state_hash(), before, "{command} changed nothing");
        assert_eq!(world.history().len(), history, "{command} is not recorded");
    }
}

#[test]
fn run_checked_names_line_and_both_values_of_a_failed_expect() {
    let text = format!(
        "{HEADER}kafka-topics --create --topic t --partitions 1 --replication-factor 3\nadvance 2s\nexpect isr t-0 == [0, 1]\n"
    );
    let error = run_checked(&text).expect_err("the ISR has three brokers");
    let RunError::ExpectFailed {
        line,
        expected,
        actual,
        ..
    } = &error
    else {
        panic!("{error}");
    };
    assert_eq!(*line, 6);
    assert_eq!(expected, "== [0, 1]");
    assert!(
        actual.starts_with('[') && actual.split(',').count() == 3,
        "{actual}"
    );
    assert!(
        error
            .to_string()
            .starts_with("line 6: expect isr t-0 == [0, 1] failed: expected == [0, 1], actual [")
    );
}

#[test]
fn a_refusal_must_be_expected_in_a_checked_run() {
    let bad =
        format!("{HEADER}kafka-topics --create --topic t --partitions 1 --replication-factor 4\n");
    let error = run_checked(&bad).expect_err("refused");
    assert!(
        matches!(&error, RunError::Refused { line: 4, error, .. } if error.name() == "INVALID_REPLICATION_FACTOR"),
        "{error}"
    );
    let expected = format!("{bad}expect error == INVALID_REPLICATION_FACTOR\n");
    assert!(run_checked(&expected).is_ok());
    let report = run(&bad).expect("runs");
    assert!(!report.passed());
    assert_eq!(report.refusals.len(), 1);
    assert_eq!(report.world.now(), START_MS);
}

/// A sample of the repository's scenarios, compiled in (it also runs as wasm32).
#[test]
fn the_replication_scenario_holds_here_too() {
    let report = run_checked(include_str!("../../../scenarios/replication-basics.rill"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(report.expects.len() > 10);
}

#[test]
fn a_world_refuses_a_config_it_cannot_run() {
    use rill_core::scenario::WorldConfig;
    type Change = fn(&mut WorldConfig);
    let cases: [(&str, Change); 4] = [
        ("brokers", |c| c.cluster.brokers = 0),
        ("latency", |c| c.cluster.latency.base_ms = 0),
        ("broker.heartbeat.interval.ms", |c| {
            c.cluster.heartbeat_interval_ms = 0
        }),
        ("offsets.topic.num.partitions", |c| {
            c.cluster.offsets_topic_partitions = 10_001;
        }),
    ];
    for (what, change) in cases {
        let mut config = WorldConfig::new(3, 1);
        change(&mut config);
        let error = World::new(config).expect_err(what);
        assert_eq!(error.name(), "INVALID_ARGUMENT", "{what}");
    }
    let error =
        run_checked("brokers 2\nlatency 1ms\nbroker-config offsets.topic.num.partitions=20000\n")
            .expect_err("too many offsets partitions");
    assert!(matches!(error, RunError::Config(_)), "{error}");
}

#[test]
fn expectations_about_keys_offsets_segments_coordinators_and_poll_errors() {
    let mut world = world_of(&format!(
        "{HEADER}\
         kafka-topics --create --topic t --partitions 3 --replication-factor 3 --config segment.bytes=100\n\
         advance 100ms\n\
         kafka-console-producer --topic t --property parse.key=true --property key.separator=:\n\
         alice:1\nalice:2\nalice:3\n\n\
         advance 1s\n"
    ));
    let partition = rill_core::partitioner::partition_for_key(b"alice", 3);
    check(&world, &format!("partition-of t alice == {partition}"));
    check(
        &world,
        &format!("keys t-{partition} == [alice, alice, alice]"),
    );
    check(&world, &format!("offsets t-{partition} == [0, 1, 2]"));
    check(&world, &format!("segments t-{partition} >= 2"));
    apply_text(
        &mut world,
        &format!(
            "kafka-delete-records --offset-json '{{\"partitions\":[{{\"topic\":\"t\",\"partition\":{partition},\"offset\":2}}]}}'\nadvance 1s"
        ),
    );
    check(&world, &format!("offsets t-{partition} == [2]"));
    check(&world, &format!("adding t-{partition} == []"));
    check(&world, "coordinator g == none");
    // `auto.offset.reset=none` and no committed offset: every poll fails.
    apply_text(
        &mut world,
        "consumer join g c1 --topic t --consumer-property auto.offset.reset=none\nadvance 8s",
    );
    check(&world, "coordinator g != none");
    check(&world, "coordinator-partition g == 0");
    check(&world, "poll-error g c1 == NoOffsetForPartitionException");
    check(&world, "member g c1 == running");
}

#[test]
fn the_next_wakeup_reason_names_the_cluster_the_producers_and_the_members() {
    use rill_core::cluster::WakeReason;
    use rill_core::scenario::WorldWakeReason;
    let mut world = world_of(
        "seed 1\nbrokers 3\n\
         kafka-topics --create --topic t --partitions 2 --replication-factor 3\n\
         producer start p --topic t --rate 20\n\
         consumer join g c1 --topic t\n",
    );
    // A command changed the world: the applications act at once.
    assert_eq!(
        world.next_wakeup_reason(),
        Some((world.now(), WorldWakeReason::Changed))
    );
    let (mut cluster, mut producer, mut member) = (false, false, false);
    for _ in 0..3_000 {
        let (at, reason) = world
            .next_wakeup_reason()
            .expect("a running world wakes up");
        assert_eq!(Some(at), world.next_wakeup(), "{reason:?}");
        match &reason {
            // The member's consumer client lives in the cluster: its own deadlines (heartbeat,
            // poll) are the cluster's.
            WorldWakeReason::Cluster(WakeReason::Consumer { .. }) => member = true,
            WorldWakeReason::Cluster(_) => cluster = true,
            WorldWakeReason::Producer(name) => producer |= name == "p",
            WorldWakeReason::Member {
                group,
                member: name,
            } => {
                member |= group == "g" && name == "c1";
            }
            _ => {}
        }
        let ms = at - world.now();
        world.apply(Command::Advance { ms }).expect("time moves");
    }
    assert!(
        cluster && producer && member,
        "{cluster} {producer} {member}"
    );
}
