// The CAs a connection trusts, as one TLS SecureContext per CA list. Given `ca`,
// Node builds a context for every connection and parses each certificate again: with
// --ca-file that is the system roots and the file (readCa), 40-60 ms a connection on
// this machine; a same-registry promote's two connections spent 100 ms of its 240 ms
// there (--cpu-prof). Built once, the context serves every connection of the list.
// Without a CA list, Node's default context (the system roots) is shared already.
import { createSecureContext, type SecureContext } from 'node:tls';

const contexts = new WeakMap<readonly string[], SecureContext>();

/** The TLS options that trust `ca` (none: the system roots). */
export function trusting(ca: readonly string[] | undefined): { secureContext?: SecureContext } {
  if (!ca) return {};
  let context = contexts.get(ca);
  if (!context) {
    context = createSecureContext({ ca: [...ca] });
    contexts.set(ca, context);
  }
  return { secureContext: context };
}
