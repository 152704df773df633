// The flags interface each command's action declares (packages/cli/src/commands) must describe the
// options commander really gives it: the same attribute names, optional exactly when the option has
// no default, and boolean / string / string[] as the option parses. The interfaces are written by
// hand, so this is what catches a renamed flag or a default that was added or dropped.
import path from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../packages/cli/src/program.js';
import { REPO } from './cli-process.js';

const COMMANDS_DIR = path.join(REPO, 'packages/cli/src/commands');
type Command = Awaited<ReturnType<typeof buildProgram>>;
type Option = Command['options'][number];

interface DeclaredFlag {
  optional: boolean;
  type: string;
}

/** The command name a `.action(...)` call belongs to: the `.command('x')` in its receiver chain. */
function commandNameOf(call: ts.CallExpression, checker: ts.TypeChecker): string | undefined {
  let receiver: ts.Node = (call.expression as ts.PropertyAccessExpression).expression;
  if (ts.isIdentifier(receiver)) {
    const decl = checker.getSymbolAtLocation(receiver)?.valueDeclaration;
    if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer) return undefined;
    receiver = decl.initializer;
  }
  let found: string | undefined;
  const visit = (n: ts.Node): void => {
    if (
      ts.isCallExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      n.expression.name.text === 'command' &&
      n.arguments.length > 0 &&
      ts.isStringLiteral(n.arguments[0])
    )
      found = n.arguments[0].text;
    ts.forEachChild(n, visit);
  };
  visit(receiver);
  return found;
}

/** For every `.action((..., flags: T) => ...)` in the commands: command name -> T's properties. */
function declaredFlags(): Map<string, Map<string, DeclaredFlag>> {
  const files = ts.sys.readDirectory(COMMANDS_DIR, ['.ts']);
  const program = ts.createProgram(files, {
    strict: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const out = new Map<string, Map<string, DeclaredFlag>>();
  for (const sf of program.getSourceFiles()) {
    if (!sf.fileName.startsWith(COMMANDS_DIR)) continue;
    const visit = (n: ts.Node): void => {
      if (
        ts.isCallExpression(n) &&
        ts.isPropertyAccessExpression(n.expression) &&
        n.expression.name.text === 'action' &&
        n.arguments.length === 1 &&
        ts.isArrowFunction(n.arguments[0])
      ) {
        const name = commandNameOf(n, checker);
        const param = n.arguments[0].parameters.at(-1);
        if (name && param) {
          const type = checker.getTypeAtLocation(param);
          const props = new Map<string, DeclaredFlag>();
          for (const p of type.getProperties()) {
            const t = checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(p, param));
            props.set(p.name, {
              optional: (p.flags & ts.SymbolFlags.Optional) !== 0,
              type: checker.typeToString(t),
            });
          }
          out.set(name, props);
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return out;
}

/** What commander gives the action for `o`: whether it is always there, and its type. */
function parsedFlag(o: Option): DeclaredFlag {
  const takesValue = o.required || o.optional;
  const repeatable = Array.isArray(o.defaultValue);
  const type = !takesValue ? 'boolean' : repeatable ? 'string[]' : 'string';
  const alwaysThere = o.defaultValue !== undefined || o.negate || o.mandatory;
  return { optional: !alwaysThere, type };
}

let program: Command;
let declared: Map<string, Map<string, DeclaredFlag>>;
beforeAll(async () => {
  program = await buildProgram();
  declared = declaredFlags();
}, 120_000);

describe('typed CLI options', () => {
  it('every command with options has a typed action', () => {
    const withOptions = program.commands.filter((c) => c.options.length > 0).map((c) => c.name());
    expect(withOptions.filter((c) => !declared.has(c))).toEqual([]);
    expect(withOptions.length).toBeGreaterThanOrEqual(14);
  });

  it("each command's flags type names exactly its options, optional only without a default, with the parsed type", () => {
    const mismatches: string[] = [];
    for (const cmd of program.commands) {
      const flags = declared.get(cmd.name());
      if (!flags) continue;
      const options = new Map(cmd.options.map((o) => [o.attributeName(), o]));
      for (const [name, o] of options) {
        const want = parsedFlag(o);
        const got = flags.get(name);
        if (!got) {
          mismatches.push(`${cmd.name()} ${o.flags}: not in the flags type`);
          continue;
        }
        // A negatable option next to a value option (--source <dir> / --no-source) is string | false.
        const paired = cmd.options.some((p) => p !== o && p.attributeName() === name);
        if (paired) continue;
        if (got.optional !== want.optional)
          mismatches.push(`${cmd.name()} ${name}: declared ${got.optional ? 'optional' : 'required'}`);
        const typeOk =
          got.type === want.type || (want.type === 'string' && /^"[^"]+"( \| "[^"]+")*$/.test(got.type));
        if (!typeOk) mismatches.push(`${cmd.name()} ${name}: declared ${got.type}, parsed as ${want.type}`);
      }
      for (const name of flags.keys()) {
        if (!options.has(name)) mismatches.push(`${cmd.name()} ${name}: no such option`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
