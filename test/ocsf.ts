// Validates OCSF events against the vendored description of Detection Finding 1.8.0
// (test/fixtures/ocsf/detection-finding-1.8.0.json): every required attribute present, every
// attribute one the class (or object) defines, each of the type it names, enums in range, and
// type_uid as OCSF defines it. Returns the problems found, empty when the event is valid.
import { readFileSync } from 'node:fs';

interface AttributeSpec {
  type: string;
  requirement: 'required' | 'recommended' | 'optional';
  is_array?: boolean;
}

interface Spec {
  ocsf_version: string;
  class: {
    uid: number;
    category_uid: number;
    required: string[];
    attributes: Record<string, AttributeSpec>;
    enums: Record<string, Record<string, string>>;
  };
  objects: Record<string, { required: string[]; attributes: Record<string, AttributeSpec> }>;
}

export const OCSF_SPEC = JSON.parse(
  readFileSync(new URL('./fixtures/ocsf/detection-finding-1.8.0.json', import.meta.url), 'utf8'),
) as Spec;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether `value` is of OCSF type `type` (scalar types by their `_t` name; objects by name). */
function typeProblem(value: unknown, type: string, where: string): string | undefined {
  switch (type) {
    case 'string_t':
      return typeof value === 'string' ? undefined : `${where}: expected a string`;
    case 'integer_t':
    case 'long_t':
    case 'timestamp_t':
      return Number.isSafeInteger(value) ? undefined : `${where}: expected an integer (${type})`;
    case 'boolean_t':
      return typeof value === 'boolean' ? undefined : `${where}: expected a boolean`;
    case 'float_t':
      return typeof value === 'number' ? undefined : `${where}: expected a number`;
    case 'json_t':
      return value === undefined ? `${where}: expected JSON` : undefined;
    case 'port_t':
      return Number.isSafeInteger(value) ? undefined : `${where}: expected a port number`;
    default:
      // Other `_t` types are strings with a meaning (resource_uid_t, hostname_t, url_t…);
      // anything else names an object.
      if (type.endsWith('_t'))
        return typeof value === 'string' ? undefined : `${where}: expected a string (${type})`;
      return isObject(value) ? undefined : `${where}: expected an object (${type})`;
  }
}

function checkAttributes(
  value: Record<string, unknown>,
  spec: { required: string[]; attributes: Record<string, AttributeSpec> },
  where: string,
  problems: string[],
): void {
  for (const name of spec.required)
    if (value[name] === undefined) problems.push(`${where}${name}: required, missing`);
  for (const [name, item] of Object.entries(value)) {
    const attribute = spec.attributes[name];
    if (!attribute) {
      problems.push(`${where}${name}: not an attribute of this ${where ? 'object' : 'class'}`);
      continue;
    }
    const items = attribute.is_array ? item : [item];
    if (attribute.is_array && !Array.isArray(item)) {
      problems.push(`${where}${name}: expected an array`);
      continue;
    }
    for (const [i, one] of (items as unknown[]).entries()) {
      const at = `${where}${name}${attribute.is_array ? `[${i}]` : ''}`;
      const problem = typeProblem(one, attribute.type, at);
      if (problem) {
        problems.push(problem);
        continue;
      }
      const object = OCSF_SPEC.objects[attribute.type];
      if (object && isObject(one)) checkAttributes(one, object, `${at}.`, problems);
    }
  }
}

export function ocsfProblems(event: unknown): string[] {
  if (!isObject(event)) return ['the event is not a JSON object'];
  const problems: string[] = [];
  const spec = OCSF_SPEC.class;
  checkAttributes(event, spec, '', problems);
  if (event.class_uid !== spec.uid) problems.push(`class_uid: expected ${spec.uid}`);
  if (event.category_uid !== spec.category_uid)
    problems.push(`category_uid: expected ${spec.category_uid}`);
  for (const name of ['activity_id', 'severity_id', 'status_id']) {
    const values = spec.enums[name] ?? {};
    if (event[name] !== undefined && !(String(event[name]) in values))
      problems.push(
        `${name}: ${String(event[name])} is not one of ${Object.keys(values).join(', ')}`,
      );
  }
  if (event.type_uid !== spec.uid * 100 + Number(event.activity_id))
    problems.push('type_uid: expected class_uid * 100 + activity_id');
  const metadata = isObject(event.metadata) ? event.metadata : {};
  if (metadata.version !== OCSF_SPEC.ocsf_version)
    problems.push(`metadata.version: expected ${OCSF_SPEC.ocsf_version}`);
  const product = isObject(metadata.product) ? metadata.product : {};
  if (product.name === undefined && product.uid === undefined)
    problems.push('metadata.product: needs at least one of name, uid');
  return problems;
}

/** The events of a JSON Lines text, each parsed; throws on a line that is not JSON. */
export function ocsfEvents(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
