//! A broker's inputs and outputs as data: [`BrokerNode::handle`] takes one [`Input`] and
//! appends what follows from it to a caller-owned list of [`Output`]s, in the order they must
//! happen. The node's handlers push their outputs themselves; the cluster routes them
//! (messages onto the network, timers into its table, events to the host, acknowledgements
//! to the audit, appends to the group coordinator). One kind of output is a request the
//! router answers by calling back into the node ([`Output::ReleaseParkedFetches`]): its effect
//! reads the broker's state *after* the outputs before it were routed, so the order of effects
//! is the order of outputs.

use super::{
    BrokerNode, CONTROLLED_SHUTDOWN_TIMEOUT_MS, COORDINATOR_CLIENT, CompletedProduce, FetchBody,
};
use crate::cluster::config::ClusterConfig;
use crate::cluster::event::ClusterEvent;
use crate::cluster::message::Message;
use crate::cluster::network::NodeId;
use crate::cluster::timer::{Timer, TimerSlot};
use crate::error::ErrorCode;

/// What arrives at a broker: a message, or one of its timers. A stopped broker ignores
/// everything (its timers from before the stop find nothing to do).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Input {
    /// A message from another node. Group requests go to the group code, which holds the
    /// broker's group coordinator.
    Message {
        /// The sender.
        from: NodeId,
        /// The message.
        message: Message,
    },
    /// `broker.heartbeat.interval.ms` passed: heartbeat to the controller.
    Heartbeat,
    /// The broker is asked to shut down (SIGTERM): it asks the controller's leave in its
    /// heartbeats, the first at once (Kafka's `BrokerLifecycleManager.beginControlledShutdown`),
    /// and waits for it at most [`CONTROLLED_SHUTDOWN_TIMEOUT_MS`].
    BeginControlledShutdown,
    /// [`CONTROLLED_SHUTDOWN_TIMEOUT_MS`] passed since incarnation `broker_epoch` began its
    /// controlled shutdown.
    ShutdownTimeout {
        /// The incarnation that began it (a later one, after a kill and restart, is not
        /// shutting down).
        broker_epoch: u64,
    },
    /// Half of `replica.lag.time.max.ms` passed: propose to drop lagging followers from the
    /// ISRs this broker leads (Kafka's `isr-expiration` task).
    IsrExpiration,
    /// `replica.fetch.wait.max.ms` of a follower fetch parked at this leader ended.
    ParkedFetchWait {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The follower.
        follower: u32,
    },
    /// `replica.fetch.backoff.ms` after a failed fetch passed: this follower fetches again.
    RetryFetch {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
    },
    /// This follower's fetch number `seq` got no answer within the request timeout.
    FetchTimeout {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The fetch's number.
        seq: u64,
    },
    /// `fetch.max.wait.ms` of a consumer fetch parked at this leader ended.
    ConsumerFetchWait {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The consumer client.
        client: u32,
        /// The client's request id.
        request: u64,
    },
    /// A produce this leader held for its ISR timed out.
    ProduceTimeout {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The request.
        request: u64,
    },
}

/// How soon a broker in controlled shutdown heartbeats again after the controller's first
/// "not yet" (Kafka's `BrokerLifecycleManager`: 50 ms).
const SHUTDOWN_FIRST_RETRY_MS: i64 = 50;

