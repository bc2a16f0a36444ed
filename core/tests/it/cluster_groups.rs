//! Consumer groups in the replicated cluster: the coordinator on `__consumer_offsets`,
//! consumers over the simulated network, commits that survive the coordinator's failover.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::collections::{BTreeMap, BTreeSet};

use rill_core::cluster::{Acks, Cluster, ClusterConfig, OFFSETS_TOPIC, ResetTarget};
use rill_core::consumer::{
    AutoOffsetReset, ConsumerConfig, ConsumerEvent, ConsumptionGap, OwnershipTimeline,
};
use rill_core::error::ErrorCode;
use rill_core::group::TopicPartition;
use rill_core::group::protocol::offsets_partition_for;
use rill_core::record::NewRecord;

const START: i64 = 1_700_000_000_000;

fn cluster(brokers: u32, seed: u64) -> Cluster {
    let mut config = ClusterConfig::new(brokers, seed);
    config.offsets_topic_partitions = 5;
    Cluster::new(config, START).expect("valid size")
}

fn produce(cluster: &mut Cluster, topic: &str, partitions: u32, per_partition: usize) {
    for partition in 0..partitions {
        let records: Vec<NewRecord> = (0..per_partition)
            .map(|i| NewRecord {
                key: Some(format!("k{partition}-{i}").into_bytes()),
                value: Some(format!("v{partition}-{i}").into_bytes()),
                ..NewRecord::default()
            })
            .collect();
        // As a producer does: retry on errors (after a metadata refresh) until acknowledged.
        let acknowledged = (0..10).any(|_| {
            cluster.produce(100, topic, partition, Acks::All, records.clone());
            cluster.advance(500);
            cluster.poll_outcomes().iter().all(|o| o.result.is_ok())
        });
        assert!(acknowledged, "{topic}-{partition} acknowledged");
    }
}

fn consumer_config(group: &str, client: &str, strategy: &str) -> ConsumerConfig {
    let mut config = ConsumerConfig::with_group(group);
    config.client_id = client.to_owned();
    config.partition_assignment_strategy = vec![strategy.to_owned()];
    config.auto_offset_reset = AutoOffsetReset::Earliest;
    config.enable_auto_commit = false;
    config.session_timeout_ms = 10_000;
    config
}

/// Adds consumer `client` with `config` and subscribes it to `topic`.
fn join(cluster: &mut Cluster, client: u32, config: ConsumerConfig, topic: &str) {
    cluster
        .add_consumer(client, config)
        .expect("a new client id");
    let now = cluster.now();
    cluster
        .consumer_mut(client)
        .expect("just added")
        .subscribe(now, &[topic.to_owned()])
        .expect("subscribes");
}

/// Polls every consumer every 100 ms for `ms`, returning what each got.
fn run(
    cluster: &mut Cluster,
    consumers: &[u32],
    ms: i64,
    seen: &mut BTreeMap<u32, Vec<(TopicPartition, i64)>>,
) {
    for _ in 0..ms / 100 {
        for &client in consumers {
            let now = cluster.now();
            if let Some(consumer) = cluster.consumer_mut(client)
                && let Ok(records) = consumer.poll(now)
            {
                seen.entry(client).or_default().extend(
                    records
                        .into_iter()
                        .map(|r| (TopicPartition::new(r.topic, r.partition), r.offset)),
                );
            }
        }
        cluster.advance(100);
    }
}

fn assignment(cluster: &Cluster, client: u32) -> BTreeSet<TopicPartition> {
    cluster
        .consumer(client)
        .map(|c| c.assignment().into_iter().collect())
        .unwrap_or_default()
}

