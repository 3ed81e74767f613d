// The sync's edges, in the real browser: an outbox too long for one request goes out in
// several, with the bar counting them, and every cell lands; the reminder to export a
// backup when entries stay unsynced for more than 7 days, gone once a backup holds them,
// in an app opened again as in one left open. (Two tabs of one phone: two_phones.test.mjs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startBoth, stopBoth, Phone, eventually, SHOTS } from './support.mjs';

const DAY_MS = 24 * 3600 * 1000;
const REMINDER = /Có số liệu chưa đồng bộ quá 7 ngày: mất máy là mất số liệu\. Hãy xuất bản sao lưu ở mục Máy này\./;
let server, browser;

/** A `pub const NAME: usize = …;` of the domain crate's sync module (`1_000`, `256 * 1024`). */
function domainConst(name) {
  const source = readFileSync(new URL('../../domain/src/sync.rs', import.meta.url), 'utf8');
  const found = new RegExp(`pub const ${name}: usize = ([\\d_ *]+);`).exec(source);
  assert.ok(found, `${name} in domain/src/sync.rs`);
  return found[1].split('*').map((n) => Number(n.trim().replaceAll('_', ''))).reduce((a, b) => a * b, 1);
}
const MAX_CELLS = domainConst('MAX_CELLS');
const MAX_REQUEST_BYTES = domainConst('MAX_REQUEST_BYTES');

before(async () => ({ server, browser } = await startBoth()));
after(() => stopBoth({ server, browser }));

/** The server's figure of `indicator` for the unit named `unit` over `period`. */
async function reported(unit, indicator, period = String(new Date().getFullYear())) {
  const report = await server.api('GET', `api/v1/units/${server.unitId(unit)}/report?period=${period}`, server.admin.token);
  return report.unit.figures[indicator];
}

const total = async (unit, indicator, period) => (await reported(unit, indicator, period))?.counter?.total ?? 0;

/** The text of the bar's notices; '' when there is none. */
async function notices(phone) {
  const list = phone.page.getByTestId('notices');
  return (await list.count()) ? list.innerText() : '';
}

/** How many requests the ledger's outbox goes out in, as `Ledger::requests` splits it: in
 * key order, at most MAX_CELLS cells and MAX_REQUEST_BYTES of JSON (envelope included). */
function requestSizes(device, cells) {
  const envelope = 80 + device.length;
  const sizes = [];
  let [count, bytes] = [0, envelope];
  for (const cell of cells) {
    const size = JSON.stringify(cell).length + 1;
    if (count === MAX_CELLS || (count > 0 && bytes + size > MAX_REQUEST_BYTES)) {
      sizes.push(count);
      [count, bytes] = [0, envelope];
    }
    count += 1;
    bytes += size;
  }
  if (count > 0) sizes.push(count);
  return sizes;
}

