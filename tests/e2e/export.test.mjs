// A ward's report for a chosen period, downloaded as Excel and CSV in the real browser:
// the officer picks the quarter, the heading says it, and the files hold the figure; the
// workbook opens in LibreOffice (headless, printed to PDF); the figures as bars.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startBoth, stopBoth, Phone, eventually, SHOTS } from './support.mjs';

let server, browser;

before(async () => ({ server, browser } = await startBoth()));
after(() => stopBoth({ server, browser }));

test('an officer downloads the quarter\'s report as .xlsx and CSV', async () => {
  // A volunteer of Tổ 11 has synced 640 m² of land donated this month.
  const volunteer = await server.enrol('volunteer', 'Tổ 11', 'Trưởng ban Tổ 11');
  const now = new Date();
  const month = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`;
  await server.api('POST', 'api/v1/sync', volunteer.token, { protocol: 2, device: volunteer.device,
    counters: [{ area: server.unitId('Tổ 11'), indicator: 'dat_hien', month, inc: 640, dec: 0 }] });

  const officer = await Phone.open(browser, server, 'Cán bộ', server.url);
  await officer.join(await server.issueCode('ward_officer', 'Phường Nguyễn Thị Minh Khai'), 'Cán bộ phường NTMK');
  await officer.page.waitForURL(/officer/);
  const page = officer.page;
  const quarter = ['I', 'II', 'III', 'IV'][Math.floor(now.getMonth() / 3)];
  await page.getByLabel('Kỳ báo cáo').selectOption({ label: `Quý ${quarter}` });
  await eventually(() => page.getByTestId('report-heading').innerText(),
    (t) => t.includes(`Quý ${quarter} năm ${now.getFullYear()}`), 'the quarter in the heading');
  await officer.chooseWardIndicator('Đất nhân dân hiến');
  await eventually(() => officer.wardTable(), (rows) => rows.some((r) => r[0] === 'Tổ 11' && r[1] === '640 m²'), 'Tổ 11');
  await officer.screenshot(`${SHOTS}officer-report-period.png`);

  // The same figures as bars, one per area, drawn (SVG, not boxes of no size).
  const chart = page.locator('figure.chart').first();
  assert.equal(await chart.locator('figcaption').innerText(), 'Đất nhân dân hiến theo khu dân cư');
  assert.deepEqual(await chart.locator('text').allTextContents(),
    ['Tổ 11: 640 m²', 'Tổ 13: 0 m²', 'Tổ 15: 0 m²']);
  const widths = await chart.locator('rect').evaluateAll((bars) => bars.map((b) => b.getBoundingClientRect().width));
  assert.ok(widths[0] > 300 && widths[1] === 0, `the one donation is the longest bar: ${widths}`);
  await chart.scrollIntoViewIfNeeded();
  await officer.screenshot(`${SHOTS}officer-chart.png`);
  // Its trend over five years, a bar a year, this year's the only one.
  await page.getByRole('button', { name: 'Xem 5 năm gần đây' }).click();
  const trend = page.getByTestId('trend').locator('text');
  const years = await eventually(() => trend.allTextContents(), (t) => t.length === 5, 'five years');
  assert.equal(years[4], `Năm ${now.getFullYear()}: 640 m²`);
  assert.equal(years[0], `Năm ${now.getFullYear() - 4}: 0 m²`);

  const fetch = async (button) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
    return { name: download.suggestedFilename(), bytes: readFileSync(await download.path()) };
  };
  const period = `${now.getFullYear()}-Q${Math.floor(now.getMonth() / 3) + 1}`;
  const xlsx = await fetch('Tải Excel (.xlsx)');
  assert.equal(xlsx.name, `bao-cao-${server.unitId('Phường Nguyễn Thị Minh Khai')}-${period}.xlsx`);
  assert.equal(xlsx.bytes.subarray(0, 2).toString(), 'PK', 'a workbook is a zip');
  // LibreOffice opens the workbook and prints it to PDF without error.
  const work = mkdtempSync(join(tmpdir(), 'sotay-xlsx-'));
  try {
    writeFileSync(join(work, xlsx.name), xlsx.bytes);
    execFileSync('soffice', [`-env:UserInstallation=file://${work}/profile`, '--headless', '--convert-to', 'pdf',
      '--outdir', work, join(work, xlsx.name)], { stdio: 'pipe', timeout: 120_000 });
    const pdf = readFileSync(join(work, xlsx.name.replace(/\.xlsx$/, '.pdf')));
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-', 'LibreOffice printed the workbook');
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? [];
    assert.ok(pages.length >= 1, `${pages.length} pages`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const csv = await fetch('Tải CSV');
  assert.equal(csv.name, `bao-cao-${server.unitId('Phường Nguyễn Thị Minh Khai')}-${period}.csv`);
  const text = csv.bytes.toString('utf8');
  assert.ok(text.startsWith('\ufeff'), 'a byte order mark');
  assert.match(text, new RegExp(`Quý ${quarter} năm ${now.getFullYear()}`));
  assert.match(text, /;Đất nhân dân hiến;m²;640;0;;640;/, 'this quarter, the same quarter a year earlier, by area');

  // The five years up to this one, and one month.
  await page.getByLabel('Kỳ báo cáo').selectOption({ label: 'Giai đoạn 5 năm (đến năm đã chọn)' });
  await eventually(() => page.getByTestId('report-heading').innerText(),
    (t) => t.includes(`Giai đoạn ${now.getFullYear() - 4}–${now.getFullYear()}`), 'the five years in the heading');
  await eventually(() => officer.wardTable(), (rows) => rows.some((r) => r[0] === 'Tổ 11' && r[1] === '640 m²'), 'over five years');
  await page.getByLabel('Kỳ báo cáo').selectOption({ label: `Tháng ${now.getMonth() + 1}` });
  await eventually(() => page.getByTestId('report-heading').innerText(),
    (t) => t.includes(`Tháng ${now.getMonth() + 1}/${now.getFullYear()}`), 'the month in the heading');
  assert.deepEqual(officer.errors, []);
});

