// Runs rill-bench's wasm workloads in headless Chromium and prints one JSON object:
//   {"harness":"wasm","user_agent":…,"cross_origin_isolated":…,
//    "cases":{"group/function":{"ms_per_iter":…,"iterations":…,"measured_ms":…},…}}
// Progress goes to stderr. A measurement, not a test: it fails only if the page does.
//
// Per case (the protocol of bench/src/native.rs, so native and wasm are measured alike):
// one call of 1 iteration (builds the case's log), then calls with growing iteration counts
// until one measures CALIBRATE_MS, then calls sized to measure HEADROOM × TARGET_MS until
// TARGET_MS are timed, all within BUDGET_MS of wall-clock time (untimed set-up included), so
// that cases with heavy set-up (retention clones a 1M-record log per pass) still end.
//
// Env: BASE_URL (required) — URL of target/bench-site, served by `cargo xtask bench`.
//      CHROMIUM (optional) — browser executable, defaults to /usr/bin/chromium.
//      BENCH_CASES (optional) — comma-separated group/function ids; default every case.
import { chromium } from 'playwright-core';
import { LAUNCH_ARGS } from './chromium.mjs';

const TARGET_MS = 1_000;
const CALIBRATE_MS = 100;
const BUDGET_MS = 10_000;
// Aim this much above TARGET_MS: the calibrated time per iteration is an estimate.
const HEADROOM = 1.2;


/** Runs in the page: measures one case with the protocol above. */
async function measureInPage({ id, targetMs, calibrateMs, budgetMs, headroom }) {
  const bench = window.rillBench;
  const call = (n) => {
    const started = performance.now();
    const measured = bench.run(id, n);
    return [measured, performance.now() - started];
  };
  call(1);
  const started = performance.now();
  const spent = () => performance.now() - started;
  let n = 1;
  let [measured, wall] = call(n);
  while (measured < calibrateMs) {
    const factor = measured > 0 ? Math.min(100, Math.max(2, (1.5 * calibrateMs) / measured)) : 100;
    // Calibration may use half the budget; a call that would overrun it is not made.
    const room = Math.floor(Math.max(0, budgetMs / 2 - spent()) / (wall / n));
    const next = Math.min(Math.ceil(n * factor), room);
    if (next <= n) break;
    n = next;
    [measured, wall] = call(n);
  }
  // Measure until targetMs are timed (one call, unless noise made the estimate short) or the
  // budget is spent; at least one call. Iteration counts are u32 in the wasm API.
  let perIter = measured / n;
  let wallPerIter = wall / n;
  let measuredMs = 0;
  let iterations = 0;
  for (;;) {
    const wanted = perIter > 0 ? Math.ceil((headroom * (targetMs - measuredMs)) / perIter) : n;
    const affordable = Math.floor(Math.max(0, budgetMs - spent()) / wallPerIter);
    const count = Math.min(Math.max(1, Math.min(wanted, affordable)), 0xffff_ffff);
    const [m, w] = call(count);
    measuredMs += m;
    iterations += count;
    perIter = measuredMs / iterations;
    wallPerIter = Math.max(wallPerIter, w / count);
    if (measuredMs >= targetMs || spent() + wallPerIter > budgetMs) break;
  }
  return { ms_per_iter: measuredMs / iterations, iterations, measured_ms: measuredMs };
}

const baseUrl = process.env.BASE_URL;
if (!baseUrl) {
  console.error('BASE_URL is required: the URL of the built bench site (cargo xtask bench serves it)');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: LAUNCH_ARGS,
});
try {
  const page = await (await browser.newContext()).newPage();
  page.on('console', (msg) => console.error(`  [console.${msg.type()}] ${msg.text()}`));
  page.on('pageerror', (err) => console.error(`  [pageerror] ${err.stack ?? err}`));
  await page.goto(baseUrl);
  await page.waitForFunction(() => window.rillBench ?? window.rillBenchError, null, { timeout: 60_000 });
  const loadError = await page.evaluate(() => window.rillBenchError);
  if (loadError) throw new Error(`the bench module did not load: ${loadError}`);
  const info = await page.evaluate(() => ({
    userAgent: navigator.userAgent,
    crossOriginIsolated: self.crossOriginIsolated,
    cases: window.rillBench.cases(),
  }));
  const wanted = process.env.BENCH_CASES ? process.env.BENCH_CASES.split(',') : info.cases;
  console.error(`  ${info.userAgent}; cross-origin isolated (5 µs timer): ${info.crossOriginIsolated}`);
  const cases = {};
  for (const id of wanted) {
    const m = await page.evaluate(measureInPage, {
      id,
      targetMs: TARGET_MS,
      calibrateMs: CALIBRATE_MS,
      budgetMs: BUDGET_MS,
      headroom: HEADROOM,
    });
    console.error(
      `  wasm   ${id.padEnd(34)} ${m.ms_per_iter.toFixed(6).padStart(14)} ms/iter ` +
        `${String(m.iterations).padStart(10)} iterations ${m.measured_ms.toFixed(0).padStart(8)} ms measured`,
    );
    cases[id] = m;
  }
  console.log(
    JSON.stringify({
      harness: 'wasm',
      user_agent: info.userAgent,
      cross_origin_isolated: info.crossOriginIsolated,
      cases,
    }),
  );
} finally {
  await browser.close();
}
