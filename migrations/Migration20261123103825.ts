import { Migration } from '@mikro-orm/migrations';

export class Migration20261123103825 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`audit_log\` (\`id\` integer not null primary key autoincrement, \`at\` datetime not null, \`action\` text not null, \`daemon\` text not null, \`args\` json null, \`client_address\` text null, \`outcome\` text not null, \`detail\` text null);`);
    this.addSql(`create index \`audit_log_daemon_at_index\` on \`audit_log\` (\`daemon\`, \`at\`);`);

    this.addSql(`create table \`daemon\` (\`name\` text not null, \`enabled\` integer not null, \`paused\` integer not null, \`interval_seconds\` integer not null, \`settings\` json null, \`state\` text not null default 'REGISTERED', \`status\` text not null default 'STOPPED', \`started_at\` datetime null, \`stopped_at\` datetime null, \`error\` text null, \`restart_count\` integer not null default 0, \`last_run_at\` datetime null, \`next_run_at\` datetime null, \`run_count\` integer not null default 0, \`error_count\` integer not null default 0, \`last_error\` text null, \`stats\` json null, \`activity_message\` text null, \`activity_job_id\` text null, \`activity_job_type\` text null, \`activity_updated_at\` datetime null, primary key (\`name\`));`);
  }

}
