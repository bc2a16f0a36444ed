//! Builds the playground into `target/site`: wasm built with the size-oriented `web` profile,
//! wasm-bindgen glue, `wasm-opt -Oz` by the project's pinned binaryen, static files, and the
//! JavaScript API on its own (`rill_wasm.js` + `rill_wasm_bg.wasm`, the `rill-wasm` bundle a
//! page imports to use `Rill` without the playground).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::run::run;
use crate::setup::{cargo_tool, modified, target_dir};

/// The cargo profile the site's wasm is built with (`[profile.web]` in the workspace
/// `Cargo.toml`: release, optimised for size). Benchmarks keep `release`.
pub(crate) const SITE_PROFILE: &str = "web";

/// Where the built site goes.
pub(crate) fn site_dir() -> PathBuf {
    target_dir().join("site")
}

/// The out-name of the `rill-wasm` bundle in the site: `rill_wasm.js` and `rill_wasm_bg.wasm`.
pub(crate) const RILL_WASM: &str = "rill_wasm";

/// A wasm file cargo built for wasm32 with `profile` (before wasm-bindgen).
pub(crate) fn wasm_build(profile: &str, file: &str) -> PathBuf {
    target_dir()
        .join("wasm32-unknown-unknown")
        .join(profile)
        .join(file)
}

/// What `wasm-opt` does to a bound wasm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Optimise {
    /// `wasm-opt -Oz`, for what the site ships.
    Size,
    /// `wasm-opt -Oz -g`: the same code, with the `name` section kept (for CPU profiles).
    SizeKeepNames,
    /// Nothing: the benchmarks measure rustc's code, as the native runs do.
    None,
}

/// The wasm features rustc 1.95 enables by default for `wasm32-unknown-unknown` (LLVM's
/// `generic` CPU), which `wasm-opt` must accept and may use, and nothing more: a feature the
/// input does not use could let binaryen emit instructions a browser may lack.
pub(crate) const WASM_FEATURES: [&str; 8] = [
    "--enable-bulk-memory",
    "--enable-bulk-memory-opt",
    "--enable-call-indirect-overlong",
    "--enable-multivalue",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-reference-types",
    "--enable-sign-ext",
];

