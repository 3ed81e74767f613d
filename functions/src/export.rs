//! Xuất Excel — a report's table ([`domain::report_table::ReportTable`], the same the CSV
//! is written from) as an .xlsx workbook: the title and the period above, frozen
//! headings, real number cells (amounts `#,##0`, shares `0.0%`, shown with the reader's
//! separators: 8.111 and 93,7% in Vietnamese settings), widths for 360 px readers of
//! Excel and for A4 landscape print, the headings repeated on each printed page.

use domain::report_table::{ReportTable, TableCell};
use rust_xlsxwriter::{ColNum, Format, FormatAlign, FormatBorder, RowNum, Workbook, XlsxError};

/// The workbook's bytes.
pub fn xlsx(table: &ReportTable) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Báo cáo")?;
    let columns = table.headings();
    let last = (columns.len() - 1) as ColNum;
    let title = Format::new().set_bold().set_font_size(13).set_text_wrap().set_align(FormatAlign::Center);
    let heading =
        Format::new().set_bold().set_text_wrap().set_border(FormatBorder::Thin).set_align(FormatAlign::Center);
    let group = Format::new().set_bold().set_border(FormatBorder::Thin);
    let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    let amount = cell.clone().set_num_format("#,##0");
    let hectares = cell.clone().set_num_format("#,##0.0###");
    let share = cell.clone().set_num_format("0.0%");

    sheet.merge_range(0, 0, 0, last, &table.title, &title)?;
    sheet.set_row_height(0, 36)?;
    sheet.merge_range(
        1,
        0,
        1,
        last,
        &match &table.previous_name {
            Some(before) => {
                format!("Đơn vị: {} · Kỳ báo cáo: {} · So với: {before}", table.unit_name, table.period_name)
            }
            None => format!("Đơn vị: {} · Kỳ báo cáo: {}", table.unit_name, table.period_name),
        },
        &Format::new(),
    )?;
    const HEAD: RowNum = 3;
    for (col, name) in columns.iter().enumerate() {
        sheet.write_string_with_format(HEAD, col as ColNum, name, &heading)?;
    }
    let fixed = table.fixed_headings();
    for (col, name) in fixed.iter().enumerate() {
        let width = match *name {
            "STT" => 6.0,
            "Chỉ tiêu" => 44.0,
            "Đơn vị tính" => 12.0,
            "Ghi chú" => 22.0,
            _ => 16.0,
        };
        sheet.set_column_width(col as ColNum, width)?;
    }
    for col in fixed.len() as ColNum..=last {
        sheet.set_column_width(col, 14)?;
    }
    let mut row = HEAD + 1;
    for g in &table.groups {
        sheet.write_string_with_format(row, 0, "", &group)?;
        sheet.merge_range(row, 1, row, last, &g.heading, &group)?;
        row += 1;
        for r in &g.rows {
            let note = TableCell::Text(r.note.clone());
            let figures = [&r.result].into_iter().chain(&r.previous).chain([&note]).chain(&r.children);
            sheet.write_number_with_format(row, 0, r.number as f64, &cell)?;
            sheet.write_string_with_format(row, 1, &r.label, &cell)?;
            sheet.write_string_with_format(row, 2, &r.unit, &cell)?;
            for (col, value) in (3..).zip(figures) {
                match value {
                    TableCell::Amount(n) if r.unit == domain::format::HECTARE => {
                        sheet.write_number_with_format(row, col, domain::format::shown(*n, &r.unit), &hectares)?
                    }
                    TableCell::Amount(n) => sheet.write_number_with_format(row, col, *n as f64, &amount)?,
                    TableCell::Share { numerator, denominator } => {
                        sheet.write_number_with_format(row, col, *numerator as f64 / *denominator as f64, &share)?
                    }
                    TableCell::Text(text) => sheet.write_string_with_format(row, col, text, &cell)?,
                };
            }
            row += 1;
        }
    }
    sheet.set_freeze_panes(HEAD + 1, 2)?;
    sheet.set_landscape().set_paper_size(9).set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(HEAD, HEAD)?;
    workbook.save_to_buffer()
}
