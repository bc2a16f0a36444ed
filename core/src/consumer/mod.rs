//! A Kafka consumer as a sans-I/O state machine: Kafka 3.7's `KafkaConsumer` with the classic
//! group protocol (`ConsumerCoordinator`/`AbstractCoordinator`), its `Fetcher` and
//! `SubscriptionState`.
//!
//! The [`Consumer`] does no I/O and reads no clock. A host drives it:
//!
//! * commands: [`Consumer::subscribe`], [`Consumer::assign`], [`Consumer::poll`] (returns the
//!   buffered records, at most `max.poll.records`), [`Consumer::commit_sync`],
//!   [`Consumer::commit_async`], [`Consumer::seek`], [`Consumer::pause`], [`Consumer::close`],
//!   [`Consumer::update_metadata`] (the partition counts of topics);
//! * output: [`Consumer::poll_request`] hands out the next request (group requests go to the
//!   group's coordinator, fetches and offset lookups to the partition's leader; the host finds
//!   them), [`Consumer::poll_event`] the rebalance, commit and reset events;
//! * input: [`Consumer::handle_response`] with the answer to a request id (or
//!   [`ConsumerResponseBody::Failed`] when the host could not deliver it or got no answer), and
//!   [`Consumer::handle_timeout`] once [`Consumer::poll_timeout`] has passed.
//!
//! After each input, drain `poll_request` and `poll_event` until `None`.
//!
//! Group membership follows Kafka: JoinGroup (with `MEMBER_ID_REQUIRED` → rejoin with the
//! given id), SyncGroup (the leader runs the assignor), Heartbeat every
//! `heartbeat.interval.ms`, LeaveGroup when `poll` is not called for `max.poll.interval.ms`
//! or on close (dynamic members only). The rebalance protocol is cooperative when every
//! configured assignor supports it, else eager.

mod commit;
pub mod config;
pub mod delivery;
pub mod error;
mod fetcher;
mod membership;
mod messages;
pub mod subscription;
mod timeline;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

pub use config::{AutoOffsetReset, ConsumerConfig, ConsumerConfigError};
pub use error::ConsumerError;
pub use messages::{
    ConsumerEvent, ConsumerRecord, ConsumerRequest, ConsumerRequestBody, ConsumerResponseBody,
    FetchedPartition, OffsetSpecRequest,
};
pub use subscription::{OffsetResetReason, SubscriptionMode};
pub use timeline::{ConsumptionGap, OwnershipTimeline};

use crate::error::ErrorCode;
use crate::group::protocol::{GroupResponse, OffsetAndMetadata};
use crate::group::{RebalanceProtocol, TopicPartition, assignor_named};
use commit::{CommitKind, PendingCommit};
use fetcher::Fetcher;
use membership::Membership;
use subscription::{FetchState, SubscriptionState};

/// Identifies one commit, for its [`ConsumerEvent::CommitCompleted`].
pub type CommitId = u64;

/// How long `close` waits for its commit (Kafka's `DEFAULT_CLOSE_TIMEOUT_MS`).
pub const CLOSE_TIMEOUT_MS: i64 = 30_000;

/// What a request in flight was for.
#[derive(Clone, Debug)]
enum InFlight {
    Join,
    Sync,
    Heartbeat {
        generation: i32,
        member_id: String,
    },
    Leave,
    Commit {
        commit: CommitId,
    },
    OffsetFetch {
        partitions: Vec<(TopicPartition, u64)>,
    },
    Fetch {
        tp: TopicPartition,
        offset: i64,
        epoch: u64,
    },
    ListOffsets {
        tp: TopicPartition,
        epoch: u64,
    },
}

/// The close sequence: the auto-commit (if any), then LeaveGroup, then closed.
#[derive(Clone, Debug)]
struct Closing {
    commit: Option<CommitId>,
    /// When close gives up waiting (`close` time + [`CLOSE_TIMEOUT_MS`]).
    deadline: i64,
    /// The partitions were given up and the LeaveGroup (if any) sent.
    left: bool,
    /// The LeaveGroup request awaiting its answer (Java's `awaitPendingRequests`).
    leave: Option<u64>,
}

