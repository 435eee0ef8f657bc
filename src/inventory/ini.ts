import type { IniSections } from './detector.ts';

/**
 * The INI dialect of `~/.aws/credentials`, `~/.databrickscfg`, `.boto` and `.npmrc`: `[section]`
 * headers, `key = value` lines, `#`/`;` comments. Keys before any header go to section `''`.
 * Throws on a line that is none of these.
 */
export function parseIni(text: string): IniSections {
  const sections: IniSections = {};
  let current: Record<string, string> = {};
  sections[''] = current;
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      current = sections[(header[1] as string).trim()] ??= {};
      continue;
    }
    const equals = line.indexOf('=');
    if (equals <= 0) throw new Error(`line ${index + 1}: expected key = value`);
    current[line.slice(0, equals).trim()] = line.slice(equals + 1).trim();
  }
  return sections;
}
