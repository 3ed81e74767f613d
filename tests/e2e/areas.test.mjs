// A commune keeps its own residential areas, in the real browser: its officer adds a
// thôn (refused in Vietnamese when the name or the day is wrong; a change whose answer
// was lost is sent again and filed once), issues a volunteer's code for it, renames it
// and closes it; the volunteer's figures stay, and an entry for a month after the
// closing is refused with its reason. A ward merges a tổ into another (the old tổ's
// phone still syncs, its figures under the new tổ) and splits one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startBoth, stopBoth, Phone, eventually, apiCall, SHOTS } from './support.mjs';

let server, browser;

before(async () => ({ server, browser } = await startBoth()));
after(() => stopBoth({ server, browser }));

const two = (n) => String(n).padStart(2, '0');
const vn = (d) => `${two(d.getDate())}/${two(d.getMonth() + 1)}/${d.getFullYear()}`;
const iso = (d) => `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;

/** The areas under `commune` as the administrator's API sees them: [name, valid_to]. */
async function areasUnder(commune) {
  const units = await server.api('GET', 'api/v1/units', server.admin.token);
  return units.filter((u) => u.parent === server.unitId(commune)).map((u) => [u.name, u.valid_to ?? null]);
}

test('an officer adds, renames and closes a thôn, and a volunteer records in it', async () => {
  const officer = await Phone.open(browser, server, 'Cán bộ xã');
  await officer.join(await server.issueCode('ward_officer', 'Xã Xuất Hóa'), 'Cán bộ xã Xuất Hóa');
  await officer.page.waitForURL(/officer/);
  const page = officer.page;
  await page.getByRole('tab', { name: 'Khu dân cư' }).click();
  const list = page.getByTestId('area-list');
  await eventually(() => list.innerText(), (t) => /Thôn Nà Bản/.test(t) && /Thôn Tổng Nẻng/.test(t), 'the areas');
  const before = await areasUnder('Xã Xuất Hóa');

  // Mistakes are refused in Vietnamese, and nothing is sent.
  const name = page.getByLabel('Tên thôn, bản, tổ dân phố');
  const since = page.getByLabel(/Thành lập từ ngày/);
  const add = page.getByRole('button', { name: 'Thêm khu dân cư' });
  const alert = page.locator('form.issue [role=alert]');
  await add.click();
  await eventually(() => alert.innerText(), (t) => /cần có chữ hoặc số/.test(t), 'an empty name refused');
  await name.fill('thôn nà bản');
  await add.click();
  await eventually(() => alert.innerText(), (t) => /Đã có khu dân cư "Thôn Nà Bản"/.test(t), 'a taken name refused');
  await name.fill('Thôn Nà Pài');
  await since.fill('31/02/2026');
  await add.click();
  await eventually(() => alert.innerText(), (t) => t.length > 0 && !/Đã có/.test(t), 'a day that does not exist refused');
  assert.deepEqual(await areasUnder('Xã Xuất Hóa'), before, 'nothing was filed');

  // The first try reaches the server but its answer is lost; the second sends the same change.
  const lastYear = new Date(new Date().getFullYear() - 1, 0, 1);
  await since.fill(vn(lastYear));
  let lost = 0;
  await page.route('**/api/v1/areas', async (route) => {
    await route.fetch();
    lost += 1;
    await route.abort('internetdisconnected');
  }, { times: 1 });
  await add.click();
  await eventually(() => alert.innerText(), (t) => t.length > 0, 'the lost answer said');
  assert.equal(lost, 1, 'the change reached the server');
  await add.click();
  await eventually(() => page.getByTestId('area-done').innerText(), (t) => t === 'Đã thêm Thôn Nà Pài.', 'added');
  const row = list.locator('li', { hasText: 'Thôn Nà Pài' });
  assert.match(await row.innerText(), new RegExp(`Từ ngày ${vn(lastYear)}`));
  const added = (await areasUnder('Xã Xuất Hóa')).filter(([n]) => n === 'Thôn Nà Pài');
  assert.deepEqual(added, [['Thôn Nà Pài', null]], 'filed once');
  await officer.screenshot(`${SHOTS}officer-areas.png`);

  // A code for the new thôn, and its volunteer records and syncs.
  await page.getByRole('tab', { name: 'Mã tham gia' }).click();
  await page.getByLabel('Khu dân cư').selectOption({ label: 'Thôn Nà Pài' });
  await page.getByRole('button', { name: 'Cấp mã' }).click();
  const code = (await page.getByTestId('issued-code').innerText()).trim();
  const volunteer = await Phone.open(browser, server, 'Nà Pài');
  await volunteer.joinAsVolunteer(code, 'Trưởng ban Nà Pài');
  await volunteer.waitForStatus(/Đã đồng bộ lúc/);
  assert.match(await volunteer.page.getByTestId('area-name').innerText(), /Thôn Nà Pài/);
  await volunteer.enter('dat_hien', '75');
  await volunteer.waitForStatus(/Đã đồng bộ lúc/);

  // The officer renames it from today, then closes it from the first of this month.
  await page.getByRole('tab', { name: 'Khu dân cư' }).click();
  await row.getByRole('button', { name: 'Đổi tên' }).click();
  await row.getByLabel('Tên mới').fill('Thôn Nà Pài Mới');
  await row.getByRole('button', { name: 'Lưu tên mới' }).click();
  await eventually(() => page.getByTestId('area-done').innerText(), (t) => /Đã đổi tên thành Thôn Nà Pài Mới/.test(t),
    'renamed');
  const renamed = list.locator('li', { hasText: 'Thôn Nà Pài Mới' });
  await renamed.getByRole('button', { name: 'Giải thể' }).click();
  const first = new Date(new Date().getFullYear(), new Date().getMonth(), 1);
  await renamed.getByLabel(/Từ ngày/).fill(vn(first));
  await officer.screenshot(`${SHOTS}officer-area-close.png`);
  await renamed.getByRole('button', { name: 'Xác nhận giải thể' }).click();
  const lastDay = new Date(first.getFullYear(), first.getMonth(), 0);
  await eventually(() => renamed.innerText(), (t) => t.includes(`Ngừng hoạt động sau ngày ${vn(lastDay)}`), 'closed');
  assert.equal(await renamed.getByRole('button', { name: 'Đổi tên' }).count(), 0, 'a closed area is not renamed');

  // Its figures stay in the commune's.
  await page.getByRole('tab', { name: 'Số liệu' }).click();
  await officer.chooseWardIndicator('Đất nhân dân hiến');
  await eventually(() => officer.wardTable(), (rows) => rows.some((r) => r[0] === 'Thôn Nà Pài Mới' && r[1] === '75 m²'),
    'the closed area\'s figures in the commune');

  // An entry of this month, after the closing: the server refuses it and says why.
  await volunteer.enter('dat_hien', '5');
  await volunteer.syncNow();
  await eventually(() => volunteer.page.getByTestId('notices').innerText(), (t) => /1 mục cần xem lại/.test(t),
    'the notice');
  await volunteer.page.goto(new URL('may.html', server.url).href);
  const item = volunteer.page.getByTestId('review-item');
  await item.waitFor();
  assert.match(await item.innerText(), new RegExp(`đã giải thể sau ngày ${vn(lastDay)}`));

  // The commune's trail has each change.
  await page.getByRole('tab', { name: 'Nhật ký' }).click();
  const trail = await eventually(() => page.getByTestId('audit-list').innerText(),
    (t) => /Giải thể khu dân cư/.test(t), 'the trail');
  assert.match(trail, /Thành lập khu dân cư «Thôn Nà Pài»/);
  assert.match(trail, /Đổi tên khu dân cư thành «Thôn Nà Pài Mới»/);
  assert.deepEqual([...officer.errors, ...volunteer.errors], []);
});

test('a ward merges one tổ into another and splits one; the figures follow the merge', async () => {
  const officer = await Phone.open(browser, server, 'Cán bộ phường');
  await officer.join(await server.issueCode('ward_officer', 'Phường Nguyễn Thị Minh Khai'), 'Cán bộ phường NTMK');
  await officer.page.waitForURL(/officer/);
  const page = officer.page;
  const volunteer = await Phone.open(browser, server, 'Tổ 11');
  await volunteer.joinAsVolunteer(await server.issueCode('volunteer', 'Tổ 11'), 'Tổ trưởng Tổ 11');
  await volunteer.waitForStatus(/Đã đồng bộ lúc/);

  // Tổ 11 is merged into Tổ 13 from the first of this month.
  await page.getByRole('tab', { name: 'Khu dân cư' }).click();
  const list = page.getByTestId('area-list');
  const row = list.locator('li', { hasText: 'Tổ 11' });
  await row.getByRole('button', { name: 'Sáp nhập' }).click();
  await row.getByLabel('Sáp nhập vào').selectOption({ label: 'Tổ 13' });
  const first = new Date(new Date().getFullYear(), new Date().getMonth(), 1);
  await row.getByLabel(/Từ ngày/).fill(vn(first));
  await officer.screenshot(`${SHOTS}officer-area-merge.png`);
  await row.getByRole('button', { name: 'Xác nhận sáp nhập' }).click();
  await eventually(() => page.getByTestId('area-done').innerText(), (t) => t === 'Đã sáp nhập Tổ 11 vào Tổ 13.', 'merged');
  const lastDay = new Date(first.getFullYear(), first.getMonth(), 0);
  assert.match(await row.innerText(), new RegExp(`Ngừng hoạt động sau ngày ${vn(lastDay)}`));

  // Tổ 11's phone hears that it closed when its ward's page asks what it may see; the
  // entry is still taken, by the phone and by the server, and counts to Tổ 13.
  await volunteer.openWard();
  await eventually(() => volunteer.page.evaluate(() => localStorage.getItem('sotay.v1.enrolment') ?? ''),
    (p) => p.includes(`"valid_to":"${iso(lastDay)}"`), 'the profile with Tổ 11\'s last day');
  await volunteer.openEntry();
  await volunteer.enter('dat_hien', '40');
  await volunteer.waitForStatus(/Đã đồng bộ lúc/);
  assert.doesNotMatch(await volunteer.page.locator('body').innerText(), /cần xem lại/, 'nothing refused');
  await page.getByRole('tab', { name: 'Số liệu' }).click();
  await officer.chooseWardIndicator('Đất nhân dân hiến');
  const rows = await eventually(() => officer.wardTable(), (r) => r.some((x) => x[0] === 'Tổ 13' && x[1] === '40 m²'),
    'Tổ 11\'s entry under Tổ 13');
  assert.ok(!rows.some((r) => r[0] === 'Tổ 11'), 'no column of its own after the merge');

  // Tổ 15 is split in two; the first new tổ carries it on.
  await page.getByRole('tab', { name: 'Khu dân cư' }).click();
  const fifteen = list.locator('li', { hasText: 'Tổ 15' });
  await fifteen.getByRole('button', { name: 'Chia tách' }).click();
  const parts = fifteen.getByLabel(/Tên các khu dân cư mới/);
  await parts.fill('Tổ 15A');
  await fifteen.getByLabel(/Từ ngày/).fill(vn(first));
  await fifteen.getByRole('button', { name: 'Xác nhận chia tách' }).click();
  await eventually(() => fifteen.locator('[role=alert]').innerText(), (t) => /từ 2 đến 10/.test(t), 'one part refused');
  await parts.fill('Tổ 15A\nTổ 15B');
  await fifteen.getByRole('button', { name: 'Xác nhận chia tách' }).click();
  await eventually(() => page.getByTestId('area-done').innerText(),
    (t) => t === 'Đã chia tách Tổ 15 thành Tổ 15A, Tổ 15B.', 'split');
  await eventually(() => list.innerText(), (t) => /Tổ 15A/.test(t) && /Tổ 15B/.test(t), 'the new tổ listed');

  // The ward's trail says both.
  await page.getByRole('tab', { name: 'Nhật ký' }).click();
  const trail = await eventually(() => page.getByTestId('audit-list').innerText(), (t) => /Chia tách/.test(t), 'trail');
  assert.match(trail, /Sáp nhập khu dân cư vào «Tổ 13»/);
  assert.match(trail, /Chia tách khu dân cư thành «Tổ 15A», «Tổ 15B»/);
  assert.deepEqual([...officer.errors, ...volunteer.errors], []);
});

test('a volunteer cannot change areas', async () => {
  const volunteer = await server.enrol('volunteer', 'Thôn Nà Bản', 'Trưởng ban Nà Bản');
  const change = { id: 'e-volunteer-1', area: 'kdc-volunteer-1', effective: '2026-01-01',
    change: { kind: 'create', parent: server.unitId('Xã Xuất Hóa'), name: 'Thôn Tự Lập' } };
  const refused = await apiCall(server.url, 'POST', 'api/v1/areas', volunteer.token, change);
  assert.equal(refused.status, 403);
  assert.equal(refused.json.code, 'forbidden');
  assert.match(refused.json.message, /không được quản lý khu dân cư/);
});

test('an administrator finds a commune among its units by typing its name without diacritics', async () => {
  const admin = await Phone.open(browser, server, 'Quản trị');
  await admin.join(await server.issueCode('province_admin', 'Thành phố Bắc Kạn'), 'Quản trị tỉnh');
  await admin.page.waitForURL(/officer/);
  await admin.page.getByRole('tab', { name: 'Nhật ký' }).click();
  const select = admin.page.getByRole('combobox', { name: /^Đơn vị/ });
  await eventually(() => select.locator('option').count(), (n) => n >= 12, 'every unit in reach');
  await admin.page.getByLabel('Tìm đơn vị (gõ không dấu được)').fill('nong thuong');
  await eventually(() => select.locator('option').allInnerTexts(), (o) => o.length === 1 && o[0] === 'Xã Nông Thượng',
    'one match');
  assert.equal(await select.inputValue(), server.unitId('Xã Nông Thượng'), 'the match is picked');
  await admin.screenshot(`${SHOTS}officer-find-unit.png`);
  assert.deepEqual(admin.errors, []);
});
