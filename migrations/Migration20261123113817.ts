import { Migration } from '@mikro-orm/migrations';

export class Migration20261123113817 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`job_runs\` (\`id\` integer not null primary key autoincrement, \`job_type\` text not null, \`status\` text not null, \`lane\` text not null, \`priority\` integer not null, \`requested_by\` text null, \`config_snapshot\` json not null, \`scope\` json not null, \`params\` json null, \`result\` json null, \`error\` text null, \`created_at\` datetime not null, \`started_at\` datetime null, \`finished_at\` datetime null, \`updated_at\` datetime not null, \`not_before\` datetime null, \`owner\` text null, \`owner_heartbeat_at\` datetime null);`);
    this.addSql(`create index \`job_runs_dispatch_idx\` on \`job_runs\` (\`status\`, \`lane\`, \`priority\`, \`created_at\`, \`id\`);`);
    this.addSql(`create index \`job_runs_owner_idx\` on \`job_runs\` (\`status\`, \`owner_heartbeat_at\`);`);

    this.addSql(`create table \`job_events\` (\`id\` integer not null primary key autoincrement, \`job_id\` integer not null, \`at\` datetime not null, \`kind\` text not null, \`data\` json null, constraint \`job_events_job_id_foreign\` foreign key(\`job_id\`) references \`job_runs\`(\`id\`) on delete cascade on update cascade);`);
    this.addSql(`create index \`job_events_job_id_index\` on \`job_events\` (\`job_id\`);`);
    this.addSql(`create index \`job_events_job_idx\` on \`job_events\` (\`job_id\`, \`id\`);`);

    this.addSql(`create table \`job_commands\` (\`id\` integer not null primary key autoincrement, \`job_id\` integer not null, \`command\` text not null, \`status\` text not null, \`requested_by\` text null, \`client_address\` text null, \`requested_at\` datetime not null, \`applied_at\` datetime null, \`detail\` text null, constraint \`job_commands_job_id_foreign\` foreign key(\`job_id\`) references \`job_runs\`(\`id\`) on delete cascade on update cascade);`);
    this.addSql(`create index \`job_commands_job_id_index\` on \`job_commands\` (\`job_id\`);`);
    this.addSql(`create index \`job_commands_pending_idx\` on \`job_commands\` (\`job_id\`, \`status\`);`);

    this.addSql(`create table \`job_stages\` (\`id\` integer not null primary key autoincrement, \`job_id\` integer not null, \`stage_type\` text not null, \`seq\` integer not null, \`status\` text not null, \`total_items\` integer not null default 0, \`succeeded_items\` integer not null default 0, \`failed_items\` integer not null default 0, \`skipped_items\` integer not null default 0, \`canceled_items\` integer not null default 0, \`started_at\` datetime null, \`finished_at\` datetime null, constraint \`job_stages_job_id_foreign\` foreign key(\`job_id\`) references \`job_runs\`(\`id\`) on delete cascade on update cascade);`);
    this.addSql(`create index \`job_stages_job_id_index\` on \`job_stages\` (\`job_id\`);`);
    this.addSql(`create unique index \`job_stages_job_id_seq_unique\` on \`job_stages\` (\`job_id\`, \`seq\`);`);

    this.addSql(`create table \`job_items\` (\`id\` integer not null primary key autoincrement, \`job_id\` integer not null, \`stage_id\` integer not null, \`item_key\` text not null, \`status\` text not null, \`label\` text null, \`payload\` json null, \`attempts\` integer not null default 0, \`next_attempt_at\` datetime null, \`last_error\` text null, \`last_error_code\` text null, \`worker_name\` text null, \`heartbeat_at\` datetime null, \`done_bytes\` bigint not null default 0, \`total_bytes\` bigint null, \`started_at\` datetime null, \`finished_at\` datetime null, constraint \`job_items_job_id_foreign\` foreign key(\`job_id\`) references \`job_runs\`(\`id\`) on delete cascade on update cascade, constraint \`job_items_stage_id_foreign\` foreign key(\`stage_id\`) references \`job_stages\`(\`id\`) on delete cascade on update cascade);`);
    this.addSql(`create index \`job_items_job_id_index\` on \`job_items\` (\`job_id\`);`);
    this.addSql(`create index \`job_items_stage_id_index\` on \`job_items\` (\`stage_id\`);`);
    this.addSql(`create index \`job_items_claim_idx\` on \`job_items\` (\`stage_id\`, \`status\`, \`id\`);`);
    this.addSql(`create index \`job_items_job_status_idx\` on \`job_items\` (\`job_id\`, \`status\`);`);
    this.addSql(`create index \`job_items_heartbeat_idx\` on \`job_items\` (\`status\`, \`heartbeat_at\`);`);
    this.addSql(`create index \`job_items_retry_idx\` on \`job_items\` (\`status\`, \`next_attempt_at\`);`);
    this.addSql(`create unique index \`job_items_stage_id_item_key_unique\` on \`job_items\` (\`stage_id\`, \`item_key\`);`);

    this.addSql(`create table \`job_workers\` (\`id\` integer not null primary key autoincrement, \`job_id\` integer not null, \`stage_id\` integer null, \`worker_name\` text not null, \`status\` text not null, \`current_item_id\` integer null, \`current_display_text\` text null, \`heartbeat_at\` datetime null, \`processed_count\` integer not null default 0, \`error_count\` integer not null default 0, \`downloaded_bytes\` bigint not null default 0, \`total_bytes\` bigint null, \`speed_bytes_per_sec\` double null, \`progress_percent\` double null, \`updated_at\` datetime not null, constraint \`job_workers_job_id_foreign\` foreign key(\`job_id\`) references \`job_runs\`(\`id\`) on delete cascade on update cascade, constraint \`job_workers_stage_id_foreign\` foreign key(\`stage_id\`) references \`job_stages\`(\`id\`) on delete cascade on update cascade, constraint \`job_workers_current_item_id_foreign\` foreign key(\`current_item_id\`) references \`job_items\`(\`id\`) on delete set null on update cascade);`);
    this.addSql(`create index \`job_workers_job_id_index\` on \`job_workers\` (\`job_id\`);`);
    this.addSql(`create index \`job_workers_stage_id_index\` on \`job_workers\` (\`stage_id\`);`);
    this.addSql(`create index \`job_workers_current_item_id_index\` on \`job_workers\` (\`current_item_id\`);`);
    this.addSql(`create unique index \`job_workers_job_id_worker_name_unique\` on \`job_workers\` (\`job_id\`, \`worker_name\`);`);

    this.addSql(`create table \`lanes\` (\`name\` text not null, \`concurrency\` integer not null, primary key (\`name\`));`);
  }

}
