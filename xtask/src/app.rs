//! Builds the WASM app into `dist/`: cargo (size-tuned profile) → wasm-bindgen →
//! wasm-opt → files named by their content hash, and the pages that load them. Three
//! entries of the `app` crate: `app` (the volunteer's, `index.html`), `officer` (the
//! officers' screens, `officer.html`) and `device` (the volunteer's "Máy này" page,
//! `may.html`: backups, cells to review), so a volunteer's first load carries neither.
//! Every file a browser fetches is also written compressed beside it (`.br`, `.gz`),
//! once, at build time, for the local server to send as it is. Steps whose input did not
//! change are skipped.

use crate::{run, target_dir};
use anyhow::{Context, Result};
use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Each entry: the binary of the `app` crate and the page (a template in `public/`) that
/// loads it. A page's template names its files `{{APP_JS}}`, `{{APP_WASM}}`, `{{ICON}}` (a `data:` URI),
/// `{{OFFICER_JS}}`, `{{OFFICER_WASM}}`, `{{DEVICE_JS}}`, `{{DEVICE_WASM}}`, `{{STYLE_CSS}}`.
const ENTRIES: [(&str, &str); 3] = [("app", "index.html"), ("officer", "officer.html"), ("device", "may.html")];

/// wasm-opt's settings. -O3 rather than -Oz: 3 % more raw bytes, but 0,7 KB less brotli
/// (what a phone downloads) and faster code.
const WASM_OPT: [&str; 3] = ["-O3", "--strip-debug", "--strip-producers"];

