// End-to-end test of the playground slice on the replicated cluster: create a topic, produce
// keyed records, check they land where Kafka's default partitioner would put them (the
// independent JS murmur2), that the same key has the same colour and different keys tell
// apart, that a selected record shows its details (value, headers) as text, that everything
// survives a reload (IndexedDB), and that bad input shows Kafka's error next to the form
// without changing anything.
//
// Env: BASE_URL (required) — URL of the built playground.
//      SCREENSHOT_DIR (optional) — defaults to <repo>/target/e2e-screenshots.
//      CHROMIUM (optional) — browser executable, defaults to /usr/bin/chromium.
import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { partitionForKey } from './murmur2.mjs';
import { createTopic, lane, produce, readLane, screenshotDir, topicCard, waitReady, withPage } from './playground.mjs';

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

const recordSelector = (partition, offset) => `${lane(TOPIC, partition)} .record[data-offset="${offset}"]`;

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
    assert.equal(await page.locator(`${lane(TOPIC, partition)} .record`).count(), want, `record count in lane ${partition}`);
  }
}

/** Fills the create-topic form, clicks create, and waits for an alert of the form containing `errorName`. */
async function createTopicExpectingError(page, name, partitions, errorName) {
  await createTopic(page, { name, partitions });
  const alert = page.locator('form.create-topic [role="alert"]', { hasText: errorName }).first();
  await alert.waitFor();
  assert.ok((await alert.innerText()).includes(errorName), `alert mentions ${errorName}`);
  // The message gets the alert's width, not the sliver beside the error name (it once wrapped
  // a few letters per line in the 300 px column).
  const { message, box } = await alert.evaluate((el) => ({
    message: el.querySelector('.alert-message').getBoundingClientRect().width,
    box: el.getBoundingClientRect().width,
  }));
  assert.ok(message >= box * 0.75, `alert message is ${message}px wide in a ${box}px alert`);
}

test('playground slice: create, produce by key, colours, record details, reload, bad input', { timeout: 120_000 }, async () => {
  await withPage('slice', { viewport: { width: 1400, height: 900 } }, async (page) => {
    await createTopic(page, { name: TOPIC, partitions: PARTITIONS });
    await page.locator(topicCard(TOPIC)).waitFor({ state: 'attached' });
    const lanes = page.locator(`${topicCard(TOPIC)} .lane`);
    assert.equal(await lanes.count(), PARTITIONS, 'lane count');
    const lanePartitions = await lanes.evaluateAll((els) => els.map((e) => e.getAttribute('data-partition')));
    assert.deepEqual([...lanePartitions].sort(), ['0', '1', '2'], 'lane data-partition values');

    // Produce one record at a time; each must appear where the oracle says.
    const expected = expectedPlacement();
    for (const { key, value, partition, offset } of expected) {
      await produce(page, { topic: TOPIC, key, value, headers: [['trace', `t-${offset}`]] });
      const record = page.locator(recordSelector(partition, offset));
      await record.waitFor();
      assert.equal(await record.getAttribute('data-key'), key, `data-key of ${key}=${value} at p${partition}@${offset}`);
    }
    await assertRecords(page, expected);

    // Lanes by key colour: the same key has the same colour; alice and erin differ.
    const colours = {};
    for (let p = 0; p < PARTITIONS; p++) {
      for (const r of (await readLane(page, TOPIC, p)).records) (colours[r.key] ??= new Set()).add(r.colour);
    }
    for (const [key, set] of Object.entries(colours)) assert.equal(set.size, 1, `one colour for ${key}: ${[...set]}`);
    assert.notEqual([...colours.alice][0], [...colours.erin][0], 'alice and erin have different colours');
    await page.screenshot({ path: path.join(screenshotDir, 'slice-before-reload.png'), fullPage: true });

    // Selecting a record (keyboard) shows its details: key, value, headers.
    const last = expected[expected.length - 1];
    await page.focus(recordSelector(last.partition, last.offset));
    await page.keyboard.press('Enter');
    const details = page.locator('.record-details');
    await details.waitFor();
    assert.equal(await details.getAttribute('data-offset'), String(last.offset), 'details of the selected offset');
    const detailsText = await details.innerText();
    for (const want of [last.key, last.value, 'trace', `t-${last.offset}`]) {
      assert.ok(detailsText.includes(want), `details show ${want}: ${detailsText}`);
    }
    assert.equal(
      await page.getAttribute(recordSelector(last.partition, last.offset), 'aria-pressed'),
      'true',
      'the selected record is marked',
    );

    // Everything survives a reload (IndexedDB).
    await page.reload();
    await waitReady(page);
    await assertRecords(page, expected);
    await page.screenshot({ path: path.join(screenshotDir, 'slice-after-reload.png'), fullPage: true });

    // Bad input: a typed error next to the form, and no topic is added.
    const topics = page.locator('article.topic');
    assert.equal(await topics.count(), 1, 'one topic before bad input');
    await createTopicExpectingError(page, '', PARTITIONS, 'INVALID_TOPIC_EXCEPTION');
    assert.equal(await topics.count(), 1, 'empty topic name creates nothing');
    await createTopicExpectingError(page, 'x', 0, 'INVALID_PARTITIONS');
    assert.equal(await topics.count(), 1, 'zero partitions creates nothing');
    await createTopicExpectingError(page, TOPIC, 1, 'TOPIC_ALREADY_EXISTS');
    assert.equal(await topics.count(), 1, 'an existing name creates nothing');
    await page.screenshot({ path: path.join(screenshotDir, 'slice-error.png'), fullPage: true });
  });
});

