//! Consumer groups in the simulated cluster: each broker runs a group coordinator for the
//! `__consumer_offsets` partitions it leads, and consumers are clients on the network.
//!
//! * `__consumer_offsets` is created on the first group request (as Kafka creates it on the
//!   first FindCoordinator), compacted, with `offsets.topic.num.partitions` partitions.
//! * A group's coordinator is the leader of partition `abs(groupId.hashCode) % partitions`.
//!   When a broker becomes that leader it replays the partition to load the groups; when it
//!   stops leading (or dies) the groups go with it and pending requests get `NOT_COORDINATOR`.
//! * The coordinator's writes (group metadata, offset commits) are appended to its own
//!   partition with `acks=all`: a commit is answered only once the high watermark covers it,
//!   so a committed offset survives the coordinator's failover.
//! * A consumer finds the coordinator and partition leaders from the controller's current
//!   metadata at each request (Kafka's FindCoordinator and Metadata requests, without a cache).
//!   A request to a stopped broker fails with `NETWORK_EXCEPTION`; one that gets no answer
//!   within `request.timeout.ms` fails with `REQUEST_TIMED_OUT`.

use std::collections::BTreeMap;

use super::message::{Acks, Message};
use super::network::NodeId;
use super::{Cluster, ClusterError, ClusterEvent, Timer};
use crate::consumer::{
    Consumer, ConsumerConfig, ConsumerRequestBody, ConsumerResponseBody, FetchedPartition,
    OffsetSpecRequest,
};
use crate::error::ErrorCode;
use crate::group::coordinator::{CoordinatorConfig, CoordinatorOutput, GroupCoordinator};
use crate::log::OffsetSpec;

/// Kafka's internal topic of committed offsets and group metadata.
pub const OFFSETS_TOPIC: &str = "__consumer_offsets";

pub(crate) use super::node::COORDINATOR_CLIENT;

/// The client the cluster's admin calls speak as; the coordinator's answers to it are not
/// sent anywhere (their effect is visible through the admin calls).
pub(crate) const ADMIN_CLIENT: u32 = u32::MAX - 1;

/// A consumer on the simulated network.
#[derive(Clone, Debug)]
pub(crate) struct ConsumerClient {
    pub(crate) consumer: Consumer,
    /// Cluster request id → the consumer's own request id.
    in_flight: BTreeMap<u64, u64>,
    /// The consumer's next timeout as of its last change.
    wake_at: Option<i64>,
    /// Touched since `wake_at` was computed: it may have requests to send.
    dirty: bool,
}

/// A coordinator seeded per broker incarnation, so member ids differ across restarts.
pub(crate) fn new_coordinator(
    config: &super::ClusterConfig,
    broker: u32,
    broker_epoch: u64,
) -> GroupCoordinator {
    let seed = crate::prng::splitmix64(
        config.seed ^ crate::prng::splitmix64(u64::from(broker) << 32 | broker_epoch),
    );
    let coordinator_config = CoordinatorConfig {
        offsets_topic_partitions: config.offsets_topic_partitions,
        ..CoordinatorConfig::default()
    };
    GroupCoordinator::new(coordinator_config, seed)
}

impl Cluster {
    /// Adds a consumer as client `client` (a [`NodeId::Client`]), at the cluster's time.
    pub fn add_consumer(
        &mut self,
        client: u32,
        config: ConsumerConfig,
    ) -> Result<(), ClusterError> {
        if self.consumers.contains_key(&client) || self.clients.contains_key(&client) {
            return Err(ClusterError::ClientExists(client));
        }
        let mut config = config;
        if config.client_id.is_empty() {
            // Java's `ConsumerConfig.maybeOverrideClientId`: "consumer-<group>-<instance id or
            // the next number>" (the group id `null` when there is none).
            let suffix = match &config.group_instance_id {
                Some(instance) => instance.clone(),
                None => {
                    self.consumer_client_ids += 1;
                    self.consumer_client_ids.to_string()
                }
            };
            let group = config.group_id.as_deref().unwrap_or("null");
            config.client_id = format!("consumer-{group}-{suffix}");
        }
        let mut consumer = Consumer::new(config, self.now);
        consumer.update_metadata(self.now, &self.partition_counts());
        self.consumers.insert(
            client,
            ConsumerClient {
                consumer,
                in_flight: BTreeMap::new(),
                wake_at: None,
                dirty: true,
            },
        );
        Ok(())
    }

