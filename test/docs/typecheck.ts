// Type-checks the files made from doc snippets with the repository's TypeScript and compiler
// options, against the package's own types: `tuskit` resolves through package.json's `exports`
// to dist/*.d.ts, as it would for a user (the snippets live inside the package, in build/).
import { join } from 'node:path'
import ts from 'typescript'

/** Type errors, one line each (`file:line: message`), per file that has any. */
export function typecheck(root: string, files: readonly string[]): Map<string, string[]> {
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), (path) => ts.sys.readFile(path))
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root)
  const { rootDir: _rootDir, outDir: _outDir, ...shared } = options
  const program = ts.createProgram(files, {
    ...shared,
    // JavaScript snippets are checked as an editor with `// @ts-check` would check them.
    allowJs: true,
    checkJs: true,
    noEmit: true,
    declaration: false,
    sourceMap: false,
  })
  const errors = new Map<string, string[]>()
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const file = diagnostic.file?.fileName ?? '(no file)'
    const line =
      diagnostic.file && diagnostic.start !== undefined
        ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1
        : 0
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')
    const list = errors.get(file) ?? []
    list.push(`${line}: ${message}`)
    errors.set(file, list)
  }
  return errors
}

/** TypeScript to JavaScript (an ES module), types removed, for running a `.ts` snippet. */
export function transpile(source: string): string {
  return ts.transpileModule(source, {
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: false,
    },
  }).outputText
}
