import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import type { SourceComponent } from '@weft/plugin-sdk';
import { errorBody } from './errors.js';
import type { Runtime } from '../runtime.js';

type Asset = NonNullable<SourceComponent['assets']>[string];

interface LoadedAsset {
  body: Uint8Array;
  contentType: string;
  etag: string;
}

/** Browsers revalidate after five minutes (cheap with the ETag), so a new SDK version spreads quickly. */
const cacheControl = 'public, max-age=300, stale-while-revalidate=86400';

/**
 * Serves the static files source plugins contribute (`assets`), e.g. `GET /sdk/weft.js` from the
 * web-sdk plugin: the asset's content type, an ETag, cache headers and `Access-Control-Allow-Origin: *`.
 *
 * @example
 * app.route('/', sdkRoutes(runtime));
 * // <script src="https://weft.example.com/sdk/weft.js"></script>
 */
export function sdkRoutes(runtime: Runtime): Hono {
  const app = new Hono();
  // Keyed by the plugin's asset object: loaded once, and forgotten if the plugin goes away.
  const loaded = new WeakMap<Asset, Promise<LoadedAsset>>();

  app.get('/sdk/:name', async (c) => {
    const name = c.req.param('name');
    const asset = findAsset(runtime, name);
    if (!asset) return c.json(errorBody('not_found', `No SDK file '${name}' (no loaded source plugin provides it)`), 404);
    let file = loaded.get(asset);
    if (!file) {
      file = loadAsset(asset);
      loaded.set(asset, file);
      file.catch(() => loaded.delete(asset));
    }
    const { body, contentType, etag } = await file;
    const headers = { 'Cache-Control': cacheControl, ETag: etag, 'Access-Control-Allow-Origin': '*' };
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
    return c.body(body as Uint8Array<ArrayBuffer>, 200, { ...headers, 'Content-Type': contentType });
  });
  return app;
}

/** The first loaded source plugin (by plugin id) that provides an asset of that name. */
function findAsset(runtime: Runtime, name: string): Asset | undefined {
  for (const { plugin } of runtime.registry.list()) {
    for (const component of Object.values(plugin.components)) {
      if (component.kind !== 'source' || !component.assets) continue;
      if (Object.hasOwn(component.assets, name)) return component.assets[name];
    }
  }
  return undefined;
}

async function loadAsset(asset: Asset): Promise<LoadedAsset> {
  const content = await asset.load();
  const body = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return { body, contentType: asset.contentType, etag };
}
