//! `cargo xtask bench`: runs the benchmarks and reports each against its same-run baseline.
//!
//! Benchmarks are measurements, not tests: nothing here fails on a number.

use std::path::Path;
use std::process::Command;

use crate::run::run;

/// (criterion group, records per iteration, payload bytes per record).
const APPEND_GROUPS: [(&str, u64, u64); 2] =
    [("append_batch_100", 100, 110), ("append_batch_1", 1, 110)];

/// Mean nanoseconds per iteration from criterion's `estimates.json`.
fn mean_ns(criterion_dir: &Path, group: &str, function: &str) -> Option<f64> {
    let path = criterion_dir
        .join(group)
        .join(function)
        .join("new")
        .join("estimates.json");
    let json = std::fs::read_to_string(path).ok()?;
    let mean = &json[json.find("\"mean\"")?..];
    let value = &mean[mean.find("\"point_estimate\":")? + "\"point_estimate\":".len()..];
    let end = value.find([',', '}'])?;
    value[..end].trim().parse().ok()
}

pub(crate) fn bench_command() -> Result<(), String> {
    println!("==> native benchmarks (criterion)");
    run(Command::new("cargo").args(["bench", "--package", "rill-core", "--bench", "append"]))?;
    let criterion_dir = crate::site::target_dir().join("criterion");
    println!("\n==> append: 100-byte values, 10-byte keys (native)");
    println!(
        "  {:<18} {:>14} {:>10} {:>16} {:>18}",
        "case", "records/s", "MB/s", "baseline rec/s", "append ÷ baseline"
    );
    for (group, records, bytes) in APPEND_GROUPS {
        let (Some(append), Some(baseline)) = (
            mean_ns(&criterion_dir, group, "append"),
            mean_ns(&criterion_dir, group, "copy_baseline"),
        ) else {
            return Err(format!("criterion wrote no estimates for {group}"));
        };
        let per_second = |ns: f64| records as f64 / (ns * 1e-9);
        println!(
            "  {:<18} {:>14.0} {:>10.1} {:>16.0} {:>18.3}",
            group,
            per_second(append),
            per_second(append) * bytes as f64 / 1e6,
            per_second(baseline),
            baseline / append,
        );
    }
    println!(
        "  (append ÷ baseline is throughput relative to copying the same bytes: 1.0 would be free)"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_mean_point_estimate() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-test-{}", std::process::id()));
        let file = dir.join("g").join("f").join("new");
        std::fs::create_dir_all(&file).expect("temp dir");
        std::fs::write(
            file.join("estimates.json"),
            r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":3.0},"point_estimate":2.5,"standard_error":0.1},"median":{"point_estimate":9.0}}"#,
        )
        .expect("write");
        assert_eq!(mean_ns(&dir, "g", "f"), Some(2.5));
        assert_eq!(mean_ns(&dir, "g", "missing"), None);
        let _ = std::fs::remove_dir_all(dir);
    }
}
