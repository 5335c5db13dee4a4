/** k6 entry of the load scenario (load.ts): `k6 run load.k6.ts`; settings from -e or the environment. */
import { k6Script } from './adapter.k6.ts';
import { load } from './load.ts';

const script = k6Script(load);
export const options = script.options;
export default script.iteration;
