// Backups in the real browser, on the "Máy này" page (`/may.html`): a phone exports its
// backup (the download captured), then the backup is restored — on the same phone after
// its storage was cleared, on a new phone after the old one synced and was lost, and after
// the officer revoked the old phone (a new join code) — and every total counts each entry
// once. Files that are not good backups, and a restore offline, change nothing. The cells
// the server refused are listed with their reason and sent again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startBoth, stopBoth, Phone, eventually, SHOTS } from './support.mjs';

const DAY_MS = 24 * 3600 * 1000;
let server, browser;

before(async () => ({ server, browser } = await startBoth()));
after(() => stopBoth({ server, browser }));

/** The server's figure of `indicator` for the unit named `unit` this year. */
async function reported(unit, indicator) {
  const year = new Date().getFullYear();
  const report = await server.api('GET', `api/v1/units/${server.unitId(unit)}/report?period=${year}`, server.admin.token);
  return report.unit.figures[indicator];
}

const total = async (unit, indicator) => (await reported(unit, indicator))?.counter?.total ?? 0;

/** The "Máy này" page, as a page object over a phone. */
class DevicePage {
  constructor(phone) {
    this.phone = phone;
    this.page = phone.page;
  }

  async open() {
    await this.page.goto(new URL('may.html', this.phone.url).href);
    await this.page.getByRole('heading', { name: 'Khôi phục từ bản sao lưu' }).waitFor();
    return this;
  }

  /** Exports the backup; resolves with the downloaded file { name, text }. */
  async exportBackup() {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByRole('button', { name: 'Xuất bản sao lưu' }).click(),
    ]);
    const text = readFileSync(await download.path(), 'utf8');
    await eventually(() => this.page.getByTestId('export-message').innerText(), (t) => t.startsWith('Đã xuất'),
      'the export message');
    return { name: download.suggestedFilename(), text };
  }

  /** Chooses a backup file in the restore form. */
  async choose(file) {
    await this.page.getByLabel('Tệp sao lưu').setInputFiles({
      name: file.name, mimeType: 'application/json', buffer: Buffer.from(file.text),
    });
  }

  restoreError() {
    return this.page.getByTestId('restore-error').innerText();
  }

  /** Chooses `file` and restores it; the app opens on success. */
  async restore(file) {
    await this.choose(file);
    await this.page.getByTestId('restore-summary').waitFor();
    await this.page.getByRole('button', { name: 'Khôi phục', exact: true }).click();
  }

  async screenshot(file) {
    await this.page.screenshot({ path: file, fullPage: false });
  }
}

/** Everything in the phone's localStorage. */
function storageOf(phone) {
  return phone.page.evaluate(() => Object.fromEntries(Object.entries(localStorage)));
}

async function storedDevice(phone) {
  return JSON.parse(await phone.storedLedger()).device;
}

test('a backup restored after the browser storage was cleared counts nothing twice', async () => {
  const a = await Phone.open(browser, server, 'Tổ 11');
  await a.enrolIn('Tổ 11');
  await a.enter('dat_hien', '120', 'Hộ ông Hoàng Văn Tài hiến đất');
  await a.waitForStatus(/Đã đồng bộ lúc/);
  await a.cutNetwork();
  await a.enter('dat_hien', '30');
  await a.waitForStatus(/Ngoại tuyến · 1 mục chờ đồng bộ/);
  const oldDevice = await storedDevice(a);

  const page = await new DevicePage(a).open();
  assert.equal(await page.page.getByTestId('device-label').innerText(), 'Trưởng ban Tổ 11');
  assert.equal(await page.page.getByTestId('device-id').innerText(), oldDevice);
  assert.match(await page.page.getByTestId('device-area').innerText(), /Tổ 11 · Phường Nguyễn Thị Minh Khai/);
  assert.match(await page.page.locator('main').innerText(), /khóa truy cập/, 'the page says the file holds the key');
  const file = await page.exportBackup();
  const today = new Date();
  const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
  assert.equal(file.name, `sotay-ntmk-to-11-${day}.json`);
  const sealed = JSON.parse(file.text);
  assert.equal(sealed.kind, 'sotay-mat-tran/sao-luu');
  assert.match(sealed.sha256, /^[0-9a-f]{64}$/);
  assert.match(file.text, /Hộ ông Hoàng Văn Tài hiến đất/, 'the notes are in the backup, on the phone only');
  assert.ok(Number(await a.page.evaluate(() => localStorage.getItem('sotay.v1.last_backup'))) > 0);
  await page.screenshot(`${SHOTS}may-enrolled.png`);

  // The browser's data is cleared: the page offers only the restore.
  await a.page.evaluate(() => localStorage.clear());
  await a.restoreNetwork();
  await page.open();
  assert.equal(await a.page.getByRole('button', { name: 'Xuất bản sao lưu' }).count(), 0);
  await page.screenshot(`${SHOTS}may-new-phone.png`);
  await page.restore(file);
  await a.page.waitForURL(server.url);
  await a.waitForStatus(/Đã đồng bộ lúc/);
  assert.notEqual(await storedDevice(a), oldDevice, 'a restored backup goes on under a new device');
  assert.equal(await total('Tổ 11', 'dat_hien'), 150, 'the entry synced before counts once, the other once');
  assert.match(await a.page.getByTestId('recent-entries').innerText(), /Hộ ông Hoàng Văn Tài hiến đất/);
  await a.enter('dat_hien', '5');
  await a.waitForStatus(/Đã đồng bộ lúc/);
  assert.equal(await total('Tổ 11', 'dat_hien'), 155);
  assert.equal(await total('Phường Nguyễn Thị Minh Khai', 'dat_hien'), 155);
  const devices = await server.api('GET', 'api/v1/devices', server.admin.token);
  const old = devices.find((d) => d.device === oldDevice);
  assert.ok(old.revoked_at_ms, 'the backup\'s device stopped');
  assert.equal(old.replaced_by, await storedDevice(a));
  assert.deepEqual(a.errors, []);
  await a.context.close();
});

