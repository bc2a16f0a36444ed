//! The simulated cluster: replication, the high watermark, acks, the ISR, leader election and
//! truncation, driven by time and faults.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rill_core::cluster::{
    Acks, Cluster, ClusterConfig, ClusterEvent, ElectionReason, NodeId, ReplicaRole,
};
use rill_core::error::ErrorCode;
use rill_core::record::NewRecord;

fn records(n: usize, tag: &str) -> Vec<NewRecord> {
    (0..n)
        .map(|i| NewRecord {
            key: Some(format!("k{i}").into_bytes()),
            value: Some(format!("{tag}-{i}").into_bytes()),
            ..NewRecord::default()
        })
        .collect()
}

fn cluster(brokers: u32, seed: u64) -> Cluster {
    Cluster::new(ClusterConfig::new(brokers, seed), 1_000_000).expect("valid size")
}

fn min_isr(n: u32) -> Vec<(String, String)> {
    vec![("min.insync.replicas".to_owned(), n.to_string())]
}

fn leader_of(cluster: &Cluster, topic: &str, partition: u32) -> u32 {
    cluster
        .registration(topic, partition)
        .and_then(|r| r.leader)
        .expect("a leader")
}

#[test]
fn acks_all_is_answered_once_every_in_sync_replica_has_the_records() {
    let mut cluster = cluster(3, 1);
    cluster.create_topic("t", 1, 3, &min_isr(2)).expect("valid");
    cluster.advance(50);
    let request = cluster.produce(7, "t", 0, Acks::All, records(3, "a"));
    cluster.advance(2_000);
    let outcomes = cluster.poll_outcomes();
    assert_eq!(outcomes.len(), 1, "{outcomes:?}");
    assert_eq!(outcomes[0].request, request);
    assert_eq!(outcomes[0].result, Ok((0, 2)));
    let leader = leader_of(&cluster, "t", 0);
    for broker in 0..3 {
        let (log, role) = cluster
            .replica(broker, "t", 0)
            .expect("a replica on every broker");
        assert_eq!(log.log_end_offset(), 3, "broker {broker}");
        assert_eq!(log.high_watermark(), 3, "broker {broker} learned the HW");
        match role {
            ReplicaRole::Leader { epoch } => {
                assert_eq!(broker, leader);
                assert_eq!(epoch, 0);
            }
            ReplicaRole::Follower { leader: l, .. } => assert_eq!(l, Some(leader)),
        }
    }
    // Followers hold byte-identical segments.
    let bytes = |b: u32| {
        cluster.replica(b, "t", 0).expect("replica").0.segments()[0]
            .as_bytes()
            .to_vec()
    };
    assert_eq!(bytes(0), bytes(1));
    assert_eq!(bytes(1), bytes(2));
}

#[test]
fn a_dead_leader_is_fenced_and_an_in_sync_replica_takes_over_with_a_new_epoch() {
    let mut cluster = cluster(3, 2);
    cluster.create_topic("t", 1, 3, &min_isr(2)).expect("valid");
    cluster.advance(50);
    cluster.produce(1, "t", 0, Acks::All, records(5, "a"));
    cluster.advance(1_000);
    assert!(cluster.poll_outcomes().iter().all(|o| o.result.is_ok()));
    let old = leader_of(&cluster, "t", 0);
    cluster.kill_broker(old).expect("running");
    cluster.advance(15_000);
    let events = cluster.poll_events();
    assert!(
        events.contains(&ClusterEvent::BrokerFenced { broker: old }),
        "{events:?}"
    );
    let registration = cluster.registration("t", 0).expect("exists").clone();
    let new = registration.leader.expect("a new leader");
    assert_ne!(new, old);
    assert_eq!(registration.leader_epoch, 1);
    assert!(!registration.isr.contains(&old));
    assert!(events.iter().any(|e| matches!(
        e,
        ClusterEvent::LeaderElected { leader: Some(l), leader_epoch: 1, reason: ElectionReason::LeaderFenced, .. } if *l == new
    )));
    // The client's metadata is stale: the first send fails, the retry lands.
    let first = cluster.produce(1, "t", 0, Acks::All, records(1, "b"));
    cluster.advance(1_000);
    let outcomes = cluster.poll_outcomes();
    let result = outcomes
        .iter()
        .find(|o| o.request == first)
        .map(|o| o.result);
    assert_eq!(
        result,
        Some(Err(ErrorCode::NetworkException)),
        "the stale send hits the dead broker's closed port: {outcomes:?}"
    );
    cluster.produce(1, "t", 0, Acks::All, records(1, "c"));
    cluster.advance(1_000);
    assert!(cluster.poll_outcomes().iter().any(|o| o.result.is_ok()));
    // The old leader comes back as a follower and catches up.
    cluster.restart_broker(old).expect("stopped");
    cluster.advance(20_000);
    let leader_log = cluster
        .replica(new, "t", 0)
        .expect("leader")
        .0
        .read_all(0)
        .expect("in range");
    let old_log = cluster
        .replica(old, "t", 0)
        .expect("follower")
        .0
        .read_all(0)
        .expect("in range");
    assert_eq!(leader_log.records, old_log.records);
    assert!(
        cluster
            .registration("t", 0)
            .expect("exists")
            .isr
            .contains(&old),
        "rejoined the ISR"
    );
}

