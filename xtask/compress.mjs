// Writes `name.br` and `name.gz` beside each file of `dist` a browser fetches: brotli at
// its best (quality 11, the largest window, Google's C encoder as Node ships it, which
// the Rust port trails by a few hundred bytes on the entry WASM) and gzip at level 9 for
// browsers without brotli. Run by `cargo xtask build` after the service worker is written.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, extname } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const COMPRESSED = new Set(['.wasm', '.js', '.css', '.html', '.svg', '.webmanifest']);
const dist = process.argv[2];
for (const name of readdirSync(dist)) {
  if (!COMPRESSED.has(extname(name))) continue;
  const path = join(dist, name);
  const bytes = readFileSync(path);
  const params = {
    [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
    [constants.BROTLI_PARAM_LGWIN]: constants.BROTLI_MAX_WINDOW_BITS,
    [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
  };
  writeFileSync(`${path}.br`, brotliCompressSync(bytes, { params }));
  writeFileSync(`${path}.gz`, gzipSync(bytes, { level: 9 }));
}
