// A registries file with one entry, as a vendor writes it: the password named by
// a variable, never written in the file.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function oneEntryFile(
  dir: string,
  entry: { name: string; url: string; namespace: string; username: string; passwordEnv: string },
): Promise<string> {
  const file = join(dir, `registries-${entry.name}-${Math.random().toString(36).slice(2, 8)}.yaml`);
  await writeFile(
    file,
    `registries:\n  - name: ${entry.name}\n    url: ${entry.url}\n    namespace: ${entry.namespace}\n    username: ${entry.username}\n    passwordEnv: ${entry.passwordEnv}\n`,
  );
  return file;
}
