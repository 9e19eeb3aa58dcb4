// The headers of one tar entry, encoded by hand: a POSIX ustar header, preceded by a pax
// extended header when a value does not fit ustar (a long or non-ASCII path or link target,
// milliseconds of mtime, a size from 8 GiB). The `tar` package's Header and Pax classes do the
// same at about ten times the cost, which dominates snapshots of many small files.

const BLOCK = 512;

export type TarEntryType = 'file' | 'directory' | 'symlink';

export interface TarEntryHeader {
  /** As stored: `files/a/b.txt`; directories end with `/`. */
  path: string;
  type: TarEntryType;
  /** Permission bits (0o7777 at most). */
  mode: number;
  /** Milliseconds since the epoch; a fraction is dropped, as a Date drops it. */
  mtimeMs: number;
  size: number;
  /** Symlink target. */
  linkpath?: string;
}

const TYPE_FLAGS: Record<TarEntryType | 'pax', number> = { file: 0x30, directory: 0x35, symlink: 0x32, pax: 0x78 };

// ustar field offsets and widths.
const NAME = [0, 100] as const;
const MODE = [100, 8] as const;
const SIZE = [124, 12] as const;
const MTIME = [136, 12] as const;
const CHECKSUM = [148, 8] as const;
const TYPEFLAG = 156;
const LINKNAME = [157, 100] as const;

/** The largest value an octal field of `width` bytes holds (digits, then a NUL). */
const octalLimit = (width: number): number => 8 ** (width - 1);
const SIZE_LIMIT = octalLimit(SIZE[1]);
const MTIME_LIMIT = octalLimit(MTIME[1]);

/** Every header starts as this: uid/gid 0, ustar magic and version, empty user and group names. */
const TEMPLATE = (() => {
  const block = Buffer.alloc(BLOCK);
  block.write('0000000\0', 108, 'latin1'); // uid
  block.write('0000000\0', 116, 'latin1'); // gid
  block.write('ustar\u000000', 257, 'latin1'); // magic, version
  return block;
})();

/**
 * True when `text` goes into a ustar string field of `width` bytes as it is: ASCII without NUL.
 * Short names with control characters stay out of pax on purpose: the `tar` package's reader
 * splits pax records at newlines.
 */
function fitsField(text: string, width: number): boolean {
  if (text.length > width) return false;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 0 || code > 0x7f) return false;
  }
  return true;
}

/** Scratch space for one entry's headers; copied out by the caller before the next entry. */
let scratch = Buffer.alloc(BLOCK * 4);

interface PaxRecord {
  key: string;
  value: string;
  /** The value's UTF-8 length. */
  valueBytes: number;
  /** The whole record's length, its own digits included. */
  length: number;
}

/**
 * The header blocks of one entry (pax header and its records when needed, then the ustar
 * header). The result is a view of a shared buffer: valid until the next call.
 */
export function encodeEntryHeaders(entry: TarEntryHeader): Buffer {
  const mtimeMs = Number.isFinite(entry.mtimeMs) ? Math.trunc(entry.mtimeMs) : 0;
  const seconds = Math.floor(mtimeMs / 1000);
  const wholeSeconds = seconds >= 0 && seconds < MTIME_LIMIT;
  const ustarSeconds = wholeSeconds ? seconds : 0;
  const mode = entry.mode & 0o7777;
  const pathFits = fitsField(entry.path, NAME[1]);
  const linkpath = entry.linkpath ?? '';
  const linkFits = fitsField(linkpath, LINKNAME[1]);
  const sizeFits = entry.size < SIZE_LIMIT;
  const timeFits = wholeSeconds && mtimeMs % 1000 === 0;
  if (pathFits && linkFits && sizeFits && timeFits) {
    writeUstar(scratch, 0, entry.path, TYPE_FLAGS[entry.type], mode, entry.size, ustarSeconds, linkpath);
    return scratch.subarray(0, BLOCK);
  }

  const records: PaxRecord[] = [];
  if (!pathFits) records.push(paxRecord('path', entry.path));
  if (!linkFits) records.push(paxRecord('linkpath', linkpath));
  if (!sizeFits) records.push(paxRecord('size', String(entry.size)));
  if (!timeFits) records.push(paxRecord('mtime', paxTime(mtimeMs)));
  let bodyLength = 0;
  for (const record of records) bodyLength += record.length;
  const paddedBody = Math.ceil(bodyLength / BLOCK) * BLOCK;
  const total = BLOCK + paddedBody + BLOCK;
  if (scratch.length < total) scratch = Buffer.alloc(total);

  writeUstar(scratch, 0, fallbackName(`PaxHeader/${baseName(entry.path)}`), TYPE_FLAGS.pax, mode, bodyLength, ustarSeconds, '');
  let at = BLOCK;
  for (const record of records) at = writePaxRecord(scratch, at, record);
  scratch.fill(0, at, BLOCK + paddedBody);
  const name = pathFits ? entry.path : fallbackName(entry.path);
  const linkname = linkFits ? linkpath : fallbackName(linkpath);
  writeUstar(scratch, BLOCK + paddedBody, name, TYPE_FLAGS[entry.type], mode, sizeFits ? entry.size : 0, ustarSeconds, linkname);
  return scratch.subarray(0, total);
}

