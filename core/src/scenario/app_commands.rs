//! The [`World`]'s side of its client applications ([`super::apps`]): the commands that
//! start, pause, resume, stop, crash and restart producers and group members, and each
//! wake-up's sends, polls, processing and commits.

use std::collections::BTreeMap;

use super::apps::{
    Activity, CommitOrigin, MemberApp, MemberStatus, POLLS_PER_STEP_MAX, PRODUCER_SEND_MAX,
    ProducerApp, ProducerState, consumer_config, record_value, unknown_member,
};
use super::command::{
    CONSOLE_PRODUCER, CommandError, CommitMode, KeyPattern, MemberSpec, ProduceRecord, ProducerSpec,
};
use super::sender::{Sender, Settled};
use super::world::{Applied, MemberEvent, World, WorldEvent};
use crate::cluster::{NodeId, ProduceOutcome};
use crate::consumer::ConsumerRecord;
use crate::error::ErrorCode;
use crate::group::TopicPartition;
use crate::partitioner::{Partitioner, PartitionerConfig};
use crate::prng::{Prng, splitmix64};
use crate::record::{Header, NewRecord};

impl World {
    fn allocate_client(&mut self) -> u32 {
        let client = self.next_client;
        self.next_client += 1;
        client
    }

    /// The partition count and leaderless partitions of `topic`, as a producer's metadata.
    fn producer_metadata(&self, topic: &str) -> Option<(u32, Vec<u32>)> {
        let metadata = self.cluster.topic_metadata(topic).ok()?;
        let leaderless = metadata
            .partitions
            .iter()
            .filter(|p| p.leader.is_none())
            .map(|p| p.partition)
            .collect();
        Some((metadata.partitions.len() as u32, leaderless))
    }

    // ----- the console producer -----

    pub(crate) fn produce_by_hand(
        &mut self,
        record: &ProduceRecord,
    ) -> Result<Applied, CommandError> {
        let (count, leaderless) = self.producer_metadata(&record.topic).ok_or_else(|| {
            CommandError::kafka(
                ErrorCode::UnknownTopicOrPartition,
                format!("Topic {} not present in metadata", record.topic),
            )
        })?;
        let new = NewRecord {
            key: record.key.as_ref().map(|k| k.clone().into_bytes()),
            value: record.value.as_ref().map(|v| v.clone().into_bytes()),
            headers: record
                .headers
                .iter()
                .map(|(key, value)| Header {
                    key: key.clone(),
                    value: value.as_ref().map(|v| v.clone().into_bytes()),
                })
                .collect(),
            timestamp: Some(self.cluster.now()),
        };
        let size =
            new.key.as_ref().map_or(0, Vec::len) + new.value.as_ref().map_or(0, Vec::len) + 8;
        self.console_partitioner
            .set_leaderless(&record.topic, leaderless);
        let explicit = record
            .partition
            .map(|p| i32::try_from(p).unwrap_or(i32::MAX));
        let partition = self
            .console_partitioner
            .partition_record(&record.topic, count, explicit, new.key.as_deref(), size)
            .map_err(|_| {
                CommandError::InvalidArgument(format!(
                    "Invalid partition given with record: {} is not in the range [0...{count}).",
                    record.partition.unwrap_or(0)
                ))
            })?;
        self.console
            .enqueue(&record.topic, partition, record.acks, new);
        if let Some(stats) = self.producer_stats.get_mut(CONSOLE_PRODUCER) {
            stats.sent += 1;
        }
        self.flush_senders();
        Ok(Applied::Produced { partition })
    }

    /// Sends what every producer (the console one included) has waiting.
    pub(crate) fn flush_senders(&mut self) {
        let now = self.cluster.now();
        for request in self.console.flush(&mut self.cluster, now) {
            self.pending.insert(request, CONSOLE_PRODUCER.to_owned());
        }
        for (name, app) in &mut self.producers {
            for request in app.sender.flush(&mut self.cluster, now) {
                self.pending.insert(request, name.clone());
            }
        }
    }

