'use strict'
// The JavaScript packages' TypeScript declarations read with the TypeScript compiler, for the
// type tests of both packages (bindings/node/test/types.test.js, which has the Node package and
// the WebAssembly one installed side by side, and bindings/wasm/test/types.test.cjs):
//   - what an entry module exports, by value (what exists at runtime) or as a type only;
//   - every `any` in the types an entry exports, found by walking them (parameters, results,
//     members, index signatures, type arguments), so that an alias cannot hide one;
//   - the TypeScript source of a check that the functions two packages both export take and
//     return the same types (assignable both ways), compiled by the caller with tsc --strict.
// The caller passes its own `typescript` (each suite installs it).

// wasm-bindgen's raw exports of the module (what `init()` resolves to): internal glue, typed by
// wasm-bindgen with `any`; nothing of the package's API takes or returns one.
const INTERNAL_TYPES = ['InitOutput']

module.exports = (ts) => {
  /** A program over `files` (entry modules) with `options` merged into strict defaults. */
  function program(files, options = {}) {
    return ts.createProgram(files, {
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ES2022,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
      types: [],
      ...options,
    })
  }

  /** The exports of `file`: `[{name, value}]`, `value` when the name exists at runtime. */
  function exportsOf(prog, file) {
    const checker = prog.getTypeChecker()
    const source = prog.getSourceFile(file)
    if (!source) throw new Error(`declarations: ${file} is not in the program`)
    const module = checker.getSymbolAtLocation(source)
    return checker.getExportsOfModule(module).map((s) => {
      const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s
      return { name: s.name, symbol: target, value: Boolean(target.flags & ts.SymbolFlags.Value) }
    })
  }

  /** Where `any` occurs in what `file` exports: `['verifyEvent(options).maxBodySize', …]`. */
  function anys(prog, file, ownDir) {
    const checker = prog.getTypeChecker()
    const found = []
    const seen = new Set()
    // Members are walked for the package's own types only (the platform's, such as Uint8Array
    // or Promise, are the language's); type arguments always.
    const own = (symbol) => symbol && (symbol.declarations || []).some((d) => d.getSourceFile().fileName.startsWith(ownDir))
    const signatures = (type, where) => {
      for (const [kind, list] of [['', type.getCallSignatures()], ['new ', type.getConstructSignatures()]]) {
        for (const sig of list) {
          for (const p of sig.getParameters()) visit(checker.getTypeOfSymbol(p), `${kind}${where}(${p.name})`)
          visit(sig.getReturnType(), `${kind}${where}()`)
        }
      }
    }
    function visit(type, where) {
      if (!type) return
      if (type.flags & ts.TypeFlags.Any) {
        found.push(where)
        return
      }
      const symbol = type.aliasSymbol || type.getSymbol()
      if (symbol && INTERNAL_TYPES.includes(symbol.name)) return
      if (seen.has(type)) return
      seen.add(type)
      for (const arg of type.aliasTypeArguments || []) visit(arg, `${where}<>`)
      if (type.isUnionOrIntersection()) {
        for (const t of type.types) visit(t, where)
        return
      }
      if (type.flags & ts.TypeFlags.Object && type.objectFlags & ts.ObjectFlags.Reference) {
        // The arguments written: a platform type's parameters that have a default are left
        // out (`Iterable<T>` is `Iterable<T, any, any>` since TypeScript 5.6); an `any` written
        // in one is a line of the package's files, which the suites' text check refuses.
        const params = (type.target && type.target.typeParameters) || []
        checker.getTypeArguments(type).forEach((arg, i) => {
          if (own(type.target && type.target.symbol) || !params[i] || !checker.getDefaultFromTypeParameter(params[i])) visit(arg, `${where}[]`)
        })
      }
      if (!(type.flags & ts.TypeFlags.Object) || !(own(symbol) || own(type.symbol))) return
      signatures(type, where)
      for (const info of checker.getIndexInfosOfType(type)) visit(info.type, `${where}[key]`)
      for (const prop of checker.getPropertiesOfType(type)) {
        // A generic class's `prototype` is TypeScript's, typed with `any` for its parameters.
        if (prop.name === 'prototype' && type.getConstructSignatures().length > 0) continue
        visit(checker.getTypeOfSymbol(prop), `${where}.${prop.name}`)
      }
    }
    for (const e of exportsOf(prog, file)) {
      if (INTERNAL_TYPES.includes(e.name)) continue
      if (e.value) visit(checker.getTypeOfSymbol(e.symbol), e.name)
      if (e.symbol.flags & (ts.SymbolFlags.Type)) visit(checker.getDeclaredTypeOfSymbol(e.symbol), e.name)
    }
    return [...new Set(found)]
  }

  /** The names `file` exports as functions (declared with a call signature, no class). */
  function functionsOf(prog, file) {
    const checker = prog.getTypeChecker()
    return exportsOf(prog, file)
      .filter((e) => e.symbol.flags & ts.SymbolFlags.Function)
      .filter((e) => checker.getTypeOfSymbol(e.symbol).getCallSignatures().length > 0)
      .map((e) => e.name)
  }

  /**
   * A TypeScript module that compiles only when each function of `names` takes and returns the
   * same types in the packages `a` and `b` (module specifiers), assignable both ways, after
   * `own` (TypeScript source of a type `Own<T>`) maps `a`'s own classes to `b`'s. What
   * `differ` lists (`{name: {takes?: why, returns?: why}}`) must differ: an exact list of the
   * known differences. One line per check, named after the function, so that tsc's errors
   * say which.
   */
  function agreement(a, b, names, own, differ = {}) {
    const lines = [
      `import type * as A from '${a}'`,
      `import type * as B from '${b}'`,
      'type Same<X, Y> = [X] extends [Y] ? ([Y] extends [X] ? true : false) : false',
      own,
      'type Args<L extends unknown[]> = { [K in keyof L]: Own<L[K]> }',
      'type Params<F> = F extends (...args: infer L) => unknown ? L : never',
      'type Result<F> = F extends (...args: never[]) => infer R ? R : never',
    ]
    for (const name of names) {
      const checks = {
        takes: `Same<Args<Params<typeof A.${name}>>, Params<typeof B.${name}>>`,
        returns: `Same<Own<Result<typeof A.${name}>>, Result<typeof B.${name}>>`,
      }
      for (const [what, check] of Object.entries(checks)) {
        const known = differ[name] && differ[name][what]
        if (known) lines.push(`// A known difference: ${known}`)
        lines.push(`export const ${name}_${what}: ${check} = ${known ? 'false' : 'true'}`)
      }
    }
    return lines.join('\n') + '\n'
  }

  return { program, exportsOf, anys, functionsOf, agreement, INTERNAL_TYPES }
}
