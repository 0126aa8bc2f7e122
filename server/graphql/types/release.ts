import type { NewReleaseView } from '../../db/repositories/release.repository.js';
import { builder } from '../builder.js';

const NewReleaseType = builder.objectRef<NewReleaseView>('NewRelease').implement({
  description: 'A new release a music service lists (cached by the New Releases Sync daemon).',
  fields: (t) => ({
    source: t.exposeString('source', { description: 'deezer or spotify.' }),
    externalId: t.exposeString('externalId', { description: "The release's id at its source." }),
    title: t.exposeString('title'),
    artist: t.exposeString('artist', { nullable: true }),
    releaseDate: t.exposeString('releaseDate', { nullable: true, description: 'As the source gives it (YYYY-MM-DD or coarser).' }),
    recordType: t.exposeString('recordType', { nullable: true }),
    link: t.exposeString('link', { nullable: true }),
    coverUrl: t.exposeString('coverUrl', { nullable: true }),
    fetchedAt: t.expose('fetchedAt', { type: 'DateTime' }),
  }),
});

builder.queryFields((t) => ({
  newReleases: t.field({
    type: [NewReleaseType],
    description: 'Cached new releases, newest first.',
    args: { first: t.arg.int({ defaultValue: 50 }) },
    resolve: (_r, { first }, ctx) => ctx.releases.list(Math.min(Math.max(first ?? 50, 1), 200)),
  }),
}));
