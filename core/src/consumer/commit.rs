//! Offset commits (Kafka's `ConsumerCoordinator` commit paths): sync commits retry retriable
//! errors until their deadline, async ones do not; auto-commit runs at poll every
//! `auto.commit.interval.ms`.

use super::{
    CLOSE_TIMEOUT_MS, CommitId, Consumer, ConsumerError, ConsumerEvent, ConsumerRequestBody,
    InFlight, SubscriptionMode,
};
use crate::error::ErrorCode;
use crate::group::TopicPartition;
use crate::group::protocol::{GroupRequest, OffsetAndMetadata};

/// Who started a commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CommitKind {
    User,
    Auto,
    JoinPrepare,
    Close,
}

/// A commit not finished yet.
#[derive(Clone, Debug)]
pub(super) struct PendingCommit {
    pub(super) id: CommitId,
    pub(super) kind: CommitKind,
    pub(super) offsets: Vec<(TopicPartition, OffsetAndMetadata)>,
    /// Sync commits retry retriable errors until `deadline`.
    pub(super) sync: bool,
    pub(super) deadline: i64,
    pub(super) retry_at: i64,
    pub(super) in_flight: Option<u64>,
    /// The generation the request was sent with.
    pub(super) sent_generation: i32,
    /// A subscribed member's generation and member id when the commit was made: the commit
    /// is only ever sent for them (Kafka's `commitSync` blocks the application thread, so no
    /// rejoin can happen between its retries).
    pub(super) generation: Option<(i32, String)>,
}

impl Consumer {
    pub(super) fn consumed_offsets(&self) -> Vec<(TopicPartition, OffsetAndMetadata)> {
        self.subs
            .all_consumed()
            .into_iter()
            .map(|(tp, offset)| {
                (
                    tp,
                    OffsetAndMetadata {
                        offset,
                        leader_epoch: None,
                        metadata: String::new(),
                    },
                )
            })
            .collect()
    }

    /// Kafka's `maybeAutoCommitOffsetsAsync`: commits the consumed positions once
    /// `auto.commit.interval.ms` has passed.
    pub(super) fn maybe_auto_commit(&mut self, now: i64) {
        if !self.auto_commit || now < self.next_auto_commit {
            return;
        }
        self.next_auto_commit = now.saturating_add(i64::from(self.config.auto_commit_interval_ms));
        let offsets = self.consumed_offsets();
        self.start_commit(now, offsets, CommitKind::Auto, false, i64::MAX);
        self.drive_commits(now);
    }

    /// Registers a commit; completes at once when there is nothing to send.
    pub(super) fn start_commit(
        &mut self,
        now: i64,
        offsets: Vec<(TopicPartition, OffsetAndMetadata)>,
        kind: CommitKind,
        sync: bool,
        deadline: i64,
    ) -> CommitId {
        let id = self.next_commit_id;
        self.next_commit_id += 1;
        let commit = PendingCommit {
            id,
            kind,
            offsets,
            sync,
            deadline,
            retry_at: now,
            in_flight: None,
            sent_generation: -1,
            generation: (self.subs.mode == SubscriptionMode::AutoTopics)
                .then(|| (self.group.generation_id, self.group.member_id.clone())),
        };
        if self.closed || (self.closing.is_some() && kind == CommitKind::User) {
            self.finish_commit(commit, Err(ConsumerError::Closed));
        } else if self.config.group_id.is_none() {
            self.finish_commit(commit, Err(ConsumerError::InvalidGroupId));
        } else if commit.offsets.is_empty() {
            // Nothing to send; Kafka completes at once (and auto-commits say nothing).
            if kind == CommitKind::User {
                self.finish_commit(commit, Ok(()));
            }
        } else {
            self.commits.push(commit);
        }
        id
    }

    pub(super) fn finish_commit(
        &mut self,
        commit: PendingCommit,
        result: Result<(), ConsumerError>,
    ) {
        self.events.push_back(ConsumerEvent::CommitCompleted {
            id: commit.id,
            auto: commit.kind != CommitKind::User,
            offsets: commit.offsets,
            result,
        });
    }

    /// Whether a commit `id` is still pending.
    pub(super) fn commit_pending(&self, id: CommitId) -> bool {
        self.commits.iter().any(|commit| commit.id == id)
    }