/// Builds the site and returns its directory. Work that is up to date is skipped.
pub(crate) fn build_site() -> Result<PathBuf, String> {
    println!(
        "==> building the playground and the rill-wasm bundle (profile `{SITE_PROFILE}`, wasm32)"
    );
    // Two builds: built together, cargo would unify rill-wasm's features and link the
    // JavaScript API (`js-api`), which the playground does not call, into the playground.
    // rill-wasm is an `rlib` (hashed file names, so both feature sets stay built side by side);
    // its bundle is the same library linked as a `cdylib` here.
    run(Command::new("cargo").args([
        "build",
        "--profile",
        SITE_PROFILE,
        "--package",
        "rill-playground",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;
    run(Command::new("cargo").args([
        "rustc",
        "--profile",
        SITE_PROFILE,
        "--package",
        "rill-wasm",
        "--lib",
        "--crate-type",
        "cdylib",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;
    let site = site_dir();
    let playground = bind_wasm(
        &wasm_build(SITE_PROFILE, "rill-playground.wasm"),
        &site,
        "rill_playground",
        Optimise::Size,
    )?;
    bind_wasm(
        &wasm_build(SITE_PROFILE, "rill_wasm.wasm"),
        &site,
        RILL_WASM,
        Optimise::Size,
    )?;
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
    crate::docs::build_docs(&site)?;
    let size = std::fs::metadata(&playground).map(|m| m.len()).unwrap_or(0);
    println!(
        "==> site ready in {} (playground wasm {} KiB)",
        site.display(),
        size / 1024
    );
    Ok(site)
}

/// Generates `<out_name>.js` and `<out_name>_bg.wasm` in `out_dir` from `wasm` with
/// `wasm-bindgen --target web`, then optimises the wasm as `optimise` says; skipped when they
/// are newer than `wasm`. Returns the `_bg.wasm` path.
pub(crate) fn bind_wasm(
    wasm: &Path,
    out_dir: &Path,
    out_name: &str,
    optimise: Optimise,
) -> Result<PathBuf, String> {
    std::fs::create_dir_all(out_dir)
        .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    let bindgen_out = out_dir.join(format!("{out_name}_bg.wasm"));
    // What made the bundle: a bundle made another way (another binaryen, other flags) is stale.
    let recipe = match optimise {
        Optimise::Size | Optimise::SizeKeepNames => format!(
            "{} {} {}\n",
            crate::setup::BINARYEN_VERSION,
            wasm_opt_flags(optimise).join(" "),
            WASM_FEATURES.join(" ")
        ),
        Optimise::None => "not optimised\n".to_owned(),
    };
    // Kept outside `out_dir`, which is served.
    let stamps = target_dir().join("tools").join("recipes");
    std::fs::create_dir_all(&stamps)
        .map_err(|e| format!("cannot create {}: {e}", stamps.display()))?;
    let served_as = out_dir.file_name().map_or_else(
        || "out".to_owned(),
        |name| name.to_string_lossy().into_owned(),
    );
    let stamp = stamps.join(format!("{served_as}-{out_name}.txt"));
    let stale = match (modified(wasm), modified(&bindgen_out)) {
        (Some(built), Some(bound)) => {
            built > bound || std::fs::read_to_string(&stamp).ok().as_ref() != Some(&recipe)
        }
        _ => true,
    };
    if stale {
        let _ = std::fs::remove_file(&stamp);
        println!("==> generating JavaScript bindings for {out_name}");
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
        if optimise != Optimise::None {
            // A failed or half-written optimisation must not look up to date next time.
            optimize(&bindgen_out, optimise).inspect_err(|_| {
                let _ = std::fs::remove_file(&bindgen_out);
            })?;
        }
        std::fs::write(&stamp, recipe)
            .map_err(|e| format!("cannot write {}: {e}", stamp.display()))?;
    }
    Ok(bindgen_out)
}

/// `wasm-opt`'s optimisation flags for `optimise`.
fn wasm_opt_flags(optimise: Optimise) -> &'static [&'static str] {
    match optimise {
        Optimise::Size => &["-Oz"],
        Optimise::SizeKeepNames => &["-Oz", "-g"],
        Optimise::None => &[],
    }
}

/// Shrinks `wasm` in place with the project's pinned `wasm-opt -Oz` (which also drops the
/// `name` section and other debug information unless `optimise` keeps names). A failure fails
/// the build: the site never ships a wasm that the pinned binaryen could not handle.
fn optimize(wasm: &Path, optimise: Optimise) -> Result<(), String> {
    let version = crate::setup::wasm_opt_version()
        .ok_or("the project's wasm-opt does not run: `cargo xtask setup` installs it")?;
    let before = std::fs::metadata(wasm).map(|m| m.len()).unwrap_or(0);
    println!("==> optimising for size with {version} (a minute or two on 2 cores)");
    let optimized = wasm.with_extension("opt.wasm");
    let started = Instant::now();
    let mut cmd = crate::setup::wasm_opt();
    cmd.args(wasm_opt_flags(optimise))
        .args(WASM_FEATURES)
        .arg(wasm)
        .arg("-o")
        .arg(&optimized);
    if let Err(e) = run(&mut cmd) {
        let _ = std::fs::remove_file(&optimized);
        return Err(e);
    }
    std::fs::rename(&optimized, wasm).map_err(|e| {
        format!(
            "cannot replace {} with its optimised build: {e}",
            wasm.display()
        )
    })?;
    let after = std::fs::metadata(wasm).map(|m| m.len()).unwrap_or(0);
    println!(
        "    {} KiB → {} KiB in {:.0} s",
        before / 1024,
        after / 1024,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Type-checks `tests/e2e/types/kafka-example.ts` (against `rill_wasm.d.ts`),
/// `tests/e2e/types/kafkajs-example.ts` (against `kafkajs.d.ts`) and every JavaScript snippet of README.md's
/// "From JavaScript" section (as written, each its own module) against the generated
/// `rill_wasm.d.ts` and `static/kafkajs.d.ts` with `tsc --noEmit --strict`, in a scratch
/// directory next to the site. Returns the command to run.
pub(crate) fn type_check_command(site: &Path) -> Result<Command, String> {
    let root = crate::root();
    let dir = site.with_file_name("ts-check");
    let _ = std::fs::remove_dir_all(&dir);
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
    copy(&root.join("static/kafkajs.d.ts"), "kafkajs.d.ts")?;
    let mut files = Vec::new();
    for example in ["kafka-example.ts", "kafkajs-example.ts"] {
        copy(&root.join("tests/e2e/types").join(example), example)?;
        files.push(dir.join(example));
    }
    let readme = std::fs::read_to_string(root.join("README.md"))
        .map_err(|e| format!("cannot read README.md: {e}"))?;
    for (i, snippet) in readme_snippets(&readme).into_iter().enumerate() {
        let file = dir.join(format!("readme-{i}.ts"));
        std::fs::write(&file, snippet)
            .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
        files.push(file);
    }
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
        .args(files);
    Ok(command)
}

/// The ```js blocks of README.md's "From JavaScript" section that import rill's modules.
pub(crate) fn readme_snippets(readme: &str) -> Vec<String> {
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("From JavaScript"))
        .unwrap_or_default();
    section
        .split("```js\n")
        .skip(1)
        .filter_map(|block| block.split("\n```").next())
        .filter(|code| code.lines().any(|line| line.starts_with("import ")))
        .map(|code| format!("{code}\n"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::readme_snippets;

    #[test]
    fn readme_snippets_are_the_imports_of_the_javascript_section() {
        let readme = "# x\n```js\nimport a from 'b';\n```\n## From JavaScript\ntext\n```js\nimport { Kafka } from './kafkajs.js';\nnew Kafka();\n```\n```js\nno import here\n```\n```sh\nimport nothing\n```\n## Layout\n```js\nimport c from 'd';\n```\n";
        assert_eq!(
            readme_snippets(readme),
            ["import { Kafka } from './kafkajs.js';\nnew Kafka();\n"]
        );
        let real = std::fs::read_to_string(crate::root().join("README.md")).expect("README");
        assert!(
            readme_snippets(&real).len() >= 3,
            "the README's JavaScript examples"
        );
    }
}
