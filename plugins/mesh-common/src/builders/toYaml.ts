import { Document, type ScalarTag } from 'yaml';

/**
 * Plain scalars that Go's YAML reader (go-yaml v2, under sigs.k8s.io/yaml, which kubectl and
 * istioctl use) turns into something other than a string but that the YAML 1.1 schema of the
 * `yaml` package does not flag: Go's `strconv.ParseInt(s, 0, 64)` also takes `0o17`, `0X1F`,
 * `0B101` (go-yaml v2 resolve.go: ints are parsed with base 0 after dropping `_`), and `<<` is
 * go-yaml's merge key. Used only as a `compat` schema: strings it matches are quoted; it never
 * resolves anything.
 */
const goYamlV2NonStrings: ScalarTag = {
  tag: 'tag:mesh-portal.dev,2026:go-yaml-v2-non-string',
  default: true,
  test: /^(?:[-+]?0[oObBxX][0-9a-fA-F_]*|<<|=)$/,
  resolve: (value: string) => value,
  identify: () => false,
};

const MERGE_TAG = 'tag:yaml.org,2002:merge';

/**
 * Renders objects as one multi-document YAML stream (`---` between documents).
 *
 * Kubernetes reads manifests with YAML 1.1 rules (sigs.k8s.io/yaml → go-yaml v2), where
 * `yes`, `on`, `n`, `0755`, `1_000`, `2024-01-01` or `~` are not strings. Writing with the
 * `yaml` package's YAML 1.1 schema (plus `goYamlV2NonStrings` as `compat`) quotes every
 * string such a reader would take for a bool, number, null or timestamp, so what kubectl sees
 * is the JSON we built. YAML 1.2 readers read the quoted strings the same way.
 *
 * @public
 */
export function toYaml(objects: ReadonlyArray<unknown>): string {
  return objects
    .map(object =>
      new Document(object, {
        version: '1.1',
        // Without the merge tag, the string "<<" is a string to quote, not a bare merge key.
        customTags: tags =>
          tags.filter(
            tag =>
              tag !== 'merge' &&
              (typeof tag === 'string' || tag.tag !== MERGE_TAG),
          ),
        compat: [goYamlV2NonStrings],
      }).toString({ lineWidth: 0 }),
    )
    .join('---\n');
}