    /// Sends due commits; times out sync ones past their deadline.
    pub(super) fn drive_commits(&mut self, now: i64) {
        let mut index = 0;
        while index < self.commits.len() {
            let commit = &self.commits[index];
            if commit.sync && now >= commit.deadline {
                let commit = self.commits.remove(index);
                if let Some(request) = commit.in_flight {
                    self.in_flight.remove(&request);
                }
                let timeout_ms = match commit.kind {
                    CommitKind::Close => CLOSE_TIMEOUT_MS,
                    CommitKind::JoinPrepare => i64::from(self.config.max_poll_interval_ms),
                    _ => i64::from(self.config.default_api_timeout_ms),
                };
                self.finish_commit(commit, Err(ConsumerError::Timeout { timeout_ms }));
                continue;
            }
            if commit.in_flight.is_some() || now < commit.retry_at {
                index += 1;
                continue;
            }
            // Kafka's sendOffsetCommitRequest: a subscribed member commits only while stable.
            let (generation, member_id, instance) = if self.subs.mode
                == SubscriptionMode::AutoTopics
            {
                if self.group.state != super::membership::MemberState::Stable {
                    let error = if self.group.rebalance_in_progress() {
                        ConsumerError::RebalanceInProgress
                    } else {
                        ConsumerError::CommitFailed { error: None }
                    };
                    let commit = self.commits.remove(index);
                    self.finish_commit(commit, Err(error));
                    continue;
                }
                let current = (self.group.generation_id, self.group.member_id.as_str());
                if self.commits[index]
                    .generation
                    .as_ref()
                    .is_some_and(|(g, m)| (*g, m.as_str()) != current)
                {
                    // The member rejoined since the commit was made: its offsets are those
                    // of an assignment that is gone, and committing them in the new
                    // generation could move back partitions other members own now.
                    let commit = self.commits.remove(index);
                    self.finish_commit(commit, Err(ConsumerError::CommitFailed { error: None }));
                    continue;
                }
                (
                    self.group.generation_id,
                    self.group.member_id.clone(),
                    self.config.group_instance_id.clone(),
                )
            } else {
                (
                    crate::group::protocol::UNKNOWN_GENERATION_ID,
                    String::new(),
                    None,
                )
            };
            let id = self.commits[index].id;
            let request = crate::group::protocol::OffsetCommitRequest {
                group_id: self.group_id(),
                generation_id: generation,
                member_id,
                group_instance_id: instance,
                offsets: self.commits[index].offsets.clone(),
            };
            let timeout = self.request_timeout();
            let request_id = self.send(
                now,
                ConsumerRequestBody::Group(GroupRequest::OffsetCommit(request)),
                InFlight::Commit { commit: id },
                timeout,
            );
            let commit = &mut self.commits[index];
            commit.in_flight = Some(request_id);
            commit.sent_generation = generation;
            index += 1;
        }
    }

    /// Kafka's `OffsetCommitResponseHandler`.
    pub(super) fn handle_commit_response(
        &mut self,
        now: i64,
        id: CommitId,
        error: Option<ErrorCode>,
    ) {
        let Some(index) = self.commits.iter().position(|commit| commit.id == id) else {
            return;
        };
        self.commits[index].in_flight = None;
        let Some(error) = error else {
            let commit = self.commits.remove(index);
            self.finish_commit(commit, Ok(()));
            return;
        };
        let sent_generation = self.commits[index].sent_generation;
        let outcome = match error {
            ErrorCode::RebalanceInProgress => {
                self.group.rejoin_needed = true;
                Err(ConsumerError::RebalanceInProgress)
            }
            ErrorCode::UnknownMemberId | ErrorCode::IllegalGeneration => {
                if sent_generation == self.group.generation_id && sent_generation >= 0 {
                    self.reset_generation(
                        "offset commit failed: the member is not in the generation",
                    );
                }
                Err(ConsumerError::CommitFailed { error: Some(error) })
            }
            ErrorCode::FencedInstanceId => {
                self.fatal = Some(ConsumerError::FencedInstanceId);
                Err(ConsumerError::FencedInstanceId)
            }
            _ if super::error::is_retriable(error) => Ok(error),
            _ => Err(ConsumerError::Group { error }),
        };
        match outcome {
            Err(failure) => {
                let commit = self.commits.remove(index);
                self.finish_commit(commit, Err(failure));
            }
            Ok(retriable) => {
                let backoff = self.config.retry_backoff_ms;
                let commit = &mut self.commits[index];
                if commit.sync && now.saturating_add(backoff) < commit.deadline {
                    commit.retry_at = now.saturating_add(backoff);
                } else {
                    let commit = self.commits.remove(index);
                    if commit.kind == CommitKind::Auto {
                        self.next_auto_commit = now.saturating_add(backoff);
                    }
                    let failure = if commit.sync {
                        ConsumerError::Timeout {
                            timeout_ms: i64::from(self.config.default_api_timeout_ms),
                        }
                    } else {
                        ConsumerError::RetriableCommitFailed { error: retriable }
                    };
                    self.finish_commit(commit, Err(failure));
                }
            }
        }
    }
}
