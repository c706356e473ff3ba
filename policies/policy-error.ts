// The error of the policies layer: a policy spec, manifest or model that cannot be used; the message
// names the file or spec, the field and the fix.
import { UserError } from '../scenes/errors.ts';

export class PolicyError extends UserError {}
