//! Messages on the cluster's network, drawn moving between the brokers, the controller and
//! the clients (in the manner of RaftScope): [`read_in_flight`] lists what is on the wire at
//! one instant; [`Flights`] (a pure reducer over those reads) keeps a bounded set of them on
//! screen long enough for a person to see them move.
//!
//! Messages at 1× live 1–3 ms, much less than a frame, so a frame samples the wire: a message
//! seen in flight is drawn crossing its link in [`FLIGHT_WALL_MS`] of wall time. Only one
//! message per (from, to, API) is drawn at once and at most [`FLIGHTS_MAX`] in all, rarer
//! kinds first (controller, then replication, then produce, then consumers), so the drawing
//! stays cheap and readable under any load. In pause, a step shows exactly what is in flight.

use rill_core::cluster::{Cluster, Message, NodeId};

/// Messages drawn at once at most.
pub const FLIGHTS_MAX: usize = 16;

/// Messages read from the wire per frame at most (the rest are not looked at).
pub const IN_FLIGHT_READ_MAX: usize = 400;

/// How long a drawn message takes to cross its link, in wall-clock ms (the CSS animation).
pub const FLIGHT_WALL_MS: f64 = 450.0;

/// Where a message goes from or to, as drawn: every client is one "clients" node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Endpoint {
    /// Producers and consumers.
    Clients,
    /// A broker.
    Broker(u32),
    /// The KRaft controller.
    Controller,
}

impl Endpoint {
    fn of(node: NodeId) -> Self {
        match node {
            NodeId::Controller => Self::Controller,
            NodeId::Broker(b) => Self::Broker(b),
            NodeId::Client(_) => Self::Clients,
        }
    }
}

/// What a message is for, which decides its colour and row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FlightKind {
    /// Controller ↔ broker: heartbeats, metadata, AlterPartition.
    Controller,
    /// Follower ↔ leader: Fetch and its response.
    Replication,
    /// Producer ↔ leader.
    Produce,
    /// Consumers: group requests, consumer fetches, offsets.
    Consumer,
}

impl FlightKind {
    /// The CSS class of the kind (prefixed: `produce` and `controls` are taken).
    pub fn class(self) -> &'static str {
        match self {
            Self::Controller => "k-controller",
            Self::Replication => "k-replication",
            Self::Produce => "k-produce",
            Self::Consumer => "k-consumer",
        }
    }
}

/// Kafka's name for a message (its API, or the response to it), and its kind.
fn describe(message: &Message) -> (&'static str, FlightKind) {
    use FlightKind as K;
    match message {
        Message::Heartbeat { .. } => ("BrokerHeartbeat", K::Controller),
        Message::HeartbeatResponse { .. } => ("BrokerHeartbeat response", K::Controller),
        Message::Metadata(_) => ("Metadata", K::Controller),
        Message::DeleteTopic(_) => ("DeleteTopics", K::Controller),
        Message::AlterPartition { .. } => ("AlterPartition", K::Controller),
        Message::AlterPartitionRejected { .. } => ("AlterPartition (rejected)", K::Controller),
        Message::Fetch { .. } => ("Fetch", K::Replication),
        Message::FetchResponse { .. } => ("Fetch response", K::Replication),
        Message::Produce { .. } => ("Produce", K::Produce),
        Message::ProduceResponse { .. } => ("Produce response", K::Produce),
        Message::Group { .. } => ("Group request", K::Consumer),
        Message::GroupResponse { .. } => ("Group response", K::Consumer),
        Message::ConsumerFetch { .. } => ("Fetch (consumer)", K::Consumer),
        Message::ConsumerFetchResponse { .. } => ("Fetch response (consumer)", K::Consumer),
        Message::ListOffsets { .. } => ("ListOffsets", K::Consumer),
        Message::ListOffsetsResponse { .. } => ("ListOffsets response", K::Consumer),
        #[allow(unreachable_patterns)]
        _ => ("Request", K::Consumer),
    }
}

/// One message on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InFlight {
    /// The network's send sequence number (identifies the message).
    pub seq: u64,
    /// Sender.
    pub from: Endpoint,
    /// Receiver.
    pub to: Endpoint,
    /// Kafka's name for it.
    pub api: &'static str,
    /// Its kind.
    pub kind: FlightKind,
    /// When it arrives (cluster time).
    pub deliver_at: i64,
    /// One of the fetch loops that go back and forth even in an idle cluster (a follower's
    /// or a consumer's Fetch and its response).
    pub polling: bool,
}

/// What is on the cluster's wire now, soonest delivery first (at most
/// [`IN_FLIGHT_READ_MAX`]).
pub fn read_in_flight(cluster: &Cluster) -> Vec<InFlight> {
    cluster
        .messages_in_flight()
        .take(IN_FLIGHT_READ_MAX)
        .map(|(at, seq, envelope)| {
            let (api, kind) = describe(&envelope.message);
            InFlight {
                seq,
                from: Endpoint::of(envelope.from),
                to: Endpoint::of(envelope.to),
                api,
                kind,
                deliver_at: at,
                polling: matches!(
                    envelope.message,
                    Message::Fetch { .. }
                        | Message::FetchResponse { .. }
                        | Message::ConsumerFetch { .. }
                        | Message::ConsumerFetchResponse { .. }
                ),
            }
        })
        .filter(|m| m.from != m.to)
        .collect()
}

/// A message drawn crossing its link.
#[derive(Clone, Debug, PartialEq)]
pub struct Flight {
    /// The message.
    pub message: InFlight,
    /// Cluster time of the frame that first saw it.
    pub seen_at: i64,
    /// Until when (cluster time) it stays drawn while time runs.
    pub until: i64,
}

impl Flight {
    /// Where it is on its link, 0 (sent) to 1 (arrived), at cluster time `now`; for a still
    /// picture (pause, reduced motion).
    pub fn progress(&self, now: i64) -> f64 {
        let span = (self.message.deliver_at - self.seen_at).max(1) as f64;
        ((now - self.seen_at) as f64 / span).clamp(0.15, 0.85)
    }
}

/// The messages drawn now.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Flights {
    /// Drawn messages, oldest first.
    pub drawn: Vec<Flight>,
    /// Whether time was running at the last frame (else a still picture of the wire).
    pub running: bool,
}

impl Flights {
    /// Takes one frame's read of the wire at cluster time `now`. While time runs at `speed`,
    /// a message stays drawn for [`FLIGHT_WALL_MS`] of wall time; paused (a step), exactly
    /// what is in flight is drawn.
    pub fn frame(&mut self, wire: &[InFlight], now: i64, running: bool, speed: f64) {
        self.running = running;
        if running {
            self.drawn.retain(|f| f.until > now);
        } else {
            self.drawn
                .retain(|f| wire.iter().any(|m| m.seq == f.message.seq));
        }
        let linger = ((FLIGHT_WALL_MS * speed).round() as i64).max(1);
        let mut fresh: Vec<&InFlight> = wire
            .iter()
            .filter(|m| !self.drawn.iter().any(|f| f.message.seq == m.seq))
            .collect();
        // Rarer kinds first; within a kind, the soonest delivery.
        fresh.sort_by_key(|m| (m.kind, m.deliver_at, m.seq));
        for m in fresh {
            if self.drawn.len() >= FLIGHTS_MAX {
                break;
            }
            let same_link = self.drawn.iter().any(|f| {
                f.message.from == m.from && f.message.to == m.to && f.message.api == m.api
            });
            if same_link {
                continue;
            }
            self.drawn.push(Flight {
                message: m.clone(),
                seen_at: now,
                until: now + linger,
            });
        }
    }
}
