export * from './digest.ts';
export * from './limits.ts';
export * from './manifest.ts';
export * from './media-types.ts';
export * from './reference.ts';
