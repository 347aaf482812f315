// Writes a gzip copy (`name.gz`, level 9) beside every text file of dist. The
// binary embeds the copies instead of the originals (src/http/ui.rs) and serves them as
// they are to browsers that accept gzip, so both the binary and every page load are
// smaller; the originals stay for WEB_DIR.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants } from 'node:zlib';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const text = /\.(js|css|html|svg|json|txt|map)$/;
let before = 0;
let after = 0;

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      walk(path);
    } else if (text.test(name)) {
      const body = readFileSync(path);
      const packed = gzipSync(body, { level: constants.Z_BEST_COMPRESSION });
      writeFileSync(`${path}.gz`, packed);
      before += body.length;
      after += packed.length;
    }
  }
}

walk(dist);
console.log(`gzip: ${before} → ${after} bytes of text assets`);
