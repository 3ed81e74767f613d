//! Entry point of the officers' WASM app (`/officer.html`): mounts [`app::OfficerApp`].
fn main() {
    app::report_panics();
    leptos::mount::mount_to_body(app::OfficerApp);
}
