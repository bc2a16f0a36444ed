//! A topic's admin controls: its config overrides (set and remove any of Kafka's topic
//! configs: `segment.bytes`, `retention.ms`, `min.insync.replicas`,
//! `unclean.leader.election.enable`, `cleanup.policy`, …), add partitions with the preview of
//! the keys that would move, delete records and delete topic (both asking first), and the
//! preferred-leader election. Errors show next to these controls.

use rill_core::config::{CONFIGS, TopicConfig};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::context::use_app;
use crate::engine::Command;
use crate::i18n::fill;
use crate::model::TopicView;

/// Keys listed in the add-partitions preview at most; the rest are counted.
const MOVED_KEYS_LISTED_MAX: usize = 5;

/// The config the editor starts on: the one the replication views need most.
const FIRST_CONFIG: &str = "min.insync.replicas";

/// The overrides in force: configs whose value is not Kafka's default, as `name=value`.
pub fn overrides(config: &TopicConfig) -> Vec<String> {
    CONFIGS
        .iter()
        .filter_map(|def| {
            let value = config.get(def.name)?;
            (value != def.default).then(|| format!("{}={value}", def.name))
        })
        .collect()
}

/// Props of [`TopicAdmin`]: what it needs of the topic (not its partitions, which change
/// every frame).
#[derive(Properties, PartialEq, Debug)]
pub struct TopicAdminProps {
    /// Topic name.
    pub name: String,
    /// Its partition count.
    pub count: u32,
    /// The configs in force.
    pub config: TopicConfig,
}

impl TopicAdminProps {
    /// The props for `topic`.
    pub fn of(topic: &TopicView) -> Self {
        Self {
            name: topic.name.clone(),
            count: topic.partitions.len() as u32,
            config: topic.config.clone(),
        }
    }
}

fn input_value(r: &NodeRef) -> String {
    r.cast::<HtmlInputElement>()
        .map(|i| i.value())
        .unwrap_or_default()
}

fn select_value(e: &Event) -> String {
    e.target_dyn_into::<HtmlSelectElement>()
        .map(|s| s.value())
        .unwrap_or_default()
}

/// The config editor: pick a config, type a value, set it (or remove the override).
#[function_component(ConfigEditor)]
fn config_editor(props: &TopicAdminProps) -> Html {
    let app = use_app();
    let c = app.lang.cluster();
    let topic = props.name.clone();
    let chosen = use_state(|| FIRST_CONFIG.to_owned());
    let value_ref = use_node_ref();
    let current = props.config.get(&chosen).unwrap_or_default();
    let default = CONFIGS
        .iter()
        .find(|d| d.name == chosen.as_str())
        .map_or("", |d| d.default);
    crate::hooks::use_initial_value(&value_ref, current.clone());
    let on_choose = {
        let chosen = chosen.clone();
        Callback::from(move |e: Event| chosen.set(select_value(&e)))
    };
    let on_set = {
        let (topic, chosen, value_ref) = (topic.clone(), chosen.clone(), value_ref.clone());
        app.command(move |e: SubmitEvent| {
            e.prevent_default();
            Command::AlterConfig {
                topic: topic.clone(),
                name: (*chosen).clone(),
                value: Some(input_value(&value_ref).trim().to_owned()),
            }
        })
    };
    let on_remove = {
        let (topic, chosen) = (topic.clone(), chosen.clone());
        app.command(move |_: MouseEvent| Command::AlterConfig {
            topic: topic.clone(),
            name: (*chosen).clone(),
            value: None,
        })
    };
    html! {
        <form class="inline-form config-form" onsubmit={on_set} aria-label={c.configs}>
            <label>{ c.config_name }
                <select name="config-name" onchange={on_choose}>
                    { for CONFIGS.iter().filter(|d| d.effective).map(|d| html! {
                        <option value={d.name} selected={d.name == chosen.as_str()}>{ d.name }</option>
                    }) }
                </select>
            </label>
            <label>{ c.config_value }
                <input ref={value_ref} name="config-value" autocomplete="off" placeholder={default.to_owned()}
                    aria-describedby={format!("config-default-{topic}")} />
            </label>
            <button type="submit" class="secondary" data-action="set-config">{ c.set }</button>
            <button type="button" class="secondary" data-action="remove-config" onclick={on_remove}>{ c.remove }</button>
            <span class="meta" id={format!("config-default-{topic}")}>{ fill(c.default_is, &[&default]) }</span>
        </form>
    }
}