/// What a broker asks the cluster to do, in order.
#[derive(Debug)]
pub(crate) enum Output {
    /// Send a message from this broker (to the controller, another broker, or a client).
    Send {
        /// The receiver.
        to: NodeId,
        /// The message.
        message: Message,
    },
    /// Something the host should hear of.
    Event(ClusterEvent),
    /// Schedule a timer (a cancellable one replaces the pending timer of its slot).
    Schedule {
        /// Cluster time, in ms.
        at: i64,
        /// The timer.
        timer: Timer,
    },
    /// Cancel the pending timer of a slot: what it waited for happened.
    Cancel(TimerSlot),
    /// An `acks=all` produce is acknowledged with these offsets (the audit checks that every
    /// in-sync replica holds them).
    Acknowledged {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The batch's first and last offsets.
        offsets: (i64, i64),
    },
    /// An append of this broker's group coordinator to `__consumer_offsets` finished.
    CoordinatorAppended {
        /// The coordinator's append id.
        append: u64,
        /// Its result.
        result: Result<(), ErrorCode>,
    },
    /// Answer the follower fetches parked on a partition that now has data for them, once
    /// the outputs before this one were routed (a completed produce may have let the group
    /// coordinator append more).
    ReleaseParkedFetches {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
    },
    /// This broker stops now: the controller let it go at the end of its controlled shutdown
    /// (`controlled`), or it gave up waiting for that.
    Stop {
        /// The controller let it go.
        controlled: bool,
    },
    /// This broker became or stopped being the leader of a `__consumer_offsets` partition
    /// (its group coordinator loads or drops the partition's groups).
    OffsetsLeadership {
        /// Partition index.
        partition: u32,
        /// It leads now.
        became_leader: bool,
        /// It led and stopped.
        lost_leadership: bool,
    },
}

impl BrokerNode {
    /// Handles one input at `now`, appending its outputs to `out`.
    pub(crate) fn handle(
        &mut self,
        now: i64,
        config: &ClusterConfig,
        input: Input,
        out: &mut Vec<Output>,
    ) {
        if !self.alive {
            debug_assert!(
                !matches!(input, Input::Message { .. }),
                "the network delivers nothing to a stopped broker"
            );
            return;
        }
        match input {
            Input::Message { from, message } => self.receive(now, config, from, message, out),
            Input::Heartbeat => {
                if self.shutting_down && now != self.heartbeat_due {
                    // Replaced by a heartbeat sent or scheduled since.
                    return;
                }
                self.send_heartbeat(now, config, out);
            }
            Input::BeginControlledShutdown => {
                if !self.shutting_down {
                    self.shutting_down = true;
                    self.shutdown_answered = false;
                    self.send_heartbeat(now, config, out);
                    out.push(Output::Schedule {
                        at: now + CONTROLLED_SHUTDOWN_TIMEOUT_MS,
                        timer: Timer::ShutdownTimeout {
                            broker: self.id,
                            broker_epoch: self.broker_epoch,
                        },
                    });
                }
            }
            Input::ShutdownTimeout { broker_epoch } => {
                // Kafka's "Timed out waiting for the controller to approve controlled
                // shutdown": the broker stops anyway.
                if self.shutting_down && broker_epoch == self.broker_epoch {
                    out.push(Output::Stop { controlled: false });
                }
            }
            Input::IsrExpiration => {
                self.propose_isr_shrinks(now, config.replica_lag_time_max_ms, out);
                out.push(Output::Schedule {
                    at: now + config.replica_lag_time_max_ms / 2,
                    timer: Timer::IsrExpiration(self.id),
                });
            }
            Input::ParkedFetchWait {
                topic,
                partition,
                follower,
            } => self.release_parked_fetches(&topic, partition, Some(follower), out),
            Input::RetryFetch { topic, partition } => {
                self.start_fetch(&topic, partition, now, config, out);
            }
            Input::FetchTimeout {
                topic,
                partition,
                seq,
            } => {
                if self.fetch_timed_out(&topic, partition, seq) {
                    self.start_fetch(&topic, partition, now, config, out);
                }
            }
            Input::ConsumerFetchWait {
                topic,
                partition,
                client,
                request,
            } => self.release_consumer_fetches(&topic, partition, Some((client, request)), out),
            Input::ProduceTimeout {
                topic,
                partition,
                request,
            } => self.expire_produce(&topic, partition, request, out),
        }
    }

