import { parseJsonStream } from './kubectlYaml';

describe('parseJsonStream', () => {
  it('reads the objects kubectl prints one after the other, braces and quotes in strings included', () => {
    const text = `{\n    "a": "} {\\" ]",\n    "b": [1, {"c": null}]\n}\n{\n    "d": {}\n}\n`;
    expect(parseJsonStream(text)).toEqual([{ a: '} {" ]', b: [1, { c: null }] }, { d: {} }]);
    expect(parseJsonStream('')).toEqual([]);
  });

  it('refuses text that is not a stream of JSON values', () => {
    expect(() => parseJsonStream('{"a": 1}\nerror: x')).toThrow(/unexpected "e"/);
    expect(() => parseJsonStream('{"a": [1')).toThrow('truncated JSON stream');
  });
});