/// A Kafka consumer (see the [module docs](self)).
#[derive(Clone, Debug)]
pub struct Consumer {
    config: ConsumerConfig,
    auto_commit: bool,
    protocol: RebalanceProtocol,
    subs: SubscriptionState,
    group: Membership,
    fetcher: Fetcher,
    metadata: BTreeMap<String, u32>,
    commits: Vec<PendingCommit>,
    next_commit_id: CommitId,
    next_auto_commit: i64,
    in_flight: BTreeMap<u64, (InFlight, i64)>,
    outbox: VecDeque<ConsumerRequest>,
    next_request_id: u64,
    events: VecDeque<ConsumerEvent>,
    /// An error for the next `poll`, then cleared.
    pending_error: Option<ConsumerError>,
    /// An error every later `poll` returns (FENCED_INSTANCE_ID).
    fatal: Option<ConsumerError>,
    offset_fetch_in_flight: bool,
    offset_fetch_retry_at: i64,
    closing: Option<Closing>,
    closed: bool,
    /// False from a coordinator error until the next good group answer.
    coordinator_known: bool,
    last_now: i64,
    /// Inside `poll`: only then does the member start a (re)join, as Kafka's consumer joins
    /// from `poll` (`ensureActiveGroup`); a join under way completes in the background.
    in_poll: bool,
}

impl Consumer {
    /// A consumer with `config`, created at `now`.
    pub fn new(config: ConsumerConfig, now: i64) -> Self {
        let auto_commit = config.enable_auto_commit && config.group_id.is_some();
        let cooperative = !config.partition_assignment_strategy.is_empty()
            && config.partition_assignment_strategy.iter().all(|name| {
                assignor_named(name).is_some_and(|assignor| {
                    assignor
                        .supported_protocols()
                        .contains(&RebalanceProtocol::Cooperative)
                })
            });
        let next_auto_commit = now.saturating_add(i64::from(config.auto_commit_interval_ms));
        Self {
            auto_commit,
            protocol: if cooperative {
                RebalanceProtocol::Cooperative
            } else {
                RebalanceProtocol::Eager
            },
            subs: SubscriptionState::new(),
            group: Membership::new(now),
            fetcher: Fetcher::default(),
            metadata: BTreeMap::new(),
            commits: Vec::new(),
            next_commit_id: 1,
            next_auto_commit,
            in_flight: BTreeMap::new(),
            outbox: VecDeque::new(),
            next_request_id: 1,
            events: VecDeque::new(),
            pending_error: None,
            fatal: None,
            offset_fetch_in_flight: false,
            offset_fetch_retry_at: i64::MIN,
            closing: None,
            closed: false,
            coordinator_known: true,
            last_now: now,
            in_poll: false,
            config,
        }
    }

    // ----- getters -----

    /// The consumer's config.
    pub fn config(&self) -> &ConsumerConfig {
        &self.config
    }

    /// The rebalance protocol: cooperative when every configured assignor supports it.
    pub fn rebalance_protocol(&self) -> RebalanceProtocol {
        self.protocol
    }

    /// The partitions assigned now, sorted.
    pub fn assignment(&self) -> Vec<TopicPartition> {
        self.subs.assignment.keys().cloned().collect()
    }

    /// The subscribed topics, sorted (empty unless `subscribe` was called).
    pub fn subscription(&self) -> Vec<String> {
        self.subs.topics.iter().cloned().collect()
    }

    /// The topics whose partition counts the consumer needs via
    /// [`Consumer::update_metadata`]: its own subscription and, for the group leader, every
    /// member's (Kafka's `groupSubscription`), sorted.
    pub fn metadata_topics(&self) -> Vec<String> {
        self.subs
            .topics
            .iter()
            .chain(self.group.group_subscription.iter())
            .cloned()
            .collect::<BTreeSet<String>>()
            .into_iter()
            .collect()
    }

    /// How the consumer gets its partitions.
    pub fn subscription_mode(&self) -> SubscriptionMode {
        self.subs.mode
    }

    /// The paused partitions, sorted.
    pub fn paused(&self) -> Vec<TopicPartition> {
        self.subs
            .assignment
            .iter()
            .filter(|(_, state)| state.paused)
            .map(|(tp, _)| tp.clone())
            .collect()
    }

    /// The position of an assigned partition: the offset of the next record `poll` hands out,
    /// or `None` while it is still being looked up.
    pub fn position(&self, tp: &TopicPartition) -> Result<Option<i64>, ConsumerError> {
        if !self.subs.assignment.contains_key(tp) {
            return Err(ConsumerError::NotAssigned {
                partition: tp.clone(),
            });
        }
        Ok(self.subs.position(tp))
    }

