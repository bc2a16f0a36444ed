//! Property: any sequence of commands, persisted and recovered, rebuilds the identical log.

use proptest::prelude::*;
use rill_core::Broker;
use rill_core::record::NewRecord;
use rill_core::storage::MemoryStore;

/// A record's key and value, each nullable.
type KeyValue = (Option<Vec<u8>>, Option<Vec<u8>>);

#[derive(Clone, Debug)]
enum Command {
    Create {
        name: u8,
        partitions: i64,
        segment_bytes: u32,
    },
    Produce {
        topic: u8,
        partition: i32,
        records: Vec<KeyValue>,
    },
}

fn command() -> impl Strategy<Value = Command> {
    let bytes = proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40));
    prop_oneof![
        (0u8..4, -1i64..5, 14u32..600).prop_map(|(name, partitions, segment_bytes)| {
            Command::Create {
                name,
                partitions,
                segment_bytes,
            }
        }),
        (
            0u8..4,
            -1i32..5,
            proptest::collection::vec((bytes.clone(), bytes), 0..6)
        )
            .prop_map(|(topic, partition, records)| Command::Produce {
                topic,
                partition,
                records
            }),
    ]
}

proptest! {
    #[test]
    fn recovery_rebuilds_identical_logs(commands in proptest::collection::vec(command(), 1..60)) {
        let mut broker = Broker::new();
        let mut store = MemoryStore::new();
        let mut appended: std::collections::BTreeMap<(String, i32), Vec<NewRecord>> = Default::default();
        for (now, command) in commands.into_iter().enumerate() {
            match command {
                Command::Create { name, partitions, segment_bytes } => {
                    let configs = [("segment.bytes".to_owned(), segment_bytes.to_string())];
                    let _ = broker.create_topic(&format!("t{name}"), partitions, &configs);
                }
                Command::Produce { topic, partition, records } => {
                    let records: Vec<NewRecord> = records
                        .into_iter()
                        .map(|(key, value)| NewRecord { key, value, headers: vec![], timestamp: Some(now as i64) })
                        .collect();
                    let topic = format!("t{topic}");
                    if broker.produce(now as i64, &topic, partition, &records).is_ok() {
                        appended.entry((topic, partition)).or_default().extend(records);
                    }
                }
            }
            for op in broker.poll_storage_ops() {
                store.apply(op);
            }
        }
        let recovered = Broker::recover(store.image());
        for topic in broker.topics() {
            for (partition, log) in topic.partitions().iter().enumerate() {
                let other = recovered.partition(topic.name(), partition as i32).expect("topic recovered");
                let seg = |l: &rill_core::log::PartitionLog| l.segments().iter().map(|s| (s.base_offset(), s.as_bytes().to_vec())).collect::<Vec<_>>();
                prop_assert_eq!(seg(log), seg(other));
                let fetched = recovered.fetch(topic.name(), partition as i32, 0, usize::MAX).expect("fetch");
                let expected = appended.get(&(topic.name().to_owned(), partition as i32)).cloned().unwrap_or_default();
                prop_assert_eq!(fetched.records.len(), expected.len());
                for (i, (got, want)) in fetched.records.iter().zip(&expected).enumerate() {
                    prop_assert_eq!(got.offset, i as i64, "offsets are gap-free from 0");
                    prop_assert_eq!(&got.key, &want.key);
                    prop_assert_eq!(&got.value, &want.value);
                    prop_assert_eq!(Some(got.timestamp), want.timestamp);
                }
            }
        }
        prop_assert_eq!(broker.topics().count(), recovered.topics().count());
    }
}
