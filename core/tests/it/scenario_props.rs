//! Properties of scenarios: random text never panics the parser or the runner; commands
//! written as text read back the same; and a world rebuilt from its history — from the seed or
//! from a checkpoint — equals the world that ran straight to that time.

use proptest::prelude::*;
use rill_core::cluster::Acks;
use rill_core::consumer::AutoOffsetReset;
use rill_core::group::TopicPartition;
use rill_core::scenario::{
    Command, CommitMode, CompareOp, ExpectValue, Expectation, KeyPattern, MemberSpec, NetNode,
    ProduceRecord, ProducerSpec, ResetScope, ResetSpec, Subject, World, WorldConfig, parse, replay,
    replay_onto, run_script, to_text,
};

// ----- strategies -----

fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9._-]{0,5}"
}

/// Free text: spaces, quotes, separators, `#`, brackets, newlines, unicode.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z0-9]{0,6}",
        2 => "[ a-z:=|#,\\[\\]'\"\\\\\t\n-]{0,8}",
        1 => "\\PC{0,4}",
        1 => Just("heal".to_owned()),
        1 => Just("expect x".to_owned()),
    ]
}

fn topic() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9._-]{0,6}"
}

fn tp() -> impl Strategy<Value = TopicPartition> {
    (topic(), 0u32..20).prop_map(|(t, p)| TopicPartition::new(t, p))
}

fn acks() -> impl Strategy<Value = Acks> {
    prop_oneof![Just(Acks::All), Just(Acks::Leader), Just(Acks::None)]
}

fn config_value() -> impl Strategy<Value = String> {
    "[a-z0-9 ,.=:]{0,6}"
}

fn member_spec() -> impl Strategy<Value = MemberSpec> {
    (
        prop::collection::vec(topic(), 1..3),
        prop_oneof![
            Just(MemberSpec::default().assignors),
            prop::collection::vec(text(), 1..3)
        ],
        prop::option::of("[a-z0-9._-]{1,6}"),
        (1i32..100_000, 1i32..10_000, 1i32..1_000_000),
        prop_oneof![
            Just(AutoOffsetReset::Earliest),
            Just(AutoOffsetReset::Latest),
            Just(AutoOffsetReset::None)
        ],
        prop_oneof![
            (0i32..20_000).prop_map(|interval_ms| CommitMode::Auto { interval_ms }),
            Just(CommitMode::Sync),
            Just(CommitMode::Async),
            Just(CommitMode::Never)
        ],
        1u32..=i32::MAX as u32,
        0i64..200_000,
    )
        .prop_map(
            |(
                topics,
                assignors,
                instance,
                (session, heartbeat, poll),
                reset,
                commit,
                records,
                processing,
            )| {
                MemberSpec {
                    topics,
                    assignors,
                    group_instance_id: instance,
                    session_timeout_ms: session,
                    heartbeat_interval_ms: heartbeat,
                    max_poll_interval_ms: poll,
                    auto_offset_reset: reset,
                    commit,
                    max_poll_records: records,
                    processing_ms: processing,
                }
            },
        )
}

