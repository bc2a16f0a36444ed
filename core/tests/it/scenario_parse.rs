//! The scenario script language: every verb reads into the command it names, every error
//! names its line, column, what was expected and what was found, and text written from
//! commands reads back the same.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rill_core::cluster::Acks;
use rill_core::consumer::AutoOffsetReset;
use rill_core::group::TopicPartition;
use rill_core::scenario::{
    Command, CommitMode, CompareOp, ExpectValue, Expectation, KeyPattern, MemberSpec, NetNode,
    ProduceRecord, ProducerSpec, ResetScope, ResetSpec, Subject, WorldConfig, commands_to_text,
    parse, parse_datetime, to_text,
};

fn one(text: &str) -> Command {
    let script = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    assert_eq!(script.steps.len(), 1, "{text}");
    script.steps[0].command.clone()
}

fn tp(topic: &str, partition: u32) -> TopicPartition {
    TopicPartition::new(topic, partition)
}

fn record(topic: &str, key: Option<&str>, value: Option<&str>, acks: Acks) -> Command {
    Command::Produce(ProduceRecord {
        topic: topic.into(),
        partition: None,
        key: key.map(Into::into),
        value: value.map(Into::into),
        headers: vec![],
        acks,
    })
}

#[test]
fn the_header_sets_the_world() {
    let script = parse(
        "# a comment\n\nseed 42\nbrokers 5\nlatency 2ms jitter 3ms\n\
         broker-config offsets.topic.num.partitions=7\nbroker-config replica.lag.time.max.ms=10000\n",
    )
    .expect("a header");
    let cluster = &script.config.cluster;
    assert_eq!((cluster.seed, cluster.brokers), (42, 5));
    assert_eq!((cluster.latency.base_ms, cluster.latency.jitter_ms), (2, 3));
    assert_eq!(cluster.offsets_topic_partitions, 7);
    assert_eq!(cluster.replica_lag_time_max_ms, 10_000);
    assert!(script.steps.is_empty());
    let back = parse(&to_text(&script.config, &[])).expect("reads back");
    assert_eq!(back.config, script.config);
    assert_eq!(parse("").expect("empty").config, WorldConfig::default());
}

#[test]
fn kafka_topics_create_delete_alter() {
    assert_eq!(
        one(
            "kafka-topics --bootstrap-server localhost:9092 --create --topic orders --partitions 3 --replication-factor 2 --config min.insync.replicas=2 --config cleanup.policy=compact"
        ),
        Command::CreateTopic {
            topic: "orders".into(),
            partitions: 3,
            replication_factor: 2,
            configs: vec![
                ("min.insync.replicas".into(), "2".into()),
                ("cleanup.policy".into(), "compact".into())
            ],
        }
    );
    assert_eq!(
        one("kafka-topics.sh --create --topic=t"),
        Command::CreateTopic {
            topic: "t".into(),
            partitions: 1,
            replication_factor: 1,
            configs: vec![],
        }
    );
    assert_eq!(
        one("kafka-topics --delete --topic t"),
        Command::DeleteTopic { topic: "t".into() }
    );
    assert_eq!(
        one("kafka-topics --alter --topic t --partitions 6"),
        Command::CreatePartitions {
            topic: "t".into(),
            total: 6
        }
    );
}

#[test]
fn kafka_configs_alter() {
    assert_eq!(
        one(
            "kafka-configs --alter --entity-type topics --entity-name t --add-config retention.ms=1000,cleanup.policy=[compact,delete] --delete-config segment.ms,flush.ms"
        ),
        Command::AlterConfigs {
            topic: "t".into(),
            set: vec![
                ("retention.ms".into(), "1000".into()),
                ("cleanup.policy".into(), "compact,delete".into())
            ],
            delete: vec!["segment.ms".into(), "flush.ms".into()],
        }
    );
    assert_eq!(
        one("kafka-configs --alter --topic t --delete-config segment.ms"),
        Command::AlterConfigs {
            topic: "t".into(),
            set: vec![],
            delete: vec!["segment.ms".into()],
        }
    );
}

#[test]
fn console_producer_lines_are_records_until_a_blank_line_or_a_command() {
    let script = parse(
        "kafka-console-producer --topic t --property parse.key=true --property key.separator=:\n\
         alice:1\n# not a comment: a record\nbob:x:y\n\n\
         kafka-console-producer --topic t --producer-property acks=1\n\
         plain value\n\
         advance 1s\n\
         kafka-console-producer --topic u --request-required-acks 0 --property parse.key=true --property null.marker=NULL\n\
         NULL\tv\n\
         k\tNULL\n",
    )
    .expect("valid");
    let commands = script.commands();
    assert_eq!(
        commands,
        vec![
            record("t", Some("alice"), Some("1"), Acks::All),
            record("t", Some("# not a comment"), Some(" a record"), Acks::All),
            record("t", Some("bob"), Some("x:y"), Acks::All),
            record("t", None, Some("plain value"), Acks::Leader),
            Command::Advance { ms: 1_000 },
            record("u", None, Some("v"), Acks::None),
            record("u", Some("k"), None, Acks::None),
        ]
    );
    let lines: Vec<usize> = script.steps.iter().map(|s| s.line).collect();
    assert_eq!(lines, vec![2, 3, 4, 7, 8, 10, 11]);
    let headers = one(
        "kafka-console-producer --topic t --property parse.headers=true --property parse.key=true --property key.separator=:\nh1:a,h2\tk:v",
    );
    assert_eq!(
        headers,
        Command::Produce(ProduceRecord {
            topic: "t".into(),
            partition: None,
            key: Some("k".into()),
            value: Some("v".into()),
            headers: vec![("h1".into(), Some("a".into())), ("h2".into(), None)],
            acks: Acks::All,
        })
    );
}

