// The app's first-load transfer: every file index.html loads (WASM + JS + CSS), raw,
// gzip (level 9) and brotli (quality 11), in bytes. Usage: node tests/tools/sizes.mjs dist
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const dist = process.argv[2] ?? 'dist';
const files = readdirSync(dist).filter((f) => /\.(wasm|js|css)$/.test(f)).sort();
const total = { raw: 0, gzip: 0, brotli: 0 };
console.log('file\traw\tgzip\tbrotli');
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
console.log(`total\t${total.raw}\t${total.gzip}\t${total.brotli}`);
