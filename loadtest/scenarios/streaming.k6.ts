/** k6 entry of the streaming scenario (streaming.ts): `k6 run streaming.k6.ts`; settings from -e or the environment. */
import { k6Script } from './adapter.k6.ts';
import { streaming } from './streaming.ts';

const script = k6Script(streaming);
export const options = script.options;
export default script.iteration;
