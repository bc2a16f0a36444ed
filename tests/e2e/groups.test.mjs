// End-to-end test of consumer groups in the playground: a topic with 6 partitions; a group of
// two `range` members is Stable with [0,1,2] / [3,4,5]; a third member joins: under eager
// (`range`) every partition's timeline shows a gap, under `cooperative-sticky` only the moved
// partitions do; a crashed member keeps its partitions until session.timeout.ms, then they
// move; the lag plot is drawn; the assignors side by side give Kafka's assignments for c1..c3
// on t1 (3 partitions) and t2 (2 partitions). Screenshots at 1400×900 and 390×844, and nothing
// wider than the phone's viewport.
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

const TOPIC = 'orders';
const SESSION_TIMEOUT_MS = 8_000;
const READY = '#app[data-ready="true"]';
const group = (id) => `section.group[data-group="${id}"]`;

const screenshotDir = process.env.SCREENSHOT_DIR
  ? path.resolve(process.env.SCREENSHOT_DIR)
  : fileURLToPath(new URL('../../target/e2e-screenshots', import.meta.url));

/** Polls `read` until `accept(value)` holds; returns the value or fails with the last one seen. */
async function until(read, accept, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let value;
  for (;;) {
    value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; last seen ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A group as drawn: state, generation, protocol, members with their partitions, timeline rows. */
async function readGroup(page, id) {
  const section = page.locator(group(id));
  if ((await section.count()) === 0) return null;
  return section.evaluate((el) => ({
    state: el.getAttribute('data-state'),
    generation: Number(el.getAttribute('data-generation')),
    protocol: el.getAttribute('data-protocol'),
    members: Object.fromEntries([...el.querySelectorAll('.member[data-member]')].map((m) => [
      m.getAttribute('data-member'),
      {
        status: m.getAttribute('data-status'),
        partitions: [...m.querySelectorAll('.owned[data-tp]')].map((p) => p.getAttribute('data-tp')).sort(),
      },
    ])),
    rows: Object.fromEntries([...el.querySelectorAll('.tl-row[data-tp]')].map((r) => [
      r.getAttribute('data-tp'), Number(r.getAttribute('data-gaps')),
    ])),
    lagPoints: Number(el.querySelector('.lag-plot')?.getAttribute('data-points') ?? 0),
  }));
}

const shares = (g) => Object.values(g?.members ?? {})
  .filter((m) => m.status === 'running')
  .map((m) => m.partitions.length)
  .sort();

async function createGroup(page, id, assignors, members, { processingMs = 0, maxPollRecords = 500 } = {}) {
  await page.fill('form.create-group input[name="group"]', id);
  await page.fill('form.create-group input[name="topics"]', TOPIC);
  await page.fill('form.create-group input[name="assignors"]', assignors);
  await page.fill('form.create-group input[name="members"]', String(members));
  await page.fill('form.create-group input[name="processing-ms"]', String(processingMs));
  await page.fill('form.create-group input[name="max-poll-records"]', String(maxPollRecords));
  await page.locator('form.create-group details').evaluate((el) => { el.open = true; });
  await page.fill('form.create-group input[name="session-timeout-ms"]', String(SESSION_TIMEOUT_MS));
  // Commit every second (the form offers Kafka's 5000): a group that keeps up shows lag near 0.
  await page.fill('form.create-group input[name="auto-commit-interval-ms"]', '1000');
  await page.click('form.create-group button[type="submit"]');
}

async function screenshots(browser, url, name) {
  for (const [label, viewport] of [['desktop', { width: 1400, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
    const page = await browser.newPage({ viewport });
    await page.goto(url);
    await page.waitForSelector(READY, { state: 'attached', timeout: 30_000 });
    await page.waitForTimeout(800);
    await page.screenshot({ path: path.join(screenshotDir, `groups-${name}-${label}.png`), fullPage: true });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= viewport.width, `${name} at ${viewport.width} px is ${width} px wide`);
    await page.close();
  }
}

test('playground consumer groups: range 3+3, eager vs cooperative join, crash expiry, lag, assignors side by side', { timeout: 240_000 }, async () => {
  const baseUrl = process.env.BASE_URL;
  assert.ok(baseUrl, 'BASE_URL is required: set it to the URL of the built playground');
  await mkdir(screenshotDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: LAUNCH_ARGS,
  });
  const logs = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    page.on('console', (msg) => logs.push(`[console.${msg.type()}] ${msg.text()}`));
    page.on('pageerror', (err) => logs.push(`[pageerror] ${err.stack ?? err}`));
    const url = new URL(baseUrl);
    url.searchParams.set('lang', 'en');
    await page.goto(url.href);
    await page.waitForSelector(READY, { state: 'attached', timeout: 30_000 });

    // A topic with 6 partitions.
    await page.fill('form.create-topic input[name="topic"]', TOPIC);
    await page.fill('form.create-topic input[name="partitions"]', '6');
    await page.click('form.create-topic button[type="submit"]');
    await page.locator(`article.topic[data-topic="${TOPIC}"]`).waitFor({ state: 'attached' });

    await page.click('button.tab[data-view="groups"]');
    await page.locator('form.create-group').waitFor();
    // With a topic there, the empty state does not ask for one; the form offers Kafka's
    // consumer defaults (Kafka 3.7's ConsumerConfig).
    assert.doesNotMatch(await page.locator('.no-groups-hint').innerText(), /topic first/);
    assert.equal(await page.inputValue('form.create-group input[name="auto-commit-interval-ms"]'), '5000');
    assert.equal(await page.inputValue('form.create-group input[name="session-timeout-ms"]'), '45000');
    assert.equal(await page.inputValue('form.create-group input[name="max-poll-interval-ms"]'), '300000');
    assert.equal(await page.inputValue('form.create-group input[name="max-poll-records"]'), '500');
    assert.equal(await page.inputValue('form.create-group input[name="assignors"]'), 'range,cooperative-sticky');

    // Eager: two range members are Stable with [0,1,2] and [3,4,5].
    await createGroup(page, 'eager', 'range', 2);
    let eager = await until(() => readGroup(page, 'eager'),
      (g) => g?.state === 'Stable' && shares(g).join() === '3,3', 'the eager group Stable with 3+3');
    assert.deepEqual(eager.members.c1.partitions, ['orders-0', 'orders-1', 'orders-2']);
    assert.deepEqual(eager.members.c2.partitions, ['orders-3', 'orders-4', 'orders-5']);
    assert.equal(eager.protocol, 'EAGER');
    assert.ok(Object.values(eager.rows).every((gaps) => gaps === 0), 'no gap before the join');

    // Cooperative: the same membership under cooperative-sticky.
    await createGroup(page, 'coop', 'cooperative-sticky', 2);
    let coop = await until(() => readGroup(page, 'coop'),
      (g) => g?.state === 'Stable' && shares(g).join() === '3,3', 'the cooperative group Stable with 3+3');
    assert.equal(coop.protocol, 'COOPERATIVE');

    // A third member joins each.
    await page.click(`${group('eager')} .group-actions button:first-child`);
    await page.click(`${group('coop')} .group-actions button:first-child`);
    eager = await until(() => readGroup(page, 'eager'),
      (g) => g?.state === 'Stable' && shares(g).join() === '2,2,2', 'the eager group Stable with 2+2+2');
    coop = await until(() => readGroup(page, 'coop'),
      (g) => g?.state === 'Stable' && shares(g).join() === '2,2,2', 'the cooperative group Stable with 2+2+2');
    // Eager: every partition stopped. Cooperative: only the two that moved to c3.
    assert.equal(Object.keys(eager.rows).length, 6);
    assert.ok(Object.values(eager.rows).every((gaps) => gaps >= 1), `every eager partition paused: ${JSON.stringify(eager.rows)}`);
    const paused = Object.entries(coop.rows).filter(([, gaps]) => gaps > 0).map(([tp]) => tp).sort();
    assert.deepEqual(paused, coop.members.c3.partitions, 'only the partitions moved to c3 paused');
    assert.equal(paused.length, 2);
    await page.screenshot({ path: path.join(screenshotDir, 'groups-joined-desktop.png'), fullPage: true });

    // Crash c1 of the eager group: its partitions stay assigned until session.timeout.ms.
    await page.click(`${group('eager')} .member[data-member="c1"] button.danger`);
    const crashedAt = Date.now();
    eager = await until(() => readGroup(page, 'eager'), (g) => g?.members.c1.status === 'crashed', 'c1 crashed');
    assert.deepEqual(shares(eager), [2, 2], 'right after the crash c2 and c3 still hold 2 each');
    eager = await until(() => readGroup(page, 'eager'),
      (g) => g?.state === 'Stable' && shares(g).join() === '3,3', 'c1 expired and its partitions moved', 40_000);
    const waited = Date.now() - crashedAt;
    assert.ok(waited >= SESSION_TIMEOUT_MS - 1_000, `the partitions moved after session.timeout.ms (${waited} ms)`);

    // A producer at 40 records/s and a group that processes 100 ms per record (10/s): its lag
    // grows on the plot, while the groups that keep up stay near 0.
    await page.fill('form.producers input[name="rate"]', '40');
    await page.fill('form.producers input[name="producer-topic"]', TOPIC);
    await page.click('form.producers button[type="submit"]');
    await until(() => page.locator('.producer[data-producer="p1"]').getAttribute('data-sent').catch(() => '0'),
      (sent) => Number(sent) > 0, 'the producer sends');
    await createGroup(page, 'slow', 'range', 1, { processingMs: 100, maxPollRecords: 5 });
    const lagOf = async (id) => Number(await page.locator(`${group(id)} .lag-plot`).getAttribute('data-lag').catch(() => '0'));
    await until(() => lagOf('slow'), (lag) => lag > 40, 'the slow group falls behind', 40_000);
    assert.ok(await lagOf('coop') < 40, 'the cooperative group keeps up');
    await until(() => readGroup(page, 'coop'), (g) => g.lagPoints >= 2, 'lag samples');
    assert.equal(await page.locator(`${group('slow')} .lag-plot svg polyline.lag-total-line`).count(), 1);
    await page.click('.producer[data-producer="p1"] button.danger');
    await page.screenshot({ path: path.join(screenshotDir, 'groups-crashed-desktop.png'), fullPage: true });

    // Assignors side by side on c1..c3 over t1 (3) and t2 (2): Kafka's assignments.
    await page.click('button.tab[data-view="assignors"]');
    await page.locator('.assignor-columns').waitFor();
    const columns = await page.locator('.assignor[data-assignor]').evaluateAll((els) => Object.fromEntries(els.map((el) => [
      el.getAttribute('data-assignor'),
      Object.fromEntries([...el.querySelector('.shares').querySelectorAll('.share')].map((s) => [
        s.getAttribute('data-member'),
        [...s.querySelectorAll('.tp-chip')].map((c) => c.getAttribute('data-tp')),
      ])),
    ])));
    assert.deepEqual(Object.keys(columns), ['range', 'roundrobin', 'sticky', 'cooperative-sticky']);
    assert.deepEqual(columns.range, { c1: ['t1-0', 't2-0'], c2: ['t1-1', 't2-1'], c3: ['t1-2'] });
    assert.deepEqual(columns.roundrobin, { c1: ['t1-0', 't2-0'], c2: ['t1-1', 't2-1'], c3: ['t1-2'] });
    for (const name of ['sticky', 'cooperative-sticky']) {
      assert.deepEqual(Object.values(columns[name]).map((tps) => tps.length).sort(), [1, 2, 2], `${name} balanced`);
    }
    // c4 joins: cooperative-sticky shows two rebalances; its first gives c4 nothing.
    const coopColumn = page.locator('.assignor[data-assignor="cooperative-sticky"]');
    assert.equal(await coopColumn.locator('.shares').count(), 3, 'before, 1st and 2nd rebalance');
    assert.equal(await coopColumn.locator('.shares').nth(1).locator('.share[data-member="c4"] .tp-chip').count(), 0);
    assert.ok(Number(await coopColumn.getAttribute('data-moved')) >= 1);
    await page.screenshot({ path: path.join(screenshotDir, 'groups-assignors-desktop.png'), fullPage: true });

    // 50 members × 1,000 partitions: the four assignors recompute in the page (measured).
    const clickedAt = Date.now();
    await page.click('button[data-action="large-example"]');
    await until(() => page.locator('.assignor[data-assignor="range"] .shares').first().locator('.share').count(),
      (n) => n === 50, '50 members in the range column', 60_000);
    const took = Number(await page.locator('p.took').getAttribute('data-took-ms'));
    console.log(`assignors side by side, 50 members x 1000 partitions: four assignors ${took} ms, drawn after ${Date.now() - clickedAt} ms`);
    assert.ok(took > 0 && took < 5_000, `the four assignors took ${took} ms`);

    // Both views at desktop and phone widths (the cluster and its groups are in this tab's
    // store; a second tab sees the same groups' committed offsets).
    await screenshots(browser, `${url.origin}${url.pathname}?lang=en#view=assignors`, 'assignors');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.click('button.tab[data-view="groups"]');
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(screenshotDir, 'groups-phone.png'), fullPage: true });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the groups view at 390 px is ${width} px wide`);
    // On a phone the groups' cards come right after the form that creates them, before the
    // producers form (else a new group appears a screen and a half below the button).
    const top = (sel) => page.evaluate((sel) => document.querySelector(sel).getBoundingClientRect().top, sel);
    const formBottom = await page.evaluate(() => document.querySelector('form.create-group').getBoundingClientRect().bottom);
    const cardTop = await top('section.group');
    assert.ok(cardTop > formBottom && cardTop - formBottom < 200, `the first group card right after the form: ${cardTop - formBottom} px`);
    assert.ok(cardTop < await top('form.producers'), 'the groups before the producers form on a phone');
    assert.deepEqual(logs.filter((l) => l.startsWith('[pageerror]')), []);
  } catch (error) {
    console.log(logs.join('\n'));
    throw error;
  } finally {
    await browser.close();
  }
});

/** The describe table's row of a group's partition: committed, log end, below the log start. */
async function describeRow(page, id, tp) {
  const row = page.locator(`${group(id)} .describe tr[data-tp="${tp}"]`);
  if ((await row.count()) === 0) return null;
  return row.evaluate((tr) => ({
    committed: tr.children[2].textContent,
    logEnd: tr.children[3].textContent,
    belowStart: tr.classList.contains('below-start'),
    owner: tr.children[6].textContent,
  }));
}

test('playground consumer groups: auto.offset.reset after retention deleted the committed offset', { timeout: 240_000 }, async () => {
  const baseUrl = process.env.BASE_URL;
  assert.ok(baseUrl, 'BASE_URL is required');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: LAUNCH_ARGS });
  const logs = [];
  try {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    page.on('pageerror', (err) => logs.push(`[pageerror] ${err.stack ?? err}`));
    const url = new URL(baseUrl);
    url.searchParams.set('lang', 'en');
    await page.goto(url.href);
    await page.waitForSelector(READY, { state: 'attached', timeout: 30_000 });
    await page.fill('form.create-topic input[name="topic"]', 'logs');
    await page.fill('form.create-topic input[name="partitions"]', '1');
    await page.click('form.create-topic button[type="submit"]');
    await page.locator('article.topic[data-topic="logs"]').waitFor({ state: 'attached' });
    await page.click('button.tab[data-view="groups"]');

    // A producer feeds the topic; three groups read it from the start and commit after each batch.
    await page.fill('form.producers input[name="producer-topic"]', 'logs');
    await page.fill('form.producers input[name="rate"]', '50');
    await page.click('form.producers button[type="submit"]');
    const policies = ['earliest', 'latest', 'none'];
    const create = async (id, reset) => {
      await page.fill('form.create-group input[name="group"]', id);
      await page.fill('form.create-group input[name="topics"]', 'logs');
      await page.fill('form.create-group input[name="assignors"]', 'range');
      await page.fill('form.create-group input[name="members"]', '1');
      await page.selectOption('form.create-group select[name="auto-offset-reset"]', reset);
      await page.selectOption('form.create-group select[name="commit"]', 'sync');
      await page.click('form.create-group button[type="submit"]');
    };
    for (const policy of policies) await create(`r-${policy}`, 'earliest');
    for (const policy of policies) {
      await until(() => describeRow(page, `r-${policy}`, 'logs-0'), (r) => Number(r?.committed) > 0, `r-${policy} commits`);
    }
    // Every member stops (commits, leaves); the producer runs on a little, then stops.
    for (const policy of policies) {
      await page.click(`${group(`r-${policy}`)} .member[data-member="c1"] .member-actions button.secondary`);
    }
    for (const policy of policies) {
      await until(() => readGroup(page, `r-${policy}`), (g) => g?.state === 'Empty', `r-${policy} empty`);
    }
    const committed = [];
    for (const policy of policies) committed.push(Number((await describeRow(page, `r-${policy}`, 'logs-0')).committed));
    await page.waitForTimeout(1_500);
    await page.click('.producer[data-producer="p1"] button.danger');
    await page.waitForTimeout(500);
    const logEnd = Number((await describeRow(page, 'r-earliest', 'logs-0')).logEnd);
    const deleteBefore = Math.max(...committed) + 5;
    assert.ok(logEnd > deleteBefore, `records after the commits: log end ${logEnd}, committed ${committed}`);

    // kafka-delete-records: the log start moves past every committed offset.
    await page.click('button.tab[data-view="cluster"]');
    const topic = page.locator('article.topic[data-topic="logs"]');
    await topic.locator('details.topic-controls').evaluate((el) => { el.open = true; });
    await topic.locator('input[name="delete-before"]').fill(String(deleteBefore));
    await topic.locator('button[data-action="delete-records"]').click();
    await topic.locator('.confirm button[data-action="confirm"]').click();
    await page.click('button.tab[data-view="groups"]');
    for (const policy of policies) {
      await until(() => describeRow(page, `r-${policy}`, 'logs-0'), (r) => r?.belowStart, `r-${policy} committed below the log start`);
    }
    await page.screenshot({ path: path.join(screenshotDir, 'groups-below-start-desktop.png'), fullPage: true });

    // The same groups again, each with its auto.offset.reset.
    for (const policy of policies) await create(`r-${policy}`, policy);
    const member = (id) => page.locator(`${group(id)} .member[data-member="c1"]`);
    await until(() => member('r-earliest').locator('.resets').textContent().catch(() => ''),
      (text) => text.includes(`logs-0 → ${deleteBefore}`), 'earliest jumps to the log start');
    await until(() => member('r-latest').locator('.resets').textContent().catch(() => ''),
      (text) => text.includes(`logs-0 → ${logEnd}`), 'latest jumps to the log end');
    await until(() => member('r-none').locator('.poll-error').getAttribute('data-exception').catch(() => ''),
      (name) => name === 'OffsetOutOfRangeException', 'none fails with OffsetOutOfRangeException');
    assert.equal(await member('r-none').locator('.resets').count(), 0, 'none: no position was reset');
    const pollError = await member('r-none').locator('.poll-error').textContent();
    assert.ok(pollError.includes('{logs-0='), `Kafka's topic-partition in the message: ${pollError}`);
    assert.ok(!pollError.includes('TopicPartition {'), `no Rust debug format: ${pollError}`);
    await page.screenshot({ path: path.join(screenshotDir, 'groups-offset-reset-desktop.png'), fullPage: true });

    // After a reload the committed offsets are still there (they live in __consumer_offsets);
    // the members, clients of the page, are not, and the page says so.
    const committedBefore = (await describeRow(page, 'r-earliest', 'logs-0')).committed;
    await page.reload();
    await page.waitForSelector(READY, { state: 'attached', timeout: 30_000 });
    await page.click('button.tab[data-view="groups"]');
    const card = page.locator(group('r-earliest'));
    await card.waitFor();
    await card.locator('.no-members').waitFor();
    const after = await until(() => describeRow(page, 'r-earliest', 'logs-0'), (r) => r !== null, 'the describe row after the reload');
    assert.equal(after.committed, committedBefore, 'the committed offset survived the reload');
    // The coordinator still lists the old c1 until its session times out, then the group is Empty.
    const foreign = await card.locator('.foreign-members').getAttribute('data-foreign').catch(() => null);
    const state = (await readGroup(page, 'r-earliest')).state;
    assert.ok(foreign === '1' || state === 'Empty', `the old member is shown as the coordinator's: ${foreign} ${state}`);
    await until(() => readGroup(page, 'r-earliest'), (g) => g?.state === 'Empty', 'r-earliest Empty once c1\'s session expired', 60_000);
    assert.equal(await card.locator('.foreign-members').count(), 0, 'no leftover member once Empty');
    assert.match(await card.locator('details.commits summary').textContent(), /since the page loaded \(0\)/);
    await page.screenshot({ path: path.join(screenshotDir, 'groups-after-reload-desktop.png'), fullPage: true });
    // Add member works: Kafka's consumer defaults on the group's topic, from the committed offset.
    const add = card.locator('.group-actions button').first();
    assert.equal(await add.isDisabled(), false, 'Add member is enabled after the reload');
    await add.click();
    const joined = await until(() => readGroup(page, 'r-earliest'),
      (g) => g?.state === 'Stable' && g.members.c1?.partitions.join() === 'logs-0', 'c1 joins again after the reload');
    assert.equal(joined.members.c1.status, 'running');
    assert.equal(await card.locator('.no-members').count(), 0, 'the hint goes once a member runs');
    assert.equal(await page.locator(`${group('r-earliest')} .alert[role="alert"]`).count(), 0, 'no error');
    const resumed = await until(() => describeRow(page, 'r-earliest', 'logs-0'), (r) => r?.owner === 'c1', 'c1 owns logs-0');
    assert.ok(Number(resumed.committed) >= Number(committedBefore), 'it resumed from the committed offset');
    await page.screenshot({ path: path.join(screenshotDir, 'groups-after-reload-add-desktop.png'), fullPage: true });
    assert.deepEqual(logs, []);
  } catch (error) {
    console.log(logs.join('\n'));
    throw error;
  } finally {
    await browser.close();
  }
});
