import { encodeGlobalID } from '@pothos/plugin-relay';
import { decodeCursor, keysetConnection, numericIdOf, pageSize } from '../ids.js';
import type { WaitingReason } from '../../domain/jobs/dispatch.js';
import { elapsedMs } from '../../domain/jobs/progress.js';
import type { ScopeSummary } from '../../domain/jobs/scope.js';
import { isTaskType, TASK_PARAM_NAMES, type FormatTally, type TaskParamsView, type TaskResultView } from '../../domain/jobs/tasks.js';
import { ITEM_STATUSES, JOB_STATUSES, JOB_TYPES, STAGE_STATUSES, STAGE_TYPES } from '../../domain/jobs/types.js';
import type { ItemView, JobResult, JobWorkerView, LaneView, RemoveJobResult, StageView, TaskCenterError, TaskRowView, TaskView } from '../../jobs/task-center.js';
import { builder, ErrorInterface } from '../builder.js';
import type { GraphQLContext } from '../context.js';
import { snapshotThenLive } from '../live.js';
import { DuplicateGroupType, InvalidArgumentError } from './worker.js';

/** GraphQL enum values are upper case; the domain's are the seed's snake case. */
function upperEnum<const T extends readonly string[]>(name: string, values: T, description?: string) {
  return builder.enumType(name, {
    ...(description ? { description } : {}),
    values: Object.fromEntries(values.map((v) => [v.toUpperCase(), { value: v }])) as { [K in T[number] as Uppercase<K>]: { value: K } },
  });
}

const JobTypeEnum = upperEnum('JobType', JOB_TYPES);
const JobStatusEnum = upperEnum('JobStatus', JOB_STATUSES);
const StageTypeEnum = upperEnum('StageType', STAGE_TYPES);
const StageStatusEnum = upperEnum('StageStatus', STAGE_STATUSES);
const ScopeKindEnum = upperEnum('ScopeKind', ['playlists', 'sources', 'all'] as const);
const WaitingKindEnum = builder.enumType('WaitingKind', {
  values: {
    PAUSED: { value: 'paused' },
    BACKING_OFF: { value: 'backingOff' },
    LANE_BUSY: { value: 'laneBusy' },
    BEHIND_IN_QUEUE: { value: 'behindInQueue' },
    STARTING_SOON: { value: 'startingSoon' },
  } as const,
});
const TaskCenterEventKindEnum = builder.enumType('TaskCenterEventKind', { values: ['ADDED', 'CHANGED', 'REMOVED'] as const });

const ScopeSummaryType = builder.objectRef<ScopeSummary>('ScopeSummary').implement({
  description: 'What a job covers, as facts: chosen playlists, chosen sources, or all.',
  fields: (t) => ({
    kind: t.expose('kind', { type: ScopeKindEnum }),
    count: t.int({ nullable: true, resolve: (s) => (s.kind === 'all' ? null : s.count) }),
  }),
});

const WaitingReasonType = builder.objectRef<WaitingReason>('WaitingReason').implement({
  description: 'Why a job that is not running waits.',
  fields: (t) => ({
    kind: t.expose('kind', { type: WaitingKindEnum }),
    until: t.field({ type: 'DateTime', nullable: true, resolve: (w) => (w.kind === 'backingOff' ? w.until : null) }),
    lane: t.string({ nullable: true, resolve: (w) => (w.kind === 'laneBusy' || w.kind === 'behindInQueue' ? w.lane : null) }),
    runningJobIds: t.intList({ resolve: (w) => (w.kind === 'laneBusy' ? [...w.runningJobIds] : []) }),
    aheadJobIds: t.intList({ resolve: (w) => (w.kind === 'behindInQueue' ? [...w.aheadJobIds] : []) }),
  }),
});

const StageType = builder.objectRef<StageView>('Stage').implement({
  fields: (t) => ({
    stageType: t.expose('stageType', { type: StageTypeEnum }),
    status: t.expose('status', { type: StageStatusEnum }),
    totalItems: t.exposeInt('totalItems'),
    succeededItems: t.exposeInt('succeededItems'),
    failedItems: t.exposeInt('failedItems'),
    skippedItems: t.exposeInt('skippedItems'),
    canceledItems: t.exposeInt('canceledItems'),
  }),
});

