// Time travel and shared state in the playground (issue 15, the playground's half).
//
// - `?scenario=<url>&until=end` loads a docs scenario and runs it to its end; the history panel
//   lists its commands with their times.
// - Back, forward and a click on a history entry show the cluster as it stood then (the state
//   hash changes and comes back: a jump is a replay); "Latest" returns to the same state.
// - A shared link made in the past, opened in a new page, reproduces the same state hash.
// - Acting in the past forks history (the page says so; the recorded future is dropped).
// - "Copy as script" and "Export as Kafka CLI" give a script and a shell script of Kafka's tools.
// - A scenario that does not parse is refused with its line and column.
//
// Env: BASE_URL (required), CHROMIUM (optional), SCREENSHOT_DIR (optional).
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { LAUNCH_ARGS } from './chromium.mjs';

const baseUrl = process.env.BASE_URL;
const screenshotDir = process.env.SCREENSHOT_DIR
  ? path.resolve(process.env.SCREENSHOT_DIR)
  : fileURLToPath(new URL('../../target/e2e-screenshots', import.meta.url));

async function shoot(page, name) {
  await mkdir(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: false });
}

function watch(page) {
  const seen = { pageErrors: [], consoleErrors: [] };
  page.on('pageerror', (err) => seen.pageErrors.push(String(err.stack ?? err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error') seen.consoleErrors.push(msg.text());
  });
  return seen;
}

/** The state hash once the page is drawn and paused, and different from `not` when given. */
async function hashOf(page, not) {
  await page.waitForFunction(
    (previous) => {
      const app = document.querySelector('#app[data-ready="true"][data-state-hash]');
      return app && app.dataset.stateHash !== previous;
    },
    not ?? null,
    { timeout: 60_000 },
  );
  return page.locator('#app').getAttribute('data-state-hash');
}

const SCENARIO = 'docs/scenarios/acks-min-isr.rill';

test('time travel: back, forward, jump, share, fork, export', { timeout: 240_000 }, async () => {
  assert.ok(baseUrl, 'BASE_URL must point at the built site');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || undefined, args: LAUNCH_ARGS });
  try {
    for (const size of [{ name: 'desktop', width: 1400, height: 900 }, { name: 'phone', width: 390, height: 844 }]) {
      const context = await browser.newContext({ viewport: { width: size.width, height: size.height } });
      const page = await context.newPage();
      const seen = watch(page);
      await page.goto(new URL(`index.html?scenario=${SCENARIO}&until=end&lang=en`, baseUrl).href);
      const end = await hashOf(page);
      const entries = page.locator('.history-list li');
      const texts = await entries.locator('.entry-text').allTextContents();
      assert.ok(texts.some((t) => t.startsWith('kafka-topics --create --topic orders')), texts.join('\n'));
      assert.ok(texts.includes('kill broker 2') && texts.includes('restart broker 1'), texts.join('\n'));
      assert.equal(await page.locator('.history-list li.planned').count(), 0, 'run to the end: nothing ahead');
      // No storage for a scenario: it runs in memory.
      assert.match(await page.locator('.masthead').textContent(), /in memory only/);

      // Back twice: the state changes each time, and the page says we are in the past.
      await page.locator('button.travel-back').click();
      const back1 = await hashOf(page, end);
      await page.locator('button.travel-back').click();
      const back2 = await hashOf(page, back1);
      assert.ok(await page.locator('.notice-past').isVisible(), 'the page says the view is in the past');
      assert.ok((await page.locator('.history-list li.planned').count()) > 0, 'the recorded future lies ahead');
      // Forward once is where back once was.
      await page.locator('button.travel-forward').click();
      assert.equal(await hashOf(page, back2), back1, 'forward after back: the same state (a replay)');
      // A click on "kill broker 2" shows the cluster right after it: broker 2 down.
      await page.locator('.history-list .entry', { hasText: 'kill broker 2' }).click();
      const atKill = await hashOf(page, back1);
      assert.equal(await page.locator('.broker[data-broker="2"]').getAttribute('data-state'), 'down');
      await shoot(page, `timetravel-past-${size.name}`);

      // Share from the past; the link opened in a new page reproduces the same state.
      await page.locator('button.share-link').click();
      const link = await page.locator('.share-output textarea[data-kind="link"]').inputValue();
      assert.match(link, /#s=[A-Za-z0-9_-]+&t=\d+&view=cluster$/);
      const other = await context.newPage();
      const seenOther = watch(other);
      await other.goto(link);
      assert.equal(await hashOf(other), atKill, 'the shared link reproduces the state hash');
      assert.ok((await other.locator('.history-list li.planned').count()) > 0, 'and keeps what came after it ahead');
      await shoot(other, `timetravel-shared-${size.name}`);
      assert.deepEqual(seenOther.pageErrors, []);
      assert.deepEqual(seenOther.consoleErrors, []);
      await other.close();

      // "Latest" is the end state again.
      await page.locator('button.travel-latest').click();
      assert.equal(await hashOf(page, atKill), end, 'back to the latest time: the same state as before travelling');

      // Acting in the past forks history.
      await page.locator('.history-list .entry', { hasText: 'kill broker 1' }).click();
      await hashOf(page, end);
      const planned = await page.locator('.history-list li.planned').count();
      assert.ok(planned > 0);
      await page.locator('.broker[data-broker="2"] button[data-action="restart"]').click();
      await page.locator('.notice-forked').waitFor();
      assert.match(await page.locator('.notice-forked').textContent(), /History forked at \d\d:\d\d\.\d{3}/);
      assert.equal(await page.locator('.history-list li.planned').count(), 0, 'the recorded future was dropped');
      assert.equal((await page.locator('.history-list .entry-text').allTextContents()).at(-1), 'restart broker 2');
      await shoot(page, `timetravel-forked-${size.name}`);

      // Copy as script, export as Kafka CLI.
      await page.locator('button.copy-script').click();
      const script = await page.locator('.share-output textarea[data-kind="script"]').inputValue();
      assert.match(script, /^seed 6\nbrokers 3\n/);
      assert.match(script, /kafka-topics --create --topic orders --partitions 1 --replication-factor 3/);
      assert.match(script, /\nrestart broker 2\n/);
      await page.locator('button.export-cli').click();
      const cli = await page.locator('.share-output textarea[data-kind="cli"]').inputValue();
      assert.match(cli, /^#!\/bin\/sh/);
      assert.match(cli, /kafka-topics\.sh --bootstrap-server localhost:9092 --create --topic orders/);
      assert.match(cli, /# rill: cannot be expressed: kill broker 2/);
      await page.locator('.share-output').scrollIntoViewIfNeeded();
      await shoot(page, `timetravel-export-${size.name}`);
      assert.deepEqual(seen.pageErrors, []);
      assert.deepEqual(seen.consoleErrors, []);
      await context.close();
    }
  } finally {
    await browser.close();
  }
});

test('a scenario that does not parse is refused with its line and column', { timeout: 120_000 }, async () => {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || undefined, args: LAUNCH_ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const bad = new URL('e2e-bad-scenario.rill', baseUrl).href;
    await context.route(bad, (r) => r.fulfill({ status: 200, contentType: 'text/plain', body: 'brokers 3\nkafka-topics --create --topic orders --partitions many\n' }));
    const page = await context.newPage();
    await page.goto(new URL('index.html?scenario=e2e-bad-scenario.rill&lang=en', baseUrl).href);
    const alert = page.locator('.alert').first();
    await alert.waitFor({ timeout: 60_000 });
    const text = await alert.textContent();
    assert.match(text, /line 2, column \d+: expected/);
    await shoot(page, 'timetravel-parse-error-desktop');
    await context.close();
  } finally {
    await browser.close();
  }
});

// A cluster stored in IndexedDB (the plain page): "Latest" after going back returns to the same
// state with its history and clock, as for a scenario (it once reopened the store: a reload
// that emptied the history and restarted the clock), and says that nothing is saved since.
test('a stored cluster: Latest keeps the history and the clock', { timeout: 120_000 }, async () => {
  assert.ok(baseUrl, 'BASE_URL must point at the built site');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || undefined, args: LAUNCH_ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const seen = watch(page);
    await page.goto(new URL('index.html?lang=en', baseUrl).href);
    await page.waitForSelector('#app[data-ready="true"]', { timeout: 60_000 });
    assert.match(await page.locator('.masthead').textContent(), /saved in this browser/);
    await page.locator('form.create-topic details').evaluate((el) => { el.open = true; });
    await page.fill('form.create-topic input[name="topic"]', 'stored');
    await page.fill('form.create-topic input[name="partitions"]', '2');
    await page.click('form.create-topic button[data-action="create-topic"]');
    await page.locator('article.topic[data-topic="stored"]').waitFor({ state: 'attached' });
    for (const key of ['a', 'b']) {
      await page.selectOption('form.produce select[name="topic"]', 'stored');
      await page.fill('form.produce input[name="key"]', key);
      await page.click('form.produce button[data-action="produce"]');
      await page.waitForTimeout(300);
    }
    await page.waitForTimeout(500);
    await page.locator('.transport button.play[data-state="playing"]').click();
    // Paused once the clock stands still (on a loaded machine the last frame lands later).
    let clock = await page.locator('.transport .clock').textContent();
    for (;;) {
      await page.waitForTimeout(400);
      const now = await page.locator('.transport .clock').textContent();
      if (now === clock) break;
      clock = now;
    }
    const present = await hashOf(page);
    const texts = await page.locator('.history-list .entry-text').allTextContents();
    assert.equal(texts.filter((t) => t.startsWith('produce --topic stored')).length, 2, texts.join('\n'));

    // Back twice: to the first record, the second one ahead.
    await page.locator('button.travel-back').click();
    const back1 = await hashOf(page, present);
    await page.locator('button.travel-back').click();
    await hashOf(page, back1);
    assert.ok(await page.locator('.notice-past').isVisible());
    assert.equal(await page.locator('.history-list li.planned').count(), 1);
    await page.locator('button.travel-latest').click();
    await page.locator('.notice-past').waitFor({ state: 'detached' });
    await page.waitForTimeout(1_000);
    assert.deepEqual(await page.locator('.history-list .entry-text').allTextContents(), texts, 'the history is kept');
    assert.equal(await hashOf(page), present, 'Latest: the same state as before going back');
    assert.equal(await page.locator('.history-list li.planned').count(), 0);
    assert.equal(await page.locator('.transport .clock').textContent(), clock, 'the clock did not restart');
    assert.match(await page.locator('.history .notice-saved').textContent(), /nothing is saved/);
    await shoot(page, 'timetravel-stored-latest-desktop');
    assert.deepEqual(seen.pageErrors, []);
    assert.deepEqual(seen.consoleErrors, []);
    await context.close();
  } finally {
    await browser.close();
  }
});
