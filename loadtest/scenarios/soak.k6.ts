/** k6 entry of the soak scenario (soak.ts): `k6 run soak.k6.ts`; settings from -e or the environment. */
import { k6Script } from './adapter.k6.ts';
import { soak } from './soak.ts';

const script = k6Script(soak);
export const options = script.options;
export default script.iteration;
