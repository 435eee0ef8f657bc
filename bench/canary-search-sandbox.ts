// The canary-search benchmark's sandbox: 10,000 files, 200 MB of log-like text, JSON and
// binary under three roots, with 20 lab-like canaries planted in every encoding the search
// knows. Every plant is recorded (file, offset, canary, encoding) so recall can be checked.
import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CanaryEncoding, RootName } from '../src/evidence/model.ts';
import type { CanaryKind } from '../src/evidence/names.ts';
import { Secret } from '../src/evidence/secret.ts';
import { newDeviceCode, newJti, newRefreshToken, newUserCode } from '../src/lab/canaries.ts';
import { LabKeys } from '../src/lab/keys.ts';
import type { CanaryInput, NeedleSet } from '../src/search/needles.ts';

export interface SandboxSpec {
  files: number;
  totalBytes: number;
  canariesPerKind: number;
}

export interface Plant {
  root: RootName;
  path: string;
  offset: number;
  canary: CanaryInput;
  /** What was written, e.g. `base64url +2 in a blob`. */
  form: string;
  /** The encoding a hit must report (the most specific needle with these bytes). */
  encoding: CanaryEncoding;
  /** The bytes a needle must match there (for the expected encoding). */
  fragment: Buffer;
  /** Case-insensitive fragment (user-code variants). */
  anyCase: boolean;
}

export interface Sandbox {
  roots: { name: RootName; dir: string }[];
  files: number;
  bytes: number;
  largestFile: number;
  plants: Plant[];
}

const ROOTS: RootName[] = ['HOME', 'TMPDIR', 'cwd'];

const KINDS: CanaryKind[] = [
  'device_code',
  'user_code',
  'access_token',
  'refresh_token',
  'id_token',
];

/** Canaries as the lab makes them: JWTs signed with a fresh ES256 key. */
export async function makeCanaries(perKind: number): Promise<CanaryInput[]> {
  const keys = await LabKeys.generate();
  const issuer = 'http://127.0.0.1:43117';
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const canaries: CanaryInput[] = [];
  for (let i = 0; i < perKind; i++) {
    for (const kind of KINDS) {
      let value: string;
      if (kind === 'device_code') value = newDeviceCode();
      else if (kind === 'user_code') value = newUserCode();
      else if (kind === 'refresh_token') value = newRefreshToken();
      else if (kind === 'access_token') {
        value = await keys.sign(
          {
            iss: issuer,
            sub: 'devicebound-user',
            aud: `${issuer}/resource`,
            client_id: 'devicebound-cli',
            scope: 'openid profile offline_access',
            jti: newJti(),
          },
          'at+jwt',
          exp,
        );
      } else {
        value = await keys.sign(
          { iss: issuer, sub: 'devicebound-user', aud: 'devicebound-cli', jti: newJti() },
          'JWT',
          exp,
        );
      }
      canaries.push({ kind, secret: new Secret(value) });
    }
  }
  return canaries;
}

interface Piece {
  /** Bytes to insert, and where in them the fragment starts. */
  bytes: Buffer;
  at: number;
  form: string;
  fragment: Buffer;
  anyCase: boolean;
  binary: boolean;
}

