/** k6 entry of the stress scenario (stress.ts): `k6 run stress.k6.ts`; settings from -e or the environment. */
import { k6Script } from './adapter.k6.ts';
import { stress } from './stress.ts';

const script = k6Script(stress);
export const options = script.options;
export default script.iteration;
