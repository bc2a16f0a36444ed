// Starts the playground. A file, not an inline script: the page's Content-Security-Policy
// allows scripts from this origin only.
import init from './rill_playground.js';

init({ module_or_path: './rill_playground_bg.wasm' });
