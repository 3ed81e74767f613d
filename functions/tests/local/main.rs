//! The local server's commands for provincial IT, run as the real `sotay-local` binary over
//! a fresh data file: a province loaded from the bundled dataset, once; its administrator's
//! join link; a province not on today's map refused with a Vietnamese message.

use std::process::{Command, Output};

fn sotay_local(data: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sotay-local"))
        .args(args)
        .arg("--data")
        .arg(data)
        .env_remove("RUST_BACKTRACE")
        .env_remove("SOTAY_PROVINCE")
        .env_remove("SOTAY_STORE")
        .env_remove("SOTAY_ADMIN_UNIT")
        .output()
        .expect("sotay-local runs")
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn a_province_loads_once_and_its_administrator_can_join() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("sotay.redb");
    let first = stdout(&sotay_local(&data, &["load-units", "--province", "Thái Nguyên"]));
    assert!(
        first.starts_with(
            "Đã thêm 392 đơn vị từ bộ dữ liệu vietnamadminunits 1.0.4: 93 của bản đồ hiện nay, 299 trước 1/7/2025"
        ),
        "{first}"
    );
    let id = regex_lite::Regex::new(r"create-admin --unit (u-[a-z0-9]{12})").unwrap();
    let province = id.captures(&first).expect("the id of today's province")[1].to_string();
    let again = stdout(&sotay_local(&data, &["load-units", "--province", "19"]));
    assert!(again.starts_with("Đã thêm 0 đơn vị"), "loaded again: {again}");

    let admin = stdout(&sotay_local(&data, &["create-admin", "--unit", &province]));
    assert!(admin.contains("Mã tham gia của quản trị cấp tỉnh"), "{admin}");
    assert!(admin.contains("/#join="), "{admin}");

    let refused = sotay_local(&data, &["load-units", "--province", "Bắc Kạn"]);
    assert!(!refused.status.success());
    let said = String::from_utf8(refused.stderr).unwrap();
    assert!(
        said.contains(
            "Không có tỉnh, thành phố \"Bắc Kạn\" trên bản đồ từ 1/7/2025 (từ 1/7/2025 thuộc Tỉnh Thái Nguyên)."
        ),
        "{said}"
    );
    let unnamed = sotay_local(&data, &["load-units"]);
    assert!(!unnamed.status.success(), "no province named");
}
