/**
 * A non-2xx answer of the mesh backend. `message` is the backend's own message
 * (from Backstage's `{ error: { name, message } }` body) when there is one.
 *
 * @public
 */
export class MeshApiError extends Error {
  /** HTTP status code. */
  readonly status: number;
  /** Error name reported by the backend (`InputError`, `NotAllowedError`, …). */
  readonly errorName?: string;

  constructor(message: string, status: number, errorName?: string) {
    super(message);
    this.name = 'MeshApiError';
    this.status = status;
    this.errorName = errorName;
  }

  /** Builds the error from a failed response, reading the backend's message if any. */
  static async fromResponse(response: Response): Promise<MeshApiError> {
    let message =
      `Request failed with ${response.status} ${response.statusText}`.trim();
    let errorName: string | undefined;
    try {
      const text = await response.text();
      const body = text ? JSON.parse(text) : undefined;
      if (body?.error?.message) {
        message = String(body.error.message);
        errorName = body.error.name ? String(body.error.name) : undefined;
      }
    } catch {
      // Not JSON (a proxy page, an empty body): keep the status line.
    }
    return new MeshApiError(message, response.status, errorName);
  }
}
