// The app runs under the server's Content-Security-Policy with nothing refused: its
// pages' inline bootstrap (allowed by hash), its WebAssembly, its styles, and a join
// code's QR code (SVG markup put into the page) — every violation the browser reports
// fails the test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBoth, stopBoth } from './support.mjs';

let server, browser;

before(async () => ({ server, browser } = await startBoth()));
after(() => stopBoth({ server, browser }));

/** Opens `path` in a fresh profile, recording every CSP violation and console error. */
async function openRecorded(path) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
  const page = await context.newPage();
  const refused = [];
  await page.exposeFunction('reportViolation', (v) => refused.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      window.reportViolation(`${e.violatedDirective} refused ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`));
  });
  page.on('console', (message) => { if (message.type() === 'error') refused.push(`console: ${message.text()}`); });
  page.on('pageerror', (e) => refused.push(`page error: ${e.message}`));
  const response = await page.goto(new URL(path, server.url).href);
  return { context, page, refused, policy: response.headers()['content-security-policy'] };
}

test('the app starts under the policy and nothing is refused', async () => {
  const { context, page, refused, policy } = await openRecorded('/');
  assert.match(policy, /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/]{43}='/);
  assert.doesNotMatch(policy, /unsafe-inline/);
  // The join screen is drawn by the WebAssembly app: the bootstrap ran and so did the module.
  await page.getByLabel('Mã tham gia').waitFor();
  const issued = await server.api('POST', 'api/v1/codes', server.admin.token,
    { role: 'volunteer', unit: server.unitId('Tổ 11') });
  await page.evaluate((svg) => {
    const shown = document.createElement('div');
    shown.innerHTML = svg;
    document.body.append(shown);
  }, issued.qr_svg);
  assert.equal(await page.locator('svg path').count() > 0, true, 'the QR code is in the page');
  await page.waitForTimeout(300);
  assert.deepEqual(refused, []);
  await context.close();
});

test("the officers' page starts under the policy too", async () => {
  const { context, page, refused } = await openRecorded('/officer.html');
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(300);
  assert.deepEqual(refused, []);
  await context.close();
});
