// The phone's edges of exactly-once, in the real browser: one refused cell never blocks
// the others, a hanging request gives the sync button back, a phone's wrong clock never
// loses a level it states, a copied ledger that went backwards moves to a new device,
// a stored ledger the app cannot read is never written over, and a tab of the previous
// version sharing the ledger with one of this version loses and doubles nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startBoth, stopBoth, Phone, eventually, apiCall, SHOTS } from './support.mjs';

const YEAR_MS = 365 * 24 * 3600 * 1000;
let server, browser;

before(async () => ({ server, browser } = await startBoth()));
after(() => stopBoth({ server, browser }));

/** The server's figure of `indicator` for the unit named `unit` this year. */
async function reported(unit, indicator) {
  const year = new Date().getFullYear();
  const report = await server.api('GET', `api/v1/units/${server.unitId(unit)}/report?period=${year}`, server.admin.token);
  return report.unit.figures[indicator];
}

/** A phone enrolled in `area` that recorded `amount` of `indicator` and synced, with the
 * server's total of that indicator before. */
async function phoneThatSynced(name, area, indicator, amount) {
  const phone = await Phone.open(browser, server, name);
  await phone.enrolIn(area);
  const before = (await reported(area, indicator))?.counter?.total ?? 0;
  await phone.enter(indicator, amount);
  await phone.waitForStatus(/Đã đồng bộ lúc/);
  return { phone, before };
}

/** Opens a phone whose clock runs `offsetMs` off the real time. */
async function phoneWithClock(name, offsetMs) {
  const phone = await Phone.open(browser, server, name, 'about:blank');
  await phone.page.clock.install({ time: Date.now() + offsetMs });
  await phone.page.goto(server.url);
  return phone;
}

/** Sets the entry date to the real today (a phone with a wrong clock shows another). */
async function enterRealToday(phone) {
  await phone.setDay(new Date());
}

test('a refused cell is set aside for review and the other cells count', async () => {
  const a = await Phone.open(browser, server, 'Review');
  await a.enrolIn('Tổ 13');
  await a.cutNetwork();
  await a.enter('dat_hien', '40');
  // An entry for an indicator the province has since retired (no longer in the catalogue).
  await a.page.evaluate(() => {
    const ledger = JSON.parse(localStorage.getItem('sotay.v1.ledger'));
    const [key] = Object.keys(ledger.counters);
    const [area, , month] = key.split('/');
    ledger.counters[`${area}/chi_tieu_da_bo/${month}`] = { inc: 5, dec: 0 };
    localStorage.setItem('sotay.v1.ledger', JSON.stringify(ledger));
  });
  await a.page.reload();
  await a.waitForStatus(/Ngoại tuyến · 2 mục chờ đồng bộ/);
  await a.restoreNetwork();
  await a.syncNow();
  assert.deepEqual(await reported('Tổ 13', 'dat_hien'), { counter: { total: 40 } });
  const notice = await a.page.getByTestId('notices').innerText();
  assert.match(notice, /1 mục cần xem lại/);
  const stored = JSON.parse(await a.storedLedger());
  const review = Object.entries(stored.review_counters);
  assert.equal(review.length, 1);
  assert.match(review[0][0], /chi_tieu_da_bo/);
  assert.equal(review[0][1].code, 'unknown_indicator');
  // It is not sent again and again: the next sync has nothing to send.
  const sentBefore = a.sent.length;
  await a.syncNow();
  assert.ok(a.sent.slice(sentBefore).every((body) => !body.includes('chi_tieu_da_bo')), 'the refused cell stays aside');
  await a.screenshot(`${SHOTS}phone-review-notice.png`);
  await a.context.close();
});

test('a sync hanging on a poor signal gives the button back', async () => {
  const a = await Phone.open(browser, server, 'Hang', 'about:blank');
  await a.page.clock.install();
  await a.page.goto(server.url);
  await a.joinAsVolunteer(await server.issueCode('volunteer', 'Tổ 15'));
  await a.waitForStatus(/Đã đồng bộ lúc/);
  await a.context.route('**/api/v1/sync', () => {}); // never answered
  await a.enter('dat_hien', '12');
  await a.waitForStatus(/Đang đồng bộ/);
  const button = a.page.getByRole('button', { name: 'Đồng bộ', exact: true });
  assert.equal(await button.isDisabled(), true);
  await a.page.clock.runFor(31_000);
  await a.waitForStatus(/Ngoại tuyến · 1 mục chờ đồng bộ/);
  assert.equal(await button.isDisabled(), false, 'the button is back after the timeout');
  await a.context.unroute('**/api/v1/sync');
  await a.syncNow();
  assert.deepEqual(await reported('Tổ 15', 'dat_hien'), { counter: { total: 12 } });
  await a.context.close();
});