test('a long lane stays on its newest record while at the end, and stays put when scrolled back', { timeout: 120_000 }, async () => {
  await withPage('slice-long-lane', { viewport: { width: 390, height: 844 } }, async (page) => {
    const topic = 'long';
    await createTopic(page, { name: topic, partitions: 1 });
    await page.locator(topicCard(topic)).waitFor({ state: 'attached' });
    const track = `${lane(topic, 0)} .track`;
    const sendAndWait = async (n) => {
      await produce(page, { topic, key: `k${n}`, value: `v${n}` });
      await page.locator(`${lane(topic, 0)} .record[data-offset="${n}"]`).waitFor({ state: 'attached' });
      await page.waitForTimeout(100);
    };
    for (let n = 0; n < 14; n++) await sendAndWait(n);
    const newestInSight = (offset) => page.evaluate(([sel, o]) => {
      const t = document.querySelector(sel);
      const r = t.querySelector(`.record[data-offset="${o}"]`).getBoundingClientRect();
      const box = t.getBoundingClientRect();
      return r.left >= box.left && r.right <= box.right + 1;
    }, [track, offset]);
    assert.ok(await page.evaluate((sel) => document.querySelector(sel).scrollWidth > document.querySelector(sel).clientWidth, track), 'the lane overflows');
    assert.ok(await newestInSight(13), 'the newest record is in sight');
    // Scrolled back to the oldest: a new record does not pull the view away.
    await page.evaluate((sel) => { document.querySelector(sel).scrollLeft = 0; }, track);
    await sendAndWait(14);
    assert.equal(await page.evaluate((sel) => document.querySelector(sel).scrollLeft, track), 0, 'scrolled back stays put');
    // Back at the end: pinned again.
    await page.evaluate((sel) => { const t = document.querySelector(sel); t.scrollLeft = t.scrollWidth; }, track);
    await page.waitForTimeout(100);
    await sendAndWait(15);
    assert.ok(await newestInSight(15), 'the newest record lands in sight');
    await page.locator(lane(topic, 0)).screenshot({ path: path.join(screenshotDir, 'slice-long-lane-phone.png') });
  });
});
