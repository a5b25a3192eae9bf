/** Sandbox User Service: a runner without Connect account is 200 with null, like the real one. */
import type { RoutedHandler } from './http-server';
import type { SandboxState } from './state';

export const userErrorBody = (status: number) => ({
  success: false,
  message: status === 404 ? 'User not found' : 'Injected fault',
});

const CONNECT_ACCOUNT_PATH = /^\/api\/user\/([^/]+)\/connect-account$/;

export function userRouter(state: SandboxState) {
  return (method: string, url: URL): RoutedHandler | undefined => {
    const match = CONNECT_ACCOUNT_PATH.exec(url.pathname);
    if (method !== 'GET' || !match?.[1]) return undefined;
    const runnerId = decodeURIComponent(match[1]);
    return {
      route: 'connectAccount',
      handle: () => {
        if (!state.connectAccounts.has(runnerId)) {
          return { status: 404, body: { success: false, message: 'User not found' } };
        }
        const account = state.connectAccounts.get(runnerId) ?? null;
        return { status: 200, body: { success: true, stripe_connect_account_id: account } };
      },
    };
  };
}
