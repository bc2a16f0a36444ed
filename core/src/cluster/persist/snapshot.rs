//! The controller's metadata snapshot: rill's own binary format (Kafka's KRaft snapshot is a
//! record log; rill keeps one small file instead).
//!
//! ```text
//! magic "RILLMETA" | version u16 = 1 | body length u32 | CRC-32C of body u32 | body
//! body = now i64 | state
//! state = config | broker epochs | topics | partition registrations | topic admin
//! topic admin = last topic id | (name, id)* | (name, overrides)* | (name, deleted id)*
//! ```
//! Integers are big-endian; strings are a u16 length and UTF-8; lists a u32 count. Decoding
//! checks every field, so a snapshot that decodes can be used without further checks.

use std::collections::BTreeMap;

use crate::cluster::controller::TopicAdminState;
use crate::cluster::controller::{PartitionRegistration, Registrations};
use crate::cluster::{BROKERS_MAX, ClusterConfig, Latency};
use crate::config::TopicConfig;

/// The file's first bytes.
pub(super) const MAGIC: &[u8; 8] = b"RILLMETA";
/// The format version written.
pub(super) const VERSION: u16 = 1;
const HEADER_LEN: usize = 8 + 2 + 4 + 4;
/// Times and durations beyond this (about 36 000 years in ms) are refused, so no sum overflows.
const TIME_MAX: i64 = 1 << 60;

/// The controller's state as a snapshot holds it.
#[derive(Clone, Debug)]
pub(crate) struct Snapshot {
    /// The cluster's time when written.
    pub(crate) now: i64,
    /// The cluster's config.
    pub(crate) config: ClusterConfig,
    /// Each broker's epoch, by id.
    pub(crate) broker_epochs: BTreeMap<u32, u64>,
    /// Topics with their partition count and config.
    pub(crate) topics: BTreeMap<String, (u32, TopicConfig)>,
    /// Every partition's registration.
    pub(crate) partitions: Registrations,
    /// Topic ids, config overrides and deleted incarnations.
    pub(crate) admin: TopicAdminState,
}

/// Encodes the state part of a snapshot (everything but the time).
pub(crate) fn encode_state(
    config: &ClusterConfig,
    broker_epochs: &BTreeMap<u32, u64>,
    topics: &BTreeMap<String, (u32, TopicConfig)>,
    partitions: &Registrations,
    admin: &TopicAdminState,
) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&config.brokers.to_be_bytes());
    out.extend_from_slice(&config.seed.to_be_bytes());
    for value in [
        config.latency.base_ms,
        config.latency.jitter_ms,
        config.heartbeat_interval_ms,
        config.session_timeout_ms,
        config.replica_lag_time_max_ms,
        config.replica_fetch_wait_max_ms,
        config.replica_fetch_backoff_ms,
        config.request_timeout_ms,
        config.log_retention_check_interval_ms,
        config.replica_high_watermark_checkpoint_interval_ms,
    ] {
        out.extend_from_slice(&value.to_be_bytes());
    }
    out.extend_from_slice(&config.offsets_topic_partitions.to_be_bytes());
    out.extend_from_slice(&config.offsets_topic_replication_factor.to_be_bytes());
    put_len(&mut out, broker_epochs.len());
    for (id, epoch) in broker_epochs {
        out.extend_from_slice(&id.to_be_bytes());
        out.extend_from_slice(&epoch.to_be_bytes());
    }
    put_len(&mut out, topics.len());
    for (name, (count, topic_config)) in topics {
        put_str(&mut out, name);
        out.extend_from_slice(&count.to_be_bytes());
        let entries = topic_config.entries();
        put_len(&mut out, entries.len());
        for (key, value) in entries {
            put_str(&mut out, key);
            put_str(&mut out, &value);
        }
    }
    put_len(&mut out, partitions.len());
    for ((topic, partition), registration) in partitions {
        put_str(&mut out, topic);
        out.extend_from_slice(&partition.to_be_bytes());
        put_ids(&mut out, &registration.replicas);
        put_ids(&mut out, &registration.isr);
        let leader = registration.leader.map_or(-1, i64::from);
        out.extend_from_slice(&leader.to_be_bytes());
        out.extend_from_slice(&registration.leader_epoch.to_be_bytes());
        out.extend_from_slice(&registration.partition_epoch.to_be_bytes());
        put_ids(&mut out, &registration.adding);
        put_ids(&mut out, &registration.removing);
    }
    out.extend_from_slice(&admin.last_id.to_be_bytes());
    put_len(&mut out, admin.ids.len());
    for (name, id) in &admin.ids {
        put_str(&mut out, name);
        out.extend_from_slice(&id.to_be_bytes());
    }
    put_len(&mut out, admin.overrides.len());
    for (name, overrides) in &admin.overrides {
        put_str(&mut out, name);
        put_len(&mut out, overrides.len());
        for (key, value) in overrides {
            put_str(&mut out, key);
            put_str(&mut out, value);
        }
    }
    put_len(&mut out, admin.deleted.len());
    for (name, id) in &admin.deleted {
        put_str(&mut out, name);
        out.extend_from_slice(&id.to_be_bytes());
    }
    out
}

