// End-to-end test of the replicated cluster in the playground: a new 4-broker cluster (the
// dialog refuses a bad size); killing the leader of orders-0 makes the controller fence it and
// elect a new leader from the ISR with epoch + 1, and the event log says why; acks=all with
// the ISR below min.insync.replicas is refused with NOT_ENOUGH_REPLICAS and appends nothing,
// while acks=1 is appended; reassigning orders-0 to [1,2,3] completes with broker 3's copy as
// long as the leader's; a reassignment can be cancelled (Kafka's revert); keys, values and
// headers holding HTML and script render as text and run nothing; a reload keeps it all.
// Screenshots at 1400×900 and 390×844 (nothing wider than the phone's viewport).
//
// Env: BASE_URL (required) — URL of the built playground.
//      SCREENSHOT_DIR (optional) — defaults to <repo>/target/e2e-screenshots.
//      CHROMIUM (optional) — browser executable, defaults to /usr/bin/chromium.
import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  createTopic, jump, lane, partitionRow, produce, readLane, readPartition, screenshotDir, topicCard,
  unfold, until, waitReady, withPage,
} from './playground.mjs';

const TOPIC = 'orders';
const CARD = topicCard(TOPIC);
const PANEL = 'section.reassign';

const XSS = {
  key: '<img src=x onerror="window.__xss=1;alert(1)">',
  value: '<script>window.__xss=2;alert(2)</script><b>bold</b>',
  header: ['x-evil', '<svg onload="window.__xss=3;alert(3)"></svg>'],
};

async function setConfig(page, name, value) {
  await unfold(page, CARD);
  await page.selectOption(`${CARD} select[name="config-name"]`, name);
  await page.fill(`${CARD} input[name="config-value"]`, String(value));
  await page.click(`${CARD} button[data-action="set-config"]`);
  await until(() => page.locator(`${CARD} .topic-head .meta`).first().innerText(), (t) => name !== 'min.insync.replicas' || t.includes(`min.insync.replicas=${value}`), `${name}=${value}`);
}

async function brokerState(page, id) {
  return page.getAttribute(`li.broker[data-broker="${id}"]`, 'data-state');
}

/** Sets the reassignment panel's draft to exactly `replicas` (remove every chip, add in order). */
async function draft(page, replicas) {
  while (await page.locator(`${PANEL} .draft-broker`).count() > 0) {
    await page.click(`${PANEL} .draft-broker button[data-action="reassign-remove"] >> nth=0`);
  }
  for (const b of replicas) {
    await page.selectOption(`${PANEL} select[name="reassign-add"]`, String(b));
    await page.click(`${PANEL} button[data-action="reassign-add"]`);
  }
  assert.equal(await page.getAttribute(`${PANEL} .draft-list`, 'data-replicas'), `[${replicas.join(',')}]`, 'the edited list');
}

