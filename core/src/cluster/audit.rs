//! What a checker (the simulator, [`crate::sim`]) may ask the cluster to note at the instant
//! something happens, when checking it a step later would be too late: the replicas holding a
//! record when its `acks=all` answer leaves the leader, the log end of a follower when the
//! controller commits its return to the ISR, the group's generation when its coordinator
//! accepts an offset commit. Off unless [`Cluster::enable_audit`] is called; when off it costs
//! one branch per answer.
//!
//! [`InjectedBug`] breaks the engine on purpose, for tests that prove the checker catches each
//! kind of bug. It is never set outside such tests.

use std::collections::BTreeMap;

use super::bug::InjectedBug;
use super::{Cluster, Message, NodeId, node};
use crate::group::TopicPartition;
use crate::group::protocol::GroupRequest;

/// One thing noted at the instant it happened.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Audit {
    /// A leader answered an `acks=all` produce with success.
    AcksAllAnswered {
        /// The topic.
        topic: String,
        /// The partition.
        partition: u32,
        /// The answering leader.
        leader: u32,
        /// The batch's first and last offsets.
        offsets: (i64, i64),
        /// Brokers of the partition's replica set whose copy (running or on a stopped
        /// broker's disk) holds the batch byte-identical to the leader's, the leader included.
        holders: Vec<u32>,
        /// Brokers in the partition's replica set.
        replicas: usize,
        /// The topic's `min.insync.replicas` as the leader applies it.
        min_insync_replicas: u32,
    },
    /// The controller committed an ISR that adds brokers.
    IsrExpanded {
        /// The topic.
        topic: String,
        /// The partition.
        partition: u32,
        /// The leader the controller registers.
        leader: Option<u32>,
        /// That leader's high watermark, when it runs and holds the partition.
        leader_high_watermark: Option<i64>,
        /// Each added broker with its log end offset (`None`: not running or no replica), and
        /// whether that running broker is the incarnation the controller knows.
        joined: Vec<(u32, Option<i64>, bool)>,
    },
    /// A group coordinator accepted an offset commit (it passed validation and is being
    /// written).
    OffsetCommitAccepted {
        /// The coordinator's broker.
        broker: u32,
        /// The group.
        group: String,
        /// The member id in the request (empty: a standalone or admin commit).
        member_id: String,
        /// The generation in the request (-1: none).
        generation: i32,
        /// The group's generation when it was accepted.
        group_generation: i32,
        /// The committing member's assignment in that generation (`None`: not a member, or
        /// the group holds no assignment for it).
        assignment: Option<Vec<TopicPartition>>,
        /// The committed partitions and offsets.
        offsets: Vec<(TopicPartition, i64)>,
    },
}

/// The audit switch, its records and the injected bug, if any.
#[derive(Clone, Debug, Default)]
pub(crate) struct Checks {
    pub(crate) enabled: bool,
    pub(crate) records: Vec<Audit>,
    pub(crate) bug: Option<InjectedBug>,
    /// Per (client, is JoinGroup): the last OffsetCommit or JoinGroup the consumer sent, with
    /// its coordinator and `client.id` (kept while audit is on, for stale replays).
    sent_group: BTreeMap<(u32, bool), (u32, String, GroupRequest)>,
}

impl Cluster {
    /// Starts noting [`Audit`] records (taken with [`Cluster::poll_audit`]).
    pub fn enable_audit(&mut self) {
        self.checks.enabled = true;
        for coordinator in &mut self.coordinators {
            coordinator.enable_audit();
        }
    }

    /// The audit records noted since the last call.
    pub fn poll_audit(&mut self) -> Vec<Audit> {
        for (broker, coordinator) in self.coordinators.iter_mut().enumerate() {
            for accepted in coordinator.poll_audit() {
                self.checks.records.push(Audit::OffsetCommitAccepted {
                    broker: broker as u32,
                    group: accepted.group,
                    member_id: accepted.member_id,
                    generation: accepted.generation,
                    group_generation: accepted.group_generation,
                    assignment: accepted.assignment,
                    offsets: accepted.offsets,
                });
            }
        }
        std::mem::take(&mut self.checks.records)
    }

    /// Breaks the engine on purpose (see [`InjectedBug`]); for the checker's own tests.
    #[doc(hidden)]
    pub fn inject_bug(&mut self, bug: InjectedBug) {
        self.checks.bug = Some(bug);
        for node in &mut self.brokers {
            node.bug = Some(bug);
        }
        for coordinator in &mut self.coordinators {
            coordinator.inject_bug(bug);
        }
    }

