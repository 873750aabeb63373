import { Document } from 'yaml';

/**
 * Renders objects as one multi-document YAML stream (`---` between documents).
 *
 * @public
 */
export function toYaml(objects: ReadonlyArray<unknown>): string {
  return objects
    .map(object => new Document(object).toString({ lineWidth: 0 }))
    .join('---\n');
}