/// A topic's admin controls, folded under one summary.
#[function_component(TopicAdmin)]
pub fn topic_admin(props: &TopicAdminProps) -> Html {
    let app = use_app();
    let t = app.t();
    let c = app.lang.cluster();
    let name = props.name.clone();
    let count = props.count;
    let confirm = use_state(|| None::<Command>);
    let partitions_ref = use_node_ref();
    let delete_partition = use_state(|| 0u32);
    let delete_offset_ref = use_node_ref();
    // Keyboard users land on the confirmation's safe answer when it appears.
    let cancel_ref = use_node_ref();
    {
        let cancel_ref = cancel_ref.clone();
        use_effect_with(confirm.is_some(), move |asking| {
            if *asking && let Some(button) = cancel_ref.cast::<web_sys::HtmlElement>() {
                let _ = button.focus();
            }
        });
    }

    let on_preview = {
        let topic = name.clone();
        app.command(move |e: InputEvent| Command::PreviewPartitions {
            topic: topic.clone(),
            total: e
                .target_dyn_into::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default(),
        })
    };
    let on_add = {
        let topic = name.clone();
        let r = partitions_ref.clone();
        app.command(move |e: SubmitEvent| {
            e.prevent_default();
            Command::AddPartitions {
                topic: topic.clone(),
                total: input_value(&r),
            }
        })
    };
    let on_delete_records = {
        let confirm = confirm.clone();
        let topic = name.clone();
        // A partition past the end (the topic was re-created smaller) falls back to P0.
        let partition = if *delete_partition < count {
            *delete_partition
        } else {
            0
        };
        let r = delete_offset_ref.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            confirm.set(Some(Command::DeleteRecords {
                topic: topic.clone(),
                partition,
                before: input_value(&r).trim().to_owned(),
            }));
        })
    };
    let on_delete_topic = {
        let confirm = confirm.clone();
        let command = Command::DeleteTopic(name.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            confirm.set(Some(command.clone()));
        })
    };
    let on_partition_choice = {
        let delete_partition = delete_partition.clone();
        Callback::from(move |p: u32| delete_partition.set(p))
    };
    let unclean = props.config.unclean_leader_election_enable;
    let on_unclean = {
        let topic = name.clone();
        app.command(move |_: Event| Command::AlterConfig {
            topic: topic.clone(),
            name: "unclean.leader.election.enable".into(),
            value: Some((!unclean).to_string()),
        })
    };
    let on_elect = {
        let topic = name.clone();
        app.command(move |_: MouseEvent| Command::ElectPreferred {
            topic: topic.clone(),
            partition: None,
        })
    };
    let preview = app.model.key_moves.get(&name).map(|preview| match &preview.moves {
        Ok(moves) => html! {
            <div class="preview" role="status" data-keys-moving={moves.len().to_string()} data-total={preview.total.to_string()}>
                if moves.is_empty() {
                    <p class="meta">{ t.no_key_moves }</p>
                } else {
                    <p class="meta">{ fill(t.keys_move, &[&moves.len()]) }</p>
                    <ul class="moved-keys">
                        { for moves.iter().take(MOVED_KEYS_LISTED_MAX).map(|m| html! {
                            <li><code>{ String::from_utf8_lossy(&m.key).into_owned() }</code>{ format!(" P{} → P{}", m.from, m.to) }</li>
                        }) }
                        if moves.len() > MOVED_KEYS_LISTED_MAX { <li class="meta">{ format!("+{}", moves.len() - MOVED_KEYS_LISTED_MAX) }</li> }
                    </ul>
                }
            </div>
        },
        Err(alert) => html! {
            <p class="preview field-error" role="alert" data-error={alert.kind.clone()}>{ format!("{}: {}", alert.kind, alert.message) }</p>
        },
    });
    let confirmation = (*confirm).clone().map(|command| {
        let text = match &command {
            Command::DeleteTopic(topic) => fill(t.confirm_delete_topic, &[topic]),
            Command::DeleteRecords {
                topic,
                partition,
                before,
            } if before == "-1" => fill(c.confirm_delete_all_records, &[topic, partition]),
            Command::DeleteRecords {
                topic,
                partition,
                before,
            } => fill(t.confirm_delete_records, &[topic, partition, before]),
            _ => String::new(),
        };
        let run = {
            let confirm = confirm.clone();
            let engine = app.engine.clone();
            let command = command.clone();
            Callback::from(move |_: MouseEvent| {
                engine.run(command.clone());
                confirm.set(None);
            })
        };
        let cancel = {
            let confirm = confirm.clone();
            Callback::from(move |_: MouseEvent| confirm.set(None))
        };
        html! {
            <div class="confirm" role="alertdialog" aria-label={text.clone()}>
                <span>{ text }</span>
                <button type="button" class="danger" data-action="confirm" onclick={run}>{ t.yes_delete }</button>
                <button type="button" class="secondary" data-action="cancel" ref={cancel_ref.clone()} onclick={cancel}>{ t.cancel }</button>
            </div>
        }
    });

    html! {
        <details class="topic-controls">
            <summary>{ format!("{} · {} · {} · {}", c.configs, t.add_partitions, t.delete_records, t.delete_topic) }</summary>
            <div class="control-grid">
                <ConfigEditor name={name.clone()} {count} config={props.config.clone()} />
                <label class="toggle">
                    <input type="checkbox" name="unclean" checked={unclean} onchange={on_unclean} />
                    { "unclean.leader.election.enable" }
                </label>
                <button type="button" class="secondary" data-action="elect-preferred" onclick={on_elect}>{ t.elect_preferred }</button>
                <form class="inline-form" onsubmit={on_add}>
                    <label>{ c.new_partition_count }
                        <input ref={partitions_ref} name="new-partitions" inputmode="numeric" autocomplete="off"
                            placeholder={(count + 1).to_string()} oninput={on_preview} />
                    </label>
                    <button type="submit" class="secondary" data-action="add-partitions">{ t.add_partitions }</button>
                </form>
                { preview.unwrap_or_default() }
                <form class="inline-form" onsubmit={on_delete_records}>
                    <label>{ c.partition }
                        <crate::components::PartitionPicker name="delete-partition" {count}
                            value={*delete_partition} on_pick={on_partition_choice} />
                    </label>
                    <label>{ c.before_offset }
                        <input ref={delete_offset_ref} name="delete-before" inputmode="numeric" autocomplete="off" placeholder="-1" />
                    </label>
                    <button type="submit" class="secondary" data-action="delete-records">{ t.delete_records }</button>
                </form>
                <form class="inline-form" onsubmit={on_delete_topic}>
                    <button type="submit" class="danger" data-action="delete-topic">{ t.delete_topic }</button>
                </form>
            </div>
            { confirmation.unwrap_or_default() }
        </details>
    }
}

#[cfg(test)]
mod tests {
    use rill_core::config::TopicConfig;

    use super::overrides;

    #[test]
    fn overrides_are_the_configs_off_kafkas_default() {
        assert!(overrides(&TopicConfig::default()).is_empty());
        let config = TopicConfig::with_overrides([
            ("segment.bytes", "400"),
            ("retention.bytes", "700"),
            ("min.insync.replicas", "1"),
        ])
        .expect("valid");
        assert_eq!(
            overrides(&config),
            vec!["retention.bytes=700", "segment.bytes=400"],
            "sorted by name; a value equal to the default is no override"
        );
    }
}
