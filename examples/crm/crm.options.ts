/** Where the CRM lives; how the example is configured (from your own configuration). */
export interface CrmOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
}

export const CRM_OPTIONS = Symbol('CRM_OPTIONS');
