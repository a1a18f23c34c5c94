// An OCI image layout on disk (image-spec image-layout.md): `oci-layout`,
// `index.json`, `blobs/<alg>/<encoded>`. Blobs are written to a temp file,
// verified while written, and renamed into place; index.json is rewritten via
// temp + rename under a lock, so concurrent processes never see it half written.
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { OcicatError } from '../errors.ts';
import { createHasher, isDigest, parseDigest, Verifier } from '../oci/digest.ts';
import { MAX_PULL_MANIFEST_BYTES } from '../oci/limits.ts';
import { type Descriptor, type ImageIndex, parseManifest } from '../oci/manifest.ts';
import { OCI_INDEX } from '../oci/media-types.ts';
import { type BlobSource, fileSource } from '../remote/blob-source.ts';
import { atomicWrite, writeThenRename } from '../util/atomic-write.ts';
import { writeChunks } from '../util/file-sink.ts';
import { withLock } from './file-lock.ts';
import { type PushOptions, readAll, type Target } from './target.ts';

export const REF_NAME = 'org.opencontainers.image.ref.name';
const LAYOUT = '{"imageLayoutVersion":"1.0.0"}';

export class OciLayout implements Target {
  readonly root: string;
  readonly name: string;

  private constructor(root: string) {
    this.root = root;
    this.name = root;
  }

  /** Open a layout, creating it when the directory is new. */
  static async open(root: string): Promise<OciLayout> {
    await mkdir(join(root, 'blobs'), { recursive: true });
    const layoutFile = join(root, 'oci-layout');
    try {
      const doc = JSON.parse(await readFile(layoutFile, 'utf8')) as { imageLayoutVersion?: string };
      if (doc.imageLayoutVersion !== '1.0.0') {
        throw new OcicatError(
          'INVALID_ARGUMENT',
          `${root}: unsupported imageLayoutVersion ${doc.imageLayoutVersion}`,
        );
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        if (e instanceof OcicatError) throw e;
        throw new OcicatError(
          'INVALID_ARGUMENT',
          `${root}: oci-layout is unreadable (${(e as Error).message})`,
        );
      }
      await atomicWrite(layoutFile, LAYOUT);
    }
    const layout = new OciLayout(root);
    try {
      await stat(join(root, 'index.json'));
    } catch {
      await layout.withIndexLock(async () => {
        try {
          await stat(join(root, 'index.json'));
        } catch {
          await layout.writeIndex({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });
        }
      });
    }
    return layout;
  }

  blobPath(digest: string): string {
    const d = parseDigest(digest);
    return join(this.root, 'blobs', d.algorithm, d.encoded);
  }

  async exists(desc: Descriptor): Promise<boolean> {
    try {
      return (await stat(this.blobPath(desc.digest))).size === desc.size;
    } catch {
      return false;
    }
  }

  async fetch(desc: Descriptor): Promise<BlobSource> {
    if (!(await this.exists(desc)))
      throw new OcicatError('NOT_FOUND', `${this.name}: ${desc.digest} not found`);
    return fileSource(this.blobPath(desc.digest), desc.size);
  }

  async push(desc: Descriptor, source: BlobSource, options: PushOptions = {}): Promise<void> {
    if (!(await this.exists(desc))) {
      const final = this.blobPath(desc.digest);
      const dir = join(final, '..');
      await mkdir(dir, { recursive: true });
      await writeThenRename(
        dir,
        parseDigest(desc.digest).encoded.slice(0, 16),
        async (tmp) => {
          const cb = options.onProgress;
          // a source with its own way to a file checks the bytes itself
          if (source.toFile) return source.toFile(tmp, cb);
          const verifier = new Verifier(desc);
          await writeChunks(tmp, source.open(0, desc.size), (c) => {
            verifier.update(c);
            cb?.(verifier.bytes);
          });
          verifier.finish();
        },
        () => final,
      );
    }
    if (options.reference) await this.tag(desc, options.reference);
  }

