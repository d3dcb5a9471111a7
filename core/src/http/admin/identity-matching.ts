import type { Operation } from './operation.js';

/** Review queue and batch runs of probabilistic resolvers (`/identity/reviews`, `/identity/resolvers/:id/runs`, `/identity/runs/:id`). */
export const matchingOperations: Operation[] = [];