    /// The member's generation and member id (`-1` and `""` when not in a group).
    pub fn generation(&self) -> (i32, &str) {
        (self.group.generation_id, &self.group.member_id)
    }

    /// Whether the consumer is a stable member of its group.
    pub fn is_stable(&self) -> bool {
        self.group.state == membership::MemberState::Stable
    }

    /// Whether `close` has finished.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// The records buffered and not yet handed out, over all partitions.
    pub fn buffered_records(&self) -> usize {
        self.fetcher.buffered_len()
    }

    // ----- commands -----

    /// Subscribes to `topics` (replacing any earlier subscription); the group assigns the
    /// partitions. An empty list is `unsubscribe`. A change of subscription makes the member
    /// rejoin.
    pub fn subscribe(&mut self, now: i64, topics: &[String]) -> Result<(), ConsumerError> {
        self.last_now = now;
        if self.closed || self.closing.is_some() {
            return Err(ConsumerError::Closed);
        }
        if self.config.group_id.is_none() {
            return Err(ConsumerError::InvalidGroupId);
        }
        if self.subs.mode == SubscriptionMode::UserAssigned {
            return Err(ConsumerError::SubscriptionModesExclusive);
        }
        if topics.is_empty() {
            self.unsubscribe(now);
            return Ok(());
        }
        if topics.iter().any(|topic| topic.trim().is_empty()) {
            return Err(ConsumerError::IllegalArgument(
                "Topic collection to subscribe to cannot contain null or empty topic".into(),
            ));
        }
        let topics: BTreeSet<String> = topics.iter().cloned().collect();
        self.fetcher
            .retain_buffered(|tp| topics.contains(&tp.topic));
        let changed = topics != self.subs.topics;
        self.subs.mode = SubscriptionMode::AutoTopics;
        self.subs.topics = topics;
        if changed {
            self.group.rejoin_needed = true;
        }
        self.drive(now);
        Ok(())
    }

    /// Assigns `partitions` manually (standalone: no group membership; commits use generation
    /// -1). An empty list is `unsubscribe`.
    pub fn assign(&mut self, now: i64, partitions: &[TopicPartition]) -> Result<(), ConsumerError> {
        self.last_now = now;
        if self.closed || self.closing.is_some() {
            return Err(ConsumerError::Closed);
        }
        if self.subs.mode == SubscriptionMode::AutoTopics {
            return Err(ConsumerError::SubscriptionModesExclusive);
        }
        if partitions.is_empty() {
            self.unsubscribe(now);
            return Ok(());
        }
        if partitions.iter().any(|tp| tp.topic.trim().is_empty()) {
            return Err(ConsumerError::IllegalArgument(
                "Topic partitions to assign to cannot have null or empty topic".into(),
            ));
        }
        let set: BTreeSet<TopicPartition> = partitions.iter().cloned().collect();
        self.fetcher.retain_buffered(|tp| set.contains(tp));
        self.maybe_auto_commit(now);
        self.subs.mode = SubscriptionMode::UserAssigned;
        self.subs.topics.clear();
        self.subs.set_assignment(&set);
        self.drive(now);
        Ok(())
    }

    /// Drops the subscription or assignment; a subscribed member gives up its partitions
    /// (revoked, or lost if its generation is gone) and leaves the group.
    pub fn unsubscribe(&mut self, now: i64) {
        self.last_now = now;
        if self.subs.mode == SubscriptionMode::AutoTopics {
            self.on_leave_prepare(now);
            self.maybe_leave_group(now, "the consumer unsubscribed from all topics");
        }
        self.subs.mode = SubscriptionMode::None;
        self.subs.topics.clear();
        self.subs.set_assignment(&BTreeSet::new());
        self.fetcher.retain_buffered(|_| false);
        self.group.rejoin_needed = false;
        self.group.prepare_commit = None;
        self.group.group_subscription.clear();
        self.drive(now);
    }

