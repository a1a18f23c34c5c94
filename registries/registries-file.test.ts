import { describe, expect, it } from 'vitest';
import { parseRegistriesFile, RegistriesFileError } from './registries-file.ts';

const env = { GHCR_USER: 'octo', GHCR_TOKEN: 'ghp_s3cr3t_value', ID_TOKEN: 'refresh-s3cr3t' };

function error(text: string): RegistriesFileError {
  try {
    parseRegistriesFile(text, env, 'registries.yaml');
  } catch (e) {
    return e as RegistriesFileError;
  }
  throw new Error('expected an error');
}

describe('registries file', () => {
  it('reads entries, with secrets from the environment', () => {
    const [ghcr, quay] = parseRegistriesFile(
      `registries:
  - name: ghcr
    url: https://ghcr.io
    namespace: my-org/ocicat
    kind: ghcr
    usernameEnv: GHCR_USER
    passwordEnv: GHCR_TOKEN
  - name: local
    url: http://127.0.0.1:5000
    identityTokenEnv: ID_TOKEN
`,
      env,
    );
    expect(ghcr).toEqual({
      name: 'ghcr',
      registry: 'ghcr.io',
      plainHttp: false,
      namespace: 'my-org/ocicat',
      kind: 'ghcr',
      credential: { username: 'octo', password: 'ghp_s3cr3t_value' },
      secretEnv: 'GHCR_TOKEN', // named in hints ("check GHCR_TOKEN"), its value never
    });
    expect(quay).toEqual({
      name: 'local',
      registry: '127.0.0.1:5000',
      plainHttp: true,
      namespace: 'ocicat-conformance',
      credential: { identityToken: 'refresh-s3cr3t' },
      secretEnv: 'ID_TOKEN',
    });
  });

  it.each([
    [
      'an unknown key',
      'registries:\n  - name: a\n    url: r.io\n    pasword: x\n',
      /entry "a": unknown key "pasword"/,
    ],
    [
      'a variable that is not set',
      'registries:\n  - name: a\n    url: r.io\n    usernameEnv: GHCR_USER\n    passwordEnv: NOPE\n',
      /entry "a": passwordEnv names NOPE, which is not set/,
    ],
    [
      'a username without a secret',
      'registries:\n  - name: a\n    url: r.io\n    username: me\n',
      /entry "a": a username needs passwordEnv/,
    ],
    [
      'a password without a username',
      'registries:\n  - name: a\n    url: r.io\n    passwordEnv: GHCR_TOKEN\n',
      /entry "a": passwordEnv needs a username/,
    ],
    ['a bad url', 'registries:\n  - name: a\n    url: ftp://r.io/x\n', /entry "a": url "ftp:\/\/r.io\/x"/],
    ['no url', 'registries:\n  - name: a\n', /entry "a": needs a url/],
    ['no name', 'registries:\n  - url: r.io\n', /entry 1: needs a name/],
    [
      'a duplicate name',
      'registries:\n  - {name: a, url: r.io}\n  - {name: a, url: s.io}\n',
      /entry "a": the name is used twice/,
    ],
    [
      'an unknown kind',
      'registries:\n  - {name: a, url: r.io, kind: artifactory}\n',
      /kind "artifactory" is not one of/,
    ],
    ['a bad namespace', 'registries:\n  - {name: a, url: r.io, namespace: Bad/NS}\n', /namespace "Bad\/NS"/],
    ['no list', 'hosts: []\n', /expected a "registries:" list/],
    ['broken YAML', 'registries: [\n', /not valid YAML/],
  ])('names the entry for %s', (_what, text, message) => {
    const e = error(text);
    expect(e).toBeInstanceOf(RegistriesFileError);
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(/^registries.yaml: /);
    for (const secret of Object.values(env)) expect(e.message).not.toContain(secret);
  });
  it('takes a version to show, a word (issue 22: a remote registry says what it is)', () => {
    const [e] = parseRegistriesFile(
      'registries:\n  - name: zot\n    url: http://127.0.0.1:5000\n    version: "2.1.20"\n',
      env,
    );
    expect(e!.version).toBe('2.1.20');
    expect(
      error('registries:\n  - name: zot\n    url: http://127.0.0.1:5000\n    version: 2.1\n').message,
    ).toMatch(/version must be a word such as 2\.1\.20 \(quote it\)/);
  });
});