/// Builds the app and returns the `dist/` directory.
pub fn build(root: &Path) -> Result<PathBuf> {
    let target = target_dir(root);
    let mut cargo = Command::new("cargo");
    cargo.args(["build", "--quiet", "-p", "app", "--target", "wasm32-unknown-unknown", "--profile", "wasm-release"]);
    // Leptos' type-erased views: 2,2 KB brotli less than one type per view (measured on
    // app.wasm, 2026-12-01). A caller's `RUSTFLAGS` takes precedence over this setting.
    cargo.args(["--config", r#"target.wasm32-unknown-unknown.rustflags=["--cfg", "erase_components"]"#]);
    // The version officers see in the device list.
    if let Some(version) = git_version(root) {
        cargo.env("SOTAY_APP_VERSION", version);
    }
    run(&mut cargo)?;
    let built = target.join("wasm32-unknown-unknown/wasm-release");
    let dist = root.join("dist");
    let stamp = dist.join(".built-from");
    // What dist/ is made from: both entries' WASM, the public files, the settings.
    let mut input = DefaultHasher::new();
    input.write_u64(hash_dir(&root.join("public"))?);
    input.write(WASM_OPT.concat().as_bytes());
    input.write(PRECOMPRESSED.concat().as_bytes());
    for (entry, _) in ENTRIES {
        let wasm = built.join(format!("{entry}.wasm"));
        input.write(&std::fs::read(&wasm).with_context(|| format!("reading {}", wasm.display()))?);
    }
    let input_hash = format!("{:016x}", input.finish());
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(input_hash.as_str()) {
        return Ok(dist);
    }

    let bindgen_out = target.join("wasm-bindgen");
    for (entry, _) in ENTRIES {
        run(Command::new("wasm-bindgen")
            .args(["--target", "web", "--no-typescript", "--out-dir"])
            .arg(&bindgen_out)
            .arg(built.join(format!("{entry}.wasm"))))?;
        run(Command::new(root.join("node_modules/.bin/wasm-opt"))
            .args(WASM_OPT)
            .arg(bindgen_out.join(format!("{entry}_bg.wasm")))
            .arg("-o")
            .arg(bindgen_out.join(format!("{entry}_bg.opt.wasm"))))?;
    }

    if dist.exists() {
        std::fs::remove_dir_all(&dist)?;
    }
    std::fs::create_dir_all(&dist)?;
    let mut names = vec![
        ("{{STYLE_CSS}}".to_string(), hashed_copy(&root.join("public/style.css"), &dist, "style", "css")?),
        ("{{ICON}}".to_string(), data_uri(&std::fs::read_to_string(root.join("public/icon.svg"))?)),
    ];
    for (entry, _) in ENTRIES {
        let upper = entry.to_uppercase();
        let wasm = hashed_copy(&bindgen_out.join(format!("{entry}_bg.opt.wasm")), &dist, entry, "wasm")?;
        let js = hashed_copy(&bindgen_out.join(format!("{entry}.js")), &dist, entry, "js")?;
        names.push((format!("{{{{{upper}_WASM}}}}"), wasm));
        names.push((format!("{{{{{upper}_JS}}}}"), js));
    }
    let pages: Vec<&str> = ENTRIES.iter().map(|(_, page)| *page).collect();
    for entry in std::fs::read_dir(root.join("public"))? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        if !pages.contains(&name.as_str()) && name != "style.css" && path.is_file() {
            std::fs::copy(&path, dist.join(&name))?;
        }
    }
    for page in pages {
        let mut html = std::fs::read_to_string(root.join("public").join(page))?;
        for (placeholder, name) in &names {
            html = html.replace(placeholder, name);
        }
        std::fs::write(dist.join(page), html)?;
    }
    precompress(&dist)?;
    std::fs::write(&stamp, input_hash)?;
    Ok(dist)
}

/// The page icon as a `data:` URI, written into the pages: one request fewer on the
/// volunteer's first load (≈ 0,7 KB with its headers).
fn data_uri(svg: &str) -> String {
    let escaped: String = svg
        .trim()
        .chars()
        .map(|c| match c {
            '#' => "%23".to_string(),
            '<' => "%3C".to_string(),
            '>' => "%3E".to_string(),
            '"' => "'".to_string(),
            '\n' => " ".to_string(),
            c => c.to_string(),
        })
        .collect();
    format!("data:image/svg+xml,{escaped}")
}

/// What is written compressed, and how: what a browser fetches, brotli at its best
/// (quality 11, the largest window) and gzip at level 9 for browsers without brotli.
const PRECOMPRESSED: [&str; 5] = ["wasm", "js", "css", "html", "svg"];

/// Writes `name.br` and `name.gz` beside each file of `dist` a browser fetches.
fn precompress(dist: &Path) -> Result<()> {
    use std::io::Write;
    for entry in std::fs::read_dir(dist)? {
        let path = entry?.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
        if !PRECOMPRESSED.contains(&ext) {
            continue;
        }
        let bytes = std::fs::read(&path)?;
        let mut br = Vec::new();
        let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 24, ..Default::default() };
        brotli::BrotliCompress(&mut bytes.as_slice(), &mut br, &params)?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&bytes)?;
        std::fs::write(path.with_extension(format!("{ext}.br")), br)?;
        std::fs::write(path.with_extension(format!("{ext}.gz")), gz.finish()?)?;
    }
    Ok(())
}

/// The commit the app is built from (`d952baf`, `d952baf-dirty`), if git knows it.
fn git_version(root: &Path) -> Option<String> {
    let out = Command::new("git")
        .args(["describe", "--always", "--dirty", "--abbrev=7"])
        .current_dir(root)
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let version = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!version.is_empty()).then_some(version)
}

fn hash(bytes: &[u8]) -> u64 {
    let mut hasher = DefaultHasher::new();
    hasher.write(bytes);
    hasher.finish()
}

fn hash_dir(dir: &Path) -> Result<u64> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    names.sort();
    let mut hasher = DefaultHasher::new();
    for path in names.iter().filter(|p| p.is_file()) {
        hasher.write(path.to_string_lossy().as_bytes());
        hasher.write(&std::fs::read(path)?);
    }
    Ok(hasher.finish())
}

/// Copies `file` into `dist` as `stem-<hash>.ext` and returns that name.
fn hashed_copy(file: &Path, dist: &Path, stem: &str, ext: &str) -> Result<String> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let name = format!("{stem}-{:08x}.{ext}", hash(&bytes) as u32);
    std::fs::write(dist.join(&name), bytes)?;
    Ok(name)
}
