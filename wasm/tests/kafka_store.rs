//! `rill-wasm` in headless Chrome: the KafkaJS-shaped `Rill` over a replicated cluster kept in
//! IndexedDB. Open → create, produce, commit group offsets → close → open again: the same
//! topics, replicas, offsets, records and committed offsets. A failing write is the send's
//! typed error and changes nothing; a second instance on the same name is refused; a stored
//! cluster keeps its shape.
#![cfg(target_arch = "wasm32")]

mod raw_idb;

use js_sys::{Array, Uint8Array};
use raw_idb::{raw_get_all, raw_open, raw_put};
use rill_wasm::kafka::Rill;
use rill_wasm::store::{IdbStore, StoreFault};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
function check(cond, message) { if (!cond) throw new Error('assertion failed: ' + message); }
function eq(actual, expected, message) {
  const a = JSON.stringify(actual), e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${message}: expected ${e}, got ${a}`);
}
async function settle(kafka, promise, maxMs = 60000) {
  let done = false, value, error;
  promise.then((v) => { done = true; value = v; }, (e) => { done = true; error = e; });
  for (let t = 0; t < maxMs && !done; t += 10) await kafka.advance(10);
  for (let i = 0; i < 100 && !done; i++) await new Promise((r) => setTimeout(r, 10));
  if (!done) throw new Error(`did not settle within ${maxMs} ms of cluster time`);
  if (error) throw error;
  return value;
}
async function until(kafka, cond, maxMs, what) {
  for (let t = 0; t < maxMs; t += 50) { if (cond()) return; await kafka.advance(50); }
  throw new Error(`${what}: not within ${maxMs} ms`);
}
/** Every record of `topic` read by a fresh group from the beginning, as `p/offset/key/value`. */
async function readAll(kafka, topic, groupId, expected) {
  const seen = [];
  const consumer = kafka.consumer({ groupId, partitionAssigners: ['range'] });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      seen.push(`${partition}/${message.offset}/${message.key.toString()}/${message.value.toString()}`);
    },
  });
  await until(kafka, () => seen.length >= expected, 60000, `reading ${expected} records`);
  await settle(kafka, consumer.disconnect());
  return seen.sort();
}

export async function writeCluster(kafka) {
  const admin = kafka.admin();
  const created = await settle(kafka, admin.createTopics({
    topics: [{ topic: 'orders', numPartitions: 2, replicationFactor: 3, configEntries: [{ name: 'segment.bytes', value: '1024' }] }],
    waitForLeaders: true,
  }));
  eq(created, true, 'created');
  const producer = kafka.producer();
  const sent = [];
  for (let i = 0; i < 30; i++) {
    const [r] = await settle(kafka, producer.send({ topic: 'orders', acks: -1, messages: [{ key: `k${i}`, value: `value-${i}` }] }));
    sent.push(`${r.partition}/${r.baseOffset}/k${i}/value-${i}`);
  }
  // A group reads everything, then commits offsets of its own choosing and leaves.
  const consumer = kafka.consumer({ groupId: 'billing', partitionAssigners: ['range'] });
  await consumer.connect();
  await consumer.subscribe({ topics: ['orders'], fromBeginning: true });
  let read = 0;
  await consumer.run({ autoCommit: false, eachMessage: async () => { read++; } });
  await until(kafka, () => read >= 30, 60000, 'the group read everything');
  await settle(kafka, consumer.commitOffsets([
    { topic: 'orders', partition: 0, offset: '4' },
    { topic: 'orders', partition: 1, offset: '2' },
  ]));
  await settle(kafka, consumer.disconnect());
  await kafka.advance(2000);
  return {
    sent: sent.sort(),
    offsets: await admin.fetchTopicOffsets('orders'),
    metadata: await admin.fetchTopicMetadata({ topics: ['orders'] }),
    committed: await admin.fetchOffsets({ groupId: 'billing', topics: ['orders'] }),
    topics: await admin.listTopics(),
  };
}

export async function checkCluster(kafka, before) {
  const admin = kafka.admin();
  // Asked at once, before the controller's metadata reached the restarted brokers: they answer
  // NOT_LEADER_OR_FOLLOWER, which the admin retries (Kafka's retry.backoff.ms) as time moves.
  eq(await settle(kafka, admin.fetchTopicOffsets('orders')), before.offsets, 'the same offsets, asked at once');
  await kafka.advance(200); // the controller's metadata reaches the restarted brokers
  eq(await admin.listTopics(), before.topics, 'the same topics');
  eq(await admin.fetchTopicMetadata({ topics: ['orders'] }), before.metadata, 'the same replicas, leaders and ISR');
  eq(await admin.fetchTopicOffsets('orders'), before.offsets, 'the same offsets');
  eq(await admin.fetchOffsets({ groupId: 'billing', topics: ['orders'] }), before.committed, 'the same committed offsets');
  eq(await readAll(kafka, 'orders', 'auditor', before.sent.length), before.sent, 'every record, at its offset');
  // The group resumes from what it committed.
  const firsts = new Map();
  const consumer = kafka.consumer({ groupId: 'billing', partitionAssigners: ['range'] });
  await consumer.connect();
  await consumer.subscribe({ topics: ['orders'] });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => { if (!firsts.has(partition)) firsts.set(partition, message.offset); },
  });
  await until(kafka, () => firsts.size === 2, 60000, 'the group resumed on both partitions');
  eq([firsts.get(0), firsts.get(1)], ['4', '2'], 'resumed at the committed offsets');
  await settle(kafka, consumer.disconnect());
}

export async function createAndSend(kafka) {
  const admin = kafka.admin();
  await settle(kafka, admin.createTopics({ topics: [{ topic: 't', numPartitions: 1, replicationFactor: 3 }], waitForLeaders: true }));
  const producer = kafka.producer();
  const [r] = await settle(kafka, producer.send({ topic: 't', acks: -1, messages: [{ key: 'a', value: 'kept' }] }));
  eq(r.baseOffset, '0', 'first record');
  await kafka.advance(1000);
}

/** With the next write failing: the send fails with `type`, the log does not move, and once
 * the cluster is rebuilt the next send lands where the failed one would have. */
export async function sendFails(kafka, type) {
  const admin = kafka.admin();
  const before = await admin.fetchTopicOffsets('t');
  const producer = kafka.producer();
  let error;
  try {
    await settle(kafka, producer.send({ topic: 't', acks: -1, messages: [{ key: 'b', value: 'lost' }] }));
  } catch (e) { error = e; }
  check(error !== undefined, 'the send failed');
  eq(error.name, 'RillError', 'a RillError');
  eq(error.type, type, `the write's error (${error.message})`);
  await kafka.advance(1000);
  eq(await admin.fetchTopicOffsets('t'), before, 'nothing half-applied');
  const [r] = await settle(kafka, producer.send({ topic: 't', acks: -1, messages: [{ key: 'c', value: 'after' }] }));
  eq(r.baseOffset, before[0].high, 'the next record takes the failed one\'s offset');
  await kafka.advance(1000);
}

