//! Exporting a session as a shell script of Kafka's own tools.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rill_core::scenario::{CANNOT, World, parse, to_kafka_cli};

#[test]
fn a_session_exports_as_kafka_cli_commands_and_names_what_it_cannot_express() {
    let script = parse(
        "seed 5\nbrokers 3\nbroker-config offsets.topic.num.partitions=1\n\
         kafka-topics --create --topic orders --partitions 3 --replication-factor 3 --config min.insync.replicas=2\n\
         kafka-console-producer --topic orders --property parse.key=true --property key.separator=:\n\
         alice:1\nbob:it's 2\n\n\
         produce --topic orders --key k --tombstone\n\
         produce --topic orders --partition 2 --value direct\n\
         advance 2s\n\
         kafka-configs --alter --entity-type topics --entity-name orders --add-config retention.ms=60000,cleanup.policy=[compact,delete]\n\
         kafka-reassign-partitions --execute --reassignment-json '{\"partitions\":[{\"topic\":\"orders\",\"partition\":0,\"replicas\":[2,1,0]}]}'\n\
         kafka-delete-records --offset-json '{\"partitions\":[{\"topic\":\"orders\",\"partition\":1,\"offset\":-1}]}'\n\
         kafka-leader-election --election-type preferred --all-topic-partitions\n\
         consumer join billing c1 --topic orders --assignor cooperative-sticky --commit sync --processing-time 10ms\n\
         advance 5s\n\
         consumer leave billing c1\n\
         advance 3s\n\
         kafka-consumer-groups --reset-offsets --group billing --topic orders:0,1 --to-earliest --execute\n\
         kafka-consumer-groups --delete --group billing\n\
         kill broker 2\n\
         producer start p --topic orders --rate 5\n\
         advance 1s\n\
         kafka-topics --alter --topic orders --partitions 6\n\
         kafka-topics --delete --topic orders\n",
    )
    .expect("a valid script");
    let mut world = World::new(script.config.clone()).expect("valid");
    for step in &script.steps {
        world
            .apply(step.command.clone())
            .unwrap_or_else(|e| panic!("line {}: {e}", step.line));
    }
    let cli = to_kafka_cli(world.config(), world.history());
    let expected_lines = [
        "#!/bin/sh",
        "set -e",
        "kafka-topics.sh --bootstrap-server localhost:9092 --create --topic orders --partitions 3 --replication-factor 3 --config min.insync.replicas=2",
        "kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders --property parse.key=true --property key.separator=: --property 'null.marker=<null>' <<'EOF'",
        "alice:1",
        "bob:it's 2",
        "k:<null>",
        "EOF",
        "# rill: cannot be expressed: produce --topic orders --partition 2 --value direct (kafka-console-producer.sh cannot choose a partition)",
        "# rill: cannot be expressed: advance 2s (a real cluster's clock runs by itself)",
        "kafka-configs.sh --bootstrap-server localhost:9092 --alter --entity-type topics --entity-name orders --add-config 'retention.ms=60000,cleanup.policy=[compact,delete]'",
        "cat > reassignment-1.json <<'EOF'",
        "{\"version\":1,\"partitions\":[{\"topic\":\"orders\",\"partition\":0,\"replicas\":[2,1,0],\"log_dirs\":[\"any\",\"any\",\"any\"]}]}",
        "kafka-reassign-partitions.sh --bootstrap-server localhost:9092 --reassignment-json-file reassignment-1.json --execute",
        "cat > delete-records-2.json <<'EOF'",
        "kafka-delete-records.sh --bootstrap-server localhost:9092 --offset-json-file delete-records-2.json",
        "kafka-leader-election.sh --bootstrap-server localhost:9092 --election-type PREFERRED --all-topic-partitions",
        "# rill: cannot be expressed: consumer leave billing c1 (stop that console consumer's process (Ctrl-C))",
        "kafka-consumer-groups.sh --bootstrap-server localhost:9092 --group billing --reset-offsets --topic orders:0,1 --to-earliest --execute",
        "kafka-consumer-groups.sh --bootstrap-server localhost:9092 --delete --group billing",
        "# rill: cannot be expressed: kill broker 2 (kill -9 that broker's process)",
        "kafka-topics.sh --bootstrap-server localhost:9092 --alter --topic orders --partitions 6",
        "kafka-topics.sh --bootstrap-server localhost:9092 --delete --topic orders",
    ];
    let lines: Vec<&str> = cli.lines().collect();
    let mut at = 0;
    for expected in expected_lines {
        let found = lines[at..]
            .iter()
            .position(|l| *l == expected)
            .unwrap_or_else(|| panic!("missing or out of order: {expected}\n{cli}"));
        at += found + 1;
    }
    let consumer = lines
        .iter()
        .find(|l| l.starts_with("kafka-console-consumer.sh"))
        .expect("the member runs as a console consumer");
    for part in [
        "--topic orders",
        "--group billing",
        "client.id=c1",
        "partition.assignment.strategy=org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
        "enable.auto.commit=false",
        "> /dev/null &",
    ] {
        assert!(consumer.contains(part), "{part} in {consumer}");
    }
    assert!(cli.contains(&format!(
        "{CANNOT} the member c1's commitSync after each batch and 10 ms of processing per record"
    )));
    assert!(cli.contains(&format!(
        "{CANNOT} producer start p --topic orders --rate 5 ("
    )));
    // Every step either became a Kafka command or is named as inexpressible.
    let commands = lines.iter().filter(|l| l.starts_with("kafka-")).count();
    let cannot = lines.iter().filter(|l| l.starts_with(CANNOT)).count();
    assert_eq!(commands, 11);
    assert_eq!(cannot, 9);
}
