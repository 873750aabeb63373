import { DatabaseService } from '@backstage/backend-plugin-api';
import { AuditEntry, MeshActionRequest } from '@mesh-portal/backstage-plugin-mesh-common';
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { migratedClient } from '../database/migrate';

/** What {@link AuditStore.record} takes. */
export interface NewAuditEntry {
  actor: string;
  entityRef: string;
  cluster: string;
  namespace: string;
  params: MeshActionRequest;
  objects: AuditEntry['objects'];
  takeOvers?: AuditEntry['takeOvers'];
  result: AuditEntry['result'];
  message?: string;
}

/** The audit trail in the plugin's database (SQLite or PostgreSQL through knex). */
export class AuditStore {
  static async create(database: DatabaseService): Promise<AuditStore> {
    return new AuditStore(await migratedClient(database));
  }

  private constructor(private readonly db: Knex) {}

  async record(entry: NewAuditEntry): Promise<string> {
    const id = randomUUID();
    await this.db('mesh_audit').insert({
      id,
      actor: entry.actor,
      entity_ref: entry.entityRef,
      action: entry.params.action,
      cluster: entry.cluster,
      namespace: entry.namespace,
      params: JSON.stringify(entry.params),
      objects: JSON.stringify(entry.objects),
      take_overs: entry.takeOvers?.length ? JSON.stringify(entry.takeOvers) : null,
      result: entry.result,
      message: entry.message ?? null,
      created_at: new Date(),
    });
    return id;
  }

  async list(entityRef: string, limit = 100): Promise<AuditEntry[]> {
    const rows = await this.db('mesh_audit')
      .where({ entity_ref: entityRef })
      .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }])
      .limit(limit);
    return rows.map(row => ({
      id: row.id,
      actor: row.actor,
      entityRef: row.entity_ref,
      action: row.action,
      params: JSON.parse(row.params),
      objects: JSON.parse(row.objects),
      ...(row.take_overs ? { takeOvers: JSON.parse(row.take_overs) } : {}),
      result: row.result,
      message: row.message ?? undefined,
      createdAt: new Date(row.created_at).toISOString(),
    }));
  }
}
