//! Colours for keys: the same key gets the same colour everywhere.

/// The Okabe–Ito palette (colour-blind safe), darkened where needed for white text.
const KEY_COLOURS: [&str; 8] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#7A6F00", "#5D3A9B",
];

/// Colour of records without a key.
pub const KEYLESS_COLOUR: &str = "#6B7280";

/// The colour for a record key (`None` for keyless records).
pub fn key_colour(key: Option<&[u8]>) -> &'static str {
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
