//! The controller's admin side: placing and registering partitions, reassignment, preferred
//! election, topic deletion, and the numbered metadata stream to each broker that carries all
//! of it.

use super::{Controller, ElectionReason, PartitionRegistration, usable};
use crate::cluster::event::ClusterEvent;
use crate::cluster::message::{Message, PartitionMetadata, TopicDeletion};
use crate::config::TopicConfig;
use crate::error::ErrorCode;
use crate::prng::Prng;

impl Controller {
    /// Kafka 3.7's KRaft placement of partitions `start..start + count` over the registered
    /// brokers (fenced ones last), drawing from `prng` as Java's Random.
    pub(crate) fn place(
        &self,
        start: u32,
        count: u32,
        replication_factor: u32,
        prng: &mut Prng,
    ) -> Result<Vec<Vec<i32>>, crate::placement::PlacementError> {
        let brokers: Vec<crate::placement::BrokerRegistration> = self
            .brokers
            .iter()
            // Kafka's `usableBrokers`: a broker in controlled shutdown gets no new replicas.
            .filter(|(id, _)| !self.controlled_shutdowns.contains_key(id))
            .map(|(id, registration)| {
                let broker = crate::placement::BrokerRegistration::new(*id as i32);
                if registration.fenced {
                    broker.fenced()
                } else {
                    broker
                }
            })
            .collect();
        crate::placement::StripedReplicaPlacer::new().place(
            start as i32,
            count as i32,
            replication_factor as i16,
            &brokers,
            prng,
        )
    }

    /// Records a new topic (its id and config overrides) and registers its partitions.
    pub(crate) fn create_topic(
        &mut self,
        name: &str,
        config: TopicConfig,
        overrides: &[(String, String)],
        assignment: Vec<Vec<i32>>,
    ) {
        debug_assert!(!self.topics.contains_key(name), "a new topic is new");
        let partitions = u32::try_from(assignment.len()).expect("partition counts fit u32");
        self.topics.insert(name.to_owned(), (partitions, config));
        self.admin.topic_created(name, overrides);
        self.register_partitions(name, 0, assignment);
    }

    /// Grows topic `name` to `total` partitions with the new ones' `assignment`.
    pub(crate) fn add_partitions(&mut self, name: &str, total: u32, assignment: Vec<Vec<i32>>) {
        let Some(entry) = self.topics.get_mut(name) else {
            return;
        };
        let current = entry.0;
        assert!(
            total > current && (total - current) as usize == assignment.len(),
            "a topic grows by the partitions placed"
        );
        entry.0 = total;
        self.register_partitions(name, current, assignment);
    }

    /// Registers new partitions from `start` with their replicas (the first live one leads)
    /// and publishes them.
    fn register_partitions(&mut self, name: &str, start: u32, assignment: Vec<Vec<i32>>) {
        for (partition, replicas) in (start..).zip(assignment) {
            let replicas: Vec<u32> = replicas.into_iter().map(|b| b as u32).collect();
            let (brokers, shutdowns) = (&self.brokers, &self.controlled_shutdowns);
            let registration =
                PartitionRegistration::new(replicas, |b| usable(brokers, shutdowns, b));
            self.event(ClusterEvent::LeaderElected {
                topic: name.to_owned(),
                partition,
                leader: registration.leader,
                leader_epoch: registration.leader_epoch,
                reason: ElectionReason::TopicCreated,
            });
            let key = (name.to_owned(), partition);
            let previous = self.partitions.insert(key.clone(), registration);
            debug_assert!(previous.is_none(), "{key:?} is registered once");
            self.check_partition(&key);
            self.publish(name, partition);
        }
    }

