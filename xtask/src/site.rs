//! Builds the playground into `target/site`: release wasm, wasm-bindgen glue, static files, and
//! the JavaScript API on its own (`rill_wasm.js` + `rill_wasm_bg.wasm`, the `rill-wasm` bundle
//! a page imports to use `Rill` without the playground).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::run::run;
use crate::setup::cargo_tool;

/// Where the built site goes.
pub(crate) fn site_dir() -> PathBuf {
    target_dir().join("site")
}

/// The cargo target directory.
pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| crate::root().join("target"), PathBuf::from)
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The out-name of the `rill-wasm` bundle in the site: `rill_wasm.js` and `rill_wasm_bg.wasm`.
pub(crate) const RILL_WASM: &str = "rill_wasm";

/// The `rill-wasm` cdylib as cargo builds it (before wasm-bindgen).
pub(crate) fn rill_wasm_build() -> PathBuf {
    target_dir().join("wasm32-unknown-unknown/release/rill_wasm.wasm")
}

/// Builds the site and returns its directory. Work that is up to date is skipped.
pub(crate) fn build_site() -> Result<PathBuf, String> {
    println!("==> building the playground and the rill-wasm bundle (release, wasm32)");
    run(Command::new("cargo").args([
        "build",
        "--release",
        "--package",
        "rill-playground",
        "--package",
        "rill-wasm",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;
    let wasm = target_dir().join("wasm32-unknown-unknown/release/rill-playground.wasm");
    let site = site_dir();
    let bindgen_out = bind_wasm(&wasm, &site, "rill_playground")?;
    bind_wasm(&rill_wasm_build(), &site, RILL_WASM)?;
    let static_dir = crate::root().join("static");
    let entries = std::fs::read_dir(&static_dir)
        .map_err(|e| format!("cannot read {}: {e}", static_dir.display()))?;
    for entry in entries.flatten() {
        let from = entry.path();
        if from.is_file() {
            let to = site.join(entry.file_name());
            std::fs::copy(&from, &to)
                .map_err(|e| format!("cannot copy {}: {e}", from.display()))?;
        }
    }
    let size = std::fs::metadata(&bindgen_out)
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "==> site ready in {} (wasm {} KiB)",
        site.display(),
        size / 1024
    );
    Ok(site)
}

/// Generates `<out_name>.js` and `<out_name>_bg.wasm` in `out_dir` from `wasm` with
/// `wasm-bindgen --target web`, then optimises the wasm; skipped when they are newer than
/// `wasm`. Returns the `_bg.wasm` path.
pub(crate) fn bind_wasm(wasm: &Path, out_dir: &Path, out_name: &str) -> Result<PathBuf, String> {
    std::fs::create_dir_all(out_dir)
        .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    let bindgen_out = out_dir.join(format!("{out_name}_bg.wasm"));
    let stale = match (modified(wasm), modified(&bindgen_out)) {
        (Some(built), Some(bound)) => built > bound,
        _ => true,
    };
    if stale {
        println!("==> generating JavaScript bindings");
        let mut bindgen = cargo_tool("wasm-bindgen");
        bindgen.args(["--target", "web"]);
        // Only the JS API has TypeScript users (its `.d.ts` is checked by `cargo xtask test`).
        if out_name != RILL_WASM {
            bindgen.arg("--no-typescript");
        }
        bindgen
            .args(["--out-name", out_name, "--out-dir"])
            .arg(out_dir)
            .arg(wasm);
        run(&mut bindgen)?;
        optimize(&bindgen_out);
    }
    Ok(bindgen_out)
}

/// Shrinks the wasm with binaryen's `wasm-opt` when it is installed; the site works without.
fn optimize(wasm: &Path) {
    let Some(version) = crate::run::version_of("wasm-opt") else {
        println!(
            "    (wasm-opt not found: skipping size optimisation; `apt-get install binaryen` adds it)"
        );
        return;
    };
    println!("==> optimising with {version}");
    let optimized = wasm.with_extension("opt.wasm");
    let status = Command::new("wasm-opt")
        .args([
            "-O3",
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
            "--enable-sign-ext",
        ])
        .args([
            "--enable-reference-types",
            "--enable-multivalue",
            "--enable-mutable-globals",
        ])
        .arg(wasm)
        .arg("-o")
        .arg(&optimized)
        .status();
    match status {
        Ok(s) if s.success() => {
            if let Err(e) = std::fs::rename(&optimized, wasm) {
                println!("    (could not replace the wasm with the optimised one: {e})");
            }
        }
        _ => {
            let _ = std::fs::remove_file(&optimized);
            println!("    (wasm-opt failed: keeping the unoptimised wasm)");
        }
    }
}

/// Type-checks `tests/e2e/types/kafka-example.ts` against the generated `rill_wasm.d.ts` with
/// `tsc --noEmit --strict`, in a scratch directory next to the site. Returns the command to run.
pub(crate) fn type_check_command(site: &Path) -> Result<Command, String> {
    let root = crate::root();
    let dir = site.with_file_name("ts-check");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let copy = |from: &Path, name: &str| {
        std::fs::copy(from, dir.join(name))
            .map(|_| ())
            .map_err(|e| format!("cannot copy {}: {e}", from.display()))
    };
    copy(
        &site.join(format!("{RILL_WASM}.d.ts")),
        &format!("{RILL_WASM}.d.ts"),
    )?;
    let example = root.join("tests/e2e/types/kafka-example.ts");
    copy(&example, "kafka-example.ts")?;
    let tsc = root.join("tests/e2e/node_modules/typescript/bin/tsc");
    let mut command = Command::new("node");
    command
        .arg(tsc)
        .args([
            "--noEmit",
            "--strict",
            "--target",
            "es2022",
            "--module",
            "esnext",
            "--moduleResolution",
            "bundler",
            "--lib",
            "esnext,dom",
        ])
        .arg(dir.join("kafka-example.ts"));
    Ok(command)
}
