//! What the page's address asks of the playground: the view, the language, and how to start
//! (the stored cluster, a scenario script or a shared link).

use crate::engine::{ScriptOptions, Until};
use crate::i18n::Lang;

/// A top-level view of the playground.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// Brokers, topics, partitions, lanes.
    Cluster,
    /// The event log.
    Events,
    /// Consumer groups.
    Groups,
    /// The four assignors side by side.
    Assignors,
}

impl View {
    /// The view named in a URL (`#view=…` or `?view=…`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "cluster" | "replication" | "log" => Some(Self::Cluster),
            "events" => Some(Self::Events),
            "groups" => Some(Self::Groups),
            "assignors" => Some(Self::Assignors),
            _ => None,
        }
    }

    /// The view's name in URLs.
    pub fn name(self) -> &'static str {
        match self {
            Self::Cluster => "cluster",
            Self::Events => "events",
            Self::Groups => "groups",
            Self::Assignors => "assignors",
        }
    }
}

/// What the page's URL asks for.
#[derive(Clone, Debug, PartialEq)]
pub struct UrlParams {
    /// `?lang=ko|en`, else the browser's language.
    pub lang: Lang,
    /// `#view=…` / `?view=…`.
    pub view: View,
    /// What to start from: a shared link (`#s=…`), a scenario URL (`?scenario=…`), or the
    /// stored cluster.
    pub start: Start,
}

/// What the playground starts from.
#[derive(Clone, Debug, PartialEq)]
pub enum Start {
    /// The cluster stored in this browser (a new one when none is).
    Stored,
    /// A scenario script fetched from this URL, with its options.
    ScenarioUrl(String, ScriptOptions),
    /// A script in hand (a shared link's, or an embed's), with its options.
    Script(String, ScriptOptions),
    /// A shared link that cannot be read: why.
    Broken(String),
}

/// The script options in a URL: `autoplay`, `speed`, `until`.
fn script_options(param: &dyn Fn(&str) -> Option<String>) -> ScriptOptions {
    ScriptOptions {
        autoplay: param("autoplay").is_some_and(|v| v != "0" && v != "false"),
        speed: param("speed")
            .and_then(|s| s.parse().ok())
            .filter(|s: &f64| (0.01..=100.0).contains(s))
            .unwrap_or(1.0),
        until: param("until").and_then(|u| Until::parse(&u)),
    }
}

impl UrlParams {
    /// Reads the URL and the browser's language.
    pub fn read() -> Self {
        let window = web_sys::window();
        let location = window.as_ref().map(web_sys::Window::location);
        let search = location
            .as_ref()
            .and_then(|l| l.search().ok())
            .unwrap_or_default();
        let hash = location
            .as_ref()
            .and_then(|l| l.hash().ok())
            .unwrap_or_default();
        let param = |name: &str| {
            crate::share::param(&search, name).or_else(|| crate::share::param(&hash, name))
        };
        let start = match crate::share::read_fragment(&hash) {
            Some(Ok(shared)) => Start::Script(
                shared.script,
                ScriptOptions {
                    until: Some(shared.time_ms.map_or(Until::End, Until::At)),
                    ..ScriptOptions::default()
                },
            ),
            Some(Err(error)) => Start::Broken(error.to_string()),
            None => match param("scenario") {
                Some(url) if !url.is_empty() => Start::ScenarioUrl(url, script_options(&param)),
                _ => Start::Stored,
            },
        };
        let browser = window
            .as_ref()
            .and_then(|w| w.navigator().language())
            .and_then(|tag| Lang::from_tag(&tag));
        Self {
            lang: param("lang")
                .and_then(|l| Lang::from_tag(&l))
                .or(browser)
                .unwrap_or_default(),
            view: param("view")
                .and_then(|v| View::from_name(&v))
                .unwrap_or(View::Cluster),
            start,
        }
    }
}
