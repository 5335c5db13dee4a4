/** k6 entry of the smoke scenario (smoke.ts): `k6 run smoke.k6.ts`; settings from -e or the environment. */
import { k6Script } from './adapter.k6.ts';
import { smoke } from './smoke.ts';

const script = k6Script(smoke);
export const options = script.options;
export default script.iteration;
