// Two phones on one residential area: one works offline and reloads, both sync, and
// the area and ward totals on screen count every entry exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startBoth, stopBoth, Phone, eventually, SHOTS } from './support.mjs';

let server, browser;

before(async () => ({ server, browser } = await startBoth()));
after(() => stopBoth({ server, browser }));

test('offline entries survive a reload and reach the area and ward totals exactly once', async () => {
  const a = await Phone.open(browser, server, 'A');
  const b = await Phone.open(browser, server, 'B');
  await a.enrolIn('Tổ 11');
  await b.enrolIn('Tổ 11');

  // Phone A loses its signal and keeps working.
  await a.cutNetwork();
  await a.enter('dat_hien', '120', 'Hộ ông Hoàng Văn Tài hiến đất');
  assert.match(await a.storedLedger(), /"amount":120/, 'saved only after it is in browser storage');
  await a.enter('dat_hien', '-20', 'nhập nhầm');
  await a.enter('tien_dan_gop', '640.000.000');
  await a.enter('tong_so_ngo', '190');
  await a.enter('ngo_co_den', '178');
  await a.tick('ngay_hoi_ddk', 'Có');
  await a.waitForStatus(/Ngoại tuyến · \d+ mục chờ đồng bộ/);
  assert.equal(await a.areaValue('dat_hien'), '100 m²');
  assert.equal(await a.areaValue('tien_dan_gop'), '640.000.000 đồng');
  assert.equal(await a.areaValue('ty_le_ngo_co_den'), '178/190 (93,7%)');

  // A reload while offline loses nothing.
  await a.page.reload();
  await a.waitForStatus(/Ngoại tuyến · 5 mục chờ đồng bộ/);
  assert.equal(await a.areaValue('dat_hien'), '100 m²');
  assert.equal(await a.areaValue('ngay_hoi_ddk'), 'Có');
  const recent = await a.page.getByTestId('recent-entries').innerText();
  assert.match(recent, /Hộ ông Hoàng Văn Tài hiến đất/);
  assert.match(recent, /-20 m² — Đất nhân dân hiến/);
  assert.match(recent, /\d\d\/\d\d\/\d{4}/, 'dates read dd/mm/yyyy');
  await a.screenshot(`${SHOTS}phone-a-offline.png`);

  // Phone B, online, records too.
  await b.enter('dat_hien', '8.011');
  await b.waitForStatus(/Đã đồng bộ lúc/);

  // The signal returns: A syncs by the button; B refreshes.
  await a.restoreNetwork();
  await a.syncNow();
  await b.syncNow();
  for (const phone of [a, b]) {
    assert.equal(await phone.areaValue('dat_hien'), '8.111 m²', `phone ${phone.name}`);
    assert.equal(await phone.areaValue('ty_le_ngo_co_den'), '178/190 (93,7%)', `phone ${phone.name}`);
    assert.equal(await phone.areaValue('ngay_hoi_ddk'), 'Có', `phone ${phone.name}`);
  }

  // Syncing again (a repeat) changes nothing.
  await a.syncNow();
  await a.openWard();
  await a.chooseWardIndicator('Đất nhân dân hiến');
  const table = await eventually(() => a.wardTable(), (rows) => rows.length === 4, 'the ward table');
  assert.deepEqual(table, [
    ['Tổ 11', '8.111 m²'],
    ['Tổ 13', '0 m²'],
    ['Tổ 15', '0 m²'],
    ['Tổng Phường Nguyễn Thị Minh Khai', '8.111 m²'],
  ]);
  await a.chooseWardIndicator('Tổ chức Ngày hội Đại đoàn kết (18/11)');
  // An area that has not answered is neither yes nor no.
  assert.deepEqual(await a.wardTable(), [
    ['Tổ 11', 'Có'],
    ['Tổ 13', 'Chưa trả lời'],
    ['Tổ 15', 'Chưa trả lời'],
    ['Tổng Phường Nguyễn Thị Minh Khai', '1 có / 1 đã trả lời / tổng 3 khu dân cư'],
  ]);
  assert.ok(await a.page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'no sideways scroll');
  await a.screenshot(`${SHOTS}phone-a-ward.png`);
  await a.chooseWardIndicator('Tổng số hộ');
  assert.deepEqual((await a.wardTable()).at(-1), ['Tổng Phường Nguyễn Thị Minh Khai', 'Chưa có số liệu']);

  // Notes that name people never left the phone.
  assert.ok(a.sent.length > 0, 'phone A sent its cells');
  assert.ok(!a.sent.some((body) => body.includes('Hoàng Văn Tài')), 'a note reached the network');
  assert.deepEqual([...a.errors, ...b.errors], []);
});

test('a sync whose answer is lost is retried and counted once', async () => {
  const c = await Phone.open(browser, server, 'C');
  await c.enrolIn('Tổ 13');
  // The request reaches the server, but the answer never reaches the phone.
  await c.context.route('**/api/v1/sync', async (route) => {
    await route.fetch();
    await route.abort('connectionreset');
  });
  await c.enter('ngay_cong', '5.379');
  await c.waitForStatus(/Ngoại tuyến · 1 mục chờ đồng bộ/);
  await c.context.unroute('**/api/v1/sync');
  await c.syncNow();
  await c.syncNow();
  assert.equal(await c.areaValue('ngay_cong'), '5.379 ngày công');
  await c.openWard();
  await c.chooseWardIndicator('Ngày công lao động nhân dân');
  const table = await eventually(() => c.wardTable(), (rows) => rows.length === 4, 'the ward table');
  assert.deepEqual(table.at(-1), ['Tổng Phường Nguyễn Thị Minh Khai', '5.379 ngày công']);
});

