//! [`World::state_hash`]: FNV-1a 64 over a canonical text description of a world's state,
//! read through the cluster's public views (so it does not depend on how the cluster stores
//! things) and the applications' own state.

use std::fmt::Write as _;

use super::world::World;
use crate::sim::{FNV_OFFSET_BASIS, fnv1a64};

/// The description [`state_hash`] hashes.
pub(crate) fn state_description(world: &World) -> String {
    let mut out = String::new();
    let cluster = world.cluster();
    let _ = writeln!(out, "now {}", cluster.now());
    let _ = writeln!(out, "next wakeup {:?}", cluster.next_wakeup());
    let _ = writeln!(out, "network {:?}", cluster.network_counts());
    let brokers = world.config().cluster.brokers;
    for broker in 0..brokers {
        let _ = writeln!(
            out,
            "broker {broker} alive {} fenced {}",
            cluster.is_alive(broker),
            cluster.is_fenced(broker)
        );
    }
    for topic in cluster.topics(true) {
        let Ok(metadata) = cluster.topic_metadata(&topic) else {
            continue;
        };
        let _ = writeln!(out, "topic {topic} id {}", metadata.topic_id);
        if let Ok(configs) = cluster.describe_configs(&topic) {
            for entry in configs
                .iter()
                .filter(|e| e.source != crate::admin::ConfigSource::Default)
            {
                let _ = writeln!(out, "  config {}={:?}", entry.name, entry.value);
            }
        }
        for info in &metadata.partitions {
            let _ = writeln!(out, "  partition {} {info:?}", info.partition);
            if let Some(registration) = cluster.registration(&topic, info.partition) {
                let _ = writeln!(out, "  registration {registration:?}");
            }
            for broker in 0..brokers {
                let Some((log, role)) = cluster.replica(broker, &topic, info.partition) else {
                    continue;
                };
                let _ = write!(
                    out,
                    "    replica {broker} {role:?} start {} hw {} end {} epoch {} segments",
                    log.log_start_offset(),
                    log.high_watermark(),
                    log.log_end_offset(),
                    log.leader_epoch()
                );
                for segment in log.segments() {
                    let bytes = segment.as_bytes();
                    let _ = write!(
                        out,
                        " {}:{}:{:016x}",
                        segment.base_offset(),
                        bytes.len(),
                        fnv1a64(FNV_OFFSET_BASIS, bytes)
                    );
                }
                out.push('\n');
            }
        }
    }
    for listing in cluster.list_groups() {
        let _ = writeln!(out, "group {listing:?}");
        if let Ok(description) = cluster.describe_group(&listing.group_id) {
            let _ = writeln!(out, "  {description:?}");
        }
        if let Ok(rows) = cluster.describe_group_offsets(&listing.group_id) {
            for row in rows {
                let _ = writeln!(out, "  offsets {row:?}");
            }
        }
    }
    let _ = writeln!(out, "console partitioner {:?}", world.console_partitioner);
    let _ = writeln!(out, "console sender {:?}", world.console);
    for (name, app) in &world.producers {
        let _ = writeln!(out, "producer {name} {app:?}");
    }
    for (name, stats) in &world.producer_stats {
        let _ = writeln!(out, "stats {name} {stats:?}");
    }
    for ((group, member), app) in &world.members {
        let _ = writeln!(out, "member {group}/{member} {app:?}");
        let Some(consumer) = app.client.and_then(|c| cluster.consumer(c)) else {
            continue;
        };
        let _ = write!(
            out,
            "  consumer generation {:?} stable {} closed {} buffered {} positions",
            consumer.generation(),
            consumer.is_stable(),
            consumer.is_closed(),
            consumer.buffered_records()
        );
        for tp in consumer.assignment() {
            let _ = write!(out, " {tp}@{:?}", consumer.position(&tp));
        }
        // Everything else the consumer holds (timers, requests in flight, buffers), in its
        // own deterministic Debug form.
        let _ = writeln!(out, "\n  {consumer:?}");
    }
    for (group, tracker) in &world.groups {
        let _ = writeln!(
            out,
            "tracker {group} processed {} duplicates {} skipped {}",
            tracker.processed, tracker.duplicates, tracker.skipped
        );
        let _ = writeln!(out, "  gaps {:?}", tracker.timeline.gaps());
        for (tp, track) in &tracker.partitions {
            let ranges: Vec<(i64, i64)> = track.processed.ranges().collect();
            let _ = writeln!(
                out,
                "  {tp} checked {:?} processed {ranges:?}",
                track.checked
            );
        }
    }
    let _ = writeln!(out, "pending {:?}", world.pending);
    let _ = writeln!(out, "next client {}", world.next_client);
    out
}

/// FNV-1a 64 of [`state_description`].
pub(crate) fn state_hash(world: &World) -> u64 {
    fnv1a64(FNV_OFFSET_BASIS, state_description(world).as_bytes())
}

impl World {
    /// The FNV-1a 64 hash of a canonical description of the world's state: the cluster
    /// (brokers, registrations, every replica's offsets and bytes, groups and committed
    /// offsets, message counts, next wake-up), the applications and their counters. Events
    /// not yet drained, the history and [`World::last_error`] are not part of it.
    pub fn state_hash(&self) -> u64 {
        state_hash(self)
    }

    /// The same description as text (what [`World::state_hash`] hashes), for finding where two
    /// worlds differ.
    pub fn state_description(&self) -> String {
        state_description(self)
    }
}
