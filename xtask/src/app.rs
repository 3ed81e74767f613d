//! Builds the WASM app into `dist/`: cargo (size-tuned profile) → wasm-bindgen →
//! wasm-opt → files named by their content hash, and the pages that load them: one
//! entry of the `app` crate per page ([`PAGES`], `app::pages`), so that each page loads
//! only its own screens.
//! Every file a browser fetches is also written compressed beside it (`.br`, `.gz`),
//! once, at build time, for the local server to send as it is. Steps whose input did not
//! change are skipped.

use crate::{run, target_dir};
use anyhow::{Context, Result};
use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A page of the app: the binary of the `app` crate it starts, and its title.
pub struct Page {
    pub file: &'static str,
    pub entry: &'static str,
    pub title: &'static str,
}

/// The pages, each written from `public/page.html`. The first, the volunteer's entry
/// page, runs `public/elsewhere.js` before it loads its WASM: a phone not enrolled, or
/// a join link, goes to the join page, an officer's phone to its own.
pub const PAGES: [Page; 5] = [
    Page { file: "index.html", entry: "app", title: "Sổ tay Mặt trận" },
    Page { file: "tham-gia.html", entry: "join", title: "Sổ tay Mặt trận — Tham gia" },
    Page { file: "tong-hop.html", entry: "ward", title: "Sổ tay Mặt trận — Tổng hợp phường, xã" },
    Page { file: "may.html", entry: "device", title: "Sổ tay Mặt trận — Máy này" },
    Page { file: "officer.html", entry: "officer", title: "Sổ tay Mặt trận — Cán bộ" },
];

/// How a page starts its entry: the WASM is fetched while the JS loads, and `init` takes
/// the pending response. The script runs in the page's head, before its stylesheet (a
/// script after a stylesheet waits for it): both downloads start with the page's first
/// bytes. The app mounts on the body, so `init` waits for it if the JS came first.
const START: &str = "var wasm=fetch(\"/{wasm}\");import(\"/{js}\").then(function(app){function go(){app.default({module_or_path:wasm})}document.body?go():addEventListener(\"DOMContentLoaded\",go)});";

/// The first-time help: `public/huong-dan.html` in `public/page.html`, HTML only (no
/// WASM), its list of the campaign's contents written from the catalogue.
pub const HELP: &str = "huong-dan.html";

/// The files of `public/` that are not copied to `dist/` as they are.
const TEMPLATES: [&str; 6] = ["page.html", "elsewhere.js", "install.js", "style.css", "desk.css", HELP];

/// The script that writes the service worker (`dist/sw.js`) over the built `dist/`.
const SERVICE_WORKER: &str = "xtask/service-worker.mjs";
/// Writes each file a browser fetches compressed beside it (`.br`, `.gz`).
const COMPRESS: &str = "xtask/compress.mjs";

/// The script that minifies JavaScript (terser: the JS glue and the inline scripts) and
/// CSS (lightningcss).
const MINIFY: &str = "xtask/minify.mjs";

