/** k6 entry of the spike scenario (spike.ts): `k6 run spike.k6.ts`; settings from -e or the environment. */
import { k6Script } from './adapter.k6.ts';
import { spike } from './spike.ts';

const script = k6Script(spike);
export const options = script.options;
export default script.iteration;
