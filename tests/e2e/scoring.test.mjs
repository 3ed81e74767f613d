// Scoring a model, in the real browser: the city's inspection team sets Bắc Kạn's
// "Khu dân cư văn minh" sheet (a line that is not an item said in Vietnamese), then, with
// the server down, scores a ward's inspected model on its phone: the total and verdict
// computed as the points are typed, the score held on the phone across a reload and
// sent once when the connection is back; only the verdict the score computes is offered.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchProfile, Phone, eventually, apiCall, SHOTS } from './support.mjs';

let server;
let context;
const dir = mkdtempSync(join(tmpdir(), 'sotay-profile-'));

before(async () => { server = await startServer(); });
after(async () => {
  await context?.close().catch(() => {});
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The model's steps as the server holds them. */
async function stepsOf(model) {
  const year = new Date().getFullYear();
  const report = await server.api('GET', `api/v1/units/${server.unitId('Thành phố Bắc Kạn')}/models?period=${year}`,
    server.admin.token);
  return report.models.find((m) => m.id === model)?.steps ?? [];
}

/** Opens the officers' page on the phone's profile, at the models tab. */
async function openModels() {
  context = await launchProfile(dir);
  const phone = await Phone.inContext(context, server, 'Đoàn kiểm tra', new URL('officer.html', server.url).href);
  await phone.page.getByRole('tab', { name: 'Mô hình' }).click();
  return phone;
}

test('an inspection team sets a sheet, scores a model without signal, and the score lands once', async () => {
  // GIVEN Tổ 13's model of content 2, registered by its ward and inspected
  const day = new Date().toISOString().slice(0, 10);
  const ward = await server.enrol('ward_officer', 'Phường Nguyễn Thị Minh Khai', 'Cán bộ phường');
  const register = { id: 'e-13-1', model: 'mh-to13', day,
    step: { kind: 'register', unit: server.unitId('Tổ 13'), content: 2, name: 'Tổ dân phố văn minh' } };
  assert.equal((await apiCall(server.url, 'POST', 'api/v1/models', ward.token, register)).status, 200);
  const inspect = { id: 'e-13-2', model: 'mh-to13', day, step: { kind: 'inspect' } };
  assert.equal((await apiCall(server.url, 'POST', 'api/v1/models', ward.token, inspect)).status, 200);

  // WHEN the city's team joins on its phone and sets the sheet
  context = await launchProfile(dir);
  let phone = await Phone.inContext(context, server, 'Đoàn kiểm tra');
  await phone.join(await server.issueCode('inspector', 'Thành phố Bắc Kạn'), 'Đoàn kiểm tra thành phố');
  await phone.page.waitForURL(/officer/);
  // The worker controls the page, so the officers' page is kept for a start without signal.
  await phone.page.evaluate(() => navigator.serviceWorker.ready);
  await phone.page.reload();
  await eventually(() => phone.page.evaluate(() => Boolean(navigator.serviceWorker.controller)), Boolean, 'a worker');
  await phone.page.getByRole('tab', { name: 'Mô hình' }).click();
  let page = phone.page;
  const sheets = page.getByTestId('sheet-list');
  await eventually(() => sheets.innerText(), (t) => /Chưa có phiếu chấm điểm/.test(t), 'no sheet yet');
  await page.getByText('Lập phiếu chấm điểm').click();
  const criteria = page.getByLabel('Tiêu chí và mục');
  await criteria.fill('Môi trường\n- Đường, ngõ sạch');
  const preview = page.getByTestId('sheet-preview');
  await eventually(() => preview.innerText(), (t) => /^Dòng 2: mỗi mục viết "- Tên mục: số điểm"/.test(t), 'the bad line');
  await page.getByRole('button', { name: 'Điền theo mẫu "Khu dân cư văn minh"' }).click();
  await eventually(() => preview.innerText(), (t) => t === '5 tiêu chí, 23 mục, tổng 100 điểm.', 'the sample read');
  await page.getByRole('button', { name: 'Lưu phiếu' }).click();
  await eventually(() => sheets.innerText(), (t) => /Khu dân cư văn minh\s+Nội dung 2 · Thành phố Bắc Kạn · 5 tiêu chí, 23 mục · 100 điểm, đạt từ 80/.test(t),
    'the sheet listed');
  const row = page.locator('li[data-model="mh-to13"]');
  await eventually(() => row.innerText(), (t) => /Tổ 13 · Nội dung 2 · Đã kiểm tra/.test(t), 'the model, inspected');
  // Inspected, it may not be judged before its score.
  await row.getByRole('button', { name: 'Ghi bước tiếp theo' }).click();
  const offered = await row.getByLabel('Bước').locator('option').allTextContents();
  assert.ok(!offered.includes('Nghiệm thu đạt') && !offered.includes('Nghiệm thu không đạt'), offered.join());
  await context.close();

  // AND, the server down (no signal), opens the page again and scores the model on it
  await server.halt();
  try {
    phone = await openModels();
    page = phone.page;
    let shown = page.locator('li[data-model="mh-to13"]');
    await eventually(() => shown.innerText(), (t) => /Đã kiểm tra/.test(t), 'the model kept on the phone');
    await eventually(() => page.getByTestId('officer-status').innerText(), (t) => /Không kết nối được máy chủ/.test(t),
      'offline, said');
    await shown.getByRole('button', { name: 'Chấm điểm theo phiếu' }).click();
    const items = shown.locator('form.score input[data-item]');
    assert.equal(await items.count(), 23);
    const total = shown.getByTestId('score-total');
    await items.nth(0).fill('3');
    assert.equal(await total.innerText(), 'Đã chấm 1/23 mục.');
    await items.nth(0).fill('7');
    const maxima = [6, 4, 4, 4, 2, 5, 5, 4, 3, 3, 5, 5, 4, 3, 3, 5, 4, 4, 4, 3, 7, 7, 6];
    for (let i = 1; i < 23; i++) await items.nth(i).fill(String(i < 6 ? 0 : maxima[i]));
    assert.equal(await total.innerText(), 'Mục "Không có hộ đói, hộ nghèo giảm so với năm trước": nhập số điểm từ 0 đến 6.');
    await items.nth(0).fill('0');
    assert.equal(await total.innerText(), 'Tổng: 75/100 điểm (đạt từ 80): Không đạt');
    await phone.screenshot(`${SHOTS}officer-score.png`);
    await shown.getByRole('button', { name: 'Lưu điểm' }).click();
    const done = page.getByTestId('model-done');
    await eventually(() => done.innerText(), (t) => t === 'Chưa gửi được: bước "Chấm điểm" đã lưu trên máy này, sẽ tự gửi khi có mạng.',
      'held, said');
    await eventually(() => shown.innerText(), (t) => /Đã chấm điểm/.test(t) && /Đoàn kiểm tra chấm: 75\/100 điểm/.test(t), 'scored here');

    // THEN closed and opened again without signal, the score is still held
    await context.close();
    phone = await openModels();
    page = phone.page;
    shown = page.locator('li[data-model="mh-to13"]');
    await eventually(() => shown.innerText(), (t) => /Đã chấm điểm/.test(t), 'the held score, after a restart');
    await shown.getByText('Các bước').click();
    assert.match(await shown.innerText(), /Chấm điểm: 75\/100 điểm \(đạt từ 80\): Không đạt \(Ban Thường trực, đoàn kiểm tra\) — chưa gửi, sẽ gửi khi có mạng/);
  } catch (e) {
    await server.resume();
    throw e;
  }
  await server.resume();

  // WHEN the connection is back, the held score goes by itself, once
  await context.setOffline(true);
  await context.setOffline(false);
  await eventually(async () => (await stepsOf('mh-to13')).length, (n) => n === 3, 'the score filed');
  const shown = page.locator('li[data-model="mh-to13"]');
  await eventually(() => shown.innerText(), (t) => /Đã chấm điểm/.test(t) && !/chưa gửi/.test(t), 'no longer held');
  const steps = await stepsOf('mh-to13');
  assert.equal(steps[2].event.step.kind, 'score');
  assert.equal(steps[2].role, 'inspector');

  // AND only the verdict the score computes is offered
  await shown.getByRole('button', { name: 'Ghi bước tiếp theo' }).click();
  const verdicts = await shown.getByLabel('Bước').locator('option').allTextContents();
  assert.ok(verdicts.includes('Nghiệm thu không đạt') && !verdicts.includes('Nghiệm thu đạt'), verdicts.join());
  await shown.getByLabel('Bước').selectOption({ label: 'Nghiệm thu không đạt' });
  await shown.getByRole('button', { name: 'Lưu' }).click();
  await eventually(() => shown.innerText(), (t) => /Nội dung 2 · Không đạt/.test(t), 'judged');
  await eventually(async () => (await stepsOf('mh-to13')).length, (n) => n === 4, 'the verdict filed');
  await eventually(() => shown.innerText(), (t) => !/chưa gửi/.test(t), 'nothing held');
  assert.equal((await stepsOf('mh-to13')).length, 4, 'each step filed once');
  assert.deepEqual(phone.errors, []);
});
