// The Cosmos DB NoSQL REST API in Node (@vercel/cosmosdb-server), over plain http on 127.0.0.1.
// Its state lives in memory. Known limits (see docs/local-host.md): batch is not atomic, no real change feed,
// no TTL, no query plans (the SDK does not need them here).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { createHttpServer } from '@vercel/cosmosdb-server';

/** The well-known, public Cosmos DB emulator key; the Node server accepts any key. */
const COSMOS_EMULATOR_KEY =
  'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

export interface CosmosServerOptions {
  host?: string;
  port?: number; // 0 = a free port
}

export interface CosmosServer {
  readonly port: number;
  readonly connectionString: string;
  /**
   * Stops listening and closes every open connection (clients get refused connections), keeping the
   * account's data in memory; `start()` listens again on the same port with the same data.
   */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export function cosmosConnectionString(host: string, port: number): string {
  return `AccountEndpoint=http://${host}:${port}/;AccountKey=${COSMOS_EMULATOR_KEY};`;
}

interface QueryPrototype {
  readonly code: string | null;
}

let queryEngineFixed = false;

/**
 * Two fixes to the server's query engine (@zeit/cosmosdb-query). It compiles each query to JavaScript that collects the
 * matching documents with `reduce(($, x) => [...$, x], [])`: a fresh array per document, so a query
 * costs O(n^2) in the container's size (seconds at 20k documents, past the SDK's timeout at 200k).
 * The same code with an in-place push gives the same results in O(n). Applied once per process, to the
 * engine the server loads.
 */
function fixQueryEngine(): void {
  if (queryEngineFixed) return;
  queryEngineFixed = true;
  const serverRequire = createRequire(require.resolve('@vercel/cosmosdb-server'));
  const engine = serverRequire('@zeit/cosmosdb-query') as { default: (query: string) => QueryPrototype };
  // The module exports a factory, not the class: reach the class through an instance.
  const prototype = Object.getPrototypeOf(engine.default('SELECT * FROM c')) as QueryPrototype;
  // The getter is taken off its object on purpose: it is called below with each query as `this`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const original = Object.getOwnPropertyDescriptor(prototype, 'code')?.get as
    ((this: QueryPrototype) => string | null) | undefined;
  if (!original) throw new Error('@zeit/cosmosdb-query changed: Query.prototype.code is not a getter');
  Object.defineProperty(prototype, 'code', {
    configurable: true,
    get(this: QueryPrototype) {
      const code = original.call(this);
      return code?.replace(/\[\.\.\.\$, (\{[^{}]*\})\]/g, '($.push($1), $)') ?? code;
    },
  });
  // Every result goes through `stripUndefined`, which rebuilds an array one spread per element: O(n^2)
  // in the result's length (seconds at 30,000 rows). The same rule (drop undefined array elements and
  // object fields, recursively) in one pass.
  const helpers = serverRequire('@zeit/cosmosdb-query/lib/helpers') as {
    stripUndefined: (value: unknown) => unknown;
  };
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (const item of value) if (item !== undefined) out.push(strip(item));
      return out;
    }
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      const object = value as Record<string, unknown>;
      for (const key of Object.keys(object)) {
        const item = object[key];
        if (item !== undefined) out[key] = strip(item);
      }
      return out;
    }
    return value;
  };
  helpers.stripUndefined = strip;
}

/** A node of the JavaScript syntax tree the engine compiles a query to (Babel's shape). */
interface JsNode {
  type: string;
  [field: string]: unknown;
}

/** One `ORDER BY` item as the compiled code passes it: the document path and whether descending. */
type SortOrder = [keys: string[], descending: boolean];
type GetRid = (entry: unknown) => unknown;
type Sort = (
  collection: unknown[],
  getRid: GetRid,
  compositeIndexes?: unknown,
  ...orders: SortOrder[]
) => unknown[];

interface QueryHelpers {
  sort: Sort;
  compare: (operator: string, a: unknown, b: unknown) => boolean | undefined;
  equal: (a: unknown, b: unknown) => boolean | undefined;
  sortTop?: (n: unknown, collection: unknown[], getRid: GetRid, ...rest: unknown[]) => unknown[];
  aggregate?: (
    name: 'COUNT' | 'MIN' | 'MAX',
    items: unknown[],
    select: (item: unknown, index: number, items: unknown[]) => unknown,
    alias?: string,
  ) => unknown;
  matching?: (
    collection: unknown[],
    alias: string,
    where: (entry: Record<string, unknown>) => unknown,
  ) => unknown[];
  wrapWhere?: (
    collection: unknown[],
    alias: string,
    where: (entry: Record<string, unknown>) => unknown,
  ) => unknown[];
}

const TYPE_RANK: Record<string, number> = {
  undefined: 0,
  null: 1,
  boolean: 2,
  number: 3,
  string: 4,
  array: 5,
  object: 6,
};

function typeName(value: unknown): string {
  const type = typeof value;
  if (type !== 'object') return type;
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : type;
}

/**
 * The engine's order of values, as its own (unexported) comparator has it: by type (undefined, null,
 * boolean, number, string, array, object), then `<` within a type, all objects equal.
 */
function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : 1;
  const typeA = typeName(a);
  const typeB = typeName(b);
  if (typeA === typeB) {
    if (typeA === 'object') return 0;
    return (a as string) < (b as string) ? -1 : 1;
  }
  const rankA = TYPE_RANK[typeA] ?? 7;
  const rankB = TYPE_RANK[typeB] ?? 7;
  return rankA < rankB ? -1 : rankA > rankB ? 1 : 0;
}

/** An array or NaN: values `<` does not order consistently, so only the engine's own sort may sort them. */
const unorderable = (value: unknown): boolean =>
  Array.isArray(value) || (typeof value === 'number' && Number.isNaN(value));

