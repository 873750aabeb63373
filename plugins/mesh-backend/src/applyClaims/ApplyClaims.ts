import { DatabaseService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { migratedClient } from '../database/migrate';

/** An object an apply is about to write. */
export interface ClaimedObject {
  cluster: string;
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** Held claims; {@link ApplyClaim.release} gives them back (always, in a `finally`). */
export interface ApplyClaim {
  release(): Promise<void>;
}

/**
 * Another apply is writing one of the objects right now (this backend or another replica).
 * A 409: nothing was written, and planning again after it finished shows its result.
 */
export class ApplyInProgressError extends ConflictError {
  constructor(readonly objects: string[]) {
    super(`another apply is writing ${objects.join(', ')} right now: nothing applied; plan again in a moment`);
  }
}

const TABLE = 'mesh_apply_claims';

/** How long a claim holds when its replica never releases it (stopped mid-apply). */
export const CLAIM_TTL_MS = 120_000;

// JSON: unambiguous whatever a cluster's configured name holds (PostgreSQL text takes no NUL).
const keyOf = (o: ClaimedObject) => JSON.stringify([o.cluster, o.apiVersion, o.kind, o.namespace ?? '', o.name]);
const describe = (key: string) => {
  const [cluster, , kind, namespace, name] = JSON.parse(key) as string[];
  return `${kind} ${namespace ? `${namespace}/` : ''}${name} (cluster ${cluster})`;
};

/** PostgreSQL's unique_violation, SQLite's constraint failures (better-sqlite3 and sqlite3). */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === '23505' || (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT'));
}

/**
 * Claims on objects in the plugin's database, shared by every backend replica. Server-side
 * apply makes a write to an existing object conditional on the resourceVersion the plan read,
 * but a create cannot be: two replicas creating the same VirtualService would both succeed,
 * the later silently replacing the earlier. Claiming all of a plan's objects at once, in one
 * transaction, before writing any, closes that gap (and any race between replicas' re-plans).
 */
export class ApplyClaims {
  static async create(database: DatabaseService): Promise<ApplyClaims> {
    return new ApplyClaims(await migratedClient(database));
  }

  constructor(
    private readonly db: Knex,
    private readonly now: () => number = Date.now,
  ) {}

  /** Claims every object or none; throws {@link ApplyInProgressError} naming those held. */
  async claim(objects: ClaimedObject[], ttlMs: number = CLAIM_TTL_MS): Promise<ApplyClaim> {
    const keys = [...new Set(objects.map(keyOf))];
    const holder = randomUUID();
    const release = async () => {
      await this.db(TABLE).where({ holder }).delete();
    };
    if (keys.length === 0) return { release };
    const now = this.now();
    try {
      await this.db.transaction(async trx => {
        await trx(TABLE).whereIn('object_key', keys).where('expires_at', '<=', now).delete();
        await trx(TABLE).insert(keys.map(key => ({ object_key: key, holder, expires_at: now + ttlMs })));
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const held = await this.db(TABLE).whereIn('object_key', keys).where('expires_at', '>', now).select('object_key');
      throw new ApplyInProgressError(
        (held.length > 0 ? held.map(row => row.object_key as string) : keys).map(describe),
      );
    }
    return { release };
  }
}