test('a phone whose clock runs two years behind still states the latest level', async () => {
  const right = await Phone.open(browser, server, 'Right');
  await right.enrolIn('Tổ 8A');
  await right.enter('so_ho', '100');
  await right.waitForStatus(/Đã đồng bộ lúc/);

  const behind = await phoneWithClock('Behind', -2 * YEAR_MS);
  await behind.joinAsVolunteer(await server.issueCode('volunteer', 'Tổ 8A'));
  await behind.waitForStatus(/Đã đồng bộ lúc/);
  const notice = await behind.page.getByTestId('notices').innerText();
  assert.match(notice, /Đồng hồ của điện thoại chậm khoảng 7\d\d ngày/);
  await enterRealToday(behind);
  await behind.enter('so_ho', '120');
  await behind.waitForStatus(/Đã đồng bộ lúc/);
  const level = await reported('Tổ 8A', 'so_ho');
  assert.equal(level.level.total, 120, 'the later statement wins, whatever the phone clock said');
  await behind.screenshot(`${SHOTS}phone-clock-behind.png`);
  await right.context.close();
  await behind.context.close();
});

test('a phone whose clock runs two years ahead is told, and its level lands once the clock is right', async () => {
  const ahead = await phoneWithClock('Ahead', 2 * YEAR_MS);
  await ahead.joinAsVolunteer(await server.issueCode('volunteer', 'Tổ 11'));
  await ahead.waitForStatus(/Đã đồng bộ lúc/);
  await enterRealToday(ahead);
  await ahead.enter('so_ho', '77');
  await eventually(() => ahead.page.getByTestId('notices').innerText(), (t) => /1 mục cần xem lại/.test(t),
    'the review notice');
  const notice = await ahead.page.getByTestId('notices').innerText();
  assert.match(notice, /Đồng hồ của điện thoại nhanh khoảng 7\d\d ngày/);
  const stored = JSON.parse(await ahead.storedLedger());
  assert.equal(Object.values(stored.review_registers)[0].code, 'stamp_in_future');
  assert.equal((await reported('Tổ 11', 'so_ho'))?.level?.total ?? 0, 0, 'nothing stored from a clock far ahead');
  // A future date is refused, never moved: the phone's own "today" is two years ahead.
  await ahead.setDay(new Date(Date.now() + 2 * YEAR_MS));
  const row = await ahead.reveal('dat_hien');
  await row.getByRole('button', { name: 'Nhập' }).click();
  await row.getByLabel(/Số lượng/).fill('5');
  await row.getByRole('button', { name: 'Lưu' }).click();
  await eventually(() => row.getByRole('alert').innerText(), (t) => /chưa tới/.test(t), 'the future-date refusal');
  await ahead.screenshot(`${SHOTS}phone-clock-ahead.png`);

  // The volunteer sets the clock right and sends the set-aside cell again.
  await ahead.page.clock.setSystemTime(Date.now());
  await ahead.page.goto(new URL('may.html', server.url).href);
  await ahead.page.getByRole('button', { name: 'Gửi lại' }).click();
  await ahead.page.goto(server.url);
  await ahead.syncNow();
  assert.equal((await reported('Tổ 11', 'so_ho')).level.total, 77);
  await ahead.context.close();
});

test('a copy of a phone that went backwards moves to a new device and counts nothing twice', async () => {
  const { phone: a, before } = await phoneThatSynced('Original', 'Tổ 13', 'ngay_cong', '100');
  const copied = await a.page.evaluate(() => JSON.stringify(Object.entries(localStorage)));

  // Browser data copied to a second phone; the original goes on recording.
  // (Written from a page of the app's origin that runs no app: `/` would go on to the join page.)
  const b = await Phone.open(browser, server, 'Copy', new URL('icon.svg', server.url).href);
  await b.page.evaluate((items) => {
    for (const [k, v] of JSON.parse(items)) localStorage.setItem(k, v);
  }, copied);
  await b.cutNetwork();
  await b.page.goto(server.url);
  await a.enter('ngay_cong', '30');
  await a.waitForStatus(/Đã đồng bộ lúc/);
  const oldDevice = JSON.parse(await a.storedLedger()).device;

  // The copy records, then syncs: the server holds more of this device than the copy.
  await b.enter('ngay_cong', '5');
  await b.restoreNetwork();
  await b.page.getByRole('button', { name: 'Đồng bộ', exact: true }).click();
  // The app opens "Máy này", which moves the phone to a successor and comes back.
  const device = () => b.storedLedger().then((l) => JSON.parse(l)?.device, () => null);
  await eventually(device, (d) => d && d !== oldDevice, 'the copy on a new device');
  await b.page.waitForURL(server.url);
  await b.waitForStatus(/Đã đồng bộ lúc/);
  const devices = await server.api('GET', 'api/v1/devices', server.admin.token);
  const old = devices.find((d) => d.device === oldDevice);
  assert.ok(old.revoked_at_ms, 'the old device stops');
  assert.ok(old.replaced_by, 'and names its successor');

  // From now on the copy's entries count, once.
  await b.enter('ngay_cong', '7');
  await b.waitForStatus(/Đã đồng bộ lúc/);
  const total = (await reported('Tổ 13', 'ngay_cong')).counter.total - before;
  // 100 + 30 + 7 counted; the copy's 5, recorded before it knew, overlapped the original's
  // 30 in one cell and merge-by-max kept the larger: never counted twice.
  assert.equal(total, 137);
  assert.ok(total <= 100 + 30 + 5 + 7);
  // The original learns it was replaced and says how to go on.
  await a.enter('ngay_cong', '1');
  await a.waitForStatus(/Lỗi đồng bộ/);
  await b.screenshot(`${SHOTS}phone-copy-successor.png`);
  await a.context.close();
  await b.context.close();
});