    /// Returns the buffered records of fetchable partitions, at most `max.poll.records`,
    /// advancing their positions; auto-commits when `auto.commit.interval.ms` has passed, and
    /// does the rebalance and position work due. Fails with the first error found since the
    /// last poll (`NoOffsetForPartition`, `OffsetOutOfRange`, group errors) and, forever, after
    /// `FENCED_INSTANCE_ID`.
    pub fn poll(&mut self, now: i64) -> Result<Vec<ConsumerRecord>, ConsumerError> {
        self.last_now = now;
        if self.closed || self.closing.is_some() {
            return Err(ConsumerError::Closed);
        }
        if let Some(fatal) = &self.fatal {
            return Err(fatal.clone());
        }
        if self.subs.mode == SubscriptionMode::None {
            return Err(ConsumerError::NotSubscribed);
        }
        self.group.last_poll = now;
        if self.group.poll_expired {
            self.group.poll_expired = false;
            self.group.rejoin_needed = true;
        }
        self.in_poll = true;
        let result = self.poll_inside(now);
        self.in_poll = false;
        result
    }

    /// The body of `poll`, run with `in_poll` set.
    fn poll_inside(&mut self, now: i64) -> Result<Vec<ConsumerRecord>, ConsumerError> {
        self.drive(now);
        self.maybe_auto_commit(now);
        if let Some(error) = self.pending_error.take() {
            self.drive(now);
            return Err(error);
        }
        if let Some(fatal) = &self.fatal {
            return Err(fatal.clone());
        }
        // Partitions awaiting a reset with auto.offset.reset=none: Kafka throws on each poll.
        let no_offset: Vec<TopicPartition> = self
            .subs
            .assignment
            .iter()
            .filter(|(_, state)| {
                matches!(
                    state.state,
                    FetchState::AwaitingReset(AutoOffsetReset::None, _)
                )
            })
            .map(|(tp, _)| tp.clone())
            .collect();
        if !no_offset.is_empty() {
            return Err(ConsumerError::NoOffsetForPartition {
                partitions: no_offset,
            });
        }
        let records = self.collect_records();
        self.drive(now);
        Ok(records)
    }

    /// Commits `offsets` (or, with `None`, every assigned partition's position), retrying
    /// retriable errors until `default.api.timeout.ms`. The host keeps driving the consumer
    /// until [`ConsumerEvent::CommitCompleted`] with the returned id.
    pub fn commit_sync(
        &mut self,
        now: i64,
        offsets: Option<Vec<(TopicPartition, OffsetAndMetadata)>>,
    ) -> CommitId {
        self.last_now = now;
        let offsets = offsets.unwrap_or_else(|| self.consumed_offsets());
        let deadline = now.saturating_add(i64::from(self.config.default_api_timeout_ms));
        let id = self.start_commit(now, offsets, CommitKind::User, true, deadline);
        self.drive(now);
        id
    }

    /// Commits `offsets` (or every assigned partition's position) once, without retrying;
    /// completes with [`ConsumerEvent::CommitCompleted`].
    pub fn commit_async(
        &mut self,
        now: i64,
        offsets: Option<Vec<(TopicPartition, OffsetAndMetadata)>>,
    ) -> CommitId {
        self.last_now = now;
        let offsets = offsets.unwrap_or_else(|| self.consumed_offsets());
        let id = self.start_commit(now, offsets, CommitKind::User, false, i64::MAX);
        self.drive(now);
        id
    }

    /// Sets the position of an assigned partition; its buffered records are dropped.
    pub fn seek(&mut self, tp: &TopicPartition, offset: i64) -> Result<(), ConsumerError> {
        if offset < 0 {
            return Err(ConsumerError::IllegalArgument(
                "seek offset must not be a negative number".into(),
            ));
        }
        if !self.subs.seek(tp, offset) {
            return Err(ConsumerError::NotAssigned {
                partition: tp.clone(),
            });
        }
        self.fetcher.retain_buffered(|buffered| buffered != tp);
        self.drive(self.last_now);
        Ok(())
    }

    /// Moves the positions of `partitions` (all assigned ones if empty) to the log start,
    /// looked up at the next drive.
    pub fn seek_to_beginning(
        &mut self,
        partitions: &[TopicPartition],
    ) -> Result<(), ConsumerError> {
        self.seek_to(
            partitions,
            AutoOffsetReset::Earliest,
            OffsetResetReason::SeekToBeginning,
        )
    }

