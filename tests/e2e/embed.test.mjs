// Embedding rill, as a documentation author does it, with only the documented snippet
// (`docs/site/embed-snippet.html`, carried verbatim by README.md — a unit test in xtask checks).
//
// - A plain HTML page on another origin, written here from the snippet alone: both
//   <rill-demo> elements run their own cluster, the wasm is downloaded once, nothing goes wrong
//   in the console.
// - An mdBook-like page (mdBook's layout and aggressive page styles) with the snippet in its
//   content: the demo runs, the page's styles do not reach into the demo, nor the demo's out.
// - `embed.html?scenario=…&view=…&autoplay=…&height=…&lang=ko` in an iframe: it runs, speaks
//   Korean, and "open in playground" carries the state: the playground opened from the link
//   has the same state hash.
// - Eight demos on one page: off-screen demos stay idle; the time to the first demo drawn is
//   printed.
// - The docs site: English and Korean chapters load, their demos run.
//
// Env: BASE_URL (required), CHROMIUM (optional), SCREENSHOT_DIR (optional).
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import { chromium } from 'playwright-core';
import { LAUNCH_ARGS } from './chromium.mjs';

const baseUrl = process.env.BASE_URL;
const screenshotDir = process.env.SCREENSHOT_DIR
  ? path.resolve(process.env.SCREENSHOT_DIR)
  : fileURLToPath(new URL('../../target/e2e-screenshots', import.meta.url));
const repo = (p) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

/** The author's pages: another origin than the site's (a server of this test's own). */
const authorPages = {};
let AUTHOR = '';
const authorServer = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  // A page without an icon link: the browser asks for one; the author's site has none.
  if (url.pathname === '/favicon.ico') {
    res.writeHead(204).end();
    return;
  }
  const body = authorPages[url.pathname];
  if (body === undefined) {
    res.writeHead(404).end('not found');
    return;
  }
  const type = url.pathname.endsWith('.html') ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8';
  res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-cache' }).end(body);
});
test.before(async () => {
  await new Promise((resolve) => authorServer.listen(0, '127.0.0.1', resolve));
  // `localhost`, not the site's `127.0.0.1`: another origin, as a docs site elsewhere is.
  AUTHOR = `http://localhost:${authorServer.address().port}`;
});
test.after(() => authorServer.close());

const SIZES = [
  { name: 'desktop', width: 1400, height: 900 },
  { name: 'phone', width: 390, height: 844 },
];

function watch(page) {
  const seen = { pageErrors: [], consoleErrors: [], failed: [], wasm: [] };
  page.on('pageerror', (err) => seen.pageErrors.push(String(err.stack ?? err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error') seen.consoleErrors.push(msg.text());
  });
  page.on('requestfailed', (req) => seen.failed.push(`${req.url()} ${req.failure()?.errorText ?? ''}`));
  page.on('response', (res) => {
    if (res.status() >= 400) seen.failed.push(`${res.url()} ${res.status()}`);
  });
  page.on('request', (req) => {
    if (req.url().endsWith('.wasm')) seen.wasm.push(req.url());
  });
  return seen;
}

/** The README's snippet, pointed at the served site. */
async function snippet() {
  const text = await readFile(repo('docs/site/embed-snippet.html'), 'utf8');
  const readme = await readFile(repo('README.md'), 'utf8');
  assert.ok(readme.includes(text.trim()), 'README.md carries the snippet verbatim');
  return text.replaceAll('https://YOUR-RILL-SITE/', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
}

/** Serves `pages` (path → HTML or text) at the author's origin. */
async function routeAuthor(_context, pages) {
  Object.assign(authorPages, pages);
}

/** Facts about each <rill-demo> of the page: ready, playing, cluster time, view. */
function demos(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('rill-demo')].map((el) => {
      const app = el.shadowRoot?.querySelector('#app');
      return {
        ready: app?.dataset.ready === 'true',
        mounted: Boolean(el.demo),
        playing: el.demo?.isPlaying() ?? false,
        clock: app?.querySelector('.clock')?.textContent ?? null,
        view: app?.dataset.view ?? null,
        lang: app?.dataset.lang ?? null,
        text: el.shadowRoot?.textContent ?? '',
      };
    }),
  );
}

