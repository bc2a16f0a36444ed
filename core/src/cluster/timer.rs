//! The cluster's timer table. A timer is data: when it fires and why ([`Timer`]); the table
//! orders them by (time, schedule order), so a seed replays exactly, and keeps one pending timer
//! per [`TimerSlot`] for the timers the event they wait for makes pointless.
//!
//! [`Wakeup`] and [`WakeReason`] are the public face: what [`super::Cluster::next_wakeup_reason`]
//! tells a host (the playground's "Step" shows it in words).

use std::collections::BTreeMap;

use super::network::NodeId;

/// The most timers the table holds at once. The table is as large as the work in flight
/// (heartbeats and ISR checks per broker, a fetch timeout per follower replica, a timeout per
/// pending request), not as the time run: the simulator sweeps and the scenario benchmark stay
/// below a few thousand. More than this is a leak (a timer scheduled per message and never
/// cancelled), and the cluster stops rather than grow without bound.
pub const TIMERS_MAX: usize = 1 << 20;

/// Why the cluster wakes up next: a message delivery or a timer, with whom it concerns.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WakeReason {
    /// A message reaches its destination.
    Delivery {
        /// The sender.
        from: NodeId,
        /// The receiver.
        to: NodeId,
        /// The message's name ([`super::Message::name`]).
        message: &'static str,
    },
    /// A broker sends its heartbeat (`broker.heartbeat.interval.ms`).
    Heartbeat {
        /// The broker.
        broker: u32,
    },
    /// The controller looks for brokers whose session expired (`broker.session.timeout.ms`).
    ControllerCheck,
    /// A broker looks for followers to drop from its ISRs (`replica.lag.time.max.ms`).
    IsrExpiration {
        /// The broker.
        broker: u32,
    },
    /// A leader answers a follower fetch it parked (`replica.fetch.wait.max.ms`).
    FollowerFetchWait {
        /// The leader.
        broker: u32,
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The follower.
        follower: u32,
    },
    /// A follower fetches again after a failed fetch (`replica.fetch.backoff.ms`).
    FetchBackoff {
        /// The follower.
        broker: u32,
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
    },
    /// A follower gives up a fetch that got no answer.
    FetchTimeout {
        /// The follower.
        broker: u32,
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
    },
    /// A leader answers a produce still waiting for its ISR with `REQUEST_TIMED_OUT`.
    ProduceTimeout {
        /// The leader.
        broker: u32,
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
    },
    /// A producer gives up a request that got no answer (`request.timeout.ms`).
    ProducerRequestTimeout {
        /// The producer client.
        client: u32,
    },
    /// A broker in controlled shutdown stops without the controller's leave
    /// ([`CONTROLLED_SHUTDOWN_TIMEOUT_MS`](super::CONTROLLED_SHUTDOWN_TIMEOUT_MS) passed).
    BrokerStop {
        /// The broker.
        broker: u32,
    },
    /// A broker applies retention and compaction (`log.retention.check.interval.ms`).
    LogCleanup {
        /// The broker.
        broker: u32,
    },
    /// A group coordinator's deadline (a session or rebalance timeout, offset expiry).
    GroupCoordinator {
        /// The coordinator's broker.
        broker: u32,
    },
    /// A leader answers a consumer fetch it parked (`fetch.max.wait.ms`).
    ConsumerFetchWait {
        /// The leader.
        broker: u32,
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The consumer client.
        client: u32,
    },
    /// A consumer gives up a request that got no answer (`request.timeout.ms`).
    ConsumerRequestTimeout {
        /// The consumer client.
        client: u32,
    },
    /// A consumer's own deadline (a heartbeat, a poll, a retry backoff).
    Consumer {
        /// The consumer client.
        client: u32,
    },
}

/// When the cluster wakes up next, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wakeup {
    /// Cluster time of the wake-up, in ms.
    pub at_ms: i64,
    /// What is due then (the first of several due at once, in the order `advance` runs them).
    pub reason: WakeReason,
}

/// A scheduled timer: what runs when it fires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Timer {
    Heartbeat(u32),
    ControllerCheck,
    IsrExpiration(u32),
    /// `replica.fetch.wait.max.ms` of the fetch `follower` parked at `broker`'s leader.
    ReleaseFetch {
        broker: u32,
        topic: String,
        partition: u32,
        follower: u32,
    },
    RetryFetch {
        broker: u32,
        topic: String,
        partition: u32,
    },
    FetchTimeout {
        broker: u32,
        topic: String,
        partition: u32,
        seq: u64,
    },
    ProduceTimeout {
        broker: u32,
        topic: String,
        partition: u32,
        request: u64,
    },
    ClientTimeout {
        client: u32,
        request: u64,
    },
    /// A broker in controlled shutdown gives up waiting for the controller's leave.
    ShutdownTimeout {
        broker: u32,
        broker_epoch: u64,
    },
    /// A broker's `log.retention.check.interval.ms` (retention and compaction).
    LogCleanup {
        broker: u32,
        /// The incarnation that scheduled it (a restarted broker starts its own).
        broker_epoch: u64,
    },
    /// A group coordinator's next deadline (only the latest scheduled one counts).
    CoordinatorWake {
        broker: u32,
        at: i64,
    },
    /// A parked consumer fetch's `fetch.max.wait.ms` ended.
    ConsumerFetchWait {
        broker: u32,
        topic: String,
        partition: u32,
        client: u32,
        request: u64,
    },
    /// A consumer's request got no answer within `request.timeout.ms`.
    ConsumerRequestTimeout {
        client: u32,
        request: u64,
    },
}

