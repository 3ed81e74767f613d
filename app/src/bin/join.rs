//! Entry point of the join page (`/tham-gia.html`, its own WASM): mounts [`app::JoinApp`].
fn main() {
    app::report_panics();
    leptos::mount::mount_to_body(app::JoinApp);
}