    /// The consumer `client`, to read its state.
    pub fn consumer(&self, client: u32) -> Option<&Consumer> {
        self.consumers.get(&client).map(|c| &c.consumer)
    }

    /// The consumer `client`, to call it (`subscribe`, `poll`, `commit_sync`, …) at
    /// [`Cluster::now`]; what it sends goes out with the next [`Cluster::advance`].
    pub fn consumer_mut(&mut self, client: u32) -> Option<&mut Consumer> {
        self.consumers.get_mut(&client).map(|c| &mut c.consumer)
    }

    /// Removes a consumer at once, as a process that died: no LeaveGroup, no commit; its
    /// group notices through the session timeout.
    pub fn remove_consumer(&mut self, client: u32) -> Option<Consumer> {
        self.network.drop_node(NodeId::Client(client));
        self.consumers.remove(&client).map(|c| c.consumer)
    }

    /// Every topic's partition count, as the controller knows it.
    pub(crate) fn partition_counts(&self) -> BTreeMap<String, u32> {
        self.controller
            .topics
            .iter()
            .filter(|(name, _)| name.as_str() != OFFSETS_TOPIC)
            .map(|(name, (partitions, _))| (name.clone(), *partitions))
            .collect()
    }

    /// The broker leading `topic`-`partition`, from the controller.
    pub(crate) fn leader_of(&self, topic: &str, partition: u32) -> Option<u32> {
        self.controller.leader_of(topic, partition)
    }

    /// Creates `__consumer_offsets` if it does not exist yet.
    pub(crate) fn ensure_offsets_topic(&mut self) {
        if self.controller.topics.contains_key(OFFSETS_TOPIC) {
            return;
        }
        let replication = self
            .config
            .offsets_topic_replication_factor
            .clamp(1, self.config.brokers);
        let configs = [
            ("cleanup.policy".to_owned(), "compact".to_owned()),
            ("segment.bytes".to_owned(), "104857600".to_owned()),
        ];
        let _ = self.create_topic(
            OFFSETS_TOPIC,
            self.config.offsets_topic_partitions,
            replication,
            &configs,
        );
    }

    /// The earliest time a consumer wants to be woken.
    pub(crate) fn next_consumer_timeout(&self) -> Option<i64> {
        self.consumers.values().filter_map(|c| c.wake_at).min()
    }

    /// The consumer whose timeout comes first, with its time (the lowest client id of those
    /// due at once).
    pub(crate) fn next_consumer_wake(&self) -> Option<(i64, u32)> {
        self.consumers
            .iter()
            .filter_map(|(client, c)| c.wake_at.map(|at| (at, *client)))
            .min()
    }

    /// Marks every consumer as possibly changed (the application may have called it).
    pub(crate) fn touch_consumers(&mut self) {
        for client in self.consumers.values_mut() {
            client.dirty = true;
        }
    }

    /// Wakes every consumer whose timeout is due.
    pub(crate) fn wake_consumers(&mut self) {
        let now = self.now;
        for client in self.consumers.values_mut() {
            if client.wake_at.is_some_and(|at| at <= now) {
                client.consumer.handle_timeout(now);
                client.dirty = true;
            }
        }
    }

    /// Sends everything the changed consumers want to send, and notes their next timeouts.
    pub(crate) fn pump_consumers(&mut self) {
        let dirty: Vec<u32> = self
            .consumers
            .iter()
            .filter(|(_, c)| c.dirty)
            .map(|(id, _)| *id)
            .collect();
        for id in dirty {
            self.pump_consumer(id);
            if let Some(client) = self.consumers.get_mut(&id) {
                client.wake_at = client.consumer.poll_timeout();
                client.dirty = false;
            }
        }
    }