test('a backup made offline, synced afterwards by the lost phone, is not counted twice on the new phone', async () => {
  const a = await Phone.open(browser, server, 'A');
  await a.enrolIn('Tổ 8A');
  await a.enter('dat_hien', '100');
  await a.waitForStatus(/Đã đồng bộ lúc/);
  await a.cutNetwork();
  await a.enter('dat_hien', '40', 'hiến thêm');
  const file = await new DevicePage(a).open().then((p) => p.exportBackup());
  // Back on the app, the signal returns: the old phone syncs the very entries in the backup.
  await a.page.goto(server.url);
  await a.restoreNetwork();
  await a.syncNow();
  assert.equal(await total('Tổ 8A', 'dat_hien'), 140);
  await a.context.close(); // Phone A is lost.

  const b = await Phone.open(browser, server, 'B', new URL('may.html', server.url).href);
  const page = new DevicePage(b);
  await page.restore(file);
  await b.page.waitForURL(server.url);
  await b.waitForStatus(/Đã đồng bộ lúc/);
  assert.equal(await total('Tổ 8A', 'dat_hien'), 140, 'nothing of the backup is counted twice');
  assert.equal(await b.areaValue('dat_hien'), '140 m²');
  await b.enter('dat_hien', '7');
  await b.waitForStatus(/Đã đồng bộ lúc/);
  assert.equal(await total('Tổ 8A', 'dat_hien'), 147);
  assert.equal(await total('Phường Đức Xuân', 'dat_hien'), 147);
  await b.screenshot(`${SHOTS}may-restored-new-phone.png`);
  assert.deepEqual(b.errors, []);
  await b.context.close();
});

test('a corrupted, a foreign and a newer file are refused and change nothing', async () => {
  const c = await Phone.open(browser, server, 'Tổ 15');
  await c.enrolIn('Tổ 15');
  await c.enter('ngay_cong', '12');
  await c.waitForStatus(/Đã đồng bộ lúc/);
  const page = await new DevicePage(c).open();
  const good = await page.exportBackup();
  const before = await storageOf(c);

  // One digit changed.
  const digit = good.text.indexOf('"exported_ms": ') + '"exported_ms": '.length;
  const changed = good.text[digit] === '9' ? '8' : String(Number(good.text[digit]) + 1);
  const corrupted = { name: good.name, text: good.text.slice(0, digit) + changed + good.text.slice(digit + 1) };
  const foreign = { name: 'so-ghi.json', text: before['sotay.v1.ledger'] };
  const newer = { name: good.name, text: JSON.stringify({ ...JSON.parse(good.text), format: 2 }) };
  for (const [file, message] of [
    [corrupted, /Bản sao lưu bị hỏng/],
    [foreign, /không phải là bản sao lưu của Sổ tay Mặt trận/],
    [newer, /phiên bản mới hơn của ứng dụng/],
  ]) {
    await page.choose(file);
    await eventually(() => page.restoreError(), (t) => message.test(t), `the refusal ${message}`);
    assert.equal(await c.page.getByRole('button', { name: 'Khôi phục', exact: true }).count(), 0);
    assert.deepEqual(await storageOf(c), before, 'nothing in browser storage changed');
    if (file === corrupted) {
      await c.page.getByTestId('restore-error').scrollIntoViewIfNeeded();
      await page.screenshot(`${SHOTS}may-refused.png`);
    }
  }

  // Its own backup, on the phone that holds a newer copy of the same ledger: nothing to do.
  await page.choose(good);
  await eventually(() => page.restoreError(), (t) => /không cần khôi phục/.test(t), 'the same ledger');
  assert.deepEqual(await storageOf(c), before);
  assert.deepEqual(c.errors, []);
  await c.context.close();

  // A good file on a new phone offline: refused, nothing changes.
  const d = await Phone.open(browser, server, 'Máy mới', new URL('may.html', server.url).href);
  await d.cutNetwork();
  const fresh = new DevicePage(d);
  await fresh.restore(good);
  await eventually(() => fresh.restoreError(), (t) => /Cần có mạng để khôi phục/.test(t), 'the offline refusal');
  assert.deepEqual(await storageOf(d), {});
  assert.deepEqual(d.errors, []);
  await d.context.close();
});

