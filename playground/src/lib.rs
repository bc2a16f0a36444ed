//! `rill-playground`: a Yew UI that shows Kafka's log at work.
//!
//! [`state`] holds the view state behind one reducer; [`components`] draw it; [`app`] owns the
//! broker ([`rill_wasm::Host`]) and turns user actions into host commands, feeding results back
//! to the reducer. The playground holds no log semantics of its own.
#![forbid(unsafe_code)]

pub mod app;
pub mod components;
pub mod palette;
pub mod state;

/// Renders the playground into the page's `#root` element (or `<body>` when there is none).
pub fn mount() {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("root"));
    match root {
        Some(root) => yew::Renderer::<app::App>::with_root(root).render(),
        None => yew::Renderer::<app::App>::new().render(),
    };
}