fn subject() -> impl Strategy<Value = Subject> {
    let broker = prop::option::of(0u32..5);
    prop_oneof![
        tp().prop_map(Subject::Leader),
        tp().prop_map(Subject::Isr),
        tp().prop_map(Subject::Replicas),
        tp().prop_map(Subject::LeaderEpoch),
        (tp(), broker.clone()).prop_map(|(t, b)| Subject::HighWatermark(t, b)),
        (tp(), broker.clone()).prop_map(|(t, b)| Subject::LogStart(t, b)),
        (tp(), broker.clone()).prop_map(|(t, b)| Subject::LogEnd(t, b)),
        (tp(), broker.clone()).prop_map(|(t, b)| Subject::Records(t, b)),
        (tp(), broker.clone()).prop_map(|(t, b)| Subject::Keys(t, b)),
        (tp(), broker.clone()).prop_map(|(t, b)| Subject::Values(t, b)),
        (tp(), broker.clone()).prop_map(|(t, b)| Subject::Offsets(t, b)),
        (tp(), broker).prop_map(|(t, b)| Subject::Segments(t, b)),
        tp().prop_map(Subject::Adding),
        tp().prop_map(Subject::Removing),
        (topic(), text()).prop_map(|(t, k)| Subject::PartitionOf(t, k)),
        name().prop_map(Subject::Coordinator),
        name().prop_map(Subject::CoordinatorPartition),
        name().prop_map(Subject::Gaps),
        (name(), name()).prop_map(|(g, m)| Subject::PollError(g, m)),
        topic().prop_map(Subject::Partitions),
        Just(Subject::Topics),
        (0u32..5).prop_map(Subject::Broker),
        name().prop_map(Subject::GroupState),
        name().prop_map(Subject::Generation),
        name().prop_map(Subject::Assignor),
        name().prop_map(Subject::Members),
        (name(), name()).prop_map(|(g, m)| Subject::Assignment(g, m)),
        (name(), name()).prop_map(|(g, m)| Subject::Member(g, m)),
        (name(), tp()).prop_map(|(g, t)| Subject::Committed(g, t)),
        (name(), prop::option::of(tp())).prop_map(|(g, t)| Subject::Lag(g, t)),
        name().prop_map(Subject::Processed),
        name().prop_map(Subject::Duplicates),
        name().prop_map(Subject::Skipped),
        name().prop_map(Subject::Sent),
        name().prop_map(Subject::Acked),
        name().prop_map(Subject::Failed),
        name().prop_map(Subject::ProduceError),
        Just(Subject::Error),
    ]
}

fn expectation() -> impl Strategy<Value = Expectation> {
    (
        subject(),
        0usize..6,
        any::<i64>(),
        prop::collection::vec(text(), 0..3),
        "[A-Za-z_-]{1,8}",
    )
        .prop_map(|(subject, op, number, items, word)| {
            use rill_core::scenario::ValueKind;
            let kind = subject.kind();
            let ops = [
                CompareOp::Eq,
                CompareOp::Ne,
                CompareOp::Lt,
                CompareOp::Le,
                CompareOp::Gt,
                CompareOp::Ge,
            ];
            let op = if kind == ValueKind::Number {
                ops[op]
            } else {
                ops[op % 2]
            };
            let value = match kind {
                ValueKind::Number => ExpectValue::Number(number),
                ValueKind::OptionalNumber if number % 3 == 0 => ExpectValue::None,
                ValueKind::OptionalNumber => ExpectValue::Number(number),
                ValueKind::Word => ExpectValue::Word(word),
                ValueKind::List | ValueKind::Set => ExpectValue::List(items),
            };
            Expectation { subject, op, value }
        })
}

fn net_node() -> impl Strategy<Value = NetNode> {
    prop_oneof![
        (0u32..5).prop_map(NetNode::Broker),
        Just(NetNode::Controller),
        name().prop_map(NetNode::Producer),
        (name(), name()).prop_map(|(group, member)| NetNode::Member { group, member }),
    ]
}

