/** `/connectors/<id>` with the id escaped; `rest` is appended as is (`/status`). */
export const connectorPath = (id: string, rest = '') => `/connectors/${encodeURIComponent(id)}${rest}`;

/** `/pipelines/<id>` with the id escaped. */
export const pipelinePath = (id: string) => `/pipelines/${encodeURIComponent(id)}`;

/** `/profiles/<id>` with the id escaped; `rest` is appended as is (`/explain`). */
export const profilePath = (id: string, rest = '') => `/profiles/${encodeURIComponent(id)}${rest}`;
