// Writes dist/node10-types/: the declarations that TypeScript's `moduleResolution: "node"` (node10,
// what the stock Pulumi TypeScript project uses) gets through package.json's `typesVersions`, since
// it does not read `exports`. They are those of dist/ except for one thing: zod is imported from its
// ESM-flavoured declarations (`zod/index.js` is `zod/index.d.ts` to node10). zod's CommonJS ones
// (`index.d.cts`, what `"zod"` resolves to) re-export `export =` modules as defaults, an error in a
// project without `esModuleInterop` even with nothing of it used (colinhacks/zod#5573); the
// resolvers that read `exports` (node16, nodenext, bundler) imply `esModuleInterop` and keep dist/.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const DIST = join(ROOT, "dist");
const TARGET = join(DIST, "node10-types");
/** The folders whose declarations the package's entry points reach. */
const SOURCES = ["sdk", "emulator", "providers", "cli"];
/** A zod module specifier in an import, an export or an `import("...")` type. */
const ZOD_SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*)(["'])zod(\/[^"']*)?\2/g;

/**
 * The declaration with each zod specifier pointing at a file that node10 resolves to zod's
 * ESM-flavoured declarations: `zod` to `zod/index.js`, `zod/<folder>` to `zod/<folder>/index.js`.
 * @param {string} text
 * @returns {string}
 */
function forNode10(text) {
  return text.replace(ZOD_SPECIFIER, (_match, lead, quote, subpath) => `${lead}${quote}zod${subpath ?? ""}/index.js${quote}`);
}

/**
 * @param {string} folder
 * @returns {string[]} the declaration files under the folder, at any depth
 */
function declarationsUnder(folder) {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return declarationsUnder(path);
    return entry.isFile() && entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

function main() {
  rmSync(TARGET, { recursive: true, force: true });
  let written = 0;
  for (const source of SOURCES) {
    for (const file of declarationsUnder(join(DIST, source))) {
      const target = join(TARGET, relative(DIST, file));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, forNode10(readFileSync(file, "utf8")));
      written += 1;
    }
  }
  if (written === 0) throw new Error(`no declarations under ${DIST}/{${SOURCES.join(",")}}: run tsc -p tsconfig.json first`);
}

main();
