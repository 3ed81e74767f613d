// A ward's models, in the real browser: its officer registers a model of one of its
// areas (a name a spreadsheet would read as a formula refused in Vietnamese; a
// registration whose answer was lost sent again and filed once), then records its
// inspection and its acceptance; the counts and the printed report carry it, and an
// inspection team of another city may not judge it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startBoth, stopBoth, Phone, eventually, apiCall, SHOTS } from './support.mjs';

let server, browser;

before(async () => ({ server, browser } = await startBoth()));
after(() => stopBoth({ server, browser }));

/** The models of `unit` this year, through the administrator's API. */
async function modelsOf(unit) {
  const year = new Date().getFullYear();
  return server.api('GET', `api/v1/units/${server.unitId(unit)}/models?period=${year}`, server.admin.token);
}

test('a ward registers a model, inspects it and accepts it, and the report counts it', async () => {
  const officer = await Phone.open(browser, server, 'Cán bộ phường');
  await officer.join(await server.issueCode('ward_officer', 'Phường Nguyễn Thị Minh Khai'), 'Cán bộ phường NTMK');
  await officer.page.waitForURL(/officer/);
  const page = officer.page;
  await page.getByRole('tab', { name: 'Mô hình' }).click();
  const list = page.getByTestId('model-list');
  await eventually(() => list.innerText(), (t) => /Chưa có mô hình nào/.test(t), 'no model yet');

  // A formula for a name is refused in Vietnamese, and nothing is sent.
  const form = page.locator('form.issue');
  await form.getByLabel('Khu dân cư, xã, phường đăng ký').selectOption({ label: 'Tổ 11' });
  await form.getByLabel('Nội dung').selectOption({ index: 2 });
  const name = form.getByLabel('Tên mô hình');
  await name.fill('=1+1');
  await form.getByRole('button', { name: 'Đăng ký' }).click();
  await eventually(() => form.getByRole('alert').innerText(), (t) => /Tên mô hình cần có chữ/.test(t), 'refused');
  assert.equal((await modelsOf('Phường Nguyễn Thị Minh Khai')).models.length, 0, 'nothing filed');

  // The first try reaches the server but its answer is lost; the second sends the same step.
  await name.fill('Tổ dân phố xanh – sạch – đẹp');
  let lost = 0;
  await page.route('**/api/v1/models', async (route) => {
    await route.fetch();
    lost += 1;
    await route.abort('internetdisconnected');
  }, { times: 1 });
  await form.getByRole('button', { name: 'Đăng ký' }).click();
  const done = page.getByTestId('model-done');
  await eventually(() => done.innerText(), (t) => /^Chưa gửi được: bước "Đăng ký" đã lưu trên máy này/.test(t),
    'the lost answer said');
  assert.equal(lost, 1, 'the registration reached the server');
  await form.getByRole('button', { name: 'Đăng ký' }).click();
  await eventually(() => done.innerText(), (t) => t === 'Đã ghi "Đăng ký": Tổ dân phố xanh – sạch – đẹp.', 'registered');
  const row = list.locator('li[data-model]', { hasText: 'Tổ dân phố xanh – sạch – đẹp' });
  await eventually(() => row.innerText(), (t) => /Tổ 11 · Nội dung 3 · Đã đăng ký/.test(t), 'listed');
  const filed = await modelsOf('Phường Nguyễn Thị Minh Khai');
  assert.equal(filed.models.length, 1, 'filed once');
  assert.equal(filed.models[0].steps.length, 1, 'one registration');

  // Its inspection, then its acceptance, each the next step offered.
  for (const [step, status] of [['Kiểm tra, thẩm định', 'Đã kiểm tra'], ['Nghiệm thu đạt', 'Nghiệm thu đạt']]) {
    await row.getByRole('button', { name: 'Ghi bước tiếp theo' }).click();
    await row.getByLabel('Bước').selectOption({ label: step });
    await row.getByLabel('Ghi chú (không bắt buộc)').fill('Đoàn kiểm tra của phường');
    if (step === 'Nghiệm thu đạt') await officer.screenshot(`${SHOTS}officer-model-step.png`);
    await row.getByRole('button', { name: 'Lưu' }).click();
    await eventually(() => row.innerText(), (t) => t.includes(`Nội dung 3 · ${status}`), status);
  }
  const counts = page.getByTestId('model-counts');
  await eventually(() => counts.innerText(), (t) => /Mô hình nghiệm thu đạt\s+1/.test(t), 'counted');
  assert.match(await counts.innerText(), /Mô hình đăng ký\s+1/);
  await officer.screenshot(`${SHOTS}officer-models.png`);

  // The printed report has it in its last group.
  await page.getByRole('tab', { name: 'Số liệu' }).click();
  await page.getByRole('button', { name: 'In báo cáo' }).click();
  const doc = page.getByTestId('print-view');
  await eventually(() => doc.innerText(), (t) => /Mô hình nghiệm thu đạt/.test(t), 'the models in the print view');
  assert.deepEqual(officer.errors, []);
});

test('an inspection team judges only the models within its reach', async () => {
  const ward = await server.enrol('ward_officer', 'Phường Đức Xuân', 'Cán bộ Đức Xuân');
  const register = { id: 'e-dx-1', model: 'mh-dx-1', day: '2026-03-01',
    step: { kind: 'register', unit: server.unitId('Tổ 8A'), content: 4, name: 'Khu dân cư ba không' } };
  const filed = await apiCall(server.url, 'POST', 'api/v1/models', ward.token, register);
  assert.equal(filed.status, 200, JSON.stringify(filed.json));
  const team = await server.enrol('inspector', 'Phường Nguyễn Thị Minh Khai', 'Đoàn kiểm tra NTMK');
  const inspect = { id: 'e-dx-2', model: 'mh-dx-1', day: '2026-04-01', step: { kind: 'inspect' } };
  const refused = await apiCall(server.url, 'POST', 'api/v1/models', team.token, inspect);
  assert.equal(refused.status, 403);
  assert.equal(refused.json.code, 'forbidden');
  assert.match(refused.json.message, /kiểm tra, nghiệm thu mô hình/);
});
