//! The simulated network: messages in flight with a delivery time, links that can be cut.
//!
//! Delivery order is total and replayable: by delivery time, then by send order. A message on
//! a cut link is dropped when it is sent and again when it would be delivered (a partition that
//! starts while it is in flight loses it), as TCP connections reset across a real partition.

use std::collections::{BTreeMap, BTreeSet};

use crate::prng::Prng;

/// The most messages the network holds in flight at once. Nodes send in answer to what they
/// receive and to their timers, so the count follows the cluster's shape (brokers, replicas,
/// clients' requests in flight), not the time run: the simulator sweeps and benchmarks stay
/// far below this. More is a runaway (a node answering every message with several), and the
/// cluster stops rather than exhaust memory.
pub const MESSAGES_IN_FLIGHT_MAX: usize = 1 << 20;

/// A node of the simulated cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeId {
    /// The KRaft controller (one node, isolated mode).
    Controller,
    /// A broker, by broker id.
    Broker(u32),
    /// A client (producer or consumer), by client id.
    Client(u32),
}

impl std::fmt::Display for NodeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Controller => f.write_str("controller"),
            Self::Broker(id) => write!(f, "broker {id}"),
            Self::Client(id) => write!(f, "client {id}"),
        }
    }
}

/// Message latency: `base_ms` plus a uniform jitter in `0..=jitter_ms`, drawn from the
/// cluster's seeded PRNG.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Latency {
    /// The least time a message takes.
    pub base_ms: i64,
    /// The most extra time a message takes.
    pub jitter_ms: i64,
}

/// One message in flight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope<M> {
    /// Sender.
    pub from: NodeId,
    /// Receiver.
    pub to: NodeId,
    /// The message.
    pub message: M,
}

/// Messages in flight and the state of every link.
#[derive(Clone, Debug)]
pub struct Network<M> {
    in_flight: BTreeMap<(i64, u64), Envelope<M>>,
    next_seq: u64,
    /// Cut links, each as (lower, higher) node.
    cut: BTreeSet<(NodeId, NodeId)>,
    /// Extra latency on links to or from a slowed node.
    slowed: BTreeMap<NodeId, i64>,
    latency: Latency,
    /// Messages dropped because their link was cut.
    dropped: u64,
    /// Messages delivered.
    delivered: u64,
    /// The most messages ever in flight at once (for [`MESSAGES_IN_FLIGHT_MAX`]'s margin).
    peak_in_flight: usize,
    /// When set, messages to or from a client keep their send order per link (one TCP
    /// connection each): the latest delivery time sent on each such link.
    client_links_in_order: Option<BTreeMap<(NodeId, NodeId), i64>>,
}

fn link(a: NodeId, b: NodeId) -> (NodeId, NodeId) {
    if a <= b { (a, b) } else { (b, a) }
}

impl<M> Network<M> {
    /// A network with no message in flight and every link up.
    pub fn new(latency: Latency) -> Self {
        assert!(
            latency.base_ms >= 0 && latency.jitter_ms >= 0,
            "latency is never negative"
        );
        Self {
            in_flight: BTreeMap::new(),
            next_seq: 0,
            cut: BTreeSet::new(),
            slowed: BTreeMap::new(),
            latency,
            dropped: 0,
            delivered: 0,
            peak_in_flight: 0,
            client_links_in_order: None,
        }
    }

    /// From now on, messages to or from a client arrive in the order they were sent on each
    /// link (as on one TCP connection): a slowed client's later requests wait behind its
    /// earlier ones instead of overtaking them.
    pub fn keep_client_links_in_order(&mut self) {
        self.client_links_in_order.get_or_insert_with(BTreeMap::new);
    }

    /// Whether `a` and `b` can talk.
    pub fn connected(&self, a: NodeId, b: NodeId) -> bool {
        a == b || !self.cut.contains(&link(a, b))
    }

    /// Sends `message` at time `now`; it arrives after the link's latency unless the link is
    /// cut (then it is dropped).
    pub fn send(&mut self, now: i64, from: NodeId, to: NodeId, message: M, prng: &mut Prng) {
        if !self.connected(from, to) {
            self.dropped += 1;
            return;
        }
        let jitter = if self.latency.jitter_ms > 0 {
            prng.below(self.latency.jitter_ms as u64 + 1) as i64
        } else {
            0
        };
        let slow = self.slowed.get(&from).copied().unwrap_or(0)
            + self.slowed.get(&to).copied().unwrap_or(0);
        let mut at = now + self.latency.base_ms + jitter + slow;
        if let Some(last) = self.client_links_in_order.as_mut()
            && (matches!(from, NodeId::Client(_)) || matches!(to, NodeId::Client(_)))
        {
            let previous = last.entry((from, to)).or_insert(at);
            at = at.max(*previous);
            *previous = at;
        }
        debug_assert!(at >= now, "a message never arrives before it is sent");
        let seq = self.next_seq;
        self.next_seq += 1;
        self.in_flight
            .insert((at, seq), Envelope { from, to, message });
        self.peak_in_flight = self.peak_in_flight.max(self.in_flight.len());
        assert!(
            self.in_flight.len() <= MESSAGES_IN_FLIGHT_MAX,
            "more than MESSAGES_IN_FLIGHT_MAX ({MESSAGES_IN_FLIGHT_MAX}) messages in flight: \
             a runaway"
        );
    }

