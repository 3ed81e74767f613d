//! Entry point of the "Máy này" page (`/may.html`, its own WASM): mounts [`app::DeviceApp`].
fn main() {
    app::report_panics();
    leptos::mount::mount_to_body(app::DeviceApp);
}