/// The whole file: header, then `now` and `state` (from [`encode_state`]).
pub(crate) fn frame(now: i64, state: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(8 + state.len());
    body.extend_from_slice(&now.to_be_bytes());
    body.extend_from_slice(state);
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_be_bytes());
    let len = u32::try_from(body.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&crc32c::crc32c(&body).to_be_bytes());
    out.extend_from_slice(&body);
    out
}

fn put_len(out: &mut Vec<u8>, len: usize) {
    out.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_be_bytes());
}

fn put_str(out: &mut Vec<u8>, text: &str) {
    // Topic names (≤ 249 bytes) and config names and values are far below u16::MAX.
    let len = u16::try_from(text.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&text.as_bytes()[..usize::from(len)]);
}

fn put_ids(out: &mut Vec<u8>, ids: &[u32]) {
    put_len(out, ids.len());
    for id in ids {
        out.extend_from_slice(&id.to_be_bytes());
    }
}

/// Reads a snapshot file. Every problem is a message saying what is wrong.
pub(crate) fn decode(bytes: &[u8]) -> Result<Snapshot, String> {
    if bytes.len() < HEADER_LEN {
        return Err(format!(
            "the file has {} bytes, shorter than the {HEADER_LEN}-byte header",
            bytes.len()
        ));
    }
    let mut header = Reader { bytes, at: 0 };
    if header.take(8)? != MAGIC {
        return Err("it does not start with the magic RILLMETA".to_owned());
    }
    let version = header.u16()?;
    if version != VERSION {
        return Err(format!(
            "format version {version} is not supported (this build reads {VERSION})"
        ));
    }
    let len = header.u32()? as usize;
    let crc = header.u32()?;
    let body = &bytes[HEADER_LEN..];
    if body.len() != len {
        return Err(format!(
            "the header says {len} body bytes, the file has {}",
            body.len()
        ));
    }
    let computed = crc32c::crc32c(body);
    if computed != crc {
        return Err(format!(
            "CRC-32C mismatch: stored {crc:#010x}, computed {computed:#010x}"
        ));
    }
    let mut r = Reader { bytes: body, at: 0 };
    let now = r.time("now")?;
    let config = read_config(&mut r)?;
    let mut broker_epochs = BTreeMap::new();
    for _ in 0..r.count()? {
        let id = r.broker(&config)?;
        let epoch = r.u64()?;
        if epoch > u64::MAX / 2 {
            return Err(format!("broker {id}'s epoch {epoch} is out of range"));
        }
        broker_epochs.insert(id, epoch);
    }
    let mut topics = BTreeMap::new();
    for _ in 0..r.count()? {
        let name = r.string()?;
        crate::topic::validate_topic_name(&name)
            .map_err(|e| format!("topic name {name:?}: {e}"))?;
        let count = r.u32()?;
        if !(1..=crate::admin::PARTITIONS_PER_TOPIC_MAX).contains(&count) {
            return Err(format!("topic {name} has {count} partitions"));
        }
        let mut entries = Vec::new();
        for _ in 0..r.count()? {
            entries.push((r.string()?, r.string()?));
        }
        let topic_config =
            TopicConfig::with_overrides(entries.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .map_err(|e| format!("topic {name}'s config: {e}"))?;
        topics.insert(name, (count, topic_config));
    }
    let mut partitions = Registrations::new();
    for _ in 0..r.count()? {
        let topic = r.string()?;
        let partition = r.u32()?;
        let Some((count, _)) = topics.get(&topic) else {
            return Err(format!("partition {topic}-{partition} of an unknown topic"));
        };
        if partition >= *count {
            return Err(format!(
                "partition {topic}-{partition} beyond the topic's {count}"
            ));
        }
        let registration = read_registration(&mut r, &config)
            .map_err(|e| format!("partition {topic}-{partition}: {e}"))?;
        partitions.insert((topic, partition), registration);
    }
    let admin = read_admin(&mut r, &topics)?;
    if r.at != body.len() {
        return Err(format!("{} bytes follow the last field", body.len() - r.at));
    }
    for (name, (count, _)) in &topics {
        if let Some(missing) = (0..*count).find(|p| !partitions.contains_key(&(name.clone(), *p))) {
            return Err(format!("partition {name}-{missing} has no registration"));
        }
    }
    Ok(Snapshot {
        now,
        config,
        broker_epochs,
        topics,
        partitions,
        admin,
    })
}

/// Topic ids (every live topic has one, none above the last given out), overrides of live
/// topics, and deleted incarnations.
fn read_admin(
    r: &mut Reader<'_>,
    topics: &BTreeMap<String, (u32, TopicConfig)>,
) -> Result<TopicAdminState, String> {
    let last_id = r.u64()?;
    let mut admin = TopicAdminState {
        last_id,
        ..TopicAdminState::default()
    };
    let read_id = |r: &mut Reader<'_>, name: &str| -> Result<u64, String> {
        let id = r.u64()?;
        if id == 0 || id > last_id {
            return Err(format!("topic {name}'s id {id} is not in 1..={last_id}"));
        }
        Ok(id)
    };
    for _ in 0..r.count()? {
        let name = r.string()?;
        let id = read_id(r, &name)?;
        if !topics.contains_key(&name) {
            return Err(format!("an id for the unknown topic {name}"));
        }
        admin.ids.insert(name, id);
    }
    if let Some(name) = topics.keys().find(|name| !admin.ids.contains_key(*name)) {
        return Err(format!("topic {name} has no id"));
    }
    for _ in 0..r.count()? {
        let name = r.string()?;
        if !topics.contains_key(&name) {
            return Err(format!("overrides for the unknown topic {name}"));
        }
        let mut overrides = Vec::new();
        for _ in 0..r.count()? {
            overrides.push((r.string()?, r.string()?));
        }
        admin.overrides.insert(name, overrides);
    }
    for _ in 0..r.count()? {
        let name = r.string()?;
        let id = read_id(r, &name)?;
        admin.deleted.insert(name, id);
    }
    Ok(admin)
}