test('a mistyped amount or a correction below zero is refused on the phone', async () => {
  const d = await Phone.open(browser, server, 'D');
  await d.enrolIn('Tổ 15');
  const row = await d.reveal('duong_lam_moi');
  await row.getByRole('button', { name: 'Nhập' }).click();
  await row.getByLabel(/Số lượng/).fill('2,5');
  await row.getByRole('button', { name: 'Lưu' }).click();
  assert.match(await row.getByRole('alert').innerText(), /"2,5" không phải số nguyên/);
  await row.getByLabel(/Số lượng/).fill('-5');
  await row.getByRole('button', { name: 'Lưu' }).click();
  // The entry is checked as it is stored, so its answer comes a moment later.
  await eventually(() => row.getByRole('alert').innerText(), (t) => /chưa có gì để bớt/.test(t), 'the refusal');
  assert.equal(await d.areaValue('duong_lam_moi'), '0 m');
  assert.doesNotMatch(await d.storedLedger(), /duong_lam_moi/);
});

test('a phone whose storage was cleared continues under a new device id and loses nothing', async () => {
  const e = await Phone.open(browser, server, 'E');
  await e.enrolIn('Tổ 8A');
  await e.enter('buoi_tuyen_truyen', '40');
  await e.waitForStatus(/Đã đồng bộ lúc/);
  const before = JSON.parse(await e.storedLedger()).device;

  // Storage is wiped (a reinstall, "clear site data"): the counters and the token are gone;
  // the phone joins again and the server gives it a new identity.
  await e.page.evaluate(() => localStorage.clear());
  await e.page.reload();
  await e.enrolIn('Tổ 8A');
  const after = JSON.parse(await e.storedLedger()).device;
  assert.notEqual(after, before, 'a wiped phone must not reuse its old identity');
  assert.equal(await e.areaValue('buoi_tuyen_truyen'), '40 buổi', 'the server still counts the old entries');

  // Its new entries count on top of the old ones; under the old id, max-merge would have swallowed them.
  await e.enter('buoi_tuyen_truyen', '25');
  await e.syncNow();
  assert.equal(await e.areaValue('buoi_tuyen_truyen'), '65 buổi');
});

test('full browser storage gives a clear message and records nothing', async () => {
  const f = await Phone.open(browser, server, 'F');
  await f.enrolIn('Thôn Nà Bản');
  const stored = await f.storedLedger();
  // Fill the origin's storage to the last byte.
  await f.page.evaluate(() => {
    let size = 1 << 20;
    let n = 0;
    while (size >= 1) {
      try { localStorage.setItem(`filler-${n++}`, 'x'.repeat(size)); } catch { size = Math.floor(size / 2); }
    }
  });
  const row = await f.reveal('dat_hien');
  await row.getByRole('button', { name: 'Nhập' }).click();
  await row.getByLabel(/Số lượng/).fill('500');
  await row.getByRole('button', { name: 'Lưu' }).click();
  await eventually(() => row.getByRole('alert').innerText(), (t) => /Bộ nhớ của trình duyệt đã đầy/.test(t),
    'the full-storage message');
  assert.equal(await f.saveMessage(), '', 'no "saved" message');
  assert.equal(await f.storedLedger(), stored, 'the stored ledger is unchanged');
  assert.equal(await f.areaValue('dat_hien'), '0 m²', 'the screen does not show an entry that was not kept');
});

test('two tabs of the app on one phone: one writes at a time, and both tabs\' entries count', async () => {
  const first = await Phone.open(browser, server, 'G1');
  await first.enrolIn('Thôn Khuổi Chang');
  await first.enter('camera_an_ninh', '3');
  // A second tab finds the app open in the first: it shows no entry form until taken here.
  const second = await first.openTab('G2');
  await second.page.getByTestId('open-elsewhere').waitFor();
  assert.equal(await second.page.getByRole('button', { name: 'Nhập' }).count(), 0, 'no form in the second tab');
  await second.screenshot(`${SHOTS}two-tabs-elsewhere.png`);
  await second.page.getByRole('button', { name: 'Dùng ở thẻ này' }).click();
  await second.waitForStatus(/Đã đồng bộ lúc/);
  // The first tab stops writing and says so; the second records.
  await first.page.getByTestId('open-elsewhere').waitFor();
  await second.enter('camera_an_ninh', '2');
  await second.syncNow();
  assert.equal(await second.areaValue('camera_an_ninh'), '5 chiếc');
  // And back: the first tab takes over again, with both entries.
  await first.page.getByRole('button', { name: 'Dùng ở thẻ này' }).click();
  await second.page.getByTestId('open-elsewhere').waitFor();
  await eventually(() => first.areaValue('camera_an_ninh'), (t) => t === '5 chiếc', 'the first tab to see both entries');
  const recent = await first.page.getByTestId('recent-entries').innerText();
  assert.match(recent, /3 chiếc/);
  assert.match(recent, /2 chiếc/);
  // A tab closed lets the other write again, as soon as the volunteer comes back to it.
  await first.page.close();
  await second.page.bringToFront();
  await second.waitForStatus(/Đã đồng bộ lúc/);
  await second.enter('camera_an_ninh', '1');
  assert.equal(await second.areaValue('camera_an_ninh'), '6 chiếc');
});
