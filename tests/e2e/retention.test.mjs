// End-to-end test of segments, retention and topic admin in the playground: a topic with a
// small segment.bytes and retention.bytes rolls segments as records arrive; once time runs,
// retention deletes the oldest segments exactly as Kafka's rule says (checked here against the
// segment sizes the page shows, not the engine's answer); adding partitions previews the keys
// that move (checked against the independent JS murmur2); deleteRecords moves the log start
// offset and the next tick deletes the segment below it; deleting the topic removes it.
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

const TOPIC = 'clicks';
const SEGMENT_BYTES = 400;
const RETENTION_BYTES = 700;
const RECORDS = Array.from({ length: 18 }, (_, i) => [`user-${i % 7}`, `page-${i}`]);
const NEW_PARTITIONS = 3;


const READY = '#app[data-ready="true"]';
const SECTION = `section.topic[data-topic="${TOPIC}"]`;
const lane = (partition) => `${SECTION} .lane[data-partition="${partition}"]`;

const screenshotDir = process.env.SCREENSHOT_DIR
  ? path.resolve(process.env.SCREENSHOT_DIR)
  : fileURLToPath(new URL('../../target/e2e-screenshots', import.meta.url));

/** Polls `read` until `accept(value)` holds; returns the value or fails with the last one seen. */
async function until(read, accept, what, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let value;
  for (;;) {
    value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; last seen ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The lane as drawn: offsets, segments (base offset, size) and records (offset, key). */
async function readLane(page, partition) {
  return page.locator(lane(partition)).evaluate((el) => ({
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
    })),
    deleted: [...el.querySelectorAll('.segment-ghost')].map((g) => ({
      base: Number(g.getAttribute('data-deleted-base-offset')),
      reason: g.getAttribute('data-reason'),
    })),
  }));
}

/** Kafka 3.7+'s retention.bytes rule: delete the oldest segments while the log stays at or over the limit without them. */
function segmentsLeftByRetentionBytes(segments, retentionBytes) {
  let over = segments.reduce((sum, s) => sum + s.size, 0) - retentionBytes;
  let deleted = 0;
  // The active (last) segment holds records here, so it is never due while older ones are kept.
  while (deleted < segments.length - 1 && over >= segments[deleted].size) {
    over -= segments[deleted].size;
    deleted++;
  }
  return segments.slice(deleted);
}

async function waitReady(page) {
  await page.waitForSelector(READY, { state: 'attached', timeout: 30_000 });
}

