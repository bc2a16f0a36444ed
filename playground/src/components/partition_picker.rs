//! Picks a partition of a topic: a list for a few partitions, a number field for many (a
//! 10,000-partition topic does not put 10,000 options in the page on every frame).

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::context::use_app;
use crate::i18n::fill;

/// Partitions offered as a list at most; more get a number field.
pub(crate) const PICKER_OPTIONS_MAX: u32 = 64;

/// Props of [`PartitionPicker`].
#[derive(Properties, PartialEq, Debug)]
pub struct PartitionPickerProps {
    /// The control's `name`.
    pub name: AttrValue,
    /// Partition count.
    pub count: u32,
    /// The partition picked.
    pub value: u32,
    /// Called with a partition picked (only ones that exist).
    pub on_pick: Callback<u32>,
}

/// The picker.
#[function_component(PartitionPicker)]
pub fn partition_picker(props: &PartitionPickerProps) -> Html {
    let app = use_app();
    let t = app.t();
    let count = props.count;
    if count <= PICKER_OPTIONS_MAX {
        let on_pick = props.on_pick.clone();
        let onchange = Callback::from(move |e: Event| {
            if let Some(p) = e
                .target_dyn_into::<HtmlSelectElement>()
                .and_then(|s| s.value().parse::<u32>().ok())
            {
                on_pick.emit(p);
            }
        });
        return html! {
            <select name={props.name.clone()} {onchange}>
                { for (0..count).map(|i| html! {
                    <option value={i.to_string()} selected={i == props.value}>{ fill(t.partition_n, &[&i]) }</option>
                }) }
            </select>
        };
    }
    let on_pick = props.on_pick.clone();
    let onchange = Callback::from(move |e: Event| {
        if let Some(p) = e
            .target_dyn_into::<HtmlInputElement>()
            .and_then(|i| i.value().trim().parse::<u32>().ok())
            .filter(|p| *p < count)
        {
            on_pick.emit(p);
        }
    });
    html! {
        <input name={props.name.clone()} type="number" min="0" max={(count - 1).to_string()}
            value={props.value.to_string()} inputmode="numeric" {onchange} />
    }
}
