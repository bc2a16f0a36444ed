//! The network strip's model and the lanes kept while out of sight, natively.

use rill_core::cluster::{Acks, Cluster, ClusterConfig};
use rill_core::record::NewRecord;

use super::network::{Endpoint, FLIGHTS_MAX, FlightKind, Flights, read_in_flight};
use super::*;

fn record(key: &str) -> NewRecord {
    NewRecord {
        key: Some(key.as_bytes().to_vec()),
        value: Some(b"v".to_vec()),
        headers: vec![],
        timestamp: None,
    }
}

fn cluster_with_topic(partitions: u32) -> Cluster {
    let mut cluster = Cluster::new(ClusterConfig::new(3, 11), 0).expect("a valid cluster");
    cluster
        .create_topic("orders", partitions, 3, &[])
        .expect("created");
    cluster.advance(1_000);
    cluster
}

#[test]
fn a_produce_is_read_on_the_wire_as_kafka_names_it_from_the_client_to_the_leader() {
    let mut cluster = cluster_with_topic(1);
    let leader = cluster
        .registration("orders", 0)
        .and_then(|r| r.leader)
        .expect("a leader");
    cluster.produce(5, "orders", 0, Acks::All, vec![record("alice")]);
    // The request is sent by the next advance, and is on the wire until its latency passes.
    cluster.advance(0);
    let wire = read_in_flight(&cluster);
    let produce = wire
        .iter()
        .find(|m| m.api == "Produce")
        .expect("the produce request is in flight");
    assert_eq!(produce.from, Endpoint::Clients);
    assert_eq!(produce.to, Endpoint::Broker(leader));
    assert_eq!(produce.kind, FlightKind::Produce);
    assert!(!produce.polling);
    assert!(produce.deliver_at > cluster.now());
    // Follower fetches are the polling kind, broker to broker.
    cluster.advance(50);
    let wire = read_in_flight(&cluster);
    assert!(
        wire.iter()
            .filter(|m| m.api == "Fetch")
            .all(|m| m.polling && matches!(m.to, Endpoint::Broker(_)))
    );
    assert!(
        wire.iter().all(|m| m.from != m.to),
        "nothing is drawn going nowhere"
    );
}

#[test]
fn flights_are_bounded_one_per_link_and_api_and_linger_for_the_animation_while_time_runs() {
    let mut cluster = cluster_with_topic(12);
    let mut flights = Flights::default();
    let mut most = 0;
    let mut seen_kinds = std::collections::BTreeSet::new();
    for _ in 0..200 {
        for p in 0..12 {
            cluster.produce(7, "orders", p, Acks::All, vec![record("k")]);
        }
        cluster.advance(1);
        flights.frame(&read_in_flight(&cluster), cluster.now(), true, 1.0);
        most = most.max(flights.drawn.len());
        for f in &flights.drawn {
            seen_kinds.insert(f.message.kind);
            let same = flights
                .drawn
                .iter()
                .filter(|g| {
                    g.message.from == f.message.from
                        && g.message.to == f.message.to
                        && g.message.api == f.message.api
                })
                .count();
            assert_eq!(same, 1, "one message per link and API at once");
        }
    }
    assert!(
        most <= FLIGHTS_MAX,
        "at most {FLIGHTS_MAX} drawn, saw {most}"
    );
    assert!(most > 3, "a busy wire draws several messages, saw {most}");
    assert!(seen_kinds.contains(&FlightKind::Produce));
    assert!(seen_kinds.contains(&FlightKind::Replication));
    // A drawn message stays while its animation plays (450 ms of wall time at 1×), then goes.
    let now = cluster.now();
    let first = flights.drawn.first().cloned().expect("something drawn");
    assert!(first.until > now - 1 && first.until <= now + 450);
    flights.frame(&[], now + 451, true, 1.0);
    assert!(flights.drawn.is_empty(), "all gone once their time is up");
}

#[test]
fn in_pause_a_step_draws_exactly_what_is_on_the_wire_where_it_is() {
    let mut cluster = cluster_with_topic(1);
    let mut flights = Flights::default();
    cluster.produce(1, "orders", 0, Acks::All, vec![record("alice")]);
    cluster.advance(0);
    let wire = read_in_flight(&cluster);
    flights.frame(&wire, cluster.now(), false, 1.0);
    assert!(!flights.running);
    assert!(flights.drawn.iter().any(|f| f.message.api == "Produce"));
    for f in &flights.drawn {
        let p = f.progress(cluster.now());
        assert!((0.0..=1.0).contains(&p));
    }
    // Once delivered, a still picture no longer shows it.
    while read_in_flight(&cluster).iter().any(|m| m.api == "Produce") {
        let next = cluster.next_wakeup().expect("the produce is due");
        cluster.advance(next - cluster.now());
    }
    flights.frame(&read_in_flight(&cluster), cluster.now(), false, 1.0);
    assert!(!flights.drawn.iter().any(|f| f.message.api == "Produce"));
}

#[test]
fn a_lane_out_of_sight_keeps_what_was_drawn_and_is_read_again_in_view() {
    let mut cluster = cluster_with_topic(2);
    for i in 0..5 {
        cluster.produce(i, "orders", 1, Acks::All, vec![record("bob")]);
    }
    cluster.advance(100);
    let mut model = Model::default();
    let view = ClusterView::read(&cluster, &model.read_options());
    model.apply(Action::Opened {
        persistence: Persistence::Memory(None),
        view,
    });
    let drawn = |model: &Model| {
        model.view.topic("orders").expect("drawn").partitions[1]
            .lane
            .as_ref()
            .map(|l| l.records.len())
    };
    assert_eq!(drawn(&model), Some(5));
    for i in 5..8 {
        cluster.produce(i, "orders", 1, Acks::All, vec![record("bob")]);
    }
    cluster.advance(100);
    let mut options = model.read_options();
    options.offscreen.insert(("orders".to_owned(), 1));
    let view = ClusterView::read(&cluster, &options);
    let p1 = &view.topic("orders").expect("read").partitions[1];
    assert!(
        p1.lane_skipped && p1.lane.is_none(),
        "not read while out of sight"
    );
    assert_eq!(p1.log_end_offset, 8, "its offsets are still read");
    model.apply(Action::Frame {
        view,
        events: Vec::new(),
    });
    assert_eq!(drawn(&model), Some(5), "the lane drawn before is kept");
    let view = ClusterView::read(&cluster, &model.read_options());
    model.apply(Action::Frame {
        view,
        events: Vec::new(),
    });
    assert_eq!(drawn(&model), Some(8), "back in sight, read again");
}

#[test]
fn a_controlled_shutdowns_heartbeats_and_their_answers_are_controller_traffic() {
    let mut cluster = cluster_with_topic(1);
    cluster.shutdown_broker(2).expect("running");
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..200 {
        for message in read_in_flight(&cluster) {
            if message.api.starts_with("BrokerHeartbeat") {
                assert_eq!(message.kind, FlightKind::Controller, "{message:?}");
            }
            seen.insert(message.api);
        }
        cluster.advance(1);
    }
    assert!(seen.contains("BrokerHeartbeat"), "{seen:?}");
    assert!(seen.contains("BrokerHeartbeat response"), "{seen:?}");
    assert!(
        !seen.contains("Request"),
        "every message has its Kafka name: {seen:?}"
    );
}
