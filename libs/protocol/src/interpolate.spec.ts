import { ConfigLoadError } from './errors.js';
import { assertWorkspaceConfig, interpolateEnv, loadWorkspaceConfigText, parseConfigText } from './interpolate.js';

function loadError(run: () => unknown): ConfigLoadError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigLoadError);
    return error as ConfigLoadError;
  }
  throw new Error('expected a ConfigLoadError');
}

async function asyncLoadError(run: () => Promise<unknown>): Promise<ConfigLoadError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigLoadError);
    return error as ConfigLoadError;
  }
  throw new Error('expected a ConfigLoadError');
}

describe('interpolateEnv (docs/cli.md §6)', () => {
  test('substitutes uppercase names', () => {
    expect(interpolateEnv({ bucket: '${AWS_S3_BUCKET}' }, { AWS_S3_BUCKET: 'b1' })).toEqual({ bucket: 'b1' });
    expect(interpolateEnv({ v: '${_X1}' }, { _X1: 'u' })).toEqual({ v: 'u' });
  });

  test.each(['${lower}', '${Mixed}', '$NAME', '${A-B}', '${VAR:-x}', '${1ABC}', '${}', '$ {NAME}'])('%s is left literally', (text) => {
    const env = { lower: 'L', Mixed: 'M', NAME: 'N', A: 'a', B: 'b', VAR: 'v', '1ABC': '1', 'A-B': 'ab' };
    expect(interpolateEnv({ v: text }, env)).toEqual({ v: text });
  });

  test('literal non-matching forms do not count as missing', () => {
    expect(interpolateEnv({ v: '${lower} $NAME ${VAR:-x}' }, {})).toEqual({ v: '${lower} $NAME ${VAR:-x}' });
  });

  test('mapping keys are not interpolated', () => {
    expect(interpolateEnv({ '${KEY}': { '${INNER}': '${VALUE}' } }, { KEY: 'k', INNER: 'i', VALUE: 'v' })).toEqual({
      '${KEY}': { '${INNER}': 'v' },
    });
  });

  test('numbers, booleans and null are untouched; sequences are walked', () => {
    const document = { port: 8080, on: true, off: null, list: ['${A}', 1, ['${B}'], { deep: '${A}' }] };
    expect(interpolateEnv(document, { A: 'a', B: 'b' })).toEqual({ port: 8080, on: true, off: null, list: ['a', 1, ['b'], { deep: 'a' }] });
  });

  test('the value is inserted verbatim: a string, no recursion, no coercion', () => {
    expect(interpolateEnv({ port: '${PORT}' }, { PORT: '8080' })).toEqual({ port: '8080' });
    expect(interpolateEnv({ v: '${A}' }, { A: '${B}', B: 'no' })).toEqual({ v: '${B}' });
    expect(interpolateEnv({ v: '${A}' }, { A: '$& $1 $$' })).toEqual({ v: '$& $1 $$' });
  });

  test('an empty value counts as present', () => {
    expect(interpolateEnv({ v: 'x${EMPTY}y' }, { EMPTY: '' })).toEqual({ v: 'xy' });
  });

  test('several placeholders per string', () => {
    expect(interpolateEnv({ v: '${A}/${B}-${A}' }, { A: '1', B: '2' })).toEqual({ v: '1/2-1' });
  });

  test('every missing name in one message, de-duplicated and sorted by code point', () => {
    const document = { a: '${ZED} ${B_VAR}', b: ['${A_VAR}', '${ZED}'], c: { d: '${_U} ${PRESENT}' } };
    const error = loadError(() => interpolateEnv(document, { PRESENT: 'p' }));
    expect(error.message).toBe('missing environment variables: A_VAR, B_VAR, ZED, _U');
  });

  test('`$${VAR}` substitutes the inner placeholder and keeps the leading $', () => {
    expect(interpolateEnv({ v: '$${VAR}' }, { VAR: 'x' })).toEqual({ v: '$x' });
  });

  test('does not mutate its input', () => {
    const document = { a: ['${A}'] };
    interpolateEnv(document, { A: 'x' });
    expect(document).toEqual({ a: ['${A}'] });
  });

  test('a `__proto__` key stays an own key and is interpolated like any other', () => {
    const document = JSON.parse('{"__proto__": {"mounts": "${A}"}, "b": 1}') as Record<string, unknown>;
    const out = interpolateEnv(document, { A: 'x' });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect('mounts' in out).toBe(false);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"mounts":"x"},"b":1}');
  });
});

describe('parseConfigText / loadWorkspaceConfigText', () => {
  const yaml = [
    'mode: WRITE',
    'mounts:',
    '  /:',
    '    resource: ram',
    '  /s3:',
    '    resource: s3',
    '    config:',
    '      bucket: ${AWS_S3_BUCKET}',
    '',
  ].join('\n');

  test('parses and interpolates YAML', async () => {
    await expect(parseConfigText(yaml, { AWS_S3_BUCKET: 'b' })).resolves.toEqual({
      mode: 'WRITE',
      mounts: { '/': { resource: 'ram' }, '/s3': { resource: 's3', config: { bucket: 'b' } } },
    });
  });

  test('accepts JSON', async () => {
    await expect(loadWorkspaceConfigText('{"mounts": {"/": {"resource": "ram", "x": "${X}"}}}', { X: '1' })).resolves.toEqual({
      mounts: { '/': { resource: 'ram', x: '1' } },
    });
  });

  test('bad YAML → ConfigLoadError', async () => {
    const error = await asyncLoadError(() => parseConfigText('mounts: [unclosed\n  - : :', {}));
    expect(error.message).toMatch(/^invalid YAML: /);
    expect(error.message).not.toContain('\n');
  });

  test.each(['', '- a\n- b\n', 'just text', '42', 'null'])('not a mapping (%p) → ConfigLoadError', async (text) => {
    const error = await asyncLoadError(() => parseConfigText(text, {}));
    expect(error.message).toBe('config source must be a mapping');
  });

  test('missing variables are reported by the parser', async () => {
    const error = await asyncLoadError(() => parseConfigText(yaml, {}));
    expect(error.message).toBe('missing environment variables: AWS_S3_BUCKET');
  });

  test.each(['mode: WRITE\n', 'mounts: []\n', 'mounts: ram\n', 'mounts:\n'])(
    'missing or bad mounts (%p) → ConfigLoadError',
    async (text) => {
      await expect(parseConfigText(text, {})).resolves.toBeDefined();
      const error = await asyncLoadError(() => loadWorkspaceConfigText(text, {}));
      expect(error.message).toBe('config requires a `mounts` mapping');
    },
  );

  test('assertWorkspaceConfig checks mapping then mounts', () => {
    expect(loadError(() => assertWorkspaceConfig([])).message).toBe('config source must be a mapping');
    expect(loadError(() => assertWorkspaceConfig({ mode: 'x' })).message).toBe('config requires a `mounts` mapping');
    expect(() => assertWorkspaceConfig({ mounts: {} })).not.toThrow();
  });
});