    /// A produce outcome of one of the world's producers.
    pub(crate) fn producer_outcome(&mut self, producer: &str, outcome: &ProduceOutcome) {
        let now = self.cluster.now();
        let sender = if producer == CONSOLE_PRODUCER {
            Some(&mut self.console)
        } else {
            self.producers.get_mut(producer).map(|app| &mut app.sender)
        };
        let Some(settled) = sender.and_then(|s| s.settle(outcome.request, outcome.result, now))
        else {
            return;
        };
        let stats = self.producer_stats.entry(producer.to_owned()).or_default();
        let event = match settled {
            Settled::Acked {
                topic,
                partition,
                count,
                offsets,
            } => {
                stats.acked += u64::from(count);
                WorldEvent::Produced {
                    producer: producer.to_owned(),
                    topic,
                    partition,
                    offsets,
                    count,
                }
            }
            Settled::Failed {
                topic,
                partition,
                count,
                error,
            } => {
                stats.failed += u64::from(count);
                stats.last_error = Some(error);
                WorldEvent::ProduceFailed {
                    producer: producer.to_owned(),
                    topic,
                    partition,
                    count,
                    error,
                }
            }
            Settled::Retrying => return,
        };
        self.emit(event);
    }

    // ----- producer applications -----

    pub(crate) fn producer_start(
        &mut self,
        name: &str,
        spec: &ProducerSpec,
    ) -> Result<Applied, CommandError> {
        if let Some(existing) = self.producers.get(name)
            && existing.state != ProducerState::Stopped
        {
            return Err(CommandError::ProducerExists(name.to_owned()));
        }
        let seed = splitmix64(
            self.config.cluster.seed
                ^ splitmix64(crate::sim::fnv1a64(
                    crate::sim::FNV_OFFSET_BASIS,
                    name.as_bytes(),
                )),
        );
        let (sender, made) = match self.producers.remove(name) {
            Some(existing) => (existing.sender, existing.made),
            None => (Sender::new(self.allocate_client(), u32::MAX), 0),
        };
        let client = sender.client;
        let app = ProducerApp {
            spec: spec.clone(),
            sender,
            state: ProducerState::Running {
                anchor: self.cluster.now(),
                sent: 0,
            },
            partitioner: Partitioner::with_config(PartitionerConfig {
                seed,
                ..PartitionerConfig::default()
            }),
            prng: Prng::new(splitmix64(seed)),
            made,
        };
        self.producers.insert(name.to_owned(), app);
        self.producer_stats.entry(name.to_owned()).or_default();
        Ok(Applied::Started { client })
    }

    fn producer_mut(&mut self, name: &str) -> Result<&mut ProducerApp, CommandError> {
        self.producers
            .get_mut(name)
            .ok_or_else(|| CommandError::UnknownProducer(name.to_owned()))
    }

    pub(crate) fn producer_pause(&mut self, name: &str) -> Result<Applied, CommandError> {
        let app = self.producer_mut(name)?;
        match app.state {
            ProducerState::Running { .. } => {
                app.state = ProducerState::Paused;
                Ok(Applied::Done)
            }
            _ => Err(CommandError::InvalidArgument(format!(
                "producer {name} is not running"
            ))),
        }
    }

    pub(crate) fn producer_resume(&mut self, name: &str) -> Result<Applied, CommandError> {
        let now = self.cluster.now();
        let app = self.producer_mut(name)?;
        match app.state {
            ProducerState::Paused => {
                app.state = ProducerState::Running {
                    anchor: now,
                    sent: 0,
                };
                Ok(Applied::Done)
            }
            _ => Err(CommandError::InvalidArgument(format!(
                "producer {name} is not paused"
            ))),
        }
    }

    pub(crate) fn producer_stop(&mut self, name: &str) -> Result<Applied, CommandError> {
        let app = self.producer_mut(name)?;
        if app.state == ProducerState::Stopped {
            return Err(CommandError::InvalidArgument(format!(
                "producer {name} is already stopped"
            )));
        }
        app.state = ProducerState::Stopped;
        Ok(Applied::Done)
    }