const JobWorkerType = builder.objectRef<JobWorkerView>('JobWorker').implement({
  description: 'An item worker slot of a job (download-1, general-2) with its live throughput.',
  fields: (t) => ({
    name: t.exposeString('name'),
    status: t.exposeString('status', { description: 'idle | busy' }),
    currentDisplayText: t.exposeString('currentDisplayText', { nullable: true, description: 'e.g. "Song / Artist"' }),
    downloadedBytes: t.exposeFloat('downloadedBytes'),
    totalBytes: t.exposeFloat('totalBytes', { nullable: true }),
    speedBytesPerSec: t.exposeFloat('speedBytesPerSec', { nullable: true, description: 'Smoothed from bytes actually received; null when unknown.' }),
    progressPercent: t.exposeFloat('progressPercent', { nullable: true }),
    processedCount: t.exposeInt('processedCount'),
    errorCount: t.exposeInt('errorCount'),
    heartbeatAt: t.expose('heartbeatAt', { type: 'DateTime', nullable: true }),
  }),
});

const ItemStatusEnum = upperEnum('ItemStatus', ITEM_STATUSES);

const JobItemType = builder.objectRef<ItemView>('JobItem').implement({
  description: 'One unit of work of a stage (a playlist to sync, a song to download …).',
  fields: (t) => ({
    itemId: t.exposeInt('id'),
    stageType: t.expose('stageType', { type: StageTypeEnum }),
    itemKey: t.exposeString('itemKey'),
    label: t.exposeString('label', { nullable: true }),
    status: t.expose('status', { type: ItemStatusEnum }),
    attempts: t.exposeInt('attempts'),
    nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime', nullable: true, description: 'When a failed item is retried.' }),
    lastError: t.exposeString('lastError', { nullable: true }),
    lastErrorCode: t.exposeString('lastErrorCode', { nullable: true }),
    doneBytes: t.exposeFloat('doneBytes', { description: 'Bytes on disk; a resumed download continues from here.' }),
    totalBytes: t.exposeFloat('totalBytes', { nullable: true }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
  }),
});

const JobEventType = builder.objectRef<{ at: Date; kind: string }>('JobEvent').implement({
  fields: (t) => ({ at: t.expose('at', { type: 'DateTime' }), kind: t.exposeString('kind') }),
});

/** Fields a task-center row and a job share. */
type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

function rowFields(t: PothosSchemaTypes.ObjectFieldBuilder<Types, TaskRowView>) {
  return {
    jobId: t.exposeInt('jobId'),
    jobType: t.expose('jobType', { type: JobTypeEnum }),
    displayName: t.exposeString('displayName'),
    status: t.expose('status', { type: JobStatusEnum }),
    lane: t.exposeString('lane'),
    canPause: t.exposeBoolean('canPause'),
    canResume: t.exposeBoolean('canResume'),
    canCancel: t.exposeBoolean('canCancel'),
    canRemove: t.exposeBoolean('canRemove', { description: 'Only a finished job (completed, with errors, failed or canceled) can be removed.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
  };
}

const TaskRow = builder.objectRef<TaskRowView>('TaskRow');
builder.node(TaskRow, {
  description: 'One row of the task center (newest first).',
  id: { resolve: (r) => r.jobId },
  loadOne: (id, ctx: GraphQLContext) => ctx.taskCenter.row(Number(id)),
  fields: (t) => ({
    ...rowFields(t),
    queuePosition: t.exposeInt('queuePosition', { nullable: true, description: '1-based place in real dispatch order while queued.' }),
    queueLabel: t.string({
      nullable: true,
      description: '"queued #N" for API users; clients format queuePosition themselves.',
      resolve: (r) => (r.queuePosition === null ? null : `queued #${r.queuePosition}`),
    }),
    scopeSummary: t.expose('scopeSummary', { type: ScopeSummaryType }),
    completedItems: t.exposeInt('completedItems'),
    totalItems: t.exposeInt('totalItems'),
    progressPercent: t.exposeFloat('progressPercent', { nullable: true }),
    activeWorkerCount: t.exposeInt('activeWorkerCount'),
    speedBytesPerSec: t.exposeFloat('speedBytesPerSec', { nullable: true }),
    waitingReason: t.expose('waitingReason', { type: WaitingReasonType, nullable: true }),
  }),
});

// ---- typed tasks: parameters and results (seed background-task-worker) -------------------------

type ResultOf<T extends TaskResultView['taskType']> = Extract<TaskResultView, { taskType: T }>;
type ParamsOf<T extends TaskParamsView['taskType']> = Extract<TaskParamsView, { taskType: T }>;

const LibraryFormatType = builder.objectRef<FormatTally>('LibraryFormat').implement({
  description: 'Files of one format (extension) found by a library scan.',
  fields: (t) => ({
    format: t.exposeString('format', { description: 'The extension, lower case, without the dot ("flac"); empty for files without one.' }),
    files: t.exposeInt('files'),
    bytes: t.exposeFloat('bytes'),
  }),
});

const LibraryScanResultType = builder.objectRef<ResultOf<'library_scan'>>('LibraryScanResult').implement({
  description: 'What a LIBRARY_SCAN job found in the scanned folder.',
  fields: (t) => ({
    folder: t.exposeString('folder', { nullable: true, description: 'The folder scanned, relative to the library; null for the whole library.' }),
    readTags: t.exposeBoolean('readTags'),
    files: t.exposeInt('files', { description: 'Every file, audio or not.' }),
    audioFiles: t.exposeInt('audioFiles'),
    totalBytes: t.exposeFloat('totalBytes'),
    formats: t.expose('formats', { type: [LibraryFormatType], description: 'Per extension, most files first.' }),
    missingTags: t.exposeInt('missingTags', { nullable: true, description: 'Audio files without an artist or a title tag; null when tags were not read.' }),
    unreadableFiles: t.exposeInt('unreadableFiles', { nullable: true, description: 'Audio files whose tags could not be read; null when tags were not read.' }),
  }),
});

const FindDuplicatesResultType = builder.objectRef<ResultOf<'find_duplicates'>>('FindDuplicatesResult').implement({
  description: 'What a FIND_DUPLICATES job found in the library.',
  fields: (t) => ({
    byContent: t.exposeBoolean('byContent', { description: 'Whether file contents were compared too.' }),
    tracksScanned: t.exposeInt('tracksScanned'),
    unreadable: t.exposeInt('unreadable', { description: 'Tracks whose tags could not be read (still compared by content).' }),
    duplicateGroups: t.exposeInt('duplicateGroups'),
    duplicateFiles: t.exposeInt('duplicateFiles', { description: 'Files beyond the first of each group.' }),
    groups: t.expose('groups', { type: [DuplicateGroupType], description: 'Up to 100 groups; the counts cover all of them.' }),
  }),
});

const TaskResultUnion = builder.unionType('TaskResult', {
  description: "A task job's typed result.",
  types: [LibraryScanResultType, FindDuplicatesResultType],
  resolveType: (r) => (r.taskType === 'library_scan' ? LibraryScanResultType : FindDuplicatesResultType),
});

const LibraryScanParamsType = builder.objectRef<ParamsOf<'library_scan'>>('LibraryScanParams').implement({
  fields: (t) => ({
    folder: t.exposeString('folder', { nullable: true }),
    readTags: t.exposeBoolean('readTags'),
  }),
});

const FindDuplicatesParamsType = builder.objectRef<ParamsOf<'find_duplicates'>>('FindDuplicatesParams').implement({
  fields: (t) => ({ byContent: t.exposeBoolean('byContent') }),
});

const TaskParamsUnion = builder.unionType('TaskParams', {
  description: "A task job's parameters, defaults filled in.",
  types: [LibraryScanParamsType, FindDuplicatesParamsType],
  resolveType: (p) => (p.taskType === 'library_scan' ? LibraryScanParamsType : FindDuplicatesParamsType),
});

/**
 * A task job's parameters and result, read once per row object: taskParams and taskResult of
 * one job (and every subscriber sharing one event) cost one statement.
 */
const taskViews = new WeakMap<TaskRowView, Promise<TaskView | null>>();
function taskOf(row: TaskRowView, ctx: GraphQLContext): Promise<TaskView | null> {
  if (!isTaskType(row.jobType)) return Promise.resolve(null);
  let view = taskViews.get(row);
  if (!view) {
    view = ctx.taskCenter.task(row.jobId);
    taskViews.set(row, view);
  }
  return view;
}

export const Job = builder.objectRef<TaskRowView>('Job');
builder.node(Job, {
  description: 'A job with its stages, worker slots and events.',
  id: { resolve: (r) => r.jobId },
  loadOne: (id, ctx: GraphQLContext) => ctx.taskCenter.row(Number(id)),
  fields: (t) => ({
    ...rowFields(t),
    priority: t.exposeInt('priority', { description: 'Lower runs first.' }),
    error: t.exposeString('error', { nullable: true, description: 'Why the job failed: the last error of its items.' }),
    durationMs: t.float({
      nullable: true,
      description: 'Milliseconds from start to finish; null until the job has finished (or when it never started).',
      resolve: (r) => elapsedMs(r.startedAt, r.finishedAt),
    }),
    taskParams: t.field({
      type: TaskParamsUnion,
      nullable: true,
      description: "A task job's parameters; null for other jobs.",
      resolve: async (r, _a, ctx) => (await taskOf(r, ctx))?.params ?? null,
    }),
    taskResult: t.field({
      type: TaskResultUnion,
      nullable: true,
      description: "A task job's typed result once it has completed; null before, on failure, and for other jobs.",
      resolve: async (r, _a, ctx) => (await taskOf(r, ctx))?.result ?? null,
    }),
    stages: t.expose('stages', { type: [StageType] }),
    workers: t.expose('workers', { type: [JobWorkerType] }),
    items: t.connection(
      {
        type: JobItemType,
        description: "The job's items in order, a page at a time.",
        args: { status: t.arg({ type: ItemStatusEnum, required: false }) },
        resolve: async (r, args, ctx) => {
          const after = decodeCursor('item', args.after);
          const page = await ctx.taskCenter.items(r.jobId, pageSize(args.first, 500), after, args.status ?? null);
          return keysetConnection('item', page.items, (i) => i.id, page.hasNextPage, after);
        },
      },
      { name: 'JobItemConnection' },
      { name: 'JobItemEdge' },
    ),
    events: t.field({
      type: [JobEventType],
      args: { last: t.arg.int({ defaultValue: 50 }) },
      resolve: (r, { last }, ctx) => ctx.taskCenter.events(r.jobId, Math.min(Math.max(last ?? 50, 1), 500)),
    }),
  }),
});

const LaneType = builder.objectRef<LaneView>('Lane').implement({
  description: 'A queue of jobs with a concurrency limit: download (1 by default) and general (3).',
  fields: (t) => ({
    name: t.exposeString('name'),
    limit: t.exposeInt('limit'),
    running: t.exposeInt('running'),
    queued: t.exposeInt('queued'),
  }),
});

// ---- errors and results --------------------------------------------------------------------

type ErrorOf<K extends TaskCenterError['kind']> = Extract<TaskCenterError, { kind: K }>;

const JobNotFoundError = builder.objectRef<ErrorOf<'notFound'>>('JobNotFoundError').implement({
  interfaces: [ErrorInterface],
  fields: (t) => ({ id: t.id({ resolve: (e) => encodeGlobalID('Job', e.id) }) }),
});
const InvalidJobTransitionError = builder.objectRef<ErrorOf<'invalidTransition'>>('InvalidJobTransitionError').implement({
  interfaces: [ErrorInterface],
  fields: (t) => ({ status: t.expose('status', { type: JobStatusEnum }), action: t.exposeString('action') }),
});
export const JobPayload = builder.objectRef<{ job: TaskRowView }>('JobPayload').implement({
  fields: (t) => ({ job: t.expose('job', { type: Job }) }),
});

export const JobResultUnion = builder.unionType('JobResult', {
  types: [JobPayload, JobNotFoundError, InvalidJobTransitionError, InvalidArgumentError],
  resolveType: (v) => {
    if (!('kind' in v)) return JobPayload;
    return v.kind === 'notFound' ? JobNotFoundError : v.kind === 'invalidTransition' ? InvalidJobTransitionError : InvalidArgumentError;
  },
});
const RemoveJobPayload = builder.objectRef<{ removed: TaskRowView }>('RemoveJobPayload').implement({
  description: 'The job is gone, with its stages, items, worker slots and events; taskCenter subscribers see it REMOVED.',
  fields: (t) => ({
    id: t.id({ description: 'The removed row\'s TaskRow id (as in the REMOVED event).', resolve: (p) => encodeGlobalID('TaskRow', p.removed.jobId) }),
    jobId: t.int({ resolve: (p) => p.removed.jobId }),
  }),
});

const RemoveJobResultUnion = builder.unionType('RemoveJobResult', {
  types: [RemoveJobPayload, JobNotFoundError, InvalidJobTransitionError],
  resolveType: (v) => (!('kind' in v) ? RemoveJobPayload : v.kind === 'notFound' ? JobNotFoundError : InvalidJobTransitionError),
});

const LaneResultUnion = builder.unionType('LaneResult', {
  types: [LaneType, InvalidArgumentError],
  resolveType: (v) => ('kind' in v ? InvalidArgumentError : LaneType),
});

// ---- keyset pagination: a cursor is an opaque "<kind>:<id>" ------------------------------------

export const toResult = (r: JobResult) => (r.ok ? { job: r.job } : r.error);

/** Accepts a Job or TaskRow global id, or a plain job number. */
const jobIdOf = (id: string | number): number | null => numericIdOf(id, ['Job', 'TaskRow']);

const notFound = (id: string | number): TaskCenterError => ({ kind: 'notFound', id: -1, message: `Job ${String(id)} not found` });

const LibraryScanParamsInput = builder.inputType('LibraryScanParamsInput', {
  description: 'Parameters of a LIBRARY_SCAN job.',
  fields: (t) => ({
    folder: t.string({
      required: false,
      description: 'A folder inside the library, relative to it (no absolute path, no ".." out of it); the whole library when omitted.',
    }),
    readTags: t.boolean({ required: false, defaultValue: true, description: "Read each audio file's tags (finds missing artist / title and unreadable files)." }),
  }),
});

const FindDuplicatesParamsInput = builder.inputType('FindDuplicatesParamsInput', {
  description: 'Parameters of a FIND_DUPLICATES job.',
  fields: (t) => ({
    byContent: t.boolean({ required: false, defaultValue: true, description: 'Also compare file contents (finds identical copies whatever their tags).' }),
  }),
});

const CreateJobInput = builder.inputType('CreateJobInput', {
  fields: (t) => ({
    jobType: t.field({ type: JobTypeEnum, required: true }),
    playlistIds: t.idList({ required: false, description: 'Scope the job to these playlists, in this order.' }),
    priority: t.int({ required: false, description: 'Lower runs first; default 100.' }),
    libraryScan: t.field({ type: LibraryScanParamsInput, required: false, description: 'Parameters of a LIBRARY_SCAN job (defaults when omitted).' }),
    findDuplicates: t.field({ type: FindDuplicatesParamsInput, required: false, description: 'Parameters of a FIND_DUPLICATES job (defaults when omitted).' }),
  }),
});

/** Which input field carries the parameters of each task job type. */
const TASK_INPUTS = { library_scan: 'libraryScan', find_duplicates: 'findDuplicates' } as const;

/** An input object without its null fields: GraphQL's explicit null means "not given". */
const given = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => v != null));

// ---- root fields ---------------------------------------------------------------------------

builder.queryFields((t) => ({
  taskCenter: t.connection(
    {
      type: TaskRow,
      description: 'Every job, newest first.',
      resolve: async (_r, args, ctx) => {
        const after = decodeCursor('job', args.after);
        const page = await ctx.taskCenter.page(pageSize(args.first, 200), after);
        return keysetConnection('job', page.rows, (row) => row.jobId, page.hasNextPage, after);
      },
    },
    { name: 'TaskRowConnection' },
    { name: 'TaskRowEdge' },
  ),
  job: t.field({
    type: Job,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => {
      const jobId = jobIdOf(id);
      return jobId === null ? null : ctx.taskCenter.row(jobId);
    },
  }),
  lanes: t.field({ type: [LaneType], resolve: (_r, _a, ctx) => ctx.taskCenter.lanes() }),
}));

function jobControl(control: 'pause' | 'resume' | 'cancel', description: string) {
  return builder.mutationField(`${control}Job`, (t) =>
    t.field({
      type: JobResultUnion,
      description,
      args: { id: t.arg.id({ required: true }) },
      resolve: async (_r, { id }, ctx) => {
        const jobId = jobIdOf(id);
        return jobId === null ? notFound(id) : toResult(await ctx.taskCenter.control(jobId, control, ctx.clientAddress));
      },
    }),
  );
}
jobControl('pause', 'Stops claiming items; in-flight items finish (or stop at a checkpoint), then the job is PAUSED. A queued job pauses at once.');
jobControl('resume', 'Puts a paused job back into its lane queue (or withdraws a pause that has not taken effect yet).');
jobControl('cancel', 'Interrupts in-flight items, cancels pending ones and finalises the stages and the job.');

builder.mutationFields((t) => ({
  createJob: t.field({
    type: JobResultUnion,
    args: { input: t.arg({ type: CreateJobInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      const ids = (input.playlistIds ?? []).map((id) => numericIdOf(id, ['Playlist']) ?? Number.NaN);
      const task = isTaskType(input.jobType) ? input.jobType : null;
      const wanted = task ? TASK_INPUTS[task] : null;
      for (const name of Object.values(TASK_INPUTS)) {
        if (name !== wanted && input[name] != null) {
          const message = `${name} parameters do not apply to a ${input.jobType.toUpperCase()} job`;
          return { kind: 'invalidArgument' as const, argument: name, message };
        }
      }
      const params = wanted && input[wanted] ? given(input[wanted]) : null;
      const r = await ctx.taskCenter.createJob({ jobType: input.jobType, playlistIds: ids, priority: input.priority ?? null, requestedBy: ctx.clientAddress, params });
      // a parameter's problem names its place in the input: libraryScan.folder
      if (!r.ok && r.error.kind === 'invalidArgument' && task && wanted && (TASK_PARAM_NAMES[task] as readonly string[]).includes(r.error.argument)) {
        return { ...r.error, argument: `${wanted}.${r.error.argument}` };
      }
      return toResult(r);
    },
  }),
  removeJob: t.field({
    type: RemoveJobResultUnion,
    description: 'Removes a finished job (completed, with errors, failed or canceled) with everything under it; a live job is an InvalidJobTransitionError.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_r, { id }, ctx) => {
      const jobId = jobIdOf(id);
      if (jobId === null) return notFound(id) as ErrorOf<'notFound'>;
      const r: RemoveJobResult = await ctx.taskCenter.removeJob(jobId, ctx.clientAddress);
      return r.ok ? { removed: r.removed } : r.error;
    },
  }),
  retryFailedItems: t.field({
    type: JobResultUnion,
    description: "Puts the job's failed items back to pending; a finished job queues again.",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_r, { id }, ctx) => {
      const jobId = jobIdOf(id);
      return jobId === null ? notFound(id) : toResult(await ctx.taskCenter.retryFailedItems(jobId, ctx.clientAddress));
    },
  }),
  setLaneConcurrency: t.field({
    type: LaneResultUnion,
    description: 'How many jobs of a lane may run at once (persisted; applies at once).',
    args: { lane: t.arg.string({ required: true }), limit: t.arg.int({ required: true }) },
    resolve: async (_r, { lane, limit }, ctx) => {
      const r = await ctx.taskCenter.setLaneConcurrency(lane, limit);
      return r.ok ? r.lane : r.error;
    },
  }),
}));

const TaskCenterEvent = builder
  .objectRef<{ kind: 'ADDED' | 'CHANGED' | 'REMOVED'; row: TaskRowView }>('TaskCenterEvent')
  .implement({
    description: 'A task-center row was added, changed or removed.',
    fields: (t) => ({
      kind: t.expose('kind', { type: TaskCenterEventKindEnum }),
      id: t.id({ resolve: (e) => encodeGlobalID('TaskRow', e.row.jobId) }),
      row: t.field({ type: TaskRow, nullable: true, resolve: (e) => (e.kind === 'REMOVED' ? null : e.row) }),
    }),
  });

builder.subscriptionFields((t) => ({
  taskCenter: t.field({
    type: TaskCenterEvent,
    description: 'Rows added, changed or removed (take the snapshot from the taskCenter query).',
    subscribe: (_r, _a, ctx) => ctx.bus.subscribe('task:row'),
    resolve: (e) => e,
  }),
  jobUpdated: t.field({
    type: Job,
    description: 'First the current job, then on every change (coalesced to a few a second).',
    args: { id: t.arg.id({ required: true }) },
    subscribe: (_r, { id }, ctx) => {
      const jobId = jobIdOf(id) ?? -1;
      return snapshotThenLive(ctx.bus.subscribe('task:row', String(jobId)), async () => {
        const row = await ctx.taskCenter.row(jobId);
        return row ? [{ kind: 'CHANGED' as const, row }] : [];
      });
    },
    resolve: (e) => e.row,
  }),
  lanesUpdated: t.field({
    type: [LaneType],
    description: 'First the current lanes, then on every change.',
    subscribe: (_r, _a, ctx) => snapshotThenLive(ctx.bus.subscribe('lanes:changed'), async () => [await ctx.taskCenter.lanes()]),
    resolve: (lanes) => lanes,
  }),
}));
