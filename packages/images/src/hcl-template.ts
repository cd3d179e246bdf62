/**
 * Evaluates the HCL templates and expressions that @cdktf/hcl2json leaves as strings. hcl2json
 * converts HCL to JSON without evaluating anything: every string is a template (`${…}`
 * interpolations, `%{if}` directives, which is also what it turns a `c ? a : b` inside a template
 * into), and a bare expression such as `platforms = PLATFORMS` arrives as `"${PLATFORMS}"`.
 *
 * Only the subset docker-bake.hcl uses is supported: literals, variables, `==`, `!=`, `&&`, `||`,
 * `!`, `c ? a : b`, tuples and `%{if}…%{else}…%{endif}`. Anything else (function calls, `for`,
 * attribute access, arithmetic, strip markers) is an error naming the construct, so a bake file
 * that outgrows the subset fails loudly instead of resolving to something bake would not build.
 */

export type HclValue = string | number | boolean | null | HclValue[] | { [key: string]: HclValue };

export class HclExpressionError extends Error {
  override name = 'HclExpressionError';
}

/** Looks a variable up; throws HclExpressionError when it does not exist. */
export type VariableLookup = (name: string) => HclValue;

type Expression =
  | { kind: 'literal'; value: HclValue }
  | { kind: 'template'; parts: TemplatePart[] }
  | { kind: 'variable'; name: string }
  | { kind: 'not'; operand: Expression }
  | { kind: 'binary'; operator: '==' | '!=' | '&&' | '||'; left: Expression; right: Expression }
  | { kind: 'conditional'; condition: Expression; whenTrue: Expression; whenFalse: Expression }
  | { kind: 'tuple'; items: Expression[] };

type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'interpolation'; expression: Expression }
  | { kind: 'if'; condition: Expression; whenTrue: TemplatePart[]; whenFalse: TemplatePart[] };

/** How a template body ended: at the end of input, at a closing quote, or at a directive. */
type TemplateEnd = 'end' | 'quote' | 'else' | 'endif';

const IDENTIFIER_START = /[A-Za-z_]/;
const IDENTIFIER_PART = /[A-Za-z0-9_-]/;

class TemplateParser {
  private position = 0;

  constructor(private readonly source: string) {}

  parseTopLevel(): TemplatePart[] {
    const { parts, end } = this.parseTemplate(false);
    if (end !== 'end') this.fail(`%{${end}} without a matching %{if}`);
    return parts;
  }

  private fail(message: string): never {
    throw new HclExpressionError(
      `${message} at offset ${this.position} of ${JSON.stringify(this.source)}`,
    );
  }

  private peek(offset = 0): string {
    return this.source.charAt(this.position + offset);
  }

  private startsWith(text: string): boolean {
    return this.source.startsWith(text, this.position);
  }

  private skipSpace(): void {
    while (/\s/.test(this.peek())) this.position += 1;
  }

  private expect(text: string): void {
    this.skipSpace();
    if (!this.startsWith(text)) this.fail(`expected "${text}"`);
    this.position += text.length;
  }

  /**
   * A template body. Top-level strings come from JSON, already unescaped; a quoted string inside
   * an expression still has HCL's backslash escapes.
   */
  private parseTemplate(quoted: boolean): { parts: TemplatePart[]; end: TemplateEnd } {
    const parts: TemplatePart[] = [];
    let text = '';
    const flush = () => {
      if (text !== '') parts.push({ kind: 'text', text });
      text = '';
    };
    while (this.position < this.source.length) {
      if (quoted && this.peek() === '"') {
        this.position += 1;
        flush();
        return { parts, end: 'quote' };
      }
      if (quoted && this.peek() === '\\') {
        text += this.parseEscape();
        continue;
      }
      if (this.startsWith('$${') || this.startsWith('%%{')) {
        text += `${this.peek()}{`;
        this.position += 3;
        continue;
      }
      if (this.startsWith('${')) {
        this.position += 2;
        if (this.peek() === '~') this.fail('strip markers (~) are not supported');
        flush();
        const expression = this.parseExpression();
        this.expectClose();
        parts.push({ kind: 'interpolation', expression });
        continue;
      }
      if (this.startsWith('%{')) {
        this.position += 2;
        if (this.peek() === '~') this.fail('strip markers (~) are not supported');
        flush();
        const directive = this.parseDirective();
        if (directive === 'else' || directive === 'endif') return { parts, end: directive };
        parts.push(directive);
        continue;
      }
      text += this.peek();
      this.position += 1;
    }
    if (quoted) this.fail('unterminated string');
    flush();
    return { parts, end: 'end' };
  }

