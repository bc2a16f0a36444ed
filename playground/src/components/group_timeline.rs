//! Under each group: the rebalance timeline (one row per partition, coloured by the member
//! that owned it, hatched while nobody consumed it, generations as ticks) and lag over time
//! (a small inline SVG plot, the group's total and each partition).

use yew::prelude::*;

use crate::context::use_app;
use crate::i18n::fill;
use crate::model::groups::{GroupHistory, Ownership};
use crate::palette::member_colour;

/// Partitions drawn as their own lines in the lag plot at most (the total is always drawn).
const PARTITION_LINES_MAX: usize = 12;

/// Windows the timeline can show (ms; 0: everything kept).
const WINDOWS: [(i64, &str); 3] = [(30_000, "30 s"), (120_000, "2 min"), (0, "∞")];

/// Props of the timeline and the plot.
#[derive(Properties, PartialEq, Debug)]
pub struct HistoryProps {
    /// The group's history.
    pub history: GroupHistory,
    /// Cluster time now.
    pub now: i64,
}

fn seconds(ms: i64) -> String {
    format!("{:.1} s", ms as f64 / 1_000.0)
}

/// The rebalance timeline.
#[function_component(RebalanceTimeline)]
pub fn rebalance_timeline(props: &HistoryProps) -> Html {
    let app = use_app();
    let g = app.t().groups;
    let window = use_state(|| 30_000i64);
    let rows = props.history.rows(props.now);
    let Some(start) = props.history.start() else {
        return html! { <p class="meta timeline-empty">{ g.no_timeline }</p> };
    };
    if rows.is_empty() {
        return html! { <p class="meta timeline-empty">{ g.no_timeline }</p> };
    }
    let from = if *window == 0 {
        start
    } else {
        start.max(props.now - *window)
    };
    let span_ms = (props.now - from).max(1);
    let x = |at: i64| (at.clamp(from, props.now) - from) as f64 * 100.0 / span_ms as f64;
    let buttons = WINDOWS.iter().map(|(ms, label)| {
        let (ms, window) = (*ms, window.clone());
        let pressed = *window == ms;
        html! {
            <button type="button" class="secondary small" aria-pressed={pressed.to_string()}
                onclick={Callback::from(move |_: MouseEvent| window.set(ms))}>{ *label }</button>
        }
    });
    let ticks = props
        .history
        .generations
        .iter()
        .filter(|(at, _)| *at >= from)
        .map(|(at, generation)| {
            html! {
                <span class="gen-tick" style={format!("left: {:.3}%", x(*at))}
                    title={fill(g.generation_n, &[generation])}>{ format!("g{generation}") }</span>
            }
        });
    let row_html = rows.iter().map(|row| {
        let gaps_ms: i64 = row.gaps().map(|s| s.to - s.from).sum();
        let spans = row.spans.iter().filter(|s| s.to >= from).map(|s| {
            let left = x(s.from);
            let width = (x(s.to) - left).max(0.4);
            let (class, style, title) = match &s.owner {
                Some(owner) => {
                    let (colour, ink) = member_colour(owner);
                    let ended = match s.ended_by {
                        Some(Ownership::Revoked) => g.revoked,
                        Some(Ownership::Lost) => g.lost,
                        Some(Ownership::Crashed) => g.status_crashed,
                        _ => "",
                    };
                    (
                        classes!("own", s.ended_by.map(|_| "ended")),
                        format!("left: {left:.3}%; width: {width:.3}%; --member-colour: {colour}; --member-ink: {ink}"),
                        format!("{owner} {}–{} {ended}", seconds(s.from - start), seconds(s.to - start)),
                    )
                }
                None => (
                    classes!("gap"),
                    format!("left: {left:.3}%; width: {width:.3}%"),
                    format!("{} {}–{} ({})", g.not_consumed, seconds(s.from - start), seconds(s.to - start), seconds(s.to - s.from)),
                ),
            };
            html! {
                <span class={class} {style} title={title.clone()} aria-label={title}>
                    if let Some(owner) = &s.owner { <span class="own-label">{ owner }</span> }
                </span>
            }
        });
        html! {
            <li class="tl-row" data-tp={row.tp.to_string()} data-gaps={row.gaps().count().to_string()}
                data-gap-ms={gaps_ms.to_string()}>
                <span class="tl-label">{ row.tp.to_string() }</span>
                <span class="tl-track">{ for spans }</span>
            </li>
        }
    });
    html! {
        <figure class="timeline" aria-label={g.timeline}>
            <figcaption class="section-head">
                <h4>{ g.timeline }</h4>
                <span class="window-buttons" role="group" aria-label={g.window}>{ for buttons }</span>
            </figcaption>
            <div class="tl-ticks" aria-hidden="true"><span class="tl-label"></span><span class="tl-track">{ for ticks }</span></div>
            <ol class="tl-rows">{ for row_html }</ol>
            <p class="meta tl-legend"><span class="gap-swatch" aria-hidden="true"></span>{ g.timeline_hint }</p>
        </figure>
    }
}

/// Lag over time.
#[function_component(LagPlot)]
pub fn lag_plot(props: &HistoryProps) -> Html {
    let app = use_app();
    let g = app.t().groups;
    let points = &props.history.lag;
    if points.len() < 2 {
        return html! { <p class="meta lag-empty">{ g.no_lag }</p> };
    }
    const W: f64 = 300.0;
    const H: f64 = 80.0;
    let (first, last) = (points[0].at, points[points.len() - 1].at);
    let span = (last - first).max(1) as f64;
    let peak = points.iter().map(|p| p.total).max().unwrap_or(0);
    let max = peak.max(1) as f64;
    let px = |at: i64| (at - first) as f64 * W / span;
    let py = |lag: i64| H - lag as f64 * (H - 4.0) / max;
    let line = |values: &mut dyn Iterator<Item = (i64, i64)>| {
        values
            .map(|(at, lag)| format!("{:.1},{:.1}", px(at), py(lag)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let total = line(&mut points.iter().map(|p| (p.at, p.total)));
    let partitions: Vec<_> = points
        .last()
        .map(|p| p.partitions.keys().cloned().collect())
        .unwrap_or_default();
    // Beyond a dozen partitions their lines are noise: only the total is drawn.
    let partitions = if partitions.len() > PARTITION_LINES_MAX {
        Vec::new()
    } else {
        partitions
    };
    let partition_lines = partitions.iter().map(|tp| {
        let pts = line(
            &mut points
                .iter()
                .filter_map(|p| p.partitions.get(tp).map(|l| (p.at, *l))),
        );
        html! { <polyline class="lag-partition" points={pts}><title>{ tp.to_string() }</title></polyline> }
    });
    let now_total = points[points.len() - 1].total;
    let label = fill(
        g.lag_plot_label,
        &[&now_total, &peak, &seconds(last - first)],
    );
    html! {
        <figure class="lag-plot" data-points={points.len().to_string()} data-lag={now_total.to_string()}>
            <figcaption class="section-head"><h4>{ g.lag_over_time }</h4><span class="meta">{ label.clone() }</span></figcaption>
            <svg viewBox={format!("0 0 {W} {H}")} preserveAspectRatio="none" role="img" aria-label={label}>
                <line class="axis" x1="0" y1={H.to_string()} x2={W.to_string()} y2={H.to_string()} />
                { for partition_lines }
                <polyline class="lag-total-line" points={total} />
            </svg>
            <div class="lag-axis meta" aria-hidden="true">
                <span>{ format!("−{}", seconds(last - first)) }</span><span>{ fill(g.max_n, &[&peak]) }</span><span>{ g.now }</span>
            </div>
        </figure>
    }
}
