// agora-token ships no types for its classes; the tests use them to build tokens with a past issue time.
declare module 'agora-token/src/AccessToken2' {
  export class AccessToken2 {
    constructor(appId: string, appCertificate: string, issueTs: number, expire: number);
    add_service(service: ServiceRtm): void;
    build(): string;
  }
  export class ServiceRtm {
    static kPrivilegeLogin: number;
    constructor(userId: string);
    add_privilege(privilege: number, expire: number): void;
  }
}
