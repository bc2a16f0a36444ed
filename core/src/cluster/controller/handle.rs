//! The controller's inputs: heartbeats, AlterPartition requests and the session check.

use super::{Controller, ControllerInput, ControllerOutput, ElectionReason};
use crate::cluster::ClusterEvent;
use crate::cluster::message::Message;

impl Controller {
    /// Handles one input at `now`; what follows from it is queued as outputs.
    pub(crate) fn handle(&mut self, now: i64, input: ControllerInput) {
        match input {
            ControllerInput::Message {
                from,
                message:
                    Message::Heartbeat {
                        broker,
                        broker_epoch,
                        metadata_seq,
                    },
            } => {
                debug_assert_eq!(from, broker, "a broker heartbeats for itself");
                self.heartbeat(now, broker, broker_epoch, metadata_seq);
            }
            ControllerInput::Message {
                from,
                message:
                    Message::AlterPartition {
                        topic,
                        partition,
                        leader_epoch,
                        partition_epoch,
                        isr,
                        proposal,
                        broker_epoch,
                        new_member_epochs,
                    },
            } => self.alter_partition(
                from,
                AlterPartition {
                    topic,
                    partition,
                    leader_epoch,
                    partition_epoch,
                    isr,
                    proposal,
                    broker_epoch,
                    new_member_epochs,
                },
            ),
            // Brokers send the controller nothing else.
            ControllerInput::Message { .. } => {}
            ControllerInput::SessionCheck => self.fence_one_stale_broker(now),
        }
    }

    /// A broker's heartbeat: its session is renewed; a gap in its metadata stream older than
    /// one heartbeat makes the controller resend everything; a new incarnation is fenced out
    /// of every ISR and leadership first, then (as any fenced broker that heartbeats) unfenced
    /// and sent every partition.
    fn heartbeat(&mut self, now: i64, broker: u32, broker_epoch: u64, metadata_seq: u64) {
        let Some(registration) = self.brokers.get_mut(&broker) else {
            return;
        };
        registration.last_heartbeat = now;
        let known_epoch = registration.broker_epoch;
        let sent = self.metadata_seq.get(&broker).copied().unwrap_or(0);
        let due = self.seq_at_last_heartbeat.insert(broker, sent).unwrap_or(0);
        debug_assert!(
            due <= sent,
            "the metadata stream only grows between heartbeats"
        );
        if broker_epoch == known_epoch && metadata_seq < due {
            // Messages sent before the previous heartbeat never arrived: resend all.
            self.resync(broker);
            let after = self.metadata_seq.get(&broker).copied().unwrap_or(0);
            self.seq_at_last_heartbeat.insert(broker, after);
        }
        let Some(registration) = self.brokers.get_mut(&broker) else {
            return;
        };
        if broker_epoch > registration.broker_epoch {
            // A new incarnation (the broker restarted): its old replicas' state is gone, so
            // it is fenced out of every ISR and leadership first, as KRaft does when a broker
            // registers again.
            registration.broker_epoch = broker_epoch;
            // The new incarnation's metadata stream starts afresh.
            self.metadata_seq.insert(broker, 0);
            self.seq_at_last_heartbeat.insert(broker, 0);
            let Some(registration) = self.brokers.get_mut(&broker) else {
                return;
            };
            if !registration.fenced {
                registration.fenced = true;
                self.event(ClusterEvent::BrokerFenced { broker });
                self.reelect(Some(broker), ElectionReason::LeaderFenced);
            }
        }
        let Some(registration) = self.brokers.get_mut(&broker) else {
            return;
        };
        debug_assert!(
            registration.broker_epoch >= broker_epoch,
            "the registered broker epoch is the newest heard"
        );
        if registration.fenced {
            registration.fenced = false;
            self.event(ClusterEvent::BrokerUnfenced { broker });
            // A returning broker learns every partition, and leaderless partitions may
            // elect it.
            let keys: Vec<(String, u32)> = self.partitions.keys().cloned().collect();
            self.reelect(None, ElectionReason::BrokerUnfenced);
            for (topic, partition) in keys {
                self.publish(&topic, partition);
            }
            self.resend_deletions(broker, 0);
        }
    }

