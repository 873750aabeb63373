import { localMesh } from './localMesh';

/**
 * The objects of a (multi-document) YAML file as Kubernetes' own YAML reading sees them:
 * `kubectl patch --local` with an empty merge patch decodes the file as kubectl does for
 * `apply` (sigs.k8s.io/yaml: YAML 1.1 scalars, so an unquoted `yes` is a boolean and `080`
 * a number) and prints every object back as JSON, otherwise unchanged (nulls and empty maps
 * kept, keys sorted). No server is contacted.
 */
export async function kubectlReadYaml(yaml: string): Promise<unknown[]> {
  if (yaml.trim() === '') return []; // kubectl refuses a file without objects
  const res = await localMesh.kubectl(['patch', '--local', '-f', '-', '--type', 'merge', '-p', '{}', '-o', 'json'], {
    input: yaml,
  });
  if (res.code !== 0) throw new Error(`kubectl could not read the YAML: ${res.stderr}`);
  return parseJsonStream(res.stdout);
}

/** Concatenated JSON values (kubectl prints one per object), in order. */
export function parseJsonStream(text: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === '{' || c === '[') {
      if (depth++ === 0) start = i;
    } else if (c === '}' || c === ']') {
      if (--depth === 0) values.push(JSON.parse(text.slice(start, i + 1)));
    } else if (depth === 0 && c.trim() !== '') {
      throw new Error(`unexpected ${JSON.stringify(c)} between JSON values at ${i}`);
    }
  }
  if (depth !== 0 || inString) throw new Error('truncated JSON stream');
  return values;
}
