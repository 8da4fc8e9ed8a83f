import { runMigrations } from '@catalog/kit'
import { MIGRATIONS_DIR } from './server.ts'

await runMigrations({ name: 'search', migrationsDir: MIGRATIONS_DIR })