/// Any valid command (what `Command::validate` accepts).
fn command() -> impl Strategy<Value = Command> {
    let record = (
        topic(),
        prop::option::of(0u32..8),
        prop::option::of(text()),
        prop::option::of(text()),
        prop::collection::vec(("[a-z.]{1,4}", prop::option::of(text())), 0..2),
        acks(),
    )
        .prop_map(|(topic, partition, key, value, headers, acks)| {
            Command::Produce(ProduceRecord {
                topic,
                partition,
                key,
                value,
                headers,
                acks,
            })
        });
    let keyless = || {
        (topic(), text(), acks()).prop_map(|(topic, value, acks)| {
            Command::Produce(ProduceRecord {
                topic,
                partition: None,
                key: None,
                value: Some(value),
                headers: vec![],
                acks,
            })
        })
    };
    let keyed = || {
        (text(), text()).prop_map(|(key, value)| {
            Command::Produce(ProduceRecord {
                topic: "t".into(),
                partition: None,
                key: Some(key),
                value: Some(value),
                headers: vec![],
                acks: Acks::All,
            })
        })
    };
    let reset_target = prop_oneof![
        Just(ResetSpec::Earliest),
        Just(ResetSpec::Latest),
        any::<i64>().prop_map(ResetSpec::Offset),
        (0i64..253_402_300_799_999).prop_map(ResetSpec::Datetime),
        any::<i64>().prop_map(ResetSpec::ShiftBy),
    ];
    let reset_scope = prop_oneof![
        Just(ResetScope::AllTopics),
        prop::collection::vec(
            (
                topic(),
                prop::option::of(prop::collection::vec(0u32..9, 1..3))
            ),
            1..3
        )
        .prop_map(ResetScope::Topics),
    ];
    let keys = prop_oneof![
        Just(KeyPattern::None),
        prop::collection::vec(text(), 1..3).prop_map(KeyPattern::Cycle),
        prop::collection::vec(text(), 1..3).prop_map(KeyPattern::Random),
    ];
    prop_oneof![
        (
            topic(),
            1u32..50,
            1u32..4,
            prop::collection::vec(("[a-z.]{1,10}", config_value()), 0..3)
        )
            .prop_map(|(topic, partitions, replication_factor, configs)| {
                Command::CreateTopic {
                    topic,
                    partitions,
                    replication_factor,
                    configs,
                }
            }),
        topic().prop_map(|topic| Command::DeleteTopic { topic }),
        (topic(), 1u32..50).prop_map(|(topic, total)| Command::CreatePartitions { topic, total }),
        (
            topic(),
            prop::collection::vec(("[a-z.]{1,10}", config_value()), 1..3),
            prop::collection::vec("[a-z.]{1,8}", 0..2)
        )
            .prop_map(|(topic, set, delete)| Command::AlterConfigs { topic, set, delete }),
        record,
        keyless(),
        keyless(),
        keyed(),
        keyed(),
        prop::collection::vec((tp(), -1i64..1_000), 1..3)
            .prop_map(|partitions| Command::DeleteRecords { partitions }),
        (0u32..5).prop_map(|broker| Command::KillBroker { broker }),
        (0u32..5).prop_map(|broker| Command::RestartBroker { broker }),
        (0u32..5).prop_map(|broker| Command::ShutdownBroker { broker }),
        (
            prop::collection::vec(net_node(), 1..3),
            prop::collection::vec(net_node(), 1..3)
        )
            .prop_map(|(side_a, side_b)| Command::PartitionNetwork { side_a, side_b }),
        Just(Command::Heal),
        (0u32..5, 0i64..100_000)
            .prop_map(|(broker, extra_ms)| Command::SlowBroker { broker, extra_ms }),
        prop::collection::vec((tp(), prop::collection::vec(0u32..5, 0..4)), 1..3)
            .prop_map(|partitions| Command::Reassign { partitions }),
        prop::option::of(prop::collection::vec(tp(), 1..3))
            .prop_map(|partitions| Command::ElectPreferred { partitions }),
        (0i64..10_000_000).prop_map(|ms| Command::Advance { ms }),
        (name(), topic(), 1u32..=100_000, keys, acks())
            .prop_filter("console is the console producer", |(name, ..)| name
                != "console")
            .prop_map(|(name, topic, rate, keys, acks)| Command::ProducerStart {
                name,
                spec: ProducerSpec {
                    topic,
                    rate,
                    keys,
                    acks
                }
            }),
        name().prop_map(|name| Command::ProducerPause { name }),
        name().prop_map(|name| Command::ProducerResume { name }),
        name().prop_map(|name| Command::ProducerStop { name }),
        (name(), name(), member_spec()).prop_map(|(group, member, spec)| Command::MemberJoin {
            group,
            member,
            spec
        }),
        (name(), name()).prop_map(|(group, member)| Command::MemberLeave { group, member }),
        (name(), name()).prop_map(|(group, member)| Command::MemberCrash { group, member }),
        (name(), name()).prop_map(|(group, member)| Command::MemberCut { group, member }),
        (name(), name(), prop::option::of(0i64..1_000_000)).prop_map(
            |(group, member, processing_ms)| Command::MemberSlow {
                group,
                member,
                processing_ms
            }
        ),
        (name(), name()).prop_map(|(group, member)| Command::MemberRestart { group, member }),
        (name(), reset_scope, reset_target).prop_map(|(group, scope, target)| {
            Command::ResetOffsets {
                group,
                scope,
                target,
            }
        }),
        name().prop_map(|group| Command::DeleteGroup { group }),
        expectation().prop_map(Command::Expect),
    ]
    .prop_filter("valid", |c| c.validate().is_ok())
}

