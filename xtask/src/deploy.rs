//! Packaging and deployment of the serverless backend and the app.
//!
//! * `package [--arch x86_64|arm64]` — a static `bootstrap` (musl) for AWS Lambda, in
//!   `target/lambda/sotay-api/` (what the template's `CodeUri` names) and zipped beside it.
//!   arm64 links only on an arm64 machine (or with an aarch64 musl cross toolchain).
//! * `deploy --stage S [--region R] [--arch A] [--alarm-email E] [--budget-usd N]` —
//!   package, build the app, `sam deploy` the template (its `Architecture` parameter set to
//!   match, `ScriptHashes` to the SHA-256 of the inline scripts of the app's pages, for the
//!   Content-Security-Policy; a monthly budget telling E when N is given),
//!   upload the app to its bucket (hashed files cached for a year, the pages
//!   (`app::PAGES`) never), and invalidate the pages in CloudFront. Needs the AWS SAM CLI and the AWS CLI,
//!   with credentials of the province's account.

use crate::{app, run, target_dir, tools};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The Lambda architecture asked for (`--arch`, x86_64 by default) and its Rust target.
fn architecture(args: &[String]) -> Result<(&'static str, &'static str)> {
    match setting(args, "--arch").as_deref() {
        None | Some("x86_64") => Ok(("x86_64", "x86_64-unknown-linux-musl")),
        Some("arm64") => Ok(("arm64", "aarch64-unknown-linux-musl")),
        Some(other) => bail!("unknown architecture `{other}`: use x86_64 or arm64"),
    }
}

/// Builds the Lambda binary and returns the folder holding `bootstrap`.
pub fn package(root: &Path, args: &[String]) -> Result<PathBuf> {
    let (_, target) = architecture(args)?;
    tools::lambda_tools(target)?;
    run(Command::new("cargo").args([
        "build",
        "--quiet",
        "--profile",
        "lambda",
        "--target",
        target,
        "-p",
        "functions",
        "--bin",
        "sotay-lambda",
    ]))?;
    let binary = target_dir(root).join(target).join("lambda/sotay-lambda");
    let folder = root.join("target/lambda/sotay-api");
    std::fs::create_dir_all(&folder)?;
    let bootstrap = folder.join("bootstrap");
    std::fs::copy(&binary, &bootstrap).with_context(|| format!("copying {}", binary.display()))?;
    let zip = root.join("target/lambda/sotay-api.zip");
    let _ = std::fs::remove_file(&zip);
    run(Command::new("python3").args(["-m", "zipfile", "-c"]).arg(&zip).arg(&bootstrap))?;
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    println!("bootstrap: {} bytes; zip: {} bytes ({})", size(&bootstrap), size(&zip), zip.display());
    Ok(folder)
}

fn setting(args: &[String], flag: &str) -> Option<String> {
    args.windows(2).find(|w| w[0] == flag).map(|w| w[1].clone())
}

