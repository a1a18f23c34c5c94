import type { Feature } from '../feature.ts';
import { artifactFeatures } from './artifacts.ts';
import { authFeatures } from './auth.ts';
import { blobFeatures } from './blobs.ts';
import { catalogFeatures } from './catalog.ts';
import { faultFeatures } from './faults.ts';
import { interopFeatures } from './interop.ts';
import { manifestShapeFeatures } from './manifest-shapes.ts';
import { registryFeatures } from './registry.ts';
import { specDepthFeatures } from './spec-depth.ts';
import { warningFeatures } from './warnings.ts';

export const FEATURES: Feature[] = [
  ...blobFeatures,
  ...registryFeatures,
  ...specDepthFeatures,
  ...manifestShapeFeatures,
  ...authFeatures,
  ...catalogFeatures,
  ...interopFeatures,
  ...artifactFeatures,
  ...faultFeatures,
  ...warningFeatures,
];
