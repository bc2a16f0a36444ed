//! The `__consumer_offsets` record codec: Kafka's `OffsetCommitKey`/`OffsetCommitValue` and
//! `GroupMetadataKey`/`GroupMetadataValue` (each prefixed by its big-endian `int16` version,
//! as Kafka's `GroupMetadataManager` writes them), and the consumer protocol's
//! `ConsumerProtocolSubscription`/`ConsumerProtocolAssignment` bytes that a group record
//! carries for each member.
//!
//! Written versions are the ones Kafka 3.7 writes: keys v1 (offsets) and v2 (groups), offset
//! values v3, group values v3, subscriptions and assignments v3. Decoding accepts every
//! non-flexible version (offset/group values 0–3) and answers `None` for anything else or
//! anything truncated: stored bytes never make the decoder panic.

use std::collections::BTreeMap;

use crate::group::TopicPartition;
use crate::group::protocol::{MemberAssignment, Subscription};

/// The key version of an `OffsetCommitKey` Kafka 3.7 writes.
pub const OFFSET_COMMIT_KEY_VERSION: i16 = 1;
/// The key version of a `GroupMetadataKey`.
pub const GROUP_METADATA_KEY_VERSION: i16 = 2;
/// The `OffsetCommitValue` version written (no expire timestamp).
pub const OFFSET_COMMIT_VALUE_VERSION: i16 = 3;
/// The `GroupMetadataValue` version written (with static member instance ids).
pub const GROUP_METADATA_VALUE_VERSION: i16 = 3;
/// The `ConsumerProtocolSubscription`/`ConsumerProtocolAssignment` version written (Kafka 3.7's
/// consumer writes v3: subscriptions with `RackId`).
pub const CONSUMER_PROTOCOL_VERSION: i16 = 3;

/// The key of a `__consumer_offsets` record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OffsetsKey {
    /// `OffsetCommitKey` (versions 0 and 1): a group's committed offset for one partition.
    Offset {
        /// The group id.
        group: String,
        /// The topic.
        topic: String,
        /// The partition.
        partition: i32,
    },
    /// `GroupMetadataKey` (version 2): a group's membership.
    Group {
        /// The group id.
        group: String,
    },
}

/// `OffsetCommitValue`: one committed position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OffsetCommitValue {
    /// The committed offset.
    pub offset: i64,
    /// The leader epoch (-1 if unknown; v3+).
    pub leader_epoch: i32,
    /// The commit's metadata string.
    pub metadata: String,
    /// When the commit was made (ms).
    pub commit_timestamp: i64,
    /// v1 only: when the commit expires.
    pub expire_timestamp: Option<i64>,
}

/// One member in a `GroupMetadataValue`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberMetadataValue {
    /// The member id.
    pub member_id: String,
    /// The static member's `group.instance.id` (v3+).
    pub group_instance_id: Option<String>,
    /// The client's `client.id`.
    pub client_id: String,
    /// The client's host.
    pub client_host: String,
    /// The rebalance timeout (v1+; v0 records use the session timeout).
    pub rebalance_timeout: i32,
    /// The session timeout.
    pub session_timeout: i32,
    /// The member's protocol metadata for the group's protocol (a
    /// `ConsumerProtocolSubscription` for consumer groups).
    pub subscription: Vec<u8>,
    /// The member's assignment (a `ConsumerProtocolAssignment`).
    pub assignment: Vec<u8>,
}

/// `GroupMetadataValue`: a group's generation and members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupMetadataValue {
    /// The protocol type (`""` for a group that never had members).
    pub protocol_type: String,
    /// The generation.
    pub generation: i32,
    /// The chosen protocol, if the group has members.
    pub protocol: Option<String>,
    /// The leader, if the group has members.
    pub leader: Option<String>,
    /// When the group entered its state (v2+, -1 if unknown).
    pub current_state_timestamp: i64,
    /// The members.
    pub members: Vec<MemberMetadataValue>,
}

struct Writer(Vec<u8>);

impl Writer {
    fn i16(&mut self, v: i16) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn i32(&mut self, v: i32) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn string(&mut self, s: &str) {
        // Kafka strings are at most i16::MAX bytes; longer ones are cut (callers bound them).
        let bytes = &s.as_bytes()[..s.len().min(i16::MAX as usize)];
        self.i16(bytes.len() as i16);
        self.0.extend_from_slice(bytes);
    }
    fn nullable_string(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.string(s),
            None => self.i16(-1),
        }
    }
    fn bytes(&mut self, b: &[u8]) {
        self.i32(b.len() as i32);
        self.0.extend_from_slice(b);
    }
    fn nullable_bytes(&mut self, b: Option<&[u8]>) {
        match b {
            Some(b) => self.bytes(b),
            None => self.i32(-1),
        }
    }
}

struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.buf.len() < n {
            return None;
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Some(head)
    }
    fn i16(&mut self) -> Option<i16> {
        Some(i16::from_be_bytes(self.take(2)?.try_into().ok()?))
    }
    fn i32(&mut self) -> Option<i32> {
        Some(i32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }
    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_be_bytes(self.take(8)?.try_into().ok()?))
    }
    fn nullable_string(&mut self) -> Option<Option<String>> {
        let len = self.i16()?;
        if len < 0 {
            return Some(None);
        }
        let bytes = self.take(len as usize)?;
        Some(Some(String::from_utf8(bytes.to_vec()).ok()?))
    }
    fn string(&mut self) -> Option<String> {
        self.nullable_string()?
    }
    fn nullable_bytes(&mut self) -> Option<Option<Vec<u8>>> {
        let len = self.i32()?;
        if len < 0 {
            return Some(None);
        }
        Some(Some(self.take(len as usize)?.to_vec()))
    }
    fn bytes(&mut self) -> Option<Vec<u8>> {
        self.nullable_bytes()?
    }
    /// An array's length, bounded by the bytes left (each element is at least one byte).
    fn array_len(&mut self) -> Option<usize> {
        let len = self.i32()?;
        let len = usize::try_from(len).ok()?;
        (len <= self.buf.len()).then_some(len)
    }
}

impl OffsetsKey {
    /// The key's bytes (`OffsetCommitKey` v1 or `GroupMetadataKey` v2).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer(Vec::new());
        match self {
            Self::Offset {
                group,
                topic,
                partition,
            } => {
                w.i16(OFFSET_COMMIT_KEY_VERSION);
                w.string(group);
                w.string(topic);
                w.i32(*partition);
            }
            Self::Group { group } => {
                w.i16(GROUP_METADATA_KEY_VERSION);
                w.string(group);
            }
        }
        w.0
    }

    /// The key in `bytes`, or `None` for an unknown version or corrupt bytes.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let mut r = Reader { buf: bytes };
        match r.i16()? {
            0 | 1 => Some(Self::Offset {
                group: r.string()?,
                topic: r.string()?,
                partition: r.i32()?,
            }),
            2 => Some(Self::Group { group: r.string()? }),
            _ => None,
        }
    }
}

impl OffsetCommitValue {
    /// The value's bytes (version 3; version 1 if it carries an expire timestamp).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer(Vec::new());
        if let Some(expire) = self.expire_timestamp {
            w.i16(1);
            w.i64(self.offset);
            w.string(&self.metadata);
            w.i64(self.commit_timestamp);
            w.i64(expire);
        } else {
            w.i16(OFFSET_COMMIT_VALUE_VERSION);
            w.i64(self.offset);
            w.i32(self.leader_epoch);
            w.string(&self.metadata);
            w.i64(self.commit_timestamp);
        }
        w.0
    }

    /// The value in `bytes` (versions 0–3), or `None`.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let mut r = Reader { buf: bytes };
        let version = r.i16()?;
        if !(0..=3).contains(&version) {
            return None;
        }
        let offset = r.i64()?;
        let leader_epoch = if version >= 3 { r.i32()? } else { -1 };
        let metadata = r.string()?;
        let commit_timestamp = r.i64()?;
        let expire_timestamp = if version == 1 { Some(r.i64()?) } else { None };
        Some(Self {
            offset,
            leader_epoch,
            metadata,
            commit_timestamp,
            expire_timestamp,
        })
    }
}

