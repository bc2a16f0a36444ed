//! The deliberate engine bugs the simulator's checker must catch (a leaf module: the
//! cluster and the group coordinator both read it).

/// A deliberate engine bug, for tests proving the simulator's checker catches it. Hidden: no
/// host sets one.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InjectedBug {
    /// Leaders accept and acknowledge `acks=all` while the ISR is below
    /// `min.insync.replicas`.
    AcksAllBelowMinIsr,
    /// Leaders propose a follower for the ISR before it reached the high watermark.
    IsrJoinBelowHighWatermark,
    /// A restarted broker trusts its high-watermark checkpoint beyond its log end.
    TrustHighWatermarkCheckpoint,
    /// The group coordinator does not bump the generation on a rebalance.
    NoGenerationBump,
    /// The group coordinator accepts an offset commit from an older generation.
    AcceptOldGenerationCommit,
}
