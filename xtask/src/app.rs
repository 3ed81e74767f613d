//! Builds the WASM app into `dist/`: cargo (size-tuned profile) → wasm-bindgen →
//! wasm-opt → files named by their content hash, and `index.html` that loads them.
//! Steps whose input did not change are skipped.

use crate::{run, target_dir};
use anyhow::{Context, Result};
use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Builds the app and returns the `dist/` directory.
pub fn build(root: &Path) -> Result<PathBuf> {
    let target = target_dir(root);
    run(Command::new("cargo").args([
        "build",
        "--quiet",
        "-p",
        "app",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm-release",
    ]))?;
    let wasm = target.join("wasm32-unknown-unknown/wasm-release/app.wasm");
    let wasm_bytes = std::fs::read(&wasm).with_context(|| format!("reading {}", wasm.display()))?;
    let dist = root.join("dist");
    let stamp = dist.join(".built-from");
    let input_hash = format!("{:016x}", hash(&wasm_bytes) ^ hash_dir(&root.join("public"))?);
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(input_hash.as_str()) {
        return Ok(dist);
    }

    let bindgen_out = target.join("wasm-bindgen");
    run(Command::new("wasm-bindgen")
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(&bindgen_out)
        .arg(&wasm))?;
    let optimized = bindgen_out.join("app_bg.opt.wasm");
    run(Command::new(root.join("node_modules/.bin/wasm-opt"))
        .args(["-Oz", "--strip-debug", "--strip-producers"])
        .arg(bindgen_out.join("app_bg.wasm"))
        .arg("-o")
        .arg(&optimized))?;

    if dist.exists() {
        std::fs::remove_dir_all(&dist)?;
    }
    std::fs::create_dir_all(&dist)?;
    let wasm_name = hashed_copy(&optimized, &dist, "app", "wasm")?;
    let js_name = hashed_copy(&bindgen_out.join("app.js"), &dist, "app", "js")?;
    let css_name = hashed_copy(&root.join("public/style.css"), &dist, "style", "css")?;
    for entry in std::fs::read_dir(root.join("public"))? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        if name != "index.html" && name != "style.css" && path.is_file() {
            std::fs::copy(&path, dist.join(&name))?;
        }
    }
    let index = std::fs::read_to_string(root.join("public/index.html"))?
        .replace("{{APP_JS}}", &js_name)
        .replace("{{APP_WASM}}", &wasm_name)
        .replace("{{STYLE_CSS}}", &css_name);
    std::fs::write(dist.join("index.html"), index)?;
    std::fs::write(&stamp, input_hash)?;
    Ok(dist)
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
