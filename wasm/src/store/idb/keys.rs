//! Keys and key ranges: how segments, chunks, topics and partitions are named in IndexedDB,
//! and the numbers in them. Every key starts with the log dir (the broker's id). Deleting a
//! segment or a topic deletes key ranges: `[dir, topic, partition, baseOffset, 0..=+inf]` for a
//! segment, every key that starts `[dir, topic]` for a topic.

use js_sys::Array;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `IDBKeyRange`, bound here so the crate needs no further web-sys feature.
    #[wasm_bindgen(js_name = IDBKeyRange)]
    type KeyRange;

    /// `IDBKeyRange.bound(lower, upper, lowerOpen, upperOpen)`.
    #[wasm_bindgen(static_method_of = KeyRange, catch, js_name = bound)]
    fn bound(
        lower: &JsValue,
        upper: &JsValue,
        lower_open: bool,
        upper_open: bool,
    ) -> Result<KeyRange, JsValue>;
}

/// `Number.MAX_SAFE_INTEGER`: offsets up to this magnitude survive the trip through a number.
pub(super) const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A segment: `(log dir, topic, partition, base offset)`. The log dir is the broker's id.
pub(super) type SegmentId = (u32, String, u32, i64);

pub(super) fn chunk_key(
    dir: u32,
    topic: &str,
    partition: u32,
    base_offset: i64,
    seq: u32,
) -> Array {
    chunk_key_with(dir, topic, partition, base_offset, &JsValue::from(seq))
}

pub(super) fn chunk_key_with(
    dir: u32,
    topic: &str,
    partition: u32,
    base_offset: i64,
    last: &JsValue,
) -> Array {
    let key = Array::of4(
        &JsValue::from(dir),
        &JsValue::from_str(topic),
        &JsValue::from(partition),
        &JsValue::from(base_offset as f64),
    );
    key.push(last);
    key
}

/// Every chunk of one segment: `[dir, topic, partition, baseOffset, 0] ..= [.., +inf]`.
pub(super) fn segment_range(
    dir: u32,
    topic: &str,
    partition: u32,
    base_offset: i64,
) -> Result<JsValue, JsValue> {
    KeyRange::bound(
        &chunk_key(dir, topic, partition, base_offset, 0),
        &chunk_key_with(
            dir,
            topic,
            partition,
            base_offset,
            &JsValue::from(f64::INFINITY),
        ),
        false,
        false,
    )
    .map(JsValue::from)
}

/// Every array key that starts `[dir, topic]`: `[dir, topic] ..= [dir, topic, []]`. An array
/// sorts after every number and string, so `[dir, topic, []]` is above `[dir, topic, n, ...]`
/// for any `n`.
pub(super) fn topic_range(dir: u32, topic: &str) -> Result<JsValue, JsValue> {
    let (dir, topic) = (JsValue::from(dir), JsValue::from_str(topic));
    KeyRange::bound(
        &Array::of2(&dir, &topic),
        &Array::of3(&dir, &topic, &Array::new()),
        false,
        false,
    )
    .map(JsValue::from)
}

pub(super) fn topic_key(dir: u32, topic: &str) -> Array {
    Array::of2(&JsValue::from(dir), &JsValue::from_str(topic))
}

pub(super) fn partition_key(dir: u32, topic: &str, partition: u32) -> Array {
    Array::of3(
        &JsValue::from(dir),
        &JsValue::from_str(topic),
        &JsValue::from(partition),
    )
}

/// A key component that must be a `u32`.
pub(super) fn u32_from_js(value: &JsValue) -> Option<u32> {
    value
        .as_f64()
        .filter(|f| f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(f))
        .map(|f| f as u32)
}

/// An offset as a number, refusing any the number cannot hold exactly.
pub(super) fn offset_to_js(name: &str, offset: i64) -> Result<JsValue, JsValue> {
    let number = offset as f64;
    if number.abs() > MAX_SAFE_INTEGER {
        return Err(JsValue::from_str(&format!(
            "{name} {offset} does not fit in a JavaScript number"
        )));
    }
    Ok(JsValue::from(number))
}

pub(super) fn offset_from_js(value: &JsValue) -> Option<i64> {
    value
        .as_f64()
        .filter(|f| f.fract() == 0.0 && f.abs() <= MAX_SAFE_INTEGER)
        .map(|f| f as i64)
}

pub(super) fn partition_key_from_js(key: &JsValue) -> Option<(u32, String, u32)> {
    let key = key.dyn_ref::<Array>()?;
    if key.length() != 3 {
        return None;
    }
    Some((
        u32_from_js(&key.get(0))?,
        key.get(1).as_string()?,
        u32_from_js(&key.get(2))?,
    ))
}

pub(super) fn topic_key_from_js(key: &JsValue) -> Option<(u32, String)> {
    let key = key.dyn_ref::<Array>()?;
    if key.length() != 2 {
        return None;
    }
    Some((u32_from_js(&key.get(0))?, key.get(1).as_string()?))
}

/// Chunks `first..=last` of one segment.
pub(super) fn seq_range(segment: &SegmentId, first: u32, last: u32) -> Result<JsValue, JsValue> {
    let (dir, topic, partition, base_offset) = segment;
    KeyRange::bound(
        &chunk_key(*dir, topic, *partition, *base_offset, first),
        &chunk_key(*dir, topic, *partition, *base_offset, last),
        false,
        false,
    )
    .map(JsValue::from)
}

/// `[dir, topic, partition, baseOffset, seq]` as `(segment, seq)`.
pub(super) fn chunk_key_from_js(key: &JsValue) -> Option<(SegmentId, u32)> {
    let key = key.dyn_ref::<Array>()?;
    if key.length() != 5 {
        return None;
    }
    let base = key
        .get(3)
        .as_f64()
        .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= MAX_SAFE_INTEGER)? as i64;
    Some((
        (
            u32_from_js(&key.get(0))?,
            key.get(1).as_string()?,
            u32_from_js(&key.get(2))?,
            base,
        ),
        u32_from_js(&key.get(4))?,
    ))
}
