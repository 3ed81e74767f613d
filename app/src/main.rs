//! Entry point of the WASM app: mounts [`app::App`] on the page.
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