/// A timer that the event it waits for makes pointless: a request's timeout once the answer
/// came, a parked fetch's deadline once data released it, a follower's fetch timeout once its
/// next fetch replaced it. Cancelling them keeps the timer table as large as the work in
/// flight, not as the work done in the last `request.timeout.ms`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum TimerSlot {
    /// A broker's next heartbeat: one chain per broker, whatever restarts happened.
    Heartbeat { broker: u32 },
    /// A broker's next ISR-expiration check: one chain per broker.
    IsrExpiration { broker: u32 },
    /// A producer client's request.
    ClientRequest { client: u32, request: u64 },
    /// A consumer client's request.
    ConsumerRequest { client: u32, request: u64 },
    /// A produce the leader holds until the ISR has it.
    DelayedProduce {
        broker: u32,
        topic: String,
        partition: u32,
        request: u64,
    },
    /// A follower's fetch in flight.
    FollowerFetch {
        broker: u32,
        topic: String,
        partition: u32,
    },
    /// A follower's fetch parked at the leader.
    ParkedFetch {
        broker: u32,
        topic: String,
        partition: u32,
        follower: u32,
    },
}

impl Timer {
    /// The slot of a cancellable timer.
    fn slot(&self) -> Option<TimerSlot> {
        match self {
            Timer::ClientTimeout { client, request } => Some(TimerSlot::ClientRequest {
                client: *client,
                request: *request,
            }),
            Timer::ConsumerRequestTimeout { client, request } => Some(TimerSlot::ConsumerRequest {
                client: *client,
                request: *request,
            }),
            Timer::ProduceTimeout {
                broker,
                topic,
                partition,
                request,
            } => Some(TimerSlot::DelayedProduce {
                broker: *broker,
                topic: topic.clone(),
                partition: *partition,
                request: *request,
            }),
            Timer::FetchTimeout {
                broker,
                topic,
                partition,
                ..
            } => Some(TimerSlot::FollowerFetch {
                broker: *broker,
                topic: topic.clone(),
                partition: *partition,
            }),
            Timer::ReleaseFetch {
                broker,
                topic,
                partition,
                follower,
            } => Some(TimerSlot::ParkedFetch {
                broker: *broker,
                topic: topic.clone(),
                partition: *partition,
                follower: *follower,
            }),
            Timer::Heartbeat(broker) => Some(TimerSlot::Heartbeat { broker: *broker }),
            Timer::IsrExpiration(broker) => Some(TimerSlot::IsrExpiration { broker: *broker }),
            Timer::ControllerCheck
            | Timer::RetryFetch { .. }
            | Timer::ShutdownTimeout { .. }
            | Timer::LogCleanup { .. }
            | Timer::CoordinatorWake { .. }
            | Timer::ConsumerFetchWait { .. } => None,
        }
    }

    /// Why this timer wakes the cluster, for a host.
    pub(crate) fn reason(&self) -> WakeReason {
        match self {
            Timer::Heartbeat(broker) => WakeReason::Heartbeat { broker: *broker },
            Timer::ControllerCheck => WakeReason::ControllerCheck,
            Timer::IsrExpiration(broker) => WakeReason::IsrExpiration { broker: *broker },
            Timer::ReleaseFetch {
                broker,
                topic,
                partition,
                follower,
            } => WakeReason::FollowerFetchWait {
                broker: *broker,
                topic: topic.clone(),
                partition: *partition,
                follower: *follower,
            },
            Timer::RetryFetch {
                broker,
                topic,
                partition,
            } => WakeReason::FetchBackoff {
                broker: *broker,
                topic: topic.clone(),
                partition: *partition,
            },
            Timer::FetchTimeout {
                broker,
                topic,
                partition,
                ..
            } => WakeReason::FetchTimeout {
                broker: *broker,
                topic: topic.clone(),
                partition: *partition,
            },
            Timer::ProduceTimeout {
                broker,
                topic,
                partition,
                ..
            } => WakeReason::ProduceTimeout {
                broker: *broker,
                topic: topic.clone(),
                partition: *partition,
            },
            Timer::ClientTimeout { client, .. } => {
                WakeReason::ProducerRequestTimeout { client: *client }
            }
            Timer::ShutdownTimeout { broker, .. } => WakeReason::BrokerStop { broker: *broker },
            Timer::LogCleanup { broker, .. } => WakeReason::LogCleanup { broker: *broker },
            Timer::CoordinatorWake { broker, .. } => {
                WakeReason::GroupCoordinator { broker: *broker }
            }
            Timer::ConsumerFetchWait {
                broker,
                topic,
                partition,
                client,
                ..
            } => WakeReason::ConsumerFetchWait {
                broker: *broker,
                topic: topic.clone(),
                partition: *partition,
                client: *client,
            },
            Timer::ConsumerRequestTimeout { client, .. } => {
                WakeReason::ConsumerRequestTimeout { client: *client }
            }
        }
    }
}