test('a stored ledger of a newer format is never written over', async () => {
  const a = await Phone.open(browser, server, 'Newer');
  await a.enrolIn('Tổ 15');
  const newer = await a.page.evaluate(() => {
    const ledger = JSON.parse(localStorage.getItem('sotay.v1.ledger'));
    ledger.format = 99;
    const text = JSON.stringify(ledger);
    localStorage.setItem('sotay.v1.ledger', text);
    return text;
  });
  await a.page.reload();
  await eventually(() => a.page.locator('body').innerText(), (t) => /phiên bản mới hơn/.test(t),
    'the newer-format message');
  assert.equal(await a.storedLedger(), newer, 'storage untouched');
  await a.context.close();
});

/**
 * What a tab of the previous version (ledger format 1, protocol 1) does to the shared
 * ledger: records `amount` of `indicator` in the enrolled area today, syncs that cell
 * with protocol 1, and marks it acknowledged; each time it reads the stored ledger and
 * writes it back in format 1, without the fields it does not know. `page` is of the
 * app's origin and runs no app (its policy lets it fetch nothing: the sync goes from here).
 */
async function previousVersionRecords(page, indicator, amount) {
  const previousWrite = (change) => page.evaluate(({ change, indicator, amount }) => {
    const enrolment = JSON.parse(localStorage.getItem('sotay.v1.enrolment'));
    const { format, review_counters, review_registers, went_behind, ...ledger } =
      JSON.parse(localStorage.getItem('sotay.v1.ledger'));
    const area = enrolment.profile.scope;
    const now = new Date();
    const month = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`;
    const key = `${area}/${indicator}/${month}`;
    const cell = ledger.counters[key] ?? { inc: 0, dec: 0 };
    if (change === 'record') {
      const seq = ledger.entries.reduce((max, e) => Math.max(max, e.seq), 0) + 1;
      const date = `${month}-${String(now.getDate()).padStart(2, '0')}`;
      ledger.entries.push({ seq, area, indicator, date, change: { amount }, recorded_ms: now.getTime() });
      cell.inc += amount;
      ledger.counters[key] = cell;
    } else {
      ledger.acked_counters[key] = { ...cell };
    }
    localStorage.setItem('sotay.v1.ledger', JSON.stringify(ledger));
    const sent = { protocol: 1, device: enrolment.device, registers: [],
      counters: [{ area, indicator, month, inc: cell.inc, dec: cell.dec }] };
    return { sent, token: enrolment.token };
  }, { change, indicator, amount });
  const { sent, token } = await previousWrite('record');
  const { status } = await apiCall(server.url, 'POST', 'api/v1/sync', token, sent);
  if (status === 200) await previousWrite('acknowledge');
  return status;
}

/** Waits until the phone's stored ledger holds `n` entries (the saved message of an
 * earlier entry may still be on screen). */
async function storedEntries(phone, n) {
  await eventually(async () => JSON.parse(await phone.storedLedger()).entries.length, (k) => k === n, `${n} entries`);
}

test('a tab of the previous version and one of this version share a ledger: each entry counts once', async () => {
  const { phone: a, before } = await phoneThatSynced('Hai phiên bản', 'Thôn Khuổi Chang', 'dat_hien', '50');
  // The other tab, of the previous version, records 7 and syncs them with protocol 1.
  const old = await a.context.newPage();
  await old.goto(new URL('icon.svg', server.url).href);
  assert.equal(await previousVersionRecords(old, 'dat_hien', 7), 200, 'a version-1 sync is taken');
  // This version's tab reads the format-1 ledger (migrated), shows both, and goes on.
  await eventually(() => a.areaValue('dat_hien'), (v) => v === '57 m²', 'both entries on the entry screen');
  await a.enter('dat_hien', '5');
  await storedEntries(a, 3);
  await a.waitForStatus(/Đã đồng bộ lúc/);
  assert.equal(await previousVersionRecords(old, 'dat_hien', 3), 200);
  await eventually(() => a.areaValue('dat_hien'), (v) => v === '65 m²', 'the old tab\'s second entry shows');
  await a.enter('dat_hien', '1');
  await storedEntries(a, 5);
  await a.waitForStatus(/Đã đồng bộ lúc/);
  const ledger = JSON.parse(await a.storedLedger());
  assert.equal(ledger.format, 2, 'this version writes its own format again');
  assert.deepEqual(ledger.entries.map((e) => e.change.amount), [50, 7, 5, 3, 1], 'every entry kept, in order');
  assert.deepEqual(await reported('Thôn Khuổi Chang', 'dat_hien'), { counter: { total: before + 66 } },
    'the server counts each entry once');
  await a.context.close();
});
