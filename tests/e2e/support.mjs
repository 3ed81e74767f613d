// Test harness for the end-to-end tests: the real local server (the binary built by
// `cargo xtask test`) on a free loopback port over a fresh data file — or, with
// SOTAY_E2E_STORE=dynamodb, over a fresh table in moto's DynamoDB server on loopback —
// Debian's Chromium driven by playwright-core, and a page object for the app.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { chromium } from 'playwright-core';

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Starts `command`; resolves with the first match of `pattern` in its output (all of
 * the output so far is in `output()`). */
function startProcess(command, args, env, pattern, what) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  let seen = '';
  const found = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start`)), 20_000);
    child.stdout.on('data', (chunk) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) { clearTimeout(timer); resolve(match[0]); }
    });
    child.on('exit', (code) => reject(new Error(`${what} exited with ${code}`)));
  });
  return { child, found, output: () => seen };
}

async function stopProcess(child) {
  if (child.exitCode !== null) return;
  child.kill('SIGINT');
  await new Promise((resolve) => child.once('exit', resolve));
}

/** Runs `binary` with `args` to its end; resolves with what it printed. */
function runToEnd(binary, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (chunk) => { out += chunk.toString(); });
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args[0]} exited with ${code}: ${out}`))));
  });
}

/** Starts the local server (and moto, for the DynamoDB store); resolves once it serves.
 * `{ seeds: true }`: over the seeds' demo (`sotay-local load-demo`), its administrator of
 * Tỉnh Thái Nguyên enrolled; else over the tests' demo tree. */
export async function startServer({ seeds = false } = {}) {
  const binary = process.env.SOTAY_SERVER;
  const dist = process.env.SOTAY_DIST;
  if (!binary || !dist) throw new Error('run through `cargo xtask test` (SOTAY_SERVER and SOTAY_DIST unset)');
  const dir = mkdtempSync(join(tmpdir(), 'sotay-e2e-'));
  const helpers = [];
  let store = ['--data', join(dir, 'e2e.redb')];
  // The demo tree from the seed articles in a new store: the tests' units.
  const env = seeds ? {} : { SOTAY_DEMO: "1" };
  if (process.env.SOTAY_E2E_STORE === 'dynamodb') {
    const motoPort = await freePort();
    const moto = startProcess('python3', ['tests/tools/moto_dynamodb.py', String(motoPort)], {},
      /listening/, 'moto');
    helpers.push(moto.child);
    await moto.found;
    store = ['--store', 'dynamodb', '--table', 'sotay-e2e', '--endpoint', `http://127.0.0.1:${motoPort}`];
    Object.assign(env, {
      AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'ap-southeast-1',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
  }
  let seeded = null;
  if (seeds) {
    const loaded = await runToEnd(binary, ['load-demo', ...store], env);
    const province = /Tỉnh Thái Nguyên: sotay-local create-admin --unit (\S+)/.exec(loaded)[1];
    const link = await runToEnd(binary, ['create-admin', '--unit', province, ...store], env);
    seeded = /#join=([A-Z0-9-]+)/.exec(link)[1];
  }
  const port = await freePort();
  const serve = (files) => startProcess(binary, ['--addr', `127.0.0.1:${port}`, '--dist', files, ...store], env,
    /đang chạy: (http:\/\/[\d.:]+\/)/, 'server');
  let server = serve(dist);
  const url = /http:\/\/[\d.:]+\//.exec(await server.found)[0];
  // A new store prints the one-time join link of a province administrator.
  const adminCode = seeded ?? /#join=([A-Z0-9-]+)/.exec(server.output())[1];
  const admin = await api(url, 'POST', 'api/v1/join', null, { code: adminCode, label: 'Quản trị thử nghiệm' });
  const units = await api(url, 'GET', 'api/v1/units', admin.token);
  return {
    url,
    admin,
    /** The id of the unit named `name` (today's, when one before 1/7/2025 has its name). */
    unitId(name) {
      const unit = units.find((u) => u.name === name && !u.valid_to) ?? units.find((u) => u.name === name);
      if (!unit) throw new Error(`no unit named ${name}`);
      return unit.id;
    },
    /** A join code the administrator issues. */
    async issueCode(role, unitName, extra = {}) {
      const issued = await api(url, 'POST', 'api/v1/codes', admin.token, { role, unit: this.unitId(unitName), ...extra });
      return issued.code;
    },
    /** Enrols a device through the API (not a browser): { device, token, profile }. */
    async enrol(role, unitName, label) {
      const code = await this.issueCode(role, unitName);
      return api(url, 'POST', 'api/v1/join', null, { code, label });
    },
    api: (method, path, token, body) => api(url, method, path, token, body),
    /** Stops serving (the store keeps its data): a phone out of signal, a server down. */
    async halt() {
      await stopProcess(server.child);
    },
    /** Serves again on the same address over the same store, the app of `files` (another
     * build, for an update). */
    async resume(files = dist) {
      server = serve(files);
      await server.found;
    },
    async stop() {
      await stopProcess(server.child);
      for (const child of helpers) await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One JSON call to the API; fails on any status but 200. */
export async function api(base, method, path, token, body) {
  const { status, json } = await apiCall(base, method, path, token, body);
  if (status !== 200) throw new Error(`${method} ${path}: ${status} ${JSON.stringify(json)}`);
  return json;
}

/** One JSON call to the API: { status, json }. */
export async function apiCall(base, method, path, token, body) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const text = body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body));
  const url = new URL(path, base);
  const send = () => fetch(url, { method, headers, body: text });
  // A connection the server closed after refusing an oversized body is retried once.
  const response = await send().catch(() => send());
  return { status: response.status, json: await response.json() };
}

/** Where the tests write their screenshots. */
export const SHOTS = new URL('./artifacts/', import.meta.url).pathname;

/** What most test files start with: the server and a browser (`before`), and the
 * screenshots' directory. */
export async function startBoth() {
  mkdirSync(SHOTS, { recursive: true });
  return { server: await startServer(), browser: await launchBrowser() };
}

/** What they end with (`after`): both stopped, whatever started. */
export async function stopBoth({ server, browser }) {
  await browser?.close();
  await server?.stop();
}

export async function launchBrowser() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** A phone's browser with its profile kept in `dir`: closing it and launching it again on
 * the same `dir` is the phone's browser closed and opened again (a cold start). */
export async function launchProfile(dir) {
  return chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, viewport: { width: 360, height: 740 }, locale: 'vi-VN',
  });
}

