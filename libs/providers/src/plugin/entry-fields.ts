import { z } from 'zod';

/** zod pieces the plugins' entry schemas share. */
export const entryFields = {
  secret: () => z.string().min(1, 'must not be empty'),
  url: () => z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
};
