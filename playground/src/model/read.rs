//! What the playground draws of a cluster, read from it by one pure function: brokers, topics,
//! partitions with their replicas, ISR and offsets, and the records of the lanes on screen.
//!
//! [`ClusterView::read`] takes a `&Cluster` and a [`ReadOptions`] saying which lanes are on
//! screen; everything else is cheap metadata. Tested natively.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use rill_core::cluster::{Cluster, NodeId, OFFSETS_TOPIC, PartitionRegistration, ReplicaRole};
use rill_core::config::TopicConfig;
use rill_core::log::PartitionLog;
use rill_core::record::{StoredRecord, TimestampType};

/// Records per lane drawn at most; older ones are summarised as "+N older".
pub const LANE_RECORDS_MAX: usize = 60;

/// Bytes of a value kept for display; longer values are cut and their size shown.
pub const VALUE_PREVIEW_BYTES_MAX: usize = 512;

/// Which partitions' records to read (the lanes on screen), by topic: a range of indexes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Topics whose lanes are drawn, with the first partition index and how many.
    pub lanes: BTreeMap<String, (u32, u32)>,
    /// Draw `__consumer_offsets` among the topics.
    pub show_internal: bool,
    /// Records per lane (at most [`LANE_RECORDS_MAX`]).
    pub lane_records: usize,
    /// Partitions in the window whose rows are scrolled out of sight: their lanes are not
    /// read ([`PartitionView::lane_skipped`]); the model keeps what it last drew of them.
    pub offscreen: BTreeSet<(String, u32)>,
}

impl ReadOptions {
    /// Lanes of the first `count` partitions of every topic, [`LANE_RECORDS_MAX`] records each.
    pub fn first_partitions(count: u32) -> Self {
        Self {
            lanes: BTreeMap::new(),
            show_internal: false,
            lane_records: LANE_RECORDS_MAX,
            offscreen: BTreeSet::new(),
        }
        .with_default_window(count)
    }

    fn with_default_window(mut self, count: u32) -> Self {
        self.lanes.insert(String::new(), (0, count));
        self
    }

    /// The window of partitions of `topic` whose lanes are read.
    pub fn window(&self, topic: &str) -> (u32, u32) {
        self.lanes
            .get(topic)
            .or_else(|| self.lanes.get(""))
            .copied()
            .unwrap_or((0, 0))
    }
}

/// A broker's state as the controller and the process see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BrokerState {
    /// Running and registered.
    Running,
    /// Running, but the controller fenced it (missed heartbeats).
    Fenced,
    /// Running in controlled shutdown: the controller moves its leaderships away and takes it
    /// out of every ISR, then lets it stop.
    ShuttingDown,
    /// Stopped (killed).
    Down,
}

/// One broker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokerView {
    /// Broker id.
    pub id: u32,
    /// Alive, fenced or down.
    pub state: BrokerState,
    /// Partitions of user topics it leads.
    pub leaderships: u32,
    /// Replicas of user topics it is assigned.
    pub replicas: u32,
    /// Replicas of internal topics (`__consumer_offsets`) it is assigned, counted apart.
    pub internal_replicas: u32,
    /// The controller has fenced it (a down broker stays registered until its heartbeats
    /// have been missing for `broker.session.timeout.ms`).
    pub fenced: bool,
    /// The network between it and the controller is cut.
    pub cut_off: bool,
    /// Extra latency on its messages, in ms (0: not slowed).
    pub slow_ms: i64,
}

/// The cluster-wide counters Kafka's brokers and controller expose as metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClusterMetrics {
    /// `UnderReplicatedPartitions`: partitions whose ISR is smaller than their replica set.
    pub under_replicated: u32,
    /// `OfflinePartitionsCount`: partitions without a leader.
    pub offline: u32,
    /// `ActiveControllerCount`: 1 while the controller runs (rill's never dies).
    pub active_controller_count: u32,
    /// `UnderMinIsrPartitionCount`: partitions whose ISR is below `min.insync.replicas`.
    pub under_min_isr: u32,
}

/// A replica's part in its partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplicaState {
    /// The leader.
    Leader,
    /// A follower in the ISR.
    InSync,
    /// A follower out of the ISR (lagging, or just restarted).
    OutOfSync,
    /// Its broker is down.
    Offline,
}

/// One replica of a partition on one broker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplicaView {
    /// The broker holding it.
    pub broker: u32,
    /// Leader, in sync, out of sync, or offline.
    pub state: ReplicaState,
    /// A reassignment is adding it (catching up).
    pub adding: bool,
    /// A reassignment is removing it.
    pub removing: bool,
    /// Its log end offset (`None` while its broker is down).
    pub log_end_offset: Option<i64>,
    /// Its high watermark as it knows it.
    pub high_watermark: Option<i64>,
    /// Its log start offset.
    pub log_start_offset: Option<i64>,
}

