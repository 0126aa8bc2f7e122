import { SERVICE_NAMES, type ServiceHealthView } from '../../services/service-monitor.js';
import { builder } from '../builder.js';
import { snapshotThenLive } from '../live.js';

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