#[test]
fn not_enough_replicas_refuses_acks_all_but_not_acks_1() {
    let mut cluster = cluster(3, 3);
    cluster.create_topic("t", 1, 3, &min_isr(3)).expect("valid");
    cluster.advance(50);
    let leader = leader_of(&cluster, "t", 0);
    let follower = (leader + 1) % 3;
    cluster.kill_broker(follower).expect("running");
    cluster.advance(40_000);
    assert_eq!(cluster.registration("t", 0).expect("exists").isr.len(), 2);
    let all = cluster.produce(1, "t", 0, Acks::All, records(1, "a"));
    let one = cluster.produce(1, "t", 0, Acks::Leader, records(1, "b"));
    cluster.advance(1_000);
    let outcomes = cluster.poll_outcomes();
    let result = |r| outcomes.iter().find(|o| o.request == r).map(|o| o.result);
    assert_eq!(result(all), Some(Err(ErrorCode::NotEnoughReplicas)));
    assert_eq!(result(one), Some(Ok((0, 0))));
    let (log, _) = cluster.replica(leader, "t", 0).expect("leader");
    assert_eq!(
        log.log_end_offset(),
        1,
        "nothing written for the refused request"
    );
    assert_eq!(
        log.high_watermark(),
        0,
        "the HW does not advance under min ISR (3.7+)"
    );
}

#[test]
fn a_partitioned_follower_leaves_the_isr_and_rejoins_after_healing() {
    let mut cluster = cluster(3, 4);
    cluster.create_topic("t", 1, 3, &min_isr(1)).expect("valid");
    cluster.advance(50);
    let leader = leader_of(&cluster, "t", 0);
    let follower = (leader + 1) % 3;
    cluster.partition_network(&[NodeId::Broker(follower)], &[NodeId::Broker(leader)]);
    for i in 0..10 {
        cluster.produce(1, "t", 0, Acks::Leader, records(1, &format!("x{i}")));
        cluster.advance(5_000);
    }
    let events = cluster.poll_events();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ClusterEvent::IsrShrunk { isr, .. } if !isr.contains(&follower))),
        "{events:?}"
    );
    cluster.heal();
    cluster.advance(60_000);
    let registration = cluster.registration("t", 0).expect("exists");
    assert!(registration.isr.contains(&follower), "{registration:?}");
    assert_eq!(
        registration.leader,
        Some(leader),
        "the leader never lost its heartbeats"
    );
    let events = cluster.poll_events();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ClusterEvent::IsrExpanded { .. }))
    );
}

#[test]
fn a_diverged_former_leader_truncates_its_unreplicated_tail() {
    // acks=1 records on an isolated leader that never reached a follower are discarded when it
    // returns as a follower of the new epoch (KIP-101): divergent tails are cut, not merged.
    let mut cluster = cluster(3, 5);
    cluster.create_topic("t", 1, 3, &min_isr(1)).expect("valid");
    cluster.advance(50);
    cluster.produce(1, "t", 0, Acks::All, records(2, "a"));
    cluster.advance(1_000);
    let old = leader_of(&cluster, "t", 0);
    let others: Vec<NodeId> = (0..3).filter(|b| *b != old).map(NodeId::Broker).collect();
    cluster.partition_network(&[NodeId::Broker(old)], &others);
    cluster.partition_network(&[NodeId::Broker(old)], &[NodeId::Controller]);
    cluster.produce(1, "t", 0, Acks::Leader, records(3, "lost"));
    cluster.advance(20_000);
    let new = leader_of(&cluster, "t", 0);
    assert_ne!(new, old);
    cluster.produce(2, "t", 0, Acks::All, records(1, "kept"));
    cluster.advance(1_000);
    cluster.heal();
    cluster.advance(30_000);
    let values = |b: u32| -> Vec<String> {
        cluster
            .replica(b, "t", 0)
            .expect("replica")
            .0
            .read_all(0)
            .expect("in range")
            .records
            .iter()
            .map(|r| String::from_utf8_lossy(r.value.as_deref().unwrap_or_default()).into_owned())
            .collect()
    };
    assert_eq!(values(new), ["a-0", "a-1", "kept-0"]);
    assert_eq!(
        values(old),
        values(new),
        "the old leader's divergent tail was truncated"
    );
    assert!(
        cluster
            .poll_events()
            .iter()
            .any(|e| matches!(e, ClusterEvent::Truncated { broker, .. } if *broker == old))
    );
}

