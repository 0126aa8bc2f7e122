import { AuditLogSchema } from './audit-log.entity.js';
import { DaemonSchema } from './daemon.entity.js';

/** Every entity, listed explicitly (no folder discovery). */
export const entities = [DaemonSchema, AuditLogSchema];
