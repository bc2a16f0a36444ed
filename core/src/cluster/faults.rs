//! Faults and broker lifecycle: killing a broker (and losing its unflushed tails), restarting
//! it, a controlled shutdown, and network partitions, heals and slowdowns.

use super::timer::Timer;
use super::{Cluster, ClusterError, ClusterEvent, NodeId, groups, node};

impl Cluster {
    /// Stops a broker at once: its memory and connections are gone, its stored logs stay.
    pub fn kill_broker(&mut self, broker: u32) -> Result<(), ClusterError> {
        self.stop_broker(broker, false)
    }

    /// Stops a running broker (`controlled`: at the end of its controlled shutdown).
    pub(crate) fn stop_broker(
        &mut self,
        broker: u32,
        controlled: bool,
    ) -> Result<(), ClusterError> {
        let node = self
            .brokers
            .get_mut(broker as usize)
            .ok_or(ClusterError::UnknownBroker(broker))?;
        if !node.alive {
            return Err(ClusterError::BrokerState {
                broker,
                state: "stopped",
            });
        }
        node.crash();
        let epoch = node.broker_epoch + 1;
        self.coordinators[broker as usize] = groups::new_coordinator(&self.config, broker, epoch);
        self.equip_coordinator(broker);
        self.coordinator_wakes.remove(&broker);
        self.network.drop_node(NodeId::Broker(broker));
        self.events
            .push(ClusterEvent::BrokerDown { broker, controlled });
        Ok(())
    }

    /// Stops a broker as a power loss does: as [`Cluster::kill_broker`], and then the stored
    /// logs of `partitions` lose their unflushed tail: each keeps the first
    /// `keep(last segment's bytes)` bytes of its last segment, possibly ending inside a batch
    /// (a torn write). The high-watermark checkpoints stay as last written, so they may now
    /// lie past the log end. Returns the partitions whose stored log was cut.
    pub fn crash_broker_losing_tails(
        &mut self,
        broker: u32,
        partitions: &[(String, u32)],
        keep: impl FnMut(&[u8]) -> usize,
    ) -> Result<Vec<(String, u32)>, ClusterError> {
        self.kill_broker(broker)?;
        Ok(self.brokers[broker as usize].lose_tails(partitions, keep))
    }

    /// The log end a stopped broker's stored log of a partition recovers to: the end of the
    /// last whole batch of its last segment (`None`: running, or no such log).
    pub fn stored_log_end(&self, broker: u32, topic: &str, partition: u32) -> Option<i64> {
        self.brokers
            .get(broker as usize)?
            .stored_log_end(topic, partition)
    }

    /// A stopped broker's stored high-watermark checkpoint of a partition (`None`: none).
    pub fn checkpointed_high_watermark(
        &self,
        broker: u32,
        topic: &str,
        partition: u32,
    ) -> Option<i64> {
        self.brokers
            .get(broker as usize)?
            .checkpoints()
            .get(&(topic.to_owned(), partition))
            .copied()
    }

    /// Replaces a stopped broker's stored high-watermark checkpoint of a partition by an
    /// older, lower value (the checkpoint file as written before the last updates). A value
    /// not below the stored one changes nothing.
    pub fn stale_checkpoint(&mut self, broker: u32, topic: &str, partition: u32, hw: i64) {
        if let Some(node) = self.brokers.get_mut(broker as usize)
            && !node.alive
        {
            node.stale_checkpoint(&(topic.to_owned(), partition), hw);
        }
    }

    /// Starts a stopped broker: it recovers its logs from its own store and heartbeats again.
    pub fn restart_broker(&mut self, broker: u32) -> Result<(), ClusterError> {
        let now = self.now;
        let node = self
            .brokers
            .get_mut(broker as usize)
            .ok_or(ClusterError::UnknownBroker(broker))?;
        if node.alive {
            return Err(ClusterError::BrokerState {
                broker,
                state: "running",
            });
        }
        let cut = node.restart(now);
        self.events.push(ClusterEvent::BrokerUp { broker });
        self.events
            .extend(cut.into_iter().map(|((topic, partition), truncation)| {
                ClusterEvent::RecoveryTruncated {
                    broker,
                    topic,
                    partition,
                    truncation,
                }
            }));
        self.schedule(self.now, Timer::Heartbeat(broker));
        let lag = self.config.replica_lag_time_max_ms / 2;
        self.schedule(self.now + lag, Timer::IsrExpiration(broker));
        self.schedule_log_cleanup(broker);
        Ok(())
    }

    /// A controlled shutdown, as KRaft does it: the broker heartbeats with `wantShutDown` (at
    /// once, then at every heartbeat interval); the controller moves its leaderships away and
    /// takes it out of every ISR, and answers `shouldShutDown` once it leads nothing and the
    /// other brokers know the new leaders (at once when it led nothing); then the broker
    /// stops (`BrokerDown { controlled: true }`). A broker that gets no leave within
    /// [`CONTROLLED_SHUTDOWN_TIMEOUT_MS`](super::CONTROLLED_SHUTDOWN_TIMEOUT_MS) (cut off from the
    /// controller) stops anyway, uncontrolled (`controlled: false`), as Kafka's
    /// `BrokerServer.shutdown` does. Asking again while it waits changes nothing.
    pub fn shutdown_broker(&mut self, broker: u32) -> Result<(), ClusterError> {
        if !self.is_alive(broker) {
            return Err(ClusterError::BrokerState {
                broker,
                state: "stopped",
            });
        }
        self.broker_input(broker, node::Input::BeginControlledShutdown);
        Ok(())
    }

    /// Whether the controller holds `broker` in controlled shutdown: it asked to shut down and
    /// is no longer a leader or an in-sync replica, but has not been let go yet.
    pub fn in_controlled_shutdown(&self, broker: u32) -> bool {
        self.controller.in_controlled_shutdown(broker)
    }

    /// Cuts the network between every node of `side_a` and every node of `side_b`.
    pub fn partition_network(&mut self, side_a: &[NodeId], side_b: &[NodeId]) {
        self.network.partition(side_a, side_b);
    }

    /// From now on, messages to or from each client keep their send order per link (one TCP
    /// connection each), even when a slowdown ends while earlier ones are in flight.
    pub fn keep_client_links_in_order(&mut self) {
        self.network.keep_client_links_in_order();
    }

    /// Restores every link and latency.
    pub fn heal(&mut self) {
        self.network.heal();
    }

    /// Adds latency to every message to or from `node`.
    pub fn slow(&mut self, node: NodeId, extra_ms: i64) {
        self.network.slow(node, extra_ms);
    }
}
