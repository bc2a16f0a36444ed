// End-to-end test of the playground slice: create a topic, produce keyed records,
// check they land where Kafka's default partitioner would put them, survive a reload
// (IndexedDB), and that bad input shows a typed error without changing anything.
//
// Env: BASE_URL (required) — URL of the built playground.
//      SCREENSHOT_DIR (optional) — defaults to <repo>/target/e2e-screenshots.
//      CHROMIUM (optional) — browser executable, defaults to /usr/bin/chromium.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { LAUNCH_ARGS } from './chromium.mjs';
import { partitionForKey } from './murmur2.mjs';

const TOPIC = 'orders';
const PARTITIONS = 3;
const RECORDS = [
  ['alice', 'v1'],
  ['bob', 'v2'],
  ['carol', 'v3'],
  ['dave', 'v4'],
  ['erin', 'v5'],
  ['alice', 'v6'],
];


const READY = '#app[data-ready="true"]';
const topicSection = (topic) => `section.topic[data-topic="${topic}"]`;
const recordSelector = (partition, offset) =>
  `${topicSection(TOPIC)} .lane[data-partition="${partition}"] .record[data-offset="${offset}"]`;

const screenshotDir = process.env.SCREENSHOT_DIR
  ? path.resolve(process.env.SCREENSHOT_DIR)
  : fileURLToPath(new URL('../../target/e2e-screenshots', import.meta.url));

/** Expected placement of each record: partition from the independent murmur2 oracle, next offset per partition. */
function expectedPlacement() {
  const nextOffset = new Array(PARTITIONS).fill(0);
  return RECORDS.map(([key, value]) => {
    const partition = partitionForKey(key, PARTITIONS);
    return { key, value, partition, offset: nextOffset[partition]++ };
  });
}

/** Asserts every expected record is in its lane at its offset, and lanes hold nothing else. */
async function assertRecords(page, expected) {
  for (const { key, partition, offset } of expected) {
    const record = page.locator(recordSelector(partition, offset));
    await record.waitFor();
    assert.equal(await record.count(), 1, `exactly one record at p${partition}@${offset}`);
    assert.equal(await record.getAttribute('data-key'), key, `data-key of p${partition}@${offset}`);
    const text = await record.innerText();
    assert.ok(text.includes(String(offset)), `p${partition}@${offset} text shows the offset: ${JSON.stringify(text)}`);
    assert.ok(text.includes(key), `p${partition}@${offset} text shows key ${key}: ${JSON.stringify(text)}`);
  }
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const want = expected.filter((r) => r.partition === partition).length;
    const lane = page.locator(`${topicSection(TOPIC)} .lane[data-partition="${partition}"] .record`);
    assert.equal(await lane.count(), want, `record count in lane ${partition}`);
  }
}

/** Fills the create-topic form, clicks create, and waits for an alert containing `errorName`. */
async function createTopicExpectingError(page, name, partitions, errorName) {
  await page.fill('input[name="topic"]', name);
  await page.fill('input[name="partitions"]', String(partitions));
  await page.click('button[data-action="create-topic"]');
  const alert = page.locator('[role="alert"]', { hasText: errorName }).first();
  try {
    await alert.waitFor();
  } catch (err) {
    // Browser-side constraint validation (e.g. min="1") blocks the submit event, so the broker never sees the input.
    const invalid = await page
      .locator('button[data-action="create-topic"]')
      .evaluate((b) => [...(b.form?.elements ?? [])].filter((e) => e.willValidate && !e.checkValidity()).map((e) => `${e.name}: ${e.validationMessage}`))
      .catch(() => []);
    if (invalid.length) {
      err.message += `\nThe create-topic form failed HTML constraint validation, so it was never submitted (add novalidate to the form?): ${invalid.join('; ')}`;
    }
    throw err;
  }
  assert.ok((await alert.innerText()).includes(errorName), `alert mentions ${errorName}`);
}

async function waitReady(page) {
  await page.waitForSelector(READY, { state: 'attached', timeout: 30_000 });
}