  private parseEscape(): string {
    const escaped = this.peek(1);
    const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };
    const replacement = simple[escaped];
    if (replacement !== undefined) {
      this.position += 2;
      return replacement;
    }
    if (escaped === 'u') {
      const hex = this.source.slice(this.position + 2, this.position + 6);
      if (!/^[0-9A-Fa-f]{4}$/.test(hex)) this.fail('invalid \\u escape');
      this.position += 6;
      return String.fromCharCode(Number.parseInt(hex, 16));
    }
    return this.fail(`unsupported escape \\${escaped}`);
  }

  private expectClose(): void {
    this.skipSpace();
    if (this.startsWith('~}')) this.fail('strip markers (~) are not supported');
    this.expect('}');
  }

  /** After `%{`: an `if` directive with its bodies, or the `else`/`endif` that ends a body. */
  private parseDirective(): TemplatePart | 'else' | 'endif' {
    this.skipSpace();
    const keyword = this.readIdentifier();
    if (keyword === 'else' || keyword === 'endif') {
      this.expectClose();
      return keyword;
    }
    if (keyword !== 'if') this.fail(`the %{${keyword}} directive is not supported`);
    const condition = this.parseExpression();
    this.expectClose();
    const first = this.parseTemplate(false);
    let whenFalse: TemplatePart[] = [];
    if (first.end === 'else') {
      const second = this.parseTemplate(false);
      if (second.end !== 'endif') this.fail('%{if} without %{endif}');
      whenFalse = second.parts;
    } else if (first.end !== 'endif') {
      this.fail('%{if} without %{endif}');
    }
    return { kind: 'if', condition, whenTrue: first.parts, whenFalse };
  }

  private readIdentifier(): string {
    const start = this.position;
    if (!IDENTIFIER_START.test(this.peek())) this.fail('expected a name');
    while (IDENTIFIER_PART.test(this.peek())) this.position += 1;
    return this.source.slice(start, this.position);
  }

  private parseExpression(): Expression {
    const condition = this.parseBinary(0);
    this.skipSpace();
    if (this.peek() !== '?') return condition;
    this.position += 1;
    const whenTrue = this.parseExpression();
    this.expect(':');
    const whenFalse = this.parseExpression();
    return { kind: 'conditional', condition, whenTrue, whenFalse };
  }

  /** Binary operators by precedence, loosest first: `||`, then `&&`, then `==` and `!=`. */
  private parseBinary(level: number): Expression {
    const levels: ('==' | '!=' | '&&' | '||')[][] = [['||'], ['&&'], ['==', '!=']];
    const operators = levels[level];
    if (operators === undefined) return this.parseUnary();
    let left = this.parseBinary(level + 1);
    for (;;) {
      this.skipSpace();
      const operator = operators.find((candidate) => this.startsWith(candidate));
      if (operator === undefined) return left;
      this.position += operator.length;
      const right = this.parseBinary(level + 1);
      left = { kind: 'binary', operator, left, right };
    }
  }

  private parseUnary(): Expression {
    this.skipSpace();
    if (this.peek() === '!' && this.peek(1) !== '=') {
      this.position += 1;
      return { kind: 'not', operand: this.parseUnary() };
    }
    const primary = this.parsePrimary();
    this.skipSpace();
    if (this.peek() === '.' || this.peek() === '[') {
      this.fail('attribute and index access are not supported');
    }
    if (/[-+*/%<>]/.test(this.peek())) this.fail(`the operator "${this.peek()}" is not supported`);
    return primary;
  }

  private parsePrimary(): Expression {
    this.skipSpace();
    const char = this.peek();
    if (char === '"') {
      this.position += 1;
      return { kind: 'template', parts: this.parseTemplate(true).parts };
    }
    if (char === '(') {
      this.position += 1;
      const inner = this.parseExpression();
      this.expect(')');
      return inner;
    }
    if (char === '[') {
      this.position += 1;
      const items: Expression[] = [];
      this.skipSpace();
      while (this.peek() !== ']') {
        items.push(this.parseExpression());
        this.skipSpace();
        if (this.peek() === ',') this.position += 1;
        else if (this.peek() !== ']') this.fail('expected "," or "]"');
        this.skipSpace();
      }
      this.position += 1;
      return { kind: 'tuple', items };
    }
    const number = /^-?\d+(\.\d+)?/.exec(this.source.slice(this.position));
    if (number) {
      this.position += number[0].length;
      return { kind: 'literal', value: Number(number[0]) };
    }
    if (IDENTIFIER_START.test(char)) {
      const name = this.readIdentifier();
      this.skipSpace();
      if (this.peek() === '(') this.fail(`function calls are not supported: ${name}(…)`);
      if (name === 'true' || name === 'false') return { kind: 'literal', value: name === 'true' };
      if (name === 'null') return { kind: 'literal', value: null };
      if (name === 'for') this.fail('for expressions are not supported');
      return { kind: 'variable', name };
    }
    return this.fail(char === '' ? 'unexpected end of expression' : `unexpected "${char}"`);
  }
}