#[test]
fn produce_takes_a_partition_headers_and_tombstones() {
    assert_eq!(
        one(
            "produce --topic t --partition 2 --key k --value \"a b\" --header h=1 --header n --acks 1"
        ),
        Command::Produce(ProduceRecord {
            topic: "t".into(),
            partition: Some(2),
            key: Some("k".into()),
            value: Some("a b".into()),
            headers: vec![("h".into(), Some("1".into())), ("n".into(), None)],
            acks: Acks::Leader,
        })
    );
    assert_eq!(
        one("produce --topic t --key k --tombstone"),
        record("t", Some("k"), None, Acks::All)
    );
}

#[test]
fn console_consumer_joins_a_member() {
    let script = parse(
        "kafka-console-consumer --topic t --group g --from-beginning --consumer-property max.poll.records=10 --property print.key=true\n\
         kafka-console-consumer --topic t\n",
    )
    .expect("valid");
    assert_eq!(
        script.steps[0].command,
        Command::MemberJoin {
            group: "g".into(),
            member: "console-consumer-1".into(),
            spec: MemberSpec {
                topics: vec!["t".into()],
                auto_offset_reset: AutoOffsetReset::Earliest,
                max_poll_records: 10,
                ..MemberSpec::default()
            },
        }
    );
    assert_eq!(
        script.steps[1].command,
        Command::MemberJoin {
            group: "console-consumer-2".into(),
            member: "console-consumer-2".into(),
            spec: MemberSpec {
                topics: vec!["t".into()],
                ..MemberSpec::default()
            },
        }
    );
}

#[test]
fn consumer_groups_reset_offsets_and_delete() {
    let reset = |args: &str, scope: ResetScope, target: ResetSpec| {
        assert_eq!(
            one(&format!(
                "kafka-consumer-groups --reset-offsets --group g {args} --execute"
            )),
            Command::ResetOffsets {
                group: "g".into(),
                scope,
                target
            },
            "{args}"
        );
    };
    let topic = |t: &str| ResetScope::Topics(vec![(t.into(), None)]);
    reset("--topic t --to-earliest", topic("t"), ResetSpec::Earliest);
    reset("--topic t --to-latest", topic("t"), ResetSpec::Latest);
    reset("--topic t --to-offset 5", topic("t"), ResetSpec::Offset(5));
    reset(
        "--topic t --shift-by -3",
        topic("t"),
        ResetSpec::ShiftBy(-3),
    );
    reset(
        "--topic t:0,2 --topic u --to-datetime 2024-01-01T00:00:10.500",
        ResetScope::Topics(vec![("t".into(), Some(vec![0, 2])), ("u".into(), None)]),
        ResetSpec::Datetime(1_704_067_210_500),
    );
    reset(
        "--all-topics --to-earliest",
        ResetScope::AllTopics,
        ResetSpec::Earliest,
    );
    assert_eq!(
        one("kafka-consumer-groups --delete --group g"),
        Command::DeleteGroup { group: "g".into() }
    );
    assert_eq!(parse_datetime("1970-01-01T00:00:00"), Some(0));
    assert_eq!(
        parse_datetime("2024-02-29T23:59:59.999Z"),
        Some(1_709_251_199_999)
    );
    assert_eq!(parse_datetime("2023-02-29T00:00:00"), None);
}

