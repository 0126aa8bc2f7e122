import { defineEntity, type InferEntity } from '@mikro-orm/core';

/** Every control a client asked for: what, on which daemon, when, from where, and the outcome. */
export const AuditLogSchema = defineEntity({
  name: 'AuditLog',
  tableName: 'audit_log',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    at: p.datetime(),
    action: p.string().length(32),
    daemon: p.string().length(64),
    /** Arguments of the control, e.g. {"seconds":60} or {"cascade":true}. */
    args: p.json<Record<string, unknown>>().nullable(),
    clientAddress: p.string().length(64).nullable(),
    /** changed | unchanged | refused */
    outcome: p.string().length(16),
    detail: p.text().nullable(),
  }),
  indexes: [{ properties: ['daemon', 'at'] }],
});

export type AuditLogRow = InferEntity<typeof AuditLogSchema>;
