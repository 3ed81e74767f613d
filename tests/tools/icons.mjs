// Draws the installed app's icons from `public/icon.svg` with Debian's Chromium: 192 and
// 512 px as they are, and a maskable 512 px one (full-bleed red, the star within the
// centre 80 %, the safe zone a launcher's mask keeps). Run once when the icon changes:
//   node tests/tools/icons.mjs
// The PNGs are committed in `public/`; the build copies them to `dist/`.
import { readFileSync } from 'node:fs';
import { launchBrowser } from '../e2e/support.mjs';

const PUBLIC = new URL('../../public/', import.meta.url).pathname;
const svg = readFileSync(`${PUBLIC}icon.svg`, 'utf8');
const star = /<path[^>]*\/>/.exec(svg)[0];
const maskable = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" fill="#b3261e"/>'
  + `<g transform="translate(32 33) scale(0.62) translate(-32 -35)">${star}</g></svg>`;

const browser = await launchBrowser();
for (const [name, source, size] of [['icon-192.png', svg, 192], ['icon-512.png', svg, 512], ['icon-maskable-512.png', maskable, 512]]) {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  await page.setContent(`<style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style>${source}`);
  await page.screenshot({ path: `${PUBLIC}${name}`, omitBackground: true });
  await page.close();
}
await browser.close();
