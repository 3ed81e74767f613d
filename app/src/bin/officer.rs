//! Entry point of the officers' WASM app (`/officer.html`): mounts [`app::OfficerApp`].
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::OfficerApp);
}
