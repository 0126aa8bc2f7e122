import type { DownloadSpeed, WorkerSpeed } from '../../domain/downloads/speed-view.js';
import { snapshotThenLive } from '../live.js';
import { builder } from '../builder.js';
import { numericIdOf } from '../ids.js';
import { InvalidArgumentError } from './worker.js';

const WorkerSpeedType = builder.objectRef<WorkerSpeed>('WorkerSpeed').implement({
  description: "A busy worker's current transfer.",
  fields: (t) => ({
    name: t.exposeString('name'),
    downloadedBytes: t.exposeFloat('downloadedBytes'),
    totalBytes: t.exposeFloat('totalBytes', { nullable: true }),
    speedBytesPerSec: t.exposeFloat('speedBytesPerSec', { nullable: true, description: 'Smoothed from the bytes actually received; null when unknown.' }),
    progressPercent: t.exposeFloat('progressPercent', { nullable: true }),
    etaSeconds: t.exposeFloat('etaSeconds', { nullable: true }),
  }),
});

const DownloadSpeedEventType = builder.objectRef<DownloadSpeed>('DownloadSpeedEvent').implement({
  description: "A job's live download figures (what is in flight now), a few times a second; the last one of a job that ended has no workers.",
  fields: (t) => ({
    jobId: t.exposeInt('jobId'),
    speedBytesPerSec: t.exposeFloat('speedBytesPerSec', { nullable: true, description: "Sum of the busy workers' speeds; null when none is known." }),
    downloadedBytes: t.exposeFloat('downloadedBytes'),
    totalBytes: t.exposeFloat('totalBytes', { nullable: true }),
    progressPercent: t.exposeFloat('progressPercent', { nullable: true }),
    etaSeconds: t.exposeFloat('etaSeconds', { nullable: true }),
    workers: t.expose('workers', { type: [WorkerSpeedType] }),
    at: t.expose('at', { type: 'DateTime' }),
  }),
});

const SpeedLimitPayload = builder.objectRef<{ bytesPerSecond: number }>('DownloadSpeedLimitPayload').implement({
  fields: (t) => ({ bytesPerSecond: t.exposeFloat('bytesPerSecond', { description: '0: unlimited.' }) }),
});
const SpeedLimitResult = builder.unionType('DownloadSpeedLimitResult', {
  types: [SpeedLimitPayload, InvalidArgumentError],
  resolveType: (v) => ('kind' in v ? InvalidArgumentError : SpeedLimitPayload),
});

builder.queryFields((t) => ({
  downloadSpeedLimit: t.float({ description: 'The global download speed limit in bytes a second (0: unlimited).', resolve: (_r, _a, ctx) => ctx.downloads.speedLimit }),
}));

builder.mutationFields((t) => ({
  setDownloadSpeedLimit: t.field({
    type: SpeedLimitResult,
    description: 'Limits the speed of all downloads together (bytes a second, 0 = unlimited); persisted, applies at once.',
    args: { bytesPerSecond: t.arg.int({ required: true }) },
    resolve: async (_r, { bytesPerSecond }, ctx) => {
      const r = await ctx.downloads.setSpeedLimit(bytesPerSecond);
      return r.ok ? { bytesPerSecond: r.bytesPerSecond } : r.error;
    },
  }),
}));

builder.subscriptionFields((t) => ({
  downloadSpeedLimitChanged: t.float({
    description: 'The global download speed limit in bytes a second (0: unlimited): first the current one, then every change.',
    subscribe: (_r, _a, ctx) => snapshotThenLive(ctx.bus.subscribe('downloads:limit'), () => [{ bytesPerSecond: ctx.downloads.speedLimit }]),
    resolve: (e) => e.bytesPerSecond,
  }),
  downloadSpeed: t.field({
    type: DownloadSpeedEventType,
    description: 'Live download figures of one job, or of every job when jobId is omitted; first the latest known, then every update.',
    args: { jobId: t.arg.id({ required: false }) },
    subscribe: (_r, { jobId }, ctx) => {
      const id = jobId == null ? null : (numericIdOf(jobId, ['Job', 'TaskRow']) ?? -1);
      const live = id === null ? ctx.bus.subscribe('download:speed') : ctx.bus.subscribe('download:speed', String(id));
      return snapshotThenLive(live, () => ctx.taskCenter.latestSpeeds(id));
    },
    resolve: (e) => e,
  }),
}));
