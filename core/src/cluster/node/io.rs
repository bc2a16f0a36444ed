//! A broker's inputs and outputs as data: [`BrokerNode::handle`] takes one [`Input`] and
//! appends what follows from it to a caller-owned list of [`Output`]s, in the order they must
//! happen; the cluster routes them (messages onto the network, timers into its table, events
//! to the host, produce answers to clients or the group coordinator, consumer fetches to the
//! group code).
//!
//! Outputs whose effect reads the broker's state *after* the outputs before them were routed
//! (releasing parked fetches after a completed produce let the group coordinator append,
//! starting a follower fetch) are requests the router answers by calling back into the node
//! at that point, so the order of effects is the order of outputs.

use super::BrokerNode;
use super::serve::ReleasedConsumerFetch;
use super::{CompletedProduce, FetchBody, ParkedResponse};
use crate::cluster::config::ClusterConfig;
use crate::cluster::event::ClusterEvent;
use crate::cluster::message::{Acks, Message};
use crate::cluster::network::NodeId;
use crate::cluster::timer::Timer;
use crate::error::ErrorCode;

/// What arrives at a broker: a message, or one of its timers. A stopped broker ignores
/// everything (its timers from before the stop find nothing to do).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Input {
    /// A message from another node. Consumer requests (group, consumer fetch, ListOffsets)
    /// go to the group code, which needs the broker's group coordinator.
    Message {
        /// The sender.
        from: NodeId,
        /// The message.
        message: Message,
    },
    /// `broker.heartbeat.interval.ms` passed: heartbeat to the controller.
    Heartbeat,
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
    /// This follower's fetch number `seq` got no answer within the request timeout.
    FetchTimeout {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The fetch's number.
        seq: u64,
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

/// What a broker asks the cluster to do, in order.
#[derive(Debug)]
pub(crate) enum Output {
    /// Send a message from this broker.
    Send {
        /// The receiver.
        to: NodeId,
        /// The message.
        message: Message,
    },
    /// Something the host should hear of.
    Event(ClusterEvent),
    /// Schedule a timer.
    Schedule {
        /// Cluster time, in ms.
        at: i64,
        /// The timer.
        timer: Timer,
    },
    /// A partition's high watermark moved on this broker (an event, and consumer fetches
    /// parked on it may be answered).
    HighWatermark {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The new high watermark.
        high_watermark: i64,
    },
    /// Produces the leader held are answered (the ISR has them, or they failed).
    ProducesCompleted {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The answers.
        completed: Vec<CompletedProduce>,
    },
    /// Produces that were waiting fail: `(request, client, error)`.
    ProducesFailed(Vec<(u64, u32, ErrorCode)>),
    /// Parked consumer fetches fail (leadership lost, topic deleted).
    ConsumerFetchesFailed(Vec<ReleasedConsumerFetch>),
    /// Answers to parked follower fetches.
    FetchResponses(Vec<ParkedResponse>),
    /// Answer the follower fetches parked on a partition that now has data for them.
    ReleaseParkedFetches {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
    },
    /// Send this follower's next fetch for a partition to its leader.
    StartFetch {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
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
        let (from, message) = match input {
            Input::Message { from, message } => (from, message),
            Input::Heartbeat if self.shutting_down => {
                // KRaft's `wantShutDown` heartbeats keep a shutting-down broker fenced; this
                // model's controller unfences on any heartbeat, so the broker sends none
                // during the heartbeat interval it has left.
                return;
            }
            Input::Heartbeat => {
                out.push(Output::Send {
                    to: NodeId::Controller,
                    message: Message::Heartbeat {
                        broker: self.id,
                        broker_epoch: self.broker_epoch,
                        metadata_seq: self.metadata_seq(),
                    },
                });
                out.push(Output::Schedule {
                    at: now + config.heartbeat_interval_ms,
                    timer: Timer::Heartbeat(self.id),
                });
                return;
            }
            Input::IsrExpiration => {
                let proposals = self.shrink_isr_proposals(now, config.replica_lag_time_max_ms);
                out.extend(proposals.into_iter().map(|(_, _, message)| Output::Send {
                    to: NodeId::Controller,
                    message,
                }));
                out.push(Output::Schedule {
                    at: now + config.replica_lag_time_max_ms / 2,
                    timer: Timer::IsrExpiration(self.id),
                });
                return;
            }
            Input::ParkedFetchWait {
                topic,
                partition,
                follower,
            } => {
                let responses = self.release_parked_fetches(&topic, partition, now, Some(follower));
                push_nonempty(out, responses, Output::FetchResponses);
                return;
            }
            Input::FetchTimeout {
                topic,
                partition,
                seq,
            } => {
                if self.fetch_timed_out(&topic, partition, seq) {
                    out.push(Output::StartFetch { topic, partition });
                }
                return;
            }
            Input::ProduceTimeout {
                topic,
                partition,
                request,
            } => {
                if let Some(client) = self.expire_produce(&topic, partition, request) {
                    let failed = vec![(request, client, ErrorCode::RequestTimedOut)];
                    out.push(Output::ProducesFailed(failed));
                }
                return;
            }
        };
        match message {
            Message::Metadata(metadata) => {
                let topic = metadata.topic.clone();
                let partition = metadata.partition;
                let effect = self.apply_metadata(*metadata, now);
                push_nonempty(out, effect.failed_consumer_fetches, |f| {
                    Output::ConsumerFetchesFailed(f)
                });
                push_nonempty(out, effect.failed_produces, Output::ProducesFailed);
                if let Some(message) = effect.alter_partition {
                    out.push(Output::Send {
                        to: NodeId::Controller,
                        message,
                    });
                }
                push_hw(out, &topic, partition, effect.high_watermark);
                push_completed(out, &topic, partition, effect.completed);
                if effect.start_fetching {
                    out.push(Output::StartFetch {
                        topic: topic.clone(),
                        partition,
                    });
                }
                if topic == crate::cluster::OFFSETS_TOPIC
                    && (effect.became_leader || effect.lost_leadership)
                {
                    out.push(Output::OffsetsLeadership {
                        partition,
                        became_leader: effect.became_leader,
                        lost_leadership: effect.lost_leadership,
                    });
                }
            }
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
                let outcome = self.handle_fetch(
                    &topic,
                    partition,
                    replica,
                    fetch_offset,
                    last_fetched_epoch,
                    leader_epoch,
                    follower_broker_epoch,
                    now,
                );
                if let Some(message) = outcome.alter_partition {
                    out.push(Output::Send {
                        to: NodeId::Controller,
                        message,
                    });
                }
                push_hw(out, &topic, partition, outcome.high_watermark);
                push_completed(out, &topic, partition, outcome.completed);
                match outcome.response {
                    Some(body) => out.push(Output::Send {
                        to: from,
                        message: Message::FetchResponse {
                            topic,
                            partition,
                            topic_id,
                            leader_epoch: outcome.leader_epoch,
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
                if self.topic_id(&topic) != Some(topic_id) {
                    // The answer to a fetch for another incarnation of the topic.
                    return;
                }
                let outcome =
                    self.handle_fetch_response(&topic, partition, leader_epoch, body, now);
                out.extend(outcome.events.into_iter().map(Output::Event));
                if outcome.fetch_again {
                    out.push(Output::StartFetch { topic, partition });
                } else if outcome.back_off {
                    out.push(Output::Schedule {
                        at: now + config.replica_fetch_backoff_ms,
                        timer: Timer::RetryFetch {
                            broker: self.id,
                            topic,
                            partition,
                        },
                    });
                }
            }
            Message::DeleteTopic(deletion) => {
                let removal = self.delete_topic(
                    &deletion.topic,
                    deletion.topic_id,
                    deletion.broker_epoch,
                    deletion.seq,
                    deletion.supersedes,
                );
                push_nonempty(out, removal.failed_consumer_fetches, |f| {
                    Output::ConsumerFetchesFailed(f)
                });
                push_nonempty(out, removal.failed_produces, Output::ProducesFailed);
            }
            Message::AlterPartitionRejected {
                topic,
                partition,
                proposal,
            } => self.alter_partition_rejected(&topic, partition, proposal),
            Message::Produce {
                request,
                topic,
                partition,
                acks,
                records,
            } => {
                let NodeId::Client(client) = from else {
                    return;
                };
                let outcome =
                    self.handle_produce(&topic, partition, request, client, acks, &records, now);
                if let Some(result) = outcome.answer_now
                    && acks != Acks::None
                {
                    out.push(Output::Send {
                        to: from,
                        message: Message::ProduceResponse { request, result },
                    });
                }
                if outcome.delayed {
                    out.push(Output::Schedule {
                        at: now + config.request_timeout_ms,
                        timer: Timer::ProduceTimeout {
                            broker: self.id,
                            topic: topic.clone(),
                            partition,
                            request,
                        },
                    });
                }
                push_hw(out, &topic, partition, outcome.high_watermark);
                push_completed(out, &topic, partition, outcome.completed);
                out.push(Output::ReleaseParkedFetches { topic, partition });
            }
            // Not for a broker's replication side: the controller's inbox, answers to
            // clients, and consumer requests (routed to the group code before this).
            Message::Heartbeat { .. }
            | Message::AlterPartition { .. }
            | Message::ProduceResponse { .. }
            | Message::Group { .. }
            | Message::GroupResponse { .. }
            | Message::ConsumerFetch { .. }
            | Message::ConsumerFetchResponse { .. }
            | Message::ListOffsets { .. }
            | Message::ListOffsetsResponse { .. } => {
                debug_assert!(false, "a broker was sent {}", message.name());
            }
        }
    }
}

/// Pushes `output(items)` unless `items` is empty (an empty list asks for nothing).
fn push_nonempty<T>(out: &mut Vec<Output>, items: Vec<T>, output: impl FnOnce(Vec<T>) -> Output) {
    if !items.is_empty() {
        out.push(output(items));
    }
}

fn push_hw(out: &mut Vec<Output>, topic: &str, partition: u32, hw: Option<i64>) {
    if let Some(high_watermark) = hw {
        out.push(Output::HighWatermark {
            topic: topic.to_owned(),
            partition,
            high_watermark,
        });
    }
}

fn push_completed(
    out: &mut Vec<Output>,
    topic: &str,
    partition: u32,
    completed: Vec<CompletedProduce>,
) {
    push_nonempty(out, completed, |completed| Output::ProducesCompleted {
        topic: topic.to_owned(),
        partition,
        completed,
    });
}
