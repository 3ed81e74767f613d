// The installable, offline app, in the real browser: it is installable (Chromium's own
// check), its service worker precaches every file of the build (the officers' page only
// on an officer's phone, once opened) and never an API answer;
// a phone that visited once opens it cold with the server down, shows its area and last
// figures, records, and syncs once the server is back; a new build served while a page
// runs the old one is offered ("Đã có phiên bản mới") and applied whole on "Cập nhật",
// with the ledger the old build wrote.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchProfile, Phone, eventually } from './support.mjs';

const SHOTS = new URL('./artifacts/', import.meta.url).pathname;
const DIST = process.env.SOTAY_DIST;
let server;
const profiles = [];
const browsers = [];

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer();
});

after(async () => {
  // A failed test leaves its browser open: closed here, or the file never ends.
  for (const context of browsers) await context.close().catch(() => {});
  await server?.stop();
  for (const dir of profiles) rmSync(dir, { recursive: true, force: true });
});

/** A fresh browser profile directory, removed after the tests. */
function profileDir() {
  const dir = mkdtempSync(join(tmpdir(), 'sotay-profile-'));
  profiles.push(dir);
  return dir;
}

/** The phone's browser on the profile `dir`, closed after the tests if a test did not. */
async function launch(dir) {
  const context = await launchProfile(dir);
  browsers.push(context);
  return context;
}

/** Resolves once the page's service worker is active and controls it. */
async function controlled(page) {
  await page.evaluate(() => navigator.serviceWorker.ready);
  if (!(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)))) await page.reload();
  await eventually(() => page.evaluate(() => Boolean(navigator.serviceWorker.controller)), Boolean, 'a controlling worker');
}

/** The service worker's caches: { name: [path, …] }. */
function cached(page) {
  return page.evaluate(async () => {
    const out = {};
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      out[name] = (await cache.keys()).map((r) => new URL(r.url).pathname).sort();
    }
    return out;
  });
}

/** The files of a build a browser fetches: what the worker must hold (the officers'
 * page and its files only on a phone that opens it). */
function appFiles(dist, { officers = false } = {}) {
  return readdirSync(dist).filter((f) => /\.(html|js|wasm|css|svg|png|webmanifest)$/.test(f) && f !== 'sw.js')
    .filter((f) => officers || !f.startsWith('officer'))
    .map((f) => `/${f}`).sort();
}

test('the app is installable, and its worker holds every file of the build and no API answer', async () => {
  const context = await launch(profileDir());
  const phone = await Phone.inContext(context, server, 'Cài');
  await phone.enrolIn('Tổ 11');
  await controlled(phone.page);

  const cdp = await context.newCDPSession(phone.page);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  assert.deepEqual(installabilityErrors, [], 'Chromium finds nothing that keeps the app from installing');
  const manifest = await phone.page.request.get(new URL('manifest.webmanifest', server.url).href);
  assert.equal(manifest.headers()['content-type'], 'application/manifest+json');
  const app = await manifest.json();
  assert.equal(app.lang, 'vi');
  assert.equal(app.display, 'standalone');
  assert.ok(app.icons.some((i) => i.purpose === 'maskable' && i.sizes === '512x512'));
  const worker = await phone.page.request.get(new URL('sw.js', server.url).href);
  assert.equal(worker.headers()['cache-control'], 'no-cache', 'a new worker is always looked for');

  await phone.syncNow();
  const caches = await cached(phone.page);
  const names = Object.keys(caches);
  assert.equal(names.length, 1, `one cache: ${names}`);
  assert.match(names[0], /^sotay-[0-9a-f]{16}-precache-v2-/, 'named by the build\'s SHA-256');
  assert.deepEqual(caches[names[0]], appFiles(DIST), 'every file of the build but the officers\' page');
  assert.ok(!caches[names[0]].some((p) => p.startsWith('/api/')), 'no API answer kept');

  // "Máy này" tells what the browser holds for the app, and whether it keeps it for good
  // (an enrolled phone asked it to: headless Chromium may say no).
  await phone.page.getByRole('link', { name: 'Máy này' }).click();
  const persisted = await phone.page.evaluate(() => navigator.storage.persisted());
  const held = persisted ? 'được giữ lâu dài' : 'trình duyệt có thể xóa khi máy hết chỗ';
  const room = new RegExp(`^Bộ nhớ: Đã dùng [\\d.,]+ (KB|MB) · còn trống [\\d.,]+ (MB|GB|TB) · ${held}`);
  await eventually(() => phone.page.getByTestId('device-room').innerText(), (t) => room.test(t), 'the storage room');
  await phone.screenshot(`${SHOTS}device-room.png`);
  assert.deepEqual(phone.errors, []);
  await context.close();
});

