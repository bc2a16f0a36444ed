//! The sticky assignors' subscription user data, byte for byte as Kafka writes and reads it.
//!
//! * `"sticky"` (`StickyAssignor`): the member's previous assignment and generation, schema
//!   `STICKY_ASSIGNOR_USER_DATA_V1` = `previous_assignment: [ {topic: string, partitions:
//!   [int32]} ], generation: int32` (V0, from Kafka before 2.3, has no generation). Integers
//!   are big-endian; a string is an int16 length and UTF-8 bytes; an array an int32 count and
//!   its items. Topics come in the iteration order of the `HashMap` Kafka's
//!   `CollectionUtils.groupPartitionsByTopic` builds, partitions in the member's order.
//! * `"cooperative-sticky"` (`CooperativeStickyAssignor`): the generation alone,
//!   `COOPERATIVE_STICKY_ASSIGNOR_USER_DATA_V0` = `generation: int32`.

use super::java_hash_map::{Insertion, iteration_order};
use crate::group::TopicPartition;
use crate::group::protocol::java_string_hash;

/// `AbstractStickyAssignor.DEFAULT_GENERATION`: no generation.
pub(crate) const DEFAULT_GENERATION: i32 = -1;

/// `StickyAssignor.serializeTopicPartitionAssignment`: `owned` grouped by topic, then
/// `generation`.
pub(crate) fn encode_sticky(owned: &[TopicPartition], generation: i32) -> Vec<u8> {
    // groupPartitionsByTopic: a HashMap filled with computeIfAbsent, first-seen topic order.
    let mut topics: Vec<&str> = Vec::new();
    let mut partitions: Vec<Vec<u32>> = Vec::new();
    for tp in owned {
        match topics.iter().position(|&topic| topic == tp.topic) {
            Some(index) => partitions[index].push(tp.partition),
            None => {
                topics.push(&tp.topic);
                partitions.push(vec![tp.partition]);
            }
        }
    }
    let hashes: Vec<i32> = topics.iter().map(|topic| java_string_hash(topic)).collect();
    let order = iteration_order(&hashes, Insertion::ComputeIfAbsent);

    let mut out = Vec::new();
    out.extend_from_slice(&(topics.len() as i32).to_be_bytes());
    for index in order {
        let name = topics[index].as_bytes();
        // Kafka's STRING holds at most i16::MAX bytes; topic names are at most 249.
        out.extend_from_slice(&(name.len().min(i16::MAX as usize) as i16).to_be_bytes());
        out.extend_from_slice(&name[..name.len().min(i16::MAX as usize)]);
        out.extend_from_slice(&(partitions[index].len() as i32).to_be_bytes());
        for &partition in &partitions[index] {
            out.extend_from_slice(&(partition as i32).to_be_bytes());
        }
    }
    out.extend_from_slice(&generation.to_be_bytes());
    out
}

/// What a member's user data says it owned (Kafka's `MemberData`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MemberData {
    pub(crate) partitions: Vec<TopicPartition>,
    pub(crate) generation: Option<i32>,
}

/// `StickyAssignor.memberData`: no or empty user data owns nothing, with no generation; V1,
/// else V0 (no generation); unreadable bytes own nothing, in [`DEFAULT_GENERATION`].
/// Partitions with a negative number (which no topic has) are dropped.
pub(crate) fn decode_sticky(user_data: Option<&[u8]>) -> MemberData {
    let Some(bytes) = user_data.filter(|bytes| !bytes.is_empty()) else {
        return MemberData {
            partitions: Vec::new(),
            generation: None,
        };
    };
    let mut reader = Reader { bytes, at: 0 };
    let Some(partitions) = read_previous_assignment(&mut reader) else {
        return MemberData {
            partitions: Vec::new(),
            generation: Some(DEFAULT_GENERATION),
        };
    };
    // V1 when the generation follows, else V0 (the V1 read fails, the V0 read succeeds).
    MemberData {
        partitions,
        generation: reader.i32(),
    }
}

/// `CooperativeStickyAssignor.subscriptionUserData`: the generation as an int32.
pub(crate) fn encode_cooperative(generation: i32) -> Vec<u8> {
    generation.to_be_bytes().to_vec()
}

/// The generation `CooperativeStickyAssignor.memberData` reads from user data: none without
/// user data, [`DEFAULT_GENERATION`] when it is unreadable.
pub(crate) fn decode_cooperative(user_data: Option<&[u8]>) -> Option<i32> {
    let bytes = user_data?;
    Some(Reader { bytes, at: 0 }.i32().unwrap_or(DEFAULT_GENERATION))
}

