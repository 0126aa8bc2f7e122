import { Migration } from '@mikro-orm/migrations';

export class Migration20261130060638 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`spotify_accounts\` (\`id\` integer not null primary key autoincrement, \`spotify_user_id\` text not null, \`display_name\` text null, \`scope\` text not null, \`access_token\` text not null, \`refresh_token\` text not null, \`expires_at\` datetime not null, \`connected_at\` datetime not null, \`refreshed_at\` datetime null, \`revoked_at\` datetime null, \`last_error\` text null);`);
  }

}
