import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

/** Markdown outside fenced code blocks: a `[x](y)` inside a code sample is not a link. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchors(file: string): Set<string> {
  const headings = [...prose(readFileSync(file, 'utf8')).matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1]!));
  // GitHub numbers repeated headings: the second "Usage" is #usage-1.
  const seen = new Map<string, number>();
  return new Set(
    headings.map((anchor) => {
      const count = seen.get(anchor) ?? 0;
      seen.set(anchor, count + 1);
      return count === 0 ? anchor : `${anchor}-${count}`;
    }),
  );
}

/** Every relative link target of a page: inline links `[text](target)`, without external URLs. */
function relativeLinks(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((m) => m[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

describe('README and docs/', () => {
  it('keep the README a front door of at most 250 lines', () => {
    const lines = readFileSync(join(root, 'README.md'), 'utf8').trimEnd().split('\n').length;
    expect(lines).toBeLessThanOrEqual(250);
  });

  it('link only to files, folders and headings that exist', () => {
    const broken = pages.flatMap((page) => {
      const file = join(root, page);
      return relativeLinks(readFileSync(file, 'utf8')).flatMap((target) => {
        const [path = '', anchor] = target.split('#');
        const resolved = path === '' ? file : resolve(dirname(file), decodeURI(path));
        if (!resolved.startsWith(root + '/') && resolved !== root) return [`${page}: ${target} (outside the repository)`];
        if (!existsSync(resolved)) return [`${page}: ${target} (${relative(root, resolved)} does not exist)`];
        if (anchor === undefined) return [];
        if (statSync(resolved).isDirectory() || !resolved.endsWith('.md')) return [`${page}: ${target} (an anchor into something other than a page)`];
        return anchors(resolved).has(anchor) ? [] : [`${page}: ${target} (no such heading)`];
      });
    });
    expect(broken).toEqual([]);
  });

  it('link every docs/ page from the README', () => {
    const readme = relativeLinks(readFileSync(join(root, 'README.md'), 'utf8')).map((target) => target.split('#')[0]);
    const unlinked = pages.filter((page) => page !== 'README.md' && !readme.includes(page));
    expect(unlinked).toEqual([]);
  });
});
