// Minifies JavaScript with terser and CSS with lightningcss, in place (run by `cargo xtask build`):
//   node xtask/minify.mjs module FILE…   wasm-bindgen's JS glue (ES modules)
//   node xtask/minify.mjs script FILE…   the pages' inline scripts (their top-level
//                                        function names kept: the page calls them)
//   node xtask/minify.mjs css FILE…      the stylesheets
// Bytes on every first load: the entry page's glue is 6,2 KB of brotli as wasm-bindgen
// writes it, 4,6 KB minified (BENCHMARKS.md).
import { readFileSync, writeFileSync } from 'node:fs';
import { transform } from 'lightningcss';
import { minify } from 'terser';

const [kind, ...files] = process.argv.slice(2);
if (!['module', 'script', 'css'].includes(kind) || files.length === 0) {
  throw new Error('usage: node xtask/minify.mjs module|script|css FILE…');
}
for (const file of files) {
  if (kind === 'css') {
    writeFileSync(file, transform({ filename: file, code: readFileSync(file), minify: true }).code);
    continue;
  }
  const { code } = await minify(readFileSync(file, 'utf8'), {
    module: kind === 'module',
    compress: { passes: 2 },
    mangle: true,
    format: { comments: false },
  });
  writeFileSync(file, code);
}
