//! In báo cáo — a report in the Front's layout ("Báo cáo kết quả thực hiện Cuộc vận
//! động"), for paper or a PDF on A4 from the browser's print: the issuing body and the
//! national motto, "Số: …/BC-MTTQ", place and date, sections I–VI (III holds the figures
//! by content and the models; the others the officer writes on the page, or by hand on
//! the paper), the signature block and the annex table STT | Chỉ tiêu | Đơn vị tính |
//! Kết quả | Cùng kỳ năm trước | Ghi chú. Built from the same `ReportTable` as the
//! downloads.

use crate::{CollectAny, clock};
use domain::report_table::ReportTable;
use leptos::prelude::*;

/// "Phường Đức Xuân, ngày 07 tháng 12 năm 2026", as official documents write the date.
pub fn place_and_date(unit_name: &str, day: domain::Date) -> String {
    let (d, m, y) = (day.day(), day.month().month(), day.month().year());
    format!("{unit_name}, ngày {d:02} tháng {m:02} năm {y}")
}

/// A section the officer writes: typed on the page, or dotted lines to write by hand.
fn written(number: &'static str, title: &'static str) -> impl IntoView {
    view! {
        <h2>{format!("{number}. {title}")}</h2>
        <p class="write" contenteditable="true" data-placeholder="(Bấm để viết; để trống sẽ in thành dòng kẻ để viết tay.)"></p>
    }
}

#[component]
pub fn PrintView(table: ReportTable, on_close: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let results = table
        .groups
        .iter()
        .filter(|g| g.heading != "Số liệu chung")
        .map(|g| {
            let lines = g
                .rows
                .iter()
                .map(|r| view! { <li>{format!("{}: {}.", r.label, r.result.words(&r.unit))}</li> })
                .collect_any();
            view! {
                <h3>{g.heading.clone()}</h3>
                <ul>{lines}</ul>
            }
        })
        .collect_any();
    let columns = table.fixed_headings().len() - 1;
    let annex = table
        .groups
        .iter()
        .map(|g| {
            let rows = g
                .rows
                .iter()
                .map(|r| {
                    view! {
                        <tr>
                            <td>{r.number}</td>
                            <td>{r.label.clone()}</td>
                            <td>{r.unit.clone()}</td>
                            <td class="num">{r.result.figure(&r.unit)}</td>
                            {r.previous.as_ref().map(|p| view! { <td class="num">{p.figure(&r.unit)}</td> })}
                            <td>{r.note.clone()}</td>
                        </tr>
                    }
                })
                .collect_any();
            view! {
                <tr class="group">
                    <td></td>
                    <td colspan=columns.to_string()>{g.heading.clone()}</td>
                </tr>
                {rows}
            }
        })
        .collect_any();
    let headings = table.fixed_headings().into_iter().map(|h| view! { <th>{h}</th> }).collect_any();
    let print = |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };
    view! {
        <div class="print-tools">
            <button class="primary" on:click=print>"In / Lưu PDF"</button>
            <button on:click=move |_| on_close()>"Quay lại"</button>
        </div>
        <article class="document" data-testid="print-view">
            <header class="doc-head">
                <div>
                    <p>"ỦY BAN MTTQ VIỆT NAM"</p>
                    <p class="strong">{table.unit_name.to_uppercase()}</p>
                    <p>"Số: …/BC-MTTQ"</p>
                </div>
                <div>
                    <p class="strong">"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"</p>
                    <p class="motto">"Độc lập - Tự do - Hạnh phúc"</p>
                    <p class="date">{place_and_date(&table.unit_name, clock::today())}</p>
                </div>
            </header>
            <h1>"BÁO CÁO"</h1>
            <p class="subject">
                "Kết quả thực hiện Cuộc vận động \"Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn minh\""
            </p>
            <p class="subject">{table.period_name.clone()}</p>
            {written("I", "Đặc điểm tình hình")}
            {written("II", "Công tác chỉ đạo, tuyên truyền")}
            <h2>"III. Kết quả thực hiện 5 nội dung"</h2>
            {results}
            {written("IV", "Đánh giá (ưu điểm, hạn chế, nguyên nhân)")}
            {written("V", "Phương hướng")}
            {written("VI", "Kiến nghị")}
            <div class="sign">
                <p class="strong">"TM. BAN THƯỜNG TRỰC"</p>
                <p class="strong">"CHỦ TỊCH"</p>
                <p class="hint">"(Ký, ghi rõ họ tên, đóng dấu)"</p>
            </div>
            <h2 class="annex-title">"PHỤ LỤC: SỐ LIỆU KẾT QUẢ THỰC HIỆN"</h2>
            <table class="annex">
                <thead>
                    <tr>{headings}</tr>
                </thead>
                <tbody>{annex}</tbody>
            </table>
        </article>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_reads_as_official_documents_write_it() {
        let day = domain::Date::new(2026, 2, 5).unwrap();
        assert_eq!(place_and_date("Phường Đức Xuân", day), "Phường Đức Xuân, ngày 05 tháng 02 năm 2026");
    }
}
