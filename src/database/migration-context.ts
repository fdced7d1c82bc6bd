import type { QueryRunner } from 'typeorm';

/**
 * What a migration may need of the app's configuration, which migrations do not load themselves: the
 * app (and `npm run migration:run`) hands it to runMigrations from its configuration; under the TypeORM
 * CLI there is none, and each migration says what it does without it.
 */
export interface MigrationContext {
  /** Each configured listener's account (ListenerConfig.account). */
  readonly listenerAccounts: ReadonlyMap<string, string>;
}

const KEY = 'migrationContext';

/** Gives the migrations run through `queryRunner` their context (TypeORM hands them that runner). */
export function provideMigrationContext(queryRunner: QueryRunner, context: MigrationContext): void {
  queryRunner.data = { ...queryRunner.data, [KEY]: context };
}

/** The context runMigrations was given, if any. */
export function migrationContextOf(queryRunner: QueryRunner): MigrationContext | undefined {
  return (queryRunner.data as Record<string, MigrationContext | undefined> | undefined)?.[KEY];
}
