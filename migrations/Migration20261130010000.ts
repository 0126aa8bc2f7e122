import { Migration } from '@mikro-orm/migrations';

/**
 * Stage counters kept by the database: an inserted item counts in its stage's total, and
 * whenever an item's status changes, its stage's succeeded / failed / skipped / canceled
 * counts move with it in the same statement. Batched
 * item writes (one UPDATE for many items) need no second statement, and the counters cannot
 * drift from the items, whatever path changed them (runner, retry, recovery, cancel).
 */
export class Migration20261130010000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create trigger job_items_stage_counts after update of status on job_items
      when new.status <> old.status
        and (new.status in ('succeeded', 'failed', 'skipped', 'canceled') or old.status in ('succeeded', 'failed', 'skipped', 'canceled'))
      begin
        update job_stages set
          succeeded_items = succeeded_items + (new.status = 'succeeded') - (old.status = 'succeeded'),
          failed_items = failed_items + (new.status = 'failed') - (old.status = 'failed'),
          skipped_items = skipped_items + (new.status = 'skipped') - (old.status = 'skipped'),
          canceled_items = canceled_items + (new.status = 'canceled') - (old.status = 'canceled')
        where id = new.stage_id;
      end;`);
    // an item added to a stage counts in its total at once (addItems is one INSERT)
    this.addSql(`create trigger job_items_stage_total after insert on job_items
      begin
        update job_stages set total_items = total_items + 1 where id = new.stage_id;
      end;`);
  }

  override async down(): Promise<void> {
    this.addSql('drop trigger if exists job_items_stage_total;');
    this.addSql('drop trigger if exists job_items_stage_counts;');
  }
}