    /// A running producer sends every record due by now, one request per partition.
    pub(crate) fn producer_act(&mut self, name: &str) {
        let now = self.cluster.now();
        let Some(app) = self.producers.get(name) else {
            return;
        };
        let ProducerState::Running { anchor, sent } = app.state else {
            return;
        };
        let rate = app.spec.rate;
        let elapsed = i128::from(now.saturating_sub(anchor));
        let due_total = u64::try_from(elapsed * i128::from(rate) / 1_000).unwrap_or(u64::MAX);
        let due = due_total.saturating_sub(sent).min(PRODUCER_SEND_MAX);
        if due == 0 {
            return;
        }
        let topic = app.spec.topic.clone();
        let metadata = self.producer_metadata(&topic);
        let Some(app) = self.producers.get_mut(name) else {
            return;
        };
        if let Some((_, leaderless)) = &metadata {
            app.partitioner
                .set_leaderless(&topic, leaderless.iter().copied());
        }
        let acks = app.spec.acks;
        for _ in 0..due {
            app.made += 1;
            let key: Option<Vec<u8>> = match &app.spec.keys {
                KeyPattern::None => None,
                KeyPattern::Cycle(keys) => {
                    let index = ((app.made - 1) % keys.len() as u64) as usize;
                    Some(keys[index].clone().into_bytes())
                }
                KeyPattern::Random(keys) => {
                    let index = app.prng.below(keys.len() as u64) as usize;
                    Some(keys[index].clone().into_bytes())
                }
            };
            let value = record_value(name, app.made);
            let size = key.as_ref().map_or(0, Vec::len) + value.len() + 8;
            let partition = match &metadata {
                Some((count, _)) => app
                    .partitioner
                    .partition_record(&topic, *count, None, key.as_deref(), size)
                    .unwrap_or(0),
                None => 0,
            };
            let record = NewRecord {
                key,
                value: Some(value),
                headers: Vec::new(),
                timestamp: Some(now),
            };
            app.sender.enqueue(&topic, partition, acks, record);
        }
        app.state = ProducerState::Running {
            anchor,
            sent: sent + due,
        };
        if let Some(stats) = self.producer_stats.get_mut(name) {
            stats.sent += due;
        }
        debug_assert!(
            self.producers
                .get(name)
                .and_then(|app| app.next_due(now))
                .is_none_or(|at| at > now),
            "a producer's next send is after now"
        );
    }

    // ----- members -----

    fn member_key(&self, group: &str, member: &str) -> Result<(String, String), CommandError> {
        let key = (group.to_owned(), member.to_owned());
        if self.members.contains_key(&key) {
            Ok(key)
        } else {
            Err(unknown_member(&key))
        }
    }

    /// The member must be running (or leaving) for `what`.
    fn running_member(&self, group: &str, member: &str) -> Result<(String, String), CommandError> {
        let key = self.member_key(group, member)?;
        let app = &self.members[&key];
        if matches!(app.status, MemberStatus::Running | MemberStatus::Leaving) {
            Ok(key)
        } else {
            Err(CommandError::MemberState {
                group: group.to_owned(),
                member: member.to_owned(),
                state: app.status.word(false),
            })
        }
    }

    /// Starts the member's consumer: a new client, subscribed (its first poll joins).
    fn start_consumer(
        &mut self,
        key: &(String, String),
        spec: &MemberSpec,
    ) -> Result<u32, CommandError> {
        let config = consumer_config(&key.1, &key.0, spec)?;
        let client = self.next_client;
        self.cluster
            .add_consumer(client, config)
            .map_err(|e| CommandError::InvalidArgument(e.to_string()))?;
        self.next_client += 1;
        let now = self.cluster.now();
        if let Some(consumer) = self.cluster.consumer_mut(client)
            && let Err(error) = consumer.subscribe(now, &spec.topics)
        {
            self.cluster.remove_consumer(client);
            return Err(CommandError::InvalidArgument(error.to_string()));
        }
        Ok(client)
    }

    pub(crate) fn member_join(
        &mut self,
        group: &str,
        member: &str,
        spec: &MemberSpec,
    ) -> Result<Applied, CommandError> {
        let key = (group.to_owned(), member.to_owned());
        if let Some(app) = self.members.get(&key)
            && matches!(app.status, MemberStatus::Running | MemberStatus::Leaving)
        {
            return Err(CommandError::MemberState {
                group: group.to_owned(),
                member: member.to_owned(),
                state: app.status.word(app.cut_off),
            });
        }
        let client = self.start_consumer(&key, spec)?;
        let now = self.cluster.now();
        let next_auto_commit = match spec.commit {
            CommitMode::Auto { interval_ms } => Some(now + i64::from(interval_ms)),
            _ => None,
        };
        self.members.insert(
            key.clone(),
            MemberApp {
                spec: spec.clone(),
                client: Some(client),
                status: MemberStatus::Running,
                activity: Activity::Idle,
                cut_off: false,
                processing_ms: spec.processing_ms,
                next_auto_commit,
                issued: BTreeMap::new(),
                poll_error: None,
            },
        );
        self.groups.entry(group.to_owned()).or_default();
        self.emit_member(&key, MemberEvent::Started { client });
        Ok(Applied::Started { client })
    }