/// Every pending timer by (time, schedule order), and the key of each cancellable one.
#[derive(Clone, Debug, Default)]
pub(crate) struct TimerTable {
    timers: BTreeMap<(i64, u64), Timer>,
    /// The schedule order of the next timer.
    next_seq: u64,
    /// The key of each cancellable timer still pending (see [`TimerSlot`]).
    slots: BTreeMap<TimerSlot, (i64, u64)>,
    /// The most timers ever pending at once (for [`TIMERS_MAX`]'s margin).
    peak: usize,
}

impl TimerTable {
    /// Schedules `timer` at `at`; a cancellable one replaces the pending timer of its slot.
    pub(crate) fn schedule(&mut self, at: i64, timer: Timer) {
        let seq = self.next_seq;
        self.next_seq += 1;
        if let Some(slot) = timer.slot()
            && let Some(replaced) = self.slots.insert(slot, (at, seq))
        {
            let removed = self.timers.remove(&replaced);
            debug_assert!(removed.is_some(), "a slot names a pending timer");
        }
        self.timers.insert((at, seq), timer);
        self.peak = self.peak.max(self.timers.len());
        assert!(
            self.timers.len() <= TIMERS_MAX,
            "more than TIMERS_MAX ({TIMERS_MAX}) timers pending: a timer leak"
        );
        debug_assert!(self.slots.len() <= self.timers.len());
    }

    /// Cancels the pending timer of `slot`, if any: what it waited for happened.
    pub(crate) fn cancel(&mut self, slot: &TimerSlot) {
        if let Some(key) = self.slots.remove(slot) {
            let removed = self.timers.remove(&key);
            debug_assert!(removed.is_some(), "a slot names a pending timer");
        }
    }

    /// The earliest pending timer.
    pub(crate) fn first(&self) -> Option<(i64, &Timer)> {
        self.timers
            .iter()
            .next()
            .map(|((at, _), timer)| (*at, timer))
    }

    /// Removes and returns the earliest timer if it is due at `now`.
    pub(crate) fn pop_due(&mut self, now: i64) -> Option<Timer> {
        let (&key, _) = self.timers.iter().next()?;
        if key.0 > now {
            return None;
        }
        let timer = self.timers.remove(&key)?;
        if let Some(slot) = timer.slot() {
            let removed = self.slots.remove(&slot);
            debug_assert_eq!(removed, Some(key), "a cancellable timer holds its slot");
        }
        Some(timer)
    }

    /// The most timers ever pending at once.
    pub(crate) fn peak(&self) -> usize {
        self.peak
    }

    /// How many timers are pending.
    pub(crate) fn len(&self) -> usize {
        self.timers.len()
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    #[should_panic(expected = "TIMERS_MAX")]
    fn more_timers_than_the_limit_stop_the_cluster() {
        let mut table = TimerTable::default();
        for at in 0..=TIMERS_MAX as i64 {
            table.schedule(at, Timer::ControllerCheck);
        }
    }

    #[test]
    fn timers_fire_by_time_then_schedule_order_and_slots_replace() {
        let mut table = TimerTable::default();
        table.schedule(10, Timer::Heartbeat(1));
        table.schedule(5, Timer::ControllerCheck);
        table.schedule(10, Timer::Heartbeat(0));
        let fetch = |seq| Timer::FetchTimeout {
            broker: 0,
            topic: "t".into(),
            partition: 0,
            seq,
        };
        table.schedule(7, fetch(1));
        // The next fetch's timeout replaces the previous one.
        table.schedule(20, fetch(2));
        assert_eq!(table.len(), 4);
        assert_eq!(
            table.first().map(|(at, t)| (at, t.reason())),
            Some((5, WakeReason::ControllerCheck))
        );
        assert_eq!(table.pop_due(4), None);
        assert_eq!(table.pop_due(5), Some(Timer::ControllerCheck));
        assert_eq!(table.pop_due(10), Some(Timer::Heartbeat(1)));
        assert_eq!(table.pop_due(10), Some(Timer::Heartbeat(0)));
        assert_eq!(table.pop_due(19), None);
        table.cancel(&TimerSlot::FollowerFetch {
            broker: 0,
            topic: "t".into(),
            partition: 0,
        });
        assert_eq!(table.len(), 0);
        assert_eq!(table.first(), None);
    }
}