/** One step of the engine's MIN: its `reduce` callback, as it is. */
function minStep(min: unknown, value: unknown): unknown {
  if (typeof min === 'undefined') return value;
  if (typeof value === 'undefined') return min;
  if ((min && typeof min === 'object') || (value && typeof value === 'object')) return {};
  if (typeof min === typeof value) return (min as string) < (value as string) ? min : value;
  if (min === null) return min;
  if (value === null) return value;
  if (typeof min === 'boolean') return min;
  if (typeof value === 'boolean') return value;
  return typeof min === 'number' ? min : value;
}

/** One step of the engine's MAX: its `reduce` callback, as it is. */
function maxStep(max: unknown, value: unknown): unknown {
  if (typeof max === 'undefined') return value;
  if (typeof value === 'undefined') return max;
  if ((max && typeof max === 'object') || (value && typeof value === 'object')) return {};
  if (typeof max === typeof value) return (max as string) > (value as string) ? max : value;
  if (typeof max === 'string') return max;
  if (typeof value === 'string') return value;
  if (typeof max === 'number') return max;
  if (typeof value === 'number') return value;
  return typeof max === 'boolean' ? max : value;
}

/** The value at a document path, as the engine's `getValue` reads it. */
function valueAt(document: unknown, keys: readonly string[]): unknown {
  let value = document;
  for (const key of keys) {
    value = typeof value === 'object' && value ? (value as Record<string, unknown>)[key] : undefined;
    if (value === undefined) return undefined;
  }
  return value;
}

interface SortEntry {
  item: unknown;
  key: unknown;
  rid: unknown;
  index: number;
}

/** Each item with its sort key and `_rid` read once; undefined when the engine's own sort must run. */
function sortEntries(
  collection: unknown[],
  getRid: GetRid,
  order: SortOrder | undefined,
): SortEntry[] | undefined {
  const entries: SortEntry[] = new Array<SortEntry>(collection.length);
  for (let index = 0; index < collection.length; index++) {
    const item = collection[index];
    // Array.prototype.sort moves undefined to the end without comparing it.
    if (item === undefined) return undefined;
    let rid: unknown;
    try {
      rid = getRid(item);
    } catch {
      return undefined; // the engine's sort throws only if it happens to compare this item's _rid
    }
    entries[index] = { item, key: order ? valueAt(item, order[0]) : undefined, rid, index };
  }
  return entries;
}

let fastPathsApplied = false;

/**
 * Faster paths through the query engine for what the exports ask of it (counts, first and last
 * timestamps, ranges in time order over a million ratings), every one giving what the engine gives:
 *
 * - `WHERE`: a document is wrapped for the later steps (`{ c: doc }`) only once it matches, not before
 *   (one source, no JOIN); the comparison and equality helpers the clause calls per document answer two
 *   strings or two numbers directly, without their general type checks.
 * - Sorting (every query is sorted: by its ORDER BY item, else by `_rid`) reads each document's sort key
 *   and `_rid` once instead of on every comparison, through the same type order: the comparisons come
 *   out the same, so the built-in sort makes the same moves. Two ORDER BY items or more go to the
 *   engine's sort (it checks the composite indexes there).
 * - `SELECT TOP n ... ORDER BY x` (and TOP without ORDER BY) keeps the n first documents in a bounded
 *   heap in one pass instead of sorting every match; ties fall as the sort leaves them (by `_rid`, then
 *   input order). Where the order is not a consistent one (an array or NaN among the keys, a `_rid` it
 *   cannot read) the engine sorts as before.
 * - Aggregates: COUNT, MIN and MAX go through the matches once each without an array of their values in
 *   between; with no ORDER BY, and only COUNT, MIN and MAX of document values (no function calls), the
 *   matches are not sorted by `_rid` first, as those results do not depend on the order, nor wrapped.
 *
 * The engine compiles a query to JavaScript through its transformer; the paths are put into that
 * program (as `$h.wrapWhere`, `$h.matching`, `$h.sortTop`, `$h.aggregate`) and its helpers. Applied once per process,
 * to the engine the server loads; test/dev/standins/cosmos-query-paths.test.ts compares the answers
 * with the engine's own.
 */