async function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM || undefined, args: LAUNCH_ARGS });
}

async function shoot(page, name) {
  await mkdir(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
}

test('a plain HTML page with only the README snippet runs two demos on one wasm download', { timeout: 180_000 }, async () => {
  assert.ok(baseUrl, 'BASE_URL must point at the built site');
  const browser = await launch();
  try {
    for (const size of SIZES) {
      const context = await browser.newContext({ viewport: { width: size.width, height: size.height } });
      const html = `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>My Kafka notes</title></head>\n<body>\n<h1>My Kafka notes</h1>\n${await snippet()}\n</body></html>\n`;
      await routeAuthor(context, { '/notes.html': html });
      const page = await context.newPage();
      const seen = watch(page);
      await page.goto(`${AUTHOR}/notes.html`);
      await page.waitForFunction(
        () => [...document.querySelectorAll('rill-demo')].every((el) => el.shadowRoot?.querySelector('#app[data-ready="true"]')),
        null,
        { timeout: 60_000 },
      );
      const first = await demos(page);
      await page.waitForTimeout(1_500);
      const later = await demos(page);
      assert.equal(later.length, 2);
      for (const [i, demo] of later.entries()) {
        assert.ok(demo.ready, `demo ${i} is drawn`);
        assert.equal(demo.view, 'cluster', `demo ${i} shows the replication view`);
      }
      // Both play (autoplay) and their clocks move; each its own cluster (other topics).
      assert.ok(later[0].playing && later[1].playing, `both demos play: ${JSON.stringify(later.map((d) => d.playing))}`);
      assert.notEqual(later[0].clock, first[0].clock, 'demo 1 time moves');
      assert.notEqual(later[1].clock, first[1].clock, 'demo 2 time moves');
      const hashes = await page.evaluate(() => [...document.querySelectorAll('rill-demo')].map((el) => el.demo.stateHash()));
      assert.notEqual(hashes[0], hashes[1], 'two clusters, two states');
      assert.equal(seen.wasm.length, 1, `one wasm download for two demos: ${seen.wasm.join(', ')}`);
      assert.deepEqual(seen.pageErrors, []);
      assert.deepEqual(seen.consoleErrors, []);
      assert.deepEqual(seen.failed, []);
      await page.locator('rill-demo').first().scrollIntoViewIfNeeded();
      await shoot(page, `embed-plain-${size.name}`);
      await context.close();
    }
  } finally {
    await browser.close();
  }
});

test('an mdBook page: the demo runs and styles do not cross the shadow root', { timeout: 120_000 }, async () => {
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    // The snippet as a chapter's Markdown carries it: mdBook passes raw HTML through.
    const page_ = `<!DOCTYPE HTML>
<html lang="en" class="light sidebar-visible" dir="ltr">
<head><meta charset="UTF-8"><title>Replication - My Kafka Book</title>
<style>
  :root { --bg: hsl(0, 0%, 100%); --fg: hsl(0, 0%, 0%); }
  html { font-family: "Open Sans", sans-serif; color: var(--fg); background-color: var(--bg); }
  .sidebar { position: fixed; left: 0; top: 0; bottom: 0; width: 300px; background: #fafafa; }
  .page-wrapper { margin-left: 300px; }
  .content main { max-width: 750px; margin: 0 auto; }
  button { background: rgb(255, 0, 0) !important; }
  .card { outline: 5px solid rgb(0, 255, 0); }
</style></head>
<body>
<nav id="sidebar" class="sidebar" aria-label="Table of contents"><ol class="chapter"><li class="chapter-item expanded"><a href="replication.html" class="active">1. Replication</a></li></ol></nav>
<div id="page-wrapper" class="page-wrapper"><div class="page"><div id="content" class="content"><main>
<h1 id="replication"><a class="header" href="#replication">Replication</a></h1>
<p>Kill a broker and watch the ISR shrink:</p>
${await snippet()}
<div class="card" id="host-card">a host element with the demo's class name</div>
</main></div></div></div>
</body></html>`;
    await routeAuthor(context, { '/book/replication.html': page_ });
    const page = await context.newPage();
    const seen = watch(page);
    await page.goto(`${AUTHOR}/book/replication.html`);
    await page.waitForFunction(
      () => document.querySelector('rill-demo')?.shadowRoot?.querySelector('#app[data-ready="true"]'),
      null,
      { timeout: 60_000 },
    );
    await page.waitForTimeout(1_000);
    const [demo] = await demos(page);
    assert.ok(demo.ready && demo.playing, 'the demo runs in the mdBook page');
    const styles = await page.evaluate(() => {
      const root = document.querySelector('rill-demo').shadowRoot;
      const play = root.querySelector('button.play');
      const hostCard = document.getElementById('host-card');
      return {
        play: getComputedStyle(play).backgroundColor,
        hostCardRadius: getComputedStyle(hostCard).borderTopLeftRadius,
        hostCardOutline: getComputedStyle(hostCard).outlineColor,
      };
    });
    assert.notEqual(styles.play, 'rgb(255, 0, 0)', "the page's button style does not reach the demo");
    assert.equal(styles.hostCardRadius, '0px', "the demo's .card style does not reach the page");
    assert.equal(styles.hostCardOutline, 'rgb(0, 255, 0)');
    assert.deepEqual(seen.pageErrors, []);
    assert.deepEqual(seen.consoleErrors, []);
    assert.equal(seen.wasm.length, 1);
    await page.locator('rill-demo').first().scrollIntoViewIfNeeded();
    await shoot(page, 'embed-mdbook-desktop');
    await context.close();
  } finally {
    await browser.close();
  }
});

