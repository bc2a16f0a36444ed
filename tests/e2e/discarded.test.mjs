// End-to-end test of a store the browser discarded (issue 17): Chromium sometimes deletes a
// whole IndexedDB database after a crash. rill keeps a marker outside IndexedDB
// (`localStorage`, `rill-store:<name>`) once a store holds data, so an open that finds the
// marker but no database reports `STORE_DISCARDED` instead of opening silently empty.
//
// The tests delete rill's database behind its back, from another page of the same origin
// (`indexedDB.databases()` to find it, `deleteDatabase`), with rill's pages closed:
// - the playground then shows a visible notice in plain words (en, and ko after switching),
//   shows no empty cluster as if nothing had been there, and its "Start a new cluster" button
//   gives a working playground again (a topic can be created);
// - `Rill.open({ name, storage: 'indexeddb' })` rejects with a `RillError` of type
//   `STORE_DISCARDED` (again on a second try: the marker stays until the caller chooses), and
//   with `onDiscarded: 'startFresh'` opens an empty cluster.
// Screenshots of the notice: discarded-desktop.png (1400×900), discarded-phone.png (390×844),
// discarded-ko.png.
//
// Env: BASE_URL (required) — URL of the built site (playground and rill_wasm.js).
//      SCREENSHOT_DIR (optional) — defaults to <repo>/target/e2e-screenshots.
//      CHROMIUM (optional) — browser executable, defaults to /usr/bin/chromium.
import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createTopic, produce, readLane, screenshotDir, topicCard, until, waitReady, withPage } from './playground.mjs';

const BLANK_PATH = 'e2e-discard-blank.html';
const BLANK_HTML = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>blank</title><link rel="icon" href="data:,"></head><body></body></html>';
const API_PATH = 'e2e-discard-api.html';
const API_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>rill discarded store</title>
<link rel="icon" href="data:,"></head><body>
<script type="module">
  import init, { Rill } from './rill_wasm.js';
  window.rillReady = init({ module_or_path: './rill_wasm_bg.wasm' }).then(() => { window.Rill = Rill; });
