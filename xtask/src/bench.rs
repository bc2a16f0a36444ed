//! `cargo xtask bench [--native | --wasm]`: runs the benchmarks and reports each against its
//! same-run baseline.
//!
//! - native: every criterion bench target of `rill-core` (its `[[bench]]` entries), then every
//!   group criterion has results for; then `rill-bench`'s workloads natively
//!   (`rill-bench-native`).
//! - wasm: the same `rill-bench` workloads built for wasm32 and run in headless Chromium by
//!   `tests/e2e/bench.mjs`, next to their wasm baselines and to the native run of the same code;
//!   then persistence through the JavaScript API (`tests/e2e/persist-bench.mjs`): records/s
//!   into IndexedDB next to a raw IndexedDB baseline, recovery time of 1M stored records; and
//!   the size of the site's bundles (`rill_wasm` and the playground), raw and gzipped.
//!
//! Benchmarks are measurements, not tests: nothing here fails on a number.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::SystemTime;

use crate::run::{describe, run};

/// (group, records per iteration, payload bytes per record) for throughput columns. Groups not
/// listed here (and with no criterion `Elements` throughput) show their time per iteration only.
/// Retention is left out: a pass frees segments without touching records, so records/s and
/// MB/s of the log it trims would only restate its time.
/// `sim_seed` counts simulated steps (1,000 per seed) as its "records".
const THROUGHPUT: [(&str, u64, u64); 6] = [
    ("append_batch_100", 100, 110),
    ("append_batch_1", 1, 110),
    ("fetch", 1_000_000, 110),
    ("fetch_1m", 1_000_000, 110),
    ("compaction_1m_records", 1_000_000, 110),
    ("sim_seed", 1_000, 0),
];

/// (criterion group, records per iteration, payload bytes per record) of the headline table.
const APPEND_GROUPS: [(&str, u64, u64); 2] =
    [("append_batch_100", 100, 110), ("append_batch_1", 1, 110)];

const USAGE: &str = "usage: cargo xtask bench [--native | --wasm]";

pub(crate) fn bench_command(args: &[String]) -> Result<(), String> {
    let (native, wasm) = match args {
        [] => (true, true),
        [flag] if flag == "--native" => (true, false),
        [flag] if flag == "--wasm" => (false, true),
        _ => return Err(USAGE.to_owned()),
    };
    let mut errors = Vec::new();
    if native {
        errors.extend(native_benches());
    }
    if wasm && let Err(e) = wasm_benches(native) {
        errors.push(e);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

// ---------------------------------------------------------------------------------------------
// Native: criterion, then rill-bench's workloads.

/// The `name`s of the `[[bench]]` entries of a Cargo manifest.
fn bench_targets(manifest: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut in_bench = false;
    for line in manifest.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.starts_with('[') {
            in_bench = line.replace(' ', "") == "[[bench]]";
        } else if in_bench
            && let Some((key, value)) = line.split_once('=')
            && key.trim() == "name"
        {
            names.push(value.trim().trim_matches(['"', '\'']).to_owned());
        }
    }
    names
}

/// Runs every criterion bench of rill-core and prints what criterion recorded. Returns the
/// failures; the rest still runs.
fn native_benches() -> Vec<String> {
    let mut errors = Vec::new();
    let started = SystemTime::now();
    let manifest = crate::root().join("core").join("Cargo.toml");
    let targets = match std::fs::read_to_string(&manifest) {
        Ok(text) => bench_targets(&text),
        Err(e) => {
            errors.push(format!("cannot read {}: {e}", manifest.display()));
            Vec::new()
        }
    };
    println!(
        "==> native benchmarks (criterion): rill-core's {}",
        targets.join(", ")
    );
    for target in &targets {
        if let Err(e) =
            run(Command::new("cargo").args(["bench", "--package", "rill-core", "--bench", target]))
        {
            errors.push(e);
        }
    }
    let criterion_dir = crate::setup::target_dir().join("criterion");
    criterion_report(&criterion_dir, started);
    if let Err(e) = append_table(&criterion_dir) {
        errors.push(e);
    }

    println!("\n==> rill-bench workloads, native (the code and protocol of the wasm run)");
    match run_harness(Command::new("cargo").args([
        "run",
        "--quiet",
        "--release",
        "--package",
        "rill-bench",
        "--bin",
        "rill-bench-native",
    ])) {
        Ok((json, results)) => {
            let saved = native_results_path();
            if let Err(e) = std::fs::write(&saved, json) {
                println!("    (could not save {}: {e})", saved.display());
            }
            println!();
            harness_table(&results, None);
        }
        Err(e) => errors.push(e),
    }
    errors
}

/// Mean nanoseconds per iteration from criterion's `estimates.json`.
fn mean_ns(criterion_dir: &Path, group: &str, function: &str) -> Option<f64> {
    let json = std::fs::read_to_string(estimates(criterion_dir, group, function)).ok()?;
    let mean = &json[json.find("\"mean\"")?..];
    let value = &mean[mean.find("\"point_estimate\":")? + "\"point_estimate\":".len()..];
    let end = value.find([',', '}'])?;
    value[..end].trim().parse().ok()
}

fn estimates(criterion_dir: &Path, group: &str, function: &str) -> PathBuf {
    criterion_dir
        .join(group)
        .join(function)
        .join("new")
        .join("estimates.json")
}

/// Elements per iteration a criterion benchmark declared (`Throughput::Elements`), if any.
fn declared_elements(criterion_dir: &Path, group: &str, function: &str) -> Option<u64> {
    let path = criterion_dir
        .join(group)
        .join(function)
        .join("new")
        .join("benchmark.json");
    let json = std::fs::read_to_string(path).ok()?;
    let value = &json[json.find("\"Elements\":")? + "\"Elements\":".len()..];
    let end = value.find([',', '}'])?;
    value[..end].trim().parse().ok()
}

/// Criterion's groups, sorted, each with its functions (paths below the group holding
/// `new/estimates.json`, so parameterised benchmarks show as `function/parameter`).
fn criterion_groups(criterion_dir: &Path) -> Vec<(String, Vec<String>)> {
    fn functions(dir: &Path, prefix: &str, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if !path.is_dir() || name == "report" {
                continue;
            }
            let id = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            if path.join("new").join("estimates.json").is_file() {
                out.push(id);
            } else {
                functions(&path, &id, out);
            }
        }
    }
    let Ok(entries) = std::fs::read_dir(criterion_dir) else {
        return Vec::new();
    };
    let mut groups: Vec<(String, Vec<String>)> = entries
        .flatten()
        .filter(|e| e.path().is_dir() && e.file_name() != "report")
        .map(|e| {
            let mut found = Vec::new();
            functions(&e.path(), "", &mut found);
            found.sort();
            (e.file_name().to_string_lossy().into_owned(), found)
        })
        .filter(|(_, found)| !found.is_empty())
        .collect();
    groups.sort();
    groups
}

