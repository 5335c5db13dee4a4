/** k6 entry of the cache-mix scenario (cache-mix.ts): `k6 run cache-mix.k6.ts`; settings from -e or the environment. */
import { k6Script } from './adapter.k6.ts';
import { cacheMix } from './cache-mix.ts';

const script = k6Script(cacheMix);
export const options = script.options;
export default script.iteration;