    /// A leader's AlterPartition (KIP-497): accepted when it names the current epochs and an
    /// eligible ISR, else rejected with the current registration sent along.
    fn alter_partition(&mut self, sender: u32, request: AlterPartition) {
        let AlterPartition {
            topic,
            partition,
            leader_epoch,
            partition_epoch,
            isr,
            proposal,
            broker_epoch,
            new_member_epochs,
        } = request;
        let key = (topic.clone(), partition);
        // A copy older than one already handled from the same broker incarnation (a resend
        // overtook it) is ignored: only the newest proposal is answered.
        let seen = self
            .proposals_seen
            .entry((key.clone(), sender, broker_epoch))
            .or_insert(0);
        if proposal <= *seen {
            return;
        }
        *seen = proposal;
        let brokers = &self.brokers;
        let Some(registration) = self.partitions.get_mut(&key) else {
            return;
        };
        if registration.leader_epoch != leader_epoch
            || registration.partition_epoch != partition_epoch
            || isr.is_empty()
            || isr.iter().any(|r| !registration.replicas.contains(r))
            || isr.iter().any(|r| brokers.get(r).is_none_or(|b| b.fenced))
            || new_member_epochs
                .iter()
                .any(|(r, epoch)| brokers.get(r).is_none_or(|b| b.broker_epoch != *epoch))
        {
            // Stale or ineligible (Kafka answers FENCED_LEADER_EPOCH, INVALID_UPDATE_VERSION or
            // INELIGIBLE_REPLICA): the leader drops its proposal and learns the current state.
            self.send(
                sender,
                Message::AlterPartitionRejected {
                    topic: topic.clone(),
                    partition,
                    proposal,
                },
            );
            self.publish(&topic, partition);
            return;
        }
        debug_assert_eq!(
            registration.leader,
            Some(sender),
            "only the current leader proposes with the current epochs"
        );
        let grew = isr.len() > registration.isr.len();
        let joined: Vec<u32> = isr
            .iter()
            .copied()
            .filter(|r| !registration.isr.contains(r))
            .collect();
        registration.isr = isr.clone();
        registration.partition_epoch += 1;
        let progressed: Vec<u32> = registration
            .adding
            .iter()
            .copied()
            .filter(|r| registration.isr.contains(r))
            .collect();
        let reassigning = !registration.adding.is_empty();
        let completed = registration.complete_reassignment_if_ready();
        self.event(if grew {
            ClusterEvent::IsrExpanded {
                topic: topic.clone(),
                partition,
                isr,
            }
        } else {
            ClusterEvent::IsrShrunk {
                topic: topic.clone(),
                partition,
                isr,
            }
        });
        if reassigning && grew {
            self.event(ClusterEvent::ReassignmentProgressed {
                topic: topic.clone(),
                partition,
                in_sync: progressed,
            });
        }
        self.outputs.push(ControllerOutput::IsrExpanded {
            topic: topic.clone(),
            partition,
            joined,
        });
        if completed {
            self.finish_reassignment(&topic, partition);
        }
        self.check_partition(&key);
        self.publish(&topic, partition);
    }

    /// Kafka's `maybeFenceOneStaleBroker`: at most one broker per pass.
    fn fence_one_stale_broker(&mut self, now: i64) {
        let timeout = self.session_timeout_ms;
        let Some(broker) = self
            .brokers
            .iter()
            .find(|(_, r)| !r.fenced && now - r.last_heartbeat > timeout)
            .map(|(b, _)| *b)
        else {
            return;
        };
        if let Some(registration) = self.brokers.get_mut(&broker) {
            registration.fenced = true;
        }
        self.event(ClusterEvent::BrokerFenced { broker });
        self.reelect(Some(broker), ElectionReason::LeaderFenced);
    }

    /// Removes `fenced` from every ISR and re-elects where the leader is not acceptable.
    pub(super) fn reelect(&mut self, fenced: Option<u32>, reason: ElectionReason) {
        debug_assert!(
            fenced.is_none_or(|b| !self.is_active(b)),
            "a broker is fenced before it leaves the ISRs"
        );
        let keys: Vec<(String, u32)> = self.partitions.keys().cloned().collect();
        for key in keys {
            let unclean = self
                .topics
                .get(&key.0)
                .is_some_and(|(_, c)| c.unclean_leader_election_enable);
            let brokers = &self.brokers;
            let acceptable =
                |b: u32| brokers.get(&b).is_some_and(|r| !r.fenced) && Some(b) != fenced;
            let partition = self
                .partitions
                .get_mut(&key)
                .expect("keys were just read from the same map");
            let before_isr = partition.isr.clone();
            let before_epochs = (partition.leader_epoch, partition.partition_epoch);
            if let Some(fenced) = fenced {
                partition.remove_from_isr(fenced);
            }
            let elected = partition.elect(acceptable, unclean, reason);
            let after = partition.clone();
            assert!(
                after.leader_epoch >= before_epochs.0 && after.partition_epoch >= before_epochs.1,
                "{key:?}: epochs never go back"
            );
            if after.isr != before_isr {
                self.event(ClusterEvent::IsrShrunk {
                    topic: key.0.clone(),
                    partition: key.1,
                    isr: after.isr.clone(),
                });
            }
            if let Some(reason) = elected {
                self.event(ClusterEvent::LeaderElected {
                    topic: key.0.clone(),
                    partition: key.1,
                    leader: after.leader,
                    leader_epoch: after.leader_epoch,
                    reason,
                });
            }
            if after.isr != before_isr || elected.is_some() {
                self.check_partition(&key);
                self.publish(&key.0, key.1);
            }
        }
    }
}

/// The fields of [`Message::AlterPartition`].
struct AlterPartition {
    topic: String,
    partition: u32,
    leader_epoch: i32,
    partition_epoch: i32,
    isr: Vec<u32>,
    proposal: u64,
    broker_epoch: u64,
    new_member_epochs: Vec<(u32, u64)>,
}
