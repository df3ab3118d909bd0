/**
 * (4) What each function ships: every file of dist/<fn>/ that index.js may
 * load, its size (minified and gzip), and what fills it, from the esbuild
 * metafile the build writes (dist/meta.json).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';

export interface BundleFile {
  fn: string;
  file: string;
  bytes: number;
  gzipBytes: number;
  /** The largest contributors: npm packages, or our top-level source folders. */
  top: Array<{ name: string; bytes: number }>;
}

interface Metafile {
  outputs: Record<string, { bytes: number; inputs: Record<string, { bytesInOutput: number }> }>;
}

/** node_modules/@scope/pkg/... → @scope/pkg; node_modules/pkg/... → pkg; lib/dcs/x.ts → lib/dcs. */
export function contributorOf(input: string): string {
  const i = input.lastIndexOf('node_modules/');
  if (i < 0) return input.split('/').slice(0, 2).join('/');
  const parts = input.slice(i + 'node_modules/'.length).split('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

export function bundleFiles(root: string, topN = 5): BundleFile[] {
  const meta = JSON.parse(fs.readFileSync(path.join(root, 'dist', 'meta.json'), 'utf8')) as Record<string, Metafile>;
  const files: BundleFile[] = [];
  for (const [fn, metafile] of Object.entries(meta)) {
    for (const [output, info] of Object.entries(metafile.outputs)) {
      if (!output.endsWith('.js')) continue;
      const byName = new Map<string, number>();
      for (const [input, { bytesInOutput }] of Object.entries(info.inputs)) {
        const name = contributorOf(input);
        byName.set(name, (byName.get(name) ?? 0) + bytesInOutput);
      }
      const top = [...byName].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes).slice(0, topN);
      const content = fs.readFileSync(path.join(root, output));
      files.push({ fn, file: path.basename(output), bytes: content.length, gzipBytes: gzipSync(content).length, top });
    }
  }
  return files;
}