test('a long outbox goes out in several requests, counted on the bar, and every cell lands', async () => {
  const a = await Phone.open(browser, server, 'Long');
  await a.enrolIn('Tổ 8A');
  const area = server.unitId('Tổ 8A');
  const device = JSON.parse(await a.storedLedger()).device;

  // A phone back from a long time offline: one entry in each month since 2000 for seven
  // counter indicators, enough years for two and a half requests' worth of cells.
  // Recording thousands of entries by hand is out of reach, so the ledger is written as
  // the app stores it, under the enrolled device, and the app opened on it.
  const indicators = ['buoi_tuyen_truyen', 'dat_hien', 'duong_lam_moi', 'kien_nghi', 'ngay_cong', 'quy_khuyen_hoc',
    'tien_dan_gop'];
  // (This year among them, for the screen's figure.)
  const years = Math.max(Math.ceil((2.5 * MAX_CELLS) / (12 * indicators.length)), new Date().getFullYear() - 1999);
  const cells = [];
  for (const indicator of indicators) {
    for (let year = 2000; year < 2000 + years; year += 1) {
      for (let m = 1; m <= 12; m += 1) {
        const month = `${year}-${String(m).padStart(2, '0')}`;
        cells.push({ area, indicator, month, inc: 1 + (cells.length % 9) * 111, dec: 0 });
      }
    }
  }
  assert.ok(cells.length > MAX_CELLS, 'more cells than one request may carry');
  const sizes = requestSizes(device, cells);
  const n = sizes.length;
  assert.ok(n >= 3, `several requests (${sizes})`);
  // Written from the tab that is the phone's one writer (the app's own tab).
  await a.page.evaluate(({ cells, area }) => {
    const ledger = JSON.parse(localStorage.getItem('sotay.v1.ledger'));
    const now = Date.now();
    ledger.entries = cells.map((c, i) => ({
      seq: i + 1, area, indicator: c.indicator, date: `${c.month}-01`, change: { amount: c.inc }, recorded_ms: now,
    }));
    ledger.counters = Object.fromEntries(cells.map((c) => [`${area}/${c.indicator}/${c.month}`, { inc: c.inc, dec: 0 }]));
    localStorage.setItem('sotay.v1.ledger', JSON.stringify(ledger));
  }, { cells, area });

  // Each request with cells is held until the bar was seen counting it.
  const held = [];
  await a.context.route('**/api/v1/sync', (route) => {
    const body = JSON.parse(route.request().postData());
    if (body.counters.length + body.registers.length === 0) return route.continue();
    held.push({ route, body, bytes: Buffer.byteLength(route.request().postData()) });
  });
  await a.page.reload();
  // A thousand cells a request: DynamoDB's stand-in (moto) takes seconds over each.
  const STORING = 180_000;
  for (let i = 1; i <= n; i += 1) {
    await a.waitForStatus(new RegExp(`^Đang đồng bộ ${i}/${n}…$`), STORING);
    await eventually(() => held.length, (count) => count >= i, `request ${i} of ${n}`);
    assert.equal(held.length, i, 'one request at a time');
    if (i === 2) await a.screenshot(`${SHOTS}sync-progress.png`);
    await held[i - 1].route.continue();
  }
  await a.waitForStatus(/^Đã đồng bộ lúc \d\d:\d\d$/, STORING);
  await a.context.unroute('**/api/v1/sync');

  assert.deepEqual(held.map((h) => h.body.counters.length), sizes, 'split as the ledger implies');
  for (const { body, bytes } of held) {
    assert.ok(body.counters.length <= MAX_CELLS && bytes <= MAX_REQUEST_BYTES, `${body.counters.length} cells, ${bytes} bytes`);
    assert.equal(body.entries, cells.length);
  }
  const sent = held.flatMap((h) => h.body.counters.map((c) => `${c.indicator}/${c.month}`));
  assert.equal(new Set(sent).size, cells.length, 'every cell sent once');
  const stored = JSON.parse(await a.storedLedger());
  assert.equal(Object.keys(stored.acked_counters).length, cells.length, 'every cell acknowledged');
  assert.equal(stored.entries.length, cells.length);

  // The server holds every cell: each indicator's total over all those years, and the device's
  // cells one by one (read, as the API allows, once the device is revoked).
  for (const indicator of indicators) {
    const expected = cells.filter((c) => c.indicator === indicator).reduce((s, c) => s + c.inc, 0);
    assert.equal(await total('Tổ 8A', indicator, `2000..${1999 + years}`), expected, indicator);
  }
  const thisYear = String(new Date().getFullYear());
  const shown = cells.filter((c) => c.indicator === 'ngay_cong' && c.month.startsWith(thisYear)).reduce((s, c) => s + c.inc, 0);
  assert.equal(await a.areaValue('ngay_cong'), `${shown.toLocaleString('vi-VN')} ngày công`, 'the screen shows the server\'s year');
  await server.api('POST', `api/v1/devices/${device}/revoke`, server.admin.token);
  const onServer = await server.api('GET', `api/v1/devices/${device}/cells`, server.admin.token);
  const key = (c) => `${c.area}/${c.indicator}/${c.month}:${c.inc}/${c.dec}`;
  assert.deepEqual(onServer.cells.map(key).sort(), cells.map(key).sort());
  assert.deepEqual(a.errors, []);
  await a.context.close();
});