/** Polls until `read()` satisfies `test`, or fails with the last value seen. */
export async function eventually(read, test, what, timeout = 15_000) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    last = await read();
    if (test(last)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
}

/** One phone: a browser profile of its own (isolated storage), 360×740. */
/** The heading of the entry screen's section that holds each indicator (the catalogue
 * the app is built with: `domain/data/catalogue.json`). */
const CATALOGUE = JSON.parse(readFileSync(new URL('../../domain/data/catalogue.json', import.meta.url)));
const SECTION_OF = new Map(CATALOGUE.indicators.map(({ id, content }) => {
  const c = CATALOGUE.contents.find((c) => c.number === content);
  return [id, c ? `Nội dung ${c.number}. ${c.short}` : 'Thông tin chung của khu dân cư'];
}));

export class Phone {
  /** Opens the app (or `start`, a link into it) in a new profile. */
  static async open(browser, server, name, start = server.url) {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
    return Phone.inContext(context, server, name, start);
  }

  /** Opens the app (or `start`) in the browser profile `context` (`launchProfile`). */
  static async inContext(context, server, name, start = server.url) {
    const url = server.url;
    const page = context.pages()[0] ?? await context.newPage();
    const phone = new Phone(context, page, url, name);
    phone.server = server;
    page.on('pageerror', (e) => phone.errors.push(e.message));
    if (process.env.SOTAY_E2E_CONSOLE) page.on('console', (m) => console.log(name, m.type(), m.text()));
    page.on('request', (r) => { if (r.postData()) phone.sent.push(r.postData()); });
    await page.goto(start);
    return phone;
  }

    /** A second tab of the same phone: same storage, same device. */
  async openTab(name) {
    const page = await this.context.newPage();
    const tab = new Phone(this.context, page, this.url, name);
    tab.server = this.server;
    page.on('pageerror', (e) => tab.errors.push(e.message));
    await page.goto(this.url);
    return tab;
  }

  constructor(context, page, url, name) {
    Object.assign(this, { context, page, url, name, errors: [], sent: [] });
  }

  /** Joins with `code` on the join screen, as the device `label`. */
  async join(code, label = `Trưởng ban ${this.name}`) {
    await this.page.getByLabel('Mã tham gia').fill(code);
    await this.page.getByLabel('Tên thiết bị').fill(label);
    await this.page.getByRole('button', { name: 'Tham gia' }).click();
  }

  /** Joins with a volunteer's `code`, then leaves the first-time help for the entry screen. */
  async joinAsVolunteer(code, label) {
    await this.join(code, label);
    await this.leaveHelp();
  }

