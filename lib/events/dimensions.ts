/**
 * The Cloud Eye `dimension` string of a classic alarm: "name:value" pairs,
 * e.g. "dcs_instance_id:5e2b...,dcs_cluster_redis_node:3f1e...". Huawei does
 * not document the separator for several dimensions, so commas, semicolons and
 * whitespace are all accepted, with spaces tolerated around pairs and colons.
 */
import { canonicalInstanceId } from '../domain/ids';
import { err, ok, type Result } from '../domain/types';
import { isUuid, NODE_ID } from './ids';

export interface Dimension {
  name: string;
  value: string;
}

export type NodeDimensionName = 'dcs_cluster_redis_node' | 'dcs_cluster_proxy_node' | 'dcs_cluster_proxy2_node';

export const NODE_DIMENSIONS: readonly NodeDimensionName[] = [
  'dcs_cluster_redis_node',
  'dcs_cluster_proxy_node',
  'dcs_cluster_proxy2_node',
];
/** Dimensions naming the instance itself (Redis, Memcached). */
export const INSTANCE_DIMENSIONS: readonly string[] = ['dcs_instance_id', 'dcs_memcached_instance_id'];

const MAX_DIMENSIONS = 32;
const DIMENSION_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const MAX_VALUE_LENGTH = 256;

/** A token as it may appear in a reason: quoted, escaped, short. */
const quote = (token: string): string => JSON.stringify(token.length > 64 ? `${token.slice(0, 64)}…` : token);

function parsePair(token: string): Result<Dimension, string> {
  const colon = token.indexOf(':');
  const name = token.slice(0, colon);
  const value = token.slice(colon + 1);
  if (colon < 0 || value.includes(':')) return err(`${quote(token)} is not one name:value pair`);
  if (!DIMENSION_NAME.test(name)) return err(`${quote(name)} is not a dimension name`);
  if (value === '' || value.length > MAX_VALUE_LENGTH) return err(`dimension ${name} has an empty or overlong value`);
  return ok({ name, value });
}

/** Parses the dimension string; the error says which pair is wrong. */
export function parseDimensionString(text: string): Result<Dimension[], string> {
  // Cloud Eye sends "name:value,name:value": the whitespace rules only run for text that has some.
  const normalized = /\s/.test(text) ? text.trim().replace(/\s*:\s*/g, ':') : text;
  if (normalized === '') return ok([]);
  const tokens = normalized.split(/[\s,;]+/).filter((t) => t !== '');
  if (tokens.length > MAX_DIMENSIONS) return err(`more than ${MAX_DIMENSIONS} dimensions`);
  const dimensions: Dimension[] = [];
  for (const token of tokens) {
    const pair = parsePair(token);
    if (!pair.ok) return pair;
    if (dimensions.some((d) => d.name === pair.value.name)) return err(`dimension ${pair.value.name} appears twice`);
    dimensions.push(pair.value);
  }
  return ok(dimensions);
}

export interface DcsDimensions {
  /** From dcs_instance_id or dcs_memcached_instance_id; validated UUID. */
  instanceId: string | null;
  node: { dimension: NodeDimensionName; value: string } | null;
}

/** The instance and node named by DCS dimensions, ids validated. At most one instance and one node dimension. */
export function dcsDimensions(dimensions: readonly Dimension[]): Result<DcsDimensions, string> {
  let instance: Dimension | undefined;
  let node: { name: NodeDimensionName; value: string } | undefined;
  for (const d of dimensions) {
    if (INSTANCE_DIMENSIONS.includes(d.name)) {
      if (instance) return err('both dcs_instance_id and dcs_memcached_instance_id are present');
      instance = d;
    } else if ((NODE_DIMENSIONS as readonly string[]).includes(d.name)) {
      if (node) return err(`several node dimensions (${[node, d].map((n) => n.name).join(', ')})`);
      node = d as { name: NodeDimensionName; value: string };
    }
  }
  if (instance !== undefined && !isUuid(instance.value)) return err(`${instance.name} ${quote(instance.value)} is not a UUID`);
  if (node !== undefined && !NODE_ID.test(node.value)) return err(`${node.name} ${quote(node.value)} is not a node id`);
  return ok({
    instanceId: instance === undefined ? null : canonicalInstanceId(instance.value),
    node: node === undefined ? null : { dimension: node.name, value: node.value },
  });
}
