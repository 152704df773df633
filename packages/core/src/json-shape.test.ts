import { describe, expect, it } from 'vitest';
import { jsonShapeProblem } from './json-shape.js';

const b = (s: string) => Buffer.from(s);

describe('jsonShapeProblem', () => {
  it('accepts objects nested up to the limit, brackets inside strings ignored', () => {
    expect(jsonShapeProblem(b(' {"a":[{"b":"[[[[\\"{{{"}]}'), 3)).toBeUndefined();
    expect(jsonShapeProblem(b('{"a":{"b":{}}}'), 3)).toBeUndefined();
  });
  it('refuses deeper nesting', () => {
    expect(jsonShapeProblem(b('{"a":{"b":{"c":{}}}}'), 3)).toBe(
      'it nests arrays or objects more than 3 deep',
    );
    expect(jsonShapeProblem(b('[[[[[['), 5)).toBe('it nests arrays or objects more than 5 deep');
    expect(jsonShapeProblem(b(`{"a":${'['.repeat(100)}`))).toBe(
      'it nests arrays or objects more than 64 deep',
    );
  });
});