#[test]
fn json_tools_take_json_inline_or_on_the_following_lines() {
    let plan = Command::Reassign {
        partitions: vec![(tp("t", 0), vec![1, 2, 0]), (tp("u", 1), vec![2])],
    };
    let json = r#"{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2,0],"log_dirs":["any","any","any"]},{"topic":"u","partition":1,"replicas":[2]}]}"#;
    assert_eq!(
        one(&format!(
            "kafka-reassign-partitions --execute --reassignment-json '{json}'"
        )),
        plan
    );
    let multi_line = "kafka-reassign-partitions --bootstrap-server b:9092 --reassignment-json-file plan.json --execute\n{\"version\": 1,\n \"partitions\": [{\"topic\": \"t\", \"partition\": 0, \"replicas\": [1, 2, 0]},\n  {\"topic\": \"u\", \"partition\": 1, \"replicas\": [2]}]}\nadvance 1s\n";
    let script = parse(multi_line).expect("valid");
    assert_eq!(
        script.commands(),
        vec![plan.clone(), Command::Advance { ms: 1_000 }]
    );
    assert_eq!(script.steps[1].line, 5);
    let trailing = "kafka-reassign-partitions --execute --reassignment-json\n{\"partitions\":[{\"topic\":\"t\",\"partition\":0,\"replicas\":[1,2,0]},{\"topic\":\"u\",\"partition\":1,\"replicas\":[2]}]}\n";
    assert_eq!(parse(trailing).expect("valid").commands(), vec![plan]);
    assert_eq!(
        one(
            r#"kafka-delete-records --offset-json '{"partitions":[{"topic":"t","partition":0,"offset":3}],"version":1}'"#
        ),
        Command::DeleteRecords {
            partitions: vec![(tp("t", 0), 3)]
        }
    );
    assert_eq!(
        one(
            "kafka-delete-records --offset-json-file offsets.json\n{\"partitions\":[{\"topic\":\"t\",\"partition\":1,\"offset\":-1}]}"
        ),
        Command::DeleteRecords {
            partitions: vec![(tp("t", 1), -1)]
        }
    );
    assert_eq!(
        one("kafka-leader-election --election-type PREFERRED --all-topic-partitions"),
        Command::ElectPreferred { partitions: None }
    );
    assert_eq!(
        one("kafka-leader-election --election-type preferred --topic t --partition 2"),
        Command::ElectPreferred {
            partitions: Some(vec![tp("t", 2)])
        }
    );
    assert_eq!(
        one(
            r#"kafka-leader-election --election-type preferred --path-to-json '{"partitions":[{"topic":"t","partition":0},{"topic":"t","partition":1}]}'"#
        ),
        Command::ElectPreferred {
            partitions: Some(vec![tp("t", 0), tp("t", 1)])
        }
    );
}

#[test]
fn rill_verbs() {
    assert_eq!(one("kill broker 2"), Command::KillBroker { broker: 2 });
    assert_eq!(
        one("restart broker 0"),
        Command::RestartBroker { broker: 0 }
    );
    assert_eq!(
        one("shutdown broker 1"),
        Command::ShutdownBroker { broker: 1 }
    );
    assert_eq!(
        one("partition network [0, controller] [1,2, producer:p1, consumer:g/c3]"),
        Command::PartitionNetwork {
            side_a: vec![NetNode::Broker(0), NetNode::Controller],
            side_b: vec![
                NetNode::Broker(1),
                NetNode::Broker(2),
                NetNode::Producer("p1".into()),
                NetNode::Member {
                    group: "g".into(),
                    member: "c3".into()
                }
            ],
        }
    );
    assert_eq!(one("heal"), Command::Heal);
    assert_eq!(
        one("slow broker 1 200ms"),
        Command::SlowBroker {
            broker: 1,
            extra_ms: 200
        }
    );
    for (text, ms) in [
        ("advance 10s", 10_000),
        ("advance 250ms", 250),
        ("advance 2m", 120_000),
        ("advance 0ms", 0),
    ] {
        assert_eq!(one(text), Command::Advance { ms });
    }
    assert_eq!(
        one("producer start p1 --topic t --rate 50 --keys alice,bob --acks all"),
        Command::ProducerStart {
            name: "p1".into(),
            spec: ProducerSpec {
                topic: "t".into(),
                rate: 50,
                keys: KeyPattern::Cycle(vec!["alice".into(), "bob".into()]),
                acks: Acks::All
            }
        }
    );
    assert_eq!(
        one("producer start p2 --topic t --rate 5 --random-keys [a, b] --acks 0"),
        Command::ProducerStart {
            name: "p2".into(),
            spec: ProducerSpec {
                topic: "t".into(),
                rate: 5,
                keys: KeyPattern::Random(vec!["a".into(), "b".into()]),
                acks: Acks::None
            }
        }
    );
    assert_eq!(
        one("producer pause p1"),
        Command::ProducerPause { name: "p1".into() }
    );
    assert_eq!(
        one("producer resume p1"),
        Command::ProducerResume { name: "p1".into() }
    );
    assert_eq!(
        one("producer stop p1"),
        Command::ProducerStop { name: "p1".into() }
    );
    assert_eq!(
        one(
            "consumer join billing c3 --topic t,u --assignor cooperative-sticky --assignor range --commit async --processing-time 20ms --consumer-property group.instance.id=i3 --consumer-property session.timeout.ms=10000 --consumer-property heartbeat.interval.ms=1000 --consumer-property max.poll.interval.ms=60000 --consumer-property auto.offset.reset=none --consumer-property max.poll.records=5"
        ),
        Command::MemberJoin {
            group: "billing".into(),
            member: "c3".into(),
            spec: MemberSpec {
                topics: vec!["t".into(), "u".into()],
                assignors: vec!["cooperative-sticky".into(), "range".into()],
                group_instance_id: Some("i3".into()),
                session_timeout_ms: 10_000,
                heartbeat_interval_ms: 1_000,
                max_poll_interval_ms: 60_000,
                auto_offset_reset: AutoOffsetReset::None,
                commit: CommitMode::Async,
                max_poll_records: 5,
                processing_ms: 20,
            }
        }
    );
    let join = |options: &str| match one(&format!("consumer join g m --topic t {options}")) {
        Command::MemberJoin { spec, .. } => spec.commit,
        other => panic!("{other:?}"),
    };
    assert_eq!(join(""), CommitMode::Auto { interval_ms: 5_000 });
    assert_eq!(
        join("--consumer-property auto.commit.interval.ms=100"),
        CommitMode::Auto { interval_ms: 100 }
    );
    assert_eq!(
        join("--consumer-property enable.auto.commit=false"),
        CommitMode::Never
    );
    assert_eq!(join("--commit sync"), CommitMode::Sync);
    assert_eq!(join("--commit none"), CommitMode::Never);
    let member = |verb: &str| one(&format!("consumer {verb} g m"));
    let (g, m) = (String::from("g"), String::from("m"));
    assert_eq!(
        member("leave"),
        Command::MemberLeave {
            group: g.clone(),
            member: m.clone()
        }
    );
    assert_eq!(
        member("crash"),
        Command::MemberCrash {
            group: g.clone(),
            member: m.clone()
        }
    );
    assert_eq!(
        member("cut"),
        Command::MemberCut {
            group: g.clone(),
            member: m.clone()
        }
    );
    assert_eq!(
        member("restart"),
        Command::MemberRestart {
            group: g.clone(),
            member: m.clone()
        }
    );
    assert_eq!(
        member("slow"),
        Command::MemberSlow {
            group: g.clone(),
            member: m.clone(),
            processing_ms: None
        }
    );
    assert_eq!(
        one("consumer slow g m --processing-time 6m"),
        Command::MemberSlow {
            group: g,
            member: m,
            processing_ms: Some(360_000)
        }
    );
}

