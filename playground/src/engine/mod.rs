//! The only place with effects: the [`Session`], animation frames, the tab handshake. Turns
//! the person's [`Command`]s into session calls and the session's events into reducer
//! [`Action`]s, at most once per animation frame.

mod commands;
mod frames;
mod groups;
mod step;
mod tabs;
mod timeline;
mod validate;
mod visibility;

use std::cell::RefCell;
use std::rc::Rc;

use rill_wasm::HostError;
use rill_wasm::session::{ClockMode, Session, SessionEvent, SessionOptions, StorageKind};
use wasm_bindgen_futures::spawn_local;
use yew::UseReducerDispatcher;

pub use commands::{Command, ProduceForm, TopicForm};
pub use groups::{GroupCommand, GroupForm, ProducerForm, ResetForm};
pub use step::STEP_LIMIT_MS;
pub use timeline::{
    CHECKPOINT_EVERY_MS, CHECKPOINTS_MAX, CLOCK_TICK_MS, Entry, ExpectTally, Planned, ScriptError,
    ScriptOptions, Until,
};
pub(crate) use validate::whole_number;

use crate::model::{Action, ClusterView, Model, Persistence, ReadOptions};

/// The IndexedDB store the full-page playground keeps its cluster in.
pub const PLAYGROUND_STORE: &str = "playground";

/// How a playground instance keeps its cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Storage {
    /// In IndexedDB under this name (the full page).
    IndexedDb(String),
    /// In memory only (embeds, or when asked).
    Memory,
}

/// What a new cluster looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewCluster {
    /// Broker count (1..=9 in the playground).
    pub brokers: u32,
    /// Seed of every random choice.
    pub seed: u64,
}

impl Default for NewCluster {
    fn default() -> Self {
        Self {
            brokers: 3,
            seed: 42,
        }
    }
}

struct Inner {
    dispatcher: UseReducerDispatcher<Model>,
    session: RefCell<Option<Session>>,
    /// Session events since the last frame.
    pending: RefCell<Vec<(SessionEvent, i64)>>,
    /// Whether an animation frame is requested.
    frame_requested: RefCell<bool>,
    /// Which lanes are on screen (the view keeps it current).
    read_options: RefCell<ReadOptions>,
    /// Numbers the records sent from the produce form.
    next_sent: RefCell<u64>,
    storage: Storage,
    /// Scripts played, checkpoints, the plan ahead ([`timeline`]).
    timeline: RefCell<timeline::Timeline>,
    /// Which partition rows are out of sight ([`visibility`]).
    visibility: RefCell<Option<visibility::LaneVisibility>>,
}

/// The playground's engine: cheap to clone, clones share it.
#[derive(Clone)]
pub struct Engine(Rc<Inner>);

impl PartialEq for Engine {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("storage", &self.0.storage)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine that will open its session on [`Engine::start`].
    pub fn new(dispatcher: UseReducerDispatcher<Model>, storage: Storage) -> Self {
        Self(Rc::new(Inner {
            dispatcher,
            session: RefCell::new(None),
            pending: RefCell::new(Vec::new()),
            frame_requested: RefCell::new(false),
            read_options: RefCell::new(ReadOptions::default()),
            next_sent: RefCell::new(0),
            storage,
            timeline: RefCell::new(timeline::Timeline::default()),
            visibility: RefCell::new(None),
        }))
    }

    /// The session, once open.
    pub fn session(&self) -> Option<Session> {
        self.0.session.borrow().clone()
    }

    /// Tells the engine which lanes are on screen.
    pub fn set_read_options(&self, options: ReadOptions) {
        let changed = *self.0.read_options.borrow() != options;
        if changed {
            *self.0.read_options.borrow_mut() = options;
            self.request_frame();
        }
    }

    /// Opens the session: the stored cluster (a new default one when nothing is stored),
    /// realtime clock.
    pub fn start(&self) {
        let this = self.clone();
        spawn_local(async move {
            this.open(None, false).await;
        });
    }

    /// Discards the cluster and starts a new one of `shape`.
    pub fn new_cluster(&self, shape: NewCluster) {
        let this = self.clone();
        spawn_local(async move {
            if let Some(session) = this.0.session.borrow_mut().take() {
                session.close();
            }
            this.open(Some(shape), false).await;
        });
    }

    /// Takes the stored cluster over from the tab that holds it.
    pub fn take_over(&self) {
        let this = self.clone();
        spawn_local(async move {
            this.open(None, true).await;
        });
    }