fn read_config(r: &mut Reader<'_>) -> Result<ClusterConfig, String> {
    let brokers = r.u32()?;
    if !(1..=BROKERS_MAX).contains(&brokers) {
        return Err(format!("{brokers} brokers (1 to {BROKERS_MAX} allowed)"));
    }
    let seed = r.u64()?;
    let latency = Latency {
        base_ms: r.duration("latency base", 0)?,
        jitter_ms: r.duration("latency jitter", 0)?,
    };
    let config = ClusterConfig {
        brokers,
        seed,
        latency,
        heartbeat_interval_ms: r.duration("broker.heartbeat.interval.ms", 2)?,
        session_timeout_ms: r.duration("broker.session.timeout.ms", 1)?,
        replica_lag_time_max_ms: r.duration("replica.lag.time.max.ms", 2)?,
        replica_fetch_wait_max_ms: r.duration("replica.fetch.wait.max.ms", 0)?,
        replica_fetch_backoff_ms: r.duration("replica.fetch.backoff.ms", 0)?,
        request_timeout_ms: r.duration("request.timeout.ms", 0)?,
        log_retention_check_interval_ms: r.duration("log.retention.check.interval.ms", 1)?,
        replica_high_watermark_checkpoint_interval_ms: r
            .duration("replica.high.watermark.checkpoint.interval.ms", 0)?,
        offsets_topic_partitions: r.u32()?,
        offsets_topic_replication_factor: r.u32()?,
    };
    if !(1..=crate::admin::PARTITIONS_PER_TOPIC_MAX).contains(&config.offsets_topic_partitions) {
        return Err(format!(
            "offsets.topic.num.partitions {} out of range",
            config.offsets_topic_partitions
        ));
    }
    if config.offsets_topic_replication_factor == 0 {
        return Err("offsets.topic.replication.factor 0".to_owned());
    }
    Ok(config)
}

