import { CONTACTS } from '../fixtures';
import { useWorkspaceInstance } from './useWorkspace';

/** Contacts with their phone handles as typed into Front, each with Front's "Call" button. */
export function ContactList() {
  const workspace = useWorkspaceInstance();
  return (
    <section className="ws-section" aria-labelledby="ws-contacts">
      <h2 id="ws-contacts" className="ws-heading">
        Contacts
      </h2>
      <ul className="ws-list">
        {CONTACTS.map((contact) =>
          contact.handles
            .filter((h) => h.type === 'phone')
            .map((h) => (
              <li key={`${contact.id}-${h.handle}`} className="ws-contact">
                <span className="ws-contact__name">{contact.name}</span>
                <span className="ws-handle">
                  <span className="ws-handle__text">{h.handle}</span>
                  <button type="button" className="ws-call" aria-label={`Call ${h.handle}`} onClick={() => workspace.callHandle(h.handle)}>
                    Call
                  </button>
                </span>
              </li>
            )),
        )}
      </ul>
    </section>
  );
}
