//! Byte-level interoperability with an independent v2 codec (the `kafka-protocol` crate).

use bytes::{Bytes, BytesMut};
use kafka_protocol::indexmap::IndexMap;
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::records::{
    Compression, Record, RecordBatchDecoder, RecordBatchEncoder, RecordEncodeOptions,
    TimestampType as KTimestampType,
};
use rill_core::record::{Header, NewRecord, TimestampType, decode_batches, encode_batch};

fn records() -> Vec<NewRecord> {
    (0..5)
        .map(|i| NewRecord {
            key: (i % 2 == 0).then(|| format!("key-{i}").into_bytes()),
            value: (i != 3).then(|| vec![i as u8; 10 * i]),
            headers: (0..i)
                .map(|h| Header {
                    key: format!("h{h}"),
                    value: Some(vec![h as u8]),
                })
                .collect(),
            timestamp: Some(1_000 + 10 * i as i64),
        })
        .collect()
}

#[test]
fn rill_batches_decode_with_kafka_protocol() {
    let mut buf = Vec::new();
    encode_batch(&mut buf, 100, 3, TimestampType::CreateTime, 0, &records());
    let mut bytes = Bytes::from(buf);
    let set = RecordBatchDecoder::decode(&mut bytes).expect("kafka-protocol decodes rill's batch");
    assert_eq!(set.version, 2);
    assert_eq!(set.records.len(), 5);
    for (i, (theirs, ours)) in set.records.iter().zip(records()).enumerate() {
        assert_eq!(theirs.offset, 100 + i as i64);
        assert_eq!(theirs.partition_leader_epoch, 3);
        assert_eq!(theirs.timestamp, ours.timestamp.expect("set above"));
        assert_eq!(theirs.timestamp_type, KTimestampType::Creation);
        assert_eq!(theirs.key.as_deref(), ours.key.as_deref());
        assert_eq!(theirs.value.as_deref(), ours.value.as_deref());
        let headers: Vec<_> = theirs
            .headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_deref().map(<[u8]>::to_vec)))
            .collect();
        let expected: Vec<_> = ours
            .headers
            .iter()
            .map(|h| (h.key.clone(), h.value.clone()))
            .collect();
        assert_eq!(headers, expected);
    }
}

#[test]
fn kafka_protocol_batches_decode_with_rill() {
    let theirs: Vec<Record> = records()
        .iter()
        .enumerate()
        .map(|(i, r)| Record {
            transactional: false,
            control: false,
            delete_horizon: false,
            partition_leader_epoch: 9,
            producer_id: -1,
            producer_epoch: -1,
            timestamp_type: KTimestampType::Creation,
            offset: 500 + i as i64,
            sequence: -1,
            timestamp: r.timestamp.expect("set above"),
            key: r.key.clone().map(Bytes::from),
            value: r.value.clone().map(Bytes::from),
            headers: r
                .headers
                .iter()
                .map(|h| {
                    (
                        StrBytes::from_string(h.key.clone()),
                        h.value.clone().map(Bytes::from),
                    )
                })
                .collect::<IndexMap<_, _>>(),
        })
        .collect();
    let mut buf = BytesMut::new();
    RecordBatchEncoder::encode(
        &mut buf,
        &theirs,
        &RecordEncodeOptions {
            version: 2,
            compression: Compression::None,
        },
    )
    .expect("kafka-protocol encodes");
    let mut ours = Vec::new();
    for batch in decode_batches(&buf) {
        let view = batch.expect("rill decodes kafka-protocol's batches");
        assert_eq!(view.header().partition_leader_epoch, 9);
        ours.extend(view.records().map(|r| r.expect("valid record")));
    }
    assert_eq!(ours.len(), 5);
    for (i, (stored, original)) in ours.iter().zip(records()).enumerate() {
        assert_eq!(stored.offset, 500 + i as i64);
        assert_eq!(stored.key, original.key);
        assert_eq!(stored.value, original.value);
        assert_eq!(stored.headers, original.headers);
        assert_eq!(Some(stored.timestamp), original.timestamp);
    }
    // kafka-protocol writes one batch per record here; rill writing the same single-record
    // batches at the same offsets and epoch produces identical bytes, CRCs included.
    let mut ours_bytes = Vec::new();
    for (i, record) in records().iter().enumerate() {
        encode_batch(
            &mut ours_bytes,
            500 + i as i64,
            9,
            TimestampType::CreateTime,
            0,
            std::slice::from_ref(record),
        );
    }
    assert_eq!(
        ours_bytes,
        buf.to_vec(),
        "rill writes exactly the bytes kafka-protocol writes"
    );
}

#[test]
fn an_exported_segment_is_a_kafka_log_file_kafka_protocol_reads() {
    use rill_core::cluster::{Acks, Cluster, ClusterConfig};
    use rill_core::error::{ErrorCode, KafkaError};

    let mut broker = Cluster::new(ClusterConfig::new(1, 0), 1_000).expect("one broker");
    let configs = [("segment.bytes".to_owned(), "300".to_owned())];
    broker
        .create_topic("t", 1, 1, &configs)
        .expect("valid topic");
    broker.advance(10);
    for i in 0..6i64 {
        let record = NewRecord {
            key: Some(format!("k{i}").into_bytes()),
            value: Some(vec![i as u8; 60]),
            ..NewRecord::default()
        };
        broker.produce(1, "t", 0, Acks::All, vec![record]);
        broker.advance(100);
        let outcomes = broker.poll_outcomes();
        assert!(
            outcomes.iter().all(|o| o.result.is_ok()),
            "append: {outcomes:?}"
        );
    }
    let bases: Vec<i64> = broker
        .replica(0, "t", 0)
        .expect("partition 0")
        .0
        .segments()
        .iter()
        .map(|s| s.base_offset())
        .collect();
    assert!(bases.len() > 1, "rolled: {bases:?}");
    let mut offsets = Vec::new();
    for base in &bases {
        let mut bytes = Bytes::from(broker.export_segment(0, "t", 0, *base).expect("a segment"));
        while !bytes.is_empty() {
            let set = RecordBatchDecoder::decode(&mut bytes).expect("kafka-protocol reads it");
            offsets.extend(set.records.iter().map(|r| r.offset));
            for record in &set.records {
                let i = record.offset;
                assert_eq!(record.key.as_deref(), Some(format!("k{i}").as_bytes()));
                assert_eq!(record.value.as_deref(), Some(&vec![i as u8; 60][..]));
            }
        }
    }
    assert_eq!(offsets, (0..6).collect::<Vec<_>>());
    let missing = broker
        .export_segment(0, "t", 0, 1)
        .expect_err("no segment starts at 1");
    assert_eq!(missing.error_code(), ErrorCode::InvalidRequest);
    assert!(
        missing.to_string().contains("segments start at"),
        "{missing}"
    );
    let unknown = broker
        .export_segment(0, "nope", 0, 0)
        .expect_err("no such topic");
    assert_eq!(unknown.error_code(), ErrorCode::UnknownTopicOrPartition);
}