fn world_config() -> impl Strategy<Value = WorldConfig> {
    (
        1u32..6,
        any::<u64>(),
        1i64..5,
        0i64..4,
        1u32..60,
        1i64..40_000,
    )
        .prop_map(|(brokers, seed, base, jitter, offsets, lag)| {
            let mut config = WorldConfig::new(brokers, seed);
            config.cluster.latency.base_ms = base;
            config.cluster.latency.jitter_ms = jitter;
            config.cluster.offsets_topic_partitions = offsets;
            config.cluster.replica_lag_time_max_ms = lag;
            config
        })
}

/// Script words and pieces, for random text.
fn script_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("kafka-topics --create --topic t --partitions 2 --replication-factor 1".to_owned()),
        Just(
            "kafka-console-producer --topic t --property parse.key=true --property key.separator=:"
                .to_owned()
        ),
        Just("a:1".to_owned()),
        Just("advance 100ms".to_owned()),
        Just("consumer join g m --topic t --commit sync".to_owned()),
        Just("producer start p --topic t --rate 20 --keys a,b".to_owned()),
        Just("kill broker 0".to_owned()),
        Just("restart broker 0".to_owned()),
        Just("heal".to_owned()),
        Just("expect hw t-0 >= 0".to_owned()),
        Just("kafka-reassign-partitions --execute --reassignment-json-file f".to_owned()),
        Just(
            "{\"partitions\": [{\"topic\": \"t\", \"partition\": 0, \"replicas\": [0]}]}"
                .to_owned()
        ),
        Just("seed 5".to_owned()),
        Just("brokers 2".to_owned()),
        Just("'".to_owned()),
        Just("\"".to_owned()),
        Just("[".to_owned()),
        Just("--topic".to_owned()),
        Just("#".to_owned()),
        Just(String::new()),
        "\\PC{0,12}",
        "[ a-z0-9:=,\\[\\]'\"{}#-]{0,16}",
    ];
    prop::collection::vec(
        prop::collection::vec(piece, 1..4).prop_map(|p| p.join(" ")),
        0..12,
    )
    .prop_map(|lines| lines.join("\n"))
}

