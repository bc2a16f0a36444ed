//! `rill-playground`: a Yew UI that shows Kafka at work on a replicated cluster.
//!
//! - [`model`]: the view state and its pure reducer over session events (tested natively);
//! - [`engine`]: the only place with effects — the `rill_wasm::session::Session`, animation
//!   frames, the tab handshake — turning the person's commands into session calls;
//! - [`components`]: views that read slices of the model through [`context`] and send
//!   commands;
//! - [`i18n`]: every UI string, one table per language (English, Korean).
//!
//! The playground holds no Kafka logic of its own.
#![forbid(unsafe_code)]

pub mod app;
pub mod components;
pub mod context;
pub mod embed;
pub mod embedded;
pub mod engine;
pub mod hooks;
pub mod i18n;
pub mod model;
pub mod palette;
pub mod route;
pub mod share;

/// Renders the playground into the page's `#root` element. A page without one (a page with
/// `<rill-demo>` embeds, which loads this module for [`embed::mount_demo`]) gets nothing.
pub fn mount() {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("root"));
    if let Some(root) = root {
        yew::Renderer::<app::App>::with_root(root).render();
    }
}
