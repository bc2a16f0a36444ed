// Flags for headless Chromium in CI containers, shared by the end-to-end tests and the wasm
// benchmark: no sandbox (CI runs as root), no GPU, no shared-memory /dev/shm, and no
// background traffic that would add noise or wait for a network.
export const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
