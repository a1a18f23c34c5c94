// The container provider: testcontainers against the local Docker engine, with
// the official image names (built locally here, see container/images.ts). The
// container uses the host network and binds 127.0.0.1 on a free port, so no
// traffic goes to a container address; the run dir is bind-mounted at the same
// path, so the generated config is valid inside and out.
import type { StartedTestContainer } from 'testcontainers';
import { Agent } from 'undici';
import { dockerAvailable, imageLabel } from '../container/images.ts';
import type { RegistryDefinition } from '../definition.ts';
import { freePort } from '../process/free-port.ts';
import { waitForV2 } from '../process/wait.ts';
import { RegistryUnavailable, type StartedRegistry } from '../types.ts';
import { type ProviderOptions, prepareFor, setupOf } from './prepare.ts';

// The reaper container (testcontainers/ryuk) cannot be pulled here; stop() cleans up instead.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
// The engine runs without a bridge network (containers use the host network), so
// testcontainers cannot look the Docker host up on "bridge": it is this machine.
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';

export type ContainerOptions = ProviderOptions;

/**
 * testcontainers, loaded when a container is started: it needs Node 22.19+ (its
 * undici), while the rest of ocicat runs on the Node package.json "engines" names.
 */
async function loadTestcontainers(): Promise<typeof import('testcontainers').GenericContainer> {
  try {
    return (await import('testcontainers')).GenericContainer;
  } catch (e) {
    throw new RegistryUnavailable(
      `container registries need testcontainers, which did not load on Node ${process.version} (it needs 22.19+): ${(e as Error).message.split('\n')[0]}`,
    );
  }
}

export async function startContainer(
  def: RegistryDefinition,
  options: ContainerOptions = {},
): Promise<StartedRegistry> {
  const why = await dockerAvailable();
  if (why) throw new RegistryUnavailable(why);
  await def.binary(); // the image is built from it: no binary, no image (and the reason why)
  if ((await imageLabel(def.image.name)) === undefined) {
    throw new RegistryUnavailable(
      `image ${def.image.name} is not built (npm run setup builds it from the ${def.title} binary)`,
    );
  }
  const GenericContainer = await loadTestcontainers();
  const auth = options.auth ?? 'anonymous';
  const port = await freePort();
  const p = await prepareFor(def, options, port);
  let container: StartedTestContainer | undefined;
  const stop = async () => {
    await container?.stop({ remove: true, removeVolumes: true, timeout: 3_000 });
    container = undefined;
    await p.cleanup();
  };
  try {
    container = await new GenericContainer(def.image.name)
      .withNetworkMode('host')
      .withBindMounts([{ source: p.dir, target: p.dir, mode: 'rw' }])
      .withEnvironment(p.launch.env ?? {})
      .withCommand(p.launch.args)
      .withPullPolicy({ shouldPull: () => false })
      .start();
    await waitForV2(
      `${p.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
      20_000,
      () => true,
      p.tls ? new Agent({ connect: { rejectUnauthorized: false } }) : undefined,
    );
  } catch (e) {
    const logs = container ? await readLogs(container) : '';
    await stop();
    throw new Error(
      `${def.title} container did not start: ${(e as Error).message}${logs ? `\n${logs}` : ''}`,
    );
  }
  const version = await def.version(await def.binary()).catch(() => 'unknown');
  const host = `127.0.0.1:${port}`;
  return {
    name: def.name,
    version,
    provider: 'container',
    auth,
    host,
    plainHttp: !p.tls,
    expected: def.expected,
    containerId: container.getId(),
    dir: p.dir,
    setup: setupOf(p, { image: def.image.name }),
    ...(p.login ? { login: p.login } : {}),
    ...(p.tls ? { caFile: p.tls.caFile } : {}),
    ...(p.token ? { token: p.token } : {}),
    url: () => `${p.tls ? 'https' : 'http'}://${host}`,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

async function readLogs(c: StartedTestContainer): Promise<string> {
  try {
    const stream = await c.logs();
    let out = '';
    stream.on('data', (d: Buffer) => {
      out += d.toString();
    });
    await new Promise((r) => setTimeout(r, 200));
    stream.destroy();
    return out.slice(-2000);
  } catch {
    return '';
  }
}
