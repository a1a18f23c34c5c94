// `catalog create` and `catalog add`: kubara's own scaffold (kubara vector `demo`,
// made by `kubara catalog create demo`, `add web`, `add api`):
//   <name>/Catalog.yaml
//   <name>/services/<service>.yaml                 a ServiceDefinition (kind, chartPath, status)
//   <name>/platform-components/{helm,terraform}/   charts and modules the services name
//   <name>/platform-configs/{helm,terraform}/      values and variables per platform
// Catalog.yaml and the service definition are byte for byte kubara's; `add` also
// writes a chart skeleton under platform-components/helm/<service> (kubara writes
// none) so that the definition's chartPath names a chart that exists. Every write
// goes through catalog-fs.ts: nothing is written through a link out of the folder.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { OcicatError } from '../errors.ts';
import { exists, writeNewFile } from './catalog-fs.ts';
import { API_VERSION, CATALOG_FILE, KIND, nameProblem, readCatalog } from './model.ts';
import { SERVICE_KIND } from './service.ts';

/** The folders kubara's `catalog create` makes. */
export const SCAFFOLD_DIRS = [
  'services',
  'platform-components/helm',
  'platform-components/terraform',
  'platform-configs/helm',
  'platform-configs/terraform',
];

export async function createCatalog(name: string, parent: string): Promise<string> {
  const problem = nameProblem(name);
  if (problem) throw new OcicatError('INVALID_CATALOG', `catalog name ${problem}`);
  const dir = join(parent, name);
  if (await exists(dir))
    throw new OcicatError('TARGET_EXISTS', `${dir} already exists`, { hint: 'choose another name or --dir' });
  await mkdir(dir);
  for (const d of SCAFFOLD_DIRS) await mkdir(join(dir, d), { recursive: true });
  await writeNewFile(
    dir,
    CATALOG_FILE,
    `apiVersion: ${API_VERSION}\nkind: ${KIND}\nmetadata:\n  name: ${name}\nspec:\n  version: 0.1.0\n`,
  );
  return dir;
}

export async function addService(service: string, workDir: string): Promise<string[]> {
  const problem = nameProblem(service);
  if (problem) throw new OcicatError('INVALID_CATALOG', `service name ${problem}`);
  await readCatalog(workDir); // refuse to add to something that is not a catalog
  const def = join('services', `${service}.yaml`);
  if (await exists(join(workDir, def)))
    throw new OcicatError('TARGET_EXISTS', `service ${service} already exists (${join(workDir, def)})`);
  const chart = join('platform-components', 'helm', service);
  const files: Record<string, string> = {
    [def]: `apiVersion: ${API_VERSION}
kind: ${SERVICE_KIND}
metadata:
  name: ${service}
spec:
  chartPath: ${service}
  clusterTypes:
  - hub
  - spoke
  status: disabled
`,
    [join(chart, 'Chart.yaml')]: `apiVersion: v2
name: ${service}
description: Helm chart for ${service}
type: application
version: 0.1.0
appVersion: "1.0.0"
`,
    [join(chart, 'values.yaml')]: `replicaCount: 2
image:
  repository: swaggerapi/petstore3
  tag: "1.0.27"
service:
  port: 8080
`,
    [join(chart, 'templates', 'deployment.yaml')]: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels: { app: {{ .Release.Name }} }
  template:
    metadata:
      labels: { app: {{ .Release.Name }} }
    spec:
      containers:
        - name: app
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          ports: [{ containerPort: {{ .Values.service.port }} }]
`,
    [join(chart, '.helmignore')]: '.git/\n*.swp\n',
  };
  const written: string[] = [];
  for (const [rel, text] of Object.entries(files)) written.push(await writeNewFile(workDir, rel, text));
  return written;
}
