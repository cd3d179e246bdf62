import {
  EVENT_ID,
  type Event,
  getScalarValue,
  parseEvents,
  SCALAR_STYLE,
  type ScalarStyle,
} from 'js-yaml';

/**
 * A YAML node with its position in the source text, so an edit can splice the text and leave
 * every comment, quote and blank line of the file as it was.
 */
export type SourceNode = SourceScalar | SourceMapping | SourceSequence | { kind: 'alias' };

export interface SourceScalar {
  kind: 'scalar';
  value: string;
  style: ScalarStyle;
  /** Offsets of the whole token, quotes included. */
  start: number;
  end: number;
}

export interface SourceMapping {
  kind: 'mapping';
  flow: boolean;
  start: number;
  pairs: Array<{ key: SourceNode; value: SourceNode }>;
}

export interface SourceSequence {
  kind: 'sequence';
  flow: boolean;
  start: number;
  items: SourceNode[];
}

function isQuoted(style: ScalarStyle): boolean {
  return style === SCALAR_STYLE.SINGLE_QUOTED || style === SCALAR_STYLE.DOUBLE_QUOTED;
}

/** The first document of `source` as a tree of positioned nodes (undefined when empty). */
export function parseSourceTree(source: string, filename?: string): SourceNode | undefined {
  const events: Event[] = parseEvents(source, filename ? { filename } : {});
  const stack: Array<SourceMapping | SourceSequence> = [];
  // Mapping children arrive as key, value, key, value…; a pending key waits for its value.
  const pendingKeys = new Map<SourceMapping, SourceNode>();
  let root: SourceNode | undefined;
  let documents = 0;

  const attach = (node: SourceNode) => {
    const parent = stack.at(-1);
    if (!parent) {
      root ??= node;
      return;
    }
    if (parent.kind === 'sequence') {
      parent.items.push(node);
      return;
    }
    const key = pendingKeys.get(parent);
    if (key) {
      parent.pairs.push({ key, value: node });
      pendingKeys.delete(parent);
    } else {
      pendingKeys.set(parent, node);
    }
  };

  for (const event of events) {
    switch (event.type) {
      case EVENT_ID.DOCUMENT:
        documents += 1;
        break;
      case EVENT_ID.MAPPING: {
        const node: SourceMapping = {
          kind: 'mapping',
          flow: event.style === 2,
          start: event.start,
          pairs: [],
        };
        if (documents === 1) attach(node);
        stack.push(node);
        break;
      }
      case EVENT_ID.SEQUENCE: {
        const node: SourceSequence = {
          kind: 'sequence',
          flow: event.style === 2,
          start: event.start,
          items: [],
        };
        if (documents === 1) attach(node);
        stack.push(node);
        break;
      }
      case EVENT_ID.SCALAR: {
        const quoted = isQuoted(event.style);
        if (documents === 1) {
          attach({
            kind: 'scalar',
            value: getScalarValue(source, event),
            style: event.style,
            start: quoted ? event.valueStart - 1 : event.valueStart,
            end: quoted ? event.valueEnd + 1 : event.valueEnd,
          });
        }
        break;
      }
      case EVENT_ID.ALIAS:
        if (documents === 1) attach({ kind: 'alias' });
        break;
      case EVENT_ID.POP:
        // A POP closes a collection, or the document itself when nothing is open.
        stack.pop();
        break;
    }
  }
  return root;
}

export function mappingValue(node: SourceMapping, key: string): SourceNode | undefined {
  return node.pairs.find((pair) => pair.key.kind === 'scalar' && pair.key.value === key)?.value;
}

export function scalarValue(node: SourceMapping, key: string): SourceScalar | undefined {
  const value = mappingValue(node, key);
  return value?.kind === 'scalar' ? value : undefined;
}

/** The largest source offset any scalar inside `node` reaches. */
export function lastOffset(node: SourceNode): number {
  switch (node.kind) {
    case 'scalar':
      return node.end;
    case 'mapping':
      return Math.max(node.start, ...node.pairs.map((pair) => lastOffset(pair.value)));
    case 'sequence':
      return Math.max(node.start, ...node.items.map(lastOffset));
    default:
      return 0;
  }
}

export function columnOf(source: string, offset: number): number {
  return offset - (source.lastIndexOf('\n', offset - 1) + 1);
}

/** Offset of the end of the line holding `offset`, before its line break. */
export function endOfLine(source: string, offset: number): number {
  const newline = source.indexOf('\n', offset);
  if (newline === -1) return source.length;
  return source[newline - 1] === '\r' ? newline - 1 : newline;
}
