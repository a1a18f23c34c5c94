// Registries reached only by configuration (remote provider), and what each is
// expected to support according to REGISTRY-FACTS. The conformance run compares
// these with what it measures; a vendor's registry of an unknown kind has no
// expectations, only measurements.
import type { ExpectedCapabilities } from '../definition.ts';

export interface RemoteKind {
  name: string;
  title: string;
  /** How a user gets one (no instance runs on the build machines). */
  how: string;
  expected: Partial<ExpectedCapabilities>;
}

export const REMOTE_KINDS: RemoteKind[] = [
  {
    name: 'harbor',
    title: 'Harbor',
    how: "Harbor's compose installer; a project must exist",
    expected: { referrersApi: true, mount: true },
  },
  {
    name: 'ecr',
    title: 'Amazon ECR',
    how: 'an AWS account; user AWS with a token from aws ecr get-login-password',
    expected: { referrersApi: false, tagsPagination: true },
  },
  {
    name: 'ghcr',
    title: 'GitHub Container Registry',
    how: 'a GitHub token with write:packages',
    expected: { referrersApi: false, deleteManifest: false, deleteTag: false },
  },
  {
    name: 'acr',
    title: 'Azure Container Registry',
    how: 'an Azure registry; an identity token for 00000000-0000-0000-0000-000000000000',
    expected: { chunked: true },
  },
  {
    name: 'gar',
    title: 'Google Artifact Registry',
    how: 'a Google Cloud repository; oauth2accesstoken',
    expected: {},
  },
  {
    name: 'dockerhub',
    title: 'Docker Hub',
    how: 'a Docker Hub account and an access token',
    expected: { referrersApi: false, tagsPagination: true, deleteManifest: false },
  },
  {
    name: 'quay',
    title: 'Quay',
    how: 'a quay.io or self-hosted Quay robot account',
    expected: { tagsPagination: true },
  },
  {
    name: 'gitlab',
    title: 'GitLab container registry',
    how: 'a GitLab project with the registry enabled and a deploy token',
    expected: {},
  },
];
