// End-to-end test of segments, retention and topic admin in the playground's replicated
// cluster: a topic with a small segment.bytes and retention.bytes rolls segments as records
// arrive; a jump of five minutes (one log.retention.check.interval.ms) lets retention delete
// the oldest segments exactly as Kafka's rule says (checked here against the segment sizes the
// page shows, not the engine's answer); a config edited on the topic takes effect; adding
// partitions previews the keys that move (checked against the independent JS murmur2);
// deleteRecords asks first, refuses an offset past the high watermark with
// OFFSET_OUT_OF_RANGE, moves the log start offset, and the next retention check deletes the
// segment below it; deleting the topic asks first (cancel keeps it) and survives a reload.
//
// Env: BASE_URL (required) — URL of the built playground.
//      SCREENSHOT_DIR (optional) — defaults to <repo>/target/e2e-screenshots.
//      CHROMIUM (optional) — browser executable, defaults to /usr/bin/chromium.
import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { partitionForKey } from './murmur2.mjs';
import {
  confirmed, createTopic, jump, lane, produce, readLane, screenshotDir, topicCard, unfold, until,
  waitReady, withPage,
} from './playground.mjs';

const TOPIC = 'clicks';
const SEGMENT_BYTES = 400;
const RETENTION_BYTES = 700;
const RECORDS = Array.from({ length: 18 }, (_, i) => [`user-${i % 7}`, `page-${i}`]);
const NEW_PARTITIONS = 3;
const CARD = topicCard(TOPIC);
const FIVE_MINUTES = 300000;

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

