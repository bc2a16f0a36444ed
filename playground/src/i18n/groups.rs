//! The consumer-groups and assignors views' strings (tables in `en.rs` and `ko.rs`).

/// Every string of the groups and assignors views. Templates take `{0}`, `{1}`.
#[derive(Debug)]
pub struct GroupStrings {
    /// Add a member to the group.
    pub add_member: &'static str,
    /// After the change.
    pub after: &'static str,
    /// Intro of the assignors view.
    pub assignors_hint: &'static str,
    /// Title of the assignors' input form.
    pub assignors_input: &'static str,
    /// Before the change.
    pub before: &'static str,
    /// A committed offset below the log start offset.
    pub below_start: &'static str,
    /// A member processing a batch.
    pub busy: &'static str,
    /// The change to compare.
    pub change: &'static str,
    /// A member joins.
    pub change_join: &'static str,
    /// A member leaves.
    pub change_leave: &'static str,
    /// A member changes its subscription.
    pub change_resubscribe: &'static str,
    /// commitAsync after each batch.
    pub commit_async: &'static str,
    /// Auto-commit.
    pub commit_auto: &'static str,
    /// No commits.
    pub commit_none: &'static str,
    /// commitSync after each batch.
    pub commit_sync: &'static str,
    /// How members commit.
    pub commits: &'static str,
    /// Compare button.
    pub compare: &'static str,
    /// What cooperative does.
    pub cooperative_note: &'static str,
    /// Coordinator broker {0} and its __consumer_offsets partition {1}.
    pub coordinator_n: &'static str,
    /// Crash a member.
    pub crash: &'static str,
    /// What crash does.
    pub crash_hint: &'static str,
    /// Create-group form title.
    pub create_group: &'static str,
    /// What cut off does.
    pub cut_hint: &'static str,
    /// Cut a member off.
    pub cut_off: &'static str,
    /// Delete the group.
    pub delete_group: &'static str,
    /// What eager does.
    pub eager_note: &'static str,
    /// Cooperative's first rebalance.
    pub first_phase: &'static str,
    /// Lane flag: group {0}, committed {1}, lag {2}.
    pub flag: &'static str,
    /// Lane flag of a group {0} without a committed offset.
    pub flag_none: &'static str,
    /// Generation {0}.
    pub generation_n: &'static str,
    /// Group {0}.
    pub group_n: &'static str,
    /// What heal does for a cut-off member.
    pub heal_hint: &'static str,
    /// The group's lag {0}.
    pub lag_n: &'static str,
    /// Lag plot title.
    pub lag_over_time: &'static str,
    /// Lag plot summary: now {0}, max {1}, over {2}.
    pub lag_plot_label: &'static str,
    /// 50 members × 1,000 partitions example.
    pub large_example: &'static str,
    /// The group's leader.
    pub leader: &'static str,
    /// Leader {0}.
    pub leader_n: &'static str,
    /// Stop a member (it leaves).
    pub leave: &'static str,
    /// What leave does.
    pub leave_hint: &'static str,
    /// Partitions lost.
    pub lost: &'static str,
    /// A member.
    pub member: &'static str,
    /// The changing member's topics.
    pub member_topics: &'static str,
    /// Members, one per line.
    pub members_label: &'static str,
    /// Members to start.
    pub members_to_start: &'static str,
    /// {0} partitions change owner.
    pub moved_n: &'static str,
    /// No coordinator yet (partition {0}).
    pub no_coordinator: &'static str,
    /// No groups yet.
    pub no_groups: &'static str,
    /// How to start, when there is no topic yet.
    pub no_groups_hint: &'static str,
    /// How to start, when a topic exists.
    pub no_groups_hint_with_topic: &'static str,
    /// No lag samples yet.
    pub no_lag: &'static str,
    /// A member without partitions.
    pub no_partitions: &'static str,
    /// No ownership change yet.
    pub no_timeline: &'static str,
    /// A gap.
    pub not_consumed: &'static str,
    /// Now, on a time axis.
    pub now: &'static str,
    /// A member's partitions.
    pub partitions: &'static str,
    /// Processing {0} ms per record.
    pub per_record: &'static str,
    /// Position {0}.
    pub position_n: &'static str,
    /// Member {0} at position {1}.
    pub position_of: &'static str,
    /// Processing time per record.
    pub processing_ms: &'static str,
    /// The cooperative protocol, why.
    pub protocol_cooperative: &'static str,
    /// The eager protocol.
    pub protocol_eager: &'static str,
    /// The eager protocol because of {0}.
    pub protocol_eager_why: &'static str,
    /// Reset button.
    pub reset: &'static str,
    /// When offsets can be reset.
    pub reset_hint: &'static str,
    /// Reset offsets section.
    pub reset_offsets: &'static str,
    /// Where to reset.
    pub reset_to: &'static str,
    /// The number for the reset.
    pub reset_value: &'static str,
    /// Restart a member.
    pub restart: &'static str,
    /// What restart does.
    pub restart_hint: &'static str,
    /// Partitions revoked.
    pub revoked: &'static str,
    /// {0} partitions revoked.
    pub revoked_n: &'static str,
    /// Cooperative's second rebalance.
    pub second_phase: &'static str,
    /// Make a member slow.
    pub slow: &'static str,
    /// What slow does.
    pub slow_hint: &'static str,
    /// Group states.
    pub state_hint: &'static str,
    /// group.instance.id {0}.
    pub static_id: &'static str,
    /// Static members toggle.
    pub static_members: &'static str,
    /// Processed {0}, duplicates {1}, skipped {2}.
    pub stats: &'static str,
    /// What duplicates and skipped mean.
    pub stats_hint: &'static str,
    /// Member status: crashed.
    pub status_crashed: &'static str,
    /// Member status: cut off.
    pub status_cut_off: &'static str,
    /// Member status: leaving.
    pub status_leaving: &'static str,
    /// Member status: left.
    pub status_left: &'static str,
    /// Member status: running.
    pub status_running: &'static str,
    /// How the assignor list decides the protocol.
    pub strategy_hint: &'static str,
    /// Timeline title.
    pub timeline: &'static str,
    /// Timeline legend.
    pub timeline_hint: &'static str,
    /// Timeouts section.
    pub timeouts: &'static str,
    /// Computed in {0} ms.
    pub took: &'static str,
    /// Subscribed topics.
    pub topics: &'static str,
    /// Topics with partition counts.
    pub topics_label: &'static str,
    /// Fill from group {0}.
    pub use_group: &'static str,
    /// Time window of the timeline.
    pub window: &'static str,
    /// Resume a paused producer.
    pub resume: &'static str,
    /// Pause a producer.
    pub pause_producer: &'static str,
    /// Stop a producer.
    pub stop_producer: &'static str,
    /// Producer: state {0}, sent {1}, acked {2}, failed {3}.
    pub producer_stats: &'static str,
    /// Producers card title.
    pub producers: &'static str,
    /// A producer's name.
    pub producer_name: &'static str,
    /// Records per second.
    pub rate: &'static str,
    /// Which keys a producer sends.
    pub keys: &'static str,
    /// Keys in turn.
    pub keys_cycle: &'static str,
    /// A random key each time.
    pub keys_random: &'static str,
    /// No key.
    pub keys_none: &'static str,
    /// The keys, comma separated.
    pub key_list: &'static str,
    /// Start a producer.
    pub start_producer: &'static str,
    /// Positions reset by auto.offset.reset: {0}.
    pub reset_positions: &'static str,
    /// Commits section: {0} commits.
    pub commits_n: &'static str,
    /// No commit yet.
    pub no_commits: &'static str,
    /// Records processed twice on a partition.
    pub twice_n: &'static str,
    /// Records skipped on a partition.
    pub skipped_n: &'static str,
    /// The lag plot's peak.
    pub max_n: &'static str,
    /// A group with committed offsets and no member applications.
    pub no_members_hint: &'static str,
    /// Hint: Add member starts members with Kafka's defaults on the group's topics.
    pub default_members_hint: &'static str,
    /// The coordinator still lists {0} members that are no client of this page.
    pub foreign_members: &'static str,
    /// Producer state: paused.
    pub producer_paused: &'static str,
    /// Producer state: stopped.
    pub producer_stopped: &'static str,
}
