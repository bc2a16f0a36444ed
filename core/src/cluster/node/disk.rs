//! A broker's disk: its log directory and `replication-offset-checkpoint`.
//!
//! While the broker runs, its replicas' [`PartitionLog`]s hold the segment bytes; nothing here
//! copies them. A crash moves the logs' bytes into `stopped` (volatile indexes and state are
//! dropped) and a restart recovers from them. The small metadata a recovery needs besides the
//! bytes (topic records, partition checkpoints, high watermarks) is kept here, and every change
//! is also queued as a [`StorageOp`] (and a dirty checkpoint file) for the host to persist.

use std::collections::BTreeMap;

use crate::log::PartitionLog;
use crate::storage::{PartitionState, RecoveryImage, StorageOp, TopicRecord};

/// A replica, by (topic, partition).
pub(crate) type PartitionKey = (String, u32);

/// What a broker keeps across a crash, and what it must still hand to its host.
#[derive(Clone, Debug, Default)]
pub(crate) struct Disk {
    /// Topic metadata, as last put.
    pub(super) topics: BTreeMap<String, TopicRecord>,
    /// Partition checkpoints (log start offset, cleaner checkpoint), as last put.
    pub(super) states: BTreeMap<PartitionKey, PartitionState>,
    /// The segment bytes `(base_offset, bytes)` of every replica while the broker is stopped.
    pub(super) stopped: BTreeMap<PartitionKey, Vec<(i64, Vec<u8>)>>,
    /// Kafka's `replication-offset-checkpoint`.
    pub(super) checkpoints: BTreeMap<PartitionKey, i64>,
    /// Log-directory changes the host has not taken yet.
    outbox: Vec<StorageOp>,
    /// The checkpoint changed since the host last took it.
    checkpoint_dirty: bool,
}

impl Disk {
    /// Applies one change to the log directory's metadata and queues it for the host. Segment
    /// bytes are not kept here (the replica's log has them).
    pub(super) fn apply(&mut self, op: StorageOp) {
        match &op {
            StorageOp::PutTopic(record) => {
                self.topics.insert(record.name.clone(), record.clone());
            }
            StorageOp::PutPartitionState {
                topic,
                partition,
                state,
            } => {
                self.states.insert((topic.clone(), *partition), *state);
            }
            StorageOp::DeleteTopic { topic } => {
                self.topics.remove(topic);
                self.states.retain(|(t, _), _| t != topic);
                let before = self.checkpoints.len();
                self.checkpoints.retain(|(t, _), _| t != topic);
                self.checkpoint_dirty |= self.checkpoints.len() != before;
            }
            StorageOp::CreateSegment { .. }
            | StorageOp::AppendToSegment { .. }
            | StorageOp::DeleteSegment { .. }
            | StorageOp::ReplaceSegments { .. } => {}
        }
        self.outbox.push(op);
    }

    /// Records a replica's high watermark in the checkpoint.
    pub(super) fn set_checkpoint(&mut self, key: PartitionKey, hw: i64) {
        if self.checkpoints.insert(key, hw) != Some(hw) {
            self.checkpoint_dirty = true;
        }
    }

    /// Drops a replica from the checkpoint.
    pub(super) fn remove_checkpoint(&mut self, key: &PartitionKey) {
        if self.checkpoints.remove(key).is_some() {
            self.checkpoint_dirty = true;
        }
    }

    /// Takes the queued log-directory ops, and (when `checkpoint` is due) the checkpoint
    /// file's new contents if it changed since it was last taken.
    pub(super) fn drain(&mut self, checkpoint: bool) -> (Vec<StorageOp>, Option<Vec<u8>>) {
        let checkpoint = (checkpoint && std::mem::take(&mut self.checkpoint_dirty))
            .then(|| encode_offset_checkpoint(&self.checkpoints));
        (std::mem::take(&mut self.outbox), checkpoint)
    }

    /// Keeps a stopped replica's segment bytes (its disk), dropping everything else of it.
    pub(super) fn keep_stopped(&mut self, key: PartitionKey, log: PartitionLog) {
        self.stopped.insert(key, log.into_segment_bytes());
    }

    /// A disk holding what a host stored: `image` (a log directory) and the checkpoint.
    pub(super) fn from_image(
        image: RecoveryImage,
        checkpoints: BTreeMap<PartitionKey, i64>,
    ) -> Self {
        let mut disk = Disk {
            checkpoints,
            ..Disk::default()
        };
        for topic in image.topics {
            let name = topic.record.name.clone();
            for segment in topic.segments {
                disk.stopped
                    .entry((name.clone(), segment.partition))
                    .or_default()
                    .push((segment.base_offset, segment.bytes));
            }
            for (partition, state) in topic.partition_states {
                disk.states.insert((name.clone(), partition), state);
            }
            disk.topics.insert(name, topic.record);
        }
        disk
    }
}

/// Kafka's `OffsetCheckpointFile` version 0 as text: the version line, the entry count, then
/// one `<topic> <partition> <offset>` line per entry.
pub fn encode_offset_checkpoint(entries: &BTreeMap<(String, u32), i64>) -> Vec<u8> {
    let mut text = format!("0\n{}\n", entries.len());
    for ((topic, partition), offset) in entries {
        text.push_str(&format!("{topic} {partition} {offset}\n"));
    }
    text.into_bytes()
}

/// Reads Kafka's `OffsetCheckpointFile` text; `None` when it is malformed (an unknown version,
/// a count that does not match, or a line that is not `<topic> <partition> <offset>`).
pub fn decode_offset_checkpoint(bytes: &[u8]) -> Option<BTreeMap<(String, u32), i64>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut lines = text.lines();
    if lines.next()?.trim() != "0" {
        return None;
    }
    let count: usize = lines.next()?.trim().parse().ok()?;
    let mut entries = BTreeMap::new();
    let mut read = 0usize;
    for line in lines {
        if line.trim().is_empty() {
            continue;
        }
        let mut fields = line.split_whitespace();
        let (Some(topic), Some(partition), Some(offset), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return None;
        };
        let partition: u32 = partition.parse().ok()?;
        let offset: i64 = offset.parse().ok()?;
        entries.insert((topic.to_owned(), partition), offset);
        read += 1;
    }
    (read == count).then_some(entries)
}
