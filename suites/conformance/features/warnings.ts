// Warning headers (distribution-spec 1.1 "Warnings", unchanged on main): a
// registry MAY send `Warning: 299 - "<text>"`, at most 4096 bytes of them in all.
// The official suite does not check them (REGISTRY-FACTS "The distribution-spec
// after 1.1.1"). A registry that sends none passes: it has nothing to say.
import { pullScope } from '../../../harness/remote/auth/scope.ts';
import { drain } from '../../../harness/remote/http.ts';
import { tagsPath } from '../../../harness/remote/paths.ts';
import { parseWarnings } from '../../../harness/remote/warnings.ts';
import { excerpt, type Feature, fail, pass } from '../feature.ts';
import { raw } from './raw.ts';

const MAX_WARNING_BYTES = 4096;

export const warningFeatures: Feature[] = [
  {
    id: 'errors.warning-headers',
    title: 'Warning headers, if any, in the spec\'s form (299 - "<text>", 4096 bytes at most)',
    area: 'errors',
    optional: true,
    async run(ctx) {
      const repo = ctx.fresh('warn');
      const values: string[] = [];
      for (const [path, scopes] of [
        ['/v2/', []],
        [tagsPath(repo), [pullScope(repo)]],
      ] as const) {
        const res = await raw(ctx, 'GET', path, [...scopes]);
        await drain(res);
        const w = res.headers.warning;
        if (w !== undefined) values.push(...(Array.isArray(w) ? w : [w]));
      }
      if (values.length === 0) return pass('no Warning header sent');
      const { texts, malformed } = parseWarnings(values);
      if (malformed.length)
        return fail(`a Warning header not in the form 299 - "<text>": ${excerpt(ctx, malformed[0]!, 160)}`);
      const bytes = Buffer.byteLength(values.join(', '));
      if (bytes > MAX_WARNING_BYTES)
        return fail(`Warning headers of ${bytes} bytes, more than ${MAX_WARNING_BYTES}`);
      return pass(`well formed: ${texts.map((t) => `"${excerpt(ctx, t, 80)}"`).join(', ')}`);
    },
  },
];
