//! Zigzag varints as Kafka's `ByteUtils.writeVarint`/`writeVarlong` encode them.

/// Appends `value` as a zigzag-encoded varint (at most 5 bytes).
pub(crate) fn put_varint(out: &mut Vec<u8>, value: i32) {
    put_unsigned((((value << 1) ^ (value >> 31)) as u32).into(), out);
}

/// Appends `value` as a zigzag-encoded varlong (at most 10 bytes).
pub(crate) fn put_varlong(out: &mut Vec<u8>, value: i64) {
    put_unsigned(((value << 1) ^ (value >> 63)) as u64, out);
}

fn put_unsigned(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// The number of bytes [`put_varint`] writes for `value`.
pub(crate) fn varint_len(value: i32) -> usize {
    unsigned_len((((value << 1) ^ (value >> 31)) as u32).into())
}

/// The number of bytes [`put_varlong`] writes for `value`.
pub(crate) fn varlong_len(value: i64) -> usize {
    unsigned_len(((value << 1) ^ (value >> 63)) as u64)
}

fn unsigned_len(v: u64) -> usize {
    // 1 byte per started group of 7 bits, and at least one byte.
    let bits = 64 - (v | 1).leading_zeros() as usize;
    bits.div_ceil(7)
}

/// Reads a zigzag varint from the front of `buf`, advancing it. `None` when truncated or longer
/// than 5 bytes.
pub(crate) fn get_varint(buf: &mut &[u8]) -> Option<i32> {
    let raw = get_unsigned(buf, 5)?;
    let raw = u32::try_from(raw).ok()?;
    Some(((raw >> 1) as i32) ^ -((raw & 1) as i32))
}

/// Reads a zigzag varlong from the front of `buf`, advancing it. `None` when truncated or longer
/// than 10 bytes.
pub(crate) fn get_varlong(buf: &mut &[u8]) -> Option<i64> {
    let raw = get_unsigned(buf, 10)?;
    Some(((raw >> 1) as i64) ^ -((raw & 1) as i64))
}

fn get_unsigned(buf: &mut &[u8], max_len: usize) -> Option<u64> {
    let mut value = 0u64;
    for (i, &byte) in buf.iter().enumerate().take(max_len) {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            *buf = &buf[i + 1..];
            return Some(value);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn known_encodings() {
        // Zigzag: 0→0, -1→1, 1→2, -2→3, 63→126, -64→127, 64→128 (two bytes).
        for (value, bytes) in [
            (0, vec![0x00]),
            (-1, vec![0x01]),
            (1, vec![0x02]),
            (-2, vec![0x03]),
            (63, vec![0x7e]),
            (-64, vec![0x7f]),
            (64, vec![0x80, 0x01]),
            (i32::MAX, vec![0xfe, 0xff, 0xff, 0xff, 0x0f]),
            (i32::MIN, vec![0xff, 0xff, 0xff, 0xff, 0x0f]),
        ] {
            let mut out = Vec::new();
            put_varint(&mut out, value);
            assert_eq!(out, bytes, "{value}");
            assert_eq!(varint_len(value), bytes.len());
            let mut slice = &out[..];
            assert_eq!(get_varint(&mut slice), Some(value));
            assert!(slice.is_empty());
        }
    }

    #[test]
    fn varlong_extremes_round_trip() {
        for value in [0, 1, -1, i64::MAX, i64::MIN, 1 << 40, -(1 << 40)] {
            let mut out = Vec::new();
            put_varlong(&mut out, value);
            assert_eq!(varlong_len(value), out.len());
            let mut slice = &out[..];
            assert_eq!(get_varlong(&mut slice), Some(value));
        }
    }

    #[test]
    fn truncated_and_overlong_are_rejected() {
        assert_eq!(get_varint(&mut &[0x80u8][..]), None);
        assert_eq!(
            get_varint(&mut &[0xffu8, 0xff, 0xff, 0xff, 0xff, 0x01][..]),
            None
        );
        assert_eq!(get_varint(&mut &[][..]), None);
    }
}
