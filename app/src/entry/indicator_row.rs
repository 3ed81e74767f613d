//! One indicator of the area: its figure, and the form to record an amount, state a
//! level or set a flag.

use super::figures::{area_text, flag};
use crate::clock;
use crate::session::use_session;
use domain::{Date, EntryChange, Indicator, IndicatorId, IndicatorKind, format};
use leptos::prelude::*;

#[component]
pub fn IndicatorRow(
    indicator: &'static Indicator,
    date: RwSignal<String>,
    flash: RwSignal<Option<(&'static IndicatorId, String)>>,
    editing: RwSignal<Option<&'static IndicatorId>>,
) -> impl IntoView {
    let session = use_session();
    let id = &indicator.id;
    let open = move || editing.get() == Some(id);
    let close = move || {
        editing.update(|e| {
            if *e == Some(id) {
                *e = None
            }
        })
    };
    let amount = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let kind = &indicator.kind;
    // The amount field, focused as the form opens: one tap fewer.
    let field = NodeRef::<leptos::html::Input>::new();
    let testid = format!("indicator-{}", indicator.id);

    let shown = move || area_text(&session, &session.fixed.area, indicator, session.this_year());
    let own = move || {
        let area = &session.fixed.area;
        let total = session.ledger.with(|l| l.own_total(area, &indicator.id, session.this_year()));
        (total != 0).then(|| format!("Máy này đã nhập: {}", format::amount(total, &indicator.unit)))
    };

    // Records one entry; the form closes and "saved" shows only after browser storage took it.
    let save = move |change: EntryChange| {
        let area = &session.fixed.area;
        let day = match Date::from_vietnamese(&date.get_untracked()) {
            Ok(day) => day,
            Err(e) => return error.set(Some(e.message_vi())),
        };
        let (note_text, now) = (note.get_untracked(), clock::now_ms());
        leptos::task::spawn_local(async move {
            let result = session
                .record(day, move |ledger, cat, tree| {
                    match change {
                        EntryChange::Amount(a) => ledger.add_amount(cat, tree, area, id, day, a, &note_text, now),
                        EntryChange::Level(v) => ledger.set_level(cat, tree, area, id, day, v, &note_text, now),
                        EntryChange::Flag(f) => ledger.set_flag(cat, tree, area, id, day, f, &note_text, now),
                    }
                    .map(|_| ())
                })
                .await;
            match result {
                Ok(()) => {
                    let what = describe(indicator, change);
                    let _ = flash.try_set(Some((id, format!("Đã lưu: {what}, ngày {}.", day.to_vietnamese()))));
                    let _ = error.try_set(None);
                    let _ = amount.try_set(String::new());
                    let _ = note.try_set(String::new());
                    close();
                }
                Err(message) => {
                    let _ = error.try_set(Some(message));
                }
            }
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match format::parse_amount_in(&amount.get_untracked(), &indicator.unit) {
            Ok(value) => match indicator.kind {
                IndicatorKind::Level if value < 0 => {
                    error.set(Some("Số hiện có không thể âm.".into()));
                }
                IndicatorKind::Level => save(EntryChange::Level(value.unsigned_abs())),
                _ => save(EntryChange::Amount(value)),
            },
            Err(e) => error.set(Some(e.message_vi())),
        }
    };

    let form = move || {
        let unit = &indicator.unit;
        // Hectares take up to four decimals after a comma (`format::parse_amount_in`).
        let hectares = unit == format::HECTARE;
        let (label, hint) = match indicator.kind {
            IndicatorKind::Level if hectares => {
                (format!("Số hiện có ({unit})"), "Số héc-ta, phần lẻ sau dấu phẩy: 1,25.")
            }
            IndicatorKind::Level => (
                format!("Số hiện có ({unit})"),
                "Số nguyên, tách hàng nghìn bằng dấu chấm: 12.500.000. Số mới thay cho số cũ của tháng này.",
            ),
            _ if hectares => (format!("Số lượng ({unit})"), "Số héc-ta, phần lẻ sau dấu phẩy: 1,25."),
            _ => (
                format!("Số lượng ({unit})"),
                "Số nguyên, tách hàng nghìn bằng dấu chấm: 12.500.000. \
                 Sửa số đã nhập nhầm bằng một số âm (ví dụ -20): bấm −/+.",
            ),
        };
        let (hint_id, error_id) = (format!("hint-{}", indicator.id), format!("error-{}", indicator.id));
        let field_id = format!("amount-{}", indicator.id);

        view! {
            <form class="entry-form" on:submit=submit>
                <label for=field_id.clone()>{label}</label>
                <div class="amount">
                    <input
                        node_ref=field
                        id=field_id
                        inputmode=if hectares { "decimal" } else { "numeric" }
                        autocomplete="off"
                        aria-describedby=format!("{hint_id} {error_id}")
                        aria-invalid=move || error.with(Option::is_some).to_string()
                        prop:value=move || amount.get()
                        on:input=move |ev| amount.set(event_target_value(&ev))
                    />
                    // Number pads without a minus key: the sign of a correction.
                    {matches!(indicator.kind, IndicatorKind::Counter)
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    aria-label="−/+: đổi dấu (số âm để sửa số đã nhập nhầm)"
                                    on:click=move |_| {
                                        amount.update(|a| *a = format::toggle_sign(a));
                                        if let Some(input) = field.get_untracked() {
                                            let _ = input.focus();
                                        }
                                    }
                                >
                                    "−/+"
                                </button>
                            }
                        })}
                </div>
                <p class="hint" id=hint_id>{hint}</p>
                // The refusal shows right under the field it is about.
                <p class="alert" role="alert" id=error_id>{move || error.get()}</p>
                <label>
                    "Ghi chú (chỉ lưu trên máy này)"
                    <input
                        autocomplete="off"
                        prop:value=move || note.get()
                        on:input=move |ev| note.set(event_target_value(&ev))
                    />
                </label>
                <div class="actions">
                    <button type="submit" class="primary">"Lưu"</button>
                    <button
                        type="button"
                        on:click=move |_| {
                            error.set(None);
                            close();
                        }
                    >
                        "Hủy"
                    </button>
                </div>
            </form>
        }
    };

    let controls = match kind {
        IndicatorKind::Ratio { .. } => view! { <p class="hint">"Tự tính từ các chỉ tiêu khác."</p> }.into_any(),
        IndicatorKind::Flag => {
            let answer = move || flag(&session, &session.fixed.area, indicator, session.this_year());
            let pressed = move |yes: bool| move || (answer() == Some(yes)).to_string();
            view! {
                <div class="actions answers">
                    <button aria-pressed=pressed(true) on:click=move |_| save(EntryChange::Flag(true))>"Có"</button>
                    <button aria-pressed=pressed(false) on:click=move |_| save(EntryChange::Flag(false))>
                        "Không"
                    </button>
                </div>
            }
            .into_any()
        }
        _ => view! {
            {move || {
                if open() {
                    form().into_any()
                } else {
                    view! {
                        <button
                            class="open"
                            on:click=move |_| {
                                error.set(None);
                                editing.set(Some(id));
                                request_animation_frame(move || {
                                    if let Some(input) = field.get_untracked() {
                                        let _ = input.focus();
                                    }
                                });
                            }
                        >
                            "Nhập"
                        </button>
                    }
                    .into_any()
                }
            }}
        }
        .into_any(),
    };

    view! {
        <article class="indicator" id=testid.clone() data-testid=testid>
            <div class="head">
                <span class="label">{indicator.label.as_str()}</span>
                <span class="value" data-testid="area-value">{shown}</span>
            </div>
            <p class="own">{own}</p>
            {controls}
            {move || (!open()).then(|| view! { <p class="alert" role="alert">{move || error.get()}</p> })}
            <p class="flash" data-testid="row-saved" aria-hidden="true">
                {move || flash.get().filter(|(saved, _)| *saved == id).map(|(_, said)| said)}
            </p>
        </article>
    }
}

/// What an entry did, in words: `120 m² Đất nhân dân hiến`.
pub fn describe(indicator: &Indicator, change: EntryChange) -> String {
    match change {
        EntryChange::Amount(a) => format!("{} — {}", format::amount(a, &indicator.unit), indicator.label),
        EntryChange::Level(v) => {
            format!("{} — {}", format::amount(i64::try_from(v).unwrap_or(i64::MAX), &indicator.unit), indicator.label)
        }
        EntryChange::Flag(f) => format!("{} — {}", if f { "Có" } else { "Không" }, indicator.label),
    }
}
