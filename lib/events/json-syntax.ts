/**
 * A single-pass JSON syntax and nesting check, run before JSON.parse.
 *
 * Why not just JSON.parse: V8 reports an error position for some mistakes and
 * not others, and it would happily build a 10 000-level deep structure that
 * every later recursive walk (zod, loggers) then has to survive. This scanner
 * stops at the first error with its position, and at the depth cap before any
 * object is built. It checks the grammar of RFC 8259 exactly; values are then
 * built by JSON.parse, which cannot fail on text this scanner accepted.
 */

export type JsonSyntaxProblem =
  | { kind: 'syntax'; position: number; expected: string }
  | { kind: 'too_deep'; position: number; maxDepth: number };

// Sticky regexes: each matches one token exactly at `lastIndex`.
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const LITERAL = /true|false|null/y;
const WHITESPACE = /[ \t\n\r]*/y;

type Container = '{' | '[';
/** What the scanner expects next. */
type State = 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'after-value';

function matchAt(re: RegExp, text: string, at: number): number {
  re.lastIndex = at;
  return re.test(text) ? re.lastIndex : -1;
}

function skipWhitespace(text: string, at: number): number {
  return matchAt(WHITESPACE, text, at);
}

/** End index of the scalar (string, number, literal) starting at `at`, or -1. */
function scalarEnd(text: string, at: number): number {
  const c = text[at];
  if (c === '"') return matchAt(STRING, text, at);
  if (c === 't' || c === 'f' || c === 'n') return matchAt(LITERAL, text, at);
  return matchAt(NUMBER, text, at);
}

/** null when `text` is one valid JSON value nested at most `maxDepth` containers deep. */
export function checkJsonSyntax(text: string, maxDepth: number): JsonSyntaxProblem | null {
  const stack: Container[] = [];
  const syntax = (position: number, expected: string): JsonSyntaxProblem => ({ kind: 'syntax', position, expected });
  let i = skipWhitespace(text, 0);
  let state: State = 'value';

  for (;;) {
    const c = text[i];
    switch (state) {
      case 'value':
      case 'value-or-close': {
        if (state === 'value-or-close' && c === ']') {
          stack.pop();
          i += 1;
          state = 'after-value';
          break;
        }
        if (c === '{' || c === '[') {
          if (stack.length >= maxDepth) return { kind: 'too_deep', position: i, maxDepth };
          stack.push(c);
          i = skipWhitespace(text, i + 1);
          state = c === '{' ? 'key-or-close' : 'value-or-close';
          break;
        }
        const end = scalarEnd(text, i);
        if (end < 0) return syntax(i, c === '"' ? 'a valid string' : 'a value');
        i = end;
        state = 'after-value';
        break;
      }
      case 'key':
      case 'key-or-close': {
        if (state === 'key-or-close' && c === '}') {
          stack.pop();
          i += 1;
          state = 'after-value';
          break;
        }
        if (c !== '"') return syntax(i, 'a property name in double quotes');
        const end = matchAt(STRING, text, i);
        if (end < 0) return syntax(i, 'a valid string');
        i = skipWhitespace(text, end);
        if (text[i] !== ':') return syntax(i, "':'");
        i = skipWhitespace(text, i + 1);
        state = 'value';
        break;
      }
      case 'after-value': {
        i = skipWhitespace(text, i);
        const top = stack[stack.length - 1];
        if (top === undefined) return i === text.length ? null : syntax(i, 'end of input');
        const close = top === '{' ? '}' : ']';
        if (text[i] === ',') {
          i = skipWhitespace(text, i + 1);
          state = top === '{' ? 'key' : 'value';
        } else if (text[i] === close) {
          stack.pop();
          i += 1;
        } else {
          return syntax(i, `',' or '${close}'`);
        }
        break;
      }
    }
  }
}
