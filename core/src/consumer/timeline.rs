//! Who consumed which partition when, across a group's consumers: the gaps a rebalance
//! leaves, for visualisations and for comparing the eager and cooperative protocols.

use std::collections::BTreeMap;

use super::ConsumerEvent;
use crate::group::TopicPartition;

/// A stretch of time in which a partition had no consumer, between a revocation (or loss)
/// and the next assignment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumptionGap {
    /// The partition.
    pub partition: TopicPartition,
    /// The client that gave it up.
    pub revoked_by: u32,
    /// When it was revoked or lost (ms).
    pub from: i64,
    /// The client that got it next.
    pub assigned_to: u32,
    /// When it was assigned again (ms).
    pub to: i64,
}

impl ConsumptionGap {
    /// How long the partition was not consumed, in ms.
    pub fn duration_ms(&self) -> i64 {
        self.to - self.from
    }
}

/// Folds the rebalance events of a group's consumers into each partition's owner and the
/// gaps in its consumption.
///
/// ```
/// use rill_core::consumer::{ConsumerEvent, OwnershipTimeline};
/// use rill_core::group::TopicPartition;
///
/// let tp = TopicPartition::new("t", 0);
/// let mut timeline = OwnershipTimeline::default();
/// timeline.record(1, &ConsumerEvent::PartitionsAssigned { partitions: vec![tp.clone()], at: 0 });
/// timeline.record(1, &ConsumerEvent::PartitionsRevoked { partitions: vec![tp.clone()], at: 100 });
/// timeline.record(2, &ConsumerEvent::PartitionsAssigned { partitions: vec![tp.clone()], at: 350 });
/// assert_eq!(timeline.owner(&tp), Some(2));
/// assert_eq!(timeline.gaps()[0].duration_ms(), 250);
/// ```
#[derive(Clone, Debug, Default)]
pub struct OwnershipTimeline {
    owners: BTreeMap<TopicPartition, u32>,
    released: BTreeMap<TopicPartition, (u32, i64)>,
    gaps: Vec<ConsumptionGap>,
}

impl OwnershipTimeline {
    /// Takes one event of consumer `client`; events other than assignments, revocations and
    /// losses are ignored.
    pub fn record(&mut self, client: u32, event: &ConsumerEvent) {
        match event {
            ConsumerEvent::PartitionsAssigned { partitions, at } => {
                for tp in partitions {
                    self.owners.insert(tp.clone(), client);
                    if let Some((revoked_by, from)) = self.released.remove(tp) {
                        self.gaps.push(ConsumptionGap {
                            partition: tp.clone(),
                            revoked_by,
                            from,
                            assigned_to: client,
                            to: *at,
                        });
                    }
                }
            }
            ConsumerEvent::PartitionsRevoked { partitions, at }
            | ConsumerEvent::PartitionsLost { partitions, at } => {
                for tp in partitions {
                    if self.owners.get(tp) == Some(&client) {
                        self.owners.remove(tp);
                        self.released.insert(tp.clone(), (client, *at));
                    }
                }
            }
            _ => {}
        }
    }

    /// The client consuming `partition` now, if any.
    pub fn owner(&self, partition: &TopicPartition) -> Option<u32> {
        self.owners.get(partition).copied()
    }

    /// Every gap so far, in the order they closed.
    pub fn gaps(&self) -> &[ConsumptionGap] {
        &self.gaps
    }

    /// Partitions revoked or lost and not assigned again yet, with who released them and when.
    pub fn unowned(&self) -> impl Iterator<Item = (&TopicPartition, u32, i64)> {
        self.released
            .iter()
            .map(|(tp, (client, at))| (tp, *client, *at))
    }
}
