//! Colours for keys: the same key gets the same colour everywhere.

/// The Okabe–Ito palette (colour-blind safe), one tone darkened, each with a text colour
/// that keeps WCAG AA contrast on it.
const KEY_COLOURS: [(&str, &str); 8] = [
    ("#0072B2", "#ffffff"),
    ("#D55E00", "#ffffff"),
    ("#007A5A", "#ffffff"),
    ("#CC79A7", "#111827"),
    ("#E69F00", "#111827"),
    ("#56B4E9", "#111827"),
    ("#7A6F00", "#ffffff"),
    ("#5D3A9B", "#ffffff"),
];

/// Background and text colour of records without a key.
pub const KEYLESS_COLOUR: (&str, &str) = ("#6B7280", "#ffffff");

/// The (background, text) colours for a record key (`None` for keyless records).
pub fn key_colour(key: Option<&[u8]>) -> (&'static str, &'static str) {
    match key {
        None => KEYLESS_COLOUR,
        Some(key) => {
            let hash =
                rill_core::partitioner::to_positive(rill_core::partitioner::murmur2(key)) as usize;
            // Use high bits so the colour is independent of the partition (low bits mod n).
            KEY_COLOURS[(hash >> 16) % KEY_COLOURS.len()]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_key_same_colour_and_keyless_is_grey() {
        assert_eq!(key_colour(Some(b"alice")), key_colour(Some(b"alice")));
        assert_eq!(key_colour(None), KEYLESS_COLOUR);
        let distinct: std::collections::BTreeSet<_> = (0..100)
            .map(|i| key_colour(Some(format!("key-{i}").as_bytes())))
            .collect();
        assert!(
            distinct.len() >= 6,
            "keys spread over the palette: {}",
            distinct.len()
        );
    }
}
