// Helpers shared by the playground's end-to-end tests: launching Chromium with page
// diagnostics, waiting for the page, polling, and driving the playground's forms.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { LAUNCH_ARGS } from './chromium.mjs';

export const READY = '#app[data-ready="true"]';

export const screenshotDir = process.env.SCREENSHOT_DIR
  ? path.resolve(process.env.SCREENSHOT_DIR)
  : fileURLToPath(new URL('../../target/e2e-screenshots', import.meta.url));

/** The topic card of `topic`. */
export const topicCard = (topic) => `article.topic[data-topic="${topic}"]`;
/** The lane of `topic`-`partition`. */
export const lane = (topic, partition) => `${topicCard(topic)} .lane[data-partition="${partition}"]`;
/** The partition row (replicas, ISR, epoch, lane) of `topic`-`partition`. */
export const partitionRow = (topic, partition) => `${topicCard(topic)} li.partition[data-partition="${partition}"]`;

/**
 * Runs `body(page, context)` in a fresh Chromium context (empty storage) and prints the page's
 * console, errors and failed requests, with a screenshot `<name>-failure.png`, if it fails.
 */
export async function withPage(name, options, body) {
  const baseUrl = process.env.BASE_URL;
  assert.ok(baseUrl, 'BASE_URL is required: set it to the URL of the built playground, e.g. BASE_URL=http://127.0.0.1:8080/');
  await mkdir(screenshotDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: LAUNCH_ARGS,
  });
  const logs = [];
  let page;
  try {
    const context = await browser.newContext(options);
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('console', (msg) => logs.push(`[console.${msg.type()}] ${msg.text()}`));
    page.on('pageerror', (err) => logs.push(`[pageerror] ${err.stack ?? err}`));
    page.on('requestfailed', (req) => logs.push(`[requestfailed] ${req.url()} ${req.failure()?.errorText ?? ''}`));
    await page.goto(baseUrl);
    await waitReady(page);
    await body(page, context, baseUrl);
  } catch (err) {
    console.error(`--- page diagnostics (${logs.length}) ---\n${logs.join('\n') || '(none)'}`);
    if (page) {
      const shot = path.join(screenshotDir, `${name}-failure.png`);
      await page
        .screenshot({ path: shot, fullPage: true })
        .then(() => console.error(`failure screenshot: ${shot}`))
        .catch(() => {});
    }
    throw err;
  } finally {
    await browser.close();
  }
}

export async function waitReady(page) {
  await page.waitForSelector(READY, { state: 'attached', timeout: 30_000 });
}

/** Polls `read` until `accept(value)` holds; returns the value or fails with the last one seen. */
export async function until(read, accept, what, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let value;
  for (;;) {
    value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; last seen ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Opens every `<details>` under `selector` (forms folded away). */
export async function unfold(page, selector) {
  await page.locator(selector).first().waitFor({ state: 'attached' });
  await page.evaluate((sel) => {
    for (const root of document.querySelectorAll(sel)) {
      if (root.tagName === 'DETAILS') root.open = true;
      for (const d of root.querySelectorAll('details')) d.open = true;
    }
  }, selector);
}

/** Fills and submits the create-topic form; `configs` maps Kafka config names to values. */
export async function createTopic(page, { name, partitions, replicationFactor, configs = {} }) {
  const form = 'form.create-topic';
  await unfold(page, form);
  await page.fill(`${form} input[name="topic"]`, name);
  await page.fill(`${form} input[name="partitions"]`, String(partitions));
  if (replicationFactor !== undefined) {
    await page.fill(`${form} input[name="replication-factor"]`, String(replicationFactor));
  }
  for (const [config, value] of Object.entries(configs)) {
    await page.fill(`${form} input[name="${config}"]`, String(value));
  }
  await page.click(`${form} button[data-action="create-topic"]`);
}

/** Fills and submits the produce form. `headers` is `[[name, value], …]`. */
export async function produce(page, { topic, key, value, acks = 'all', headers = [], partition = '' }) {
  const form = 'form.produce';
  await unfold(page, form);
  await page.selectOption(`${form} select[name="topic"]`, topic);
  await page.fill(`${form} input[name="key"]`, key);
  await page.fill(`${form} input[name="value"]`, value);
  await page.selectOption(`${form} select[name="acks"]`, acks);
  await page.fill(`${form} textarea[name="headers"]`, headers.map(([k, v]) => `${k}=${v}`).join('\n'));
  await page.fill(`${form} input[name="partition"]`, String(partition));
  await page.click(`${form} button[data-action="produce"]`);
}

/** The lane as drawn: offsets, segments (base offset, size), records and fading segments. */
export async function readLane(page, topic, partition) {
  return page.locator(lane(topic, partition)).evaluate((el) => ({
    logStartOffset: Number(el.getAttribute('data-log-start-offset')),
    logEndOffset: Number(el.getAttribute('data-log-end-offset')),
    highWatermark: Number(el.getAttribute('data-high-watermark')),
    segments: [...el.querySelectorAll('.segment[data-base-offset]')].map((s) => ({
      base: Number(s.getAttribute('data-base-offset')),
      size: Number(s.getAttribute('data-size')),
    })),
    records: [...el.querySelectorAll('.record[data-offset]')].map((r) => ({
      offset: Number(r.getAttribute('data-offset')),
      key: r.getAttribute('data-key'),
      uncommitted: r.getAttribute('data-uncommitted') === 'true',
      colour: r.style.getPropertyValue('--key-colour').trim(),
    })),
    deleted: [...el.querySelectorAll('.segment-ghost')].map((g) => ({
      base: Number(g.getAttribute('data-deleted-base-offset')),
      reason: g.getAttribute('data-reason'),
    })),
  }));
}

/** A partition row as drawn: leader, epoch, ISR, replicas with their states. */
export async function readPartition(page, topic, partition) {
  return page.locator(partitionRow(topic, partition)).evaluate((el) => ({
    leader: el.getAttribute('data-leader') === '' ? null : Number(el.getAttribute('data-leader')),
    epoch: Number(el.getAttribute('data-epoch')),
    isr: (el.getAttribute('data-isr') || '').split(',').filter(Boolean).map(Number),
    hw: Number(el.getAttribute('data-hw')),
    leo: Number(el.getAttribute('data-leo')),
    replicas: [...el.querySelectorAll('.replica[data-broker]')].map((r) => ({
      broker: Number(r.getAttribute('data-broker')),
      state: r.getAttribute('data-state'),
      adding: r.classList.contains('adding'),
      removing: r.classList.contains('removing'),
    })),
    election: el.querySelector('.election')?.textContent ?? null,
  }));
}

/** Moves cluster time forward at once by one of the jump buttons (`ms` as offered). */
export async function jump(page, ms) {
  await page.click(`.transport button[data-action="jump"][data-ms="${ms}"]`);
}

/** Clicks a topic admin button that asks first, then confirms. */
export async function confirmed(page, topic, action) {
  await page.click(`${topicCard(topic)} button[data-action="${action}"]`);
  await page.click(`${topicCard(topic)} .confirm button[data-action="confirm"]`);
}