/** Every form of one canary, each wrapped in the kind of line or record a program writes. */
function piecesOf(canary: CanaryInput): Piece[] {
  const value = canary.secret.reveal();
  const raw = Buffer.from(value);
  const pieces: Piece[] = [];
  const text = (form: string, before: string, fragment: string, after: string, anyCase = false) => {
    pieces.push({
      bytes: Buffer.from(`${before}${fragment}${after}`),
      at: Buffer.byteLength(before),
      form,
      fragment: Buffer.from(fragment),
      anyCase,
      binary: false,
    });
  };
  const ts = () => new Date(Date.now() - randomInt(1e9)).toISOString();
  text('raw', `${ts()} DEBUG auth: got token=`, value, ' (cached)\n');
  text(
    'json',
    '{"credentials":{"token":"',
    JSON.stringify(value).slice(1, -1),
    '","type":"Bearer"}}\n',
  );
  text('json \\/', '{"token":"', JSON.stringify(value).slice(1, -1).replaceAll('/', '\\/'), '"}\n');
  text('url', `${ts()} GET /callback?code=`, encodeURIComponent(value), '&state=xyz HTTP/1.1\n');
  text(
    'url form',
    'POST body: grant_type=refresh&token=',
    new URLSearchParams({ t: value }).toString().slice(2),
    '\n',
  );
  text('hex lower', `${ts()} TRACE bytes=`, raw.toString('hex'), '\n');
  text('hex upper', 'DUMP ', raw.toString('hex').toUpperCase(), ' END\n');
  for (const alphabet of ['base64', 'base64url'] as const) {
    for (const unknown of [3, 4, 5]) {
      // The value inside a larger encoded blob, preceded by `unknown` bytes.
      const blob = Buffer.concat([
        randomBytes(unknown),
        raw,
        randomBytes(randomInt(1, 9)),
      ]).toString(alphabet);
      const start = Math.ceil((8 * unknown) / 6);
      const end = Math.floor((8 * (unknown + raw.length)) / 6);
      const before = `{"blob":"`;
      pieces.push({
        bytes: Buffer.from(`${before}${blob}"}\n`),
        at: before.length + start,
        form: `${alphabet} +${unknown % 3} in a blob`,
        fragment: Buffer.from(blob.slice(start, end)),
        anyCase: false,
        binary: false,
      });
    }
  }
  // The whole token response, base64-encoded, as some credential stores keep it.
  const response = JSON.stringify({ access_token: value, token_type: 'Bearer', expires_in: 3600 });
  const before = Buffer.byteLength(response.slice(0, response.indexOf(value)));
  const encoded = Buffer.from(response).toString('base64');
  const start = Math.ceil((8 * before) / 6);
  pieces.push({
    bytes: Buffer.from(`stored=${encoded}\n`),
    at: 'stored='.length + start,
    form: 'base64 JSON token response',
    fragment: Buffer.from(encoded.slice(start, Math.floor((8 * (before + raw.length)) / 6))),
    anyCase: false,
    binary: false,
  });
  const utf16 = Buffer.from(value, 'utf16le');
  const pad = Buffer.alloc(16);
  pieces.push({
    bytes: Buffer.concat([pad, utf16, pad]),
    at: pad.length,
    form: 'utf16le',
    fragment: utf16,
    anyCase: false,
    binary: true,
  });
  if (canary.kind === 'user_code') {
    const plain = value.replace('-', '');
    const mixed = [...plain].map((c, i) => (i % 3 === 0 ? c.toLowerCase() : c)).join('');
    text('user code lower case', 'Enter the code: ', value.toLowerCase(), '\n', true);
    text('user code without dash', 'code=', plain, '\n', true);
    text('user code mixed case, no dash', 'typed ', mixed, '\n', true);
  }
  return pieces;
}

const WORDS = [
  'INFO',
  'DEBUG',
  'WARN',
  'request',
  'GET',
  'POST',
  '/api/v1/users',
  '/oauth/token',
  '200',
  '401',
  'took',
  'ms',
  'user_id=',
  'session',
  'error',
  'connection',
  'timeout',
  'retry',
  'the',
  'and',
  'config',
  'cache',
  'refresh',
  'scope=openid',
  'client',
  'device',
  'poll',
  'interval=5',
  'ok',
];

