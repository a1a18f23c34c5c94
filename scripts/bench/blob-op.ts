// One blob push or pull by ocicat's client, in its own process so that the
// benchmark can measure its peak RSS. Usage:
//   node scripts/bench/blob-op.ts push|pull <host:port> <repo> <file> <digest> <size>

import { fileSource } from '../../harness/remote/blob-source.ts';
import { RegistryClient } from '../../harness/remote/client.ts';
import { RemoteRepository } from '../../harness/remote/repository.ts';

const [op, host, repository, file, digest, size] = process.argv.slice(2);
if (!op || !host || !repository || !file || !digest || !size) {
  process.stderr.write('usage: blob-op.ts push|pull <host:port> <repo> <file> <digest> <size>\n');
  process.exit(2);
}
const client = new RegistryClient({ plainHttp: true });
const repo = new RemoteRepository(client, { registry: host, repository });
const desc = { digest, size: Number(size) };
if (op === 'push') await repo.pushBlob(desc, fileSource(file, desc.size), { strategy: 'monolithic' });
else await repo.downloadBlob(desc, file);
await client.close();
