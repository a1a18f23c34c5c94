// oci://host[:port]/repo[:tag][@digest]
// Grammar: distribution-spec 1.1 "Pulling manifests" (name and tag regexes) and
// the distribution reference grammar for the host part.
import { OcicatError } from '../errors.ts';
import { parseDigest } from './digest.ts';

export interface Reference {
  /** host[:port], as typed (lowercased host). */
  readonly registry: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

export const SCHEME = 'oci://';

// distribution-spec: <name> = [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*
const PATH_COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const REPOSITORY_RE = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
// distribution-spec: <reference> as a tag = [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}
const TAG_RE = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST_RE = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])$`);
// Many clients (and registries) cap host + "/" + name at 255 characters.
const MAX_NAME_LENGTH = 255;

export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

export function isValidRepository(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && REPOSITORY_RE.test(name);
}

function invalid(input: string, why: string, hint?: string): OcicatError {
  return new OcicatError('INVALID_REFERENCE', `invalid reference "${truncate(input)}": ${why}`, {
    hint: hint ?? 'expected oci://host[:port]/repository[:tag][@sha256:<hex>]',
  });
}

function truncate(s: string): string {
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

export function parseRegistry(input: string, original = input): string {
  let host = input;
  let port: string | undefined;
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end < 0) throw invalid(original, 'unterminated IPv6 address');
    const rest = host.slice(end + 1);
    if (rest !== '' && !rest.startsWith(':')) throw invalid(original, `bad registry host "${input}"`);
    port = rest === '' ? undefined : rest.slice(1);
    host = host.slice(0, end + 1);
  } else {
    const colon = host.lastIndexOf(':');
    if (colon >= 0) {
      port = host.slice(colon + 1);
      host = host.slice(0, colon);
    }
  }
  if (host === '' || !HOST_RE.test(host)) throw invalid(original, `bad registry host "${input}"`);
  if (port !== undefined) {
    if (!/^[0-9]{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
      throw invalid(original, `bad port "${port}"`);
    }
  }
  return port === undefined ? host.toLowerCase() : `${host.toLowerCase()}:${port}`;
}

export interface ParseOptions {
  /** Accept input without the oci:// scheme (default false: the CLI contract requires it). */
  schemeOptional?: boolean;
}

export function parseReference(input: string, options: ParseOptions = {}): Reference {
  if (typeof input !== 'string' || input.length === 0) throw invalid(String(input), 'empty');
  if (/[\s\u0000-\u001f\u007f]/.test(input))
    throw invalid(input, 'contains whitespace or control characters');
  let rest = input;
  if (rest.startsWith(SCHEME)) rest = rest.slice(SCHEME.length);
  else if (!options.schemeOptional) {
    if (/^[a-z]+:\/\//i.test(rest)) throw invalid(input, 'only the oci:// scheme is supported');
    throw invalid(input, 'missing oci:// scheme');
  }
  const slash = rest.indexOf('/');
  if (slash < 0) throw invalid(input, 'missing repository after the registry host');
  const registry = parseRegistry(rest.slice(0, slash), input);
  let remainder = rest.slice(slash + 1);

  let digest: string | undefined;
  const at = remainder.indexOf('@');
  if (at >= 0) {
    const d = remainder.slice(at + 1);
    try {
      digest = parseDigest(d).toString();
    } catch (e) {
      throw invalid(input, `bad digest "${truncate(d)}"`, (e as OcicatError).message);
    }
    remainder = remainder.slice(0, at);
  }
  let tag: string | undefined;
  const colon = remainder.lastIndexOf(':');
  if (colon >= 0) {
    tag = remainder.slice(colon + 1);
    remainder = remainder.slice(0, colon);
    if (!isValidTag(tag)) {
      throw invalid(input, `bad tag "${truncate(tag)}"`, 'a tag is [A-Za-z0-9_][A-Za-z0-9._-]{0,127}');
    }
  }
  const repository = remainder;
  if (repository === '') throw invalid(input, 'missing repository');
  if (repository.length > MAX_NAME_LENGTH) throw invalid(input, `repository longer than ${MAX_NAME_LENGTH}`);
  if (!REPOSITORY_RE.test(repository)) {
    throw invalid(
      input,
      `bad repository "${truncate(repository)}"`,
      'repository components are lowercase letters and digits separated by ".", "_", "__" or "-"',
    );
  }
  return {
    registry,
    repository,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  };
}

/** host/repo[:tag][@digest] with no scheme. */
export function referenceString(ref: Reference): string {
  let s = `${ref.registry}/${ref.repository}`;
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

export function formatReference(ref: Reference): string {
  return SCHEME + referenceString(ref);
}

/** The tag or digest used in /v2/<name>/manifests/<reference>; the digest wins. */
export function manifestReference(ref: Reference): string {
  const r = ref.digest ?? ref.tag;
  if (r === undefined) throw invalid(formatReference(ref), 'a tag or a digest is required here');
  return r;
}

export function withTag(ref: Reference, tag: string): Reference {
  return { registry: ref.registry, repository: ref.repository, tag };
}

export function withDigest(ref: Reference, digest: string): Reference {
  return { registry: ref.registry, repository: ref.repository, digest };
}
