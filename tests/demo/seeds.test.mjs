// The seeds' demo, in the real browser: a server over a store given `sotay-local
// load-demo`; Tỉnh Thái Nguyên's administrator, new to the app, opens Thành phố Bắc Kạn's
// report for the years 2017–2019 (under the tree of those years) and finds the seeds'
// figures, then the same figures under today's map, in today's province.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer, launchBrowser, Phone, eventually, SHOTS } from '../e2e/support.mjs';

let server, browser;

before(async () => {
  server = await startServer({ seeds: true });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The unit's total of `indicator` in the report's list on screen. */
async function shown(page, indicator) {
  const item = page.locator('li', { has: page.locator('span', { hasText: new RegExp(`^${indicator}$`) }) }).first();
  return item.locator('span.num').innerText().catch(() => '');
}

test('a newcomer opens Bắc Kạn city\'s report of 2017–2019 and finds the seeds\' figures, then under today\'s map', async () => {
  const admin = await Phone.open(browser, server, 'Quản trị tỉnh');
  await admin.join(await server.issueCode('province_admin', 'Tỉnh Thái Nguyên'), 'Quản trị Thái Nguyên');
  await admin.page.waitForURL(/officer/);
  const page = admin.page;
  await page.getByTestId('report-heading').waitFor();
  await page.getByLabel('Tìm đơn vị (gõ không dấu được)').fill('thanh pho bac kan');
  await page.locator('label.pick', { hasText: /^Năm/ }).locator('select').selectOption('2019');
  await page.getByLabel('Kỳ báo cáo').selectOption({ label: 'Giai đoạn 5 năm (đến năm đã chọn)' });
  const heading = page.getByTestId('report-heading');
  await eventually(() => heading.innerText(), (t) => /Thành phố Bắc Kạn/.test(t) && /2015.2019/.test(t), 'the city, 2015–2019');
  await eventually(() => shown(page, 'Đất nhân dân hiến'), (t) => t === '8.111 m²', 'the land donated');
  for (const [indicator, value] of [
    ['Tiền nhân dân đóng góp', '640.000.000 đồng'],
    ['Ngày công lao động nhân dân', '5.379 ngày công'],
    ['Buổi tuyên truyền', '40 buổi'],
    ['Lượt hộ tham gia', '1.750 lượt hộ'],
  ]) {
    assert.equal(await shown(page, indicator), value, indicator);
  }
  await admin.screenshot(`${SHOTS}seeds-city-report.png`);

  // The same years under today's map: Tỉnh Thái Nguyên, which Bắc Kạn merged into.
  await page.getByLabel('Tìm đơn vị (gõ không dấu được)').fill('tinh thai nguyen');
  await eventually(() => heading.innerText(), (t) => /^.*Tỉnh Thái Nguyên/.test(t) && /2015.2019/.test(t), 'today\'s province');
  await eventually(() => shown(page, 'Đất nhân dân hiến'), (t) => t === '8.111 m²', 'the same land');
  assert.equal(await shown(page, 'Ngày công lao động nhân dân'), '5.379 ngày công');
  await admin.screenshot(`${SHOTS}seeds-today-report.png`);

  // Today's Phường Bắc Kạn lists the residential areas of the four wards merged into it
  // on 1/7/2025, each named with its old ward, and they add up to it.
  await page.getByLabel('Tìm đơn vị (gõ không dấu được)').fill('phuong bac kan');
  await eventually(() => heading.innerText(), (t) => /^Phường Bắc Kạn/.test(t) && /2015.2019/.test(t), 'today\'s ward');
  const table = page.getByTestId('ward-table');
  await eventually(() => table.locator('tbody tr').count(), (n) => n === 61, 'its 61 areas');
  const rows = await table.locator('tbody tr').allInnerTexts();
  assert.ok(rows.some((r) => r.startsWith('Tổ 1 (Phường Phùng Chí Kiên cũ)')), rows[0]);
  assert.ok(rows.some((r) => r.startsWith('Thôn 12 (Phường Xuất Hóa cũ)')), rows.at(-1));
  const sum = rows.map((r) => Number(r.split('\t').at(-1).replace(/\D/g, '') || 0)).reduce((a, b) => a + b, 0);
  assert.equal(`${sum}`, (await page.getByTestId('ward-sum').innerText()).replace(/\D/g, ''), 'the areas add up to the ward');
  await admin.screenshot(`${SHOTS}seeds-today-ward.png`);

  // Provincial IT's load of the province's units is in its trail.
  await page.getByRole('tab', { name: 'Nhật ký' }).click();
  await eventually(() => page.getByTestId('audit-list').innerText(),
    (t) => /Nạp đơn vị hành chính theo bộ dữ liệu vietnamadminunits 1\.0\.4: thêm 392/.test(t), 'the load in the trail');
  assert.deepEqual(admin.errors, []);
});

test('today\'s Phường Bắc Kạn keeps the areas of the four wards merged into it, and merges one into another\'s', async () => {
  const officer = await Phone.open(browser, server, 'Cán bộ phường Bắc Kạn');
  await officer.join(await server.issueCode('ward_officer', 'Phường Bắc Kạn'), 'Cán bộ phường Bắc Kạn');
  await officer.page.waitForURL(/officer/);
  const page = officer.page;
  await page.getByRole('tab', { name: 'Khu dân cư' }).click();
  const list = page.getByTestId('area-list');
  await eventually(() => list.locator('li').count(), (n) => n === 61, 'the 61 areas of the old wards');

  // Thôn 2 of the old Xã Nông Thượng merges into Thôn 1 of the old Phường Xuất Hóa.
  const row = list.locator('li', { hasText: 'Thôn 2 (Xã Nông Thượng cũ)' });
  await row.getByRole('button', { name: 'Sáp nhập' }).click();
  await row.getByLabel('Sáp nhập vào').selectOption({ label: 'Thôn 1 (Phường Xuất Hóa cũ)' });
  await row.getByLabel(/Từ ngày/).fill('01/01/2026');
  await officer.screenshot(`${SHOTS}seeds-merge-across-old-wards.png`);
  await row.getByRole('button', { name: 'Xác nhận sáp nhập' }).click();
  await eventually(() => page.getByTestId('area-done').innerText(),
    (t) => t === 'Đã sáp nhập Thôn 2 (Xã Nông Thượng cũ) vào Thôn 1 (Phường Xuất Hóa cũ).', 'merged');
  assert.match(await row.innerText(), /Ngừng hoạt động sau ngày 31\/12\/2025/);

  // Thôn 1 now reads Thôn 2's figures of 2019 too; the ward's total is unchanged.
  const ward = server.unitId('Phường Bắc Kạn');
  const report = await server.api('GET', `api/v1/units/${ward}/report?period=2017..2026`, server.admin.token);
  const land = (f) => f.figures.dat_hien.counter.total;
  const thon1 = report.children.find((c) => c.name === 'Thôn 1 (Phường Xuất Hóa cũ)');
  assert.ok(land(thon1) >= 561, `Thôn 1 holds Thôn 2's 561 m²: ${land(thon1)}`);
  assert.ok(!report.children.some((c) => c.name.startsWith('Thôn 2 (Xã Nông Thượng')), 'no column of its own');
  assert.equal(report.children.reduce((sum, c) => sum + land(c), 0), land(report.unit), 'the columns add up');
  assert.deepEqual(officer.errors, []);
});