fn read_previous_assignment(reader: &mut Reader<'_>) -> Option<Vec<TopicPartition>> {
    let topic_count = reader.array_len(6)?;
    let mut partitions = Vec::new();
    for _ in 0..topic_count {
        let topic = reader.string()?;
        let count = reader.array_len(4)?;
        for _ in 0..count {
            let partition = reader.i32()?;
            if let Ok(partition) = u32::try_from(partition) {
                partitions.push(TopicPartition::new(topic.clone(), partition));
            }
        }
    }
    Some(partitions)
}

/// Kafka's `Type` readers over a byte slice; `None` where Kafka throws `SchemaException` or
/// `BufferUnderflowException`.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let end = self.at.checked_add(n)?;
        let slice = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(slice)
    }

    fn i32(&mut self) -> Option<i32> {
        let bytes: [u8; 4] = self.take(4)?.try_into().ok()?;
        Some(i32::from_be_bytes(bytes))
    }

    fn i16(&mut self) -> Option<i16> {
        let bytes: [u8; 2] = self.take(2)?.try_into().ok()?;
        Some(i16::from_be_bytes(bytes))
    }

    /// A non-nullable `ArrayOf` count: not negative, and (as Kafka checks) not more items than
    /// bytes left; `min_item` bounds it further so a hostile count cannot make us loop long.
    fn array_len(&mut self, min_item: usize) -> Option<usize> {
        let count = usize::try_from(self.i32()?).ok()?;
        let left = self.bytes.len() - self.at;
        (count <= left && count.saturating_mul(min_item) <= left).then_some(count)
    }

    /// A non-nullable `STRING`: int16 length, UTF-8 (malformed bytes become U+FFFD, as Java's
    /// decoder does).
    fn string(&mut self) -> Option<String> {
        let len = usize::try_from(self.i16()?).ok()?;
        Some(String::from_utf8_lossy(self.take(len)?).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tp(topic: &str, partition: u32) -> TopicPartition {
        TopicPartition::new(topic, partition)
    }

    #[test]
    fn sticky_user_data_is_kafkas_v1_bytes() {
        let bytes = encode_sticky(&[tp("t", 0), tp("t", 1)], 5);
        #[rustfmt::skip]
        let expected = [
            0, 0, 0, 1,          // one topic
            0, 1, b't',          // "t"
            0, 0, 0, 2,          // two partitions
            0, 0, 0, 0, 0, 0, 0, 1,
            0, 0, 0, 5,          // generation
        ];
        assert_eq!(bytes, expected);
        assert_eq!(
            decode_sticky(Some(&bytes)),
            MemberData {
                partitions: vec![tp("t", 0), tp("t", 1)],
                generation: Some(5)
            }
        );
    }

    #[test]
    fn sticky_user_data_topics_follow_the_hash_map() {
        // "a" (97) and "b" (98) land in buckets 1 and 2: "a" first whatever the member's order.
        let bytes = encode_sticky(&[tp("b", 0), tp("a", 3)], 1);
        assert_eq!(&bytes[4..7], &[0, 1, b'a']);
        let decoded = decode_sticky(Some(&bytes));
        assert_eq!(decoded.partitions, [tp("a", 3), tp("b", 0)]);
    }

    #[test]
    fn sticky_v0_user_data_has_no_generation_and_garbage_owns_nothing() {
        let v1 = encode_sticky(&[tp("t", 2)], 7);
        let v0 = &v1[..v1.len() - 4];
        assert_eq!(
            decode_sticky(Some(v0)),
            MemberData {
                partitions: vec![tp("t", 2)],
                generation: None
            }
        );
        assert_eq!(
            decode_sticky(Some(&[0, 0, 0, 9])),
            MemberData {
                partitions: vec![],
                generation: Some(DEFAULT_GENERATION)
            }
        );
        assert_eq!(decode_sticky(None).generation, None);
        assert_eq!(decode_sticky(Some(&[])).generation, None);
    }

    #[test]
    fn cooperative_user_data_is_the_generation() {
        assert_eq!(encode_cooperative(10), [0, 0, 0, 10]);
        assert_eq!(decode_cooperative(Some(&[0, 0, 0, 10])), Some(10));
        assert_eq!(decode_cooperative(Some(&[0, 0])), Some(DEFAULT_GENERATION));
        assert_eq!(decode_cooperative(None), None);
    }
}
