/**
 * What the console shell hands every screen: the signed-in user, the API client that carries the session's CSRF
 * token, the UI language, live updates and a way to show a short message. Screens never talk to the shell otherwise.
 */
export type ConsoleLocale = 'de' | 'en';

export type Capability = 'inbox' | 'supervise' | 'marketing' | 'administer';

export interface ConsoleUser {
  id: string;
  email: string;
  displayName: string;
  role: 'agent' | 'supervisor' | 'marketer' | 'admin';
  team: string | null;
  locale: string | null;
}

/** A change notice from the live stream (`/console/api/events`): which thing changed, never its contents. */
export interface LiveNotice {
  type: string;
  conversationId?: string;
  [key: string]: unknown;
}

export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** JSON in and out of /console/api; rejects with an error whose `status` is the HTTP status. */
export type ConsoleApi = <T = unknown>(method: ApiMethod, path: string, body?: unknown) => Promise<T>;

export interface ScreenContext {
  user: ConsoleUser;
  capabilities: readonly Capability[];
  locale: ConsoleLocale;
  api: ConsoleApi;
  /** Calls the listener for every live notice until the returned function is called. */
  onLive(listener: (notice: LiveNotice) => void): () => void;
  toast(message: string, kind?: 'info' | 'error'): void;
  /** Switches the shell to another page or screen (e.g. 'inbox', 'dashboard'). */
  navigate(page: string): void;
}

/** What a screen module's `mount` export looks like: draw into `el`, return how to clean up. */
export type MountScreen = (el: HTMLElement, ctx: ScreenContext) => () => void;
