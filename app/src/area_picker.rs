//! Choosing the phone's residential area (khu dân cư), grouped by ward or commune.

use crate::session::use_session;
use domain::Unit;
use leptos::prelude::*;

#[component]
pub fn AreaPicker() -> impl IntoView {
    let session = use_session();
    let error = RwSignal::new(None::<String>);
    // Wards and communes that have residential areas, each with its areas.
    let groups: Vec<(Unit, Vec<Unit>)> = session.tree.with_value(|tree| {
        tree.units()
            .filter(|u| !u.is_area())
            .map(|u| (u.clone(), tree.children(&u.id).filter(|c| c.is_area()).cloned().collect::<Vec<_>>()))
            .filter(|(_, areas)| !areas.is_empty())
            .collect()
    });
    view! {
        <section class="picker">
            <h1>"Chọn khu dân cư của bạn"</h1>
            <p class="hint">"Số liệu bạn nhập sẽ được tính cho khu dân cư này."</p>
            <p class="alert" role="alert">{move || error.get()}</p>
            {groups
                .into_iter()
                .map(|(ward, areas)| {
                    view! {
                        <h2>{ward.name.clone()}</h2>
                        <div class="choices">
                            {areas
                                .into_iter()
                                .map(|area| {
                                    let id = area.id.clone();
                                    view! {
                                        <button
                                            class="choice"
                                            on:click=move |_| {
                                                if let Err(e) = session.choose_area(id.clone()) {
                                                    error.set(Some(e));
                                                }
                                            }
                                        >
                                            {area.name.clone()}
                                        </button>
                                    }
                                })
                                .collect_view()}
                        </div>
                    }
                })
                .collect_view()}
        </section>
    }
}
