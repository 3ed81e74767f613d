//! Biểu đồ — bars drawn as SVG (`domain::chart` works out their lengths and words): a
//! line of text, then its bar, one under the other, so long names fit a 360 px screen
//! and the chart prints as sharply as the text around it.

use crate::CollectAny;
use domain::chart::Bar;
use leptos::prelude::*;

/// The drawing's width in its own units (it scales to the width it is given).
const WIDTH: f64 = 320.0;
/// One bar's height with its line of text.
const ROW: f64 = 40.0;

#[component]
pub fn BarChart(#[prop(into)] title: String, bars: Vec<Bar>) -> impl IntoView {
    let height = (bars.len() as f64 * ROW).max(ROW);
    let rows = (bars.into_iter().enumerate())
        .map(|(i, bar)| {
            let top = i as f64 * ROW;
            // A bar with a figure above zero shows at least a sliver.
            let length = if bar.length > 0.0 { (bar.length * WIDTH).max(2.0) } else { 0.0 };
            view! {
                <text x="0" y=(top + 15.0).to_string()>{format!("{}: {}", bar.label, bar.words)}</text>
                <rect x="0" y=(top + 21.0).to_string() width=length.to_string() height="12" rx="2"></rect>
            }
        })
        .collect_any();
    view! {
        <figure class="chart">
            <figcaption>{title.clone()}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-label=title>
                {rows}
            </svg>
        </figure>
    }
}
