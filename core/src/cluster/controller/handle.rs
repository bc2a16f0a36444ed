//! The controller's inputs: heartbeats, AlterPartition requests and the session check.

use super::{ControlledShutdown, Controller, ControllerInput, ControllerOutput, ElectionReason};
use crate::cluster::event::ClusterEvent;
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
                        want_shut_down,
                    },
            } => {
                debug_assert_eq!(from, broker, "a broker heartbeats for itself");
                self.heartbeat(now, broker, broker_epoch, metadata_seq, want_shut_down);
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
    /// and sent every partition. A heartbeat that asks to shut down goes to
    /// [`Controller::shutdown_heartbeat`] instead of unfencing.
    fn heartbeat(
        &mut self,
        now: i64,
        broker: u32,
        broker_epoch: u64,
        metadata_seq: u64,
        want_shut_down: bool,
    ) {
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
            // Fenced below, it leaves any controlled shutdown of its previous incarnation.
            self.controlled_shutdowns.remove(&broker);
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
        if registration.broker_epoch == broker_epoch {
            self.reported_seq.insert(broker, metadata_seq);
        }
        if want_shut_down {
            self.shutdown_heartbeat(broker, broker_epoch);
            return;
        }
        let Some(registration) = self.brokers.get_mut(&broker) else {
            return;
        };
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
        let (brokers, shutdowns) = (&self.brokers, &self.controlled_shutdowns);
        let Some(registration) = self.partitions.get_mut(&key) else {
            return;
        };
        // A broker in controlled shutdown is ineligible (KIP-841), as a fenced one.
        if registration.leader_epoch != leader_epoch
            || registration.partition_epoch != partition_epoch
            || isr.is_empty()
            || isr.iter().any(|r| !registration.replicas.contains(r))
            || isr.iter().any(|r| !super::usable(brokers, shutdowns, *r))
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

    /// A heartbeat with `wantShutDown` (Kafka's `BrokerHeartbeatManager.calculateNextBrokerState`
    /// and `ReplicationControlManager.processBrokerHeartbeat`), answered with `shouldShutDown`:
    /// - a fenced broker may shut down at once;
    /// - an unfenced one that leads nothing is fenced (out of every ISR) and may shut down at
    ///   once; one that leads something enters controlled shutdown: it is no longer eligible
    ///   as a leader or an in-sync replica, its leaderships move and it leaves every ISR, and
    ///   it is told to wait;
    /// - in controlled shutdown, it may shut down (and is fenced) once it leads nothing and
    ///   every active broker has reported the metadata sent to it when the shutdown began (so
    ///   all know the new leaders); until then it is told to wait.
    fn shutdown_heartbeat(&mut self, broker: u32, broker_epoch: u64) {
        let fenced = self.brokers.get(&broker).is_none_or(|r| r.fenced);
        let should_shut_down = if fenced {
            true
        } else if !self.controlled_shutdowns.contains_key(&broker) {
            if self.has_leaderships(broker) {
                self.controlled_shutdowns
                    .insert(broker, ControlledShutdown::default());
                self.reelect(Some(broker), ElectionReason::ControlledShutdown);
                let caught_up_to = self
                    .brokers
                    .iter()
                    .filter(|(b, _)| **b != broker && self.is_active(**b))
                    .map(|(b, r)| {
                        let sent = self.metadata_seq.get(b).copied().unwrap_or(0);
                        (*b, r.broker_epoch, sent)
                    })
                    .collect();
                self.controlled_shutdowns
                    .insert(broker, ControlledShutdown { caught_up_to });
                false
            } else {
                self.fence_for_shutdown(broker);
                true
            }
        } else if !self.has_leaderships(broker) && self.others_caught_up(broker) {
            self.fence_for_shutdown(broker);
            true
        } else {
            false
        };
        self.send(
            broker,
            Message::HeartbeatResponse {
                broker_epoch,
                should_shut_down,
            },
        );
    }

    /// Whether `broker` leads some partition.
    fn has_leaderships(&self, broker: u32) -> bool {
        self.partitions.values().any(|p| p.leader == Some(broker))
    }

    /// Whether every broker that was active when `broker`'s controlled shutdown began, and
    /// still is in the same incarnation, has reported the metadata sent to it by then
    /// (Kafka's `controlledShutdownOffset <= lowestActiveOffset`).
    fn others_caught_up(&self, broker: u32) -> bool {
        let Some(shutdown) = self.controlled_shutdowns.get(&broker) else {
            return true;
        };
        shutdown.caught_up_to.iter().all(|(b, epoch, sent)| {
            !self.is_active(*b)
                || self.broker_epoch(*b) != *epoch
                || self.reported_seq.get(b).is_some_and(|seen| seen >= sent)
        })
    }

    /// Fences a broker whose shutdown the controller grants (Kafka's `SHUTDOWN_NOW`, handled as
    /// `handleBrokerFenced`): it leaves controlled shutdown and every ISR.
    fn fence_for_shutdown(&mut self, broker: u32) {
        self.controlled_shutdowns.remove(&broker);
        if let Some(registration) = self.brokers.get_mut(&broker) {
            registration.fenced = true;
        }
        self.event(ClusterEvent::BrokerFenced { broker });
        self.reelect(Some(broker), ElectionReason::ControlledShutdown);
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
        // A fenced broker leaves controlled shutdown (Kafka's `BrokerHeartbeatManager.touch`);
        // its next heartbeat that asks to shut down is granted at once.
        self.controlled_shutdowns.remove(&broker);
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
            let (brokers, shutdowns) = (&self.brokers, &self.controlled_shutdowns);
            let acceptable = |b: u32| super::usable(brokers, shutdowns, b) && Some(b) != fenced;
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
