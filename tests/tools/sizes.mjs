// What each page of the app loads (WASM + JS + CSS named in its HTML), raw, gzip (level
// 9) and brotli (quality 11), in bytes. A new phone's first load is `tham-gia.html` (the
// join page); an enrolled volunteer opens `index.html`; the others load on demand.
// Usage: node tests/tools/sizes.mjs dist
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const dist = process.argv[2] ?? 'dist';
for (const page of readdirSync(dist).filter((f) => f.endsWith('.html')).sort()) {
  const html = readFileSync(join(dist, page), 'utf8');
  const files = [...new Set([...html.matchAll(/\/([\w-]+\.(?:wasm|js|css))/g)].map((m) => m[1]))].sort();
  const total = { raw: 0, gzip: 0, brotli: 0 };
  console.log(`${page}\nfile\traw\tgzip\tbrotli`);
  for (const file of files) {
    const bytes = readFileSync(join(dist, file));
    const row = {
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    };
    for (const k of Object.keys(total)) total[k] += row[k];
    console.log(`${file}\t${row.raw}\t${row.gzip}\t${row.brotli}`);
  }
  console.log(`total\t${total.raw}\t${total.gzip}\t${total.brotli}\n`);
}
