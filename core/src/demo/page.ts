/**
 * The demo page: loads the browser SDK with the demo write key, sends track/identify/page on a
 * click, and shows what the demo destination received (polling `/demo/echo`).
 *
 * @example
 * return c.html(renderDemoPage({ writeKey }));
 */
export function renderDemoPage({ writeKey }: { writeKey: string }): string {
  // JSON.stringify plus `<` escaping keeps the key a plain string even inside a <script>.
  const key = JSON.stringify(writeKey).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Weft demo</title>
<link rel="icon" href="data:,">
<style>
  body { font: 15px/1.5 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #1d2433; }
  button { font: inherit; padding: .45rem .9rem; margin-right: .5rem; border: 1px solid #8792a8; border-radius: 6px; background: #f4f6fa; cursor: pointer; }
  pre { background: #f4f6fa; padding: .75rem; border-radius: 6px; overflow-x: auto; font-size: 13px; }
  .flow { color: #56607a; }
</style>
</head>
<body>
<h1>Weft demo</h1>
<p class="flow">demo-web (browser SDK) → demo-enrich (JSONata: adds <code>properties.enrichedBy</code>) → demo-echo (signed webhook back to this server)</p>
<p>
  <button id="track">Send track</button>
  <button id="identify">Send identify</button>
  <button id="page">Send page</button>
  <span id="status"></span>
</p>
<h2>Delivered to demo-echo</h2>
<p class="flow">Newest first; the signature of every delivery was checked. Also from a terminal: <code id="echo-curl">curl /demo/echo</code></p>
<pre id="echo">Nothing delivered yet. Click a button.</pre>
<script src="/sdk/weft.js"></script>
<script>
  const writeKey = ${key};
  weft.load(writeKey, { host: location.origin });
  const status = document.getElementById('status');
  // flush() sends at once instead of after the SDK's batching interval.
  const sent = (what) => { weft.flush(); status.textContent = what + ' sent at ' + new Date().toLocaleTimeString(); };
  document.getElementById('track').onclick = () => { weft.track('Demo Button Clicked', { button: 'track', plan: 'pro' }); sent('track'); };
  document.getElementById('identify').onclick = () => { weft.identify('demo-user-1', { email: 'ada@example.com', name: 'Ada Lovelace' }); sent('identify'); };
  document.getElementById('page').onclick = () => { weft.page('Demo'); sent('page'); };
  document.getElementById('echo-curl').textContent = 'curl ' + location.origin + '/demo/echo';
  async function refresh() {
    try {
      const { deliveries } = await (await fetch('/demo/echo')).json();
      if (deliveries.length > 0) document.getElementById('echo').textContent = JSON.stringify(deliveries, null, 2);
    } finally {
      setTimeout(refresh, 1000);
    }
  }
  refresh();
</script>
</body>
</html>
`;
}
