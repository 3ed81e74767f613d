//! Bảng báo cáo — a [`Report`] as the Front's annex table: a row per indicator, grouped
//! by the 5 contents (the general baselines first), with the columns STT | Chỉ tiêu |
//! Đơn vị tính | Kết quả | Ghi chú, then one per child unit. The one model of the CSV
//! (here) and the .xlsx (on the server), so the two never disagree; cells are worded by
//! [`crate::format`], as the screen words them.

use crate::format;
use crate::honour::{HONOUR_ROWS, HonourReport};
use crate::model::{COUNT_ROWS, ModelReport};
use crate::{Catalogue, Figure, Indicator, IndicatorKind, Report, ReportPeriod, UnitId};

/// One cell of a figure.
#[derive(Debug, Clone, PartialEq)]
pub enum TableCell {
    /// A whole amount in the indicator's unit (a counter's total, a level's).
    Amount(i64),
    /// A share, from its parts (178 of 190: 93,7%).
    Share { numerator: i64, denominator: i64 },
    /// What no number says: a flag's "3 có / 4 đã trả lời / tổng 5 khu dân cư",
    /// "Chưa có số liệu".
    Text(String),
}

impl TableCell {
    fn of(indicator: &Indicator, figure: &Figure, period: ReportPeriod) -> Self {
        match *figure {
            Figure::Counter { total } => TableCell::Amount(total),
            Figure::Level { total, reporting, .. } if reporting > 0 => {
                TableCell::Amount(i64::try_from(total).unwrap_or(i64::MAX))
            }
            Figure::Ratio { numerator, denominator } if denominator > 0 => TableCell::Share { numerator, denominator },
            _ => TableCell::Text(format::figure(indicator, figure, period)),
        }
    }

    /// In words, as a printed report writes it: `8.111 m²`, `640 triệu đồng`, `93,7%`, the
    /// text as it is.
    pub fn words(&self, unit: &str) -> String {
        match self {
            TableCell::Amount(n) => format::worded(*n, unit),
            TableCell::Share { numerator, denominator } => {
                format::percent(*numerator, *denominator).unwrap_or_else(|| format::ratio(*numerator, *denominator))
            }
            TableCell::Text(text) => text.clone(),
        }
    }

    /// The number alone, Vietnamese style, for a table whose unit has a column: `8.111`.
    pub fn figure(&self, unit: &str) -> String {
        match self {
            TableCell::Amount(n) => format::in_unit(*n, unit),
            other => other.words(""),
        }
    }

    /// As a CSV field for Excel in Vietnamese settings: integers plain, shares with a
    /// decimal comma (`93,7%`).
    fn csv(&self, unit: &str) -> String {
        match self {
            TableCell::Amount(n) if unit == format::HECTARE => format::in_unit(*n, unit).replace('.', ""),
            TableCell::Amount(n) => n.to_string(),
            other => other.words(""),
        }
    }
}

/// One indicator's row.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    /// STT — its number in the table, from 1.
    pub number: usize,
    pub label: String,
    /// Đơn vị tính.
    pub unit: String,
    /// Kết quả — the unit's figure.
    pub result: TableCell,
    /// Cùng kỳ năm trước — the figure of the same period a year earlier, when the table
    /// has that column ([`ReportTable::beside`]).
    pub previous: Option<TableCell>,
    /// Ghi chú — how many areas a level or a flag rests on, when not all.
    pub note: String,
    /// One per child unit, in the order of [`ReportTable::children`].
    pub children: Vec<TableCell>,
}

/// Rows under one heading: a content, or the general baselines.
#[derive(Debug, Clone, PartialEq)]
pub struct TableGroup {
    pub heading: String,
    pub rows: Vec<TableRow>,
}