test('playground cluster: elections, acks and min.insync.replicas, reassignment, XSS, reload, phone', { timeout: 240_000 }, async () => {
  await withPage('cluster', { viewport: { width: 1400, height: 900 } }, async (page) => {
    const dialogs = [];
    page.on('dialog', async (d) => {
      dialogs.push(d.message());
      await d.dismiss();
    });

    // A new cluster of 4 brokers: the dialog says it discards the old one and refuses 12.
    await page.click('button[data-action="open-new-cluster"]');
    const dialog = page.locator('form.dialog');
    assert.ok((await dialog.innerText()).toLowerCase().includes('discards'), 'the dialog says the old cluster is discarded');
    await page.fill('form.dialog input[name="brokers"]', '12');
    await page.click('form.dialog button[data-action="new-cluster"]');
    await page.locator('form.dialog [role="alert"]', { hasText: 'Brokers' }).waitFor();
    await page.fill('form.dialog input[name="brokers"]', '4');
    await page.fill('form.dialog input[name="seed"]', '7');
    await page.click('form.dialog button[data-action="new-cluster"]');
    await until(() => page.locator('li.broker').count(), (n) => n === 4, 'four brokers');
    await waitReady(page);

    await createTopic(page, { name: TOPIC, partitions: 3, replicationFactor: 3, configs: { 'min.insync.replicas': 2 } });
    await page.locator(CARD).waitFor({ state: 'attached' });
    for (let i = 0; i < 4; i++) {
      await produce(page, { topic: TOPIC, key: `k${i}`, value: `v${i}`, partition: 0 });
    }
    const before = await until(() => readPartition(page, TOPIC, 0), (p) => p.hw === 4 && p.isr.length === 3, 'orders-0 committed with a full ISR');
    // Measured: from the click on Send (acks=all, 3 replicas, 1×) to the record drawn committed.
    const timings = [];
    for (let i = 0; i < 5; i++) {
      const offset = 4 + i;
      await page.fill('form.produce input[name="key"]', `timed-${i}`);
      const wallMs = await page.evaluate((offset) => new Promise((resolve) => {
        const start = performance.now();
        document.querySelector('form.produce button[data-action="produce"]').click();
        const check = () => {
          const el = document.querySelector(`article.topic[data-topic="orders"] .lane[data-partition="0"] .record[data-offset="${offset}"]`);
          if (el && el.getAttribute('data-uncommitted') === 'false') resolve(performance.now() - start);
          else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      }), offset);
      const acked = await page.locator(`form.produce li.sent[data-offset="${offset}"] .meta`).first().innerText();
      timings.push({ wallMs: Math.round(wallMs), acked });
    }
    console.log(`produce → drawn committed (acks=all, RF 3, 1×, latency 1–3 ms): ${JSON.stringify(timings)}`);
    await until(() => readPartition(page, TOPIC, 0), (p) => p.hw === 9, 'the timed records committed');
    assert.equal((await page.locator('[data-metric="ActiveControllerCount"] .metric-value').innerText()).trim(), '1', 'ActiveControllerCount');
    assert.equal((await page.locator('[data-metric="UnderReplicatedPartitions"] .metric-value').innerText()).trim(), '0');
    // Each metric's tooltip says what it counts, not just its name; the header links the course.
    assert.match(await page.getAttribute('[data-metric="UnderMinIsrPartitionCount"]', 'title'), /below min\.insync\.replicas/);
    assert.match(await page.getAttribute('[data-metric="OfflinePartitionsCount"]', 'title'), /no leader/);
    const course = await page.request.get(new URL(await page.getAttribute('a.docs-link', 'href'), page.url()).href);
    assert.equal(course.status(), 200, 'the header links the docs course');

    // Kill the leader: the controller fences it after broker.session.timeout.ms and elects a
    // new leader from the ISR, epoch + 1.
    const old = before.leader;
    await page.click(`li.broker[data-broker="${old}"] button[data-action="kill"]`);
    await until(() => brokerState(page, old), (s) => s === 'down', `broker ${old} down`);
    assert.equal(await page.getAttribute(`li.broker[data-broker="${old}"]`, 'data-fenced'), 'false', 'the controller has not noticed yet');
    assert.ok((await page.locator(`li.broker[data-broker="${old}"] .broker-hint`).innerText()).includes('broker.session.timeout.ms'), 'the card says when it will');
    await jump(page, 10000);
    await until(() => page.getAttribute(`li.broker[data-broker="${old}"]`, 'data-fenced'), (f) => f === 'true', 'fenced after broker.session.timeout.ms');
    const after = await until(() => readPartition(page, TOPIC, 0), (p) => p.leader !== null && p.leader !== old, 'a new leader');
    assert.ok(before.isr.includes(after.leader), `the new leader ${after.leader} comes from the ISR ${before.isr}`);
    assert.equal(after.epoch, before.epoch + 1, 'leader epoch + 1');
    assert.ok(!after.isr.includes(old), 'the dead broker left the ISR');
    assert.ok(after.replicas.some((r) => r.broker === old && r.state === 'offline'), 'its replica is drawn offline');
    assert.notEqual((await page.locator('[data-metric="UnderReplicatedPartitions"] .metric-value').innerText()).trim(), '0', 'UnderReplicatedPartitions counts it');
    assert.equal((await page.locator('[data-metric="brokers"] .metric-value').innerText()).trim(), '3/4', 'the header counts running brokers of all');
    // The produce result keeps the replicas that held the record when it was acknowledged.
    const heldBy = await page.locator('form.produce li.sent[data-offset="8"]').innerText();
    assert.ok(heldBy.includes(String(old)), `held by the dead leader too, frozen at the ack: ${heldBy}`);
    await page.screenshot({ path: path.join(screenshotDir, 'cluster-leader-killed.png'), fullPage: true });
    // The event log says why, filtered to the partition.
    await page.click('button.tab[data-view="events"]');
    const log = page.locator('section.event-log');
    // Wait for the log to draw after the tab switch (a loaded machine read it too early), in
    // the dead broker's own lines (the log shows the latest 200).
    await page.selectOption('select[name="event-broker"]', String(old));
    await until(() => log.innerText(), (t) => t.includes(`broker ${old} fenced`), 'the controller fenced the broker');
    await page.selectOption('select[name="event-broker"]', '');
    const logText = await until(() => log.innerText(), (t) => t.includes('acknowledged, offset 8'), 'the whole log again, where one acknowledged offset reads "offset 8"');
    const partitionOption = await page.locator('select[name="event-partition"] option', { hasText: `${TOPIC}-0` }).getAttribute('value');
    await page.selectOption('select[name="event-partition"]', partitionOption);
    const filtered = await until(() => log.locator('li.event').allInnerTexts(), (lines) => lines.some((l) => l.includes(`leader → ${after.leader}, epoch ${after.epoch}, clean election (leader fenced)`)), 'the election and its reason, filtered to the partition');
    assert.ok(filtered.every((l) => l.includes(TOPIC)), `only lines naming orders-0: ${filtered.join(' | ')}`);
    assert.ok(!logText.includes('..='), 'offsets in words, not a Rust range');
    assert.ok(logText.includes('acknowledged, offset 8'), 'one acknowledged offset reads "offset 8"');
    await page.screenshot({ path: path.join(screenshotDir, 'cluster-event-log.png'), fullPage: true });
    await page.click('button.tab[data-view="cluster"]');

    // acks=all with the ISR (2) below min.insync.replicas (3): NOT_ENOUGH_REPLICAS, nothing appended.
    await setConfig(page, 'min.insync.replicas', 3);
    const leo = (await readPartition(page, TOPIC, 0)).leo;
    assert.equal(leo, 9, 'nine records in orders-0');
    await produce(page, { topic: TOPIC, key: 'refused', value: 'x', partition: 0, acks: 'all' });
    const refused = page.locator('form.produce li.sent[data-error="NOT_ENOUGH_REPLICAS"]').first();
    await refused.waitFor();
    assert.ok((await refused.innerText()).includes('min.insync.replicas'), 'the error is explained next to the form');
    await jump(page, 1000);
    assert.equal((await readPartition(page, TOPIC, 0)).leo, leo, 'no new offset');
    assert.equal((await page.locator('[data-metric="UnderMinIsrPartitionCount"] .metric-value').innerText()).trim() !== '0', true, 'UnderMinIsrPartitionCount counts it');
    // acks=1 only needs the leader.
    await produce(page, { topic: TOPIC, key: 'accepted', value: 'y', partition: 0, acks: '1' });
    await page.locator(`form.produce li.sent[data-offset="${leo}"]`).waitFor();
    await until(() => readPartition(page, TOPIC, 0), (p) => p.leo === leo + 1, 'acks=1 appended');
    await page.screenshot({ path: path.join(screenshotDir, 'cluster-not-enough-replicas.png'), fullPage: true });

    // Restart the broker: it catches up and rejoins the ISR.
    await page.click(`li.broker[data-broker="${old}"] button[data-action="restart"]`);
    await jump(page, 10000);
    await until(() => readPartition(page, TOPIC, 0), (p) => p.isr.length === 3, 'the restarted broker back in the ISR');
    await setConfig(page, 'min.insync.replicas', 2);

    // Reassign orders-0 to [1,2,3].
    await page.selectOption(`${PANEL} select[name="reassign-topic"]`, TOPIC);
    await page.selectOption(`${PANEL} select[name="reassign-partition"]`, '0');
    await draft(page, [1, 2, 3]);
    assert.ok((await page.locator(`${PANEL} pre.json`).textContent()).includes('"replicas": [1, 2, 3]'), 'the plan is Kafka JSON');
    await page.click(`${PANEL} button[data-action="reassign-start"]`);
    await until(() => page.getAttribute(PANEL, 'data-state'), (s) => s === 'completed', 'the reassignment to complete', 30_000);
    const moved = await until(() => readPartition(page, TOPIC, 0), (p) => p.replicas.map((r) => r.broker).join(',') === '1,2,3', 'replicas [1,2,3] drawn');
    const leaderLeo = await page.locator(`${partitionRow(TOPIC, 0)} .replica.leader .replica-leo`).innerText();
    await until(() => page.locator(`${partitionRow(TOPIC, 0)} .replica[data-broker="3"] .replica-leo`).innerText(), (t) => t === leaderLeo, "broker 3's copy as long as the leader's");
    assert.ok([1, 2, 3].includes(moved.leader), 'the leader is one of the new replicas');
    await page.screenshot({ path: path.join(screenshotDir, 'cluster-reassigned.png'), fullPage: true });

    // Cancel a reassignment in progress (time paused, so it cannot finish): back to the old list.
    await page.click('.transport button.play');
    await until(() => page.getAttribute('.transport button.play', 'data-state'), (s) => s === 'paused', 'paused');
    // Paused, the clock stands still; a step moves it to the next wake-up and says what happened.
    const clock = () => page.locator('.transport .clock').innerText();
    // (The frame after the pause may still move it once.)
    await page.waitForTimeout(300);
    const stood = await clock();
    await page.waitForTimeout(600);
    assert.equal(await clock(), stood, 'paused: the clock stands still');
    await page.click('.transport button.step');
    await page.locator('.transport .step-said').waitFor();
    assert.match(await page.locator('.transport .step-said').innerText(), /\+\d+ ms/, 'the step says how far it moved');
    await until(clock, (c) => c !== stood, 'the clock to move by the step');
    // A step goes to the next thing that happens (an event, or a message such as a heartbeat),
    // not to the next 1–3 ms fetch delivery, and names it; the network strip shows the wire
    // as it stands, still.
    for (let i = 0; i < 3; i++) {
      const before = await clock();
      await page.click('.transport button.step');
      await until(clock, (c) => c !== before, 'the clock to move by the step');
    }
    assert.match(await page.locator('.transport .step-said').innerText(), /\+\d+ ms · \S/, 'the step names what happened');
    assert.equal(await page.locator('.wire.still').count(), 1, 'paused: the messages on the wire stand still');
    const drawn = Number(await page.getAttribute('.wire', 'data-flights'));
    assert.ok(drawn <= 16, 'a bounded number of messages drawn');
    assert.equal(await page.locator('.wire .flight').count(), drawn, 'each drawn message is a dot');
    await page.selectOption(`${PANEL} select[name="reassign-partition"]`, '1');
    const p1 = (await readPartition(page, TOPIC, 1)).replicas.map((r) => r.broker);
    const spare = [0, 1, 2, 3].find((b) => !p1.includes(b));
    await draft(page, [...p1.slice(1), spare]);
    await page.click(`${PANEL} button[data-action="reassign-start"]`);
    await until(() => page.getAttribute(PANEL, 'data-state'), (s) => s === 'in-progress', 'in progress');
    assert.ok(await page.locator(`${PANEL} .phase[data-phase="leaving"][data-broker="${p1[0]}"]`).count() === 1, 'the removed replica is drawn leaving');
    assert.ok(await page.locator(`${PANEL} .phase[data-broker="${spare}"]`).count() === 1, 'the added replica is drawn with its phase');
    await page.click(`${PANEL} button[data-action="reassign-cancel"]`);
    await until(() => readPartition(page, TOPIC, 1), (p) => p.replicas.map((r) => r.broker).join(',') === [...p1.slice(1), p1[0]].join(','), "Kafka's revert: the replicas without the adding one");
    assert.equal(await page.locator(`${PANEL} .phase`).count(), 0, 'nothing moves after the cancel');
    await page.click('.transport button.play');
    // Time runs: messages are drawn moving between the nodes of the network strip.
    await until(() => page.locator('.wire.still').count(), (n) => n === 0, 'time runs: the messages move');
    await until(() => page.getAttribute('.wire', 'data-flights'), (n) => Number(n) > 0, 'messages drawn in flight');
    assert.match(await page.locator('.wire .flight').first().getAttribute('title'), /^[A-Za-z() ]+: \S/, 'a message says what it is, from where to where');

    // A plan of two partitions, executed at once (their replica lists reversed).
    const plan = {};
    for (const p of [1, 2]) {
      await page.selectOption(`${PANEL} select[name="reassign-partition"]`, String(p));
      plan[p] = (await readPartition(page, TOPIC, p)).replicas.map((r) => r.broker).reverse();
      await draft(page, plan[p]);
      await page.click(`${PANEL} button[data-action="plan-add"]`);
    }
    assert.equal(await page.locator(`${PANEL} .plan-entry`).count(), 2, 'two partitions in the plan');
    const planJson = JSON.parse(await page.locator(`${PANEL} pre.json`).textContent());
    assert.deepEqual(planJson, {
      version: 1,
      partitions: [1, 2].map((p) => ({ topic: TOPIC, partition: p, replicas: plan[p] })),
    }, 'the plan as kafka-reassign-partitions JSON');
    await page.click(`${PANEL} button[data-action="plan-start"]`);
    for (const p of [1, 2]) {
      await until(() => readPartition(page, TOPIC, p), (r) => r.replicas.map((x) => x.broker).join(',') === plan[p].join(','), `orders-${p} reordered`);
    }
    assert.equal(await page.locator(`${PANEL} [role="alert"]`).count(), 0, 'no error');
    // Speed: 10× runs the cluster clock ten times faster than the page's.
    await page.selectOption('.transport select', '10');
    const t0 = await page.evaluate(() => performance.now());
    const c0 = await clock();
    await page.waitForTimeout(2000);
    const ms = (c) => { const [m, rest] = c.split(':'); return Number(m) * 60000 + Number(rest.replace('.', '')); };
    const ratio = (ms(await clock()) - ms(c0)) / (await page.evaluate(() => performance.now()) - t0);
    assert.ok(ratio > 4 && ratio < 16, `10× speed: cluster ms per page ms ${ratio}`);
    await page.selectOption('.transport select', '1');

    // XSS: keys, values and headers are text.
    await produce(page, { topic: TOPIC, key: XSS.key, value: XSS.value, headers: [XSS.header], partition: 2 });
    const xssRecord = page.locator(`${lane(TOPIC, 2)} .record`).last();
    await until(() => xssRecord.getAttribute('data-key'), (k) => k === XSS.key, 'the record with the HTML key');
    await xssRecord.click();
    const details = page.locator('.record-details');
    await details.waitFor();
    const detailsText = await details.innerText();
    for (const want of [XSS.key, XSS.value, XSS.header[1]]) assert.ok(detailsText.includes(want), `shown as text: ${want}`);
    assert.equal(await page.locator('#app img, .record-details script, .record-details svg, .lane svg, .record-details b').count(), 0, 'no element made from record data');
    assert.equal(await page.evaluate(() => window.__xss ?? null), null, 'no payload ran');
    assert.deepEqual(dialogs, [], 'no dialog opened');

    // A reload is a full-cluster restart: same brokers, topics, records, replicas.
    const lanesBefore = [];
    for (let p = 0; p < 3; p++) lanesBefore.push((await readLane(page, TOPIC, p)).records.map((r) => `${r.offset}:${r.key}`));
    await page.reload();
    await waitReady(page);
    await until(() => page.locator('li.broker').count(), (n) => n === 4, 'four brokers after the reload');
    for (let p = 0; p < 3; p++) {
      await until(async () => (await readLane(page, TOPIC, p)).records.map((r) => `${r.offset}:${r.key}`), (r) => JSON.stringify(r) === JSON.stringify(lanesBefore[p]), `orders-${p} records after the reload`);
    }
    const reloaded = await until(() => readPartition(page, TOPIC, 0), (p) => p.leader !== null, 'a leader after the reload');
    assert.deepEqual(reloaded.replicas.map((r) => r.broker), [1, 2, 3], 'the reassigned replicas after the reload');
    assert.equal(await page.locator('#app img').count(), 0, 'still text after the reload');
    await page.screenshot({ path: path.join(screenshotDir, 'cluster-desktop.png'), fullPage: false });

    // The phone: nothing wider than the viewport, even with a legal 249-character topic name.
    const long = 'a'.repeat(249);
    await createTopic(page, { name: long, partitions: 1, replicationFactor: 1 });
    await page.locator(topicCard(long)).waitFor({ state: 'attached' });
    await produce(page, { topic: long, key: 'k'.repeat(120), value: 'v' });
    await page.locator(`${lane(long, 0)} .record`).first().waitFor();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    // On a phone the brokers come before the forms, and the lanes follow the produce form.
    const top = (sel) => page.evaluate((sel) => document.querySelector(sel).getBoundingClientRect().top, sel);
    const produceBottom = await page.evaluate(() => document.querySelector('form.produce').getBoundingClientRect().bottom);
    assert.ok(await top('section.brokers') < await top('form.produce'), 'brokers first on a phone');
    const gap = (await top('article.topic')) - produceBottom;
    assert.ok(gap >= 0 && gap < 200, `the first topic right after the produce form on a phone: ${gap} px`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `page width ${width} at 390 px`);
    // Text sticking out of its box is clipped by the page, so look for it: only what scrolls
    // or is clipped inside a box of its own within the viewport (a lane, the JSON plan, the
    // tabs, text cut with an ellipsis) may be wider.
    const sticking = await page.evaluate(() => {
      const out = [];
      const contained = (el) => {
        for (let a = el; a && a !== document.body; a = a.parentElement) {
          if (getComputedStyle(a).overflowX !== 'visible' && a.getBoundingClientRect().right <= 391) return true;
        }
        return false;
      };
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(n);
        const el = n.parentElement;
        if (range.getBoundingClientRect().right > 391 && !el.closest('select, option') && !contained(el)) {
          out.push(`${el.tagName}.${el.className}`);
        }
      }
      return out;
    });
    assert.deepEqual(sticking, [], 'no text sticks out at 390 px');
    await page.screenshot({ path: path.join(screenshotDir, 'cluster-phone.png'), fullPage: false });
    await page.screenshot({ path: path.join(screenshotDir, 'cluster-phone-full.png'), fullPage: true });
    assert.deepEqual(dialogs, [], 'no dialog opened');
  });
});