    /// Moves the positions of `partitions` (all assigned ones if empty) to the log end.
    pub fn seek_to_end(&mut self, partitions: &[TopicPartition]) -> Result<(), ConsumerError> {
        self.seek_to(
            partitions,
            AutoOffsetReset::Latest,
            OffsetResetReason::SeekToEnd,
        )
    }

    fn seek_to(
        &mut self,
        partitions: &[TopicPartition],
        strategy: AutoOffsetReset,
        reason: OffsetResetReason,
    ) -> Result<(), ConsumerError> {
        let targets: Vec<TopicPartition> = if partitions.is_empty() {
            self.assignment()
        } else {
            partitions.to_vec()
        };
        if let Some(tp) = targets
            .iter()
            .find(|tp| !self.subs.assignment.contains_key(tp))
        {
            return Err(ConsumerError::NotAssigned {
                partition: tp.clone(),
            });
        }
        for tp in &targets {
            self.subs.request_reset(tp, strategy, reason);
            self.fetcher.retain_buffered(|buffered| buffered != tp);
        }
        self.drive(self.last_now);
        Ok(())
    }

    /// Pauses assigned partitions: no fetches, and `poll` keeps their buffered records.
    pub fn pause(&mut self, partitions: &[TopicPartition]) -> Result<(), ConsumerError> {
        self.set_paused(partitions, true)
    }

    /// Resumes paused partitions.
    pub fn resume(&mut self, partitions: &[TopicPartition]) -> Result<(), ConsumerError> {
        self.set_paused(partitions, false)
    }

    fn set_paused(
        &mut self,
        partitions: &[TopicPartition],
        paused: bool,
    ) -> Result<(), ConsumerError> {
        if let Some(tp) = partitions
            .iter()
            .find(|tp| !self.subs.assignment.contains_key(tp))
        {
            return Err(ConsumerError::NotAssigned {
                partition: tp.clone(),
            });
        }
        for tp in partitions {
            if let Some(state) = self.subs.assignment.get_mut(tp) {
                state.paused = paused;
            }
        }
        self.drive(self.last_now);
        Ok(())
    }

    /// Tells the consumer the partition counts of topics (at least those of
    /// [`Consumer::metadata_topics`]; the leader assigns only partitions it knows of). The
    /// group leader rejoins when a subscribed topic's count differs from what it assigned
    /// with.
    pub fn update_metadata(&mut self, now: i64, partitions_per_topic: &BTreeMap<String, u32>) {
        self.last_now = now;
        for (topic, count) in partitions_per_topic {
            self.metadata.insert(topic.clone(), *count);
        }
        self.check_metadata_snapshot();
        self.drive(now);
    }

    /// Closes the consumer: commits the consumed positions if auto-commit is on, gives up the
    /// partitions, and sends LeaveGroup if it is a dynamic member, then waits for its answer
    /// (Java's `AbstractCoordinator.close` awaits its pending coordinator requests), all within
    /// [`CLOSE_TIMEOUT_MS`]. [`ConsumerEvent::Closed`] says when it is done: the coordinator
    /// has removed the member (or could not be reached in time).
    pub fn close(&mut self, now: i64) {
        self.last_now = now;
        if self.closed || self.closing.is_some() {
            return;
        }
        let mut commit = None;
        let deadline = now.saturating_add(CLOSE_TIMEOUT_MS);
        if self.auto_commit {
            let offsets = self.consumed_offsets();
            commit = Some(self.start_commit(now, offsets, CommitKind::Close, true, deadline));
        }
        self.closing = Some(Closing {
            commit,
            deadline,
            left: false,
            leave: None,
        });
        self.drive(now);
    }

    // ----- I/O -----

