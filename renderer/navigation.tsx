/**
 * Which screen is shown. No router: the app has one window and no URLs worth sharing, and app:// navigation is
 * denied by main anyway. A screen may carry a parameter (the contact to verify).
 */

import { createContext, useContext } from 'react';

export type ScreenName = 'send' | 'receive' | 'transfers' | 'contacts' | 'verification' | 'settings';

export interface Route {
  readonly screen: ScreenName;
  /** For 'verification': the contact being verified. */
  readonly contactId?: string | undefined;
}

export interface Navigation {
  readonly route: Route;
  readonly go: (route: Route) => void;
}

export const NavigationContext = createContext<Navigation>({ route: { screen: 'send' }, go: () => undefined });

export function useNavigation(): Navigation {
  return useContext(NavigationContext);
}