test('playground cluster: an unclean election loses the acks=1 record, acks=all was refused instead', { timeout: 120_000 }, async () => {
  await withPage('cluster-unclean', { viewport: { width: 1400, height: 900 } }, async (page) => {
    const LEDGER = 'ledger';
    const card = topicCard(LEDGER);
    await createTopic(page, {
      name: LEDGER,
      partitions: 1,
      replicationFactor: 3,
      configs: { 'min.insync.replicas': 2, 'unclean.leader.election.enable': 'true' },
    });
    await page.locator(card).waitFor({ state: 'attached' });
    assert.ok((await page.locator(`${card} .configs`).innerText()).includes('unclean.leader.election.enable=true'));
    await produce(page, { topic: LEDGER, key: 'a', value: 'committed', acks: 'all' });
    const start = await until(() => readPartition(page, LEDGER, 0), (p) => p.hw === 1 && p.isr.length === 3, 'the first record committed');
    const leader = start.leader;
    const followers = [0, 1, 2].filter((b) => b !== leader);
    for (const b of followers) await page.click(`li.broker[data-broker="${b}"] button[data-action="kill"]`);
    await jump(page, 10000);
    await until(() => readPartition(page, LEDGER, 0), (p) => p.isr.join(',') === String(leader), 'only the leader in sync');

    // acks=all is refused (kept safe by not being accepted); acks=1 is acknowledged.
    await produce(page, { topic: LEDGER, key: 'kept-safe', value: 'x', acks: 'all' });
    await page.locator('form.produce li.sent[data-error="NOT_ENOUGH_REPLICAS"]').first().waitFor();
    await produce(page, { topic: LEDGER, key: 'lost', value: 'y', acks: '1' });
    await page.locator('form.produce li.sent[data-offset="1"]').waitFor();

    // The leader dies; a stale follower comes back and is elected uncleanly: the record is gone.
    await page.click(`li.broker[data-broker="${leader}"] button[data-action="kill"]`);
    await jump(page, 10000);
    await until(() => readPartition(page, LEDGER, 0), (p) => p.leader === null, 'offline');
    assert.equal((await page.locator('[data-metric="OfflinePartitionsCount"] .metric-value').innerText()).trim(), '1');
    // (No jump from here on: the election and the truncation are drawn for a few seconds.)
    await page.click(`li.broker[data-broker="${followers[0]}"] button[data-action="restart"]`);
    const unclean = await until(() => readPartition(page, LEDGER, 0), (p) => p.leader === followers[0], 'the stale follower elected');
    assert.equal(unclean.leo, 1, 'the acks=1 record is gone');
    assert.ok(unclean.epoch > start.epoch, 'a new epoch');
    assert.ok((unclean.election ?? '').includes('UNCLEAN'), `the election says unclean: ${unclean.election}`);
    const keys = (await readLane(page, LEDGER, 0)).records.map((r) => r.key);
    assert.deepEqual(keys, ['a'], 'only the committed record is left');

    // The old leader returns as a follower and cuts the record it alone had.
    await page.click(`li.broker[data-broker="${leader}"] button[data-action="restart"]`);
    const cut = page.locator(`${partitionRow(LEDGER, 0)} .truncation[data-broker="${leader}"]`);
    await cut.waitFor();
    assert.deepEqual([await cut.getAttribute('data-from'), await cut.getAttribute('data-to')], ['1', '2'], 'offset 1 dropped');
    await page.screenshot({ path: path.join(screenshotDir, 'cluster-unclean.png'), fullPage: true });
  });
});