    /// A new coordinator for `broker` gets the audit switch and bug the others have.
    pub(crate) fn equip_coordinator(&mut self, broker: u32) {
        let coordinator = &mut self.coordinators[broker as usize];
        if self.checks.enabled {
            coordinator.enable_audit();
        }
        if let Some(bug) = self.checks.bug {
            coordinator.inject_bug(bug);
        }
    }

    /// Keeps a copy of a consumer's OffsetCommit or JoinGroup (audit on only).
    pub(crate) fn remember_group_request(
        &mut self,
        client: u32,
        broker: u32,
        client_id: &str,
        body: &GroupRequest,
    ) {
        if !self.checks.enabled {
            return;
        }
        let join = match body {
            GroupRequest::OffsetCommit(_) => false,
            GroupRequest::JoinGroup(_) => true,
            _ => return,
        };
        self.checks
            .sent_group
            .insert((client, join), (broker, client_id.to_owned(), body.clone()));
    }

    /// Sends again, now, the last OffsetCommit (or with `join`, JoinGroup) consumer `client`
    /// sent, to the broker it went to: a stale duplicate delivered late, with the generation
    /// and member id it carried, as a zombie or a client retrying with what it cached would
    /// send it. Its answer reaches nobody. Returns whether there was one to replay (audit must
    /// be on).
    pub fn replay_group_request(&mut self, client: u32, join: bool) -> bool {
        let Some((broker, client_id, body)) = self.checks.sent_group.get(&(client, join)).cloned()
        else {
            return false;
        };
        let request = self.next_request;
        self.next_request += 1;
        // The answer reaches the consumer under a request id it never sent: it drops it.
        self.send(
            NodeId::Client(client),
            NodeId::Broker(broker),
            Message::Group {
                request,
                client_id,
                body,
            },
        );
        true
    }

    /// Notes an `acks=all` success the leader `broker` is sending.
    pub(crate) fn audit_ack(
        &mut self,
        broker: u32,
        topic: &str,
        partition: u32,
        offsets: (i64, i64),
    ) {
        if !self.checks.enabled {
            return;
        }
        let Some(registration) = self
            .controller
            .partitions
            .get(&(topic.to_owned(), partition))
        else {
            return;
        };
        let replicas = registration.replicas.clone();
        let leader = &self.brokers[broker as usize];
        let min_insync_replicas = leader.min_insync_replicas(topic, partition).unwrap_or(1);
        let Some(reference) = leader.batch_holding(topic, partition, offsets.1) else {
            return;
        };
        let holders = replicas
            .iter()
            .copied()
            .filter(|b| {
                self.brokers
                    .get(*b as usize)
                    .and_then(|node| node.batch_holding(topic, partition, offsets.1))
                    .is_some_and(|bytes| bytes == reference)
            })
            .collect();
        self.checks.records.push(Audit::AcksAllAnswered {
            topic: topic.to_owned(),
            partition,
            leader: broker,
            offsets,
            holders,
            replicas: replicas.len(),
            min_insync_replicas,
        });
    }

    /// Notes an ISR the controller committed that adds `joined` brokers.
    pub(crate) fn audit_isr_expansion(&mut self, topic: &str, partition: u32, joined: &[u32]) {
        if !self.checks.enabled || joined.is_empty() {
            return;
        }
        let leader = self
            .controller
            .partitions
            .get(&(topic.to_owned(), partition))
            .and_then(|r| r.leader);
        let replica_of = |broker: u32| -> Option<&node::BrokerNode> {
            self.brokers.get(broker as usize).filter(|n| n.alive)
        };
        let leader_high_watermark = leader
            .and_then(replica_of)
            .and_then(|n| n.replica(topic, partition))
            .map(|(log, _)| log.high_watermark());
        let joined = joined
            .iter()
            .map(|b| {
                let node = replica_of(*b);
                let leo = node
                    .and_then(|n| n.replica(topic, partition))
                    .map(|(log, _)| log.log_end_offset());
                let known = node.is_some_and(|n| {
                    self.controller
                        .brokers
                        .get(b)
                        .is_some_and(|r| r.broker_epoch == n.broker_epoch)
                });
                (*b, leo, known)
            })
            .collect();
        self.checks.records.push(Audit::IsrExpanded {
            topic: topic.to_owned(),
            partition,
            leader,
            leader_high_watermark,
            joined,
        });
    }
}
