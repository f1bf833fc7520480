import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The repository root: the closest ancestor of this file holding a package.json with npm workspaces.
 * Works from sources (deploy/src/stack, ts-jest) and from the build (deploy/dist/stack).
 */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { workspaces?: unknown };
        if (pkg.workspaces) return dir;
      } catch {
        // not a readable manifest: keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(__dirname, '../../..');
    dir = parent;
  }
}

/** `<repo>/.data/<sub...>`: everything the local stack writes lives there (git-ignored). */
export function dataPath(...sub: string[]): string {
  return path.join(repoRoot(), '.data', ...sub);
}
