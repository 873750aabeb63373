import { z } from 'zod';
import { isDns1123Label, isDns1123Subdomain } from '../kube/names';

/** Zod schema of a DNS-1123 label (Service, subset, namespace names). */
export const dns1123Label = z
  .string()
  .refine(
    isDns1123Label,
    'must be a DNS-1123 label (lower-case a-z, 0-9, "-", at most 63 characters)',
  );

/** Zod schema of a DNS-1123 subdomain (most object names, e.g. a VirtualService's). */
export const dns1123Subdomain = z
  .string()
  .refine(
    isDns1123Subdomain,
    'must be a DNS-1123 subdomain (lower-case a-z, 0-9, "-", ".", at most 253 characters)',
  );
