// The colliders in contact pairs with a collider, gathered into one reused array. Rapier reports them
// through a callback; this one is made once per owner, not per query: V8 keeps a function's optimised
// code only while one of its closures lives, so a callback made per query is optimised again after every
// full garbage collection (8-12 times for each such callback in one 60-chain sweep, `node --log-code`).
import { RAPIER } from './rapier.ts';

type RWorld = InstanceType<typeof RAPIER.World>;
type RCollider = InstanceType<typeof RAPIER.Collider>;

export class ContactPairs {
  private readonly found: RCollider[] = [];
  private readonly add = (other: RCollider): void => { this.found.push(other); };

  /** The colliders `world` has in contact pairs with `c`, in Rapier's order. The array is reused: valid until the next call. */
  of(world: RWorld, c: RCollider): readonly RCollider[] {
    this.found.length = 0;
    world.contactPairsWith(c, this.add);
    return this.found;
  }
}
