//! Embeds: the playground as a compact demo inside another page. `static/rill-demo.js` defines
//! the `<rill-demo>` custom element; each element calls [`mount_demo`] with its options and
//! gets its own [`App`] (its own engine and in-memory cluster, drawn in the element's shadow
//! root) from the one wasm instance the module loaded. The element tells the demo when it is
//! scrolled out of sight ([`Demo::set_visible`]): it pauses, so no timer fires.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use crate::app::{App, AppProps};
use crate::embedded::EmbedConfig;
use crate::engine::{Engine, Until};
use crate::i18n::Lang;

/// One mounted demo, for `rill-demo.js`.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Demo {
    app: Option<yew::AppHandle<App>>,
    config: Rc<EmbedConfig>,
}

#[wasm_bindgen]
impl Demo {
    /// Pauses the demo while it is out of sight (and resumes it when it comes back, if it
    /// was playing).
    #[wasm_bindgen(js_name = setVisible)]
    pub fn set_visible(&self, visible: bool) {
        if let Some(engine) = self.config.engine.borrow().as_ref() {
            engine.set_visible(visible);
        }
    }

    /// Unmounts the demo and closes its cluster.
    pub fn destroy(&mut self) {
        if let Some(engine) = self.config.engine.borrow_mut().take() {
            engine.close();
        }
        if let Some(app) = self.app.take() {
            app.destroy();
        }
    }

    /// The cluster's state hash as hex (tests compare it with a shared link's).
    #[wasm_bindgen(js_name = stateHash)]
    pub fn state_hash(&self) -> Option<String> {
        let engine = self.config.engine.borrow().clone()?;
        engine.state_hash().map(|h| format!("{h:016x}"))
    }

    /// Whether the demo's clock is running.
    #[wasm_bindgen(js_name = isPlaying)]
    pub fn is_playing(&self) -> bool {
        self.config
            .engine
            .borrow()
            .as_ref()
            .and_then(Engine::session)
            .is_some_and(|s| !s.is_paused() && !s.is_closed())
    }
}

fn get(options: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(options, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// Mounts a demo into `root` (an element in the custom element's shadow root). `options`:
/// `{ script, view, autoplay, speed, until, lang, controls, playground }`.
#[wasm_bindgen(js_name = mountDemo)]
pub fn mount_demo(root: web_sys::Element, options: &JsValue) -> Demo {
    let config = Rc::new(EmbedConfig {
        script: get(options, "script").as_string().unwrap_or_default(),
        view: get(options, "view").as_string(),
        autoplay: get(options, "autoplay").is_truthy(),
        speed: get(options, "speed")
            .as_f64()
            .filter(|s| (0.01..=100.0).contains(s))
            .unwrap_or(1.0),
        until: get(options, "until")
            .as_string()
            .and_then(|u| Until::parse(&u)),
        lang: get(options, "lang")
            .as_string()
            .and_then(|l| Lang::from_tag(&l)),
        controls: get(options, "controls").is_truthy(),
        playground: get(options, "playground")
            .as_string()
            .unwrap_or_else(|| "index.html".to_owned()),
        engine: RefCell::new(None),
    });
    let app = yew::Renderer::<App>::with_root_and_props(
        root,
        AppProps {
            embed: Some(config.clone()),
        },
    )
    .render();
    Demo {
        app: Some(app),
        config,
    }
}