</script></body></html>`;

/** Serves the test's own pages on the site's origin (same origin: same IndexedDB and localStorage). */
async function routePages(context, baseUrl) {
  for (const [file, body] of [[BLANK_PATH, BLANK_HTML], [API_PATH, API_HTML]]) {
    await context.route(new URL(file, baseUrl).href, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body }),
    );
  }
}

/** The `rill-store:*` markers in this origin's localStorage, as `{ name: since }`. */
async function markers(page) {
  return page.evaluate(() =>
    Object.fromEntries(
      Object.keys(localStorage)
        .filter((k) => k.startsWith('rill-store:'))
        .map((k) => [k.slice('rill-store:'.length), localStorage.getItem(k)]),
    ),
  );
}

/**
 * Deletes, from a fresh page of the same origin, every IndexedDB database whose name contains
 * `part` (rill's pages are closed first), and returns the names deleted.
 */
async function deleteDatabasesBehindRillsBack(context, baseUrl, part) {
  const page = await context.newPage();
  try {
    await page.goto(new URL(BLANK_PATH, baseUrl).href);
    return await page.evaluate(async (part) => {
      const names = (await indexedDB.databases()).map((d) => d.name).filter((n) => n.includes(part));
      for (const name of names) {
        await new Promise((resolve, reject) => {
          const request = indexedDB.deleteDatabase(name);
          request.onsuccess = () => resolve();
          request.onerror = () => reject(request.error);
          request.onblocked = () => reject(new Error(`deleting ${name} is blocked: a connection is still open`));
        });
      }
      const left = (await indexedDB.databases()).map((d) => d.name).filter((n) => names.includes(n));
      if (left.length) throw new Error(`still there after deleteDatabase: ${left}`);
      return names;
    }, part);
  } finally {
    await page.close();
  }
}

test('playground: a discarded store is reported in plain words, and "Start a new cluster" works', { timeout: 180_000 }, async () => {
  await withPage('discarded', { viewport: { width: 1400, height: 900 } }, async (first, context, baseUrl) => {
    await routePages(context, baseUrl);
    await createTopic(first, { name: 'kept', partitions: 1 });
    await first.locator(topicCard('kept')).waitFor({ state: 'attached' });
    await produce(first, { topic: 'kept', key: 'k', value: 'v' });
    await first.locator(`${topicCard('kept')} .record[data-offset="0"]`).waitFor();
    // Saved: the store set its marker after a committed write, and the database holds it.
    const marked = await until(() => markers(first), (m) => Object.keys(m).length > 0, 'the store marker');
    const [storeName] = Object.keys(marked);
    assert.ok(Number(marked[storeName].split(' ')[0]) > 0, `marker holds a time: ${JSON.stringify(marked)}`);
    await first.close();

    const deleted = await deleteDatabasesBehindRillsBack(context, baseUrl, storeName);
    assert.ok(deleted.length >= 1, `found rill's database for store '${storeName}' to delete`);

    for (const [viewport, shot] of [
      [{ width: 1400, height: 900 }, 'discarded-desktop.png'],
      [{ width: 390, height: 844 }, 'discarded-phone.png'],
    ]) {
      const page = await context.newPage();
      await page.setViewportSize(viewport);
      await page.goto(baseUrl);
      // The page is not "ready" (no cluster opened): the notice is what it shows.
      const notice = page.locator('[data-notice="discarded"]');
      await notice.waitFor({ state: 'visible', timeout: 30_000 });
      const text = await notice.innerText();
      assert.match(text, /browser/i, `notice names the browser: ${text}`);
      assert.match(text, /deleted|threw away|discarded/i, `notice says the data is gone: ${text}`);
      assert.match(text, /Start a new cluster/, `notice offers a new cluster: ${text}`);
      assert.equal(await notice.getAttribute('role'), 'alert', 'the notice is announced');
      // The error's name and message are there, folded away under the plain words, once.
      assert.match(await notice.locator('details code').textContent(), /^STORE_DISCARDED: .*last saved/, 'technical details');
      assert.equal(await notice.locator('details').getAttribute('open'), null, 'technical details start folded');
      assert.equal(await page.locator('.inline-alert, [role="alert"]', { hasText: 'STORE_DISCARDED' }).count(), 1, 'one alert, the notice');
      // Nothing silently empty: no topic list pretending to be the stored cluster.
      assert.equal(await page.locator(topicCard('kept')).count(), 0, 'the lost topic is not drawn');
      assert.ok(await notice.isVisible(), 'the notice is visible');
      const box = await notice.boundingBox();
      assert.ok(box && box.y < viewport.height, `the notice is on the first screen: ${JSON.stringify(box)}`);
      await page.screenshot({ path: path.join(screenshotDir, shot) });
      await page.close();
    }

    // Korean too; then start fresh from the notice.
    const page = await context.newPage();
    await page.goto(baseUrl);
    const notice = page.locator('[data-notice="discarded"]');
    await notice.waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('button.lang', { hasText: '한국어' }).click();
    await until(() => notice.innerText(), (t) => /브라우저/.test(t) && /새 클러스터 시작/.test(t), 'the Korean notice');
    await page.screenshot({ path: path.join(screenshotDir, 'discarded-ko.png') });
    await page.locator('button.lang', { hasText: 'EN' }).click();
    await until(() => notice.innerText(), (t) => /browser/.test(t), 'the English notice again');
    await notice.getByRole('button', { name: 'Start a new cluster' }).click();
    await notice.waitFor({ state: 'detached' });
    await waitReady(page);
    await createTopic(page, { name: 'fresh', partitions: 2 });
    await page.locator(topicCard('fresh')).waitFor({ state: 'attached' });
    await produce(page, { topic: 'fresh', key: 'a', value: 'after' });
    await until(
      async () => (await readLane(page, 'fresh', 0)).records.length + (await readLane(page, 'fresh', 1)).records.length,
      (n) => n === 1,
      'the record produced after starting fresh',
    );
    assert.equal(await page.locator(topicCard('kept')).count(), 0, 'the new cluster is empty but for the new topic');
    // The new cluster is stored again: after a reload it is still there, with no notice.
    await until(() => markers(page), (m) => Object.keys(m).length > 0, 'the new store marker');
    await page.reload();
    await waitReady(page);
    await page.locator(topicCard('fresh')).waitFor({ state: 'attached' });
    assert.equal(await page.locator('[data-notice="discarded"]').count(), 0, 'no notice after a reload of the new cluster');
  });
});