  /** The first-time help a volunteer sees once enrolled: on to the entry screen. */
  async leaveHelp() {
    await this.page.waitForURL(/\/huong-dan\.html$/);
    await this.page.getByRole('link', { name: 'Bắt đầu nhập số liệu' }).click();
    await this.page.waitForURL((url) => url.pathname === '/');
  }

  /** Enrols this phone as the volunteer of the area `name` (a code from the administrator). */
  async enrolIn(name) {
    await this.joinAsVolunteer(await this.server.issueCode('volunteer', name));
    await this.waitForStatus(/Đã đồng bộ lúc \d\d:\d\d/);
  }

  /** Types the day of the next entries, dd/mm/yyyy as the field reads, and leaves the field. */
  async setDay(date) {
    const two = (n) => String(n).padStart(2, '0');
    const field = this.page.getByLabel(/Ngày ghi/);
    await field.fill(`${two(date.getDate())}/${two(date.getMonth() + 1)}/${date.getFullYear()}`);
    await field.blur();
  }

  /** The row of `indicator`: on the screen once its section has been opened (`reveal`). */
  row(indicator) {
    return this.page.getByTestId(`indicator-${indicator}`);
  }

  /** Waits for the entry screen: its sections' headings (their rows come as they open). */
  async entryShown() {
    await this.page.getByRole('heading', { name: SECTION_OF.get('so_ho') }).waitFor();
  }

  /** Opens the content section holding `indicator`'s row, as a volunteer taps its heading. */
  async reveal(indicator) {
    const name = SECTION_OF.get(indicator);
    if (!name) throw new Error(`${indicator} is not in the catalogue`);
    const heading = this.page.getByRole('heading', { name, exact: true });
    const section = this.page.locator('details.content', { has: heading });
    if (!(await section.evaluate((d) => d.open))) await section.locator('summary').click();
    await this.row(indicator).waitFor();
    return this.row(indicator);
  }

  /** Enters an amount (or a level) with a note, and waits for "saved". */
  async enter(indicator, amount, note = '') {
    const row = await this.reveal(indicator);
    await row.getByRole('button', { name: 'Nhập' }).click();
    await row.getByLabel(/Số lượng|Số hiện có/).fill(amount);
    if (note) await row.getByLabel(/Ghi chú/).fill(note);
    await row.getByRole('button', { name: 'Lưu' }).click();
    await eventually(() => this.saveMessage(), (t) => t.startsWith('Đã lưu'), 'the saved message');
  }

  async tick(indicator, answer) {
    await (await this.reveal(indicator)).getByRole('button', { name: answer, exact: true }).click();
    await eventually(() => this.saveMessage(), (t) => t.includes(answer), 'the saved message');
  }

  saveMessage() {
    return this.page.getByTestId('save-message').innerText();
  }

  /** The figure the screen shows for `indicator` (its section opened if it was not). */
  async areaValue(indicator) {
    return (await this.reveal(indicator)).getByTestId('area-value').textContent();
  }

  status() {
    return this.page.getByTestId('sync-state').innerText();
  }

  waitForStatus(pattern, timeout) {
    return eventually(() => this.status(), (t) => pattern.test(t), `sync state ${pattern}`, timeout);
  }

  async syncNow() {
    await this.page.getByRole('button', { name: 'Đồng bộ', exact: true }).click();
    await this.waitForStatus(/Đã đồng bộ lúc/);
  }

  /** Cuts the phone off the API (the pages still load, from the server or the service worker). */
  async cutNetwork() {
    await this.context.route('**/api/**', (route) => route.abort('internetdisconnected'));
  }

  async restoreNetwork() {
    await this.context.unroute('**/api/**');
  }

  async storedLedger() {
    return this.page.evaluate(() => localStorage.getItem('sotay.v1.ledger'));
  }

  async openWard() {
    await this.page.getByRole('link', { name: /Tổng hợp/ }).click();
    await this.page.waitForURL(/tong-hop/);
  }

  async chooseWardIndicator(label) {
    await this.page.getByLabel('Chỉ tiêu').selectOption({ label });
  }

  /** The ward table as [[area, value], …, [sum label, sum]]. */
  async wardTable() {
    return this.page.getByTestId('ward-table').locator('tr').evaluateAll((rows) =>
      rows.slice(1).map((r) => [...r.children].map((c) => c.innerText.trim())));
  }

  async openEntry() {
    await this.page.getByRole('link', { name: 'Nhập số liệu' }).click();
    await this.page.waitForURL((url) => url.pathname === '/');
  }

  async screenshot(file) {
    await this.page.screenshot({ path: file, fullPage: false });
  }
}