impl GroupMetadataValue {
    /// The value's bytes (version 3).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer(Vec::new());
        w.i16(GROUP_METADATA_VALUE_VERSION);
        w.string(&self.protocol_type);
        w.i32(self.generation);
        w.nullable_string(self.protocol.as_deref());
        w.nullable_string(self.leader.as_deref());
        w.i64(self.current_state_timestamp);
        w.i32(self.members.len() as i32);
        for m in &self.members {
            w.string(&m.member_id);
            w.nullable_string(m.group_instance_id.as_deref());
            w.string(&m.client_id);
            w.string(&m.client_host);
            w.i32(m.rebalance_timeout);
            w.i32(m.session_timeout);
            w.bytes(&m.subscription);
            w.bytes(&m.assignment);
        }
        w.0
    }

    /// The value in `bytes` (versions 0–3), or `None`.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let mut r = Reader { buf: bytes };
        let version = r.i16()?;
        if !(0..=3).contains(&version) {
            return None;
        }
        let protocol_type = r.string()?;
        let generation = r.i32()?;
        let protocol = r.nullable_string()?;
        let leader = r.nullable_string()?;
        let current_state_timestamp = if version >= 2 { r.i64()? } else { -1 };
        let count = r.array_len()?;
        let mut members = Vec::with_capacity(count);
        for _ in 0..count {
            let member_id = r.string()?;
            let group_instance_id = if version >= 3 {
                r.nullable_string()?
            } else {
                None
            };
            let client_id = r.string()?;
            let client_host = r.string()?;
            let rebalance_timeout = if version >= 1 { Some(r.i32()?) } else { None };
            let session_timeout = r.i32()?;
            members.push(MemberMetadataValue {
                member_id,
                group_instance_id,
                client_id,
                client_host,
                rebalance_timeout: rebalance_timeout.unwrap_or(session_timeout),
                session_timeout,
                subscription: r.bytes()?,
                assignment: r.bytes()?,
            });
        }
        Some(Self {
            protocol_type,
            generation,
            protocol,
            leader,
            current_state_timestamp,
            members,
        })
    }
}

fn write_partitions(w: &mut Writer, partitions: &[TopicPartition]) {
    let mut by_topic: BTreeMap<&str, Vec<i32>> = BTreeMap::new();
    for tp in partitions {
        by_topic
            .entry(&tp.topic)
            .or_default()
            .push(tp.partition as i32);
    }
    w.i32(by_topic.len() as i32);
    for (topic, parts) in by_topic {
        w.string(topic);
        w.i32(parts.len() as i32);
        for p in parts {
            w.i32(p);
        }
    }
}

fn read_partitions(r: &mut Reader<'_>) -> Option<Vec<TopicPartition>> {
    let topics = r.array_len()?;
    let mut out = Vec::new();
    for _ in 0..topics {
        let topic = r.string()?;
        let count = r.array_len()?;
        for _ in 0..count {
            let partition = u32::try_from(r.i32()?).ok()?;
            out.push(TopicPartition::new(topic.clone(), partition));
        }
    }
    Some(out)
}

/// A subscription as `ConsumerProtocolSubscription` v3 bytes (version prefix included).
pub fn encode_subscription(subscription: &Subscription) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.i16(CONSUMER_PROTOCOL_VERSION);
    w.i32(subscription.topics.len() as i32);
    for topic in &subscription.topics {
        w.string(topic);
    }
    w.nullable_bytes(subscription.user_data.as_deref());
    write_partitions(&mut w, &subscription.owned_partitions);
    w.i32(subscription.generation_id);
    w.nullable_string(subscription.rack_id.as_deref());
    w.0
}

/// The subscription in `ConsumerProtocolSubscription` bytes of any version (a newer one is
/// read as v3, as Kafka does), or `None` if corrupt.
pub fn decode_subscription(bytes: &[u8]) -> Option<Subscription> {
    let mut r = Reader { buf: bytes };
    let version = r.i16()?;
    if version < 0 {
        return None;
    }
    let count = r.array_len()?;
    let mut topics = Vec::with_capacity(count);
    for _ in 0..count {
        topics.push(r.string()?);
    }
    let user_data = r.nullable_bytes()?;
    let owned_partitions = if version >= 1 {
        read_partitions(&mut r)?
    } else {
        Vec::new()
    };
    let generation_id = if version >= 2 { r.i32()? } else { -1 };
    let rack_id = if version >= 3 {
        r.nullable_string()?
    } else {
        None
    };
    Some(Subscription {
        topics,
        user_data,
        owned_partitions,
        generation_id,
        rack_id,
    })
}

/// An assignment as `ConsumerProtocolAssignment` v3 bytes (version prefix included).
pub fn encode_assignment(assignment: &MemberAssignment) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.i16(CONSUMER_PROTOCOL_VERSION);
    write_partitions(&mut w, &assignment.partitions);
    w.nullable_bytes(assignment.user_data.as_deref());
    w.0
}

/// The assignment in `ConsumerProtocolAssignment` bytes of any version; empty bytes (an
/// unassigned member, as Kafka stores it) give the empty assignment; `None` if corrupt.
pub fn decode_assignment(bytes: &[u8]) -> Option<MemberAssignment> {
    if bytes.is_empty() {
        return Some(MemberAssignment::default());
    }
    let mut r = Reader { buf: bytes };
    if r.i16()? < 0 {
        return None;
    }
    let partitions = read_partitions(&mut r)?;
    let user_data = r.nullable_bytes()?;
    Some(MemberAssignment {
        partitions,
        user_data,
    })
}