    /// The next message to be delivered, with its delivery time (it may still be dropped
    /// then, if its link is cut by that time).
    pub fn first_in_flight(&self) -> Option<(i64, &Envelope<M>)> {
        self.in_flight
            .iter()
            .next()
            .map(|((at, _), envelope)| (*at, envelope))
    }

    /// The most messages that were ever in flight at once.
    pub fn peak_in_flight(&self) -> usize {
        self.peak_in_flight
    }

    /// The messages in flight, soonest delivery first, each with its delivery time and its
    /// send sequence number (unique, increasing in send order), for a host to draw them.
    pub fn messages_in_flight(&self) -> impl Iterator<Item = (i64, u64, &Envelope<M>)> {
        self.in_flight.iter().map(|(&(at, seq), e)| (at, seq, e))
    }

    /// When the next message arrives, if any is in flight.
    pub fn next_delivery(&self) -> Option<i64> {
        self.in_flight.keys().next().map(|(at, _)| *at)
    }

    /// Takes the next message due at or before `now`, dropping those whose link was cut.
    pub fn deliver(&mut self, now: i64) -> Option<Envelope<M>> {
        loop {
            let (&(at, seq), _) = self.in_flight.iter().next()?;
            if at > now {
                return None;
            }
            let envelope = self
                .in_flight
                .remove(&(at, seq))
                .expect("the key was just read");
            if self.connected(envelope.from, envelope.to) {
                self.delivered += 1;
                return Some(envelope);
            }
            self.dropped += 1;
        }
    }

    /// Cuts every link between a node of `side_a` and a node of `side_b`.
    pub fn partition(&mut self, side_a: &[NodeId], side_b: &[NodeId]) {
        for a in side_a {
            for b in side_b {
                if a != b {
                    self.cut.insert(link(*a, *b));
                }
            }
        }
    }

    /// Restores every link and removes every slowdown.
    pub fn heal(&mut self) {
        self.cut.clear();
        self.slowed.clear();
    }

    /// Adds `extra_ms` of latency to every message to or from `node` (0 removes it).
    pub fn slow(&mut self, node: NodeId, extra_ms: i64) {
        assert!(extra_ms >= 0, "a slowdown adds latency");
        if extra_ms == 0 {
            self.slowed.remove(&node);
        } else {
            self.slowed.insert(node, extra_ms);
        }
    }

    /// The extra latency on links to or from `node` (0: not slowed).
    pub fn slowdown(&self, node: NodeId) -> i64 {
        self.slowed.get(&node).copied().unwrap_or(0)
    }

    /// Drops every message in flight to or from `node` (it crashed: its connections are gone).
    pub fn drop_node(&mut self, node: NodeId) {
        let before = self.in_flight.len();
        self.in_flight.retain(|_, e| e.from != node && e.to != node);
        self.dropped += (before - self.in_flight.len()) as u64;
    }

    /// Messages in flight.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Messages delivered so far.
    pub fn delivered(&self) -> u64 {
        self.delivered
    }

    /// Messages dropped so far (cut links, crashed nodes).
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    #[should_panic(expected = "MESSAGES_IN_FLIGHT_MAX")]
    fn more_messages_in_flight_than_the_limit_stop_the_cluster() {
        let mut prng = Prng::new(1);
        let mut net: Network<()> = Network::new(Latency {
            base_ms: 1,
            jitter_ms: 0,
        });
        for _ in 0..=MESSAGES_IN_FLIGHT_MAX {
            net.send(0, NodeId::Broker(0), NodeId::Broker(1), (), &mut prng);
        }
    }

    #[test]
    fn messages_arrive_in_time_order_and_cut_links_drop_them() {
        let mut prng = Prng::new(1);
        let mut net: Network<u32> = Network::new(Latency {
            base_ms: 5,
            jitter_ms: 0,
        });
        let (a, b, c) = (NodeId::Broker(0), NodeId::Broker(1), NodeId::Controller);
        net.send(0, a, b, 1, &mut prng);
        net.send(1, b, a, 2, &mut prng);
        net.send(1, a, c, 3, &mut prng);
        assert_eq!(net.next_delivery(), Some(5));
        assert!(net.deliver(4).is_none());
        assert_eq!(net.deliver(5).map(|e| e.message), Some(1));
        net.partition(&[a], &[b]);
        assert_eq!(
            net.deliver(6).map(|e| e.message),
            Some(3),
            "2 was cut in flight"
        );
        assert_eq!(net.dropped(), 1);
        net.send(7, b, a, 4, &mut prng);
        assert_eq!(net.in_flight(), 0, "dropped at send");
        net.heal();
        net.slow(b, 10);
        net.send(8, a, b, 5, &mut prng);
        assert_eq!(net.next_delivery(), Some(23));
    }

    #[test]
    fn messages_in_flight_are_listed_soonest_first_with_their_send_order() {
        let mut prng = Prng::new(1);
        let mut net: Network<u32> = Network::new(Latency {
            base_ms: 5,
            jitter_ms: 0,
        });
        let (a, b) = (NodeId::Broker(0), NodeId::Broker(1));
        net.send(3, a, b, 10, &mut prng);
        net.send(0, b, a, 20, &mut prng);
        let listed: Vec<(i64, u64, NodeId, NodeId, u32)> = net
            .messages_in_flight()
            .map(|(at, seq, e)| (at, seq, e.from, e.to, e.message))
            .collect();
        assert_eq!(listed, vec![(5, 1, b, a, 20), (8, 0, a, b, 10)]);
        net.deliver(5);
        assert_eq!(
            net.messages_in_flight().count(),
            1,
            "a delivered one is gone"
        );
    }
}
