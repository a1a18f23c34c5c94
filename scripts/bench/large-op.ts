// One large-layer push (streamed from the generator) or pull (to a file, verified),
// in its own process so that its peak RSS can be measured.
//   node scripts/bench/large-op.ts push|pull <host:port> <repo> <seed> <size> <digest> [out]
import { generatedSource } from '../../fixtures/generated-source.ts';
import { RegistryClient } from '../../harness/remote/client.ts';
import { RemoteRepository } from '../../harness/remote/repository.ts';

const [op, host, repository, seed, size, digest, out] = process.argv.slice(2);
if (!op || !host || !repository || !seed || !size || !digest) {
  process.stderr.write('usage: large-op.ts push|pull <host> <repo> <seed> <size> <digest> [out]\n');
  process.exit(2);
}
const client = new RegistryClient({ plainHttp: true });
const repo = new RemoteRepository(client, { registry: host, repository });
const desc = { digest, size: Number(size) };
if (op === 'push') await repo.pushBlob(desc, generatedSource(seed, desc.size));
else await repo.downloadBlob(desc, out ?? '/dev/null');
await client.close();
