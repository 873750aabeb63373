import { isDeepStrictEqual } from 'node:util';
import { objectMemo } from './objectMemo';

describe('objectMemo', () => {
  it('keeps a value per object, invisible to JSON, keys, spreads and deep equality', () => {
    const memo = objectMemo<object, string>('test');
    const pod = { metadata: { name: 'a' } };
    const other = { metadata: { name: 'a' } };
    expect(memo.get(pod)).toBeUndefined();
    memo.set(pod, 'derived');
    expect(memo.get(pod)).toBe('derived');
    expect(memo.get(other)).toBeUndefined();
    expect(JSON.stringify(pod)).toBe('{"metadata":{"name":"a"}}');
    expect(Object.keys(pod)).toEqual(['metadata']);
    expect({ ...pod }).toEqual(other);
    expect(isDeepStrictEqual(pod, other)).toBe(true);
    expect(structuredClone(pod)).toEqual(other);
    expect(memo.get(structuredClone(pod))).toBeUndefined();
  });

  it('keeps values of frozen objects too, and memos of different names apart', () => {
    const one = objectMemo<object, number>('one');
    const two = objectMemo<object, number>('two');
    const frozen = Object.freeze({ metadata: { name: 'f' } });
    one.set(frozen, 1);
    two.set(frozen, 2);
    expect(one.get(frozen)).toBe(1);
    expect(two.get(frozen)).toBe(2);
    expect(Object.getOwnPropertySymbols(frozen)).toEqual([]);
  });
});