test('embed.html in an iframe takes its options from the URL; "open in playground" carries the state', { timeout: 180_000 }, async () => {
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const src = `${baseUrl.replace(/\/$/, '')}/embed.html?scenario=docs/scenarios/acks-min-isr.rill&view=replication&autoplay=1&speed=5&height=600&lang=ko`;
    await routeAuthor(context, {
      '/frame.html': `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>iframe</title></head><body><h1>An iframe embed</h1><iframe src="${src}" width="100%" height="604" style="border:0" title="rill demo"></iframe></body></html>`,
    });
    const page = await context.newPage();
    const seen = watch(page);
    await page.goto(`${AUTHOR}/frame.html`, { waitUntil: 'domcontentloaded' });
    const frame = page.frameLocator('iframe');
    await frame.locator('rill-demo').waitFor();
    const app = frame.locator('rill-demo #app[data-ready="true"]');
    await app.waitFor({ timeout: 60_000 });
    assert.equal(await app.getAttribute('data-lang'), 'ko');
    assert.equal(await app.getAttribute('data-view'), 'cluster');
    const link = frame.locator('rill-demo a.open-playground');
    assert.match(await link.textContent(), /플레이그라운드에서 열기/);
    const clock1 = await frame.locator('rill-demo .clock').textContent();
    await page.waitForTimeout(1_500);
    const clock2 = await frame.locator('rill-demo .clock').textContent();
    assert.notEqual(clock1, clock2, 'autoplay: time moves');
    await shoot(page, 'embed-iframe-ko-desktop');
    // Pause, then follow "open in playground": the new page shows the same state.
    await frame.locator('rill-demo button.play').click();
    await frame.locator('rill-demo #app[data-state-hash]').waitFor();
    const hash = await frame.locator('rill-demo #app').getAttribute('data-state-hash');
    const [playground] = await Promise.all([context.waitForEvent('page'), link.click()]);
    const seenThere = watch(playground);
    await playground.waitForLoadState();
    assert.match(playground.url(), /index\.html\?lang=ko#s=[A-Za-z0-9_-]+&t=\d+&view=cluster$/);
    await playground.locator('#app[data-ready="true"][data-state-hash]').waitFor({ timeout: 60_000 });
    assert.equal(await playground.locator('#app').getAttribute('data-state-hash'), hash, 'the playground opened from the link has the same state');
    assert.equal(await playground.locator('#app').getAttribute('data-lang'), 'ko');
    await shoot(playground, 'embed-open-in-playground-desktop');
    assert.deepEqual(seen.pageErrors, []);
    assert.deepEqual(seen.consoleErrors, []);
    assert.deepEqual(seenThere.pageErrors, []);
    await context.close();
  } finally {
    await browser.close();
  }
});

