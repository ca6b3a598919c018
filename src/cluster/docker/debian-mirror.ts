/**
 * Which Debian mirrors this machine's apt uses (deb822 .sources files or one-line sources.list entries), so the
 * base image is bootstrapped from the same place: no other registry is reachable on some machines.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DebianMirrors {
  /** The archive, e.g. http://deb.debian.org/debian. */
  archive: string;
  /** The security archive, e.g. http://deb.debian.org/debian-security. */
  security: string;
}

const DEFAULT: DebianMirrors = {
  archive: 'http://deb.debian.org/debian',
  security: 'http://deb.debian.org/debian-security',
};

export function debianMirrors(suite: string, aptDir = '/etc/apt'): DebianMirrors {
  const entries = sourceEntries(aptDir);
  const find = (wanted: string) => entries.find((e) => e.suites.includes(wanted))?.uri;
  return {
    archive: find(suite) ?? DEFAULT.archive,
    security: find(`${suite}-security`) ?? DEFAULT.security,
  };
}

interface SourceEntry {
  uri: string;
  suites: string[];
}

export function sourceEntries(aptDir: string): SourceEntry[] {
  const files: string[] = [];
  if (existsSync(join(aptDir, 'sources.list'))) files.push(join(aptDir, 'sources.list'));
  const dir = join(aptDir, 'sources.list.d');
  if (existsSync(dir)) {
    for (const name of readdirSync(dir).sort())
      if (name.endsWith('.list') || name.endsWith('.sources')) files.push(join(dir, name));
  }
  return files.flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return file.endsWith('.sources') ? parseDeb822(text) : parseOneLine(text);
  });
}

export function parseDeb822(text: string): SourceEntry[] {
  const entries: SourceEntry[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(stanza)?.[1]?.trim().split(/\s+/);
    const types = field('Types') ?? [];
    const uris = field('URIs') ?? [];
    const suites = field('Suites') ?? [];
    if (!types.includes('deb') || /^Enabled:\s*no/im.test(stanza)) continue;
    for (const uri of uris) entries.push({ uri: uri.replace(/\/$/, ''), suites });
  }
  return entries;
}

export function parseOneLine(text: string): SourceEntry[] {
  const entries: SourceEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const match = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
    if (match) entries.push({ uri: match[1]!.replace(/\/$/, ''), suites: [match[2]!] });
  }
  return entries;
}
