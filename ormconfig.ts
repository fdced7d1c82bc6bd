import 'reflect-metadata';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './src/database/data-source-options';

/**
 * The DataSource for the TypeORM CLI (run against the compiled JS: `npx typeorm -d dist/ormconfig.js`),
 * built from the same options as the app. It needs DATABASE_URL; `npm run migration:run` also covers
 * the embedded database.
 */
const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL: set it to use the TypeORM CLI (npm run migration:run works without it)');

export default new DataSource({
  ...dataSourceOptions(url, 2),
  entities: [join(__dirname, 'src', 'modules', '**', '*.entity.js')],
});
