// Shared by the SIGKILL tests: Chromium launched on a persistent profile in its own process
// group (so one `kill -9` reaches the browser, renderer and storage processes alike), a test
// page served by request interception, and the kill itself.
//
// Env: BASE_URL (required) — URL of the built site (it serves rill_wasm.js).
//      SCREENSHOT_DIR (optional) — defaults to <repo>/target/e2e-screenshots.
//      CHROMIUM (optional) — browser executable, defaults to /usr/bin/chromium.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { LAUNCH_ARGS } from './chromium.mjs';

/** Where screenshots go. */
export const screenshotDir = process.env.SCREENSHOT_DIR
  ? path.resolve(process.env.SCREENSHOT_DIR)
  : fileURLToPath(new URL('../../target/e2e-screenshots', import.meta.url));

/**
 * A test page that loads rill_wasm.js and exposes `exported` (e.g. `'Rill'`) as
 * `window[exported]`, or the load error as `window.rillLoadError`.
 */
export function rillPage(title, exported) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<link rel="icon" href="data:,"></head><body><h1>${title}</h1><pre id="status">loading</pre>
<script type="module">
  import init, { ${exported} } from './rill_wasm.js';
  try {
    await init({ module_or_path: './rill_wasm_bg.wasm' });
    window.${exported} = ${exported};
  } catch (e) {
    window.rillLoadError = String(e?.stack ?? e);
  }
</script></body></html>`;
}

/**
 * Launches Chromium on `profile` in its own process group, connects playwright to it over CDP
 * and opens `html` (from {@link rillPage}) at BASE_URL + `pagePath`, waiting until
 * `window[exported]` is there. Returns `{ child, exited, browser, page, logs }`; `logs` collects
 * page errors and the tail of Chromium's stderr.
 */
export async function launch(profile, { pagePath, html, exported }) {
  const executable = process.env.CHROMIUM ?? '/usr/bin/chromium';
  const child = spawn(
    executable,
    [...LAUNCH_ARGS, '--headless', `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const endpoint = await new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`Chromium printed no DevTools endpoint in 30 s:\n${stderr}`)), 30_000);
    child.stderr.on('data', (data) => {
      stderr += data;
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Chromium exited (${code ?? signal}) before it listened:\n${stderr}`));
    });
  });
  // Keep draining stderr so Chromium never blocks on a full pipe; its tail goes with the page
  // errors into `logs`, for a failure's diagnostics (e.g. IndexedDB reporting a corrupt store).
  const stderrTail = [];
  child.stderr.on('data', (data) => {
    stderrTail.push(String(data));
    while (stderrTail.length > 200) stderrTail.shift();
  });
  child.stderr.resume();
  const browser = await chromium.connectOverCDP(endpoint);
  const context = browser.contexts()[0];
  const baseUrl = process.env.BASE_URL;
  await context.route(new URL(pagePath, baseUrl).href, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }),
  );
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const logs = [];
  page.on('pageerror', (err) => logs.push(`[pageerror] ${err.stack ?? err}`));
  logs.push({ toString: () => `[chromium stderr, last lines]\n${stderrTail.join('')}` });
  await page.goto(new URL(pagePath, baseUrl).href);
  await page.waitForFunction((name) => window[name] ?? window.rillLoadError, exported);
  const loadError = await page.evaluate(() => window.rillLoadError);
  assert.equal(loadError, undefined, `rill_wasm.js did not load: ${loadError}`);
  // Chromium's own message when it found its IndexedDB backing store (LevelDB) corrupt after
  // the kill and deleted it: the store is gone for every page, whatever the page did.
  // Waits up to 2 s for the line: stderr arrives through a pipe.
  const browserDiscardedStore = async () => {
    for (let waited = 0; waited <= 2_000; waited += 100) {
      if (stderrTail.join('').includes('IndexedDB recovering from a corrupted (and deleted) database')) return true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  };
  return { child, exited, browser, page, logs, browserDiscardedStore };
}

/** SIGKILLs the browser's whole process group and waits until no process of it is left. */
export async function killGroup(chrome) {
  process.kill(-chrome.child.pid, 'SIGKILL');
  const { signal } = await chrome.exited;
  assert.equal(signal, 'SIGKILL', 'the browser died of SIGKILL');
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      process.kill(-chrome.child.pid, 0);
    } catch (err) {
      if (err.code === 'ESRCH') break;
      throw err;
    }
    if (Date.now() > deadline) assert.fail('processes of the killed browser survive');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // The CDP connection is gone with the browser.
  await chrome.browser.close().catch(() => {});
}

/** Closes the browser (if it still answers) and kills whatever is left of its process group. */
export async function shutdown(chrome) {
  await chrome.browser.close().catch(() => {});
  try {
    process.kill(-chrome.child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
  await chrome.exited;
}

/** A random pause of up to `ms` milliseconds: the kill lands at a point the page does not choose. */
export function jitter(ms) {
  return new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * ms)));
}