#[test]
fn the_same_seed_replays_the_same_run() {
    let run = |seed| {
        let mut cluster = cluster(3, seed);
        cluster.create_topic("t", 2, 3, &min_isr(2)).expect("valid");
        for i in 0..20 {
            cluster.produce(1, "t", i % 2, Acks::All, records(2, "v"));
            cluster.advance(37);
            if i == 7 {
                let _ = cluster.kill_broker(1);
            }
            if i == 15 {
                let _ = cluster.restart_broker(1);
            }
        }
        cluster.advance(20_000);
        format!("{:?}{:?}", cluster.poll_events(), cluster.poll_outcomes())
    };
    assert_eq!(run(9), run(9));
    assert_ne!(run(9), run(10));
}

#[test]
fn reassignment_copies_the_partition_to_new_brokers_then_drops_the_old_replicas() {
    let mut cluster = cluster(5, 6);
    cluster.create_topic("t", 1, 2, &min_isr(1)).expect("valid");
    cluster.advance(50);
    cluster.produce(1, "t", 0, Acks::All, records(20, "a"));
    cluster.advance(1_000);
    let before = cluster
        .registration("t", 0)
        .expect("exists")
        .replicas
        .clone();
    let target: Vec<u32> = (0..5).filter(|b| !before.contains(b)).take(2).collect();
    cluster
        .reassign_partition("t", 0, &target)
        .expect("valid target");
    let during = cluster.registration("t", 0).expect("exists").clone();
    assert_eq!(during.adding.len(), 2);
    assert_eq!(
        during.replicas.len(),
        4,
        "target plus the replicas being removed"
    );
    cluster.advance(10_000);
    let after = cluster.registration("t", 0).expect("exists").clone();
    assert_eq!(after.replicas, target);
    assert!(after.adding.is_empty() && after.removing.is_empty());
    let leader = after.leader.expect("a leader among the target");
    assert!(target.contains(&leader));
    assert!(
        after.leader_epoch >= 1,
        "the old leader was removed: new epoch"
    );
    let events = cluster.poll_events();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ClusterEvent::ReassignmentCompleted { .. }))
    );
    for broker in &target {
        let (log, _) = cluster.replica(*broker, "t", 0).expect("new replica");
        assert_eq!(log.read_all(0).expect("in range").records.len(), 20);
    }
    for broker in &before {
        assert!(
            cluster.replica(*broker, "t", 0).is_none(),
            "old replica on {broker} removed"
        );
    }
    // The client still believes in the removed leader: told so, it refreshes and retries.
    cluster.produce(1, "t", 0, Acks::All, records(1, "b"));
    cluster.advance(2_000);
    let first = cluster.poll_outcomes();
    assert_eq!(
        first.last().map(|o| o.result),
        Some(Err(ErrorCode::NotLeaderOrFollower)),
        "{first:?}"
    );
    cluster.produce(1, "t", 0, Acks::All, records(1, "b"));
    cluster.advance(2_000);
    assert_eq!(cluster.poll_outcomes()[0].result, Ok((20, 20)));
    assert_eq!(
        cluster.reassign_partition("t", 0, &[9]),
        Err(ErrorCode::InvalidReplicaAssignment)
    );
}

