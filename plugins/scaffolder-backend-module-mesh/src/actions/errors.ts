/**
 * An error the scaffolder reports as bad input (HTTP 400, "InputError" in the task log).
 *
 * This package does not depend on `@backstage/errors` (its dependencies are fixed by the
 * lockfile), so it cannot `throw new InputError(...)` itself. Backstage recognises errors by
 * `name` (`serializeError`, the error handler's status mapping), so an `Error` named
 * `InputError` is treated exactly like one.
 *
 * @public
 */
export class MeshActionInputError extends Error {
  override name = 'InputError' as const;
}

/**
 * A failure reported by the mesh backend, keeping its HTTP status and error name.
 *
 * @public
 */
export class MeshBackendError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
    override readonly name: string = 'MeshBackendError',
  ) {
    super(message);
  }
}

/**
 * Formats zod issues (v3 or v4: both have `path` and `message`) as `field.path: message`.
 *
 * @internal
 */
export function formatIssues(
  issues: ReadonlyArray<{
    path: ReadonlyArray<PropertyKey>;
    message: string;
    code?: string;
    keys?: ReadonlyArray<string>;
  }>,
  prefix?: string,
): string {
  return issues
    .flatMap(issue => {
      const path = [
        ...(prefix ? [prefix] : []),
        ...issue.path.map(String),
      ].join('.');
      if (issue.code === 'unrecognized_keys' && issue.keys) {
        return issue.keys.map(
          key => `${path ? `${path}.` : ''}${key}: unknown field`,
        );
      }
      return [path ? `${path}: ${issue.message}` : issue.message];
    })
    .join('; ');
}
