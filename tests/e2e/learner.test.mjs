// The first steps of a learner, in Korean then English: create a topic, produce a record,
// pause and Step. Every visible text, tooltip and ARIA label of the cluster view is in the
// page's language (Kafka's own names aside), the jargon of a partition row (RF, ISR, epoch,
// HW, LEO, start) explains itself on hover, counts agree with their number, and the Step
// report is translated.
//
// Env: BASE_URL (required), CHROMIUM (optional), SCREENSHOT_DIR (optional).
import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { READY, screenshotDir, withPage, lane, partitionRow } from './playground.mjs';

const HANGUL = /[가-힣]/;

/**
 * Tooltips and ARIA labels of the page that read as English prose: three or more lowercase
 * English words in a row (Kafka's names, keys, topic names and numbers are single tokens).
 */
async function englishLabels(page) {
  return page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('[title], [aria-label]')) {
      for (const attr of ['title', 'aria-label']) {
        const text = el.getAttribute(attr);
        if (text && /\b[a-z]{2,}\s+[a-z]{2,}\s+[a-z]{2,}\b/.test(text) && !/[가-힣]/.test(text)) {
          out.push(`${el.tagName.toLowerCase()}.${el.className} ${attr}="${text}"`);
        }
      }
    }
    return out;
  });
}

test('a learner\'s first steps read in Korean and in English', { timeout: 120_000 }, async () => {
  await withPage('learner', { viewport: { width: 1400, height: 900 } }, async (page, _context, baseUrl) => {
    await page.goto(new URL('index.html?lang=ko', baseUrl).href);
    await page.waitForSelector(READY, { state: 'attached', timeout: 30_000 });
    await page.fill('form.create-topic input[name="topic"]', 'orders');
    await page.fill('form.create-topic input[name="partitions"]', '1');
    await page.click('form.create-topic button[data-action="create-topic"]');
    await page.locator(lane('orders', 0)).waitFor({ state: 'attached' });
    await page.selectOption('form.produce select[name="topic"]', 'orders');
    await page.click('form.produce button[data-action="produce"]');
    await page.locator('form.produce li.sent[data-offset="0"]').waitFor();
    await page.locator(`${lane('orders', 0)}[data-high-watermark="1"]`).waitFor();

    // The partition row's jargon explains itself, in Korean.
    const row = partitionRow('orders', 0);
    for (const sel of ['.isr', '.rf', '.leader-line', '.marker.hw', '.marker.end', '.marker.start', '.replica']) {
      const title = await page.locator(`${row} ${sel}`).first().getAttribute('title');
      assert.match(title ?? '', HANGUL, `${sel} has a Korean tooltip: ${title}`);
    }
    assert.equal(await page.locator(`${lane('orders', 0)} .marker.count`).innerText(), '레코드 1개');
    assert.match(await page.locator('article.topic[data-topic="orders"] .topic-head .meta').first().innerText(), /^파티션 1개 ·/);

    // Step is disabled while time runs, and its tooltip says to pause first.
    assert.ok(await page.locator('.transport button.step').isDisabled());
    assert.match(await page.locator('.transport button.step').getAttribute('title'), /일시정지/);
    // Pause, then Step: the report is Korean (Kafka's API names stay).
    await page.click('.transport button.play[data-state="playing"]');
    await page.click('.transport button.step');
    const said = page.locator('.transport .step-said');
    await said.waitFor();
    const text = await said.innerText();
    assert.doesNotMatch(text, /nothing|client|broker \d|controller/, `the step report is translated: ${text}`);
    assert.match(text, /^\+\d+ ms/);
    assert.equal(await page.locator('.transport').getAttribute('aria-label'), '시간 조작');
    assert.deepEqual(await englishLabels(page), [], 'no English tooltip or ARIA label on the Korean page');
    await page.screenshot({ path: path.join(screenshotDir, 'learner-ko.png'), fullPage: false });

    // The same page in English: English tooltips, "1 record", "1 partition".
    await page.click('button.lang:has-text("EN")');
    await page.locator('#app[data-lang="en"]').waitFor({ state: 'attached' });
    assert.match(await page.locator(`${row} .isr`).getAttribute('title'), /^in-sync replicas \(ISR\)/);
    assert.match(await page.locator(`${row} .marker.hw`).getAttribute('title'), /^high watermark \(HW\)/);
    assert.equal(await page.locator(`${lane('orders', 0)} .marker.count`).innerText(), '1 record');
    assert.match(await page.locator('article.topic[data-topic="orders"] .topic-head .meta').first().innerText(), /^1 partition ·/);
    await page.click('.transport button.step');
    await page.waitForFunction(() => /^\+\d+ ms/.test(document.querySelector('.transport .step-said')?.innerText ?? ''));
    assert.doesNotMatch(await said.innerText(), HANGUL);
    await page.screenshot({ path: path.join(screenshotDir, 'learner-en.png'), fullPage: false });

    // The history list follows the latest command once it has more than it shows (time is
    // paused: the records wait for their acknowledgement, the commands are recorded).
    for (let i = 0; i < 8; i += 1) {
      await page.fill('form.produce input[name="key"]', `k${i}`);
      await page.click('form.produce button[data-action="produce"]');
      await page.waitForFunction((key) => document.querySelector('.history-list')?.textContent.includes(key), `--key ${`k${i}`} `);
    }
    await page.waitForFunction(() => {
      const list = document.querySelector('.history-list');
      return list && list.scrollHeight > list.clientHeight && list.textContent.includes('--key k7');
    });
    const gap = await page.locator('.history-list').evaluate((l) => l.scrollHeight - l.scrollTop - l.clientHeight);
    assert.ok(gap <= 8, `the history list shows its latest entry (${gap} px below)`);

    // Kill the leader (time paused): the row says why it still names the dead broker, until the
    // controller fences it and elects another.
    const leader = await page.locator(row).getAttribute('data-leader');
    await page.click(`li.broker[data-broker="${leader}"] button[data-action="kill"]`);
    const down = page.locator(`${row} .leader-down`);
    await down.waitFor();
    assert.match(await down.innerText(), new RegExp(`^Broker ${leader} is down but still the leader`));
    await page.click('.transport button[data-action="jump"][data-ms="10000"]');
    await down.waitFor({ state: 'detached' });
    assert.notEqual(await page.locator(row).getAttribute('data-leader'), leader, 'a new leader');
  });
});

// The docs' first chapter shows that partitions cannot be removed: its scenario's refused
// `--alter` is followed by `expect error == INVALID_PARTITIONS`. The page shows that refusal
// as the outcome the scenario expects, not as a red failure.
test('a refusal a scenario expects is not shown as a failure', { timeout: 120_000 }, async () => {
  await withPage('learner-refusal', { viewport: { width: 1400, height: 900 } }, async (page, _context, baseUrl) => {
    await page.goto(new URL('index.html?scenario=docs/scenarios/topics-partitions.rill&until=end&lang=en', baseUrl).href);
    await page.waitForSelector(READY, { state: 'attached', timeout: 30_000 });
    const alert = page.locator('.alert[data-error="INVALID_PARTITIONS"]');
    await alert.waitFor();
    assert.equal(await alert.getAttribute('data-expected'), 'true');
    assert.equal(await alert.getAttribute('role'), 'status');
    assert.match(await alert.innerText(), /^Refused, as the scenario expects:/);
    assert.match(await alert.innerText(), /kafka-topics --alter --topic orders --partitions 2/);
    await page.screenshot({ path: path.join(screenshotDir, 'learner-expected-refusal.png'), fullPage: false });
  });
});
