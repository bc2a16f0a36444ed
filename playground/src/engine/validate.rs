//! Validation of what the forms take: a new topic's shape as Kafka's CreateTopics validates
//! it, whole numbers in a range, `acks`.

use rill_core::cluster::Acks;
use rill_wasm::HostError;

/// The partition count and replication factor of a new topic as typed, refused as Kafka's
/// CreateTopics refuses them (`INVALID_PARTITIONS`, `INVALID_REPLICATION_FACTOR`), or
/// `INVALID_ARGUMENT` for what is not a number at all.
pub(crate) fn topic_shape(
    partitions: &str,
    replication_factor: &str,
    brokers: u32,
) -> Result<(u32, u32), HostError> {
    let number = |text: &str, what: &str| {
        text.trim().parse::<i64>().map_err(|_| {
            HostError::InvalidArgument(format!(
                "{what} must be a whole number, got '{}'",
                text.trim()
            ))
        })
    };
    let kafka = |code, message: String| HostError::Kafka { code, message };
    let p = number(partitions, "Partitions")?;
    if p < 1 {
        return Err(kafka(
            rill_core::ErrorCode::InvalidPartitions,
            "Number of partitions must be larger than 0.".to_owned(),
        ));
    }
    let p = u32::try_from(p)
        .ok()
        .filter(|p| *p <= PARTITIONS_MAX)
        .ok_or_else(|| {
            kafka(
                rill_core::ErrorCode::InvalidPartitions,
                format!("the playground creates at most {PARTITIONS_MAX} partitions, got {p}"),
            )
        })?;
    let rf = number(replication_factor, "Replication factor")?;
    if rf < 1 {
        return Err(kafka(
            rill_core::ErrorCode::InvalidReplicationFactor,
            "Replication factor must be larger than 0.".to_owned(),
        ));
    }
    let rf = u32::try_from(rf)
        .ok()
        .filter(|rf| *rf <= brokers)
        .ok_or_else(|| {
            kafka(
                rill_core::ErrorCode::InvalidReplicationFactor,
                format!("Replication factor: {rf} larger than available brokers: {brokers}."),
            )
        })?;
    Ok((p, rf))
}

/// The most partitions the create-topic form accepts.
pub(crate) const PARTITIONS_MAX: u32 = 10_000;

/// A whole number typed into `what`, in `range`, or a message saying what is expected.
pub(crate) fn whole_number<T: TryFrom<i64> + Copy + std::fmt::Display>(
    text: &str,
    what: &str,
    range: std::ops::RangeInclusive<i64>,
) -> Result<T, HostError> {
    let invalid = || {
        HostError::InvalidArgument(format!(
            "{what} must be a whole number from {} to {}, got '{}'",
            range.start(),
            range.end(),
            text.trim()
        ))
    };
    let n: i64 = text.trim().parse().map_err(|_| invalid())?;
    if !range.contains(&n) {
        return Err(invalid());
    }
    T::try_from(n).map_err(|_| invalid())
}

/// `acks` as typed: `0`, `1`, `all` or `-1`.
pub(crate) fn acks(text: &str) -> Result<Acks, HostError> {
    match text.trim() {
        "0" => Ok(Acks::None),
        "1" => Ok(Acks::Leader),
        "all" | "-1" | "" => Ok(Acks::All),
        other => Err(HostError::InvalidArgument(format!(
            "acks must be 0, 1 or all, got '{other}'"
        ))),
    }
}

#[cfg(test)]
mod topic_shape_tests {
    use super::topic_shape;

    fn kind(r: Result<(u32, u32), rill_wasm::HostError>) -> String {
        r.map_or_else(|e| e.type_name().to_owned(), |_| "ok".to_owned())
    }

    #[test]
    fn counts_are_refused_with_kafkas_error_names() {
        assert_eq!(topic_shape(" 3 ", "2", 3).ok(), Some((3, 2)));
        assert_eq!(kind(topic_shape("0", "1", 3)), "INVALID_PARTITIONS");
        assert_eq!(kind(topic_shape("-2", "1", 3)), "INVALID_PARTITIONS");
        assert_eq!(kind(topic_shape("100000", "1", 3)), "INVALID_PARTITIONS");
        assert_eq!(kind(topic_shape("1", "0", 3)), "INVALID_REPLICATION_FACTOR");
        assert_eq!(kind(topic_shape("1", "4", 3)), "INVALID_REPLICATION_FACTOR");
        assert_ne!(kind(topic_shape("three", "1", 3)), "ok");
        assert_ne!(kind(topic_shape("1", "", 3)), "ok");
    }
}
