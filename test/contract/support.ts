/** Reading docs/reference.md's tables and any Markdown file's links. */
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const REFERENCE = path.join(ROOT, 'docs', 'reference.md');

/** Text outside fenced code blocks (their lines become empty, so line structure stays). */
function prose(markdown: string): string {
  let fenced = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (line.startsWith('```')) fenced = !fenced;
      return fenced || line.startsWith('```') ? '' : line;
    })
    .join('\n');
}

/**
 * The cells of the first table after the line that is, or starts with, `heading`
 * (header and separator rows left out). Throws when there is none: a renamed
 * heading must fail the test, not make it check nothing.
 */
export function tableRows(markdown: string, heading: string): string[][] {
  const lines = prose(markdown).split('\n');
  const start = lines.findIndex((l) => l === heading || l.startsWith(`${heading} `));
  if (start < 0) throw new Error(`no "${heading}" in the document`);
  const first = lines.findIndex((l, i) => i > start && l.startsWith('|'));
  if (first < 0) throw new Error(`no table after "${heading}"`);
  const rows: string[][] = [];
  for (let i = first + 2; i < lines.length && lines[i]!.startsWith('|'); i++) {
    // Split on unescaped pipes (a cell may hold `a \| b`).
    rows.push(lines[i]!.slice(1, -1).split(/(?<!\\)\|/).map((cell) => cell.trim()));
  }
  return rows;
}

/** Relative link targets of a Markdown text (web links, mail and in-page anchors left out), without #fragments. */
export function markdownLinks(markdown: string): string[] {
  const text = prose(markdown).replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((m) => m[1]!)
    .filter((target) => !/^(?:[a-z][a-z0-9+.-]*:|#)/i.test(target))
    .map((target) => target.split('#')[0]!);
}
