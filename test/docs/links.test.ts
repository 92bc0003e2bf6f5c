// Links and paths in the docs point at things that exist: relative links at files (and their
// headings), repository paths named in the text at files of the repository, and every page of
// docs/ is reachable from the README.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { repoRoot } from '../cli/child.js'
import { anchors, docFiles, links, readDoc } from './markdown.js'

const root = repoRoot()
const docs = docFiles(root)

test('every relative link of the docs reaches a file, and a heading of it', () => {
  const broken: string[] = []
  for (const doc of docs) {
    for (const { line, target } of links(readDoc(root, doc))) {
      if (/^[a-z]+:/.test(target)) continue // https:, mailto:
      const [path = '', anchor] = target.split('#')
      const file = path === '' ? doc : normalize(join(dirname(doc), path))
      if (!existsSync(join(root, file))) {
        broken.push(`${doc}:${line}: ${target} (no ${file})`)
      } else if (anchor !== undefined && file.endsWith('.md')) {
        if (!anchors(readDoc(root, file)).has(anchor)) {
          broken.push(`${doc}:${line}: ${target} (no heading #${anchor} in ${file})`)
        }
      }
    }
  }
  assert.deepEqual(broken, [])
})

test('every page of docs/ is linked from the README', () => {
  const linked = new Set(links(readDoc(root, 'README.md')).map((l) => l.target.split('#')[0]))
  const pages = docs.filter((doc) => doc.startsWith('docs/'))
  assert.deepEqual(
    pages.filter((page) => !linked.has(page)),
    [],
  )
})

test('every repository path the docs name exists', () => {
  const missing: string[] = []
  for (const doc of docs) {
    readDoc(root, doc)
      .split('\n')
      .forEach((text, i) => {
        for (const [, path = ''] of text.matchAll(/`((?:src|test|examples|scripts)\/[^`\s]*)`/g)) {
          if (path.includes('<')) continue // a pattern such as examples/<name>/server.mjs
          if (!existsSync(join(root, path))) missing.push(`${doc}:${i + 1}: ${path}`)
        }
      })
  }
  assert.deepEqual(missing, [])
})