test('unsynced entries older than 7 days remind the volunteer to export a backup, until one holds them', async () => {
  const a = await Phone.open(browser, server, 'Tổng Nẻng', 'about:blank');
  // The phone's clock starts eight days back, so that setting it on to the real time is a
  // week and a day going by (the server's clock cannot be moved).
  await a.page.clock.install({ time: Date.now() - 8 * DAY_MS });
  await a.page.goto(server.url);
  await a.enrolIn('Thôn Tổng Nẻng');
  await a.cutNetwork();
  await a.enter('dat_hien', '25', 'chưa gửi được');
  await a.waitForStatus(/^Ngoại tuyến · 1 mục chờ đồng bộ$/);
  assert.doesNotMatch(await notices(a), REMINDER, 'an entry of today reminds of nothing');
  const day = JSON.parse(await a.storedLedger()).entries[0].date;

  // Eight days on, still no signal; the volunteer opens the app.
  await a.page.clock.fastForward(8 * DAY_MS);
  await a.page.reload();
  await a.waitForStatus(/^Ngoại tuyến · 1 mục chờ đồng bộ$/);
  await eventually(() => notices(a), (t) => REMINDER.test(t), 'the backup reminder');
  await a.screenshot(`${SHOTS}sync-backup-reminder.png`);

  // The notice leads to "Máy này", where the volunteer exports a backup.
  await a.page.getByTestId('notices').click();
  await a.page.waitForURL(/may\.html/);
  const [download] = await Promise.all([
    a.page.waitForEvent('download'),
    a.page.getByRole('button', { name: 'Xuất bản sao lưu' }).click(),
  ]);
  const backup = readFileSync(await download.path(), 'utf8');
  assert.match(backup, /chưa gửi được/, 'the backup holds the unsynced entry');
  await eventually(() => a.page.getByTestId('export-message').innerText(), (t) => t.startsWith('Đã xuất'), 'the export message');

  // Back on the entry page: still unsynced, but a backup holds it.
  await a.page.getByRole('link', { name: /Về trang nhập số liệu/ }).click();
  await a.page.waitForURL((url) => url.pathname === '/');
  await a.waitForStatus(/^Ngoại tuyến · 1 mục chờ đồng bộ$/);
  const unsynced = JSON.parse(await a.storedLedger());
  assert.deepEqual(unsynced.acked_counters, {}, 'the entry is still unsynced');
  assert.equal(await notices(a), '', 'no reminder once a backup holds the entry');
  await a.screenshot(`${SHOTS}sync-backup-done.png`);

  // The signal returns: it syncs, and nothing reminds.
  await a.restoreNetwork();
  await a.syncNow();
  assert.equal(await total('Thôn Tổng Nẻng', 'dat_hien', day.slice(0, 4)), 25);
  assert.equal(await notices(a), '');
  await a.page.reload();
  await a.waitForStatus(/^Đã đồng bộ lúc/);
  assert.equal(await notices(a), '', 'nor after opening the app again');
  assert.deepEqual(a.errors, []);
  await a.context.close();
});

// The bar's notices follow the clock (worked out again every minute), not only the
// ledger: an app left open offline reminds without anything recorded or reloaded.
test('the reminder shows in an app left open offline for more than 7 days', async () => {
  const a = await Phone.open(browser, server, 'Khuổi Chang', 'about:blank');
  await a.page.clock.install({ time: Date.now() - 8 * DAY_MS });
  await a.page.goto(server.url);
  await a.enrolIn('Thôn Khuổi Chang');
  await a.cutNetwork();
  await a.enter('dat_hien', '9');
  assert.doesNotMatch(await notices(a), REMINDER);
  try {
    // Eight days and a minute on, the app open all along (it tries to sync every 15 s).
    await a.page.clock.fastForward(8 * DAY_MS);
    await a.page.clock.runFor(60_000);
    await a.waitForStatus(/^Ngoại tuyến · 1 mục chờ đồng bộ$/);
    await eventually(() => notices(a), (t) => REMINDER.test(t), 'the reminder in the open app', 5_000);
  } finally {
    await a.context.close();
  }
});
