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
