import { Migration } from '@mikro-orm/migrations';

/**
 * A job and its stages in one statement: the job row carries its stage plan (the stage types in
 * order, from the domain's table), and a trigger inserts the pending stages and the job's
 * 'created' event with it. Creating a job was a transaction of five statements; the start path
 * of bench/jobs-latency.ts is a handful of statements, so four fewer is a measurable share.
 */
export class Migration20261130043212 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table \`job_runs\` add column \`stage_plan\` json null;`);
    this.addSql(`create trigger job_runs_stage_plan after insert on job_runs
      when new.stage_plan is not null
      begin
        insert into job_stages (job_id, stage_type, seq, status) select new.id, value, key, 'pending' from json_each(new.stage_plan);
        insert into job_events (job_id, at, kind, data) values (new.id, new.created_at, 'created', json_object('jobType', new.job_type));
      end;`);
  }

  override async down(): Promise<void> {
    this.addSql('drop trigger if exists job_runs_stage_plan;');
    this.addSql(`alter table \`job_runs\` drop column \`stage_plan\`;`);
  }
}
