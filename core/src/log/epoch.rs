//! The leader epoch cache: which leader epoch wrote which offsets of a partition's log.
//!
//! Kafka's `LeaderEpochFileCache` (KIP-101, KIP-279): one entry per leader epoch that appended
//! to the log, holding the offset of the first record that epoch wrote. A replica that comes
//! back asks the leader where an epoch of its own log ended ([`LeaderEpochCache::end_offset_for`])
//! and truncates its log there, so a tail the leader never had is discarded, not kept.

/// Kafka's `UNDEFINED_EPOCH`: no epoch is known.
pub const UNDEFINED_EPOCH: i32 = -1;

/// Kafka's `UNDEFINED_EPOCH_OFFSET`: no end offset is known.
pub const UNDEFINED_EPOCH_OFFSET: i64 = -1;

/// One cache entry: `epoch` wrote the log from `start_offset` on (until the next entry's start).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EpochEntry {
    /// The leader epoch.
    pub epoch: i32,
    /// Offset of the first record written under that epoch.
    pub start_offset: i64,
}

/// A partition's leader epoch cache (Kafka's `LeaderEpochFileCache`), without the file: entries
/// strictly increasing in both epoch and start offset.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LeaderEpochCache {
    entries: Vec<EpochEntry>,
}

impl LeaderEpochCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The entries, oldest first.
    pub fn entries(&self) -> &[EpochEntry] {
        &self.entries
    }

    /// Whether the cache holds no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The newest entry.
    pub fn latest_entry(&self) -> Option<EpochEntry> {
        self.entries.last().copied()
    }

    /// The newest epoch: the one the log is being written under.
    pub fn latest_epoch(&self) -> Option<i32> {
        self.entries.last().map(|e| e.epoch)
    }

    /// The oldest entry.
    pub fn earliest_entry(&self) -> Option<EpochEntry> {
        self.entries.first().copied()
    }

    /// Records that `epoch` writes from `start_offset` on, as Kafka's `assign` does. Nothing
    /// changes when the newest entry already has this epoch at or below `start_offset`.
    /// Otherwise every entry that would break the order — an epoch at or above `epoch`, or a
    /// start offset at or above `start_offset` — is removed first, newest first, and the
    /// entry becomes the newest. Returns whether the cache changed.
    ///
    /// # Panics
    /// If `epoch` or `start_offset` is negative (Kafka's `IllegalArgumentException`).
    pub fn assign(&mut self, epoch: i32, start_offset: i64) -> bool {
        assert!(
            epoch >= 0 && start_offset >= 0,
            "invalid leader epoch entry ({epoch}, {start_offset})"
        );
        let update_needed = self
            .latest_entry()
            .is_none_or(|latest| epoch != latest.epoch || start_offset < latest.start_offset);
        if !update_needed {
            return false;
        }
        while self
            .entries
            .last()
            .is_some_and(|e| e.epoch >= epoch || e.start_offset >= start_offset)
        {
            self.entries.pop();
        }
        self.entries.push(EpochEntry {
            epoch,
            start_offset,
        });
        self.assert_monotonic();
        true
    }

    /// Kafka's `endOffsetFor`: the largest epoch at or below `requested_epoch` and the offset
    /// where it ended (the start of the next epoch), as (epoch, end offset). The newest epoch
    /// ends at `log_end_offset`. (-1, -1) when `requested_epoch` is -1 or above every known
    /// epoch (or the cache is empty). A `requested_epoch` below every known epoch answers
    /// `(requested_epoch, start of the first epoch)`.
    pub fn end_offset_for(&self, requested_epoch: i32, log_end_offset: i64) -> (i32, i64) {
        if requested_epoch == UNDEFINED_EPOCH {
            return (UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET);
        }
        if self.latest_epoch() == Some(requested_epoch) {
            return (requested_epoch, log_end_offset);
        }
        let higher = self.entries.partition_point(|e| e.epoch <= requested_epoch);
        let Some(next) = self.entries.get(higher) else {
            return (UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET);
        };
        match higher.checked_sub(1).map(|floor| self.entries[floor]) {
            None => (requested_epoch, next.start_offset),
            Some(floor) => (floor.epoch, next.start_offset),
        }
    }

    /// Kafka's `epochForOffset`: the epoch that wrote `offset`, if an entry starts at or
    /// below it.
    pub fn epoch_for_offset(&self, offset: i64) -> Option<i32> {
        let after = self.entries.partition_point(|e| e.start_offset <= offset);
        after.checked_sub(1).map(|i| self.entries[i].epoch)
    }

    /// Kafka's `truncateFromEnd`: removes every entry starting at or after `end_offset` (the
    /// log was truncated to it). A negative `end_offset` changes nothing.
    pub fn truncate_from_end(&mut self, end_offset: i64) {
        if end_offset < 0 {
            return;
        }
        while self
            .entries
            .last()
            .is_some_and(|e| e.start_offset >= end_offset)
        {
            self.entries.pop();
        }
        self.assert_monotonic();
    }

    /// Kafka's `truncateFromStart`: the log now starts at `start_offset`. Entries starting at
    /// or below it are removed and the newest of them comes back as (its epoch,
    /// `start_offset`), so the epoch that wrote `start_offset` stays known.
    pub fn truncate_from_start(&mut self, start_offset: i64) {
        let removed = self
            .entries
            .partition_point(|e| e.start_offset <= start_offset);
        let Some(last_removed) = removed.checked_sub(1).map(|i| self.entries[i]) else {
            return;
        };
        self.entries.splice(
            ..removed,
            [EpochEntry {
                epoch: last_removed.epoch,
                start_offset,
            }],
        );
        self.assert_monotonic();
    }

    /// Removes every entry (Kafka's `clearAndFlush`).
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    fn assert_monotonic(&self) {
        assert!(
            self.entries
                .windows(2)
                .all(|w| w[0].epoch < w[1].epoch && w[0].start_offset < w[1].start_offset),
            "leader epoch entries strictly increase in epoch and start offset: {:?}",
            self.entries
        );
    }
}