/** The byte sum of TEMPLATE with the checksum field counted as eight spaces. */
const TEMPLATE_SUM = TEMPLATE.reduce((sum, byte) => sum + byte, 0) + 0x20 * CHECKSUM[1];

/** One ustar header at `offset`; `name` and `linkname` are ASCII and fit their fields. */
function writeUstar(
  target: Buffer,
  offset: number,
  name: string,
  typeflag: number,
  mode: number,
  size: number,
  seconds: number,
  linkname: string,
): void {
  TEMPLATE.copy(target, offset);
  // The template's sum plus every byte written below: the fields are zeros in the template.
  let sum = TEMPLATE_SUM + typeflag;
  sum += writeAscii(target, offset + NAME[0], name);
  sum += writeOctal(target, offset + MODE[0], MODE[1], mode);
  sum += writeOctal(target, offset + SIZE[0], SIZE[1], size);
  sum += writeOctal(target, offset + MTIME[0], MTIME[1], seconds);
  target[offset + TYPEFLAG] = typeflag;
  sum += writeAscii(target, offset + LINKNAME[0], linkname);
  // Six octal digits, NUL, space (the customary layout).
  writeOctal(target, offset + CHECKSUM[0], CHECKSUM[1] - 1, sum);
  target[offset + CHECKSUM[0] + CHECKSUM[1] - 1] = 0x20;
}

/** Writes ASCII `text`; returns the sum of the bytes written. */
function writeAscii(target: Buffer, offset: number, text: string): number {
  let sum = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    target[offset + i] = code;
    sum += code;
  }
  return sum;
}

/** `value` as zero-padded octal digits filling the field but its last byte, a NUL; returns the byte sum. */
function writeOctal(target: Buffer, offset: number, width: number, value: number): number {
  let rest = value;
  let sum = 0;
  for (let i = width - 2; i >= 0; i -= 1) {
    const digit = 0x30 + (rest % 8);
    target[offset + i] = digit;
    sum += digit;
    rest = Math.floor(rest / 8);
  }
  target[offset + width - 1] = 0;
  return sum;
}

/** One pax record, `<length> <key>=<value>\n`, where the length counts its own digits. */
function paxRecord(key: string, value: string): PaxRecord {
  const valueBytes = Buffer.byteLength(value);
  const rest = key.length + valueBytes + 3;
  let digits = String(rest).length;
  while (String(rest + digits).length !== digits) digits += 1;
  return { key, value, valueBytes, length: rest + digits };
}

function writePaxRecord(target: Buffer, offset: number, record: PaxRecord): number {
  const head = `${record.length} ${record.key}=`;
  writeAscii(target, offset, head);
  let at = offset + head.length;
  at += target.write(record.value, at, record.valueBytes, 'utf8');
  target[at] = 0x0a;
  return at + 1;
}

/** Milliseconds as pax seconds, exactly: `1700000000.123`, `-1.500`. */
function paxTime(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const magnitude = Math.abs(ms);
  const seconds = Math.floor(magnitude / 1000);
  const fraction = magnitude % 1000;
  return fraction === 0 ? `${sign}${seconds}` : `${sign}${seconds}.${String(fraction).padStart(3, '0')}`;
}

function baseName(path: string): string {
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** What a reader without pax support sees: ASCII, cut to the name field. */
function fallbackName(text: string): string {
  return fitsField(text, NAME[1]) ? text : text.replace(/[^\x20-\x7e]/g, '_').slice(0, NAME[1]);
}