/// One record as drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordView {
    /// Offset in its partition.
    pub offset: i64,
    /// Key as text (lossy UTF-8), `None` when null.
    pub key: Option<String>,
    /// The raw key, for its colour.
    pub key_bytes: Option<Vec<u8>>,
    /// Value as text (lossy UTF-8, at most [`VALUE_PREVIEW_BYTES_MAX`] bytes), `None` for a
    /// tombstone.
    pub value: Option<String>,
    /// The value's full size in bytes.
    pub value_size: usize,
    /// Headers as (key, value as lossy text).
    pub headers: Vec<(String, String)>,
    /// Timestamp in ms.
    pub timestamp: i64,
    /// Whose timestamp: the producer's or the broker's.
    pub timestamp_type: TimestampType,
    /// At or above the high watermark: not yet visible to consumers.
    pub uncommitted: bool,
}

impl RecordView {
    /// The view of a stored record, given the partition's high watermark.
    pub fn of(record: &StoredRecord, high_watermark: i64) -> Self {
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        Self {
            offset: record.offset,
            key: record.key.as_deref().map(text),
            key_bytes: record.key.clone(),
            value: record
                .value
                .as_deref()
                .map(|v| text(&v[..v.len().min(VALUE_PREVIEW_BYTES_MAX)])),
            value_size: record.value.as_ref().map_or(0, Vec::len),
            headers: record
                .headers
                .iter()
                .map(|h| {
                    (
                        h.key.clone(),
                        h.value.as_deref().map(text).unwrap_or_default(),
                    )
                })
                .collect(),
            timestamp: record.timestamp,
            timestamp_type: record.timestamp_type,
            uncommitted: record.offset >= high_watermark,
        }
    }
}

/// The newest records of one partition, as its leader (or best replica) holds them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lane {
    /// Records drawn, oldest first.
    pub records: Vec<RecordView>,
    /// Records in the log before the first drawn one.
    pub older: i64,
}

/// A segment of the drawn replica.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentView {
    /// Base offset (and name).
    pub base_offset: i64,
    /// Size in bytes.
    pub size: usize,
    /// Offset after its last record (`None` when empty).
    pub next_offset: Option<i64>,
    /// Whether it is the active (last) segment.
    pub active: bool,
}

/// One partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionView {
    /// Partition index.
    pub index: u32,
    /// The replica list, preferred leader first.
    pub replicas: Vec<u32>,
    /// The in-sync replicas.
    pub isr: Vec<u32>,
    /// The leader, if any.
    pub leader: Option<u32>,
    /// The leader epoch.
    pub leader_epoch: i32,
    /// Replicas a reassignment is adding.
    pub adding: Vec<u32>,
    /// Replicas a reassignment is removing.
    pub removing: Vec<u32>,
    /// Each replica, in replica-list order.
    pub replica_views: Vec<ReplicaView>,
    /// Log start offset of the drawn replica.
    pub log_start_offset: i64,
    /// High watermark (the leader's).
    pub high_watermark: i64,
    /// Log end offset of the drawn replica.
    pub log_end_offset: i64,
    /// Records the drawn replica holds (fewer than end − start after compaction).
    pub records_held: u64,
    /// The drawn replica's segments, oldest first (only when its lane is on screen).
    pub segments: Vec<SegmentView>,
    /// The broker whose replica is drawn (the leader, else the live replica furthest ahead).
    pub drawn_from: Option<u32>,
    /// The drawn records, when this partition's lane is on screen (shared: a lane kept from
    /// an earlier frame is the same allocation, cheap to clone and to compare).
    pub lane: Option<Rc<Lane>>,
    /// The lane is in the window but scrolled out of sight, so it was not read
    /// ([`ReadOptions::offscreen`]): `lane` is `None` and `segments` empty, and the model
    /// keeps the ones it drew last.
    pub lane_skipped: bool,
}

impl PartitionView {
    /// No leader: Kafka's offline partition.
    pub fn is_offline(&self) -> bool {
        self.leader.is_none()
    }

    /// ISR smaller than the replica set.
    pub fn is_under_replicated(&self) -> bool {
        self.isr.len() < self.replicas.len()
    }

    /// The leader's broker is down but the controller has not moved leadership yet (it
    /// notices after `broker.session.timeout.ms`): the broker it names, if so.
    pub fn leader_down(&self) -> Option<u32> {
        let leader = self.leader?;
        self.replica_views
            .iter()
            .any(|r| r.broker == leader && r.state == ReplicaState::Offline)
            .then_some(leader)
    }
}

