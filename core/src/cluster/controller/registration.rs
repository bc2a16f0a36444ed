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
    /// A reassignment removed the leader.
    Reassignment,
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
    /// Replicas a reassignment is adding (KIP-455), sorted.
    pub adding: Vec<u32>,
    /// Replicas a reassignment is removing, sorted.
    pub removing: Vec<u32>,
}

impl PartitionRegistration {
    /// What breaks the rules every registration keeps between changes, if anything: at least
    /// one replica, no replica twice, the ISR a non-empty subset of the replicas without
    /// duplicates, a leader in the ISR, the replicas being added and removed disjoint
    /// replicas, epochs not negative. A snapshot read from storage is refused with this
    /// reason; a change that breaks them is a controller bug ([`Self::check_invariants`]).
    pub fn invariant_violation(&self) -> Option<&'static str> {
        let within = |ids: &[u32]| ids.iter().all(|r| self.replicas.contains(r));
        if self.replicas.is_empty() || has_duplicates(&self.replicas) {
            Some("the replicas are empty or repeat a broker")
        } else if self.isr.is_empty() || has_duplicates(&self.isr) || !within(&self.isr) {
            Some("the ISR is empty, repeats a broker or is not within the replicas")
        } else if self.leader.is_some_and(|l| !self.isr.contains(&l)) {
            Some("the leader is not in the ISR")
        } else if !within(&self.adding)
            || !within(&self.removing)
            || self.adding.iter().any(|r| self.removing.contains(r))
        {
            Some("adding and removing are not disjoint replicas")
        } else if self.leader_epoch < 0 || self.partition_epoch < 0 {
            Some("an epoch is negative")
        } else {
            None
        }
    }

    /// Asserts [`Self::invariant_violation`] finds nothing.
    ///
    /// # Panics
    /// When a rule is broken: a controller bug.
    pub fn check_invariants(&self) {
        if let Some(violation) = self.invariant_violation() {
            panic!("partition registration invariant broken ({violation}): {self:?}");
        }
    }

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
            adding: Vec::new(),
            removing: Vec::new(),
        }
    }

    /// Kafka's `PartitionReassignmentReplicas`: starts moving to `target` — replicas become
    /// `target` followed by the sorted replicas being removed; no leader change. A pure
    /// reorder completes at once. Returns whether anything changed.
    pub fn start_reassignment(&mut self, target: &[u32]) -> bool {
        let current = self.replicas.clone();
        let mut removing: Vec<u32> = current
            .iter()
            .copied()
            .filter(|r| !target.contains(r))
            .collect();
        removing.sort_unstable();
        let mut adding: Vec<u32> = target
            .iter()
            .copied()
            .filter(|r| !current.contains(r))
            .collect();
        adding.sort_unstable();
        let mut replicas = target.to_vec();
        replicas.extend(&removing);
        if replicas == self.replicas && adding.is_empty() && removing.is_empty() {
            return false;
        }
        self.replicas = replicas;
        self.adding = adding;
        self.removing = removing;
        self.partition_epoch += 1;
        true
    }

    /// Kafka 3.7's `completeReassignmentIfNeeded`: once every adding replica is in the ISR (and
    /// the ISR without the removed ones is not empty), drop the removed replicas from the
    /// replicas and the ISR. Returns whether it completed; the caller re-elects (the epoch is
    /// bumped when replicas were removed).
    pub fn complete_reassignment_if_ready(&mut self) -> bool {
        if self.adding.is_empty() && self.removing.is_empty() {
            return false;
        }
        let isr_after: Vec<u32> = self
            .isr
            .iter()
            .copied()
            .filter(|r| !self.removing.contains(r))
            .collect();
        if !self.adding.iter().all(|r| self.isr.contains(r)) || isr_after.is_empty() {
            return false;
        }
        let removed_any = !self.removing.is_empty();
        let removing = std::mem::take(&mut self.removing);
        self.replicas.retain(|r| !removing.contains(r));
        self.isr = isr_after;
        self.adding.clear();
        self.partition_epoch += 1;
        if removed_any && self.leader.is_some_and(|l| removing.contains(&l)) {
            self.leader = None;
        } else if removed_any {
            // "If the new replica list does not contain all the brokers that the old one did",
            // the leader epoch is bumped.
            self.leader_epoch += 1;
        }
        true
    }

    /// `ElectLeaders PREFERRED`: the first replica leads if it is in sync and acceptable.
    pub fn elect_preferred(
        &mut self,
        acceptable: impl Fn(u32) -> bool,
    ) -> Result<(), crate::error::ErrorCode> {
        use crate::error::ErrorCode;
        let preferred = self.replicas[0];
        if self.leader == Some(preferred) {
            return Err(ErrorCode::ElectionNotNeeded);
        }
        if !self.isr.contains(&preferred) || !acceptable(preferred) {
            return Err(ErrorCode::PreferredLeaderNotAvailable);
        }
        self.leader = Some(preferred);
        self.leader_epoch += 1;
        self.partition_epoch += 1;
        Ok(())
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
        debug_assert!(
            leader.is_none_or(|l| self.isr.contains(&l) && acceptable(l)),
            "an elected leader is an acceptable in-sync replica"
        );
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

/// Whether `ids` holds some id twice (lists are a few replicas long).
fn has_duplicates(ids: &[u32]) -> bool {
    ids.iter()
        .enumerate()
        .any(|(i, id)| ids[i + 1..].contains(id))
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

    /// Kafka's `PartitionReassignmentReplicasTest` cases.
    #[test]
    fn reassignment_follows_kafkas_replica_lists() {
        let start = |replicas: Vec<u32>, target: &[u32]| {
            let mut p = PartitionRegistration::new(replicas, |_| true);
            p.start_reassignment(target);
            (p.removing.clone(), p.adding.clone(), p.replicas.clone())
        };
        assert_eq!(
            start(vec![3, 2, 1], &[3, 6, 2, 1, 5]),
            (vec![], vec![5, 6], vec![3, 6, 2, 1, 5])
        );
        assert_eq!(
            start(vec![3, 2, 1, 0], &[3, 1]),
            (vec![0, 2], vec![], vec![3, 1, 0, 2])
        );
        assert_eq!(
            start(vec![3, 2, 1, 0], &[7, 3, 1, 9]),
            (vec![0, 2], vec![7, 9], vec![7, 3, 1, 9, 0, 2])
        );
        assert_eq!(
            start(vec![3, 2, 1, 0], &[0, 1, 3, 2]),
            (vec![], vec![], vec![0, 1, 3, 2])
        );
        let mut p = PartitionRegistration::new(vec![0, 1, 2], |_| true);
        p.start_reassignment(&[3, 4, 5]);
        p.isr = vec![0, 1, 2, 3, 4];
        assert!(!p.complete_reassignment_if_ready(), "5 is not in sync yet");
        p.isr = vec![0, 1, 2, 3, 4, 5];
        assert!(p.complete_reassignment_if_ready());
        assert_eq!(
            (p.replicas.clone(), p.isr.clone()),
            (vec![3, 4, 5], vec![3, 4, 5])
        );
        assert_eq!(
            p.leader, None,
            "the removed leader must be replaced by an election"
        );
        let mut p = PartitionRegistration::new(vec![0, 1, 2], |_| true);
        p.start_reassignment(&[0, 1, 3]);
        p.isr = vec![0, 1, 2, 3];
        assert!(p.complete_reassignment_if_ready());
        assert_eq!(
            (p.replicas.clone(), p.isr.clone(), p.leader),
            (vec![0, 1, 3], vec![0, 1, 3], Some(0))
        );
    }

    #[test]
    fn preferred_election_needs_the_preferred_replica_in_sync() {
        use crate::error::ErrorCode;
        let mut p = PartitionRegistration::new(vec![0, 1], |_| true);
        assert_eq!(
            p.elect_preferred(|_| true),
            Err(ErrorCode::ElectionNotNeeded)
        );
        p.remove_from_isr(0);
        p.elect(|r| r != 0, false, ElectionReason::LeaderFenced);
        assert_eq!(p.leader, Some(1));
        assert_eq!(
            p.elect_preferred(|_| true),
            Err(ErrorCode::PreferredLeaderNotAvailable)
        );
        p.isr.push(0);
        assert_eq!(p.elect_preferred(|_| true), Ok(()));
        assert_eq!((p.leader, p.leader_epoch), (Some(0), 2));
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