    fn pump_consumer(&mut self, client: u32) {
        let now = self.now;
        loop {
            let Some(state) = self.consumers.get_mut(&client) else {
                return;
            };
            let Some(request) = state.consumer.poll_request(now) else {
                return;
            };
            let timeout = i64::from(state.consumer.config().request_timeout_ms);
            let id = self.next_request;
            self.next_request += 1;
            state.in_flight.insert(id, request.id);
            let client_id = state.consumer.config().client_id.clone();
            let (target, message, wait) = match request.body {
                ConsumerRequestBody::Group(body) => {
                    self.ensure_offsets_topic();
                    let coordinator = self.coordinator_of(body.group_id());
                    let message = Message::Group {
                        request: id,
                        client_id,
                        body,
                    };
                    (coordinator, message, 0)
                }
                ConsumerRequestBody::Fetch {
                    topic,
                    partition,
                    fetch_offset,
                    max_bytes,
                    min_bytes,
                    max_wait_ms,
                } => {
                    let leader = self.leader_of(&topic, partition);
                    let message = Message::ConsumerFetch {
                        request: id,
                        topic,
                        partition,
                        fetch_offset,
                        max_bytes: usize::try_from(max_bytes.max(0)).unwrap_or(0),
                        min_bytes: usize::try_from(min_bytes.max(0)).unwrap_or(0),
                        max_wait_ms: i64::from(max_wait_ms.max(0)),
                    };
                    (leader, message, i64::from(max_wait_ms.max(0)))
                }
                ConsumerRequestBody::ListOffsets {
                    topic,
                    partition,
                    spec,
                } => {
                    let leader = self.leader_of(&topic, partition);
                    let message = Message::ListOffsets {
                        request: id,
                        topic,
                        partition,
                        spec: match spec {
                            OffsetSpecRequest::Earliest => OffsetSpec::Earliest,
                            OffsetSpecRequest::Latest => OffsetSpec::Latest,
                        },
                    };
                    (leader, message, 0)
                }
            };
            if let (
                Some(broker),
                Message::Group {
                    client_id, body, ..
                },
            ) = (target, &message)
            {
                self.remember_group_request(client, broker, client_id, body);
            }
            let Some(broker) = target else {
                // No coordinator or leader right now: the client's lookup fails, it backs off.
                let error = match message {
                    Message::Group { .. } => ErrorCode::CoordinatorNotAvailable,
                    _ => ErrorCode::LeaderNotAvailable,
                };
                self.answer_consumer(client, id, ConsumerResponseBody::Failed(error));
                continue;
            };
            self.send(NodeId::Client(client), NodeId::Broker(broker), message);
            self.schedule(
                now + timeout + wait,
                Timer::ConsumerRequestTimeout {
                    client,
                    request: id,
                },
            );
        }
    }

    /// Hands a response to the consumer that sent request `id`, if it still waits for it.
    fn answer_consumer(&mut self, client: u32, id: u64, response: ConsumerResponseBody) {
        let now = self.now;
        let Some(state) = self.consumers.get_mut(&client) else {
            return;
        };
        let Some(own) = state.in_flight.remove(&id) else {
            return;
        };
        state.consumer.handle_response(now, own, response);
        state.dirty = true;
        self.cancel(super::TimerSlot::ConsumerRequest {
            client,
            request: id,
        });
    }

    /// `request.timeout.ms` passed without an answer.
    pub(crate) fn consumer_request_timed_out(&mut self, client: u32, request: u64) {
        self.answer_consumer(
            client,
            request,
            ConsumerResponseBody::Failed(ErrorCode::RequestTimedOut),
        );
    }

    /// A consumer's message reached a stopped broker: the connection is refused.
    pub(crate) fn refuse_consumer_message(&mut self, client: u32, message: &Message) {
        let request = match message {
            Message::Group { request, .. }
            | Message::ConsumerFetch { request, .. }
            | Message::ListOffsets { request, .. } => *request,
            _ => return,
        };
        self.answer_consumer(
            client,
            request,
            ConsumerResponseBody::Failed(ErrorCode::NetworkException),
        );
    }

    /// A consumer receives a broker's answer.
    pub(crate) fn consumer_receive(&mut self, client: u32, message: Message) {
        match message {
            Message::GroupResponse { request, body } => {
                self.answer_consumer(client, request, ConsumerResponseBody::Group(body));
            }
            Message::ConsumerFetchResponse { request, result } => {
                let result = result.map(|fetched| FetchedPartition {
                    records: fetched.records,
                    high_watermark: fetched.high_watermark,
                    log_start_offset: fetched.log_start_offset,
                });
                self.answer_consumer(client, request, ConsumerResponseBody::Fetch(result));
            }
            Message::ListOffsetsResponse { request, result } => {
                self.answer_consumer(client, request, ConsumerResponseBody::ListOffsets(result));
            }
            _ => {}
        }
    }

