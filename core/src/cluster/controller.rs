//! The KRaft controller's view of partitions: replicas, ISR, leader and epochs, and Kafka's
//! election rules (`PartitionChangeBuilder`).

use std::collections::BTreeMap;

/// Why a partition got a (new) leader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElectionReason {
    /// The topic was created: the first in-sync replica leads.
    TopicCreated,
    /// The leader's broker was fenced (missed heartbeats, or killed).
    LeaderFenced,
    /// A broker came back and the partition had no leader.
    BrokerUnfenced,
    /// No in-sync replica was alive and `unclean.leader.election.enable` let an out-of-sync one
    /// lead (data may be lost).
    Unclean,
    /// An admin asked for the preferred replica (`ElectLeaders PREFERRED`).
    Preferred,
    /// The leader is shutting down in a controlled way.
    ControlledShutdown,
}

/// The controller's record of one partition (Kafka's `PartitionRegistration`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionRegistration {
    /// Replica broker ids; the first is the preferred leader.
    pub replicas: Vec<u32>,
    /// In-sync replicas, never empty.
    pub isr: Vec<u32>,
    /// The leader, or `None` when no eligible replica is alive.
    pub leader: Option<u32>,
    /// Bumped whenever a leader is set (also to none).
    pub leader_epoch: i32,
    /// Bumped on every change.
    pub partition_epoch: i32,
}

impl PartitionRegistration {
    /// A new partition: every active replica in sync, the first active one leads, epoch 0.
    pub fn new(replicas: Vec<u32>, is_active: impl Fn(u32) -> bool) -> Self {
        assert!(!replicas.is_empty(), "a partition has at least one replica");
        let isr: Vec<u32> = replicas.iter().copied().filter(|r| is_active(*r)).collect();
        let isr = if isr.is_empty() {
            replicas.clone()
        } else {
            isr
        };
        let leader = isr.first().copied().filter(|r| is_active(*r));
        Self {
            replicas,
            isr,
            leader,
            leader_epoch: 0,
            partition_epoch: 0,
        }
    }

    /// Kafka's ONLINE election: keep a valid current leader, else the first replica in
    /// assignment order that is in the ISR and acceptable; with `unclean`, else the first
    /// acceptable replica at all (and the ISR becomes just that replica). Returns the reason
    /// when the leader changed (the epoch is bumped whenever a leader is set, also to none).
    pub fn elect(
        &mut self,
        acceptable: impl Fn(u32) -> bool,
        unclean: bool,
        reason: ElectionReason,
    ) -> Option<ElectionReason> {
        if let Some(leader) = self.leader
            && self.isr.contains(&leader)
            && acceptable(leader)
        {
            return None;
        }
        let clean = self
            .replicas
            .iter()
            .copied()
            .find(|r| self.isr.contains(r) && acceptable(*r));
        let (leader, reason) = match clean {
            Some(leader) => (Some(leader), reason),
            None if unclean => match self.replicas.iter().copied().find(|r| acceptable(*r)) {
                Some(leader) => {
                    self.isr = vec![leader];
                    (Some(leader), ElectionReason::Unclean)
                }
                None => (None, reason),
            },
            None => (None, reason),
        };
        if leader.is_none() && self.leader.is_none() {
            return None;
        }
        self.leader = leader;
        self.leader_epoch += 1;
        self.partition_epoch += 1;
        Some(reason)
    }

    /// Removes `broker` from the ISR unless it is the last member (Kafka never empties the ISR
    /// without eligible leader replicas). Returns whether the ISR changed.
    pub fn remove_from_isr(&mut self, broker: u32) -> bool {
        if self.isr.len() > 1 && self.isr.contains(&broker) {
            self.isr.retain(|r| *r != broker);
            self.partition_epoch += 1;
            true
        } else {
            false
        }
    }
}

/// What the controller knows of a broker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BrokerRegistration {
    /// Time of the last heartbeat received.
    pub last_heartbeat: i64,
    /// Fenced brokers lead nothing and are not in sync.
    pub fenced: bool,
    /// Incremented each time the broker registers again (after a restart).
    pub broker_epoch: u64,
}

/// Every partition's registration, by (topic, partition).
pub type Registrations = BTreeMap<(String, u32), PartitionRegistration>;

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn election_prefers_assignment_order_within_the_isr() {
        let mut p = PartitionRegistration::new(vec![2, 0, 1], |_| true);
        assert_eq!((p.leader, p.leader_epoch), (Some(2), 0));
        // The leader dies: the next replica in assignment order that is in sync leads.
        assert!(p.remove_from_isr(2));
        let reason = p.elect(|r| r != 2, false, ElectionReason::LeaderFenced);
        assert_eq!(reason, Some(ElectionReason::LeaderFenced));
        assert_eq!(
            (p.leader, p.leader_epoch, p.isr.clone()),
            (Some(0), 1, vec![0, 1])
        );
        // A valid leader is kept.
        assert_eq!(
            p.elect(|_| true, false, ElectionReason::BrokerUnfenced),
            None
        );
    }

    #[test]
    fn the_last_in_sync_replica_stays_in_the_isr_and_unclean_election_resets_it() {
        let mut p = PartitionRegistration::new(vec![0, 1], |_| true);
        assert!(p.remove_from_isr(1));
        assert!(!p.remove_from_isr(0), "never empties the ISR");
        // 0 dies: no clean leader; the epoch still moves (leader set to none).
        assert_eq!(
            p.elect(|r| r == 1, false, ElectionReason::LeaderFenced),
            Some(ElectionReason::LeaderFenced)
        );
        assert_eq!((p.leader, p.leader_epoch), (None, 1));
        assert_eq!(
            p.elect(|r| r == 1, false, ElectionReason::LeaderFenced),
            None
        );
        assert_eq!(
            p.elect(|r| r == 1, true, ElectionReason::LeaderFenced),
            Some(ElectionReason::Unclean)
        );
        assert_eq!(
            (p.leader, p.isr.clone(), p.leader_epoch),
            (Some(1), vec![1], 2)
        );
    }
}
