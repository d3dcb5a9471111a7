// Realistic track events (~450 bytes of JSON each), unique per run and index.
const run = Math.random().toString(36).slice(2, 8);

export function trackEvent(i) {
  return {
    type: 'track',
    messageId: `bench-${run}-${i}`,
    userId: `user-${i % 50_000}`,
    anonymousId: `anon-${i % 80_000}`,
    event: 'Product Viewed',
    properties: { product_id: `sku-${i % 1000}`, category: 'shoes', price: 79.9, currency: 'CNY', position: i % 20 },
    context: { ip: '203.0.113.7', locale: 'zh-CN', library: { name: 'weft-bench', version: '1' }, page: { path: '/p/shoes', title: 'Shoes' } },
    timestamp: '2026-11-22T08:00:00.000Z',
    sentAt: '2026-11-22T08:00:00.100Z',
  };
}

/** A `/v1/batch` body of `size` events starting at event `first`. */
export function batchBody(first, size) {
  const batch = [];
  for (let i = 0; i < size; i++) batch.push(trackEvent(first + i));
  return JSON.stringify({ batch });
}
