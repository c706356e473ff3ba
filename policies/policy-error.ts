// The error of the policies layer: a policy spec, manifest or model that cannot be used; the message
// names the file or spec, the field and the fix.
export class PolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyError';
  }
}