#[test]
fn expectations() {
    let expect = |text: &str| match one(&format!("expect {text}")) {
        Command::Expect(e) => e,
        other => panic!("{other:?}"),
    };
    let e = |subject, op, value| Expectation { subject, op, value };
    let list = |items: &[&str]| ExpectValue::List(items.iter().map(|s| (*s).to_owned()).collect());
    let word = |w: &str| ExpectValue::Word(w.into());
    use CompareOp::*;
    use ExpectValue::Number as N;
    let cases = [
        ("leader t-0 == 1", e(Subject::Leader(tp("t", 0)), Eq, N(1))),
        (
            "leader t:0 == none",
            e(Subject::Leader(tp("t", 0)), Eq, ExpectValue::None),
        ),
        (
            "isr my-topic-12 == [0, 2]",
            e(Subject::Isr(tp("my-topic", 12)), Eq, list(&["0", "2"])),
        ),
        (
            "replicas t-0 != []",
            e(Subject::Replicas(tp("t", 0)), Ne, list(&[])),
        ),
        (
            "leader-epoch t-0 >= 2",
            e(Subject::LeaderEpoch(tp("t", 0)), Ge, N(2)),
        ),
        (
            "hw t-0 == 3",
            e(Subject::HighWatermark(tp("t", 0), None), Eq, N(3)),
        ),
        (
            "hw t-0 on broker 2 < 3",
            e(Subject::HighWatermark(tp("t", 0), Some(2)), Lt, N(3)),
        ),
        (
            "log-start t-0 <= 0",
            e(Subject::LogStart(tp("t", 0), None), Le, N(0)),
        ),
        (
            "log-end t-0 on broker 1 > 0",
            e(Subject::LogEnd(tp("t", 0), Some(1)), Gt, N(0)),
        ),
        (
            "records t-0 == 2",
            e(Subject::Records(tp("t", 0), None), Eq, N(2)),
        ),
        (
            "keys t-0 == [a, null]",
            e(Subject::Keys(tp("t", 0), None), Eq, list(&["a", "null"])),
        ),
        (
            "values t-0 on broker 0 == [\"x y\"]",
            e(Subject::Values(tp("t", 0), Some(0)), Eq, list(&["x y"])),
        ),
        (
            "partitions t == 3",
            e(Subject::Partitions("t".into()), Eq, N(3)),
        ),
        (
            "topics == [t, u]",
            e(Subject::Topics, Eq, list(&["t", "u"])),
        ),
        (
            "broker 2 == stopped",
            e(Subject::Broker(2), Eq, word("stopped")),
        ),
        (
            "group-state g == Stable",
            e(Subject::GroupState("g".into()), Eq, word("Stable")),
        ),
        (
            "generation g == 2",
            e(Subject::Generation("g".into()), Eq, N(2)),
        ),
        (
            "assignor g == range",
            e(Subject::Assignor("g".into()), Eq, word("range")),
        ),
        ("members g == 3", e(Subject::Members("g".into()), Eq, N(3))),
        (
            "assignment g c1 == [t-0]",
            e(
                Subject::Assignment("g".into(), "c1".into()),
                Eq,
                list(&["t-0"]),
            ),
        ),
        (
            "member g c1 == cut-off",
            e(
                Subject::Member("g".into(), "c1".into()),
                Eq,
                word("cut-off"),
            ),
        ),
        (
            "committed g t-0 == none",
            e(
                Subject::Committed("g".into(), tp("t", 0)),
                Eq,
                ExpectValue::None,
            ),
        ),
        ("lag g == 0", e(Subject::Lag("g".into(), None), Eq, N(0))),
        (
            "lag g t-1 <= 5",
            e(Subject::Lag("g".into(), Some(tp("t", 1))), Le, N(5)),
        ),
        (
            "processed g == 10",
            e(Subject::Processed("g".into()), Eq, N(10)),
        ),
        (
            "duplicates g > 0",
            e(Subject::Duplicates("g".into()), Gt, N(0)),
        ),
        ("skipped g == 0", e(Subject::Skipped("g".into()), Eq, N(0))),
        ("sent p == 100", e(Subject::Sent("p".into()), Eq, N(100))),
        (
            "acked console == 1",
            e(Subject::Acked("console".into()), Eq, N(1)),
        ),
        ("failed p == 0", e(Subject::Failed("p".into()), Eq, N(0))),
        (
            "produce-error p == NOT_ENOUGH_REPLICAS",
            e(
                Subject::ProduceError("p".into()),
                Eq,
                word("NOT_ENOUGH_REPLICAS"),
            ),
        ),
        ("error == none", e(Subject::Error, Eq, word("none"))),
        (
            "error != UNKNOWN_TOPIC_OR_PARTITION",
            e(Subject::Error, Ne, word("UNKNOWN_TOPIC_OR_PARTITION")),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(expect(text), expected, "{text}");
        let written = commands_to_text(&[Command::Expect(expected.clone())]);
        assert_eq!(one(&written), Command::Expect(expected), "{written}");
    }
}

/// Each error: (script, line, column, what was expected (a prefix), what was found).
#[test]
fn every_error_names_line_column_expected_and_found() {
    let cases: &[(&str, usize, usize, &str, &str)] = &[
        (
            "frobnicate now",
            1,
            1,
            "a command (kafka-topics, ",
            "\"frobnicate\"",
        ),
        ("heal\nseed 3", 2, 1, "a command (header lines", "\"seed\""),
        (
            "seed x",
            1,
            6,
            "a seed (an unsigned 64-bit number)",
            "\"x\"",
        ),
        ("brokers 65", 1, 9, "a broker count from 1 to 64", "\"65\""),
        (
            "brokers",
            1,
            8,
            "a broker count from 1 to 64",
            "the end of the line",
        ),
        ("latency 0ms", 1, 9, "a latency of at least 1ms", "\"0ms\""),
        ("latency 1ms wobble 2ms", 1, 13, "\"jitter\"", "\"wobble\""),
        ("latency 1ms jitter x", 1, 20, "a jitter, like 2ms", "\"x\""),
        (
            "broker-config nope=1",
            1,
            15,
            "name=value with a name of broker.heartbeat",
            "\"nope=1\"",
        ),
        (
            "broker-config request.timeout.ms=0",
            1,
            15,
            "a value from 1 to 2147483647",
            "\"request.timeout.ms=0\"",
        ),
        ("kill 2", 1, 6, "\"broker\"", "\"2\""),
        ("restart broker x", 1, 16, "a broker id", "\"x\""),
        ("partition [0] [1]", 1, 11, "\"network\"", "the list [0]"),
        (
            "partition network 0 [1]",
            1,
            19,
            "a list of nodes like",
            "\"0\"",
        ),
        (
            "partition network [0, bogus] [1]",
            1,
            19,
            "a list of nodes like",
            "the list [0, bogus]",
        ),
        (
            "partition network [0] []",
            1,
            1,
            "a valid command",
            "each side of a network partition",
        ),
        (
            "slow broker 1 fast",
            1,
            15,
            "an added latency, like 200ms",
            "\"fast\"",
        ),
        (
            "advance 10",
            1,
            9,
            "a duration, like 500ms, 10s or 2m",
            "\"10\"",
        ),
        ("advance 1s 2s", 1, 12, "the end of the line", "\"2s\""),
        ("heal now", 1, 6, "the end of the line", "\"now\""),
        (
            "kafka-topics --create --topic t --bogus",
            1,
            33,
            "an option: --bootstrap-server,",
            "\"--bogus\"",
        ),
        (
            "kafka-topics --create=1 --topic t",
            1,
            14,
            "--create without a value",
            "\"--create=1\"",
        ),
        (
            "kafka-topics --create --topic",
            1,
            30,
            "a value for --topic",
            "the end of the line",
        ),
        (
            "kafka-topics --create --topic t --topic u",
            1,
            41,
            "--topic only once",
            "\"u\"",
        ),
        (
            "kafka-topics --create --partitions 3",
            1,
            37,
            "the option --topic",
            "the end of the line",
        ),
        (
            "kafka-topics --topic t",
            1,
            23,
            "exactly one of --create, --delete, --alter",
            "the end of the line",
        ),
        (
            "kafka-topics --create --delete --topic t",
            1,
            23,
            "exactly one of --create, --delete, --alter",
            "\"--delete\"",
        ),
        (
            "kafka-topics --create --topic t --partitions x",
            1,
            46,
            "a positive number",
            "\"x\"",
        ),
        (
            "kafka-topics --create --topic t --config retention",
            1,
            42,
            "a topic config name=value",
            "\"retention\"",
        ),
        (
            "kafka-topics --alter --topic t",
            1,
            31,
            "--partitions (the new partition count)",
            "the end of the line",
        ),
        (
            "kafka-configs --alter --entity-type brokers --entity-name 0 --add-config a=1",
            1,
            37,
            "--entity-type topics",
            "\"brokers\"",
        ),
        (
            "kafka-configs --alter --topic t --add-config a",
            1,
            46,
            "name=value pairs separated by commas",
            "\"a\"",
        ),
        (
            "kafka-configs --alter --topic t --add-config a=[1,2",
            1,
            46,
            "name=value pairs separated by commas",
            "\"a=[1,2\"",
        ),
        (
            "kafka-configs --alter --topic t",
            1,
            1,
            "a valid command",
            "kafka-configs --alter needs --add-config or --delete-config",
        ),
        (
            "kafka-console-producer --topic t --request-required-acks 2",
            1,
            58,
            "acks: all, -1, 1 or 0",
            "\"2\"",
        ),
        (
            "kafka-console-producer --topic t --producer-property linger.ms=5",
            1,
            54,
            "acks=all|1|0 (the only producer property)",
            "\"linger.ms=5\"",
        ),
        (
            "kafka-console-producer --topic t --property print.key=true",
            1,
            45,
            "a property: parse.key,",
            "\"print.key=true\"",
        ),
        (
            "kafka-console-producer --topic t --property parse.key=yes",
            1,
            45,
            "true or false",
            "\"parse.key=yes\"",
        ),
        (
            "kafka-console-producer --topic t --property key.separator=",
            1,
            45,
            "a non-empty value",
            "\"key.separator=\"",
        ),
        (
            "kafka-console-producer --topic t --property parse.key=true\nno separator",
            2,
            1,
            "a key and the key separator \"\\t\" (Kafka: \"No key separator found on line number 1\")",
            "\"no separator\"",
        ),
        (
            "kafka-console-producer --topic t --property parse.headers=true\nh:1",
            2,
            1,
            "headers and the headers delimiter",
            "\"h:1\"",
        ),
        (
            "kafka-console-consumer --group 'a b' --topic t",
            1,
            32,
            "a group id (1 to 249 characters",
            "\"a b\"",
        ),
        (
            "kafka-console-consumer --topic t --property print.offset=true --property x=1",
            1,
            74,
            "a formatter property like print.key=true",
            "\"x=1\"",
        ),
        (
            "kafka-console-consumer --group g",
            1,
            33,
            "the option --topic",
            "the end of the line",
        ),
        (
            "kafka-consumer-groups --reset-offsets --group g --topic t --to-earliest",
            1,
            72,
            "--execute (rill runs no dry runs)",
            "the end of the line",
        ),
        (
            "kafka-consumer-groups --reset-offsets --group g --to-earliest --execute",
            1,
            72,
            "--topic or --all-topics",
            "the end of the line",
        ),
        (
            "kafka-consumer-groups --reset-offsets --group g --topic t --execute",
            1,
            68,
            "exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime, --shift-by",
            "the end of the line",
        ),
        (
            "kafka-consumer-groups --reset-offsets --group g --topic t --to-offset x --execute",
            1,
            71,
            "an offset",
            "\"x\"",
        ),
        (
            "kafka-consumer-groups --reset-offsets --group g --topic t --shift-by x --execute",
            1,
            70,
            "a number of offsets (negative moves back)",
            "\"x\"",
        ),
        (
            "kafka-consumer-groups --reset-offsets --group g --topic t --to-datetime yesterday --execute",
            1,
            73,
            "a date-time like 2024-01-01T00:00:00.000",
            "\"yesterday\"",
        ),
        (
            "kafka-consumer-groups --reset-offsets --group g --topic t:0,x --to-earliest --execute",
            1,
            57,
            "topic:0,1,2",
            "\"t:0,x\"",
        ),
        (
            "kafka-consumer-groups --delete --group 'bad group'",
            1,
            40,
            "a group id (1 to 249 characters",
            "\"bad group\"",
        ),
        (
            "kafka-consumer-groups --group g",
            1,
            32,
            "exactly one of --reset-offsets, --delete",
            "the end of the line",
        ),
        (
            "kafka-reassign-partitions --reassignment-json '{}'",
            1,
            51,
            "--execute (rill does not generate, verify or cancel reassignments)",
            "the end of the line",
        ),
        (
            "kafka-reassign-partitions --execute",
            1,
            36,
            "--reassignment-json or --reassignment-json-file",
            "the end of the line",
        ),
        (
            "kafka-reassign-partitions --execute --reassignment-json '{}' --reassignment-json-file f",
            1,
            57,
            "either --reassignment-json or --reassignment-json-file",
            "\"{}\"",
        ),
        (
            "kafka-reassign-partitions --execute --reassignment-json '{\"partitions\" 1}'",
            1,
            57,
            "JSON (at character 15: :)",
            "malformed JSON",
        ),
        (
            "kafka-reassign-partitions --execute --reassignment-json-file f\n{\"partitions\":\n [1,]}",
            3,
            5,
            "a JSON value",
            "something else in the JSON",
        ),
        (
            "kafka-reassign-partitions --execute --reassignment-json-file f\n{\"partitions\": [",
            2,
            1,
            "the JSON to end (its { and } to balance)",
            "the end of the script",
        ),
        (
            "kafka-reassign-partitions --execute --reassignment-json-file f\nheal",
            2,
            1,
            "the JSON on the lines after the command",
            "\"heal\"",
        ),
        (
            "kafka-reassign-partitions --execute --reassignment-json '{\"version\":1}'",
            1,
            57,
            "a \"partitions\" array",
            "a JSON document without it",
        ),
        (
            "kafka-reassign-partitions --execute --reassignment-json '{\"partitions\":[{\"partition\":0,\"replicas\":[1]}]}'",
            1,
            57,
            "a \"topic\" string in each partition",
            "a JSON document without it",
        ),
        (
            "kafka-reassign-partitions --execute --reassignment-json '{\"partitions\":[{\"topic\":\"t\",\"replicas\":[1]}]}'",
            1,
            57,
            "a \"partition\" number in each partition",
            "a JSON document without it",
        ),
        (
            "kafka-reassign-partitions --execute --reassignment-json '{\"partitions\":[{\"topic\":\"t\",\"partition\":0}]}'",
            1,
            57,
            "a \"replicas\" array in each partition",
            "a JSON document without it",
        ),
        (
            "kafka-reassign-partitions --execute --reassignment-json '{\"partitions\":[{\"topic\":\"t\",\"partition\":0,\"replicas\":[\"a\"]}]}'",
            1,
            57,
            "broker ids in \"replicas\"",
            "a JSON document without it",
        ),
        (
            "kafka-reassign-partitions --execute --reassignment-json '{\"partitions\":[]}'",
            1,
            1,
            "a valid command",
            "a reassignment names at least one partition",
        ),
        (
            "kafka-delete-records --offset-json '{\"partitions\":[{\"topic\":\"t\",\"partition\":0}]}'",
            1,
            36,
            "an \"offset\" number in each partition",
            "a JSON document without it",
        ),
        (
            "kafka-leader-election --all-topic-partitions",
            1,
            45,
            "the option --election-type",
            "the end of the line",
        ),
        (
            "kafka-leader-election --election-type unclean --all-topic-partitions",
            1,
            39,
            "--election-type preferred",
            "\"unclean\"",
        ),
        (
            "kafka-leader-election --election-type preferred --topic t",
            1,
            58,
            "the option --partition",
            "the end of the line",
        ),
        (
            "consumer dance g m",
            1,
            10,
            "join, leave, crash, cut, slow or restart",
            "\"dance\"",
        ),
        (
            "consumer join g/x m --topic t",
            1,
            15,
            "a group id (1 to 249 characters of [A-Za-z0-9._-])",
            "\"g/x\"",
        ),
        (
            "consumer join g",
            1,
            16,
            "a member name (1 to 249 characters",
            "the end of the line",
        ),
        ("consumer join g m", 1, 18, "--topic", "the end of the line"),
        (
            "consumer join g m --topic t --commit often",
            1,
            38,
            "auto, sync, async or none",
            "\"often\"",
        ),
        (
            "consumer join g m --topic t --processing-time slow",
            1,
            47,
            "a processing time per record, like 20ms",
            "\"slow\"",
        ),
        (
            "consumer join g m --topic t --consumer-property fetch.min.bytes=1",
            1,
            49,
            "name=value with a name of group.instance.id,",
            "\"fetch.min.bytes=1\"",
        ),
        (
            "consumer join g m --topic t --consumer-property session.timeout.ms=0",
            1,
            49,
            "session.timeout.ms: a number of at least 1",
            "\"session.timeout.ms=0\"",
        ),
        (
            "consumer join g m --topic t --consumer-property enable.auto.commit=maybe",
            1,
            49,
            "enable.auto.commit=true or false",
            "\"enable.auto.commit=maybe\"",
        ),
        (
            "consumer join g m --topic t --consumer-property auto.offset.reset=oldest",
            1,
            49,
            "auto.offset.reset=earliest, latest or none",
            "\"auto.offset.reset=oldest\"",
        ),
        (
            "consumer slow g m 5s",
            1,
            19,
            "\"--processing-time\"",
            "\"5s\"",
        ),
        (
            "producer launch p",
            1,
            10,
            "start, pause, resume or stop",
            "\"launch\"",
        ),
        (
            "producer start p --topic t",
            1,
            27,
            "the option --rate",
            "the end of the line",
        ),
        (
            "producer start p --topic t --rate fast",
            1,
            35,
            "a rate in records per second (at least 1)",
            "\"fast\"",
        ),
        (
            "producer start p --topic t --rate 0",
            1,
            1,
            "a valid command",
            "a producer's rate is 1 to 100000 records/s, got 0",
        ),
        (
            "producer start console --topic t --rate 1",
            1,
            1,
            "a valid command",
            "the name console belongs to the console producer",
        ),
        (
            "producer start p --topic t --rate 1 --keys a --random-keys b",
            1,
            46,
            "either --keys or --random-keys",
            "\"--random-keys\"",
        ),
        (
            "producer start p --topic t --rate 1 --acks some",
            1,
            44,
            "acks: all, -1, 1 or 0",
            "\"some\"",
        ),
        (
            "produce --topic t",
            1,
            18,
            "--value or --tombstone",
            "the end of the line",
        ),
        (
            "produce --topic t --value v --tombstone",
            1,
            27,
            "either --value or --tombstone",
            "\"v\"",
        ),
        (
            "produce --topic t --partition x --value v",
            1,
            31,
            "a partition number",
            "\"x\"",
        ),
        (
            "expect",
            1,
            7,
            "what to expect: leader, isr,",
            "the end of the line",
        ),
        (
            "expect weather == fine",
            1,
            8,
            "what to expect: leader, isr,",
            "\"weather\"",
        ),
        (
            "expect leader orders == 1",
            1,
            15,
            "a partition like orders-0",
            "\"orders\"",
        ),
        ("expect hw t-0 on 1 == 1", 1, 18, "\"broker\"", "\"1\""),
        ("expect leader t-0 is 1", 1, 19, "== or !=", "\"is\""),
        (
            "expect hw t-0 is 1",
            1,
            15,
            "==, !=, <, <=, > or >=",
            "\"is\"",
        ),
        ("expect isr t-0 < [1]", 1, 16, "== or !=", "\"<\""),
        ("expect hw t-0 == none", 1, 18, "a number", "\"none\""),
        ("expect leader t-0 == x", 1, 22, "a number or none", "\"x\""),
        (
            "expect isr t-0 == 1",
            1,
            19,
            "a list like [0, 1, 2]",
            "\"1\"",
        ),
        ("expect error == [x]", 1, 17, "a word", "the list [x]"),
        ("expect hw t-0 ==", 1, 17, "a value", "the end of the line"),
        (
            "produce --topic t --value \"abc",
            1,
            31,
            "a closing \"",
            "the end of the script",
        ),
        (
            "produce --topic t --value 'abc\nheal",
            2,
            5,
            "a closing '",
            "the end of the script",
        ),
        (
            "expect isr t-0 == [0, 1",
            1,
            19,
            "a list closed by ] on the same line",
            "the end of the line",
        ),
        ("expect isr t-0 == [0 1]", 1, 22, ", or ]", "'1'"),
        (
            "produce --topic t --value \"\\q\"",
            1,
            28,
            "an escape: ",
            "\\q",
        ),
    ];
    let mut wrong = Vec::new();
    for (text, line, column, expected, found) in cases {
        let error = parse(text).expect_err(text);
        if !(error.line == *line
            && error.column == *column
            && error.expected.starts_with(expected)
            && error.found.starts_with(found))
        {
            wrong.push(format!(
                "{text}\n got: {error}\nwant: line {line}, column {column}: expected {expected}…, found {found}…"
            ));
        }
        assert_eq!(
            error.to_string(),
            format!(
                "line {}, column {}: expected {}, found {}",
                error.line, error.column, error.expected, error.found
            )
        );
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn written_commands_read_back() {
    let commands = vec![
        Command::CreateTopic {
            topic: "t".into(),
            partitions: 2,
            replication_factor: 1,
            configs: vec![("cleanup.policy".into(), "compact,delete".into())],
        },
        record("t", Some("a"), Some("1"), Acks::All),
        record("t", Some("a:b"), Some("2"), Acks::All),
        record("t", None, Some("heal"), Acks::All),
        record("t", None, Some("  "), Acks::Leader),
        record("t", Some("k"), None, Acks::All),
        record("t", None, Some("multi\nline"), Acks::All),
        record("t", None, Some("plain"), Acks::None),
        Command::AlterConfigs {
            topic: "t".into(),
            set: vec![("retention.ms".into(), "5".into())],
            delete: vec!["segment.ms".into()],
        },
        Command::ResetOffsets {
            group: "g".into(),
            scope: ResetScope::Topics(vec![("t".into(), Some(vec![0, 1]))]),
            target: ResetSpec::Datetime(1_704_067_210_500),
        },
        Command::ElectPreferred {
            partitions: Some(vec![tp("t", 0), tp("t", 1)]),
        },
        Command::DeleteRecords {
            partitions: vec![(tp("it's", 0), 4)],
        },
    ];
    let text = commands_to_text(&commands);
    assert_eq!(
        parse(&text).expect("reads back").commands(),
        commands,
        "{text}"
    );
    assert!(text.contains("kafka-console-producer --topic t --property parse.key=true --property key.separator==\n"), "{text}");
}
