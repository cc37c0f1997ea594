import { useDialer } from './dialerContext';

/** The machine's refusal of what the agent typed, next to the field that caused it. */
export function InputError({ id }: { id: string }) {
  const inputError = useDialer((s) => s.context.inputError);
  if (!inputError) return null;
  return (
    <p id={id} className="sp-field-error" role="alert">
      {inputError}
    </p>
  );
}

/** Whether the machine refused what the agent typed (for aria-invalid). */
export function useInputError(): string | null {
  return useDialer((s) => s.context.inputError);
}
