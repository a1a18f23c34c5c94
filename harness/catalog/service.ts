// A ServiceDefinition below services/, by the rules kubara's loader applies when
// it loads a catalog (kubara vectors README, "Package"; `kubara generate|init|schema
// --catalog`): apiVersion kubara.io/v1alpha1, kind ServiceDefinition,
// metadata.name an RFC 1123 label, spec.chartPath non-empty, spec.status enabled
// or disabled; spec.clusterTypes (a list) and spec.configSchema (an OpenAPI v3
// schema, a mapping) optional. Messages follow kubara's wording.
import { posix } from 'node:path';
import { OcicatError } from '../errors.ts';
import { API_VERSION, nameProblem } from './model.ts';
import { parseYaml } from './yaml-doc.ts';

export const SERVICE_KIND = 'ServiceDefinition';

export interface ServiceDefinition {
  apiVersion: typeof API_VERSION;
  kind: typeof SERVICE_KIND;
  metadata: { name: string };
  spec: { chartPath: string; status: 'enabled' | 'disabled'; clusterTypes?: string[]; configSchema?: object };
}

function invalid(file: string, why: string): OcicatError {
  return new OcicatError('INVALID_CATALOG', `invalid service definition "${file}": ${why}`);
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `file` names the definition in messages (relative to the catalog folder). */
export function parseServiceDefinition(text: string, file: string): ServiceDefinition {
  const data = parseYaml(text, file);
  if (!isMapping(data)) throw invalid(file, 'must be a mapping');
  if (data.apiVersion !== API_VERSION) throw invalid(file, `apiVersion must be "${API_VERSION}"`);
  if (data.kind !== SERVICE_KIND) throw invalid(file, `kind must be "${SERVICE_KIND}"`);
  if (!isMapping(data.metadata)) throw invalid(file, 'missing metadata.name');
  const np = nameProblem(data.metadata.name);
  if (np) throw invalid(file, np === 'is required' ? 'missing metadata.name' : `metadata.name ${np}`);
  const spec = data.spec;
  if (!isMapping(spec)) throw invalid(file, 'missing spec.chartPath');
  if (typeof spec.chartPath !== 'string' || spec.chartPath.trim() === '')
    throw invalid(file, 'missing spec.chartPath');
  // a chart under platform-components/helm/ (DESIGN "Catalog format"); one that
  // climbs out would have a consumer's kubara read a chart from outside the
  // catalog (issue 24)
  const chart = posix.normalize(`platform-components/helm/${spec.chartPath}`);
  if (spec.chartPath.startsWith('/') || !chart.startsWith('platform-components/helm/'))
    throw invalid(file, `spec.chartPath "${spec.chartPath}" leaves platform-components/helm/`);
  if (spec.status !== 'enabled' && spec.status !== 'disabled')
    throw invalid(file, 'spec.status must be either "enabled" or "disabled"');
  if (
    spec.clusterTypes !== undefined &&
    spec.clusterTypes !== null &&
    !(Array.isArray(spec.clusterTypes) && spec.clusterTypes.every((t) => typeof t === 'string'))
  )
    throw invalid(file, 'spec.clusterTypes must be a list of strings');
  if (spec.configSchema !== undefined && spec.configSchema !== null && !isMapping(spec.configSchema))
    throw invalid(file, 'spec.configSchema must be an OpenAPI v3 schema (a mapping)');
  return data as unknown as ServiceDefinition;
}