fn read_registration(
    r: &mut Reader<'_>,
    config: &ClusterConfig,
) -> Result<PartitionRegistration, String> {
    let replicas = r.ids(config)?;
    let isr = r.ids(config)?;
    let leader = r.i64()?;
    let leader_epoch = r.i32()?;
    let partition_epoch = r.i32()?;
    let adding = r.ids(config)?;
    let removing = r.ids(config)?;
    let mut distinct = replicas.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if replicas.is_empty() || distinct.len() != replicas.len() {
        return Err(format!(
            "replicas {replicas:?} are empty or repeat a broker"
        ));
    }
    let within = |ids: &[u32]| ids.iter().all(|id| replicas.contains(id));
    if isr.is_empty() || !within(&isr) || !within(&adding) || !within(&removing) {
        return Err(format!(
            "ISR {isr:?}, adding {adding:?} or removing {removing:?} not within replicas \
             {replicas:?}"
        ));
    }
    let leader = match leader {
        -1 => None,
        id => match u32::try_from(id) {
            Ok(id) if replicas.contains(&id) => Some(id),
            _ => return Err(format!("leader {id} is not a replica")),
        },
    };
    if leader_epoch < 0 || partition_epoch < 0 {
        return Err(format!(
            "negative epochs (leader {leader_epoch}, partition {partition_epoch})"
        ));
    }
    let registration = PartitionRegistration {
        replicas,
        isr,
        leader,
        leader_epoch,
        partition_epoch,
        adding,
        removing,
    };
    match registration.invariant_violation() {
        Some(violation) => Err(format!("{violation}: {registration:?}")),
        None => Ok(registration),
    }
}

/// A cursor whose every read is checked.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .at
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(|| format!("it ends inside a field at byte {}", self.at))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u16(&mut self) -> Result<u16, String> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    fn i32(&mut self) -> Result<i32, String> {
        Ok(i32::from_be_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    fn i64(&mut self) -> Result<i64, String> {
        Ok(i64::from_be_bytes(self.array()?))
    }

    fn time(&mut self, what: &str) -> Result<i64, String> {
        let value = self.i64()?;
        if !(-TIME_MAX..=TIME_MAX).contains(&value) {
            return Err(format!("{what} {value} is out of range"));
        }
        Ok(value)
    }

    fn duration(&mut self, what: &str, min: i64) -> Result<i64, String> {
        let value = self.i64()?;
        if !(min..=TIME_MAX).contains(&value) {
            return Err(format!("{what} {value} is out of range"));
        }
        Ok(value)
    }

    /// A list's length, no longer than the bytes left could hold.
    fn count(&mut self) -> Result<u32, String> {
        let count = self.u32()?;
        if count as usize > self.bytes.len() - self.at {
            return Err(format!("a count of {count} exceeds the bytes left"));
        }
        Ok(count)
    }

    fn string(&mut self) -> Result<String, String> {
        let len = self.u16()?;
        let bytes = self.take(usize::from(len))?;
        String::from_utf8(bytes.to_vec()).map_err(|_| "a string is not UTF-8".to_owned())
    }

    fn broker(&mut self, config: &ClusterConfig) -> Result<u32, String> {
        let id = self.u32()?;
        if id >= config.brokers {
            return Err(format!(
                "broker {id} in a cluster of {} brokers",
                config.brokers
            ));
        }
        Ok(id)
    }

    fn ids(&mut self, config: &ClusterConfig) -> Result<Vec<u32>, String> {
        let mut ids = Vec::new();
        for _ in 0..self.count()? {
            ids.push(self.broker(config)?);
        }
        Ok(ids)
    }
}
