import type { TrayNotification } from '../workspace';
import { useWorkspace, useWorkspaceInstance } from './useWorkspace';

function describe({ notification }: TrayNotification): { title: string; body: string } {
  if (notification.type === 'INCOMING_CALL') {
    const who = notification.contact ? [notification.contact.name, notification.contact.handle].filter(Boolean).join(' · ') : 'Unknown caller';
    return { title: 'Incoming call', body: who };
  }
  return { title: notification.title, body: notification.message };
}

/** Front's in-app banners, as displayNotification created them. */
export function NotificationTray() {
  const workspace = useWorkspaceInstance();
  const notifications = useWorkspace((s) => s.notifications);
  return (
    <section className="ws-tray" aria-label="Notifications" data-testid="notification-tray">
      {notifications.length === 0 ? (
        <p className="ws-muted ws-tray__empty">No notifications</p>
      ) : (
        <ul className="ws-tray__list">
          {notifications.map((n) => {
            const { title, body } = describe(n);
            return (
              <li key={n.id} className={`ws-banner ws-banner--${n.notification.type.toLowerCase()}`} data-testid="notification" data-notification-id={n.id} data-type={n.notification.type}>
                <div className="ws-banner__text">
                  <strong>{title}</strong>
                  <span>{body}</span>
                </div>
                {n.notification.type === 'INCOMING_CALL' && (
                  <button type="button" className="ws-button" onClick={() => workspace.setSidebarOpen(true)}>
                    Open plugin
                  </button>
                )}
                <button type="button" className="ws-button ws-button--quiet" aria-label={`Close notification: ${title}, ${body}`} onClick={() => workspace.closeNotification(n.id)}>
                  ×
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
