// The local cache under $OCICAT_HOME/cache: one OCI image layout per repository
// (cache/layouts/<registry>/<repository>) plus refs.json, the index of cached
// references by tag and by digest. refs.json is rewritten via temp + rename under
// a lock, and a reference is recorded only after its blobs are all in place, so
// several ocicat processes can share a cache and a failure never leaves a
// reference to something partial.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withLock } from '../content/file-lock.ts';
import { OciLayout } from '../content/oci-layout.ts';
import { OcicatError } from '../errors.ts';
import { formatReference, type Reference } from '../oci/reference.ts';
import { atomicWrite } from '../util/atomic-write.ts';
import type { Form } from './artifact.ts';

export interface CacheEntry {
  registry: string;
  repository: string;
  /** Absent for an artifact cached by digest only. */
  tag?: string;
  digest: string;
  name: string;
  version: string;
  form: Form;
  /** ISO time this reference was recorded. */
  recorded: string;
}

interface RefsFile {
  schemaVersion: 1;
  refs: CacheEntry[];
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');

export function entryReference(e: CacheEntry): string {
  return formatReference({
    registry: e.registry,
    repository: e.repository,
    ...(e.tag ? { tag: e.tag } : { digest: e.digest }),
  });
}

export class CatalogCache {
  readonly root: string;

  private constructor(root: string) {
    this.root = root;
  }

  static async open(home: string): Promise<CatalogCache> {
    const root = join(home, 'cache');
    // the home and its cache are the user's alone (home-check.ts refuses one others can write)
    await mkdir(join(root, 'layouts'), { recursive: true, mode: 0o700 });
    return new CatalogCache(root);
  }

  layoutPath(registry: string, repository: string): string {
    return join(this.root, 'layouts', safe(registry), ...repository.split('/'));
  }

  layout(registry: string, repository: string): Promise<OciLayout> {
    return OciLayout.open(this.layoutPath(registry, repository));
  }

  private get refsPath(): string {
    return join(this.root, 'refs.json');
  }

  async entries(): Promise<CacheEntry[]> {
    let text: string;
    try {
      text = await readFile(this.refsPath, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    try {
      const doc = JSON.parse(text) as RefsFile;
      if (doc.schemaVersion !== 1 || !Array.isArray(doc.refs)) throw new Error('unknown schema');
      return doc.refs;
    } catch (e) {
      throw new OcicatError(
        'INVALID_ARGUMENT',
        `cache index ${this.refsPath} is damaged (${(e as Error).message})`,
        {
          hint: 'remove it; cached blobs stay and can be pulled or packaged again',
        },
      );
    }
  }

  /** The cached artifact for a reference (by tag, else by digest). */
  async find(ref: Reference): Promise<CacheEntry | undefined> {
    const all = await this.entries();
    const same = all.filter((e) => e.registry === ref.registry && e.repository === ref.repository);
    if (ref.digest)
      return same.find((e) => e.digest === ref.digest && (!ref.tag || e.tag === ref.tag)) ?? undefined;
    if (ref.tag) return same.find((e) => e.tag === ref.tag);
    return undefined;
  }

  /** Record (or replace) a reference. Returns the entry it replaced, if any. */
  async record(entry: Omit<CacheEntry, 'recorded'>): Promise<CacheEntry | undefined> {
    let previous: CacheEntry | undefined;
    await withLock(join(this.root, 'refs.lock'), async () => {
      const all = await this.entries();
      const key = (e: Pick<CacheEntry, 'registry' | 'repository' | 'tag' | 'digest'>) =>
        `${e.registry}/${e.repository}${e.tag ? `:${e.tag}` : `@${e.digest}`}`;
      previous = all.find((e) => key(e) === key(entry));
      const refs = all.filter((e) => key(e) !== key(entry));
      refs.push({ ...entry, recorded: new Date().toISOString() });
      refs.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
      await atomicWrite(
        this.refsPath,
        `${JSON.stringify({ schemaVersion: 1, refs } satisfies RefsFile, null, 2)}\n`,
      );
    });
    return previous;
  }
}
