// Writes `dist/sw.js`, the app's service worker, with Workbox (run by `cargo xtask build`):
//   node xtask/service-worker.mjs DIST
// It precaches every file of the app (the pages, their JS and WASM, the CSS, the manifest
// and icons) but the officers' page under one cache per build, named by the SHA-256 of
// everything in it, so a phone opens the app without signal and a build is never mixed
// with another: the next build's worker installs beside the running one and waits until
// the app asks it to take over ("Đã có phiên bản mới"), then removes the old cache. The
// officers' page (`officer.html`, its JS and WASM: a third of the app) is kept only by a
// phone that opens it, an officer's: a volunteer's phone never downloads it. Its page is
// taken from the network first (a new build's names), its hashed files from the cache
// first. API requests are not handled: they always go to the network, never a cached
// answer shown as fresh.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSW, getManifest } from 'workbox-build';

const dist = process.argv[2];
if (!dist) throw new Error('usage: node xtask/service-worker.mjs DIST');

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** Each file's revision is the SHA-256 of its content; a name that carries its hash
 * (`app-<16 hex>.wasm`, `xtask::app::hashed_copy`) needs none. */
const revisions = async (entries) => ({
  manifest: entries.map((entry) => ({
    ...entry,
    revision: entry.revision === null ? null : sha256(readFileSync(join(dist, entry.url))),
  })),
  warnings: [],
});

const files = {
  globDirectory: dist,
  globPatterns: ['**/*.{html,js,wasm,css,svg,png,webmanifest}'],
  globIgnores: ['sw.js', 'officer*'],
  dontCacheBustURLsMatching: /-[0-9a-f]{16}\.\w+$/,
  manifestTransforms: [revisions],
  maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
};

const { manifestEntries } = await getManifest(files);
const build = sha256(manifestEntries.map((e) => `${e.url} ${e.revision ?? ''}\n`).sort().join('')).slice(0, 16);

const { count, size, warnings } = await generateSW({
  ...files,
  swDest: join(dist, 'sw.js'),
  cacheId: `sotay-${build}`,
  cleanupOutdatedCaches: true,
  // `/` is `index.html`; any other page address offline opens the entry page.
  directoryIndex: 'index.html',
  navigateFallback: '/index.html',
  navigateFallbackDenylist: [/^\/api\//, /^\/officer/],
  runtimeCaching: [
    {
      urlPattern: /\/officer\.html$/,
      handler: 'NetworkFirst',
      options: { cacheName: 'sotay-officer-page', networkTimeoutSeconds: 10 },
    },
    {
      urlPattern: /\/officer-[0-9a-f]{16}\.(js|wasm)$/,
      handler: 'CacheFirst',
      options: { cacheName: 'sotay-officer-files', expiration: { maxEntries: 4 } },
    },
  ],
  // The next build waits for the app's "SKIP_WAITING" message (the update button).
  skipWaiting: false,
  clientsClaim: false,
  inlineWorkboxRuntime: true,
  mode: 'production',
  sourcemap: false,
  disableDevLogs: true,
});
if (warnings.length) throw new Error(warnings.join('\n'));
console.log(`service worker: ${count} files, ${size} bytes, cache sotay-${build}`);