#[test]
fn a_group_of_two_shares_the_partitions_and_reads_everything_once() {
    let mut cluster = cluster(3, 7);
    cluster.create_topic("orders", 4, 3, &[]).expect("valid");
    cluster.advance(100);
    produce(&mut cluster, "orders", 4, 10);
    for (client, name) in [(1, "c1"), (2, "c2")] {
        join(
            &mut cluster,
            client,
            consumer_config("g", name, "range"),
            "orders",
        );
    }
    let mut seen = BTreeMap::new();
    run(&mut cluster, &[1, 2], 15_000, &mut seen);

    let a1 = assignment(&cluster, 1);
    let a2 = assignment(&cluster, 2);
    assert_eq!(a1.len(), 2, "{a1:?} {a2:?}");
    assert_eq!(a2.len(), 2, "{a1:?} {a2:?}");
    assert!(a1.is_disjoint(&a2));
    let all: Vec<(TopicPartition, i64)> = seen.values().flatten().cloned().collect();
    let distinct: BTreeSet<_> = all.iter().cloned().collect();
    assert_eq!(all.len(), 40, "every record once");
    assert_eq!(distinct.len(), 40);

    // The group is Stable at its coordinator, the leader of the group's offsets partition.
    let partition = offsets_partition_for("g", 5);
    let coordinator = cluster
        .registration(OFFSETS_TOPIC, partition)
        .and_then(|r| r.leader)
        .expect("a coordinator");
    let description = cluster
        .describe_group("g")
        .expect("the coordinator knows the group");
    assert_eq!(description.state.name(), "Stable");
    assert_eq!(description.members.len(), 2);
    assert_eq!(cluster.coordinator_of("g"), Some(coordinator));
}

#[test]
fn committed_offsets_survive_the_coordinators_death_and_a_new_member_resumes_from_them() {
    let mut cluster = cluster(3, 11);
    cluster.create_topic("t", 2, 3, &[]).expect("valid");
    cluster.advance(100);
    produce(&mut cluster, "t", 2, 5);
    join(&mut cluster, 1, consumer_config("g", "c1", "range"), "t");
    let mut seen = BTreeMap::new();
    run(&mut cluster, &[1], 10_000, &mut seen);
    assert_eq!(seen[&1].len(), 10);
    let now = cluster.now();
    let commit = cluster
        .consumer_mut(1)
        .expect("added")
        .commit_sync(now, None);
    run(&mut cluster, &[1], 1_000, &mut seen);
    let mut committed = false;
    while let Some(event) = cluster.consumer_mut(1).expect("added").poll_event() {
        if let ConsumerEvent::CommitCompleted { id, result, .. } = event
            && id == commit
        {
            assert!(result.is_ok(), "{result:?}");
            committed = true;
        }
    }
    assert!(committed, "the commit completed");
    let coordinator = cluster.coordinator_of("g").expect("a coordinator");
    // The consumer dies without a word; then its coordinator's broker dies too.
    cluster.remove_consumer(1);
    cluster.kill_broker(coordinator).expect("running");
    cluster.advance(15_000);
    let new_coordinator = cluster.coordinator_of("g").expect("a new coordinator");
    assert_ne!(new_coordinator, coordinator);

    // More records, and a new member: it starts from the committed offsets (5 per partition),
    // not from the beginning.
    produce(&mut cluster, "t", 2, 3);
    join(&mut cluster, 2, consumer_config("g", "c2", "range"), "t");
    run(&mut cluster, &[2], 20_000, &mut seen);
    let offsets: BTreeSet<i64> = seen[&2].iter().map(|(_, offset)| *offset).collect();
    assert_eq!(seen[&2].len(), 6, "{:?}", seen[&2]);
    assert_eq!(offsets, BTreeSet::from([5, 6, 7]));
}