/// Whether running `commands` stays cheap (the runner itself has no limits: a script may ask
/// for an hour of simulated time).
fn cheap(config: &WorldConfig, commands: &[Command]) -> bool {
    let time: i64 = commands
        .iter()
        .map(|c| match c {
            Command::Advance { ms } => *ms,
            _ => 0,
        })
        .sum();
    config.cluster.brokers <= 4
        && config.cluster.offsets_topic_partitions <= 4
        && time <= 3_000
        && commands.iter().all(|c| match c {
            Command::CreateTopic { partitions, .. }
            | Command::CreatePartitions {
                total: partitions, ..
            } => *partitions <= 8,
            Command::ProducerStart { spec, .. } => spec.rate <= 1_000,
            _ => true,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_text_never_panics_the_parser_or_the_runner(text in script_text()) {
        if let Ok(script) = parse(&text)
            && cheap(&script.config, &script.commands())
        {
            let _ = run_script(&script);
        }
    }

    #[test]
    fn commands_written_as_text_read_back_the_same(
        config in world_config(),
        commands in prop::collection::vec(command(), 0..12),
    ) {
        let text = to_text(&config, &commands);
        let script = parse(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&script.config, &config, "{}", text);
        prop_assert_eq!(script.commands(), commands, "{}", text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn random_command_lists_never_panic_the_world(
        config in world_config(),
        commands in prop::collection::vec(command(), 0..16),
    ) {
        if cheap(&config, &commands)
            && let Ok(mut world) = World::new(config)
        {
            for command in commands {
                let _ = world.apply(command);
            }
            let _ = world.state_hash();
        }
    }
}

// ----- replay -----

/// Commands that mostly make sense in a small world, so the cluster and the applications do
/// things worth replaying.
fn plausible() -> impl Strategy<Value = Command> {
    let topic = prop_oneof![Just("t".to_owned()), Just("u".to_owned())];
    let group = prop_oneof![Just("g".to_owned()), Just("h".to_owned())];
    let member = prop_oneof![
        Just("m1".to_owned()),
        Just("m2".to_owned()),
        Just("m3".to_owned())
    ];
    let spec = (
        prop_oneof![
            Just("range"),
            Just("roundrobin"),
            Just("sticky"),
            Just("cooperative-sticky")
        ],
        prop_oneof![
            Just(CommitMode::Auto { interval_ms: 1_000 }),
            Just(CommitMode::Sync),
            Just(CommitMode::Async),
            Just(CommitMode::Never)
        ],
        0i64..300,
        prop::bool::ANY,
        prop::bool::ANY,
    )
        .prop_map(
            |(assignor, commit, processing_ms, earliest, static_member)| MemberSpec {
                topics: vec!["t".into()],
                assignors: vec![assignor.to_owned()],
                group_instance_id: static_member.then(|| "i".to_owned()),
                session_timeout_ms: 6_000,
                heartbeat_interval_ms: 2_000,
                max_poll_interval_ms: 2_000,
                auto_offset_reset: if earliest {
                    AutoOffsetReset::Earliest
                } else {
                    AutoOffsetReset::Latest
                },
                commit,
                max_poll_records: 5,
                processing_ms,
            },
        );
    prop_oneof![
        3 => (topic.clone(), 1u32..4, 1u32..4).prop_map(|(topic, partitions, replication_factor)| Command::CreateTopic { topic, partitions, replication_factor, configs: vec![("min.insync.replicas".into(), "1".into())] }),
        4 => (1i64..3_000).prop_map(|ms| Command::Advance { ms }),
        3 => (topic.clone(), prop::option::of("[ab]"), acks()).prop_map(|(topic, key, acks)| Command::Produce(ProduceRecord { topic, partition: None, key, value: Some("v".into()), headers: vec![], acks })),
        2 => (prop_oneof![Just("p"), Just("q")], topic.clone(), 1u32..40, acks()).prop_map(|(name, topic, rate, acks)| Command::ProducerStart { name: name.into(), spec: ProducerSpec { topic, rate, keys: KeyPattern::Random(vec!["a".into(), "b".into(), "c".into()]), acks } }),
        1 => Just(Command::ProducerPause { name: "p".into() }),
        1 => Just(Command::ProducerResume { name: "p".into() }),
        1 => Just(Command::ProducerStop { name: "q".into() }),
        3 => (group.clone(), member.clone(), spec).prop_map(|(group, member, spec)| Command::MemberJoin { group, member, spec }),
        1 => (group.clone(), member.clone()).prop_map(|(group, member)| Command::MemberLeave { group, member }),
        1 => (group.clone(), member.clone()).prop_map(|(group, member)| Command::MemberCrash { group, member }),
        1 => (group.clone(), member.clone()).prop_map(|(group, member)| Command::MemberCut { group, member }),
        1 => (group.clone(), member.clone()).prop_map(|(group, member)| Command::MemberRestart { group, member }),
        1 => (group.clone(), member).prop_map(|(group, member)| Command::MemberSlow { group, member, processing_ms: Some(3_000) }),
        1 => (0u32..3).prop_map(|broker| Command::KillBroker { broker }),
        1 => (0u32..3).prop_map(|broker| Command::RestartBroker { broker }),
        1 => (0u32..3).prop_map(|broker| Command::ShutdownBroker { broker }),
        1 => (0u32..3).prop_map(|b| Command::PartitionNetwork { side_a: vec![NetNode::Broker(b)], side_b: vec![NetNode::Broker((b + 1) % 3), NetNode::Controller] }),
        1 => Just(Command::Heal),
        1 => (topic.clone(), 0u32..2).prop_map(|(topic, partition)| Command::Reassign { partitions: vec![(TopicPartition::new(topic, partition), vec![partition % 3, (partition + 1) % 3])] }),
        1 => Just(Command::ElectPreferred { partitions: None }),
        1 => (topic.clone(), 0u32..2).prop_map(|(topic, partition)| Command::DeleteRecords { partitions: vec![(TopicPartition::new(topic, partition), -1)] }),
        1 => group.clone().prop_map(|group| Command::ResetOffsets { group, scope: ResetScope::AllTopics, target: ResetSpec::Earliest }),
        1 => topic.prop_map(|topic| Command::CreatePartitions { topic, total: 4 }),
    ]
}

/// The world's hash at times `t` where it stood still (after every command at `t`), and
/// inside advances (a clone stopped part of the way).
fn run_straight(
    config: &WorldConfig,
    commands: &[Command],
    cut: u8,
) -> (World, Vec<(i64, u64, String)>) {
    let mut world = World::new(config.clone()).expect("a valid config");
    world.set_collect_events(false);
    let mut points: Vec<(i64, u64, String)> = Vec::new();
    for command in commands {
        if let Command::Advance { ms } = command {
            let part = *ms * i64::from(cut) / 256;
            if part > 0 && part < *ms {
                let mut stopped = world.clone();
                stopped
                    .apply(Command::Advance { ms: part })
                    .expect("time moves");
                points.push((
                    stopped.now(),
                    stopped.state_hash(),
                    stopped.state_description(),
                ));
            }
        }
        let _ = world.apply(command.clone());
        let now = world.now();
        points.retain(|(t, ..)| *t != now);
        points.push((now, world.state_hash(), world.state_description()));
    }
    (world, points)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn jumping_to_a_time_by_replay_equals_running_straight_to_it(
        brokers in 1u32..4,
        seed in any::<u64>(),
        commands in prop::collection::vec(plausible(), 1..24),
        cut in 1u8..255,
        picks in prop::collection::vec(any::<prop::sample::Index>(), 3),
    ) {
        let mut config = WorldConfig::new(brokers, seed);
        config.cluster.offsets_topic_partitions = 2;
        let (world, points) = run_straight(&config, &commands, cut);
        let history = world.history().to_vec();
        let mut chosen: Vec<(i64, u64, String)> =
            picks.iter().map(|i| i.get(&points).clone()).collect();
        chosen.push(points.last().expect("a point per command").clone());
        chosen.sort_unstable();
        chosen.dedup();
        let mut checkpoint: Option<World> = None;
        for (at, hash, description) in chosen {
            let replayed = replay(&config, &history, at).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(replayed.now(), at);
            if replayed.state_hash() != hash {
                let replayed = replayed.state_description();
                let diff: Vec<String> = description
                    .lines()
                    .zip(replayed.lines())
                    .filter(|(a, b)| a != b)
                    .take(6)
                    .map(|(a, b)| format!("straight: {a}\nreplayed: {b}"))
                    .collect();
                return Err(TestCaseError::fail(format!(
                    "replay to {at} differs\n{}\nhistory: {history:?}",
                    diff.join("\n")
                )));
            }
            // From the previous point's replayed world (a checkpoint), on to this one.
            if let Some(mut from) = checkpoint.take() {
                replay_onto(&mut from, &history, at).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(from.state_hash(), hash, "continuing a checkpoint to {} differs", at);
            }
            checkpoint = Some(replayed);
        }
        // The replayed history is the original's prefix: the end's replay has all of it.
        let full = replay(&config, &history, world.now()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(full.history(), world.history());
    }
}