    pub(crate) fn member_leave(
        &mut self,
        group: &str,
        member: &str,
    ) -> Result<Applied, CommandError> {
        let key = self.running_member(group, member)?;
        if self.members[&key].status == MemberStatus::Leaving {
            return Err(CommandError::MemberState {
                group: group.to_owned(),
                member: member.to_owned(),
                state: "leaving",
            });
        }
        if let Some(app) = self.members.get_mut(&key) {
            app.status = MemberStatus::Leaving;
        }
        self.emit_member(&key, MemberEvent::Leaving);
        Ok(Applied::Done)
    }

    /// Stops the member's process at once: records processed by now count, the rest of its
    /// batch is not processed; no commit, no LeaveGroup.
    fn kill_member(&mut self, key: &(String, String)) {
        let now = self.cluster.now();
        self.settle(key, now);
        let Some(app) = self.members.get_mut(key) else {
            return;
        };
        if let Some(client) = app.client.take() {
            self.cluster.remove_consumer(client);
        }
        app.status = MemberStatus::Crashed;
        app.activity = Activity::Idle;
        app.cut_off = false;
        app.issued.clear();
        self.emit_member(key, MemberEvent::Crashed);
    }

    pub(crate) fn member_crash(
        &mut self,
        group: &str,
        member: &str,
    ) -> Result<Applied, CommandError> {
        let key = self.running_member(group, member)?;
        self.kill_member(&key);
        Ok(Applied::Done)
    }

    pub(crate) fn member_cut(
        &mut self,
        group: &str,
        member: &str,
    ) -> Result<Applied, CommandError> {
        let key = self.running_member(group, member)?;
        let Some(client) = self.members[&key].client else {
            return Err(unknown_member(&key));
        };
        let mut others: Vec<NodeId> = (0..self.config.cluster.brokers)
            .map(NodeId::Broker)
            .collect();
        others.push(NodeId::Controller);
        self.cluster
            .partition_network(&[NodeId::Client(client)], &others);
        if let Some(app) = self.members.get_mut(&key) {
            app.cut_off = true;
        }
        self.emit_member(&key, MemberEvent::CutOff);
        Ok(Applied::Done)
    }

    pub(crate) fn member_slow(
        &mut self,
        group: &str,
        member: &str,
        processing_ms: Option<i64>,
    ) -> Result<Applied, CommandError> {
        let key = self.running_member(group, member)?;
        if let Some(app) = self.members.get_mut(&key) {
            app.processing_ms =
                processing_ms.unwrap_or_else(|| i64::from(app.spec.max_poll_interval_ms) + 1_000);
        }
        Ok(Applied::Done)
    }

    pub(crate) fn member_restart(
        &mut self,
        group: &str,
        member: &str,
    ) -> Result<Applied, CommandError> {
        let key = self.member_key(group, member)?;
        let spec = self.members[&key].spec.clone();
        // Check the configs before killing anything: a refused restart changes nothing.
        consumer_config(&key.1, &key.0, &spec)?;
        if matches!(
            self.members[&key].status,
            MemberStatus::Running | MemberStatus::Leaving
        ) {
            self.kill_member(&key);
        }
        let client = self.start_consumer(&key, &spec)?;
        let now = self.cluster.now();
        if let Some(app) = self.members.get_mut(&key) {
            app.client = Some(client);
            app.status = MemberStatus::Running;
            app.activity = Activity::Idle;
            app.processing_ms = spec.processing_ms;
            app.next_auto_commit = match spec.commit {
                CommitMode::Auto { interval_ms } => Some(now + i64::from(interval_ms)),
                _ => None,
            };
        }
        self.emit_member(&key, MemberEvent::Started { client });
        Ok(Applied::Started { client })
    }

