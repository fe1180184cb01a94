/**
 * Files of the installed Switchyard package that the CLI reads: package.json
 * for the version and the JSON Schema of topology files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'switchyard';

let cachedRoot: string | undefined;

/**
 * Returns the package folder: the nearest folder above this module whose
 * package.json has the name "switchyard". This works from the source checkout
 * (app/cli) and from the compiled CLI (dist/app/cli).
 */
export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME) {
      cachedRoot = folder;
      return folder;
    }
    const parent = dirname(folder);
    if (parent === folder) throw new Error(`No package.json named "${PACKAGE_NAME}" above ${fileURLToPath(import.meta.url)}. Reinstall Switchyard.`);
    folder = parent;
  }
}

/** Returns the `version` field of the package's package.json. */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown };
  return String(manifest.version);
}

/** Returns the path of the topology JSON Schema that ships with the package, or undefined when this installation lacks it. */
export function packageSchemaPath(): string | undefined {
  const path = join(packageRoot(), 'schema', 'topology.schema.json');
  return existsSync(path) ? path : undefined;
}
