import { acr } from './acr.ts';
import type { Profile } from './common.ts';
import { dockerhub } from './dockerhub.ts';
import { ecr } from './ecr.ts';
import { gar } from './gar.ts';
import { ghcr } from './ghcr.ts';
import { gitlab } from './gitlab.ts';
import { harbor } from './harbor.ts';
import { quay } from './quay.ts';

export type { Profile } from './common.ts';
export const PROFILES: Profile[] = [ecr, ghcr, acr, gar, dockerhub, quay, gitlab, harbor];

export function profile(name: string): Profile {
  const p = PROFILES.find((x) => x.name === name);
  if (!p)
    throw new Error(`unknown proxy profile "${name}" (known: ${PROFILES.map((x) => x.name).join(', ')})`);
  return p;
}