function logPool(bytes: number): Buffer {
  const lines: string[] = [];
  let size = 0;
  const t0 = Date.now();
  while (size < bytes) {
    const words = Array.from({ length: 4 + randomInt(12) }, () => WORDS[randomInt(WORDS.length)]);
    const line = `${new Date(t0 - randomInt(1e9)).toISOString()} ${words.join(' ')} req=${randomBytes(8).toString('hex')}\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join(''));
}

function jsonPool(bytes: number): Buffer {
  const records: string[] = [];
  let size = 0;
  while (size < bytes) {
    const record = `${JSON.stringify({
      id: randomBytes(16).toString('hex'),
      name: WORDS[randomInt(WORDS.length)],
      updated: new Date(Date.now() - randomInt(1e9)).toISOString(),
      etag: randomBytes(12).toString('base64url'),
      data: randomBytes(randomInt(16, 180)).toString('base64'),
      count: randomInt(1e6),
      tags: [WORDS[randomInt(WORDS.length)], WORDS[randomInt(WORDS.length)]],
    })},\n`;
    records.push(record);
    size += record.length;
  }
  return Buffer.from(records.join(''));
}

/** A random slice of `pool`, `length` bytes long (pool is at least that long). */
function slice(pool: Buffer, length: number): Buffer {
  const start = randomInt(0, pool.length - length + 1);
  return pool.subarray(start, start + length);
}

/** Writes the sandbox under `base` and returns where everything was planted. */
export function writeSandbox(
  base: string,
  spec: SandboxSpec,
  canaries: readonly CanaryInput[],
  needles: NeedleSet,
): Sandbox {
  // Sizes: most files small, some of a few MB, one larger than the 8 MiB search window.
  const weights = Array.from({ length: spec.files }, (_, i) => {
    if (i === 0) return 24_000_000;
    if (i % 100 === 1) return 8_000 * randomInt(50, 150);
    return randomInt(1_000, 30_000);
  });
  const scale = spec.totalBytes / weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => Math.max(64, Math.floor(w * scale)));
  const largest = Math.max(...sizes);
  const pools = {
    log: logPool(Math.max(largest, 24 << 20)),
    json: jsonPool(Math.max(largest, 24 << 20)),
    bin: randomBytes(Math.max(largest, 24 << 20)),
  };

  const roots = ROOTS.map((name) => ({ name, dir: join(base, name.toLowerCase()) }));
  interface Planned {
    root: RootName;
    path: string;
    type: 'log' | 'json' | 'bin';
    size: number;
    pieces: { piece: Piece; canary: CanaryInput }[];
  }
  const planned: Planned[] = sizes.map((size, i) => {
    // 70% of the files in HOME, 20% in TMPDIR, 10% in cwd.
    const root: RootName = i < spec.files * 0.7 ? 'HOME' : i < spec.files * 0.9 ? 'TMPDIR' : 'cwd';
    const type = i % 10 < 5 ? 'log' : i % 10 < 8 ? 'json' : 'bin';
    const ext = type === 'bin' ? 'bin' : type;
    const dir = `${['.config', '.cache', '.local/share', 'projects', 'logs'][i % 5]}/d${(i >> 3) % 40}/s${i % 7}`;
    return { root, path: `${dir}/f${i}.${ext}`, type, size, pieces: [] };
  });
  // Plants go to random files of a fitting kind: text forms into log and JSON files, UTF-16LE
  // into binary ones.
  const textFiles = planned.filter((f) => f.type !== 'bin');
  const binaryFiles = planned.filter((f) => f.type === 'bin');
  for (const canary of canaries) {
    for (const piece of piecesOf(canary)) {
      const pool = piece.binary ? binaryFiles : textFiles;
      (pool[randomInt(pool.length)] as Planned).pieces.push({ piece, canary });
    }
  }

  const plants: Plant[] = [];
  let bytes = 0;
  const made = new Set<string>();
  for (const file of planned) {
    const absolute = join(base, file.root.toLowerCase(), file.path);
    const folder = absolute.slice(0, absolute.lastIndexOf('/'));
    if (!made.has(folder)) {
      mkdirSync(folder, { recursive: true });
      made.add(folder);
    }
    const planted = file.pieces.reduce((sum, p) => sum + p.piece.bytes.length, 0);
    const filler = slice(pools[file.type], Math.max(0, file.size - planted));
    // Cut the filler at line starts (text) or anywhere (binary) and put the pieces in between.
    const cuts = file.pieces
      .map(() => {
        const at = randomInt(0, filler.length + 1);
        if (file.type === 'bin') return at;
        const newline = filler.indexOf(10, at);
        return newline === -1 ? filler.length : newline + 1;
      })
      .sort((a, b) => a - b);
    const parts: Buffer[] = [];
    let from = 0;
    let offset = 0;
    for (const [i, { piece, canary }] of file.pieces.entries()) {
      const cut = cuts[i] as number;
      parts.push(filler.subarray(from, cut));
      offset += cut - from;
      from = cut;
      parts.push(piece.bytes);
      plants.push({
        root: file.root,
        path: file.path,
        offset: offset + piece.at,
        canary,
        form: piece.form,
        encoding: expectedEncoding(needles, canary, piece),
        fragment: piece.fragment,
        anyCase: piece.anyCase,
      });
      offset += piece.bytes.length;
    }
    parts.push(filler.subarray(from));
    const content = Buffer.concat(parts);
    writeFileSync(absolute, content);
    bytes += content.length;
  }
  return { roots, files: planned.length, bytes, largestFile: largest, plants };
}

/** The encoding of the needle that has exactly the planted bytes: raw wins over identical forms. */
function expectedEncoding(needles: NeedleSet, canary: CanaryInput, piece: Piece): CanaryEncoding {
  const fragment = piece.anyCase
    ? piece.fragment.toString().toLowerCase()
    : piece.fragment.toString('latin1');
  const needle = needles.needles.find(
    (n) =>
      n.canary.fingerprint === canary.secret.fingerprint &&
      (piece.anyCase
        ? n.caseInsensitive && n.bytes.toString() === fragment
        : !n.caseInsensitive && n.bytes.toString('latin1') === fragment),
  );
  if (!needle)
    throw new Error(`no needle for the planted form '${piece.form}' of a ${canary.kind}`);
  return needle.encoding;
}
