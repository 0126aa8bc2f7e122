import { Migration } from '@mikro-orm/migrations';

export class Migration20261130062414 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`soulseek_transfers\` (\`song_id\` integer not null primary key autoincrement, \`username\` text not null, \`filename\` text not null, \`size\` bigint not null, \`transfer_id\` text null, \`state\` text not null, \`bytes_transferred\` bigint not null default 0, \`average_speed\` integer not null default 0, \`error_code\` text null, \`error\` text null, \`created_at\` datetime not null, \`updated_at\` datetime not null);`);
  }

}