export async function afterFailure(kafka) {
  eq(await readAll(kafka, 't', 'check', 2), ['0/0/a/kept', '0/1/c/after'], 'the failed record is gone');
}
/** Creates `orders` (2 partitions, RF 3), sends 20 records with acks -1, and names a follower
 * of partition `partition` (a replica that does not lead it). */
export async function sendForDamage(kafka, partition) {
  const admin = kafka.admin();
  await settle(kafka, admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 2, replicationFactor: 3 }], waitForLeaders: true }));
  const producer = kafka.producer();
  const sent = [];
  for (let i = 0; i < 20; i++) {
    const [r] = await settle(kafka, producer.send({ topic: 'orders', acks: -1, messages: [{ key: `k${i}`, value: `value-${i}`, partition: i % 2 }] }));
    sent.push(`${r.partition}/${r.baseOffset}/k${i}/value-${i}`);
  }
  await kafka.advance(2000);
  const [topic] = (await admin.fetchTopicMetadata({ topics: ['orders'] })).topics;
  const p = topic.partitions.find((row) => row.partitionId === partition);
  const follower = p.replicas.find((r) => r !== p.leader);
  check(follower !== undefined && p.isr.includes(follower), 'a follower in the ISR');
  return { sent: sent.sort(), partition, follower, offsets: await admin.fetchTopicOffsets('orders') };
}

/** The `recoveryTruncated` events a new listener gets (replayed at once), as plain objects. */
export function truncations(kafka) {
  const events = [];
  const off = kafka.on('recoveryTruncated', (e) => events.push(e));
  off();
  return events;
}

/** After the follower's log was cut on open: the event names it; every acknowledged record is
 * read back; the follower refetches and rejoins the ISR. */
