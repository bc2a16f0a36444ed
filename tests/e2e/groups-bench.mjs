// Measures the playground with consumer groups at work in headless Chromium and prints one
// JSON object (progress on stderr). A measurement, not a test: it fails only if the page does.
//
// - Frame times: 3 topics × 12 partitions, 3 groups × 5 members subscribed to all three,
//   producers at 2,000 records/s in total, at 1× speed; the interval between animation frames
//   over MEASURE_MS, p50 and p95, with the groups view on screen, then the cluster view, then
//   the event log (a baseline: the engine at work, little drawn).
// - The assignors side by side: the four assignors recomputed for 50 members × 1,000
//   partitions after an edit, as the page measures it (`data-took-ms`), several edits.
//
// Env: BASE_URL (required) — URL of the built playground (`cargo xtask build`).
//      CHROMIUM (optional) — browser executable, defaults to /usr/bin/chromium.
import { chromium } from 'playwright-core';
import { LAUNCH_ARGS } from './chromium.mjs';

const TOPICS = ['t1', 't2', 't3'];
const PARTITIONS = 12;
const GROUPS = ['g1', 'g2', 'g3'];
const MEMBERS = 5;
const RATES = [667, 667, 666];
const WARMUP_MS = 6_000;
const MEASURE_MS = 10_000;
const EDITS = 5;

const log = (...args) => console.error(...args);

/** In the page: animation-frame intervals over `ms`. */
async function frameIntervals(page, ms) {
  return page.evaluate((ms) => new Promise((resolve) => {
    const intervals = [];
    let last = performance.now();
    const end = last + ms;
    const tick = (now) => {
      intervals.push(now - last);
      last = now;
      if (now < end) requestAnimationFrame(tick); else resolve(intervals);
    };
    requestAnimationFrame(tick);
  }), ms);
}

function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] };
}

const baseUrl = process.env.BASE_URL;
if (!baseUrl) throw new Error('BASE_URL is required');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: LAUNCH_ARGS });
try {
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  page.on('pageerror', (err) => { throw err; });
  const url = new URL(baseUrl);
  url.searchParams.set('lang', 'en');
  await page.goto(url.href);
  await page.waitForSelector('#app[data-ready="true"]', { state: 'attached', timeout: 30_000 });
  for (const topic of TOPICS) {
    await page.fill('form.create-topic input[name="topic"]', topic);
    await page.fill('form.create-topic input[name="partitions"]', String(PARTITIONS));
    await page.click('form.create-topic button[type="submit"]');
    await page.locator(`article.topic[data-topic="${topic}"]`).waitFor({ state: 'attached' });
  }
  await page.click('button.tab[data-view="groups"]');
  for (const id of GROUPS) {
    await page.fill('form.create-group input[name="group"]', id);
    await page.fill('form.create-group input[name="topics"]', TOPICS.join(', '));
    await page.fill('form.create-group input[name="assignors"]', 'cooperative-sticky');
    await page.fill('form.create-group input[name="members"]', String(MEMBERS));
    await page.click('form.create-group button[type="submit"]');
    await page.locator(`section.group[data-group="${id}"]`).waitFor();
  }
  for (const [i, topic] of TOPICS.entries()) {
    await page.fill('form.producers input[name="producer"]', `p${i + 1}`);
    await page.fill('form.producers input[name="producer-topic"]', topic);
    await page.fill('form.producers input[name="rate"]', String(RATES[i]));
    await page.click('form.producers button[type="submit"]');
    await page.locator(`.producer[data-producer="p${i + 1}"]`).waitFor();
  }
  log(`groups-bench: ${GROUPS.length} groups × ${MEMBERS} members, ${TOPICS.length} topics × ${PARTITIONS} partitions, producers at ${RATES.reduce((a, b) => a + b)} records/s; warming up`);
  await page.waitForTimeout(WARMUP_MS);
  const stable = await page.locator('section.group[data-state="Stable"]').count();
  log(`groups-bench: ${stable} of ${GROUPS.length} groups Stable; measuring frames on the groups view`);
  const groupsView = summary(await frameIntervals(page, MEASURE_MS));
  await page.click('button.tab[data-view="cluster"]');
  log('groups-bench: measuring frames on the cluster view');
  const clusterView = summary(await frameIntervals(page, MEASURE_MS));
  // The event log draws little: what is left is the engine's work and the model's reads.
  await page.click('button.tab[data-view="events"]');
  log('groups-bench: measuring frames on the event log (a baseline that draws little)');
  const eventsView = summary(await frameIntervals(page, MEASURE_MS));
  log(`groups-bench: frames ${JSON.stringify({ groupsView, clusterView, eventsView })}`);
  // The assignors panel is measured with time paused: only its own work is timed.
  await page.click('.transport button.play');
  await page.click('button.tab[data-view="assignors"]');
  await page.click('button[data-action="large-example"]');
  const took = [];
  for (let i = 0; i < EDITS; i++) {
    await page.fill('form.assignor-input input[name="member"]', `c${60 + i}`);
    await page.click('form.assignor-input button[type="submit"]');
    await page.locator(`.assignor[data-assignor="range"] .share[data-member="c${60 + i}"]`).first().waitFor({ state: 'attached', timeout: 60_000 });
    took.push(Number(await page.locator('p.took').getAttribute('data-took-ms')));
  }
  console.log(JSON.stringify({
    setup: { groups: GROUPS.length, members: MEMBERS, topics: TOPICS.length, partitions: PARTITIONS, records_per_second: RATES.reduce((a, b) => a + b), stable_groups: stable },
    frames: { groups_view: groupsView, cluster_view: clusterView, events_view: eventsView },
    assignors: { members: 50, partitions: 1000, edits_ms: took, median_ms: summary(took).p50, max_ms: summary(took).max },
  }));
} finally {
  await browser.close();
}
