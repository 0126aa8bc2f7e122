import type { EntityManager } from '@mikro-orm/sqlite';
import { statementsOf, type Statements } from '../statements.js';

/** App-wide settings by key (JSON values). */
export class SettingsRepository {
  private readonly sql: Statements;

  constructor(em: EntityManager) {
    this.sql = statementsOf(em.getConnection().getKnex());
  }

  async get<T>(key: string): Promise<T | null> {
    const [row] = await this.sql.all<{ value: string }>(`select value from app_settings where key = ?`, [key]);
    return row ? (JSON.parse(row.value) as T) : null;
  }

  async set(key: string, value: unknown, now = new Date()): Promise<void> {
    await this.sql.run(
      `insert into app_settings (key, value, updated_at) values (?, ?, ?) on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at`,
      [key, JSON.stringify(value), now.getTime()],
    );
  }
}