    /// Counts the records of the member's batch that are done by `now`.
    fn settle(&mut self, key: &(String, String), now: i64) {
        let Some(app) = self.members.get_mut(key) else {
            return;
        };
        let Activity::Processing {
            records,
            started,
            per_record_ms,
            settled,
        } = &mut app.activity
        else {
            return;
        };
        let done = if *per_record_ms == 0 {
            records.len()
        } else {
            usize::try_from((now - *started) / *per_record_ms)
                .unwrap_or(0)
                .min(records.len())
        };
        if done <= *settled {
            return;
        }
        let batch: Vec<(TopicPartition, i64)> = records[*settled..done].to_vec();
        *settled = done;
        self.process(key, &batch);
    }

    /// The member processed `batch`: the group's tracker counts them, duplicates are events.
    fn process(&mut self, key: &(String, String), batch: &[(TopicPartition, i64)]) {
        let mut by_partition: BTreeMap<TopicPartition, Vec<i64>> = BTreeMap::new();
        let mut duplicates = Vec::new();
        let tracker = self.groups.entry(key.0.clone()).or_default();
        for (tp, offset) in batch {
            let track = tracker.partitions.entry(tp.clone()).or_default();
            if track.processed.insert(*offset) {
                tracker.processed += 1;
            } else {
                tracker.duplicates += 1;
                duplicates.push((tp.clone(), *offset));
            }
            if track.checked.is_none() {
                // Judging starts at the first record the group processed (or, without one,
                // at its first commit).
                track.checked = Some(*offset);
            }
            by_partition.entry(tp.clone()).or_default().push(*offset);
        }
        for (partition, offsets) in by_partition {
            self.emit_member(key, MemberEvent::Processed { partition, offsets });
        }
        for (partition, offset) in duplicates {
            self.emit(WorldEvent::Duplicate {
                group: key.0.clone(),
                member: key.1.clone(),
                partition,
                offset,
            });
        }
    }

    /// The group's committed offsets moved: records below them that exist in the log and
    /// that no member processed were skipped.
    pub(crate) fn observe_commit(&mut self, group: &str, offsets: &[(TopicPartition, i64)]) {
        for (tp, committed) in offsets {
            let checked = self
                .groups
                .get(group)
                .and_then(|g| g.partitions.get(tp))
                .and_then(|t| t.checked);
            let Some(from) = checked else {
                let tracker = self.groups.entry(group.to_owned()).or_default();
                tracker.partitions.entry(tp.clone()).or_default().checked = Some(*committed);
                continue;
            };
            if *committed <= from {
                continue;
            }
            let gaps = self.groups[group].partitions[tp]
                .processed
                .gaps(from, *committed);
            let mut skipped = Vec::new();
            let mut judged = true;
            for (start, end) in gaps {
                match self.existing_offsets(tp, start, end) {
                    Some(mut offsets) => skipped.append(&mut offsets),
                    None => judged = false,
                }
            }
            if !judged {
                // The partition has no leader now: judge with a later commit.
                continue;
            }
            let tracker = self.groups.entry(group.to_owned()).or_default();
            tracker.skipped += skipped.len() as u64;
            tracker.partitions.entry(tp.clone()).or_default().checked = Some(*committed);
            for offset in skipped {
                self.emit(WorldEvent::Skipped {
                    group: group.to_owned(),
                    partition: tp.clone(),
                    offset,
                });
            }
        }
    }

    /// Offsets of records in `[from, to)` the partition's leader holds below its high
    /// watermark (`None` without a running leader).
    fn existing_offsets(&self, tp: &TopicPartition, from: i64, to: i64) -> Option<Vec<i64>> {
        let leader = self.cluster.registration(&tp.topic, tp.partition)?.leader?;
        let (log, _) = self.cluster.replica(leader, &tp.topic, tp.partition)?;
        let mut next = from.max(log.log_start_offset());
        let mut found = Vec::new();
        while next < to.min(log.high_watermark()) {
            let Ok(read) = log.read(next, 1 << 20) else {
                break;
            };
            let Some(last) = read.records.last().map(|r| r.offset) else {
                break;
            };
            found.extend(
                read.records
                    .iter()
                    .map(|r| r.offset)
                    .filter(|o| *o >= from && *o < to),
            );
            if last < next {
                break;
            }
            next = last + 1;
        }
        Some(found)
    }

