//! The worked examples of the documentation course (`docs/book/*/`): the numbers a chapter
//! prints are computed here with rill's own code, so the prose cannot drift from the engine.
//! Each test names the chapter it backs.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::collections::BTreeMap;

use rill_core::group::{
    Assignment, Assignor, CooperativeStickyAssignor, Member, RangeAssignor, RoundRobinAssignor,
    StickyAssignor, TopicPartition,
};
use rill_core::partitioner::partition_for_key;

/// `t1` with 3 partitions and `t2` with 2: the assignors chapter's topics.
fn t1_t2() -> BTreeMap<String, u32> {
    BTreeMap::from([("t1".to_owned(), 3), ("t2".to_owned(), 2)])
}

/// Kafka's notation `"t1-0, t2-1"` for a member's partitions, sorted.
fn show(partitions: &[TopicPartition]) -> String {
    let mut sorted = partitions.to_vec();
    sorted.sort();
    sorted
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn shown(assignment: &Assignment) -> Vec<(String, String)> {
    assignment
        .iter()
        .map(|(member, partitions)| (member.clone(), show(partitions)))
        .collect()
}

fn expect(assignment: &Assignment, expected: &[(&str, &str)]) {
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|&(m, p)| (m.to_owned(), p.to_owned()))
        .collect();
    assert_eq!(shown(assignment), expected);
}

/// Members subscribed to `t1` and `t2`, owning what `owned` gives them (from generation 1).
fn members(ids: &[&str], owned: Option<&Assignment>) -> Vec<Member> {
    ids.iter()
        .map(|id| {
            let mut member = Member::new(*id, ["t1", "t2"]);
            if let Some(previous) = owned {
                member.owned = previous.get(*id).cloned().unwrap_or_default();
                member.generation = Some(1);
            }
            member
        })
        .collect()
}

const FOUR: [(&str, &dyn Assignor); 4] = [
    ("range", &RangeAssignor),
    ("roundrobin", &RoundRobinAssignor),
    ("sticky", &StickyAssignor),
    ("cooperative-sticky", &CooperativeStickyAssignor),
];

/// Chapter "The four assignors": c1..c3 on t1 (3) and t2 (2), from nothing.
#[test]
fn assignors_chapter_first_assignment() {
    let fresh = members(&["c1", "c2", "c3"], None);
    for (name, assignor) in FOUR {
        let assignment = assignor.assign(&t1_t2(), &fresh);
        println!("{name}: {:?}", shown(&assignment));
    }
    for (_, assignor) in FOUR {
        expect(
            &assignor.assign(&t1_t2(), &fresh),
            &[("c1", "t1-0, t2-0"), ("c2", "t1-1, t2-1"), ("c3", "t1-2")],
        );
    }
}

/// Chapter "The four assignors": c4 joins the group of c1..c3, each assignor starting from the
/// assignment it gave itself.
#[test]
fn assignors_chapter_c4_joins() {
    let fresh = members(&["c1", "c2", "c3"], None);
    for (name, assignor) in FOUR {
        let before = assignor.assign(&t1_t2(), &fresh);
        let after = assignor.assign(&t1_t2(), &members(&["c1", "c2", "c3", "c4"], Some(&before)));
        println!("{name} c4 joins: {:?}", shown(&after));
        if name == "cooperative-sticky" {
            // The follow-up rebalance, with what each member owns after the first.
            let follow = assignor.assign(
                &t1_t2(),
                &members(&["c1", "c2", "c3", "c4"], Some(&after)),
            );
            println!("{name} follow-up: {:?}", shown(&follow));
        }
    }
    for (name, assignor) in FOUR {
        let before = assignor.assign(&t1_t2(), &fresh);
        let after = assignor.assign(&t1_t2(), &members(&["c1", "c2", "c3", "c4"], Some(&before)));
        println!("{name} c1 leaves: {:?}", shown(&assignor.assign(&t1_t2(), &members(&["c2", "c3"], Some(&before)))));
        let _ = after;
    }
}

/// Chapter "Keys and the partitioner": where the chapter's keys land with 3 and 4 partitions.
#[test]
fn keys_chapter_partitions() {
    for key in ["alice", "bob", "carol", "dave", "erin", "frank"] {
        println!(
            "{key}: 3 → {}, 4 → {}, 6 → {}",
            partition_for_key(key.as_bytes(), 3),
            partition_for_key(key.as_bytes(), 4),
            partition_for_key(key.as_bytes(), 6)
        );
    }
}
