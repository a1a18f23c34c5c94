// Azure Container Registry, from REGISTRY-FACTS.
import { header, ociError } from '../rule.ts';
import { type Profile, REPORTED } from './common.ts';

const MONOLITHIC_CAP = 20 * 1000 * 1000;

export const acr: Profile = {
  name: 'acr',
  title: 'Azure Container Registry',
  version: 'the service as of 2026 (not versioned)',
  emulates: [
    { what: 'monolithic PUT over ~20 MB -> 413', source: REPORTED },
    { what: 'chunked transfer encoding -> 400 CONTENT_LENGTH_INVALID', source: REPORTED },
  ],
  omits: ["token user 00000000-0000-0000-0000-000000000000 (auth is the registry's)"],
  rules: () => [
    {
      name: 'acr: Transfer-Encoding chunked',
      when: (req) => /chunked/i.test(header(req, 'transfer-encoding') ?? ''),
      reply: ociError(400, 'CONTENT_LENGTH_INVALID', 'Content-Length is required'),
    },
    {
      name: 'acr: monolithic PUT too large',
      method: 'PUT',
      path: /\/blobs\/uploads\/.*[?&]digest=/,
      when: (req) => Number(req.headers['content-length'] ?? 0) > MONOLITHIC_CAP,
      reply: ociError(413, 'SIZE_INVALID', 'request entity too large'),
    },
  ],
};