#[test]
fn describe_shows_lag_reset_needs_an_inactive_group_and_delete_needs_an_empty_one() {
    let mut cluster = cluster(3, 5);
    cluster.create_topic("t", 2, 2, &[]).expect("valid");
    cluster.advance(100);
    produce(&mut cluster, "t", 2, 4);
    join(
        &mut cluster,
        1,
        consumer_config("g", "c1", "roundrobin"),
        "t",
    );
    let mut seen = BTreeMap::new();
    run(&mut cluster, &[1], 8_000, &mut seen);
    // Commit offset 3 of t-0 only: lag 1 there, nothing committed on t-1.
    let now = cluster.now();
    let commit = vec![(
        TopicPartition::new("t", 0),
        rill_core::group::protocol::OffsetAndMetadata {
            offset: 3,
            leader_epoch: None,
            metadata: String::new(),
        },
    )];
    cluster
        .consumer_mut(1)
        .expect("added")
        .commit_sync(now, Some(commit));
    run(&mut cluster, &[1], 1_000, &mut seen);
    let rows = cluster.describe_group_offsets("g").expect("described");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0].partition, TopicPartition::new("t", 0));
    assert_eq!(
        (rows[0].committed, rows[0].log_end_offset, rows[0].lag),
        (Some(3), Some(4), Some(1))
    );
    assert_eq!((rows[1].committed, rows[1].lag), (None, None));
    assert!(rows.iter().all(|r| r.client_id.as_deref() == Some("c1")));

    // While the group has a member, offsets cannot be reset nor the group deleted.
    let both = [TopicPartition::new("t", 0), TopicPartition::new("t", 1)];
    assert_eq!(
        cluster.reset_offsets("g", &both, ResetTarget::Earliest),
        Err(ErrorCode::NonEmptyGroup)
    );
    assert_eq!(
        cluster.delete_groups(&["g".to_owned()]),
        vec![("g".to_owned(), Err(ErrorCode::NonEmptyGroup))]
    );

    // The member closes (a dynamic member leaves the group): now it is Empty.
    let now = cluster.now();
    cluster.consumer_mut(1).expect("added").close(now);
    cluster.advance(2_000);
    assert_eq!(
        cluster.describe_group("g").expect("known").state.name(),
        "Empty"
    );
    let planned = cluster
        .reset_offsets("g", &both, ResetTarget::Offset(2))
        .expect("inactive group");
    assert_eq!(planned, vec![(both[0].clone(), 2), (both[1].clone(), 2)]);
    cluster.advance(1_000);
    let rows = cluster.describe_group_offsets("g").expect("described");
    assert_eq!(
        rows.iter().map(|r| r.committed).collect::<Vec<_>>(),
        vec![Some(2), Some(2)]
    );
    assert!(cluster.list_groups().iter().any(|g| g.group_id == "g"));
    assert_eq!(
        cluster.delete_groups(&["g".to_owned()]),
        vec![("g".to_owned(), Ok(()))]
    );
    cluster.advance(1_000);
    assert!(cluster.list_groups().iter().all(|g| g.group_id != "g"));
    assert_eq!(
        cluster.delete_groups(&["g".to_owned()]),
        vec![("g".to_owned(), Err(ErrorCode::GroupIdNotFound))]
    );
}

/// Polls and advances like [`run`], feeding every consumer event to `timeline`.
fn drive(
    cluster: &mut Cluster,
    clients: &[u32],
    ms: i64,
    timeline: &mut OwnershipTimeline,
    seen: &mut BTreeMap<u32, Vec<(TopicPartition, i64)>>,
) {
    for _ in 0..ms / 100 {
        run(cluster, clients, 100, seen);
        for &client in clients {
            while let Some(event) = cluster.consumer_mut(client).and_then(|c| c.poll_event()) {
                timeline.record(client, &event);
            }
        }
    }
}

/// Two consumers share 4 partitions; a third joins. Returns the consumption gaps the join
/// caused and the final assignment sizes.
fn third_member_joins(strategy: &str) -> (Vec<ConsumptionGap>, Vec<usize>) {
    let mut cluster = cluster(3, 21);
    cluster.create_topic("t", 4, 3, &[]).expect("valid");
    cluster.advance(100);
    let mut timeline = OwnershipTimeline::default();
    let mut seen = BTreeMap::new();
    let start = |cluster: &mut Cluster, client: u32| {
        let config = consumer_config("g", &format!("c{client}"), strategy);
        join(cluster, client, config, "t");
    };
    start(&mut cluster, 1);
    start(&mut cluster, 2);
    drive(&mut cluster, &[1, 2], 10_000, &mut timeline, &mut seen);
    assert!(timeline.gaps().is_empty(), "no gap before the join");
    start(&mut cluster, 3);
    drive(&mut cluster, &[1, 2, 3], 15_000, &mut timeline, &mut seen);
    let mut sizes: Vec<usize> = (1..=3).map(|c| assignment(&cluster, c).len()).collect();
    sizes.sort_unstable();
    (timeline.gaps().to_vec(), sizes)
}