/// A topic.
#[derive(Clone, Debug, PartialEq)]
pub struct TopicView {
    /// Name.
    pub name: String,
    /// `__consumer_offsets`.
    pub internal: bool,
    /// Partitions in index order.
    pub partitions: Vec<PartitionView>,
    /// The configs in force.
    pub config: TopicConfig,
}

impl TopicView {
    /// The replication factor as Kafka's describe shows it per partition, summed up for the
    /// topic: `"3"` when every partition has 3 replicas, `"2–3"` after a reassignment
    /// changed some of them. Replicas being removed by a reassignment still count, as in
    /// Kafka's `Replicas:` list.
    pub fn replication_factor_text(&self) -> String {
        let sizes = self.partitions.iter().map(|p| p.replicas.len());
        match (sizes.clone().min(), sizes.max()) {
            (Some(min), Some(max)) if min != max => format!("{min}–{max}"),
            (Some(rf), _) => rf.to_string(),
            _ => "0".to_owned(),
        }
    }

    /// `cleanup.policy` includes `compact`.
    pub fn is_compacted(&self) -> bool {
        self.config.cleanup_policy.compact
    }
}

/// Everything the playground draws of the cluster at one instant.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClusterView {
    /// Cluster time.
    pub now: i64,
    /// Brokers by id.
    pub brokers: Vec<BrokerView>,
    /// Topics by name.
    pub topics: Vec<TopicView>,
    /// Kafka's health counters.
    pub metrics: ClusterMetrics,
    /// The messages on the network at this instant ([`super::network`]).
    pub wire: Vec<super::network::InFlight>,
    /// Time was running when this was read (set by the engine; `false`: paused or stepped).
    pub running: bool,
    /// The clock's speed when this was read (set by the engine).
    pub speed: f64,
}

impl ClusterView {
    /// Reads what the playground draws from `cluster`.
    pub fn read(cluster: &Cluster, options: &ReadOptions) -> Self {
        let brokers_count = cluster.config().brokers;
        let mut leaderships = vec![0u32; brokers_count as usize];
        let mut replica_counts = vec![0u32; brokers_count as usize];
        let mut internal_counts = vec![0u32; brokers_count as usize];
        let mut metrics = ClusterMetrics {
            active_controller_count: 1,
            ..ClusterMetrics::default()
        };
        let mut topics = Vec::new();
        let configs: BTreeMap<String, (u32, TopicConfig)> = cluster
            .topic_configs()
            .into_iter()
            .map(|(name, partitions, config)| (name, (partitions, config)))
            .collect();
        for (name, (count, config)) in &configs {
            let internal = name == OFFSETS_TOPIC;
            let (first, shown) = options.window(name);
            let lanes: BTreeSet<u32> = (first..first.saturating_add(shown)).collect();
            let mut partitions = Vec::with_capacity(*count as usize);
            for index in 0..*count {
                let Some(registration) = cluster.registration(name, index) else {
                    continue;
                };
                let counts = if internal {
                    &mut internal_counts
                } else {
                    &mut replica_counts
                };
                for &b in &registration.replicas {
                    if let Some(c) = counts.get_mut(b as usize) {
                        *c += 1;
                    }
                }
                if let Some(c) = registration
                    .leader
                    .filter(|_| !internal)
                    .and_then(|l| leaderships.get_mut(l as usize))
                {
                    *c += 1;
                }
                if registration.leader.is_none() {
                    metrics.offline += 1;
                }
                if registration.isr.len() < registration.replicas.len() {
                    metrics.under_replicated += 1;
                }
                let min_isr =
                    (config.min_insync_replicas as usize).min(registration.replicas.len());
                if registration.isr.len() < min_isr {
                    metrics.under_min_isr += 1;
                }
                if internal && !options.show_internal {
                    continue;
                }
                let skipped =
                    lanes.contains(&index) && options.offscreen.contains(&(name.clone(), index));
                let with_lane = lanes.contains(&index) && !skipped;
                let compacted = config.cleanup_policy.compact;
                let mut partition = read_partition(
                    cluster,
                    name,
                    index,
                    registration,
                    compacted,
                    with_lane.then_some(options.lane_records.min(LANE_RECORDS_MAX)),
                );
                partition.lane_skipped = skipped;
                partitions.push(partition);
            }
            if internal && !options.show_internal {
                continue;
            }
            topics.push(TopicView {
                name: name.clone(),
                internal,
                partitions,
                config: config.clone(),
            });
        }
        let brokers = (0..brokers_count)
            .map(|id| BrokerView {
                id,
                state: if !cluster.is_alive(id) {
                    BrokerState::Down
                } else if cluster.is_fenced(id) {
                    BrokerState::Fenced
                } else if cluster.in_controlled_shutdown(id) {
                    BrokerState::ShuttingDown
                } else {
                    BrokerState::Running
                },
                leaderships: leaderships[id as usize],
                replicas: replica_counts[id as usize],
                internal_replicas: internal_counts[id as usize],
                fenced: cluster.is_fenced(id),
                cut_off: !cluster.is_connected(NodeId::Broker(id), NodeId::Controller),
                slow_ms: cluster.slowdown(NodeId::Broker(id)),
            })
            .collect();
        Self {
            now: cluster.now(),
            brokers,
            topics,
            metrics,
            wire: super::network::read_in_flight(cluster),
            running: false,
            speed: 1.0,
        }
    }

