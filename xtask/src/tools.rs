//! Installs what builds and tests need on a fresh machine, each from its registry:
//! the wasm32 target (rustup), the wasm-bindgen CLI of exactly the version in
//! Cargo.lock (crates.io), wasm-opt, workbox-build and playwright-core (npm), moto, cfn-lint and
//! schemathesis (PyPI), Chromium (Debian).

use crate::run;
use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;

/// True when `program` runs.
pub fn has(program: &str) -> bool {
    let mut command = Command::new("cargo");
    let command = if let Some(sub) = program.strip_prefix("cargo-") {
        command.args([sub, "--version"])
    } else {
        command = Command::new(program);
        command.arg("--version")
    };
    command.output().map(|o| o.status.success()).unwrap_or(false)
}

/// The version of a package pinned in Cargo.lock.
fn locked_version(root: &Path, package: &str) -> Result<String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).context("reading Cargo.lock")?;
    let marker = format!("name = \"{package}\"\nversion = \"");
    let start = lock.find(&marker).with_context(|| format!("{package} is not in Cargo.lock"))? + marker.len();
    Ok(lock[start..].split('"').next().unwrap_or_default().to_string())
}

/// The wasm32 target, the matching wasm-bindgen CLI, and the npm tools.
pub fn build_tools(root: &Path) -> Result<()> {
    let targets = Command::new("rustup").args(["target", "list", "--installed"]).output()?;
    if !String::from_utf8_lossy(&targets.stdout).contains("wasm32-unknown-unknown") {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    let wanted = locked_version(root, "wasm-bindgen")?;
    let installed =
        Command::new("wasm-bindgen").arg("--version").output().map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    if !installed.as_deref().unwrap_or_default().contains(&wanted) {
        eprintln!("xtask: installing wasm-bindgen-cli {wanted} (takes a few minutes, once)");
        // Without --locked: its lockfile names a crate version the registry lacks.
        // --force: cargo may still list a CLI whose binary is gone.
        run(Command::new("cargo").args(["install", "--quiet", "--force", "wasm-bindgen-cli", "--version", &wanted]))?;
    }
    let lock_stamp = root.join("node_modules/.package-lock.json");
    let stale = match (std::fs::metadata(&lock_stamp), std::fs::metadata(root.join("package-lock.json"))) {
        (Ok(installed), Ok(lock)) => installed.modified()? < lock.modified()?,
        _ => true,
    };
    if stale || !root.join("node_modules/.bin/wasm-opt").exists() || !root.join("node_modules/workbox-build").exists() {
        run(Command::new("npm").args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]))?;
    }
    Ok(())
}

/// What the tests need beyond the build: moto's DynamoDB server, cfn-lint and
/// schemathesis (PyPI), Chromium (Debian).
pub fn test_tools(_root: &Path) -> Result<()> {
    let python_has = |module: &str| {
        Command::new("python3").args(["-c", &format!("import {module}")]).output().is_ok_and(|o| o.status.success())
    };
    if !python_has("moto.moto_server.werkzeug_app") || !python_has("cfnlint") || !python_has("schemathesis") {
        eprintln!("xtask: installing moto, cfn-lint and schemathesis from PyPI");
        run(Command::new("python3").args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "moto[server]==5.2.5",
            "cfn-lint==1.58.0",
            "schemathesis==4.32.5",
        ]))?;
    }
    // Chromium for the browser tests; LibreOffice (without its desktop) to open the
    // downloaded workbook.
    let missing: Vec<&str> = [("/usr/bin/chromium", "chromium"), ("/usr/bin/soffice", "libreoffice-calc-nogui")]
        .into_iter()
        .filter(|(path, _)| !Path::new(path).exists())
        .map(|(_, package)| package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !has("apt-get") {
        bail!("the end-to-end tests need Debian's packages {missing:?} (Chromium at /usr/bin/chromium, soffice)");
    }
    eprintln!("xtask: installing {missing:?} from Debian's packages");
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// The musl target and C toolchain for static Lambda binaries (the TLS crypto is C).
pub fn lambda_tools(target: &str) -> Result<()> {
    let targets = Command::new("rustup").args(["target", "list", "--installed"]).output()?;
    if !String::from_utf8_lossy(&targets.stdout).contains(target) {
        run(Command::new("rustup").args(["target", "add", target]))?;
    }
    if !Path::new("/usr/bin/musl-gcc").exists() {
        if !has("apt-get") {
            bail!("static Lambda builds need musl-gcc (Debian package `musl-tools`)");
        }
        run(Command::new("apt-get").args(["update", "-qq"]))?;
        run(Command::new("apt-get")
            .args(["install", "-y", "-qq", "--no-install-recommends", "musl-tools"])
            .env("DEBIAN_FRONTEND", "noninteractive"))?;
    }
    Ok(())
}