function describe(value: HclValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function requireBoolean(value: HclValue, what: string): boolean {
  if (typeof value !== 'boolean') {
    throw new HclExpressionError(`${what} must be a bool, got ${describe(value)}`);
  }
  return value;
}

/** Equality as cty compares values: types must match, so "1" differs from 1. */
function hclEqual(left: HclValue, right: HclValue): boolean {
  if (Array.isArray(left) || Array.isArray(right)) {
    if (!Array.isArray(left) || !Array.isArray(right) || left.length !== right.length) return false;
    return left.every((item, index) => {
      const other = right[index];
      return other !== undefined && hclEqual(item, other);
    });
  }
  if (typeof left === 'object' && left !== null && typeof right === 'object' && right !== null) {
    const keys = Object.keys(left);
    if (keys.length !== Object.keys(right).length) return false;
    return keys.every((key) => {
      const a = left[key];
      const b = right[key];
      return a !== undefined && b !== undefined && hclEqual(a, b);
    });
  }
  return left === right;
}

function toTemplateString(value: HclValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new HclExpressionError(`cannot insert ${describe(value)} into a string template`);
}

function evaluateParts(parts: TemplatePart[], lookup: VariableLookup): HclValue {
  // As in HCL, a template that is one interpolation and nothing else yields the value unconverted:
  // this is how `platforms = PLATFORMS` keeps its list through hcl2json's "${PLATFORMS}".
  const [only] = parts;
  if (parts.length === 1 && only?.kind === 'interpolation') {
    return evaluateExpression(only.expression, lookup);
  }
  let text = '';
  for (const part of parts) {
    if (part.kind === 'text') text += part.text;
    else if (part.kind === 'interpolation') {
      text += toTemplateString(evaluateExpression(part.expression, lookup));
    } else {
      const condition = requireBoolean(
        evaluateExpression(part.condition, lookup),
        'an %{if} condition',
      );
      text += toTemplateString(evaluateParts(condition ? part.whenTrue : part.whenFalse, lookup));
    }
  }
  return text;
}

function evaluateExpression(expression: Expression, lookup: VariableLookup): HclValue {
  switch (expression.kind) {
    case 'literal':
      return expression.value;
    case 'template':
      return evaluateParts(expression.parts, lookup);
    case 'variable':
      return lookup(expression.name);
    case 'not':
      return !requireBoolean(evaluateExpression(expression.operand, lookup), 'the operand of !');
    case 'tuple':
      return expression.items.map((item) => evaluateExpression(item, lookup));
    case 'conditional': {
      const condition = requireBoolean(
        evaluateExpression(expression.condition, lookup),
        'a condition',
      );
      return evaluateExpression(condition ? expression.whenTrue : expression.whenFalse, lookup);
    }
    case 'binary': {
      const left = evaluateExpression(expression.left, lookup);
      const right = evaluateExpression(expression.right, lookup);
      switch (expression.operator) {
        case '==':
          return hclEqual(left, right);
        case '!=':
          return !hclEqual(left, right);
        case '&&':
          return requireBoolean(left, 'the left of &&') && requireBoolean(right, 'the right of &&');
        case '||':
          return requireBoolean(left, 'the left of ||') || requireBoolean(right, 'the right of ||');
      }
    }
  }
}

/** Evaluates one string from hcl2json's output as an HCL template. */
export function evaluateTemplate(template: string, lookup: VariableLookup): HclValue {
  return evaluateParts(new TemplateParser(template).parseTopLevel(), lookup);
}

/** Evaluates a value from hcl2json's output: strings as templates, lists and objects member-wise. */
export function evaluateValue(value: unknown, lookup: VariableLookup): HclValue {
  if (typeof value === 'string') return evaluateTemplate(value, lookup);
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((item: unknown) => evaluateValue(item, lookup));
  if (typeof value === 'object') {
    const result: { [key: string]: HclValue } = {};
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('${')) {
        throw new HclExpressionError(`computed object keys are not supported: ${key}`);
      }
      result[key] = evaluateValue(item, lookup);
    }
    return result;
  }
  throw new HclExpressionError(`unexpected ${typeof value} in the parsed HCL`);
}