test('a lost phone revoked by the officer: its backup, restored with a new join code, counts its unsent entries once', async () => {
  const a = await Phone.open(browser, server, 'Khuổi Chang');
  await a.enrolIn('Thôn Khuổi Chang');
  await a.enter('dat_hien', '60');
  await a.waitForStatus(/Đã đồng bộ lúc/);
  await a.cutNetwork();
  await a.enter('dat_hien', '25', 'chưa gửi được');
  const oldDevice = await storedDevice(a);
  const file = await new DevicePage(a).open().then((p) => p.exportBackup());
  await a.context.close(); // Lost, with 25 m² unsent.
  await server.api('POST', `api/v1/devices/${oldDevice}/revoke`, server.admin.token);
  assert.equal(await total('Thôn Khuổi Chang', 'dat_hien'), 60);

  const b = await Phone.open(browser, server, 'B', new URL('may.html', server.url).href);
  const page = new DevicePage(b);
  await page.restore(file);
  const form = b.page.getByTestId('restore-join');
  await form.waitFor();
  assert.match(await form.innerText(), /đã bị thu hồi/);
  assert.equal(await b.page.getByLabel('Tên thiết bị').inputValue(), 'Trưởng ban Khuổi Chang');
  await page.screenshot(`${SHOTS}may-lost-phone-code.png`);
  await b.page.getByLabel('Mã tham gia').fill(await server.issueCode('volunteer', 'Thôn Khuổi Chang'));
  await b.page.getByRole('button', { name: 'Tham gia và khôi phục' }).click();
  await b.page.waitForURL(server.url);
  await b.waitForStatus(/Đã đồng bộ lúc/);
  assert.equal(await total('Thôn Khuổi Chang', 'dat_hien'), 85, 'the unsent 25 m² count once');
  await b.enter('dat_hien', '3');
  await b.waitForStatus(/Đã đồng bộ lúc/);
  assert.equal(await total('Thôn Khuổi Chang', 'dat_hien'), 88);
  assert.equal(await total('Xã Nông Thượng', 'dat_hien'), 88);
  assert.deepEqual(b.errors, []);
  await b.context.close();
});

test('a cell the server refused is listed with its reason and sent again', async () => {
  const a = await Phone.open(browser, server, 'Nà Bản', 'about:blank');
  // The phone's clock runs three days fast: a level it states is refused.
  await a.page.clock.install({ time: Date.now() + 3 * DAY_MS });
  await a.page.goto(server.url);
  await a.enrolIn('Thôn Nà Bản');
  // A date ahead of the real today is refused: the entry is dated today, the real one.
  await a.setDay(new Date());
  await a.enter('tong_so_ngo', '42');
  await a.syncNow();
  await eventually(() => a.page.getByTestId('notices').innerText(), (t) => /1 mục cần xem lại/.test(t), 'the notice');

  const page = await new DevicePage(a).open();
  const item = a.page.getByTestId('review-item');
  const text = await item.innerText();
  assert.match(text, /Tổng số ngõ, hẻm/, 'the indicator by its label');
  assert.match(text, /Thôn Nà Bản · tháng \d{1,2}\/\d{4}/);
  assert.match(text, /Đồng hồ của điện thoại/, 'the server\'s reason');
  assert.match(text, /Chỉnh lại ngày giờ/, 'what to do');
  await page.screenshot(`${SHOTS}may-review.png`);

  // The volunteer sets the clock right and sends it again; the app sends it at its next sync.
  await a.page.clock.setSystemTime(new Date());
  await a.page.getByRole('button', { name: 'Gửi lại' }).click();
  await eventually(() => a.page.getByTestId('review-message').innerText(), (t) => /Đã đưa 1 mục/.test(t), 'sent again');
  await a.page.getByTestId('review-empty').waitFor();
  assert.equal(JSON.parse(await a.storedLedger()).review_registers, undefined);
  await a.page.goto(server.url);
  await a.waitForStatus(/Đã đồng bộ lúc/);
  await eventually(() => reported('Thôn Nà Bản', 'tong_so_ngo'), (f) => f?.level?.total === 42, 'the level stored');
  assert.deepEqual(a.errors, []);
  await a.context.close();
});