    /// Handles a message from another node.
    fn receive(
        &mut self,
        now: i64,
        config: &ClusterConfig,
        from: NodeId,
        message: Message,
        out: &mut Vec<Output>,
    ) {
        match message {
            Message::Metadata(metadata) => self.apply_metadata(*metadata, now, config, out),
            Message::Fetch {
                topic,
                partition,
                replica,
                fetch_offset,
                last_fetched_epoch,
                leader_epoch,
                topic_id,
                broker_epoch: follower_broker_epoch,
            } => {
                if self.topic_id(&topic) != Some(topic_id) {
                    // Another incarnation of the topic (Kafka's UNKNOWN_TOPIC_ID): the
                    // follower backs off until its metadata catches up.
                    out.push(Output::Send {
                        to: from,
                        message: Message::FetchResponse {
                            topic,
                            partition,
                            topic_id,
                            leader_epoch,
                            body: FetchBody::Error {
                                error: ErrorCode::UnknownTopicOrPartition,
                                log_end_offset: -1,
                                log_start_offset: -1,
                            },
                        },
                    });
                    return;
                }
                let (leader_epoch, body) = self.handle_fetch(
                    &topic,
                    partition,
                    replica,
                    fetch_offset,
                    last_fetched_epoch,
                    leader_epoch,
                    follower_broker_epoch,
                    now,
                    out,
                );
                match body {
                    Some(body) => out.push(Output::Send {
                        to: from,
                        message: Message::FetchResponse {
                            topic,
                            partition,
                            topic_id,
                            leader_epoch,
                            body,
                        },
                    }),
                    None => out.push(Output::Schedule {
                        at: now + config.replica_fetch_wait_max_ms,
                        timer: Timer::ReleaseFetch {
                            broker: self.id,
                            topic,
                            partition,
                            follower: replica,
                        },
                    }),
                }
            }
            Message::FetchResponse {
                topic,
                partition,
                topic_id,
                leader_epoch,
                body,
            } => {
                // An answer to a fetch for another incarnation of the topic is dropped.
                if self.topic_id(&topic) == Some(topic_id) {
                    self.handle_fetch_response(
                        &topic,
                        partition,
                        leader_epoch,
                        body,
                        now,
                        config,
                        out,
                    );
                }
            }
            Message::DeleteTopic(deletion) => self.delete_topic(
                &deletion.topic,
                deletion.topic_id,
                deletion.broker_epoch,
                deletion.seq,
                deletion.supersedes,
                out,
            ),
            Message::AlterPartitionRejected {
                topic,
                partition,
                proposal,
            } => self.alter_partition_rejected(&topic, partition, proposal),
            Message::HeartbeatResponse {
                broker_epoch,
                should_shut_down,
            } => {
                if !self.shutting_down || broker_epoch != self.broker_epoch {
                    return;
                }
                if should_shut_down {
                    out.push(Output::Stop { controlled: true });
                    return;
                }
                // Kafka's BrokerLifecycleManager: the first "not yet" brings the next
                // heartbeat sooner (50 ms), later ones the usual interval after the answer.
                let wait = if self.shutdown_answered {
                    config.heartbeat_interval_ms
                } else {
                    SHUTDOWN_FIRST_RETRY_MS
                };
                self.shutdown_answered = true;
                self.heartbeat_due = now + wait;
                out.push(Output::Schedule {
                    at: self.heartbeat_due,
                    timer: Timer::Heartbeat(self.id),
                });
            }
            Message::Produce {
                request,
                topic,
                partition,
                acks,
                records,
            } => {
                if let NodeId::Client(client) = from {
                    self.handle_produce(
                        &topic, partition, request, client, acks, &records, now, config, out,
                    );
                }
            }
            Message::ConsumerFetch {
                request,
                topic,
                partition,
                fetch_offset,
                max_bytes,
                min_bytes,
                max_wait_ms,
            } => {
                if let NodeId::Client(client) = from {
                    self.handle_consumer_fetch(
                        &topic,
                        partition,
                        client,
                        request,
                        fetch_offset,
                        max_bytes,
                        min_bytes,
                        max_wait_ms,
                        now,
                        out,
                    );
                }
            }
            Message::ListOffsets {
                request,
                topic,
                partition,
                spec,
            } => out.push(Output::Send {
                to: from,
                message: Message::ListOffsetsResponse {
                    request,
                    result: self.list_offset(&topic, partition, spec),
                },
            }),
            // Not for a broker's replication side: the controller's inbox, answers to
            // clients, and group requests (routed to the group code before this).
            Message::Heartbeat { .. }
            | Message::AlterPartition { .. }
            | Message::ProduceResponse { .. }
            | Message::Group { .. }
            | Message::GroupResponse { .. }
            | Message::ConsumerFetchResponse { .. }
            | Message::ListOffsetsResponse { .. } => {
                debug_assert!(false, "a broker was sent {}", message.name());
            }
        }
    }

