// The API's JSON as the page reads it: the types generated from the OpenAPI document (./api-types.ts,
// `npm run api-types`), under the names the page uses.
import type { components } from './api-types';

type Schemas = components['schemas'];

/** A report resource (`GET /api/reports/{reportId}`). */
export type ReportResource = Schemas['Report'];

/** One entry of `GET /api/report-types`; `parameters` is the JSON Schema of the request's parameters. */
export type ReportType = Schemas['ReportType'];

/** `GET /api/reports`. */
export type ReportPage = Schemas['ReportPage'];
