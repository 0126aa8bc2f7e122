import { Migration } from '@mikro-orm/migrations';

export class Migration20261130061356 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`followed_artists\` (\`spotify_id\` text not null, \`name\` text not null, \`genres\` text null, \`followers\` integer null, \`synced_at\` datetime not null, primary key (\`spotify_id\`));`);

    this.addSql(`create table \`saved_albums\` (\`spotify_id\` text not null, \`name\` text not null, \`artist\` text null, \`release_date\` text null, \`total_tracks\` integer null, \`upc\` text null, \`added_at\` datetime null, \`synced_at\` datetime not null, primary key (\`spotify_id\`));`);
  }

}