    /// The next request to deliver, if any.
    pub fn poll_request(&mut self, now: i64) -> Option<ConsumerRequest> {
        let _ = now;
        self.outbox.pop_front()
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<ConsumerEvent> {
        self.events.pop_front()
    }

    /// Handles the answer to the request `id` (answers to unknown or expired ids are
    /// ignored).
    pub fn handle_response(&mut self, now: i64, id: u64, response: ConsumerResponseBody) {
        self.last_now = now;
        let Some((kind, _)) = self.in_flight.remove(&id) else {
            return;
        };
        if self.closed {
            return;
        }
        self.dispatch(now, id, kind, response);
        self.drive(now);
    }

    /// When [`Consumer::handle_timeout`] should next be called, if any timer is armed.
    pub fn poll_timeout(&self) -> Option<i64> {
        if self.closed {
            return None;
        }
        let after = self.last_now;
        let mut timers: Vec<i64> = self
            .in_flight
            .values()
            .map(|(_, deadline)| *deadline)
            .collect();
        if self.closing.as_ref().is_some_and(|c| c.left) {
            // Only the LeaveGroup is awaited now.
            return timers.into_iter().filter(|t| *t > after).min();
        }
        timers.extend(self.group_timers());
        timers.extend(self.fetcher.timers());
        timers.push(self.offset_fetch_retry_at);
        for commit in &self.commits {
            if commit.in_flight.is_none() {
                timers.push(commit.retry_at);
            }
            if commit.sync {
                timers.push(commit.deadline);
            }
        }
        timers.into_iter().filter(|t| *t > after).min()
    }

    /// Runs the timers due at `now`: request timeouts, heartbeats, the poll-interval check,
    /// retries.
    pub fn handle_timeout(&mut self, now: i64) {
        self.last_now = now;
        self.drive(now);
    }

    // ----- internals -----

    fn dispatch(&mut self, now: i64, id: u64, kind: InFlight, response: ConsumerResponseBody) {
        use ConsumerResponseBody as R;
        if !matches!(kind, InFlight::Fetch { .. } | InFlight::ListOffsets { .. }) {
            match coordinator_error(&response) {
                Some(error) => self.mark_coordinator_unknown(&format!("{error}")),
                None => self.coordinator_known = true,
            }
        }
        match (kind, response) {
            (InFlight::Join, R::Group(GroupResponse::JoinGroup(r))) => {
                self.handle_join_response(now, id, Ok(r));
            }
            (InFlight::Join, other) => self.handle_join_response(now, id, Err(failure(&other))),
            (InFlight::Sync, R::Group(GroupResponse::SyncGroup(r))) => {
                self.handle_sync_response(now, id, Ok(r));
            }
            (InFlight::Sync, other) => self.handle_sync_response(now, id, Err(failure(&other))),
            (
                InFlight::Heartbeat {
                    generation,
                    member_id,
                },
                R::Group(GroupResponse::Heartbeat(e)),
            ) => {
                self.handle_heartbeat_response(now, generation, &member_id, e);
            }
            (
                InFlight::Heartbeat {
                    generation,
                    member_id,
                },
                other,
            ) => {
                self.handle_heartbeat_response(now, generation, &member_id, Some(failure(&other)));
            }
            (InFlight::Leave, _) => {}
            (InFlight::Commit { commit }, R::Group(GroupResponse::OffsetCommit(r))) => {
                let error = r.partitions.iter().find_map(|(_, error)| *error);
                self.handle_commit_response(now, commit, error);
            }
            (InFlight::Commit { commit }, other) => {
                self.handle_commit_response(now, commit, Some(failure(&other)));
            }
            (InFlight::OffsetFetch { partitions }, R::Group(GroupResponse::OffsetFetch(r))) => {
                self.handle_offset_fetch_response(now, &partitions, Ok(r));
            }
            (InFlight::OffsetFetch { partitions }, other) => {
                self.handle_offset_fetch_response(now, &partitions, Err(failure(&other)));
            }
            (InFlight::Fetch { tp, offset, epoch }, R::Fetch(result)) => {
                self.handle_fetch_response(now, id, &tp, offset, epoch, result);
            }
            (InFlight::Fetch { tp, offset, epoch }, other) => {
                self.handle_fetch_response(now, id, &tp, offset, epoch, Err(failure(&other)));
            }
            (InFlight::ListOffsets { tp, epoch }, R::ListOffsets(result)) => {
                self.handle_list_offsets_response(now, &tp, epoch, result);
            }
            (InFlight::ListOffsets { tp, epoch }, other) => {
                self.handle_list_offsets_response(now, &tp, epoch, Err(failure(&other)));
            }
        }
    }

    /// Queues a request; it times out after `timeout_ms`.
    fn send(
        &mut self,
        now: i64,
        body: ConsumerRequestBody,
        kind: InFlight,
        timeout_ms: i64,
    ) -> u64 {
        let id = self.next_request_id;
        self.next_request_id += 1;
        self.in_flight
            .insert(id, (kind, now.saturating_add(timeout_ms.max(1))));
        self.outbox.push_back(ConsumerRequest { id, body });
        id
    }

    fn request_timeout(&self) -> i64 {
        i64::from(self.config.request_timeout_ms)
    }

    /// Whether the consumer takes part in a group (subscribed with a `group.id`).
    fn group_mode(&self) -> bool {
        self.subs.mode == SubscriptionMode::AutoTopics && self.config.group_id.is_some()
    }

    fn group_id(&self) -> String {
        self.config.group_id.clone().unwrap_or_default()
    }

    /// Everything due at `now`, in a fixed order.
    fn drive(&mut self, now: i64) {
        if self.closed {
            return;
        }
        self.expire_requests(now);
        self.drive_commits(now);
        if self.closing.is_some() {
            self.drive_close(now);
            return;
        }
        self.drive_membership(now);
        self.drive_positions(now);
        self.drive_fetches(now);
    }

    /// Kafka's `markCoordinatorUnknown`: tells the host once until the coordinator answers.
    fn mark_coordinator_unknown(&mut self, reason: &str) {
        if self.coordinator_known {
            self.coordinator_known = false;
            self.events.push_back(ConsumerEvent::CoordinatorUnknown {
                reason: reason.to_string(),
            });
        }
    }

    /// Requests past their deadline fail with `REQUEST_TIMED_OUT`.
    fn expire_requests(&mut self, now: i64) {
        let expired: Vec<u64> = self
            .in_flight
            .iter()
            .filter(|(_, (_, deadline))| *deadline <= now)
            .map(|(id, _)| *id)
            .collect();
        for id in expired {
            if let Some((kind, _)) = self.in_flight.remove(&id) {
                self.dispatch(
                    now,
                    id,
                    kind,
                    ConsumerResponseBody::Failed(ErrorCode::RequestTimedOut),
                );
            }
        }
    }

    /// Hands out buffered records of fetchable partitions, advancing positions.
    fn collect_records(&mut self) -> Vec<ConsumerRecord> {
        let max = usize::try_from(self.config.max_poll_records)
            .unwrap_or(usize::MAX)
            .max(1);
        let subs = &self.subs;
        let drained = self.fetcher.drain(max, |tp, epoch| {
            let state = subs.assignment.get(tp)?;
            if state.epoch != epoch {
                return None;
            }
            if state.paused || state.pending_revocation {
                return Some(None);
            }
            Some(subs.position(tp))
        });
        debug_assert!(drained.len() <= max);
        let mut out = Vec::with_capacity(drained.len());
        for (tp, record) in drained {
            let Some(state) = self.subs.assignment.get_mut(&tp) else {
                continue;
            };
            debug_assert!(
                matches!(state.state, FetchState::Position(p) if p <= record.offset),
                "records are handed out at or above the position"
            );
            state.state = FetchState::Position(record.offset.saturating_add(1));
            out.push(ConsumerRecord {
                topic: tp.topic,
                partition: tp.partition,
                offset: record.offset,
                timestamp: record.timestamp,
                timestamp_type: record.timestamp_type,
                key: record.key,
                value: record.value,
                headers: record.headers,
                leader_epoch: None,
            });
        }
        out
    }
}

/// The error in a group answer that means the coordinator is gone or moved.
fn coordinator_error(response: &ConsumerResponseBody) -> Option<ErrorCode> {
    let moved = |error: Option<ErrorCode>| {
        error.filter(|error| {
            matches!(
                error,
                ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable
            )
        })
    };
    match response {
        ConsumerResponseBody::Failed(error) => Some(*error),
        ConsumerResponseBody::Group(group) => match group {
            GroupResponse::JoinGroup(r) => moved(r.error),
            GroupResponse::SyncGroup(r) => moved(r.error),
            GroupResponse::Heartbeat(error) => moved(*error),
            GroupResponse::LeaveGroup(r) => moved(r.error),
            GroupResponse::OffsetCommit(r) => r.partitions.iter().find_map(|(_, e)| moved(*e)),
            GroupResponse::OffsetFetch(r) => moved(r.error),
        },
        _ => None,
    }
}

/// The error a non-matching or failed response stands for.
fn failure(response: &ConsumerResponseBody) -> ErrorCode {
    match response {
        ConsumerResponseBody::Failed(error) => *error,
        _ => ErrorCode::UnknownServerError,
    }
}

#[cfg(test)]
mod tests;
