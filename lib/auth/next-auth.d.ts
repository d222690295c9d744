import type { UserRole } from "./session-user";

declare module "next-auth" {
  interface User {
    role: UserRole;
    tenantId: string | null;
  }
  interface Session {
    user: { id: string; email: string; role: UserRole; tenantId: string | null };
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
    role?: UserRole;
    tenantId?: string | null;
  }
}
