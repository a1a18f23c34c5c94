// One repository on one registry: the Distribution API calls bound to it.
import type { Descriptor } from '../oci/manifest.ts';
import type { Reference } from '../oci/reference.ts';
import {
  downloadBlob,
  fetchBlobToFile,
  headBlob,
  type ReadOptions,
  readBlob,
  readBlobInto,
} from './blob-read.ts';
import type { BlobSource } from './blob-source.ts';
import { type PushBlobOptions, pushBlob, type UploadResult } from './blob-upload.ts';
import type { RegistryClient } from './client.ts';
import { deleteBlob, deleteManifest, deleteTag } from './delete.ts';
import type { BodySink } from './http.ts';
import { getManifest, headManifest, putManifest } from './manifests.ts';
import { addToReferrersTag, listReferrers } from './referrers.ts';
import type { RepoRef } from './repo-ref.ts';
import { type ListTagsOptions, listTags } from './tags.ts';

type Desc = Pick<Descriptor, 'digest' | 'size'>;

export class RemoteRepository implements RepoRef {
  readonly client: RegistryClient;
  readonly registry: string;
  readonly repository: string;

  constructor(client: RegistryClient, ref: Pick<Reference, 'registry' | 'repository'>) {
    this.client = client;
    this.registry = ref.registry;
    this.repository = ref.repository;
  }

  headBlob(digest: string) {
    return headBlob(this, digest);
  }
  readBlob(desc: Desc, options?: ReadOptions) {
    return readBlob(this, desc, options);
  }
  readBlobInto(desc: Desc, sink: BodySink, options?: ReadOptions) {
    return readBlobInto(this, desc, sink, options);
  }
  fetchBlobToFile(desc: Desc, path: string, options?: Omit<ReadOptions, 'offset'>) {
    return fetchBlobToFile(this, desc, path, options);
  }
  downloadBlob(desc: Desc, path: string, options?: ReadOptions) {
    return downloadBlob(this, desc, path, options);
  }
  pushBlob(desc: Desc, source: BlobSource, options?: PushBlobOptions): Promise<UploadResult> {
    return pushBlob(this, desc, source, options);
  }
  getManifest(reference: string) {
    return getManifest(this, reference);
  }
  headManifest(reference: string) {
    return headManifest(this, reference);
  }
  putManifest(reference: string, bytes: Buffer, mediaType: string) {
    return putManifest(this, reference, bytes, mediaType);
  }
  listTags(options?: ListTagsOptions) {
    return listTags(this, options);
  }
  listReferrers(subject: string, artifactType?: string) {
    return listReferrers(this, subject, artifactType);
  }
  addToReferrersTag(subject: string, referrer: Descriptor) {
    return addToReferrersTag(this, subject, referrer);
  }
  deleteManifest(digest: string) {
    return deleteManifest(this, digest);
  }
  deleteTag(tag: string) {
    return deleteTag(this, tag);
  }
  deleteBlob(digest: string) {
    return deleteBlob(this, digest);
  }
}