export async function checkCut(kafka, before, problem) {
  const events = truncations(kafka);
  eq(events.map((e) => [e.type, e.broker, e.topic, e.partition]), [['recoveryTruncated', before.follower, 'orders', before.partition]], 'one cut, on the follower');
  check(events[0].problem.startsWith(problem), `the problem: ${events[0].problem}`);
  // The torn half of a batch is dropped; an unreadable chunk has no bytes to count.
  if (problem === 'corrupt batch') check(events[0].droppedBytes > 0, 'the torn bytes were dropped');
  const all = [];
  kafka.on('*', (e) => all.push(e.type)) ();
  check(all.includes('recoveryTruncated'), "'*' listeners get it too");
  const admin = kafka.admin();
  await kafka.advance(200);
  eq(await admin.fetchTopicOffsets('orders'), before.offsets, 'the same offsets');
  eq(await readAll(kafka, 'orders', 'after-cut', before.sent.length), before.sent, 'every acknowledged record, at its offset');
  const isr = async () => {
    const [topic] = (await admin.fetchTopicMetadata({ topics: ['orders'] })).topics;
    return topic.partitions.find((row) => row.partitionId === before.partition).isr;
  };
  for (let t = 0; t < 30000 && !(await isr()).includes(before.follower); t += 100) await kafka.advance(100);
  check((await isr()).includes(before.follower), 'the follower refetched and rejoined the ISR');
  await kafka.advance(2000);
}

/** On the next open: no cut, the same records. */
export async function checkClean(kafka, before) {
  eq(truncations(kafka), [], 'nothing cut: the repair was written back');
  await kafka.advance(200);
  eq(await readAll(kafka, 'orders', 'clean', before.sent.length), before.sent, 'every acknowledged record, at its offset');
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = writeCluster)]
    fn write_cluster(kafka: JsValue) -> js_sys::Promise;
    #[wasm_bindgen(js_name = checkCluster)]
    fn check_cluster(kafka: JsValue, before: JsValue) -> js_sys::Promise;
    #[wasm_bindgen(js_name = createAndSend)]
    fn create_and_send(kafka: JsValue) -> js_sys::Promise;
    #[wasm_bindgen(js_name = sendFails)]
    fn send_fails(kafka: JsValue, kind: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = afterFailure)]
    fn after_failure(kafka: JsValue) -> js_sys::Promise;
    #[wasm_bindgen(js_name = sendForDamage)]
    fn send_for_damage(kafka: JsValue, partition: u32) -> js_sys::Promise;
    #[wasm_bindgen(js_name = checkCut)]
    fn check_cut(kafka: JsValue, before: JsValue, problem: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = checkClean)]
    fn check_clean(kafka: JsValue, before: JsValue) -> js_sys::Promise;
}

fn unique(tag: &str) -> String {
    format!("rill-kafka-{tag}-{}", js_sys::Math::random().to_bits())
}

async fn open(options: &str) -> Result<Rill, JsValue> {
    Rill::open(js_sys::JSON::parse(options).expect("options")).await
}

async fn open_stored(name: &str, extra: &str) -> Rill {
    open(&format!(
        r#"{{"name":"{name}","storage":"indexeddb","clock":"manual"{extra}}}"#
    ))
    .await
    .unwrap_or_else(|e| panic!("open: {}", message(&e)))
}

fn message(error: &JsValue) -> String {
    js_sys::Reflect::get(error, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| format!("{error:?}"))
}

fn error_type(error: &JsValue) -> Option<String> {
    js_sys::Reflect::get(error, &"type".into())
        .ok()
        .and_then(|t| t.as_string())
}

async fn run(promise: js_sys::Promise) -> JsValue {
    JsFuture::from(promise)
        .await
        .unwrap_or_else(|e| panic!("{}", message(&e)))
}