#[test]
fn eager_rebalancing_stops_every_partition_cooperative_only_those_that_move() {
    // Eager (range): every member revokes everything before rejoining, so all 4 partitions
    // stop being consumed for a while.
    let (eager_gaps, eager_sizes) = third_member_joins("range");
    assert_eq!(eager_sizes, vec![1, 1, 2]);
    let stopped: BTreeSet<u32> = eager_gaps.iter().map(|g| g.partition.partition).collect();
    assert_eq!(stopped.len(), 4, "{eager_gaps:?}");

    // Cooperative (cooperative-sticky): the members keep their partitions; the one partition
    // that moves to the new member is revoked in the first rebalance and assigned in the
    // follow-up; the other three are consumed throughout.
    let (cooperative_gaps, cooperative_sizes) = third_member_joins("cooperative-sticky");
    assert_eq!(cooperative_sizes, vec![1, 1, 2]);
    assert_eq!(cooperative_gaps.len(), 1, "{cooperative_gaps:?}");
    assert_eq!(cooperative_gaps[0].assigned_to, 3);
    assert!(cooperative_gaps[0].duration_ms() >= 0);
}

#[test]
fn a_static_member_that_restarts_within_its_session_gets_its_partitions_back_without_a_rebalance() {
    let mut cluster = cluster(3, 31);
    cluster.create_topic("t", 4, 3, &[]).expect("valid");
    cluster.advance(100);
    let static_config = |name: &str| {
        let mut config = consumer_config("g", name, "range");
        config.group_instance_id = Some(format!("instance-{name}"));
        config
    };
    for (client, name) in [(1, "a"), (2, "b")] {
        join(&mut cluster, client, static_config(name), "t");
    }
    let mut seen = BTreeMap::new();
    run(&mut cluster, &[1, 2], 10_000, &mut seen);
    let before = assignment(&cluster, 2);
    let generation = cluster.describe_group("g").expect("known").generation;
    assert_eq!(before.len(), 2);

    // Member b's process dies and comes back 3 s later (session timeout 10 s) with the same
    // group.instance.id: same partitions, same generation, no rebalance for member a.
    cluster.remove_consumer(2);
    run(&mut cluster, &[1], 3_000, &mut seen);
    join(&mut cluster, 3, static_config("b"), "t");
    run(&mut cluster, &[1, 3], 5_000, &mut seen);
    assert_eq!(assignment(&cluster, 3), before);
    let description = cluster.describe_group("g").expect("known");
    assert_eq!(description.generation, generation, "no new generation");
    assert_eq!(description.state.name(), "Stable");
}

#[test]
fn partitions_added_to_a_subscribed_topic_are_assigned_after_a_rebalance() {
    let mut cluster = cluster(3, 41);
    cluster.create_topic("t", 2, 3, &[]).expect("valid");
    cluster.advance(100);
    for (client, name) in [(1, "a"), (2, "b")] {
        join(
            &mut cluster,
            client,
            consumer_config("g", name, "roundrobin"),
            "t",
        );
    }
    let mut seen = BTreeMap::new();
    run(&mut cluster, &[1, 2], 10_000, &mut seen);
    let generation = cluster.describe_group("g").expect("known").generation;
    assert_eq!(
        assignment(&cluster, 1).len() + assignment(&cluster, 2).len(),
        2
    );

    assert_eq!(
        cluster.create_partitions("t", 2).map_err(|e| e.to_string()),
        Err("Topic already has 2 partitions.".to_owned())
    );
    cluster.create_partitions("t", 4).expect("grows");
    produce(&mut cluster, "t", 4, 2);
    run(&mut cluster, &[1, 2], 15_000, &mut seen);
    let description = cluster.describe_group("g").expect("known");
    assert!(description.generation > generation, "a rebalance happened");
    let a = assignment(&cluster, 1);
    let b = assignment(&cluster, 2);
    assert_eq!((a.len(), b.len()), (2, 2), "{a:?} {b:?}");
    // The new partitions' records were consumed.
    let new_partitions: BTreeSet<u32> = seen
        .values()
        .flatten()
        .map(|(tp, _)| tp.partition)
        .filter(|p| *p >= 2)
        .collect();
    assert_eq!(new_partitions, BTreeSet::from([2, 3]));
}

