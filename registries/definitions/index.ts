import type { RegistryDefinition } from '../definition.ts';
import { distribution2 } from './distribution2.ts';
import { distribution3, distribution312 } from './distribution3.ts';
import { olareg } from './olareg.ts';
import { zot, zotNoDedupe } from './zot.ts';

/** The registries that can run on this machine (as processes, and in containers). */
export const LOCAL_REGISTRIES: RegistryDefinition[] = [
  distribution2,
  distribution3,
  distribution312,
  olareg,
  zot,
  zotNoDedupe,
];

export function definition(name: string): RegistryDefinition {
  const d = LOCAL_REGISTRIES.find((x) => x.name === name);
  if (!d)
    throw new Error(`unknown registry "${name}" (known: ${LOCAL_REGISTRIES.map((x) => x.name).join(', ')})`);
  return d;
}
