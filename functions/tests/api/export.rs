//! A report downloaded as an Excel workbook and as CSV (`/units/{id}/report.xlsx`,
//! `.csv`): the workbook read back (calamine) holds the title, the headings, real
//! numbers and a column per child unit; the CSV the same rows; both refused as the
//! report is.

use super::{Api, counter_sync};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use calamine::{Data, Reader, Xlsx};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// A download as the administrator: status, content type, disposition, bytes.
async fn download(api: &Api, path: &str, token: &str) -> (StatusCode, String, String, Vec<u8>) {
    let request = Request::get(path).header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap();
    let response = api.router.clone().oneshot(request).await.unwrap();
    let header = |name: &str| response.headers().get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let (status, kind, disposition) = (response.status(), header("content-type"), header("content-disposition"));
    (status, kind, disposition, response.into_body().collect().await.unwrap().to_bytes().to_vec())
}

#[tokio::test]
async fn a_report_downloads_as_a_workbook_and_as_csv() {
    // GIVEN land donated in two areas of one ward, and the year before in one
    let api = Api::new().await;
    let donations = [("phone-a", "ntmk-to-11", "2025-11", 8_000), ("phone-b", "ntmk-to-13", "2025-11", 111)];
    for (phone, area, month, amount) in donations.into_iter().chain([("phone-c", "ntmk-to-11", "2024-03", 4_000)]) {
        let (status, answer) = api.sync(&counter_sync(phone, area, "dat_hien", month, amount, 0)).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
    let admin = api.admin.clone();

    // WHEN the ward's yearly report is downloaded as a workbook
    let path = "/api/v1/units/p-nguyen-thi-minh-khai/report.xlsx?period=2025";
    let (status, kind, disposition, bytes) = download(&api, path, &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_eq!(disposition, "attachment; filename=\"bao-cao-p-nguyen-thi-minh-khai-2025.xlsx\"");

    // THEN it reads back with the title, the headings, and numbers as numbers
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("Báo cáo").unwrap();
    let text = |row: u32, col: u32| sheet.get_value((row, col)).map(|d| d.to_string()).unwrap_or_default();
    assert!(text(0, 0).ends_with("— Phường Nguyễn Thị Minh Khai — Năm 2025"), "{}", text(0, 0));
    assert_eq!(text(1, 0), "Đơn vị: Phường Nguyễn Thị Minh Khai · Kỳ báo cáo: Năm 2025 · So với: Năm 2024");
    let headings: Vec<String> = (0..9).map(|col| text(3, col)).collect();
    assert_eq!(
        headings,
        ["STT", "Chỉ tiêu", "Đơn vị tính", "Kết quả", "Cùng kỳ năm trước", "Ghi chú", "Tổ 11", "Tổ 13", "Tổ 15"]
    );
    let row = (0..sheet.height() as u32).find(|&r| text(r, 1) == "Đất nhân dân hiến").expect("the land row");
    assert_eq!(sheet.get_value((row, 3)), Some(&Data::Float(8_111.0)));
    assert_eq!(sheet.get_value((row, 4)), Some(&Data::Float(4_000.0)), "the year before");
    assert_eq!(sheet.get_value((row, 6)), Some(&Data::Float(8_000.0)));
    assert_eq!(sheet.get_value((row, 7)), Some(&Data::Float(111.0)));
    assert_eq!(text(row, 2), "m²");
    assert!((0..sheet.height() as u32).any(|r| text(r, 1).starts_with("Nội dung 3.")), "grouped by content");

    // AND as CSV, the same row
    let (status, kind, _, bytes) =
        download(&api, "/api/v1/units/p-nguyen-thi-minh-khai/report.csv?period=2025", &admin).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "text/csv; charset=utf-8"));
    let csv = String::from_utf8(bytes).unwrap();
    assert!(csv.starts_with('\u{feff}'), "a byte order mark for Excel");
    assert!(csv.lines().any(|l| l.ends_with(";Đất nhân dân hiến;m²;8111;4000;;8000;111;0")), "{csv}");
}

#[tokio::test]
async fn a_download_is_refused_as_its_report_is() {
    let api = Api::new().await;
    let (_, volunteer) = api.phone("phone-a", "ntmk-to-11").await;
    let (status, kind, _, bytes) = download(&api, "/api/v1/units/p-duc-xuan/report.xlsx?period=2025", &volunteer).await;
    assert_eq!((status, kind.as_str()), (StatusCode::FORBIDDEN, "application/json"));
    let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["code"], "forbidden");
    let (status, _, _, bytes) = download(&api, "/api/v1/units/p-duc-xuan/report.csv?period=2025-13", &api.admin).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["code"], "invalid_period");
}
