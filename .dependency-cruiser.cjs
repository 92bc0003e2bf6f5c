// The architecture of src/, checked by test/architecture.test.ts (`npx depcruise src`).
// Layers from the bottom up; a module may import its own layer and the layers below it,
// never one above. docs/design.md describes each layer.
const LAYERS = [
  ['util'], // logging, loading CommonJS dependencies
  ['model'], // domain types (Upload, Metadata, …) and errors
  ['protocol'], // pure parsing and serialising of headers and fields
  ['stores', 'lockers', 'streams'], // storage and locking behind interfaces, stream plumbing
  ['context'], // what a request handler receives: request, response, options, hooks, events
  ['uploads'], // upload operations both dialects share
  ['dialects'], // tus 1.0 and the IETF draft: one module per method
  ['endpoint'], // the framework-free core: routing, CORS, response headers
  ['adapters'], // Node (req, res, next), Koa, Fastify, web fetch
]
// The package entries (tuskit, tuskit/store) sit above every layer.
const ENTRIES = String.raw`^src/(index|store)\.ts$`

const folders = (names) => String.raw`^src/(${names.join('|')})/`

/** One rule per layer: nothing above it. */
const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer.join('-')}`,
  comment: `${layer.join(', ')} must not import a higher layer or a package entry`,
  severity: 'error',
  from: { path: folders(layer) },
  to: { path: [folders(LAYERS.slice(i + 1).flat()), ENTRIES] },
}))

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Import cycles make the layers meaningless and modules load half-initialised',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'adapters-not-entries',
      comment: 'Adapters are entries themselves; they must not import the package entries',
      severity: 'error',
      from: { path: folders(['adapters']) },
      to: { path: ENTRIES },
    },
    {
      name: 'tus-not-ietf',
      comment: 'The IETF draft reuses tus 1.0 GET and DELETE; tus 1.0 knows nothing of the draft',
      severity: 'error',
      from: { path: '^src/dialects/tus/' },
      to: { path: '^src/dialects/ietf/' },
    },
    {
      name: 'library-not-cli-or-testing',
      comment: 'The library never depends on the CLI or on the store contract suite',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(cli|testing)/' },
      to: { path: '^src/(cli|testing)/' },
    },
    {
      name: 'cli-uses-public-api',
      comment: 'The CLI is an app like any other: it uses the tuskit entry only',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: '^src/', pathNot: String.raw`^src/(cli/|index\.ts$)` },
    },
    {
      name: 'testing-uses-public-api',
      comment: 'The contract suite checks stores through what store authors import: tuskit/store',
      severity: 'error',
      from: { path: '^src/testing/' },
      to: { path: '^src/', pathNot: String.raw`^src/(testing/|store\.ts$)` },
    },
    {
      name: 'no-orphans',
      comment: 'A module nothing imports is dead code (entries excepted)',
      severity: 'error',
      from: {
        orphan: true,
        pathNot: String.raw`^src/(index\.ts|store\.ts|adapters/(koa|fastify|web)\.ts|testing/index\.ts|cli/main\.ts|cli/page/app\.js)$`,
      },
      to: {},
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/cli/public/' },
    // Type-only imports count: a cycle through types is still a cycle between modules.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
}