#[test]
fn preferred_leader_election_and_controlled_shutdown_move_leadership() {
    let mut cluster = cluster(3, 7);
    cluster.create_topic("t", 1, 3, &min_isr(2)).expect("valid");
    cluster.advance(50);
    let preferred = cluster.registration("t", 0).expect("exists").replicas[0];
    assert_eq!(
        cluster.elect_preferred_leader("t", 0),
        Err(ErrorCode::ElectionNotNeeded)
    );
    cluster.shutdown_broker(preferred).expect("running");
    cluster.advance(100);
    let moved = cluster.registration("t", 0).expect("exists").clone();
    assert_ne!(moved.leader, Some(preferred));
    assert!(cluster.poll_events().iter().any(|e| matches!(
        e,
        ClusterEvent::LeaderElected {
            reason: ElectionReason::ControlledShutdown,
            ..
        }
    )));
    cluster.advance(5_000);
    assert!(!cluster.is_alive(preferred), "stopped after handing over");
    cluster.restart_broker(preferred).expect("stopped");
    cluster.advance(20_000);
    assert!(
        cluster
            .registration("t", 0)
            .expect("exists")
            .isr
            .contains(&preferred)
    );
    assert_eq!(cluster.elect_preferred_leader("t", 0), Ok(()));
    cluster.advance(100);
    assert_eq!(
        cluster.registration("t", 0).expect("exists").leader,
        Some(preferred)
    );
    cluster.produce(1, "t", 0, Acks::All, records(1, "a"));
    cluster.advance(2_000);
    let outcomes = cluster.poll_outcomes();
    assert!(outcomes.iter().any(|o| o.result.is_ok()), "{outcomes:?}");
}

/// KRaft keeps a broker in controlled shutdown out of every ISR and leadership until it stops
/// (its heartbeats ask to shut down, and the controller holds it in controlled shutdown, then
/// fences it when it lets it go): stepping every millisecond from the moment the controller
/// heard the first such heartbeat (a network hop after the command) to the stop, it is never
/// unfenced, never back in an ISR, and it stops as a controlled shutdown, not as a kill. A
/// kill and a restart during the shutdown cancel the pending stop.
#[test]
fn a_broker_in_controlled_shutdown_stays_out_of_every_isr_and_leadership_until_it_stops() {
    let mut cluster = cluster(3, 7);
    cluster.create_topic("t", 3, 3, &[]).expect("valid");
    cluster.advance(200);
    for partition in 0..3 {
        cluster.produce(1, "t", partition, Acks::All, records(5, "a"));
    }
    cluster.advance(200);
    cluster.poll_events();
    let broker = 0;
    cluster.shutdown_broker(broker).expect("running");
    let asked = cluster.now();
    let mut heard = None;
    let mut events = Vec::new();
    for _ in 0..5_000 {
        cluster.advance(1);
        events.extend(cluster.poll_events());
        if heard.is_none() && cluster.in_controlled_shutdown(broker) {
            heard = Some(cluster.now());
        }
        if heard.is_some() && cluster.is_alive(broker) {
            for partition in 0..3 {
                let registration = cluster.registration("t", partition).expect("exists");
                assert!(
                    !registration.isr.contains(&broker),
                    "t-{partition} took the shutting-down broker back into its ISR at {}",
                    cluster.now()
                );
                assert_ne!(registration.leader, Some(broker));
            }
        }
        // Replication keeps running meanwhile.
        cluster.produce(1, "t", 1, Acks::Leader, records(1, "b"));
    }
    assert!(!cluster.is_alive(broker), "stopped after handing over");
    let heard = heard.expect("the controller held it in controlled shutdown");
    assert!(
        heard - asked <= 100,
        "the first heartbeat went at once: {asked} -> {heard}"
    );
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, ClusterEvent::BrokerUnfenced { broker: b } if *b == broker)),
        "{events:?}"
    );
    assert!(events.contains(&ClusterEvent::BrokerDown {
        broker,
        controlled: true
    }));

    // A shutdown cut short by a kill: the restarted broker keeps running.
    cluster.restart_broker(broker).expect("stopped");
    cluster.advance(20_000);
    cluster.shutdown_broker(broker).expect("running");
    cluster.kill_broker(broker).expect("running");
    cluster.restart_broker(broker).expect("stopped");
    cluster.advance(20_000);
    assert!(
        cluster.is_alive(broker),
        "the old shutdown's stop did not stop the new incarnation"
    );
    assert!(
        cluster
            .registration("t", 0)
            .expect("exists")
            .isr
            .contains(&broker),
        "and it rejoined the ISR"
    );
}

/// The events of `broker` stopping: `Some(controlled)` once it stopped.
fn stopped(events: &[ClusterEvent], broker: u32) -> Option<bool> {
    events.iter().find_map(|e| match e {
        ClusterEvent::BrokerDown {
            broker: b,
            controlled,
        } if *b == broker => Some(*controlled),
        _ => None,
    })
}