/// Records per iteration and payload bytes per record of `group`, where known.
fn throughput_of(group: &str) -> (Option<u64>, Option<u64>) {
    THROUGHPUT
        .iter()
        .find(|(name, _, _)| *name == group)
        .map_or((None, None), |&(_, records, bytes)| {
            (Some(records), Some(bytes))
        })
}

/// `1.23 µs`-style time from nanoseconds.
fn format_ns(ns: f64) -> String {
    if ns < 1e3 {
        format!("{ns:.1} ns")
    } else if ns < 1e6 {
        format!("{:.2} µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

/// One row: time, records/s and MB/s (or dashes), and throughput relative to the baseline.
fn row(
    name: &str,
    ns: f64,
    records: Option<u64>,
    bytes: Option<u64>,
    baseline: Option<f64>,
) -> String {
    let per_second = records.map(|r| r as f64 / (ns * 1e-9));
    let mb = per_second
        .zip(bytes.filter(|b| *b > 0))
        .map(|(r, b)| r * b as f64 / 1e6);
    let dash = || "—".to_owned();
    format!(
        "  {:<40} {:>12} {:>14} {:>10} {:>11}",
        name,
        format_ns(ns),
        per_second.map_or_else(dash, |r| format!("{r:.0}")),
        mb.map_or_else(dash, |m| format!("{m:.1}")),
        baseline.map_or_else(dash, |b| format!("{:.3}", b / ns)),
    )
}

const ROW_HEADER: &str =
    "  case                                             mean      records/s       MB/s  ÷ baseline";

/// Every criterion group's functions, each against the group's `*baseline*` function.
fn criterion_report(criterion_dir: &Path, run_started: SystemTime) {
    println!(
        "\n==> criterion results ({}), each against its group's baseline",
        criterion_dir.display()
    );
    println!("{ROW_HEADER}");
    let mut stale = false;
    for (group, functions) in criterion_groups(criterion_dir) {
        let baseline = functions
            .iter()
            .find(|f| f.contains("baseline"))
            .and_then(|f| mean_ns(criterion_dir, &group, f));
        let (table_records, bytes) = throughput_of(&group);
        for function in &functions {
            let Some(ns) = mean_ns(criterion_dir, &group, function) else {
                continue;
            };
            let records = declared_elements(criterion_dir, &group, function).or(table_records);
            let old = std::fs::metadata(estimates(criterion_dir, &group, function))
                .and_then(|m| m.modified())
                .is_ok_and(|modified| modified < run_started);
            stale |= old;
            let name = format!("{group}/{function}{}", if old { " *" } else { "" });
            println!("{}", row(&name, ns, records, bytes, baseline));
        }
    }
    println!("  (÷ baseline is throughput relative to the group's baseline: 1.0 would be free)");
    if stale {
        println!("  (* from an earlier run: that benchmark did not run this time)");
    }
}

/// The append headline: records/s and MB/s next to the copy baseline.
fn append_table(criterion_dir: &Path) -> Result<(), String> {
    println!("\n==> append: 100-byte values, 10-byte keys (native)");
    println!(
        "  {:<18} {:>14} {:>10} {:>16} {:>18}",
        "case", "records/s", "MB/s", "baseline rec/s", "append ÷ baseline"
    );
    for (group, records, bytes) in APPEND_GROUPS {
        let (Some(append), Some(baseline)) = (
            mean_ns(criterion_dir, group, "append"),
            mean_ns(criterion_dir, group, "copy_baseline"),
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

// ---------------------------------------------------------------------------------------------
// rill-bench results (native and wasm share one JSON shape).

/// One case of a rill-bench run.
#[derive(Clone, Debug, PartialEq)]
struct CaseResult {
    /// `group/function`.
    id: String,
    ms_per_iter: f64,
    iterations: u64,
    measured_ms: f64,
}

/// A rill-bench run: `{"harness":…, "user_agent":…, "cross_origin_isolated":…,
/// "cases":{"group/function":{"ms_per_iter":…,"iterations":…,"measured_ms":…},…}}`.
#[derive(Clone, Debug, PartialEq)]
struct HarnessRun {
    harness: String,
    user_agent: Option<String>,
    cross_origin_isolated: Option<bool>,
    cases: Vec<CaseResult>,
}

impl HarnessRun {
    fn parse(text: &str) -> Result<Self, String> {
        let json = json::parse(text)?;
        let cases = json
            .get("cases")
            .and_then(json::Value::entries)
            .ok_or("no \"cases\" object")?
            .iter()
            .map(|(id, case)| {
                let number = |key: &str| {
                    case.get(key)
                        .and_then(json::Value::number)
                        .ok_or_else(|| format!("case {id} has no number \"{key}\""))
                };
                Ok(CaseResult {
                    id: id.clone(),
                    ms_per_iter: number("ms_per_iter")?,
                    iterations: number("iterations")? as u64,
                    measured_ms: number("measured_ms")?,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Self {
            harness: json
                .get("harness")
                .and_then(json::Value::string)
                .unwrap_or("?")
                .to_owned(),
            user_agent: json
                .get("user_agent")
                .and_then(json::Value::string)
                .map(str::to_owned),
            cross_origin_isolated: json
                .get("cross_origin_isolated")
                .and_then(json::Value::bool),
            cases,
        })
    }

    fn case(&self, id: &str) -> Option<&CaseResult> {
        self.cases.iter().find(|c| c.id == id)
    }

    /// The case in `id`'s group whose function contains `baseline`.
    fn baseline_of(&self, id: &str) -> Option<&CaseResult> {
        let group = id.split('/').next()?;
        self.cases.iter().find(|c| {
            c.id.split_once('/')
                .is_some_and(|(g, f)| g == group && f.contains("baseline"))
        })
    }
}

/// Where the last native rill-bench run is kept, for `--wasm` alone.
fn native_results_path() -> PathBuf {
    crate::setup::target_dir().join("bench-native.json")
}

/// Runs a harness that prints its JSON on stdout (progress on stderr, shown as it comes).
fn run_harness(cmd: &mut Command) -> Result<(String, HarnessRun), String> {
    let text = describe(cmd);
    let (json, _) = run_json(cmd)?;
    let run = HarnessRun::parse(&json).map_err(|e| format!("`{text}` printed bad JSON: {e}"))?;
    Ok((json, run))
}

/// Runs a command that prints a JSON object as its last `{` line on stdout (progress on
/// stderr, shown as it comes); returns the line and its value.
fn run_json(cmd: &mut Command) -> Result<(String, json::Value), String> {
    let text = describe(cmd);
    println!("  $ {text}");
    let output = cmd
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run `{text}`: {e}"))?;
    if !output.status.success() {
        return Err(format!("`{text}` failed with {}", output.status));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json = stdout
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .ok_or_else(|| format!("`{text}` printed no JSON"))?;
    let value = json::parse(json).map_err(|e| format!("`{text}` printed bad JSON: {e}"))?;
    Ok((json.to_owned(), value))
}

/// A rill-bench run as a table; with `native`, a last column of wasm ÷ native throughput.
fn harness_table(run: &HarnessRun, native: Option<&HarnessRun>) {
    let mut header = format!("{ROW_HEADER}     iterations");
    if native.is_some() {
        header.push_str("  wasm ÷ native");
    }
    println!("{header}");
    for case in &run.cases {
        let group = case.id.split('/').next().unwrap_or("");
        let (records, bytes) = throughput_of(group);
        let baseline = run.baseline_of(&case.id).map(|b| b.ms_per_iter * 1e6);
        let mut line = row(&case.id, case.ms_per_iter * 1e6, records, bytes, baseline);
        line.push_str(&format!(" {:>14}", case.iterations));
        if let Some(native) = native {
            let ratio = native.case(&case.id).map_or_else(
                || "—".to_owned(),
                |n| format!("{:.3}", n.ms_per_iter / case.ms_per_iter),
            );
            line.push_str(&format!(" {ratio:>14}"));
        }
        println!("{line}");
    }
    let short: Vec<String> = run
        .cases
        .iter()
        .filter(|c| c.measured_ms < 1_000.0)
        .map(|c| format!("{} {:.0} ms", c.id, c.measured_ms))
        .collect();
    if !short.is_empty() {
        println!(
            "  (timed less than 1 s within the 10 s budget, as untimed set-up dominates: {})",
            short.join(", ")
        );
    }
}

// ---------------------------------------------------------------------------------------------
// wasm in headless Chromium.

/// The page that loads the bench module (`bench.js`) and exposes it as `window.rillBench`. The
/// static server sends the site's Content-Security-Policy with it, so its script is a file.
const INDEX_HTML: &str = r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>rill bench</title><link rel="icon" href="favicon.svg" type="image/svg+xml">
<script type="module" src="bench.js"></script></head>
<body>
  <p>rill benchmarks: driven by tests/e2e/bench.mjs (<code>cargo xtask bench --wasm</code>).</p>
</body>
</html>
"#;

/// The bench page's script.
const BENCH_JS: &str = r#"import init, * as bench from './rill_bench.js';
try {
  await init({ module_or_path: './rill_bench_bg.wasm' });
  window.rillBench = bench;
} catch (e) {
  window.rillBenchError = String(e?.stack ?? e);
}
"#;

/// Builds rill-bench for wasm32 into `target/bench-site`.
fn build_bench_site() -> Result<PathBuf, String> {
    println!("==> building rill-bench (release, wasm32)");
    run(Command::new("cargo").args([
        "build",
        "--release",
        "--package",
        "rill-bench",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;
    let wasm = crate::setup::target_dir().join("wasm32-unknown-unknown/release/rill_bench.wasm");
    let site = crate::setup::target_dir().join("bench-site");
    crate::site::bind_wasm(&wasm, &site, "rill_bench", crate::site::Optimise::None)?;
    for (name, text) in [("index.html", INDEX_HTML), ("bench.js", BENCH_JS)] {
        let path = site.join(name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let icon = crate::root().join("static").join("favicon.svg");
    std::fs::copy(&icon, site.join("favicon.svg"))
        .map_err(|e| format!("cannot copy {}: {e}", icon.display()))?;
    Ok(site)
}

/// The files of the JavaScript API bundle, as the site ships them.
fn rill_wasm_files() -> [String; 2] {
    let name = crate::site::RILL_WASM;
    [format!("{name}_bg.wasm"), format!("{name}.js")]
}

/// Builds the site (the playground and the `rill-wasm` bundle, as `cargo xtask build` does) and
/// puts the `rill-wasm` bundle into the bench site for the persistence benchmark: the same
/// cargo output through the same `wasm-opt -Oz`, with the `name` section kept (`-g`, which
/// changes no code), so the benchmark's CPU profile names Rust functions. Returns the site
/// directory.
fn add_rill_wasm(bench_site: &Path) -> Result<PathBuf, String> {
    let site = crate::site::build_site()?;
    crate::site::bind_wasm(
        &crate::site::wasm_build(crate::site::SITE_PROFILE, "rill_wasm.wasm"),
        bench_site,
        crate::site::RILL_WASM,
        crate::site::Optimise::SizeKeepNames,
    )?;
    Ok(site)
}

/// Size of the file at `path` compressed by `gzip -9`, as a web server would send it.
fn gzipped_size(path: &Path) -> Result<u64, String> {
    let output = Command::new("gzip")
        .args(["-9", "--stdout"])
        .arg(path)
        .output()
        .map_err(|e| format!("cannot run gzip: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "gzip {} failed with {}",
            path.display(),
            output.status
        ));
    }
    Ok(output.stdout.len() as u64)
}

/// The bundles of the site, raw and gzipped: the `rill-wasm` JavaScript API alone, and the
/// playground (which links rill-wasm into its own wasm).
fn bundle_sizes(site: &Path) -> Result<(), String> {
    println!(
        "\n==> bundle sizes ({}; cargo profile `{}`, binaryen {} `wasm-opt -Oz`)",
        site.display(),
        crate::site::SITE_PROFILE,
        crate::setup::BINARYEN_VERSION
    );
    println!("  {:<32} {:>12} {:>12}", "file", "bytes", "gzip -9");
    let bundles = [
        ("rill-wasm (the JS API)", rill_wasm_files().to_vec()),
        (
            "playground",
            vec![
                "rill_playground_bg.wasm".to_owned(),
                "rill_playground.js".to_owned(),
            ],
        ),
    ];
    for (label, files) in bundles {
        let (mut raw, mut gzipped) = (0, 0);
        for file in &files {
            let path = site.join(file);
            let size = std::fs::metadata(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?
                .len();
            let packed = gzipped_size(&path)?;
            println!("  {file:<32} {size:>12} {packed:>12}");
            raw += size;
            gzipped += packed;
        }
        println!("  {:<32} {raw:>12} {gzipped:>12}", format!("= {label}"));
    }
    Ok(())
}

/// Runs `tests/e2e/persist-bench.mjs` against the bench site and prints its figures.
fn persist_benches(base_url: &str) -> Result<(), String> {
    println!(
        "\n==> persistence through the JavaScript API into IndexedDB (headless Chromium, profile on disk)"
    );
    let mut cmd = Command::new("node");
    cmd.arg("persist-bench.mjs")
        .current_dir(crate::root().join("tests").join("e2e"))
        .env("BASE_URL", base_url)
        .env("CHROMIUM", crate::setup::CHROMIUM);
    let (_, json) = run_json(&mut cmd)?;
    print!("{}", persist_report(&json)?);
    Ok(())
}

/// The persistence figures as text, from persist-bench.mjs's JSON.
fn persist_report(json: &json::Value) -> Result<String, String> {
    let number = |section: &str, key: &str| {
        json.get(section)
            .and_then(|s| s.get(key))
            .and_then(json::Value::number)
            .ok_or_else(|| format!("persist-bench printed no number {section}.{key}"))
    };
    let batches = number("throughput", "batches")?;
    let per_batch = number("throughput", "records_per_batch")?;
    let value_bytes = number("throughput", "value_bytes")?;
    let chunk_bytes = number("throughput", "chunk_bytes")?;
    let rill_ms = number("throughput", "rill_ms")?;
    let raw_ms = number("throughput", "raw_ms")?;
    let records = batches * per_batch;
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    line(format!(
        "  produce: {records:.0} records of {value_bytes:.0} B in calls of {per_batch:.0}, one \
         strict read-write transaction per call, acknowledged once it committed"
    ));
    line(format!(
        "  {:<40} {:>12} {:>10} {:>11}",
        "case", "records/s", "MB/s", "÷ baseline"
    ));
    let row = |name: &str, ms: f64, baseline_ms: f64| {
        let per_second = records / (ms / 1e3);
        format!(
            "  {name:<40} {per_second:>12.0} {:>10.2} {:>11.3}",
            per_second * chunk_bytes / per_batch / 1e6,
            baseline_ms / ms
        )
    };
    line(row("rill produce (JS API → IndexedDB)", rill_ms, raw_ms));
    line(row(
        "raw IndexedDB put, same bytes and keys",
        raw_ms,
        raw_ms,
    ));
    if let Ok(memory_ms) = number("throughput", "memory_ms") {
        line(row("rill produce, storage: 'memory'", memory_ms, raw_ms));
    }
    if let (Ok(in_flight), Ok(rill), Ok(raw)) = (
        number("throughput", "in_flight"),
        number("throughput", "rill_in_flight_ms"),
        number("throughput", "raw_in_flight_ms"),
    ) {
        line(row(
            &format!("rill produce, {in_flight:.0} calls in flight"),
            rill,
            raw,
        ));
        line(row(
            &format!("raw IndexedDB, {in_flight:.0} in flight"),
            raw,
            raw,
        ));
    }
    line(format!(
        "  (MB/s of stored batch bytes: {chunk_bytes:.0} B per call; the aim is ≥ 0.8 of the baseline;\n   \
         'memory' is the engine and the binding alone, with no IndexedDB; in flight: each call\n   \
         still one transaction, acknowledged on its own commit, against raw with as many)"
    ));
    if let Some(cluster) = json.get("cluster") {
        let number = |value: &json::Value, key: &str| {
            value
                .get(key)
                .and_then(json::Value::number)
                .ok_or_else(|| format!("persist-bench printed no number cluster…{key}"))
        };
        let in_flight = number(cluster, "in_flight")?;
        line(format!(
            "  cluster-backed Rill: producer.send({{ acks: -1 }}) of {per_batch:.0} records, \
             resolved once durable; realtime clock; raw as above, in the same rounds"
        ));
        for brokers in cluster
            .get("brokers")
            .and_then(json::Value::items)
            .unwrap_or_default()
        {
            let count = number(brokers, "brokers")?;
            let copies = number(brokers, "replication_factor")?;
            // Older runs did not say: they ran at 1 ms.
            let latency = brokers
                .get("latency_ms")
                .and_then(json::Value::number)
                .unwrap_or(1.0);
            let raw = number(brokers, "raw_ms")?;
            line(row(
                &format!("Rill send, brokers {count:.0} (RF {copies:.0}), {latency:.0} ms"),
                number(brokers, "rill_ms")?,
                raw,
            ));
            line(row("  raw IndexedDB put, same run", raw, raw));
            let raw = number(brokers, "raw_in_flight_ms")?;
            line(row(
                &format!("  {in_flight:.0} sends in flight"),
                number(brokers, "rill_in_flight_ms")?,
                raw,
            ));
            line(row(
                &format!("  raw IndexedDB, {in_flight:.0} in flight"),
                raw,
                raw,
            ));
        }
        line(
            "  (RF 3: every send writes three copies, one per broker's log dir; each hop between \
             client\n   and brokers takes the simulated latency shown: at 1 ms a send at one call \
             in flight needs 2 ms\n   of cluster time (4 with RF 3 and acks=all), which keeps \
             pace with the page's clock, so at most\n   500 (250) sends/s whatever the store does; \
             at 0 ms what is left is the engine, the binding\n   and IndexedDB)"
                .to_owned(),
        );
    }
    let fill_records = number("fill", "records")?;
    let fill_ms = number("fill", "ms")?;
    line(format!(
        "  filling the recovery store: {fill_records:.0} records in {:.1} s ({:.0} records/s)",
        fill_ms / 1e3,
        fill_records / (fill_ms / 1e3)
    ));
    let chunks = number("recovery", "chunks")?;
    let stored = number("recovery", "stored_bytes")?;
    line(format!(
        "  recovery of {:.0} records ({chunks:.0} chunks, {:.1} MB), until RillBroker.open resolves:",
        number("recovery", "records")?,
        stored / 1e6
    ));
    for (name, key) in [
        ("RillBroker.open, browser relaunched", "rill_cold_ms"),
        ("RillBroker.open, after a raw read", "rill_warm_ms"),
        ("raw getAllKeys + getAll, relaunched", "raw_read_cold_ms"),
        ("raw getAllKeys + getAll, after an open", "raw_read_warm_ms"),
    ] {
        line(format!("  {name:<40} {:>9.0} ms", number("recovery", key)?));
    }
    if let (Ok(brokers), Ok(cold), Ok(warm)) = (
        number("cluster_recovery", "brokers"),
        number("cluster_recovery", "rill_cold_ms"),
        number("cluster_recovery", "rill_warm_ms"),
    ) {
        line(format!(
            "  {:<40} {cold:>9.0} ms",
            format!("Rill.open ({brokers:.0} broker), relaunched")
        ));
        line(format!(
            "  {:<40} {warm:>9.0} ms",
            format!("Rill.open ({brokers:.0} broker), warm")
        ));
    }
    line("  (the aim: RillBroker.open under 1.5 s)".to_owned());
    if let Some(profile) = json.get("profile").and_then(json::Value::entries) {
        line("  where one open's time goes (CPU profile, self time; (idle) = waiting for IndexedDB):".to_owned());
        for (function, ms) in profile {
            let ms = ms.number().unwrap_or(f64::NAN);
            line(format!("  {ms:>10.1} ms  {function}"));
        }
    }
    Ok(out)
}

/// `native_ran`: whether this run measured native, or wasm ÷ native uses the saved last run.
fn wasm_benches(native_ran: bool) -> Result<(), String> {
    crate::setup::ensure_build_tools()?;
    crate::setup::ensure_browser_tools()?;
    println!();
    let site = build_bench_site()?;
    let app_site = add_rill_wasm(&site)?;
    // Cross-origin isolated, so performance.now() ticks in 5 µs rather than 100 µs.
    let base_url = crate::serve::serve_in_background(site, true)?;
    let root = crate::root();
    println!("\n==> rill-bench workloads, wasm in headless Chromium");
    let (_, wasm) = run_harness(
        Command::new("node")
            .arg("bench.mjs")
            .current_dir(root.join("tests").join("e2e"))
            .env("BASE_URL", &base_url)
            .env("CHROMIUM", crate::setup::CHROMIUM),
    )?;
    let native = std::fs::read_to_string(native_results_path())
        .ok()
        .and_then(|text| HarnessRun::parse(&text).ok())
        .filter(|run| run.harness == "native");
    println!(
        "\n==> wasm ({}; performance.now() {}), each against its wasm baseline and native",
        wasm.user_agent
            .as_deref()
            .and_then(|ua| ua.split_whitespace().find(|w| w.contains("Chrome/")))
            .unwrap_or("headless Chromium"),
        if wasm.cross_origin_isolated == Some(true) {
            "in 5 µs steps"
        } else {
            "in 100 µs steps, not cross-origin isolated"
        }
    );
    harness_table(&wasm, native.as_ref());
    match &native {
        Some(native) => {
            println!(
                "  (wasm ÷ native is wasm throughput relative to {} of the same code)",
                if native_ran {
                    "this run's native measurement"
                } else {
                    "the last saved native run"
                }
            );
            if let (Some(w), Some(n)) = (
                wasm.case("append_batch_100/append"),
                native.case("append_batch_100/append"),
            ) {
                println!(
                    "  batched appends in wasm run at {:.2}× native (the aim: at least 0.33)",
                    n.ms_per_iter / w.ms_per_iter
                );
            }
        }
        None => {
            println!("  (no native run saved: `cargo xtask bench --native` adds wasm ÷ native)")
        }
    }
    let persisted = persist_benches(&base_url);
    let sizes = bundle_sizes(&app_site);
    let groups = groups_bench(&app_site);
    persisted.and(sizes).and(groups)
}

/// Runs `tests/e2e/groups-bench.mjs` against the playground (issue 14) and prints its figures:
/// frame times with consumer groups at work, and the assignors side by side on 50 members ×
/// 1,000 partitions.
fn groups_bench(app_site: &Path) -> Result<(), String> {
    println!(
        "\n==> playground with consumer groups at work, 1× speed (headless Chromium; \
         tests/e2e/groups-bench.mjs)"
    );
    let base_url = crate::serve::serve_in_background(app_site.to_path_buf(), false)?;
    let mut cmd = Command::new("node");
    cmd.arg("groups-bench.mjs")
        .current_dir(crate::root().join("tests").join("e2e"))
        .env("BASE_URL", &base_url)
        .env("CHROMIUM", crate::setup::CHROMIUM);
    let (_, json) = run_json(&mut cmd)?;
    print!("{}", groups_report(&json)?);
    Ok(())
}

/// The groups benchmark's figures as text, from groups-bench.mjs's JSON.
fn groups_report(json: &json::Value) -> Result<String, String> {
    let number = |path: &[&str]| {
        let mut value = Some(json);
        for key in path {
            value = value.and_then(|v| v.get(key));
        }
        value
            .and_then(json::Value::number)
            .ok_or_else(|| format!("groups-bench printed no number {}", path.join(".")))
    };
    let mut out = format!(
        "  {:.0} groups × {:.0} members on {:.0} topics × {:.0} partitions, producers at {:.0} \
         records/s ({:.0} groups Stable)\n",
        number(&["setup", "groups"])?,
        number(&["setup", "members"])?,
        number(&["setup", "topics"])?,
        number(&["setup", "partitions"])?,
        number(&["setup", "records_per_second"])?,
        number(&["setup", "stable_groups"])?,
    );
    out.push_str(&format!(
        "  {:<44} {:>8} {:>8} {:>8}\n",
        "frame interval (ms)", "p50", "p95", "frames"
    ));
    for (key, name) in [
        ("groups_view", "groups view"),
        ("cluster_view", "cluster view (lanes)"),
        ("events_view", "event log (baseline: the engine at work)"),
    ] {
        out.push_str(&format!(
            "  {name:<44} {:>8.1} {:>8.1} {:>8.0}\n",
            number(&["frames", key, "p50"])?,
            number(&["frames", key, "p95"])?,
            number(&["frames", key, "n"])?,
        ));
    }
    out.push_str(&format!(
        "  assignors side by side, 50 members × 1,000 partitions, after an edit: median {:.0} ms, \
         max {:.0} ms (the aim: ≤ 50 ms; frame p95 aim: ≤ 20 ms)\n",
        number(&["assignors", "median_ms"])?,
        number(&["assignors", "max_ms"])?,
    ));
    Ok(out)
}

/// Just enough JSON for the harnesses' output: objects, arrays, strings, numbers, literals.
mod json {
    /// A parsed JSON value; objects keep their order.
    #[derive(Clone, Debug, PartialEq)]
    pub(super) enum Value {
        Null,
        Bool(bool),
        Number(f64),
        String(String),
        Array(Vec<Value>),
        Object(Vec<(String, Value)>),
    }

    impl Value {
        pub(super) fn get(&self, key: &str) -> Option<&Value> {
            self.entries()?
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v)
        }

        pub(super) fn entries(&self) -> Option<&[(String, Value)]> {
            match self {
                Value::Object(entries) => Some(entries),
                _ => None,
            }
        }

        pub(super) fn items(&self) -> Option<&[Value]> {
            match self {
                Value::Array(items) => Some(items),
                _ => None,
            }
        }

        pub(super) fn number(&self) -> Option<f64> {
            match self {
                Value::Number(n) => Some(*n),
                _ => None,
            }
        }

        pub(super) fn string(&self) -> Option<&str> {
            match self {
                Value::String(s) => Some(s),
                _ => None,
            }
        }

        pub(super) fn bool(&self) -> Option<bool> {
            match self {
                Value::Bool(b) => Some(*b),
                _ => None,
            }
        }
    }

    /// Parses one JSON document.
    pub(super) fn parse(text: &str) -> Result<Value, String> {
        let mut parser = Parser {
            bytes: text.as_bytes(),
            at: 0,
        };
        let value = parser.value()?;
        parser.skip_space();
        if parser.at == parser.bytes.len() {
            Ok(value)
        } else {
            Err(format!("trailing characters at byte {}", parser.at))
        }
    }

    struct Parser<'a> {
        bytes: &'a [u8],
        at: usize,
    }

    impl Parser<'_> {
        fn skip_space(&mut self) {
            while self.bytes.get(self.at).is_some_and(u8::is_ascii_whitespace) {
                self.at += 1;
            }
        }

        fn error<T>(&self, what: &str) -> Result<T, String> {
            Err(format!("{what} at byte {}", self.at))
        }

        fn expect(&mut self, byte: u8) -> Result<(), String> {
            self.skip_space();
            if self.bytes.get(self.at) == Some(&byte) {
                self.at += 1;
                Ok(())
            } else {
                self.error(&format!("expected '{}'", byte as char))
            }
        }

        fn value(&mut self) -> Result<Value, String> {
            self.skip_space();
            match self.bytes.get(self.at) {
                Some(b'{') => self.object(),
                Some(b'[') => self.array(),
                Some(b'"') => self.string().map(Value::String),
                Some(b't') => self.literal("true", Value::Bool(true)),
                Some(b'f') => self.literal("false", Value::Bool(false)),
                Some(b'n') => self.literal("null", Value::Null),
                Some(b'-' | b'0'..=b'9') => self.number(),
                _ => self.error("expected a value"),
            }
        }

        fn literal(&mut self, word: &str, value: Value) -> Result<Value, String> {
            if self.bytes[self.at..].starts_with(word.as_bytes()) {
                self.at += word.len();
                Ok(value)
            } else {
                self.error("bad literal")
            }
        }

        fn number(&mut self) -> Result<Value, String> {
            let start = self.at;
            while self
                .bytes
                .get(self.at)
                .is_some_and(|b| b.is_ascii_digit() || b"+-.eE".contains(b))
            {
                self.at += 1;
            }
            let text = std::str::from_utf8(&self.bytes[start..self.at]).unwrap_or("");
            match text.parse() {
                Ok(n) => Ok(Value::Number(n)),
                Err(_) => self.error("bad number"),
            }
        }

        fn string(&mut self) -> Result<String, String> {
            self.expect(b'"')?;
            let mut out = Vec::new();
            loop {
                let Some(&byte) = self.bytes.get(self.at) else {
                    return self.error("unterminated string");
                };
                self.at += 1;
                match byte {
                    b'"' => break,
                    b'\\' => {
                        let Some(&escape) = self.bytes.get(self.at) else {
                            return self.error("unterminated escape");
                        };
                        self.at += 1;
                        let ch = match escape {
                            b'"' => '"',
                            b'\\' => '\\',
                            b'/' => '/',
                            b'b' => '\u{8}',
                            b'f' => '\u{c}',
                            b'n' => '\n',
                            b'r' => '\r',
                            b't' => '\t',
                            b'u' => {
                                let hex = self
                                    .bytes
                                    .get(self.at..self.at + 4)
                                    .and_then(|h| std::str::from_utf8(h).ok())
                                    .and_then(|h| u32::from_str_radix(h, 16).ok());
                                self.at += 4;
                                // Surrogate pairs are not needed here; they become U+FFFD.
                                hex.and_then(char::from_u32).unwrap_or('\u{fffd}')
                            }
                            _ => return self.error("bad escape"),
                        };
                        let mut buffer = [0; 4];
                        out.extend_from_slice(ch.encode_utf8(&mut buffer).as_bytes());
                    }
                    _ => out.push(byte),
                }
            }
            String::from_utf8(out).or_else(|_| self.error("string is not UTF-8"))
        }

        fn array(&mut self) -> Result<Value, String> {
            self.expect(b'[')?;
            let mut items = Vec::new();
            self.skip_space();
            if self.bytes.get(self.at) == Some(&b']') {
                self.at += 1;
                return Ok(Value::Array(items));
            }
            loop {
                items.push(self.value()?);
                self.skip_space();
                match self.bytes.get(self.at) {
                    Some(b',') => self.at += 1,
                    Some(b']') => {
                        self.at += 1;
                        return Ok(Value::Array(items));
                    }
                    _ => return self.error("expected ',' or ']'"),
                }
            }
        }

        fn object(&mut self) -> Result<Value, String> {
            self.expect(b'{')?;
            let mut entries = Vec::new();
            self.skip_space();
            if self.bytes.get(self.at) == Some(&b'}') {
                self.at += 1;
                return Ok(Value::Object(entries));
            }
            loop {
                self.skip_space();
                let key = self.string()?;
                self.expect(b':')?;
                entries.push((key, self.value()?));
                self.skip_space();
                match self.bytes.get(self.at) {
                    Some(b',') => self.at += 1,
                    Some(b'}') => {
                        self.at += 1;
                        return Ok(Value::Object(entries));
                    }
                    _ => return self.error("expected ',' or '}'"),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-bench-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn reports_the_groups_benchmark() {
        let text = r#"{"setup":{"groups":3,"members":5,"topics":3,"partitions":12,"records_per_second":2000,"stable_groups":3},"frames":{"groups_view":{"n":367,"p50":16.7,"p95":66.7,"max":166.6},"cluster_view":{"n":203,"p50":50,"p95":116.6,"max":183.3},"events_view":{"n":337,"p50":16.7,"p95":66.8,"max":116.7}},"assignors":{"members":50,"partitions":1000,"edits_ms":[9,5,8],"median_ms":8,"max_ms":9}}"#;
        let report = groups_report(&json::parse(text).expect("json")).expect("a report");
        assert!(
            report.contains("3 groups × 5 members on 3 topics × 12 partitions"),
            "{report}"
        );
        assert!(report.contains("groups view"), "{report}");
        assert!(report.contains("   16.7     66.7      367"), "{report}");
        assert!(report.contains("median 8 ms, max 9 ms"), "{report}");
        assert!(groups_report(&json::parse("{}").expect("json")).is_err());
    }

    #[test]
    fn reads_the_mean_point_estimate() {
        let dir = temp_dir("mean");
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

    #[test]
    fn finds_groups_functions_and_declared_elements() {
        let dir = temp_dir("groups");
        for path in ["b_group/copy_baseline", "b_group/append", "a_group/f/100"] {
            let new = dir.join(path).join("new");
            std::fs::create_dir_all(&new).expect("temp dir");
            std::fs::write(new.join("estimates.json"), "{}").expect("write");
        }
        std::fs::create_dir_all(dir.join("report")).expect("report dir");
        std::fs::create_dir_all(dir.join("empty_group/f")).expect("empty group");
        std::fs::write(
            dir.join("b_group/append/new/benchmark.json"),
            r#"{"group_id":"b_group","function_id":"append","value_str":null,"throughput":{"Elements":100},"full_id":"b_group/append"}"#,
        )
        .expect("write");
        assert_eq!(
            criterion_groups(&dir),
            vec![
                ("a_group".to_owned(), vec!["f/100".to_owned()]),
                (
                    "b_group".to_owned(),
                    vec!["append".to_owned(), "copy_baseline".to_owned()]
                ),
            ]
        );
        assert_eq!(declared_elements(&dir, "b_group", "append"), Some(100));
        assert_eq!(declared_elements(&dir, "b_group", "copy_baseline"), None);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn lists_bench_targets_of_a_manifest() {
        let manifest = r#"
[package]
name = "rill-core"

[[bench]]
name = "append"
harness = false

[[bench]]
harness = false
name = 'compaction'  # a comment

[lints]
name = "not a bench"
"#;
        assert_eq!(bench_targets(manifest), ["append", "compaction"]);
        let core =
            std::fs::read_to_string(crate::root().join("core/Cargo.toml")).expect("core manifest");
        assert!(bench_targets(&core).iter().any(|t| t == "append"));
    }

    #[test]
    fn parses_a_harness_run() {
        let text = r#"{"harness":"wasm","user_agent":"Mozilla/5.0 \"x\" HeadlessChrome/140.0.0.0 \u00e9","cross_origin_isolated":true,
            "cases":{"g/work":{"ms_per_iter":2.5e-2,"iterations":40,"measured_ms":1000},
                     "g/copy_baseline":{"ms_per_iter":0.005,"iterations":200,"measured_ms":1000.5},
                     "lonely/only":{"ms_per_iter":1,"iterations":1,"measured_ms":1,"extra":[null,false,{}]}}}"#;
        let run = HarnessRun::parse(text).expect("valid");
        assert_eq!(run.harness, "wasm");
        assert_eq!(
            run.user_agent.as_deref(),
            Some("Mozilla/5.0 \"x\" HeadlessChrome/140.0.0.0 é")
        );
        assert_eq!(run.cross_origin_isolated, Some(true));
        assert_eq!(run.cases.len(), 3);
        assert_eq!(
            run.case("g/work"),
            Some(&CaseResult {
                id: "g/work".to_owned(),
                ms_per_iter: 0.025,
                iterations: 40,
                measured_ms: 1000.0
            })
        );
        assert_eq!(
            run.baseline_of("g/work").map(|c| c.id.as_str()),
            Some("g/copy_baseline")
        );
        assert_eq!(run.baseline_of("lonely/only"), None);

        // What rill-bench-native prints (Rust's `{:e}` floats) parses too.
        let native = HarnessRun::parse(
            r#"{"harness":"native","cases":{"a/b":{"ms_per_iter":3.7624e-2,"iterations":24794,"measured_ms":932.8}}}"#,
        )
        .expect("valid");
        assert_eq!(native.cases[0].ms_per_iter, 0.037624);
        assert_eq!(native.user_agent, None);

        for bad in [
            "",
            "{",
            r#"{"cases":[]}"#,
            r#"{"cases":{"a/b":{}}}"#,
            "{} x",
            r#"{"a":tru}"#,
        ] {
            assert!(HarnessRun::parse(bad).is_err(), "{bad:?} must not parse");
        }
    }

    #[test]
    fn reports_persistence_figures() {
        let text = r#"{"harness":"persist","user_agent":"x",
            "throughput":{"records_per_batch":100,"value_bytes":100,"batches":1000,"chunk_bytes":10997,"rill_ms":2000,"raw_ms":1600,"memory_ms":500,
                          "in_flight":5,"rill_in_flight_ms":1000,"raw_in_flight_ms":900},
            "fill":{"records":1000000,"batches":10000,"ms":33000},
            "recovery":{"records":1000000,"chunks":10001,"stored_bytes":109970000,"rill_cold_ms":2125.4,"rill_warm_ms":2237,"raw_read_cold_ms":1515,"raw_read_warm_ms":1497,"verified_log_end_offset":1000000},
            "cluster":{"in_flight":5,"brokers":[{"brokers":3,"replication_factor":3,"rill_ms":4000,"raw_ms":1000,"rill_in_flight_ms":2000,"raw_in_flight_ms":900},
                                           {"brokers":1,"replication_factor":1,"latency_ms":0,"rill_ms":1250,"raw_ms":1000,"rill_in_flight_ms":1000,"raw_in_flight_ms":900}]},
            "cluster_recovery":{"brokers":1,"rill_cold_ms":987.6,"rill_warm_ms":500},
            "profile":{"(idle)":586.0,"crc32c::sw::crc32c":72.3}}"#;
        let report = persist_report(&json::parse(text).expect("valid")).expect("complete");
        // 100,000 records in 2 s, 1.6 s and 0.5 s; ÷ baseline is raw time over rill time.
        assert!(report.contains("50000"), "{report}");
        assert!(report.contains("62500"), "{report}");
        assert!(report.contains("200000"), "{report}");
        assert!(report.contains("0.800"), "{report}");
        assert!(report.contains("5 calls in flight"), "{report}");
        assert!(report.contains("0.900"), "{report}");
        assert!(report.contains("2125 ms"), "{report}");
        assert!(report.contains("10001 chunks, 110.0 MB"), "{report}");
        assert!(report.contains("crc32c::sw::crc32c"), "{report}");
        // A run that names no latency ran at 1 ms.
        assert!(
            report.contains("Rill send, brokers 3 (RF 3), 1 ms"),
            "{report}"
        );
        assert!(
            report.contains("Rill send, brokers 1 (RF 1), 0 ms"),
            "{report}"
        );
        assert!(
            report.contains("0.250") && report.contains("0.450"),
            "{report}"
        );
        assert!(report.contains("988 ms"), "{report}");
        let incomplete = json::parse(r#"{"throughput":{"batches":1}}"#).expect("valid");
        assert!(persist_report(&incomplete).is_err());
    }

    #[test]
    fn formats_times_and_rows() {
        assert_eq!(format_ns(95.34), "95.3 ns");
        assert_eq!(format_ns(37_624.0), "37.62 µs");
        assert_eq!(format_ns(213_525_104.0), "213.53 ms");
        assert_eq!(format_ns(2.5e9), "2.50 s");
        let line = row("g/f", 1_000.0, Some(100), Some(110), Some(500.0));
        assert!(line.contains("100000000"), "{line}");
        assert!(line.contains("11000.0"), "{line}");
        assert!(line.trim_end().ends_with("0.500"), "{line}");
        let bare = row("retention/x", 1_000.0, None, None, None);
        assert_eq!(bare.matches('—').count(), 3, "{bare}");
    }
}