/// Commits `offset` for `t-0` as group `group` (an admin reset of an inactive group).
fn commit_as_admin(cluster: &mut Cluster, group: &str, offset: i64) {
    let partitions = [TopicPartition::new("t", 0)];
    let mut result = Err(ErrorCode::CoordinatorNotAvailable);
    for _ in 0..10 {
        result = cluster.reset_offsets(group, &partitions, ResetTarget::Offset(offset));
        cluster.advance(500);
        // Retriable while the coordinator is found and loads, as for Kafka's admin client.
        if !matches!(
            result,
            Err(ErrorCode::CoordinatorNotAvailable | ErrorCode::NotCoordinator)
        ) {
            break;
        }
    }
    assert_eq!(result, Ok(vec![(partitions[0].clone(), offset)]));
}

#[test]
fn a_committed_offset_below_the_log_start_takes_the_reset_policy() {
    let mut cluster = cluster(3, 51);
    cluster.create_topic("t", 1, 3, &[]).expect("valid");
    cluster.advance(100);
    produce(&mut cluster, "t", 1, 8);
    commit_as_admin(&mut cluster, "early", 2);
    commit_as_admin(&mut cluster, "strict", 2);
    // DeleteRecords (as retention would) moves the log start past the committed offsets.
    assert_eq!(cluster.delete_records("t", 0, 5), Ok(5));
    assert_eq!(
        cluster.delete_records("t", 0, 99),
        Err(ErrorCode::OffsetOutOfRange)
    );

    let mut early = consumer_config("early", "e", "range");
    early.auto_offset_reset = AutoOffsetReset::Earliest;
    let mut strict = consumer_config("strict", "s", "range");
    strict.auto_offset_reset = AutoOffsetReset::None;
    join(&mut cluster, 1, early, "t");
    join(&mut cluster, 2, strict, "t");
    let mut seen = BTreeMap::new();
    let mut strict_error = None;
    for _ in 0..100 {
        run(&mut cluster, &[1], 100, &mut seen);
        let now = cluster.now();
        if let Err(error) = cluster.consumer_mut(2).expect("added").poll(now) {
            strict_error = Some(error);
        }
    }
    // earliest: from the new log start, 5, not from the committed 2.
    let offsets: Vec<i64> = seen[&1].iter().map(|(_, offset)| *offset).collect();
    assert_eq!(offsets, vec![5, 6, 7]);
    // none: Kafka's OffsetOutOfRangeException from poll.
    let error = strict_error.expect("poll fails");
    assert_eq!(
        error.exception_name(),
        "OffsetOutOfRangeException",
        "{error}"
    );
}

/// Issue 18 item 1: eager `sticky` remembers across a rebalance. A and B hold [0, 2, 4] and
/// [1, 3, 5]; C joins. Each eager member revokes everything before it rejoins, but Kafka's
/// `StickyAssignor` keeps the assignment and generation `onAssignment` gave it and sends them
/// as its subscription user data (`subscriptionUserData`), so the leader sees what each owned.
/// Kafka 3.7's `AbstractStickyAssignor` (constrained builder: all subscriptions equal,
/// minQuota = maxQuota = 2, no member may exceed 2) keeps the first two of each member's
/// previous partitions in its user data order — A [0, 2], B [1, 3] — and deals the revoked
/// 4 and 5 to C: two partitions move (the same as cooperative-sticky), not four.
#[test]
fn eager_sticky_keeps_what_each_member_owned_when_a_third_joins() {
    let mut cluster = cluster(3, 41);
    cluster.create_topic("t", 6, 3, &[]).expect("valid");
    cluster.advance(100);
    let mut seen = BTreeMap::new();
    let start = |cluster: &mut Cluster, client: u32| {
        let config = consumer_config("g", &format!("c{client}"), "sticky");
        join(cluster, client, config, "t");
    };
    let partitions = |list: &[u32]| -> BTreeSet<TopicPartition> {
        list.iter().map(|&p| TopicPartition::new("t", p)).collect()
    };
    start(&mut cluster, 1);
    start(&mut cluster, 2);
    run(&mut cluster, &[1, 2], 10_000, &mut seen);
    // The fresh assignment deals the partitions round-robin; name the holder of 0 A.
    let (a, b) = if assignment(&cluster, 1).contains(&TopicPartition::new("t", 0)) {
        (1, 2)
    } else {
        (2, 1)
    };
    assert_eq!(assignment(&cluster, a), partitions(&[0, 2, 4]));
    assert_eq!(assignment(&cluster, b), partitions(&[1, 3, 5]));

    start(&mut cluster, 3);
    run(&mut cluster, &[1, 2, 3], 15_000, &mut seen);
    assert_eq!(assignment(&cluster, a), partitions(&[0, 2]), "A keeps two");
    assert_eq!(assignment(&cluster, b), partitions(&[1, 3]), "B keeps two");
    assert_eq!(
        assignment(&cluster, 3),
        partitions(&[4, 5]),
        "C: one from each"
    );
}