/// The whole table.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportTable {
    /// "Kết quả thực hiện Cuộc vận động … — Phường Đức Xuân — Năm 2025".
    pub title: String,
    pub unit_name: String,
    pub period_name: String,
    /// The period a year earlier, when its figures are beside this one's.
    pub previous_name: Option<String>,
    /// The child units' names, one column each.
    pub children: Vec<String>,
    /// Their ids, in the same order.
    pub child_units: Vec<UnitId>,
    pub groups: Vec<TableGroup>,
}

/// The fixed columns before the children's.
pub const HEADINGS: [&str; 5] = ["STT", "Chỉ tiêu", "Đơn vị tính", "Kết quả", "Ghi chú"];

/// The heading of the column of the same period a year earlier.
pub const PREVIOUS: &str = "Cùng kỳ năm trước";

const CAMPAIGN: &str = "Kết quả thực hiện Cuộc vận động \"Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn minh\"";

impl ReportTable {
    /// The table of `report`, its indicators in catalogue order (records, which have no
    /// figure, and indicators retired before the period, left out).
    pub fn new(report: &Report, catalogue: &Catalogue) -> Self {
        let period = report.period;
        let mut number = 0;
        let mut group = |heading: String, content: Option<u8>| {
            let rows: Vec<TableRow> = catalogue
                .of_content_on(content, period.first_day())
                .filter_map(|indicator| {
                    let figure = report.unit.figures.get(&indicator.id)?;
                    number += 1;
                    let children = (report.children.iter())
                        .map(|child| match child.figures.get(&indicator.id) {
                            Some(f) => TableCell::of(indicator, f, period),
                            None => TableCell::Text(String::new()),
                        })
                        .collect();
                    Some(TableRow {
                        number,
                        label: indicator.label.clone(),
                        unit: indicator.unit.clone(),
                        result: TableCell::of(indicator, figure, period),
                        previous: None,
                        note: note(indicator, figure),
                        children,
                    })
                })
                .collect();
            TableGroup { heading, rows }
        };
        let mut groups = vec![group("Số liệu chung".to_string(), None)];
        for content in &catalogue.contents {
            groups.push(group(content.heading(), Some(content.number)));
        }
        groups.retain(|g| !g.rows.is_empty());
        ReportTable {
            title: format!("{CAMPAIGN} — {} — {}", report.unit.name, report.period_name),
            unit_name: report.unit.name.clone(),
            period_name: report.period_name.clone(),
            previous_name: None,
            children: report.children.iter().map(|c| c.name.clone()).collect(),
            child_units: report.children.iter().map(|c| c.unit.clone()).collect(),
            groups,
        }
    }

    /// The table with the models of the same unit and period as a last group ("Mô
    /// hình"): a row per step, the note giving it by content ("ND1: 3; ND4: 1").
    pub fn with_models(mut self, models: &ModelReport) -> Self {
        let mut number = self.groups.iter().map(|g| g.rows.len()).sum::<usize>();
        let rows = COUNT_ROWS
            .iter()
            .map(|(label, count)| {
                number += 1;
                let children = (self.child_units.iter())
                    .map(|id| {
                        let child = models.children.iter().find(|c| &c.unit == id);
                        TableCell::Amount(child.map_or(0, |c| i64::from(count(&c.counts))))
                    })
                    .collect();
                let by_content: Vec<String> = (models.unit.by_content.iter())
                    .filter(|(_, c)| count(c) > 0)
                    .map(|(content, c)| format!("ND{content}: {}", count(c)))
                    .collect();
                TableRow {
                    number,
                    label: label.to_string(),
                    unit: "mô hình".into(),
                    result: TableCell::Amount(i64::from(count(&models.unit.counts))),
                    previous: None,
                    note: by_content.join("; "),
                    children,
                }
            })
            .collect();
        self.groups.push(TableGroup { heading: "Mô hình (theo 5 nội dung)".into(), rows });
        self
    }

