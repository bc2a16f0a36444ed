//! Which partition rows are on screen: one `IntersectionObserver` over every drawn row
//! (`li.partition` inside `article.topic`). Rows out of sight are not read each frame
//! ([`crate::model::ReadOptions::offscreen`]); the model keeps what it last drew of them.

use std::collections::BTreeSet;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Element, IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit};

use super::Engine;

/// How far outside the viewport a row still counts as on screen (read ahead of a scroll).
const MARGIN: &str = "300px 0px";

/// Rows out of sight are read all the same, a few per frame, each once in this many frames
/// (about half a second): what is off screen (and in the accessibility tree) is never far
/// behind, and no frame reads every lane at once.
pub(crate) const REFRESH_FRAMES: usize = 30;

/// The observer and the rows it saw leave the screen.
pub(crate) struct LaneVisibility {
    observer: IntersectionObserver,
    /// Kept alive as long as the observer.
    _callback: Closure<dyn FnMut(js_sys::Array)>,
    /// (topic, partition) of observed rows out of sight.
    pub(crate) offscreen: BTreeSet<(String, u32)>,
    /// Frames read so far (which rows out of sight are read all the same this frame).
    tick: usize,
}

impl std::fmt::Debug for LaneVisibility {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LaneVisibility")
            .field("offscreen", &self.offscreen)
            .finish_non_exhaustive()
    }
}

/// The (topic, partition) a row stands for, from its attributes.
fn row_key(row: &Element) -> Option<(String, u32)> {
    let partition = row.get_attribute("data-partition")?.parse().ok()?;
    let topic = row
        .closest("article.topic")
        .ok()
        .flatten()?
        .get_attribute("data-topic")?;
    Some((topic, partition))
}

impl LaneVisibility {
    /// An observer that tells `engine` when rows leave or enter the screen; `None` without
    /// `IntersectionObserver` (every lane is then read, as before).
    fn new(engine: &Engine) -> Option<Self> {
        let weak = std::rc::Rc::downgrade(&engine.0);
        let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            let Some(inner) = weak.upgrade() else {
                return;
            };
            let engine = Engine(inner);
            let mut shown = false;
            if let Some(visibility) = engine.0.visibility.borrow_mut().as_mut() {
                for entry in entries.iter() {
                    let entry: IntersectionObserverEntry = entry.unchecked_into();
                    let Some(key) = row_key(&entry.target()) else {
                        continue;
                    };
                    if entry.is_intersecting() {
                        shown |= visibility.offscreen.remove(&key);
                    } else {
                        visibility.offscreen.insert(key);
                    }
                }
            }
            if shown {
                engine.request_frame();
            }
        });
        let init = IntersectionObserverInit::new();
        init.set_root_margin(MARGIN);
        let observer =
            IntersectionObserver::new_with_options(callback.as_ref().unchecked_ref(), &init)
                .ok()?;
        Some(Self {
            observer,
            _callback: callback,
            offscreen: BTreeSet::new(),
            tick: 0,
        })
    }
}

impl Engine {
    /// Watches the partition rows under `topic_card` (again after its rows changed: observing
    /// a row twice is harmless).
    pub fn observe_rows(&self, topic_card: &Element) {
        if self.0.visibility.borrow().is_none() {
            let created = LaneVisibility::new(self);
            *self.0.visibility.borrow_mut() = created;
        }
        let visibility = self.0.visibility.borrow();
        let Some(visibility) = visibility.as_ref() else {
            return;
        };
        let Ok(rows) = topic_card.query_selector_all("li.partition") else {
            return;
        };
        for i in 0..rows.length() {
            if let Some(row) = rows.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                visibility.observer.observe(&row);
            }
        }
    }

    /// Stops watching the rows under `topic_card` (the card is going away or redrawn with
    /// other rows); they count as on screen until observed again.
    pub fn unobserve_rows(&self, topic_card: &Element) {
        let mut visibility = self.0.visibility.borrow_mut();
        let Some(visibility) = visibility.as_mut() else {
            return;
        };
        let Ok(rows) = topic_card.query_selector_all("li.partition") else {
            return;
        };
        for i in 0..rows.length() {
            if let Some(row) = rows.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                visibility.observer.unobserve(&row);
                if let Some(key) = row_key(&row) {
                    visibility.offscreen.remove(&key);
                }
            }
        }
    }

    /// The rows out of sight not read this frame: all but every [`REFRESH_FRAMES`]th, in turn.
    pub(crate) fn offscreen_rows(&self) -> BTreeSet<(String, u32)> {
        let mut visibility = self.0.visibility.borrow_mut();
        let Some(visibility) = visibility.as_mut() else {
            return BTreeSet::new();
        };
        visibility.tick = visibility.tick.wrapping_add(1);
        let turn = visibility.tick % REFRESH_FRAMES;
        visibility
            .offscreen
            .iter()
            .enumerate()
            .filter(|(i, _)| i % REFRESH_FRAMES != turn)
            .map(|(_, key)| key.clone())
            .collect()
    }
}