/// Issue 18 item 12: a consumer added without `client.id` gets Java's default
/// (`ConsumerConfig.maybeOverrideClientId`): "consumer-<group>-<n>" from a per-cluster sequence
/// starting at 1, or "consumer-<group>-<group.instance.id>" for a static member; its member id
/// is that client id, '-' and a UUID (never a leading '-'; a static member's starts with its
/// instance id, as Kafka's coordinator makes it).
#[test]
fn consumers_without_a_client_id_get_javas_default_ids() {
    let mut cluster = cluster(3, 7);
    cluster.create_topic("orders", 2, 3, &[]).expect("valid");
    cluster.advance(100);
    let mut plain = consumer_config("g", "", "range");
    plain.client_id = String::new();
    join(&mut cluster, 1, plain.clone(), "orders");
    join(&mut cluster, 2, plain.clone(), "orders");
    let mut fixed = plain.clone();
    fixed.group_instance_id = Some("static-1".to_owned());
    join(&mut cluster, 3, fixed, "orders");
    let mut named = plain;
    named.client_id = "mine".to_owned();
    join(&mut cluster, 4, named, "orders");
    let mut seen = BTreeMap::new();
    run(&mut cluster, &[1, 2, 3, 4], 15_000, &mut seen);
    let mut ids: Vec<(String, String)> = cluster
        .describe_group("g")
        .expect("the group")
        .members
        .iter()
        .map(|m| (m.client_id.clone(), m.member_id.clone()))
        .collect();
    ids.sort();
    let clients: Vec<&str> = ids.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        clients,
        [
            "consumer-g-1",
            "consumer-g-2",
            "consumer-g-static-1",
            "mine"
        ]
    );
    for (client, member) in &ids {
        let prefix = if client == "consumer-g-static-1" {
            "static-1"
        } else {
            client
        };
        assert!(
            member.starts_with(&format!("{prefix}-")) && member.len() > prefix.len() + 30,
            "{member}"
        );
    }
}

