//! Partition reassignment as drawn (KIP-455): what each replica of a moving partition is
//! doing (catching up, joined the ISR, leaving, staying), the status of the reassignments the
//! person started, Kafka's cancel (back to the replicas minus the adding ones), and the plan as
//! the JSON `kafka-reassign-partitions.sh --reassignment-json-file` takes. Pure.

use std::collections::BTreeMap;

use rill_core::cluster::ClusterEvent;
use rill_wasm::session::SessionEvent;

use super::PartitionView;

/// A partition, by topic and index.
pub type PartitionKey = (String, u32);

/// A reassignment seen in the session's events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReassignmentStatus {
    /// The replicas it moves to, preferred leader first.
    pub target: Vec<u32>,
    /// Cluster time it started.
    pub started_at: i64,
    /// Adding replicas that caught up and joined the ISR so far.
    pub in_sync: Vec<u32>,
    /// Cluster time it completed, once it did.
    pub completed_at: Option<i64>,
}

/// Updates the reassignments seen with one session event.
pub fn observe(
    reassignments: &mut BTreeMap<PartitionKey, ReassignmentStatus>,
    event: &SessionEvent,
    at: i64,
) {
    let SessionEvent::Cluster(event) = event else {
        return;
    };
    match event {
        ClusterEvent::ReassignmentStarted {
            topic,
            partition,
            target,
        } => {
            reassignments.insert(
                (topic.clone(), *partition),
                ReassignmentStatus {
                    target: target.clone(),
                    started_at: at,
                    in_sync: Vec::new(),
                    completed_at: None,
                },
            );
        }
        ClusterEvent::ReassignmentProgressed {
            topic,
            partition,
            in_sync,
        } => {
            if let Some(status) = reassignments.get_mut(&(topic.clone(), *partition)) {
                for b in in_sync {
                    if !status.in_sync.contains(b) {
                        status.in_sync.push(*b);
                    }
                }
            }
        }
        ClusterEvent::ReassignmentCompleted {
            topic, partition, ..
        } => {
            if let Some(status) = reassignments.get_mut(&(topic.clone(), *partition)) {
                status.completed_at = Some(at);
            }
        }
        ClusterEvent::TopicDeleted { topic } => reassignments.retain(|(t, _), _| t != topic),
        _ => {}
    }
}

/// What one replica of a partition is doing in its reassignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// An adding replica fetching from the leader, `behind` records short of its log end
    /// (`None`: no copy yet — its broker has not created it, or is down).
    CatchingUp {
        /// Records it still lacks.
        behind: Option<i64>,
    },
    /// An adding replica that caught up and joined the ISR.
    JoinedIsr,
    /// A replica the reassignment removes once every adding one is in the ISR.
    Leaving,
    /// A replica in both the old and the new list.
    Staying,
}

/// Each replica of `p` with its phase, in replica-list order (empty when nothing moves).
pub fn phases(p: &PartitionView) -> Vec<(u32, Phase)> {
    if p.adding.is_empty() && p.removing.is_empty() {
        return Vec::new();
    }
    p.replica_views
        .iter()
        .map(|r| {
            let phase = if p.removing.contains(&r.broker) {
                Phase::Leaving
            } else if !p.adding.contains(&r.broker) {
                Phase::Staying
            } else if p.isr.contains(&r.broker) {
                Phase::JoinedIsr
            } else {
                Phase::CatchingUp {
                    behind: r.log_end_offset.map(|leo| (p.log_end_offset - leo).max(0)),
                }
            };
            (r.broker, phase)
        })
        .collect()
}

/// The replica list a reassignment of `p` moves to (its replicas without the removing ones).
pub fn target(p: &PartitionView) -> Vec<u32> {
    p.replicas
        .iter()
        .copied()
        .filter(|b| !p.removing.contains(b))
        .collect()
}

/// Kafka's cancel (`kafka-reassign-partitions --cancel`, KRaft's `PartitionReassignmentRevert`):
/// back to the replicas without the adding ones, in their current order.
pub fn revert(p: &PartitionView) -> Vec<u32> {
    p.replicas
        .iter()
        .copied()
        .filter(|b| !p.adding.contains(b))
        .collect()
}

/// Whether a reassignment of `p` is in progress.
pub fn in_progress(p: &PartitionView) -> bool {
    !p.adding.is_empty() || !p.removing.is_empty()
}

/// A JSON string literal of `s` (quotes, backslashes and control characters escaped).
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The plan as `kafka-reassign-partitions.sh --reassignment-json-file` takes it:
/// `{"version":1,"partitions":[{"topic":…,"partition":…,"replicas":[…]}]}`.
pub fn plan_json(plan: &[(String, u32, Vec<u32>)]) -> String {
    let partitions: Vec<String> = plan
        .iter()
        .map(|(topic, partition, replicas)| {
            let replicas: Vec<String> = replicas.iter().map(u32::to_string).collect();
            format!(
                "    {{\"topic\": {}, \"partition\": {partition}, \"replicas\": [{}]}}",
                json_string(topic),
                replicas.join(", ")
            )
        })
        .collect();
    format!(
        "{{\n  \"version\": 1,\n  \"partitions\": [\n{}\n  ]\n}}",
        partitions.join(",\n")
    )
}

/// Moves `list[i]` one place towards the front (`up`) or the back; out of range: unchanged.
pub fn moved(list: &[u32], i: usize, up: bool) -> Vec<u32> {
    let mut out = list.to_vec();
    match (up, i) {
        (true, i) if i > 0 && i < out.len() => out.swap(i - 1, i),
        (false, i) if i + 1 < out.len() => out.swap(i, i + 1),
        _ => {}
    }
    out
}