/// KRaft's controlled shutdown goes through heartbeats: a broker that leads nothing is let go
/// at its first `wantShutDown` heartbeat (fenced, out of every ISR, no election), a round trip
/// after the command; a leader is held in controlled shutdown while its leaderships move, and
/// let go only at a later heartbeat, once the other brokers reported the new leaders.
#[test]
fn a_controlled_shutdown_is_granted_through_heartbeats() {
    let mut cluster = cluster(3, 7);
    cluster.create_topic("t", 1, 3, &[]).expect("valid");
    cluster.advance(200);
    let leader = leader_of(&cluster, "t", 0);
    let follower = (0..3).find(|b| *b != leader).expect("three brokers");
    cluster.poll_events();

    cluster.shutdown_broker(follower).expect("running");
    cluster.advance(100);
    let events = cluster.poll_events();
    assert_eq!(stopped(&events, follower), Some(true), "{events:?}");
    let fenced = events
        .iter()
        .position(|e| *e == ClusterEvent::BrokerFenced { broker: follower })
        .expect("fenced when let go");
    assert!(
        matches!(&events[fenced + 1], ClusterEvent::IsrShrunk { isr, .. } if !isr.contains(&follower)),
        "{events:?}"
    );
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, ClusterEvent::LeaderElected { .. })),
        "nothing to move: {events:?}"
    );
    assert!(!cluster.is_alive(follower));

    cluster.restart_broker(follower).expect("stopped");
    cluster.advance(20_000);
    cluster.poll_events();
    let asked_leader = cluster.now();
    cluster.shutdown_broker(leader).expect("running");
    // Asking again while it waits changes nothing.
    cluster.shutdown_broker(leader).expect("running");
    cluster.advance(100);
    assert!(cluster.in_controlled_shutdown(leader));
    assert!(
        cluster.is_alive(leader),
        "held while the others learn the new leader"
    );
    assert!(
        !cluster.is_fenced(leader),
        "in controlled shutdown, not fenced"
    );
    let moved = cluster.registration("t", 0).expect("exists").clone();
    assert_ne!(moved.leader, Some(leader));
    assert!(!moved.isr.contains(&leader));
    let mut events = cluster.poll_events();
    assert!(events.iter().any(|e| matches!(
        e,
        ClusterEvent::LeaderElected {
            reason: ElectionReason::ControlledShutdown,
            ..
        }
    )));
    let mut stop_at = None;
    while stop_at.is_none() && cluster.now() < asked_leader + 10_000 {
        cluster.advance(10);
        events.extend(cluster.poll_events());
        if !cluster.is_alive(leader) {
            stop_at = Some(cluster.now());
        }
    }
    let stop_at = stop_at.expect("let go within two heartbeat intervals");
    let interval = ClusterConfig::new(3, 7).heartbeat_interval_ms;
    assert!(
        stop_at - asked_leader > interval / 2 && stop_at - asked_leader <= 2 * interval + 200,
        "{asked_leader} -> {stop_at}"
    );
    assert_eq!(stopped(&events, leader), Some(true));
    assert!(!cluster.in_controlled_shutdown(leader));
}

/// A leader's controlled shutdown waits until every active broker reported the metadata that
/// moved its leaderships (Kafka's `controlledShutdownOffset <= lowestActiveOffset`): with a
/// third broker cut off from the controller it is held until that broker's session expires
/// and the controller fences it, and only then let go.
#[test]
fn a_controlled_shutdown_waits_for_every_active_broker_to_know_the_new_leaders() {
    let mut cluster = cluster(3, 11);
    cluster.create_topic("t", 1, 3, &[]).expect("valid");
    cluster.advance(200);
    let leader = leader_of(&cluster, "t", 0);
    let cut = (0..3).find(|b| *b != leader).expect("three brokers");
    cluster.partition_network(&[NodeId::Broker(cut)], &[NodeId::Controller]);
    cluster.poll_events();
    let asked = cluster.now();
    cluster.shutdown_broker(leader).expect("running");
    let mut events = Vec::new();
    while cluster.is_alive(leader) && cluster.now() < asked + 30_000 {
        cluster.advance(10);
        events.extend(cluster.poll_events());
    }
    let fenced_cut = events
        .iter()
        .position(|e| *e == ClusterEvent::BrokerFenced { broker: cut })
        .expect("the cut-off broker's session expired");
    let down = events
        .iter()
        .position(|e| matches!(e, ClusterEvent::BrokerDown { broker, .. } if *broker == leader))
        .expect("let go in the end");
    assert!(fenced_cut < down, "{events:?}");
    assert!(
        cluster.now() - asked > ClusterConfig::new(3, 11).session_timeout_ms - 2_000,
        "held until the session expired: {asked} -> {}",
        cluster.now()
    );
    assert_eq!(stopped(&events, leader), Some(true));
}

