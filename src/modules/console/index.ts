export { ConsoleModule } from './console.module';
export { announceSignInLink } from './application/announce-sign-in-link';
export type { Terminal } from './application/announce-sign-in-link';
export { SignInLinkService } from './application/sign-in-link.service';