    /// Kafka's `AlterPartitionReassignments` for one partition: starts moving its replicas to
    /// `target` (already validated: distinct brokers of this cluster). Returns whether anything
    /// changed.
    ///
    /// # Errors
    /// `UNKNOWN_TOPIC_OR_PARTITION`.
    pub(crate) fn reassign_partition(
        &mut self,
        topic: &str,
        partition: u32,
        target: &[u32],
    ) -> Result<(), ErrorCode> {
        debug_assert!(
            !target.is_empty() && target.iter().all(|b| *b < self.broker_count),
            "the cluster validated the target"
        );
        let key = (topic.to_owned(), partition);
        let registration = self
            .partitions
            .get_mut(&key)
            .ok_or(ErrorCode::UnknownTopicOrPartition)?;
        if !registration.start_reassignment(target) {
            return Ok(());
        }
        let completed = registration.complete_reassignment_if_ready();
        self.event(ClusterEvent::ReassignmentStarted {
            topic: topic.to_owned(),
            partition,
            target: target.to_vec(),
        });
        if completed {
            self.finish_reassignment(topic, partition);
        }
        self.check_partition(&key);
        self.publish(topic, partition);
        Ok(())
    }

    /// After a reassignment completed: elect if the leader was removed, report it.
    pub(super) fn finish_reassignment(&mut self, topic: &str, partition: u32) {
        let key = (topic.to_owned(), partition);
        let (brokers, shutdowns) = (&self.brokers, &self.controlled_shutdowns);
        let Some(registration) = self.partitions.get_mut(&key) else {
            return;
        };
        let mut elected = None;
        if registration.leader.is_none() {
            let acceptable = |b: u32| usable(brokers, shutdowns, b);
            registration.elect(acceptable, false, ElectionReason::Reassignment);
            elected = Some((registration.leader, registration.leader_epoch));
        }
        let replicas = registration.replicas.clone();
        if let Some((leader, leader_epoch)) = elected {
            self.event(ClusterEvent::LeaderElected {
                topic: topic.to_owned(),
                partition,
                leader,
                leader_epoch,
                reason: ElectionReason::Reassignment,
            });
        }
        self.event(ClusterEvent::ReassignmentCompleted {
            topic: topic.to_owned(),
            partition,
            replicas,
        });
    }

    /// Kafka's `ElectLeaders PREFERRED` for one partition.
    ///
    /// # Errors
    /// `UNKNOWN_TOPIC_OR_PARTITION`, `ELECTION_NOT_NEEDED`, `PREFERRED_LEADER_NOT_AVAILABLE`.
    pub(crate) fn elect_preferred_leader(
        &mut self,
        topic: &str,
        partition: u32,
    ) -> Result<(), ErrorCode> {
        let key = (topic.to_owned(), partition);
        let (brokers, shutdowns) = (&self.brokers, &self.controlled_shutdowns);
        let registration = self
            .partitions
            .get_mut(&key)
            .ok_or(ErrorCode::UnknownTopicOrPartition)?;
        registration.elect_preferred(|b| usable(brokers, shutdowns, b))?;
        let (leader, leader_epoch) = (registration.leader, registration.leader_epoch);
        self.event(ClusterEvent::LeaderElected {
            topic: topic.to_owned(),
            partition,
            leader,
            leader_epoch,
            reason: ElectionReason::Preferred,
        });
        self.check_partition(&key);
        self.publish(topic, partition);
        Ok(())
    }

    /// Kafka's DeleteTopics at the controller: the topic and its partitions are gone at once,
    /// and every broker is told (in its metadata stream). The caller checked the topic exists
    /// and is not internal.
    pub(crate) fn delete_topic(&mut self, name: &str) {
        debug_assert!(
            self.topics.contains_key(name),
            "the caller checked the topic"
        );
        let topic_id = self.admin.topic_id(name);
        self.topics.remove(name);
        self.partitions.retain(|(t, _), _| t != name);
        self.proposals_seen.retain(|((t, _), _, _), _| t != name);
        self.admin.ids.remove(name);
        self.admin.overrides.remove(name);
        self.admin.deleted.insert(name.to_owned(), topic_id);
        for broker in 0..self.broker_count {
            self.send_deletion(broker, name, topic_id, 0);
        }
        self.event(ClusterEvent::TopicDeleted {
            topic: name.to_owned(),
        });
    }

