//! Build automation, the project's one entry point: `cargo xtask <command>`.
//!
//! * `serve [--addr A] [--data F]` — install the build tools, build the app, start the local
//!   server (its release build).
//! * `test` — install what the tests need, run every test (Rust, the API against its
//!   description with schemathesis, then the browser end-to-end tests).
//! * `build` — build the WASM app into `dist/`.
//! * `bench` — criterion benchmarks, the app's sizes, and its loads as a browser transfers them.
//! * `package` — the static Lambda `bootstrap`; `deploy --stage S` — the AWS deployment.

mod app;
mod deploy;
mod tools;

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = root()?;
    std::env::set_current_dir(&root)?;
    match args.first().map(String::as_str) {
        Some("serve") => serve(&root, &args[1..]),
        Some("test") => test(&root),
        Some("build") => {
            tools::build_tools(&root)?;
            app::build(&root).map(|_| ())
        }
        Some("bench") => bench(&root),
        Some("package") => deploy::package(&root, &args[1..]).map(|_| ()),
        Some("deploy") => deploy::deploy(&root, &args[1..]),
        _ => bail!(
            "usage: cargo xtask serve [--addr 127.0.0.1:8080] [--data data/sotay.redb] | test | build | bench \
             | package [--arch x86_64|arm64] | deploy --stage prod [--region ap-southeast-1] [--arch x86_64|arm64] \
             [--alarm-email E] [--budget-usd N]"
        ),
    }
}

/// The workspace root: the one `cargo xtask` was run in, found from the current
/// directory at run time. (Not the path compiled into this binary: with a target
/// directory shared by two clones, that would be the clone that built it.)
fn root() -> Result<PathBuf> {
    let here = std::env::current_dir()?;
    workspace_of(&here).with_context(|| format!("{} is in no Cargo workspace with an xtask", here.display()))
}

/// The nearest directory at or above `dir` with a `Cargo.toml` of a workspace and `xtask/`.
fn workspace_of(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| {
            d.join("xtask").is_dir()
                && std::fs::read_to_string(d.join("Cargo.toml")).is_ok_and(|toml| toml.contains("[workspace]"))
        })
        .map(Path::to_path_buf)
}

/// Cargo's target directory (CI may point `CARGO_TARGET_DIR` elsewhere).
pub fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"))
}

