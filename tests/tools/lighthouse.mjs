// Lighthouse (12.2.3, its default mobile preset: simulated slow 4G, 4× CPU slowdown, a
// Moto G Power's screen) on the real local server, in Debian's Chromium, for two pages:
//   a. the join page a new phone sees, `/tham-gia.html`, in a fresh profile;
//   b. the entry screen `/` of an enrolled volunteer: the profile is enrolled first
//      (playwright, `Phone.enrolIn`) and records one entry, then Lighthouse runs in that same profile without
//      resetting its storage (`disableStorageReset`: the enrolment in `localStorage`, the
//      service worker and its cache kept — the page opens as on the volunteer's phone).
// Prints per page the three scores, the metrics, and every failing audit of accessibility
// and best practices (score < 1) and every performance opportunity, with their items
// (selector and snippet, or URL), for fixing the app. A measurement, not a test.
// Usage: SOTAY_SERVER=… SOTAY_DIST=dist node tests/tools/lighthouse.mjs
// Each page LIGHTHOUSE_RUNS times (3 unless set): Lighthouse's simulated figures vary
// from run to run on a loaded machine. (LIGHTHOUSE_OUT=dir also writes each page's last
// report there, as JSON.)
// (lighthouse and chrome-launcher from npm: `lighthouse` in package.json.)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { startServer, launchProfile, Phone } from '../e2e/support.mjs';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const METRICS = [['first-contentful-paint', 'FCP'], ['largest-contentful-paint', 'LCP'],
  ['total-blocking-time', 'TBT'], ['cumulative-layout-shift', 'CLS'], ['speed-index', 'Speed Index'],
  ['interactive', 'TTI']];

/** Lighthouse on `url` in Debian's Chromium over the profile `dir`: the report (`lhr`). */
async function audit(url, dir, disableStorageReset) {
  const chrome = await chromeLauncher.launch({
    chromePath: '/usr/bin/chromium', chromeFlags: FLAGS, ignoreDefaultFlags: true, userDataDir: dir,
  });
  try {
    const { lhr } = await lighthouse(url, {
      port: chrome.port, logLevel: 'error', disableStorageReset,
      onlyCategories: ['performance', 'accessibility', 'best-practices'],
    });
    if (process.env.LIGHTHOUSE_OUT) {
      writeFileSync(join(process.env.LIGHTHOUSE_OUT, `${new URL(url).pathname.replace(/\W/g, '') || 'index'}.json`), JSON.stringify(lhr));
    }
    return lhr;
  } finally {
    await chrome.kill();
  }
}

/** One line per item of a failing audit: where it is. */
function items(details) {
  return (details?.items ?? []).map((item) => {
    if (item.node) return `${item.node.selector}  ${item.node.snippet}${item.node.explanation ? `\n        ${item.node.explanation.replaceAll('\n', ' ')}` : ''}`;
    const where = item.url ?? item.source?.url ?? item.groupLabel ?? item.label ?? item.description ?? '';
    const saving = item.wastedMs ? ` (−${Math.round(item.wastedMs)} ms)` : item.wastedBytes ? ` (−${item.wastedBytes} B)`
      : item.duration ? ` ${Math.round(item.duration)} ms` : '';
    return `${where}${saving}${item.description && where !== item.description ? `  ${item.description}` : ''}`;
  }).filter(Boolean);
}

const summary = (lhr) => `${Object.values(lhr.categories).map((c) => `${c.title} ${Math.round(c.score * 100)}`).join(' · ')}`
  + ` | ${METRICS.map(([id, name]) => `${name} ${lhr.audits[id].displayValue}`).join(' · ')}`;

/** Every run's scores and metrics, then the details of the run of median performance. */
function report(title, runs) {
  const byScore = [...runs].sort((a, b) => a.categories.performance.score - b.categories.performance.score);
  const lhr = byScore[Math.floor(runs.length / 2)];
  console.log(`\n${title}: ${lhr.finalDisplayedUrl} (Lighthouse ${lhr.lighthouseVersion}, ${lhr.environment.hostUserAgent.match(/Chrome\/[\d.]+/)})`);
  runs.forEach((run, i) => console.log(`  run ${i + 1}: ${summary(run)}${run.runWarnings.length ? ` (warnings: ${run.runWarnings.join(' | ')})` : ''}`));
  console.log(`  the median run (by performance): ${summary(lhr)}`);
  const failing = (category, keep) => lhr.categories[category].auditRefs.map((r) => lhr.audits[r.id])
    .filter(keep);
  const show = (label, audits) => {
    console.log(`  ${label}: ${audits.length ? '' : 'none'}`);
    for (const a of audits) {
      console.log(`    ${a.id}: ${a.title}${a.displayValue ? ` — ${a.displayValue}` : ''}`);
      for (const line of items(a.details)) console.log(`      ${line}`);
    }
  };
  const failed = (a) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== 'informative'
    && a.scoreDisplayMode !== 'manual' && a.scoreDisplayMode !== 'notApplicable';
  const lcp = lhr.audits['largest-contentful-paint-element'].details?.items?.[0]?.items?.[0]?.node;
  if (lcp) console.log(`  LCP element: ${lcp.selector}  ${lcp.snippet}`);
  const long = lhr.audits['long-tasks'].details?.items ?? [];
  console.log(`  long tasks (simulated): ${long.map((t) => `${Math.round(t.duration)} ms ${t.url.replace(/^https?:\/\/[^/]+/, '')}`).join(', ') || 'none'}`);
  const errored = Object.values(lhr.audits).filter((a) => a.scoreDisplayMode === 'error');
  for (const a of errored) console.log(`  could not run: ${a.id}: ${a.errorMessage.slice(0, 140)}`);
  show('accessibility, failing', failing('accessibility', failed));
  show('best practices, failing', failing('best-practices', failed));
  show('performance opportunities', failing('performance', (a) => a.details?.type === 'opportunity' && failed(a)));
  show('performance diagnostics, failing', failing('performance', (a) => a.details?.type !== 'opportunity'
    && !METRICS.some(([id]) => id === a.id) && failed(a)));
}

const RUNS = Number(process.env.LIGHTHOUSE_RUNS ?? 3);
const server = await startServer();
const dirs = [mkdtempSync(join(tmpdir(), 'sotay-lh-')), mkdtempSync(join(tmpdir(), 'sotay-lh-'))];
try {
  const joining = [];
  for (let i = 0; i < RUNS; i += 1) joining.push(await audit(new URL('tham-gia.html', server.url).href, dirs[0], false));
  report('a. a new phone, the join page', joining);

  // The volunteer's phone: enrolled, its worker installed and in control, then closed.
  const context = await launchProfile(dirs[1]);
  const phone = await Phone.inContext(context, server, 'Lighthouse');
  await phone.enrolIn('Tổ 11');
  await phone.page.evaluate(() => navigator.serviceWorker.ready);
  await phone.page.reload();
  // As a volunteer uses it: one entry recorded and sent (the app's code has run a while,
  // as on a phone in use, before the page is closed).
  await phone.enter('dat_hien', '120');
  await phone.syncNow();
  await context.close();
  const entry = [];
  for (let i = 0; i < RUNS; i += 1) entry.push(await audit(server.url, dirs[1], true));
  report('b. an enrolled volunteer, the entry screen', entry);
} finally {
  await server.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
