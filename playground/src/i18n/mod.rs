//! Every UI string, one table per language (`en.rs`, `ko.rs`). Kafka's own names (configs,
//! error names, group states, metrics) stay untranslated in both. The language comes from
//! `?lang=ko|en`, else the browser's language.

pub mod cluster;
mod en;
pub mod events;
mod groups;
mod ko;
pub mod travel;
pub mod ui;

/// A language the playground speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Korean.
    Ko,
}

impl Lang {
    /// The language for a `lang` parameter or a browser language tag (`ko-KR` → Korean).
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "ko" => Some(Self::Ko),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// The BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Ko => "ko",
        }
    }

    /// The strings of this language.
    pub fn strings(self) -> &'static Strings {
        match self {
            Self::En => &en::EN,
            Self::Ko => &ko::KO,
        }
    }
}

pub use groups::GroupStrings;

/// Fills `{0}`, `{1}`, … in `template` with `args`.
pub fn fill(template: &str, args: &[&dyn std::fmt::Display]) -> String {
    let mut out = template.to_owned();
    for (i, arg) in args.iter().enumerate() {
        out = out.replace(&format!("{{{i}}}"), &arg.to_string());
    }
    out
}

/// Every UI string. Templates take `{0}`, `{1}` (see [`fill`]).
#[derive(Debug)]
pub struct Strings {
    /// Under the brand.
    pub tagline: &'static str,
    /// "Cluster" view tab.
    pub tab_cluster: &'static str,
    /// "Events" view tab.
    pub tab_events: &'static str,
    /// "Groups" view tab.
    pub tab_groups: &'static str,
    /// The groups and assignors views' strings.
    pub groups: &'static GroupStrings,
    /// "Assignors" view tab.
    pub tab_assignors: &'static str,
    /// Persistence: saved in the browser.
    pub saved_in_browser: &'static str,
    /// Persistence: memory only.
    pub memory_only: &'static str,
    /// Persistence: opening.
    pub opening: &'static str,
    /// Play.
    pub play: &'static str,
    /// Pause.
    pub pause: &'static str,
    /// Step.
    pub step: &'static str,
    /// Step's explanation.
    pub step_hint: &'static str,
    /// Speed label.
    pub speed: &'static str,
    /// Cluster time label.
    pub cluster_time: &'static str,
    /// Brokers heading.
    pub brokers: &'static str,
    /// Broker label: "Broker {0}".
    pub broker_n: &'static str,
    /// Broker state: running.
    pub running: &'static str,
    /// Broker state: fenced.
    pub fenced: &'static str,
    /// Broker state: in controlled shutdown.
    pub shutting_down: &'static str,
    /// Broker state: down.
    pub down: &'static str,
    /// Kill.
    pub kill: &'static str,
    /// Restart.
    pub restart: &'static str,
    /// Controlled shutdown.
    pub shutdown: &'static str,
    /// Cut off from the network.
    pub isolate: &'static str,
    /// Heal the network.
    pub heal: &'static str,
    /// Heading of the messages-in-flight strip.
    pub network: &'static str,
    /// What the strip shows.
    pub network_hint: &'static str,
    /// The strip's node for every producer and consumer.
    pub clients: &'static str,
    /// The strip's node for the KRaft controller.
    pub controller: &'static str,
    /// Legend: controller messages (heartbeats, metadata, AlterPartition).
    pub flight_controller: &'static str,
    /// Legend: replication (follower Fetch and its response).
    pub flight_replication: &'static str,
    /// Legend: produce requests and responses.
    pub flight_produce: &'static str,
    /// Legend: consumers (group requests, fetches, offsets).
    pub flight_consumer: &'static str,
    /// The strip's label: "{0} messages drawn".
    pub flights_n: &'static str,
    /// Nothing is on the wire at this instant.
    pub wire_quiet: &'static str,
    /// Make slow.
    pub slow: &'static str,
    /// "leads {0} · holds {1}".
    pub broker_load: &'static str,
    /// New cluster button.
    pub new_cluster: &'static str,
    /// New cluster explanation.
    pub new_cluster_warning: &'static str,
    /// Seed label.
    pub seed: &'static str,
    /// Start it.
    pub start: &'static str,
    /// Cancel.
    pub cancel: &'static str,
    /// Create topic heading.
    pub create_topic: &'static str,
    /// Topic name label.
    pub topic_name: &'static str,
    /// Partitions label.
    pub partitions: &'static str,
    /// Replication factor label.
    pub replication_factor: &'static str,
    /// Create button.
    pub create: &'static str,
    /// Produce heading.
    pub produce: &'static str,
    /// Topic label.
    pub topic: &'static str,
    /// Key label.
    pub key: &'static str,
    /// Key hint.
    pub key_hint: &'static str,
    /// Value label.
    pub value: &'static str,
    /// Headers label.
    pub headers: &'static str,
    /// Headers hint.
    pub headers_hint: &'static str,
    /// Partition (optional) label.
    pub partition_optional: &'static str,
    /// Send button.
    pub send: &'static str,
    /// "sent to {0}-{1} with acks={2}".
    pub sent_to: &'static str,
    /// "waiting for the acknowledgement".
    pub waiting_ack: &'static str,
    /// "acknowledged at offset {0} after {1} ms".
    pub acked_at: &'static str,
    /// "acks=0: no answer is expected".
    pub acks_zero: &'static str,
    /// Empty state heading.
    pub no_topics: &'static str,
    /// Empty state text.
    pub no_topics_hint: &'static str,
    /// Partition label "P{0}".
    pub partition_n: &'static str,
    /// Leader.
    pub leader: &'static str,
    /// No leader.
    pub no_leader: &'static str,
    /// Epoch.
    pub epoch: &'static str,
    /// "+{0} older".
    pub older: &'static str,
    /// Not yet committed explanation.
    pub uncommitted_hint: &'static str,
    /// Add partitions.
    pub add_partitions: &'static str,
    /// Delete records before.
    pub delete_records: &'static str,
    /// Delete topic.
    pub delete_topic: &'static str,
    /// Confirm prompt: "Delete topic {0}? Its records are gone for good."
    pub confirm_delete_topic: &'static str,
    /// Confirm prompt for deleting records.
    pub confirm_delete_records: &'static str,
    /// Yes, delete.
    pub yes_delete: &'static str,
    /// "{0} of {1} keys would move".
    pub keys_move: &'static str,
    /// "No stored key moves".
    pub no_key_moves: &'static str,
    /// Preferred leader election.
    pub elect_preferred: &'static str,
    /// Reassign.
    pub reassign: &'static str,
    /// Event log heading.
    pub event_log: &'static str,
    /// No events yet.
    pub no_events: &'static str,
    /// Filter label.
    pub filter: &'static str,
    /// All.
    pub all: &'static str,
    /// Record details heading.
    pub record_details: &'static str,
    /// Close.
    pub close: &'static str,
    /// Offset.
    pub offset: &'static str,
    /// Timestamp.
    pub timestamp: &'static str,
    /// Segment.
    pub segment: &'static str,
    /// No headers.
    pub no_headers: &'static str,
    /// Tombstone.
    pub tombstone: &'static str,
    /// No key.
    pub no_key: &'static str,
    /// "{0} bytes, shown in part".
    pub truncated: &'static str,
    /// Another tab has the cluster.
    pub stepped_back: &'static str,
    /// Open it here.
    pub open_here: &'static str,
    /// The stored cluster's database was discarded by the browser (`STORE_DISCARDED`).
    pub discarded_hint: &'static str,
    /// Start a new, empty cluster after a discard.
    pub start_fresh: &'static str,
    /// The summary of the folded technical error under a plain-words notice.
    pub technical_details: &'static str,
    /// Locked explanation.
    pub locked_hint: &'static str,
    /// Dismiss.
    pub dismiss: &'static str,
    /// Previous page.
    pub previous: &'static str,
    /// Next page.
    pub next: &'static str,
    /// "partitions {0}–{1} of {2}".
    pub page_of: &'static str,
    /// Language switch label.
    pub language: &'static str,
    /// Members restart note.
    pub clients_note: &'static str,
}
