// Pull's one pass over a catalog layer (issue 17): as the bytes arrive they are
// hashed (the layer digest), written to the cache file by the thread pool, and
// inflated by the thread pool for the vetting unpack (the tar, its guard and its
// content digest here), all at once; nothing is read twice and no stage waits
// for one it could overlap. Before, the layer was downloaded, then read back
// from disk to be vetted: 9-10 s for a 1 GiB catalog here, 4 s with one pass.
// Bytes are copied once, from the socket's read buffer into STAGE-sized buffers
// that the file write and gunzip share and that are reused once both have taken
// them; when POOL stages are in use the socket pauses (http.ts BodySink), so
// memory stays bounded whatever the layer's size.
// A layer that fails vetting is still read to its end, since its digest can tell
// more: corrupted bytes are reported as a digest mismatch, not as what gunzip
// made of them; a hostile layer with the right digest is refused as unsafe.
import { type FileHandle, open } from 'node:fs/promises';
import type { Gunzip } from 'node:zlib';
import { layerGunzip } from '../catalog/unpack.ts';
import { Verifier } from '../oci/digest.ts';
import type { Descriptor } from '../oci/manifest.ts';
import type { BlobSource } from '../remote/blob-source.ts';
import type { RemoteRepository } from '../remote/repository.ts';

/** One stage: a large write for the file, a large input for gunzip. */
const STAGE = 256 * 1024;
/** Stages in use (written or inflated) before the socket pauses: 4 MiB. */
const POOL = 16;

async function writeAll(fh: FileHandle, buf: Buffer, position: number): Promise<void> {
  for (let done = 0; done < buf.length; ) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done, position + done);
    done += bytesWritten;
  }
}

/**
 * A source for the cache's layer file whose `toFile` downloads, verifies, writes
 * and vets in one pass. `vet` reads the inflated tar from the gunzip it is given
 * (`fed` settles when every compressed byte is in) and rejects to refuse the
 * layer; the file is then not kept.
 */
export function vettedLayer(
  repo: RemoteRepository,
  desc: Descriptor,
  vet: (gunzip: Gunzip, fed: Promise<void>) => Promise<unknown>,
  /** The file holds the first `bytes` bytes (a promote's upload reads it as it grows: layer-tee.ts). */
  onWritten?: (bytes: number) => void,
): BlobSource {
  return {
    size: desc.size,
    open: (start, end) => {
      throw new Error(`vettedLayer is written with toFile only (asked for ${start}-${end})`);
    },
    async toFile(path, onProgress) {
      const verifier = new Verifier(desc);
      const fh = await open(path, 'wx');
      const free: Buffer[] = [];
      let inUse = 0;
      let room: { promise: Promise<void>; resolve: () => void } | undefined;
      const take = () => {
        inUse++;
        return free.pop() ?? Buffer.allocUnsafeSlow(STAGE);
      };
      const give = (b: Buffer) => {
        inUse--;
        if (free.length < POOL) free.push(b);
        if (room && inUse <= POOL / 2) {
          room.resolve();
          room = undefined;
        }
      };
      let stage = take();
      let fill = 0;
      let position = 0;
      let writing: Promise<void> = Promise.resolve();
      let writeError: unknown;
      let vetError: unknown;
      const gunzip = layerGunzip();
      let fedResolve!: () => void;
      let fedReject!: (e: unknown) => void;
      const fed = new Promise<void>((resolve, reject) => {
        fedResolve = resolve;
        fedReject = reject;
      });
      fed.catch(() => undefined);
      // the stages gunzip still holds: a gunzip that fails (a corrupted or cut stream)
      // never calls back for the chunks it had, so they are given back here, or the
      // socket would stay paused for ever (the regression of issue 24: exit 13, a
      // .part left in the cache)
      const heldByGunzip = new Set<() => void>();
      const vetting = vet(gunzip, fed).then(
        () => undefined,
        (e: unknown) => {
          vetError = e;
          gunzip.destroy();
          for (const release of [...heldByGunzip]) release();
        },
      );
      const emit = () => {
        const full = stage;
        const buf = fill === STAGE ? full : full.subarray(0, fill);
        const at = position;
        position += buf.length;
        // the stage goes back to the pool once the file has it and gunzip has taken it
        let holders = 2;
        const done = () => {
          if (--holders === 0) give(full);
        };
        writing = writing
          .then(async () => {
            if (writeError) return;
            await writeAll(fh, buf, at);
            onWritten?.(at + buf.length);
          })
          .catch((e: unknown) => {
            writeError = e;
          })
          .finally(done);
        if (vetError || gunzip.destroyed) done();
        else {
          const release = () => {
            if (!heldByGunzip.delete(release)) return;
            done();
          };
          heldByGunzip.add(release);
          gunzip.write(buf, release);
        }
        stage = take();
        fill = 0;
      };
      try {
        try {
          await repo.readBlobInto(desc, (view) => {
            if (writeError) throw writeError;
            verifier.update(view);
            for (let off = 0; off < view.length; ) {
              const n = Math.min(STAGE - fill, view.length - off);
              view.copy(stage, fill, off, off + n);
              fill += n;
              off += n;
              if (fill === STAGE) emit();
            }
            onProgress?.(verifier.bytes);
            if (inUse <= POOL) return undefined;
            if (!room) {
              let resolve!: () => void;
              const promise = new Promise<void>((r) => {
                resolve = r;
              });
              room = { promise, resolve };
            }
            return room.promise;
          });
          if (fill > 0) emit();
          give(stage);
          if (!gunzip.destroyed) gunzip.end();
          fedResolve();
        } catch (e) {
          fedReject(e);
          gunzip.destroy(e as Error);
          throw e;
        }
        await writing;
        if (writeError) throw writeError;
        verifier.finish(); // the digest first: wrong bytes are reported as such
        await vetting;
        if (vetError) throw vetError;
      } finally {
        await vetting;
        await writing;
        await fh.close();
      }
    },
  };
}