test('playground retention: segments roll, retention deletes, configs, add partitions, delete records, delete topic', { timeout: 240_000 }, async () => {
  await withPage('retention', { viewport: { width: 1400, height: 900 } }, async (page) => {
    const laneOf = (partition) => readLane(page, TOPIC, partition);

    // The create form offers Kafka's log configs, with Kafka's defaults as placeholders.
    await unfold(page, 'form.create-topic');
    assert.equal(await page.getAttribute('input[name="segment.bytes"]', 'placeholder'), '1073741824', 'segment.bytes default');
    assert.equal(await page.getAttribute('input[name="retention.bytes"]', 'placeholder'), '-1', 'retention.bytes default');
    assert.equal(await page.getAttribute('input[name="retention.ms"]', 'placeholder'), '604800000', 'retention.ms default');

    await createTopic(page, {
      name: TOPIC,
      partitions: 1,
      configs: { 'segment.bytes': SEGMENT_BYTES, 'retention.bytes': RETENTION_BYTES },
    });
    await page.locator(CARD).waitFor({ state: 'attached' });
    const configs = await page.locator(`${CARD} .configs`).innerText();
    assert.ok(configs.includes(`segment.bytes=${SEGMENT_BYTES}`) && configs.includes(`retention.bytes=${RETENTION_BYTES}`), `overrides shown: ${configs}`);

    for (const [i, [key, value]] of RECORDS.entries()) {
      await produce(page, { topic: TOPIC, key, value });
      await page.locator(`${lane(TOPIC, 0)} .record[data-offset="${i}"]`).waitFor();
    }
    // acks=all: the high watermark reaches the end once every in-sync follower has fetched.
    const before = await until(laneOf.bind(null, 0), (l) => l.highWatermark === RECORDS.length, 'the followers to catch up');
    assert.equal(before.logStartOffset, 0, 'nothing deleted before a retention check');
    assert.equal(before.logEndOffset, RECORDS.length, 'log end offset');
    assert.ok(before.records.every((r) => !r.uncommitted), 'every record below the HW is drawn committed');
    assert.ok(before.segments.length >= 4, `segment.bytes=${SEGMENT_BYTES} rolled several segments: ${JSON.stringify(before.segments)}`);
    assert.equal(before.segments[0].base, 0, 'first segment at offset 0');
    for (const s of before.segments) assert.ok(s.size <= SEGMENT_BYTES, `segment ${s.base} within segment.bytes: ${s.size}`);
    for (let i = 1; i < before.segments.length; i++) {
      assert.ok(before.segments[i].base > before.segments[i - 1].base, 'segments in offset order');
    }
    await page.screenshot({ path: path.join(screenshotDir, 'retention-segments.png'), fullPage: true });

    // Five minutes later the retention check has applied retention.bytes.
    const expectedLeft = segmentsLeftByRetentionBytes(before.segments, RETENTION_BYTES);
    assert.ok(expectedLeft.length < before.segments.length, 'the test data is over retention.bytes');
    await jump(page, FIVE_MINUTES);
    const after = await until(() => laneOf(0), (l) => l.logStartOffset > 0 && l.deleted.length > 0, 'retention to delete segments');
    assert.deepEqual(after.segments.map((s) => s.base), expectedLeft.map((s) => s.base), 'segments left by retention.bytes');
    assert.equal(after.logStartOffset, expectedLeft[0].base, 'log start offset = base of the first segment kept');
    const deletedBases = before.segments.filter((s) => s.base < after.logStartOffset).map((s) => s.base);
    for (const base of deletedBases) {
      assert.equal(await page.locator(`${lane(TOPIC, 0)} .segment[data-base-offset="${base}"]`).count(), 0, `segment ${base} is gone`);
    }
    assert.deepEqual(after.deleted.map((d) => d.reason), deletedBases.map(() => 'retention.bytes'), 'deleted segments fade out with their reason');
    assert.deepEqual(
      after.records.map((r) => r.offset),
      Array.from({ length: RECORDS.length - after.logStartOffset }, (_, i) => after.logStartOffset + i),
      'only records at or above the log start offset are drawn',
    );
    await page.screenshot({ path: path.join(screenshotDir, 'retention-deleted.png'), fullPage: true });
    await until(() => laneOf(0), (l) => l.deleted.length === 0, 'deleted segments to fade away');

    // A config edited on the topic: a bad value is refused next to the control and changes nothing.
    await unfold(page, CARD);
    await page.selectOption(`${CARD} select[name="config-name"]`, 'retention.ms');
    await page.fill(`${CARD} input[name="config-value"]`, 'soon');
    await page.click(`${CARD} button[data-action="set-config"]`);
    await page.locator(`${CARD} [role="alert"]`, { hasText: 'INVALID_CONFIG' }).waitFor();
    assert.ok(!(await page.locator(`${CARD} .configs`).innerText()).includes('retention.ms='), 'a refused config changes nothing');
    await page.fill(`${CARD} input[name="config-value"]`, '3600000');
    await page.click(`${CARD} button[data-action="set-config"]`);
    await until(() => page.locator(`${CARD} .configs`).innerText(), (t) => t.includes('retention.ms=3600000'), 'retention.ms override');
    assert.equal(await page.locator(`${CARD} [role="alert"]`).count(), 0, 'a success clears the alert');
    await page.click(`${CARD} button[data-action="remove-config"]`);
    await until(() => page.locator(`${CARD} .configs`).innerText(), (t) => !t.includes('retention.ms='), 'retention.ms override removed');

    // Add partitions: first the preview of the keys that move, against the independent murmur2.
    const storedKeys = [...new Set(after.records.map((r) => r.key))];
    const moving = storedKeys.filter((k) => partitionForKey(k, 1) !== partitionForKey(k, NEW_PARTITIONS));
    // A count Add refuses is refused by the preview too.
    await page.fill(`${CARD} input[name="new-partitions"]`, '1');
    await page.locator(`${CARD} .preview[data-error="INVALID_PARTITIONS"]`).waitFor();
    await page.fill(`${CARD} input[name="new-partitions"]`, String(NEW_PARTITIONS));
    const preview = page.locator(`${CARD} [data-keys-moving]`);
    await preview.waitFor();
    assert.equal(await preview.getAttribute('data-keys-moving'), String(moving.length), `keys that move from 1 to ${NEW_PARTITIONS} partitions (${moving.join(', ')})`);
    const previewText = await preview.innerText();
    for (const key of moving.slice(0, 5)) assert.ok(previewText.includes(key), `preview lists ${key}: ${previewText}`);
    await page.screenshot({ path: path.join(screenshotDir, 'retention-add-partitions-preview.png'), fullPage: true });
    await page.click(`${CARD} button[data-action="add-partitions"]`);
    await page.locator(lane(TOPIC, NEW_PARTITIONS - 1)).waitFor({ state: 'attached' });
    assert.equal(await page.locator(`${CARD} .lane`).count(), NEW_PARTITIONS, 'lanes after adding partitions');
    await until(() => preview.count(), (n) => n === 0, 'the preview to close');

    // The delete-records partition stays what was picked when partitions are added.
    await page.selectOption(`${CARD} select[name="delete-partition"]`, '1');
    await page.fill(`${CARD} input[name="new-partitions"]`, String(NEW_PARTITIONS + 1));
    await page.click(`${CARD} button[data-action="add-partitions"]`);
    await page.locator(lane(TOPIC, NEW_PARTITIONS)).waitFor({ state: 'attached' });
    assert.equal(await page.inputValue(`${CARD} select[name="delete-partition"]`), '1', 'P1 stays picked');

    // Delete records asks first (the keyboard lands on Cancel); cancel changes nothing.
    await page.selectOption(`${CARD} select[name="delete-partition"]`, '0');
    assert.equal(await page.inputValue(`${CARD} select[name="delete-partition"]`), '0', 'P0 chosen (and stays so)');
    await page.fill(`${CARD} input[name="delete-before"]`, String(after.segments[1].base));
    await page.click(`${CARD} button[data-action="delete-records"]`);
    await until(() => page.evaluate(() => document.activeElement?.getAttribute('data-action')), (a) => a === 'cancel', 'focus on Cancel');
    await page.click(`${CARD} .confirm button[data-action="cancel"]`);
    assert.equal((await laneOf(0)).logStartOffset, after.logStartOffset, 'a cancelled deleteRecords changes nothing');

    // Bad input changes nothing: deleting above the high watermark is OFFSET_OUT_OF_RANGE.
    await page.fill(`${CARD} input[name="delete-before"]`, String(RECORDS.length + 5));
    await confirmed(page, TOPIC, 'delete-records');
    await page.locator(`${CARD} [role="alert"]`, { hasText: 'OFFSET_OUT_OF_RANGE' }).waitFor();
    assert.equal((await laneOf(0)).logStartOffset, after.logStartOffset, 'a refused deleteRecords changes nothing');

    // Delete records before the second segment kept: the log start offset moves at once, and
    // the next retention check deletes the segment below it.
    const cut = after.segments[1].base;
    await page.fill(`${CARD} input[name="delete-before"]`, String(cut));
    await confirmed(page, TOPIC, 'delete-records');
    await until(() => laneOf(0), (l) => l.logStartOffset === cut, 'the log start offset to move');
    assert.equal(await page.locator('[role="alert"]').count(), 0, 'a successful command clears the alert');
    await jump(page, FIVE_MINUTES);
    const cutLane = await until(
      () => laneOf(0),
      (l) => l.deleted.some((d) => d.reason === 'log start offset'),
      'the segment below the log start offset to be deleted',
    );
    assert.equal(cutLane.segments[0].base, cut, 'the first segment now starts at the log start offset');
    assert.ok(cutLane.records.every((r) => r.offset >= cut), 'no record below the log start offset is drawn');
    await page.screenshot({ path: path.join(screenshotDir, 'retention-delete-records.png'), fullPage: true });

    // Delete the topic: it asks first (cancel keeps it), then it is gone, also after a reload.
    await page.click(`${CARD} button[data-action="delete-topic"]`);
    assert.ok((await page.locator(`${CARD} .confirm`).innerText()).includes(TOPIC), 'the confirmation names the topic');
    await page.click(`${CARD} .confirm button[data-action="cancel"]`);
    assert.equal(await page.locator(CARD).count(), 1, 'cancel keeps the topic');
    await confirmed(page, TOPIC, 'delete-topic');
    await until(() => page.locator(CARD).count(), (n) => n === 0, 'the topic to be deleted');
    await page.reload();
    await waitReady(page);
    assert.equal(await page.locator(CARD).count(), 0, 'the deleted topic stays deleted after a reload');
    await page.screenshot({ path: path.join(screenshotDir, 'retention-topic-deleted.png'), fullPage: true });
  });
});
