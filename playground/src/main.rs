//! Entry point: mounts the playground into `#root`.
#![forbid(unsafe_code)]

fn main() {
    rill_playground::mount();
}
