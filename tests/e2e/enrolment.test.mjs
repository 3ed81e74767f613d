// Enrolment in the real browser: a ward officer issues a join code, a volunteer scans its
// QR code in a second profile, joins, records and syncs; the officer sees the figure, then
// revokes the phone, whose next sync is refused in Vietnamese while its entries stay.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { startBoth, stopBoth, Phone, eventually, apiCall, SHOTS } from './support.mjs';

let server, browser;

before(async () => ({ server, browser } = await startBoth()));
after(() => stopBoth({ server, browser }));

/** Reads the QR code shown in `locator` from a screenshot of it. */
async function readQr(locator) {
  const png = PNG.sync.read(await locator.screenshot());
  const found = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  assert.ok(found, 'a QR code is on screen');
  return found.data;
}

test('an officer enrols a volunteer by QR code, sees its figures and revokes it', async () => {
  // The ward officer joins with a code from the province administrator.
  const officer = await Phone.open(browser, server, 'Cán bộ');
  await officer.join(await server.issueCode('ward_officer', 'Phường Nguyễn Thị Minh Khai'), 'Cán bộ phường NTMK');
  await officer.page.waitForURL(/officer/);
  await officer.page.getByRole('tab', { name: 'Mã tham gia' }).click();
  await officer.page.getByLabel('Khu dân cư').selectOption({ label: 'Tổ 11' });
  await officer.page.getByRole('button', { name: 'Cấp mã' }).click();
  const code = (await officer.page.getByTestId('issued-code').innerText()).trim();
  assert.match(code, /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
  const link = await readQr(officer.page.getByTestId('issued-qr'));
  assert.equal(link, `${server.url}#join=${code}`);
  await officer.screenshot(`${SHOTS}officer-code.png`);

  // The volunteer's camera opens the QR code's link in the browser: the code is filled in.
  const volunteer = await Phone.open(browser, server, 'Tổ 11', link);
  assert.equal(await volunteer.page.getByLabel('Mã tham gia').inputValue(), code);
  assert.match(await volunteer.page.locator('body').innerText(), /số điện thoại/, 'the join screen says what is not asked');
  await volunteer.screenshot(`${SHOTS}volunteer-join.png`);
  await volunteer.page.getByLabel('Tên thiết bị').fill('Trưởng ban Tổ 11');
  await volunteer.page.getByRole('button', { name: 'Tham gia' }).click();
  // Enrolled, the volunteer reads the first-time help: the five contents, how to correct
  // a mistake, that the app works without signal.
  await volunteer.page.waitForURL(/huong-dan/);
  const help = await volunteer.page.locator('main').innerText();
  assert.equal(await volunteer.page.locator('main ol li').count(), 5, 'the five contents');
  assert.match(help, /Phát triển kinh tế, giảm nghèo bền vững/);
  assert.match(help, /Sửa khi nhập nhầm[\s\S]*-20/);
  assert.match(help, /Không có sóng vẫn dùng được/);
  await volunteer.screenshot(`${SHOTS}help.png`);
  await volunteer.leaveHelp();
  await volunteer.waitForStatus(/Đã đồng bộ lúc/);
  const ledger = JSON.parse(await volunteer.storedLedger());
  assert.match(ledger.device, /^d-[0-9a-f]{24}$/, 'the device id comes from the server');
  await volunteer.enter('dat_hien', '120');
  await volunteer.waitForStatus(/Đã đồng bộ lúc/);

  // The code is used up: a second phone cannot join with it.
  const again = await apiCall(server.url, 'POST', 'api/v1/join', null, { code, label: 'Máy khác' });
  assert.equal(again.json.code, 'code_used_up');

  // The officer sees the figure and the device.
  await officer.page.getByRole('tab', { name: 'Số liệu' }).click();
  await officer.chooseWardIndicator('Đất nhân dân hiến');
  await eventually(() => officer.wardTable(), (rows) => rows.some((r) => r[0] === 'Tổ 11' && r[1] === '120 m²'),
    'the officer to see Tổ 11');
  await officer.page.getByRole('tab', { name: 'Thiết bị' }).click();
  const devices = officer.page.getByTestId('device-list');
  await eventually(() => devices.innerText(), (t) => t.includes('Trưởng ban Tổ 11'), 'the device list');
  await officer.screenshot(`${SHOTS}officer-devices.png`);

  // The phone is lost: the officer revokes it.
  const row = devices.locator('li, tr').filter({ hasText: 'Trưởng ban Tổ 11' });
  await row.getByRole('button', { name: 'Thu hồi quyền' }).click();
  await row.getByRole('button', { name: 'Xác nhận thu hồi' }).click();
  await eventually(() => row.innerText(), (t) => t.includes('Đã thu hồi'), 'the revoked row');

  // The volunteer's next sync is refused in Vietnamese; its new entry stays on the phone.
  await volunteer.enter('dat_hien', '30');
  await volunteer.waitForStatus(/thu hồi/);
  assert.match(await volunteer.status(), /1 mục chờ đồng bộ|chờ/);
  assert.match(await volunteer.storedLedger(), /"amount":30/);
  assert.match(await volunteer.page.getByTestId('recent-entries').innerText(), /30 m²/);
  await volunteer.screenshot(`${SHOTS}volunteer-revoked.png`);

  // The ward total holds the first entry only, and the audit trail tells the story.
  const report = await server.api('GET', 'api/v1/units/ntmk-to-11/report?period=' + new Date().getFullYear(),
    server.admin.token);
  assert.equal(report.unit.figures.dat_hien.counter.total, 120);
  await officer.page.getByRole('tab', { name: 'Nhật ký' }).click();
  const trail = await eventually(() => officer.page.locator('main').innerText(), (t) => /Thu hồi/.test(t), 'the trail');
  assert.match(trail, /Trưởng ban Tổ 11/);
  assert.deepEqual([...officer.errors, ...volunteer.errors], []);
});

test('a volunteer cannot open another ward\'s figures', async () => {
  const phone = await server.enrol('volunteer', 'Tổ 8A', 'Trưởng ban Tổ 8A');
  const answer = await apiCall(server.url, 'GET', 'api/v1/units/p-nguyen-thi-minh-khai/report?period=2025', phone.token);
  assert.equal(answer.status, 403);
  assert.equal(answer.json.code, 'forbidden');
  const units = await server.api('GET', 'api/v1/units', phone.token);
  assert.deepEqual(units.map((u) => u.name), ['Phường Đức Xuân', 'Tổ 8A']);
});

test('the province administrator voids a test phone and its figures leave every total', async () => {
  const year = new Date().getFullYear();
  const month = `${year}-${String(new Date().getMonth() + 1).padStart(2, '0')}`;
  const test = await server.enrol('volunteer', 'Tổ 13', 'Máy thử nghiệm');
  const sync = { protocol: 1, device: test.device, counters: [
    { area: 'ntmk-to-13', indicator: 'ngay_cong', month, inc: 9999, dec: 0 }] };
  await server.api('POST', 'api/v1/sync', test.token, sync);
  const total = async () => (await server.api('GET', `api/v1/units/tp-bac-kan/report?period=${year}`,
    server.admin.token)).unit.figures.ngay_cong.counter.total;
  assert.equal(await total(), 9999);

  const admin = await Phone.open(browser, server, 'Quản trị');
  await admin.join(await server.issueCode('province_admin', 'Thành phố Bắc Kạn'), 'Quản trị tỉnh');
  await admin.page.waitForURL(/officer/);
  await admin.page.getByRole('tab', { name: 'Thiết bị' }).click();
  const row = admin.page.getByTestId('device-list').locator('li').filter({ hasText: 'Máy thử nghiệm' });
  await row.getByRole('button', { name: 'Hủy số liệu của máy' }).click();
  await row.getByRole('button', { name: 'Xác nhận hủy số liệu' }).click();
  await eventually(() => row.innerText(), (t) => t.includes('Đã hủy số liệu'), 'the voided row');
  assert.equal(await total(), 0, 'the test phone counts nowhere');
  const again = await apiCall(server.url, 'POST', 'api/v1/sync', test.token, sync);
  assert.equal(again.json.code, 'device_revoked');
  assert.equal(await total(), 0);
  await admin.screenshot(`${SHOTS}admin-void.png`);
  assert.deepEqual(admin.errors, []);
});