/// A broker cut off from the controller cannot complete a controlled shutdown (its
/// `wantShutDown` heartbeats never arrive): it keeps running and the controller fences it when
/// its session expires, as for a crash (elections `LeaderFenced`, not `ControlledShutdown`).
/// Healed, its next heartbeat is granted at once (Kafka lets a fenced broker that asks to shut
/// down go immediately); never healed, it gives up after `CONTROLLED_SHUTDOWN_TIMEOUT_MS`
/// (Kafka's "Timed out waiting for the controller to approve controlled shutdown") and stops
/// uncontrolled.
#[test]
fn a_broker_cut_off_from_the_controller_cannot_complete_a_controlled_shutdown() {
    for heal in [true, false] {
        let mut cluster = cluster(3, 5);
        cluster.create_topic("t", 1, 3, &[]).expect("valid");
        cluster.advance(200);
        let leader = leader_of(&cluster, "t", 0);
        cluster.poll_events();
        cluster.partition_network(&[NodeId::Broker(leader)], &[NodeId::Controller]);
        let asked = cluster.now();
        cluster.shutdown_broker(leader).expect("running");
        cluster.advance(1_000);
        assert!(cluster.is_alive(leader));
        assert!(
            !cluster.in_controlled_shutdown(leader),
            "the controller never heard"
        );
        assert_eq!(leader_of(&cluster, "t", 0), leader, "nothing moved");
        cluster.advance(14_000);
        let events = cluster.poll_events();
        assert!(cluster.is_alive(leader), "still waiting for the controller");
        assert!(cluster.is_fenced(leader));
        assert!(events.iter().any(|e| matches!(
            e,
            ClusterEvent::LeaderElected {
                reason: ElectionReason::LeaderFenced,
                ..
            }
        )));
        assert!(!events.iter().any(|e| matches!(
            e,
            ClusterEvent::LeaderElected {
                reason: ElectionReason::ControlledShutdown,
                ..
            }
        )));
        assert_eq!(stopped(&events, leader), None);
        if heal {
            cluster.heal();
            let interval = ClusterConfig::new(3, 5).heartbeat_interval_ms;
            cluster.advance(interval + 100);
            assert_eq!(stopped(&cluster.poll_events(), leader), Some(true));
            continue;
        }
        let timeout = rill_core::cluster::CONTROLLED_SHUTDOWN_TIMEOUT_MS;
        cluster.advance(asked + timeout - 1 - cluster.now());
        assert!(cluster.is_alive(leader), "waits {timeout} ms");
        assert_eq!(stopped(&cluster.poll_events(), leader), None);
        cluster.advance(1);
        assert!(!cluster.is_alive(leader));
        assert_eq!(stopped(&cluster.poll_events(), leader), Some(false));
    }
}

