// One YAML reader for the catalog's files (Catalog.yaml, service definitions).
// yaml's own `uniqueKeys` check compares every key with every other one: a
// 550 KB mapping of 40,000 keys took 8.7 s here, 0.4 s without it (issue 18), so
// duplicate keys are found here in one pass with a Set. Aliases are capped
// (a "billion laughs" document expands to at most 100 alias uses), and callers
// cap the file's size first (catalog-fs.ts MAX_YAML_BYTES).
import { isMap, isScalar, parseDocument, visit } from 'yaml';
import { OcicatError } from '../errors.ts';

function bad(file: string, why: string): OcicatError {
  return new OcicatError('INVALID_CATALOG', `${file}: YAML ${why}`);
}

/** The document's data; throws INVALID_CATALOG naming the file on malformed YAML or a duplicate key. */
export function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: false, strict: true, prettyErrors: false });
  if (doc.errors.length) throw bad(file, `is malformed: ${doc.errors[0]!.message.split('\n')[0]}`);
  let duplicate: string | undefined;
  visit(doc, {
    Map(_, map) {
      if (!isMap(map)) return;
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? `s:${String(pair.key.value)}` : `n:${String(pair.key)}`;
        if (seen.has(key)) {
          duplicate = String(isScalar(pair.key) ? pair.key.value : pair.key);
          return visit.BREAK;
        }
        seen.add(key);
      }
      return undefined;
    },
  });
  if (duplicate !== undefined)
    throw bad(file, `is malformed: map keys must be unique ("${duplicate}" repeats)`);
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw bad(file, `cannot be read: ${(e as Error).message.split('\n')[0]}`);
  }
}