test('playground cluster: a controlled shutdown moves the leadership, shows "shutting down", then stops', { timeout: 120_000 }, async () => {
  await withPage('cluster-shutdown', { viewport: { width: 1400, height: 900 } }, async (page) => {
    const TOPIC_S = 'payments';
    await createTopic(page, { name: TOPIC_S, partitions: 1, replicationFactor: 3 });
    await page.locator(topicCard(TOPIC_S)).waitFor({ state: 'attached' });
    const start = await until(() => readPartition(page, TOPIC_S, 0), (p) => p.leader !== null && p.isr.length === 3, 'a leader and a full ISR');
    const leader = start.leader;
    await page.click(`li.broker[data-broker="${leader}"] button[data-action="shutdown"]`);
    // The broker asks in its heartbeats; while the controller moves its leadership it is
    // shutting down (not fenced), and Shut down cannot be clicked again.
    const seen = new Set();
    await until(async () => { const s = await brokerState(page, leader); seen.add(s); return s; }, (s) => s === 'down', 'the broker stopped', 20_000);
    assert.ok(seen.has('shutting-down'), `states seen: ${[...seen].join(', ')}`);
    assert.ok(!seen.has('fenced'), `a controlled shutdown does not fence: ${[...seen].join(', ')}`);
    const after = await readPartition(page, TOPIC_S, 0);
    assert.notEqual(after.leader, leader, 'the leadership moved');
    assert.ok(after.epoch > start.epoch, 'with a new leader epoch');
    await page.click('[role="tab"]:has-text("Events"), button:has-text("Events")');
    await until(() => page.locator('body').innerText(), (t) => t.includes('controlled shutdown complete'), 'the event log says how it stopped');
    await page.screenshot({ path: path.join(screenshotDir, 'cluster-shutdown.png') });
  });
});