    /// Sends this broker's heartbeat to the controller (asking to shut down while it is) and
    /// schedules the next one.
    fn send_heartbeat(&mut self, now: i64, config: &ClusterConfig, out: &mut Vec<Output>) {
        out.push(Output::Send {
            to: NodeId::Controller,
            message: Message::Heartbeat {
                broker: self.id,
                broker_epoch: self.broker_epoch,
                metadata_seq: self.metadata_seq(),
                want_shut_down: self.shutting_down,
            },
        });
        self.heartbeat_due = now + config.heartbeat_interval_ms;
        out.push(Output::Schedule {
            at: self.heartbeat_due,
            timer: Timer::Heartbeat(self.id),
        });
    }

    /// A partition's high watermark moved on this broker: an event, and the consumer fetches
    /// parked on it that can be answered now are.
    pub(super) fn push_high_watermark(
        &mut self,
        topic: &str,
        partition: u32,
        high_watermark: Option<i64>,
        out: &mut Vec<Output>,
    ) {
        let Some(high_watermark) = high_watermark else {
            return;
        };
        out.push(Output::Event(ClusterEvent::HighWatermarkAdvanced {
            broker: self.id,
            topic: topic.to_owned(),
            partition,
            high_watermark,
        }));
        self.release_consumer_fetches(topic, partition, None, out);
    }

    /// Answers produces the leader held: each cancels its request timeout, and an
    /// acknowledgement goes to the audit before its answer.
    pub(super) fn push_completed(
        &self,
        topic: &str,
        partition: u32,
        completed: Vec<CompletedProduce>,
        out: &mut Vec<Output>,
    ) {
        for done in completed {
            out.push(Output::Cancel(TimerSlot::DelayedProduce {
                broker: self.id,
                topic: topic.to_owned(),
                partition,
                request: done.request,
            }));
            if let Ok(offsets) = done.result {
                out.push(Output::Acknowledged {
                    topic: topic.to_owned(),
                    partition,
                    offsets,
                });
            }
            answer_produce(out, done.request, done.client, done.result);
        }
    }
}

/// Answers a produce: to the client that sent it, or to this broker's group coordinator when
/// it was the coordinator's append.
pub(super) fn answer_produce(
    out: &mut Vec<Output>,
    request: u64,
    client: u32,
    result: Result<(i64, i64), ErrorCode>,
) {
    if client == COORDINATOR_CLIENT {
        out.push(Output::CoordinatorAppended {
            append: request,
            result: result.map(|_| ()),
        });
    } else {
        out.push(Output::Send {
            to: NodeId::Client(client),
            message: Message::ProduceResponse { request, result },
        });
    }
}

/// Outputs a change of this broker's leadership of a `__consumer_offsets` partition (nothing
/// for other topics, or when nothing changed).
pub(super) fn push_offsets_leadership(
    out: &mut Vec<Output>,
    topic: &str,
    partition: u32,
    became_leader: bool,
    lost_leadership: bool,
) {
    if topic == crate::cluster::OFFSETS_TOPIC && (became_leader || lost_leadership) {
        out.push(Output::OffsetsLeadership {
            partition,
            became_leader,
            lost_leadership,
        });
    }
}
