import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import './types/worker.js';
import './types/service.js';
import './types/job.js';
import './types/playlist.js';
import './types/download.js';
import './types/release.js';
import './types/spotify.js';
import './types/automation.js';

export const schema: GraphQLSchema = builder.toSchema();

/** schema.graphql as checked in: sorted, so it diffs cleanly. */
export function printSortedSchema(): string {
  return printSchema(lexicographicSortSchema(schema));
}
