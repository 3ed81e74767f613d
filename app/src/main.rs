//! Entry point of the WASM app: mounts [`app::App`] on the page.
fn main() {
    app::report_panics();
    leptos::mount::mount_to_body(app::App);
}