    /// A broker receives a consumer's group request: its group coordinator handles it.
    pub(crate) fn group_request(
        &mut self,
        broker: u32,
        client: u32,
        request: u64,
        client_id: &str,
        body: crate::group::protocol::GroupRequest,
    ) {
        self.group_clients.insert(request, client);
        self.coordinators[broker as usize].handle(self.now, request, client_id, body);
        self.drain_coordinator(broker);
    }

    /// Leadership of a `__consumer_offsets` partition moved to or from `broker`: its
    /// coordinator loads or unloads the partition's groups.
    pub(crate) fn offsets_leadership_changed(
        &mut self,
        broker: u32,
        partition: u32,
        became_leader: bool,
        lost_leadership: bool,
    ) {
        let now = self.now;
        if lost_leadership {
            self.coordinators[broker as usize].unload_partition(now, partition);
        }
        if became_leader {
            let records = self.brokers[broker as usize].replay(OFFSETS_TOPIC, partition);
            self.coordinators[broker as usize].load_partition(now, partition, records);
        }
        self.drain_coordinator(broker);
    }

    /// Runs what a coordinator asks for: answers to clients, appends to its partitions.
    pub(crate) fn drain_coordinator(&mut self, broker: u32) {
        let now = self.now;
        while let Some(output) = self.coordinators[broker as usize].poll_output() {
            match output {
                CoordinatorOutput::Respond {
                    request_id,
                    response,
                } => {
                    let Some(client) = self.group_clients.remove(&request_id) else {
                        continue;
                    };
                    if client == ADMIN_CLIENT {
                        continue;
                    }
                    self.send(
                        NodeId::Broker(broker),
                        NodeId::Client(client),
                        Message::GroupResponse {
                            request: request_id,
                            body: response,
                        },
                    );
                }
                CoordinatorOutput::Append {
                    append_id,
                    partition,
                    records,
                } => {
                    let mut outputs = Vec::new();
                    self.brokers[broker as usize].handle_produce(
                        OFFSETS_TOPIC,
                        partition,
                        append_id,
                        COORDINATOR_CLIENT,
                        Acks::All,
                        &records,
                        now,
                        &self.config,
                        &mut outputs,
                    );
                    self.route_broker_outputs(broker, outputs);
                }
            }
        }
        for event in self.coordinators[broker as usize].poll_events() {
            self.events.push(ClusterEvent::Group { broker, event });
        }
        self.schedule_coordinator(broker);
    }

    /// Keeps one wake-up timer per coordinator at its next deadline.
    fn schedule_coordinator(&mut self, broker: u32) {
        let Some(at) = self.coordinators[broker as usize].poll_timeout() else {
            return;
        };
        let at = at.max(self.now);
        if self
            .coordinator_wakes
            .get(&broker)
            .is_some_and(|w| *w <= at)
        {
            return;
        }
        self.coordinator_wakes.insert(broker, at);
        self.schedule(at, Timer::CoordinatorWake { broker, at });
    }

    /// A coordinator's wake-up timer fired.
    pub(crate) fn wake_coordinator(&mut self, broker: u32, at: i64) {
        if self.coordinator_wakes.get(&broker) != Some(&at) {
            return;
        }
        self.coordinator_wakes.remove(&broker);
        if self.brokers[broker as usize].alive {
            self.coordinators[broker as usize].handle_timeout(self.now);
            self.drain_coordinator(broker);
        }
    }

    /// An append of the coordinator finished (or failed).
    pub(crate) fn coordinator_append_done(
        &mut self,
        broker: u32,
        append_id: u64,
        result: Result<(), ErrorCode>,
    ) {
        let now = self.now;
        self.coordinators[broker as usize].on_append(now, append_id, result);
        self.drain_coordinator(broker);
    }

    /// Tells every consumer the topics' partition counts (after a topic is created or grows).
    pub(crate) fn refresh_consumer_metadata(&mut self) {
        let counts = self.partition_counts();
        let now = self.now;
        for client in self.consumers.values_mut() {
            client.consumer.update_metadata(now, &counts);
        }
    }
}
