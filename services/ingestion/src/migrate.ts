import { runMigrations } from '@catalog/kit'
import { MIGRATIONS_DIR } from './server.ts'

await runMigrations({ name: 'ingestion', migrationsDir: MIGRATIONS_DIR })
