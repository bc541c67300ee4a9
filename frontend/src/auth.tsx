import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { auth, onUnauthorized, type User } from "./client";

interface AuthState {
  /** undefined while the session is being checked; null when signed out. */
  user: User | null | undefined;
  signIn: (email: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
  canEdit: boolean;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null | undefined>(undefined);

  useEffect(() => {
    let live = true;
    auth
      .me()
      .then((me) => live && setUser(me))
      .catch(() => live && setUser(null)); // 401: not signed in (other failures show the sign-in page too)
    const stop = onUnauthorized(() => setUser(null));
    return () => {
      live = false;
      stop();
    };
  }, []);

  const signIn = useCallback(async (email: string, password: string) => {
    setUser(await auth.login(email, password));
  }, []);

  const signOut = useCallback(async () => {
    try {
      await auth.logout();
    } finally {
      setUser(null);
    }
  }, []);

  const value = useMemo<AuthState>(
    () => ({ user, signIn, signOut, canEdit: !!user && user.role !== "viewer" }),
    [user, signIn, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error("useAuth outside AuthProvider");
  return state;
}
