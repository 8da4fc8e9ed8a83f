import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'

const SCRIPT = fileURLToPath(new URL('../../../scripts/certs.sh', import.meta.url))

t.test('the certificate script is idempotent and issues identity SANs', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'certs-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  execFileSync('bash', [SCRIPT, dir, 'catalog'], { stdio: 'ignore' })
  const first = readFileSync(join(dir, 'catalog.crt'), 'utf8')
  execFileSync('bash', [SCRIPT, dir, 'catalog'], { stdio: 'ignore' })
  t.equal(readFileSync(join(dir, 'catalog.crt'), 'utf8'), first, 'a second run keeps a valid certificate')
  const text = execFileSync(
    'openssl',
    ['x509', '-in', join(dir, 'catalog.crt'), '-noout', '-ext', 'subjectAltName,extendedKeyUsage'],
    {
      encoding: 'utf8',
    },
  )
  t.match(text, /URI:spiffe:\/\/catalog.platform\/catalog/)
  t.match(text, /DNS:catalog, DNS:localhost, IP Address:127.0.0.1/)
  t.match(text, /TLS Web Server Authentication, TLS Web Client Authentication/)
  t.throws(() => execFileSync('bash', [SCRIPT, dir, '../evil'], { stdio: 'ignore' }), 'a bad workload name is refused')
})