function speedUpQueryPaths(): void {
  if (fastPathsApplied) return;
  fastPathsApplied = true;
  const serverRequire = createRequire(require.resolve('@vercel/cosmosdb-server'));
  const helpers = serverRequire('@zeit/cosmosdb-query/lib/helpers') as QueryHelpers;
  const transformer = serverRequire('@zeit/cosmosdb-query/lib/transformer') as {
    default: (sqlAst: unknown) => JsNode;
  };
  if (
    typeof helpers.sort !== 'function' ||
    typeof transformer.default !== 'function' ||
    helpers.sortTop ||
    helpers.wrapWhere ||
    helpers.aggregate ||
    helpers.matching
  )
    throw new Error('@zeit/cosmosdb-query changed: its helpers or transformer are not where they were');

  const engineSort = helpers.sort;
  helpers.sort = (collection, getRid, compositeIndexes, ...orders) => {
    if (orders.length > 1) return engineSort(collection, getRid, compositeIndexes, ...orders);
    const order = orders[0];
    const entries = sortEntries(collection, getRid, order);
    if (!entries) return engineSort(collection, getRid, compositeIndexes, ...orders);
    if (order) {
      const descending = order[1];
      entries.sort((a, b) => {
        const r = compareValues(a.key, b.key);
        if (r !== 0) return descending ? -r : r;
        return compareValues(a.rid, b.rid);
      });
    } else {
      entries.sort((a, b) => compareValues(a.rid, b.rid));
    }
    const sorted: unknown[] = [];
    // With one ORDER BY item the engine drops the documents that have no value there.
    for (const entry of entries) if (!order || entry.key !== undefined) sorted.push(entry.item);
    return sorted;
  };

  // `$h.sortTop(n, ...)` stands for `$h.sort(...).slice(0, n)`.
  helpers.sortTop = (n, collection, getRid, compositeIndexes, ...orders) => {
    const whole = () =>
      helpers.sort(collection, getRid, compositeIndexes, ...(orders as SortOrder[])).slice(0, n as number);
    if (orders.length > 1 || typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n >= collection.length)
      return whole();
    const order = orders[0] as SortOrder | undefined;
    const keys = order?.[0];
    const sign = order?.[1] ? -1 : 1;
    /** Whether (key, rid, index) sorts after `b`: the sort's own order, then input order for ties. */
    const after = (key: unknown, rid: unknown, index: number, b: SortEntry): boolean => {
      if (keys) {
        const r = compareValues(key, b.key);
        if (r !== 0) return r * sign > 0;
      }
      const r = compareValues(rid, b.rid);
      return r !== 0 ? r > 0 : index > b.index;
    };
    const above = (a: SortEntry, b: SortEntry): boolean => after(a.key, a.rid, a.index, b);
    // A max-heap of the n first documents so far: its root is the one that sorts last.
    const heap: SortEntry[] = [];
    for (let index = 0; index < collection.length; index++) {
      const item = collection[index];
      // What the engine's sort would do differently: move undefined without comparing it, throw on
      // a _rid it cannot read, order arrays and NaN inconsistently. Let it.
      if (item === undefined) return whole();
      let rid: unknown;
      try {
        rid = getRid(item);
      } catch {
        return whole();
      }
      const key = keys ? valueAt(item, keys) : undefined;
      if (unorderable(key) || unorderable(rid)) return whole();
      if (keys && key === undefined) continue; // dropped after the engine's sort
      if (heap.length < n) {
        let i = heap.push({ item, key, rid, index }) - 1;
        while (i > 0) {
          const parent = (i - 1) >> 1;
          if (!above(heap[i]!, heap[parent]!)) break;
          [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
          i = parent;
        }
      } else if (!after(key, rid, index, heap[0]!)) {
        heap[0] = { item, key, rid, index };
        for (let i = 0; ;) {
          const left = 2 * i + 1;
          const right = left + 1;
          let largest = i;
          if (left < heap.length && above(heap[left]!, heap[largest]!)) largest = left;
          if (right < heap.length && above(heap[right]!, heap[largest]!)) largest = right;
          if (largest === i) break;
          [heap[i], heap[largest]] = [heap[largest]!, heap[i]!];
          i = largest;
        }
      }
    }
    return heap.sort((a, b) => (above(a, b) ? 1 : -1)).map((entry) => entry.item);
  };

  // `$h.wrapWhere(documents, "c", where)` stands for
  // `documents.reduce(($, c) => typeof c !== "undefined" ? [...$, { c: c }] : $, []).filter(where)`.
  helpers.wrapWhere = (collection, alias, where) => {
    const kept: Record<string, unknown>[] = [];
    // `where` destructures its argument at once, so one object can carry every document to it.
    const probe: Record<string, unknown> = {};
    for (const item of collection) {
      if (typeof item === 'undefined') continue;
      probe[alias] = item;
      if (where(probe)) {
        const entry: Record<string, unknown> = {};
        entry[alias] = item;
        kept.push(entry);
      }
    }
    return kept;
  };

  // `$h.matching(documents, "c", where)`: what `$h.wrapWhere` keeps, without the wrappers.
  helpers.matching = (collection, alias, where) => {
    const kept: unknown[] = [];
    const probe: Record<string, unknown> = {};
    for (const item of collection) {
      if (typeof item === 'undefined') continue;
      probe[alias] = item;
      if (where(probe)) kept.push(item);
    }
    return kept;
  };

  // `$h.aggregate("MIN", $__, select)` stands for `$a.MIN($__.map(select))` (likewise COUNT and MAX):
  // the same values in the same order, without an array of them in between. With an alias, `$__`
  // holds the matching documents themselves and each goes to `select` wrapped as `{ c: doc }`.
  helpers.aggregate = (name, items, select, alias) => {
    const probe: Record<string, unknown> = {};
    const valueAt = (i: number): unknown => {
      if (alias === undefined) return select(items[i], i, items);
      probe[alias] = items[i];
      return select(probe, i, items);
    };
    if (name === 'COUNT') {
      let count = 0;
      for (let i = 0; i < items.length; i++) if (typeof valueAt(i) !== 'undefined') count++;
      return count;
    }
    const step = name === 'MIN' ? minStep : maxStep;
    let result: unknown;
    for (let i = 0; i < items.length; i++) result = step(result, valueAt(i));
    return result !== null && typeof result === 'object' ? undefined : result;
  };

  const engineCompare = helpers.compare;
  helpers.compare = (operator, a, b) => {
    const type = typeof a;
    if ((type === 'string' || type === 'number') && typeof b === type) {
      const x = a as string;
      const y = b as string;
      switch (operator) {
        case '>':
          return x > y;
        case '>=':
          return x >= y;
        case '<':
          return x < y;
        case '<=':
          return x <= y;
      }
    }
    return engineCompare(operator, a, b);
  };
  const engineEqual = helpers.equal;
  helpers.equal = (a, b) => {
    const type = typeof a;
    if ((type === 'string' || type === 'number') && typeof b === type) return a === b;
    return engineEqual(a, b);
  };

  const engineTransform = transformer.default;
  transformer.default = (sqlAst) => rewriteCompiledQuery(engineTransform(sqlAst));
}

const isNode = (value: unknown): value is JsNode =>
  typeof value === 'object' && value !== null && typeof (value as JsNode).type === 'string';
const isIdentifier = (value: unknown, name: string): boolean =>
  isNode(value) && value.type === 'Identifier' && value.name === name;
/** `object.name(...)`, e.g. `$h.sort(...)`, `$a.COUNT(...)`. */
const isMethodCall = (
  value: unknown,
  object: string,
  name?: string,
): value is JsNode & { arguments: unknown[] } =>
  isNode(value) &&
  value.type === 'CallExpression' &&
  isNode(value.callee) &&
  value.callee.type === 'MemberExpression' &&
  isIdentifier(value.callee.object, object) &&
  (name === undefined || isIdentifier(value.callee.property, name));

/** Every node under `node`, itself included. */
function* nodesOf(node: unknown): Generator<JsNode> {
  if (Array.isArray(node)) for (const item of node) yield* nodesOf(item);
  else if (isNode(node)) {
    yield node;
    for (const [field, value] of Object.entries(node)) if (field !== 'type') yield* nodesOf(value);
  }
}

/** Replaces, bottom up, each node for which `replace` gives another. */
function mapNodes(node: JsNode, replace: (node: JsNode) => JsNode): JsNode {
  for (const [field, value] of Object.entries(node)) {
    if (Array.isArray(value))
      node[field] = (value as unknown[]).map((item) => (isNode(item) ? mapNodes(item, replace) : item));
    else if (isNode(value)) node[field] = mapNodes(value, replace);
  }
  return replace(node);
}

const ORDER_FREE_AGGREGATES = new Set(['COUNT', 'MIN', 'MAX']);

/**
 * Whether every aggregate of the compiled query is COUNT, MIN or MAX of an expression that calls nothing
 * (a document path, a constant): then its result is the same in any order of the documents.
 */
function aggregatesIgnoreOrder(program: JsNode): boolean {
  for (const node of nodesOf(program)) {
    if (!isMethodCall(node, '$a')) continue;
    const name = (node.callee as { property: { name?: unknown } }).property.name;
    if (typeof name !== 'string' || !ORDER_FREE_AGGREGATES.has(name)) return false;
    for (const argument of node.arguments) {
      if (!isMethodCall(argument, '$__', 'map')) return false;
      const [select] = argument.arguments;
      if (!isNode(select) || [...nodesOf(select.body)].some((n) => n.type === 'CallExpression')) return false;
    }
  }
  return true;
}

/**
 * For `FROM c` (one source, no JOIN), the alias a document is wrapped under: the compiled query starts
 * with `$c.reduce(($, c) => typeof c !== "undefined" ? [...$, { c: c }] : $, [])`.
 */
function wrappedAlias(node: unknown): { source: unknown; alias: string } | undefined {
  if (!isNode(node) || node.type !== 'CallExpression' || !isNode(node.callee)) return undefined;
  const { callee } = node;
  if (callee.type !== 'MemberExpression' || !isIdentifier(callee.property, 'reduce')) return undefined;
  const [wrap, initial] = node.arguments as unknown[];
  if (!isNode(initial) || initial.type !== 'ArrayExpression' || (initial.elements as unknown[]).length > 0)
    return undefined;
  if (!isNode(wrap) || wrap.type !== 'ArrowFunctionExpression') return undefined;
  const [accumulator, document] = wrap.params as unknown[];
  if (!isIdentifier(accumulator, '$') || !isNode(document) || document.type !== 'Identifier')
    return undefined;
  const name = document.name as string;
  const { body } = wrap;
  if (!isNode(body) || body.type !== 'ConditionalExpression' || !isIdentifier(body.alternate, '$'))
    return undefined;
  const { test, consequent } = body;
  const defined =
    isNode(test) &&
    test.type === 'BinaryExpression' &&
    test.operator === '!==' &&
    isNode(test.left) &&
    test.left.type === 'UnaryExpression' &&
    test.left.operator === 'typeof' &&
    isIdentifier(test.left.argument, name) &&
    isNode(test.right) &&
    test.right.type === 'StringLiteral' &&
    test.right.value === 'undefined';
  if (!defined || !isNode(consequent) || consequent.type !== 'ArrayExpression') return undefined;
  const [rest, wrapper, ...more] = consequent.elements as unknown[];
  if (more.length > 0 || !isNode(rest) || rest.type !== 'SpreadElement' || !isIdentifier(rest.argument, '$'))
    return undefined;
  if (!isNode(wrapper) || wrapper.type !== 'ObjectExpression') return undefined;
  const [property, ...others] = wrapper.properties as unknown[];
  if (others.length > 0 || !isNode(property) || property.type !== 'ObjectProperty' || property.computed)
    return undefined;
  if (!isNode(property.key) || property.key.type !== 'Identifier' || !isIdentifier(property.value, name))
    return undefined;
  return { source: callee.object, alias: property.key.name as string };
}

const helperCall = (name: string, args: unknown[]): JsNode => ({
  type: 'CallExpression',
  callee: {
    type: 'MemberExpression',
    object: { type: 'Identifier', name: '$h' },
    property: { type: 'Identifier', name },
  },
  arguments: args,
});

/**
 * `$__ = $h.wrapWhere(documents, "c", where)` read only as the items of `$h.aggregate(...)` calls whose
 * select destructures its one argument: `$__` can hold the documents themselves (`$h.matching`), each
 * wrapped for `select` in one reused object, instead of a wrapper per match.
 */
function unwrapAggregated(program: JsNode): JsNode {
  const nodes = new Set(nodesOf(program));
  const assignments = [...nodes].filter(
    (n) => n.type === 'AssignmentExpression' && isIdentifier(n.left, '$__'),
  );
  const [assignment, ...more] = assignments;
  if (!assignment || more.length > 0 || !isMethodCall(assignment.right, '$h', 'wrapWhere')) return program;
  // Besides the assignment, `$__` is named once as a parameter of the compiled function.
  const parameters = new Set(Array.isArray(program.params) ? (program.params as unknown[]) : []);
  const uses = [...nodes].filter((n) => isIdentifier(n, '$__') && !parameters.has(n));
  const aggregates = [...nodes].filter((n) => isMethodCall(n, '$h', 'aggregate')) as (JsNode & {
    arguments: unknown[];
  })[];
  if (uses.length !== aggregates.length + 1) return program;
  for (const call of aggregates) {
    const [, items, select] = call.arguments;
    if (!isIdentifier(items, '$__') || !isNode(select) || select.type !== 'ArrowFunctionExpression')
      return program;
    const params = select.params as unknown[];
    if (params.length !== 1 || !isNode(params[0]) || params[0].type !== 'ObjectPattern') return program;
  }
  const [source, alias, where] = assignment.right.arguments;
  assignment.right = helperCall('matching', [source, alias, where]);
  for (const call of aggregates) call.arguments = [...call.arguments, alias];
  return program;
}

/** The compiled query with the faster paths of `speedUpQueryPaths` put in. */
function rewriteCompiledQuery(program: JsNode): JsNode {
  const orderFree = aggregatesIgnoreOrder(program);
  return unwrapAggregated(
    mapNodes(program, (node) => {
      // `$c.reduce(wrap as { c }, []).filter(where)` -> `$h.wrapWhere($c, "c", where)`
      if (
        node.type === 'CallExpression' &&
        isNode(node.callee) &&
        node.callee.type === 'MemberExpression' &&
        isIdentifier(node.callee.property, 'filter') &&
        Array.isArray(node.arguments) &&
        node.arguments.length === 1 &&
        isNode(node.arguments[0]) &&
        node.arguments[0].type === 'ArrowFunctionExpression' &&
        isNode((node.arguments[0].params as unknown[])[0]) &&
        (node.arguments[0].params as JsNode[])[0]!.type === 'ObjectPattern'
      ) {
        const wrapped = wrappedAlias(node.callee.object);
        if (wrapped) {
          return {
            type: 'CallExpression',
            callee: {
              type: 'MemberExpression',
              object: { type: 'Identifier', name: '$h' },
              property: { type: 'Identifier', name: 'wrapWhere' },
            },
            arguments: [wrapped.source, { type: 'StringLiteral', value: wrapped.alias }, node.arguments[0]],
          };
        }
      }
      // `$h.sort(...).slice(0, n)` (TOP n) -> `$h.sortTop(n, ...)`
      if (
        node.type === 'CallExpression' &&
        isNode(node.callee) &&
        node.callee.type === 'MemberExpression' &&
        isIdentifier(node.callee.property, 'slice') &&
        isMethodCall(node.callee.object, '$h', 'sort') &&
        Array.isArray(node.arguments) &&
        node.arguments.length === 2 &&
        isNode(node.arguments[0]) &&
        node.arguments[0].type === 'NumericLiteral' &&
        node.arguments[0].value === 0
      ) {
        return {
          type: 'CallExpression',
          callee: {
            type: 'MemberExpression',
            object: { type: 'Identifier', name: '$h' },
            property: { type: 'Identifier', name: 'sortTop' },
          },
          arguments: [node.arguments[1], ...node.callee.object.arguments],
        };
      }
      // `$a.MIN($__.map(select))` -> `$h.aggregate("MIN", $__, select)`, likewise COUNT and MAX
      if (
        isMethodCall(node, '$a') &&
        node.arguments.length === 1 &&
        isMethodCall(node.arguments[0], '$__', 'map')
      ) {
        const name = (node.callee as { property: { name?: unknown } }).property.name;
        const map = node.arguments[0];
        if (typeof name === 'string' && ORDER_FREE_AGGREGATES.has(name) && map.arguments.length === 1) {
          return {
            type: 'CallExpression',
            callee: {
              type: 'MemberExpression',
              object: { type: 'Identifier', name: '$h' },
              property: { type: 'Identifier', name: 'aggregate' },
            },
            arguments: [
              { type: 'StringLiteral', value: name },
              { type: 'Identifier', name: '$__' },
              map.arguments[0],
            ],
          };
        }
      }
      // `$__ = $h.sort(matches, rid)` before order-free aggregates -> `$__ = matches`
      if (
        orderFree &&
        node.type === 'AssignmentExpression' &&
        isIdentifier(node.left, '$__') &&
        isMethodCall(node.right, '$h', 'sort') &&
        node.right.arguments.length === 2
      ) {
        return { ...node, right: node.right.arguments[0] };
      }
      return node;
    }),
  );
}

let documentShapesShared = false;

/**
 * The server stores a document as `{ ...body, id, _etag, _rid, _self, _ts }`. V8 gives every object made
 * that way (a spread, then more properties) a hidden class of its own, so at a million documents a
 * query's property reads each meet a million shapes (slow lookups; memory too). Stored as a plain copy
 * of the same properties in the same order, documents of one layout share one shape. Nothing a client
 * can see changes. Applied once per process.
 */
function shareDocumentShapes(): void {
  if (documentShapesShared) return;
  documentShapesShared = true;
  const serverRequire = createRequire(require.resolve('@vercel/cosmosdb-server'));
  const documents = serverRequire('./account/documents') as {
    default: { prototype: { _newItem(this: object, data?: object): unknown } };
  };
  const prototype = documents.default.prototype;
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const original = prototype._newItem;
  if (typeof original !== 'function')
    throw new Error('@vercel/cosmosdb-server changed: no Documents._newItem');
  prototype._newItem = function (this: object, data?: object) {
    return original.call(this, data && Object.assign({}, data));
  };
}

/** A node of the SQL syntax tree the engine parses a query to. */
interface SqlNode {
  type: string;
  [field: string]: unknown;
}

type Bound = { kind: 'parameter'; name: string } | { kind: 'constant'; value: string | number };

/** `path op bound`, the path read from the query's one source, op one of the four range operators. */
interface RangeCondition {
  keys: string[];
  operator: '>' | '>=' | '<' | '<=';
  bound: Bound;
}

/** The stored documents the server keeps for a container (Items' `_data`, a Map from `_rid`). */
interface StoredItem {
  read(): unknown;
}
interface ItemsInternals {
  _data: Map<string, StoredItem>;
  query(this: ItemsInternals, params: QueryParams, options: QueryOptions): QueryPage | null;
  _getQuery(this: ItemsInternals, sql: string): { ast: unknown };
  _set(this: ItemsInternals, data: unknown): unknown;
  delete(this: ItemsInternals, idOrRid: unknown, partition: unknown): unknown;
}
interface QueryParams {
  query: string;
  parameters?: { name: string; value: unknown }[] | null;
}

/**
 * The documents whose value at one path is of one type (string, or number other than NaN), sorted by
 * that value, ties in the collection's order; `items` is the collection as it was when the index was
 * built, and `positions` the places in it, sorted as the values.
 */
interface RangeIndex {
  items: StoredItem[];
  values: (string | number)[];
  positions: Int32Array;
}

const RANGE_OPERATORS = new Set(['>', '>=', '<', '<=']);
const FLIPPED: Record<string, RangeCondition['operator']> = { '>': '<', '>=': '<=', '<': '>', '<=': '>=' };
const COMPARISONS = new Set(['=', '!=', '<>', '>', '>=', '<', '<=']);

/** `alias.a.b['c']` as its keys, else undefined. */
function pathOf(node: unknown, alias: string): string[] | undefined {
  const keys: string[] = [];
  let current = node as SqlNode | undefined;
  while (current?.type === 'scalar_member_expression') {
    const property = current.property as SqlNode | undefined;
    if (!current.computed && property?.type === 'identifier') keys.unshift(property.name as string);
    else if (current.computed && property?.type === 'string_constant') keys.unshift(property.value as string);
    else return undefined;
    current = current.object as SqlNode | undefined;
  }
  return current?.type === 'identifier' && current.name === alias && keys.length > 0 ? keys : undefined;
}

function boundOf(node: unknown): Bound | undefined {
  const n = node as SqlNode | undefined;
  if (n?.type === 'parameter_name') return { kind: 'parameter', name: n.name as string };
  if (n?.type === 'string_constant' || n?.type === 'number_constant')
    return { kind: 'constant', value: n.value as string | number };
  return undefined;
}

/**
 * The range conditions of a query an index can serve: one source (`FROM c`, no JOIN) and a WHERE that
 * is a conjunction (AND only) of comparisons between a document path or a constant/parameter and a
 * constant/parameter. Such a WHERE reads each document by itself and throws for none, so running it on
 * fewer documents than all drops only what it would drop. Undefined for any other query.
 */
function rangeConditions(ast: unknown): RangeCondition[] | undefined {
  const body = (ast as SqlNode | undefined)?.body as SqlNode | undefined;
  if (body?.type !== 'select_query') return undefined;
  const from = body.from as SqlNode | undefined;
  const source = from?.source as SqlNode | undefined;
  const collection = source?.expression as SqlNode | undefined;
  const root = collection?.expression as SqlNode | undefined;
  if (
    !from ||
    (from.joins as unknown[] | undefined)?.length ||
    collection?.type !== 'collection_expression' ||
    root?.type !== 'identifier'
  )
    return undefined;
  const alias = ((source?.alias as SqlNode | null)?.name ?? root.name) as string;
  const where = body.where as SqlNode | null | undefined;
  if (where?.type !== 'filter_condition') return undefined;
  const conjuncts: SqlNode[] = [];
  const pending = [where.condition as SqlNode];
  while (pending.length) {
    const node = pending.pop()!;
    if (node?.type !== 'scalar_binary_expression') return undefined;
    if (node.operator === 'AND') pending.push(node.left as SqlNode, node.right as SqlNode);
    else conjuncts.push(node);
  }
  const ranges: RangeCondition[] = [];
  for (const node of conjuncts) {
    const operator = node.operator as string;
    if (!COMPARISONS.has(operator)) return undefined;
    const leftPath = pathOf(node.left, alias);
    const rightPath = pathOf(node.right, alias);
    const leftBound = boundOf(node.left);
    const rightBound = boundOf(node.right);
    if ((!leftPath && !leftBound) || (!rightPath && !rightBound)) return undefined;
    if (!RANGE_OPERATORS.has(operator)) continue;
    if (leftPath && rightBound)
      ranges.push({ keys: leftPath, operator: operator as RangeCondition['operator'], bound: rightBound });
    else if (rightPath && leftBound)
      ranges.push({ keys: rightPath, operator: FLIPPED[operator]!, bound: leftBound });
  }
  return ranges.length ? ranges : undefined;
}

/** First place in `values` (sorted) whose value is >= x (or > x with `after`). */
function search(values: (string | number)[], x: string | number, after: boolean): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = values[mid]!;
    if (v < x || (after && v === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function buildIndex(items: StoredItem[], keys: string[], type: 'string' | 'number'): RangeIndex {
  const values: (string | number)[] = [];
  const places: number[] = [];
  for (let i = 0; i < items.length; i++) {
    const value = valueAt(items[i]!.read(), keys);
    // NaN satisfies no comparison: it never matches a range.
    if (typeof value === type && value === value) {
      values.push(value as string | number);
      places.push(i);
    }
  }
  const order = places.map((_, i) => i);
  order.sort((a, b) => {
    const x = values[a]!;
    const y = values[b]!;
    return x < y ? -1 : x > y ? 1 : a - b;
  });
  return {
    items,
    values: order.map((i) => values[i]!),
    positions: Int32Array.from(order, (i) => places[i]!),
  };
}

/** The indexes of each container's documents (an Items instance of the server), by type and path. */
const rangeIndexes = new WeakMap<object, Map<string, RangeIndex>>();
/** Each compiled query's range conditions, or null where the index cannot serve it. */
const rangePlans = new WeakMap<object, RangeCondition[] | null>();

/**
 * The stored documents that may match the query, in the collection's order: those whose value at one
 * ranged path is within every bound on it; undefined when the query has no range an index can serve.
 */
function rangeCandidates(items: ItemsInternals, params: QueryParams): StoredItem[] | undefined {
  const query = items._getQuery(params.query);
  let plan = rangePlans.get(query);
  if (plan === undefined) {
    plan = rangeConditions(query.ast) ?? null;
    rangePlans.set(query, plan);
  }
  if (!plan) return undefined;
  // The parameters as the engine reads them (`$p.from` for `@from`).
  const parameters: Record<string, unknown> = {};
  for (const { name, value } of params.parameters ?? []) parameters[name.slice(1)] = value;
  // A bound of another type (null, a boolean, ...) or NaN is left to the engine's WHERE: the index
  // only narrows by the bounds it can order, so it never drops a document the WHERE would keep.
  const usable = plan.flatMap((condition) => {
    const value =
      condition.bound.kind === 'parameter'
        ? parameters[condition.bound.name.slice(1)]
        : condition.bound.value;
    return (typeof value === 'string' || typeof value === 'number') && value === value
      ? [{ ...condition, value }]
      : [];
  });
  const first = usable[0];
  if (!first) return undefined;
  const path = JSON.stringify(first.keys);
  const bounds = usable.filter((condition) => JSON.stringify(condition.keys) === path);
  const type = typeof first.value as 'string' | 'number';
  // `compare` is true only for two values of one type: a string bound and a number bound on one path
  // are never both met.
  if (bounds.some((condition) => typeof condition.value !== type)) return [];
  let byPath = rangeIndexes.get(items);
  if (!byPath) rangeIndexes.set(items, (byPath = new Map<string, RangeIndex>()));
  let index = byPath.get(type + path);
  if (!index || index.items.length !== items._data.size) {
    index = buildIndex([...items._data.values()], first.keys, type);
    byPath.set(type + path, index);
  }
  let start = 0;
  let end = index.values.length;
  for (const { operator, value } of bounds) {
    if (operator === '>=' || operator === '>')
      start = Math.max(start, search(index.values, value, operator === '>'));
    else end = Math.min(end, search(index.values, value, operator === '<='));
  }
  if (start >= end) return [];
  const positions = index.positions.slice(start, end).sort();
  const candidates = new Array<StoredItem>(positions.length);
  for (let i = 0; i < positions.length; i++) candidates[i] = index.items[positions[i]!]!;
  return candidates;
}

let rangeIndexApplied = false;

/**
 * A range index, as Cosmos DB has on every path by default: a query whose WHERE is a conjunction with a
 * range on a document path (`c.p >= @a`, `>`, `<`, `<=`, against strings or numbers; the exports'
 * `c.ratedAt >= @from AND c.ratedAt < @to [AND c.albumId = @albumId]`) no longer reads every document.
 * The documents whose value there is of the bounds' type are kept sorted by it (built on the first such
 * query per container, path and type; dropped on any write to the container); a binary search finds
 * those within the bounds, and the server's own query then runs over only them, in the container's
 * order: every condition, the projection, ORDER BY (ties by `_rid`), TOP and the pages are the engine's
 * as before. The WHERE is true only where each range comparison is, which takes a value of the bound's
 * type (`compare` is undefined across types, on a missing value, on NaN), so the documents left out are
 * ones it would drop; only WHEREs of plain comparisons (which read one document and cannot throw) and
 * queries over one source (no JOIN) are served, so no error is skipped either. Anything else runs as
 * before. Applied once per process, to the server's Items (documents, also collections and databases).
 */
function indexRanges(): void {
  if (rangeIndexApplied) return;
  rangeIndexApplied = true;
  const serverRequire = createRequire(require.resolve('@vercel/cosmosdb-server'));
  const items = serverRequire('./account/items') as { default: { prototype: ItemsInternals } };
  const prototype = items.default.prototype;
  /* eslint-disable @typescript-eslint/unbound-method */
  const { query, _set: set, delete: remove } = prototype;
  /* eslint-enable @typescript-eslint/unbound-method */
  if (typeof query !== 'function' || typeof set !== 'function' || typeof remove !== 'function')
    throw new Error('@vercel/cosmosdb-server changed: Items has no query, _set or delete');
  // Every write of a document goes through `_set` (create, upsert, replace, patch, bulk and batch
  // operations) or `delete` (replace too): the container's indexes go with it.
  prototype._set = function (this: ItemsInternals, data: unknown) {
    rangeIndexes.delete(this);
    return set.call(this, data);
  };
  prototype.delete = function (this: ItemsInternals, idOrRid: unknown, partition: unknown) {
    rangeIndexes.delete(this);
    return remove.call(this, idOrRid, partition);
  };
  prototype.query = function (this: ItemsInternals, params: QueryParams, options: QueryOptions) {
    let candidates: StoredItem[] | undefined;
    try {
      if (this._data instanceof Map && (this as unknown as { _parent: StoredItem })._parent.read())
        candidates = rangeCandidates(this, params);
    } catch {
      candidates = undefined; // whatever went wrong, the server's own query meets it the same way
    }
    if (!candidates) return query.call(this, params, options);
    // The server's own query, over the candidates only: it reads the documents as `this._data.values()`.
    const found = candidates;
    const view = Object.create(this, { _data: { value: { values: () => found } } }) as ItemsInternals;
    return query.call(view, params, options);
  };
}

interface QueryPage {
  result: unknown[];
  continuation: { token: string; range: { min: string; max: string } } | null;
}

interface QueryOptions {
  maxItemCount?: number | null;
  continuation?: { token?: unknown } | null;
}

interface ItemsPrototype {
  query(this: object, params: unknown, options: QueryOptions): QueryPage | null;
}

/** How long the rest of a query's result waits for its next page, and how many results wait at once. */
const PAGED_RESULT_TTL_MS = 120_000;
const PAGED_RESULTS_KEPT = 64;
const PAGED_TOKEN = /^paged:([0-9a-f-]{36}):(\d+)$/;

let pagingFixed = false;

/**
 * The server answers every page of a query by running the whole query again and skipping to the
 * continuation: paging through n rows costs O(n^2) (about 3,500 rows/s at a million ratings). Here a
 * query with more than one page runs once; its result waits, under a continuation token of its own, for
 * the pages that follow. Tokens the server made itself still work as before.
 */
function fixQueryPaging(): void {
  if (pagingFixed) return;
  pagingFixed = true;
  const serverRequire = createRequire(require.resolve('@vercel/cosmosdb-server'));
  const items = serverRequire('./account/items') as { default: { prototype: ItemsPrototype } };
  const prototype = items.default.prototype;
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const original = prototype.query;
  const waiting = new Map<string, { rows: unknown[]; expires: number }>();
  const page = (id: string, rows: unknown[], offset: number, size: number): QueryPage => {
    const end = offset + size;
    const more = end < rows.length;
    // Kept until it expires, not just until its last page: a client may ask for a page again.
    if (!waiting.has(id)) {
      waiting.set(id, { rows, expires: Date.now() + PAGED_RESULT_TTL_MS });
      while (waiting.size > PAGED_RESULTS_KEPT) waiting.delete(waiting.keys().next().value as string);
    }
    return {
      result: rows.slice(offset, end),
      continuation: more ? { token: `paged:${id}:${end}`, range: { min: '', max: 'FF' } } : null,
    };
  };
  prototype.query = function (this: object, params: unknown, options: QueryOptions): QueryPage | null {
    const size = options.maxItemCount ?? 0;
    const token = options.continuation?.token;
    const match = typeof token === 'string' ? PAGED_TOKEN.exec(token) : null;
    if (match) {
      const [, id = '', offset = '0'] = match;
      const entry = waiting.get(id);
      if (entry && entry.expires > Date.now())
        return page(id, entry.rows, Number(offset), size > 0 ? size : Infinity);
      // Expired: nothing to go on. The server would answer a token it cannot read the same way.
      throw Object.assign(new Error('the continuation token has expired'), { badRequest: true });
    }
    if (size <= 0 || options.continuation) return original.call(this, params, options);
    const whole = original.call(this, params, { ...options, maxItemCount: null });
    if (!whole || whole.result.length <= size) return whole;
    return page(randomUUID(), whole.result, 0, size);
  };
}

const QUERY_PLAN_REFUSAL = JSON.stringify({
  code: 'BadRequest',
  message: 'The Cosmos stand-in makes no query plans: it runs every query itself, across partitions too.',
});

/**
 * Before a query's first page the SDK asks for the query's plan (a POST of the query with
 * `x-ms-cosmos-is-query-plan-request`), and uses it only if the service then refuses the query as one
 * it cannot run across partitions by itself, which this server never does. The server does not know
 * that header: it ran the whole query as an ordinary one and the SDK threw the answer away, so every
 * query ran twice (and a large result was kept twice for its pages). Here the plan request is answered
 * at once with a 400 the SDK keeps aside unused; the query then runs once.
 */
function answerQueryPlansAtOnce(server: Server): void {
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST' && /^true$/i.test(String(req.headers['x-ms-cosmos-is-query-plan-request']))) {
      req.resume();
      res.writeHead(400, {
        'content-type': 'application/json',
        'x-ms-activity-id': randomUUID(),
        'x-ms-request-charge': '0',
        connection: 'close',
      });
      res.end(QUERY_PLAN_REFUSAL);
      return;
    }
    for (const handle of handlers) handle.call(server, req, res);
  });
}