test('Rill.open: a discarded store rejects with STORE_DISCARDED; onDiscarded: startFresh opens empty', { timeout: 120_000 }, async () => {
  await withPage('discarded-api', {}, async (first, context, baseUrl) => {
    await routePages(context, baseUrl);
    await first.close();
    const STORE = 'discard-e2e';
    /** Runs `body({ name, options })` in a fresh page that loaded rill_wasm.js. */
    const open = async (body, options = {}) => {
      const page = await context.newPage();
      await page.goto(new URL(API_PATH, baseUrl).href);
      await page.evaluate(() => window.rillReady);
      const result = await page.evaluate(body, { name: STORE, options });
      await page.close();
      return result;
    };

    // Write something and let it be saved.
    const written = await open(async ({ name }) => {
      const kafka = await window.Rill.open({ name, storage: 'indexeddb' });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'lost', numPartitions: 1 }] });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: 'lost', acks: -1, messages: [{ key: 'k', value: 'v' }] });
      const offsets = await admin.fetchTopicOffsets('lost');
      kafka.close();
      return { offsets, marker: localStorage.getItem(`rill-store:${name}`) };
    });
    assert.equal(written.offsets[0].high, '1', `one record written: ${JSON.stringify(written)}`);
    assert.ok(Number(written.marker.split(' ')[0]) > 0, `marker set: ${JSON.stringify(written)}`);

    const deleted = await deleteDatabasesBehindRillsBack(context, baseUrl, STORE);
    assert.ok(deleted.length >= 1, `found the database of '${STORE}': ${JSON.stringify(deleted)}`);

    const tryOpen = (options) =>
      open(async ({ name, options }) => {
        try {
          const kafka = await window.Rill.open({ name, storage: 'indexeddb', ...options });
          const topics = (await kafka.admin().listTopics()).filter((t) => !t.startsWith('__'));
          kafka.close();
          return { opened: true, topics };
        } catch (e) {
          return { opened: false, type: e.type, isError: e instanceof Error, message: e.message };
        }
      }, options);

    for (const round of [1, 2]) {
      const failed = await tryOpen({});
      assert.equal(failed.opened, false, `round ${round}: open must not succeed silently empty: ${JSON.stringify(failed)}`);
      assert.equal(failed.type, 'STORE_DISCARDED', `round ${round}: ${JSON.stringify(failed)}`);
      assert.ok(failed.isError, 'a RillError is an Error');
      assert.match(failed.message, /startFresh/, `the message says how to go on: ${failed.message}`);
      // It says what was known: when the store was first written and last saved (ISO times).
      assert.match(failed.message, /first written \d{4}-\d\d-\d\dT.*last saved \d{4}-\d\d-\d\dT/, failed.message);
    }
    const explicitFail = await tryOpen({ onDiscarded: 'fail' });
    assert.equal(explicitFail.type, 'STORE_DISCARDED', JSON.stringify(explicitFail));

    const fresh = await tryOpen({ onDiscarded: 'startFresh' });
    assert.deepEqual(fresh, { opened: true, topics: [] }, 'startFresh opens an empty cluster');
    // Starting fresh forgot the discarded store: a plain open now works (empty, no marker yet
    // or a new one), it no longer fails.
    const after = await tryOpen({});
    assert.equal(after.opened, true, `after startFresh a plain open works: ${JSON.stringify(after)}`);
  });
});