test('eight demos on a page: those out of sight stay idle; time to the first demo drawn', { timeout: 180_000 }, async () => {
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const site = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
    const names = ['topics-partitions', 'keys-partitioner', 'records-offsets', 'retention', 'acks-min-isr', 'acks1-loss', 'unclean-election', 'reassignment'];
    const body = names
      .map((n) => `<h2>${n}</h2>\n<p style="height: 300px">Prose about ${n}.</p>\n<rill-demo scenario="${site}docs/scenarios/${n}.rill" view="replication" autoplay height="420"></rill-demo>`)
      .join('\n');
    await routeAuthor(context, {
      '/eight.html': `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Eight demos</title><script type="module" src="${site}rill-demo.js"></script></head><body><h1>Eight demos</h1>\n${body}</body></html>`,
    });
    const page = await context.newPage();
    const seen = watch(page);
    const started = Date.now();
    await page.goto(`${AUTHOR}/eight.html`);
    await page.waitForFunction(() => document.querySelector('rill-demo')?.shadowRoot?.querySelector('#app[data-ready="true"]'), null, { timeout: 60_000 });
    const firstDemoMs = Date.now() - started;
    const paint = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null);
    console.log(`# 8 embeds: first contentful paint ${paint?.toFixed(0)} ms, first demo drawn ${firstDemoMs} ms after navigation`);
    await page.waitForTimeout(1_000);
    let state = await demos(page);
    assert.ok(state[0].playing, 'the demo on screen plays');
    const offscreen = state.slice(3);
    assert.ok(offscreen.every((d) => !d.playing), `demos far below do not run: ${JSON.stringify(state.map((d) => d.playing))}`);
    // Scroll the last into view: it starts; the first, now out of sight, pauses.
    await page.locator('rill-demo').last().scrollIntoViewIfNeeded();
    await page.waitForFunction(() => [...document.querySelectorAll('rill-demo')].at(-1).demo?.isPlaying(), null, { timeout: 60_000 });
    await page.waitForTimeout(500);
    state = await demos(page);
    assert.ok(!state[0].playing, 'the first demo, scrolled away, is paused');
    const clockAway = state[0].clock;
    await page.waitForTimeout(1_000);
    assert.equal((await demos(page))[0].clock, clockAway, 'its time stands still while out of sight');
    // Back in sight, it plays on.
    await page.locator('rill-demo').first().scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.querySelector('rill-demo').demo.isPlaying(), null, { timeout: 10_000 });
    assert.equal(seen.wasm.length, 1, 'one wasm download for eight demos');
    assert.deepEqual(seen.pageErrors, []);
    assert.deepEqual(seen.consoleErrors, []);
    await context.close();
  } finally {
    await browser.close();
  }
});