/// wasm-opt's settings, chosen for the least brotli (what a phone downloads), measured
/// on the entry page's WASM (2026-12-01): -O2, then flattened and its control flow
/// rebuilt (`--rereloop`), then -O2 again: 137.757 bytes, against 139.482 for -O2,
/// 139.860 for -O3 and 140.252 for -Oz (smaller raw, but it compresses worse). A second
/// flatten, rereloop and -O2 took 375 bytes more off (141.175 → 140.800, later the same
/// day); `--converge` or `--gufa` on top, ≤ 80 more, and a slower build.
const WASM_OPT: [&str; 9] =
    ["-O2", "--flatten", "--rereloop", "-O2", "--flatten", "--rereloop", "-O2", "--strip-debug", "--strip-producers"];

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
    // What dist/ is made from: the pages and each one's WASM, the public files, the settings.
    let mut input = DefaultHasher::new();
    input.write_u64(hash_dir(&root.join("public"))?);
    input.write(WASM_OPT.concat().as_bytes());
    input.write(&std::fs::read(root.join(COMPRESS))?);
    input.write(START.as_bytes());
    input.write(&std::fs::read(root.join(SERVICE_WORKER))?);
    input.write(&std::fs::read(root.join(MINIFY))?);
    for Page { file, entry, title } in &PAGES {
        input.write([*file, *entry, *title].concat().as_bytes());
        let wasm = built.join(format!("{entry}.wasm"));
        input.write(&std::fs::read(&wasm).with_context(|| format!("reading {}", wasm.display()))?);
    }
    let input_hash = format!("{:016x}", input.finish());
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(input_hash.as_str()) {
        return Ok(dist);
    }

    let bindgen_out = target.join("wasm-bindgen");
    for Page { entry, .. } in &PAGES {
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
    run(Command::new("node")
        .arg(root.join(MINIFY))
        .arg("module")
        .args(PAGES.iter().map(|page| bindgen_out.join(format!("{}.js", page.entry)))))?;
    // The pages' inline scripts, minified.
    let scripts = ["elsewhere.js", "install.js"].map(|name| bindgen_out.join(name));
    for file in &scripts {
        std::fs::copy(root.join("public").join(file.file_name().unwrap_or_default()), file)?;
    }
    run(Command::new("node").arg(root.join(MINIFY)).arg("script").args(&scripts))?;
    let [elsewhere, install] = scripts.map(std::fs::read_to_string);
    let (elsewhere, install) = (elsewhere?, install?);

    if dist.exists() {
        std::fs::remove_dir_all(&dist)?;
    }
    std::fs::create_dir_all(&dist)?;
    // The stylesheets, minified: `style.css` holds every page's rules and is all the
    // entry screen loads; the other pages load it with `desk.css` after it, as one file.
    let base = std::fs::read_to_string(root.join("public/style.css"))?;
    let desk = base.clone() + &std::fs::read_to_string(root.join("public/desk.css"))?;
    let sheets =
        [("style", base), ("desk", desk)].map(|(name, css)| (name, bindgen_out.join(format!("{name}.css")), css));
    for (_, file, css) in &sheets {
        std::fs::write(file, css)?;
    }
    run(Command::new("node").arg(root.join(MINIFY)).arg("css").args(sheets.iter().map(|(_, file, _)| file)))?;
    let [style, desk] = sheets.map(|(name, file, _)| hashed_copy(&file, &dist, name, "css"));
    let (style, desk) = (style?, desk?);
    let icon = data_uri(&std::fs::read_to_string(root.join("public/icon.svg"))?);
    let template = std::fs::read_to_string(root.join("public/page.html"))?;
    let page = |title: &str, style: &str, main: &str, script: &str| {
        template
            .replace("{{TITLE}}", title)
            .replace("{{ICON}}", &icon)
            .replace("{{STYLE_CSS}}", style)
            .replace("{{MAIN}}", main)
            .replace("{{SCRIPT}}", script)
    };
    for (i, Page { file, entry, title }) in PAGES.iter().enumerate() {
        let wasm = hashed_copy(&bindgen_out.join(format!("{entry}_bg.opt.wasm")), &dist, entry, "wasm")?;
        let js = hashed_copy(&bindgen_out.join(format!("{entry}.js")), &dist, entry, "js")?;
        let start = START.replace("{wasm}", &wasm).replace("{js}", &js);
        let script = if i == 0 {
            format!("{elsewhere}{install}if(!elsewhere()){{install();{start}}}")
        } else {
            format!("{install}install();{start}")
        };
        std::fs::write(dist.join(file), page(title, if i == 0 { &style } else { &desk }, "", &script))?;
    }
    let contents: String = domain::Catalogue::standard()
        .contents
        .iter()
        .map(|c| format!("      <li>{}</li>\n", escape(&c.short)))
        .collect();
    let help = std::fs::read_to_string(root.join("public").join(HELP))?.replace("{{CONTENTS}}\n", &contents);
    anyhow::ensure!(!help.contains("{{"), "public/{HELP}: a placeholder left unfilled");
    let script = format!("{install}install();");
    std::fs::write(dist.join(HELP), page("Sổ tay Mặt trận — Hướng dẫn", &desk, &help, &script))?;
    for entry in std::fs::read_dir(root.join("public"))? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        if !TEMPLATES.contains(&name.as_str()) && path.is_file() {
            std::fs::copy(&path, dist.join(&name))?;
        }
    }
    run(Command::new("node").arg(root.join(SERVICE_WORKER)).arg(&dist))?;
    run(Command::new("node").arg(root.join(COMPRESS)).arg(&dist))?;
    std::fs::write(&stamp, input_hash)?;
    Ok(dist)
}

/// Text written into HTML as it reads.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
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

/// Copies `file` into `dist` as `stem-<hash>.ext` and returns that name. The hash is the
/// first 16 hex digits of the content's SHA-256: a name never changes meaning, so the
/// server may let browsers keep such a file for good (`functions::site`).
fn hashed_copy(file: &Path, dist: &Path, stem: &str, ext: &str) -> Result<String> {
    use sha2::Digest;
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let digest = sha2::Sha256::digest(&bytes);
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let name = format!("{stem}-{hex}.{ext}");
    std::fs::write(dist.join(&name), bytes)?;
    Ok(name)
}
