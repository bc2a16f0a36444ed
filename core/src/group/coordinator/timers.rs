//! Deadlines: session expiry, rebalance and initial delays, pending members, offset expiry.

use super::*;

impl GroupCoordinator {
    // ----- timers -----

    /// The earliest time at which [`handle_timeout`](Self::handle_timeout) has work: a session
    /// expiry, a pending member's deadline, a rebalance (or initial delay) ending, a sync
    /// deadline, or offsets expiring.
    pub fn poll_timeout(&self) -> Option<i64> {
        self.groups
            .values()
            .filter_map(|g| self.group_deadline(g))
            .min()
    }

    pub(super) fn group_deadline(&self, group: &Group) -> Option<i64> {
        let members = group
            .members
            .values()
            .filter(|m| Self::expirable(m))
            .map(|m| m.heartbeat_deadline);
        let pending = group.pending_members.values().copied();
        let rebalance = if group.state == GroupState::PreparingRebalance {
            group.join_deadline
        } else {
            None
        };
        let sync = if matches!(
            group.state,
            GroupState::CompletingRebalance | GroupState::Stable
        ) {
            group.sync_deadline
        } else {
            None
        };
        members
            .chain(pending)
            .chain(rebalance)
            .chain(sync)
            .chain(self.expiry_deadline(group))
            .min()
    }

    /// Whether the session timer can remove the member now: members waiting on a join (unless
    /// new) or a sync are kept (Kafka's `shouldKeepAlive`).
    pub(super) fn expirable(member: &Member) -> bool {
        !(member.awaiting_sync.is_some() || member.awaiting_join.is_some() && !member.is_new)
    }

    /// When the group's next committed offset expires (`offsets.retention.ms`): for an `Empty`
    /// group that had members, all offsets when the group has been empty that long; for a
    /// group that never had members, each offset that long after its commit.
    pub(super) fn expiry_deadline(&self, group: &Group) -> Option<i64> {
        if group.state != GroupState::Empty || !group.pending_offsets.is_empty() {
            return None;
        }
        let retention = self.config.offsets_retention_ms;
        if group.protocol_type.is_some() {
            (!group.offsets.is_empty()).then(|| group.state_timestamp.saturating_add(retention))
        } else {
            group
                .offsets
                .values()
                .map(|c| c.commit_timestamp.saturating_add(retention))
                .min()
        }
    }

    /// Runs every timer due at `now`.
    pub fn handle_timeout(&mut self, now: i64) {
        for _ in 0..TIMER_FIRINGS_MAX {
            let due: Vec<String> = self
                .groups
                .values()
                .filter(|g| self.group_deadline(g).is_some_and(|d| d <= now))
                .map(|g| g.group_id.clone())
                .collect();
            if due.is_empty() {
                return;
            }
            for group_id in due {
                self.fire_group_timers(now, &group_id);
            }
        }
        debug_assert!(false, "handle_timeout: timers keep firing at {now}");
    }

    pub(super) fn fire_group_timers(&mut self, now: i64, group_id: &str) {
        let Some(mut group) = self.take_group(group_id) else {
            return;
        };
        // Pending member ids never used.
        let expired: Vec<String> = group
            .pending_members
            .iter()
            .filter(|&(_, &d)| d <= now)
            .map(|(id, _)| id.clone())
            .collect();
        for member_id in expired {
            group.pending_members.remove(&member_id);
            self.events.push(GroupEvent::MemberExpired {
                group_id: group_id.to_string(),
                member_id,
                cause: ExpiryCause::PendingJoinTimeout,
            });
            if group.state == GroupState::PreparingRebalance {
                self.try_complete_join(now, &mut group);
            }
        }
        // Sessions.
        let expired: Vec<String> = group
            .members
            .values()
            .filter(|m| Self::expirable(m) && m.heartbeat_deadline <= now)
            .map(|m| m.member_id.clone())
            .collect();
        for member_id in expired {
            self.events.push(GroupEvent::MemberExpired {
                group_id: group_id.to_string(),
                member_id: member_id.clone(),
                cause: ExpiryCause::SessionTimeout,
            });
            let reason = format!("removing member {member_id} on heartbeat expiration");
            self.remove_member_and_update(now, &mut group, &member_id, reason);
        }
        // The rebalance.
        if group.state == GroupState::PreparingRebalance
            && group.join_deadline.is_some_and(|d| d <= now)
        {
            match group.initial_delay_remaining {
                Some((delay, remaining)) if group.new_member_added && remaining > 0 => {
                    group.new_member_added = false;
                    let next =
                        i64::from(self.config.group_initial_rebalance_delay_ms).min(remaining);
                    // From the old deadline, so a late call fires as an on-time one would.
                    let base = group.join_deadline.unwrap_or(now);
                    group.join_deadline = Some(base + next);
                    group.initial_delay_remaining = Some((next, (remaining - delay).max(0)));
                }
                _ => self.complete_join(now, &mut group),
            }
        }
        // Members that joined but never synced.
        if matches!(
            group.state,
            GroupState::CompletingRebalance | GroupState::Stable
        ) && group.sync_deadline.is_some_and(|d| d <= now)
        {
            group.sync_deadline = None;
            let missing: Vec<String> = std::mem::take(&mut group.pending_sync)
                .into_iter()
                .collect();
            for member_id in &missing {
                self.events.push(GroupEvent::MemberExpired {
                    group_id: group_id.to_string(),
                    member_id: member_id.clone(),
                    cause: ExpiryCause::NotSynced,
                });
                self.remove_member(&mut group, member_id);
            }
            if !missing.is_empty() {
                let reason = format!("Removing {missing:?} on pending sync request expiration");
                self.prepare_rebalance(now, &mut group, reason);
            }
        }
        // Offsets retention.
        if self.expiry_deadline(&group).is_some_and(|d| d <= now) {
            let retention = self.config.offsets_retention_ms;
            let all = group.protocol_type.is_some();
            let expired: Vec<TopicPartition> = group
                .offsets
                .iter()
                .filter(|(_, c)| all || c.commit_timestamp.saturating_add(retention) <= now)
                .map(|(tp, _)| tp.clone())
                .collect();
            for tp in &expired {
                group.offsets.remove(tp);
            }
            let records = expired
                .iter()
                .map(|tp| Self::offset_tombstone(now, group_id, tp))
                .collect();
            self.events.push(GroupEvent::OffsetsExpired {
                group_id: group_id.to_string(),
                partitions: expired,
            });
            self.append(group_id, records, PendingAppend::Unobserved);
            if group.offsets.is_empty() && group.members.is_empty() {
                self.put_group(group);
                self.remove_group(now, group_id);
                return;
            }
        }
        self.put_group(group);
        self.drop_if_unused(group_id);
    }
}
