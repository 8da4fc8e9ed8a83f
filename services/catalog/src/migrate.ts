import { runMigrations } from '@catalog/kit'
import { MIGRATIONS_DIR } from './server.ts'

await runMigrations({ name: 'catalog', migrationsDir: MIGRATIONS_DIR })