fn output(command: &mut Command) -> Result<String> {
    let out = command.output().with_context(|| format!("starting {command:?}"))?;
    if !out.status.success() {
        bail!("{command:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

pub fn deploy(root: &Path, args: &[String]) -> Result<()> {
    let stage = setting(args, "--stage").context(
        "usage: cargo xtask deploy --stage prod [--region R] [--arch x86_64|arm64] [--alarm-email E] [--budget-usd N]",
    )?;
    let (arch, _) = architecture(args)?;
    let region = setting(args, "--region").unwrap_or_else(|| "ap-southeast-1".into());
    for cli in ["sam", "aws"] {
        if !tools::has(cli) {
            bail!("`{cli}` is not installed: see infra/README.md, prerequisites");
        }
    }
    package(root, args)?;
    tools::build_tools(root)?;
    let dist = app::build(root)?;
    let stack = format!("sotay-{stage}");
    let mut parameters = vec![
        format!("Stage={stage}"),
        format!("Architecture={arch}"),
        format!("ScriptHashes={}", script_hashes(&dist)?),
    ];
    if let Some(email) = setting(args, "--alarm-email") {
        parameters.push(format!("AlarmEmail={email}"));
    }
    if let Some(usd) = setting(args, "--budget-usd") {
        parameters.push(format!("MonthlyBudgetUsd={usd}"));
    }
    run(Command::new("sam")
        .args(["deploy", "--template-file", "infra/template.yaml", "--stack-name", &stack, "--region", &region])
        .args(["--capabilities", "CAPABILITY_IAM", "--resolve-s3", "--no-fail-on-empty-changeset"])
        .arg("--parameter-overrides")
        .args(&parameters))?;
    let stack_output = |key: &str| {
        output(Command::new("aws").args([
            "cloudformation",
            "describe-stacks",
            "--region",
            &region,
            "--stack-name",
            &stack,
            "--query",
            &format!("Stacks[0].Outputs[?OutputKey=='{key}'].OutputValue"),
            "--output",
            "text",
        ]))
    };
    let bucket = format!("s3://{}", stack_output("AppBucketName")?);
    run(Command::new("aws")
        .args(["s3", "sync"])
        .arg(&dist)
        .arg(&bucket)
        // CloudFront compresses by itself; the precompressed copies are the local server's.
        .args(["--delete", "--exclude", ".built-from", "--exclude", "*.br", "--exclude", "*.gz"])
        .args(UNHASHED.iter().flat_map(|file| ["--exclude", file]))
        .args(pages().flat_map(|page| ["--exclude", page]))
        .args(["--cache-control", "public, max-age=31536000, immutable"]))?;
    // The pages name the hashed files: never cached, so no page outlives its files; nor
    // the other files not named by their hash.
    for page in pages().chain(UNHASHED) {
        let mut copy = Command::new("aws");
        copy.args(["s3", "cp"]).arg(dist.join(page)).arg(format!("{bucket}/{page}"));
        copy.args(["--cache-control", "no-cache"]);
        if page.ends_with(".webmanifest") {
            copy.args(["--content-type", "application/manifest+json"]);
        }
        run(&mut copy)?;
    }
    run(Command::new("aws")
        .args(["cloudfront", "create-invalidation", "--distribution-id", &stack_output("DistributionId")?, "--paths"])
        .args(pages().chain(UNHASHED).map(|file| format!("/{file}"))))?;
    println!("Sổ tay Mặt trận ({stage}): {}", stack_output("AppUrl")?);
    Ok(())
}

/// The files of `dist/` besides the pages whose names do not carry their hash: the
/// service worker first of all (a kept one would keep phones on an old build).
const UNHASHED: [&str; 6] =
    ["sw.js", "manifest.webmanifest", "icon.svg", "icon-192.png", "icon-512.png", "icon-maskable-512.png"];

/// The template's `ScriptHashes`: `sha256-…` of each inline script of the pages in `dist`,
/// comma-separated, as the local server computes them (`functions::site`).
fn script_hashes(dist: &Path) -> Result<String> {
    let mut hashes = Vec::new();
    for entry in std::fs::read_dir(dist).with_context(|| format!("reading {}", dist.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "html") {
            hashes.extend(page_script_hashes(&std::fs::read_to_string(&path)?));
        }
    }
    hashes.sort();
    hashes.dedup();
    if hashes.is_empty() {
        bail!("no inline script in the pages of {}: the app would not start", dist.display());
    }
    Ok(hashes.join(","))
}

/// `sha256-…` of each inline script (`<script>` without `src`) of a page, over its exact text.
fn page_script_hashes(html: &str) -> Vec<String> {
    use base64::Engine;
    use sha2::Digest;
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let Some(open_end) = rest[start..].find('>').map(|i| start + i + 1) else { break };
        let Some(close) = rest[open_end..].find("</script").map(|i| open_end + i) else { break };
        if !rest[start..open_end].contains("src=") {
            let digest = sha2::Sha256::digest(&rest.as_bytes()[open_end..close]);
            hashes.push(format!("sha256-{}", base64::engine::general_purpose::STANDARD.encode(digest)));
        }
        rest = &rest[close..];
    }
    hashes
}

/// Every page of the app, the help included: named by no hash, so sent `no-cache`.
fn pages() -> impl Iterator<Item = &'static str> {
    app::PAGES.iter().map(|page| page.file).chain([app::HELP])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_hash_as_the_local_server_hashes_them() {
        // The vector of functions::site's test: both must allow the same script.
        let page = "<head><script src=\"/app.js\"></script></head>\
                    <body><script type=\"module\">\n    import init from \"/app.js\";\n  </script></body>";
        assert_eq!(page_script_hashes(page), ["sha256-LwJUCnEqdmvQSK6TQ+mtqOPGd3B3OjZYscqLT4beB3g="]);
    }
}
