// When a task counts as done. The rule, stated once:
//
//   A task succeeds at the control step where its goal formula has held for SUCCESS_RULE.holdSteps
//   consecutive control steps (that step included).
//
// The goal's placement atoms (On, In, InRegion; sim/predicates.ts) hold only while the objects they
// name are at rest (no point of them faster than PREDICATE_TOLERANCES.restSpeed) and released
// (touching neither finger, unless the same goal asks for Grasped of that object). Together: a can
// still sliding across the plate, rocking on its base, or leaning on a fingertip has not been put
// anywhere yet; one that stays put for the window has. The window also keeps a bounce (speed passing
// through zero at its top) from counting. The count survives env.snapshot()/restore().

export const SUCCESS_RULE = {
  /** Consecutive control steps (at 20 Hz) the goal must hold: 0.15 s. */
  holdSteps: 3,
};

/** The goal-held count after one more control step, and whether that step is the success. */
export function advanceGoalWindow(heldSteps: number, holdsNow: boolean): { heldSteps: number; success: boolean } {
  const n = holdsNow ? heldSteps + 1 : 0;
  return { heldSteps: n, success: n >= SUCCESS_RULE.holdSteps };
}
