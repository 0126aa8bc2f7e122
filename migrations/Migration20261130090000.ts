import { Migration } from '@mikro-orm/migrations';

/**
 * A job's claim starts its next stage and writes its 'started' event in the same statement: a
 * BEFORE trigger on queued → running (a BEFORE trigger, so the claim's RETURNING sees the stage
 * it started). The runner's start path was claim, start the stage, and the event beside them;
 * each statement is a trip to libuv's threadpool, the biggest part of bench/jobs-latency.ts.
 * The stage started is the one JobRepository.startNextStage would start (first by seq that is
 * pending or paused), with the same guard.
 */
export class Migration20261130090000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create trigger job_runs_claim_starts_stage before update of status on job_runs
      when old.status = 'queued' and new.status = 'running'
      begin
        update job_stages set status = 'running', started_at = coalesce(started_at, new.started_at)
          where id = (select id from job_stages where job_id = new.id and status in ('pending', 'paused') order by seq limit 1)
            and status in ('pending', 'paused');
        insert into job_events (job_id, at, kind, data) values (new.id, new.updated_at, 'started', json_object('runner', new.owner));
      end;`);
  }

  override async down(): Promise<void> {
    this.addSql('drop trigger if exists job_runs_claim_starts_stage;');
  }
}
