// What the site ships, loaded as a visitor's browser loads it: the optimised wasm bundles
// (`cargo xtask build` runs the pinned `wasm-opt -Oz` on each), under the site's
// Content-Security-Policy, with no page error, no console error, no policy violation and no
// failed or missing request (the favicon included).
//
// - The playground page (`index.html`) starts, and a keyed record gets its key colour (Yew sets
//   it as a `style` attribute, which the policy must allow).
// - A page of its own imports `rill_wasm.js` and runs `Rill.open` + a produce + a consumer, under
//   the same policy carried by a `<meta>` tag.
// - The policy is enforced, not just present: an inline script and `eval` are refused.
//
// Env: BASE_URL (required) — URL of the built site. CHROMIUM (optional) — browser executable.
//      SCREENSHOT_DIR (optional) — defaults to <repo>/target/e2e-screenshots.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { LAUNCH_ARGS } from './chromium.mjs';

const baseUrl = process.env.BASE_URL;
const screenshotDir = process.env.SCREENSHOT_DIR
  ? path.resolve(process.env.SCREENSHOT_DIR)
  : fileURLToPath(new URL('../../target/e2e-screenshots', import.meta.url));

/** The wasm files the site ships; each page below loads one of them. */
const BUNDLES = ['rill_playground_bg.wasm', 'rill_wasm_bg.wasm'];

/** The policy the playground page carries in its `<meta http-equiv>`, read from the source. */
async function pagePolicy() {
  const html = await readFile(fileURLToPath(new URL('../../static/index.html', import.meta.url)), 'utf8');
  const meta = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/);
  assert.ok(meta, 'static/index.html carries a Content-Security-Policy <meta>');
  return meta[1];
}

/** Everything that would show a visitor (or a developer's console) that something went wrong. */
function watch(page) {
  const seen = { pageErrors: [], consoleErrors: [], failedRequests: [], violations: [] };
  page.on('pageerror', (err) => seen.pageErrors.push(String(err.stack ?? err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error') seen.consoleErrors.push(msg.text());
  });
  page.on('requestfailed', (req) => seen.failedRequests.push(`${req.url()} ${req.failure()?.errorText ?? ''}`));
  page.on('response', (res) => {
    if (res.status() >= 400) seen.failedRequests.push(`${res.url()} ${res.status()}`);
  });
  return seen;
}

/** Records every `securitypolicyviolation` event of the page in `window.cspViolations`. */
async function recordViolations(context) {
  await context.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'}`);
    });
  });
}

async function assertClean(page, seen, what) {
  seen.violations = await page.evaluate(() => window.cspViolations);
  assert.deepEqual(seen, { pageErrors: [], consoleErrors: [], failedRequests: [], violations: [] }, `${what}: nothing went wrong`);
}

/** A script from the page's own origin that tries `eval` and `new Function`. */
const EVAL_PROBE = 'e2e-bundles-eval-probe.js';
const EVAL_PROBE_JS = `const attempt = (f) => { try { f(); return 'ran'; } catch (e) { return e.name; } };
window.evalProbe = { eval: attempt(() => eval('1 + 1')), function: attempt(() => new Function('return 1')()) };
`;

/** Serves the eval probe at the site's origin (code of the page's own origin, as an app's). */
async function routeEvalProbe(context) {
  await context.route(new URL(EVAL_PROBE, baseUrl).href, (r) =>
    r.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body: EVAL_PROBE_JS }),
  );
}

/**
 * Injects an inline script, and a same-origin script that calls `eval` and `new Function` (code
 * evaluated by the test driver itself is exempt from the policy, so the probe is a page script);
 * returns what ran and what the policy reported.
 */
async function tryForbiddenCode(page) {
  return page.evaluate(async (probe) => {
    const before = window.cspViolations.length;
    const inline = document.createElement('script');
    inline.textContent = 'window.inlineRan = true;';
    document.body.append(inline);
    await new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = probe;
      script.onload = resolve;
      script.onerror = () => reject(new Error(`${probe} did not load`));
      document.body.append(script);
    });
    // Violation events are dispatched asynchronously.
    await new Promise((resolve) => setTimeout(resolve, 100));
    return { inlineRan: window.inlineRan === true, probe: window.evalProbe, violations: window.cspViolations.slice(before) };
  }, EVAL_PROBE);
}

function assertForbiddenCodeRefused(result) {
  assert.equal(result.inlineRan, false, 'an inline script does not run');
  assert.deepEqual(result.probe, { eval: 'EvalError', function: 'EvalError' }, 'eval and new Function are refused');
  assert.ok(result.violations.includes('script-src-elem blocked inline'), `inline script reported: ${result.violations}`);
  assert.ok(result.violations.includes('script-src blocked eval'), `eval reported: ${result.violations}`);
}

async function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: LAUNCH_ARGS });
}

test('every wasm bundle the site ships is optimised: valid, and no name section left', async () => {
  assert.ok(baseUrl, 'BASE_URL is set');
  for (const file of BUNDLES) {
    const res = await fetch(new URL(file, baseUrl));
    assert.equal(res.status, 200, `${file} is served`);
    assert.equal(res.headers.get('content-type'), 'application/wasm', `${file} content type`);
    const module = await WebAssembly.compile(await res.arrayBuffer());
    // wasm-bindgen keeps the `name` section; the pinned wasm-opt drops it.
    assert.equal(WebAssembly.Module.customSections(module, 'name').length, 0, `${file} went through wasm-opt`);
  }
  const icon = await fetch(new URL('favicon.svg', baseUrl));
  assert.equal(icon.status, 200, 'the favicon is served');
  assert.equal(icon.headers.get('content-type'), 'image/svg+xml');
  assert.match(await icon.text(), /^<svg /);
});

