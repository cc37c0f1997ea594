import { useDialer } from './dialerContext';
import { describeAvailability } from './words';

/** The agent's availability as the line reports it. */
export function Availability() {
  const availability = useDialer((s) => s.context.availability);
  return (
    <p className="sp-availability" data-availability={availability}>
      <span className="sp-availability__dot" aria-hidden="true" />
      <span className="sp-visually-hidden">Availability: </span>
      <span>{describeAvailability(availability)}</span>
    </p>
  );
}