    /// Puts validated configs of `topic` in force: kept, and every partition published so the
    /// replicas use them.
    pub(crate) fn alter_topic_config(
        &mut self,
        topic: &str,
        overrides: Vec<(String, String)>,
        config: TopicConfig,
    ) {
        let Some(entry) = self.topics.get_mut(topic) else {
            return;
        };
        entry.1 = config;
        let count = entry.0;
        self.admin
            .overrides
            .insert(topic.to_owned(), overrides.clone());
        for partition in 0..count {
            self.publish(topic, partition);
        }
        self.event(ClusterEvent::TopicConfigAltered {
            topic: topic.to_owned(),
            overrides,
        });
    }

    /// After a full-cluster restart: every leaderless partition elects from its ISR (as when
    /// a broker is unfenced), then every broker is sent everything.
    pub(crate) fn elect_and_resync_all(&mut self) {
        self.reelect(None, ElectionReason::BrokerUnfenced);
        for broker in 0..self.broker_count {
            self.resync(broker);
        }
    }

    /// Sends a partition's registration to every broker (they keep metadata for all).
    pub(crate) fn publish(&mut self, topic: &str, partition: u32) {
        for broker in 0..self.broker_count {
            self.publish_to(broker, topic, partition, 0);
        }
    }

    /// Sends one partition's registration to one broker, numbered in its stream.
    fn publish_to(&mut self, broker: u32, topic: &str, partition: u32, supersedes: u64) {
        let Some(registration) = self.partitions.get(&(topic.to_owned(), partition)).cloned()
        else {
            return;
        };
        let Some((_, config)) = self.topics.get(topic).cloned() else {
            return;
        };
        let broker_epoch = self.broker_epoch(broker);
        let seq = self.next_metadata_seq(broker);
        debug_assert!(
            supersedes < seq,
            "a resend supersedes earlier messages only"
        );
        let metadata = PartitionMetadata {
            topic: topic.to_owned(),
            partition,
            registration,
            config,
            broker_epoch,
            seq,
            supersedes,
            topic_id: self.admin.topic_id(topic),
        };
        self.send(broker, Message::Metadata(Box::new(metadata)));
    }

    /// The next number in `broker`'s metadata stream.
    fn next_metadata_seq(&mut self, broker: u32) -> u64 {
        let seq = self.metadata_seq.entry(broker).or_insert(0);
        *seq += 1;
        *seq
    }

    /// Resends every partition to a broker that lost metadata messages (a cut link): the
    /// answer to a heartbeat that shows a gap older than one heartbeat.
    pub(super) fn resync(&mut self, broker: u32) {
        let supersedes = self.metadata_seq.get(&broker).copied().unwrap_or(0);
        let keys: Vec<(String, u32)> = self.partitions.keys().cloned().collect();
        for (topic, partition) in keys {
            self.publish_to(broker, &topic, partition, supersedes);
        }
        self.resend_deletions(broker, supersedes);
    }

    /// Sends one deletion to one broker, numbered in its metadata stream.
    fn send_deletion(&mut self, broker: u32, topic: &str, topic_id: u64, supersedes: u64) {
        let broker_epoch = self.broker_epoch(broker);
        let seq = self.next_metadata_seq(broker);
        let deletion = TopicDeletion {
            topic: topic.to_owned(),
            topic_id,
            broker_epoch,
            seq,
            supersedes,
        };
        self.send(broker, Message::DeleteTopic(Box::new(deletion)));
    }

    /// Resends every deletion to a broker that lost metadata or registered again.
    pub(super) fn resend_deletions(&mut self, broker: u32, supersedes: u64) {
        let deleted: Vec<(String, u64)> = self
            .admin
            .deleted
            .iter()
            .map(|(t, id)| (t.clone(), *id))
            .collect();
        for (topic, topic_id) in deleted {
            self.send_deletion(broker, &topic, topic_id, supersedes);
        }
    }
}
