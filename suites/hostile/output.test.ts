// What a registry says reaches terminals and reports inert (issue 24 N2, N4, N8,
// N9): escape sequences never reach a terminal, Markdown and HTML never become
// markup in report.md (the GitHub Action's job summary), junit.xml stays well
// formed, and a credential nobody here knows by value (a token a peer tool
// fetched) is redacted by its shape. Real CLI, real registry, the quirk proxy as
// the hostile registry.
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evil } from '../../fixtures/evil-tar.ts';
import type { Rule } from '../../registries/proxy/rule.ts';
import { ocicat } from '../support/cli.ts';
import { pushRawCatalog } from '../support/raw-catalog.ts';
import { useRegistry } from '../support/use-registry.ts';
import { vendorRun } from '../support/vendor-run.ts';
import { behindProxy } from './hostile-support.ts';

const used = useRegistry('hostile-output');
let homes = 0;
const newHome = () => join(used.dir, `home-${homes++}`);

const ESC = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;
const TERMINAL_ATTACK = 'x\u001b]0;pwned\u0007\u001b[2J\u001b[31mred\u009b31m\u202eevil';
// a token no one here fetched: the registry (or a peer tool's exchange) echoes it
const FOREIGN_JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwZWVyIn0.c2lnbmVkLWJ5LXNvbWVvbmU';
const MARKUP = `<img src=https://evil.example/p.png> [click](https://evil.example/) **ALL PASSED** <details><!-- \rinjected\n# heading \ufffe\uffff\ud800`;

/** The part of a Markdown line outside its code spans (CommonMark 6.1). */
function outsideCode(line: string): string {
  return line.replace(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, '');
}

describe('to the terminal', () => {
  it('inspect prints annotation keys and values without escape sequences', async (ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    const layer = evil('annot', [
      {
        path: 'annot/Catalog.yaml',
        body: Buffer.from(
          'apiVersion: kubara.io/v1alpha1\nkind: Catalog\nmetadata:\n  name: annot\nspec:\n  version: 1.0.0\n',
        ),
      },
    ]);
    const ref = await pushRawCatalog(used.client, used.reg.host, 'annot', layer, {
      annotations: { [`key${TERMINAL_ATTACK}`]: `value${TERMINAL_ATTACK}` },
    });
    const r = await ocicat(['catalog', 'inspect', ref, '--remote', '--plain-http'], { home: newHome() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/keyxred31mevil: +valuexred31mevil/);
    expect(r.stdout + r.stderr).not.toMatch(ESC);
  });

  it("package's warning about a link prints the link's name without escape sequences", async () => {
    const src = join(used.dir, 'linkname');
    await mkdir(src, { recursive: true });
    await writeFile(
      join(src, 'Catalog.yaml'),
      'apiVersion: kubara.io/v1alpha1\nkind: Catalog\nmetadata:\n  name: linkname\nspec:\n  version: 1.0.0\n',
    );
    await writeFile(join(src, 'real.txt'), 'x');
    await symlink('real.txt', join(src, `l${TERMINAL_ATTACK}`));
    for (const command of ['validate', 'package']) {
      const args =
        command === 'validate'
          ? ['catalog', 'validate', '--work-dir', src]
          : ['catalog', 'package', 'oci://localhost:5000/x/', '--work-dir', src];
      const r = await ocicat(args, { home: newHome() });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/warning: lxred31mevil is a symlink/);
      expect(r.stdout + r.stderr).not.toMatch(ESC);
    }
  });
});

describe('to the reports of a vendor run', () => {
  it("a setup refusal's text: plain on the terminal, inert in report.md, junit.xml well formed", async (ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    const refuse: Rule = {
      name: 'refuse-upload',
      method: 'POST',
      path: /\/blobs\/uploads\//,
      reply: {
        status: 403,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          errors: [{ code: 'DENIED', message: `${MARKUP} ${TERMINAL_ATTACK} Bearer ${FOREIGN_JWT}` }],
        }),
      },
    };
    await behindProxy(used.reg, [refuse], async (p) => {
      const run = await vendorRun({
        dir: used.dir,
        url: `http://${p.host}`,
        namespace: 'vendor/out',
        password: 'unused-pw-1',
        features: ['catalog.push'],
      });
      expect(run.code).toBe(1);
      expect(run.text).toMatch(/refuses a push/);
      expect(run.text).not.toMatch(ESC);
      expect(run.text).not.toContain(FOREIGN_JWT.slice(0, 20));
      const md = await readFile(join(run.out, 'report.md'), 'utf8');
      expect(md).toMatch(/refuses a push/);
      for (const line of md.split('\n'))
        expect(outsideCode(line), line).not.toMatch(/<img|<details|<!--|\*\*ALL|evil\.example|^# heading/);
      expect(md).not.toMatch(/\r|\ufffe|\uffff/);
      const junit = await readFile(join(run.out, 'junit.xml'), 'utf8');
      expect(junit).toMatch(/^[\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u);
      expect(junit).not.toMatch(/[\u007f-\u009f]/);
      for (const f of await readdir(run.out, { recursive: true }))
        if (/\.(json|xml|md|html|txt)$/.test(f))
          expect(await readFile(join(run.out, f), 'utf8'), f).not.toContain(FOREIGN_JWT.slice(0, 20));
    });
  });

  it('a token the registry echoes in a feature, known to nobody here, is in no report', async (ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    const echo: Rule = {
      name: 'echo-token',
      method: 'GET',
      path: /\/manifests\//,
      reply: {
        status: 404,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          errors: [
            {
              code: 'MANIFEST_UNKNOWN',
              message: `peer sent Authorization: Bearer ${FOREIGN_JWT}; {"token":"opaque-peer-token-1"}`,
            },
          ],
        }),
      },
    };
    await behindProxy(used.reg, [echo], async (p) => {
      const run = await vendorRun({
        dir: used.dir,
        url: `http://${p.host}`,
        namespace: 'vendor/echo',
        password: 'unused-pw-2',
        features: ['catalog.pull'],
      });
      const written = (
        await Promise.all(
          (
            await readdir(run.out, { recursive: true })
          )
            .filter((f) => /\.(json|xml|md|html|txt)$/.test(f))
            .map((f) => readFile(join(run.out, f), 'utf8')),
        )
      ).join('\n');
      expect(written).toMatch(/Bearer \[redacted\]/);
      for (const secret of [FOREIGN_JWT, FOREIGN_JWT.slice(0, 24), 'opaque-peer-token-1'])
        expect(written + run.text).not.toContain(secret);
    });
  });
});