/// A host that sleeps until `next_wakeup` (as the browser host does on the real clock) misses
/// nothing: up to just before that time nothing is delivered and nothing changes, and the
/// history matches a host that steps every millisecond.
#[test]
fn nothing_happens_before_next_wakeup() {
    let run = |jump: bool| {
        let mut cluster = cluster(3, 5);
        cluster.create_topic("t", 2, 3, &[]).expect("valid");
        let request = cluster.produce(7, "t", 0, Acks::All, records(4, "a"));
        let (kill_at, end) = (1_003_000, 1_015_000);
        let mut events = Vec::new();
        let mut wakeups = 0;
        while cluster.now() < end {
            if cluster.now() == kill_at {
                let leader = leader_of(&cluster, "t", 1);
                cluster.kill_broker(leader).expect("running");
            }
            // What commands reported (topic created, broker down) before time moves.
            events.extend(cluster.poll_events());
            let now = cluster.now();
            let target = if jump {
                let next = cluster.next_wakeup().expect("heartbeats are always due");
                assert!(next > now, "everything due by now has run");
                let target = next.min(end).min(if now < kill_at { kill_at } else { end });
                if target - now > 1 {
                    let counts = cluster.network_counts();
                    cluster.advance(target - now - 1);
                    assert_eq!(
                        cluster.network_counts(),
                        counts,
                        "a delivery before the wake-up"
                    );
                    assert!(
                        cluster.poll_events().is_empty(),
                        "an event before the wake-up"
                    );
                    assert_eq!(cluster.next_wakeup(), Some(next), "the wake-up moved");
                }
                target
            } else {
                now + 1
            };
            cluster.advance(target - cluster.now());
            events.extend(cluster.poll_events());
            wakeups += 1;
        }
        (events, cluster.poll_outcomes(), request, wakeups)
    };
    let (stepped_events, stepped_outcomes, _, steps) = run(false);
    let (events, outcomes, request, wakeups) = run(true);
    assert_eq!(outcomes, stepped_outcomes);
    assert_eq!(
        outcomes.first().map(|o| (o.request, o.result)),
        Some((request, Ok((0, 3))))
    );
    assert_eq!(events, stepped_events);
    assert!(events.iter().any(|e| matches!(
        e,
        ClusterEvent::LeaderElected {
            reason: ElectionReason::LeaderFenced,
            ..
        }
    )));
    assert!(wakeups * 10 < steps, "{wakeups} wake-ups for {steps} ms");
}

#[test]
fn pending_timers_stay_bounded_under_steady_replication() {
    // Followers fetch as fast as records arrive; each fetch used to leave a 30 s timeout behind,
    // so a minute of steady produce piled up tens of thousands of no-op timers.
    let mut cluster = cluster(3, 7);
    cluster.create_topic("t", 12, 3, &[]).expect("valid");
    cluster.advance(100);
    let mut peak = 0;
    for step in 0..6_000 {
        let partition = step % 12;
        cluster.produce(7, "t", partition, Acks::All, records(1, "steady"));
        cluster.advance(10);
        cluster.poll_outcomes();
        cluster.poll_events();
        peak = peak.max(cluster.pending_timers());
    }
    // One fetch timeout per follower replica (24), produce/client timeouts of the requests in
    // flight, and a handful of per-broker timers.
    assert!(peak < 200, "{peak} timers pending at the peak");
    let held = cluster
        .replica(leader_of(&cluster, "t", 0), "t", 0)
        .map(|(log, _)| log.high_watermark())
        .expect("a leader replica");
    assert_eq!(held, 500, "every record of partition 0 committed");
}

#[test]
fn zero_latency_steady_replication_stays_bounded() {
    // Messages that take no time at all: every exchange happens at one instant. The cluster must
    // still settle (no fetch answered and re-sent forever at the same time) and keep its timer
    // table and network queue as small as the work in flight.
    let mut config = ClusterConfig::new(3, 11);
    config.latency = rill_core::cluster::Latency {
        base_ms: 0,
        jitter_ms: 0,
    };
    let mut cluster = Cluster::new(config, 1_000_000).expect("valid size");
    cluster.create_topic("t", 4, 3, &min_isr(2)).expect("valid");
    cluster.advance(100);
    let mut acknowledged = 0;
    for step in 0..2_000 {
        cluster.produce(9, "t", step % 4, Acks::All, records(1, "zero"));
        cluster.advance(5);
        acknowledged += cluster
            .poll_outcomes()
            .iter()
            .filter(|o| o.result.is_ok())
            .count();
        cluster.poll_events();
    }
    cluster.advance(1_000);
    acknowledged += cluster
        .poll_outcomes()
        .iter()
        .filter(|o| o.result.is_ok())
        .count();
    assert_eq!(acknowledged, 2_000);
}

