import { randomBytes } from 'node:crypto'

/*
 * A snippet is HTML whose only markup is the <mark> this service puts around matches: the
 * description is a tenant's text, and a UI that renders snippets must not run what it holds.
 * ts_headline cannot escape, and escaping its input first would change what the parser reads as
 * words (`&amp;` holds the word `amp`). So it marks matches with sentinels that no description can
 * hold (random for each search, never shown), and the whole snippet is escaped before the
 * sentinels become <mark> and </mark>.
 */

export interface SnippetMarks {
  start: string
  stop: string
}

/** Letters and digits only: HTML escaping leaves them as they are, and ts_headline takes them unquoted. */
export function snippetMarks(): SnippetMarks {
  const nonce = randomBytes(16).toString('hex')
  return { start: `MARKSTART${nonce}`, stop: `MARKSTOP${nonce}` }
}

/** ts_headline's options, with the sentinels as its StartSel and StopSel. */
export const headlineOptions = (marks: SnippetMarks) =>
  `MaxFragments=1, MaxWords=30, MinWords=10, StartSel=${marks.start}, StopSel=${marks.stop}`

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c)

/** The snippet as HTML: the text escaped, then the sentinels turned into the only tags. */
export const snippetHtml = (raw: string, marks: SnippetMarks) =>
  escapeHtml(raw).replaceAll(marks.start, '<mark>').replaceAll(marks.stop, '</mark>')
