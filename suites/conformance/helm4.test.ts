// Helm 4 beside Helm 3 (issue 27): the real helm 4.3.1 (setup builds it as helm4)
// and helm 3 push, pull and show a chart that ocicat reads and promotes, against
// distribution 2.8 and 3.1.1 in every variant (anonymous, htpasswd, token, TLS),
// through the real CLI; a difference between them is a finding, so both rows are
// asserted on every registry.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTool } from '../../registries/tools.ts';
import type { Results } from '../../reports/results.ts';
import { ocicat } from '../support/cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-helm4-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('helm 3 and helm 4', () => {
  it('push, ocicat promote, pull and show pass with both, on distribution 2.8 and 3.1.1, every variant', async (ctx) => {
    if (!(await findTool('helm4')) || !(await findTool('helm')))
      return ctx.skip('helm or helm4 is not built (npm run setup)');
    const out = join(dir, 'r');
    const run = await ocicat(
      [
        'conformance',
        'run',
        '--registry',
        'distribution2/process/*',
        '--registry',
        'distribution3.1.1/process/*',
        '--feature',
        'artifact.helm',
        '--out',
        out,
      ],
      { home: join(dir, 'h') },
    );
    const r = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as Results;
    const ran = r.registries.filter((x) => x.state === 'ran').map((x) => x.id);
    if (!ran.length) return ctx.skip('distribution is not installed here');
    expect(ran.sort()).toEqual(
      ['distribution2', 'distribution3.1.1']
        .flatMap((d) => ['anonymous', 'htpasswd', 'tls', 'token'].map((a) => `${d}/process/${a}`))
        .sort(),
    );
    for (const id of ran)
      for (const f of ['artifact.helm-chart', 'artifact.helm4-chart'])
        expect(r.results.find((x) => x.registry === id && x.feature === f)?.status, `${id} ${f}`).toBe(
          'pass',
        );
    expect(run.code, run.stdout + run.stderr).toBe(0);
  });
});
