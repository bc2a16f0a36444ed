//! `kafka.cluster()`: fault injection and partition reassignment.

use js_sys::{Array, Object, Promise};
use rill_core::ErrorCode;
use rill_core::cluster::{ClusterError, NodeId};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::{kafka_error, promise, u32_value};
use crate::HostError;
use crate::api::{field, int_field, invalid, object_arg, set, string_field};
use crate::session::Session;

/// Controls the simulated cluster: kill and restart brokers, cut the network, move replicas.
#[wasm_bindgen]
#[derive(Debug)]
pub struct ClusterControl {
    host: Session,
}

fn cluster_error(error: ClusterError) -> HostError {
    match error {
        ClusterError::UnknownBroker(_) => invalid(error.to_string()),
        _ => kafka_error(ErrorCode::InvalidRequest, error.to_string()),
    }
}

fn broker_arg(value: &JsValue, what: &str) -> Result<u32, HostError> {
    match value.as_f64() {
        Some(id) if id >= 0.0 && id.fract() == 0.0 && id <= f64::from(u32::MAX) => Ok(id as u32),
        _ => Err(invalid(format!(
            "{what} must be a broker id (a non-negative integer)"
        ))),
    }
}

fn nodes(value: &JsValue, what: &str, brokers: u32) -> Result<Vec<NodeId>, HostError> {
    let array = value.dyn_ref::<Array>().ok_or_else(|| {
        invalid(format!(
            "{what} must be an array of broker ids or 'controller'"
        ))
    })?;
    array
        .iter()
        .enumerate()
        .map(|(i, v)| {
            if v.as_string().as_deref() == Some("controller") {
                return Ok(NodeId::Controller);
            }
            let id = broker_arg(&v, &format!("{what}[{i}]"))?;
            if id >= brokers {
                return Err(invalid(format!(
                    "{what}[{i}]: no broker {id} in this cluster"
                )));
            }
            Ok(NodeId::Broker(id))
        })
        .collect()
}

/// `[{ topic, partitions }]` entries: topic, partitions, and the entry itself.
type TopicEntries = Vec<(String, Vec<u32>, Option<Object>)>;

fn topic_partition_list(value: &JsValue, what: &str) -> Result<TopicEntries, HostError> {
    let array = value
        .dyn_ref::<Array>()
        .ok_or_else(|| invalid(format!("{what} must be an array")))?;
    let mut out = Vec::new();
    for (i, entry) in array.iter().enumerate() {
        let what = format!("{what}[{i}]");
        let object = object_arg(&entry, &what)?;
        let topic = string_field(object, "topic", &what)?
            .ok_or_else(|| invalid(format!("{what}.topic is required")))?;
        let partitions = field(object, "partitions");
        let partitions = match partitions.dyn_ref::<Array>() {
            Some(list) => list
                .iter()
                .enumerate()
                .map(|(j, p)| broker_arg(&p, &format!("{what}.partitions[{j}]")))
                .collect::<Result<Vec<u32>, _>>()?,
            None => Vec::new(),
        };
        out.push((topic, partitions, Some(object.clone())));
    }
    Ok(out)
}

impl ClusterControl {
    pub(crate) fn new(host: Session) -> Self {
        Self { host }
    }

    fn run(&self, f: impl FnOnce(&Session) -> Result<(), HostError> + 'static) -> Promise {
        let host = self.host.clone();
        promise(async move {
            f(&host)?;
            host.durable().await?;
            Ok(JsValue::UNDEFINED)
        })
    }
}

