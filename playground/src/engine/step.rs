//! "Step" in pause: to the next thing that happens, not to the next message delivery. An idle
//! cluster still has replica and consumer fetches going back and forth every millisecond or
//! two; stepping through each would show nothing. A step runs the cluster wake-up by wake-up
//! until an engine event is handed out (a record appended, an ISR change, an election…) or a
//! message other than those polling fetches goes on the wire (a heartbeat, a produce, a
//! metadata update, a group request), whichever comes first, at most [`STEP_LIMIT_MS`] ahead
//! and never past the next planned script command.

use std::collections::BTreeSet;

use rill_wasm::HostError;
use rill_wasm::session::Session;

use super::Engine;
use crate::model::network::read_in_flight;
use crate::model::step::WireMessage;

/// How far (cluster ms) one step looks ahead at most.
pub const STEP_LIMIT_MS: i64 = 60_000;

/// Wake-ups one step runs through at most.
const STEP_WAKEUPS_MAX: usize = 20_000;

impl Engine {
    /// Steps to the next thing that happens (see the module). Returns whether something
    /// was due within the limit, and the message that ended the step, when a message did. Events handed out land in `pending` after `seen`.
    pub(super) fn step_to_something(
        &self,
        session: &Session,
        seen: usize,
    ) -> Result<(bool, Option<WireMessage>), HostError> {
        let start = session.now();
        let plan_at = self.0.timeline.borrow().plan.front().map(|p| p.at);
        let end = plan_at.map_or(start + STEP_LIMIT_MS, |at| {
            at.clamp(start, start + STEP_LIMIT_MS)
        });
        let mut known: BTreeSet<u64> =
            session.read(|c| read_in_flight(c).iter().map(|m| m.seq).collect());
        for _ in 0..STEP_WAKEUPS_MAX {
            let now = session.now();
            if now >= end && now > start {
                return Ok((true, None));
            }
            if session.step((end - now).max(0))?.is_none() {
                return Ok((false, None));
            }
            if self.0.pending.borrow().len() > seen {
                return Ok((true, None));
            }
            let wire = session.read(read_in_flight);
            let notable = wire.iter().find(|m| !known.contains(&m.seq) && !m.polling);
            if let Some(m) = notable {
                return Ok((
                    true,
                    Some(WireMessage {
                        api: m.api,
                        from: m.from,
                        to: m.to,
                    }),
                ));
            }
            known = wire.iter().map(|m| m.seq).collect();
        }
        Ok((true, None))
    }
}
