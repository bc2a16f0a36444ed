//! Small hooks.

use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Gives an uncontrolled `<input>` a value when it mounts and whenever `value` changes, and
/// leaves what the person types alone otherwise. (Yew's `value=` makes an input controlled:
/// every render would put that value back over what the person typed.)
#[hook]
pub fn use_initial_value(node: &NodeRef, value: String) {
    let node = node.clone();
    use_effect_with(value, move |value| {
        if let Some(input) = node.cast::<HtmlInputElement>() {
            input.set_value(value);
        }
    });
}

/// How close (px) to its right end a scroll area counts as "at the end".
const PIN_SLACK: i32 = 8;

/// Keeps a horizontal scroll area pinned to its right end (the newest records) while it is
/// there: after every render it scrolls to the end unless the person scrolled away from it.
/// Returns the `onscroll` callback that notices where the person left it.
#[hook]
pub fn use_pinned_to_end(node: &NodeRef) -> Callback<Event> {
    let pinned = use_mut_ref(|| true);
    {
        let (node, pinned) = (node.clone(), pinned.clone());
        use_effect(move || {
            if *pinned.borrow()
                && let Some(el) = node.cast::<web_sys::Element>()
            {
                el.set_scroll_left(el.scroll_width());
            }
        });
    }
    let node = node.clone();
    Callback::from(move |_: Event| {
        if let Some(el) = node.cast::<web_sys::Element>() {
            *pinned.borrow_mut() =
                el.scroll_left() + el.client_width() >= el.scroll_width() - PIN_SLACK;
        }
    })
}

/// Keeps a vertical scroll area (the history list) pinned to its bottom (the latest entry)
/// while it is there, as [`use_pinned_to_end`] does sideways; `follow` false (the view is in
/// the past) leaves it where it is. Returns the `onscroll` callback.
#[hook]
pub fn use_pinned_to_bottom(node: &NodeRef, follow: bool) -> Callback<Event> {
    let pinned = use_mut_ref(|| true);
    {
        let (node, pinned) = (node.clone(), pinned.clone());
        use_effect(move || {
            if follow
                && *pinned.borrow()
                && let Some(el) = node.cast::<web_sys::Element>()
            {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }
    let node = node.clone();
    Callback::from(move |_: Event| {
        if let Some(el) = node.cast::<web_sys::Element>() {
            *pinned.borrow_mut() =
                el.scroll_top() + el.client_height() >= el.scroll_height() - PIN_SLACK;
        }
    })
}
