/**
 * A seeded generator of catalog items for the search bench: titles and descriptions from word
 * lists in several languages (with accents), tags, prices in a few currencies and dates, the same
 * for the same seed, so two runs measure the same index.
 */
const WORDS = {
  en: [
    'lamp',
    'brass',
    'coffee',
    'grinder',
    'vintage',
    'walnut',
    'desk',
    'chair',
    'portable',
    'wireless',
    'garden',
    'kettle',
    'leather',
    'wool',
    'ceramic',
    'silver',
    'classic',
    'puzzle',
    'strategy',
    'racing',
  ],
  fr: ['café', 'crème', 'théière', 'chaise', 'lumière', 'bois', 'élégant', 'jardin', 'fenêtre', 'étagère'],
  de: ['Kaffeemühle', 'Lampe', 'Stuhl', 'Tisch', 'Garten', 'Wasserkocher', 'Holz', 'Leder', 'schön', 'groß'],
  es: ['lámpara', 'cafetera', 'silla', 'mesa', 'jardín', 'madera', 'cuero', 'pequeño', 'rápido', 'niño'],
}
// Real catalogues have large vocabularies where a few words are common and most are rare: add
// 5,000 made-up words from syllables and draw words with a Zipf-like skew.
const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ne',
  'ru',
  'ta',
  'vo',
  'zen',
  'bri',
  'dor',
  'fel',
  'gra',
  'hil',
  'jun',
  'mar',
  'sol',
  'tur',
  'vel',
  'xan',
  'yor',
]
const MADE_UP = Array.from({ length: 5_000 }, (_, i) => {
  const a = SYLLABLES[i % 20] as string
  const b = SYLLABLES[Math.floor(i / 20) % 20] as string
  const c = SYLLABLES[Math.floor(i / 400) % 20] as string
  return i < 400 ? a + b : a + b + c
})
const ALL = [...Object.values(WORDS).flat(), ...MADE_UP]
const TAGS = [
  'home',
  'kitchen',
  'office',
  'garden',
  'game',
  'fps',
  'puzzle',
  'gist',
  'outdoor',
  'sale',
  'new',
  'vintage',
  'gift',
  'eco',
  'premium',
]
const CURRENCIES = ['EUR', 'EUR', 'EUR', 'USD', 'USD', 'GBP', 'JPY']

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface GeneratedItem {
  title: string
  description: string
  tags: string[]
  price: { amount_minor: number; currency: string } | null
  publishedAt: Date
}

export function itemGenerator(seed: number) {
  const rand = mulberry32(seed)
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)] as T
  const word = () => ALL[Math.floor(ALL.length * rand() ** 3)] as string
  const words = (n: number) => Array.from({ length: n }, word).join(' ')
  return (i: number): GeneratedItem => {
    const title = `${words(2 + Math.floor(rand() * 3))} ${i}`
    const description = `${words(12 + Math.floor(rand() * 30))}.`
    const tags = [...new Set(Array.from({ length: 1 + Math.floor(rand() * 4) }, () => pick(TAGS)))]
    const price = rand() < 0.9 ? { amount_minor: Math.floor(rand() * 100_000), currency: pick(CURRENCIES) } : null
    const publishedAt = new Date(Date.UTC(2015, 0, 1) + Math.floor(rand() * 11 * 365 * 86_400_000))
    return { title, description, tags, price, publishedAt }
  }
}

export const VOCABULARY = ALL
export const TAG_LIST = TAGS
