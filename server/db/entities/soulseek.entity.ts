import { defineEntity, type InferEntity } from '@mikro-orm/core';

/**
 * The Soulseek transfer chosen for a song (one per song): which peer's file, and how far slskd
 * has got with it. Kept until the file is filed, so a retry or a restart follows the same
 * transfer instead of queueing another; the Download Monitor daemon follows the open ones.
 */
export const SoulseekTransferSchema = defineEntity({
  name: 'SoulseekTransfer',
  tableName: 'soulseek_transfers',
  properties: (p) => ({
    songId: p.integer().primary(),
    username: p.string().length(256),
    /** The peer's path, as slskd names it (backslashes). */
    filename: p.string().length(2000),
    size: p.bigint('number'),
    /** slskd's transfer id, once it enqueued the file. */
    transferId: p.string().length(64).nullable(),
    /** slskd's state text ("Queued, Remotely", "InProgress", "Completed, Succeeded", …). */
    state: p.string().length(64),
    bytesTransferred: p.bigint('number').default(0),
    /** Bytes a second, slskd's average. */
    averageSpeed: p.integer().default(0),
    /** Set when the transfer failed (user_blocked, file_not_found, transfer_error, …). */
    errorCode: p.string().length(32).nullable(),
    error: p.string().length(500).nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  }),
});
export type SoulseekTransferRow = InferEntity<typeof SoulseekTransferSchema>;