test('the report prints in the Front\'s layout on A4', async () => {
  const officer = await Phone.open(browser, server, 'Cán bộ in');
  await officer.join(await server.issueCode('ward_officer', 'Phường Nguyễn Thị Minh Khai'), 'Cán bộ in báo cáo');
  await officer.page.waitForURL(/officer/);
  const page = officer.page;
  await eventually(() => page.getByTestId('report-heading').innerText(), (t) => !/đang tải/.test(t), 'the report');
  await page.getByRole('button', { name: 'In báo cáo' }).click();
  const doc = page.getByTestId('print-view');
  const text = await doc.innerText();
  for (const part of ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc', 'ỦY BAN MTTQ VIỆT NAM',
    'PHƯỜNG NGUYỄN THỊ MINH KHAI', 'Số: …/BC-MTTQ', 'BÁO CÁO', 'I. Đặc điểm tình hình',
    'III. Kết quả thực hiện 5 nội dung', 'VI. Kiến nghị', 'TM. BAN THƯỜNG TRỰC', 'CHỦ TỊCH']) {
    assert.ok(text.includes(part), `the document has "${part}"`);
  }
  assert.match(text, /Phường Nguyễn Thị Minh Khai, ngày \d\d tháng \d\d năm \d{4}/);
  assert.match(text, /Đất nhân dân hiến: 640 m²\./, 'the figures in section III');
  const headings = await doc.locator('table.annex th').allInnerTexts();
  assert.deepEqual(headings, ['STT', 'Chỉ tiêu', 'Đơn vị tính', 'Kết quả', 'Cùng kỳ năm trước', 'Ghi chú']);
  assert.match(text, /Mô hình đăng ký/, 'the models in the annex');
  // The officer writes section I on the page.
  await doc.locator('p.write').first().fill('Phường có 15 tổ dân phố.');
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.getByRole('tab', { name: 'Số liệu' }).isVisible(), false, 'no app chrome on paper');
  await page.screenshot({ path: `${SHOTS}officer-print.png` });
  const pdf = await page.pdf({ format: 'A4', path: `${SHOTS}bao-cao.pdf` });
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? [];
  assert.ok(pages.length >= 2, `the annex starts a page of its own: ${pages.length} pages`);
  await page.emulateMedia({ media: 'screen' });
  await page.getByRole('button', { name: 'Quay lại' }).click();
  await page.getByTestId('report-heading').waitFor();
  assert.deepEqual(officer.errors, []);
});
