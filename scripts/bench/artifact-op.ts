// ocicat's side of `npm run bench`: copy an artifact between an OCI layout and a
// registry with ocicat's client, in its own process (for peak RSS).
//   node scripts/bench/artifact-op.ts push <layout> <tag> <host:port> <repo>
//   node scripts/bench/artifact-op.ts pull <host:port> <repo> <tag> <layout>
import { copy } from '../../harness/content/copy.ts';
import { OciLayout } from '../../harness/content/oci-layout.ts';
import { RemoteTarget } from '../../harness/content/remote-target.ts';
import { RegistryClient } from '../../harness/remote/client.ts';

const [op, a, b, c, d] = process.argv.slice(2);
if ((op !== 'push' && op !== 'pull') || !a || !b || !c || !d) {
  process.stderr.write(
    'usage: artifact-op.ts push <layout> <tag> <host> <repo> | pull <host> <repo> <tag> <layout>\n',
  );
  process.exit(2);
}
const client = new RegistryClient({ plainHttp: true, concurrency: 4 });
if (op === 'push') {
  await copy(await OciLayout.open(a), b, new RemoteTarget(client, { registry: c, repository: d }), b, {
    concurrency: 4,
  });
} else {
  await copy(new RemoteTarget(client, { registry: a, repository: b }), c, await OciLayout.open(d), c, {
    concurrency: 4,
  });
}
await client.close();
