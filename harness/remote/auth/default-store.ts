// Where logins are looked up (DESIGN "Reference client behaviour"): ocicat's own
// $OCICAT_HOME/credentials.json first, then Docker's config.json and its credential
// helpers, as oras, crane and helm fall back to Docker's config.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ChainStore, type CredentialStore } from './credential.ts';
import { DockerConfigStore } from './docker-config.ts';

export function ocicatHome(env: NodeJS.ProcessEnv = process.env, flag?: string): string {
  return flag ?? env.OCICAT_HOME ?? join(homedir(), '.ocicat');
}

export function credentialsFile(home: string): DockerConfigStore {
  return new DockerConfigStore(join(home, 'credentials.json'));
}

export function defaultCredentialStore(home: string, env: NodeJS.ProcessEnv = process.env): CredentialStore {
  return new ChainStore([credentialsFile(home), DockerConfigStore.docker(env)]);
}