interface BatchOperationInput {
  partitionKey?: string;
  resourceBody?: Record<string, unknown>;
}

type DocumentOperation = (collection: CollectionInternals, input: BatchOperationInput) => unknown;

interface CollectionInternals {
  read(): { partitionKey?: { paths?: string[] } } | null;
}

let batchPartitionsFixed = false;

/**
 * In a transactional batch the SDK sends the partition key once, in the request's header, not with each
 * operation; the server's Replace and Upsert read it from the operation and fail the whole request
 * ("Failed to parse x-ms-documentdb-partitionkey headers: undefined"). Here an operation without one
 * gets its document's own value (a batch spans one partition, so that is the header's), so Replace and
 * Upsert work in a batch as in Azure (If-Match included). Applied once per process.
 */
function fixBatchPartitions(): void {
  if (batchPartitionsFixed) return;
  batchPartitionsFixed = true;
  const serverRequire = createRequire(require.resolve('@vercel/cosmosdb-server'));
  const operations = serverRequire('./handler/_document-operations') as Record<string, DocumentOperation>;
  for (const name of ['replaceOperation', 'upsertOperation']) {
    const original = operations[name];
    if (typeof original !== 'function') throw new Error(`@vercel/cosmosdb-server changed: no ${name}`);
    operations[name] = (collection, input) => {
      if (input.partitionKey === undefined && input.resourceBody) {
        const path = collection.read()?.partitionKey?.paths?.[0] ?? '/id';
        const value = path
          .split('/')
          .filter(Boolean)
          .reduce<unknown>(
            (node, key) => (node as Record<string, unknown> | undefined)?.[key],
            input.resourceBody,
          );
        return original(collection, { ...input, partitionKey: JSON.stringify([value]) });
      }
      return original(collection, input);
    };
  }
}

export async function startCosmosServer(options: CosmosServerOptions = {}): Promise<CosmosServer> {
  fixQueryEngine();
  fixBatchPartitions();
  indexRanges(); // before the paging: a query's later pages are kept, not searched again
  fixQueryPaging();
  speedUpQueryPaths();
  shareDocumentShapes();
  const host = options.host ?? '127.0.0.1';
  const server = createHttpServer();
  answerQueryPlansAtOnce(server);
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) {
        resolve();
        return;
      }
      server.close(() => resolve());
      server.closeAllConnections();
    });
  await listen(options.port ?? 8081);
  // The server makes its account (all its data) when it starts listening: listening again would start
  // an empty one. Made once, it is kept for a restart on the same port.
  server.removeAllListeners('listening');
  const { port } = server.address() as AddressInfo;
  return {
    port,
    connectionString: cosmosConnectionString(host, port),
    stop,
    start: async () => {
      if (!server.listening) await listen(port);
    },
    close: stop,
  };
}