    /// The table with `earlier`'s results (the same unit, a year before, with the same
    /// groups) as the column "Cùng kỳ năm trước": a row's figure found by its group and
    /// label; a row the earlier table lacks shows nothing.
    pub fn beside(mut self, earlier: &ReportTable) -> Self {
        for group in &mut self.groups {
            let before = earlier.groups.iter().find(|g| g.heading == group.heading);
            for row in &mut group.rows {
                let found = before.and_then(|g| g.rows.iter().find(|r| r.label == row.label));
                row.previous = Some(found.map_or(TableCell::Text(String::new()), |r| r.result.clone()));
            }
        }
        self.previous_name = Some(earlier.period_name.clone());
        self
    }

    /// The fixed columns: STT, Chỉ tiêu, Đơn vị tính, Kết quả, then "Cùng kỳ năm trước"
    /// when the table has it, then Ghi chú.
    pub fn fixed_headings(&self) -> Vec<&'static str> {
        let mut fixed = HEADINGS.to_vec();
        if self.previous_name.is_some() {
            fixed.insert(4, PREVIOUS);
        }
        fixed
    }

    /// The table with the honours of the same unit and period as a last group ("Danh
    /// hiệu, khen thưởng").
    pub fn with_honours(mut self, honours: &HonourReport) -> Self {
        let mut number = self.groups.iter().map(|g| g.rows.len()).sum::<usize>();
        let amount = |n: u64| TableCell::Amount(i64::try_from(n).unwrap_or(i64::MAX));
        let rows = HONOUR_ROWS
            .iter()
            .map(|(label, unit, count)| {
                number += 1;
                let children = (self.child_units.iter())
                    .map(|id| amount(honours.children.iter().find(|c| &c.unit == id).map_or(0, |c| count(&c.counts))))
                    .collect();
                TableRow {
                    number,
                    label: label.to_string(),
                    unit: unit.to_string(),
                    result: amount(count(&honours.unit.counts)),
                    previous: None,
                    note: String::new(),
                    children,
                }
            })
            .collect();
        self.groups.push(TableGroup { heading: "Danh hiệu, khen thưởng".into(), rows });
        self
    }

    /// The column headings: the fixed ones, then a child unit's name each.
    pub fn headings(&self) -> Vec<String> {
        self.fixed_headings().into_iter().map(String::from).chain(self.children.iter().cloned()).collect()
    }

    /// The table as CSV for Excel in Vietnamese settings: UTF-8 with a byte order mark
    /// (so Excel reads the diacritics), fields separated by `;` (the list separator
    /// there), quoted where needed; the title first, then the headings, each group's
    /// heading on a line of its own, then its rows.
    pub fn to_csv(&self) -> String {
        let field = |text: &str| {
            if text.contains([';', '"', '\n', '\r']) {
                format!("\"{}\"", text.replace('"', "\"\""))
            } else {
                text.into()
            }
        };
        let line = |fields: Vec<String>| fields.iter().map(|f| field(f)).collect::<Vec<_>>().join(";") + "\r\n";
        let mut out = String::from("\u{feff}");
        out += &line(vec![self.title.clone()]);
        out += &line(self.headings());
        for group in &self.groups {
            out += &line(vec![String::new(), group.heading.clone()]);
            for row in &group.rows {
                let csv = |cell: &TableCell| cell.csv(&row.unit);
                let fixed = [row.number.to_string(), row.label.clone(), row.unit.clone(), csv(&row.result)]
                    .into_iter()
                    .chain(row.previous.as_ref().map(csv))
                    .chain([row.note.clone()]);
                out += &line(fixed.chain(row.children.iter().map(csv)).collect());
            }
        }
        out
    }
}

/// The name a downloaded report takes: `bao-cao-p-duc-xuan-2025-H1.xlsx`.
pub fn file_name(unit: &crate::UnitId, period: ReportPeriod, extension: &str) -> String {
    format!("bao-cao-{unit}-{}.{extension}", period.to_string().replace("..", "-"))
}

