// The form in which a case-insensitive, normalization-insensitive filesystem
// (macOS APFS and HFS+, Windows NTFS) compares names (issue 24: "S/l1" is "s/l1"
// there, and an NFD name is the NFC one). NFC, then a full case fold: upper then
// lower case maps "ß" to "ss" and "ſ" to "s", as APFS's folding does; folding more
// names together than a filesystem would only refuses more.
export function foldName(name: string): string {
  return name.normalize('NFC').toUpperCase().toLowerCase().normalize('NFC');
}

/**
 * ".git" in any case or form: git itself refuses such a path in a tree
 * (verify_path), ocicat neither packages one nor unpacks one (issue 24: an
 * unpacked catalog's .git/config with core.fsmonitor ran on "git status"), as
 * helm package leaves .git out.
 */
export function isGitFolder(name: string): boolean {
  return foldName(name) === '.git';
}
