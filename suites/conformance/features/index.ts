import type { Feature } from '../feature.ts';
import { artifactFeatures } from './artifacts.ts';
import { authFeatures } from './auth.ts';
import { blobFeatures } from './blobs.ts';
import { catalogFeatures } from './catalog.ts';
import { chunkedBodyFeatures } from './chunked-body.ts';
import { faultFeatures } from './faults.ts';
import { interopFeatures } from './interop.ts';
import { manifestShapeFeatures } from './manifest-shapes.ts';
import { registryFeatures } from './registry.ts';
import { specDepthFeatures } from './spec-depth.ts';
import { specNextFeatures } from './spec-next.ts';
import { warningFeatures } from './warnings.ts';
import { zarfFeatures } from './zarf.ts';

export const FEATURES: Feature[] = [
  ...blobFeatures,
  ...registryFeatures,
  ...specDepthFeatures,
  ...chunkedBodyFeatures,
  ...manifestShapeFeatures,
  ...authFeatures,
  ...catalogFeatures,
  ...interopFeatures,
  ...artifactFeatures,
  ...zarfFeatures,
  ...faultFeatures,
  ...warningFeatures,
  ...specNextFeatures,
];

/** The spec a run measures against (`--spec`): 1.1, or next (main, after 1.1.1). */
export type SpecLevel = '1.1' | 'next';
export const SPEC_ENV = 'OCICAT_SPEC';

/** The features of a run at `spec`: those of 1.1, and with next also main's. */
export function featuresFor(spec: SpecLevel): Feature[] {
  return FEATURES.filter((f) => !f.spec || spec === 'next');
}
