//! Colours for keys (and group members): the same key gets the same colour everywhere. Sixteen colours (the
//! Okabe–Ito and Paul Tol palettes, colour-blind safe), each with the text colour that keeps
//! WCAG AA contrast (≥ 4.5:1) on it; the key's text is always drawn too, so two keys sharing a
//! colour are still told apart.

/// (background, text) pairs.
pub const KEY_COLOURS: [(&str, &str); 16] = [
    ("#0072B2", "#ffffff"),
    ("#D55E00", "#111827"),
    ("#007A5A", "#ffffff"),
    ("#CC79A7", "#111827"),
    ("#E69F00", "#111827"),
    ("#56B4E9", "#111827"),
    ("#7A6F00", "#ffffff"),
    ("#5D3A9B", "#ffffff"),
    ("#332288", "#ffffff"),
    ("#117733", "#ffffff"),
    ("#882255", "#ffffff"),
    ("#AA4499", "#ffffff"),
    ("#44AA99", "#111827"),
    ("#DDCC77", "#111827"),
    ("#88CCEE", "#111827"),
    ("#A6371F", "#ffffff"),
];

/// Background and text colour of records without a key (contrast 7.6:1).
pub const KEYLESS_COLOUR: (&str, &str) = ("#4B5563", "#ffffff");

/// The (background, text) colours for a record key (`None` for keyless records).
pub fn key_colour(key: Option<&[u8]>) -> (&'static str, &'static str) {
    match key {
        None => KEYLESS_COLOUR,
        Some(key) => {
            let hash =
                rill_core::partitioner::to_positive(rill_core::partitioner::murmur2(key)) as usize;
            // High bits, so the colour does not follow the partition (low bits mod n).
            KEY_COLOURS[(hash >> 16) % KEY_COLOURS.len()]
        }
    }
}

/// A member's colour: `cN` takes the N-th colour of the palette, other names a hash.
pub fn member_colour(name: &str) -> (&'static str, &'static str) {
    let digits: String = name
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let index = digits.parse::<usize>().map_or_else(
        |_| {
            name.bytes().fold(0usize, |h, b| {
                h.wrapping_mul(31).wrapping_add(usize::from(b))
            })
        },
        |n| n.saturating_sub(1),
    );
    KEY_COLOURS[index % KEY_COLOURS.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn luminance(hex: &str) -> f64 {
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).expect("hex colour")) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    }

    fn contrast(a: &str, b: &str) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    #[test]
    fn every_colour_keeps_wcag_aa_contrast_with_its_text() {
        for (bg, ink) in KEY_COLOURS.iter().chain([&KEYLESS_COLOUR]) {
            assert!(
                contrast(bg, ink) >= 4.5,
                "{bg} on {ink}: {}",
                contrast(bg, ink)
            );
        }
    }

    #[test]
    fn same_key_same_colour_keyless_apart_and_keys_spread() {
        assert_eq!(key_colour(Some(b"alice")), key_colour(Some(b"alice")));
        assert_eq!(key_colour(None), KEYLESS_COLOUR);
        let distinct: std::collections::BTreeSet<_> = (0..200)
            .map(|i| key_colour(Some(format!("key-{i}").as_bytes())))
            .collect();
        assert!(
            distinct.len() >= 14,
            "keys spread over the palette: {}",
            distinct.len()
        );
        assert_ne!(
            key_colour(Some(b"alice")),
            key_colour(Some(b"erin")),
            "the two keys that shared a colour in the 8-colour palette"
        );
    }
}
