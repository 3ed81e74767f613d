//! Tải về — offering a file the app made or fetched to the browser's downloads, through
//! an object URL and an `<a download>` (the backup file, a report as .xlsx or CSV).

use wasm_bindgen::{JsCast, JsValue};

/// Offers `blob` as a file named `name`.
pub fn offer(name: &str, blob: &web_sys::Blob) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    let document = window.document().ok_or(JsValue::NULL)?;
    let url = web_sys::Url::create_object_url_with_blob(blob)?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    document.body().ok_or(JsValue::NULL)?.append_child(&link)?;
    link.click();
    link.remove();
    // The download has its own copy once it started; the URL is let go a little later.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    window.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000)?;
    Ok(())
}
