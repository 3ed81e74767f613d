//! Entry point of the ward's figures (`/tong-hop.html`, its own WASM): mounts [`app::WardApp`].
fn main() {
    app::report_panics();
    leptos::mount::mount_to_body(app::WardApp);
}