#[wasm_bindgen_test]
async fn topics_offsets_records_and_committed_offsets_survive_a_reopen() {
    let name = unique("reopen");
    let kafka = open_stored(&name, r#","brokers":3,"seed":11"#).await;
    let before = run(write_cluster(JsValue::from(kafka.clone_handle()))).await;
    kafka.close();
    // The stored cluster comes back with its own shape: `brokers` may be left out.
    let kafka = open_stored(&name, "").await;
    run(check_cluster(JsValue::from(kafka.clone_handle()), before)).await;
    kafka.close();
    IdbStore::delete(&name).await.expect("deleted");
}

#[wasm_bindgen_test]
async fn a_failed_write_is_the_sends_typed_error_and_changes_nothing() {
    for (fault, kind) in [
        (StoreFault::QuotaExceeded, "STORAGE_QUOTA_EXCEEDED"),
        (StoreFault::Abort, "KAFKA_STORAGE_ERROR"),
    ] {
        let name = unique("fail");
        let kafka = open_stored(&name, r#","brokers":3"#).await;
        run(create_and_send(JsValue::from(kafka.clone_handle()))).await;
        assert!(kafka.fail_next_write(fault), "IndexedDB can fail");
        run(send_fails(JsValue::from(kafka.clone_handle()), kind)).await;
        kafka.close();
        let kafka = open_stored(&name, "").await;
        run(after_failure(JsValue::from(kafka.clone_handle()))).await;
        kafka.close();
        IdbStore::delete(&name).await.expect("deleted");
    }
}

#[wasm_bindgen_test]
async fn a_second_instance_and_a_different_shape_are_refused() {
    let name = unique("lock");
    let kafka = open_stored(&name, r#","brokers":3"#).await;
    let refused = open(&format!(r#"{{"name":"{name}","storage":"indexeddb"}}"#))
        .await
        .expect_err("a second writer");
    assert_eq!(error_type(&refused).as_deref(), Some("STORE_LOCKED"));
    kafka.close();
    let refused = open(&format!(
        r#"{{"name":"{name}","storage":"indexeddb","brokers":5}}"#
    ))
    .await
    .expect_err("a stored 3-broker cluster is not a 5-broker one");
    assert_eq!(
        error_type(&refused).as_deref(),
        Some("INVALID_REQUEST"),
        "{}",
        message(&refused)
    );
    // Refusing released the store: it opens as stored.
    let kafka = open_stored(&name, r#","brokers":3"#).await;
    kafka.close();
    IdbStore::delete(&name).await.expect("deleted");
}

/// How a stored chunk is damaged.
#[derive(Clone, Copy, Debug)]
enum Damage {
    /// Its bytes cut in half, as by a write torn mid-way.
    Torn,
    /// Replaced by a value that is not bytes.
    Unreadable,
}

/// Damages the last stored chunk of `broker`'s log of `orders`/`partition` with raw IndexedDB
/// calls (chunk keys are `[dir, topic, partition, baseOffset, seq]`).
async fn damage_last_chunk(name: &str, broker: u32, partition: u32, damage: Damage) {
    let db = raw_open(name, 3, |_| {}).await;
    let keys = raw_get_all(&db, "chunks", true).await;
    let values = raw_get_all(&db, "chunks", false).await;
    let (last_key, last) = keys
        .iter()
        .zip(values.iter())
        .rfind(|(k, _)| {
            let k: &Array = k.unchecked_ref();
            k.get(0).as_f64() == Some(f64::from(broker))
                && k.get(1).as_string().as_deref() == Some("orders")
                && k.get(2).as_f64() == Some(f64::from(partition))
        })
        .expect("a stored chunk of the follower's log");
    let value: JsValue = match damage {
        Damage::Torn => {
            let bytes = last.unchecked_into::<Uint8Array>().to_vec();
            assert!(bytes.len() > 1, "a chunk with records");
            Uint8Array::from(&bytes[..bytes.len() / 2]).into()
        }
        Damage::Unreadable => "not bytes".into(),
    };
    raw_put(&db, "chunks", vec![(Some(last_key), value)]).await;
    db.close();
}

/// Records sent through `Rill`, then the last chunk of a follower's log damaged: the next open
/// reports the cut (`recoveryTruncated`: broker, topic, partition, `problem`), every
/// acknowledged record is still read (the leader has them; the follower refetches), and the
/// open after that finds nothing to cut (the repair was written back).
async fn a_damaged_follower_chunk_is_cut_reported_and_repaired(damage: Damage, problem: &str) {
    let name = unique("damaged");
    let kafka = open_stored(&name, r#","brokers":3,"seed":5"#).await;
    let before = run(send_for_damage(JsValue::from(kafka.clone_handle()), 0)).await;
    kafka.close();
    let follower = js_sys::Reflect::get(&before, &"follower".into())
        .ok()
        .and_then(|f| f.as_f64())
        .expect("a follower") as u32;
    damage_last_chunk(&name, follower, 0, damage).await;

    let kafka = open_stored(&name, "").await;
    run(check_cut(
        JsValue::from(kafka.clone_handle()),
        before.clone(),
        problem,
    ))
    .await;
    kafka.close();
    let kafka = open_stored(&name, "").await;
    run(check_clean(JsValue::from(kafka.clone_handle()), before)).await;
    kafka.close();
    IdbStore::delete(&name).await.expect("deleted");
}

#[wasm_bindgen_test]
async fn a_torn_follower_chunk_is_cut_reported_and_repaired() {
    a_damaged_follower_chunk_is_cut_reported_and_repaired(Damage::Torn, "corrupt batch").await;
}

#[wasm_bindgen_test]
async fn an_unreadable_follower_chunk_is_cut_reported_and_repaired() {
    a_damaged_follower_chunk_is_cut_reported_and_repaired(
        Damage::Unreadable,
        "a stored chunk could not be read",
    )
    .await;
}
