// What the CLI says about itself (issue 15): one command tree, every command and
// subcommand answering --help, and the closest match for a mistyped word.

export const TOP_USAGE = `usage: ocicat <command> [options]

  catalog   package, push, pull, promote, list, unpackage and inspect catalogs
            (ocicat catalog --help)
  copy <oci://src> <oci://dst>
            copy any artifact (an index and all below it) between registries (ocicat copy --help)
  conformance run [--registry PATTERN]... [--registries FILE] [--feature PREFIX]...
            [--out DIR] [--fail-on fail|error|never] [--spec 1.1|next]
            test registries and write the compatibility report (ocicat conformance run --help)
  conformance submission RUN_DIR --registry ID --product PRODUCT.yaml --out DIR
            the folder for the OCI conformance program, and its checklist
  report diff OLD NEW | merge --out DIR SHARD... | render DIR | history RUN... --out DIR
            compare, join, re-render reports; runs as a timeline (ocicat report --help)

  --version   print the version
  --help      this text; every command and subcommand answers --help
`;

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The candidate closest to `word`, when it is close enough to be a typo. */
export function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let score = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < score) [best, score] = [c, d];
  }
  return best !== undefined && score <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

/** "did you mean X?" or a list of what exists. */
export function suggestion(word: string, candidates: string[], what: string): string {
  const c = closest(word, candidates);
  return c ? `did you mean "${c}"?` : `${what}: ${candidates.join(', ')}`;
}