    /// The topic called `name`.
    pub fn topic(&self, name: &str) -> Option<&TopicView> {
        self.topics.iter().find(|t| t.name == name)
    }
}

fn read_partition(
    cluster: &Cluster,
    topic: &str,
    index: u32,
    registration: &PartitionRegistration,
    compacted: bool,
    lane_records: Option<usize>,
) -> PartitionView {
    // Offsets are contiguous unless the cleaner compacted the log: only then count batches.
    let held = |log: &PartitionLog| {
        if compacted {
            log.records_held()
        } else {
            (log.log_end_offset() - log.log_start_offset()).max(0) as u64
        }
    };
    let replica_views: Vec<ReplicaView> = registration
        .replicas
        .iter()
        .map(|&broker| {
            let replica = cluster.replica(broker, topic, index);
            let state = match (&replica, registration.leader) {
                (None, _) => ReplicaState::Offline,
                (Some(_), Some(leader)) if leader == broker => ReplicaState::Leader,
                (Some(_), _) if registration.isr.contains(&broker) => ReplicaState::InSync,
                (Some(_), _) => ReplicaState::OutOfSync,
            };
            let log = replica.map(|(log, _)| log);
            ReplicaView {
                broker,
                state,
                adding: registration.adding.contains(&broker),
                removing: registration.removing.contains(&broker),
                log_end_offset: log.map(PartitionLog::log_end_offset),
                high_watermark: log.map(PartitionLog::high_watermark),
                log_start_offset: log.map(PartitionLog::log_start_offset),
            }
        })
        .collect();
    // Draw the leader's log; without a leader, the live replica furthest ahead.
    let drawn: Option<(u32, &PartitionLog)> = registration
        .leader
        .and_then(|leader| {
            cluster
                .replica(leader, topic, index)
                .filter(|(_, role)| matches!(role, ReplicaRole::Leader { .. }))
                .map(|(log, _)| (leader, log))
        })
        .or_else(|| {
            registration
                .replicas
                .iter()
                .filter_map(|&b| cluster.replica(b, topic, index).map(|(log, _)| (b, log)))
                .max_by_key(|(b, log)| (log.log_end_offset(), std::cmp::Reverse(*b)))
        });
    let (log_start_offset, high_watermark, log_end_offset) = drawn.map_or((0, 0, 0), |(_, log)| {
        (
            log.log_start_offset(),
            log.high_watermark(),
            log.log_end_offset(),
        )
    });
    // Segments are drawn on the lane only: partitions off screen skip them.
    let segments = drawn
        .filter(|_| lane_records.is_some())
        .map_or_else(Vec::new, |(_, log)| {
            let count = log.segments().len();
            log.segments()
                .iter()
                .enumerate()
                .map(|(i, s)| SegmentView {
                    base_offset: s.base_offset(),
                    size: s.size(),
                    next_offset: s.next_offset(),
                    active: i + 1 == count,
                })
                .collect()
        });
    let lane = lane_records.map(|max| {
        drawn.map_or_else(Rc::default, |(_, log)| {
            let from = log_start_offset.max(log_end_offset - max as i64);
            let records: Vec<RecordView> = log
                .read_range(from, log_end_offset, max)
                .iter()
                .map(|r| RecordView::of(r, high_watermark))
                .collect();
            let held = i64::try_from(held(log)).unwrap_or(i64::MAX);
            Rc::new(Lane {
                older: (held - records.len() as i64).max(0),
                records,
            })
        })
    });
    debug_assert!(log_start_offset <= high_watermark && high_watermark <= log_end_offset);
    PartitionView {
        index,
        replicas: registration.replicas.clone(),
        isr: registration.isr.clone(),
        leader: registration.leader,
        leader_epoch: registration.leader_epoch,
        adding: registration.adding.clone(),
        removing: registration.removing.clone(),
        replica_views,
        log_start_offset,
        high_watermark,
        log_end_offset,
        records_held: drawn.map_or(0, |(_, log)| held(log)),
        segments,
        drawn_from: drawn.map(|(b, _)| b),
        lane,
        lane_skipped: false,
    }
}
