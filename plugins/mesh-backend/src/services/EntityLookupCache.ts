import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';

/**
 * A few seconds of memory for catalog lookups, per caller and entity. The Mesh tab polls the
 * status every few seconds while pods restart, and the overview asks for many entities: the
 * catalog round trip in front of every status read is the largest cost left after the cluster
 * reads (bench/README.md). Keyed by the caller's principal, so one user's view of the catalog
 * never answers another's; short enough that annotation edits show up at once in practice.
 */
export class EntityLookupCache {
  private readonly entries = new Map<string, { at: number; entity: Promise<Entity | undefined> }>();

  constructor(
    private readonly ttlMs = 5_000,
    private readonly maxEntries = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(
    entityRef: string,
    credentials: BackstageCredentials,
    load: () => Promise<Entity | undefined>,
  ): Promise<Entity | undefined> {
    const key = `${principalKey(credentials)}|${entityRef}`;
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.entity;
    const entity = load();
    // Failures are not remembered: the next call asks the catalog again.
    entity.catch(() => this.entries.delete(key));
    this.entries.delete(key);
    this.entries.set(key, { at: this.now(), entity });
    if (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
    return entity;
  }
}

function principalKey(credentials: BackstageCredentials): string {
  const principal = credentials.principal as { type?: string; userEntityRef?: string; subject?: string };
  return `${principal.type}:${principal.userEntityRef ?? principal.subject ?? 'unknown'}`;
}
