import { it } from 'vitest';
import { serve, BASIC_CONFIG, BASIC_ENV, postToken, basic } from '../helpers/sluice.js';
it('probe', async () => {
  const s = await serve(BASIC_CONFIG.replace(/^issuer:.*\n/m, ''), { env: BASIC_ENV });
  console.log(s.url, s.engine.issuer);
  console.log(JSON.stringify(await (await fetch(s.url + '/.well-known/openid-configuration')).json(), null, 1));
  const r = await fetch(s.url + '/jwks'); console.log(r.headers.get('content-type'), JSON.stringify(await r.json()));
  const t = await postToken(s.url, { grant_type: 'client_credentials' }, { authorization: basic('orders-service', BASIC_ENV.ORDERS_SECRET) });
  console.log(t.status, Object.fromEntries(t.headers), t.body);
  const [h, p] = String(t.body.access_token).split('.').slice(0, 2).map((x) => JSON.parse(Buffer.from(x!, 'base64url').toString()));
  console.log(h, p);
  const bad = await postToken(s.url, { grant_type: 'client_credentials', client_id: 'poster', client_secret: 'x' });
  console.log(bad.status, Object.fromEntries(bad.headers), bad.body);
  await s.close();
});
