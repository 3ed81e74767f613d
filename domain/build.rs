//! Writes the standard catalogue (`data/catalogue.json`) as a Rust table,
//! `$OUT_DIR/standard_catalogue.rs`, which `Catalogue::standard` builds from: the app
//! then carries neither the file nor the code that parses one (1,5 KB brotli less on the
//! volunteer's entry page). The file stays the one place the catalogue is written, and a
//! test compares the table with the file read by `Catalogue::from_json`.

use serde_json::Value;

fn main() {
    println!("cargo::rerun-if-changed=data/catalogue.json");
    let text = std::fs::read_to_string("data/catalogue.json").expect("reading data/catalogue.json");
    let file: Value = serde_json::from_str(&text).expect("data/catalogue.json is JSON");
    // A Rust string literal (`Debug` of a `str` is one).
    let text = |v: &Value| format!("{:?}", v.as_str().expect("a string"));
    let optional = |v: Option<&Value>| v.map_or("None".to_string(), |v| format!("Some({})", text(v)));
    let number = |v: &Value| v.as_u64().expect("a number");
    let mut out = format!("pub const VERSION: &str = {};\n", text(&file["version"]));
    out += "pub const CONTENTS: &[(u8, &str, &str)] = &[\n";
    for c in file["contents"].as_array().expect("contents") {
        out += &format!("    ({}, {}, {}),\n", number(&c["number"]), text(&c["short"]), text(&c["title"]));
    }
    out += "];\n#[allow(clippy::type_complexity)]\n";
    out += "pub const INDICATORS: &[(&str, &str, &str, KindName, Option<&str>, Option<&str>, Option<u8>)] = &[\n";
    for i in file["indicators"].as_array().expect("indicators") {
        let kind = match i["kind"].as_str() {
            Some("counter") => "Counter",
            Some("level") => "Level",
            Some("flag") => "Flag",
            Some("ratio") => "Ratio",
            other => panic!("indicator {}: unknown kind {other:?}", i["id"]),
        };
        let content = i.get("content").map_or("None".to_string(), |c| format!("Some({})", number(c)));
        out += &format!(
            "    ({}, {}, {}, KindName::{kind}, {}, {}, {content}),\n",
            text(&i["id"]),
            text(&i["label"]),
            text(&i["unit"]),
            optional(i.get("numerator")),
            optional(i.get("denominator")),
        );
    }
    out += "];\n";
    let path = std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("standard_catalogue.rs");
    std::fs::write(path, out).expect("writing the catalogue's table");
}
