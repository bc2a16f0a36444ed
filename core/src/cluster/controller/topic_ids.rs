//! What the controller keeps about topics beyond their registrations: ids (incarnations),
//! config overrides, and deleted topics to resend.

use std::collections::BTreeMap;

/// What the controller keeps about topics beyond their registrations.
#[derive(Clone, Debug, Default)]
pub(crate) struct TopicAdminState {
    /// Each live topic's id (its incarnation; ids only grow).
    pub(crate) ids: BTreeMap<String, u64>,
    /// The last id given out.
    pub(crate) last_id: u64,
    /// Each live topic's config overrides, sorted by name.
    pub(crate) overrides: BTreeMap<String, Vec<(String, String)>>,
    /// The last deleted incarnation of each name, resent to brokers that missed it.
    pub(crate) deleted: BTreeMap<String, u64>,
}

impl TopicAdminState {
    /// Gives a new topic its id and remembers its overrides.
    pub(crate) fn topic_created(&mut self, name: &str, overrides: &[(String, String)]) {
        self.last_id += 1;
        self.ids.insert(name.to_owned(), self.last_id);
        let sorted: BTreeMap<String, String> = overrides.iter().cloned().collect();
        self.overrides
            .insert(name.to_owned(), sorted.into_iter().collect());
    }

    /// A topic's id (0 when unknown).
    pub(crate) fn topic_id(&self, name: &str) -> u64 {
        self.ids.get(name).copied().unwrap_or(0)
    }
}