#[test]
fn the_next_wakeup_names_what_is_due_and_advance_runs_it_then() {
    use rill_core::cluster::{WakeReason, Wakeup};
    let mut cluster = cluster(3, 1);
    let start = cluster.now();
    // A quiet cluster: the controller's session check (every half heartbeat) comes first.
    assert_eq!(
        cluster.next_wakeup_reason(),
        Some(Wakeup {
            at_ms: start + 1_000,
            reason: WakeReason::ControllerCheck,
        })
    );
    assert_eq!(cluster.next_wakeup(), Some(start + 1_000));
    // A new topic: the controller's metadata is on its way to every broker.
    cluster.create_topic("t", 1, 3, &[]).expect("created");
    let wakeup = cluster.next_wakeup_reason().expect("messages in flight");
    assert!(wakeup.at_ms <= start + 3, "{wakeup:?}");
    assert!(
        matches!(
            wakeup.reason,
            WakeReason::Delivery {
                from: NodeId::Controller,
                to: NodeId::Broker(_),
                message: "Metadata",
            }
        ),
        "{wakeup:?}"
    );
    // Stepping from wake-up to wake-up reaches each one exactly when it said.
    for _ in 0..50 {
        let wakeup = cluster
            .next_wakeup_reason()
            .expect("a cluster always has timers");
        assert_eq!(Some(wakeup.at_ms), cluster.next_wakeup());
        assert!(wakeup.at_ms >= cluster.now());
        cluster.advance(wakeup.at_ms - cluster.now());
        assert_eq!(cluster.now(), wakeup.at_ms);
        assert_ne!(
            cluster.next_wakeup_reason(),
            Some(wakeup.clone()),
            "what was due ran"
        );
    }
    // A produce: stepping on, its answer is a wake-up of its own, and the outcome is there
    // once that wake-up ran.
    let leader = leader_of(&cluster, "t", 0);
    cluster.produce(0, "t", 0, Acks::All, records(1, "a"));
    let answered = (0..20).any(|_| {
        let Some(wakeup) = cluster.next_wakeup_reason() else {
            return false;
        };
        let answer = matches!(
            wakeup.reason,
            WakeReason::Delivery {
                from: NodeId::Broker(b),
                to: NodeId::Client(0),
                message: "ProduceResponse",
            } if b == leader
        );
        assert!(
            cluster.poll_outcomes().is_empty(),
            "not answered before {wakeup:?}"
        );
        cluster.advance(wakeup.at_ms - cluster.now());
        answer
    });
    assert!(answered, "the produce answer was a wake-up");
    let outcomes = cluster.poll_outcomes();
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0].result, Ok((0, 0)));
}

/// The heartbeats `broker` sends while the cluster runs `ms` more milliseconds (every message
/// is on the network for at least a millisecond, so stepping by one sees each).
fn heartbeats_sent(cluster: &mut Cluster, broker: u32, ms: i64) -> usize {
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..ms {
        cluster.advance(1);
        for (_, seq, envelope) in cluster.messages_in_flight() {
            if envelope.from == NodeId::Broker(broker)
                && envelope.message.name() == "BrokerHeartbeat"
            {
                seen.insert(seq);
            }
        }
    }
    seen.len()
}

#[test]
fn a_broker_restarted_before_its_next_heartbeat_keeps_one_heartbeat_an_interval() {
    let mut cluster = cluster(3, 4);
    cluster.advance(3_000);
    let interval = cluster.config().heartbeat_interval_ms;
    let before = heartbeats_sent(&mut cluster, 1, 10 * interval);
    // Killed and restarted at once: the heartbeat its earlier incarnation had scheduled is
    // still pending when the new incarnation schedules its own.
    cluster.kill_broker(1).expect("running");
    cluster.advance(1);
    cluster.restart_broker(1).expect("stopped");
    cluster.advance(3_000);
    let after = heartbeats_sent(&mut cluster, 1, 10 * interval);
    assert!(
        (9..=11).contains(&before),
        "{before} heartbeats in ten intervals"
    );
    assert_eq!(
        after, before,
        "one heartbeat per interval after the restart too"
    );
}

#[test]
fn a_stopped_broker_has_nothing_due() {
    use rill_core::cluster::WakeReason;
    let mut cluster = cluster(3, 5);
    cluster.create_topic("t", 3, 3, &[]).expect("valid");
    cluster.advance(3_000);
    cluster.shutdown_broker(2).expect("running");
    cluster.advance(10_000);
    assert!(!cluster.is_alive(2), "the controlled shutdown completed");
    // Ten minutes of wake-ups, one by one: none is the stopped broker's (its heartbeat, ISR
    // check or the shutdown deadline it no longer needs).
    let end = cluster.now() + 600_000;
    while let Some(wakeup) = cluster.next_wakeup_reason() {
        if wakeup.at_ms > end {
            break;
        }
        assert!(
            !matches!(
                wakeup.reason,
                WakeReason::Heartbeat { broker: 2 }
                    | WakeReason::IsrExpiration { broker: 2 }
                    | WakeReason::BrokerStop { broker: 2 }
            ),
            "{wakeup:?}"
        );
        cluster.advance((wakeup.at_ms - cluster.now()).max(1));
    }
}
