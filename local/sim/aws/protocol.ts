// Source: local/sim/SOURCES.md § aws/protocol.ts
/**
 * Wire formats of the AWS protocols the SDK v3 clients speak to the simulator:
 * JSON 1.1 (`X-Amz-Target`: Secrets Manager, CodeBuild), REST-JSON (EKS), and the form-encoded query protocols
 * with XML answers (EC2's own dialect, and awsQuery for ELBv2).
 */

/** An AWS error answer: the SDK turns `code` into the thrown error's `name`. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Members of the error shape beyond `message` (e.g. EKS `validZones`), sent in JSON error bodies. */
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const notImplemented = (service: string, operation: string): AwsError =>
  new AwsError(
    "UnknownOperationException",
    `the simulated ${service} does not implement ${operation} (add it under local/sim/aws/ if a stage needs it)`,
  );

/** What a service answers: a status, headers and a body. */
export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const jsonResponse = (
  body: unknown,
  status = 200,
  contentType = "application/x-amz-json-1.1",
): WireResponse => ({
  status,
  headers: { "content-type": contentType },
  body: JSON.stringify(body ?? {}),
});

/** JSON 1.1 and REST-JSON errors: `x-amzn-ErrorType` and `__type` carry the code. */
export const jsonError = (
  error: AwsError,
  requestId: string,
  contentType = "application/x-amz-json-1.1",
): WireResponse => ({
  status: error.status,
  headers: { "content-type": contentType, "x-amzn-errortype": error.code, "x-amzn-requestid": requestId },
  body: JSON.stringify({ __type: error.code, message: error.message, ...error.fields }),
});

// ------------------------------------------------------------------------------------------------ XML

const escapeXml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");

/** An XML node description: objects become elements, arrays become repeated `member`/`item` children. */
export type XmlValue = string | number | boolean | undefined | null | XmlValue[] | { [element: string]: XmlValue };

/** Serializes a value; arrays use `listItem` (`item` for EC2, `member` for awsQuery). */
export function toXml(value: XmlValue, listItem: "item" | "member"): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.map((v) => `<${listItem}>${toXml(v, listItem)}</${listItem}>`).join("");
  if (typeof value === "object")
    return Object.entries(value)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `<${k}>${toXml(v, listItem)}</${k}>`)
      .join("");
  return escapeXml(String(value));
}

export const xmlResponse = (xml: string, status = 200): WireResponse => ({
  status,
  headers: { "content-type": "text/xml;charset=UTF-8" },
  body: `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`,
});

/** EC2 answers: `<{Action}Response>` with `requestId` and the result members at the top. */
export const ec2Response = (action: string, requestId: string, body: Record<string, XmlValue>): WireResponse =>
  xmlResponse(
    `<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${requestId}</requestId>${toXml(body, "item")}</${action}Response>`,
  );

export const ec2Error = (error: AwsError, requestId: string): WireResponse =>
  xmlResponse(
    `<Response><Errors><Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
    error.status,
  );

/** awsQuery answers (ELBv2): `<{Action}Response><{Action}Result>…</…><ResponseMetadata>`. */
export const queryResponse = (
  action: string,
  namespace: string,
  requestId: string,
  result: Record<string, XmlValue>,
): WireResponse =>
  xmlResponse(
    `<${action}Response xmlns="${namespace}"><${action}Result>${toXml(result, "member")}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
  );

export const queryError = (error: AwsError, requestId: string): WireResponse =>
  xmlResponse(
    `<ErrorResponse><Error><Type>${error.status >= 500 ? "Receiver" : "Sender"}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    error.status,
  );

// ------------------------------------------------------------------------------------------------ query input

/** A decoded query document: `Filter.1.Value.2=x` → `{ Filter: [ { Value: [ , "x"] } ] }` (1-based → 0-based). */
export type QueryValue = string | QueryValue[] | { [key: string]: QueryValue };

export function parseQuery(body: string): Record<string, QueryValue> {
  const root: Record<string, QueryValue> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const parts = key.split(".");
    // biome-ignore lint/suspicious/noExplicitAny: building a nested document from dotted keys
    let node: any = root;
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      const next = parts[i + 1];
      const slot = /^\d+$/.test(part) ? Number(part) - 1 : part;
      if (last) node[slot] = value;
      else {
        node[slot] ??= next !== undefined && /^\d+$/.test(next) ? [] : {};
        node = node[slot];
      }
    });
  }
  return root;
}

/** The strings of a list member (`InstanceType.1`, `Names.member.1`). */
export function queryList(value: QueryValue | undefined): string[] {
  if (value === undefined) return [];
  const list = Array.isArray(value)
    ? value
    : typeof value === "object" && Array.isArray(value.member)
      ? value.member
      : [];
  return (list as QueryValue[]).filter((v): v is string => typeof v === "string");
}

/** The objects of a list member. */
export function queryObjects(value: QueryValue | undefined): Record<string, QueryValue>[] {
  if (value === undefined) return [];
  const list = Array.isArray(value)
    ? value
    : typeof value === "object" && Array.isArray(value.member)
      ? value.member
      : [];
  return (list as QueryValue[]).filter(
    (v): v is Record<string, QueryValue> => !!v && typeof v === "object" && !Array.isArray(v),
  );
}

/** EC2 `Filter.N.Name` / `Filter.N.Value.M`. */
export function queryFilters(params: Record<string, QueryValue>): { name: string; values: string[] }[] {
  return queryObjects(params.Filter).map((f) => ({ name: String(f.Name ?? ""), values: queryList(f.Value) }));
}

/** `*` and `?` wildcards of EC2 filters. */
export function wildcardMatch(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
  return re.test(value);
}

/** Matches EC2 filters against a resource: `fields` returns the values of a filter name (undefined: unsupported). */
export function matchesFilters(
  filters: { name: string; values: string[] }[],
  fields: (name: string) => string[] | undefined,
  resource: string,
): boolean {
  return filters.every(({ name, values }) => {
    const actual = fields(name);
    if (actual === undefined)
      throw new AwsError(
        "InvalidParameterValue",
        `The filter '${name}' is invalid (not supported by the simulated ${resource})`,
      );
    return actual.some((a) => values.some((v) => wildcardMatch(v, a)));
  });
}

/** Tag filters shared by EC2 resources: `tag:<key>`, `tag-key`, `tag-value`. */
export function tagFilterValues(name: string, tags: Record<string, string>): string[] | undefined {
  if (name.startsWith("tag:")) {
    const value = tags[name.slice(4)];
    return value === undefined ? [] : [value];
  }
  if (name === "tag-key") return Object.keys(tags);
  if (name === "tag-value") return Object.values(tags);
  return undefined;
}

export const tagSet = (tags: Record<string, string>): XmlValue[] =>
  Object.entries(tags).map(([key, value]) => ({ key, value }));
