// How fast the app answers on a phone's screen (360×740), in Debian's Chromium, from the
// real local server:
//   a. opening again without signal: a profile that visited and enrolled once (its service
//      worker in control) is closed, the server halted, and the browser launched again on
//      that profile; measured inside the page, from navigation start (performance.now())
//      to the first animation frame in which the entry screen shows (its sections'
//      headings, `screen.mjs`). SPEED_RUNS (10) cold launches, each at the
//      machine's speed and with the CPU slowed 4× (CDP `Emulation.setCPUThrottlingRate`);
//   b. saving an entry, SPEED_SAVES (30) entries through the form: the app's own
//      `performance.measure('sotay:save')` (reading and writing the ledger in storage),
//      and from the click on "Lưu" (its `event.timeStamp`) to the first animation frame
//      callback after "Đã lưu" shows (`performance.now()` in it: the frame that paints
//      it); at the machine's speed and with the CPU slowed 4×.
// A measurement, not a test: it prints min / median / max in milliseconds.
// Usage: SOTAY_SERVER=…/release/sotay-local SOTAY_DIST=dist node tests/tools/speed.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchProfile, Phone, eventually } from '../e2e/support.mjs';
import { watchScreen } from './screen.mjs';

const RUNS = Number(process.env.SPEED_RUNS ?? 10);
const SAVES = Number(process.env.SPEED_SAVES ?? 30);

function stats(label, values) {
  const sorted = [...values].sort((a, b) => a - b);
  const ms = (v) => v.toFixed(1).padStart(7);
  console.log(`  ${label.padEnd(52)} min ${ms(sorted[0])}  median ${ms(sorted[Math.floor(sorted.length / 2)])}`
    + `  max ${ms(sorted.at(-1))}  (${sorted.length} runs)`);
}

/** Notes, for each click on "Lưu", the time until the first frame after "Đã lưu" changed. */
function watchSaves() {
  window.sotaySaves = [];
  const message = () => document.querySelector('[data-testid="save-message"]')?.textContent ?? '';
  let clicked = null;
  let before = '';
  document.addEventListener('click', (e) => {
    if (e.target.closest('button')?.textContent.trim() === 'Lưu') [clicked, before] = [e.timeStamp, message()];
  }, true);
  new MutationObserver(() => {
    const text = message();
    if (clicked === null || text === before || !text.startsWith('Đã lưu')) return;
    const start = clicked;
    clicked = null;
    // (performance.now(), not the frame's own timestamp: that is when the frame began,
    // which may be before the click when the save ends within the click's frame.)
    requestAnimationFrame(() => window.sotaySaves.push(performance.now() - start));
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
}

/** `Phone.enter`, waiting for a new "Đã lưu" (the last one may still show). */
async function enter(phone, indicator, amount, note = '') {
  const row = await phone.reveal(indicator);
  const before = await phone.saveMessage();
  await row.getByRole('button', { name: 'Nhập' }).click();
  await row.getByLabel(/Số lượng|Số hiện có/).fill(amount);
  if (note) await row.getByLabel(/Ghi chú/).fill(note);
  await row.getByRole('button', { name: 'Lưu' }).click();
  await eventually(() => phone.saveMessage(), (t) => t.startsWith('Đã lưu') && t !== before, 'the saved message');
}

async function throttle(page, rate) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  return cdp;
}

const server = await startServer();
const dir = mkdtempSync(join(tmpdir(), 'sotay-speed-'));
try {
  // The phone visits once, enrols, and its worker takes control.
  let context = await launchProfile(dir);
  const first = await Phone.inContext(context, server, 'Tốc độ');
  await first.enrolIn('Tổ 11');
  await enter(first, 'dat_hien', '120');
  await first.syncNow();
  await first.page.evaluate(() => navigator.serviceWorker.ready);
  await first.page.reload();
  await first.entryShown();
  await context.close();
  await server.halt();

  console.log('\na. opening again without signal (server down, pages from the service worker), until the entry screen shows');
  for (const rate of [1, 4]) {
    const shown = [];
    const loaded = [];
    for (let i = 0; i < RUNS; i += 1) {
      context = await launchProfile(dir);
      await context.addInitScript(watchScreen);
      const page = context.pages()[0] ?? await context.newPage();
      if (rate > 1) await throttle(page, rate);
      await page.goto(server.url);
      await page.waitForFunction(() => window.sotayScreenShown !== undefined, null, { timeout: 60_000 });
      const run = await page.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0];
        return { shown: window.sotayScreenShown, loaded: nav.loadEventEnd, fromWorker: nav.workerStart > 0 && nav.transferSize === 0,
          controlled: Boolean(navigator.serviceWorker.controller) };
      });
      if (!run.fromWorker || !run.controlled) console.log(`  (run ${i + 1}: not from the service worker: ${JSON.stringify(run)})`);
      shown.push(run.shown);
      loaded.push(run.loaded);
      await context.close();
    }
    const cpu = rate > 1 ? `CPU ${rate}× slower` : 'CPU as is';
    stats(`${cpu}: page loaded (loadEventEnd)`, loaded);
    stats(`${cpu}: the entry screen shows`, shown);
  }

  await server.resume();
  context = await launchProfile(dir);
  const phone = await Phone.inContext(context, server, 'Lưu');
  await phone.waitForStatus(/Đã đồng bộ lúc/);
  await phone.page.evaluate(watchSaves);
  console.log(`\nb. saving an entry through the form (${SAVES} entries, online)`);
  let amount = 1;
  for (const rate of [1, 4]) {
    const cdp = await throttle(phone.page, rate);
    await phone.page.evaluate(() => { performance.clearMeasures('sotay:save'); window.sotaySaves = []; });
    for (let i = 0; i < SAVES; i += 1) {
      await enter(phone, 'dat_hien', String(amount), i % 3 === 0 ? 'Hộ ông Nguyễn Văn Ba hiến đất' : '');
      amount += 1;
    }
    const { measures, frames } = await phone.page.evaluate(() => ({
      measures: performance.getEntriesByName('sotay:save', 'measure').map((e) => e.duration), frames: window.sotaySaves,
    }));
    const cpu = rate > 1 ? `CPU ${rate}× slower` : 'CPU as is';
    stats(`${cpu}: performance.measure('sotay:save')`, measures);
    stats(`${cpu}: click on "Lưu" → first frame with "Đã lưu"`, frames);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  }
  const entries = JSON.parse(await phone.storedLedger()).entries.length;
  console.log(`  (the ledger then holds ${entries} entries)`);
  if (phone.errors.length) console.log(`  page errors: ${phone.errors.join(' | ')}`);
  await context.close();
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