#[wasm_bindgen]
impl ClusterControl {
    /// Stops broker `id` at once (a crash: its memory is gone, its logs stay).
    #[wasm_bindgen(js_name = killBroker, unchecked_return_type = "Promise<void>")]
    pub fn kill_broker(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] id: JsValue,
    ) -> Promise {
        self.run(move |host| {
            let id = broker_arg(&id, "killBroker(id)")?;
            host.command(|c| c.kill_broker(id))?.map_err(cluster_error)
        })
    }

    /// Starts a stopped broker: it recovers its logs and rejoins.
    #[wasm_bindgen(js_name = restartBroker, unchecked_return_type = "Promise<void>")]
    pub fn restart_broker(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] id: JsValue,
    ) -> Promise {
        self.run(move |host| {
            let id = broker_arg(&id, "restartBroker(id)")?;
            host.command(|c| c.restart_broker(id))?
                .map_err(cluster_error)
        })
    }

    /// Cuts every link between the nodes of `sideA` and those of `sideB` (broker ids, or
    /// `'controller'`).
    #[wasm_bindgen(js_name = partitionNetwork, unchecked_return_type = "Promise<void>")]
    pub fn partition_network(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Array<number | 'controller'>")] side_a: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Array<number | 'controller'>")] side_b: JsValue,
    ) -> Promise {
        self.run(move |host| {
            let brokers = host.read(|c| c.config().brokers);
            let a = nodes(&side_a, "partitionNetwork(sideA)", brokers)?;
            let b = nodes(&side_b, "partitionNetwork(sideB)", brokers)?;
            host.command(|c| c.partition_network(&a, &b))
        })
    }

    /// Restores every link.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn heal(&self) -> Promise {
        self.run(|host| host.command(|c| c.heal()))
    }

    /// `reassignPartitions({ topics: [{ topic, partitionAssignment: [{ partition, replicas }] }] })`.
    #[wasm_bindgen(js_name = reassignPartitions, unchecked_return_type = "Promise<void>")]
    pub fn reassign_partitions(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ReassignPartitionsOptions")] options: JsValue,
    ) -> Promise {
        self.run(move |host| {
            let what = "reassignPartitions options";
            let object = object_arg(&options, what)?;
            let mut plan = Vec::new();
            for (topic, _, entry) in
                topic_partition_list(&field(object, "topics"), &format!("{what}.topics"))?
            {
                let Some(entry) = entry else { continue };
                let assignment = field(&entry, "partitionAssignment");
                let list = assignment.dyn_ref::<Array>().ok_or_else(|| {
                    invalid(format!(
                        "{what}: partitionAssignment of '{topic}' must be an array"
                    ))
                })?;
                for (i, row) in list.iter().enumerate() {
                    let what = format!("{what}: {topic}.partitionAssignment[{i}]");
                    let row = object_arg(&row, &what)?;
                    let partition = u32_value(int_field(row, "partition", &what)?, &what)?
                        .ok_or_else(|| invalid(format!("{what}.partition is required")))?;
                    let replicas = field(row, "replicas");
                    let replicas = replicas
                        .dyn_ref::<Array>()
                        .ok_or_else(|| {
                            invalid(format!("{what}.replicas must be an array of broker ids"))
                        })?
                        .iter()
                        .enumerate()
                        .map(|(j, b)| broker_arg(&b, &format!("{what}.replicas[{j}]")))
                        .collect::<Result<Vec<u32>, _>>()?;
                    plan.push((topic.clone(), partition, replicas));
                }
            }
            for (topic, partition, replicas) in plan {
                host.command(|c| c.reassign_partition(&topic, partition, &replicas))?
                    .map_err(|code| {
                        kafka_error(
                            code,
                            format!("reassign {topic}-{partition} to {replicas:?}"),
                        )
                    })?;
            }
            Ok(())
        })
    }

    /// `electLeaders({ topicPartitions: [{ topic, partitions }] })`: preferred election.
    #[wasm_bindgen(js_name = electLeaders, unchecked_return_type = "Promise<void>")]
    pub fn elect_leaders(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "{ topicPartitions: Array<{ topic: string; partitions: number[] }> }"
        )]
        options: JsValue,
    ) -> Promise {
        self.run(move |host| {
            let what = "electLeaders options";
            let object = object_arg(&options, what)?;
            let list = topic_partition_list(
                &field(object, "topicPartitions"),
                &format!("{what}.topicPartitions"),
            )?;
            for (topic, partitions, _) in list {
                for partition in partitions {
                    host.command(|c| c.elect_preferred_leader(&topic, partition))?
                        .map_err(|code| {
                            kafka_error(
                                code,
                                format!("elect the preferred leader of {topic}-{partition}"),
                            )
                        })?;
                }
            }
            Ok(())
        })
    }

    /// Every broker: `[{ id, alive, fenced }]`.
    #[wasm_bindgen(
        unchecked_return_type = "Array<{ id: number; alive: boolean; fenced: boolean }>"
    )]
    pub fn brokers(&self) -> Result<Array, JsValue> {
        self.host
            .check_open()
            .map_err(|e| crate::api::to_js_error(&e))?;
        Ok(self.host.read(|c| {
            (0..c.config().brokers)
                .map(|id| {
                    let row = Object::new();
                    set(&row, "id", id);
                    set(&row, "alive", c.is_alive(id));
                    set(&row, "fenced", c.is_fenced(id));
                    JsValue::from(row)
                })
                .collect()
        }))
    }
}
