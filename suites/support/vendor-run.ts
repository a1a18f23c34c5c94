// A vendor's conformance run as a vendor starts it: a registries file with one
// entry (the password named by a variable, never written in the file), then
// `ocicat conformance run --registries FILE --feature ...`. `out: null` leaves
// --out to its default (./out/conformance in `cwd`).
import { join } from 'node:path';
import { type CliResult, ocicat } from './cli.ts';
import { oneEntryFile } from './registries-file.ts';

export interface VendorRun {
  dir: string;
  url: string;
  features: string[];
  name?: string;
  namespace?: string;
  passwordEnv?: string;
  password: string;
  out?: string | null;
  home?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  bin?: string;
  node?: string;
}

let runs = 0;

export async function vendorRun(o: VendorRun): Promise<CliResult & { text: string; out: string }> {
  const passwordEnv = o.passwordEnv ?? 'ACME_PASSWORD';
  const file = await oneEntryFile(o.dir, {
    name: o.name ?? 'acme',
    url: o.url,
    namespace: o.namespace ?? 'acme/conformance',
    username: 'vendor',
    passwordEnv,
  });
  const out =
    o.out === null ? join(o.cwd ?? o.dir, 'out', 'conformance') : (o.out ?? join(o.dir, `out${runs++}`));
  const r = await ocicat(
    [
      'conformance',
      'run',
      '--registries',
      file,
      ...(o.out === null ? [] : ['--out', out]),
      ...o.features.flatMap((f) => ['--feature', f]),
    ],
    {
      home: o.home ?? join(o.dir, 'vendor-home'),
      env: { ...o.env, [passwordEnv]: o.password },
      ...(o.cwd ? { cwd: o.cwd } : {}),
      ...(o.bin ? { bin: o.bin } : {}),
      ...(o.node ? { node: o.node } : {}),
    },
  );
  return { ...r, text: r.stdout + r.stderr, out };
}
