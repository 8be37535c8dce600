/** The journey's milestones as the tests read them, whether from the API's view or the workflow's summary. */

/** Each milestone's name and status, in the journey's order. */
export function milestoneStatuses(journey: { milestones: readonly { name: string; status: string }[] }) {
  return journey.milestones.map((m) => [m.name, m.status]);
}

/** Verified and the contact center created, number access still to come. */
export const INSTANCE_CREATED_MILESTONES = [
  ['registered', 'done'],
  // An approved qualification counts as real-named.
  ['real-named', 'done'],
  ['verified', 'done'],
  ['instance-created', 'done'],
  ['number-access', 'not-started'],
  ['ready', 'not-started'],
];
