/**
 * HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/) as devicebound writes it
 * (`check --save-har`): one page per scenario run, its entries the run's requests to the lab
 * and to intercepted destinations. Every credential the lab issued is replaced by a stand-in
 * before an entry is made (see `lab/har.ts`), so a saved HAR holds no secret and still lets
 * `analyze` follow each flow: the same credential always gets the same stand-in.
 */

export interface HarNameValue {
  name: string;
  value: string;
}

export interface HarEntry {
  pageref?: string;
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    cookies: HarNameValue[];
    headers: HarNameValue[];
    queryString: HarNameValue[];
    postData?: { mimeType: string; text: string };
    headersSize: number;
    bodySize: number;
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    cookies: HarNameValue[];
    headers: HarNameValue[];
    content: { size: number; mimeType: string; text?: string };
    redirectURL: string;
    headersSize: number;
    bodySize: number;
  };
  cache: Record<string, never>;
  timings: { send: number; wait: number; receive: number };
  comment?: string;
}

export interface HarPage {
  id: string;
  title: string;
  startedDateTime: string;
  pageTimings: Record<string, never>;
}

export interface HarDocument {
  log: {
    version: '1.2';
    creator: { name: string; version: string };
    pages: HarPage[];
    entries: HarEntry[];
    comment?: string;
  };
}

/** A HAR of pages (each with its entries), entries in time order within each page. */
export function harDocument(
  version: string,
  pages: readonly { id: string; title: string; entries: readonly HarEntry[] }[],
): HarDocument {
  const withEntries = pages.filter((page) => page.entries.length > 0);
  return {
    log: {
      version: '1.2',
      creator: { name: 'devicebound', version },
      pages: withEntries.map((page) => ({
        id: page.id,
        title: page.title,
        startedDateTime: page.entries[0]?.startedDateTime ?? new Date(0).toISOString(),
        pageTimings: {},
      })),
      entries: withEntries.flatMap((page) =>
        page.entries.map((entry) => ({ ...entry, pageref: page.id })),
      ),
      comment:
        'Written by devicebound check --save-har. Every credential the lab issued is replaced by a stand-in (devicebound-redacted-<kind>-<fingerprint prefix>); a body that held one in another encoding is withheld.',
    },
  };
}
