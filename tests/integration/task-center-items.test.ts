import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({
    env: { ROADIE_AUTOSTART: 'false' },
    stages: {
      download: {
        plan: async () => Array.from({ length: 7 }, (_, i) => ({ itemKey: `song:${i}`, label: `Song ${i} / Artist` })),
        handle: async (ctx) =>
          ctx.item.itemKey === 'song:2' || ctx.item.itemKey === 'song:5'
            ? { status: 'failed', error: 'not on the server', code: 'file_not_found' }
            : { status: 'succeeded' },
      },
    },
  });
});

afterAll(async () => {
  await t?.stop();
});

interface ItemsPage {
  job: {
    items: {
      edges: { cursor: string; node: { itemKey: string; status: string; lastErrorCode: string | null; stageType: string } }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  };
}

async function finishedJob(): Promise<number> {
  const { createJob } = await gql<{ createJob: { job: { jobId: number } } }>(
    t.url,
    'mutation { createJob(input: { jobType: DOWNLOAD_ONLY }) { ... on JobPayload { job { jobId } } } }',
  );
  const id = createJob.job.jobId;
  for (let i = 0; i < 200; i++) {
    const { job } = await gql<{ job: { status: string } }>(t.url, `{ job(id: "${id}") { status } }`);
    if (job.status === 'COMPLETED_WITH_ERRORS') return id;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('job did not finish');
}

describe('job items and recorded commands', () => {
  it('pages through a job’s items with cursors and filters them by status', async () => {
    const id = await finishedJob();
    const keys: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const data: ItemsPage = await gql<ItemsPage>(
        t.url,
        `query($id: ID!, $after: String) { job(id: $id) { items(first: 3, after: $after) { edges { cursor node { itemKey status lastErrorCode stageType } } pageInfo { hasNextPage endCursor } } } }`,
        { id: String(id), after },
      );
      keys.push(...data.job.items.edges.map((e) => e.node.itemKey));
      if (!data.job.items.pageInfo.hasNextPage) break;
      after = data.job.items.pageInfo.endCursor;
    }
    expect(keys).toEqual(['song:0', 'song:1', 'song:2', 'song:3', 'song:4', 'song:5', 'song:6']);

    const failed = await gql<ItemsPage>(t.url, `{ job(id: "${id}") { items(status: FAILED) { edges { cursor node { itemKey status lastErrorCode stageType } } pageInfo { hasNextPage endCursor } } } }`);
    expect(failed.job.items.edges.map((e) => e.node)).toEqual([
      { itemKey: 'song:2', status: 'FAILED', lastErrorCode: 'file_not_found', stageType: 'DOWNLOAD' },
      { itemKey: 'song:5', status: 'FAILED', lastErrorCode: 'file_not_found', stageType: 'DOWNLOAD' },
    ]);
  });

  it('records every job control with its client address and whether it was applied', async () => {
    const id = await finishedJob();
    const refused = await gql<{ pauseJob: { __typename: string } }>(t.url, `mutation { pauseJob(id: "${id}") { __typename } }`);
    expect(refused.pauseJob.__typename).toBe('InvalidJobTransitionError');
    const rows = (await t.app.orm.em
      .fork()
      .getConnection()
      .execute(`select command, status, client_address, detail from job_commands where job_id = ?`, [id], 'all')) as {
      command: string;
      status: string;
      client_address: string | null;
      detail: string | null;
    }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ command: 'pause', status: 'rejected' });
    expect(rows[0]!.client_address).toMatch(/127\.0\.0\.1/);
    expect(rows[0]!.detail).toMatch(/cannot pause/);
  });
});