    /// One wake-up of a member: finish a batch whose time is up, commit as configured, poll.
    pub(crate) fn member_act(&mut self, key: &(String, String)) {
        let now = self.cluster.now();
        let Some(app) = self.members.get(key) else {
            return;
        };
        if !matches!(app.status, MemberStatus::Running | MemberStatus::Leaving) {
            return;
        }
        let Some(client) = app.client else {
            return;
        };
        if let Activity::Processing {
            records,
            started,
            per_record_ms,
            ..
        } = &app.activity
            && *started + per_record_ms.saturating_mul(records.len() as i64) <= now
        {
            self.settle(key, now);
            self.after_batch(key, client);
        }
        let Some(app) = self.members.get(key) else {
            return;
        };
        if app.activity != Activity::Idle {
            return;
        }
        if app.status == MemberStatus::Leaving {
            if let Some(consumer) = self.cluster.consumer_mut(client) {
                consumer.close(now);
            }
            if let Some(app) = self.members.get_mut(key) {
                app.activity = Activity::Closing;
            }
            return;
        }
        for _ in 0..POLLS_PER_STEP_MAX {
            let Some(consumer) = self.cluster.consumer_mut(client) else {
                return;
            };
            let polled = consumer.poll(now);
            if let Some(app) = self.members.get_mut(key)
                && let (CommitMode::Auto { interval_ms }, Some(due)) =
                    (app.spec.commit, app.next_auto_commit)
                && now >= due
            {
                app.next_auto_commit = Some(now + i64::from(interval_ms).max(1));
            }
            let records = match polled {
                Ok(records) => {
                    if let Some(app) = self.members.get_mut(key) {
                        app.poll_error = None;
                    }
                    if records.is_empty() {
                        return;
                    }
                    records
                }
                Err(error) => {
                    let Some(app) = self.members.get_mut(key) else {
                        return;
                    };
                    if app.poll_error.as_ref() != Some(&error) {
                        app.poll_error = Some(error.clone());
                        self.emit_member(key, MemberEvent::PollFailed { error });
                    }
                    return;
                }
            };
            self.emit_member(key, polled_event(&records));
            let batch: Vec<(TopicPartition, i64)> = records
                .iter()
                .map(|r| (TopicPartition::new(r.topic.clone(), r.partition), r.offset))
                .collect();
            let per_record_ms = self.members.get(key).map_or(0, |a| a.processing_ms);
            if let Some(app) = self.members.get_mut(key) {
                app.activity = Activity::Processing {
                    records: batch,
                    started: now,
                    per_record_ms,
                    settled: 0,
                };
            }
            if per_record_ms > 0 {
                return;
            }
            self.settle(key, now);
            self.after_batch(key, client);
            if self
                .members
                .get(key)
                .is_none_or(|a| a.activity != Activity::Idle)
            {
                return;
            }
        }
    }

    /// A batch is processed: commit as the member's mode says.
    fn after_batch(&mut self, key: &(String, String), client: u32) {
        let now = self.cluster.now();
        let Some(app) = self.members.get_mut(key) else {
            return;
        };
        app.activity = Activity::Idle;
        let mode = app.spec.commit;
        let Some(consumer) = self.cluster.consumer_mut(client) else {
            return;
        };
        match mode {
            CommitMode::Sync => {
                let id = consumer.commit_sync(now, None);
                if let Some(app) = self.members.get_mut(key) {
                    app.issued.insert(id, CommitOrigin::Sync);
                    app.activity = Activity::Committing { id };
                }
            }
            CommitMode::Async => {
                let id = consumer.commit_async(now, None);
                if let Some(app) = self.members.get_mut(key) {
                    app.issued.insert(id, CommitOrigin::Async);
                }
            }
            CommitMode::Auto { .. } | CommitMode::Never => {}
        }
    }
}

fn polled_event(records: &[ConsumerRecord]) -> MemberEvent {
    let mut batches: Vec<(TopicPartition, i64, i64, usize)> = Vec::new();
    for record in records {
        match batches
            .iter_mut()
            .find(|(tp, ..)| tp.topic == record.topic && tp.partition == record.partition)
        {
            Some((_, _, last, count)) => {
                *last = record.offset;
                *count += 1;
            }
            None => batches.push((
                TopicPartition::new(record.topic.clone(), record.partition),
                record.offset,
                record.offset,
                1,
            )),
        }
    }
    MemberEvent::Polled { batches }
}
