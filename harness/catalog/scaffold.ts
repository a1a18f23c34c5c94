// `catalog create` and `catalog add`: a starting layout a platform team edits.
//   <name>/Catalog.yaml
//   <name>/services/<service>.yaml          the service definition
//   <name>/helm/<service>/Chart.yaml ...    its Helm chart
//   <name>/terraform/<service>/main.tf      its infrastructure, if any
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OcicatError } from '../errors.ts';
import { API_VERSION, CATALOG_FILE, KIND, nameProblem, readCatalog } from './model.ts';

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

export async function createCatalog(name: string, parent: string): Promise<string> {
  const problem = nameProblem(name);
  if (problem) throw new OcicatError('INVALID_CATALOG', `catalog name ${problem}`);
  const dir = join(parent, name);
  if (await exists(dir))
    throw new OcicatError('TARGET_EXISTS', `${dir} already exists`, { hint: 'choose another name or --dir' });
  await mkdir(join(dir, 'services'), { recursive: true });
  await writeFile(
    join(dir, CATALOG_FILE),
    `apiVersion: ${API_VERSION}
kind: ${KIND}
metadata:
  name: ${name}
  annotations:
    org.opencontainers.image.description: "Service catalog ${name}"
spec:
  version: 0.1.0
`,
  );
  return dir;
}

export async function addService(service: string, workDir: string): Promise<string[]> {
  const problem = nameProblem(service);
  if (problem) throw new OcicatError('INVALID_CATALOG', `service name ${problem}`);
  await readCatalog(workDir); // refuse to add to something that is not a catalog
  const def = join(workDir, 'services', `${service}.yaml`);
  if (await exists(def)) throw new OcicatError('TARGET_EXISTS', `service ${service} already exists (${def})`);
  const chart = join(workDir, 'helm', service);
  const files: Record<string, string> = {
    [def]: `apiVersion: ${API_VERSION}
kind: Service
metadata:
  name: ${service}
spec:
  description: "${service}: an example HTTP service"
  helm:
    chart: helm/${service}
  terraform:
    module: terraform/${service}
  values:
    replicas: 2
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
    [join(workDir, 'terraform', service, 'main.tf')]: `# Infrastructure for ${service}.
variable "namespace" {
  type    = string
  default = "${service}"
}
`,
  };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, text, { flag: 'wx' });
  }
  return Object.keys(files);
}
