// Copies the files the API docs page (/docs) needs from the swagger-ui-dist package
// (Apache-2.0, https://github.com/swagger-api/swagger-ui) into dist/docs, next to the
// dashboard, so the binary embeds only these and not the whole distribution. The page
// itself and its initializer are ours (src/http/docs.rs, public/docs/).
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(web, 'node_modules', 'swagger-ui-dist');
const to = join(web, 'dist', 'docs');
const files = [
  'swagger-ui-bundle.js',
  'swagger-ui-bundle.js.LICENSE.txt',
  'swagger-ui.css',
  'index.css',
  'favicon-32x32.png',
  'LICENSE',
  'NOTICE'
];

mkdirSync(to, { recursive: true });
for (const file of files) {
  copyFileSync(join(from, file), join(to, file));
}
console.log(`docs page: ${files.length} files from swagger-ui-dist → dist/docs`);
