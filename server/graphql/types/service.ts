import { SERVICE_NAMES, type ServiceHealthView } from '../../services/service-monitor.js';
import { InvalidServiceSettingError, type ServiceConnectionView } from '../../services/service-settings.js';
import { builder } from '../builder.js';
import { snapshotThenLive } from '../live.js';
import { InvalidArgumentError } from './worker.js';

const ServiceStateEnum = builder.enumType('ServiceState', { values: ['UP', 'DOWN', 'NOT_CONFIGURED'] as const });

const ServiceHealth = builder.objectRef<ServiceHealthView>('ServiceHealth').implement({
  description: `Reachability of an external service, probed at its configured base URL. Names: ${SERVICE_NAMES.join(', ')}.`,
  fields: (t) => ({
    name: t.exposeString('name'),
    displayName: t.exposeString('displayName'),
    state: t.expose('state', { type: ServiceStateEnum }),
    baseUrl: t.exposeString('baseUrl', { nullable: true }),
    latencyMs: t.exposeInt('latencyMs', { nullable: true, description: 'Time of the last successful probe.' }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'Why the last probe failed.' }),
    checkedAt: t.expose('checkedAt', { type: 'DateTime', nullable: true }),
  }),
});

builder.queryField('services', (t) =>
  t.field({
    type: [ServiceHealth],
    resolve: (_r, _a, ctx) => ctx.services.current(),
  }),
);

builder.subscriptionField('servicesUpdated', (t) =>
  t.field({
    type: [ServiceHealth],
    description: 'First the current results, then after each probe round.',
    subscribe: (_r, _a, ctx) => snapshotThenLive(ctx.bus.subscribe('services:probed'), () => [ctx.services.snapshot()]),
    resolve: (results) => results,
  }),
);

const SettingSourceEnum = builder.enumType('SettingSource', {
  description: 'SETTINGS: set here (updateServiceConnection); ENVIRONMENT: from its environment variable; UNSET: neither.',
  values: ['SETTINGS', 'ENVIRONMENT', 'UNSET'] as const,
});

const ServiceConnectionSources = builder.objectRef<ServiceConnectionView['sources']>('ServiceConnectionSources').implement({
  fields: (t) => ({
    slskdUrl: t.expose('slskdUrl', { type: SettingSourceEnum }),
    slskdApiKey: t.expose('slskdApiKey', { type: SettingSourceEnum }),
    slskdDownloadsDir: t.expose('slskdDownloadsDir', { type: SettingSourceEnum }),
    musicbrainzUrl: t.expose('musicbrainzUrl', { type: SettingSourceEnum }),
    musicbrainzContact: t.expose('musicbrainzContact', { type: SettingSourceEnum }),
  }),
});

const ServiceConnection = builder.objectRef<ServiceConnectionView>('ServiceConnection').implement({
  description: "The slskd and MusicBrainz connections in force. The slskd API key is never sent back: only whether one is set.",
  fields: (t) => ({
    slskdUrl: t.exposeString('slskdUrl', { nullable: true }),
    slskdApiKeySet: t.exposeBoolean('slskdApiKeySet'),
    slskdDownloadsDir: t.exposeString('slskdDownloadsDir', { nullable: true, description: "slskd's downloads folder as Roadie sees it." }),
    musicbrainzUrl: t.exposeString('musicbrainzUrl', { nullable: true }),
    musicbrainzContact: t.exposeString('musicbrainzContact', { nullable: true, description: 'The contact in the MusicBrainz User-Agent.' }),
    sources: t.expose('sources', { type: ServiceConnectionSources }),
  }),
});

const ServiceConnectionInput = builder.inputType('ServiceConnectionInput', {
  description: 'Each field: a value sets it, "" clears what was set here (the environment variable applies again), null or absent leaves it.',
  fields: (t) => ({
    slskdUrl: t.string(),
    slskdApiKey: t.string({ description: 'Write-only.' }),
    slskdDownloadsDir: t.string({ description: 'An absolute path.' }),
    musicbrainzUrl: t.string(),
    musicbrainzContact: t.string({ description: 'A URL or e-mail address MusicBrainz can reach you at.' }),
  }),
});

const ServiceConnectionPayload = builder.objectRef<{ connection: ServiceConnectionView }>('ServiceConnectionPayload').implement({
  fields: (t) => ({ connection: t.expose('connection', { type: ServiceConnection }) }),
});
const UpdateServiceConnectionResult = builder.unionType('UpdateServiceConnectionResult', {
  types: [ServiceConnectionPayload, InvalidArgumentError],
  resolveType: (v) => ('connection' in v ? ServiceConnectionPayload : InvalidArgumentError),
});

builder.queryField('serviceConnection', (t) => t.field({ type: ServiceConnection, resolve: (_r, _a, ctx) => ctx.connections.view() }));

builder.mutationField('updateServiceConnection', (t) =>
  t.field({
    type: UpdateServiceConnectionResult,
    description: 'Changes the slskd and MusicBrainz connections; applied at once (the services are probed again). All or nothing: a bad field changes nothing.',
    args: { input: t.arg({ type: ServiceConnectionInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      const patch = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null && v !== undefined)) as Record<string, string>;
      try {
        return { connection: await ctx.connections.update(patch) };
      } catch (err) {
        if (err instanceof InvalidServiceSettingError) return { kind: 'invalidArgument' as const, argument: err.argument, message: err.message };
        throw err;
      }
    },
  }),
);
