import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startTestApp, type TestApp } from '../helpers/app.js';
import { Gate } from '../helpers/events.js';
import { subscribeWs } from '../helpers/ws.js';

interface Event {
  daemonStatus: { worker: { activity: { message: string; jobId: string | null; jobType: string | null } | null } };
}

const gate = new Gate();
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({
    env: { ROADIE_AUTOSTART: 'false', ROADIE_ACTIVITY_MIN_INTERVAL_MS: '0' },
    stages: {
      download: {
        plan: async () => [{ itemKey: 'song:1', label: 'Song / Artist' }],
        handle: async (ctx) => {
          await gate.wait(ctx.signal);
          return { status: 'succeeded' };
        },
      },
    },
  });
});

afterAll(async () => {
  gate.open();
  await t?.stop();
});

describe('daemon activity links to its job', () => {
  it('the Download Monitor names the download job it watches, with its id and type', async () => {
    const created = await gql<{ createJob: { job: { jobId: number } } }>(
      t.url,
      'mutation { createJob(input: { jobType: DOWNLOAD_ONLY }) { ... on JobPayload { job { jobId } } } }',
    );
    const jobId = created.createJob.job.jobId;
    await gql(t.url, 'mutation { startWorker(name: "download_monitor") { __typename } }');
    const sub = subscribeWs<Event>(t.wsUrl, 'subscription { daemonStatus(name: "download_monitor") { worker { activity { message jobId jobType } } } }');
    try {
      // wait until the job runs, then ask for a cycle
      for (let i = 0; i < 100; i++) {
        const { job } = await gql<{ job: { status: string } }>(t.url, `{ job(id: "${jobId}") { status } }`);
        if (job.status === 'RUNNING') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await gql(t.url, 'mutation { runWorkerNow(name: "download_monitor") { __typename } }');
      const ev = await sub.next((e) => e.daemonStatus.worker.activity?.jobId === String(jobId), 5000);
      expect(ev.daemonStatus.worker.activity).toEqual({ message: `Watching download job #${jobId}; slskd not configured`, jobId: String(jobId), jobType: 'download_only' });
    } finally {
      await sub.close();
    }
  });
});
