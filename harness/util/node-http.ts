// node:http through require, not import. An ESM import of a builtin builds its
// module namespace by reading every export, and node:http's lazy ones make Node load
// its bundled undici: on this machine `import('node:http')` takes 28-43 ms, require
// 4 ms, and every command paid it before its first request (a 1 KiB pull took
// 161 ms where oras takes 34; its profile shows undici's loader in the gap).
// The types still come from node:http itself.
import type * as Http from 'node:http';
import { createRequire } from 'node:module';

export const http: typeof Http = createRequire(import.meta.url)('node:http');
