//! Biểu đồ — one indicator's figures as bars: a bar per child unit, or per year for a
//! trend. The lengths and the words are worked out here, as plain data; the app draws
//! them as SVG. A bar's length is its figure's share of the longest: amounts (counters,
//! levels) as they are, shares (ratios, flags) as their percentage; nothing stated, or
//! an amount below zero (corrections larger than the entries), is a bar of no length.

use crate::{Figure, Indicator, format};

/// One bar: what it is, how long (0 to 1 of the longest), and its figure in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub length: f64,
    pub words: String,
}

/// The size a bar is drawn at, before it is scaled to the longest.
fn magnitude(figure: &Figure) -> f64 {
    let share = |n: i64, d: i64| if d > 0 && n > 0 { n as f64 / d as f64 } else { 0.0 };
    match *figure {
        Figure::Counter { total } => total.max(0) as f64,
        Figure::Level { total, reporting, .. } if reporting > 0 => total as f64,
        Figure::Level { .. } => 0.0,
        Figure::Ratio { numerator, denominator } => share(numerator, denominator),
        Figure::Flag { yes, of, .. } => share(i64::from(yes), i64::from(of)),
    }
}

/// A figure as a bar's words: short, for a line beside its label (`8.111 m²`, `93,7%`,
/// `640 triệu đồng`, `2/3 khu dân cư`, "chưa có số liệu").
fn words(indicator: &Indicator, figure: Option<&Figure>) -> String {
    match figure.copied() {
        None | Some(Figure::Level { reporting: 0, .. }) => "chưa có số liệu".into(),
        Some(Figure::Counter { total }) => format::worded(total, &indicator.unit),
        Some(Figure::Level { total, .. }) => format::amount(i64::try_from(total).unwrap_or(i64::MAX), &indicator.unit),
        Some(Figure::Ratio { numerator, denominator }) => {
            format::percent(numerator, denominator).unwrap_or_else(|| "chưa có số liệu".into())
        }
        Some(Figure::Flag { yes, of, .. }) => format!("{yes}/{of} khu dân cư"),
    }
}

/// The bars of `indicator`, one per labelled figure, in the order given.
pub fn bars<'a>(indicator: &Indicator, figures: impl IntoIterator<Item = (String, Option<&'a Figure>)>) -> Vec<Bar> {
    let figures: Vec<(String, Option<&Figure>)> = figures.into_iter().collect();
    let longest = figures.iter().filter_map(|(_, f)| f.map(magnitude)).fold(0.0, f64::max);
    figures
        .into_iter()
        .map(|(label, figure)| Bar {
            length: match figure {
                Some(f) if longest > 0.0 => magnitude(f) / longest,
                _ => 0.0,
            },
            words: words(indicator, figure),
            label,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Catalogue, IndicatorId};

    fn indicator(id: &str) -> Indicator {
        Catalogue::standard().get(&IndicatorId::new(id).unwrap()).unwrap().clone()
    }

    #[test]
    fn amounts_scale_to_the_longest_and_say_their_unit() {
        let land = indicator("dat_hien");
        let figures =
            [Figure::Counter { total: 8_000 }, Figure::Counter { total: 2_000 }, Figure::Counter { total: -5 }];
        let land_bars = bars(
            &land,
            [("Tổ 11", Some(&figures[0])), ("Tổ 13", Some(&figures[1])), ("Tổ 15", Some(&figures[2])), ("Tổ 17", None)]
                .map(|(l, f)| (l.to_string(), f)),
        );
        let lengths: Vec<f64> = land_bars.iter().map(|b| b.length).collect();
        assert_eq!(lengths, [1.0, 0.25, 0.0, 0.0]);
        assert_eq!(land_bars[0].words, "8.000 m²");
        assert_eq!(land_bars[3].words, "chưa có số liệu");
    }

    #[test]
    fn shares_are_drawn_as_their_percentage() {
        let lit = indicator("ty_le_ngo_co_den");
        let (a, b) =
            (Figure::Ratio { numerator: 178, denominator: 190 }, Figure::Ratio { numerator: 0, denominator: 0 });
        let lit_bars = bars(&lit, [("A".to_string(), Some(&a)), ("B".to_string(), Some(&b))]);
        assert_eq!((lit_bars[0].length, lit_bars[0].words.as_str()), (1.0, "93,7%"));
        assert_eq!((lit_bars[1].length, lit_bars[1].words.as_str()), (0.0, "chưa có số liệu"));
        let festival = indicator("ngay_hoi_ddk");
        let (x, y) = (Figure::Flag { yes: 1, answered: 2, of: 4 }, Figure::Flag { yes: 2, answered: 2, of: 2 });
        let flag_bars = bars(&festival, [("X".to_string(), Some(&x)), ("Y".to_string(), Some(&y))]);
        assert_eq!((flag_bars[0].length, flag_bars[0].words.as_str()), (0.25, "1/4 khu dân cư"));
        assert_eq!(flag_bars[1].length, 1.0);
        let none = bars_of_nothing();
        assert!(none.iter().all(|b| b.length == 0.0), "no figure above zero: no bar");
    }

    fn bars_of_nothing() -> Vec<Bar> {
        let land = indicator("dat_hien");
        let zero = Figure::Counter { total: 0 };
        bars(&land, [("A".to_string(), Some(&zero))])
    }
}