test('the playground page: loads under its policy with no error, violation or 404', { timeout: 120_000 }, async () => {
  assert.ok(baseUrl, 'BASE_URL is set');
  const policy = await pagePolicy();
  await mkdir(screenshotDir, { recursive: true });
  const browser = await launch();
  try {
    const context = await browser.newContext();
    await recordViolations(context);
    await routeEvalProbe(context);
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const seen = watch(page);
    const icon = page.waitForResponse((res) => res.url().endsWith('/favicon.svg'));
    const response = await page.goto(baseUrl);
    assert.equal(response.headers()['content-security-policy'], policy, 'the server sends the page policy as a header');
    await page.locator('#app[data-ready="true"]').waitFor();
    assert.equal((await icon).status(), 200, 'the browser fetched the linked favicon');
    assert.equal(
      await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content),
      policy,
    );

    // A keyed record gets its key colour from a `style` attribute the policy allows.
    await page.fill('form.create-topic input[name="topic"]', 'orders');
    await page.fill('form.create-topic input[name="partitions"]', '1');
    await page.click('form.create-topic button[type="submit"]');
    const topic = page.locator('article.topic[data-topic="orders"]');
    await topic.waitFor({ state: 'attached' });
    await page.selectOption('form.produce select[name="topic"]', 'orders');
    await page.fill('form.produce input[name="key"]', 'alice');
    await page.fill('form.produce input[name="value"]', 'v1');
    await page.click('form.produce button[type="submit"]');
    const record = topic.locator('li.record[data-offset="0"]');
    await record.waitFor();
    assert.equal(await record.getAttribute('data-key'), 'alice');
    const colour = await record.evaluate((el) => getComputedStyle(el).getPropertyValue('--key-colour').trim());
    assert.match(colour, /^#[0-9a-f]{6}$/i, `the record's key colour is applied: ${JSON.stringify(colour)}`);
    await page.screenshot({ path: path.join(screenshotDir, 'bundles-playground.png'), fullPage: true });
    await assertClean(page, seen, 'the playground');

    assertForbiddenCodeRefused(await tryForbiddenCode(page));
  } finally {
    await browser.close();
  }
});

test('rill_wasm.js on a page of its own: Rill.open, a produce and a consumer under the policy', { timeout: 120_000 }, async () => {
  assert.ok(baseUrl, 'BASE_URL is set');
  const policy = await pagePolicy();
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<title>rill_wasm.js under the site's policy</title><link rel="icon" href="favicon.svg" type="image/svg+xml">
<script type="module" src="e2e-bundles-api.js"></script></head><body><p id="out">running</p></body></html>`;
  const script = `import init, { Rill } from './rill_wasm.js';
window.result = (async () => {
  await init({ module_or_path: './rill_wasm_bg.wasm' });
  const kafka = await Rill.open({ name: 'bundles', storage: 'indexeddb', brokers: 3, clock: 'realtime' });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 2, replicationFactor: 3 }] });
  const producer = kafka.producer();
  await producer.connect();
  const sent = await producer.send({ topic: 'orders', acks: -1, messages: [{ key: 'alice', value: 'hello' }] });
  const consumer = kafka.consumer({ groupId: 'bundles' });
  await consumer.connect();
  await consumer.subscribe({ topics: ['orders'], fromBeginning: true });
  const received = [];
  await consumer.run({ eachMessage: async ({ partition, message }) => {
    received.push({ partition, offset: message.offset, key: message.key.toString(), value: message.value.toString() });
  } });
  const started = performance.now();
  while (received.length < 1 && performance.now() - started < 30000) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const offsets = await admin.fetchTopicOffsets('orders');
  await consumer.disconnect();
  await producer.disconnect();
  await admin.disconnect();
  await kafka.disconnect();
  document.getElementById('out').textContent = 'done';
  return { sent, received, offsets };
})().catch((e) => ({ error: String(e?.stack ?? e), type: e?.type }));
`;
  const browser = await launch();
  try {
    const context = await browser.newContext();
    await recordViolations(context);
    await routeEvalProbe(context);
    const route = (name, contentType, body) =>
      context.route(new URL(name, baseUrl).href, (r) => r.fulfill({ status: 200, contentType, body }));
    await route('e2e-bundles-api.html', 'text/html; charset=utf-8', html);
    await route('e2e-bundles-api.js', 'text/javascript; charset=utf-8', script);
    const page = await context.newPage();
    const seen = watch(page);
    await page.goto(new URL('e2e-bundles-api.html', baseUrl).href);
    await page.waitForFunction(() => window.result !== undefined, undefined, { timeout: 60_000 });
    const result = await page.evaluate(() => window.result);
    assert.equal(result.error, undefined, `the script failed: ${result.type} ${result.error}`);
    assert.equal(result.sent.length, 1, 'one produce result');
    assert.equal(result.sent[0].errorCode, 0);
    const { partition } = result.sent[0];
    assert.deepEqual(result.received, [{ partition, offset: '0', key: 'alice', value: 'hello' }], 'the consumer read the record back');
    assert.equal(result.offsets.find((o) => o.partition === partition).high, '1', 'the high watermark moved past it');
    await assertClean(page, seen, 'the rill_wasm.js page');

    assertForbiddenCodeRefused(await tryForbiddenCode(page));
  } finally {
    await browser.close();
  }
});