/// Issue 18 (a flaky e2e `resetOffsets` right after `consumer.disconnect()`): `close` is done
/// (`is_closed`, `ConsumerEvent::Closed`) only once the coordinator answered its LeaveGroup,
/// as Java's `AbstractCoordinator.close` awaits its pending coordinator requests and KafkaJS's
/// `disconnect` awaits the LeaveGroup; so at that instant the group is `Empty` and its offsets
/// can be reset. Checked at every millisecond from the close, on several seeds (latency
/// jitter), with and without the auto-commit that precedes the LeaveGroup.
#[test]
fn a_closed_consumer_has_left_its_group_when_close_completes() {
    for seed in 0..12u64 {
        for auto_commit in [true, false] {
            let mut cluster = cluster(3, 300 + seed);
            cluster.create_topic("t", 2, 3, &[]).expect("valid");
            cluster.advance(100);
            produce(&mut cluster, "t", 2, 3);
            let mut config = consumer_config("g", "c1", "range");
            config.enable_auto_commit = auto_commit;
            join(&mut cluster, 1, config, "t");
            let mut seen = BTreeMap::new();
            run(&mut cluster, &[1], 6_000, &mut seen);
            assert_eq!(
                cluster.describe_group("g").expect("known").state.name(),
                "Stable"
            );
            let now = cluster.now();
            cluster.consumer_mut(1).expect("added").close(now);
            let mut closed_event = false;
            let mut waited = 0;
            loop {
                while let Some(event) = cluster.consumer_mut(1).and_then(|c| c.poll_event()) {
                    closed_event |= matches!(event, ConsumerEvent::Closed);
                }
                let closed = cluster.consumer(1).expect("kept").is_closed();
                assert_eq!(closed, closed_event, "is_closed and the Closed event agree");
                if closed {
                    break;
                }
                assert!(waited < 1_000, "seed {seed}: closed within a second");
                cluster.advance(1);
                waited += 1;
            }
            assert!(
                waited > 0,
                "seed {seed}: the LeaveGroup takes a network round trip"
            );
            assert_eq!(
                cluster.describe_group("g").expect("known").state.name(),
                "Empty",
                "seed {seed}, auto-commit {auto_commit}: the member is gone when close completes"
            );
            let both = [TopicPartition::new("t", 0), TopicPartition::new("t", 1)];
            cluster
                .reset_offsets("g", &both, ResetTarget::Earliest)
                .expect("an inactive group's offsets can be reset at once");
        }
    }
}

/// A close whose coordinator cannot be reached still completes, within Kafka's close timeout
/// (30 s): the LeaveGroup times out, the member is then removed by its session timeout.
#[test]
fn a_close_with_the_coordinator_unreachable_completes_within_the_close_timeout() {
    let mut cluster = cluster(3, 41);
    cluster.create_topic("t", 1, 3, &[]).expect("valid");
    cluster.advance(100);
    let mut config = consumer_config("g", "c1", "range");
    config.enable_auto_commit = false;
    join(&mut cluster, 1, config, "t");
    let mut seen = BTreeMap::new();
    run(&mut cluster, &[1], 6_000, &mut seen);
    assert_eq!(
        cluster.describe_group("g").expect("known").state.name(),
        "Stable"
    );
    let brokers = [
        rill_core::cluster::NodeId::Broker(0),
        rill_core::cluster::NodeId::Broker(1),
        rill_core::cluster::NodeId::Broker(2),
    ];
    cluster.partition_network(&[rill_core::cluster::NodeId::Client(1)], &brokers);
    let start = cluster.now();
    cluster.consumer_mut(1).expect("added").close(start);
    while !cluster.consumer(1).expect("kept").is_closed() {
        assert!(
            cluster.now() - start <= 30_000,
            "closed by the close timeout"
        );
        cluster.advance(100);
    }
    assert!(
        cluster.now() - start >= 1_000,
        "it waited for the LeaveGroup"
    );
}

/// Messages that take no time and a consumer that never waits (`fetch.max.wait.ms=0`): an
/// empty fetch is answered and sent again at the same instant. Time must still move (no
/// livelock at one instant, no step-limit panic), and the group still reads everything.
#[test]
fn a_consumer_that_never_waits_on_a_zero_latency_cluster_does_not_spin_at_one_instant() {
    let mut config = ClusterConfig::new(1, 3);
    config.offsets_topic_partitions = 5;
    config.latency = rill_core::cluster::Latency {
        base_ms: 0,
        jitter_ms: 0,
    };
    let mut cluster = Cluster::new(config, START).expect("valid size");
    cluster.create_topic("t", 2, 1, &[]).expect("valid");
    cluster.advance(100);
    let mut config = consumer_config("g", "c", "range");
    config.fetch_max_wait_ms = 0;
    join(&mut cluster, 1, config, "t");
    let mut seen = BTreeMap::new();
    run(&mut cluster, &[1], 5_000, &mut seen);
    produce(&mut cluster, "t", 2, 3);
    run(&mut cluster, &[1], 2_000, &mut seen);
    assert_eq!(seen.get(&1).map_or(0, Vec::len), 6, "{seen:?}");
    assert!(
        cluster.queue_peaks().steps_at_one_instant < 10_000,
        "{:?}",
        cluster.queue_peaks()
    );
}