    async fn open(&self, fresh: Option<NewCluster>, take_over: bool) {
        let (storage, name) = match &self.0.storage {
            Storage::IndexedDb(name) => (StorageKind::IndexedDb, name.clone()),
            Storage::Memory => (StorageKind::Memory, "embed".to_owned()),
        };
        if take_over {
            tabs::ask_holder_to_step_back(&name).await;
        }
        if fresh.is_some()
            && storage == StorageKind::IndexedDb
            && let Err(error) = rill_wasm::store::IdbStore::delete(&name).await
        {
            self.0.dispatcher.dispatch(Action::OpenFailed(error));
            return;
        }
        let shape = fresh.unwrap_or_default();
        let options = SessionOptions {
            name: name.clone(),
            storage,
            brokers: fresh.map(|f| f.brokers),
            seed: shape.seed,
            clock: ClockMode::Realtime,
            latency: None,
            on_discarded: rill_wasm::store::OnDiscarded::Fail,
        };
        match Session::open(options).await {
            Ok(session) => {
                let persistence = match storage {
                    StorageKind::IndexedDb => Persistence::IndexedDb(name.clone()),
                    StorageKind::Memory => Persistence::Memory(None),
                };
                self.attach(session, persistence);
                if storage == StorageKind::IndexedDb {
                    tabs::listen_for_take_over(self, &name);
                }
            }
            Err(error) => self.0.dispatcher.dispatch(Action::OpenFailed(error)),
        }
    }

    /// Another tab asked for the cluster: close it here and say so.
    fn step_back(&self, name: &str) {
        if let Some(session) = self.0.session.borrow_mut().take() {
            session.close();
        }
        self.0
            .dispatcher
            .dispatch(Action::SteppedBack(name.to_owned()));
    }

    fn attach(&self, session: Session, persistence: Persistence) {
        let weak = Rc::downgrade(&self.0);
        session.subscribe(Rc::new(move |event, at| {
            if let Some(inner) = weak.upgrade() {
                let engine = Engine(inner);
                engine.0.pending.borrow_mut().push((event.clone(), at));
                engine.request_frame();
            }
        }));
        let view = session.read(|c| ClusterView::read(c, &self.0.read_options.borrow()));
        self.begin_timeline(&session);
        *self.0.session.borrow_mut() = Some(session);
        // Recovery's events were replayed to the subscriber: they are not news.
        self.0.pending.borrow_mut().clear();
        self.0
            .dispatcher
            .dispatch(Action::Opened { persistence, view });
        self.dispatch_groups(Vec::new());
        self.request_frame();
    }

    /// Draws the next animation frame with what changed.
    pub fn request_frame(&self) {
        if *self.0.frame_requested.borrow() {
            return;
        }
        *self.0.frame_requested.borrow_mut() = true;
        let weak = Rc::downgrade(&self.0);
        frames::on_next_frame(move || {
            if let Some(inner) = weak.upgrade() {
                Engine(inner).frame();
            }
        });
    }

    fn frame(&self) {
        *self.0.frame_requested.borrow_mut() = false;
        let Some(session) = self.session() else {
            return;
        };
        self.after_frame(&session);
        let events = std::mem::take(&mut *self.0.pending.borrow_mut());
        // Lanes out of sight are not read (the model keeps what it drew of them), but for a
        // few each frame in turn (`visibility::REFRESH_FRAMES`). In pause frames are rare
        // (a step, a command): every lane is read.
        let mut options = self.0.read_options.borrow().clone();
        if !session.is_paused() {
            options.offscreen = self.offscreen_rows();
        }
        let mut view = session.read(|c| ClusterView::read(c, &options));
        view.running = !session.is_paused();
        view.speed = session.speed();
        let group_events = crate::model::groups::group_events(&events);
        self.0.dispatcher.dispatch(Action::Frame { view, events });
        self.dispatch_groups(group_events);
    }

    /// Reads the consumer groups and hands them, with their members' events, to the model.
    fn dispatch_groups(&self, events: Vec<(SessionEvent, i64)>) {
        let Some(session) = self.session() else {
            return;
        };
        let view = session.read_world(crate::model::groups::GroupsView::read);
        self.0
            .dispatcher
            .dispatch(Action::Groups(crate::model::groups::GroupsAction::Frame {
                view,
                events,
            }));
    }

    fn fail(&self, place: crate::model::Place, error: HostError) {
        self.0.dispatcher.dispatch(Action::Failed(place, error));
    }

    /// A scenario's command was refused and its next line expects exactly that refusal: shown
    /// as the outcome the scenario demonstrates, not as a failure.
    fn refused_as_expected(&self, place: crate::model::Place, error: HostError) {
        self.0
            .dispatcher
            .dispatch(Action::RefusedAsExpected(place, error));
    }
}
