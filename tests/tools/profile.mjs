// Where an enrolled volunteer's entry screen spends its start, in Debian's Chromium at
// 360×740 with the CPU slowed 4× (Lighthouse's mobile preset): the page's long tasks
// (PerformanceObserver `longtask`) and the functions with the most self time (CDP
// `Profiler`, sampled every 100 µs), over PROFILE_RUNS (5) openings of `/` by a phone that
// enrolled and recorded an entry. The service worker is blocked: the files come from the
// HTTP cache, as on a second visit. Give it a `dist/` whose entry WASM keeps its names
// (wasm-opt `-g`) to see Rust's functions by name. A measurement, not a test.
// Usage: SOTAY_SERVER=… SOTAY_DIST=dist node tests/tools/profile.mjs
import { startServer, launchBrowser, Phone } from '../e2e/support.mjs';
import { watchScreen } from './screen.mjs';

const RUNS = Number(process.env.PROFILE_RUNS ?? 5);
const server = await startServer();
const browser = await launchBrowser();
try {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'vi-VN', serviceWorkers: 'block' });
  await context.addInitScript(() => {
    window.sotayLong = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.sotayLong.push([Math.round(e.startTime), Math.round(e.duration)]);
    }).observe({ type: 'longtask', buffered: true });
  });
  const phone = await Phone.inContext(context, server, 'Profile');
  await phone.enrolIn('Tổ 11');
  await phone.enter('dat_hien', '120');
  await phone.syncNow();
  await phone.page.close();
  const self = new Map();
  let total = 0;
  for (let run = 0; run < RUNS; run += 1) {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    await cdp.send('Profiler.start');
    await page.addInitScript(watchScreen);
    await page.goto(server.url);
    const shown = await page.waitForFunction(() => window.sotayScreenShown).then((h) => h.jsonValue());
    await page.waitForTimeout(1500);
    const { profile } = await cdp.send('Profiler.stop');
    const long = await page.evaluate(() => window.sotayLong);
    console.log(`run ${run + 1}: screen shown at ${Math.round(shown)} ms; long tasks [start, ms]: ${JSON.stringify(long)}`);
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const dt = profile.timeDeltas;
    profile.samples.forEach((id, i) => {
      const { functionName, url } = byId.get(id).callFrame;
      const name = `${functionName || '(anonymous)'} ${url.replace(/^https?:\/\/[^/]+\//, '')}`;
      self.set(name, (self.get(name) ?? 0) + (dt[i + 1] ?? 0) / 1000);
      total += (dt[i + 1] ?? 0) / 1000;
    });
    await page.close();
  }
  const busy = [...self].filter(([name]) => !name.startsWith('(idle)') && !name.startsWith('(program)'));
  console.log(`\nself time, ms a run (of ${(total / RUNS).toFixed(0)} sampled):`);
  for (const [name, ms] of busy.sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.PROFILE_TOP ?? 40))) {
    console.log(`${(ms / RUNS).toFixed(1).padStart(8)}  ${name}`);
  }
} finally {
  await browser.close();
  await server.stop();
}
