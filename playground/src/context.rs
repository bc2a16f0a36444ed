//! What every component reads through context: the model, the engine to send commands to, and
//! the language.

use yew::prelude::*;

use crate::engine::{Command, Engine};
use crate::i18n::{Lang, Strings};
use crate::model::Model;

/// The playground's shared context.
#[derive(Clone, Debug, PartialEq)]
pub struct AppContext {
    /// The view state.
    pub model: UseReducerHandle<Model>,
    /// Where commands go.
    pub engine: Engine,
    /// The language.
    pub lang: Lang,
}

impl AppContext {
    /// The strings of the current language.
    pub fn t(&self) -> &'static Strings {
        self.lang.strings()
    }

    /// A callback that runs `command` (built from the event) on the engine.
    pub fn command<E: 'static>(&self, f: impl Fn(E) -> Command + 'static) -> Callback<E> {
        let engine = self.engine.clone();
        Callback::from(move |e: E| engine.run(f(e)))
    }

    /// Runs a command now.
    pub fn run(&self, command: Command) {
        self.engine.run(command);
    }
}

/// The context; components are only ever rendered under the provider.
#[hook]
pub fn use_app() -> AppContext {
    use_context::<AppContext>().expect("components render under the AppContext provider")
}
