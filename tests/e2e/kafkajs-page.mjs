// Runs one page of a KafkaJS program against the built site: the page's HTML is served at
// `file` under the site (so it loads `kafkajs.js` and the wasm from there), the program puts
// what it saw in `window.result`, and a page error or a thrown error fails the test.
import assert from 'node:assert/strict';

/** Loads `html` as `file` of the site at `baseUrl` in a fresh context; returns `window.result`. */
export async function runProgramPage(browser, baseUrl, file, html, name) {
  const context = await browser.newContext();
  try {
    const url = new URL(file, baseUrl).href;
    await context.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(String(err.stack ?? err)));
    if (process.env.DEBUG) page.on('console', (m) => console.error(`[${name}] ${m.text()}`));
    await page.goto(url);
    await page.waitForFunction(() => window.result !== undefined, undefined, { timeout: 90_000 });
    const result = await page.evaluate(() => window.result);
    assert.equal(result.error, undefined, `${name} failed: ${result.name} ${result.type} ${result.error}`);
    assert.deepEqual(errors, [], 'no page errors');
    return result;
  } finally {
    await context.close();
  }
}
