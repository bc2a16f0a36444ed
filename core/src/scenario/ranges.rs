//! A set of offsets kept as disjoint ranges: which records of a partition a group processed.

use std::collections::BTreeMap;

/// Offsets, as disjoint half-open ranges `[start, end)` that never touch (touching ranges are
/// merged), keyed by start.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct OffsetRanges {
    ranges: BTreeMap<i64, i64>,
}

impl OffsetRanges {
    /// Whether `offset` is in the set.
    pub(crate) fn contains(&self, offset: i64) -> bool {
        self.ranges
            .range(..=offset)
            .next_back()
            .is_some_and(|(_, end)| offset < *end)
    }

    /// Adds `offset`; false if it was already there.
    pub(crate) fn insert(&mut self, offset: i64) -> bool {
        if self.contains(offset) {
            return false;
        }
        let mut start = offset;
        let mut end = offset + 1;
        if let Some((&s, &e)) = self.ranges.range(..offset).next_back()
            && e == offset
        {
            start = s;
            self.ranges.remove(&s);
        }
        if let Some(next_end) = self.ranges.remove(&end) {
            end = next_end;
        }
        self.ranges.insert(start, end);
        debug_assert!(self.contains(offset), "an inserted offset is in the set");
        true
    }

    /// The parts of `[from, to)` not in the set, in order.
    pub(crate) fn gaps(&self, from: i64, to: i64) -> Vec<(i64, i64)> {
        let mut gaps = Vec::new();
        let mut cursor = from;
        if let Some((_, end)) = self.ranges.range(..=from).next_back()
            && *end > cursor
        {
            cursor = *end;
        }
        for (start, end) in self.ranges.range(from..to) {
            if *start > cursor {
                gaps.push((cursor, *start));
            }
            cursor = cursor.max(*end);
        }
        if cursor < to {
            gaps.push((cursor, to));
        }
        gaps
    }

    /// The ranges, for hashing and display.
    pub(crate) fn ranges(&self) -> impl Iterator<Item = (i64, i64)> + '_ {
        self.ranges.iter().map(|(s, e)| (*s, *e))
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn inserts_merge_and_gaps_are_the_complement() {
        let mut set = OffsetRanges::default();
        for offset in [5, 3, 4, 9, 10, 0] {
            assert!(set.insert(offset));
        }
        assert!(!set.insert(4), "4 is there");
        assert_eq!(
            set.ranges().collect::<Vec<_>>(),
            vec![(0, 1), (3, 6), (9, 11)]
        );
        assert_eq!(set.gaps(0, 12), vec![(1, 3), (6, 9), (11, 12)]);
        assert_eq!(set.gaps(4, 10), vec![(6, 9)]);
        assert_eq!(set.gaps(3, 6), vec![]);
        assert!(set.contains(10) && !set.contains(11) && !set.contains(2));
    }
}
