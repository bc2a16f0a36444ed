//! The cluster's producer clients: each sends a batch to the partition leader it believes
//! in (asking the controller when it knows none or after an error), keeps its requests in
//! flight with a timeout, and hands the host one [`ProduceOutcome`] per request.

use std::collections::BTreeMap;

use super::timer::{Timer, TimerSlot};
use super::{Acks, Cluster, Message, NodeId};
use crate::error::ErrorCode;
use crate::record::NewRecord;

/// The answer to one produce request, as the client saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProduceOutcome {
    /// The request id [`Cluster::produce`] returned.
    pub request: u64,
    /// Topic name.
    pub topic: String,
    /// Partition index.
    pub partition: u32,
    /// The acks asked for.
    pub acks: Acks,
    /// The batch's (first, last) offsets, or Kafka's error.
    pub result: Result<(i64, i64), ErrorCode>,
}

/// A producer client's view: the leaders it believes in and its requests in flight.
#[derive(Clone, Debug, Default)]
pub(super) struct ClientState {
    /// Believed leader per partition, refreshed from the controller on errors.
    pub(super) leaders: BTreeMap<(String, u32), Option<u32>>,
    /// Requests awaiting an answer: request id → (topic, partition, acks).
    pub(super) pending: BTreeMap<u64, (String, u32, Acks)>,
}

impl Cluster {
    /// Sends one batch from `client` to the partition's leader as the client believes it
    /// (refreshing from the controller when it knows none). Returns the request id; the
    /// outcome arrives in [`Cluster::poll_outcomes`] (never, for `acks=0`, except errors the
    /// client sees itself).
    pub fn produce(
        &mut self,
        client: u32,
        topic: &str,
        partition: u32,
        acks: Acks,
        records: Vec<NewRecord>,
    ) -> u64 {
        let request = self.next_request;
        self.next_request += 1;
        let key = (topic.to_owned(), partition);
        let known = self
            .clients
            .get(&client)
            .and_then(|c| c.leaders.get(&key).copied())
            .flatten();
        let leader = match known {
            Some(leader) => Some(leader),
            None => self.refresh_client(client, topic, partition),
        };
        let Some(leader) = leader else {
            self.outcomes.push(ProduceOutcome {
                request,
                topic: topic.to_owned(),
                partition,
                acks,
                result: Err(if self.controller.partitions.contains_key(&key) {
                    ErrorCode::LeaderNotAvailable
                } else {
                    ErrorCode::UnknownTopicOrPartition
                }),
            });
            return request;
        };
        self.send(
            NodeId::Client(client),
            NodeId::Broker(leader),
            Message::Produce {
                request,
                topic: topic.to_owned(),
                partition,
                acks,
                records,
            },
        );
        if acks == Acks::None {
            // acks=0: the producer counts the send as done at once, with no offsets (Kafka's
            // RecordMetadata offset -1), and never hears from the broker.
            self.outcomes.push(ProduceOutcome {
                request,
                topic: topic.to_owned(),
                partition,
                acks,
                result: Ok((-1, -1)),
            });
            return request;
        }
        self.clients
            .entry(client)
            .or_default()
            .pending
            .insert(request, (topic.to_owned(), partition, acks));
        // The producer's own `request.timeout.ms`, a little after the broker's, for answers
        // lost on a cut link.
        let at = self.now + self.config.request_timeout_ms + 1_000;
        self.schedule(at, Timer::ClientTimeout { client, request });
        request
    }

    /// The client's metadata refresh: the controller's current leader for the partition.
    pub(super) fn refresh_client(
        &mut self,
        client: u32,
        topic: &str,
        partition: u32,
    ) -> Option<u32> {
        let leader = self.controller.leader_of(topic, partition);
        self.clients
            .entry(client)
            .or_default()
            .leaders
            .insert((topic.to_owned(), partition), leader);
        leader
    }

    /// A producer client receives a produce answer: the outcome is recorded, and a
    /// leadership error makes it refresh its metadata.
    pub(super) fn client_receive(&mut self, client: u32, message: Message) {
        let Message::ProduceResponse { request, result } = message else {
            return;
        };
        let Some(state) = self.clients.get_mut(&client) else {
            return;
        };
        let Some((topic, partition, acks)) = state.pending.remove(&request) else {
            return;
        };
        self.cancel(TimerSlot::ClientRequest { client, request });
        if matches!(
            result,
            Err(ErrorCode::NotLeaderOrFollower
                | ErrorCode::UnknownTopicOrPartition
                | ErrorCode::LeaderNotAvailable
                | ErrorCode::NetworkException
                | ErrorCode::RequestTimedOut)
        ) {
            self.refresh_client(client, &topic, partition);
        }
        self.outcomes.push(ProduceOutcome {
            request,
            topic,
            partition,
            acks,
            result,
        });
    }

    /// A producer's `request.timeout.ms` passed without an answer: the request fails with
    /// `REQUEST_TIMED_OUT` and the client refreshes its metadata.
    pub(super) fn producer_request_timed_out(&mut self, client: u32, request: u64) {
        let pending = self
            .clients
            .get_mut(&client)
            .and_then(|c| c.pending.remove(&request));
        if let Some((topic, partition, acks)) = pending {
            self.refresh_client(client, &topic, partition);
            self.outcomes.push(ProduceOutcome {
                request,
                topic,
                partition,
                acks,
                result: Err(ErrorCode::RequestTimedOut),
            });
        }
    }
}