  /**
   * Store a stream whose digest is not known yet: written to a temp file while
   * hashed, then renamed to its digest path.
   */
  async ingest(input: AsyncIterable<Buffer>, mediaType: string): Promise<Descriptor> {
    const dir = join(this.root, 'blobs', 'sha256');
    await mkdir(dir, { recursive: true });
    return writeThenRename(
      dir,
      'ingest',
      async (tmp) => {
        const hash = createHasher('sha256');
        const size = await writeChunks(tmp, input, (c) => hash.update(c));
        return { mediaType, digest: `sha256:${hash.digest('hex')}`, size };
      },
      (d) => this.blobPath(d.digest),
    );
  }

  async readIndex(): Promise<ImageIndex> {
    let text: string;
    try {
      text = await readFile(join(this.root, 'index.json'), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT')
        return { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] };
      throw e;
    }
    const parsed = parseManifest(Buffer.from(text), OCI_INDEX);
    if (parsed.kind !== 'index')
      throw new OcicatError('INVALID_MANIFEST', `${this.root}/index.json is not an index`);
    return parsed.manifest;
  }

  private async writeIndex(index: ImageIndex): Promise<void> {
    await atomicWrite(join(this.root, 'index.json'), `${JSON.stringify(index)}\n`);
  }

  withIndexLock<T>(fn: () => Promise<T>): Promise<T> {
    return withLock(join(this.root, 'index.json.lock'), fn);
  }

  /** Change index.json under the lock. */
  async updateIndex(change: (index: ImageIndex) => ImageIndex | undefined): Promise<void> {
    await this.withIndexLock(async () => {
      const next = change(await this.readIndex());
      if (next) await this.writeIndex(next);
    });
  }

  async resolve(reference: string): Promise<Descriptor> {
    const index = await this.readIndex();
    if (isDigest(reference)) {
      const listed = index.manifests.find((d) => d.digest === reference);
      if (listed) return stripRefName(listed);
      const path = this.blobPath(reference);
      let size: number;
      try {
        size = (await stat(path)).size;
      } catch {
        throw new OcicatError('NOT_FOUND', `${this.name}: ${reference} not found`);
      }
      const bytes = await readAll(fileSource(path, size), MAX_PULL_MANIFEST_BYTES);
      const parsed = parseManifest(bytes);
      return { mediaType: parsed.mediaType, digest: reference, size };
    }
    const hit = index.manifests.find((d) => d.annotations?.[REF_NAME] === reference);
    if (!hit) throw new OcicatError('NOT_FOUND', `${this.name}: ${reference} not found`);
    return stripRefName(hit);
  }

  async tag(desc: Descriptor, reference: string): Promise<void> {
    if (!(await this.exists(desc)))
      throw new OcicatError('NOT_FOUND', `${this.name}: cannot tag missing ${desc.digest}`);
    await this.updateIndex((index) => ({
      ...index,
      manifests: [
        ...index.manifests.filter((d) => d.annotations?.[REF_NAME] !== reference),
        { ...stripRefName(desc), annotations: { ...desc.annotations, [REF_NAME]: reference } },
      ],
    }));
  }

  async untag(reference: string): Promise<boolean> {
    let removed = false;
    await this.updateIndex((index) => {
      const manifests = index.manifests.filter((d) => d.annotations?.[REF_NAME] !== reference);
      removed = manifests.length !== index.manifests.length;
      return removed ? { ...index, manifests } : undefined;
    });
    return removed;
  }

  /** Tags and what they point at. */
  async tags(): Promise<Array<{ tag: string; descriptor: Descriptor }>> {
    const index = await this.readIndex();
    return index.manifests
      .filter((d) => d.annotations?.[REF_NAME] !== undefined)
      .map((d) => ({ tag: d.annotations![REF_NAME]!, descriptor: stripRefName(d) }));
  }
}

function stripRefName(d: Descriptor): Descriptor {
  if (!d.annotations || !(REF_NAME in d.annotations)) return d;
  const { [REF_NAME]: _, ...rest } = d.annotations;
  const out: Descriptor = { ...d };
  if (Object.keys(rest).length) out.annotations = rest;
  else delete out.annotations;
  return out;
}
