/** Merges the features' OpenAPI fragments into the one document served at /api/v1/openapi.json. */
import type { OpenApiFragment } from './api-support.js';

export function buildOpenApiDocument(
  fragments: readonly OpenApiFragment[],
  version: string,
): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const fragment of fragments) {
    for (const [path, item] of Object.entries(fragment.paths)) {
      if (paths[path]) throw new Error(`OpenAPI path ${path} is declared by two features`);
      paths[path] = item;
    }
    Object.assign(schemas, fragment.schemas ?? {});
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Plausch API',
      version,
      description:
        'Administer flows, newsletters, events, referrals and leads. Every route needs `Authorization: Bearer <API token>`.',
    },
    servers: [{ url: '/api/v1' }],
    security: [{ bearerAuth: [] }],
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
      schemas,
    },
    paths,
  };
}
