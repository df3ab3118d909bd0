/** Id validators: property-based, since they stand between user input and an unencoded URL path. */
import fc from 'fast-check';
import { isValidId, validateId, type IdKind } from '../../lib/dcs/ids';

const KINDS: IdKind[] = ['instance', 'node', 'job', 'project'];
const FORBIDDEN = ['/', '.', '%', '?', '#', ' ', '\t', '\n', '\\', '{', '}'];

describe('ids', () => {
  test('real-looking ids pass', () => {
    expect(isValidId('instance', '5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b')).toBe(true);
    expect(isValidId('instance', '5E2B1C9A-7F3D-4D2E-9B8A-1C2D3E4F5A6B')).toBe(true);
    expect(isValidId('project', '0123456789abcdef0123456789abcdef')).toBe(true);
    expect(isValidId('node', '8abf6e1e824dfcb201824e02ee9a0015')).toBe(true);
    expect(isValidId('node', '5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b')).toBe(true);
    expect(isValidId('job', 'ff80808288a4d2a5018921f8e95e1234')).toBe(true);
  });

  test('an instance id must be a UUID and a project id 32 hex', () => {
    expect(isValidId('instance', '8abf6e1e824dfcb201824e02ee9a0015')).toBe(false);
    expect(isValidId('project', '5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b')).toBe(false);
    expect(isValidId('project', '{project_id}')).toBe(false);
  });

  test('no id of any kind may contain a path, query, encoding or whitespace character', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KINDS), fc.string(), fc.constantFrom(...FORBIDDEN), fc.string(), (kind, a, bad, b) => {
        return !isValidId(kind, `${a}${bad}${b}`);
      }),
      { numRuns: 2000 },
    );
  });

  test('non-strings are refused', () => {
    for (const kind of KINDS) for (const v of [undefined, null, 42, {}, ['x']]) expect(isValidId(kind, v)).toBe(false);
  });

  test('validateId names the field and kind, and does not echo the value', () => {
    const result = validateId('instance', '../../secret-path', 'target.instanceId');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe('invalid_request');
    expect(result.error.code).toBe('invalid_instance_id');
    expect(result.error.message).toContain('target.instanceId must be a UUID');
    expect(result.error.message).not.toContain('secret-path');
  });
});