test('playground slice: create, produce by key, reload, bad input', { timeout: 120_000 }, async () => {
  const baseUrl = process.env.BASE_URL;
  assert.ok(baseUrl, 'BASE_URL is required: set it to the URL of the built playground, e.g. BASE_URL=http://127.0.0.1:8080/');
  await mkdir(screenshotDir, { recursive: true });

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: LAUNCH_ARGS,
  });
  // Page diagnostics, printed only if the test fails.
  const logs = [];
  let page;
  try {
    // A fresh context has empty storage, so IndexedDB starts empty; it persists across reloads.
    const context = await browser.newContext();
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('console', (msg) => logs.push(`[console.${msg.type()}] ${msg.text()}`));
    page.on('pageerror', (err) => logs.push(`[pageerror] ${err.stack ?? err}`));
    page.on('requestfailed', (req) => logs.push(`[requestfailed] ${req.url()} ${req.failure()?.errorText ?? ''}`));

    await page.goto(baseUrl);
    await waitReady(page);

    // Create the topic and check its lanes.
    await page.fill('input[name="topic"]', TOPIC);
    await page.fill('input[name="partitions"]', String(PARTITIONS));
    await page.click('button[data-action="create-topic"]');
    // 'attached', not the default 'visible': a topic with empty lanes may have no size yet.
    await page.locator(topicSection(TOPIC)).waitFor({ state: 'attached' });
    const lanes = page.locator(`${topicSection(TOPIC)} .lane`);
    assert.equal(await lanes.count(), PARTITIONS, 'lane count');
    const lanePartitions = await lanes.evaluateAll((els) => els.map((e) => e.getAttribute('data-partition')));
    assert.deepEqual([...lanePartitions].sort(), ['0', '1', '2'], 'lane data-partition values');

    // Produce one record at a time; each must appear where the oracle says.
    const expected = expectedPlacement();
    for (const { key, value, partition, offset } of expected) {
      await page.selectOption('select[name="produce-topic"]', TOPIC);
      await page.fill('input[name="key"]', key);
      await page.fill('input[name="value"]', value);
      await page.click('button[data-action="produce"]');
      const record = page.locator(recordSelector(partition, offset));
      await record.waitFor();
      assert.equal(await record.getAttribute('data-key'), key, `data-key of ${key}=${value} at p${partition}@${offset}`);
      const text = await record.innerText();
      assert.ok(text.includes(String(offset)), `record text shows offset ${offset}: ${JSON.stringify(text)}`);
      assert.ok(text.includes(key), `record text shows key ${key}: ${JSON.stringify(text)}`);
    }
    await assertRecords(page, expected);
    await page.screenshot({ path: path.join(screenshotDir, 'slice-before-reload.png'), fullPage: true });

    // Everything survives a reload (IndexedDB).
    await page.reload();
    await waitReady(page);
    await assertRecords(page, expected);
    await page.screenshot({ path: path.join(screenshotDir, 'slice-after-reload.png'), fullPage: true });

    // Bad input: a typed error, and no topic is added.
    const topics = page.locator('section.topic');
    assert.equal(await topics.count(), 1, 'one topic before bad input');
    await createTopicExpectingError(page, '', PARTITIONS, 'INVALID_TOPIC_EXCEPTION');
    assert.equal(await topics.count(), 1, 'empty topic name creates nothing');
    await createTopicExpectingError(page, 'x', 0, 'INVALID_PARTITIONS');
    assert.equal(await topics.count(), 1, 'zero partitions creates nothing');
    await page.screenshot({ path: path.join(screenshotDir, 'slice-error.png'), fullPage: true });
  } catch (err) {
    console.error(`--- page diagnostics (${logs.length}) ---\n${logs.join('\n') || '(none)'}`);
    if (page) {
      const shot = path.join(screenshotDir, 'slice-failure.png');
      await page
        .screenshot({ path: shot, fullPage: true })
        .then(() => console.error(`failure screenshot: ${shot}`))
        .catch(() => {});
    }
    throw err;
  } finally {
    await browser.close();
  }
});
