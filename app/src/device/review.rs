//! Cần xem lại — the cells the server refused, set aside from the outbox: each with its
//! indicator, area and month, the server's reason and what the volunteer can do; **Gửi
//! lại** puts them back in the outbox (the main page sends them at its next sync).

use super::use_device_page;
use crate::CollectAny;
use crate::{clock, storage};
use domain::Bucket;
use leptos::prelude::*;

/// What the volunteer can do about a refusal, by the server's code.
pub fn advice(code: &str) -> &'static str {
    match code {
        "stamp_in_future" => "Chỉnh lại ngày giờ của điện thoại cho đúng (Cài đặt → Ngày và giờ), rồi bấm Gửi lại.",
        "forbidden" | "wrong_device" => {
            "Máy này không còn được gửi số liệu cho khu dân cư này. Hãy hỏi cán bộ phường, xã; khi đã được cấp lại \
             quyền, bấm Gửi lại."
        }
        "unknown_indicator" | "unknown_unit" | "not_an_area" | "wrong_kind" | "unsupported_protocol" => {
            "Tải lại ứng dụng để có danh mục và địa bàn mới nhất, rồi bấm Gửi lại. Nếu vẫn không được, hãy báo cán bộ \
             phường, xã."
        }
        "negative_total" | "invalid_amount" => {
            "Kiểm tra các số đã nhập cho chỉ tiêu này ở trang nhập số liệu; sau khi sửa, bấm Gửi lại. Nếu vẫn không \
             được, hãy báo cán bộ phường, xã."
        }
        _ => "Hãy báo cán bộ phường, xã lý do trên; khi đã khắc phục, bấm Gửi lại.",
    }
}

/// `tháng 11/2025` for a month, `năm 2025` for a year.
pub fn bucket_vi(bucket: Bucket) -> String {
    match bucket {
        Bucket::Month(m) => format!("tháng {}/{}", m.month(), m.year()),
        Bucket::Year(y) => format!("năm {y}"),
    }
}

#[component]
pub fn ReviewList() -> impl IntoView {
    let page = use_device_page();
    let done = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let rows = move || {
        page.ledger.with(|ledger| {
            ledger
                .review_cells()
                .map(|(area, indicator, bucket, review)| {
                    let label = page.catalogue.get(indicator).map_or_else(|_| indicator.to_string(), |i| i.label.clone());
                    let place = format!("{} · {}", page.unit_name(area), bucket_vi(bucket));
                    view! {
                        <li data-testid="review-item">
                            <strong>{label}</strong>
                            <span>{place}</span>
                            <span class="alert">{review.message.clone()}</span>
                            <span class="hint">{advice(&review.code)}</span>
                            <span class="when">{format!("Máy chủ từ chối lúc {}", clock::date_time(review.at_ms))}</span>
                        </li>
                    }
                })
                .collect_any()
        })
    };
    let send_again = move |_| {
        done.set(None);
        let device = page.enrolment.device.clone();
        leptos::task::spawn_local(async move {
            let outcome = storage::load_ledger_of(&device).and_then(|mut ledger| {
                let again = ledger.in_review();
                ledger.send_review_again(clock::now_ms());
                storage::save_ledger(&ledger)?;
                Ok((ledger, again))
            });
            match outcome {
                Ok((ledger, again)) => {
                    page.ledger.set(ledger);
                    error.set(None);
                    done.set(Some(format!(
                        "Đã đưa {again} mục trở lại hàng chờ gửi. Trang nhập số liệu sẽ gửi chúng ở lần đồng bộ tới."
                    )));
                }
                Err(failure) => error.set(Some(failure.to_string())),
            }
        });
    };
    let empty = move || page.ledger.with(|l| l.in_review() == 0);
    view! {
        <section class="review">
            <h2>"Cần xem lại"</h2>
            <p class="flash" role="status" data-testid="review-message">
                {move || done.get()}
            </p>
            <p class="alert" role="alert">{move || error.get()}</p>
            <Show
                when=move || !empty()
                fallback=|| {
                    view! {
                        <p class="hint" data-testid="review-empty">
                            "Không có mục nào cần xem lại: máy chủ đã nhận mọi số liệu máy này gửi."
                        </p>
                    }
                }
            >
                <p class="hint">
                    "Máy chủ chưa nhận các mục dưới đây. Chúng vẫn nằm trên máy, không bị mất; sau khi khắc phục, bấm Gửi lại."
                </p>
                <ul class="rows" data-testid="review-list">{rows}</ul>
                <button class="primary" on:click=send_again>
                    "Gửi lại"
                </button>
            </Show>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_says_what_to_do() {
        assert!(advice("stamp_in_future").contains("ngày giờ"));
        assert!(advice("forbidden").contains("cán bộ"));
        assert!(advice("something_new").contains("Gửi lại"), "an unknown code still has a way out");
    }

    #[test]
    fn buckets_read_as_a_month_or_a_year() {
        assert_eq!(bucket_vi(Bucket::Month("2025-11".parse().unwrap())), "tháng 11/2025");
        assert_eq!(bucket_vi(Bucket::Year(2025)), "năm 2025");
    }
}