/// Runs a command, failing with its name if it fails.
pub fn run(command: &mut Command) -> Result<()> {
    let status = command.status().with_context(|| format!("starting {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed with {status}");
    }
    Ok(())
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// Builds the local server binary (dev profile, shared with the tests) and returns its path.
fn build_server(root: &Path) -> Result<PathBuf> {
    run(cargo().args(["build", "--quiet", "-p", "functions", "--bin", "sotay-local"]))?;
    Ok(target_dir(root).join("debug/sotay-local"))
}

/// Builds the local server as it runs in production (release profile) and returns its path.
fn build_release_server(root: &Path) -> Result<PathBuf> {
    run(cargo().args(["build", "--quiet", "--release", "-p", "functions", "--bin", "sotay-local"]))?;
    Ok(target_dir(root).join("release/sotay-local"))
}

fn serve(root: &Path, args: &[String]) -> Result<()> {
    tools::build_tools(root)?;
    let dist = app::build(root)?;
    let server = build_release_server(root)?;
    // To try the app: a new data file is given the demo tree from the seed articles.
    run(Command::new(server).arg("--dist").arg(dist).arg("--demo").arg("1").args(args))
}

fn test(root: &Path) -> Result<()> {
    tools::build_tools(root)?;
    tools::test_tools(root)?;
    if tools::has("cargo-nextest") {
        run(cargo().args(["nextest", "run", "--workspace", "--exclude", "app", "--exclude", "benches"]))?;
    } else {
        run(cargo().args(["test", "--workspace", "--exclude", "app", "--exclude", "benches"]))?;
    }
    // Doc tests (the protocol's two-device example); nextest does not run them.
    run(cargo().args(["test", "--quiet", "--doc", "-p", "domain"]))?;
    // The app's logic in plain types, natively (its views are tested in the browser).
    run(cargo().args(["test", "--quiet", "-p", "app", "--lib"]))?;
    eprintln!("xtask: cfn-lint infra/template.yaml");
    run(Command::new("python3").args([
        "-c",
        "import sys, cfnlint.runner; sys.exit(cfnlint.runner.main())",
        "infra/template.yaml",
    ]))?;
    let server = build_server(root)?;
    // The API against its OpenAPI description (schemathesis), with a token of each role.
    eprintln!("xtask: schemathesis against the local server");
    run(Command::new("python3").arg("tests/tools/api_conformance.py").arg(&server))?;
    let dist = app::build(root)?;
    // The whole app, once over each store: the local default, then DynamoDB (moto).
    for store in ["embedded", "dynamodb"] {
        eprintln!("xtask: end-to-end tests over the {store} store");
        run(Command::new("node")
            .args(["--test", "--test-concurrency=1", "tests/e2e/"])
            .env("SOTAY_SERVER", &server)
            .env("SOTAY_DIST", &dist)
            .env("SOTAY_E2E_STORE", store))?;
    }
    // The seeds' demo (`sotay-local load-demo`) opened in the browser, over the local
    // default: over moto, loading it takes minutes (its 770 honours each read the others).
    eprintln!("xtask: the seeds' demo in the browser");
    run(Command::new("node")
        .args(["--test", "--test-concurrency=1", "tests/demo/"])
        .env("SOTAY_SERVER", &server)
        .env("SOTAY_DIST", &dist)
        .env("SOTAY_E2E_STORE", "embedded"))?;
    Ok(())
}

fn bench(root: &Path) -> Result<()> {
    tools::build_tools(root)?;
    tools::test_tools(root)?;
    let dist = app::build(root)?;
    run(Command::new("node").arg("tests/tools/sizes.mjs").arg(&dist))?;
    // The loads as Chromium transfers them from the local server.
    let server = build_server(root)?;
    run(Command::new("node").arg("tests/tools/transfer.mjs").env("SOTAY_SERVER", &server).env("SOTAY_DIST", &dist))?;
    // Timings over the server as it runs in production: Lighthouse's mobile preset, a new
    // phone's join page on a slow network, an offline start and a save on the phone, and
    // how many entries its storage holds.
    let release = build_release_server(root)?;
    for script in ["lighthouse.mjs", "slow_network.mjs", "speed.mjs", "capacity.mjs"] {
        run(Command::new("node")
            .arg(Path::new("tests/tools").join(script))
            .env("SOTAY_SERVER", &release)
            .env("SOTAY_DIST", &dist))?;
    }
    run(cargo().args(["run", "-q", "-p", "benches", "--example", "wire_bytes"]))?;
    run(cargo().args(["bench", "-p", "benches"]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workspace_is_found_from_where_xtask_runs() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        assert_eq!(workspace_of(&root.join("app/src")).as_deref(), Some(root));
        assert_eq!(workspace_of(root).as_deref(), Some(root));
        assert_eq!(workspace_of(&root.join("xtask")).as_deref(), Some(root));
        assert_eq!(workspace_of(Path::new("/")), None);
    }

    #[test]
    fn a_directory_with_an_xtask_is_a_workspace_only_if_its_manifest_says_so() {
        let dir = std::env::temp_dir().join(format!("sotay-xtask-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("xtask")).unwrap();
        std::fs::write(dir.join("Cargo.toml"), "[package]\nname = \"one\"\n").unwrap();
        assert_eq!(workspace_of(&dir.join("xtask")), None);
        std::fs::write(dir.join("Cargo.toml"), "[workspace]\nmembers = [\"xtask\"]\n").unwrap();
        assert_eq!(workspace_of(&dir.join("xtask")), Some(dir.clone()));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