test('playground retention: segments roll, retention deletes, add partitions, delete records, delete topic', { timeout: 180_000 }, async () => {
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
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('console', (msg) => logs.push(`[console.${msg.type()}] ${msg.text()}`));
    page.on('pageerror', (err) => logs.push(`[pageerror] ${err.stack ?? err}`));
    page.on('requestfailed', (req) => logs.push(`[requestfailed] ${req.url()} ${req.failure()?.errorText ?? ''}`));

    await page.goto(baseUrl);
    await waitReady(page);

    // The create form offers Kafka's log configs; segment.bytes has a small playground default.
    assert.equal(await page.inputValue('input[name="segment-bytes"]'), String(SEGMENT_BYTES), 'segment.bytes prefilled');
    assert.equal(await page.inputValue('input[name="retention-bytes"]'), '', 'retention.bytes empty (Kafka default)');
    assert.equal(await page.inputValue('input[name="retention-ms"]'), '', 'retention.ms empty (Kafka default)');

    // Pause time so the segments can be read before retention runs.
    await page.click('button[data-action="toggle-time"]');
    assert.equal(await page.getAttribute('button[data-action="toggle-time"]', 'aria-pressed'), 'true', 'time paused');

    await page.fill('input[name="topic"]', TOPIC);
    await page.fill('input[name="partitions"]', '1');
    await page.fill('input[name="segment-bytes"]', String(SEGMENT_BYTES));
    await page.fill('input[name="retention-bytes"]', String(RETENTION_BYTES));
    await page.click('button[data-action="create-topic"]');
    await page.locator(SECTION).waitFor({ state: 'attached' });
    const configs = await page.locator(`${SECTION} .configs`).innerText();
    assert.ok(configs.includes(`segment.bytes=${SEGMENT_BYTES}`) && configs.includes(`retention.bytes=${RETENTION_BYTES}`), `overrides shown: ${configs}`);

    for (const [i, [key, value]] of RECORDS.entries()) {
      await page.selectOption('select[name="produce-topic"]', TOPIC);
      await page.fill('input[name="key"]', key);
      await page.fill('input[name="value"]', value);
      await page.click('button[data-action="produce"]');
      await page.locator(`${lane(0)} .record[data-offset="${i}"]`).waitFor();
    }
    const before = await readLane(page, 0);
    assert.equal(before.logStartOffset, 0, 'nothing deleted while time is paused');
    assert.equal(before.logEndOffset, RECORDS.length, 'log end offset');
    assert.equal(before.highWatermark, RECORDS.length, 'high watermark');
    assert.ok(before.segments.length >= 4, `segment.bytes=${SEGMENT_BYTES} rolled several segments: ${JSON.stringify(before.segments)}`);
    assert.equal(before.segments[0].base, 0, 'first segment at offset 0');
    for (const s of before.segments) assert.ok(s.size <= SEGMENT_BYTES, `segment ${s.base} within segment.bytes: ${s.size}`);
    for (let i = 1; i < before.segments.length; i++) {
      assert.ok(before.segments[i].base > before.segments[i - 1].base, 'segments in offset order');
    }
    await page.screenshot({ path: path.join(screenshotDir, 'retention-segments.png'), fullPage: true });

    // Resume time: the next tick applies retention.bytes.
    const expectedLeft = segmentsLeftByRetentionBytes(before.segments, RETENTION_BYTES);
    assert.ok(expectedLeft.length < before.segments.length, 'the test data is over retention.bytes');
    await page.click('button[data-action="toggle-time"]');
    const after = await until(() => readLane(page, 0), (l) => l.logStartOffset > 0 && l.deleted.length > 0, 'retention to delete segments');
    assert.deepEqual(after.segments.map((s) => s.base), expectedLeft.map((s) => s.base), 'segments left by retention.bytes');
    assert.equal(after.logStartOffset, expectedLeft[0].base, 'log start offset = base of the first segment kept');
    const deletedBases = before.segments.filter((s) => s.base < after.logStartOffset).map((s) => s.base);
    for (const base of deletedBases) {
      assert.equal(await page.locator(`${lane(0)} .segment[data-base-offset="${base}"]`).count(), 0, `segment ${base} is gone`);
    }
    assert.deepEqual(after.deleted.map((d) => d.reason), deletedBases.map(() => 'retention.bytes'), 'deleted segments fade out with their reason');
    assert.deepEqual(
      after.records.map((r) => r.offset),
      Array.from({ length: RECORDS.length - after.logStartOffset }, (_, i) => after.logStartOffset + i),
      'only records at or above the log start offset are drawn',
    );
    await page.screenshot({ path: path.join(screenshotDir, 'retention-deleted.png'), fullPage: true });
    // The fading segments go after a few ticks.
    await until(() => readLane(page, 0), (l) => l.deleted.length === 0, 'deleted segments to fade away');

    // Add partitions: first the preview of the keys that move, against the independent murmur2.
    const storedKeys = [...new Set(after.records.map((r) => r.key))];
    const moving = storedKeys.filter((k) => partitionForKey(k, 1) !== partitionForKey(k, NEW_PARTITIONS));
    await page.fill(`${SECTION} input[name="new-partitions"]`, String(NEW_PARTITIONS));
    const preview = page.locator(`${SECTION} [data-keys-moving]`);
    await preview.waitFor();
    assert.equal(await preview.getAttribute('data-keys-moving'), String(moving.length), `keys that move from 1 to ${NEW_PARTITIONS} partitions (${moving.join(', ')})`);
    const previewText = await preview.innerText();
    for (const key of moving.slice(0, 5)) assert.ok(previewText.includes(key), `preview lists ${key}: ${previewText}`);
    await page.screenshot({ path: path.join(screenshotDir, 'retention-add-partitions-preview.png'), fullPage: true });
    await page.click(`${SECTION} button[data-action="add-partitions"]`);
    await page.locator(lane(NEW_PARTITIONS - 1)).waitFor({ state: 'attached' });
    assert.equal(await page.locator(`${SECTION} .lane`).count(), NEW_PARTITIONS, 'lanes after adding partitions');
    await until(() => preview.count(), (n) => n === 0, 'the preview to close');

    // Bad input changes nothing: deleting above the high watermark is OFFSET_OUT_OF_RANGE.
    await page.selectOption(`${SECTION} select[name="delete-partition"]`, '0');
    await page.fill(`${SECTION} input[name="delete-before"]`, String(RECORDS.length + 5));
    await page.click(`${SECTION} button[data-action="delete-records"]`);
    await page.locator('[role="alert"]', { hasText: 'OFFSET_OUT_OF_RANGE' }).waitFor();
    assert.equal((await readLane(page, 0)).logStartOffset, after.logStartOffset, 'a refused deleteRecords changes nothing');

    // Delete records before the second segment kept: the log start offset moves at once, and
    // the next tick deletes the segment below it.
    const cut = after.segments[1].base;
    await page.fill(`${SECTION} input[name="delete-before"]`, String(cut));
    await page.click(`${SECTION} button[data-action="delete-records"]`);
    await until(() => readLane(page, 0), (l) => l.logStartOffset === cut, 'the log start offset to move');
    const cutLane = await until(
      () => readLane(page, 0),
      (l) => l.deleted.some((d) => d.reason === 'log start offset'),
      'the segment below the log start offset to be deleted',
    );
    assert.equal(cutLane.segments[0].base, cut, 'the first segment now starts at the log start offset');
    assert.ok(cutLane.records.every((r) => r.offset >= cut), 'no record below the log start offset is drawn');
    assert.equal(await page.locator('[role="alert"]').count(), 0, 'a successful command clears the alert');
    await page.screenshot({ path: path.join(screenshotDir, 'retention-delete-records.png'), fullPage: true });

    // Delete the topic.
    await page.click(`${SECTION} button[data-action="delete-topic"]`);
    await until(() => page.locator(SECTION).count(), (n) => n === 0, 'the topic to be deleted');
    await page.reload();
    await waitReady(page);
    assert.equal(await page.locator(SECTION).count(), 0, 'the deleted topic stays deleted after a reload');
    await page.screenshot({ path: path.join(screenshotDir, 'retention-topic-deleted.png'), fullPage: true });
  } catch (err) {
    console.error(`--- page diagnostics (${logs.length}) ---\n${logs.join('\n') || '(none)'}`);
    if (page) {
      const shot = path.join(screenshotDir, 'retention-failure.png');
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