test('the docs site: English and Korean chapters load and their demos run', { timeout: 240_000 }, async () => {
  const browser = await launch();
  try {
    for (const size of SIZES) {
      for (const lang of ['en', 'ko']) {
        const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, locale: lang === 'ko' ? 'ko-KR' : 'en-US' });
        const page = await context.newPage();
        const seen = watch(page);
        await page.goto(new URL(`docs/${lang}/replication-acks.html`, baseUrl).href);
        assert.equal(await page.getAttribute('html', 'lang'), lang);
        const h1 = await page.locator('main h1').textContent();
        if (lang === 'ko') assert.match(h1, /[가-힣]/, 'the Korean chapter is in Korean');
        else assert.match(h1, /Replication/);
        const demo = page.locator('rill-demo').first();
        assert.equal(await demo.getAttribute('lang'), lang);
        await demo.scrollIntoViewIfNeeded();
        await page.waitForFunction(() => document.querySelector('rill-demo')?.demo?.isPlaying(), null, { timeout: 60_000 });
        const before = (await demos(page))[0].clock;
        await page.waitForTimeout(1_200);
        const after = await demos(page);
        assert.notEqual(after[0].clock, before, 'the chapter demo runs');
        assert.equal(after[0].lang, lang);
        if (lang === 'ko') assert.match(after[0].text, /플레이그라운드에서 열기/);
        // The language switch leads to the same chapter in the other language.
        const other = lang === 'en' ? 'ko' : 'en';
        assert.equal(await page.locator(`.langs a[hreflang="${other}"]`).getAttribute('href'), `../${other}/replication-acks.html`);
        await shoot(page, `docs-${lang}-${size.name}`);
        // Scrolled inside the demo, the latest-events strip is not hidden under the transport
        // (where the transport wraps, the strip scrolls away instead of sticking).
        const bars = await demo.evaluate((el) => {
          const root = el.shadowRoot;
          root.querySelector('.rill-demo').scrollTop = 340;
          const box = (q) => root.querySelector(q).getBoundingClientRect();
          const sticks = getComputedStyle(root.querySelector('.embed-recent')).position === 'sticky';
          return { transport: box('.transport').bottom, recent: box('.embed-recent').top, sticks };
        });
        assert.equal(bars.sticks, size.name === 'desktop', 'the strip sticks only where the transport is one line');
        if (bars.sticks) assert.ok(bars.recent >= bars.transport - 1, `the events strip (top ${bars.recent}) is below the transport (bottom ${bars.transport})`);
        assert.deepEqual(seen.pageErrors, []);
        assert.deepEqual(seen.consoleErrors, []);
        assert.deepEqual(seen.failed, []);
        await context.close();
      }
    }
    // Every chapter page of both languages exists and names its demos' scenarios, served; none
    // scrolls sideways on a phone (long inline `code` once widened two pages to 477 px).
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    for (const lang of ['en', 'ko']) {
      const summary = await readFile(repo(`docs/book/${lang}/SUMMARY.md`), 'utf8');
      const files = [...summary.matchAll(/\]\(([^)]+)\.md\)/g)].map((m) => m[1]);
      assert.equal(files.length, 13);
      for (const file of files) {
        const res = await page.goto(new URL(`docs/${lang}/${file}.html`, baseUrl).href);
        assert.equal(res.status(), 200, `${lang}/${file}`);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 390, `${lang}/${file} is ${width}px wide at 390px`);
        const scenarios = await page.evaluate(() => [...document.querySelectorAll('rill-demo')].map((d) => d.getAttribute('scenario')));
        for (const s of scenarios) {
          const r = await page.request.get(new URL(s, page.url()).href);
          assert.equal(r.status(), 200, `${lang}/${file}: ${s}`);
        }
      }
    }
    await context.close();
  } finally {
    await browser.close();
  }
});

test('a chapter demo shows its refusal in the latest-events strip; embed.html with no scenario says what to add', { timeout: 180_000 }, async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${baseUrl}/embed.html?scenario=docs/scenarios/acks-min-isr.rill&view=replication&autoplay=1&speed=10&lang=en`);
    const demo = page.locator('rill-demo');
    const refused = demo.locator('.embed-recent .recent-line.refused');
    await refused.first().waitFor({ timeout: 90_000 });
    assert.match(await refused.first().textContent(), /NOT_ENOUGH_REPLICAS/);
    // The lanes come before the brokers; no admin form in a replication demo.
    assert.equal(await demo.locator('.reassign, form.config-form:visible').count(), 0);
    await shoot(page, 'embed-refusal-phone');
    await page.goto(`${baseUrl}/embed.html?lang=en`);
    const empty = demo.locator('.no-scenario');
    await empty.waitFor({ timeout: 60_000 });
    assert.match(await empty.textContent(), /\?scenario=/);
    assert.match(await empty.locator('a').getAttribute('href'), /docs\/en\/embedding\.html$/);
    await shoot(page, 'embed-no-scenario-phone');
  } finally {
    await browser.close();
  }
});