test('a phone that visited once opens cold with the server down, records, and syncs when it is back', async () => {
  const dir = profileDir();
  let context = await launch(dir);
  let phone = await Phone.inContext(context, server, 'Lạnh');
  await phone.enrolIn('Tổ 8A');
  await phone.enter('dat_hien', '120');
  await phone.syncNow();
  await controlled(phone.page);
  assert.equal(await phone.areaValue('dat_hien'), '120 m²');
  await context.close();

  // The phone's browser closed; the signal gone (the server down); the browser opened again.
  await server.halt();
  try {
    context = await launch(dir);
    phone = await Phone.inContext(context, server, 'Lạnh');
    await phone.page.getByTestId('area-name').waitFor();
    assert.match(await phone.page.getByTestId('area-name').innerText(), /Tổ 8A/);
    assert.equal(await phone.areaValue('dat_hien'), '120 m²', 'the last figures, from the phone');
    await phone.waitForStatus(/^Ngoại tuyến/);
    await phone.enter('dat_hien', '30');
    assert.equal(await phone.areaValue('dat_hien'), '150 m²');
    await phone.waitForStatus(/^Ngoại tuyến · 1 mục chờ đồng bộ$/);
    await phone.screenshot(`${SHOTS}offline-cold-start.png`);
  } finally {
    await server.resume();
  }
  await phone.syncNow();
  const report = await server.api('GET', `api/v1/units/${server.unitId('Tổ 8A')}/report?period=${new Date().getFullYear()}`,
    server.admin.token);
  assert.equal(report.unit.figures.dat_hien.counter.total, 150, 'the entry made offline counted once');
  assert.deepEqual(phone.errors, []);
  await context.close();
});

test('an officer\'s phone keeps the officers\' page once opened, and opens it with the server down', async () => {
  const dir = profileDir();
  let context = await launch(dir);
  let officer = await Phone.inContext(context, server, 'Cán bộ ngoại tuyến');
  await officer.join(await server.issueCode('ward_officer', 'Phường Đức Xuân'), 'Cán bộ Đức Xuân');
  await officer.page.waitForURL(/officer/);
  await officer.page.getByTestId('report-heading').waitFor();
  await controlled(officer.page);
  await officer.page.reload();
  await eventually(() => officer.page.getByTestId('report-heading').innerText(), (t) => !/đang tải/.test(t), 'the report');
  const caches = await cached(officer.page);
  const kept = Object.entries(caches).filter(([name]) => !name.includes('precache')).flatMap(([, files]) => files).sort();
  assert.deepEqual(kept, appFiles(DIST, { officers: true }).filter((f) => f.startsWith('/officer')), 'its page, JS and WASM');
  await context.close();

  await server.halt();
  try {
    context = await launch(dir);
    officer = await Phone.inContext(context, server, 'Cán bộ ngoại tuyến', new URL('officer.html', server.url).href);
    await officer.page.getByRole('tab', { name: 'Số liệu' }).waitFor();
    assert.match(await officer.page.getByTestId('area-name').innerText(), /Phường Đức Xuân/);
    await eventually(() => officer.page.getByTestId('officer-status').innerText(), (t) => /Không kết nối được máy chủ/.test(t),
      'offline, said');
  } finally {
    await server.resume();
  }
  await context.close();
});

/** A second build of the app, made from `dist` as a deploy would: its entry page changed
 * (a build mark), then its service worker written again by the build's own script. */
function nextBuild(dist) {
  const next = mkdtempSync(join(tmpdir(), 'sotay-next-'));
  profiles.push(next);
  cpSync(dist, next, { recursive: true });
  for (const name of ['index.html', 'sw.js']) {
    for (const ext of ['.br', '.gz']) rmSync(join(next, name + ext));
  }
  const page = readFileSync(join(next, 'index.html'), 'utf8');
  writeFileSync(join(next, 'index.html'), page.replace('<head>', '<head>\n  <meta name="sotay-build" content="next">'));
  execFileSync('node', [new URL('../../xtask/service-worker.mjs', import.meta.url).pathname, next]);
  return next;
}

const build = (page) => page.evaluate(() => document.querySelector('meta[name="sotay-build"]')?.content ?? 'first');

test('a new build is offered to a page running the old one, and applied whole on "Cập nhật"', async () => {
  const context = await launch(profileDir());
  const phone = await Phone.inContext(context, server, 'Cập nhật');
  await phone.enrolIn('Tổ 11');
  await phone.enter('ngay_cong', '7');
  await controlled(phone.page);
  const before = Object.keys(await cached(phone.page));

  const next = nextBuild(DIST);
  await server.halt();
  await server.resume(next);
  try {
    // What the page does every hour, and the browser on each page it opens.
    await phone.page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
    const offer = phone.page.locator('#update');
    await offer.waitFor();
    assert.match(await offer.innerText(), /Đã có phiên bản mới\./);
    await phone.screenshot(`${SHOTS}update-offered.png`);
    assert.equal(await build(phone.page), 'first', 'the page keeps running its build until asked');
    await phone.page.reload();
    assert.equal(await build(phone.page), 'first', 'a reload alone keeps the old build whole');
    await phone.page.locator('#update').getByRole('button', { name: 'Cập nhật' }).click();
    await eventually(() => build(phone.page).catch(() => ''), (b) => b === 'next', 'the new build after its reload');
    await phone.entryShown();
    assert.equal(await phone.areaValue('ngay_cong'), '7 ngày công', 'the ledger of the old build, read by the new');
    const after = await cached(phone.page);
    assert.equal(Object.keys(after).length, 1, 'the old build\'s cache removed');
    assert.notDeepEqual(Object.keys(after), before);
    assert.deepEqual(Object.values(after)[0], appFiles(next));
    await phone.enter('ngay_cong', '2');
    await phone.syncNow();
    assert.deepEqual(phone.errors, []);
  } finally {
    await server.halt();
    await server.resume();
  }
  await context.close();
});