/// What a level or a flag rests on, when not every area: "12/15 khu dân cư đã báo".
fn note(indicator: &Indicator, figure: &Figure) -> String {
    match (*figure, &indicator.kind) {
        (Figure::Level { reporting, areas, .. }, IndicatorKind::Level) if reporting > 0 && reporting < areas => {
            format!("{reporting}/{areas} khu dân cư đã báo")
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{IndicatorId, UnitFigures, UnitId, UnitLevel};
    use std::collections::BTreeMap;

    fn figures(name: &str, list: &[(&str, Figure)]) -> UnitFigures {
        UnitFigures {
            unit: UnitId::new(crate::search::fold(name).replace(' ', "-")).unwrap(),
            name: name.into(),
            level: UnitLevel::Ward,
            areas: 3,
            figures: list.iter().map(|(id, f)| (IndicatorId::new(*id).unwrap(), *f)).collect::<BTreeMap<_, _>>(),
        }
    }

    fn report() -> Report {
        let period = ReportPeriod::year(2025).unwrap();
        let unit = figures(
            "Phường Đức Xuân",
            &[
                ("dat_hien", Figure::Counter { total: 8_111 }),
                ("so_ho", Figure::Level { total: 420, reporting: 2, areas: 3 }),
                ("ngay_hoi_ddk", Figure::Flag { yes: 2, answered: 3, of: 3 }),
                ("ty_le_ngo_co_den", Figure::Ratio { numerator: 178, denominator: 190 }),
                ("so_ho_ngheo", Figure::Level { total: 0, reporting: 0, areas: 3 }),
            ],
        );
        let child = figures("Tổ 8A", &[("dat_hien", Figure::Counter { total: 111 })]);
        Report { period, period_name: period.to_vietnamese(), unit, children: vec![child] }
    }

    #[test]
    fn rows_follow_the_contents_and_cells_keep_numbers_as_numbers() {
        let table = ReportTable::new(&report(), &Catalogue::standard());
        assert!(table.title.ends_with("— Phường Đức Xuân — Năm 2025"), "{}", table.title);
        let headings: Vec<&str> = table.groups.iter().map(|g| g.heading.as_str()).collect();
        assert_eq!(headings[0], "Số liệu chung");
        assert!(headings[1].starts_with("Nội dung 1."), "{headings:?}");
        let rows: Vec<&TableRow> = table.groups.iter().flat_map(|g| &g.rows).collect();
        assert_eq!(rows.iter().map(|r| r.number).collect::<Vec<_>>(), (1..=5).collect::<Vec<_>>());
        let row = |label: &str| *rows.iter().find(|r| r.label.starts_with(label)).unwrap();
        assert_eq!(row("Đất nhân dân hiến").result, TableCell::Amount(8_111));
        assert_eq!(row("Đất nhân dân hiến").children, [TableCell::Amount(111)]);
        assert_eq!(row("Tổng số hộ").result, TableCell::Amount(420));
        assert_eq!(row("Tổng số hộ").note, "2/3 khu dân cư đã báo");
        assert_eq!(row("Số hộ nghèo").result, TableCell::Text("Chưa có số liệu".into()));
        assert_eq!(row("Tỷ lệ ngõ").result, TableCell::Share { numerator: 178, denominator: 190 });
        assert_eq!(row("Tổ chức Ngày hội").result, TableCell::Text("2 có / 3 đã trả lời / tổng 3 khu dân cư".into()));
        assert_eq!(row("Tổ chức Ngày hội").children, [TableCell::Text(String::new())], "no figure, no text");
    }

    #[test]
    fn the_csv_has_a_byte_order_mark_semicolons_and_quotes_where_needed() {
        let csv = ReportTable::new(&report(), &Catalogue::standard()).to_csv();
        assert!(csv.starts_with("\u{feff}\"Kết quả thực hiện Cuộc vận động \"\"Toàn dân"), "{csv}");
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[1], "STT;Chỉ tiêu;Đơn vị tính;Kết quả;Ghi chú;Tổ 8A");
        assert!(lines.contains(&";Số liệu chung"));
        assert!(csv.contains("\r\n"));
        assert!(lines.iter().any(|l| l.starts_with("5;Tỷ lệ ngõ được chiếu sáng;%;93,7%;")), "{csv}");
        assert!(lines.iter().any(|l| l.contains(";Đất nhân dân hiến;m²;8111;;111")), "{csv}");
    }

    #[test]
    fn models_are_a_last_group_with_a_column_per_child() {
        use crate::model::{ModelCounts, UnitModels};
        let report = report();
        let counts = |registered, passed| ModelCounts { registered, passed, active: registered, ..Default::default() };
        let of = |unit: &UnitFigures, c: ModelCounts, content| UnitModels {
            unit: unit.unit.clone(),
            name: unit.name.clone(),
            counts: c,
            by_content: BTreeMap::from([(content, c)]),
        };
        let models = ModelReport {
            period: report.period,
            unit: of(&report.unit, counts(122, 78), 3),
            children: vec![of(&report.children[0], counts(4, 1), 3)],
            models: vec![],
        };
        let table = ReportTable::new(&report, &Catalogue::standard()).with_models(&models);
        let group = table.groups.last().unwrap();
        assert_eq!(group.heading, "Mô hình (theo 5 nội dung)");
        let registered = group.rows.iter().find(|r| r.label == "Mô hình đăng ký").unwrap();
        assert_eq!((registered.number, &registered.result), (7, &TableCell::Amount(122)));
        assert_eq!((registered.note.as_str(), &registered.children[..]), ("ND3: 122", &[TableCell::Amount(4)][..]));
        let csv = table.to_csv();
        assert!(csv.contains("8;Mô hình rút đăng ký;mô hình;0;;0"), "{csv}");
    }

    #[test]
    fn the_same_period_a_year_earlier_sits_beside_the_result() {
        let now = report();
        let mut then = report();
        then.period_name = "Năm 2024".into();
        then.unit.figures.insert(IndicatorId::new("dat_hien").unwrap(), Figure::Counter { total: 5_000 });
        then.unit.figures.remove(&IndicatorId::new("so_ho").unwrap());
        let catalogue = Catalogue::standard();
        let table = ReportTable::new(&now, &catalogue).beside(&ReportTable::new(&then, &catalogue));
        assert_eq!(
            table.headings()[..6],
            ["STT", "Chỉ tiêu", "Đơn vị tính", "Kết quả", "Cùng kỳ năm trước", "Ghi chú"]
        );
        let rows: Vec<&TableRow> = table.groups.iter().flat_map(|g| &g.rows).collect();
        let row = |label: &str| *rows.iter().find(|r| r.label.starts_with(label)).unwrap();
        assert_eq!(row("Đất nhân dân hiến").previous, Some(TableCell::Amount(5_000)));
        assert_eq!(row("Tổng số hộ").previous, Some(TableCell::Text(String::new())), "not in the earlier table");
        let csv = table.to_csv();
        assert!(csv.lines().any(|l| l.contains(";Đất nhân dân hiến;m²;8111;5000;;111")), "{csv}");
        assert_eq!(
            "2025-H1".parse::<ReportPeriod>().unwrap().year_before().unwrap().to_vietnamese(),
            "6 tháng đầu năm 2024"
        );
        assert_eq!(ReportPeriod::year(2000).unwrap().year_before(), None, "before the years kept");
    }

    #[test]
    fn money_is_worded_as_reports_word_it() {
        assert_eq!(TableCell::Amount(640_000_000).words("đồng"), "640 triệu đồng");
        assert_eq!(TableCell::Amount(640_000_000).figure("đồng"), "640.000.000", "the annex keeps the full number");
        assert_eq!(TableCell::Amount(8_111).words("m²"), "8.111 m²");
    }
}
