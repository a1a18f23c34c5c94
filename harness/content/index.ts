export * from './copy.ts';
export * from './file-lock.ts';
export * from './memory.ts';
export * from './oci-layout.ts';
export * from './remote-target.ts';
export * from './target.ts';
